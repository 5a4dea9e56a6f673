"""The data shapes of the k-means benchmark (bench/bench.py --shapes): synthetic customer
tables of n rows, each from a fixed seed, in raw units (scaling is part of what is timed).

    shape        d   k   what it is
    blobs        8   8   today's table: 8 well separated Gaussian groups + 2 % uniform noise
    overlap      8   8   8 overlapping Gaussian groups in 5 features + 3 pure-noise features
    marketing   16   8   data/marketing_campaign.csv's 16 numeric columns (rows with an
                         income), resampled with replacement and jittered
    wholesale    6   8   data/wholesale_customers.csv's 6 spending columns, the same way
    mall         3   8   data/Mall_Customers.csv's age, income and score, the same way
    wide        30  20   20 overlapping groups of different spreads in 30 features + 2 % noise
    many         8  50   50 overlapping groups in 8 features

Jitter (the resampled shapes): each value is multiplied by exp(0.05 N(0,1)) (money columns
stay positive and heavy-tailed) and gets 0.02 column standard deviations of Gaussian noise, so
rows are no longer exact copies of the few hundred or thousand originals.
"""
import csv
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "data")
SEED = 20240601

# name -> (d, k, one-line description)
SHAPES = {
    "blobs": (8, 8, "8 separated Gaussian groups + 2 % uniform noise"),
    "overlap": (8, 8, "8 overlapping groups in 5 features + 3 pure-noise features"),
    "marketing": (16, 8, "marketing_campaign.csv's 16 numeric columns, resampled with jitter"),
    "wholesale": (6, 8, "wholesale_customers.csv's 6 spending columns, resampled with jitter"),
    "mall": (3, 8, "Mall_Customers.csv's 3 numeric columns, resampled with jitter"),
    "wide": (30, 20, "20 overlapping groups in 30 features + 2 % uniform noise"),
    "many": (8, 50, "50 overlapping groups in 8 features"),
}


def make_blobs(n, rng):
    """n x 8: 8 groups (sizes 22 % .. 5 %, std 0.8 .. 1.6 around centres uniform in
    [-10, 10]^8) plus 2 % uniform noise over the centres' bounding box widened by 2, shuffled,
    then mapped to features of very different units (so scaling matters)."""
    d, groups = 8, 8
    weights = np.array([0.22, 0.18, 0.15, 0.12, 0.11, 0.09, 0.08, 0.05])
    n_noise = n // 50
    centers = rng.uniform(-10.0, 10.0, (groups, d))
    stds = rng.uniform(0.8, 1.6, groups)
    counts = rng.multinomial(n - n_noise, weights)
    parts = [centers[g] + stds[g] * rng.standard_normal((counts[g], d)) for g in range(groups)]
    lo, hi = centers.min(0) - 2.0, centers.max(0) + 2.0
    parts.append(rng.uniform(lo, hi, (n_noise, d)))
    X = np.concatenate(parts)[rng.permutation(n)]
    scale = np.array([1000.0, 10.0, 1.0, 50.0, 5.0, 200.0, 0.5, 20.0])
    offset = np.array([50000.0, 40.0, 10.0, 500.0, 30.0, 1000.0, 3.0, 100.0])
    return X * scale + offset


def groups_table(n, rng, d_info, groups, center_range, std_lo, std_hi, noise_share=0.0):
    """n x d_info: `groups` Gaussian groups of Dirichlet(2) sizes, centres uniform in
    [-center_range, center_range]^d_info, per-group spreads uniform in [std_lo, std_hi], plus
    a noise_share of rows uniform over the centres' bounding box widened by 3."""
    n_noise = int(n * noise_share)
    weights = rng.dirichlet(np.full(groups, 2.0))
    centers = rng.uniform(-center_range, center_range, (groups, d_info))
    stds = rng.uniform(std_lo, std_hi, groups)
    counts = rng.multinomial(n - n_noise, weights)
    parts = [centers[g] + stds[g] * rng.standard_normal((counts[g], d_info))
             for g in range(groups)]
    if n_noise:
        parts.append(rng.uniform(centers.min(0) - 3.0, centers.max(0) + 3.0, (n_noise, d_info)))
    return np.concatenate(parts)[rng.permutation(n)]


def in_units(X, rng):
    """Columns mapped to very different units (scales 0.5 .. 5000, offsets up to 10^4)."""
    d = X.shape[1]
    scale = np.exp(rng.uniform(np.log(0.5), np.log(5000.0), d))
    offset = rng.uniform(0.0, 10000.0, d)
    return X * scale + offset


def read_table(name):
    """The numeric columns of a shipped real table, as float64 rows (complete rows only)."""
    if name == "marketing":
        cols = ["Year_Birth", "Income", "Kidhome", "Teenhome", "Recency", "MntWines",
                "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts",
                "MntGoldProds", "NumDealsPurchases", "NumWebPurchases", "NumCatalogPurchases",
                "NumStorePurchases", "NumWebVisitsMonth"]
        path, delim = os.path.join(DATA, "marketing_campaign.csv"), "\t"
    elif name == "wholesale":
        cols = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]
        path, delim = os.path.join(DATA, "wholesale_customers.csv"), ";"
    else:
        cols = ["Age", "Annual Income (k$)", "Spending Score (1-100)"]
        path, delim = os.path.join(DATA, "Mall_Customers.csv"), ","
    rows = []
    with open(path, newline="") as f:
        for rec in csv.DictReader(f, delimiter=delim):
            vals = [rec[c].strip() for c in cols]
            if all(vals):
                rows.append([float(v) for v in vals])
    return np.array(rows)


def resampled(name, n, rng):
    """n rows drawn with replacement from a real table, jittered (see the module comment)."""
    T = read_table(name)
    X = T[rng.integers(0, T.shape[0], n)]
    X = X * np.exp(0.05 * rng.standard_normal(X.shape))
    return X + 0.02 * T.std(0) * rng.standard_normal(X.shape)


def make_shape(name, n, seed=SEED):
    """(X, k): the n x d raw rows of a shape (C-contiguous float64) and its k."""
    d, k, _ = SHAPES[name]
    rng = np.random.default_rng(seed)
    if name == "blobs":
        X = make_blobs(n, rng)
    elif name == "overlap":
        info = groups_table(n, rng, 5, 8, 2.0, 0.8, 1.3)
        noise = np.column_stack([rng.standard_normal(n), rng.uniform(0, 1, n),
                                 rng.exponential(1.0, n)])
        X = in_units(np.hstack([info, noise]), rng)
    elif name in ("marketing", "wholesale", "mall"):
        X = resampled(name, n, rng)
    elif name == "wide":
        X = in_units(groups_table(n, rng, 30, 20, 1.5, 0.8, 1.6, 0.02), rng)
    elif name == "many":
        X = in_units(groups_table(n, rng, 8, 50, 6.0, 0.7, 1.3), rng)
    else:
        raise ValueError("unknown shape " + name)
    assert X.shape == (n, d)
    return np.ascontiguousarray(X, dtype=np.float64), k
