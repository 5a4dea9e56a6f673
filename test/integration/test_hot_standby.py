"""customer_seg on a hot standby: a streaming replica of a throwaway primary (pg_basebackup -R)
answers every reader -- seg_assign and seg_model by name, the fit aggregates, scores, drift,
charts, the report, the sweep, kmeans_stream_fit -- with the primary's answers, byte for byte;
the writers fail with 25006 (seg_train before it reads the table, naming the hot standby);
and a version trained on the primary reaches the standby's sessions once replayed, while a
REPEATABLE READ transaction begun before keeps the version it saw.

The two servers are made with initdb/pg_ctl/pg_basebackup under the system's temporary
directory (dbtest.Server) and load customer_seg from where the test's server does.
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_hot_standby.py
"""
import shutil
import subprocess
import time

import psycopg2

from dbtest import ROOT, Checks, Server, connect, destdir_supported, server_directory

FEATURES = "ARRAY['age', 'annual_income', 'spending_score']"
ROW = "ARRAY[age, annual_income, spending_score]::float8[]"
# Readers whose answers must be the primary's, byte for byte.
READERS = {
    "seg_assign(name) over every row":
        f"SELECT array_agg(seg_assign('hs', {ROW}) ORDER BY customer_id) FROM mall_customers",
    "seg_model(name)": "SELECT seg_model('hs')::text",
    "kmeans_fit": f"SELECT kmeans_fit({ROW}, 4)::text FROM mall_customers",
    "hclust_fit": f"SELECT hclust_fit({ROW}, 4)::text FROM mall_customers",
    "silhouette": f"SELECT silhouette(seg_model('hs'), {ROW}) FROM mall_customers",
    "seg_drift": f"SELECT seg_drift(seg_model('hs'), {ROW})::text FROM mall_customers",
    "seg_profile_chart": "SELECT seg_profile_chart(seg_model('hs'))",
    "seg_map_chart": f"SELECT seg_map_chart(seg_model('hs'), {ROW}) FROM mall_customers",
    "seg_report": f"SELECT seg_report(seg_model('hs'), 'mall_customers', {FEATURES})",
    "seg_sweep": f"SELECT array_agg(s::text ORDER BY k) FROM seg_sweep('mall_customers', {FEATURES}, 2, 5) s",
    "kmeans_stream_fit":
        f"SELECT kmeans_stream_fit('mall_customers', {FEATURES}, 3, '{{\"progress\": true}}')::text",
}


def error_of(cur, sql):
    """(SQLSTATE, message, detail) of the error sql raises, or None when it succeeds."""
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        return e.pgcode, e.diag.message_primary, e.diag.message_detail
    return None


def replayed(pcur, scur):
    """Waits until the standby has replayed everything the primary has written."""
    pcur.execute("SELECT pg_current_wal_lsn()")
    lsn = pcur.fetchone()[0]
    for _ in range(600):
        scur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))
        if scur.fetchone()[0]:
            return True
        time.sleep(0.05)
    return False


def main():
    checks = Checks()
    admin = connect("postgres")
    cur = admin.cursor()
    destdir = ""
    if destdir_supported(cur):
        cur.execute("SHOW extension_destdir")
        destdir = cur.fetchone()[0]
    admin.close()
    base = server_directory("cseg-standby-")
    servers = []
    try:
        primary = Server(base, "primary", destdir)
        servers.append(primary)
        pconn = primary.connect()
        pcur = pconn.cursor()
        pcur.execute("CREATE EXTENSION customer_seg")
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                        str(primary.port), "-U", "postgres", "-d", "postgres", "-f",
                        "data/load_mall.sql"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        pcur.execute(f"SELECT seg_train('hs', 'mall_customers', {FEATURES}, 3)")
        pcur.execute("CREATE TABLE labelled (id int, age int, annual_income numeric, "
                     "spending_score int, segment int)")
        pcur.execute("CREATE TRIGGER label BEFORE INSERT ON labelled FOR EACH ROW EXECUTE "
                     "FUNCTION seg_label_trigger('hs', 'segment', 'age', 'annual_income', "
                     "'spending_score')")
        standby = Server(base, "standby", destdir, primary=primary)
        servers.append(standby)
        sconn = standby.connect()
        scur = sconn.cursor()
        checks.check(replayed(pcur, scur), "the standby replays the primary's WAL")
        scur.execute("SELECT pg_is_in_recovery()")
        checks.check(scur.fetchone()[0], "the standby is in recovery (hot standby)")

        # Every reader answers as on the primary.
        for what, sql in READERS.items():
            pcur.execute(sql)
            expected = pcur.fetchone()[0]
            err = error_of(scur, sql)
            got = None if err else scur.fetchone()[0]
            checks.check(err is None and got == expected and expected is not None,
                         f"standby: {what} answers as the primary" + (f" (got {err})" if err else ""))

        # Writers fail with 25006; seg_train before it reads the table, naming the standby.
        err = error_of(scur, f"SELECT seg_train('hs', 'mall_customers', {FEATURES}, 5)")
        print("standby seg_train:", err)
        checks.check(err is not None and err[0] == "25006"
                     and err[1] == "seg_train: cannot train in a read-only transaction"
                     and "hot standby" in (err[2] or ""),
                     "standby: seg_train fails at once with 25006, naming the hot standby")
        for what, sql in (("seg_activate", "SELECT seg_activate('hs', 1)"),
                          ("seg_save", "SELECT seg_save('hs', seg_model('hs'))"),
                          ("an INSERT the label trigger would label",
                           "INSERT INTO labelled VALUES (1, 30, 50, 50)")):
            err = error_of(scur, sql)
            checks.check(err is not None and err[0] == "25006", f"standby: {what} fails with 25006 ({err})")
        scur.execute("SELECT seg_assign('hs', ARRAY[30, 50, 50]::float8[])")
        checks.check(scur.fetchone()[0] is not None, "standby: the session works after the errors")

        # A version trained on the primary reaches the standby once replayed; a REPEATABLE READ
        # transaction that began before keeps the version it saw.
        rconn = standby.connect()
        rcur = rconn.cursor()
        rcur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        rcur.execute("SELECT seg_model('hs')::jsonb ->> 'k'")
        before = rcur.fetchone()[0]
        pcur.execute(f"SELECT seg_train('hs', 'mall_customers', {FEATURES}, 5)")
        checks.check(replayed(pcur, scur), "the standby replays version 2")
        sql = READERS["seg_assign(name) over every row"]
        pcur.execute(sql)
        primary_v2 = pcur.fetchone()[0]
        scur.execute(sql)
        checks.check(scur.fetchone()[0] == primary_v2,
                     "standby: seg_assign(name) labels with version 2 once it is replayed")
        rcur.execute("SELECT seg_model('hs')::jsonb ->> 'k'")
        checks.check(before == "3" and rcur.fetchone()[0] == "3",
                     "standby: a REPEATABLE READ transaction keeps version 1")
        rcur.execute("COMMIT")

        # The primary with default_transaction_read_only: the same early 25006.
        pcur.execute("SET default_transaction_read_only = on")
        err = error_of(pcur, f"SELECT seg_train('hs', 'mall_customers', {FEATURES}, 4)")
        checks.check(err is not None and err[0] == "25006" and "transaction_read_only" in (err[2] or ""),
                     f"primary, read-only: seg_train fails at once with 25006 ({err})")
        pcur.execute("RESET default_transaction_read_only")
        pcur.execute("SELECT max(version) FROM seg_models WHERE name = 'hs'")
        checks.check(pcur.fetchone()[0] == 2, "no version was saved by the refused trainings")
    finally:
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    main()
