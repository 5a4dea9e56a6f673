// The transition shared by the aggregates over (model, features): each row scaled with the
// model and labelled as seg_assign does, buffered in a RowBuffer (src/pg/scores.cpp), so they
// all combine, serialize and deserialize with seg_rows_* and run in parallel plans.
#pragma once

#include "pg.hpp"

namespace cseg_pg {

// Transition of an aggregate(model segmodel, features float8[]) with state in argument 0:
// NULL model or features leave the row out, a row seg_assign maps to NULL is counted in
// n_missing, every row must come with the same model (its fingerprint is the first
// kModelFingerprintChars of the state's param). `fn` names the aggregate in errors.
Datum model_rows_trans(FunctionCallInfo fcinfo, const char* fn);

// Characters of the model fingerprint at the start of such a state's param; a caller may
// keep its own text after them (row_buffer_set_param with the fingerprint first).
constexpr int kModelFingerprintChars = 16;

}  // namespace cseg_pg
