"""pg_dump | psql (and pg_dump -Fc | pg_restore) into a fresh database keeps every model of the
registry and which version is active; the labelling trigger works on the restored copy, and
the views BI tools read (one a materialized view over seg_assign) come back with every row.
A restore in two steps (--schema-only, then --data-only) needs --disable-triggers: without
it the label trigger refuses the customers, who come before the registry's rows. Before
the dump, a role allowed to save models tries to store text that is not valid UTF-8 inside a
model (binary COPY into seg_models, text input with a NUL escape): it must be refused, or the
dump would not restore and the whole registry would be lost.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_dump_restore.py
"""
import io
import os
import subprocess

import psycopg2

from dbtest import Checks, connect, fresh_database

BIN = "/usr/lib/postgresql/15/bin"
REGISTRY = """SELECT name, version, active, model::text, created_at, created_by, trained_on
              FROM seg_models ORDER BY name, version"""
CUSTOMERS = "SELECT id, age, income, score, segment, segment_version FROM customers ORDER BY id"
FEATURES = "ARRAY['age', 'annual_income', 'spending_score']"


def query(db, sql):
    """All rows of one query."""
    conn = connect(db)
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    conn.close()
    return rows


def recreate(name):
    """An empty database (no extension: the dump creates it)."""
    admin = connect("postgres")
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop(name):
    """Drops a database made by recreate()."""
    admin = connect("postgres")
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def build_source(db):
    """Three versions of 'mall' with version 2 active, an inactive-only name, and customers
    labelled by a trigger."""
    conn = connect(db)
    cur = conn.cursor()
    for k in (5, 4, 6):
        cur.execute(f"SELECT seg_train('mall', 'mall_customers', {FEATURES}, %s)", (k,))
    cur.execute("SELECT seg_activate('mall', 2)")
    cur.execute("SELECT seg_save('draft', kmeans_fit(ARRAY[age, annual_income], 3), false) "
                "FROM mall_customers")
    cur.execute("""CREATE TABLE customers (id int PRIMARY KEY, age int, income numeric,
                   score real, segment int, segment_version int)""")
    cur.execute("""CREATE TRIGGER label BEFORE INSERT OR UPDATE ON customers FOR EACH ROW
                   EXECUTE FUNCTION seg_label_trigger('mall', 'segment', 'age', 'income',
                                                      'score', 'version_column=segment_version')""")
    cur.execute("INSERT INTO customers (id, age, income, score) "
                "SELECT customer_id, age, annual_income, spending_score FROM mall_customers")
    # What BI tools read: the recipe's view (docs/production.md) and a materialized view
    # over seg_assign(name, ...), refreshed by the restore after the registry's rows.
    cur.execute("""CREATE VIEW customer_segments AS
                   SELECT c.id, c.segment, c.segment_version, d.description
                   FROM customers c
                   LEFT JOIN seg_models m ON m.name = 'mall' AND m.version = c.segment_version
                   LEFT JOIN LATERAL seg_describe(m.model) d ON d.cluster = c.segment""")
    cur.execute("""CREATE MATERIALIZED VIEW customer_live AS
                   SELECT id, seg_assign('mall', ARRAY[age, income, score]::float8[]) AS live
                   FROM customers""")
    conn.close()


