#!/usr/bin/python3
"""customer_seg against scikit-learn, side by side, on one synthetic customer table.

Run through bench/run.sh (which builds, installs and starts a throwaway PostgreSQL 15), or
directly against any server with customer_seg installed (libpq environment variables):

    /usr/bin/python3 bench/bench.py [--rows N] [--repeat R] [--out FILE] [--quick]

The table: N rows (default 1,000,000) x 8 features in eight "units" (income, age, ...), eight
Gaussian groups of different sizes and spreads plus 2 % uniform noise, from a fixed seed.
scikit-learn gets the same rows, standard-scaled, already in memory: its loading and scaling
are not timed; ours include reading the table (and scaling) because that is what a user waits
for. Each measurement is repeated R times, ours and scikit-learn's alternating, and every
ratio is ours / theirs of one adjacent pair, so a busy machine skews both sides alike; the
report gives the median ratio and its range. Times are wall-clock seconds.

CPU time is measured too, since the machine may be shared: scikit-learn's is the process's
(all its threads), ours the backend's plus that of any parallel workers (reaped children of
the postmaster). CPU ratios do not depend on how busy the machine is.

Memory: a fresh connection's backend runs one fit; VmHWM (peak resident set) of that backend
from /proc/<pid>/status before and after, against the raw data size n * d * 8 bytes; with
parallel query off, with the server's default (a parallel plan with two workers for this
table) and with one worker (the leader then holds the larger share itself). VmHWM also counts
shared buffers the backend touches (RssShmem), reported separately.
"""
import argparse
import datetime
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import psycopg2

from bench_shapes import SHAPES, make_shape

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FEATURES = ["f%d" % (j + 1) for j in range(8)]
ARRAY = "ARRAY[%s]" % ", ".join(FEATURES)
K = 8
SEED = 20240601


# --------------------------------------------------------------------------------------------
# data

def make_customers(n, seed=SEED):
    """n x 8 customers: the "blobs" shape of bench_shapes.py (8 groups of sizes 22 % .. 5 %,
    std 0.8 .. 1.6 around centres uniform in [-10, 10]^8, plus 2 % uniform noise, mapped to
    features of very different units)."""
    return make_shape("blobs", n, seed)[0]


def copy_binary(cur, table, X):
    """COPY id, f1..fd in PostgreSQL's binary format: exact doubles, fast."""
    n, d = X.shape
    features = ["f%d" % (j + 1) for j in range(d)]
    fields = [("count", ">i2"), ("id_len", ">i4"), ("id", ">i4")]
    for j in range(d):
        fields += [("len%d" % j, ">i4"), ("f%d" % j, ">f8")]
    rec = np.empty(n, dtype=np.dtype(fields))
    rec["count"] = d + 1
    rec["id_len"] = 4
    rec["id"] = np.arange(1, n + 1)
    for j in range(d):
        rec["len%d" % j] = 8
        rec["f%d" % j] = X[:, j]
    buf = io.BytesIO()
    buf.write(b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big"))
    buf.write(rec.tobytes())
    buf.write((-1).to_bytes(2, "big", signed=True))
    buf.seek(0)
    cur.copy_expert("COPY %s (id, %s) FROM STDIN WITH (FORMAT binary)"
                    % (table, ", ".join(features)), buf)


# --------------------------------------------------------------------------------------------
# measuring

def connect():
    conn = psycopg2.connect("")
    conn.autocommit = True
    return conn


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class PgCpu:
    """CPU seconds used by one backend and by the processes its postmaster has reaped
    (parallel workers) -- /proc/<pid>/stat utime + stime, and cutime + cstime."""

    def __init__(self, cur):
        cur.execute("SELECT pg_backend_pid(), current_setting('data_directory')")
        self.backend, datadir = cur.fetchone()
        with open(os.path.join(datadir, "postmaster.pid")) as f:
            self.postmaster = int(f.readline())

    @staticmethod
    def _fields(pid):
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()

    def seconds(self):
        b = self._fields(self.backend)
        p = self._fields(self.postmaster)
        # After the ")": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
        ticks = int(b[11]) + int(b[12]) + int(p[13]) + int(p[14])
        return ticks / CLOCK_TICKS


def own_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed_sql(cur, sql, params=None, cpu=None):
    """Wall seconds (and CPU seconds when cpu is a PgCpu) of one query, and its rows."""
    c0 = cpu.seconds() if cpu else 0.0
    t0 = time.perf_counter()
    cur.execute(sql, params)
    rows = cur.fetchall()
    t = time.perf_counter() - t0
    if cpu is None:
        return t, rows
    return t, rows, cpu.seconds() - c0


def timed_py(fn, with_cpu=False):
    c0 = own_cpu()
    t0 = time.perf_counter()
    out = fn()
    t = time.perf_counter() - t0
    if not with_cpu:
        return t, out
    return t, out, own_cpu() - c0


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "all": values}


