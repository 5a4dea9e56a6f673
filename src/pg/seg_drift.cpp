// seg_drift(segmodel, features float8[]) aggregate -> jsonb: segment shares now vs at training,
// population stability index, mean distance to the centroid now vs at training, per feature
// the PSI against the training deciles and the means, and an overall verdict.
// The state is small and parallel-safe: per segment a row count and a distance sum, per
// feature a count per training decile bin, a sum of the values and a count of the imputed
// ones (models with deciles), plus a copy of the model (every row must use the same one) for
// the final report. The sums carry their rounding errors (cseg::compensated_add), so a
// parallel or partitionwise plan, adding the rows in another order, reports the same digits.
// A row's features count as the training counted them: a row the model skips (a missing
// value, no imputation) not at all, as it was left out of the training deciles and means;
// with imputation, a missing value adds its fill in original units to the mean (as in the
// training mean) and to no decile bin (the deciles are of finite values).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "distance.hpp"
#include "feature_pipeline.hpp"
#include "float8_array.hpp"
#include "model_codec.hpp"
#include "drift.hpp"
#include "guard.hpp"
#include "metrics.hpp"
#include "model_point.hpp"
#include "small_agg_state.hpp"

namespace {

constexpr uint8 kDriftStateVersion = 4;
constexpr const char* kFn = "seg_drift";

// Aggregate state, in the aggregate context. Plain data only.
struct DriftState {
    int32 k;
    int32 dims;              // features counted per decile bin; 0 for a model without deciles
    int32 model_len;         // bytes of the encoded model (the datum's payload)
    int64 unlabelled;        // rows with a missing feature the model does not impute
    int64* rows;             // k
    double* distance;        // k sums of Euclidean distances (scaled space)
    double* distance_carry;  // k rounding errors of those sums
    int64* bins;             // dims * 10 finite values per training decile bin
    double* sums;            // dims sums of the values, imputed ones mapped back (orig. units)
    double* sums_carry;      // dims rounding errors of those sums
    int64* filled;           // dims missing values imputed
    uint64* model;           // the encoded model, 8-byte aligned, model_len bytes
    /* The call site's cache and its generation when its model was last found equal to
       `model` (NULL in a deserialized state): rows while it holds that model need no
       comparison of the whole encoding. */
    const cseg_pg::ModelCache* verified;
    uint64 verified_generation;
};

// The aggregate context, or an error when called outside an aggregate.
MemoryContext agg_context(FunctionCallInfo fcinfo) { return cseg_pg::small_agg_context(fcinfo, kFn); }

// A zeroed state for k clusters (and dims features) holding a copy of the model's len bytes.
DriftState* new_state(MemoryContext cxt, int32 k, int32 dims, const void* model, int32 len) {
    auto* st = static_cast<DriftState*>(MemoryContextAllocZero(cxt, sizeof(DriftState)));
    st->k = k;
    st->dims = dims;
    st->model_len = len;
    st->rows = static_cast<int64*>(MemoryContextAllocZero(cxt, sizeof(int64) * k));
    st->distance = static_cast<double*>(MemoryContextAllocZero(cxt, sizeof(double) * k));
    st->distance_carry = static_cast<double*>(MemoryContextAllocZero(cxt, sizeof(double) * k));
    st->bins = static_cast<int64*>(
        MemoryContextAllocZero(cxt, sizeof(int64) * cseg::kDecileBins * dims + 1));
    st->sums = static_cast<double*>(MemoryContextAllocZero(cxt, sizeof(double) * dims + 1));
    st->sums_carry =
        static_cast<double*>(MemoryContextAllocZero(cxt, sizeof(double) * dims + 1));
    st->filled = static_cast<int64*>(MemoryContextAllocZero(cxt, sizeof(int64) * dims + 1));
    st->model = static_cast<uint64*>(MemoryContextAlloc(cxt, (len + 7) / 8 * 8 + 8));
    memcpy(st->model, model, len);
    return st;
}

// True when the state was built for exactly these model bytes.
bool same_model(const DriftState* st, const void* model, int32 len) {
    return st->model_len == len && memcmp(st->model, model, len) == 0;
}

// The error for rows (or partial states) that use different models.
[[noreturn]] void different_models() {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: every row must use the same model", kFn),
                    errhint("Compare one model at a time, e.g. GROUP BY the model's name.")));
    pg_unreachable();
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_drift_trans);
PG_FUNCTION_INFO_V1(seg_drift_combine);
PG_FUNCTION_INFO_V1(seg_drift_serialize);
PG_FUNCTION_INFO_V1(seg_drift_deserialize);
PG_FUNCTION_INFO_V1(seg_drift_final);

