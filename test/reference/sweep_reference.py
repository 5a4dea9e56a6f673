#!/usr/bin/python3
"""Known answers for sql/sweep.sql, computed with scikit-learn 1.2.1.

Run from the repository root with the system Python that has scikit-learn:

    /usr/bin/python3 test/reference/sweep_reference.py

For k = 1..10 it fits KMeans(n_clusters=k, n_init=10, random_state=0) on the standard-scaled
mall customers (age, annual income, spending score) and prints, %.17g, the inertia and the
silhouette, Davies-Bouldin and Calinski-Harabasz scores of its labels in that scaled space
(NaN where sklearn refuses, k = 1), into sweep_reference.txt next to this script.
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from metrics_reference import mall  # noqa: E402


def main():
    X = StandardScaler().fit_transform(mall())
    with open(os.path.join(HERE, "sweep_reference.txt"), "w") as out:
        def emit(line):
            print(line)
            out.write(line + "\n")
        emit("# scikit-learn %s, numpy %s; python %s" %
             (sklearn.__version__, np.__version__, sys.version.split()[0]))
        emit("# k inertia silhouette davies_bouldin calinski_harabasz")
        for k in range(1, 11):
            km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
            if k > 1:
                scores = (silhouette_score(X, km.labels_), davies_bouldin_score(X, km.labels_),
                          calinski_harabasz_score(X, km.labels_))
            else:
                scores = (float("nan"),) * 3
            emit("%d %.17g %.17g %.17g %.17g" % ((k, km.inertia_) + scores))


if __name__ == "__main__":
    main()