def proc_status(pid, keys=("VmHWM", "VmRSS", "RssShmem")):
    """The named fields of /proc/<pid>/status (kB figures), in bytes."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in keys:
                out[key] = int(value.split()[0]) * 1024  # kB -> bytes
    return out


def has_function(cur, signature):
    cur.execute("SELECT to_regprocedure(%s) IS NOT NULL", (signature,))
    return cur.fetchone()[0]


def plan_of(cur, sql, params=None):
    cur.execute("EXPLAIN " + sql, params)
    return "\n".join(r[0] for r in cur.fetchall())


# --------------------------------------------------------------------------------------------
# the benchmarks

class Bench:
    def __init__(self, args, cpu):
        self.args = args
        self.cpu = cpu        # PgCpu of the benchmark session
        self.rows = []        # result table rows
        self.details = []     # free-form lines for the report
        self.pending = []

    def note(self, line):
        print(line, flush=True)
        self.details.append(line)

    def add(self, name, ours, theirs, target, unit_theirs, extra="", cpu_ours=None,
            cpu_theirs=None):
        ratios = [o / t for o, t in zip(ours, theirs)]
        r = summary(ratios)
        met = "yes" if target is None or r["median"] <= target else "**no**"
        cpu = None
        if cpu_ours and cpu_theirs and all(c > 0 for c in cpu_theirs):
            cpu = summary([o / t for o, t in zip(cpu_ours, cpu_theirs)])
        self.rows.append({
            "name": name, "ours": summary(ours), "theirs": summary(theirs), "ratio": r,
            "cpu": cpu, "target": target, "met": met, "vs": unit_theirs, "extra": extra})
        print("%-44s ours %8.3f s  %s %8.3f s  ratio %.3f [%.3f-%.3f]%s%s" % (
            name, statistics.median(ours), unit_theirs, statistics.median(theirs), r["median"],
            r["min"], r["max"], "  CPU ratio %.3f" % cpu["median"] if cpu else "",
            ("  " + extra) if extra else ""), flush=True)

    # ---- k-means fit
    def fit(self, cur, Xs, n_init):
        from sklearn.cluster import KMeans
        ours, theirs, cpu_ours, cpu_theirs, gaps, lines = [], [], [], [], [], []
        sql = "SELECT kmeans_fit(%s, %d, %%s::jsonb)::text FROM bench_customers" % (ARRAY, K)
        for i in range(self.args.repeat):
            opts = json.dumps({"n_init": n_init, "seed": i})
            t, rows, c = timed_sql(cur, sql, (opts,), self.cpu)
            model = json.loads(rows[0][0])
            ts, km, cs = timed_py(lambda: KMeans(K, n_init=n_init, random_state=i,
                                                 algorithm="lloyd").fit(Xs), True)
            ours.append(t)
            theirs.append(ts)
            cpu_ours.append(c)
            cpu_theirs.append(cs)
            gap = (model["inertia"] - km.inertia_) / km.inertia_
            gaps.append(gap)
            lines.append("    seed %d: ours %.3f s (CPU %.3f s) inertia %.10g n_iter %d | "
                         "scikit-learn %.3f s (CPU %.3f s) inertia %.10g n_iter %d | "
                         "inertia gap %+.2e"
                         % (i, t, c, model["inertia"], model["n_iter"], ts, cs, km.inertia_,
                            km.n_iter_, gap))
        within = sum(abs(g) <= 1e-3 for g in gaps)
        self.add("kmeans_fit k=%d n_init=%d" % (K, n_init), ours, theirs,
                 1.0 if n_init == 1 else 0.5, "KMeans.fit",
                 "inertia within 0.1%%: %d/%d" % (within, len(gaps)), cpu_ours, cpu_theirs)
        self.note("kmeans_fit n_init=%d, per repetition (same seed number on both sides, "
                  "different generators):" % n_init)
        for line in lines:
            self.note(line)
        return gaps

    # ---- seg_assign over every row
    def assign(self, cur):
        ours, theirs, cpu_ours, cpu_theirs = [], [], [], []
        q_ours = ("SELECT count(seg_assign((SELECT m FROM bench_model), %s)) FROM bench_customers"
                  % ARRAY)
        q_bare = "SELECT count(%s) FROM bench_customers" % ARRAY
        for _ in range(self.args.repeat):
            t_bare, _, c_bare = timed_sql(cur, q_bare, None, self.cpu)
            t, rows, c = timed_sql(cur, q_ours, None, self.cpu)
            ours.append(t)
            theirs.append(t_bare)
            cpu_ours.append(c)
            cpu_theirs.append(c_bare)
        self.add("seg_assign, every row", ours, theirs, 1.5, "bare array scan", "",
                 cpu_ours, cpu_theirs)
        self.note("seg_assign plan:\n    " + plan_of(cur, q_ours).replace("\n", "\n    "))

    # ---- silhouette
    def silhouette(self, cur, conn):
        from sklearn.metrics import silhouette_score
        n = self.args.silhouette_rows
        if has_function(cur, "silhouette(float8[], int)"):
            cur.execute("DROP TABLE IF EXISTS bench_sil")
            cur.execute("CREATE TABLE bench_sil AS SELECT seg_scale(b.m, %s) AS x, "
                        "seg_assign(b.m, %s) AS label FROM bench_customers c, bench_model b "
                        "WHERE c.id <= %d" % (ARRAY, ARRAY, n))
            cur.execute("SELECT x, label FROM bench_sil")
            data = cur.fetchall()
            X = np.array([r[0] for r in data])
            labels = np.array([r[1] for r in data])
            ours, theirs, cpu_ours, cpu_theirs, vals = [], [], [], [], []
            for _ in range(self.args.repeat):
                t, rows, c = timed_sql(cur, "SELECT silhouette(x, label) FROM bench_sil", None,
                                       self.cpu)
                ts, s, cs = timed_py(lambda: silhouette_score(X, labels), True)
                ours.append(t)
                theirs.append(ts)
                cpu_ours.append(c)
                cpu_theirs.append(cs)
                vals.append((rows[0][0], s))
            rel = abs(vals[0][0] - vals[0][1]) / abs(vals[0][1])
            self.add("silhouette, exact, %d rows (SQL aggregate)" % n, ours, theirs, 0.5,
                     "silhouette_score", "scores %.12g vs %.12g (rel. diff %.1e)"
                     % (vals[0][0], vals[0][1], rel), cpu_ours, cpu_theirs)
            return
        exe = self.args.silhouette_bench
        if exe and os.path.exists(exe):
            ours, theirs = [], []
            for _ in range(self.args.repeat):
                out = subprocess.run([exe, str(n), "8", str(K), "1"], capture_output=True,
                                     text=True, check=True).stdout
                self.note("silhouette_bench: " + out.strip().replace("\n", " | "))
                t_ours, t_sk = parse_silhouette_bench(out)
                ours.append(t_ours)
                theirs.append(t_sk)
            self.add("silhouette, exact, %d rows (core only*)" % n, ours, theirs, 0.5,
                     "silhouette_score",
                     "*no SQL silhouette(float8[], int) yet: bench/silhouette_bench.cpp")
            return
        self.pending.append("silhouette: neither the SQL aggregate silhouette(float8[], int) "
                            "nor bench/silhouette_bench was available")

    # ---- trigger labelling
    def trigger(self, cur, Xs):
        if not (has_function(cur, "seg_label_trigger()") and
                has_function(cur, "seg_save(text, segmodel, boolean)")):
            self.pending.append("trigger labelling: seg_label_trigger() / seg_save() not "
                                "installed")
            return
        n = self.args.trigger_rows
        cols = ", ".join("%s float8" % f for f in FEATURES)
        cur.execute("SELECT seg_save('bench', (SELECT m FROM bench_model))")
        cur.execute("SELECT m::text FROM bench_model")
        km = sklearn_model(json.loads(cur.fetchone()[0]))
        ours, theirs, predict = [], [], []
        insert = ("INSERT INTO %%s (id, %s) SELECT id, %s FROM bench_customers WHERE id <= %d"
                  % (", ".join(FEATURES), ", ".join(FEATURES), n))
        timed_sql(cur, "SELECT count(*) FROM bench_customers WHERE id <= %d" % n)  # warm up
        for i in range(self.args.repeat):
            for t in ("bench_plain", "bench_labelled"):
                cur.execute("DROP TABLE IF EXISTS %s" % t)
                cur.execute("CREATE TABLE %s (id int, %s, segment int)" % (t, cols))
            cur.execute("CREATE TRIGGER label BEFORE INSERT OR UPDATE ON bench_labelled FOR EACH "
                        "ROW EXECUTE FUNCTION seg_label_trigger('bench', 'segment', %s)"
                        % ", ".join("'%s'" % f for f in FEATURES))
            if i % 2 == 0:  # alternate which table is filled first
                t_plain, _ = timed_sql(cur, (insert % "bench_plain") + " RETURNING 1")
                t, _ = timed_sql(cur, (insert % "bench_labelled") + " RETURNING 1")
            else:
                t, _ = timed_sql(cur, (insert % "bench_labelled") + " RETURNING 1")
                t_plain, _ = timed_sql(cur, (insert % "bench_plain") + " RETURNING 1")
            tp, _ = timed_py(lambda: km.predict(Xs[:n]))
            theirs.append(t_plain)
            ours.append(t)
            predict.append(tp)
        cur.execute("SELECT count(*) FILTER (WHERE segment IS NULL), count(*) FROM bench_labelled")
        nulls, total = cur.fetchone()
        self.add("INSERT %d rows with seg_label_trigger" % n, ours, theirs, None,
                 "plain INSERT", "%d rows labelled, %d NULL; KMeans.predict on the same rows "
                 "in memory: %.3f s" % (total - nulls, nulls, statistics.median(predict)))

    # ---- k sweep
    def sweep(self, cur, Xs):
        if not has_function(cur, "kmeans_sweep(float8[], int, int, jsonb)"):
            self.pending.append("k sweep: kmeans_sweep(float8[], int, int, jsonb) not installed")
            return
        from sklearn.cluster import KMeans
        from sklearn.metrics import (calinski_harabasz_score, davies_bouldin_score,
                                     silhouette_score)
        n, k_min, k_max = self.args.sweep_rows, 2, 10
        X = Xs[:n]
        cur.execute("DROP TABLE IF EXISTS bench_sweep")
        cur.execute("CREATE TABLE bench_sweep AS SELECT * FROM bench_customers WHERE id <= %d"
                    % n)
        cur.execute("VACUUM ANALYZE bench_sweep")
        sql = ("SELECT array_length(kmeans_sweep(%s, %d, %d, '{\"n_init\": 1}'), 1) "
               "FROM bench_sweep" % (ARRAY, k_min, k_max))

        def sklearn_sweep():
            for k in range(k_min, k_max + 1):
                labels = KMeans(k, n_init=1, random_state=0).fit(X).labels_
                silhouette_score(X, labels, sample_size=10000, random_state=0)
                davies_bouldin_score(X, labels)
                calinski_harabasz_score(X, labels)

        ours, theirs, cpu_ours, cpu_theirs = [], [], [], []
        for _ in range(self.args.repeat):
            t, _, c = timed_sql(cur, sql, None, self.cpu)
            ts, _, cs = timed_py(sklearn_sweep, True)
            ours.append(t)
            theirs.append(ts)
            cpu_ours.append(c)
            cpu_theirs.append(cs)
        self.add("k sweep k=%d..%d on %d rows, n_init=1" % (k_min, k_max, n), ours, theirs, None,
                 "KMeans.fit + 3 scores per k",
                 "silhouette on a 10000-row sample on both sides", cpu_ours, cpu_theirs)

    # ---- backend memory during a fit
    def memory(self, n, d, n_init, plan, settings):
        raw = n * d * 8
        conn = connect()
        cur = conn.cursor()
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        for setting in settings:
            cur.execute("SET " + setting)
        before = proc_status(pid)
        cur.execute("SELECT kmeans_fit(%s, %d, %%s::jsonb) IS NOT NULL FROM bench_customers"
                    % (ARRAY, K), (json.dumps({"n_init": n_init}),))
        cur.fetchall()
        after = proc_status(pid)
        conn.close()
        grow = after["VmHWM"] - before["VmHWM"]
        shm = after["RssShmem"] - before["RssShmem"]
        self.note("backend memory, kmeans_fit n_init=%d, %s, on %d x %d (raw data %.1f MB): "
                  "VmHWM %.1f -> %.1f MB (+%.1f MB = %.2f x raw), of which shared buffers "
                  "touched (RssShmem) +%.1f MB; VmRSS after %.1f MB"
                  % (n_init, plan, n, d, raw / 2**20, before["VmHWM"] / 2**20,
                     after["VmHWM"] / 2**20, grow / 2**20, grow / raw, shm / 2**20,
                     after["VmRSS"] / 2**20))
        met = "yes" if grow <= 3 * raw else "**no**"
        self.rows.append({"name": "backend peak memory during kmeans_fit, %s" % plan,
                          "memory": (grow, raw, before["VmHWM"], after["VmHWM"], shm), "met": met,
                          "target": 3.0})
        print("%-44s +%.1f MB = %.2f x raw data (VmHWM %.1f -> %.1f MB, shared +%.1f MB)" % (
            "backend peak memory, " + plan, grow / 2**20, grow / raw, before["VmHWM"] / 2**20,
            after["VmHWM"] / 2**20, shm / 2**20), flush=True)


def sklearn_model(model):
    """A fitted sklearn KMeans carrying our model's centroids (for predict timings)."""
    from sklearn.cluster import KMeans
    centers = np.array(model["centroids"])
    km = KMeans(len(centers), n_init=1, init=centers, max_iter=1)
    km.fit(centers)  # sets the fitted attributes; the centres stay ours
    km.cluster_centers_ = centers
    return km


