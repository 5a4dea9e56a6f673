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

Data sets: data/Mall_Customers.csv (age, income, score: integers, so exact ties),
data/wholesale_customers.csv (columns Fresh .. Delicassen), the first 1000 complete rows of
data/marketing_campaign.csv (16 numeric columns), and "ties": a small integer lattice with
duplicate rows (not scaled), built below.
"""
import csv
import os

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")
MARKETING = ["Year_Birth", "Income", "Kidhome", "Teenhome", "Recency", "MntWines", "MntFruits",
             "MntMeatProducts", "MntFishProducts", "MntSweetProducts", "MntGoldProds",
             "NumDealsPurchases", "NumWebPurchases", "NumCatalogPurchases",
             "NumStorePurchases", "NumWebVisitsMonth"]
SETS = {
    "mall": ("Mall_Customers.csv", ",", ["Age", "Annual Income (k$)", "Spending Score (1-100)"],
             None),
    "wholesale": ("wholesale_customers.csv", ";",
                  ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"], None),
    "marketing": ("marketing_campaign.csv", "\t", MARKETING, 1000),
}
LINKAGES = ["ward", "complete", "average", "single"]
KS = [1, 2, 3, 4, 5, 6, 8, 10, 20]


def load(name):
    file, delimiter, columns, limit = SETS[name]
    with open(os.path.join(DATA, file), newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    header, body = rows[0], rows[1:]
    idx = [header.index(c) for c in columns]
    kept = [r for r in body if r and all(r[j] != "" for j in idx)]
    if limit is not None:
        kept = kept[:limit]
    return StandardScaler().fit_transform(np.array([[float(r[j]) for j in idx] for r in kept]))


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
    for name in SETS:
        write(name, load(name))
    write("ties", lattice())


if __name__ == "__main__":
    main()
