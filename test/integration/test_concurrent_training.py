"""Activation is transactional: writers inserting customers while models are retrained and
activated always label with exactly one complete, active model.

Several writer threads insert customers through seg_label_trigger (which records the model
version in segment_version) and label customers with seg_assign('mall', ...), while one
retrainer calls seg_train / seg_activate (some in transactions it rolls back) and a checker
counts active versions. Every statement checks that the version it used is the one its own
snapshot sees as active; afterwards every row is relabelled with its recorded version's model.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_concurrent_training.py
"""
import random
import threading
import time

import psycopg2

from dbtest import Checks, connect, fresh_database

FEATURES = "ARRAY['age', 'annual_income', 'spending_score']"
RETRAINS = 60          # seg_train / seg_activate / rolled-back rounds of the retrainer
WRITERS = 4
MIN_STATEMENTS = 300   # per writer, also after the retrainer is done

# One customer per tuple: age, income, score (drawn around the mall data).
def customer(rng):
    return (rng.randint(18, 70), rng.randint(15, 137), rng.randint(1, 99))


def setup(db):
    conn = connect(db)
    cur = conn.cursor()
    cur.execute("""
        CREATE TABLE customers (
            id bigserial PRIMARY KEY, writer int, age float8, income numeric, score int,
            segment int, segment_version int)""")
    cur.execute("""
        CREATE TRIGGER label BEFORE INSERT OR UPDATE ON customers FOR EACH ROW
        EXECUTE FUNCTION seg_label_trigger('mall', 'segment', 'age', 'income', 'score',
                                           'version_column=segment_version')""")
    cur.execute("CREATE TABLE assigned (writer int, features float8[], segment int, "
                "version int)")
    cur.execute(f"SELECT seg_train('mall', 'mall_customers', {FEATURES}, 5)")
    conn.close()


def retrainer(db, stop, log, errors):
    """Trains new versions (several k and seeds), rolls back to old ones, and abandons some
    trainings with ROLLBACK; each round in its own transaction."""
    rng = random.Random(7)
    conn = connect(db)
    cur = conn.cursor()
    try:
        for i in range(RETRAINS):
            action = i % 4
            if action in (0, 1):
                k = rng.choice([3, 4, 5, 6])
                opts = '{"seed": %d, "n_init": 2}' % rng.randint(0, 1000)
                cur.execute(f"SELECT seg_train('mall', 'mall_customers', {FEATURES}, %s, %s)",
                            (k, opts))
                log.append(("trained", cur.fetchone()[0]))
            elif action == 2:
                cur.execute("SELECT max(version) FROM seg_models WHERE name = 'mall'")
                v = rng.randint(1, cur.fetchone()[0])
                cur.execute("SELECT seg_activate('mall', %s)", (v,))
                log.append(("activated", v))
            else:
                cur.execute("BEGIN")
                cur.execute(f"SELECT seg_train('mall', 'mall_customers', {FEATURES}, 2)")
                cur.execute("SELECT pg_sleep(0.05)")
                cur.execute("ROLLBACK")
                log.append(("rolled back", None))
            time.sleep(0.05)
    except psycopg2.Error as e:
        errors.append(f"retrainer: {e}")
    finally:
        stop.set()
        conn.close()


def writer(db, n, stop, results, errors):
    """Inserts single rows and batches, in autocommit and in REPEATABLE READ transactions,
    and labels with seg_assign(name); checks each statement against its own snapshot."""
    rng = random.Random(100 + n)
    conn = connect(db)
    cur = conn.cursor()
    stats = {"statements": 0, "rows": 0, "mismatches": 0}
    try:
        while not stop.is_set() or stats["statements"] < MIN_STATEMENTS:
            kind = rng.randrange(4)
            if kind == 0:  # one row; the RETURNING subquery shares the trigger's snapshot
                cur.execute("""
                    INSERT INTO customers (writer, age, income, score) VALUES (%s, %s, %s, %s)
                    RETURNING segment_version,
                              (SELECT version FROM seg_models WHERE name = 'mall' AND active)""",
                            (n, *customer(rng)))
                rows = cur.fetchall()
            elif kind == 1:  # a batch: one statement, one version for every row
                values = [(n, *customer(rng)) for _ in range(rng.randint(2, 20))]
                args = ",".join(cur.mogrify("(%s,%s,%s,%s)", v).decode() for v in values)
                cur.execute(f"""
                    INSERT INTO customers (writer, age, income, score) VALUES {args}
                    RETURNING segment_version,
                              (SELECT version FROM seg_models WHERE name = 'mall' AND active)""")
                rows = cur.fetchall()
            elif kind == 2:  # REPEATABLE READ: one snapshot, one version for the transaction
                conn.autocommit = False
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                rows = []
                for _ in range(3):
                    cur.execute("""
                        INSERT INTO customers (writer, age, income, score)
                        VALUES (%s, %s, %s, %s)
                        RETURNING segment_version,
                              (SELECT version FROM seg_models WHERE name = 'mall' AND active)""",
                                (n, *customer(rng)))
                    rows += cur.fetchall()
                conn.commit()
                conn.autocommit = True
                if len({r[0] for r in rows}) != 1:
                    stats["mismatches"] += 1
            else:  # seg_assign by name, recorded with the version its statement sees
                age, income, score = customer(rng)
                cur.execute("""
                    INSERT INTO assigned
                    SELECT %s, f, seg_assign('mall', f),
                           (SELECT version FROM seg_models WHERE name = 'mall' AND active)
                    FROM (SELECT ARRAY[%s, %s, %s]::float8[] AS f) x
                    RETURNING version, version""", (n, age, income, score))  # checked at the end
                rows = cur.fetchall()
            stats["statements"] += 1
            stats["rows"] += len(rows)
            stats["mismatches"] += sum(1 for used, active in rows if used != active)
    except psycopg2.Error as e:
        errors.append(f"writer {n}: {e}")
    finally:
        results[n] = stats
        conn.close()