def hostile_saves(checks, db):
    """A role with the registry's writer rights tries to store invalid text inside models."""
    conn = connect(db)
    cur = conn.cursor()
    cur.execute("DROP ROLE IF EXISTS it_dump_saver")
    cur.execute("CREATE ROLE it_dump_saver")
    cur.execute("GRANT SELECT, INSERT, UPDATE ON seg_models TO it_dump_saver")
    # A valid binary COPY of one registry row whose model has a feature named "enc_q"; then
    # the same bytes with the "q" turned into 0xE1 (a UTF-8 lead byte without continuation).
    buf = io.BytesIO()
    cur.copy_expert(
        "COPY (SELECT 'evil'::text, 1, kmeans_fit(ARRAY[age, annual_income]::float8[], 2, "
        "'{\"feature_names\": [\"age\", \"enc_q\"], \"n_init\": 1}') "
        "FROM mall_customers) TO STDOUT (FORMAT binary)", buf)
    good = buf.getvalue()
    bad = good.replace(b"enc_q", b"enc_\xe1")
    checks.check(bad != good, "the binary row holds the feature name to corrupt")
    cur.execute("SET ROLE it_dump_saver")
    try:
        cur.copy_expert("COPY seg_models (name, version, model) FROM STDIN (FORMAT binary)",
                        io.BytesIO(bad))
        error = None
    except psycopg2.Error as e:
        error = e
    checks.check(error is not None and error.pgcode == "22021",
                 f"binary COPY of a model with byte 0xE1 in a feature name is refused with "
                 f"22021: {error and error.pgcode} {error and str(error).splitlines()[0]}")
    try:
        cur.execute("SELECT seg_save('evil_nul', replace(seg_model('mall')::text, "
                    "'\"age\"', '\"a\\u0000ge\"')::segmodel)")
        error = None
    except psycopg2.Error as e:
        error = e
    checks.check(error is not None and error.pgcode in ("22P02", "22021"),
                 f"text input of a feature name with a NUL escape is refused: "
                 f"{error and error.pgcode} {error and str(error).splitlines()[0]}")
    cur.execute("RESET ROLE")
    cur.execute("SELECT count(*) FROM seg_models WHERE name LIKE 'evil%'")
    checks.check(cur.fetchone()[0] == 0, "nothing of the attempts was stored")
    # A version the saver trains (created_by it_dump_saver, trained_on its source), and an
    # owner's data fix of a timestamp: the restore, run by a superuser, must keep both as
    # they are, although the registry's trigger refuses such values from other roles.
    cur.execute("GRANT SELECT ON mall_customers TO it_dump_saver")
    cur.execute("SET ROLE it_dump_saver")
    cur.execute(f"SELECT seg_train('team', 'mall_customers', {FEATURES}, 3)")
    cur.execute("RESET ROLE")
    cur.execute("UPDATE seg_models SET created_at = '2001-02-03 04:05:06+00' WHERE name = 'draft'")
    cur.execute("REVOKE ALL ON seg_models, mall_customers FROM it_dump_saver")
    cur.execute("DROP ROLE it_dump_saver")
    conn.close()


def check_copy(checks, source, target, how):
    """The registry, the active versions and the customers equal the source's; new rows are
    labelled by the restored trigger with the restored active model."""
    checks.check(query(target, REGISTRY) == query(source, REGISTRY),
                 f"{how}: every model, version, flag and timestamp restored")
    active = "SELECT name, version FROM seg_models WHERE active ORDER BY name"
    checks.check(query(target, active) == [("mall", 2), ("team", 1)],
                 f"{how}: version 2 of 'mall' is active")
    checks.check(query(target, "SELECT created_by, trained_on FROM seg_models WHERE name = 'team'")
                 == [("it_dump_saver", "public.mall_customers")] and
                 query(target, "SELECT created_at = '2001-02-03 04:05:06+00' FROM seg_models "
                               "WHERE name = 'draft'") == [(True,)],
                 f"{how}: another role's version keeps its created_by and trained_on, the "
                 f"owner's edited created_at stays")
    checks.check(query(target, "SELECT seg_model('mall')::text") ==
                 query(source, "SELECT seg_model('mall')::text"),
                 f"{how}: seg_model('mall') is the same model")
    checks.check(query(target, CUSTOMERS) == query(source, CUSTOMERS),
                 f"{how}: customers and their labels restored unchanged")
    for view in ("customer_segments", "customer_live"):
        rows = f"SELECT * FROM {view} ORDER BY id"
        checks.check(query(target, rows) == query(source, rows) and
                     len(query(target, rows)) == 200, f"{how}: {view} restored with 200 rows")
    conn = connect(target)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO customers (id, age, income, score) VALUES (9999, 30, 60, 50) "
                    "RETURNING segment, segment_version, "
                    "seg_assign(seg_model('mall'), ARRAY[30, 60, 50]::float8[])")
        segment, version, expected = cur.fetchone()
        cur.execute("SELECT seg_train('mall', 'mall_customers', "
                    "ARRAY['age', 'annual_income', 'spending_score'], 5)")
        next_version = cur.fetchone()[0]
    conn.close()
    checks.check(version == 2 and segment == expected,
                 f"{how}: the restored trigger labels new rows with version 2")
    checks.check(next_version == 4, f"{how}: retraining continues the numbering ({next_version})")


