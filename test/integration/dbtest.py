"""Shared helpers for the integration tests: a fresh database per test, data loading.

The tests run inside pg_virtualenv (PGHOST/PGPORT/PGUSER/PGPASSWORD set) with
/usr/bin/python3, which has psycopg2, numpy and scikit-learn from Debian.
"""
import contextlib
import os
import pwd
import socket
import subprocess
import sys
import tempfile

import psycopg2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = "/usr/lib/postgresql/15/bin"


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


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args):
    """Runs a server command as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def destdir_supported(cur):
    """True when the server has Debian's extension_destdir setting."""
    cur.execute("SELECT count(*) FROM pg_settings WHERE name = 'extension_destdir'")
    return cur.fetchone()[0] == 1


def server_directory(prefix):
    """A new directory for throwaway servers' data directories, under the system's temporary
    directory, not the checkout: the postgres user must be able to reach it, and a checkout
    may sit in a directory only its owner can enter (a clean clone in `mktemp -d`, mode 700)."""
    base = tempfile.mkdtemp(prefix=prefix)
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    return base


class Server:
    """One throwaway PostgreSQL 15 server in base/name: trust authentication, listening on
    127.0.0.1 on a free port, loading extensions from destdir when given. A new cluster
    (initdb), or with `primary` a hot standby streaming from that server (pg_basebackup -R)."""

    def __init__(self, base, name, destdir, primary=None):
        self.dir = os.path.join(base, name)
        self.port = free_port()
        if primary is None:
            as_postgres([f"{BIN}/initdb", "-D", self.dir, "-A", "trust", "-U", "postgres",
                         "--no-sync"])
        else:
            as_postgres([f"{BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port),
                         "-U", "postgres", "-D", self.dir, "-R", "-X", "stream",
                         "-c", "fast", "--no-sync"])
        opts = (f"-c port={self.port} -c listen_addresses=127.0.0.1 "
                f"-c unix_socket_directories={self.dir} -c fsync=off "
                f"-c log_min_duration_statement=0")
        if destdir:
            opts += f" -c extension_destdir={destdir}"
        as_postgres([f"{BIN}/pg_ctl", "-D", self.dir, "-o", opts, "-l",
                     os.path.join(self.dir, "log"), "-w", "start"])

    def connect(self):
        """An autocommit superuser connection over TCP."""
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                dbname="postgres")
        conn.autocommit = True
        return conn

    def log(self):
        """The server log so far."""
        with open(os.path.join(self.dir, "log"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        """Stops the server at once."""
        try:
            as_postgres([f"{BIN}/pg_ctl", "-D", self.dir, "-m", "immediate", "stop"])
        except subprocess.CalledProcessError:
            pass


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
