"""Shards: seg_train over a partitioned table whose partitions are postgres_fdw foreign tables
on three other PostgreSQL 15 servers gives the model that the stream engine gives on one
server holding the same rows (inertia to 1e-9 relative, the same labels); every pass runs on
the shards at the same time (Async Foreign Scan, the aggregate pushed down); the model saved
on a shard labels that shard's rows as the coordinator does.

The three servers are made with initdb/pg_ctl (dbtest.Server: trust authentication, listening on
127.0.0.1 only, ports picked free), load customer_seg from the same place as the server the
test runs against (its extension_destdir, if any), and are removed at the end.
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_shards.py
"""
import shutil

import numpy as np
import psycopg2

from dbtest import Checks, Server, connect, destdir_supported, fresh_database, server_directory

SHARDS = 3
ROWS = 30000
FEATURES = "ARRAY['x', 'y', 'z', 'w']"


def customer_rows():
    """ROWS deterministic rows: four overlapping groups in x, y, z and a noise feature w."""
    rng = np.random.default_rng(20261206)
    centres = np.array([[0, 0, 0], [3, 1, 0], [0, 3, 2], [3, 3, 4]], dtype=float)
    group = rng.integers(0, 4, ROWS)
    xyz = centres[group] + rng.normal(0, 1.0, (ROWS, 3))
    w = rng.lognormal(3, 1, ROWS)
    return [(i, *map(float, xyz[i]), float(w[i])) for i in range(ROWS)]


def copy_rows(cur, table, rows):
    """COPY rows (id, x, y, z, w) into table."""
    import io
    buf = io.StringIO("".join(f"{r[0]}\t{r[1]!r}\t{r[2]!r}\t{r[3]!r}\t{r[4]!r}\n" for r in rows))
    cur.copy_expert(f"COPY {table} (id, x, y, z, w) FROM STDIN", buf)


