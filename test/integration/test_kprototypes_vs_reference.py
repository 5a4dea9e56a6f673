"""kprototypes_fit's categorical side (and the rest of the model) against an independent numpy
reading of its documented rules, on the shipped data with categories: the marketing campaign
customers (education, marital status) and the mall customers (gender).

Nothing here reuses the extension's code or its reference script (test/reference/
kprototypes_reference.py runs the algorithm; this checks what a fitted model claims). For each
fit, made in SQL with several k, seeds, scalings, gamma, missing policies and a pipeline:

  the rows' model space is rebuilt in numpy from the raw columns (skip or impute, log1p,
  quantile clip, standard / minmax / robust scaler); every training row is labelled with
  seg_assign, then
  (a) the stored centroids (scaled) equal the per-cluster means of those rows, seg_centroids
      the means in original units, and the sizes the label counts;
  (b) every mode (JSON and seg_modes) is a most frequent category of its cluster, ties to the
      first bytewise;
  (c) the stored cost and inertia equal Huang's cost of the rows against those means and modes
      with the stored gamma; seg_distance is the square root of each row's cost, mean_distance
      its per-cluster mean;
  (d) the labelling is a fixed point: no row is strictly cheaper at another prototype (exact
      ties, within rounding, are counted and allowed: seg_assign takes the lowest number);
  (e) seg_modes' shares and the JSON mode_shares equal the counted shares;
  (f) held-out rows (left out of the fit, plus made-up rows with unseen categories, values far
      out, and missing values where the model imputes) get the prototype of least cost from
      seg_assign and sqrt of that cost from seg_distance;
  (g) gamma equals the documented default, half the mean population standard deviation of the
      scaled numeric columns, or the option when given.
Also: the vocabularies, n_rows / n_skipped, the scaler and the stored fills, the silhouette
(model form) against scikit-learn's on the matrix of sqrt(cost), and that ties between
categories occurred (so the tie rule was exercised, not vacuous). A fit stopped by max_iter is
checked against its own stored prototypes, as documented; a fit renumbered by seg_align, and
seg_train's second version of a name (aligned to the first), must pass every check too (their
modes and shares moved with the centroids).

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_kprototypes_vs_reference.py
"""
import json

import numpy as np
from psycopg2.extras import execute_values
from sklearn.metrics import silhouette_score

from dbtest import Checks, connect, fresh_database

MARKETING = ("SELECT id, ARRAY[income, 2014 - year_birth, recency, mnt_wines + mnt_fruits"
             " + mnt_meat_products + mnt_fish_products + mnt_sweet_products + mnt_gold_prods]"
             "::float8[] AS num, ARRAY[{cats}]::text[] AS cat FROM marketing_campaign")
MALL = ("SELECT customer_id AS id, ARRAY[age, annual_income, spending_score]::float8[] AS num,"
        " ARRAY[{cats}]::text[] AS cat FROM mall_customers")

