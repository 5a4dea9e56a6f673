// The scoring aggregates: silhouette, davies_bouldin, calinski_harabasz and silhouette_values,
// on labelled feature arrays or on rows scaled and labelled by a model. Each buffers its rows
// (RowBuffer with labels; parallel-safe through seg_rows_*), and its final function drops rows
// with NULL/NaN/Infinity elements (NOTICE), puts the rest in canonical order and scores them.
#include <algorithm>
#include <cinttypes>
#include <cstring>

#include "composite_array.hpp"
#include "datum_codec.hpp"
#include "distance.hpp"
#include "fit_memory_budget.hpp"
#include "fit_report.hpp"
#include "fit_settings.hpp"
#include "float8_array.hpp"
#include "guard.hpp"
#include "jsonb_options.hpp"
#include "labels.hpp"
#include "metrics.hpp"
#include "model_point.hpp"
#include "row_buffer.hpp"
#include "model_rows.hpp"
#include "scoring.hpp"
#include "silhouette_mixed.hpp"

extern "C" {
#include "utils/datum.h"
}

namespace {

using cseg_pg::notice_skipped;
using cseg_pg::RowBuffer;

// Hex digits of a model fingerprint at the start of a model-form aggregate's parameter.
constexpr int kFingerprintChars = cseg_pg::kModelFingerprintChars;

// Which metric a plain scoring aggregate computes.
enum class Metric { Silhouette, DaviesBouldin, CalinskiHarabasz };

// The SQL name of a metric, for messages.
const char* metric_name(Metric m) {
    switch (m) {
        case Metric::Silhouette:
            return "silhouette";
        case Metric::DaviesBouldin:
            return "davies_bouldin";
        case Metric::CalinskiHarabasz:
            return "calinski_harabasz";
    }
    return "silhouette";
}

// What the guarded preparation of the buffered rows hands back across the wall.
struct Prepared {
    int64 n;        // usable rows
    int64 skipped;  // rows dropped for a NaN or infinite element
    int64* ids;     // with ids: n ids (palloc'd), else NULL
};

// A score and how many rows it left out.
struct Score {
    double value;
    int64 skipped;
};

// Drops incomplete rows, sorts canonically and splits off the ids (see prepare_scored_rows);
// st->dims counts the id column when with_ids.
Prepared prepare(RowBuffer* st, bool with_ids) {
    const int32 d = with_ids ? st->dims - 1 : st->dims;
    return cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        cseg::ScoredRows rows =
            cseg::prepare_scored_rows(st->data, st->labels, st->n_rows, d, with_ids, interrupt);
        int64* ids = nullptr;
        if (with_ids) {
            ids = static_cast<int64*>(cseg_pg::alloc_nothrow(sizeof(int64) * rows.ids.size()));
            std::memcpy(ids, rows.ids.data(), sizeof(int64) * rows.ids.size());
        }
        return Prepared{rows.n, rows.skipped, ids};
    });
}

// Checks the silhouette options on the first row and keeps their text in the state, after
// `prefix` (a model fingerprint) when given; later rows must pass the same options.
void init_options(FunctionCallInfo fcinfo, RowBuffer* st, int argno, const char* prefix) {
    const char* options = cseg_pg::jsonb_options_text(fcinfo, argno);
    cseg_pg::guarded([&] { cseg::parse_silhouette_options(options); });
    const char* text = psprintf("%s%s", prefix, options);
    cseg_pg::row_buffer_set_param(st, text, strlen(text));
}

// Buffers one labelled feature array: NULL features or a NULL label leave the row out.
Datum plain_trans(FunctionCallInfo fcinfo, const char* fn, bool has_options) {
    RowBuffer* st = cseg_pg::row_buffer_get(fcinfo, true, fn);
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_POINTER(st);
    if (has_options && st->param == nullptr)
        init_options(fcinfo, st, 3, "");
    else if (has_options)  // the score must not depend on which row came first
        cseg_pg::jsonb_options_check_same(fcinfo, 3, st->param, fn);
    cseg_pg::row_buffer_append(st, PG_GETARG_ARRAYTYPE_P(1), PG_GETARG_INT32(2), fn);
    PG_RETURN_POINTER(st);
}

