"""The stream engine against a bare scan and against the memory engine (`make bench-stream`).

On a generated table of --rows rows x 8 float8 columns (eight overlapping Gaussian groups plus
noise), side by side in one run:
  - a bare scan of the arrays the passes read: SELECT count(ARRAY[x1 .. x8]) FROM t;
  - one Lloyd pass: SELECT seg_stream_pass(model, ARRAY[x1 .. x8]) FROM t (median of 3);
  - the whole kmeans_stream_fit (k = 8): passes to converge, time per pass from its progress
    NOTICEs, total time;
  - on the first 1M rows: kmeans_fit (memory engine) against kmeans_stream_fit, time and
    inertia.
Writes bench/results/stream.md. Run inside a throwaway cluster (bench/run.sh does that).

    bench/stream_run.sh [--rows 10000000] [--also 30000000]
"""
import argparse
import os
import re
import statistics
import time

import psycopg2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
COLS = ", ".join(f"x{j}" for j in range(1, 9))
ARRAY = f"ARRAY[{COLS}]"


def connect():
    """An autocommit connection to the benchmark database."""
    conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
    conn.autocommit = True
    return conn


def make_table(cur, name, rows):
    """name: rows x 8 columns, 8 overlapping groups (sum of 3 uniforms as noise)."""
    cur.execute(f"DROP TABLE IF EXISTS {name}")
    noise = "(random() + random() + random() - 1.5)"
    cols = ", ".join(
        f"((g * {j * 37 % 11}) % 5)::float8 * 0.8 + {noise} AS x{j}" for j in range(1, 9))
    cur.execute(f"""CREATE UNLOGGED TABLE {name} AS
                    SELECT {cols}
                    FROM (SELECT (random() * 8)::int AS g
                          FROM generate_series(1, {rows})) s""")
    cur.execute(f"VACUUM ANALYZE {name}")


def timed(cur, sql, args=None):
    """Seconds one statement takes, and its first value."""
    start = time.perf_counter()
    cur.execute(sql, args)
    row = cur.fetchone()
    return time.perf_counter() - start, row[0] if row else None


def measure(conn, table, rows, repeat=3, passes_only=False):
    """The figures of one table (passes_only: the bare scan and one pass, not the whole fit)."""
    cur = conn.cursor()
    make_table(cur, table, rows)
    cur.execute(f"SELECT pg_total_relation_size('{table}')")
    size = cur.fetchone()[0]
    bare = [timed(cur, f"SELECT count({ARRAY}) FROM {table}")[0] for _ in range(repeat)]
    # A model to run passes with: the stream fit's own start on a sample.
    cur.execute(f"""SELECT kmeans_fit({ARRAY}, 8, '{{"sample": 20000, "n_init": 1}}')::text
                    FROM {table}""")
    model = cur.fetchone()[0]
    passes = [timed(cur, f"SELECT length(seg_stream_pass(%s::segmodel, {ARRAY})) FROM {table}",
                    (model,)) for _ in range(repeat)]
    pass_bytes = passes[0][1]
    if passes_only:
        return {"rows": rows, "size": size, "bare": statistics.median(bare),
                "pass": statistics.median(p[0] for p in passes), "pass_bytes": pass_bytes,
                "n_iter": 0, "inertia": float("nan"), "total": float("nan"),
                "pass_in_fit": float("nan"), "seed": float("nan")}
    conn.notices.clear()
    total, fitted = timed(cur, f"""SELECT kmeans_stream_fit('{table}',
                                   ARRAY['x1','x2','x3','x4','x5','x6','x7','x8'], 8,
                                   '{{"progress": true}}')::text""")
    cur.execute("SELECT (%s::segmodel::jsonb)->>'n_iter', (%s::segmodel::jsonb)->>'inertia'",
                (fitted, fitted))
    n_iter, inertia = cur.fetchone()
    pass_times = [float(m.group(1)) for n in conn.notices
                  for m in [re.search(r"pass \d+ of at most \d+: \d+ rows in ([0-9.]+) s", n)] if m]
    seed_time = [float(m.group(1)) for n in conn.notices
                 for m in [re.search(r"sample of \d+ rows in ([0-9.]+) s", n)] if m]
    return {
        "rows": rows, "size": size, "bare": statistics.median(bare),
        "pass": statistics.median(p[0] for p in passes), "pass_bytes": pass_bytes,
        "n_iter": int(n_iter), "inertia": float(inertia), "total": total,
        "pass_in_fit": statistics.median(pass_times) if pass_times else float("nan"),
        "seed": seed_time[0] if seed_time else float("nan"),
    }


