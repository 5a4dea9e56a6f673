"""Known answers for test/core/test_gmm.cpp: scikit-learn's GaussianMixture.

Run: /usr/bin/python3 test/reference/gmm_reference.py > test/reference/gmm_reference.txt
(scikit-learn 1.2.1, numpy 1.24.2). All on standard-scaled data (StandardScaler, gmm_fit's
default scaling) of the shipped sets: mall (age, income, score; k = 5), wholesale (the six
spending columns; k = 4), marketing (the 16 numeric columns, rows with an empty Income left
out; k = 4).

Two kinds of figures:
  fixed  GaussianMixture(k, covariance_type=t, weights_init=1/k, means_init=rows 0, 1*step, ..
         of the scaled data (step = n // k), precisions_init=identity, tol=1e-3,
         reg_covar=1e-6, max_iter=100): EM from a fixed start is deterministic, so our
         trajectory must give the same n_iter_, lower_bound_, score(X), bic(X), aic(X) (to
         1e-6 relative: the M-steps differ in rounding only).
  seeds  the same options with init_params="kmeans", n_init=1, random_state=r for r = 0..9:
         the median of score(X). Our generator differs from numpy's, so the test asks that our
         median over seeds 0..9 is >= scikit-learn's.
"""
import os
import sys
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kmeans_reference import SETS, load  # noqa: E402  (the same data sets, complete rows, scaled)

K = {"mall": 5, "wholesale": 4, "marketing": 4}  # components per set


def identity_precisions(t, k, d):
    """precisions_init of identity covariances in scikit-learn's shape for type t."""
    return {"full": np.array([np.eye(d)] * k), "tied": np.eye(d),
            "diag": np.ones((k, d)), "spherical": np.ones(k)}[t]


def main():
    warnings.simplefilter("ignore")
    print("# set type k | fixed: n_iter lower_bound score bic aic converged | seeds: median score")
    for name in SETS:
        X = load(name)
        n, d = X.shape
        k = K[name]
        step = n // k
        means = X[[i * step for i in range(k)]]
        for t in TYPES:
            g = GaussianMixture(k, covariance_type=t, weights_init=np.full(k, 1.0 / k),
                                means_init=means, precisions_init=identity_precisions(t, k, d),
                                tol=1e-3, reg_covar=1e-6, max_iter=100).fit(X)
            scores = [GaussianMixture(k, covariance_type=t, n_init=1, random_state=r,
                                      tol=1e-3, reg_covar=1e-6, max_iter=100).fit(X).score(X)
                      for r in range(10)]
            print(f"{name} {t} {k} | {g.n_iter_} {g.lower_bound_!r} {g.score(X)!r} "
                  f"{g.bic(X)!r} {g.aic(X)!r} {int(g.converged_)} | {np.median(scores)!r}")


if __name__ == "__main__":
    sys.exit(main())
