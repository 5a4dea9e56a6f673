// Ward (nearest-neighbour chain over centroids), single (Prim's MST) and complete/average
// (nearest-neighbour chain over the condensed matrix); see hclust_linkage.hpp.
#include "hclust_linkage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "errors.hpp"

// scipy's pdist and its Lance-Williams updates round every product and every sum separately
// (its builds target baseline x86-64, without fused multiply-add); the bit-identical merges
// rely on doing the same, so no multiply-add contraction in this file.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace cseg {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Positions a scan handles at once (its distances stay in the L1 cache).
constexpr int64_t kBlock = 512;

// Positions at which a lazily compacted scan array is rebuilt: when more than half of it is
// dead and it is longer than this.
constexpr int64_t kCompactMin = 256;

// Sum over features of (a_f - b_f)^2 without fused multiply-add, in feature order: scipy's
// pdist "euclidean" sum, so sqrt of it is bit-identical to scipy's distance.
inline double pair_sq(const double* a, const double* b, int32_t d) {
    double s = 0.0;
    for (int32_t f = 0; f < d; ++f) {
        const double t = a[f] - b[f];
        s += t * t;
    }
    return s;
}

// Index of (i, j), i != j, in the condensed upper triangle of an L x L matrix (scipy's
// condensed_index).
inline int64_t condensed_index(int64_t L, int64_t i, int64_t j) {
    if (i > j) std::swap(i, j);
    return L * i - i * (i + 1) / 2 + (j - i - 1);
}

// Points with their coordinates stored feature-major (coord[f * stride + p]) so that a scan
// over positions vectorises; positions keep the points' index order through compaction.
struct PointColumns {
    int32_t d = 0;
    int64_t stride = 0;
    int64_t count = 0;            // positions in use
    std::vector<double> coord;    // d * stride
    std::vector<double> size;     // count: rows under the point (cluster)
    std::vector<double> penalty;  // count: 0 while alive, +inf once dead
    std::vector<int64_t> id;      // count: the point's original index

    PointColumns(const double* points, int64_t L, int32_t dims, const int64_t* weights)
        : d(dims),
          stride(L),
          count(L),
          coord(static_cast<size_t>(dims) * static_cast<size_t>(L)),
          size(static_cast<size_t>(L)),
          penalty(static_cast<size_t>(L), 0.0),
          id(static_cast<size_t>(L)) {
        for (int64_t p = 0; p < L; ++p) {
            for (int32_t f = 0; f < d; ++f)
                coord[static_cast<size_t>(f) * L + p] = points[p * d + f];
            size[p] = weights != nullptr ? static_cast<double>(weights[p]) : 1.0;
            id[p] = p;
        }
    }

    // Copies position p's coordinates into out (d values).
    void gather(int64_t p, double* out) const {
        for (int32_t f = 0; f < d; ++f) out[f] = coord[static_cast<size_t>(f) * stride + p];
    }

    // Squared distance between positions a and b (pair_sq's order and rounding).
    double sq_between(int64_t a, int64_t b) const {
        double s = 0.0;
        for (int32_t f = 0; f < d; ++f) {
            const double t = coord[static_cast<size_t>(f) * stride + a] -
                             coord[static_cast<size_t>(f) * stride + b];
            s += t * t;
        }
        return s;
    }

    // out[p] = squared distance of positions [begin, end) to x (end - begin <= kBlock).
    void squared_distances(const double* x, int64_t begin, int64_t end, double* out) const {
        const int64_t m = end - begin;
        for (int64_t p = 0; p < m; ++p) out[p] = 0.0;
        for (int32_t f = 0; f < d; ++f) {
            const double* col = coord.data() + static_cast<size_t>(f) * stride + begin;
            const double xf = x[f];
            for (int64_t p = 0; p < m; ++p) {
                const double t = col[p] - xf;
                out[p] += t * t;
            }
        }
    }

    // Drops the dead positions, keeping order; remap[old] = new position (-1 when dropped).
    void compact(std::vector<int64_t>& remap) {
        remap.assign(static_cast<size_t>(count), -1);
        int64_t w = 0;
        for (int64_t p = 0; p < count; ++p) {
            if (penalty[p] != 0.0) continue;
            remap[p] = w;
            for (int32_t f = 0; f < d; ++f)
                coord[static_cast<size_t>(f) * stride + w] =
                    coord[static_cast<size_t>(f) * stride + p];
            size[w] = size[p];
            penalty[w] = 0.0;
            id[w] = id[p];
            ++w;
        }
        count = w;
    }
};

