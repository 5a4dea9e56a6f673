"""What each way of naming the model costs per labelled row: seg_assign over N stored arrays
with the model given by name (seg_assign(name, f)), by seg_model(name), by a scalar subquery on
the registry, by a join with the registry and as a literal (the model's text in the query: a
constant), against the same scan without seg_assign.
Minimum of R runs of each (wall time), serial plans.

Run: pg_virtualenv -v 15 /usr/bin/python3 bench/by_name_cost.py [--rows N] [--runs R]
(after make install; add -o extension_destdir=... for an install under build/)."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "integration"))
from dbtest import connect, fresh_database  # noqa: E402

QUERIES = {
    "bare scan": "SELECT sum(array_length(f, 1)) FROM points",
    "seg_assign('plain', f)": "SELECT sum(seg_assign('plain', f)) FROM points",
    "seg_assign((SELECT model ...), f)":
        "SELECT sum(seg_assign((SELECT model FROM seg_models WHERE name = 'plain' AND active), f)) "
        "FROM points",
    "seg_assign(s.model, f) (join)":
        "SELECT sum(seg_assign(s.model, f)) FROM points, seg_models s "
        "WHERE s.name = 'plain' AND s.active",
    "seg_assign(seg_model('plain'), f)": "SELECT sum(seg_assign(seg_model('plain'), f)) FROM points",
    "seg_assign('<the model>'::segmodel, f)": "SELECT sum(seg_assign({literal}::segmodel, f)) FROM points",
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with fresh_database("bench_by_name") as db:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("SET max_parallel_workers_per_gather = 0")
        cur.execute("SELECT seg_train('plain', 'mall_customers', "
                    "ARRAY['age', 'annual_income', 'spending_score'], 5)")
        cur.execute("CREATE TABLE points AS SELECT ARRAY[18 + i % 53, 15 + (i * 7) % 123, "
                    f"1 + (i * 13) % 99]::float8[] AS f FROM generate_series(1, {args.rows}) i")
        cur.execute("VACUUM ANALYZE points")
        cur.execute("SELECT quote_literal(model::text) FROM seg_models WHERE name = 'plain'")
        literal = cur.fetchone()[0]
        queries = {k: q.replace("{literal}", literal) for k, q in QUERIES.items()}
        times = {k: [] for k in queries}
        for _ in range(args.runs):  # interleaved
            for name, sql in queries.items():
                start = time.perf_counter()
                cur.execute(sql)
                cur.fetchall()
                times[name].append(time.perf_counter() - start)
        base = min(times["bare scan"])
        print(f"{args.rows} rows, minimum of {args.runs} runs (wall time, serial plans)")
        for name, t in times.items():
            extra = "" if name == "bare scan" else f"  {(min(t) - base) / args.rows * 1e9:.0f} ns a row"
            print(f"  {name:36s} {min(t):.3f} s{extra}")
        conn.close()


if __name__ == "__main__":
    main()
