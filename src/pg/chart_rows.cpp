// The shared transition and state of the chart aggregates over rows (chart_rows.hpp).
#include "chart_rows.hpp"

#include <cstring>

#include "datum_codec.hpp"
#include "fit_report.hpp"
#include "guard.hpp"
#include "json.hpp"
#include "model_rows.hpp"
#include "scoring.hpp"

namespace cseg_pg {

// One comma-separated number.
void chart_param_put(std::string& out, double x) {
    if (out.size() > size_t(kModelFingerprintChars)) out += ',';
    cseg::append_shortest(out, x);
}

// model_rows_trans, then the model facts on the first row.
Datum chart_rows_trans(FunctionCallInfo fcinfo, const char* fn, ChartParamWriter writer) {
    Datum result = model_rows_trans(fcinfo, fn);
    RowBuffer* st = reinterpret_cast<RowBuffer*>(DatumGetPointer(result));
    if (st->param == nullptr || strlen(st->param) != kModelFingerprintChars) return result;
    struct varlena* datum = PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
    const char* fingerprint = st->param;
    char* text = guarded([&] {
        const cseg::Model m = model_from_varlena(datum, cseg::ErrorKind::Internal);
        std::string s(fingerprint, kModelFingerprintChars);
        chart_param_put(s, m.k);
        chart_param_put(s, m.dims);
        if (writer != nullptr) writer(m, s);
        char* out = static_cast<char*>(alloc_nothrow(s.size() + 1));
        std::memcpy(out, s.c_str(), s.size() + 1);
        return out;
    });
    row_buffer_set_param(st, text, strlen(text));
    return result;
}

// Splits the comma-separated numbers after the fingerprint.
ChartParam chart_param(const RowBuffer* st) {
    ChartParam p{0, 0, nullptr, 0};
    if (st->param == nullptr || strlen(st->param) <= size_t(kModelFingerprintChars))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("malformed chart state")));
    const char* s = st->param + kModelFingerprintChars;
    int64 count = 1;
    for (const char* q = s; *q; ++q) count += (*q == ',');
    p.numbers = static_cast<double*>(palloc(sizeof(double) * count));
    for (int64 i = 0; i < count; ++i) {
        char* end = nullptr;
        p.numbers[i] = strtod(s, &end);
        if (end == s)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("malformed chart state")));
        s = (*end == ',') ? end + 1 : end;
    }
    p.count = count;
    if (count < 2)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("malformed chart state")));
    p.k = static_cast<int32>(p.numbers[0]);
    p.dims = static_cast<int32>(p.numbers[1]);
    return p;
}

// Drops incomplete rows, sorts canonically, NOTICE for what was left out.
ChartRows chart_rows_prepare(RowBuffer* st, const char* fn) {
    ChartRows r{0, st->n_missing};
    if (st->n_rows > 0) {
        r = guarded([&] {
            const cseg::Interrupt interrupt(interrupt_pending);
            const cseg::ScoredRows s = cseg::prepare_scored_rows(st->data, st->labels, st->n_rows,
                                                                 st->dims, false, interrupt);
            return ChartRows{s.n, s.skipped + st->n_missing};
        });
    }
    notice_skipped(fn, r.skipped, true);
    return r;
}

}  // namespace cseg_pg
