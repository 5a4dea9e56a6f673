"""A plain k-prototypes (Huang 1997, 1998; batch form) to check src/core/kprototypes.cpp.

Data: data/marketing_campaign.csv, rows with an income (2216 of 2240), numeric features
income, age (2014 - Year_Birth), Recency and total spend (the six Mnt* columns), standard
scaled (mean, population std); categorical Education and Marital_Status, codes = rank in the
sorted distinct values. Cost of a row = squared Euclidean distance of the scaled numbers to
the prototype's mean + gamma * number of categories that differ from the prototype's modes.

Each round assigns every row to its cheapest prototype (first on ties), then sets means (sums
in row order) and modes (most frequent code, lowest on ties); a cluster left empty takes the
row of highest cost (scikit-learn's rule). Stop after the round whose assignment changed no
label, or after max_iter rounds (then assign once more).

Writes test/reference/kprototypes_marketing.txt, read by test/core/test_kprototypes.cpp:
  gamma_default <0.5 * mean population std of the scaled columns>
  fixed <k> <gamma> <init rows...> | <n_iter> <cost> | <labels>
  best_of <n> <k> <gamma> <best cost> <median cost>
Run: /usr/bin/python3 test/reference/kprototypes_reference.py   (numpy only)
"""
import csv
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "marketing_campaign.csv")
MNT = ["MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts",
       "MntGoldProds"]


def load():
    """Numeric (n x 4, original units) and categorical (n x 2, codes) of the rows with income."""
    with open(DATA, newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["Income"] != ""]
    num = np.array([[float(r["Income"]), 2014.0 - float(r["Year_Birth"]), float(r["Recency"]),
                     sum(float(r[c]) for c in MNT)] for r in rows])
    cats = []
    for col in ["Education", "Marital_Status"]:
        vocab = sorted({r[col] for r in rows})
        cats.append([vocab.index(r[col]) for r in rows])
    return num, np.array(cats, dtype=np.int64).T


def scale(num):
    """Standard scaling with the population standard deviation."""
    return (num - num.mean(axis=0)) / num.std(axis=0)


def costs(X, C, centers, modes, gamma):
    """n x k matrix of mixed costs."""
    sq = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    mismatches = (C[:, None, :] != modes[None, :, :]).sum(axis=2)
    return sq + gamma * mismatches


def kprototypes(X, C, centers, modes, gamma, max_iter=300):
    """Batch k-prototypes from the given prototypes: (labels, cost, n_iter)."""
    n, k = X.shape[0], centers.shape[0]
    n_cat = C.max(axis=0) + 1
    centers, modes = centers.copy(), modes.copy()
    labels = np.full(n, -1)
    converged, n_iter = False, max_iter
    for it in range(max_iter):
        D = costs(X, C, centers, modes, gamma)
        new = D.argmin(axis=1)
        row_cost = D[np.arange(n), new]
        changed = bool((new != labels).any())
        labels = new
        counts = np.bincount(labels, minlength=k)
        sums = np.stack([np.bincount(labels, weights=X[:, j], minlength=k)
                         for j in range(X.shape[1])], axis=1)
        freq = [np.zeros((k, n_cat[j]), dtype=np.int64) for j in range(C.shape[1])]
        for j in range(C.shape[1]):
            np.add.at(freq[j], (labels, C[:, j]), 1)
        empty = [c for c in range(k) if counts[c] == 0]
        if empty:
            order = sorted(range(n), key=lambda i: (-row_cost[i], i))
            for c, i in zip(empty, order):
                old = labels[i]
                sums[old] -= X[i]
                counts[old] -= 1
                sums[c] += X[i]
                counts[c] += 1
                for j in range(C.shape[1]):
                    freq[j][old, C[i, j]] -= 1
                    freq[j][c, C[i, j]] += 1
                labels[i] = c
        for c in range(k):
            if counts[c] > 0:
                centers[c] = sums[c] / counts[c]
                for j in range(C.shape[1]):
                    modes[c, j] = int(freq[j][c].argmax())
        if not changed:
            converged, n_iter = True, it + 1
            break
    if not converged:
        labels = costs(X, C, centers, modes, gamma).argmin(axis=1)
    final = costs(X, C, centers, modes, gamma)[np.arange(n), labels].sum()
    return labels, float(final), n_iter


def main():
    num, C = load()
    X = scale(num)
    out = [f"gamma_default {0.5 * np.mean(X.std(axis=0))!r}"]
    for k, gamma, init in [(4, 0.5, [0, 555, 1110, 1665]),
                           (6, 1.25, [3, 400, 800, 1200, 1600, 2000]),
                           (3, 0.0, [10, 20, 30])]:
        labels, cost, n_iter = kprototypes(X, C, X[init], C[init], gamma)
        out.append(f"fixed {k} {gamma!r} {' '.join(map(str, init))} | {n_iter} {cost!r} | "
                   + "".join(map(str, labels)))
    # Best of n random starts (k distinct rows each, numpy's generator): what a user of a
    # plain implementation would get with many restarts.
    n_starts, k, gamma = 50, 4, 0.5
    rng = np.random.RandomState(0)
    starts = [kprototypes(X, C, X[init], C[init], gamma)[1]
              for init in (rng.choice(X.shape[0], k, replace=False) for _ in range(n_starts))]
    out.append(f"best_of {n_starts} {k} {gamma!r} {min(starts)!r} {float(np.median(starts))!r}")
    with open(os.path.join(HERE, "kprototypes_marketing.txt"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(line[:120] for line in out))


if __name__ == "__main__":
    main()
