"""Cost of labelling customers as they are inserted: 100,000 rows into a table with
seg_label_trigger versus the same table without a trigger. Prints the median of several runs
per case and the ratio to the trigger-less time; the target is <= 1.3x.

For scale, two other BEFORE INSERT row triggers run on identical tables:
  insert_username  contrib's minimal C trigger that sets one column (here to the user name):
                   the floor any row trigger that modifies the row pays in PostgreSQL;
  plpgsql          the same labelling written in PL/pgSQL with seg_assign('mall', ...).
Two table shapes: "customers" (primary key, a unique e-mail, a few more columns: what a
customer table looks like) and "narrow" (the six columns alone, no index: the worst case).
Three ways of inserting: one INSERT ... SELECT (one model lookup), COPY, and one INSERT
statement per row from a PL/pgSQL loop (a registry check per statement).

Run: pg_virtualenv -v 15 /usr/bin/python3 bench/trigger_overhead.py [--rows N] [--runs R]
(or bash bench/trigger_overhead.sh, which does exactly that).
"""
import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "integration"))
from dbtest import connect, fresh_database  # noqa: E402

SHAPES = {
    "customers": """CREATE TABLE {name} (
        id bigint PRIMARY KEY, email text UNIQUE, name text,
        signed_up timestamptz NOT NULL DEFAULT now(), age int, income numeric, score real,
        segment int, segment_version int, inserted_by text)""",
    "narrow": """CREATE TABLE {name} (id bigint, age int, income numeric, score real,
        segment int, segment_version int, inserted_by text)""",
}
# Trigger kinds: name -> CREATE TRIGGER (None: no trigger).
TRIGGERS = {
    "none": None,
    "seg_label_trigger": """CREATE TRIGGER t BEFORE INSERT ON {name} FOR EACH ROW
        EXECUTE FUNCTION seg_label_trigger('mall', 'segment', 'age', 'income', 'score',
                                           'version_column=segment_version')""",
    "insert_username": """CREATE TRIGGER t BEFORE INSERT ON {name} FOR EACH ROW
        EXECUTE FUNCTION insert_username(inserted_by)""",
    "plpgsql": """CREATE TRIGGER t BEFORE INSERT ON {name} FOR EACH ROW
        EXECUTE FUNCTION plpgsql_label()""",
}
PLPGSQL_FUNCTION = """
CREATE FUNCTION plpgsql_label() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.segment := seg_assign('mall', ARRAY[NEW.age, NEW.income, NEW.score]::float8[]);
    NEW.segment_version := (SELECT version FROM seg_models WHERE name = 'mall' AND active);
    RETURN NEW;
END $$"""
COLUMNS = {"customers": "id, email, name, age, income, score", "narrow": "id, age, income, score"}
VALUES = {
    "customers": "i, 'c' || i || '@example.com', 'Customer ' || i, "
                 "18 + i % 53, 15 + (i * 7) % 123, 1 + (i * 13) % 99",
    "narrow": "i, 18 + i % 53, 15 + (i * 7) % 123, 1 + (i * 13) % 99",
}


def bulk(cur, shape, name, rows, data):
    """One INSERT ... SELECT of all rows."""
    cur.execute(f"INSERT INTO {name} ({COLUMNS[shape]}) "
                f"SELECT {VALUES[shape]} FROM generate_series(1, {rows}) AS i")


def copy(cur, shape, name, rows, data):
    """COPY of all rows from a prepared text buffer."""
    cur.copy_expert(f"COPY {name} ({COLUMNS[shape]}) FROM STDIN", io.StringIO(data[shape]))


def single(cur, shape, name, rows, data):
    """One INSERT statement per row, from a server-side loop (no network round trips)."""
    cur.execute(f"""
        DO $$
        BEGIN
            FOR i IN 1..{rows} LOOP
                INSERT INTO {name} ({COLUMNS[shape]}) VALUES ({VALUES[shape]});
            END LOOP;
        END $$""")


def timed(cur, shape, name, fn, rows, data):
    """Seconds for one run into an emptied table (TRUNCATE and VACUUM first, not timed)."""
    cur.execute(f"TRUNCATE {name}")
    cur.execute(f"VACUUM {name}")
    start = time.perf_counter()
    fn(cur, shape, name, rows, data)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with fresh_database("bench_trigger_overhead") as db:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("CREATE EXTENSION insert_username")
        cur.execute("SELECT seg_train('mall', 'mall_customers', "
                    "ARRAY['age', 'annual_income', 'spending_score'], 5)")
        cur.execute(PLPGSQL_FUNCTION)
        data = {}
        for shape, ddl in SHAPES.items():
            for kind, trigger in TRIGGERS.items():
                cur.execute(ddl.format(name=f"{shape}_{kind}"))
                if trigger:
                    cur.execute(trigger.format(name=f"{shape}_{kind}"))
            cur.execute(f"SELECT {VALUES[shape]} FROM generate_series(1, {args.rows}) AS i")
            data[shape] = "".join("\t".join(str(v) for v in r) + "\n" for r in cur.fetchall())

        print(f"{args.rows} rows, median of {args.runs} runs, seconds (ratio to no trigger)")
        print(f"{'table':<11}{'how':<20}{'no trigger':>11}{'seg_label_trigger':>20}"
              f"{'insert_username':>18}{'plpgsql':>17}")
        worst = {}
        for shape in SHAPES:
            for how, fn in (("INSERT ... SELECT", bulk), ("COPY", copy),
                            ("single-row INSERT", single)):
                times = {kind: [] for kind in TRIGGERS}
                for _ in range(args.runs):  # interleaved, so drift affects all alike
                    for kind in TRIGGERS:
                        times[kind].append(timed(cur, shape, f"{shape}_{kind}", fn, args.rows,
                                                 data))
                med = {kind: statistics.median(t) for kind, t in times.items()}
                cells = [f"{med['none']:>11.3f}"]
                for kind, width in (("seg_label_trigger", 20), ("insert_username", 18),
                                    ("plpgsql", 17)):
                    cell = f"{med[kind]:.3f} ({med[kind] / med['none']:.2f}x)"
                    cells.append(f"{cell:>{width}}")
                ratio = med["seg_label_trigger"] / med["none"]
                worst[shape] = max(worst.get(shape, 0.0), ratio)
                print(f"{shape:<11}{how:<20}" + "".join(cells), flush=True)
        # The trigger really labelled every row.
        cur.execute("SELECT count(*), count(segment), count(segment_version) "
                    "FROM customers_seg_label_trigger")
        n, labelled, versioned = cur.fetchone()
        print(f"check: {labelled} of {n} rows labelled, {versioned} versioned")
        for shape, ratio in worst.items():
            print(f"{shape}: worst seg_label_trigger ratio {ratio:.2f}x (target <= 1.30x)")
        conn.close()
        if labelled != n or versioned != n:
            sys.exit(1)


if __name__ == "__main__":
    main()
