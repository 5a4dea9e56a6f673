"""Charts over 1M rows: time and size of every chart and of seg_report on a synthetic table of
1,000,000 customers x 3 features (5 Gaussian blobs, fixed seed), one k-means model (k = 5,
fitted on a 50,000-row sample) and one hierarchical model (ward, 20,000 micro-cluster leaves). Writes bench/results/charts.md. A measurement, not a test.

Run (private build and throwaway cluster): scripts/dev_check.sh bench/charts_bench.py
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "integration"))
from dbtest import ROOT, connect, fresh_database  # noqa: E402

ROWS = int(os.environ.get("CSEG_CHART_ROWS", "1000000"))
F = "ARRAY[a, b, c]"


def main():
    lines = []
    with fresh_database("bench_charts", load=()) as db:
        cur = connect(db).cursor()
        cur.execute("SELECT setseed(0.42)")
        cur.execute("CREATE TABLE big AS SELECT (i % 5) * 3 + random() AS a, "
                    "(i % 5) * -2 + random() * 2 AS b, (i % 3) + random() AS c "
                    f"FROM generate_series(1, {ROWS}) AS i")
        cur.execute("ANALYZE big")
        cur.execute("CREATE TABLE model AS SELECT kmeans_fit(" + F + ", 5, "
                    "'{\"sample\": 50000, \"n_init\": 1}') AS m FROM big")
        # The sweep chart draws one point per k whatever the table: its sweep runs on 20,000 rows.
        cur.execute("CREATE TABLE few AS SELECT * FROM big LIMIT 20000")
        cur.execute("CREATE TABLE sweep AS SELECT s FROM seg_sweep('few', ARRAY['a','b','c'], "
                    "1, 8, '{\"n_init\": 1}') s")
        cur.execute("CREATE TABLE tree AS SELECT hclust_fit(" + F + ", 5) AS m FROM big")
        queries = [
            ("seg_sweep_chart (8 sweep rows)", "SELECT seg_sweep_chart(s) FROM sweep"),
            ("seg_silhouette_chart", f"SELECT seg_silhouette_chart(m, {F}) FROM big, model"),
            ("seg_map_chart", f"SELECT seg_map_chart(m, {F}) FROM big, model"),
            ("seg_profile_chart", "SELECT seg_profile_chart(m) FROM model"),
            ("seg_dendrogram_chart (20,000 leaves)", "SELECT seg_dendrogram_chart(m) FROM tree"),
            ("seg_project (every row)", f"SELECT max((seg_project(m, {F}))[1])::text FROM big, model"),
            ("seg_report", "SELECT seg_report(m, 'big', ARRAY['a', 'b', 'c']) FROM model"),
        ]
        for name, sql in queries:
            start = time.monotonic()
            cur.execute(sql)
            out = cur.fetchone()[0]
            seconds = time.monotonic() - start
            lines.append(f"| {name} | {seconds:.2f} | {len(out.encode()) / 1024:.0f} |")
            print(lines[-1], flush=True)
    path = os.path.join(ROOT, "bench", "results", "charts.md")
    with open(path, "w") as f:
        f.write(f"# Charts over {ROWS:,} rows\n\n`scripts/dev_check.sh bench/charts_bench.py` "
                f"(2-core machine shared with other jobs; one run, timings noisy)\n\n"
                "| chart | seconds | kB |\n|---|---|---|\n" + "\n".join(lines) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
