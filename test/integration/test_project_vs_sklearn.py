"""seg_project against scikit-learn's exact PCA (PCA(n_components=2, svd_solver="full")) on the
standard-scaled training rows of the mall, wholesale and marketing customers: every row's two
coordinates agree up to the sign of each axis, to 1e-9 (relative to 1 + |value|).

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_project_vs_sklearn.py
"""
import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from dbtest import Checks, connect, fresh_database

CASES = {
    "mall_customers": ["age", "annual_income", "spending_score"],
    "wholesale_customers": ["fresh", "milk", "grocery", "frozen", "detergents_paper",
                            "delicassen"],
    "marketing_campaign": ["year_birth", "income", "kidhome", "teenhome", "recency",
                           "mnt_wines", "mnt_fruits", "mnt_meat_products"],
}


def main():
    checks = Checks()
    with fresh_database("it_project_sklearn", load=("mall", "wholesale", "marketing")) as db:
        cur = connect(db).cursor()
        for table, cols in CASES.items():
            arr = "ARRAY[" + ", ".join(f"{c}::float8" for c in cols) + "]"
            cur.execute(f"SELECT {arr}, seg_project(m, {arr}) FROM {table}, "
                        f"(SELECT kmeans_fit({arr}, 4) AS m FROM {table}) s "
                        f"WHERE seg_project(m, {arr}) IS NOT NULL")
            rows = cur.fetchall()
            X = np.array([r[0] for r in rows], dtype=float)
            ours = np.array([r[1] for r in rows], dtype=float)
            ref = PCA(n_components=2, svd_solver="full").fit_transform(
                StandardScaler().fit_transform(X))
            worst = 0.0
            for a in range(2):
                sign = 1.0 if np.dot(ours[:, a], ref[:, a]) >= 0 else -1.0
                worst = max(worst, float(np.max(np.abs(sign * ours[:, a] - ref[:, a])
                                                / (1 + np.abs(ref[:, a])))))
            checks.check(worst < 1e-9, f"{table}: {len(rows)} rows, largest difference "
                                       f"{worst:.1e} (up to sign per axis)")
    checks.finish()


if __name__ == "__main__":
    main()
