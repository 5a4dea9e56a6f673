#!/usr/bin/python3
"""scikit-learn's side of bench/silhouette_bench.cpp.

    /usr/bin/python3 bench/silhouette_sklearn.py [n_rows] [n_features] [k] [repeats]

Builds the same synthetic blobs as the C++ benchmark (bit for bit: the same SplitMix64
stream and arithmetic), times sklearn.metrics.silhouette_score on them, and prints one line:
"<best wall seconds> <silhouette %.17g> <best CPU seconds, all threads>".
"""
import sys
import time

import numpy as np
from sklearn.metrics import silhouette_score

MASK = (1 << 64) - 1


def splitmix64(state):
    """One SplitMix64 step: (new state, 64 random bits)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def blobs(n, d, k):
    """Row i is in blob i % k; each feature is 2 * ((c * 7 + j * 3) % 5) plus the sum of three
    uniform [0, 1) numbers less 1.5."""
    X = np.empty((n, d))
    state = 12345
    for i in range(n):
        c = i % k
        for j in range(d):
            noise = 0.0
            for _ in range(3):
                state, bits = splitmix64(state)
                noise += (bits >> 11) * (1.0 / (1 << 53))
            X[i, j] = 2.0 * ((c * 7 + j * 3) % 5) + (noise - 1.5)
    return X, np.arange(n) % k


def main():
    n, d, k, repeats = ([int(a) for a in sys.argv[1:5]] + [20000, 8, 5, 3][len(sys.argv) - 1:])
    X, labels = blobs(n, d, k)
    best = best_cpu = float("inf")
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        score = silhouette_score(X, labels)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu_start)
    print("%.6f %.17g %.6f" % (best, score, best_cpu))


if __name__ == "__main__":
    main()
