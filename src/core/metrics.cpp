// Cluster-quality metrics, matching sklearn/metrics/cluster/_unsupervised.py (1.2.1).
//
// The silhouette needs every pairwise distance. Like sklearn's pairwise_distances_chunked it
// computes them blockwise as sqrt(max(||a||^2 + ||b||^2 - 2 a.b, 0)) with a GEMM, but it
// regroups the rows by cluster first, so a tile of the distance matrix reduces into
// per-cluster sums with contiguous row and column sums, and it computes each pair once
// (tile (I, J) with J > I also serves as tile (J, I)). Memory stays bounded: one tile of
// kTile x kTile distances plus a panel of per-row, per-cluster sums within kSumsBudget.
// The rows are first shifted by a central data value per column: on integer data the GEMM is
// then exact (duplicates at distance 0, as with sklearn there), and data far from the origin
// do not lose their distances to cancellation (as they would with sklearn).

// GCC 12 warns falsely (-Wmaybe-uninitialized) inside the AVX-512 intrinsics
// that Eigen inlines under -march=native; silenced for this file until eigen.hpp does it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "metrics.hpp"
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "distance.hpp"
#include "labels.hpp"
#include "rng.hpp"

namespace cseg {

// Sum of n values with Neumaier's compensation (the mean of many silhouettes can be near 0).
double compensated_sum(const double* v, int64_t n) {
    double sum = 0.0, carry = 0.0;
    for (int64_t i = 0; i < n; ++i) compensated_add(sum, carry, v[i]);
    return sum + carry;
}

namespace {

constexpr int64_t kTile = 256;                      // tile edge: 256 x 256 doubles = 512 KiB
constexpr int64_t kSumsBudget = int64_t{32} << 20;  // bytes of per-row, per-cluster sums
// A pair whose GEMM squared distance is below this fraction of its two squared norms is
// measured again directly: there ||a||^2 + ||b||^2 - 2ab has lost most of its digits (two
// equal rows came out ~1e-8 apart); above it the distance keeps ~1e-10 relative or better.
constexpr double kNearPair = 1e-6;
constexpr int64_t kPollRows = 4096;                 // rows between polls in O(n d) passes
constexpr double kAllCloseAtol = 1e-8;              // numpy.allclose(x, 0) tolerance

// Polls the interrupt once every kPollRows rows of a row loop.
void poll_every(int64_t row, const Interrupt& interrupt) {
    if (row % kPollRows == 0) interrupt.poll();
}

// Throws unless X has at least one feature and only finite values (sklearn's check_X_y).
void check_features(ConstRowMap X) {
    if (X.cols() < 1) {
        throw Error(ErrorKind::InvalidParameter, "at least one feature is required");
    }
    if (!X.allFinite()) {
        throw Error(ErrorKind::DataException, "features contain NaN or infinity");
    }
}

// The number of features as the distance kernels take it.
int32_t feature_count(ConstRowMap X) {
    if (X.cols() > INT32_MAX) throw Error(ErrorKind::ProgramLimit, "too many features");
    return static_cast<int32_t>(X.cols());
}

// The preamble of every metric: checked features, dense label codes, sklearn's label check.
LabelCodes checked_codes(ConstRowMap X, const int32_t* labels) {
    check_features(X);
    LabelCodes codes = encode_labels(labels, X.rows());
    check_number_of_labels(codes.n_labels(), X.rows());
    return codes;
}

// Per-cluster means (L x d). Each cluster is summed relative to its first row, which keeps
// the sums small and makes the centroid of identical rows exactly that row.
RowMatrix cluster_means(ConstRowMap X, const LabelCodes& codes, const Interrupt& interrupt) {
    const int32_t L = codes.n_labels();
    std::vector<int64_t> first(static_cast<size_t>(L), -1);
    RowMatrix sums = RowMatrix::Zero(L, X.cols());
    for (int64_t i = 0; i < X.rows(); ++i) {
        poll_every(i, interrupt);
        const int32_t c = codes.codes[static_cast<size_t>(i)];
        if (first[static_cast<size_t>(c)] < 0) first[static_cast<size_t>(c)] = i;
        sums.row(c) += X.row(i) - X.row(first[static_cast<size_t>(c)]);
    }
    RowMatrix means(L, X.cols());
    for (int32_t c = 0; c < L; ++c) {
        means.row(c) = X.row(first[static_cast<size_t>(c)]) +
                       sums.row(c) / static_cast<double>(codes.counts[static_cast<size_t>(c)]);
    }
    return means;
}

// Per column, the data value nearest the column mean: a translation that removes an offset
// far from the origin like centring does, yet keeps the data on their own grid (integers
// stay integers), so the GEMM on such data stays exact, as sklearn's is.
Eigen::RowVectorXd central_values(ConstRowMap X, const Interrupt& interrupt) {
    const Eigen::RowVectorXd mean = X.colwise().sum() / static_cast<double>(X.rows());
    Eigen::RowVectorXd best = X.row(0);
    for (int64_t i = 1; i < X.rows(); ++i) {
        poll_every(i, interrupt);
        const auto closer = (X.row(i) - mean).array().abs() < (best - mean).array().abs();
        best = closer.select(X.row(i), best);
    }
    return best;
}

// The rows regrouped so that each cluster is one contiguous range, and shifted to about the
// column means (central_values): a translation leaves distances unchanged and keeps
// ||a||^2 + ||b||^2 - 2ab from cancelling catastrophically on data far from the origin.
struct GroupedRows {
    RowMatrix X;                  // n x d
    Eigen::VectorXd sq_norms;     // n: squared norms of the rows of X
    std::vector<int32_t> code;    // n: cluster of each grouped row, non-decreasing
    std::vector<int64_t> start;   // L + 1: cluster c is rows [start[c], start[c + 1])
    std::vector<int64_t> source;  // n: original row of each grouped row
};

// Counting-sorts the rows by cluster code and shifts them.
GroupedRows group_rows(ConstRowMap X, const LabelCodes& codes, const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const int32_t L = codes.n_labels();
    GroupedRows g;
    g.start.assign(static_cast<size_t>(L) + 1, 0);
    for (int32_t c = 0; c < L; ++c) {
        g.start[static_cast<size_t>(c) + 1] =
            g.start[static_cast<size_t>(c)] + codes.counts[static_cast<size_t>(c)];
    }
    const Eigen::RowVectorXd shift = central_values(X, interrupt);
    std::vector<int64_t> next(g.start.begin(), g.start.end() - 1);
    g.X.resize(n, X.cols());
    g.code.resize(static_cast<size_t>(n));
    g.source.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        poll_every(i, interrupt);
        const int32_t c = codes.codes[static_cast<size_t>(i)];
        const int64_t j = next[static_cast<size_t>(c)]++;
        g.X.row(j) = X.row(i) - shift;
        g.code[static_cast<size_t>(j)] = c;
        g.source[static_cast<size_t>(j)] = i;
    }
    g.sq_norms = g.X.rowwise().squaredNorm();
    return g;
}

// Per-cluster distance sums for a panel of grouped rows [p0, p1), built tile by tile.
class PanelSums {
  public:
    PanelSums(const GroupedRows& g, const std::vector<int64_t>& counts, int64_t panel_rows,
              int64_t tile)
        : g_(g),
          tile_(tile, tile),
          col_sums_(tile),
          sizes_(static_cast<Eigen::Index>(counts.size())),
          sums_(RowMatrix::Zero(panel_rows, static_cast<Eigen::Index>(counts.size()))) {
        for (size_t c = 0; c < counts.size(); ++c) sizes_[c] = static_cast<double>(counts[c]);
    }

