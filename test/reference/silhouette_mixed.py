"""Reference figures for test/core/test_silhouette_mixed.cpp: scikit-learn's silhouette on the
matrix of k-prototypes' mixed dissimilarities sqrt(squared numeric distance + gamma *
differing categories), an unseen category (-1) differing from every category.

Run: /usr/bin/python3 test/reference/silhouette_mixed.py   (scikit-learn 1.2)
"""
import numpy as np
from sklearn.metrics import silhouette_samples, silhouette_score

X = np.array([[0.0, 0.1], [0.2, -0.1], [0.1, 0.3], [2.0, 2.1], [2.2, 1.9],
              [1.9, 2.3], [-1.0, 3.0], [-1.2, 2.8], [0.05, 0.0], [2.1, 2.0]])
C = np.array([[0, 1], [0, 1], [1, 1], [2, 0], [2, 0], [2, -1], [1, 2], [1, 2], [0, 0],
              [-1, 0]])
labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 0, 1])
gamma = 0.7


def dissimilarity(i, j):
    mismatches = sum(1 for a, b in zip(C[i], C[j]) if a != b or a < 0)
    return np.sqrt(((X[i] - X[j]) ** 2).sum() + gamma * mismatches)


n = len(X)
D = np.array([[0.0 if i == j else dissimilarity(i, j) for j in range(n)] for i in range(n)])
print("samples", [repr(v) for v in silhouette_samples(D, labels, metric="precomputed")])
print("score", repr(silhouette_score(D, labels, metric="precomputed")))
# q = 0: the plain Euclidean silhouette of the numbers.
print("numeric score", repr(silhouette_score(X, labels)))
