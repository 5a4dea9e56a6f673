// K-means timings: plain Lloyd vs Hamerly vs Elkan (identical results, checked here) on the
// sample data and on synthetic blobs, for choose_lloyd_variant() and the comparison with
// scikit-learn (bench/kmeans_sklearn.py times the same data). Build/run: see CMakeLists.txt.
//
//   kmeans_bench [--blobs FILE] [--n_init N] [--repeat R] [--variants plain,hamerly,elkan]
//                [--only NAME-PREFIX] [--refine hartigan|none]
// Times are CPU seconds of the benchmark thread (best of R), so a busy machine skews them less.
//
// FILE holds row-major float64 rows of 8 features (written by kmeans_sklearn.py --write); without
// it the 1M x 8 blobs are generated here (same recipe as make_blobs, different numbers).
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "csv.hpp"
#include "kmeans.hpp"
#include "kmeans_init.hpp"
#include "rng.hpp"
#include "scaler.hpp"

namespace {

using cseg::ConstRowMap;
using cseg::LloydVariant;
using cseg::RowMatrix;

// CPU seconds of this thread (the machine may be shared; wall time would count the others).
double now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Standard-scaled copy of X.
RowMatrix standardised(const RowMatrix& X) {
    RowMatrix Y = X;
    const cseg::Scaler s =
        cseg::fit_scaler(ConstRowMap(X.data(), X.rows(), X.cols()), cseg::ScaleMethod::Standard);
    s.transform_rows(cseg::RowMap(Y.data(), Y.rows(), Y.cols()));
    return Y;
}

// make_blobs-like data: `centers` centres uniform in [-10, 10]^d, unit Gaussian noise.
RowMatrix blobs(int64_t n, int32_t d, int32_t centers, uint64_t seed) {
    cseg::Rng rng(seed);
    RowMatrix C(centers, d), X(n, d);
    for (int64_t i = 0; i < C.size(); ++i) C.data()[i] = -10.0 + 20.0 * rng.next_double();
    for (int64_t i = 0; i < n; ++i) {
        const int64_t c = static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(centers)));
        for (int32_t j = 0; j < d; ++j) {
            // Box-Muller.
            const double u1 = 1.0 - rng.next_double(), u2 = rng.next_double();
            X(i, j) = C(c, j) + std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
        }
    }
    return X;
}

// Raw float64 rows of d features.
RowMatrix read_raw(const std::string& path, int32_t d) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error("cannot open " + path);
    const int64_t bytes = in.tellg();
    in.seekg(0);
    RowMatrix X(bytes / 8 / d, d);
    in.read(reinterpret_cast<char*>(X.data()), X.size() * 8);
    return X;
}

const char* variant_name(LloydVariant v) {
    switch (v) {
        case LloydVariant::Plain:
            return "plain";
        case LloydVariant::Hamerly:
            return "hamerly";
        case LloydVariant::Elkan:
            return "elkan";
        default:
            return "auto";
    }
}

struct Options {
    int32_t n_init = 1;
    int32_t repeat = 3;
    std::string only;  // run only the data sets whose name starts with this
    cseg::RefineMethod refine = cseg::RefineMethod::Hartigan;
    std::vector<LloydVariant> variants{LloydVariant::Plain, LloydVariant::Hamerly,
                                       LloydVariant::Elkan};
};

// Times kmeans_run per variant (best of repeat) and checks that all variants agree exactly.
void bench(const char* name, const RowMatrix& X, int32_t k, const Options& o) {
    if (std::string(name).rfind(o.only, 0) != 0) return;
    const ConstRowMap map(X.data(), X.rows(), X.cols());
    cseg::KMeansOptions opts;
    opts.n_init = o.n_init;
    opts.refine = o.refine;
    // Initialisation alone (k-means++), for reference.
    double t_init = 1e300;
    for (int32_t r = 0; r < o.repeat; ++r) {
        cseg::Rng rng = cseg::Rng::for_stream(0, 0);
        const double t0 = now();
        (void)cseg::kmeans_plusplus(map, k, rng, cseg::Interrupt());
        t_init = std::min(t_init, now() - t0);
    }
    std::printf("%-10s n=%-8lld d=%-3lld k=%-3d n_init=%d  k-means++ %.1f ms/restart, auto=%s\n",
                name, static_cast<long long>(X.rows()), static_cast<long long>(X.cols()), k,
                o.n_init, t_init * 1e3,
                variant_name(cseg::choose_lloyd_variant(X.rows(), k, int32_t(X.cols()))));
    cseg::KMeansRun first;
    bool have_first = false;
    for (LloydVariant v : o.variants) {
        double best = 1e300;
        cseg::KMeansRun run;
        for (int32_t r = 0; r < o.repeat; ++r) {
            const double t0 = now();
            run = cseg::kmeans_run(map, k, opts, cseg::Interrupt(), v);
            best = std::min(best, now() - t0);
        }
        bool same = true;
        if (have_first) {
            same = run.labels == first.labels && run.n_iter == first.n_iter &&
                   std::memcmp(&run.inertia, &first.inertia, sizeof(double)) == 0 &&
                   run.centers == first.centers;
        } else {
            first = run;
            have_first = true;
        }
        std::printf("    %-8s %9.2f ms  n_iter=%-4d inertia=%.17g %s\n", variant_name(v),
                    best * 1e3, run.n_iter, run.inertia,
                    same ? "" : "  ** DIFFERS FROM FIRST VARIANT **");
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::string blobs_file;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--blobs")
            blobs_file = v;
        else if (a == "--n_init")
            o.n_init = std::stoi(v);
        else if (a == "--repeat")
            o.repeat = std::stoi(v);
        else if (a == "--only")
            o.only = v;
        else if (a == "--refine")
            o.refine = v == "none" ? cseg::RefineMethod::None : cseg::RefineMethod::Hartigan;
        else if (a == "--variants") {
            o.variants.clear();
            if (v.find("plain") != std::string::npos) o.variants.push_back(LloydVariant::Plain);
            if (v.find("hamerly") != std::string::npos) o.variants.push_back(LloydVariant::Hamerly);
            if (v.find("elkan") != std::string::npos) o.variants.push_back(LloydVariant::Elkan);
        } else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    namespace td = cseg::testdata;
    const RowMatrix mall = standardised(td::mall_customers());
    const RowMatrix wholesale = standardised(td::wholesale_customers());
    const RowMatrix marketing = standardised(td::complete_rows(td::marketing_campaign()));
    for (int32_t k : {3, 5, 8}) bench("mall", mall, k, o);
    for (int32_t k : {3, 5, 8}) bench("wholesale", wholesale, k, o);
    for (int32_t k : {3, 5, 8, 16, 32}) bench("marketing", marketing, k, o);

    if (!o.only.empty() && std::string("blobs").rfind(o.only, 0) != 0 &&
        std::string("wide").rfind(o.only, 0) != 0 && std::string("high").rfind(o.only, 0) != 0)
        return 0;
    const RowMatrix big = blobs_file.empty() ? blobs(1000000, 8, 8, 42) : read_raw(blobs_file, 8);
    bench("blobs", big, 8, o);
    const RowMatrix mid = blobs(200000, 8, 32, 7);
    for (int32_t k : {8, 16, 32, 64}) bench("blobs32c", mid, k, o);
    const RowMatrix wide = blobs(100000, 32, 16, 9);
    for (int32_t k : {8, 16, 32}) bench("wide", wide, k, o);
    const RowMatrix high = blobs(50000, 64, 32, 11);
    for (int32_t k : {16, 32, 64}) bench("high", high, k, o);
    return 0;
}
