"""Known answers for test/core/test_hclust.cpp: scipy.cluster.hierarchy.linkage and fcluster.

Run: /usr/bin/python3 test/reference/hclust_reference.py   (scipy 1.10.1, numpy 1.24.2,
scikit-learn 1.2.1). Writes test/reference/hclust_<set>.csv, one file per data set:

  row,<the scaled features>       the rows exactly as scipy saw them (StandardScaler output,
                                  printed with repr so they read back bit for bit)
  Z,<linkage>,<step>,<left>,<right>,<height>,<size>
                                  scipy.cluster.hierarchy.linkage(rows, method=<linkage>)
  cut,<linkage>,<k>,<label per row ...>
                                  fcluster(Z, k, criterion="maxclust"), renumbered 0.. in order
                                  of first appearance (a partition, not scipy's numbers),
                                  for k < n - 1 only: scipy before 1.15 mishandles k >= n - 1
                                  (gh-12651, fixed by 96dc4af2: k >= n gives singletons; we
                                  follow the fixed rule, tested in test_hclust.cpp)

Data sets (kmeans_reference.load: StandardScaler on every complete row): data/Mall_Customers.csv
(age, income, score: integers, so exact ties),
data/wholesale_customers.csv (columns Fresh .. Delicassen), the first 1000 scaled rows of
data/marketing_campaign.csv (16 numeric columns), and "ties": a small integer lattice with
duplicate rows (not scaled), built below.
"""
import os
import sys

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kmeans_reference import load as load_scaled  # noqa: E402  (the same data sets, scaled)

LINKAGES = ["ward", "complete", "average", "single"]
KS = [1, 2, 3, 4, 5, 6, 8, 10, 20]
LIMIT = {"marketing": 1000}  # rows kept (the linkage matrices stay small)


def load(name):
    X = load_scaled(name)
    return X[:LIMIT[name]] if name in LIMIT else X


def lattice():
    # 4 x 3 integer grid, some points twice or three times: equal distances everywhere.
    pts = [(x, y) for x in range(4) for y in range(3)]
    pts += [(0, 0), (2, 1), (2, 1), (3, 2)]
    return np.array(pts, dtype=float)


def first_appearance(labels):
    seen = {}
    return [seen.setdefault(v, len(seen)) for v in labels]


def write(name, X):
    with open(os.path.join(HERE, "hclust_%s.csv" % name), "w") as out:
        for r in X:
            out.write("row," + ",".join(repr(float(v)) for v in r) + "\n")
        for method in LINKAGES:
            Z = linkage(X, method=method)
            for s, (a, b, h, size) in enumerate(Z):
                out.write("Z,%s,%d,%d,%d,%r,%d\n" % (method, s, a, b, float(h), size))
            for k in [k for k in KS if k < len(X) - 1]:
                T = fcluster(Z, k, criterion="maxclust")
                out.write("cut,%s,%d,%s\n" % (method, k, ",".join(map(str, first_appearance(T)))))


def main():
    for name in ["mall", "wholesale", "marketing"]:
        write(name, load(name))
    write("ties", lattice())


if __name__ == "__main__":
    main()