// Ward's criterion by the nearest-neighbour chain over centroids and sizes. The Ward distance
// of clusters a, b is sqrt(2 n_a n_b / (n_a + n_b)) |c_a - c_b| (scipy's convention: for two
// single rows, their Euclidean distance); from the chain's top x the scan ranks candidates by
// n_p / (n_x + n_p) |c_x - c_p|^2, which orders them as that distance does.
std::vector<Merge> ward_chain(const double* points, int64_t L, int32_t d, const int64_t* weights,
                              const Interrupt& interrupt) {
    PointColumns pc(points, L, d, weights);
    std::vector<Merge> raw;
    raw.reserve(static_cast<size_t>(L - 1));
    std::vector<double> value(static_cast<size_t>(kBlock)), cx(static_cast<size_t>(d)),
        clo(static_cast<size_t>(d));
    std::vector<int64_t> chain, remap;
    chain.reserve(static_cast<size_t>(L));
    int64_t dead = 0;
    for (int64_t k = 0; k + 1 < L; ++k) {
        if (chain.empty()) {
            int64_t p = 0;
            while (pc.penalty[p] != 0.0) ++p;
            chain.push_back(p);
        }
        int64_t x = 0, y = 0;
        for (;;) {
            interrupt.poll();
            x = chain.back();
            pc.gather(x, cx.data());
            const double sx = pc.size[x];
            const bool has_prev = chain.size() > 1;
            y = has_prev ? chain[chain.size() - 2] : -1;
            double best = has_prev ? pc.size[y] / (sx + pc.size[y]) * pc.sq_between(x, y) : kInf;
            for (int64_t begin = 0; begin < pc.count; begin += kBlock) {
                const int64_t end = std::min(pc.count, begin + kBlock);
                pc.squared_distances(cx.data(), begin, end, value.data());
                for (int64_t p = begin; p < end; ++p) {
                    const double v =
                        pc.size[p] / (sx + pc.size[p]) * value[p - begin] + pc.penalty[p];
                    if (v < best && p != x) {
                        best = v;
                        y = p;
                    }
                }
            }
            if (has_prev && y == chain[chain.size() - 2]) break;
            chain.push_back(y);
        }
        chain.resize(chain.size() - 2);
        const int64_t lo = std::min(x, y), hi = std::max(x, y);
        const double n_lo = pc.size[lo], n_hi = pc.size[hi];
        const double sq = pc.sq_between(lo, hi);
        raw.push_back({pc.id[lo], pc.id[hi], std::sqrt(2.0 * n_lo * n_hi / (n_lo + n_hi) * sq), 0});
        // The merged centroid moves from the larger index's towards the smaller's (exactly
        // unchanged when both are equal, e.g. duplicate rows).
        pc.gather(lo, clo.data());
        const double share = n_lo / (n_lo + n_hi);
        for (int32_t f = 0; f < d; ++f) {
            double& c = pc.coord[static_cast<size_t>(f) * pc.stride + hi];
            c += (clo[f] - c) * share;
        }
        pc.size[hi] = n_lo + n_hi;
        pc.penalty[lo] = kInf;
        ++dead;
        if (pc.count > kCompactMin && dead * 2 > pc.count) {
            pc.compact(remap);
            for (int64_t& p : chain) p = remap[p];
            dead = 0;
        }
    }
    return raw;
}

