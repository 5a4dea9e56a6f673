// kprototypes_fit(numeric float8[], categorical text[], k int [, options jsonb]) aggregate:
// transition and final. The numbers go to a RowBuffer (as kmeans_fit's), the categories to
// a byte buffer in the layout cseg::encode_categories reads.
#include <cmath>
#include <cstring>
#include <string>

#include "fit_aggregate.hpp"
#include "datum_codec.hpp"
#include "fit_memory_budget.hpp"
#include "fit_report.hpp"
#include "fit_settings.hpp"
#include "guard.hpp"
#include "jsonb_options.hpp"
#include "kprototypes.hpp"
#include "model_json.hpp"
#include "row_buffer.hpp"
#include "text_array.hpp"

namespace {

constexpr const char* kFn = "kprototypes_fit";

// The aggregate state, plain C layout in the aggregate memory context.
struct KPrototypesState {
    cseg_pg::RowBuffer* rows;  // numeric features; k and the options JSON as its param
    int32 cat_dims;            // categorical attributes per row; 0 until the first row
    Size text_len;             // bytes used in text
    Size text_cap;             // bytes allocated
    char* text;                // per row and attribute: int32 length (-1 = NULL), bytes
};

// What the guarded fit hands back across the wall.
struct FitResult {
    struct varlena* model;
    int64 skipped;
    int32 empty;  // clusters left without rows (fewer distinct rows than k)
};

// The running state, or a new empty one in the aggregate context.
KPrototypesState* state_get(FunctionCallInfo fcinfo) {
    MemoryContext cxt;
    if (!AggCheckCallContext(fcinfo, &cxt))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s support function called in a non-aggregate context", kFn)));
    if (!PG_ARGISNULL(0)) return reinterpret_cast<KPrototypesState*>(PG_GETARG_POINTER(0));
    auto* st =
        static_cast<KPrototypesState*>(MemoryContextAllocZero(cxt, sizeof(KPrototypesState)));
    st->rows =
        static_cast<cseg_pg::RowBuffer*>(MemoryContextAllocZero(cxt, sizeof(cseg_pg::RowBuffer)));
    return st;
}

// Checks k and the options once, on the first row, so mistakes fail before any buffering.
void init_params(FunctionCallInfo fcinfo, KPrototypesState* st) {
    const int32 k = cseg_pg::fit_k_arg(fcinfo, 3, kFn);
    const char* options = cseg_pg::jsonb_options_text(fcinfo, 4);
    cseg_pg::guarded([&] { cseg::parse_kprototypes_options(options); });
    st->rows->k = k;
    cseg_pg::row_buffer_set_param(st->rows, options, strlen(options));
}

// Grows the category buffer to hold `need` bytes, within customer_seg.max_memory together with
// the numeric rows.
void reserve_text(KPrototypesState* st, Size need) {
    if (need <= st->text_cap) return;
    Size want = st->text_cap < 8192 ? 8192 : st->text_cap + st->text_cap / 2;
    if (want < need) want = need;
    const double numeric = static_cast<double>(st->rows->capacity) * sizeof(double) *
                           static_cast<double>(st->rows->dims);
    const double budget = cseg_pg::memory_budget_bytes();
    if (static_cast<double>(want) + numeric > budget &&
        static_cast<double>(need) + numeric <= budget)
        want = need;  // grow only as far as needed near the budget
    if (static_cast<double>(want) + numeric > budget || want > MaxAllocHugeSize)
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("%s needs %.0f MB to hold %lld rows of %d numbers and %d categories, more "
                        "than customer_seg.max_memory (%s)",
                        kFn, (static_cast<double>(want) + numeric) / 1048576.0,
                        static_cast<long long>(st->rows->n_rows + 1), st->rows->dims, st->cat_dims,
                        cseg_pg::memory_budget_text()),
                 errhint("Raise customer_seg.max_memory, or fit on a sample of the rows.")));
    MemoryContext cxt = GetMemoryChunkContext(st);
    st->text = static_cast<char*>(st->text == nullptr ? MemoryContextAllocHuge(cxt, want)
                                                      : repalloc_huge(st->text, want));
    st->text_cap = want;
}

