"""Known answers for test/core/test_scaler.cpp: scikit-learn's scalers on the mall data.

Run: /usr/bin/python3 test/reference/scaler_reference.py   (scikit-learn 1.2.1, Debian)
"""
import csv
import os

import numpy as np
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "data", "Mall_Customers.csv"), newline="") as f:
    rows = list(csv.reader(f))[1:]
X = np.array([[float(r[2]), float(r[3]), float(r[4])] for r in rows])
for name, s in [("standard", StandardScaler()), ("minmax", MinMaxScaler()),
                ("robust", RobustScaler())]:
    s.fit(X)
    if name == "minmax":
        center, scale = s.data_min_, s.data_range_
    else:
        center, scale = (s.mean_ if name == "standard" else s.center_), s.scale_
    print(name, "center", " ".join(repr(float(v)) for v in center))
    print(name, "scale ", " ".join(repr(float(v)) for v in scale))
    print(name, "row0  ", " ".join(repr(float(v)) for v in s.transform(X[:1])[0]))
