// seg_compare's core (see compare.hpp).
#include "compare.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "dbscan.hpp"
#include "gmm.hpp"
#include "hclust_model.hpp"
#include "json.hpp"
#include "kmeans_memory.hpp"
#include "metrics.hpp"
#include "model_codec.hpp"
#include "model_fit.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "sweep.hpp"

namespace cseg {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kPollRows = 4096;  // rows between interrupt polls

// The kinds compared, in the order of their rows.
constexpr ModelAlgorithm kCompared[] = {ModelAlgorithm::KMeans, ModelAlgorithm::Hierarchical,
                                        ModelAlgorithm::Gmm, ModelAlgorithm::Dbscan};

// Index of a compared kind in kCompared (and CompareOptions::per_kind).
size_t compared_index(ModelAlgorithm a) {
    for (size_t i = 0; i < std::size(kCompared); ++i)
        if (kCompared[i] == a) return i;
    return 0;
}

// Error(InvalidParameter) for one of seg_compare's options.
[[noreturn]] void bad_option(const std::string& key, const std::string& expected) {
    throw Error(ErrorKind::InvalidParameter,
                "seg_compare option \"" + key + "\" must be " + expected);
}

// An error of a fit, reworded to name seg_compare and the kind it came from.
Error compare_error(const Error& e, ModelAlgorithm a) {
    return Error(e.kind(),
                 std::string("seg_compare (") + model_algorithm_name(a) + "): " + e.what(),
                 e.detail(), e.hint());
}

// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The kind array named `name` of m's kind as one double, or NaN when the kind has none.
double kind_scalar(const Model& m, const char* name) {
    const std::vector<KindArraySpec> specs = model_kind(m.algorithm).arrays();
    for (size_t i = 0; i < specs.size() && i < m.kind_arrays.size(); ++i)
        if (std::strcmp(specs[i].name, name) == 0 && !specs[i].integer &&
            m.kind_arrays[i].values.size() == 1)
            return m.kind_arrays[i].values[0];
    return kNaN;
}

// The scores of a model on the scaled rows X (noise rows left out), and its BIC and noise.
void score_row(CompareRow& r, ConstRowMap X, const CompareOptions& o, int64_t& scored_rows,
               const Interrupt& interrupt) {
    r.bic = kind_scalar(r.model, "bic");
    r.n_noise = model_kind(r.model.algorithm).unclustered_rows(r.model);
    std::vector<int32_t> labels = model_labels(r.model, X, interrupt);
    RowMatrix kept;
    ConstRowMap Y = X;
    if (r.n_noise > 0) {  // the clustered rows only, in order
        kept.resize(X.rows() - r.n_noise, X.cols());
        int64_t j = 0;
        for (int64_t i = 0; i < X.rows(); ++i)
            if (labels[size_t(i)] >= 0) {
                kept.row(j) = X.row(i);
                labels[size_t(j++)] = labels[size_t(i)];
            }
        labels.resize(size_t(j));
        new (&Y) ConstRowMap(kept.data(), j, X.cols());
    }
    const bool sampled = o.silhouette_sample > 0 && Y.rows() > o.silhouette_sample;
    const int64_t sample = sampled ? o.silhouette_sample : 0;
    const LabelScores s = score_labels(Y, labels, sample, o.seed, interrupt);
    r.silhouette = s.silhouette;
    r.davies_bouldin = s.davies_bouldin;
    r.calinski_harabasz = s.calinski_harabasz;
    if (r.algorithm != ModelAlgorithm::Dbscan) scored_rows = sampled ? sample : Y.rows();
}

// "12.3 MB".
std::string megabytes(double bytes) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.1f MB", bytes / 1048576.0);
    return buf;
}

// Refuses through memory.refuse (else Error(OutOfMemory)) when `need` bytes exceed the budget.
void require_memory(const CompareMemory& memory, double need, const std::string& what) {
    if (need <= memory.bytes) return;
    if (memory.refuse) memory.refuse(need, what);
    throw Error(ErrorKind::OutOfMemory, "seg_compare needs " + megabytes(need) + " for " + what +
                                            ", more than its budget of " + megabytes(memory.bytes));
}

// Bytes kind a's fit with k clusters needs beside its n x d rows (seg_compare fits on one
// thread). Ward's linkage holds itself to FitInput::memory_budget instead.
double fit_bytes(ModelAlgorithm a, int64_t n, int32_t d, int32_t k, const KMeansOptions& o) {
    switch (a) {
        case ModelAlgorithm::KMeans: return kmeans_fit_memory(n, d, k, o, 1).bytes;
        case ModelAlgorithm::Gmm: return gmm_fit_bytes(n, d, k, o, 1);
        case ModelAlgorithm::Dbscan: return dbscan_fit_bytes(n, d);
        default: return 0.0;
    }
}