def main():
    checks = Checks()
    env = dict(os.environ)
    with fresh_database("it_dump_source") as source:
        build_source(source)
        hostile_saves(checks, source)
        checks.check(query(source, "SELECT count(*) FROM seg_models") == [(5,)],
                     "source registry has 5 versions")

        # Plain format through psql.
        target = "it_dump_plain"
        recreate(target)
        try:
            dump = subprocess.run([f"{BIN}/pg_dump", "-d", source], check=True, env=env,
                                  capture_output=True, text=True).stdout
            checks.check("COPY public.seg_models" in dump and
                         "CREATE TABLE public.seg_models" not in dump,
                         "the dump carries the registry's rows, the extension its table")
            restore = subprocess.run([f"{BIN}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                      "-d", target], input=dump, env=env, capture_output=True,
                                     text=True)
            checks.check(restore.returncode == 0, f"psql restore succeeded {restore.stderr[-300:]}")
            check_copy(checks, source, target, "pg_dump | psql")
        finally:
            drop(target)

        # Custom format through pg_restore.
        target = "it_dump_custom"
        recreate(target)
        try:
            archive = subprocess.run([f"{BIN}/pg_dump", "-Fc", "-d", source], check=True,
                                     env=env, capture_output=True).stdout
            restore = subprocess.run([f"{BIN}/pg_restore", "--exit-on-error", "-d", target],
                                     input=archive, env=env, capture_output=True)
            checks.check(restore.returncode == 0,
                         f"pg_restore succeeded {restore.stderr.decode()[-300:]}")
            check_copy(checks, source, target, "pg_dump -Fc | pg_restore")
        finally:
            drop(target)
        split_restores(checks, source, env)
    checks.finish()


def pg_restore(archive, target, env, *options):
    """pg_restore of an archive into target with options; the finished process."""
    return subprocess.run([f"{BIN}/pg_restore", *options, "-d", target], input=archive, env=env,
                          capture_output=True)


def split_restores(checks, source, env):
    """The schema first, the data later: the triggers exist while the rows are loaded, and
    the customers' rows come before the registry's. Without --disable-triggers the label
    trigger fires on every restored customer and fails loudly (no active model yet): it never
    relabels them silently. With it, the copy is exact. An extension in another schema than
    the dump's is refused loudly too."""
    archive = subprocess.run([f"{BIN}/pg_dump", "-Fc", "-d", source], check=True, env=env,
                             capture_output=True).stdout
    target = "it_dump_split"
    recreate(target)
    try:
        schema = pg_restore(archive, target, env, "--schema-only", "--exit-on-error")
        checks.check(schema.returncode == 0, f"--schema-only restore succeeded "
                                             f"{schema.stderr.decode()[-300:]}")
        data = pg_restore(archive, target, env, "--data-only")
        checks.check(data.returncode != 0 and
                     'seg_label_trigger: no active model named "mall"' in data.stderr.decode(),
                     f"--data-only with the triggers on: the trigger refuses the customers "
                     f"(loudly: {data.stderr.decode()[:160]!r})")
        checks.check(query(target, "SELECT count(*) FROM customers") == [(0,)],
                     "and no customer was loaded with a relabelled segment")
    finally:
        drop(target)
    recreate(target)
    try:
        pg_restore(archive, target, env, "--schema-only", "--exit-on-error")
        data = pg_restore(archive, target, env, "--data-only", "--disable-triggers",
                          "--exit-on-error")
        checks.check(data.returncode == 0,
                     f"--data-only --disable-triggers succeeded {data.stderr.decode()[-300:]}")
        # The schema step refreshed the materialized view over no rows; --data-only does not
        # refresh it again (pg_dump puts that in the post-data section).
        checks.check(query(target, "SELECT count(*) FROM customer_live") == [(0,)],
                     "the materialized view is empty until refreshed")
        conn = connect(target)
        with conn.cursor() as cur:
            cur.execute("REFRESH MATERIALIZED VIEW customer_live")
        conn.close()
        check_copy(checks, source, target, "--schema-only, then --data-only --disable-triggers")
    finally:
        drop(target)
    recreate(target)
    try:
        conn = connect(target)
        with conn.cursor() as cur:
            cur.execute("CREATE SCHEMA seg")
            cur.execute("CREATE EXTENSION customer_seg SCHEMA seg")
        conn.close()
        moved = pg_restore(archive, target, env)
        checks.check(moved.returncode != 0 and
                     'relation "public.seg_models" does not exist' in moved.stderr.decode(),
                     "into a database whose customer_seg lives in another schema: refused loudly")
    finally:
        drop(target)


if __name__ == "__main__":
    try:
        main()
    except psycopg2.Error as e:
        print(f"FAILED database error: {e}")
        raise