# (name, source query, categorical expressions, training filter on the id, k, options)
CASES = [
    ("marketing k=4 default", MARKETING, "education, marital_status", "true", 4, {}),
    ("marketing k=3 seed 7 random init", MARKETING, "education, marital_status", "true", 3,
     {"seed": 7, "init": "random"}),
    ("marketing k=6 seed 3 minmax, held out id%4=0", MARKETING, "education, marital_status",
     "id % 4 <> 0", 6, {"seed": 3, "scale": "minmax"}),
    ("marketing k=5 seed 11 robust gamma 1.5", MARKETING, "education, marital_status", "true", 5,
     {"seed": 11, "scale": "robust", "gamma": 1.5}),
    ("marketing k=4 seed 2 impute (2n Cycle -> NULL), held out id%3=0", MARKETING,
     "NULLIF(education, '2n Cycle'), marital_status", "id % 3 <> 0", 4,
     {"seed": 2, "missing": "impute"}),
    ("marketing k=8 seed 5 log1p spend, clip, minmax", MARKETING, "education, marital_status",
     "true", 8, {"seed": 5, "scale": "minmax", "transform": ["none", "none", "none", "log1p"],
                 "clip": [0.02, 0.98]}),
    ("marketing k=7 seed 9 median impute, kids as category", MARKETING,
     "education, marital_status, (kidhome + teenhome)::text", "true", 7,
     {"seed": 9, "missing": "impute", "impute": "median", "gamma": 3.0}),
    ("marketing k=5 seed 13 robust impute", MARKETING, "education, marital_status", "true", 5,
     {"seed": 13, "scale": "robust", "missing": "impute"}),
    ("marketing k=6 seed 1 max_iter 3", MARKETING, "education, marital_status", "true", 6,
     {"seed": 1, "max_iter": 3, "n_init": 2}),
    ("marketing k=5 seed 4, seg_align to seed 8", MARKETING, "education, marital_status",
     "true", 5, {"seed": 4, "init": "random"}, {"seed": 8}),
    ("marketing k=4 seed 6 via seg_train, retrained and aligned", MARKETING,
     "education, marital_status", "id % 2 = 0", 4, {"seed": 6}, {"seed": 10}, True),
    ("mall k=5 default", MALL, "gender", "true", 5, {}),
    ("mall k=6 seed 4 minmax, held out id%5=0", MALL, "gender", "id % 5 <> 0", 6,
     {"seed": 4, "scale": "minmax"}),
    ("mall k=10 seed 1 gamma 2, age decade as category", MALL,
     "gender, (floor(age / 10) * 10)::int::text", "true", 10, {"seed": 1, "gamma": 2.0}),
    ("mall k=3 seed 6 gamma 0", MALL, "gender", "true", 3, {"seed": 6, "gamma": 0.0}),
    ("mall k=4 seed 12 unscaled, sqrt score", MALL, "gender", "true", 4,
     {"seed": 12, "scale": "none", "transform": ["none", "none", "sqrt"]}),
    ("mall k=12 seed 2 gamma 0, id mod 3 as category", MALL, "gender, (customer_id % 3)::text",
     "true", 12, {"seed": 2, "gamma": 0.0}),
    ("mall k=12 seed 2 gamma 0.3, non-ASCII categories", MALL,
     "CASE gender WHEN 'Male' THEN 'Ärger' ELSE 'Zebra' END, "
     "(ARRAY['é', 'e', 'Z'])[customer_id % 3 + 1]", "true", 12, {"seed": 2, "gamma": 0.3}),
]


def bytewise(values):
    """Values sorted as the extension sorts categories: by their UTF-8 bytes."""
    return sorted(values, key=lambda s: s.encode("utf-8"))


def most_frequent(values):
    """The most frequent of the values, ties to the first bytewise (the documented rule), and
    the tied values (empty when the top count is not tied)."""
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.values())
    best = bytewise([v for v in counts if counts[v] == top])
    return best[0], best if len(best) > 1 else []