// Single linkage by Prim's minimum spanning tree from point 0, distances computed on the fly
// (scipy's mst_single_linkage: each step adds the nearest point outside the tree; the merge is
// recorded between the previously added point and it).
std::vector<Merge> single_mst(const double* points, int64_t L, int32_t d, const int64_t* weights,
                              const Interrupt& interrupt) {
    PointColumns pc(points, L, d, weights);
    std::vector<Merge> raw;
    raw.reserve(static_cast<size_t>(L - 1));
    std::vector<double> nearest(static_cast<size_t>(L), kInf), dist(static_cast<size_t>(kBlock)),
        cx(static_cast<size_t>(d));
    std::vector<int64_t> remap;
    int64_t x = 0, dead = 0;
    for (int64_t k = 0; k + 1 < L; ++k) {
        interrupt.poll();
        pc.penalty[x] = kInf;
        ++dead;
        pc.gather(x, cx.data());
        int64_t y = -1;
        double best = kInf;
        for (int64_t begin = 0; begin < pc.count; begin += kBlock) {
            const int64_t end = std::min(pc.count, begin + kBlock);
            pc.squared_distances(cx.data(), begin, end, dist.data());
            for (int64_t p = begin; p < end; ++p) {
                const double dp = std::sqrt(dist[p - begin]);
                if (nearest[p] > dp) nearest[p] = dp;
            }
            for (int64_t p = begin; p < end; ++p) {
                const double candidate = nearest[p] + pc.penalty[p];
                if (candidate < best) {
                    best = candidate;
                    y = p;
                }
            }
        }
        raw.push_back({pc.id[x], pc.id[y], best, 0});
        x = y;
        if (pc.count > kCompactMin && dead * 2 > pc.count) {
            pc.compact(remap);
            int64_t w = 0;
            for (size_t p = 0; p < remap.size(); ++p)
                if (remap[p] >= 0) nearest[w++] = nearest[p];
            x = remap[x];
            dead = 0;
        }
    }
    return raw;
}

// Complete or average linkage by the nearest-neighbour chain over the condensed distance
// matrix with Lance-Williams updates, scipy's nn_chain step for step.
std::vector<Merge> matrix_chain(const double* points, int64_t L, int32_t d, const int64_t* weights,
                                Linkage linkage, const Interrupt& interrupt) {
    std::vector<double> D(static_cast<size_t>(L) * static_cast<size_t>(L - 1) / 2);
    for (int64_t i = 0; i < L; ++i) {
        if ((i & 63) == 0) interrupt.poll();
        double* row = D.data() + condensed_index(L, i, i + 1);
        for (int64_t j = i + 1; j < L; ++j)
            row[j - i - 1] = std::sqrt(pair_sq(points + i * d, points + j * d, d));
    }
    std::vector<double> size(static_cast<size_t>(L));
    for (int64_t i = 0; i < L; ++i) size[i] = weights != nullptr ? double(weights[i]) : 1.0;
    std::vector<int64_t> alive(
        static_cast<size_t>(L));  // alive indices, ascending (lazily compacted)
    std::iota(alive.begin(), alive.end(), int64_t{0});
    std::vector<Merge> raw;
    raw.reserve(static_cast<size_t>(L - 1));
    std::vector<int64_t> chain;
    chain.reserve(static_cast<size_t>(L));
    int64_t dead = 0;
    for (int64_t k = 0; k + 1 < L; ++k) {
        if (chain.empty()) {
            for (int64_t i : alive)
                if (size[i] > 0) {
                    chain.push_back(i);
                    break;
                }
        }
        int64_t x = 0, y = 0;
        double current = kInf;
        for (;;) {
            interrupt.poll();
            x = chain.back();
            const bool has_prev = chain.size() > 1;
            if (has_prev) {
                y = chain[chain.size() - 2];
                current = D[condensed_index(L, x, y)];
            } else {
                current = kInf;
            }
            for (int64_t i : alive) {
                if (size[i] == 0 || i == x) continue;
                const double dist = D[condensed_index(L, x, i)];
                if (dist < current) {
                    current = dist;
                    y = i;
                }
            }
            if (has_prev && y == chain[chain.size() - 2]) break;
            chain.push_back(y);
        }
        chain.resize(chain.size() - 2);
        if (x > y) std::swap(x, y);
        const double nx = size[x], ny = size[y];
        raw.push_back({x, y, current, 0});
        size[x] = 0;
        size[y] = nx + ny;
        ++dead;
        for (int64_t i : alive) {
            if (size[i] == 0 || i == y) continue;
            const double dxi = D[condensed_index(L, i, x)];
            double& dyi = D[condensed_index(L, i, y)];
            if (linkage == Linkage::Complete)
                dyi = std::max(dxi, dyi);
            else
                dyi = (nx * dxi + ny * dyi) / (nx + ny);
        }
        if (int64_t(alive.size()) > kCompactMin && dead * 2 > int64_t(alive.size())) {
            alive.erase(
                std::remove_if(alive.begin(), alive.end(), [&](int64_t i) { return size[i] == 0; }),
                alive.end());
            dead = 0;
        }
    }
    return raw;
}