// Transition: labels one row (by its numbers, or for a categorical kind by its numbers and
// categories) with the model's kind and adds it to its segment's count and the kind's
// distance sum. Rows with a NULL model or a NULL array are ignored; rows with missing
// elements count as unlabelled.
Datum seg_drift_trans(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo);
    DriftState* st =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<DriftState*>(PG_GETARG_POINTER(0));
    const bool mixed = PG_NARGS() > 3;  // seg_drift(model, numeric, categorical)
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || (mixed && PG_ARGISNULL(3))) {
        if (st == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(st);
    }
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 1);
    const cseg::ModelView& m = c->view;
    /* The decoded encoding is what the state keeps and compares. */
    const int32 len = static_cast<int32>(c->aligned_len);
    if (st == nullptr)
        st = new_state(cxt, m.k, m.deciles != nullptr ? m.dims : 0, c->aligned, len);
    else if ((c != st->verified || c->generation != st->verified_generation) &&
             !same_model(st, c->aligned, len))
        different_models();
    st->verified = c;
    st->verified_generation = c->generation;
    /* Reading the point checks the array's length. */
    const bool read = mixed ? cseg_pg::model_mixed_point(fcinfo, c, 2, 3, kFn)
                            : cseg_pg::model_point(fcinfo, c, 2, kFn);
    double distance = 0.0;
    /* Noise, for kinds that have it, has no segment to compare. */
    const int32 label = read ? cseg_pg::model_cache_assign(c, &distance) : -1;
    if (label < 0) {
        st->unlabelled++;
    } else {
        st->rows[label]++;
        cseg::compensated_add(st->distance[label], st->distance_carry[label], distance);
        if (!std::isfinite(st->distance[label]))
            ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                            errmsg("%s: the distances of the rows to their centroids add up "
                                   "beyond the double precision range",
                                   kFn),
                            errhint("The features hold values near 1e308; rescale them.")));
    }
    if (st->dims > 0 && read) {
        /* The values in original units, each into its training decile bin; a row the model
           skips does not count (the training left such rows out), a missing value of a row
           the model imputes counts its fill mapped back in the mean, as at training. */
        double* raw = c->scratch + m.dims;
        cseg_pg::float8_array_read(PG_GETARG_ARRAYTYPE_P(2), raw, m.dims);
        for (int32 j = 0; j < m.dims; ++j) {
            if (!std::isfinite(raw[j])) {
                if (m.impute == nullptr) continue;
                st->filled[j]++;
                cseg::compensated_add(
                    st->sums[j], st->sums_carry[j],
                    m.transform == nullptr
                        ? m.impute[j]
                        : cseg::inverse_transform(cseg::FeatureTransform(m.transform[j]),
                                                  m.lambdas[j], m.impute[j]));
            } else {
                const int32 b =
                    cseg::decile_bin(m.deciles + size_t(j) * cseg::kDecileCuts, raw[j]);
                st->bins[size_t(j) * cseg::kDecileBins + b]++;
                cseg::compensated_add(st->sums[j], st->sums_carry[j], raw[j]);
            }
            if (!std::isfinite(st->sums[j]))
                ereport(ERROR,
                        (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                         errmsg("%s: the values of feature %d add up beyond the double "
                                "precision range",
                                kFn, j + 1),
                         errhint("The features hold values near 1e308; rescale them.")));
        }
    }
    PG_RETURN_POINTER(st);
}

// Combine: adds the second partial state into the first (copied into the aggregate context).
Datum seg_drift_combine(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo);
    DriftState* a = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<DriftState*>(PG_GETARG_POINTER(0));
    DriftState* b = PG_ARGISNULL(1) ? nullptr : reinterpret_cast<DriftState*>(PG_GETARG_POINTER(1));
    if (b == nullptr) {
        if (a == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(a);
    }
    if (a == nullptr) {
        a = new_state(cxt, b->k, b->dims, b->model, b->model_len);
    } else if (!same_model(a, b->model, b->model_len)) {
        different_models();
    }
    a->unlabelled += b->unlabelled;
    for (int32 c = 0; c < a->k; ++c) {
        a->rows[c] += b->rows[c];
        cseg::compensated_add(a->distance[c], a->distance_carry[c], b->distance[c]);
        a->distance_carry[c] += b->distance_carry[c];
    }
    for (int32 i = 0; i < cseg::kDecileBins * a->dims; ++i) a->bins[i] += b->bins[i];
    for (int32 j = 0; j < a->dims; ++j) {
        a->filled[j] += b->filled[j];
        cseg::compensated_add(a->sums[j], a->sums_carry[j], b->sums[j]);
        a->sums_carry[j] += b->sums_carry[j];
        if (!std::isfinite(a->sums[j]))
            ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                            errmsg("%s: the values of feature %d add up beyond the double "
                                   "precision range",
                                   kFn, j + 1)));
    }
    PG_RETURN_POINTER(a);
}

// Serialize: version byte, k, dims, model length, unlabelled, rows[k], distance[k],
// distance_carry[k], bins[dims * 10], sums[dims], sums_carry[dims], filled[dims], model bytes.
Datum seg_drift_serialize(PG_FUNCTION_ARGS) {
    agg_context(fcinfo);
    const auto* st = reinterpret_cast<const DriftState*>(PG_GETARG_POINTER(0));
    StringInfoData buf;
    pq_begintypsend(&buf);
    pq_sendbyte(&buf, kDriftStateVersion);
    pq_sendint32(&buf, st->k);
    pq_sendint32(&buf, st->dims);
    pq_sendint32(&buf, st->model_len);
    pq_sendint64(&buf, st->unlabelled);
    /* Native byte order: the state only travels between processes of one server. */
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->rows), sizeof(int64) * st->k);
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->distance), sizeof(double) * st->k);
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->distance_carry),
                 sizeof(double) * st->k);
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->bins),
                 sizeof(int64) * cseg::kDecileBins * st->dims);
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->sums), sizeof(double) * st->dims);
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->sums_carry),
                 sizeof(double) * st->dims);
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->filled), sizeof(int64) * st->dims);
    pq_sendbytes(&buf, reinterpret_cast<const char*>(st->model), st->model_len);
    PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