// At most how many distinct labels n labels hold: the span of their values, or n (one pass,
// nothing allocated, so it can come before the memory check).
int64 label_count_bound(const int32* labels, int64 n) {
    if (n == 0) return 0;
    int32 lo = labels[0], hi = labels[0];
    for (int64 i = 1; i < n; ++i) {
        lo = std::min(lo, labels[i]);
        hi = std::max(hi, labels[i]);
    }
    return std::min<int64>(n, static_cast<int64>(hi) - lo + 1);
}

// Computes one metric on rows already prepared (n rows of d features, labels alongside),
// after checking its working memory against customer_seg.max_memory.
double compute(Metric metric, const RowBuffer* st, int64 n, int32 d, const char* options) {
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const double held = cseg_pg::row_buffer_bytes(st);
    return cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        if (n == 0) cseg::check_number_of_labels(0, 0);  // every row left out
        const cseg::ConstRowMap X(st->data, n, d);
        const int64 labels = label_count_bound(st->labels, n);
        const char* fn = metric_name(metric);
        switch (metric) {
            case Metric::DaviesBouldin:
                cseg_pg::require_fit_memory(budget, held, cseg::cluster_index_bytes(n, d, labels),
                                            fn, "the score");
                return cseg::davies_bouldin(X, st->labels, interrupt);
            case Metric::CalinskiHarabasz:
                cseg_pg::require_fit_memory(budget, held, cseg::cluster_index_bytes(n, d, labels),
                                            fn, "the score");
                return cseg::calinski_harabasz(X, st->labels, interrupt);
            case Metric::Silhouette:
                break;
        }
        const cseg::SilhouetteOptions o = cseg::parse_silhouette_options(options);
        cseg_pg::require_fit_memory(budget, held,
                                    cseg::silhouette_bytes(n, d, labels, o.sample_size), fn,
                                    "the silhouette");
        return cseg::silhouette_score(X, st->labels, interrupt, o.sample_size, o.seed);
    });
}

// Final of every float8 scoring aggregate: NULL over no rows, else prepare, NOTICE, score.
Datum score_final(FunctionCallInfo fcinfo, Metric metric, bool model_form) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    RowBuffer* st = reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0 && st->n_missing == 0) PG_RETURN_NULL();
    const char* fn = metric_name(metric);
    const char* options = st->param == nullptr ? "{}" : st->param;
    if (model_form) options += kFingerprintChars;
    if (*options == '\0') options = "{}";  // a model form without options
    int64 n = 0, skipped = model_form ? st->n_missing : 0;
    if (st->n_rows > 0) {
        const Prepared p = prepare(st, false);
        n = p.n;
        skipped += p.skipped;
    }
    notice_skipped(fn, skipped, model_form);
    PG_RETURN_FLOAT8(compute(metric, st, n, st->dims, options));
}


// Characters after the fingerprint in the parameter of a mixed (categorical) model form: the
// model's gamma as 16 hex digits of its bits, then its numeric feature count as 8 hex digits.
constexpr int kMixedChars = 24;

// The model in argument argno, checked to be of a kind taking `op` (labelling rows by their
// numbers, or by numbers and categories) and the same as on the rows before (its fingerprint
// heads the state's parameter); on the first row also the options.
cseg_pg::ModelCache* row_model(FunctionCallInfo fcinfo, RowBuffer* st, int argno, const char* fn,
                               int options_argno,
                               cseg::ModelOperation op = cseg::ModelOperation::AssignNumbers) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, argno);
    cseg_pg::require_model_operation(c, op, fn);
    char fingerprint[kFingerprintChars + kMixedChars + 1];
    /* The store's hash of the whole encoding (whatever its kind stores decides the labels),
       computed once per model, not per row: a 0.5 MB model hashed per row cost ~0.3 ms. */
    snprintf(fingerprint, kFingerprintChars + 1, "%016" PRIx64, c->entry->hash);
    if (op == cseg::ModelOperation::AssignMixed) {
        uint64 gamma_bits;
        memcpy(&gamma_bits, &c->view.gamma, sizeof gamma_bits);
        snprintf(fingerprint + kFingerprintChars, kMixedChars + 1, "%016" PRIx64 "%08x",
                 gamma_bits, static_cast<unsigned>(c->view.dims));
    }
    if (st->param == nullptr) {
        if (options_argno >= 0) {
            init_options(fcinfo, st, options_argno, fingerprint);
        } else {
            cseg_pg::row_buffer_set_param(st, fingerprint, strlen(fingerprint));
        }
    } else {
        if (strncmp(st->param, fingerprint, kFingerprintChars) != 0)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: every row must be scored with the same model", fn),
                            errhint("Score each model in its own group (GROUP BY the model).")));
        if (options_argno >= 0)  // the options after the fingerprint, as on the first row
            cseg_pg::jsonb_options_check_same(fcinfo, options_argno,
                                              st->param + strlen(fingerprint), fn,
                                              &c->caller_memo);
    }
    return c;
}

