#!/usr/bin/python3
"""scikit-learn side of bench/kmeans_bench.cpp: times KMeans on the same data.

Run with the system interpreter (scikit-learn 1.2.1 is installed there):
    /usr/bin/python3 bench/kmeans_sklearn.py --write /tmp/blobs_1m_8.f64 [--threads N]
--write also stores the 1M x 8 blobs as raw float64 rows for kmeans_bench --blobs.
Times are best of --repeat, wall clock and CPU (all threads of the process); scikit-learn
uses OpenMP threads (all cores unless --threads), the C++ core one thread, whose CPU time
kmeans_bench prints.
"""
import argparse
import csv
import os
import time

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def load(name, delimiter, columns):
    with open(os.path.join(DATA, name), newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    header, body = rows[0], rows[1:]
    idx = [header.index(c) for c in columns]
    kept = [r for r in body if r and all(r[j] != "" for j in idx)]
    return np.array([[float(r[j]) for j in idx] for r in kept])


def best_time(fn, repeat):
    """Best wall-clock and best CPU (all threads of the process) seconds, and the result."""
    best, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best, best_cpu, out


def bench(name, X, k, n_init, repeat, algorithm="lloyd"):
    t, cpu, km = best_time(
        lambda: KMeans(k, n_init=n_init, random_state=0, algorithm=algorithm).fit(X), repeat)
    t_init, cpu_init, _ = best_time(lambda: kmeans_plusplus(X, k, random_state=0), repeat)
    print(f"{name:10s} n={X.shape[0]:<8d} d={X.shape[1]:<3d} k={k:<3d} n_init={n_init} "
          f"{algorithm:6s} fit {t * 1e3:9.2f} ms wall {cpu * 1e3:9.2f} ms cpu  "
          f"(k-means++ alone {t_init * 1e3:7.2f} ms wall {cpu_init * 1e3:7.2f} ms cpu) "
          f"n_iter={km.n_iter_} inertia={km.inertia_:.17g}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", help="store the 1M x 8 blobs here (raw float64, row-major)")
    ap.add_argument("--n_init", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()

    with threadpool_limits(limits=a.threads):
        mall = StandardScaler().fit_transform(load(
            "Mall_Customers.csv", ",", ["Age", "Annual Income (k$)", "Spending Score (1-100)"]))
        for k in (3, 5, 8):
            bench("mall", mall, k, a.n_init, a.repeat)
        X, _ = make_blobs(n_samples=1_000_000, n_features=8, centers=8, random_state=0)
        X = np.ascontiguousarray(X, dtype=np.float64)
        if a.write:
            X.tofile(a.write)
        for alg in ("lloyd", "elkan"):
            bench("blobs", X, 8, a.n_init, a.repeat, alg)


if __name__ == "__main__":
    main()
