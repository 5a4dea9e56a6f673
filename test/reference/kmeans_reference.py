"""Known answers for test/core/test_kmeans.cpp and test_fit_model.cpp: scikit-learn's KMeans.

Run: /usr/bin/python3 test/reference/kmeans_reference.py   (scikit-learn 1.2.1, numpy 1.24.2)

Two kinds of figures, all on standard-scaled data (StandardScaler, as kmeans_fit's default):
  fit    KMeans(k, n_init=10, random_state=r): inertia_ for r = 0, then the min, median and max
         of inertia_ over r = 0 .. 29. Our generator differs from numpy's, so a single run can
         only be compared with scikit-learn's spread: the tests ask that ours (seed 0) is not
         worse than scikit-learn's random_state=0 on the mall data, not worse than its worst
         over the 30 states elsewhere, and that our median over seeds 0 .. 14 is within 1e-3 of
         its median.
  single KMeans(k, init=<given rows of the scaled data>, n_init=1, algorithm="lloyd"): one Lloyd
         run from fixed centres, which must match ours exactly: n_iter_, inertia_, and a
         checksum of labels_ (sum of (i + 1) * label_i) and the sizes.
The data sets: data/Mall_Customers.csv (age, income, score), data/wholesale_customers.csv
(columns 3..8), data/marketing_campaign.csv (the 16 numeric columns, rows with an empty
Income left out).
"""
import csv
import os
import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")

MARKETING = ["Year_Birth", "Income", "Kidhome", "Teenhome", "Recency", "MntWines", "MntFruits",
             "MntMeatProducts", "MntFishProducts", "MntSweetProducts", "MntGoldProds",
             "NumDealsPurchases", "NumWebPurchases", "NumCatalogPurchases",
             "NumStorePurchases", "NumWebVisitsMonth"]
SETS = {
    "mall": ("Mall_Customers.csv", ",", ["Age", "Annual Income (k$)", "Spending Score (1-100)"]),
    "wholesale": ("wholesale_customers.csv", ";",
                  ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]),
    "marketing": ("marketing_campaign.csv", "\t", MARKETING),
}


def load(name):
    file, delimiter, columns = SETS[name]
    with open(os.path.join(DATA, file), newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    header, body = rows[0], rows[1:]
    idx = [header.index(c) for c in columns]
    kept = [r for r in body if r and all(r[j] != "" for j in idx)]
    return StandardScaler().fit_transform(np.array([[float(r[j]) for j in idx] for r in kept]))


def checksum(labels):
    return int(sum((i + 1) * int(v) for i, v in enumerate(labels)))


def main():
    warnings.simplefilter("ignore")
    print("# fit: set k inertia(random_state=0) n_iter min median max (over random_state 0..29)")
    for name, ks in [("mall", (5,)), ("wholesale", (3, 5, 8)), ("marketing", (3, 5, 8))]:
        X = load(name)
        for k in ks:
            runs = [KMeans(k, n_init=10, random_state=r).fit(X) for r in range(30)]
            v = np.array([km.inertia_ for km in runs])
            print(f"fit {name} {k} {runs[0].inertia_!r} {runs[0].n_iter_} "
                  f"{v.min()!r} {float(np.median(v))!r} {v.max()!r}")
    print("# single: set init_rows max_iter tol n_iter inertia label_checksum sizes")
    cases = [
        ("mall", [0, 1, 2, 3, 4], 300, 1e-4),
        ("mall", [0, 0, 1, 2, 3], 300, 1e-4),  # duplicate centre: an empty cluster at once
        ("mall", [10, 20, 30, 40, 50, 60, 70, 80], 300, 0.0),
        ("mall", [0, 1, 2, 3, 4], 2, 1e-4),  # stopped by max_iter: final assignment step
        ("wholesale", [0, 1, 2, 3, 4, 5, 6, 7], 300, 1e-4),
        ("wholesale", [5, 6, 7], 300, 1e-2),  # stopped by tol
        ("marketing", [0, 1, 2, 3, 4, 5, 6, 7], 300, 1e-4),
        ("marketing", list(range(0, 2000, 100)), 300, 1e-4),
    ]
    for name, rows, max_iter, tol in cases:
        X = load(name)
        init = X[rows].copy()
        km = KMeans(len(rows), init=init, n_init=1, max_iter=max_iter, tol=tol,
                    algorithm="lloyd").fit(X)
        sizes = np.bincount(km.labels_, minlength=len(rows))
        print(f"single {name} {','.join(map(str, rows))} {max_iter} {tol!r} {km.n_iter_} "
              f"{km.inertia_!r} {checksum(km.labels_)} {','.join(map(str, sizes))}")


if __name__ == "__main__":
    main()