// Deserialize: checks the version and every length before rebuilding the state.
Datum seg_drift_deserialize(PG_FUNCTION_ARGS) {
    MemoryContext cxt = agg_context(fcinfo);
    const bytea* bytes = PG_GETARG_BYTEA_PP(0);
    StringInfoData buf;
    cseg_pg::small_state_reader(bytes, kDriftStateVersion, kFn, &buf);
    const int32 k = pq_getmsgint(&buf, 4);
    const int32 dims = pq_getmsgint(&buf, 4);
    const int32 model_len = pq_getmsgint(&buf, 4);
    const int64 unlabelled = pq_getmsgint64(&buf);
    const int64 rest = buf.len - buf.cursor;
    if (k < 1 || dims < 0 || model_len < 1 || unlabelled < 0 ||
        rest != static_cast<int64>(k) * 24 + static_cast<int64>(dims) * 104 + model_len)
        cseg_pg::small_state_corrupt(kFn);
    const char* rows = pq_getmsgbytes(&buf, sizeof(int64) * k);
    const char* distance = pq_getmsgbytes(&buf, sizeof(double) * k);
    const char* distance_carry = pq_getmsgbytes(&buf, sizeof(double) * k);
    const char* bins = pq_getmsgbytes(&buf, sizeof(int64) * cseg::kDecileBins * dims);
    const char* sums = pq_getmsgbytes(&buf, sizeof(double) * dims);
    const char* sums_carry = pq_getmsgbytes(&buf, sizeof(double) * dims);
    const char* filled = pq_getmsgbytes(&buf, sizeof(int64) * dims);
    DriftState* st = new_state(cxt, k, dims, pq_getmsgbytes(&buf, model_len), model_len);
    memcpy(st->rows, rows, sizeof(int64) * k);
    memcpy(st->distance, distance, sizeof(double) * k);
    memcpy(st->distance_carry, distance_carry, sizeof(double) * k);
    memcpy(st->bins, bins, sizeof(int64) * cseg::kDecileBins * dims);
    memcpy(st->sums, sums, sizeof(double) * dims);
    memcpy(st->sums_carry, sums_carry, sizeof(double) * dims);
    memcpy(st->filled, filled, sizeof(int64) * dims);
    st->unlabelled = unlabelled;
    pq_getmsgend(&buf);
    PG_RETURN_POINTER(st);
}

// Final: the report as jsonb (NULL when no row had a model and features).
Datum seg_drift_final(PG_FUNCTION_ARGS) {
    agg_context(fcinfo);
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const auto* st = reinterpret_cast<const DriftState*>(PG_GETARG_POINTER(0));
    char* json = cseg_pg::guarded([&] {
        const cseg::ModelView m =
            cseg::model_view(reinterpret_cast<const uint8_t*>(st->model), st->model_len);
        if (m.k != st->k || (st->dims != 0 && (st->dims != m.dims || m.deciles == nullptr)))
            throw cseg::Error(cseg::ErrorKind::Internal, "seg_drift: state and model disagree");
        /* Each sum with its carry. */
        std::vector<double> distance(st->k), sums(st->dims);
        for (int32 c = 0; c < st->k; ++c) distance[c] = st->distance[c] + st->distance_carry[c];
        for (int32 j = 0; j < st->dims; ++j) sums[j] = st->sums[j] + st->sums_carry[j];
        cseg::DriftInput in;
        in.k = st->k;
        in.rows_now = st->rows;
        in.distance_sum_now = distance.data();
        in.unlabelled = st->unlabelled;
        in.sizes_training = m.sizes;
        in.mean_distance_training = m.mean_distance;
        cseg::FeatureDriftInput features;
        cseg::Model model;  // the training means and names (decoded once per report)
        if (st->dims > 0) {
            model = cseg::model_decode(reinterpret_cast<const uint8_t*>(st->model),
                                       st->model_len, cseg::ErrorKind::Internal);
            features.dims = st->dims;
            features.decile_shares = m.decile_shares;
            features.mean_training = model.feature_mean.data();
            features.bins_now = st->bins;
            features.sum_now = sums.data();
            features.filled_now = st->filled;
            features.names = model.feature_names;
            in.features = &features;
        }
        const std::string s = cseg::drift_to_json(cseg::drift_report(in));
        char* out = static_cast<char*>(cseg_pg::alloc_nothrow(s.size() + 1));
        memcpy(out, s.c_str(), s.size() + 1);
        return out;
    });
    PG_RETURN_DATUM(cseg_pg::small_state_jsonb(json));
}

}  // extern "C"
