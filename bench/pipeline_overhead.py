"""What the feature pipeline costs per labelled row: the same customers labelled by a model
without a pipeline ("plain") and by one with transforms and clipping ("pipeline": age as is,
log1p(income), sqrt(score), clipped at the 1st/99th training percentiles), side by side.

1. seg_assign's per-row cost: SELECT sum(seg_assign(model, f)) over a table of N stored arrays,
   minus the same query without seg_assign (reading the arrays), median of R interleaved runs
   (each timed by the backend's CPU time when the server runs on this machine, else wall time);
   also a model that only clips ("clip_only"), and the query a user would write without the
   pipeline: the plain model fed ARRAY[age, ln(1 + income), sqrt(score)] (whole query times).
2. The label trigger's insert cost: INSERT ... SELECT of N rows into a customer table with
   seg_label_trigger on the plain or the pipeline model, against the same table without a
   trigger (as bench/trigger_overhead.py), median of R interleaved runs.
3. The same per-row cost on wide rows (--wide-rows N, 0 to skip): the marketing campaign's
   16 numeric columns, a plain model against one with log1p on its 11 money and count
   columns (both k = 6, missing incomes imputed), over N stored arrays resampled from the
   table's rows: what a pipeline of many logs costs per row.
Target (issue 14): the pipeline adds <= 10 % to both.

Run: pg_virtualenv -v 15 /usr/bin/python3 bench/pipeline_overhead.py [--rows N] [--runs R]
(or bash bench/pipeline_overhead.sh).
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "integration"))
from dbtest import connect, fresh_database  # noqa: E402

FEATURES = "ARRAY[18 + i % 53, 15 + (i * 7) % 123, 1 + (i * 13) % 99]::float8[]"
MODELS = {
    "plain": "{}",
    "pipeline": '{"transform": ["none", "log1p", "sqrt"], "clip": [0.01, 0.99]}',
    "clip_only": '{"clip": [0.01, 0.99]}',
}
# What a user does without the pipeline: the same transforms computed in the query.
SQL_TRANSFORMS = "ARRAY[f[1], ln(1 + f[2]), sqrt(f[3])]"
TABLE = """CREATE TABLE {name} (
    id bigint PRIMARY KEY, email text UNIQUE, name text,
    signed_up timestamptz NOT NULL DEFAULT now(), age int, income numeric, score real,
    segment int, segment_version int)"""
TRIGGER = """CREATE TRIGGER t BEFORE INSERT ON {name} FOR EACH ROW
    EXECUTE FUNCTION seg_label_trigger('{model}', 'segment', 'age', 'income', 'score',
                                       'version_column=segment_version')"""
INSERT = ("INSERT INTO {name} (id, email, name, age, income, score) "
          "SELECT i, 'c' || i || '@example.com', 'Customer ' || i, 18 + i % 53, "
          "15 + (i * 7) % 123, 1 + (i * 13) % 99 FROM generate_series(1, {rows}) AS i")


CLOCK = {"read": time.perf_counter, "name": "wall time"}


def use_backend_cpu_clock(cur):
    """Times statements by the backend's CPU time (/proc/PID/schedstat, nanoseconds on the CPU)
    when the server runs on this machine: on a loaded machine wall time mostly measures the
    wait for a core."""
    cur.execute("SELECT pg_backend_pid()")
    path = f"/proc/{cur.fetchone()[0]}/schedstat"
    if os.access(path, os.R_OK):
        CLOCK["read"] = lambda: int(open(path).read().split()[0]) / 1e9
        CLOCK["name"] = "backend CPU time"


WIDE_COLUMNS = ["income", "mnt_wines", "mnt_fruits", "mnt_meat_products", "mnt_fish_products",
                "mnt_sweet_products", "mnt_gold_prods", "num_deals_purchases",
                "num_web_purchases", "num_catalog_purchases", "num_store_purchases",
                "num_web_visits_month", "recency", "kidhome", "teenhome", "year_birth"]
WIDE_LOG = set(WIDE_COLUMNS[:11])
WIDE_MODELS = {
    "plain": {"missing": "impute", "seed": 1},
    "log1p": {"missing": "impute", "seed": 1,
              "transform": ["log1p" if c in WIDE_LOG else "none" for c in WIDE_COLUMNS]},
}


def seconds(cur, sql):
    """Time of one statement (the backend's CPU time, or wall time)."""
    start = CLOCK["read"]()
    cur.execute(sql)
    return CLOCK["read"]() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--insert-rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--wide-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with fresh_database("bench_pipeline_overhead", load=("mall", "marketing")) as db:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("SET max_parallel_workers_per_gather = 0")
        use_backend_cpu_clock(cur)
        for name, options in MODELS.items():
            cur.execute("SELECT seg_train(%s, 'mall_customers', "
                        "ARRAY['age', 'annual_income', 'spending_score'], 5, %s)",
                        (name, options))
            cur.execute(TABLE.format(name=f"customers_{name}"))
            cur.execute(TRIGGER.format(name=f"customers_{name}", model=name))
        cur.execute(TABLE.format(name="customers_none"))

        # The arrays are stored once, so the runs differ only by seg_assign's work.
        cur.execute(f"CREATE TABLE points AS SELECT {FEATURES} AS f "
                    f"FROM generate_series(1, {args.rows}) i")
        cur.execute("VACUUM ANALYZE points")
        base = "SELECT sum(array_length(f, 1)) FROM points"
        assign = ("SELECT sum(seg_assign((SELECT model FROM seg_models WHERE name = '{m}' "
                  "AND active), f)) FROM points")
        in_sql = ("SELECT sum(seg_assign((SELECT model FROM seg_models WHERE name = 'plain' "
                  f"AND active), {SQL_TRANSFORMS})) FROM points")
        times = {k: [] for k in ("base", *MODELS)}
        for _ in range(args.runs):  # interleaved, so drift affects all alike
            times["base"].append(seconds(cur, base))
            for m in MODELS:
                times[m].append(seconds(cur, assign.format(m=m)))
            times.setdefault("in_sql", []).append(seconds(cur, in_sql))
        med = {k: statistics.median(v) for k, v in times.items()}
        per_row = {m: (med[m] - med["base"]) / args.rows * 1e9 for m in MODELS}
        print(f"seg_assign, {args.rows} rows, median of {args.runs} runs ({CLOCK['name']})")
        print(f"  arrays only {med['base']:.3f} s; plain {med['plain']:.3f} s "
              f"({per_row['plain']:.0f} ns/row); pipeline {med['pipeline']:.3f} s "
              f"({per_row['pipeline']:.0f} ns/row); clip only {med['clip_only']:.3f} s "
              f"({per_row['clip_only']:.0f} ns/row)")
        print(f"  pipeline / plain per-row cost: {per_row['pipeline'] / per_row['plain']:.2f}x; "
              f"clip only / plain: {per_row['clip_only'] / per_row['plain']:.2f}x")
        print(f"  the transforms in SQL + plain model: {med['in_sql']:.3f} s for the whole query, "
              f"against {med['pipeline']:.3f} s with the pipeline model")

        itimes = {k: [] for k in ("none", "plain", "pipeline")}
        for _ in range(args.runs):
            for k in itimes:
                name = f"customers_{k}"
                cur.execute(f"TRUNCATE {name}")
                cur.execute(f"VACUUM {name}")
                itimes[k].append(seconds(cur, INSERT.format(name=name, rows=args.insert_rows)))
        imed = {k: statistics.median(v) for k, v in itimes.items()}
        print(f"INSERT ... SELECT {args.insert_rows} rows, median of {args.runs} runs "
              f"({CLOCK['name']})")
        print(f"  no trigger {imed['none']:.3f} s; trigger, plain model {imed['plain']:.3f} s "
              f"({imed['plain'] / imed['none']:.2f}x); trigger, pipeline model "
              f"{imed['pipeline']:.3f} s ({imed['pipeline'] / imed['none']:.2f}x)")
        print(f"  pipeline / plain insert cost: {imed['pipeline'] / imed['plain']:.3f}x")
        if args.wide_rows > 0:
            wide_per_row(cur, args)
        cur.execute("SELECT count(*) FILTER (WHERE segment IS NULL) FROM customers_pipeline")
        unlabelled = cur.fetchone()[0]
        print(f"check: {unlabelled} unlabelled rows")
        conn.close()
        if unlabelled:
            sys.exit(1)


def wide_per_row(cur, args):
    """seg_assign's per-row cost on the marketing campaign's 16 columns: plain against 11
    log1p transforms, interleaved, as part 1."""
    columns = ", ".join(f"{c}::float8" for c in WIDE_COLUMNS)
    for name, options in WIDE_MODELS.items():
        cur.execute(f"SELECT seg_train(%s, 'marketing_campaign', ARRAY{WIDE_COLUMNS}, 6, %s)",
                    (f"wide_{name}", json.dumps(options)))
    # Every row of the table in turn (income NULL in 24 of them: imputed by both models).
    cur.execute(f"CREATE TABLE wide_points AS "
                f"WITH m AS (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, * "
                f"FROM marketing_campaign) "
                f"SELECT ARRAY[{columns}] AS f FROM generate_series(0, {args.wide_rows} - 1) i "
                f"JOIN m ON m.rn = i % (SELECT count(*) FROM marketing_campaign)")
    cur.execute("VACUUM ANALYZE wide_points")
    base = "SELECT sum(array_length(f, 1)) FROM wide_points"
    assign = ("SELECT sum(seg_assign((SELECT model FROM seg_models WHERE name = '{m}' "
              "AND active), f)) FROM wide_points")
    times = {k: [] for k in ("base", *WIDE_MODELS)}
    for _ in range(args.runs):
        times["base"].append(seconds(cur, base))
        for m in WIDE_MODELS:
            times[m].append(seconds(cur, assign.format(m=f"wide_{m}")))
    med = {k: statistics.median(v) for k, v in times.items()}
    per_row = {m: (med[m] - med["base"]) / args.wide_rows * 1e9 for m in WIDE_MODELS}
    print(f"seg_assign on wide rows (marketing, 16 columns, 11 of them log1p), {args.wide_rows} "
          f"rows, median of {args.runs} runs ({CLOCK['name']})")
    print(f"  arrays only {med['base']:.3f} s; plain {med['plain']:.3f} s "
          f"({per_row['plain']:.0f} ns/row); log1p {med['log1p']:.3f} s "
          f"({per_row['log1p']:.0f} ns/row)")
    print(f"  log1p / plain per-row cost: {per_row['log1p'] / per_row['plain']:.2f}x")


if __name__ == "__main__":
    main()