def main():
    checks = Checks()
    with fresh_database("cseg_shards", load=()) as db:
        conn = connect(db)
        cur = conn.cursor()
        destdir = ""
        if destdir_supported(cur):
            cur.execute("SHOW extension_destdir")
            destdir = cur.fetchone()[0]
        base = server_directory("cseg-shards-")
        shards = []
        try:
            shards = [Server(base, f"shard{i}", destdir) for i in range(SHARDS)]
            rows = customer_rows()
            for i, shard in enumerate(shards):
                sconn = shard.connect()
                scur = sconn.cursor()
                scur.execute("CREATE EXTENSION customer_seg")
                scur.execute("CREATE TABLE customers_shard (id bigint PRIMARY KEY, shard int "
                             f"DEFAULT {i}, x float8, y float8, z float8, w float8)")
                copy_rows(scur, "customers_shard", [r for r in rows if r[0] % SHARDS == i])
                scur.execute("ANALYZE customers_shard")
                sconn.close()

            # The coordinator: a partitioned table of foreign partitions, and the same rows in
            # one local table.
            cur.execute("CREATE EXTENSION postgres_fdw")
            cur.execute("""CREATE TABLE customers (id bigint, shard int, x float8, y float8,
                           z float8, w float8) PARTITION BY LIST (shard)""")
            for i, shard in enumerate(shards):
                cur.execute(f"""CREATE SERVER shard{i} FOREIGN DATA WRAPPER postgres_fdw
                                OPTIONS (host '127.0.0.1', port '{shard.port}',
                                         dbname 'postgres', extensions 'customer_seg',
                                         async_capable 'true', fetch_size '10000')""")
                cur.execute(f"CREATE USER MAPPING FOR CURRENT_USER SERVER shard{i} "
                            "OPTIONS (user 'postgres')")
                cur.execute(f"""CREATE FOREIGN TABLE customers_{i} PARTITION OF customers
                                FOR VALUES IN ({i}) SERVER shard{i}
                                OPTIONS (table_name 'customers_shard')""")
            cur.execute("""CREATE TABLE customers_local (id bigint PRIMARY KEY, x float8,
                           y float8, z float8, w float8)""")
            copy_rows(cur, "customers_local", rows)
            cur.execute("SELECT count(*) FROM customers")
            checks.check(cur.fetchone()[0] == ROWS, f"the sharded table has {ROWS} rows")

            # Each pass is pushed down to every shard and runs on all of them at once.
            cur.execute("SELECT relation::text FROM seg_stream_sources('customers') ORDER BY 1")
            parts = [r[0] for r in cur.fetchall()]
            checks.check(parts == [f"customers_{i}" for i in range(SHARDS)],
                         f"each pass reads the foreign partitions: {parts}")
            cur.execute("SELECT seg_train_engine('customers', 4)")
            checks.check(cur.fetchone()[0] == "stream", "the default engine for shards is stream")
            cur.execute("SELECT kmeans_fit(ARRAY[x, y, z, w], 4)::text FROM customers_local")
            model = cur.fetchone()[0]
            union = " UNION ALL ".join(
                f"SELECT seg_stream_pass(%(m)s::segmodel, ARRAY[x, y, z, w]) AS s FROM ONLY {p}"
                for p in parts)
            cur.execute(f"""EXPLAIN (VERBOSE, COSTS OFF)
                            SELECT seg_stream_pass_merge(s) FROM ({union}) q""", {"m": model})
            plan = "\n".join(r[0] for r in cur.fetchall())
            checks.check(plan.count("Async Foreign Scan") == SHARDS,
                         "the shards are scanned asynchronously (Async Foreign Scan x 3)")
            checks.check(plan.count("Remote SQL: SELECT public.seg_stream_pass(") == SHARDS,
                         "the pass aggregate runs on each shard (pushed down)")

            # The model over the shards equals the stream model over the same rows locally.
            notices_before = len(conn.notices)
            cur.execute(f"""SELECT kmeans_stream_fit('customers', {FEATURES}, 4,
                                   '{{"seed": 3, "sample": 500, "progress": true}}')::text""")
            sharded = cur.fetchone()[0]
            progress = conn.notices[notices_before:]
            cur.execute(f"""SELECT kmeans_stream_fit('customers_local', {FEATURES}, 4,
                                   '{{"seed": 3, "sample": 500}}')::text""")
            local = cur.fetchone()[0]
            cur.execute("""SELECT (%s::segmodel::jsonb)->>'inertia',
                                  (%s::segmodel::jsonb)->>'inertia',
                                  (%s::segmodel::jsonb)->'sizes' = (%s::segmodel::jsonb)->'sizes',
                                  (%s::segmodel::jsonb)->>'n_iter'""",
                        (sharded, local, sharded, local, sharded))
            inertia_s, inertia_l, same_sizes, n_iter = cur.fetchone()
            rel = abs(float(inertia_s) / float(inertia_l) - 1)
            checks.check(rel < 1e-9, f"inertia over the shards {inertia_s} = local {inertia_l} "
                                     f"(relative difference {rel:.1e}, {n_iter} Lloyd passes)")
            checks.check(same_sizes, "the same cluster sizes")
            checks.check(int(n_iter) >= 2, f"seeded on a 500-row sample, Lloyd took {n_iter} passes")
            cur.execute("""SELECT count(*) FROM customers_local
                           WHERE seg_assign(%s::segmodel, ARRAY[x, y, z, w])
                                 <> seg_assign(%s::segmodel, ARRAY[x, y, z, w])""",
                        (sharded, local))
            checks.check(cur.fetchone()[0] == 0, "every row gets the same label")
            checks.check(any("pass 1 of at most 300" in n for n in progress) and
                         any(f"{SHARDS} of {SHARDS} shards answered" in n for n in progress),
                         f"progress NOTICEs per pass ({len(progress)} notices)")
            logs = [s.log() for s in shards]
            checks.check(all("public.seg_stream_pass(" in log for log in logs),
                         "every shard's log shows the pass aggregate it ran")

            # seg_train picks the stream engine for the sharded table; the model saved on a
            # shard labels that shard's rows as the coordinator does.
            cur.execute(f"SELECT seg_train('customers', 'customers', {FEATURES}, 4, "
                        "'{\"seed\": 3, \"sample\": 500}')")
            cur.execute("SELECT seg_model('customers')::text")
            trained = cur.fetchone()[0]
            cur.execute("SELECT (%s::segmodel::jsonb)->>'inertia'", (trained,))
            checks.check(abs(float(cur.fetchone()[0]) / float(inertia_s) - 1) < 1e-9,
                         "seg_train over the shards = kmeans_stream_fit over the shards")
            cur.execute("SELECT id, seg_assign('customers', ARRAY[x, y, z, w]) FROM customers_local")
            central = dict(cur.fetchall())
            mismatched = 0
            for shard in shards:
                sconn = shard.connect()
                scur = sconn.cursor()
                scur.execute("SELECT seg_save('customers', %s::segmodel, true)", (trained,))
                scur.execute("SELECT id, seg_assign('customers', ARRAY[x, y, z, w]) "
                             "FROM customers_shard")
                mismatched += sum(1 for i, label in scur.fetchall() if central[i] != label)
                sconn.close()
            checks.check(mismatched == 0, "labels on the shards = labels on the coordinator")
            privileges(checks, cur, shards, sharded)
            bad_shards(checks, cur, shards)
            unlisted_extension(checks, conn, cur)
        finally:
            for shard in shards:
                shard.stop()
            conn.close()
            shutil.rmtree(base, ignore_errors=True)
    checks.finish()