    // Starts a new panel at row p0 (finish() left all sums zero).
    void start(int64_t p0) { p0_ = p0; }

    // Adds the distances between rows [r0, r1) and rows [c0, c1) to the sums of rows
    // [r0, r1); with mirror (an off-diagonal tile inside the panel) also to the sums of
    // rows [c0, c1). A diagonal tile (r0 == c0) gets exact zeros on its diagonal, as sklearn.
    // One pass over the tile after the GEMM: each row is finished, summed per column
    // cluster and, for mirror, added to the column sums of its own cluster while in L1.
    void add_tile(int64_t r0, int64_t r1, int64_t c0, int64_t c1, bool mirror) {
        const int64_t nr = r1 - r0, nc = c1 - c0;
        auto D = tile_.topLeftCorner(nr, nc);
        const auto col_norms = g_.sq_norms.segment(c0, nc).transpose().array();
        for (int64_t i = 0; i < nr; ++i) D.row(i).array() = col_norms + g_.sq_norms[r0 + i];
        D.noalias() -= 2.0 * g_.X.middleRows(r0, nr) * g_.X.middleRows(c0, nc).transpose();
        segments_.clear();
        for (int64_t s = c0; s < c1;) {
            const int32_t c = g_.code[static_cast<size_t>(s)];
            const int64_t e = std::min(c1, g_.start[static_cast<size_t>(c) + 1]);
            segments_.push_back({s - c0, e - s, c});
            s = e;
        }
        auto col_sums = col_sums_.head(nc);
        int32_t col_cluster = -1;  // cluster whose rows col_sums currently holds
        // A row can hold a near pair only if its least distance is under the largest bound
        // of the tile: one min per row instead of a bound per pair (the per-pair test cost a
        // third of the silhouette's time); remeasure_near_pairs applies the exact bounds.
        const double col_near = kNearPair * col_norms.maxCoeff();
        for (int64_t i = 0; i < nr; ++i) {
            auto row = D.row(i).array();
            if (row.minCoeff() < col_near + kNearPair * g_.sq_norms[r0 + i])
                remeasure_near_pairs(i, r0 + i, c0, nc);
            row = row.max(0.0).sqrt();
            if (r0 == c0) row[i] = 0.0;
            const double* dist = D.row(i).data();
            double* sums = sums_.row(r0 - p0_ + i).data();
            for (const Segment& seg : segments_) {
                sums[seg.cluster] += run_sum(dist + seg.offset, seg.length);
            }
            if (!mirror) continue;
            const int32_t c = g_.code[static_cast<size_t>(r0 + i)];
            if (c != col_cluster) {
                flush_col_sums(col_cluster, c0, nc);
                col_sums.setZero();
                col_cluster = c;
            }
            col_sums += row.matrix();
        }
        if (mirror) flush_col_sums(col_cluster, c0, nc);
    }

