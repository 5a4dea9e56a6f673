"""seg_train holds the registry's lock only to number and save the new version: the retrain
diff (seg_diff over the training rows, a second read of the table) runs before it, so a
seg_activate or seg_save of any model -- a rollback in a hurry -- does not wait for another
model's training to read its table again. If the active version changes while the diff runs,
seg_train aligns and diffs again against the new one under the lock. And seg_train locks its
source before it reads the columns' types for the fit: an ALTER COLUMN ... TYPE committed
while it waited is read as the new type (a text column's values named in the error), not
through the old column's cast.

The training source is a view whose every scan first counts itself in a sequence, then sleeps
2 s: the test acts while the second scan (the diff) runs.
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_registry_lock.py
"""
import threading
import time

import psycopg2

from dbtest import Checks, connect, fresh_database

FEATURES = "ARRAY['age', 'annual_income', 'spending_score']"
TRAIN = f"SELECT seg_train('a', 'slow_mall', {FEATURES}, 4, '{{\"engine\": \"memory\"}}')"


def scalar(cur, sql, args=None):
    """The single value a query returns."""
    cur.execute(sql, args)
    return cur.fetchone()[0]


def train_in_background(conn, result):
    """Runs TRAIN on conn in a thread; result gets its version or error, and its notices."""
    def run():
        cur = conn.cursor()
        try:
            result["version"] = scalar(cur, TRAIN)
        except psycopg2.Error as e:
            result["error"] = (e.pgcode, e.diag.message_primary)
        result["notices"] = [n.strip() for n in conn.notices]
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_for_scan(cur, n):
    """Waits until scan n of slow_mall has begun (True) or 30 s have passed."""
    for _ in range(600):
        if scalar(cur, "SELECT last_value >= %s AND is_called FROM scans", (n,)):
            return True
        time.sleep(0.05)
    return False


def main():
    checks = Checks()
    with fresh_database("it_registry_lock") as db:
        cur = connect(db).cursor()
        cur.execute("CREATE SEQUENCE scans")
        cur.execute("CREATE VIEW slow_mall AS SELECT age, annual_income, spending_score "
                    "+ (SELECT 0 FROM pg_sleep(2 + 0 * nextval('scans'))) AS spending_score "
                    "FROM mall_customers")
        for name, k in (("a", 3), ("b", 3), ("b", 5)):
            cur.execute(f"SELECT seg_train(%s, 'mall_customers', {FEATURES}, %s)", (name, k))

        # 1. Another model is activated at once while seg_train('a') diffs.
        trainer = connect(db)
        pid = trainer.get_backend_pid()
        result = {}
        thread = train_in_background(trainer, result)
        checks.check(wait_for_scan(cur, 2), "seg_train reads the view a second time (the diff)")
        cur.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND relation = "
                    "'seg_models'::regclass AND mode = 'ShareRowExclusiveLock'", (pid,))
        checks.check(cur.fetchone()[0] == 0, "no registry lock is held during the diff")
        cur.execute("SET lock_timeout = '1s'")
        try:
            cur.execute("SELECT seg_activate('b', 1)")
            waited = None
        except psycopg2.Error as e:
            waited = (e.pgcode, e.diag.message_primary)
        cur.execute("RESET lock_timeout")
        checks.check(waited is None, f"seg_activate of another model does not wait ({waited})")
        checks.check(thread.is_alive(), "... while the diff was still running")
        thread.join()
        checks.check(result.get("version") == 2, f"seg_train saved version 2 ({result})")

        # 2. The active version changes while the diff runs: seg_train aligns and diffs again,
        # under the lock, against the version that is active when it saves.
        cur.execute("SELECT setval('scans', 1, false)")
        trainer = connect(db)
        result = {}
        thread = train_in_background(trainer, result)
        checks.check(wait_for_scan(cur, 2), "the second training reaches its diff")
        cur.execute("SELECT seg_activate('a', 1)")
        thread.join()
        print("notices:", result.get("notices"))
        against = [n for n in result.get("notices", []) if "change segment against" in n]
        checks.check(result.get("version") == 3, f"seg_train saved version 3 ({result})")
        checks.check(len(against) == 2 and "active version 2 of" in against[0]
                     and "active version 1 of" in against[1],
                     "the diff is redone against version 1, activated during the first one")
        aligned = scalar(cur, "SELECT seg_align(n.model, o.model)::text = n.model::text "
                              "FROM seg_models n, seg_models o WHERE n.name = 'a' AND "
                              "n.version = 3 AND o.name = 'a' AND o.version = 1")
        checks.check(aligned, "version 3 is aligned to version 1, the one it replaced")
        cur.execute("SELECT array_agg(version ORDER BY version) FILTER (WHERE active) "
                    "FROM seg_models WHERE name IN ('a', 'b') GROUP BY name ORDER BY name")
        checks.check([r[0] for r in cur.fetchall()] == [[3], [1]],
                     "active: version 3 of a, version 1 of b")

        # 3. DDL committed while seg_train waits for the source: the fit reads the new column
        # type (y now text holding 'n/a', which seg_text_feature names), with either engine.
        cur.execute("CREATE TABLE altered AS SELECT g AS id, g % 7 AS x, g % 5 AS y "
                    "FROM generate_series(1, 300) g")
        for engine in ("memory", "stream", "direct"):   # direct: kmeans_stream_fit itself
            cur.execute("DROP TABLE IF EXISTS altering")
            cur.execute("CREATE TABLE altering AS SELECT * FROM altered")
            ddl = connect(db)
            ddl.cursor().execute("BEGIN; ALTER TABLE altering ALTER y TYPE text USING 'n/a'")
            trainer = connect(db)
            pid = trainer.get_backend_pid()
            result = {}
            def run():
                try:
                    if engine == "direct":
                        trainer.cursor().execute("SELECT kmeans_stream_fit('altering', "
                                                 "ARRAY['x', 'y'], 3)")
                    else:
                        trainer.cursor().execute("SELECT seg_train('d', 'altering', "
                                                 "ARRAY['x', 'y'], 3, %s)",
                                                 ('{"engine": "%s"}' % engine,))
                    result["error"] = None
                except psycopg2.Error as e:
                    result["error"] = (e.pgcode, e.diag.message_primary)
            thread = threading.Thread(target=run)
            thread.start()
            waiting = False
            for _ in range(600):
                if scalar(cur, "SELECT wait_event_type = 'Lock' FROM pg_stat_activity "
                               "WHERE pid = %s", (pid,)):
                    waiting = True
                    break
                time.sleep(0.05)
            ddl.cursor().execute("COMMIT")
            thread.join()
            want = ("22P02", f'{"seg_train" if engine == "memory" else "kmeans_stream_fit"}: '
                    'feature column "y" of public.altering holds "n/a", not a number')
            checks.check(waiting and result.get("error") == want,
                         f"engine {engine}: an ALTER ... TYPE committed while the fit waited "
                         f"is read as the new type ({result.get('error')})")
    checks.finish()


if __name__ == "__main__":
    main()
