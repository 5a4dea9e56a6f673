// Times cseg::silhouette_score against sklearn.metrics.silhouette_score on the same synthetic
// blobs (default 20000 x 8, 5 blobs) and prints both times, the ratio and both scores.
//
//   silhouette_bench [n_rows] [n_features] [k] [repeats] [--no-sklearn]
//
// The sklearn side is bench/silhouette_sklearn.py, which builds bit-identical data.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "metrics.hpp"

namespace {

// One SplitMix64 step, the same stream as silhouette_sklearn.py.
uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Row i is in blob i % k; each feature is 2 * ((c * 7 + j * 3) % 5) plus the sum of three
// uniform [0, 1) numbers less 1.5 (same arithmetic, same order as the Python script).
cseg::RowMatrix blobs(int64_t n, int64_t d, int64_t k, std::vector<int32_t>& labels) {
    cseg::RowMatrix X(n, d);
    labels.resize(static_cast<size_t>(n));
    uint64_t state = 12345;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t c = i % k;
        labels[static_cast<size_t>(i)] = static_cast<int32_t>(c);
        for (int64_t j = 0; j < d; ++j) {
            double noise = 0.0;
            for (int r = 0; r < 3; ++r) {
                noise += static_cast<double>(splitmix64(state) >> 11) * (1.0 / 9007199254740992.0);
            }
            X(i, j) = 2.0 * static_cast<double>((c * 7 + j * 3) % 5) + (noise - 1.5);
        }
    }
    return X;
}

// Runs the sklearn script with the same sizes; returns false if it fails.
bool run_sklearn(const std::string& args, double& seconds, double& score, double& cpu) {
    const std::string command = std::string(CSEG_SKLEARN_COMMAND) + " " + args;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return false;
    const int fields = std::fscanf(pipe, "%lf %lf %lf", &seconds, &score, &cpu);
    return pclose(pipe) == 0 && fields == 3;
}

}  // namespace

// Parses the sizes, times our silhouette (best of the repeats), then sklearn's.
int main(int argc, char** argv) {
    int64_t sizes[4] = {20000, 8, 5, 3};  // n_rows, n_features, k, repeats
    bool sklearn = true;
    for (int a = 1, s = 0; a < argc; ++a) {
        if (std::string(argv[a]) == "--no-sklearn") {
            sklearn = false;
        } else if (s < 4) {
            sizes[s++] = std::atoll(argv[a]);
        }
    }
    const int64_t n = sizes[0], d = sizes[1], k = sizes[2],
                  repeats = std::max<int64_t>(1, sizes[3]);
    std::vector<int32_t> labels;
    const cseg::RowMatrix X = blobs(n, d, k, labels);
    const cseg::ConstRowMap view(X.data(), X.rows(), X.cols());

    double best = INFINITY, best_cpu = INFINITY, ours = 0.0;
    for (int64_t r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const std::clock_t cpu_start = std::clock();
        ours = cseg::silhouette_score(view, labels.data(), cseg::Interrupt());
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        best = std::min(best, took.count());
        best_cpu =
            std::min(best_cpu, static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    }
    std::printf(
        "customer_seg silhouette_score  %lld x %lld, k=%lld: %.4f s wall, %.4f s CPU "
        "(best of %lld)  %.17g\n",
        static_cast<long long>(n), static_cast<long long>(d), static_cast<long long>(k), best,
        best_cpu, static_cast<long long>(repeats), ours);
    if (!sklearn) return 0;
    double theirs_s = 0.0, theirs = 0.0, theirs_cpu = 0.0;
    const std::string args = std::to_string(n) + " " + std::to_string(d) + " " + std::to_string(k) +
                             " " + std::to_string(repeats);
    if (!run_sklearn(args, theirs_s, theirs, theirs_cpu)) {
        std::fprintf(stderr, "could not run: %s %s\n", CSEG_SKLEARN_COMMAND, args.c_str());
        return 1;
    }
    std::printf(
        "sklearn silhouette_score       %lld x %lld, k=%lld: %.4f s wall, %.4f s CPU "
        "(best of %lld)  %.17g\n",
        static_cast<long long>(n), static_cast<long long>(d), static_cast<long long>(k), theirs_s,
        theirs_cpu, static_cast<long long>(repeats), theirs);
    std::printf("speed-up %.1fx wall, %.1fx CPU; relative difference of the scores %.2g\n",
                theirs_s / best, theirs_cpu / best_cpu, std::abs(ours - theirs) / std::abs(theirs));
    return 0;
}