// Bytes score_row needs for a model with at most `clusters` labels on n x d rows: the labels,
// the clustered rows' copy (noise left out), score_labels' label codes and the larger of the
// silhouette's and the cluster indices' buffers. model_labels' encoded model and prepared
// scratch are counted with the models.
double score_bytes(int64_t n, int32_t d, int64_t clusters, int64_t sample) {
    const double rows = static_cast<double>(n);
    return 4.0 * rows + 8.0 * rows * d + 8.0 * rows + 8.0 * static_cast<double>(clusters) +
           std::max(silhouette_bytes(n, d, clusters, sample), cluster_index_bytes(n, d, clusters));
}

// What model_labels allocates for a model beside the labels: the encoded model and the
// kind's prepared scratch (DBSCAN's and Ward's k-d trees).
double labelling_bytes(const Model& m) {
    const size_t bytes = model_encoded_size(m);
    std::vector<uint64_t> encoded((bytes + 7) / 8);
    model_encode(m, reinterpret_cast<uint8_t*>(encoded.data()));
    const ModelView v = model_view(reinterpret_cast<const uint8_t*>(encoded.data()), bytes);
    return static_cast<double>(bytes) + static_cast<double>(model_kind(m.algorithm).prepared_bytes(v));
}

// Fits kind a with k clusters on a fresh copy of the canonical rows into work; afterwards the
// first n_rows rows of work are the usable rows, scaled. `budget`: what Ward's linkage may use.
Model fit_on_copy(ModelAlgorithm a, ConstRowMap rows, RowMatrix& work, int32_t k,
                  const KMeansOptions& opts, const Interrupt& interrupt, double budget) {
    work = rows;
    FitInput in;
    in.numeric = work.data();
    in.n = work.rows();
    in.dims = static_cast<int32_t>(work.cols());
    in.canonical = true;
    in.memory_budget = budget;
    try {
        return fit_model(model_kind(a), in, k, opts, interrupt);
    } catch (const Error& e) {
        throw compare_error(e, a);
    }
}

}  // namespace

// The own keys, then the common and per-kind objects checked by each fit's parser.
CompareOptions parse_compare_options(std::string_view json) {
    const Json doc = json_parse_options(json, "seg_compare");
    CompareOptions o;
    const Json* own[std::size(kCompared)] = {};
    JsonWriter common, seeded;
    common.begin_object();
    seeded.begin_object();
    for (size_t i = 0; i < doc.keys().size(); ++i) {
        const std::string& key = doc.keys()[i];
        const Json& v = doc.items()[i];
        const ModelKind* kind = find_model_kind(key);
        if (key == "eps") {
            if (!v.is_number() || !std::isfinite(v.number_value()) || !(v.number_value() > 0.0))
                bad_option(key, "a finite number > 0 (scaled space)");
            o.eps = v.number_value();
        } else if (key == "min_samples") {
            const auto n = v.is_number() ? v.int64_value() : std::nullopt;
            if (!n || *n < 1 || *n > std::numeric_limits<int32_t>::max())
                bad_option(key, "an integer >= 1");
            o.min_samples = static_cast<int32_t>(*n);
        } else if (key == "silhouette_sample") {
            o.silhouette_sample = silhouette_sample_option(v, "seg_compare");
        } else if (kind != nullptr && kind->algorithm() != ModelAlgorithm::KPrototypes) {
            if (!v.is_object()) bad_option(key, std::string("an object of ") +
                                                    kind->fit_function() + " options");
            for (const char* shared : {"scale", "missing", "feature_names"})
                if (v.find(shared) != nullptr)
                    throw Error(ErrorKind::InvalidParameter,
                                "seg_compare option \"" + key + "\" may not set \"" + shared +
                                    "\"",
                                "Every model is scored on the same scaled rows.",
                                "Set it at the top level of the options.");
            own[compared_index(kind->algorithm())] = &v;
        } else if (key == "scale" || key == "missing" || key == "feature_names" ||
                   key == "seed") {
            if (key != "seed") {
                common.key(key);
                common.value(v);
            }
            seeded.key(key);
            seeded.value(v);
            if (key == "seed") {
                const auto s = v.is_number() ? v.uint64_value() : std::nullopt;
                if (s) o.seed = *s;  // its range is checked by the fits' parser
            }
        } else {
            throw Error(ErrorKind::InvalidParameter,
                        "seg_compare has no option \"" + key + "\"",
                        "Valid options are: eps, min_samples, silhouette_sample, kmeans, "
                        "hierarchical, gmm, dbscan, scale, missing, feature_names, seed.");
        }
    }
    common.end_object();
    seeded.end_object();
    o.common = seeded.str();
    for (size_t i = 0; i < std::size(kCompared); ++i) {
        const ModelAlgorithm a = kCompared[i];
        // The kind's own object, then the common keys it does not set itself.
        JsonWriter w;
        w.begin_object();
        if (own[i] != nullptr)
            for (size_t j = 0; j < own[i]->keys().size(); ++j) {
                w.key(own[i]->keys()[j]);
                w.value(own[i]->items()[j]);
            }
        const Json base = json_parse(a == ModelAlgorithm::Dbscan ? common.str() : seeded.str(),
                                     ErrorKind::InvalidParameter);
        for (size_t j = 0; j < base.keys().size(); ++j)
            if (own[i] == nullptr || own[i]->find(base.keys()[j]) == nullptr) {
                w.key(base.keys()[j]);
                w.value(base.items()[j]);
            }
        w.end_object();
        try {
            parse_model_options(w.str(), a);
        } catch (const Error& e) {
            throw compare_error(e, a);
        }
        o.per_kind.push_back(w.str());
    }
    return o;
}

