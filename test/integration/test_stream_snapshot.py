"""A stream fit reads one snapshot: seg_train with engine "stream" (and kmeans_stream_fit)
runs one seeding pass and then one pass per Lloyd iteration, each a query over the source.
Rows another session commits while the passes run must be in none of them, in READ
COMMITTED too -- as with engine "memory", whose one query reads one snapshot. (When
kmeans_stream_fit was VOLATILE, every pass took a new snapshot: a model whose seeding saw
200,000 rows finished with 201,000, the late rows in its sizes and inertia.)

The other session waits until the fit reports its first pass (option "progress" puts it in
application_name), commits 1,000 far-away rows, and checks that the fit still had passes to
run after that commit; the model must count exactly the rows of the table before it.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_stream_snapshot.py
"""
import json
import threading
import time

from dbtest import Checks, connect, fresh_database

ROWS = 200_000
LATE = 1_000
MAX_ITER = 200
PASS_NAME = "customer_seg: kmeans_stream_fit pass %"


def scalar(cur, sql, args=None):
    """The first column of the first row (None without a row)."""
    cur.execute(sql, args)
    row = cur.fetchone()
    return row[0] if row else None


def fit_while_inserting(db, statement, isolation_sql):
    """Runs `statement` (returning a model as text or a version) in one session while a second
    one commits LATE rows after the first pass; returns (result, passes seen after the
    commit or None when the fit was over first)."""
    result = {}

    def fitter():
        conn = connect(db)
        cur = conn.cursor()
        try:
            if isolation_sql:
                conn.autocommit = False
                cur.execute(isolation_sql)
            cur.execute(statement)
            result["value"] = cur.fetchone()[0]
            conn.commit()
        except Exception as e:  # reported by the checks below
            result["error"] = e
        conn.close()

    other = connect(db)
    other.autocommit = True
    ocur = other.cursor()
    thread = threading.Thread(target=fitter)
    thread.start()
    running = None
    for _ in range(1200):
        running = scalar(ocur, "SELECT application_name FROM pg_stat_activity "
                               "WHERE application_name LIKE %s LIMIT 1", (PASS_NAME,))
        if running or not thread.is_alive():
            break
        time.sleep(0.01)
    ocur.execute("INSERT INTO points SELECT 100 + random(), 100 + random() "
                 "FROM generate_series(1, %s)", (LATE,))
    after = scalar(ocur, "SELECT application_name FROM pg_stat_activity "
                         "WHERE application_name LIKE %s LIMIT 1", (PASS_NAME,))
    thread.join(300)
    ocur.execute("DELETE FROM points WHERE x >= 100")
    other.close()
    return result, (running, after)


def main():
    checks = Checks()
    with fresh_database("it_stream_snapshot", load=()) as db:
        conn = connect(db)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE points AS SELECT random() AS x, random() AS y "
                    "FROM generate_series(1, %s)", (ROWS,))
        cur.execute("ANALYZE points")
        options = json.dumps({"engine": "stream", "seed": 1, "tol": 0, "max_iter": MAX_ITER,
                              "progress": True})
        cases = [
            ("kmeans_stream_fit, READ COMMITTED",
             "SELECT kmeans_stream_fit('points', ARRAY['x', 'y'], 3, '%s')::text"
             % options.replace('"engine": "stream", ', ''), None),
            ("seg_train engine stream, READ COMMITTED",
             "SELECT seg_train('pts', 'points', ARRAY['x', 'y'], 3, '%s')" % options, None),
            ("seg_train engine stream, REPEATABLE READ",
             "SELECT seg_train('pts', 'points', ARRAY['x', 'y'], 3, '%s')" % options,
             "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
        ]
        for what, statement, isolation in cases:
            result, (running, after) = fit_while_inserting(db, statement, isolation)
            checks.check("error" not in result, f"{what}: no error ({result.get('error')})")
            if "value" not in result:
                continue
            checks.check(running is not None and after is not None,
                         f"{what}: the fit was between passes when the late rows were committed "
                         f"(first seen {running!r}, after the commit {after!r})")
            if isinstance(result["value"], str):
                model = json.loads(result["value"])
            else:
                model = json.loads(scalar(cur, "SELECT model::text FROM seg_models "
                                               "WHERE name = 'pts' AND version = %s",
                                          (result["value"],)))
            checks.check(model["n_rows"] == ROWS and sum(model["sizes"]) == ROWS,
                         f"{what}: the model counts the {ROWS} rows the fit started with "
                         f"(n_rows {model['n_rows']}, sizes {model['sizes']})")
        checks.check(scalar(cur, "SELECT count(*) FROM points") == ROWS,
                     "the late rows were deleted again between the cases")
        conn.close()
    checks.finish()


if __name__ == "__main__":
    main()