def privileges(checks, cur, shards, sharded):
    """A fit over the shards reads what a query on the parent would: a role granted SELECT on
    the parent only fits it (the passes then read the parent), one granted the partitions but
    not the parent does not, and a leaf with row-level security is read through the parent
    (whose query does not apply the leaf's policies)."""
    cur.execute("DROP ROLE IF EXISTS cseg_shard_analyst")
    cur.execute("CREATE ROLE cseg_shard_analyst")
    cur.execute("GRANT SELECT ON customers TO cseg_shard_analyst")
    for i in range(len(shards)):
        cur.execute(f"CREATE USER MAPPING FOR cseg_shard_analyst SERVER shard{i} "
                    "OPTIONS (user 'postgres', password_required 'false')")
    fit = (f"SELECT kmeans_stream_fit('customers', {FEATURES}, 4, "
           "'{\"seed\": 3, \"sample\": 500}')::text")
    cur.execute("SET ROLE cseg_shard_analyst")
    cur.execute("SELECT relation::text FROM seg_stream_sources('customers')")
    parts = [r[0] for r in cur.fetchall()]
    checks.check(parts == ["customers"], f"without SELECT on the partitions a pass reads the parent: {parts}")
    cur.execute("SELECT seg_train_engine('customers', 4)")
    checks.check(cur.fetchone()[0] == "stream", "the default engine is still stream")
    try:
        del cur.connection.notices[:]
        cur.execute(fit)
        model = cur.fetchone()[0]
        said = [n for n in cur.connection.notices if "through the parent" in n]
        checks.check(len(said) == 1 and "customers_0 (no SELECT on it)" in said[0],
                     f"the fit says it reads the parent, and why: {said}")
        cur.execute("SELECT (%s::segmodel::jsonb)->>'inertia', (%s::segmodel::jsonb)->'sizes' = "
                    "(%s::segmodel::jsonb)->'sizes'", (model, model, sharded))
        inertia, same_sizes = cur.fetchone()
        cur.execute("SELECT (%s::segmodel::jsonb)->>'inertia'", (sharded,))
        rel = abs(float(inertia) / float(cur.fetchone()[0]) - 1)
        checks.check(rel < 1e-9 and same_sizes,
                     f"a role with SELECT on the parent only fits it: the same model ({rel:.1e})")
    except psycopg2.Error as e:
        checks.check(False, f"a role with SELECT on the parent only fits it: {e.pgcode} {e}")
        cur.connection.rollback()
    cur.execute("RESET ROLE")
    cur.execute("REVOKE SELECT ON customers FROM cseg_shard_analyst")
    cur.execute("GRANT SELECT ON " + ", ".join(f"customers_{i}" for i in range(len(shards)))
                + " TO cseg_shard_analyst")
    cur.execute("SET ROLE cseg_shard_analyst")
    try:
        cur.execute(fit)
        checks.check(False, "SELECT on the partitions but not on the parent: refused")
    except psycopg2.Error as e:
        checks.check(e.pgcode == "42501" and "customers" in str(e),
                     f"SELECT on the partitions but not on the parent: refused ({e.pgcode}: "
                     f"{str(e).splitlines()[0]})")
        cur.connection.rollback()
    cur.execute("RESET ROLE")
    # A local leaf with row-level security whose policy shows the analyst nothing: a query
    # through the parent reads its rows all the same, and so does the fit.
    cur.execute("GRANT SELECT ON customers TO cseg_shard_analyst")
    cur.execute("CREATE TABLE customers_9 PARTITION OF customers FOR VALUES IN (9)")
    cur.execute("INSERT INTO customers SELECT 100000 + g, 9, 1, 2, 3, 4 "
                "FROM generate_series(1, 50) g")
    cur.execute("GRANT SELECT ON customers_9 TO cseg_shard_analyst")
    cur.execute("ALTER TABLE customers_9 ENABLE ROW LEVEL SECURITY")
    cur.execute("CREATE POLICY nobody ON customers_9 USING (false)")
    cur.execute("SET ROLE cseg_shard_analyst")
    cur.execute("SELECT count(*) FROM seg_stream_sources('customers')")
    one = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM customers")
    visible = cur.fetchone()[0]
    cur.execute(fit)
    cur.execute("SELECT ((%s::segmodel::jsonb)->>'n_rows')::int", (cur.fetchone()[0],))
    n_rows = cur.fetchone()[0]
    checks.check(one == 1 and n_rows == visible == ROWS + 50,
                 f"a leaf with row-level security: the fit reads the parent ({n_rows} rows, "
                 f"a query {visible})")
    cur.execute("RESET ROLE")