class Pipeline:
    """The documented feature pipeline (transform -> impute -> clip -> scale), fitted on the
    training rows in numpy: population std, minmax, robust IQR with linear interpolation."""

    def __init__(self, raw, cats, opts):
        p = raw.shape[1]
        self.transform = opts.get("transform") or ["none"] * p
        self.missing = opts.get("missing", "skip")
        t = self.apply_transform(raw)
        if self.missing == "impute":
            rule = opts.get("impute", "mean")
            self.fill = np.array([np.nanmean(t[:, j]) if rule == "mean" else
                                  np.nanmedian(t[:, j]) if rule == "median" else 0.0
                                  for j in range(p)])
            self.cat_fill = [most_frequent([c for c in cats[:, j] if c is not None])[0]
                             for j in range(cats.shape[1])]
        else:
            self.fill, self.cat_fill = None, None
        t = self.apply_fill(t)
        if opts.get("clip"):
            lo, hi = opts["clip"]
            self.clip = np.stack([np.quantile(t, lo, axis=0), np.quantile(t, hi, axis=0)], 1)
            t = np.clip(t, self.clip[:, 0], self.clip[:, 1])
        else:
            self.clip = None
        self.before_scale = t
        scale = opts.get("scale", "standard")
        if scale == "standard":
            self.center, self.scale = t.mean(axis=0), t.std(axis=0)
        elif scale == "minmax":
            self.center, self.scale = t.min(axis=0), t.max(axis=0) - t.min(axis=0)
        elif scale == "none":
            self.center, self.scale = np.zeros(t.shape[1]), np.ones(t.shape[1])
        elif scale == "robust":
            q1, med, q3 = np.percentile(t, [25, 50, 75], axis=0)
            self.center, self.scale = med, q3 - q1
        else:
            raise ValueError(scale)
        self.scale = np.where(self.scale == 0, 1.0, self.scale)

    def apply_transform(self, raw):
        """The per-feature transforms (NaN stays NaN)."""
        out = raw.copy()
        for j, name in enumerate(self.transform):
            if name == "log1p":
                out[:, j] = np.log1p(out[:, j])
            elif name == "sqrt":
                out[:, j] = np.sqrt(out[:, j])
            elif name != "none":
                raise ValueError(name)
        return out

    def apply_fill(self, t):
        """Missing numbers filled (impute) with the training fills."""
        if self.fill is None:
            return t
        return np.where(np.isnan(t), self.fill[None, :], t)

    def rows(self, raw):
        """Model-space rows of raw numbers (missing ones filled when the model imputes)."""
        t = self.apply_fill(self.apply_transform(raw))
        if self.clip is not None:
            t = np.clip(t, self.clip[:, 0], self.clip[:, 1])
        return (t - self.center) / self.scale

    def cats(self, cats):
        """Categories with NULLs filled when the model imputes."""
        if self.cat_fill is None:
            return cats
        out = cats.copy()
        for j, f in enumerate(self.cat_fill):
            out[:, j] = [f if c is None else c for c in out[:, j]]
        return out


def huang_costs(X, C, centers, modes, gamma):
    """len(X) x len(centers) matrix: squared Euclidean distance (direct differences) + gamma *
    mismatching categories (a NULL matches nothing)."""
    modes = np.array(modes, dtype=object).reshape(len(centers), C.shape[1])
    out = np.zeros((len(X), len(centers)))
    for j in range(X.shape[1]):
        out += (X[:, j][:, None] - np.asarray(centers, dtype=float)[:, j][None, :]) ** 2
    for j in range(C.shape[1]):
        codes = {v: i for i, v in enumerate(set(C[:, j]) | set(modes[:, j]))}
        a = np.array([codes[v] if v is not None else -1 for v in C[:, j]])
        b = np.array([codes[v] if v is not None else -2 for v in modes[:, j]])
        out += gamma * (a[:, None] != b[None, :])
    return out


def close(a, b, rel=1e-9):
    """|a - b| within rel of 1 + |b| elementwise."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rel * (1 + np.abs(b))))


def worst(a, b):
    """Largest |a - b| / (1 + |b|)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / (1 + np.abs(b)))) if a.size else 0.0


def made_up_rows(rng, raw, vocab, n=60):
    """Held-out rows nobody trained on: real numbers scaled by 0.5-1.5, a few far out, categories
    drawn from the vocabulary plus unseen ones (another attribute's, the empty string), some
    NULL numbers and categories."""
    rows = []
    for i in range(n):
        r = raw[rng.integers(len(raw))].copy()
        r = r * rng.uniform(0.5, 1.5, size=r.shape)
        if i % 10 == 0:
            r[rng.integers(len(r))] *= 50.0
        others = [x for w in vocab for x in w]
        c = [str(rng.choice(v + ["Unseen", v[0].lower() + "x", "", str(rng.choice(others))]))
             for v in vocab]
        if i % 7 == 0:
            r[rng.integers(len(r))] = np.nan
        if i % 9 == 0:
            c[rng.integers(len(c))] = None
        rows.append((r, c))
    return rows


