"""Hierarchical clustering: customer_seg's core against scipy 1.10.1, side by side.

Run: make bench-hclust   (or: cmake -S bench -B build-bench -DCMAKE_BUILD_TYPE=Release &&
cmake --build build-bench -j2 --target hclust_bench && /usr/bin/python3 bench/hclust_bench.py)

Rows: standard-normal blobs, 8 features, seeded (numpy default_rng(0)): 5 centres, scaled as
StandardScaler. Times are process CPU seconds (the machine is shared), both sides. scipy's
linkage builds the condensed n x n distance matrix for every method: its size is reported.
"""
import resource
import subprocess
import sys
import time

import numpy as np
from scipy.cluster.hierarchy import linkage

BIN = sys.argv[1] if len(sys.argv) > 1 else "build-bench/hclust_bench"


def blobs(n, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(5, d))
    X = centres[rng.integers(0, 5, size=n)] + rng.normal(size=(n, d))
    return (X - X.mean(0)) / X.std(0)


def ours(what, path, n, d, extra=()):
    out = subprocess.run([BIN, what, path, str(n), str(d), *map(str, extra)], check=True,
                         capture_output=True, text=True).stdout
    print("  ours:", out.strip().replace("\n", " | "))
    fields = dict(f.split("=") for f in out.split() if "=" in f)
    return float(fields.get("cpu_seconds", "nan")), float(fields.get("peak_mb", "nan"))


def scipy_time(X, method):
    t = time.process_time()
    Z = linkage(X, method)
    return time.process_time() - t, Z[-1, 2]


def main():
    print("| what | n | ours CPU s | scipy CPU s | ratio | scipy condensed matrix MB |")
    print("|---|---|---|---|---|---|")
    for method, n in [("ward", 20000), ("single", 20000), ("complete", 10000),
                      ("average", 10000)]:
        X = blobs(n)
        path = "/tmp/hclust_bench_%d.f64" % n
        X.tofile(path)
        t_ours, _ = ours(method, path, n, 8)
        t_scipy, top = scipy_time(X, method)
        print("  scipy: %s top height %.12g" % (method, top))
        print("| %s | %d | %.2f | %.2f | %.2f | %.0f |" % (
            method, n, t_ours, t_scipy, t_ours / t_scipy, n * (n - 1) / 2 * 8 / 2**20))
    X = blobs(1000000)
    X.tofile("/tmp/hclust_bench_1m.f64")
    t, mb = ours("micro", "/tmp/hclust_bench_1m.f64", 1000000, 8, [20000])
    print("| micro-clusters + ward, 20000 leaves | 1000000 | %.2f | - | - | (peak %.0f MB) |" % (t, mb))
    ours("assign", "/tmp/hclust_bench_1m.f64", 1000000, 8, [20000])
    print("scipy peak RSS of this process: %.0f MB" % (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
