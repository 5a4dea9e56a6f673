"""seg_assign per row, side by side in SQL: a hierarchical model with 20,000 leaves vs a k-means
model, 8 features, 100,000 rows labelled per query (ASSIGN_ROWS=n: n). Run inside a cluster with customer_seg
installed (e.g. scripts/dev_check.sh bench/assign_bench.py, which runs it in a throwaway one).

Rows: standard-normal blobs (numpy default_rng(0), 5 centres, scale 4), the same generator as
bench/hclust_bench.py. The hierarchical model is fitted on the first 20,000 rows (exact Ward,
one leaf per row); the 100,000 labelled rows are other rows. Each seg_assign query runs
first in a new connection ("cold": the backend decodes and prepares the model, e.g. builds
the k-d tree) and then 3 more times in it ("warm": the backend's store of prepared models
has it, customer_seg.model_cache_memory); the fastest warm run is reported (wall seconds:
the machine is shared). "bare" is the same scan without seg_assign; per-row figures
subtract it.
"""
import io
import os
import sys
import time

import numpy as np

sys.path.insert(0, "test/integration")
import dbtest  # noqa: E402

N_LEAVES, D = 20000, 8
N_ROWS = int(os.environ.get("ASSIGN_ROWS", "100000"))  # rows labelled per query


def blobs(n, d=D, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(5, d))
    return centres[rng.integers(0, 5, size=n)] + rng.normal(size=(n, d))


def load_points(cur, X, table="pts"):
    """Table `table` (id, x float8[]) holding the rows of X, analysed; serial plans from here on."""
    cur.execute("CREATE TABLE %s (id int, x float8[])" % table)
    buf = io.StringIO()
    for i, row in enumerate(X):
        buf.write("%d\t{%s}\n" % (i, ",".join(repr(float(v)) for v in row)))
    buf.seek(0)
    cur.copy_from(buf, table, columns=("id", "x"))
    cur.execute("ANALYZE %s" % table)
    cur.execute("SET max_parallel_workers_per_gather = 0")


def best_of(cur, sql, reps=3):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        times.append(time.perf_counter() - t)
    return min(times)


def cold_and_warm(db, sql, reps=3):
    """(seconds of sql's first run in a new backend, fastest of `reps` runs after it)."""
    conn = dbtest.connect(db)
    cur = conn.cursor()
    cur.execute("SET max_parallel_workers_per_gather = 0")
    cold = best_of(cur, sql, reps=1)
    warm = best_of(cur, sql, reps)
    conn.close()
    return cold, warm


def main():
    X = blobs(N_LEAVES + N_ROWS)
    with dbtest.fresh_database("assign_bench", load=()) as db:
        conn = dbtest.connect(db)
        cur = conn.cursor()
        load_points(cur, X)
        t = time.perf_counter()
        cur.execute("CREATE TABLE models AS SELECT 'ward' AS kind, hclust_fit(x, 5) AS m "
                    "FROM pts WHERE id < %d" % N_LEAVES)
        print("hclust_fit ward over %d rows: %.2f s" % (N_LEAVES, time.perf_counter() - t))
        cur.execute("INSERT INTO models SELECT 'kmeans', kmeans_fit(x, 5) FROM pts "
                    "WHERE id < %d" % N_LEAVES)
        cur.execute("SELECT kind, jsonb_array_length((m::jsonb)->'leaves') FROM models "
                    "WHERE kind = 'ward'")
        print("leaves:", cur.fetchall())
        rows = "FROM pts WHERE id >= %d" % N_LEAVES
        bare = best_of(cur, "SELECT count(x) %s" % rows)
        print("| query | cold s | warm s (best of 3) | cold us/row | warm us/row |")
        print("|---|---|---|---|---|")
        print("| bare scan, %d rows | - | %.3f | - | - |" % (N_ROWS, bare))
        train = "FROM pts WHERE id < %d" % N_LEAVES
        t_bare = best_of(cur, "SELECT count(x) %s" % train)
        cold, warm = cold_and_warm(
            db, "SELECT count(seg_assign((SELECT m FROM models WHERE kind = 'ward'), x)) %s"
            % train)
        print("| seg_assign ward, the %d training rows (each is a leaf) | %.3f | %.3f | %.2f "
              "| %.2f |" % (N_LEAVES, cold, warm, (cold - t_bare) / N_LEAVES * 1e6,
                            (warm - t_bare) / N_LEAVES * 1e6))
        for kind in ("kmeans", "ward"):
            for how, sql in [
                ("model from a table (scalar subquery)",
                 "SELECT count(seg_assign((SELECT m FROM models WHERE kind = '%s'), x)) %s"
                 % (kind, rows)),
                ("model joined", "SELECT count(seg_assign(s.m, p.x)) FROM pts p, models s "
                 "WHERE s.kind = '%s' AND p.id >= %d" % (kind, N_LEAVES)),
            ]:
                cold, warm = cold_and_warm(db, sql)
                print("| seg_assign %s, %s | %.3f | %.3f | %.2f | %.2f |" % (
                    kind, how, cold, warm, (cold - bare) / N_ROWS * 1e6,
                    (warm - bare) / N_ROWS * 1e6))
        conn.close()


if __name__ == "__main__":
    main()