def bad_shards(checks, cur, shards):
    """A shard whose rows change between passes (a remote view of random()) stops the fit with
    55000 instead of fitting rows no read returned; values whose moments overflow on a shard
    get kmeans_fit's error naming the feature, not "malformed state" (22P03); an error a shard
    raises names the shard (foreign table and server)."""
    sconn = shards[0].connect()
    scur = sconn.cursor()
    scur.execute("CREATE VIEW customers_random AS SELECT * FROM customers_shard "
                 "WHERE random() < 0.5")
    scur.execute("CREATE TABLE customers_huge AS SELECT * FROM customers_shard")
    scur.execute("UPDATE customers_huge SET x = 1e308 WHERE id = 0")
    scur.execute("UPDATE customers_huge SET x = -1e308 WHERE id = 3")
    sconn.close()
    # A NULL on shard 1: the shard's error names no shard (postgres_fdw reports the remote
    # query, the same on every shard); the fit reads the shards one by one to name it.
    sconn = shards[1].connect()
    sconn.cursor().execute("CREATE TABLE customers_nulls AS SELECT * FROM customers_shard; "
                           "UPDATE customers_nulls SET y = NULL WHERE id = 1")
    sconn.close()
    # The error the fit raises again to name the shard keeps the shard's CONTEXT (the remote
    # query) in its DETAIL (RAISE cannot set CONTEXT); it was dropped.
    for remote, at, options, code, words in (
            ("customers_random", 0, "", "55000", "rows of public.customers_bad"),
            ("customers_huge", 0, "", "22000", 'feature "x" has values too large'),
            ("customers_nulls", 1, ', "missing": "error"', "22004",
             "Raised by foreign table public.customers_bad_1 on server shard1, one of the 3 relations "
             "the seeding pass reads.\nremote SQL command: SELECT public.seg_stream_seed(")):
        cur.execute("DROP TABLE IF EXISTS customers_bad")
        cur.execute("""CREATE TABLE customers_bad (id bigint, shard int, x float8, y float8,
                       z float8, w float8) PARTITION BY LIST (shard)""")
        for i in range(len(shards)):
            cur.execute(f"""CREATE FOREIGN TABLE customers_bad_{i} PARTITION OF customers_bad
                            FOR VALUES IN ({i}) SERVER shard{i}
                            OPTIONS (table_name '{remote if i == at else "customers_shard"}')""")
        try:
            cur.execute(f"SELECT kmeans_stream_fit('customers_bad', {FEATURES}, 4, "
                        f"'{{\"sample\": 500{options}}}')")
            checks.check(False, f"a shard reading {remote}: the fit fails")
        except psycopg2.Error as e:
            text = f"{e.pgerror} {e.diag.message_detail}"
            checks.check(e.pgcode == code and words in text,
                         f"a shard reading {remote}: {e.pgcode}: {str(e).splitlines()[0]} "
                         f"({e.diag.message_detail})")
        cur.execute("SELECT 1")
        checks.check(cur.fetchone()[0] == 1, "the session goes on")


def unlisted_extension(checks, conn, cur):
    """A server whose "extensions" option does not list customer_seg cannot run the passes:
    postgres_fdw fetches its rows every pass. The fit says so (it used to be silently slow).
    (customers_bad, as bad_shards left it: customers has a leaf with row-level security by
    now, so its passes read the parent.)"""
    cur.execute("ALTER SERVER shard2 OPTIONS (SET extensions 'postgres_fdw')")
    del conn.notices[:]
    cur.execute(f"SELECT kmeans_stream_fit('customers_bad', {FEATURES}, 4, "
                "'{\"seed\": 3, \"sample\": 500}') IS NOT NULL")
    fitted = cur.fetchone()[0]
    warnings = [n for n in conn.notices if n.startswith("WARNING")]
    checks.check(fitted and len(warnings) == 1 and "foreign server shard2 does not list "
                 "customer_seg" in warnings[0], f"a server without customer_seg listed: {warnings}")
    cur.execute("ALTER SERVER shard2 OPTIONS (SET extensions 'customer_seg')")


if __name__ == "__main__":
    main()