def parse_silhouette_bench(out):
    """Wall times (ours, scikit-learn) from silhouette_bench's output lines
    "customer_seg silhouette_score  n x d, k=K: T s wall, ..." and "sklearn silhouette_score ..."."""
    import re
    ours = re.search(r"customer_seg silhouette_score[^:]*:\s*([0-9.]+) s wall", out)
    theirs = re.search(r"sklearn silhouette_score[^:]*:\s*([0-9.]+) s wall", out)
    if not (ours and theirs):
        raise RuntimeError("cannot read silhouette_bench output: " + out)
    return float(ours.group(1)), float(theirs.group(1))


# --------------------------------------------------------------------------------------------
# the data shapes (issue 12): default kmeans_fit against scikit-learn on each shape

def geomean(values):
    return float(np.exp(np.mean(np.log(values)))) if values else float("nan")


class ShapeSuite:
    """Per shape of bench_shapes.py: one table of args.rows rows; per seed, side by side and
    alternating: our default kmeans_fit and ours with "refine": "none" (in turns: which goes
    first alternates with the seed), then scikit-learn's
    KMeans(n_init, random_state=seed) on the same standard-scaled rows, for n_init = 10 and 1;
    the k = 1 fit against the bare array scan (fixed cost); the backend's peak memory during
    a default n_init = 10 fit on a fresh connection."""

    def __init__(self, args, settings):
        self.args = args
        self.settings = settings
        self.results = []  # one dict per shape
        self.details = []

    def note(self, line):
        print(line, flush=True)
        self.details.append(line)

    def run_shape(self, name):
        from sklearn.cluster import KMeans
        from sklearn.preprocessing import StandardScaler
        args = self.args
        d, k, what = SHAPES[name]
        X, _ = make_shape(name, args.rows)
        Xs = StandardScaler().fit_transform(X)
        table = "bench_" + name
        features = ["f%d" % (j + 1) for j in range(d)]
        array = "ARRAY[%s]" % ", ".join(features)
        conn = connect()
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS %s" % table)
        cur.execute("CREATE TABLE %s (id int, %s)"
                    % (table, ", ".join("%s float8 NOT NULL" % f for f in features)))
        copy_binary(cur, table, X)
        cur.execute("VACUUM ANALYZE %s" % table)
        for setting in self.settings:
            cur.execute("SET " + setting)
        cpu = PgCpu(cur)
        scan_sql = "SELECT count(%s) FROM %s" % (array, table)
        fit_sql = "SELECT kmeans_fit(%s, %%s, %%s::jsonb)::text FROM %s" % (array, table)
        timed_sql(cur, scan_sql)  # warm the caches
        r = {"name": name, "d": d, "k": k, "what": what, "n": args.rows}

        # fixed cost: a k = 1 fit (one restart) against the bare scan of the same arrays
        fixed, scans = [], []
        for _ in range(args.seeds):
            scans.append(timed_sql(cur, scan_sql)[0])
            fixed.append(timed_sql(cur, fit_sql, (1, json.dumps({"n_init": 1})))[0])
        r["fixed"] = summary([f / b for f, b in zip(fixed, scans)])
        r["scan"] = statistics.median(scans)

        for n_init in (10, 1):
            ours, none, theirs, inertia, lines = [], [], [], [], []
            for seed in range(args.seeds):
                # The default and "refine": "none" in turns: on odd seeds "none" goes first (the
                # first fit after scikit-learn's measured slower, even for the same work).
                default_opts = json.dumps({"n_init": n_init, "seed": seed})
                none_opts = json.dumps({"n_init": n_init, "seed": seed, "refine": "none"})
                if seed % 2 == 1:
                    tn, rows_n = timed_sql(cur, fit_sql, (k, none_opts))
                t, rows = timed_sql(cur, fit_sql, (k, default_opts))
                if seed % 2 == 0:
                    tn, rows_n = timed_sql(cur, fit_sql, (k, none_opts))
                model = json.loads(rows[0][0])
                model_n = json.loads(rows_n[0][0])
                ts, km = timed_py(lambda: KMeans(k, n_init=n_init, random_state=seed,
                                                 algorithm="lloyd").fit(Xs))
                ours.append(t)
                none.append(tn)
                theirs.append(ts)
                inertia.append((model["inertia"], model_n["inertia"], km.inertia_))
                lines.append("    %s n_init=%d seed %d: ours %.3f s inertia %.10g n_iter %d | "
                             "refine none %.3f s inertia %.10g | scikit-learn %.3f s inertia "
                             "%.10g n_iter %d" % (name, n_init, seed, t, model["inertia"],
                                                  model["n_iter"], tn, model_n["inertia"], ts,
                                                  km.inertia_, km.n_iter_))
            for line in lines:
                self.note(line)
            r["t%d" % n_init] = summary([o / t for o, t in zip(ours, theirs)])
            r["none%d" % n_init] = summary([o / t for o, t in zip(ours, none)])
            r["ours%d" % n_init] = statistics.median(ours)
            r["sk%d" % n_init] = statistics.median(theirs)
            r["inertia%d" % n_init] = inertia
        # inertia against scikit-learn's n_init = 10, seed by seed
        r["inertia"] = summary([o / s10 for (o, _, s10) in r["inertia10"]])
        r["inertia1"] = summary([o / s10 for (o, _, _), (_, _, s10)
                                 in zip(r["inertia1"], r["inertia10"])])
        conn.close()
        r["memory"], r["memory_cold"] = self.memory(table, array, k, d, args.rows)
        self.results.append(r)
        print("%-10s n_init=10 %.3f  n_init=1 %.3f  default/none %.3f %.3f  inertia %.6f  "
              "fixed %.2f  memory %.2f" % (name, r["t10"]["median"], r["t1"]["median"],
                                          r["none10"]["median"], r["none1"]["median"],
                                          r["inertia"]["median"], r["fixed"]["median"],
                                          r["memory"]), flush=True)
        conn = connect()
        conn.cursor().execute("DROP TABLE %s" % table)
        conn.close()

    def memory(self, table, array, k, d, n):
        """Backend VmHWM growth during a default n_init = 10 fit, / raw data n * d * 8, on a
        fresh connection ("cold": the fit is its first statement, so the growth also holds the
        library's pages, the catalog caches and the shared buffers any first scan touches) and
        on a connection that first scanned the table and ran a 50-row fit ("warm": what the fit
        itself adds). Returns (warm, cold); the target is judged on the warm one."""
        out = []
        for warm in (True, False):
            conn = connect()
            cur = conn.cursor()
            for setting in self.settings:
                cur.execute("SET " + setting)
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
            if warm:
                cur.execute("SELECT count(%s) FROM %s" % (array, table))
                cur.execute("SELECT kmeans_fit(%s, 2) IS NULL FROM (SELECT * FROM %s LIMIT 50) s"
                            % (array, table))
            before = proc_status(pid)
            cur.execute("SELECT kmeans_fit(%s, %d) IS NOT NULL FROM %s" % (array, k, table))
            cur.fetchall()
            after = proc_status(pid)
            conn.close()
            grow = after["VmHWM"] - before["VmHWM"]
            self.note("    %s memory, %s connection: VmHWM +%.1f MB = %.2f x raw %.1f MB, of which "
                      "shared buffers touched (RssShmem) +%.1f MB"
                      % (table, "warm" if warm else "cold", grow / 2**20, grow / (n * d * 8),
                         n * d * 8 / 2**20, (after["RssShmem"] - before["RssShmem"]) / 2**20))
            out.append(grow / (n * d * 8))
        return tuple(out)

    def write(self, path, info):
        res = self.results
        lines = ["# customer_seg vs scikit-learn on the data shapes of issue 12", "",
                 "Command: `%s`  " % info["command"],
                 "Date: %s  " % info["date"],
                 "Machine: %s, %d cores, %.1f GB RAM, Linux %s  " % (
                     info["machine"]["cpu"], info["machine"]["cores"], info["machine"]["ram_gb"],
                     info["machine"]["kernel"]),
                 "Load average before / after: %s / %s  " % (info["load_before"],
                                                             loadavg()),
                 "Software: %s; scikit-learn %s, numpy %s, BLAS/OpenMP: %s  " % (
                     info["pg"], info["sklearn"], info["numpy"], info["blas"]),
                 "customer_seg: git %s; session settings: %s  " % (
                     info["git"], ", ".join(info["settings"]) or "server defaults"),
                 "Rows per shape: %d; seeds 0..%d on both sides (different generators); ours: "
                 "default `kmeans_fit` (wall time of the query, reading the table included); "
                 "theirs: `KMeans(k, n_init, random_state=seed)` on the same rows, "
                 "standard-scaled, in memory." % (self.args.rows, self.args.seeds - 1), "",
                 "| shape | d | k | n_init=10: ours/sklearn (≤ 0.35) | n_init=1: ours/sklearn "
                 "(≤ 0.8) | default/`refine:none`, n_init=10 / 1 (≤ 1.2) | inertia / sklearn's "
                 "n_init=10 (≤ 1.001) | n_init=1 inertia / sklearn's n_init=10 | k=1 fit / "
                 "bare scan (≤ 2) | peak memory / raw, warm [cold] connection (≤ 2.5) | seconds: ours / sklearn, "
                 "n_init=10; n_init=1 |",
                 "|---|---|---|---|---|---|---|---|---|---|---|"]

        def mark(value, target):
            return "" if value <= target else " **✗**"

        for r in res:
            lines.append(
                "| %s | %d | %d | %s%s | %s%s | %.3f / %.3f%s | %s%s | %s | %s%s | %.2f [%.2f]%s | "
                "%.2f / %.2f; %.2f / %.2f |" % (
                    r["name"], r["d"], r["k"], fmt_range(r["t10"]), mark(r["t10"]["median"], 0.35),
                    fmt_range(r["t1"]), mark(r["t1"]["median"], 0.8), r["none10"]["median"],
                    r["none1"]["median"],
                    mark(max(r["none10"]["median"], r["none1"]["median"]), 1.2),
                    fmt_range(r["inertia"], 6), mark(r["inertia"]["median"], 1.001),
                    fmt_range(r["inertia1"], 4), fmt_range(r["fixed"], 2),
                    mark(r["fixed"]["median"], 2.0), r["memory"], r["memory_cold"],
                    mark(r["memory"], 2.5),
                    r["ours10"], r["sk10"], r["ours1"], r["sk1"]))
        if res:
            lines.append("| **geometric mean** | | | %.3f | %.3f | %.3f / %.3f | %.6f | %.4f | %.2f "
                         "| %.2f | |" % tuple(geomean([r[key]["median"] for r in res])
                                             if key != "memory" else
                                             geomean([r["memory"] for r in res])
                                             for key in ("t10", "t1", "none10", "none1",
                                                         "inertia", "inertia1", "fixed",
                                                         "memory")))
        lines += ["", "Ratios: median [min-max] over the seeds of per-seed ratios (each pair "
                  "measured back to back); **✗** marks a median past its target (issue 12 sets "
                  "every target on medians of ratios; the range shows the worst seed). Inertia ratios compare our fit with seed s against scikit-learn's "
                  "n_init=10 fit with random_state=s. Peak memory: VmHWM growth of the backend "
                  "during one default n_init=10 fit (server default plan), over n·d·8 bytes, "
                  "on a connection that first scanned the table and ran a 50-row fit (warm: "
                  "what the fit adds) and, in brackets, as the fresh connection's first "
                  "statement (cold: also the library's pages, the catalog caches and the "
                  "shared buffers a first scan touches).", "", "Shapes:", ""]
        for name in self.args.shapes:
            d, k, what = SHAPES[name]
            lines.append("- %s (d = %d, k = %d): %s" % (name, d, k, what))
        lines += ["", "Details:", "", "```"] + self.details + ["```", ""]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines))


