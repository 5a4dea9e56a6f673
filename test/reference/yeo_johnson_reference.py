#!/usr/bin/python3
"""Yeo-Johnson lambdas of scikit-learn 1.2's PowerTransformer(method="yeo-johnson",
standardize=False) on the shipped real data, written once into test/core/test_feature_pipeline.cpp.
Run from the project root: /usr/bin/python3 test/reference/yeo_johnson_reference.py"""
import numpy as np
import csv
import sklearn
from sklearn.preprocessing import PowerTransformer

print("# sklearn", sklearn.__version__)


def columns(path, sep, cols):
    """The named columns of a delimited file as floats (an empty field is NaN)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter=sep))
    return np.array([[float(r[c]) if r[c] != "" else np.nan for c in cols] for r in rows])


sets = {
    "mall": ("data/Mall_Customers.csv", ",",
             ["Age", "Annual Income (k$)", "Spending Score (1-100)"]),
    "wholesale": ("data/wholesale_customers.csv", ";",
                  ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]),
    "marketing": ("data/marketing_campaign.csv", "\t",
                  ["Income", "Recency", "MntWines", "MntGoldProds", "NumWebVisitsMonth"]),
}
for name, (path, sep, cols) in sets.items():
    X = columns(path, sep, cols)   # NaN (marketing's 24 empty incomes) is skipped
    pt = PowerTransformer(method="yeo-johnson", standardize=False).fit(X)
    print(name, " ".join(repr(float(v)) for v in pt.lambdas_))
# Mixed signs: wholesale's Fresh centred on its median and divided by 1000.
fresh = columns("data/wholesale_customers.csv", ";", ["Fresh"]).ravel()
x = (fresh - np.median(fresh)) / 1000.0
pt = PowerTransformer(method="yeo-johnson", standardize=False).fit(x.reshape(-1, 1))
print("fresh_centred", repr(float(pt.lambdas_[0])))
# Transform and inverse of a few values at fitted and edge lambdas.
for lam in (pt.lambdas_[0], 0.0, 2.0, -0.7):
    pt.lambdas_ = np.array([lam])
    v = np.array([[-3.5], [-0.25], [0.0], [0.5], [12.0]])
    print("transform", repr(float(lam)), " ".join(repr(float(t)) for t in pt.transform(v).ravel()))