// The model's kind labels every row through its encoded form, as seg_assign does.
std::vector<int32_t> model_labels(const Model& m, ConstRowMap X, const Interrupt& interrupt) {
    const size_t bytes = model_encoded_size(m);
    std::vector<uint64_t> encoded((bytes + 7) / 8);
    uint8_t* data = reinterpret_cast<uint8_t*>(encoded.data());
    model_encode(m, data);
    const ModelView v = model_view(data, bytes);
    const ModelKind& kind = model_kind(m.algorithm);
    std::vector<uint64_t> prepared((kind.prepared_bytes(v) + 7) / 8);
    kind.prepare(v, prepared.data());
    std::vector<int32_t> labels(static_cast<size_t>(X.rows()));
    for (int64_t i = 0; i < X.rows(); ++i) {
        if (i % kPollRows == 0) interrupt.poll();
        labels[size_t(i)] = kind.assign(v, prepared.data(), {X.row(i).data(), nullptr}, nullptr);
    }
    return labels;
}

// Largest k first for each kind (too few rows then fail before any other work); the memory
// every step needs is checked before any of them runs, then again beside the models kept.
CompareResult seg_compare(ConstRowMap rows, int32_t k_min, int32_t k_max,
                          const CompareOptions& options, const Interrupt& interrupt,
                          const CompareMemory& memory) {
    if (k_min < 1 || k_max < k_min)
        throw Error(ErrorKind::InvalidParameter,
                    "seg_compare needs 1 <= k_min <= k_max, got k_min = " + std::to_string(k_min) +
                        " and k_max = " + std::to_string(k_max));
    if (k_max > rows.rows())
        throw Error(ErrorKind::DataException,
                    "seg_compare needs at least k_max = " + std::to_string(k_max) +
                        " rows, got " + std::to_string(rows.rows()));
    std::vector<KMeansOptions> opts;
    for (const std::string& json : options.per_kind)
        opts.push_back(parse_model_options(json, kCompared[opts.size()]));
    const int64_t n = rows.rows();
    const int32_t d = static_cast<int32_t>(rows.cols());
    const int64_t sample =
        options.silhouette_sample > 0 && n > options.silhouette_sample ? options.silhouette_sample : 0;
    const bool choose = options.eps == 0.0 || options.min_samples == 0;
    const double copy = 8.0 * static_cast<double>(n) * d;  // work
    // Every step's working memory beside the working copy, before any of them.
    for (int32_t k = k_max; k >= k_min; --k)
        for (size_t a = 0; a < 3; ++a)
            require_memory(memory,
                           copy + std::max(fit_bytes(kCompared[a], n, d, k, opts[a]),
                                           score_bytes(n, d, k, sample)),
                           std::string("the ") + model_algorithm_name(kCompared[a]) +
                               " fit and scores at k = " + std::to_string(k) +
                               " with the rows' working copy");
    const int32_t choice_m = static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(3, 2 * int64_t(d)), n));
    require_memory(memory,
                   copy + std::max({choose ? dbscan_choice_bytes(n, d, choice_m, 1) : 0.0,
                                    dbscan_fit_bytes(n, d), score_bytes(n, d, n, sample)}),
                   "the DBSCAN fit and scores with the rows' working copy");
    double kept = 0.0;  // the models so far, each twice (its Model, the wall's copy)
    // One step's need beside the working copy and the models kept.
    const auto require_step = [&](double need, const std::string& what) {
        require_memory(memory, copy + kept + need,
                       what + " with the rows' working copy and " + megabytes(kept) +
                           " of models kept");
    };
    CompareResult out;
    RowMatrix work(rows.rows(), rows.cols());
    const auto scaled = [&](const Model& m) { return ConstRowMap(work.data(), m.n_rows, work.cols()); };
    const int32_t count = k_max - k_min + 1;
    out.rows.resize(size_t(3 * count + 1));
    for (size_t a = 0; a < 3; ++a) {
        const ModelAlgorithm alg = kCompared[a];
        double tree_seconds = 0.0;
        Model tree;  // Ward's, fitted at k_max
        for (int32_t k = k_max; k >= k_min; --k) {
            interrupt.poll();
            CompareRow& r = out.rows[a * size_t(count) + size_t(k - k_min)];
            r.algorithm = alg;
            const auto start = std::chrono::steady_clock::now();
            const std::string step =
                std::string("the ") + model_algorithm_name(alg) + " fit at k = " + std::to_string(k);
            if (alg == ModelAlgorithm::Hierarchical && k < k_max) {
                require_step(labelling_bytes(tree), step);  // the cut: about a copy of the tree
                try {
                    r.model = hclust_recut(tree, k);
                } catch (const Error& e) {
                    throw compare_error(e, alg);
                }
                r.seconds = tree_seconds + seconds_since(start);
            } else {
                require_step(fit_bytes(alg, n, d, k, opts[a]), step);
                r.model = fit_on_copy(alg, rows, work, k, opts[a], interrupt,
                                      memory.bytes - copy - kept);
                r.seconds = seconds_since(start);
                if (alg == ModelAlgorithm::Hierarchical) {
                    tree = r.model;
                    tree_seconds = r.seconds;
                    kept += labelling_bytes(tree);  // the tree kept for the cuts
                }
            }
            r.k = r.model.k;
            r.has_model = true;
            kept += 2.0 * static_cast<double>(model_encoded_size(r.model));
            // Every fit scales the same way, so work holds the scaled rows of every model.
            require_step(labelling_bytes(r.model) + score_bytes(n, d, r.k, sample),
                         "scoring " + step.substr(4));
            score_row(r, scaled(r.model), options, out.silhouette_rows, interrupt);
            out.n_rows = r.model.n_rows;
            out.n_skipped = r.model.n_skipped;
        }
    }
    // DBSCAN once, eps and min_samples from the options or the k-distance rule.
    CompareRow& r = out.rows.back();
    r.algorithm = ModelAlgorithm::Dbscan;
    const auto start = std::chrono::steady_clock::now();
    KMeansOptions dbscan = opts[3];
    dbscan.dbscan_eps = options.eps;
    dbscan.dbscan_min_samples = options.min_samples;
    if (choose) {
        require_step(dbscan_choice_bytes(out.n_rows, d, choice_m, 1), "the k-distance curve");
        const DbscanChoice c = dbscan_default_parameters(ConstRowMap(work.data(), out.n_rows,
                                                                     work.cols()),
                                                         interrupt);
        if (options.eps == 0.0) dbscan.dbscan_eps = c.eps;
        if (options.min_samples == 0) dbscan.dbscan_min_samples = c.min_samples;
    }
    out.eps = dbscan.dbscan_eps;
    out.min_samples = dbscan.dbscan_min_samples;
    require_step(dbscan_fit_bytes(n, d), "the DBSCAN fit");
    try {
        r.model = fit_on_copy(ModelAlgorithm::Dbscan, rows, work, 1, dbscan, interrupt,
                              memory.bytes - copy - kept);
    } catch (const Error& e) {
        // Every row noise is an answer, not a failure of the comparison.
        if (e.kind() != ErrorKind::DataException || out.n_rows == 0 ||
            std::string(e.what()).find("found no cluster") == std::string::npos)
            throw;
        r.seconds = seconds_since(start);
        r.k = 0;
        r.n_noise = out.n_rows;
        r.silhouette = r.davies_bouldin = r.calinski_harabasz = r.bic = kNaN;
        return out;
    }
    r.seconds = seconds_since(start);
    r.k = r.model.k;
    r.has_model = true;
    kept += 2.0 * static_cast<double>(model_encoded_size(r.model));
    require_step(labelling_bytes(r.model) + score_bytes(n, d, r.k, sample), "scoring DBSCAN");
    int64_t unused = 0;
    score_row(r, scaled(r.model), options, unused, interrupt);
    return out;
}

}  // namespace cseg
