#!/usr/bin/python3
"""Known answers for test/core/test_metrics.cpp, computed with scikit-learn 1.2.1.

Run from the repository root with the system Python that has scikit-learn:

    /usr/bin/python3 test/reference/metrics_reference.py

It writes, next to this script:
  <dataset>_kmeans<k>.csv        one label per line: KMeans(n_clusters=k, n_init=10,
                                 random_state=0) fitted on the standard-scaled features
  <dataset>_silhouette_samples.csv
                                 sklearn silhouette_samples on the raw features with the
                                 KMeans labels (mall and marketing)
  metrics_reference.txt          silhouette_score, davies_bouldin_score and
                                 calinski_harabasz_score for every case, %.17g; the test
                                 carries the same figures
It also prints how far sklearn's silhouette (GEMM distances) is from one computed with
directly differenced distances (scipy cdist), to show the rounding floor of the figures.
"""
import csv
import os
import sys

import numpy as np
import sklearn
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.metrics import (calinski_harabasz_score, davies_bouldin_score,
                             silhouette_samples, silhouette_score)
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")


def read_rows(name, delimiter):
    with open(os.path.join(DATA, name), newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    return rows[0], [r for r in rows[1:] if r]


def mall():
    # Age, Annual Income (k$), Spending Score (1-100)
    _, rows = read_rows("Mall_Customers.csv", ",")
    return np.array([[float(v) for v in r[2:5]] for r in rows])


def wholesale():
    # Fresh, Milk, Grocery, Frozen, Detergents_Paper, Delicassen (columns 3..8)
    _, rows = read_rows("wholesale_customers.csv", ";")
    return np.array([[float(v) for v in r[2:8]] for r in rows])


def marketing():
    # Every numeric column but ID; rows with an empty Income are skipped.
    header, rows = read_rows("marketing_campaign.csv", "\t")
    cols = [i for i, h in enumerate(header)
            if h not in ("ID", "Education", "Marital_Status", "Dt_Customer")]
    income = header.index("Income")
    return np.array([[float(r[i]) for i in cols] for r in rows if r[income] != ""])


# Arbitrary raw label values for the modulo labelling: exercises the label encoding.
MOD_VALUES = np.array([42, -7, 1000000])


def exact_silhouette(X, labels):
    """Silhouette with directly differenced distances (no GEMM cancellation)."""
    D = cdist(X, X)
    _, enc = np.unique(labels, return_inverse=True)
    L = enc.max() + 1
    freqs = np.bincount(enc)
    sums = np.stack([D[:, enc == c].sum(axis=1) for c in range(L)], axis=1)
    idx = np.arange(len(X))
    a = sums[idx, enc] / (freqs[enc] - 1).clip(min=0)
    sums[idx, enc] = np.inf
    b = (sums / freqs).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.nan_to_num((b - a) / np.maximum(a, b))
    return s.mean()


def main():
    out = open(os.path.join(HERE, "metrics_reference.txt"), "w")

    def emit(line):
        print(line)
        out.write(line + "\n")

    emit("# scikit-learn %s, numpy %s; python %s" %
         (sklearn.__version__, np.__version__, sys.version.split()[0]))
    emit("# case silhouette_score davies_bouldin_score calinski_harabasz_score")
    worst = 0.0
    for name, load, k in (("mall", mall, 5), ("wholesale", wholesale, 4),
                          ("marketing", marketing, 4)):
        X = load()
        Xs = StandardScaler().fit_transform(X)
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Xs).labels_
        np.savetxt(os.path.join(HERE, "%s_kmeans%d.csv" % (name, k)), km, fmt="%d",
                   header="label", comments="")
        mod = MOD_VALUES[np.arange(len(X)) % 3]
        if name in ("mall", "marketing"):
            np.savetxt(os.path.join(HERE, "%s_silhouette_samples.csv" % name),
                       silhouette_samples(X, km), fmt="%.17g", header="silhouette",
                       comments="")
        for feats, F in (("raw", X), ("scaled", Xs)):
            for lab, y in (("kmeans%d" % k, km), ("mod3", mod)):
                s = silhouette_score(F, y)
                emit("%s_%s_%s %.17g %.17g %.17g" % (
                    name, feats, lab, s, davies_bouldin_score(F, y),
                    calinski_harabasz_score(F, y)))
                e = exact_silhouette(F, y)
                worst = max(worst, abs(s - e) / abs(e))
                print("#   direct-difference silhouette %.17g (rel. diff %.2g)" %
                      (e, abs(s - e) / abs(e)))
    emit("# largest relative gap sklearn vs direct-difference silhouette: %.2g" % worst)

    # Edge cases (the test builds the same inputs).
    X = mall()
    km = np.loadtxt(os.path.join(HERE, "mall_kmeans5.csv"), skiprows=1, dtype=int)
    n_minus_1 = np.arange(len(X))
    n_minus_1[1] = 0
    small = (
        # three clusters, one a singleton
        ("singleton", np.array([[0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [20, 20]], float),
         np.array([0, 0, 0, 1, 1, 2])),
        # every row the same point: all distances 0
        ("identical", np.full((6, 2), 3.0), np.array([0, 0, 0, 1, 1, 1])),
        # clusters of duplicated points
        ("duplicates", np.array([[1, 1], [1, 1], [4, 5], [4, 5], [4, 5]], float),
         np.array([0, 0, 1, 1, 1])),
        # every mall row twice
        ("mall_duplicated", np.repeat(X, 2, axis=0), np.repeat(km, 2)),
        # mall with a constant fourth feature
        ("mall_constant", np.hstack([X, np.full((len(X), 1), 7.0)]), km),
        # n - 1 labels: rows 0 and 1 together, every other row alone
        ("mall_n_minus_1", X, n_minus_1),
    )
    for name, F, y in small:
        emit("%s %.17g %.17g %.17g" % (name, silhouette_score(F, y),
                                       davies_bouldin_score(F, y),
                                       calinski_harabasz_score(F, y)))
        if name == "singleton":
            emit("# singleton silhouette_samples " +
                 " ".join("%.17g" % v for v in silhouette_samples(F, y)))
    out.close()


if __name__ == "__main__":
    main()