    // Writes the silhouette of grouped rows [p0, p1) into out[p0..p1), from complete sums:
    // a = mean distance to the own cluster, b = least mean distance to another cluster.
    // Zeroes each row of sums once read (it is in cache then) for the next panel.
    void finish(int64_t p1, double* out) {
        const int64_t L = sizes_.size();
        for (int64_t i = 0; i < p1 - p0_; ++i) {
            const int32_t c = g_.code[static_cast<size_t>(p0_ + i)];
            double s = 0.0;  // singleton clusters score 0 (sklearn: nan_to_num of 0/0)
            if (sizes_[c] > 1.0) {
                const auto row = sums_.row(i).array();
                double b = std::numeric_limits<double>::infinity();
                if (c > 0) b = (row.head(c) / sizes_.head(c).array()).minCoeff();
                if (c + 1 < L) {
                    const int64_t rest = L - c - 1;
                    b = std::min(b, (row.tail(rest) / sizes_.tail(rest).array()).minCoeff());
                }
                const double a = sums_(i, c) / (sizes_[c] - 1.0);
                const double m = std::max(a, b);
                s = m > 0.0 ? (b - a) / m : 0.0;
            }
            out[p0_ + i] = s;
            sums_.row(i).setZero();
        }
    }

  private:
    // A run of tile columns [offset, offset + length) in one cluster.
    struct Segment {
        int64_t offset;
        int64_t length;
        int32_t cluster;
    };