// Scales and labels the features in argument argno with the model, as seg_assign does;
// false (row counted as skipped) when seg_assign would return NULL.
bool model_row(FunctionCallInfo fcinfo, RowBuffer* st, cseg_pg::ModelCache* c, int argno,
               const char* fn, int32* label) {
    if (!cseg_pg::model_point(fcinfo, c, argno, fn)) {
        st->n_missing++;
        return false;
    }
    *label = cseg_pg::model_cache_assign(c, nullptr);
    return true;
}

// Buffers one customer scaled and labelled by the model: NULL model or features leave it out;
// `fn` names the aggregate in errors.
Datum model_trans(FunctionCallInfo fcinfo, const char* fn, bool has_options) {
    RowBuffer* st = cseg_pg::row_buffer_get(fcinfo, true, fn);
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_POINTER(st);
    cseg_pg::ModelCache* c = row_model(fcinfo, st, 1, fn, has_options ? 3 : -1);
    int32 label;
    if (!model_row(fcinfo, st, c, 2, fn, &label)) PG_RETURN_POINTER(st);
    double* row = cseg_pg::row_buffer_push_row(st, c->view.dims, label, fn);
    std::memcpy(row, c->scratch, sizeof(double) * c->view.dims);
    PG_RETURN_POINTER(st);
}

// silhouette_values over text or uuid ids (the bigint form keeps the id in the row): the
// state is the rows, whose id column holds an ordinal into copies of the ids. No combine
// function: these forms run without parallel workers.
struct KeyedRows {
    RowBuffer* rows;  // the buffered rows (RowBuffer with labels)
    Datum* keys;      // n_keys ids, copied into the aggregate context
    int64 n_keys;
    int64 capacity;
    double key_bytes;  // bytes of the n_keys copies (counted against customer_seg.max_memory)
    int16 typlen;      // -1 (text) or 16 (uuid)
};

// Bytes the ids of a keyed state hold: their copies and the array of pointers to them.
double keyed_bytes(const KeyedRows* k) {
    return k == nullptr ? 0.0 : k->key_bytes + sizeof(Datum) * static_cast<double>(k->capacity);
}

// The keyed state in argument 0, or a new one for the id type of argument id_argno.
KeyedRows* keyed_get(FunctionCallInfo fcinfo, int id_argno, const char* fn) {
    if (!PG_ARGISNULL(0)) return reinterpret_cast<KeyedRows*>(PG_GETARG_POINTER(0));
    RowBuffer* rows = cseg_pg::row_buffer_get(fcinfo, true, fn);  // a new one, agg context
    int16 typlen;
    bool typbyval;
    get_typlenbyval(get_fn_expr_argtype(fcinfo->flinfo, id_argno), &typlen, &typbyval);
    if (typbyval || (typlen != -1 && typlen <= 0))
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("%s: ids of this type are not supported", fn),
                        errhint("Use bigint, text or uuid ids.")));
    auto* k = static_cast<KeyedRows*>(
        MemoryContextAllocZero(GetMemoryChunkContext(rows), sizeof(KeyedRows)));
    k->rows = rows;
    k->typlen = typlen;
    return k;
}