// Appends one row's categories after checking their number against the earlier rows.
void append_categories(KPrototypesState* st, ArrayType* a) {
    const int32 q = cseg_pg::text_array_length(a, "kprototypes_fit categorical");
    if (st->cat_dims == 0) {
        st->cat_dims = q;
    } else if (q != st->cat_dims) {
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s: all categorical arrays must have the same length, saw "
                               "lengths %d and %d",
                               kFn, st->cat_dims, q)));
    }
    const char** data = static_cast<const char**>(palloc(sizeof(char*) * q));
    int32* len = static_cast<int32*>(palloc(sizeof(int32) * q));
    cseg_pg::text_array_read(a, q, data, len);
    Size need = 0;
    for (int32 j = 0; j < q; ++j) need += sizeof(int32) + (len[j] > 0 ? Size(len[j]) : 0);
    reserve_text(st, st->text_len + need);
    char* out = st->text + st->text_len;
    for (int32 j = 0; j < q; ++j) {
        memcpy(out, &len[j], sizeof(int32));
        out += sizeof(int32);
        if (len[j] > 0) {
            memcpy(out, data[j], len[j]);
            out += len[j];
        }
    }
    st->text_len += need;
    pfree(data);
    pfree(len);
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(kprototypes_fit_trans);
PG_FUNCTION_INFO_V1(kprototypes_fit_final);

// Transition: buffers one row. A row whose numeric or categorical array is NULL is ignored,
// as a strict aggregate ignores rows with a NULL argument.
Datum kprototypes_fit_trans(PG_FUNCTION_ARGS) {
    KPrototypesState* st = state_get(fcinfo);
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_POINTER(st);
    if (st->rows->param == nullptr) {
        init_params(fcinfo, st);
    } else {  // the result must not depend on which row came first
        cseg_pg::int_param_check_same(fcinfo, 3, st->rows->k, "k", kFn);
        cseg_pg::jsonb_options_check_same(fcinfo, 4, st->rows->param, kFn);
    }
    ArrayType* categorical = PG_GETARG_ARRAYTYPE_P(2);
    /* Check the categories first: a bad row must not leave numbers without categories. */
    cseg_pg::text_array_length(categorical, "kprototypes_fit categorical");
    cseg_pg::row_buffer_append(st->rows, PG_GETARG_ARRAYTYPE_P(1), 0, kFn);
    append_categories(st, categorical);
    PG_RETURN_POINTER(st);
}

// Final: encodes the categories and runs the whole k-prototypes pipeline, which puts the rows
// in canonical order first (the state itself is not modified).
Datum kprototypes_fit_final(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const auto* st = reinterpret_cast<const KPrototypesState*>(PG_GETARG_POINTER(0));
    const cseg_pg::RowBuffer* rows = st->rows;
    if (rows->n_rows == 0) PG_RETURN_NULL();
    const cseg_pg::FitBudget budget = cseg_pg::fit_budget();
    const double held =
        cseg_pg::row_buffer_bytes(rows) + static_cast<double>(st->text_cap);
    const FitResult r = cseg_pg::guarded([&] {
        const cseg::KMeansOptions opts = cseg::parse_kprototypes_options(rows->param);
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        const double text = static_cast<double>(st->text_len);
        cseg_pg::require_fit_memory(
            budget, held, cseg::encode_categories_bytes(rows->n_rows, st->cat_dims, text), kFn,
            "encoding the categories");
        cseg::CategoryCodes cats =
            cseg::encode_categories(reinterpret_cast<const uint8_t*>(st->text), st->text_len,
                                    rows->n_rows, st->cat_dims, interrupt);
        // What the codes and vocabularies keep, then the fit itself.
        int64_t values = 0;
        double vocab = 0.0;
        for (const auto& attribute : cats.categories) {
            values += static_cast<int64_t>(attribute.size());
            for (const std::string& c : attribute)
                vocab += 32.0 + (c.size() > 15 ? 16.0 * std::ceil((c.size() + 17) / 16.0) : 0.0);
        }
        const double codes = 4.0 * static_cast<double>(cats.codes.size()) + vocab;
        cseg_pg::require_fit_memory(
            budget, held + codes,
            cseg::kprototypes_fit_bytes(rows->n_rows, rows->dims, st->cat_dims, values, rows->k,
                                        opts),
            kFn, "the k-prototypes fit");
        const cseg::Model m = cseg::fit_kprototypes_model(
            rows->data, rows->n_rows, rows->dims, std::move(cats), rows->k, opts, interrupt);
        return FitResult{cseg_pg::model_to_varlena(m), m.n_skipped,
                         cseg_pg::empty_clusters(m.sizes)};
    });
    if (r.skipped > 0)
        ereport(NOTICE, (errmsg("%s skipped %lld rows with a NULL or non-finite number or a NULL "
                                "category",
                                kFn, static_cast<long long>(r.skipped))));
    cseg_pg::warn_empty_clusters(kFn, rows->k, r.empty, "rows");
    PG_RETURN_POINTER(r.model);
}

}  // extern "C"
