// Times the hierarchical clustering core on rows from a raw float64 file (n x d, row-major):
//   hclust_bench linkage <file> <n> <d>            the exact tree (all rows are leaves)
//   hclust_bench micro <file> <n> <d> <leaves>     micro-clusters + Ward over them
//   hclust_bench assign <file> <n> <d> <leaves> [k] nearest-leaf labelling cost per row: the
//                                                   full search and the early stop (covers)
// Prints one line: what, seconds of CPU time, peak resident memory (MB), a checksum.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "hclust_cut.hpp"
#include "hclust_linkage.hpp"
#include "hclust_microcluster.hpp"
#include "kdtree.hpp"

namespace {

// Process CPU seconds (the machine is shared: wall time would measure the neighbours).
double cpu_seconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Peak resident set size in MB.
double peak_mb() {
    rusage u;
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: hclust_bench ward|complete|average|single|micro|assign "
                             "file n d [leaves]\n");
        return 2;
    }
    const std::string what = argv[1];
    const int64_t n = std::atoll(argv[3]);
    const int32_t d = std::atoi(argv[4]);
    std::vector<double> x(size_t(n) * size_t(d));
    std::ifstream in(argv[2], std::ios::binary);
    in.read(reinterpret_cast<char*>(x.data()), std::streamsize(x.size() * sizeof(double)));
    if (!in) {
        std::fprintf(stderr, "cannot read %lld x %d doubles from %s\n", (long long)n, d, argv[2]);
        return 2;
    }
    const double t0 = cpu_seconds();
    double check = 0.0;
    if (what == "micro" || what == "assign") {
        const int64_t leaves = std::atoll(argv[5]);
        if (what == "micro") {
            const cseg::MicroClusters mc = cseg::summarise_rows(x.data(), n, d, leaves, 3, 0, {});
            const double t1 = cpu_seconds();
            const std::vector<cseg::Merge> z = cseg::hclust_linkage(
                mc.centers.data(), mc.count, d, mc.sizes.data(), cseg::Linkage::Ward, 1e300, {});
            std::printf("micro-clusters %.3f s, ward over %lld leaves %.3f s\n", t1 - t0,
                        (long long)mc.count, cpu_seconds() - t1);
            check = z.back().height;
        } else {
            // The first `leaves` rows are the leaves, cut by Ward's tree into k clusters (argv[6],
            // default 5); every row is labelled by its nearest leaf's cluster, by the full search
            // (nearest) and by the early stop (nearest_in_group with the covers), alternately.
            const int32_t k = argc > 6 ? std::atoi(argv[6]) : 5;
            const cseg::KdTree tree(x.data(), leaves, d);
            const std::vector<cseg::Merge> z = cseg::hclust_linkage(
                x.data(), leaves, d, nullptr, cseg::Linkage::Ward, 1e300, {});
            int32_t clusters = 0;
            const std::vector<int32_t> cut = cseg::hclust_cut(z, leaves, k, &clusters);
            const std::vector<int64_t> group(cut.begin(), cut.end());
            std::vector<double> cover(static_cast<size_t>(leaves));
            const double t1 = cpu_seconds();
            std::vector<uint64_t> scratch((cseg::kdtree_cover_scratch_bytes(leaves, d) + 7) / 8);
            tree.view().group_covers(x.data(), group.data(), cover.data(), scratch.data());
            std::printf("covers of %lld leaves (%d clusters): %.3f s\n", (long long)leaves,
                        clusters, cpu_seconds() - t1);
            int64_t inside = 0, differ = 0;
            for (int64_t i = 0; i < n; ++i) {
                double sq = 0.0;
                const int64_t p = tree.nearest(x.data() + i * d, &sq);
                inside += sq < cover[size_t(p)];
                differ += group[size_t(p)] !=
                          group[size_t(tree.view().nearest_in_group(x.data() + i * d, cover.data()))];
            }
            std::printf("rows inside their nearest leaf's cover: %.1f %%, clusters differing: %lld\n",
                        100.0 * double(inside) / double(n), (long long)differ);
            for (int round = 0; round < 3; ++round) {
                double t = cpu_seconds();
                for (int64_t i = 0; i < n; ++i) check += double(group[size_t(tree.nearest(x.data() + i * d))]);
                const double full = (cpu_seconds() - t) / double(n);
                t = cpu_seconds();
                for (int64_t i = 0; i < n; ++i)
                    check -= double(group[size_t(
                        tree.view().nearest_in_group(x.data() + i * d, cover.data()))]);
                const double early = (cpu_seconds() - t) / double(n);
                std::printf("nearest of %lld leaves: full search %.3f us, early stop %.3f us per row\n",
                            (long long)leaves, full * 1e6, early * 1e6);
            }
        }
    } else {
        cseg::Linkage l;
        if (!cseg::parse_linkage(what, &l)) return 2;
        const std::vector<cseg::Merge> z = cseg::hclust_linkage(x.data(), n, d, nullptr, l, 1e300, {});
        check = z.back().height;
    }
    std::printf("%s n=%lld d=%d cpu_seconds=%.3f peak_mb=%.1f check=%.12g\n", what.c_str(),
                (long long)n, d, cpu_seconds() - t0, peak_mb(), check);
    return 0;
}
