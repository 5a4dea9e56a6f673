"""Crash safety of the model registry: a backend killed with SIGKILL while seg_train works --
during the fit, right after it wrote the new version's row, or after seg_train returned but
before COMMIT -- leaves seg_models as it was: the old version still active, no half row, the
indexes intact; and the next seg_train numbers its version as if nothing had happened.

The server runs as postgres under pg_virtualenv and the test as root, so os.kill reaches the
backend. Every SIGKILL makes the postmaster reset all sessions and run crash recovery; the
test waits for it and reconnects.
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_crash_safety.py
"""
import os
import signal
import threading
import time

import psycopg2

from dbtest import Checks, psql

DB = "it_crash_safety"
FEATURES = "ARRAY['a', 'b', 'c']"
LONG_OPTIONS = '{"n_init": 500, "max_iter": 100000, "tol": 0}'


def connect(dbname=DB, timeout=120.0):
    """An autocommit connection, retried while the server restarts after a crash."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = psycopg2.connect(dbname=dbname)
            conn.autocommit = True
            cur = conn.cursor()
            cur.execute("SELECT pg_is_in_recovery()")
            if not cur.fetchone()[0]:
                return conn
            conn.close()
        except psycopg2.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the server did not come back after the crash")
        time.sleep(0.5)


def setup():
    """A fresh database with the extension, a big and a small table, and version 1 of 'm'."""
    admin = connect("postgres")
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin.cursor().execute(f"CREATE DATABASE {DB}")
    admin.close()
    psql(DB, "-c", "CREATE EXTENSION customer_seg", "-c", "CREATE EXTENSION amcheck")
    conn = connect()
    cur = conn.cursor()
    cur.execute("""CREATE TABLE big AS
                   SELECT (i * 7919 % 10007)::float8 AS a, (i * 104729 % 10009)::float8 AS b,
                          (i % 97)::float8 AS c
                   FROM generate_series(1::bigint, 200000) AS i""")
    cur.execute("CREATE TABLE small AS SELECT * FROM big WHERE a < 500")
    cur.execute(f"SELECT seg_train('m', 'small', {FEATURES}, 3)")
    conn.close()


def registry_state(cur):
    """Everything about model 'm' that a crash must not change."""
    cur.execute("SELECT version, active, model::text, trained_on FROM seg_models "
                "WHERE name = 'm' ORDER BY version")
    return cur.fetchall()


def wait_for(cur, pid, condition, what, timeout=120.0):
    """Polls pg_stat_activity until the backend pid satisfies condition (SQL on the row,
    with % doubled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cur.execute(f"SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND ({condition})",
                    (pid,))
        if cur.fetchone()[0] == 1:
            return True
        time.sleep(0.1)
    raise TimeoutError(f"backend {pid} never reached: {what}")


def kill_during(checks, label, statements, condition):
    """Runs statements in a backend, SIGKILLs it once pg_stat_activity shows condition,
    waits for crash recovery and checks the registry is exactly as before."""
    conn = connect()
    cur = conn.cursor()
    before = registry_state(cur)
    victim = connect()
    vcur = victim.cursor()
    vcur.execute("SELECT pg_backend_pid()")
    pid = vcur.fetchone()[0]
    outcome = {}

    def run():
        try:
            for sql in statements:
                vcur.execute(sql)
            outcome["error"] = None
        except psycopg2.Error as e:
            outcome["error"] = e

    thread = threading.Thread(target=run)
    thread.start()
    wait_for(cur, pid, condition, label)
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=120)
    checks.check(isinstance(outcome.get("error"), psycopg2.OperationalError),
                 f"{label}: the killed session lost its connection "
                 f"({type(outcome.get('error')).__name__})")
    for c in (conn, victim):
        try:
            c.close()
        except psycopg2.Error:
            pass
    conn = connect()  # waits for crash recovery
    cur = conn.cursor()
    after = registry_state(cur)
    checks.check(after == before,
                 f"{label}: registry unchanged after recovery "
                 f"(versions {[r[0] for r in after]}, active {[r[0] for r in after if r[1]]})")
    cur.execute("SELECT count(*) FROM seg_models WHERE name = 'm' AND active")
    checks.check(cur.fetchone()[0] == 1, f"{label}: exactly one active version")
    cur.execute("SELECT seg_model('m')::text = %s", ([r[2] for r in before if r[1]][0],))
    checks.check(cur.fetchone()[0] is True, f"{label}: seg_model returns the old version")
    cur.execute("SELECT bt_index_check(i::regclass, true) FROM unnest(ARRAY["
                "'seg_models_pkey', 'seg_models_one_active']) AS i")
    checks.check(len(cur.fetchall()) == 2, f"{label}: both registry indexes pass amcheck")
    conn.close()


def main():
    checks = Checks()
    setup()
    try:
        # 1. During the fit: the statement has not written anything yet.
        kill_during(checks, "killed during the fit",
                    [f"SELECT seg_train('m', 'big', {FEATURES}, 64, '{LONG_OPTIONS}')"],
                    "state = 'active' AND query LIKE '%%seg_train%%' AND "
                    "now() - query_start > interval '2 seconds'")

        # 2. Inside seg_train, right after its INSERT of the new version (and the UPDATE that
        #    switched the old one off): a trigger on seg_models holds the backend there.
        conn = connect()
        conn.cursor().execute("""
            CREATE FUNCTION hold_after_insert() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN PERFORM pg_sleep(600); RETURN NULL; END $$;
            CREATE TRIGGER hold AFTER INSERT ON seg_models
                FOR EACH ROW EXECUTE FUNCTION hold_after_insert();""")
        conn.close()
        kill_during(checks, "killed after writing the new row",
                    [f"SELECT seg_train('m', 'small', {FEATURES}, 4)"],
                    "wait_event = 'PgSleep'")
        conn = connect()
        conn.cursor().execute("DROP TRIGGER hold ON seg_models")
        conn.close()

        # 3. After seg_train returned, before COMMIT of the surrounding transaction.
        kill_during(checks, "killed before COMMIT",
                    ["BEGIN", f"SELECT seg_train('m', 'small', {FEATURES}, 5)",
                     "SELECT pg_sleep(600)"],
                    "wait_event = 'PgSleep'")

        # The registry works normally afterwards: the next version is 2.
        conn = connect()
        cur = conn.cursor()
        cur.execute(f"SELECT seg_train('m', 'small', {FEATURES}, 3)")
        version = cur.fetchone()[0]
        cur.execute("SELECT array_agg(version ORDER BY version), "
                    "max(version) FILTER (WHERE active) FROM seg_models WHERE name = 'm'")
        versions, active = cur.fetchone()
        checks.check(version == 2 and versions == [1, 2] and active == 2,
                     f"seg_train after the crashes saves version {version} "
                     f"(versions {versions}, active {active})")
        conn.close()
    finally:
        admin = connect("postgres")
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.close()
    checks.finish()


if __name__ == "__main__":
    main()