    // Replaces the GEMM squared distances of tile row i (grouped row r against grouped rows
    // [c0, c0 + nc)) under the kNearPair bound by directly summed ones.
    void remeasure_near_pairs(int64_t i, int64_t r, int64_t c0, int64_t nc) {
        const int32_t d = static_cast<int32_t>(g_.X.cols());
        const double near = kNearPair * g_.sq_norms[r];
        for (int64_t j = 0; j < nc; ++j) {
            double& v = tile_(i, j);
            if (v < kNearPair * g_.sq_norms[c0 + j] + near)
                v = squared_distance(g_.X.row(r).data(), g_.X.row(c0 + j).data(), d);
        }
    }

    // Sum of a run of distances: vectorised when long, a plain loop when short (with many
    // small clusters most runs are a single value).
    static double run_sum(const double* v, int64_t length) {
        if (length >= 16) return Eigen::Map<const Eigen::VectorXd>(v, length).sum();
        double sum = 0.0;
        for (int64_t k = 0; k < length; ++k) sum += v[k];
        return sum;
    }

    // Adds the column sums gathered for rows of `cluster` to the sums of rows [c0, c0 + nc).
    void flush_col_sums(int32_t cluster, int64_t c0, int64_t nc) {
        if (cluster < 0) return;
        sums_.col(cluster).segment(c0 - p0_, nc) += col_sums_.head(nc).transpose();
    }

    const GroupedRows& g_;
    RowMatrix tile_;                 // tile x tile distances
    Eigen::RowVectorXd col_sums_;    // tile: column sums over the tile rows of one cluster
    std::vector<Segment> segments_;  // the column runs of the current tile
    Eigen::RowVectorXd sizes_;       // L: rows per cluster
    RowMatrix sums_;                 // panel rows x L: sums_(i, c) = row p0 + i to cluster c
    int64_t p0_ = 0;
};

// Silhouette of every grouped row into out (grouped order). The panel holds as many rows as
// kSumsBudget allows (usually all n, so every pair is computed once); rows outside the panel
// are then visited as plain columns.
void grouped_silhouette(const GroupedRows& g, const std::vector<int64_t>& counts, double* out,
                        const Interrupt& interrupt) {
    const int64_t n = g.X.rows();
    const int64_t L = static_cast<int64_t>(counts.size());
    const int64_t budget_rows = std::max<int64_t>(1, kSumsBudget / (L * int64_t{8}));
    const int64_t tile = std::min(kTile, budget_rows);
    const int64_t panel = n <= budget_rows ? n : budget_rows / tile * tile;
    PanelSums sums(g, counts, panel, tile);
    for (int64_t p0 = 0; p0 < n; p0 += panel) {
        const int64_t p1 = std::min(n, p0 + panel);
        sums.start(p0);
        for (int64_t r0 = p0; r0 < p1; r0 += tile) {
            const int64_t r1 = std::min(p1, r0 + tile);
            for (int64_t c0 = r0; c0 < p1; c0 += tile) {
                sums.add_tile(r0, r1, c0, std::min(p1, c0 + tile), c0 != r0);
                interrupt.poll();
            }
            for (int64_t c0 = 0; c0 < p0; c0 += tile) {
                sums.add_tile(r0, r1, c0, std::min(p0, c0 + tile), false);
                interrupt.poll();
            }
            for (int64_t c0 = p1; c0 < n; c0 += tile) {
                sums.add_tile(r0, r1, c0, std::min(n, c0 + tile), false);
                interrupt.poll();
            }
        }
        sums.finish(p1, out);
    }
}

}  // namespace

// sample_size distinct row indices out of n, ascending, by a partial Fisher-Yates shuffle.
std::vector<int64_t> sample_rows(int64_t n, int64_t sample_size, uint64_t seed) {
    std::vector<int64_t> rows(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
    Rng rng(seed);
    for (int64_t i = 0; i < sample_size; ++i) {
        const auto j = i + static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(n - i)));
        std::swap(rows[static_cast<size_t>(i)], rows[static_cast<size_t>(j)]);
    }
    rows.resize(static_cast<size_t>(sample_size));
    std::sort(rows.begin(), rows.end());
    return rows;
}