// Follows parents to the root of node x, pointing every node on the way at it.
int64_t find_root(std::vector<int64_t>& parent, int64_t x) {
    int64_t root = x;
    while (parent[root] != root) root = parent[root];
    while (parent[x] != root) {
        const int64_t next = parent[x];
        parent[x] = root;
        x = next;
    }
    return root;
}

// Sorts the merges stably by height and renames each side to the node that holds it at that
// point (scipy's label(): union-find over the 2L - 1 nodes), filling in the sizes.
std::vector<Merge> sort_and_label(std::vector<Merge> merges, int64_t L, const int64_t* weights) {
    std::stable_sort(merges.begin(), merges.end(),
                     [](const Merge& a, const Merge& b) { return a.height < b.height; });
    std::vector<int64_t> parent(static_cast<size_t>(2 * L - 1)),
        size(static_cast<size_t>(2 * L - 1), 1);
    std::iota(parent.begin(), parent.end(), int64_t{0});
    if (weights != nullptr) std::copy(weights, weights + L, size.begin());
    int64_t next = L;
    for (Merge& m : merges) {
        const int64_t a = find_root(parent, m.left), b = find_root(parent, m.right);
        m.left = std::min(a, b);
        m.right = std::max(a, b);
        parent[a] = parent[b] = next;
        size[next] = size[a] + size[b];
        m.size = size[next];
        ++next;
    }
    return merges;
}

}  // namespace

const char* linkage_name(Linkage linkage) {
    switch (linkage) {
        case Linkage::Ward:
            return "ward";
        case Linkage::Complete:
            return "complete";
        case Linkage::Average:
            return "average";
        case Linkage::Single:
            return "single";
    }
    return "ward";
}

bool parse_linkage(std::string_view name, Linkage* linkage) {
    for (Linkage l : {Linkage::Ward, Linkage::Complete, Linkage::Average, Linkage::Single}) {
        if (name == linkage_name(l)) {
            *linkage = l;
            return true;
        }
    }
    return false;
}

double hclust_matrix_bytes(Linkage linkage, int64_t L) {
    if (linkage == Linkage::Ward || linkage == Linkage::Single || L < 2) return 0.0;
    return static_cast<double>(L) * static_cast<double>(L - 1) / 2.0 * sizeof(double);
}

std::vector<Merge> hclust_linkage(const double* points, int64_t L, int32_t d,
                                  const int64_t* weights, Linkage linkage, double memory_budget,
                                  const Interrupt& interrupt) {
    if (L < 1 || d < 1) throw Error(ErrorKind::Internal, "hierarchical clustering of no points");
    if (L > std::numeric_limits<int32_t>::max())
        throw Error(ErrorKind::ProgramLimit,
                    "hierarchical clustering over more than 2147483647 points");
    if (L == 1) return {};
    const double need = hclust_matrix_bytes(linkage, L);
    if (need > memory_budget) {
        throw Error(ErrorKind::OutOfMemory,
                    std::string(linkage_name(linkage)) + " linkage over " + std::to_string(L) +
                        " leaves needs " + std::to_string(int64_t(std::ceil(need / 1048576.0))) +
                        " MB for its distance matrix, more than customer_seg.max_memory leaves "
                        "beside the rows (" +
                        std::to_string(int64_t(memory_budget / 1048576.0)) + " MB)",
                    {}, "Lower \"max_leaves\" or raise customer_seg.max_memory.");
    }
    std::vector<Merge> raw;
    switch (linkage) {
        case Linkage::Ward:
            raw = ward_chain(points, L, d, weights, interrupt);
            break;
        case Linkage::Single:
            raw = single_mst(points, L, d, weights, interrupt);
            break;
        case Linkage::Complete:
        case Linkage::Average:
            raw = matrix_chain(points, L, d, weights, linkage, interrupt);
            break;
    }
    return sort_and_label(std::move(raw), L, weights);
}

}  // namespace cseg
