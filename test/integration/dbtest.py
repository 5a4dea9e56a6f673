"""Shared helpers for the integration tests: a fresh database per test, data loading.

The tests run inside pg_virtualenv (PGHOST/PGPORT/PGUSER/PGPASSWORD set) with
/usr/bin/python3, which has psycopg2, numpy and scikit-learn from Debian.
"""
import contextlib
import os
import subprocess
import sys

import psycopg2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def psql(dbname, *args):
    """Runs psql from the project root against dbname; raises on error."""
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbname, *args],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def fresh_database(name, load=("mall",)):
    """A new database with customer_seg installed and the named sample tables loaded."""
    admin = psycopg2.connect(dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        psql(name, "-c", "CREATE EXTENSION customer_seg")
        for table in load:
            psql(name, "-f", f"data/load_{table}.sql")
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def connect(dbname, **kwargs):
    """An autocommit connection to dbname."""
    conn = psycopg2.connect(dbname=dbname, **kwargs)
    conn.autocommit = True
    return conn


def vm_hwm(pid):
    """The process's peak resident set in bytes (VmHWM of /proc/<pid>/status)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM for process %d" % pid)


def extension_functions(cur):
    """Every SQL-callable function of customer_seg, from the catalog (pg_depend members of the
    extension), without the support functions that take or return `internal`: a list of
    (signature, name, kind, returns a set, return type, argument types), ordered by signature."""
    cur.execute("""
        SELECT p.oid::regprocedure::text, p.proname, p.prokind, p.proretset,
               pg_catalog.format_type(p.prorettype, NULL),
               ARRAY(SELECT pg_catalog.format_type(t, NULL)
                     FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i) ORDER BY i)
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass
             AND d.objid = p.oid AND d.deptype = 'e'
             AND d.refclassid = 'pg_catalog.pg_extension'::regclass
        JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'customer_seg'
        ORDER BY 1""")
    return [(sig, name, kind, retset, rettype, list(args))
            for sig, name, kind, retset, rettype, args in cur.fetchall()
            if "internal" not in args and rettype != "internal"]


class Checks:
    """Collects named assertions; exits non-zero at the end if any failed."""

    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, ok, what):
        """Records one assertion and prints it."""
        print(("ok     " if ok else "FAILED ") + what, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    def finish(self):
        """Prints the tally and exits 1 if anything failed (or nothing was checked)."""
        print(f"{self.passed} checks passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)
