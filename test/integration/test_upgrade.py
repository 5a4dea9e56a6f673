"""Every upgrade script customer_seg--A--B.sql turns an installed A into exactly what a fresh
install of B is: same \\dx+ member list, same function definitions and properties, same
comments and config tables; and models stored under A are still read by B.

Until 1.0 is released there are no upgrade scripts: then this test checks that none exists,
neither in the repository nor installed, prints a line starting with "SKIP:" (which
scripts/db_tests.sh counts as skipped, not passed) and exits 0.
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_upgrade.py
"""
import glob
import os
import re
import subprocess
import sys

from dbtest import ROOT, Checks, connect, fresh_database, psql

EXT = "customer_seg"
UPGRADE = re.compile(rf"^{EXT}--([0-9][0-9A-Za-z.]*)--([0-9][0-9A-Za-z.]*)\.sql$")
INSTALL = re.compile(rf"^{EXT}--([0-9][0-9A-Za-z.]*)\.sql$")


def sharedir():
    """The extension directory of the server the test runs against."""
    pg_config = os.environ.get("PG_CONFIG", "/usr/lib/postgresql/15/bin/pg_config")
    out = subprocess.run([pg_config, "--sharedir"], check=True, capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), "extension")


def scripts_in(directory):
    """(upgrade (A, B) pairs, install versions) found in a directory."""
    upgrades, installs = set(), set()
    for path in glob.glob(os.path.join(directory, f"{EXT}--*.sql")):
        name = os.path.basename(path)
        if m := UPGRADE.match(name):
            upgrades.add((m.group(1), m.group(2)))
        elif m := INSTALL.match(name):
            installs.add(m.group(1))
    return upgrades, installs


def dx_plus(db):
    """psql's \\dx+ listing of the extension's member objects."""
    out = subprocess.run(["psql", "-X", "-d", db, "-c", rf"\dx+ {EXT}"], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return out.stdout


def catalog(db):
    """A canonical description of every member object, with the properties that matter."""
    conn = connect(db)
    cur = conn.cursor()
    cur.execute("""
        SELECT pg_describe_object(d.classid, d.objid, 0),
               CASE WHEN d.classid = 'pg_proc'::regclass THEN
                   (SELECT concat_ws(' | ', p.prokind, p.provolatile, p.proisstrict,
                                     p.proparallel, p.prosecdef, p.proconfig::text,
                                     pg_get_function_result(p.oid), p.prosrc, p.probin)
                    FROM pg_proc p WHERE p.oid = d.objid) END,
               obj_description(d.objid, (SELECT relname FROM pg_class
                                          WHERE oid = d.classid))
        FROM pg_depend d
        WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
          AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = %s)
        ORDER BY 1""", (EXT,))
    rows = cur.fetchall()
    cur.execute("SELECT extconfig::regclass[]::text, extcondition FROM pg_extension "
                "WHERE extname = %s", (EXT,))
    rows.append(("config", *cur.fetchone()))
    conn.close()
    return rows


def diff(a, b):
    """The first lines in which two listings differ, for the failure message."""
    la, lb = (x.splitlines() if isinstance(x, str) else [repr(r) for r in x] for x in (a, b))
    out = [f"- {x}" for x in la if x not in lb][:5] + [f"+ {x}" for x in lb if x not in la][:5]
    return "".join("\n" + line for line in out)


def check_upgrade(checks, old, new):
    """Installs old, stores a model, updates to new and compares with a fresh install."""
    with fresh_database(f"it_upgrade_{old}_{new}".replace(".", "_"), load=("mall",)) as db:
        psql(db, "-c", f"DROP EXTENSION {EXT}")
        psql(db, "-c", f"CREATE EXTENSION {EXT} VERSION '{old}'")
        psql(db, "-c", "CREATE TABLE kept AS SELECT kmeans_fit(ARRAY[age, annual_income, "
                       "spending_score], 4) AS m FROM mall_customers")
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("SELECT m::text FROM kept")
        before = cur.fetchone()[0]
        cur.execute(f"ALTER EXTENSION {EXT} UPDATE TO %s", (new,))
        cur.execute("SELECT extversion FROM pg_extension WHERE extname = %s", (EXT,))
        checks.check(cur.fetchone()[0] == new, f"{old} -> {new}: ALTER EXTENSION UPDATE")
        cur.execute("SELECT m::text, (SELECT count(DISTINCT seg_assign(m, ARRAY[age, "
                    "annual_income, spending_score])) FROM mall_customers) FROM kept")
        after, labels = cur.fetchone()
        checks.check(after == before and labels == 4,
                     f"{old} -> {new}: a model stored under {old} reads and labels the same")
        conn.close()
        upgraded_dx, upgraded_cat = dx_plus(db), catalog(db)
    with fresh_database(f"it_fresh_{new}".replace(".", "_"), load=()) as db:
        psql(db, "-c", f"DROP EXTENSION {EXT}")
        psql(db, "-c", f"CREATE EXTENSION {EXT} VERSION '{new}'")
        fresh_dx, fresh_cat = dx_plus(db), catalog(db)
    checks.check(upgraded_dx == fresh_dx,
                 f"{old} -> {new}: \\dx+ equals a fresh install{diff(fresh_dx, upgraded_dx)}")
    checks.check(upgraded_cat == fresh_cat,
                 f"{old} -> {new}: definitions, properties and comments equal a fresh install"
                 f"{diff(fresh_cat, upgraded_cat)}")


def main():
    repo_upgrades, _ = scripts_in(ROOT)
    installed_upgrades, installed_versions = scripts_in(sharedir())
    if not repo_upgrades and not installed_upgrades:
        # Not a pass: nothing was tested. Prove the premise, then report a skip.
        control = open(os.path.join(ROOT, f"{EXT}.control")).read()
        default = re.search(r"default_version\s*=\s*'([^']+)'", control).group(1)
        built = {os.path.basename(p) for p in glob.glob(os.path.join(ROOT, f"{EXT}--*--*.sql"))}
        assert not built, built
        print(f"SKIP: no upgrade scripts yet ({EXT}--A--B.sql): version {default} is the only "
              f"one; see docs/robustness.md for how the next version ships")
        sys.exit(0)
    checks = Checks()
    missing = repo_upgrades - installed_upgrades
    checks.check(not missing, f"every upgrade script in the repository is installed {missing or ''}")
    for old, new in sorted(repo_upgrades):
        if new not in installed_versions:
            print(f"NOTE: no {EXT}--{new}.sql: a fresh install of {new} runs the same update "
                  f"path, so only the update itself and the stored models are really tested")
        check_upgrade(checks, old, new)
    checks.finish()


if __name__ == "__main__":
    main()
