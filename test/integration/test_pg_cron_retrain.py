#!/usr/bin/python3
"""The pg_cron retraining recipe (docs/retrain_pg_cron.sql) end to end.

pg_cron must be preloaded, so this test starts its own throwaway cluster with pg_virtualenv
(shared_preload_libraries = pg_cron, cron.database_name = postgres, background workers),
loading customer_seg from the same place as the server the suite runs against
(its extension_destdir). There it runs the recipe, makes the job run every minute, changes
the training data and waits for pg_cron to retrain: the log gets a line with the seg_diff of
the two versions, the registry's active version moves on, and the label trigger labels the
next insert with the new version. SKIP when pg_cron is not installed.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from dbtest import ROOT, Checks, psql  # noqa: E402

PG_CRON = "/usr/lib/postgresql/15/lib/pg_cron.so"


def outer():
    """Re-runs this file inside a pg_virtualenv cluster with pg_cron preloaded."""
    if not os.path.exists(PG_CRON):
        print("SKIP: pg_cron is not installed (Debian package postgresql-15-cron)")
        return 0
    import psycopg2
    with psycopg2.connect(dbname="postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT setting FROM pg_settings WHERE name = 'extension_destdir'")
        row = cur.fetchone()
    destdir = row[0] if row else ""
    opts = ["-o", "shared_preload_libraries=pg_cron", "-o", "cron.database_name=postgres",
            "-o", "cron.use_background_workers=on", "-o", "max_worker_processes=16"]
    if destdir:
        opts += ["-o", f"extension_destdir={destdir}"]
    env = dict(os.environ, CSEG_CRON_CLUSTER="1")
    for k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        env.pop(k, None)
    return subprocess.run(["pg_virtualenv", "-t", "-v", "15", *opts, "/usr/bin/python3",
                           os.path.abspath(__file__)], cwd=ROOT, env=env).returncode


def query(cur, sql, *args):
    """One row of a query."""
    cur.execute(sql, args)
    return cur.fetchone()


def inner():
    """Inside the pg_cron cluster: the recipe, a retrain by pg_cron, the trigger afterwards."""
    import psycopg2
    checks = Checks()
    psql("postgres", "-c", "CREATE EXTENSION customer_seg")
    psql("postgres", "-f", "data/load_mall.sql")
    psql("postgres", "-f", "docs/retrain_pg_cron.sql")
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    checks.check(query(cur, "SELECT count(*), max(new_version) FROM seg_retrain_log") == (1, 1),
                 "the recipe trained version 1 and logged it")
    checks.check(query(cur, "SELECT schedule FROM cron.job WHERE jobname = 'retrain-mall'")
                 == ("0 3 * * *",), "the nightly job is scheduled")
    cur.execute("INSERT INTO customers (customer_id, age, annual_income, spending_score) "
                "VALUES (1, 30, 60, 50)")
    checks.check(query(cur, "SELECT segment_version FROM customers WHERE customer_id = 1")
                 == (1,), "the trigger labels with version 1")
    # New customers arrive (richer ones), and the job is made to run every minute.
    cur.execute("INSERT INTO mall_customers SELECT customer_id + 1000, gender, age, "
                "annual_income * 2, spending_score FROM mall_customers")
    cur.execute("SELECT cron.schedule('retrain-mall', '* * * * *', 'SELECT retrain_mall()')")
    deadline = time.time() + 150
    while time.time() < deadline:
        if query(cur, "SELECT count(*) FROM seg_retrain_log")[0] >= 2:
            break
        time.sleep(2)
    cur.execute("SELECT cron.unschedule('retrain-mall')")
    row = query(cur, "SELECT old_version, new_version, diff FROM seg_retrain_log "
                     "ORDER BY new_version DESC LIMIT 1")
    checks.check(row is not None and row[0] == 1 and row[1] == 2,
                 f"pg_cron retrained: versions 1 -> 2 logged ({row[:2] if row else None})")
    diff = row[2] if row else None
    if isinstance(diff, str):
        diff = json.loads(diff)
    checks.check(diff is not None and diff["rows"] == 400
                 and sum(t["rows"] for t in diff["transitions"]) == 400,
                 f"the log holds seg_diff over the 400 training rows "
                 f"(changed_share {diff['changed_share'] if diff else None})")
    status = query(cur, "SELECT status FROM cron.job_run_details ORDER BY runid DESC LIMIT 1")
    checks.check(status == ("succeeded",), f"cron.job_run_details says {status}")
    checks.check(query(cur, "SELECT version FROM seg_models WHERE name = 'mall' AND active")
                 == (2,), "version 2 is active")
    cur.execute("INSERT INTO customers (customer_id, age, annual_income, spending_score) "
                "VALUES (2, 30, 60, 50)")
    cur.execute("UPDATE customers SET segment = NULL WHERE customer_id = 1")
    same = query(cur, "SELECT bool_and(segment_version = 2 AND segment = seg_assign(seg_model("
                      "'mall'), ARRAY[age, annual_income, spending_score]::float8[])) "
                      "FROM customers")
    checks.check(same == (True,), "the trigger labels new and updated rows with version 2")
    conn.close()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(inner() if os.environ.get("CSEG_CRON_CLUSTER") else outer())