// Regroups the rows by cluster, computes the silhouettes, scatters them back to row order.
void silhouette_samples(ConstRowMap X, const int32_t* labels, double* out,
                        const Interrupt& interrupt) {
    const LabelCodes codes = checked_codes(X, labels);
    const GroupedRows g = group_rows(X, codes, interrupt);
    std::vector<double> grouped(static_cast<size_t>(X.rows()));
    grouped_silhouette(g, codes.counts, grouped.data(), interrupt);
    for (size_t j = 0; j < grouped.size(); ++j) out[g.source[j]] = grouped[j];
}

// The mean of silhouette_samples, over all rows or over a seeded sample of them.
double silhouette_score(ConstRowMap X, const int32_t* labels, const Interrupt& interrupt,
                        int64_t sample_size, uint64_t seed) {
    if (sample_size > 0 && sample_size < X.rows()) check_features(X);
    return mean_silhouette(X, labels, sample_size, seed,
                           [&](ConstRowMap rows, const int32_t* row_labels, double* out) {
                               silhouette_samples(rows, row_labels, out, interrupt);
                           });
}

// The sample (rows gathered with their labels) or all rows, then the compensated mean.
double mean_silhouette(ConstRowMap X, const int32_t* labels, int64_t sample_size,
                       uint64_t seed, const SilhouetteSamples& samples) {
    if (sample_size < 0)
        throw Error(ErrorKind::InvalidParameter, "sample_size must not be negative");
    std::vector<double> values;
    if (sample_size > 0 && sample_size < X.rows()) {
        const std::vector<int64_t> rows = sample_rows(X.rows(), sample_size, seed);
        RowMatrix sub(sample_size, X.cols());
        std::vector<int32_t> sub_labels(rows.size());
        for (size_t i = 0; i < rows.size(); ++i) {
            sub.row(static_cast<Eigen::Index>(i)) = X.row(rows[i]);
            sub_labels[i] = labels[rows[i]];
        }
        values.resize(rows.size());
        samples(ConstRowMap(sub.data(), sub.rows(), sub.cols()), sub_labels.data(),
                values.data());
    } else {
        values.resize(static_cast<size_t>(X.rows()));
        samples(X, labels, values.data());
    }
    return compensated_sum(values.data(), static_cast<int64_t>(values.size())) /
           static_cast<double>(values.size());
}

namespace {

// LabelCodes of n labels (labels.cpp: the classes' sorted copy, codes, counts) and
// cluster_means (first rows, sums, means) with L labels of d features.
double label_codes_bytes(double n, double L) { return 4.0 * n + 4.0 * n + 8.0 * L; }
double cluster_means_bytes(double L, double d) { return 8.0 * L + 2.0 * 8.0 * L * d; }

}  // namespace

// silhouette_samples: label codes, the grouped rows (X, squared norms, codes, starts, sources),
// the grouped values, the tile and its column sums, and the panel of per-row cluster sums
// (kSumsBudget, or one row of L sums); with a sample: the shuffled indices (n), the sampled
// rows, labels and values, then silhouette_samples on the sample; else the n values.
double silhouette_bytes(int64_t rows, int32_t dims, int64_t n_labels, int64_t sample_size) {
    const auto samples = [&](double n, double L) {
        return label_codes_bytes(n, L) + 8.0 * n * dims + 8.0 * n + 4.0 * n + 8.0 * (L + 1) +
               8.0 * n + 8.0 * n + 8.0 * (kTile * kTile + kTile + L) +
               std::min(8.0 * L * n, std::max(static_cast<double>(kSumsBudget), 8.0 * L));
    };
    const double n = static_cast<double>(std::max<int64_t>(rows, 1));
    const double L = static_cast<double>(std::max<int64_t>(std::min(n_labels, rows), 1));
    if (sample_size > 0 && sample_size < rows) {
        const double s = static_cast<double>(sample_size);
        return 8.0 * n + 8.0 * s * dims + 4.0 * s + 8.0 * s + samples(s, std::min(L, s));
    }
    return 8.0 * n + samples(n, L);
}