def memory_vs_stream(conn, table):
    """kmeans_fit against kmeans_stream_fit on the first 1M rows of table (k = 8)."""
    cur = conn.cursor()
    cur.execute(f"DROP TABLE IF EXISTS {table}_1m")
    cur.execute(f"CREATE UNLOGGED TABLE {table}_1m AS SELECT * FROM {table} LIMIT 1000000")
    cur.execute(f"VACUUM ANALYZE {table}_1m")
    t_mem, mem = timed(cur, f"SELECT kmeans_fit({ARRAY}, 8)::text FROM {table}_1m")
    t_str, stream = timed(cur, f"""SELECT kmeans_stream_fit('{table}_1m',
                                   ARRAY['x1','x2','x3','x4','x5','x6','x7','x8'], 8)::text""")
    cur.execute("""SELECT (%s::segmodel::jsonb)->>'inertia', (%s::segmodel::jsonb)->>'inertia',
                          (%s::segmodel::jsonb)->>'n_iter'""", (mem, stream, stream))
    i_mem, i_str, n_iter = cur.fetchone()
    return {"memory": t_mem, "stream": t_str, "inertia_ratio": float(i_str) / float(i_mem),
            "n_iter": int(n_iter)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--also", type=int, default=0, help="a second, larger table")
    parser.add_argument("--passes-only", action="store_true",
                        help="time the bare scan and one pass only (no whole fit)")
    parser.add_argument("--skip-memory", action="store_true",
                        help="leave out the memory engine comparison on 1M rows")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench/results/stream.md"))
    args = parser.parse_args()
    conn = connect()
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
    cur.execute("SHOW max_parallel_workers_per_gather")
    workers = cur.fetchone()[0]
    results = [measure(conn, "stream_bench", args.rows, passes_only=args.passes_only)]
    mvs = None if args.skip_memory else memory_vs_stream(conn, "stream_bench")
    if args.also:
        results.append(measure(conn, "stream_bench_big", args.also))
    lines = [
        "# Stream engine benchmark",
        "",
        f"`bench/stream_run.sh --rows {args.rows}" + (f" --also {args.also}" if args.also else "")
        + f"`; k = 8, 8 features, max_parallel_workers_per_gather = {workers}; medians of 3.",
        "",
        "| rows | table | bare scan | one pass | pass / scan | passes | time per pass in the fit "
        "| seeding + sample fit | whole fit | bytes per pass per shard |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['size'] / 2**20:.0f} MB | {r['bare']:.2f} s | {r['pass']:.2f} s "
            f"| {r['pass'] / r['bare']:.2f}x | {r['n_iter']} | {r['pass_in_fit']:.2f} s "
            f"| {r['seed']:.2f} s | {r['total']:.1f} s | {r['pass_bytes']} |")
    if mvs:
        lines += [
        "",
        "Memory engine against the stream engine on the first 1M rows (default options):",
        "",
        "| engine | time | inertia / memory engine's | Lloyd passes |",
        "|---|---|---|---|",
        f"| memory (kmeans_fit) | {mvs['memory']:.2f} s | 1 | |",
        f"| stream (kmeans_stream_fit) | {mvs['stream']:.2f} s | {mvs['inertia_ratio']:.6f} "
        f"| {mvs['n_iter']} |",
        ]
    lines.append("")
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