// The id column's value for the id in argument argno: a bigint id itself, or the ordinal of
// a copy of a text/uuid id kept in k.
double id_column(FunctionCallInfo fcinfo, KeyedRows* k, int argno) {
    if (k == nullptr) return cseg::id_to_bits(PG_GETARG_INT64(argno));
    MemoryContext cxt = GetMemoryChunkContext(k->rows);
    if (k->n_keys == k->capacity) {
        const int64 capacity = k->capacity == 0 ? 256 : k->capacity * 2;
        const Size bytes = sizeof(Datum) * static_cast<Size>(capacity);
        k->keys = static_cast<Datum*>(k->keys == nullptr ? MemoryContextAllocHuge(cxt, bytes)
                                                         : repalloc_huge(k->keys, bytes));
        k->capacity = capacity;
    }
    Datum id = PG_GETARG_DATUM(argno);
    if (k->typlen == -1) id = PointerGetDatum(PG_DETOAST_DATUM_PACKED(id));
    /* The copies count against customer_seg.max_memory beside the rows, checked before each
       copy (1 MB ids would otherwise pile up far beyond the budget). */
    const double size = static_cast<double>(datumGetSize(id, false, k->typlen));
    const double held = cseg_pg::row_buffer_bytes(k->rows) + keyed_bytes(k);
    if (held + size > cseg_pg::memory_budget_bytes()) {
        const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
        cseg_pg::guarded([&] {
            cseg_pg::require_fit_memory(budget, cseg_pg::row_buffer_bytes(k->rows),
                                        keyed_bytes(k) + size, "silhouette_values",
                                        "keeping a copy of each id");
            return 0;
        });
    }
    k->key_bytes += size;
    MemoryContext old = MemoryContextSwitchTo(cxt);
    k->keys[k->n_keys] = datumCopy(id, false, k->typlen);
    MemoryContextSwitchTo(old);
    return cseg::id_to_bits(k->n_keys++);
}

// True when keyed id a sorts before b: bytes (text in the C collation's order; uuid as
// PostgreSQL orders uuids), then length.
bool key_less(const KeyedRows* k, int64 a, int64 b) {
    const Pointer pa = DatumGetPointer(k->keys[a]), pb = DatumGetPointer(k->keys[b]);
    if (k->typlen > 0) return memcmp(pa, pb, static_cast<size_t>(k->typlen)) < 0;
    const size_t la = VARSIZE_ANY_EXHDR(pa), lb = VARSIZE_ANY_EXHDR(pb);
    const int c = memcmp(VARDATA_ANY(pa), VARDATA_ANY(pb), std::min(la, lb));
    return c != 0 ? c < 0 : la < lb;
}

// The error for a NULL id.
[[noreturn]] void null_id(const char* fn) {
    ereport(ERROR,
            (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: id must not be NULL", fn),
             errdetail("The id is what the silhouette values join back on.")));
    pg_unreachable();
}

// Buffers one id + labelled feature array; the id (or its ordinal, keyed) rides in an extra
// trailing column.
Datum values_trans(FunctionCallInfo fcinfo, bool keyed) {
    const char* fn = "silhouette_values";
    KeyedRows* k = keyed ? keyed_get(fcinfo, 1, fn) : nullptr;
    RowBuffer* st = keyed ? k->rows : cseg_pg::row_buffer_get(fcinfo, true, fn);
    void* state = keyed ? static_cast<void*>(k) : static_cast<void*>(st);
    if (PG_ARGISNULL(2) || PG_ARGISNULL(3)) PG_RETURN_POINTER(state);
    if (PG_ARGISNULL(1)) null_id(fn);
    ArrayType* a = PG_GETARG_ARRAYTYPE_P(2);
    const int32 d = cseg_pg::float8_array_length(a, "silhouette_values features");
    if (st->dims != 0 && st->dims != d + 1)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all feature arrays must have the same length, saw lengths "
                               "%d and %d",
                               fn, st->dims - 1, d)));
    double* row = cseg_pg::row_buffer_push_row(st, d + 1, PG_GETARG_INT32(3), fn);
    if (cseg_pg::float8_array_read(a, row, d) > 0) st->n_missing++;
    row[d] = id_column(fcinfo, k, 1);
    PG_RETURN_POINTER(state);
}