// davies_bouldin / calinski_harabasz: label codes, cluster means, and per-cluster vectors.
double cluster_index_bytes(int64_t rows, int32_t dims, int64_t n_labels) {
    const double n = static_cast<double>(std::max<int64_t>(rows, 1));
    const double L = static_cast<double>(std::max<int64_t>(std::min(n_labels, rows), 1));
    return label_codes_bytes(n, L) + cluster_means_bytes(L, dims) + 8.0 * 2 * L + 8.0 * 4 * dims;
}

// Mean over clusters of the worst (s_i + s_j) / d(c_i, c_j), where s is the mean distance
// of a cluster's rows to its centroid; 0 when all s or all centroid distances are ~0
// (numpy.allclose, as sklearn). Centroid pairs at distance exactly 0 are skipped, as sklearn.
double davies_bouldin(ConstRowMap X, const int32_t* labels, const Interrupt& interrupt) {
    const LabelCodes codes = checked_codes(X, labels);
    const RowMatrix centroids = cluster_means(X, codes, interrupt);
    const int32_t L = codes.n_labels();
    const int32_t d = feature_count(X);
    Eigen::VectorXd spread = Eigen::VectorXd::Zero(L);
    for (int64_t i = 0; i < X.rows(); ++i) {
        poll_every(i, interrupt);
        const int32_t c = codes.codes[static_cast<size_t>(i)];
        spread[c] += std::sqrt(squared_distance(X.row(i).data(), centroids.row(c).data(), d));
    }
    for (int32_t c = 0; c < L; ++c) {
        spread[c] /= static_cast<double>(codes.counts[static_cast<size_t>(c)]);
    }
    std::vector<double> scores(static_cast<size_t>(L), 0.0);
    double max_distance = 0.0;
    for (int32_t i = 0; i < L; ++i) {
        interrupt.poll();
        for (int32_t j = 0; j < L; ++j) {
            const double dist =
                std::sqrt(squared_distance(centroids.row(i).data(), centroids.row(j).data(), d));
            max_distance = std::max(max_distance, dist);
            if (dist != 0.0) {
                scores[static_cast<size_t>(i)] =
                    std::max(scores[static_cast<size_t>(i)], (spread[i] + spread[j]) / dist);
            }
        }
    }
    if (spread.cwiseAbs().maxCoeff() <= kAllCloseAtol || max_distance <= kAllCloseAtol) {
        return 0.0;
    }
    return compensated_sum(scores.data(), L) / static_cast<double>(L);
}

// Between-cluster dispersion over within-cluster dispersion, each per degree of freedom:
// B (n - L) / (W (L - 1)); 1.0 when W is 0, as sklearn.
double calinski_harabasz(ConstRowMap X, const int32_t* labels, const Interrupt& interrupt) {
    const LabelCodes codes = checked_codes(X, labels);
    const RowMatrix centroids = cluster_means(X, codes, interrupt);
    const int64_t n = X.rows();
    const int32_t L = codes.n_labels();
    const int32_t d = feature_count(X);
    const Eigen::RowVectorXd mean = X.colwise().sum() / static_cast<double>(n);
    double between = 0.0, within = 0.0;
    for (int32_t c = 0; c < L; ++c) {
        between += static_cast<double>(codes.counts[static_cast<size_t>(c)]) *
                   squared_distance(centroids.row(c).data(), mean.data(), d);
    }
    for (int64_t i = 0; i < n; ++i) {
        poll_every(i, interrupt);
        const int32_t c = codes.codes[static_cast<size_t>(i)];
        within += squared_distance(X.row(i).data(), centroids.row(c).data(), d);
    }
    if (within == 0.0) return 1.0;
    return between * static_cast<double>(n - L) / (within * (static_cast<double>(L) - 1.0));
}

}  // namespace cseg
