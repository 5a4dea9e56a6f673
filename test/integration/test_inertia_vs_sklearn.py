"""kmeans_fit with default options vs scikit-learn's KMeans(n_init=10) on the same
standard-scaled data, side by side, on the three real data sets in data/.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_inertia_vs_sklearn.py

Both results depend on the seed (scikit-learn's default random_state=None draws a new one per
fit), so each is fitted with seeds 0..SEEDS-1. Passes when, everywhere (1e-9 relative slack),
our default fit (seed 0) is no worse than scikit-learn's median and our median is no worse than
its median. The table also shows the single fits with seed 0 / random_state=0.
"""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from dbtest import Checks, connect, fresh_database

SEEDS = 10

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
                ours = []
                for seed in range(SEEDS):
                    cur.execute(f"SELECT (kmeans_fit(ARRAY[{cols}]::float8[], %s, "
                                f"jsonb_build_object('seed', %s))::jsonb)->>'inertia' "
                                f"FROM {table}", (k, seed))
                    ours.append(float(cur.fetchone()[0]))
                cur.execute(f"SELECT (kmeans_fit(ARRAY[{cols}]::float8[], %s)::jsonb)->>'inertia' "
                            f"FROM {table}", (k,))
                checks.check(float(cur.fetchone()[0]) == ours[0],
                             f"{name} k={k}: the default fit is the seed 0 fit")
                theirs = [KMeans(n_clusters=k, n_init=10, random_state=s).fit(X).inertia_
                          for s in range(SEEDS)]
                ours_med, theirs_med = float(np.median(ours)), float(np.median(theirs))
                rows.append((name, X.shape[0], k, ours[0], theirs[0], ours_med, theirs_med))
                checks.check(ours[0] <= theirs_med * (1 + 1e-9),
                             f"{name} k={k}: ours (seed 0) {ours[0]:.6f} <= scikit-learn's "
                             f"median {theirs_med:.6f}")
                checks.check(ours_med <= theirs_med * (1 + 1e-9),
                             f"{name} k={k}: our median {ours_med:.6f} <= scikit-learn's "
                             f"median {theirs_med:.6f}")
        print()
        print(f"| data set | rows | k | customer_seg, seed 0 | scikit-learn, random_state=0 | "
              f"customer_seg, median of {SEEDS} seeds | scikit-learn, median of {SEEDS} | "
              f"ratio of medians |")
        print("|---|---|---|---|---|---|---|---|")
        for name, n, k, o0, t0, om, tm in rows:
            print(f"| {name} | {n} | {k} | {o0:.4f} | {t0:.4f} | {om:.4f} | {tm:.4f} | "
                  f"{om / tm:.6f} |")
    checks.finish()


if __name__ == "__main__":
    main()