// Buffers one id + customer scaled and labelled by the model.
Datum values_model_trans(FunctionCallInfo fcinfo, bool keyed) {
    const char* fn = "silhouette_values";
    KeyedRows* k = keyed ? keyed_get(fcinfo, 2, fn) : nullptr;
    RowBuffer* st = keyed ? k->rows : cseg_pg::row_buffer_get(fcinfo, true, fn);
    void* state = keyed ? static_cast<void*>(k) : static_cast<void*>(st);
    if (PG_ARGISNULL(1) || PG_ARGISNULL(3)) PG_RETURN_POINTER(state);
    if (PG_ARGISNULL(2)) null_id(fn);
    cseg_pg::ModelCache* c = row_model(fcinfo, st, 1, fn, -1);
    int32 label;
    if (!model_row(fcinfo, st, c, 3, fn, &label)) PG_RETURN_POINTER(state);
    const int32 d = c->view.dims;
    double* row = cseg_pg::row_buffer_push_row(st, d + 1, label, fn);
    std::memcpy(row, c->scratch, sizeof(double) * d);
    row[d] = id_column(fcinfo, k, 2);
    PG_RETURN_POINTER(state);
}

// What the guarded silhouette_samples hands back: values, and the output order (by id).
struct Values {
    double* silhouette;  // n, in prepared row order
    int64* order;        // n row indices, ids ascending (ties in canonical order)
};

// Final of silhouette_values: one (id, label, silhouette) per usable row, ordered by id.
Datum values_final(FunctionCallInfo fcinfo, bool model_form, bool keyed) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const KeyedRows* k = keyed ? reinterpret_cast<KeyedRows*>(PG_GETARG_POINTER(0)) : nullptr;
    RowBuffer* st = keyed ? k->rows : reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0 && st->n_missing == 0) PG_RETURN_NULL();
    const char* fn = "silhouette_values";
    Prepared p{0, 0, nullptr};
    if (st->n_rows > 0) p = prepare(st, true);
    notice_skipped(fn, p.skipped + (model_form ? st->n_missing : 0), model_form);
    const int32 d = st->n_rows > 0 ? st->dims - 1 : 1;
    if (static_cast<Size>(p.n) > MaxAllocSize / sizeof(Datum))
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("%s: too many rows (%lld) for one array", fn,
                               static_cast<long long>(p.n))));
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const Values v = cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        const size_t n = static_cast<size_t>(p.n);
        /* The silhouettes, the output order and the result's tuples (an id, a label and a
           value in a heap tuple, a Datum to it; text and uuid ids copied once more) beside
           the buffered rows and ids. */
        const double result =
            static_cast<double>(p.n) * (8.0 + 8.0 + 8.0 + 64.0) + (k ? k->key_bytes : 0.0);
        cseg_pg::require_fit_memory(
            budget, cseg_pg::row_buffer_bytes(st) + keyed_bytes(k),
            cseg::silhouette_bytes(p.n, d, label_count_bound(st->labels, p.n), 0) + result, fn,
            "the silhouettes");
        auto* s = static_cast<double*>(cseg_pg::alloc_nothrow(sizeof(double) * n));
        cseg::silhouette_samples(cseg::ConstRowMap(st->data, p.n, d), st->labels, s, interrupt);
        auto* order = static_cast<int64*>(cseg_pg::alloc_nothrow(sizeof(int64) * n));
        for (size_t i = 0; i < n; ++i) order[i] = static_cast<int64>(i);
        const int64* ids = p.ids;
        if (k != nullptr)
            std::stable_sort(order, order + n,
                             [ids, k](int64 a, int64 b) { return key_less(k, ids[a], ids[b]); });
        else
            std::stable_sort(order, order + n,
                             [ids](int64 a, int64 b) { return ids[a] < ids[b]; });
        return Values{s, order};
    });
    Oid elemtype;
    TupleDesc desc = cseg_pg::composite_result_desc(fcinfo, &elemtype);
    Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (p.n > 0 ? p.n : 1)));
    for (int64 i = 0; i < p.n; ++i) {
        const int64 r = v.order[i];
        Datum values[3] = {k != nullptr ? k->keys[p.ids[r]] : Int64GetDatum(p.ids[r]),
                           Int32GetDatum(st->labels[r]), Float8GetDatum(v.silhouette[r])};
        bool nulls[3] = {false, false, false};
        elems[i] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    }
    PG_RETURN_ARRAYTYPE_P(cseg_pg::composite_array_build(elems, static_cast<int>(p.n), elemtype));
}

