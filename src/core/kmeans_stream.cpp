// The stream engine's passes and models (see kmeans_stream.hpp).
#include "kmeans_stream.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "cluster_order.hpp"
#include "feature_stats.hpp"
#include "kmeans.hpp"
#include "kmeans_parallel.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "rng.hpp"

namespace cseg {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// a * b + c in bytes, saturating at INT64_MAX.
int64_t sat_bytes(int64_t a, int64_t b, int64_t c) {
    if (a < 0 || b < 0 || c < 0) return kMax;
    if (b != 0 && a > (kMax - c) / b) return kMax;
    return a * b + c;
}

// The bits a value hashes and orders by: -0 as +0, every NaN as one quiet NaN.
uint64_t canonical_bits(double v) {
    if (v == 0.0) v = 0.0;
    if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
    uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

// True when slot a's key sorts before slot b's: hash, then the values' canonical bits.
bool key_less(const StreamSeedView& s, int64_t a, int64_t b) {
    if (s.keys[a] != s.keys[b]) return s.keys[a] < s.keys[b];
    const double* ra = s.rows + a * s.dims;
    const double* rb = s.rows + b * s.dims;
    for (int32_t j = 0; j < s.dims; ++j) {
        const uint64_t ua = canonical_bits(ra[j]), ub = canonical_bits(rb[j]);
        if (ua != ub) return ua < ub;
    }
    return false;
}

// Key of a candidate row against slot b: true when (hash, x) sorts before slot b.
bool candidate_less(const StreamSeedView& s, uint64_t hash, const double* x, int64_t b) {
    if (hash != s.keys[b]) return hash < s.keys[b];
    const double* rb = s.rows + b * s.dims;
    for (int32_t j = 0; j < s.dims; ++j) {
        const uint64_t ua = canonical_bits(x[j]), ub = canonical_bits(rb[j]);
        if (ua != ub) return ua < ub;
    }
    return false;
}

// Restores the max-heap property from heap position i downwards (n entries).
void sift_down(const StreamSeedView& s, int64_t i, int64_t n) {
    for (;;) {
        const int64_t l = 2 * i + 1, r = l + 1;
        int64_t top = i;
        if (l < n && key_less(s, s.heap[top], s.heap[l])) top = l;
        if (r < n && key_less(s, s.heap[top], s.heap[r])) top = r;
        if (top == i) return;
        std::swap(s.heap[i], s.heap[top]);
        i = top;
    }
}

// Restores the max-heap property from heap position i upwards.
void sift_up(const StreamSeedView& s, int64_t i) {
    while (i > 0) {
        const int64_t parent = (i - 1) / 2;
        if (!key_less(s, s.heap[parent], s.heap[i])) return;
        std::swap(s.heap[i], s.heap[parent]);
        i = parent;
    }
}

// Keeps row x with hash `hash` in the sample if its key is among the capacity smallest.
void sample_offer(const StreamSeedView& s, uint64_t hash, const double* x) {
    const int32_t d = s.dims;
    int64_t& n = *s.sampled;
    if (n < s.capacity) {
        const int64_t slot = n;
        s.keys[slot] = hash;
        std::memcpy(s.rows + slot * d, x, sizeof(double) * size_t(d));
        s.heap[n] = slot;
        ++n;
        sift_up(s, n - 1);
        return;
    }
    const int64_t top = s.heap[0];
    if (!candidate_less(s, hash, x, top)) return;
    s.keys[top] = hash;
    std::memcpy(s.rows + top * d, x, sizeof(double) * size_t(d));
    sift_down(s, 0, n);
}

// Adds a finite value to one feature's running count, mean and m2 (Welford 1962).
void moment_add(const StreamSeedView& s, int32_t j, double v) {
    s.count[j] += 1.0;
    const double delta = v - s.mean[j];
    s.mean[j] += delta / s.count[j];
    s.m2[j] += delta * (v - s.mean[j]);
    s.min[j] = std::min(s.min[j], v);
    s.max[j] = std::max(s.max[j], v);
}

// The scaler of `method` from the moments (constant features scale 1, as scikit-learn).
Scaler scaler_from_moments(const StreamSeedView& s, ScaleMethod method) {
    const int32_t d = s.dims;
    Scaler sc;
    sc.method = method;
    sc.center.assign(size_t(d), 0.0);
    sc.scale.assign(size_t(d), 1.0);
    for (int32_t j = 0; j < d; ++j) {
        switch (method) {
            case ScaleMethod::Standard: {
                sc.center[size_t(j)] = s.mean[j];
                const double sd = s.count[j] > 0 ? std::sqrt(s.m2[j] / s.count[j]) : 0.0;
                sc.scale[size_t(j)] = (sd > 0 && std::isfinite(sd)) ? sd : 1.0;
                break;
            }
            case ScaleMethod::MinMax: {
                sc.center[size_t(j)] = s.min[j];
                const double range = s.max[j] - s.min[j];
                sc.scale[size_t(j)] = (range > 0 && std::isfinite(range)) ? range : 1.0;
                break;
            }
            case ScaleMethod::None:
                break;
            case ScaleMethod::Robust:
                throw Error(ErrorKind::InvalidParameter,
                            "kmeans_stream_fit: scale \"robust\" needs engine \"memory\"",
                            "The robust scaler needs the median and quartiles of every "
                            "row; the stream engine holds only per-feature moments.",
                            "Use scale \"standard\", \"minmax\" or \"none\", or the memory "
                            "engine (kmeans_fit; seg_train with engine \"memory\").");
        }
    }
    return sc;
}

// kmeans_fit's error for a feature whose mean or standard deviation overflows (values near
// the largest double): the moments of every row, merged from any number of shards.
void check_moments(const StreamSeedView& s, const std::vector<std::string>& names) {
    for (int32_t j = 0; j < s.dims; ++j) {
        if (s.count[j] == 0) continue;
        if (!std::isfinite(s.mean[j]) || !std::isfinite(std::sqrt(s.m2[j] / s.count[j])))
            throw Error(ErrorKind::DataException,
                        feature_in_message(names, j) +
                            " has values too large to summarise (its mean or standard "
                            "deviation overflows)");
    }
}

// kmeans_fit's range check on scaled values (check_scaled_range), for every row at once:
// a feature's smallest and largest values scaled must lie within +-kMaxScaledValue, or the
// squared distances of the passes could overflow.
void check_scaled_extremes(const StreamSeedView& s, const Scaler& sc,
                           const std::vector<std::string>& names) {
    for (int32_t j = 0; j < s.dims; ++j) {
        if (s.count[j] == 0) continue;
        const double lo = (s.min[j] - sc.center[size_t(j)]) / sc.scale[size_t(j)];
        const double hi = (s.max[j] - sc.center[size_t(j)]) / sc.scale[size_t(j)];
        if (!(std::fabs(lo) <= kMaxScaledValue) || !(std::fabs(hi) <= kMaxScaledValue))
            throw_scaled_too_large(feature_in_message(names, j));
    }
}

// Errors unless the pass sums were made for a model of m's shape.
void check_pass_shape(const Model& m, const LloydSumsView& pass) {
    if (pass.k != m.k || pass.dims != m.dims)
        throw Error(ErrorKind::InvalidParameter,
                    "the pass sums are for k = " + std::to_string(pass.k) + ", " +
                        std::to_string(pass.dims) + " features, the model has k = " +
                        std::to_string(m.k) + ", " + std::to_string(m.dims));
}

}  // namespace

// --- seeding ---------------------------------------------------------------------------------

int64_t stream_seed_bytes(int32_t dims, int64_t capacity) {
    const int64_t per_feature = sat_bytes(6, sizeof(double), 0);
    const int64_t per_row = sat_bytes(dims, sizeof(double), sizeof(uint64_t) + sizeof(int64_t));
    return sat_bytes(capacity, per_row, sat_bytes(dims, per_feature, 0));
}

void stream_seed_reset(const StreamSeedView& s) noexcept {
    *s.n_rows = 0;
    *s.n_skipped = 0;
    *s.sampled = 0;
    for (int32_t j = 0; j < s.dims; ++j) {
        s.count[j] = s.mean[j] = s.m2[j] = s.missing[j] = 0.0;
        s.min[j] = std::numeric_limits<double>::infinity();
        s.max[j] = -std::numeric_limits<double>::infinity();
    }
}

uint64_t stream_row_hash(const double* x, int32_t dims, uint64_t seed) noexcept {
    uint64_t state = seed ^ 0x243F6A8885A308D3ULL;  // pi bits: a stream of its own
    uint64_t h = splitmix64_next(state);
    for (int32_t j = 0; j < dims; ++j) {
        uint64_t mix = h ^ canonical_bits(x[j]);
        h = splitmix64_next(mix);
    }
    return h;
}

void stream_seed_add(const StreamSeedView& s, const double* x) noexcept {
    for (int32_t j = 0; j < s.dims; ++j)
        if (std::isfinite(x[j])) moment_add(s, j, x[j]);
    ++*s.n_rows;
    sample_offer(s, stream_row_hash(x, s.dims, s.seed), x);
}

void stream_seed_skip(const StreamSeedView& s, const double* x) noexcept {
    ++*s.n_skipped;
    for (int32_t j = 0; j < s.dims; ++j) s.missing[j] += !std::isfinite(x[j]);
}

void stream_seed_merge(const StreamSeedView& a, const StreamSeedView& b) noexcept {
    for (int32_t j = 0; j < a.dims; ++j) {
        a.missing[j] += b.missing[j];
        const double na = a.count[j], nb = b.count[j];
        if (nb == 0) continue;
        const double n = na + nb;
        const double delta = b.mean[j] - a.mean[j];
        a.mean[j] += delta * (nb / n);
        a.m2[j] += b.m2[j] + delta * delta * (na * nb / n);
        a.count[j] = n;
        a.min[j] = std::min(a.min[j], b.min[j]);
        a.max[j] = std::max(a.max[j], b.max[j]);
    }
    *a.n_rows += *b.n_rows;
    *a.n_skipped += *b.n_skipped;
    for (int64_t i = 0; i < *b.sampled; ++i) {
        const int64_t slot = b.heap[i];
        sample_offer(a, b.keys[slot], b.rows + slot * b.dims);
    }
}

// --- passes ----------------------------------------------------------------------------------

int64_t lloyd_sums_bytes(int32_t k, int32_t dims) {
    return sat_bytes(k, sat_bytes(dims, sizeof(double), sizeof(int64_t) + sizeof(double)), 0);
}

void lloyd_sums_reset(const LloydSumsView& s) noexcept {
    *s.n_rows = 0;
    *s.n_skipped = 0;
    *s.inertia = 0.0;
    std::fill_n(s.sums, size_t(s.k) * size_t(s.dims), 0.0);
    std::fill_n(s.counts, size_t(s.k), int64_t{0});
    std::fill_n(s.dist_sum, size_t(s.k), 0.0);
}

void lloyd_sums_add(const LloydSumsView& s, const double* x, int32_t c, double sq) noexcept {
    double* sum = s.sums + int64_t{c} * s.dims;
    for (int32_t j = 0; j < s.dims; ++j) sum[j] += x[j];
    ++s.counts[c];
    s.dist_sum[c] += std::sqrt(sq);
    *s.inertia += sq;
    ++*s.n_rows;
}

void lloyd_sums_merge(const LloydSumsView& a, const LloydSumsView& b) noexcept {
    const int64_t kd = int64_t{a.k} * a.dims;
    for (int64_t i = 0; i < kd; ++i) a.sums[i] += b.sums[i];
    for (int32_t c = 0; c < a.k; ++c) {
        a.counts[c] += b.counts[c];
        a.dist_sum[c] += b.dist_sum[c];
    }
    *a.inertia += *b.inertia;
    *a.n_rows += *b.n_rows;
    *a.n_skipped += *b.n_skipped;
}

// --- models ----------------------------------------------------------------------------------

Model stream_start(const StreamSeedView& s, int32_t k, const KMeansOptions& opts,
                   const Interrupt& interrupt, int32_t threads) {
    const int32_t d = s.dims;
    validate_kmeans_options(opts, ErrorKind::InvalidParameter, "kmeans_stream_fit: ");
    if (!opts.transform.empty() || opts.has_clip || opts.impute != ImputeMethod::Mean)
        throw Error(ErrorKind::InvalidParameter,
                    "kmeans_stream_fit: engine \"stream\" does not apply the feature pipeline: options "
                    "\"transform\", \"clip\" and \"impute\" (other than \"mean\") need engine "
                    "\"memory\"");
    if (k < 1)
        throw Error(ErrorKind::InvalidParameter,
                    "k must be at least 1 (got k = " + std::to_string(k) + ")");
    if (opts.has_feature_names && opts.feature_names.size() != size_t(d))
        throw Error(ErrorKind::InvalidParameter,
                    "kmeans_stream_fit: option \"feature_names\" has " +
                        std::to_string(opts.feature_names.size()) +
                        " names but the feature arrays have " + std::to_string(d) + " elements");
    if (*s.n_rows < k)
        throw too_few_usable_rows(
            "the stream engine", *s.n_rows, k, *s.n_skipped, kMissingElement,
            *s.n_rows == 0 && *s.n_skipped > 0
                ? missing_by_feature_text(std::vector<int64_t>(s.missing, s.missing + d), d,
                                          opts.feature_names, {})
                : std::string());
    require_sample_holds_k(s.capacity, k, "kmeans_stream_fit");
    Model m;
    m.k = k;
    m.dims = d;
    m.options = opts;
    m.options.sample = 0;
    if (opts.has_feature_names) m.feature_names = opts.feature_names;
    check_moments(s, m.feature_names);
    m.scaler = scaler_from_moments(s, opts.scale);
    check_scaled_extremes(s, m.scaler, m.feature_names);
    m.feature_mean.assign(s.mean, s.mean + d);
    m.feature_std.resize(size_t(d));
    for (int32_t j = 0; j < d; ++j)
        m.feature_std[size_t(j)] = s.count[j] > 0 ? std::sqrt(s.m2[j] / s.count[j]) : 0.0;
    if (opts.missing == MissingPolicy::Impute) {
        m.impute.assign(s.mean, s.mean + d);
        for (int32_t j = 0; j < d; ++j)
            if (s.count[j] == 0) m.impute[size_t(j)] = 0.0;
    }

    // The sample in key order, imputed and scaled.
    const int64_t n = *s.sampled;
    std::vector<int64_t> slots(s.heap, s.heap + n);
    std::sort(slots.begin(), slots.end(),
              [&](int64_t a, int64_t b) { return key_less(s, a, b); });
    RowMatrix X(n, d);
    for (int64_t i = 0; i < n; ++i) {
        const double* r = s.rows + slots[size_t(i)] * d;
        for (int32_t j = 0; j < d; ++j) {
            const double v = std::isfinite(r[j]) ? r[j] : m.impute.empty() ? 0.0 : m.impute[size_t(j)];
            X(i, j) = v;
        }
        m.scaler.transform(X.row(i).data(), X.row(i).data());
    }
    const KMeansRun run =
        kmeans_run_parallel(ConstRowMap(X.data(), n, d), k, m.options, interrupt, threads);
    m.centroids.assign(run.centers.data(), run.centers.data() + int64_t{k} * d);
    m.sizes.assign(size_t(k), 0);
    for (int32_t label : run.labels) ++m.sizes[size_t(label)];
    m.mean_distance.assign(size_t(k), 0.0);
    m.inertia = run.inertia;
    m.n_iter = 0;
    m.n_rows = n;
    m.n_skipped = 0;
    validate_model(m, ErrorKind::Internal);
    return m;
}

double stream_tolerance(const StreamSeedView& s, const Model& m) {
    if (m.options.tol == 0.0) return 0.0;
    double var_sum = 0.0;
    for (int32_t j = 0; j < s.dims; ++j) {
        const double var = s.count[j] > 0 ? s.m2[j] / s.count[j] : 0.0;
        const double sc = m.scaler.scale[size_t(j)];
        var_sum += var / (sc * sc);
    }
    return m.options.tol * var_sum / s.dims;
}

Model stream_update(const Model& m, const LloydSumsView& pass) {
    check_pass_shape(m, pass);
    Model next = m;
    const int32_t d = m.dims;
    for (int32_t c = 0; c < m.k; ++c) {
        const int64_t cnt = pass.counts[c];
        if (cnt == 0) continue;  // an empty cluster keeps its centre
        for (int32_t j = 0; j < d; ++j)
            next.centroids[size_t(c) * d + j] =
                pass.sums[int64_t{c} * d + j] / static_cast<double>(cnt);
    }
    next.sizes.assign(pass.counts, pass.counts + m.k);
    next.n_rows = *pass.n_rows;
    next.n_skipped = *pass.n_skipped;
    next.inertia = *pass.inertia;
    next.n_iter = m.n_iter + 1;
    for (int32_t c = 0; c < m.k; ++c)
        next.mean_distance[size_t(c)] =
            pass.counts[c] > 0 ? pass.dist_sum[c] / static_cast<double>(pass.counts[c]) : 0.0;
    validate_model(next, ErrorKind::InvalidParameter);
    return next;
}

double stream_centre_shift(const Model& a, const Model& b) {
    if (a.k != b.k || a.dims != b.dims)
        throw Error(ErrorKind::InvalidParameter, "the two models have different shapes");
    double shift = 0.0;
    for (size_t i = 0; i < a.centroids.size(); ++i) {
        const double delta = a.centroids[i] - b.centroids[i];
        shift += delta * delta;
    }
    return shift;
}

Model stream_finish(const Model& m, const LloydSumsView& pass) {
    check_pass_shape(m, pass);
    const int32_t k = m.k, d = m.dims;
    std::vector<int64_t> size(pass.counts, pass.counts + k);
    const std::vector<int32_t> order = cluster_order(size, m.centroids.data(), d);
    Model out = m;
    for (int32_t c = 0; c < k; ++c) {
        const int32_t old = order[size_t(c)];
        std::copy_n(m.centroids.data() + int64_t{old} * d, d, out.centroids.data() + int64_t{c} * d);
        out.sizes[size_t(c)] = size[size_t(old)];
        out.mean_distance[size_t(c)] =
            size[size_t(old)] > 0 ? pass.dist_sum[old] / static_cast<double>(size[size_t(old)])
                                  : 0.0;
    }
    out.inertia = *pass.inertia;
    out.n_rows = *pass.n_rows;
    out.n_skipped = *pass.n_skipped;
    validate_model(out, ErrorKind::InvalidParameter);
    return out;
}

}  // namespace cseg
