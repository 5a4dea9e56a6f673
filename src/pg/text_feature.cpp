// seg_text_feature() and seg_numeric_feature(): a feature column of type text or numeric read
// as double precision, as ::float8 reads it, but an unreadable value is an error that names
// the function, the column and the table (seg_feature_columns wraps such columns in them).
// ::float8 alone says only 'invalid input syntax for type double precision: "n/a"' or
// '"1000...0" is out of range for type double precision', naming neither.
#include <cerrno>
#include <cmath>
#include <cstdlib>

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

// value::float8 without numeric_float8's bare error; false for a finite value beyond the range.
bool numeric_to_double(Datum value, double* out) {
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