// Buffers one customer labelled by a categorical (k-prototypes) model: its scaled numbers
// followed by its category codes as doubles. NULL model, numbers or categories leave it out.
Datum model_mixed_trans(FunctionCallInfo fcinfo, bool has_options) {
    const char* fn = "silhouette";
    RowBuffer* st = cseg_pg::row_buffer_get(fcinfo, true, fn);
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) PG_RETURN_POINTER(st);
    cseg_pg::ModelCache* c = row_model(fcinfo, st, 1, fn, has_options ? 4 : -1,
                                       cseg::ModelOperation::AssignMixed);
    if (!cseg_pg::model_mixed_point(fcinfo, c, 2, 3, fn)) {
        st->n_missing++;
        PG_RETURN_POINTER(st);
    }
    const int32 label = cseg_pg::model_cache_assign(c, nullptr);
    const int32 p = c->view.dims, q = c->view.cat_dims;
    double* row = cseg_pg::row_buffer_push_row(st, p + q, label, fn);
    std::memcpy(row, c->scratch, sizeof(double) * p);
    for (int32 j = 0; j < q; ++j) row[p + j] = static_cast<double>(c->codes[j]);
    PG_RETURN_POINTER(st);
}

// Final of silhouette(model, numbers, categories [, options]): the silhouette under the
// model's mixed dissimilarity (silhouette_mixed.hpp), gamma and p read from the parameter.
Datum model_mixed_final(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    RowBuffer* st = reinterpret_cast<RowBuffer*>(PG_GETARG_POINTER(0));
    if (st->n_rows == 0 && st->n_missing == 0) PG_RETURN_NULL();
    const char* fn = "silhouette";
    char gamma_hex[17], p_hex[9];
    memcpy(gamma_hex, st->param + kFingerprintChars, 16);
    gamma_hex[16] = '\0';
    memcpy(p_hex, st->param + kFingerprintChars + 16, 8);
    p_hex[8] = '\0';
    const uint64 gamma_bits = strtoull(gamma_hex, nullptr, 16);
    double gamma;
    memcpy(&gamma, &gamma_bits, sizeof gamma);
    const int32 p = static_cast<int32>(strtoul(p_hex, nullptr, 16));
    const char* options = st->param + kFingerprintChars + kMixedChars;
    if (*options == '\0') options = "{}";
    int64 n = 0, skipped = st->n_missing;
    if (st->n_rows > 0) {
        const Prepared prepared = prepare(st, false);
        n = prepared.n;
        skipped += prepared.skipped;
    }
    notice_skipped(fn, skipped, true);
    const int32 d = st->dims;
    PG_RETURN_FLOAT8(cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        if (n == 0) cseg::check_number_of_labels(0, 0);  // every row left out
        const cseg::SilhouetteOptions o = cseg::parse_silhouette_options(options);
        return cseg::silhouette_score_mixed(cseg::ConstRowMap(st->data, n, d), p, gamma,
                                            st->labels, interrupt, o.sample_size, o.seed);
    }));
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(silhouette_trans);
PG_FUNCTION_INFO_V1(davies_bouldin_trans);
PG_FUNCTION_INFO_V1(calinski_harabasz_trans);
PG_FUNCTION_INFO_V1(silhouette_final);
PG_FUNCTION_INFO_V1(davies_bouldin_final);
PG_FUNCTION_INFO_V1(calinski_harabasz_final);
PG_FUNCTION_INFO_V1(silhouette_model_trans);
PG_FUNCTION_INFO_V1(silhouette_model_final);
PG_FUNCTION_INFO_V1(silhouette_values_trans);
PG_FUNCTION_INFO_V1(silhouette_values_model_trans);
PG_FUNCTION_INFO_V1(silhouette_values_final);
PG_FUNCTION_INFO_V1(silhouette_values_model_final);
PG_FUNCTION_INFO_V1(silhouette_values_keyed_trans);
PG_FUNCTION_INFO_V1(silhouette_values_model_keyed_trans);
PG_FUNCTION_INFO_V1(silhouette_values_keyed_final);
PG_FUNCTION_INFO_V1(silhouette_values_model_keyed_final);
PG_FUNCTION_INFO_V1(silhouette_model_mixed_trans);
PG_FUNCTION_INFO_V1(silhouette_model_mixed_final);