def checker(db, stop, counts, errors):
    """Counts the active versions of 'mall' as often as it can: always exactly one."""
    conn = connect(db)
    cur = conn.cursor()
    try:
        while not stop.is_set():
            cur.execute("SELECT count(*) FROM seg_models WHERE name = 'mall' AND active")
            counts.append(cur.fetchone()[0])
    except psycopg2.Error as e:
        errors.append(f"checker: {e}")
    finally:
        conn.close()


def main():
    checks = Checks()
    with fresh_database("it_concurrent_training") as db:
        setup(db)
        stop = threading.Event()
        log, errors, counts, results = [], [], [], {}
        threads = [threading.Thread(target=writer, args=(db, n, stop, results, errors))
                   for n in range(WRITERS)]
        threads.append(threading.Thread(target=checker, args=(db, stop, counts, errors)))
        threads.append(threading.Thread(target=retrainer, args=(db, stop, log, errors)))
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        seconds = time.monotonic() - started
        checks.check(not any(t.is_alive() for t in threads), "every thread finished")
        checks.check(not errors, f"no errors ({errors[:3]})")
        statements = sum(r["statements"] for r in results.values())
        rows = sum(r["rows"] for r in results.values())
        print(f"{statements} writer statements, {rows} rows, {len(log)} retrainer rounds, "
              f"{len(counts)} active counts in {seconds:.1f} s")
        checks.check(len(results) == WRITERS and all(r["statements"] >= MIN_STATEMENTS
                                                     for r in results.values()),
                     "every writer ran its statements")
        checks.check(sum(r["mismatches"] for r in results.values()) == 0,
                     "every statement used the version its snapshot saw as active")
        checks.check(len(counts) > 0 and set(counts) == {1},
                     f"exactly one active version at every look ({len(counts)} looks)")
        trained = sum(1 for action, _ in log if action == "trained")
        checks.check(trained >= RETRAINS // 2, f"{trained} versions trained and activated")

        cur = connect(db).cursor()
        cur.execute("SELECT count(*), count(segment), count(segment_version), "
                    "count(DISTINCT segment_version) FROM customers")
        n, labelled, versioned, distinct = cur.fetchone()
        checks.check(n > 0 and labelled == n and versioned == n,
                     f"all {n} rows labelled and versioned")
        checks.check(distinct >= 3, f"rows were labelled by {distinct} different versions")
        # Every recorded version exists (was committed) and relabelling with it agrees.
        cur.execute("""
            SELECT count(*) FILTER (WHERE m.version IS NULL),
                   count(*) FILTER (WHERE c.segment IS DISTINCT FROM
                                    seg_assign(m.model, ARRAY[c.age, c.income, c.score]::float8[]))
            FROM customers c
            LEFT JOIN seg_models m ON m.name = 'mall' AND m.version = c.segment_version""")
        unknown, wrong = cur.fetchone()
        checks.check(unknown == 0, f"no row names an uncommitted version ({unknown})")
        checks.check(wrong == 0, f"every row's label equals its version's seg_assign ({wrong})")
        cur.execute("""
            SELECT count(*), count(*) FILTER (WHERE a.segment IS DISTINCT FROM
                                              seg_assign(m.model, a.features))
            FROM assigned a
            LEFT JOIN seg_models m ON m.name = 'mall' AND m.version = a.version""")
        n_assigned, wrong_assigned = cur.fetchone()
        checks.check(n_assigned > 0 and wrong_assigned == 0,
                     f"seg_assign('mall', ...) used its statement's active version "
                     f"({wrong_assigned} of {n_assigned} differ)")
        cur.connection.close()
    checks.finish()


if __name__ == "__main__":
    main()
