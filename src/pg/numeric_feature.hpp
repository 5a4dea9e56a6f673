// A numeric feature value read as double precision, shared by the label trigger and
// seg_numeric_feature (the readers of seg_feature_columns).
#pragma once

#include "pg.hpp"

// value::float8 (NaN and +-Infinity kept, a value too small for double precision read as 0);
// false when a finite value lies beyond double precision's range (*out is then infinite).
bool numeric_to_double(Datum value, double* out);