// silhouette(features, label [, options]) transition.
Datum silhouette_trans(PG_FUNCTION_ARGS) {
    return plain_trans(fcinfo, "silhouette", PG_NARGS() > 3);
}

// davies_bouldin(features, label) transition.
Datum davies_bouldin_trans(PG_FUNCTION_ARGS) {
    return plain_trans(fcinfo, "davies_bouldin", false);
}

// calinski_harabasz(features, label) transition.
Datum calinski_harabasz_trans(PG_FUNCTION_ARGS) {
    return plain_trans(fcinfo, "calinski_harabasz", false);
}

// silhouette(features, label [, options]) final: sklearn's silhouette_score.
Datum silhouette_final(PG_FUNCTION_ARGS) { return score_final(fcinfo, Metric::Silhouette, false); }

// davies_bouldin final: sklearn's davies_bouldin_score.
Datum davies_bouldin_final(PG_FUNCTION_ARGS) {
    return score_final(fcinfo, Metric::DaviesBouldin, false);
}

// calinski_harabasz final: sklearn's calinski_harabasz_score.
Datum calinski_harabasz_final(PG_FUNCTION_ARGS) {
    return score_final(fcinfo, Metric::CalinskiHarabasz, false);
}

// silhouette(model, features [, options]) transition.
Datum silhouette_model_trans(PG_FUNCTION_ARGS) {
    return model_trans(fcinfo, "silhouette", PG_NARGS() > 3);
}

// silhouette(model, features [, options]) final: the silhouette in the model's scaled space.
Datum silhouette_model_final(PG_FUNCTION_ARGS) {
    return score_final(fcinfo, Metric::Silhouette, true);
}

// silhouette_values(id bigint, features, label) transition.
Datum silhouette_values_trans(PG_FUNCTION_ARGS) { return values_trans(fcinfo, false); }

// silhouette_values(model, id bigint, features) transition.
Datum silhouette_values_model_trans(PG_FUNCTION_ARGS) { return values_model_trans(fcinfo, false); }

// silhouette_values(id bigint, features, label) final: sklearn's silhouette_samples with ids.
Datum silhouette_values_final(PG_FUNCTION_ARGS) { return values_final(fcinfo, false, false); }

// silhouette_values(model, id bigint, features) final.
Datum silhouette_values_model_final(PG_FUNCTION_ARGS) { return values_final(fcinfo, true, false); }

// silhouette_values(id text|uuid, features, label) transition.
Datum silhouette_values_keyed_trans(PG_FUNCTION_ARGS) { return values_trans(fcinfo, true); }

// silhouette_values(model, id text|uuid, features) transition.
Datum silhouette_values_model_keyed_trans(PG_FUNCTION_ARGS) {
    return values_model_trans(fcinfo, true);
}

// silhouette_values(id text|uuid, features, label) final.
Datum silhouette_values_keyed_final(PG_FUNCTION_ARGS) { return values_final(fcinfo, false, true); }

// silhouette_values(model, id text|uuid, features) final.
Datum silhouette_values_model_keyed_final(PG_FUNCTION_ARGS) {
    return values_final(fcinfo, true, true);
}

// silhouette(model, numbers, categorical, options) transition (categorical kinds).
Datum silhouette_model_mixed_trans(PG_FUNCTION_ARGS) {
    return model_mixed_trans(fcinfo, PG_NARGS() > 4);
}

// silhouette(model, numbers, categorical, options) final: the mixed-dissimilarity silhouette.
Datum silhouette_model_mixed_final(PG_FUNCTION_ARGS) { return model_mixed_final(fcinfo); }

}  // extern "C"

// The model-form transition for other aggregates over (model, features) (model_rows.hpp).
Datum cseg_pg::model_rows_trans(FunctionCallInfo fcinfo, const char* fn) {
    return model_trans(fcinfo, fn, false);
}