def check_case(cur, checks, name, query, catexpr, train, k, opts, stats, align_to=None,
               seg_train=False):
    """Fits one model in SQL (renumbered by seg_align to the fit with options align_to when
    given; with seg_train, trained twice under one name by seg_train, the second version, with
    opts, aligned to the first, made with align_to) and checks (a)-(g) on it."""
    cur.execute(f"CREATE TEMP VIEW src AS {query.format(cats=catexpr)}")
    where = train.replace("%", "%%")
    if seg_train:
        cur.execute("SELECT array_length(num, 1), array_length(cat, 1) FROM src LIMIT 1")
        p, q = cur.fetchone()
        cols = [f"num[{j + 1}] AS n{j + 1}" for j in range(p)] + \
            [f"cat[{j + 1}] AS c{j + 1}" for j in range(q)]
        cur.execute(f"CREATE TABLE src_cols AS SELECT {', '.join(cols)} FROM src WHERE {train}")
        features = [f"n{j + 1}" for j in range(p)]
        for o in (align_to, opts):
            cur.execute("SELECT seg_train('kp_ref', 'src_cols', %s, %s, %s)",
                        (features, k, json.dumps({**o, "algorithm": "kprototypes",
                                                  "categorical_features":
                                                      [f"c{j + 1}" for j in range(q)]})))
        cur.execute("SELECT (SELECT version FROM seg_models WHERE name = 'kp_ref' AND active)")
        checks.check(cur.fetchone()[0] == 2, f"{name}: seg_train made version 2 the active one")
        cur.execute("CREATE TEMP TABLE model AS SELECT seg_model('kp_ref') AS m")
    else:
        cur.execute(f"CREATE TEMP TABLE model AS SELECT kprototypes_fit(num, cat, %s, %s) AS m "
                    f"FROM src WHERE {where}", (k, json.dumps(opts)))
    if align_to is not None:
        cur.execute(f"SELECT kprototypes_fit(num, cat, %s, %s)::text FROM src WHERE {where}",
                    (k, json.dumps(opts)))
        plain = json.loads(cur.fetchone()[0])
    if align_to is not None and not seg_train:
        cur.execute(f"UPDATE model SET m = seg_align(m, (SELECT kprototypes_fit(num, cat, %s, %s)"
                    f" FROM src WHERE {where}))", (k, json.dumps(align_to)))
    cur.execute("SELECT m::text FROM model")
    m = json.loads(cur.fetchone()[0])
    if align_to is not None:
        moved = [m["centroids"].index(c) for c in plain["centroids"]]
        checks.check(sorted(moved) == list(range(k)) and moved != list(range(k)),
                     f"{name}: {'seg_train' if seg_train else 'seg_align'} renumbered the "
                     f"clusters of the plain fit {list(range(k))} -> {moved}")
    cur.execute(f"SELECT id, num, cat, {train}, seg_assign(m, num, cat), "
                f"seg_distance(m, num, cat) FROM src, model ORDER BY id")
    rows = cur.fetchall()
    ids = np.array([r[0] for r in rows])
    raw = np.array([[np.nan if v is None else v for v in r[1]] for r in rows], dtype=float)
    cats = np.array([list(r[2]) for r in rows], dtype=object)
    in_train = np.array([r[3] for r in rows])
    label = np.array([-1 if r[4] is None else r[4] for r in rows])
    dist = np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=float)

    # The training rows after the missing policy.
    complete = ~np.isnan(raw).any(axis=1) & np.array([all(c is not None for c in r) for r in cats])
    imputes = opts.get("missing") == "impute"
    used = in_train if imputes else in_train & complete
    pipe = Pipeline(raw[used], cats[used], opts)
    X, C, L = pipe.rows(raw[used]), pipe.cats(cats[used]), label[used]
    n_used = int(used.sum())
    checks.check(m["n_rows"] == n_used and m["n_skipped"] == int(in_train.sum()) - n_used
                 and (L >= 0).all(),
                 f"{name}: n_rows {m['n_rows']} = {n_used} training rows after "
                 f"{opts.get('missing', 'skip')}, n_skipped {m['n_skipped']}, all labelled")
    vocab = [bytewise(set(c for c in C[:, j] if c is not None)) for j in range(C.shape[1])]
    checks.check(m["categories"] == vocab, f"{name}: vocabularies sorted bytewise "
                 f"({', '.join(str(len(v)) for v in vocab)} categories)")
    if imputes:
        checks.check(close(m["impute"], pipe.fill) and m["categorical_impute"] == pipe.cat_fill,
                     f"{name}: fills {np.round(pipe.fill, 4).tolist()} and categories "
                     f"{pipe.cat_fill} (most frequent, ties first bytewise)")
    checks.check(close(m["scaler"]["center"], pipe.center, 1e-12)
                 and close(m["scaler"]["scale"], pipe.scale, 1e-12),
                 f"{name}: scaler ({m['scaler']['method']}) = numpy's on the training rows")

    # (g) gamma.
    gamma = opts["gamma"] if "gamma" in opts else 0.5 * float(np.mean(X.std(axis=0)))
    rule = "the option" if "gamma" in opts else "0.5 x mean std of the scaled columns"
    checks.check(abs(m["gamma"] - gamma) <= 1e-12 * (1 + gamma),
                 f"{name}: gamma {m['gamma']!r} = {rule} {gamma!r}")

    # (a) centres = per-cluster means, sizes = label counts. A fit stopped by max_iter keeps
    # its last update's prototypes and labels the rows once more (documented): its centres
    # need not be the means of the final labels, so it is checked against its own prototypes.
    sizes = np.bincount(L, minlength=k)
    converged = m["n_iter"] < opts.get("max_iter", 300)
    checks.check(list(sizes) == m["sizes"],
                 f"{name}: sizes {m['sizes']} = seg_assign's counts; "
                 + (f"converged in {m['n_iter']} rounds" if converged else
                    f"stopped after max_iter = {m['n_iter']} rounds"))
    means = np.array([X[L == c].mean(axis=0) if sizes[c] else np.full(X.shape[1], np.nan)
                      for c in range(k)])
    if converged:
        checks.check(close(m["centroids"], means),
                     f"{name}: centroids = per-cluster means of the scaled rows (worst "
                     f"{worst(m['centroids'], means):.1e})")
        cur.execute("SELECT cluster, size, centroid FROM seg_centroids((SELECT m FROM model)) "
                    "ORDER BY cluster")
        sc = cur.fetchall()
        orig = np.array([pipe.before_scale[L == c].mean(axis=0) for c in range(k)])
        for j, t in enumerate(pipe.transform):
            if t == "log1p":
                orig[:, j] = np.expm1(orig[:, j])
            elif t == "sqrt":
                orig[:, j] = orig[:, j] ** 2
        checks.check([r[1] for r in sc] == m["sizes"] and close([r[2] for r in sc], orig),
                     f"{name}: seg_centroids = the means in original units (worst "
                     f"{worst([r[2] for r in sc], orig):.1e})")
    else:
        print(f"       {name}: not converged, centroids differ from the final labels' means "
              f"by up to {np.nanmax(np.abs(np.array(m['centroids']) - means)):.2e} (documented)")

    # (b) modes, (e) shares (of the stored modes, which are the recomputed ones when converged).
    modes, shares, ties = [], [], []
    for c in range(k):
        row_m, row_s = [], []
        for j in range(C.shape[1]):
            mode, tied = most_frequent(C[L == c, j]) if sizes[c] else (None, [])
            if tied:
                ties.append(f"{'/'.join(tied)} in {sizes[c]} rows")
            row_m.append(mode)
            row_s.append(float(np.mean(C[L == c, j] == m["modes"][c][j])) if sizes[c] else 0.0)
        modes.append(row_m)
        shares.append(row_s)
    stats["ties"] += len(ties)
    cur.execute("SELECT cluster, feature, mode, share FROM seg_modes((SELECT m FROM model)) "
                "ORDER BY cluster")
    sm = cur.fetchall()
    sm_modes = [[r[2] for r in sm if r[0] == c] for c in range(k)]
    sm_shares = [[r[3] for r in sm if r[0] == c] for c in range(k)]
    moved = sum(a != b for r, q in zip(modes, m["modes"]) for a, b in zip(r, q))
    checks.check(sm_modes == m["modes"] and (moved == 0 or not converged),
                 f"{name}: modes (JSON and seg_modes) = most frequent per cluster, "
                 f"{len(ties)} tied top counts resolved first bytewise"
                 + (f" ({', '.join(ties)})" if ties else "")
                 + ("" if converged else
                    f" (not converged: {moved} of the last update's modes differ, documented)"))
    checks.check(close(m["mode_shares"], shares, 1e-12) and close(sm_shares, shares, 1e-12),
                 f"{name}: mode shares (JSON and seg_modes) = counted shares "
                 f"(worst {max(worst(sm_shares, shares), worst(m['mode_shares'], shares)):.1e})")

    # (c) cost, inertia, distances against the recomputed prototypes (the stored ones when the
    # fit stopped at max_iter).
    if not converged:
        means, modes = np.array(m["centroids"]), m["modes"]
    D = huang_costs(X, C, means, modes, gamma)
    own = D[np.arange(n_used), L]
    numeric = ((X - means[L]) ** 2).sum()
    checks.check(close(m["cost"], own.sum()) and close(m["inertia"], numeric),
                 f"{name}: cost {m['cost']:.10g} = Huang's {own.sum():.10g}, inertia "
                 f"{m['inertia']:.10g} = {numeric:.10g}")
    checks.check(close(dist[used] ** 2, own)
                 and close(m["mean_distance"],
                           [np.sqrt(own[L == c]).mean() for c in range(k)]),
                 f"{name}: seg_distance^2 = each row's cost (worst "
                 f"{worst(dist[used] ** 2, own):.1e}), mean_distance = its per-cluster mean of "
                 f"sqrt")

    # (d) fixed point.
    best = D.min(axis=1)
    tol = 1e-9 * (1 + best)
    strict = int((own > best + tol).sum())
    near = int(((np.abs(D - own[:, None]) <= tol[:, None]).sum(axis=1) > 1).sum())
    lowest = all(L[i] == int(np.flatnonzero(D[i] <= best[i] + tol[i])[0])
                 for i in range(n_used) if (D[i] <= best[i] + tol[i]).sum() > 1)
    stats["near_ties"] += near
    checks.check(strict == 0 and lowest,
                 f"{name}: {'fixed point' if converged else 'labels match the prototypes'}, "
                 f"no row cheaper elsewhere ({strict} violations; "
                 f"{near} rows at an exact tie, given to the lowest number)")

    # The silhouette under the model's dissimilarity, sqrt(Huang's cost between two rows),
    # against scikit-learn's on the precomputed matrix.
    cur.execute(f"SELECT silhouette(m, num, cat, '{{}}') FROM src, model "
                f"WHERE {train} AND seg_assign(m, num, cat) IS NOT NULL")
    ours = cur.fetchone()[0]
    pair = huang_costs(X, C, X, C, gamma)
    ref = float(silhouette_score(np.sqrt(np.maximum(pair, 0.0)), L, metric="precomputed")) \
        if len(set(L)) > 1 else None
    checks.check(ref is not None and abs(ours - ref) <= 1e-9 * (1 + abs(ref)),
                 f"{name}: silhouette {ours!r} = scikit-learn's on the matrix of sqrt(cost) "
                 f"{ref!r}")

    # (f) held-out rows: the table's rows the fit did not use, plus made-up rows.
    rng = np.random.default_rng(len(name))
    extra = made_up_rows(rng, raw[used], vocab)
    cur.execute("CREATE TEMP TABLE held (i int, num float8[], cat text[])")
    execute_values(cur, "INSERT INTO held VALUES %s",
                   [(i, [None if np.isnan(v) else float(v) for v in r], c)
                    for i, (r, c) in enumerate(extra)])
    cur.execute("SELECT seg_assign(m, num, cat), seg_distance(m, num, cat) FROM held, model "
                "ORDER BY i")
    got = cur.fetchall()
    h_raw = np.concatenate([raw[~used], np.array([r for r, _ in extra])])
    h_cat = np.concatenate([cats[~used], np.array([c for _, c in extra], dtype=object)])
    h_label = np.concatenate([label[~used], [-1 if g[0] is None else g[0] for g in got]])
    h_dist = np.concatenate([dist[~used], [np.nan if g[1] is None else g[1] for g in got]])
    ok_rows = ~np.isnan(pipe.apply_fill(pipe.apply_transform(h_raw))).any(axis=1) & np.array(
        [all(c is not None for c in r) for r in pipe.cats(h_cat)])
    HX, HC = pipe.rows(h_raw[ok_rows]), pipe.cats(h_cat[ok_rows])
    HD = huang_costs(HX, HC, np.array(m["centroids"]), m["modes"], m["gamma"])
    hb = HD.min(axis=1)
    hl = h_label[ok_rows]
    htol = 1e-9 * (1 + hb)
    right = [hl[i] >= 0 and HD[i, hl[i]] <= hb[i] + htol[i]
             and hl[i] == int(np.flatnonzero(HD[i] <= hb[i] + htol[i])[0])
             for i in range(len(hl))]
    unseen = sum(any(v not in vocab[j] for j, v in enumerate(r)) for r in HC)
    filled = int(ok_rows.sum()) - int((~np.isnan(h_raw[ok_rows]).any(axis=1) & np.array(
        [all(c is not None for c in r) for r in h_cat[ok_rows]])).sum())
    nulls_ok = bool((h_label[~ok_rows] == -1).all() and np.isnan(h_dist[~ok_rows]).all())
    checks.check(all(right) and close(h_dist[ok_rows] ** 2, hb) and nulls_ok,
                 f"{name}: held out {int((~used).sum())} table rows the fit did not use and "
                 f"{len(extra)} made-up rows; {len(hl)} labelled ({unseen} with an unseen "
                 f"category, {filled} with fills) get the cheapest prototype "
                 f"({len(right) - sum(right)} wrong) and sqrt of its cost (worst "
                 f"{worst(h_dist[ok_rows] ** 2, hb):.1e}); {int((~ok_rows).sum())} incomplete "
                 f"get NULL")
    stats["table"].append(f"| {name} | {n_used} | {k} | {m['gamma']:.4f} | {m['cost']:.4f} | "
                          f"{len(ties)} | {len(hl)} | {unseen} |")
    cur.execute("DROP TABLE held, model")
    cur.execute("DROP TABLE IF EXISTS src_cols")
    cur.execute("DROP VIEW src")


def main():
    checks = Checks()
    stats = {"ties": 0, "near_ties": 0, "table": []}
    with fresh_database("it_kprototypes_ref", load=("mall", "marketing")) as db:
        cur = connect(db).cursor()
        cur.execute("SET client_min_messages = warning")
        for name, query, catexpr, train, k, opts, *align_to in CASES:
            check_case(cur, checks, name, query, catexpr, train, k, opts, stats, *align_to)
    checks.check(stats["ties"] > 0, f"the mode tie rule was exercised: {stats['ties']} "
                                    f"(cluster, attribute) pairs with a tied top count; "
                                    f"{stats['near_ties']} rows at a prototype tie")
    print("| fit | training rows | k | gamma | cost | tied modes | held-out rows labelled | "
          "of them with an unseen category |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(stats["table"]))
    checks.finish()


if __name__ == "__main__":
    main()
