"""kmeans_fit with default options vs scikit-learn's KMeans(n_init=10) on the same
standard-scaled data, side by side, on the three real data sets in data/.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_inertia_vs_sklearn.py
Passes when our inertia is no worse than scikit-learn's (1e-9 relative slack) everywhere.
"""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from dbtest import Checks, connect, fresh_database

MARKETING_COLS = ("year_birth, income, kidhome, teenhome, recency, mnt_wines, mnt_fruits, "
                  "mnt_meat_products, mnt_fish_products, mnt_sweet_products, mnt_gold_prods, "
                  "num_deals_purchases, num_web_purchases, num_catalog_purchases, "
                  "num_store_purchases, num_web_visits_month")
DATASETS = [
    ("mall", "mall_customers", "age, annual_income, spending_score", (3, 5, 8)),
    ("wholesale", "wholesale_customers",
     "fresh, milk, grocery, frozen, detergents_paper, delicassen", (3, 5, 8)),
    ("marketing", "marketing_campaign", MARKETING_COLS, (3, 5, 8)),
]


def main():
    checks = Checks()
    with fresh_database("it_inertia", load=("mall", "wholesale", "marketing")) as db:
        conn = connect(db)
        cur = conn.cursor()
        rows = []
        for name, table, cols, ks in DATASETS:
            # The rows kmeans_fit uses (missing = skip), in the same units.
            cur.execute(f"SELECT ARRAY[{cols}]::float8[] FROM {table} "
                        f"WHERE income IS NOT NULL" if name == "marketing" else
                        f"SELECT ARRAY[{cols}]::float8[] FROM {table}")
            X = StandardScaler().fit_transform(np.array([r[0] for r in cur.fetchall()]))
            for k in ks:
                cur.execute(f"SELECT (kmeans_fit(ARRAY[{cols}]::float8[], %s)::jsonb)->>'inertia' "
                            f"FROM {table}", (k,))
                ours = float(cur.fetchone()[0])
                theirs = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X).inertia_
                rows.append((name, X.shape[0], k, ours, theirs))
                checks.check(ours <= theirs * (1 + 1e-9),
                             f"{name} k={k}: ours {ours:.6f} <= scikit-learn {theirs:.6f}")
        print()
        print("| data set | rows | k | customer_seg inertia | scikit-learn inertia | ratio |")
        print("|---|---|---|---|---|---|")
        for name, n, k, ours, theirs in rows:
            print(f"| {name} | {n} | {k} | {ours:.4f} | {theirs:.4f} | {ours / theirs:.6f} |")
    checks.finish()


if __name__ == "__main__":
    main()