# --------------------------------------------------------------------------------------------
# report

def machine():
    model = "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": mem / 2**30,
            "kernel": platform.release()}


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return ", ".join("%s %s (%s, %d threads)" % (i.get("internal_api"), i.get("version") or "",
                                                     i.get("threading_layer", "-"),
                                                     i["num_threads"])
                         for i in threadpool_info())
    except Exception as e:  # noqa: BLE001 - informational only
        return "unknown (%s)" % e


def git_revision():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "?"


def fmt_range(s, digits=3):
    f = "%%.%df" % digits
    return (f + " [" + f + "-" + f + "]") % (s["median"], s["min"], s["max"])


def write_report(path, bench, info):
    lines = ["# customer_seg vs scikit-learn: latest benchmark", "",
             "Command: `%s`  " % info["command"],
             "Date: %s  " % info["date"],
             "Machine: %s, %d cores, %.1f GB RAM, Linux %s  " % (
                 info["machine"]["cpu"], info["machine"]["cores"], info["machine"]["ram_gb"],
                 info["machine"]["kernel"]),
             "Load average before / after: %s / %s (other work on the machine inflates both "
             "sides)  " % (info["load_before"], info["load_after"]),
             "Software: %s; scikit-learn %s, numpy %s, BLAS/OpenMP: %s  " % (
                 info["pg"], info["sklearn"], info["numpy"], info["blas"]),
             "customer_seg: git %s; session settings: %s  " % (
                 info["git"], ", ".join(info["settings"]) or "server defaults"),
             "Data: %d rows x 8 features, 8 groups + 2 %% noise, seed %d; k = %d; %d "
             "repetitions, ours and scikit-learn's alternating." % (
                 info["rows"], SEED, K, info["repeat"]),
             "",
             "| measurement | customer_seg (s) | compared with | their time (s) | ratio ours/theirs "
             "(wall) | target | met | CPU-time ratio | notes |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in bench.rows:
        if "memory" in r:
            grow, raw, b, a, shm = r["memory"]
            lines.append("| %s | +%.1f MB | raw data n·d·8 | %.1f MB | %.2f | ≤ 3 | %s | — | VmHWM "
                         "%.1f → %.1f MB; shared buffers touched +%.1f MB |" % (
                             r["name"], grow / 2**20, raw / 2**20, grow / raw, r["met"],
                             b / 2**20, a / 2**20, shm / 2**20))
            continue
        target = "—" if r["target"] is None else "≤ %.1f" % r["target"]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["name"], fmt_range(r["ours"]), r["vs"], fmt_range(r["theirs"]),
            fmt_range(r["ratio"]), target, r["met"] if r["target"] is not None else "—",
            fmt_range(r["cpu"]) if r.get("cpu") else "—", r["extra"]))
    lines += ["", "Times: wall-clock seconds, median [min-max] over the repetitions; ratios: median "
              "[min-max] of the per-repetition ratios (ours / theirs). CPU time: scikit-learn's "
              "process (all threads) against our backend plus its parallel workers; it does not "
              "depend on how busy the machine is, and a ratio below 1 means less work than "
              "scikit-learn's even where its threads win on wall-clock time.", ""]
    if bench.pending:
        lines += ["Pending:", ""] + ["- " + p for p in bench.pending] + [""]
    lines += ["Details:", "", "```"] + bench.details + ["```", ""]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines))


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--silhouette-rows", type=int, default=20000)
    ap.add_argument("--trigger-rows", type=int, default=100000)
    ap.add_argument("--sweep-rows", type=int, default=200000)
    ap.add_argument("--silhouette-bench", default=os.path.join(ROOT, "build", "bench",
                                                               "silhouette_bench"))
    ap.add_argument("--set", dest="session_settings", action="append", default=[],
                    help="a SET for our sessions, e.g. --set 'max_parallel_workers_per_gather = 0'")
    ap.add_argument("--only", default="shapes",
                    help="comma-separated: shapes (the data-shape suite, bench/results/"
                    "shapes.md) and/or fit1,fit10,assign,silhouette,trigger,sweep,memory (the "
                    "blobs table suite, --out)")
    ap.add_argument("--shapes", default="blobs,overlap,marketing,wholesale,mall,wide,many",
                    help="the shapes of bench_shapes.py to run")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per shape (shapes suite)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.md"))
    ap.add_argument("--shapes-out", default=os.path.join(HERE, "results", "shapes.md"))
    ap.add_argument("--quick", action="store_true",
                    help="100k rows, 1 repetition, 2 seeds (for interim runs)")
    args = ap.parse_args()
    if args.quick:
        args.rows, args.repeat = min(args.rows, 100000), 1
        args.seeds = min(args.seeds, 2)
        args.trigger_rows = min(args.trigger_rows, 10000)
        args.silhouette_rows = min(args.silhouette_rows, 5000)
        args.sweep_rows = min(args.sweep_rows, 20000)
    only = set(args.only.split(","))
    args.shapes = [s for s in args.shapes.split(",") if s]
    for name in args.shapes:
        if name not in SHAPES:
            ap.error("unknown shape %s (known: %s)" % (name, ", ".join(SHAPES)))

    import sklearn
    from sklearn.preprocessing import StandardScaler

    info = {"command": " ".join(["bench/run.sh"] + sys.argv[1:]),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(), "load_before": loadavg(), "sklearn": sklearn.__version__,
            "numpy": np.__version__, "blas": blas_info(), "git": git_revision(),
            "rows": args.rows, "repeat": args.repeat, "settings": args.session_settings}

    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT version()")
    info["pg"] = cur.fetchone()[0].split(" on ")[0]
    cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
    if "shapes" in only:
        suite = ShapeSuite(args, args.session_settings)
        for name in args.shapes:
            suite.run_shape(name)
            suite.write(args.shapes_out, info)  # after each shape: a partial table survives
        print("wrote " + os.path.relpath(args.shapes_out, ROOT))
        only.discard("shapes")
        if not only:
            return
    X = make_customers(args.rows)
    Xs = StandardScaler().fit_transform(X)
    cur.execute("DROP TABLE IF EXISTS bench_customers")
    cur.execute("CREATE TABLE bench_customers (id int, %s)"
                % ", ".join("%s float8 NOT NULL" % f for f in FEATURES))
    t_copy, _ = timed_py(lambda: copy_binary(cur, "bench_customers", X))
    cur.execute("VACUUM ANALYZE bench_customers")
    for setting in args.session_settings:
        cur.execute("SET " + setting)
    b = Bench(args, PgCpu(cur))
    b.note("loaded %d rows in %.1f s (not timed in any result)" % (args.rows, t_copy))
    timed_sql(cur, "SELECT count(%s) FROM bench_customers" % ARRAY)  # warm the caches
    b.note("kmeans_fit plan:\n    " + plan_of(
        cur, "SELECT kmeans_fit(%s, %d) FROM bench_customers" % (ARRAY, K)).replace(
        "\n", "\n    "))
    if "fit1" in only:
        b.fit(cur, Xs, 1)
    if "fit10" in only:
        b.fit(cur, Xs, 10)
    cur.execute("DROP TABLE IF EXISTS bench_model")
    cur.execute("CREATE TABLE bench_model AS SELECT kmeans_fit(%s, %d, '{\"n_init\": 1}') AS m "
                "FROM bench_customers" % (ARRAY, K))
    if "assign" in only:
        b.assign(cur)
    if "silhouette" in only:
        b.silhouette(cur, conn)
    if "trigger" in only:
        b.trigger(cur, Xs)
    if "sweep" in only:
        b.sweep(cur, Xs)
    if "memory" in only:
        b.memory(args.rows, 8, 10, "serial plan",
                 args.session_settings + ["max_parallel_workers_per_gather = 0"])
        b.memory(args.rows, 8, 10, "parallel plan (server default)", args.session_settings)
        b.memory(args.rows, 8, 10, "parallel plan, 1 worker",
                 args.session_settings + ["max_parallel_workers_per_gather = 1"])
    info["load_after"] = loadavg()
    write_report(args.out, b, info)
    print("wrote " + os.path.relpath(args.out, ROOT))


if __name__ == "__main__":
    main()
