"""Known answers for test/core/test_dbscan.cpp: scikit-learn's DBSCAN.

Run: /usr/bin/python3 test/reference/dbscan_reference.py   (scikit-learn 1.2.1, numpy 1.24.2)
Writes test/reference/dbscan_<set>.csv: one line per row of the standard-scaled set, in file
order (rows with an empty field left out), "is_core,label" of
DBSCAN(eps, min_samples, algorithm="kd_tree").fit(X) (labels_: -1 noise), and prints
the parameters and counts. The sets and parameters:
  mall       age, income, score                    eps 0.5, min_samples 5
  wholesale  the six spending columns             eps 0.6, min_samples 4
  marketing  the 16 numeric columns               eps 1.8, min_samples 6
Also the 10-distance of every mall row (k-distance curve for min_samples 10, sorted), whose
sum the k-distance test checks.
"""
import os
import sys

import numpy as np
from sklearn.cluster import DBSCAN
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmm_reference import load  # noqa: E402  (same loader and scaling)

HERE = os.path.dirname(os.path.abspath(__file__))
PARAMS = {"mall": (0.5, 5), "wholesale": (0.6, 4), "marketing": (1.8, 6)}


def main():
    for name, (eps, ms) in PARAMS.items():
        X = load(name)
        db = DBSCAN(eps=eps, min_samples=ms, algorithm="kd_tree").fit(X)
        core = np.zeros(len(X), dtype=int)
        core[db.core_sample_indices_] = 1
        with open(os.path.join(HERE, f"dbscan_{name}.csv"), "w") as f:
            f.write("is_core,label\n")
            for c, l in zip(core, db.labels_):
                f.write(f"{c},{l}\n")
        print(f"{name}: eps {eps} min_samples {ms}: {core.sum()} core, "
              f"{db.labels_.max() + 1} clusters, {(db.labels_ == -1).sum()} noise")
    X = load("mall")
    d = NearestNeighbors(n_neighbors=10).fit(X).kneighbors(X)[0][:, -1]
    print(f"mall 10-distance sum {np.sort(d).sum()!r} max {d.max()!r}")


if __name__ == "__main__":
    main()
