// seg_text_feature() and seg_numeric_feature(): a feature column of type text or numeric read
// as double precision, as ::float8 reads it, but an unreadable value is an error that names
// the function, the column and the table (seg_feature_columns wraps such columns in them).
// ::float8 alone says only 'invalid input syntax for type double precision: "n/a"' or
// '"1000...0" is out of range for type double precision', naming neither.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "decimal_double.hpp"
#include "numeric_feature.hpp"

extern "C" {
#include "mb/pg_wchar.h"
#include "utils/float.h"
#include "utils/numeric.h"
}

namespace {

// At most this many bytes of a bad value are quoted in the message.
constexpr int kShownBytes = 40;

}  // namespace

// A finite numeric of at most four base-10000 digits whose decimal exponent lies within
// +-22 (money and count columns: numeric(12,2) up to 9,999,999,999.99, integers up to 2^53), read
// from its stored digits in place: the same double as ::float8, which prints the digits and
// parses them with strtod (cseg::decimal_to_double_fast). False for any other value (NaN and
// +-Infinity included), left to numeric_float8. The stored format is numeric.c's: after the
// varlena header a uint16 header — short form (0x8000 set, 0x4000 clear): sign 0x2000, weight
// in the low 7 bits (0x0040 its sign); long form (0x8000 clear): sign 0x4000, then an int16
// weight; 0xC000 NaN/Infinity — then int16 digits in base 10000, the first at 10000^weight.
// This layout is PostgreSQL's on-disk format (kept across major versions for pg_upgrade).
static bool numeric_to_double_fast(Datum value, double* out) {
    auto* v = reinterpret_cast<varlena*>(pg_detoast_datum_packed(
        reinterpret_cast<varlena*>(DatumGetPointer(value))));
    const auto* p = reinterpret_cast<const unsigned char*>(VARDATA_ANY(v));
    const Size len = VARSIZE_ANY_EXHDR(v);
    if (len < sizeof(uint16)) return false;
    uint16 header;
    memcpy(&header, p, sizeof header);
    bool negative;
    int32 weight;
    Size offset;
    if ((header & 0xC000) == 0xC000) return false;  // NaN, +-Infinity
    if (header & 0x8000) {                           // short form
        negative = (header & 0x2000) != 0;
        weight = (header & 0x0040) ? int32(~0x003F | (header & 0x003F)) : int32(header & 0x003F);
        offset = sizeof(uint16);
    } else {
        if (len < 2 * sizeof(uint16)) return false;
        negative = (header & 0xC000) == 0x4000;
        int16 w;
        memcpy(&w, p + sizeof(uint16), sizeof w);
        weight = w;
        offset = 2 * sizeof(uint16);
    }
    const int32 ndigits = int32((len - offset) / sizeof(int16));
    if (ndigits > 4) return false;
    uint64 n = 0;
    for (int32 i = 0; i < ndigits; ++i) {
        int16 d;
        memcpy(&d, p + offset + size_t(i) * sizeof(int16), sizeof d);
        if (d < 0 || d > 9999) return false;
        n = n * 10000 + uint64(d);
    }
    if (n == 0) {  // numeric has no negative zero: ::float8 gives +0
        *out = 0.0;
        return true;
    }
    if (!cseg::decimal_to_double_fast(n, 4 * (weight - ndigits + 1), out)) return false;
    if (negative) *out = -*out;
    return true;
}

// value::float8 without numeric_float8's bare error; false for a finite value beyond the range.
bool numeric_to_double(Datum value, double* out) {
    if (numeric_to_double_fast(value, out)) return true;
    *out = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, value));
    return !(std::isinf(*out) && !numeric_is_inf(DatumGetNumeric(value)));
}

extern "C" {

PG_FUNCTION_INFO_V1(seg_text_feature);

// (value text, caller text, feature text, source text) -> float8: value::float8, or an error
// (22P02 not a number, 22003 out of double precision's range) naming caller, feature, source.
Datum seg_text_feature(PG_FUNCTION_ARGS) {
    char* value = text_to_cstring(PG_GETARG_TEXT_PP(0));
    bool bad = false;
    const double v = float8in_internal_opt_error(value, nullptr, "double precision", value, &bad);
    if (!bad) PG_RETURN_FLOAT8(v);
    const char* caller = text_to_cstring(PG_GETARG_TEXT_PP(1));
    const char* feature = text_to_cstring(PG_GETARG_TEXT_PP(2));
    const char* source = text_to_cstring(PG_GETARG_TEXT_PP(3));
    /* float8in's reasons: a number beyond the range (strtod's ERANGE), else not a number. */
    errno = 0;
    char* end = nullptr;
    (void)strtod(value, &end);
    const bool out_of_range = errno == ERANGE && end != value;
    const int len = static_cast<int>(strlen(value));
    const int shown = pg_mbcliplen(value, len, kShownBytes);
    const char* more = shown < len ? "..." : "";
    if (out_of_range)
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                        errmsg("%s: feature column \"%s\" of %s holds \"%.*s%s\", out of the range "
                               "of double precision",
                               caller, feature, source, shown, value, more)));
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
             errmsg("%s: feature column \"%s\" of %s holds \"%.*s%s\", not a number", caller,
                    feature, source, shown, value, more),
             errdetail("A text feature column must hold numbers as double precision reads them "
                       "(NULL and 'NaN' are missing values)."),
             errhint("Read the table through a view that turns such texts into NULL, e.g. "
                     "nullif(%s, %s)::float8 AS %s; rows with a NULL feature are left out "
                     "(option \"missing\").",
                     quote_identifier(feature), quote_literal_cstr(pnstrdup(value, shown)),
                     quote_identifier(feature))));
    PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(seg_numeric_feature);

// (value numeric, caller text, feature text, source text) -> float8: value::float8, or 22003
// naming caller, feature and source when a finite value lies beyond double precision's range.
Datum seg_numeric_feature(PG_FUNCTION_ARGS) {
    double v = 0.0;
    if (numeric_to_double(PG_GETARG_DATUM(0), &v)) PG_RETURN_FLOAT8(v);
    ereport(ERROR,
            (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
             errmsg("%s: feature column \"%s\" of %s holds a value out of the range of double "
                    "precision",
                    text_to_cstring(PG_GETARG_TEXT_PP(1)), text_to_cstring(PG_GETARG_TEXT_PP(2)),
                    text_to_cstring(PG_GETARG_TEXT_PP(3))),
             errdetail("Feature columns are read as double precision (at most about 1.8e308 in "
                       "magnitude).")));
    PG_RETURN_NULL();
}

}  // extern "C"
