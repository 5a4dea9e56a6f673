#!/usr/bin/python3
"""Known answers for test/core/test_pca.cpp, computed with scikit-learn 1.2.1.

Run from the repository root with the system Python that has scikit-learn:

    /usr/bin/python3 test/reference/pca_reference.py

For the mall (age, income, score), wholesale (six spending columns) and marketing (16 numeric
columns, rows with a missing Income left out) customers it standard-scales the rows
(StandardScaler) and fits PCA(n_components=2, svd_solver="full"): the exact PCA. (The default
"auto" picks the randomized solver above 500 rows and 2 < 0.8 * features, an approximation:
on the marketing rows it is 1.4e-3 away from the exact coordinates.) It writes, next to this script:
  pca_<dataset>.csv      the two coordinates of every row (fit_transform), %.17g
  pca_reference.txt      explained_variance_, explained_variance_ratio_ and components_, %.17g
scikit-learn orients each axis by its own svd_flip rule; customer_seg orients it so the
largest-magnitude loading is positive, so the test compares up to the sign of each axis.
"""
import csv
import os

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")


def columns(path, delimiter, names):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    idx = [rows[0].index(n) for n in names]
    out = [[float(r[i]) if r[i] != "" else np.nan for i in idx] for r in rows[1:] if r]
    X = np.array(out)
    return X[~np.isnan(X).any(axis=1)]


DATASETS = {
    "mall": columns(os.path.join(DATA, "Mall_Customers.csv"), ",",
                    ["Age", "Annual Income (k$)", "Spending Score (1-100)"]),
    "wholesale": columns(os.path.join(DATA, "wholesale_customers.csv"), ";",
                         ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper",
                          "Delicassen"]),
    "marketing": columns(os.path.join(DATA, "marketing_campaign.csv"), "\t",
                         ["Year_Birth", "Income", "Kidhome", "Teenhome", "Recency", "MntWines",
                          "MntFruits", "MntMeatProducts", "MntFishProducts",
                          "MntSweetProducts", "MntGoldProds", "NumDealsPurchases",
                          "NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases",
                          "NumWebVisitsMonth"]),
}

with open(os.path.join(HERE, "pca_reference.txt"), "w") as txt:
    txt.write("# scikit-learn %s PCA(n_components=2, svd_solver=full) on StandardScaler rows\n"
              % sklearn.__version__)
    for name, X in DATASETS.items():
        Z = StandardScaler().fit_transform(X)
        pca = PCA(n_components=2, svd_solver="full")
        Y = pca.fit_transform(Z)
        with open(os.path.join(HERE, "pca_%s.csv" % name), "w") as f:
            for a, b in Y:
                f.write("%.17g,%.17g\n" % (a, b))
        txt.write("%s rows=%d explained_variance=%.17g,%.17g ratio=%.17g,%.17g\n"
                  % (name, len(X), *pca.explained_variance_, *pca.explained_variance_ratio_))
        for comp in pca.components_:
            txt.write("%s component=%s\n" % (name, ",".join("%.17g" % v for v in comp)))
print(open(os.path.join(HERE, "pca_reference.txt")).read())
