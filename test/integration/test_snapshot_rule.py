"""The snapshot rule of the registry: seg_assign(name, ...) and seg_assign(seg_model(name), ...)
read the version that the snapshot they run under sees as active. Within one PL/pgSQL call in
READ COMMITTED, each statement takes a new snapshot, so both forms see a version another
session activated in the middle of the call; in REPEATABLE READ both keep the transaction's
version. Never one form old and the other new.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_snapshot_rule.py
"""
import threading
import time

import psycopg2

from dbtest import Checks, connect, fresh_database

FEATURES = "ARRAY['age', 'annual_income', 'spending_score']"
LOCK = 731  # advisory lock the function waits on while the other session activates

FUNCTION = f"""
CREATE FUNCTION both_forms(x float8[]) RETURNS TABLE (step int, by_name int, by_model int,
                                                      version int)
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..2 LOOP
        step := i;
        by_name := seg_assign('snap', x);
        by_model := seg_assign(seg_model('snap'), x);
        version := (SELECT m.version FROM seg_models m WHERE m.name = 'snap' AND m.active);
        RETURN NEXT;
        IF i = 1 THEN
            PERFORM pg_advisory_lock({LOCK});  -- the other session activates meanwhile
            PERFORM pg_advisory_unlock({LOCK});
        END IF;
    END LOOP;
END $$"""


def scalar(cur, sql, args=None):
    """The single value a query returns."""
    cur.execute(sql, args)
    return cur.fetchone()[0]


def run_with_activation(db, isolation, point):
    """Calls both_forms(point) in one session while a second session activates version 2
    between the function's two steps; returns the function's rows."""
    other = connect(db)
    ocur = other.cursor()
    ocur.execute("SELECT seg_activate('snap', 1)")
    ocur.execute("SELECT pg_advisory_lock(%s)", (LOCK,))
    result = {}

    def caller():
        conn = psycopg2.connect(dbname=db)
        conn.set_session(isolation_level=isolation)
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM both_forms(%s::float8[])", (point,))
            result["rows"] = cur.fetchall()
        conn.commit()
        conn.close()

    thread = threading.Thread(target=caller)
    thread.start()
    # Wait until the caller has done step 1 and waits for the advisory lock.
    for _ in range(600):
        if scalar(ocur, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND NOT granted") > 0:
            break
        time.sleep(0.05)
    ocur.execute("SELECT seg_activate('snap', 2)")
    ocur.execute("SELECT pg_advisory_unlock(%s)", (LOCK,))
    thread.join(60)
    other.close()
    return result.get("rows")


def main():
    checks = Checks()
    with fresh_database("it_snapshot_rule") as db:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute(f"SELECT seg_train('snap', 'mall_customers', {FEATURES}, 5)")
        cur.execute(f"SELECT seg_train('snap', 'mall_customers', {FEATURES}, 2)")
        cur.execute(FUNCTION)
        # A customer the two versions label differently.
        cur.execute("""SELECT ARRAY[age, annual_income, spending_score]::float8[],
                              seg_assign(v1.model, ARRAY[age, annual_income, spending_score]::float8[]),
                              seg_assign(v2.model, ARRAY[age, annual_income, spending_score]::float8[])
                       FROM mall_customers,
                            (SELECT model FROM seg_models WHERE name = 'snap' AND version = 1) v1,
                            (SELECT model FROM seg_models WHERE name = 'snap' AND version = 2) v2
                       WHERE seg_assign(v1.model, ARRAY[age, annual_income, spending_score]::float8[])
                          <> seg_assign(v2.model, ARRAY[age, annual_income, spending_score]::float8[])
                       ORDER BY customer_id LIMIT 1""")
        point, label1, label2 = cur.fetchone()
        checks.check(label1 != label2, f"versions 1 and 2 label {point} as {label1} and {label2}")

        rows = run_with_activation(db, psycopg2.extensions.ISOLATION_LEVEL_READ_COMMITTED, point)
        checks.check(rows is not None and len(rows) == 2, f"READ COMMITTED call returned {rows}")
        if rows:
            checks.check(rows[0][1:] == (label1, label1, 1),
                         f"READ COMMITTED step 1: both forms use version 1: {rows[0]}")
            checks.check(rows[1][1:] == (label2, label2, 2),
                         f"READ COMMITTED step 2: both forms see the activation: {rows[1]}")

        rows = run_with_activation(db, psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, point)
        checks.check(rows is not None and len(rows) == 2, f"REPEATABLE READ call returned {rows}")
        if rows:
            checks.check(all(r[1:] == (label1, label1, 1) for r in rows),
                         f"REPEATABLE READ: both forms keep the transaction's version 1: {rows}")
        conn.close()
    checks.finish()


if __name__ == "__main__":
    main()
