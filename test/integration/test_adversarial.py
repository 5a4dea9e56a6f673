"""The attacker's view: customer_seg attacked as a hostile user and a careless one would.

Each attack is a function below; every one ends in assertions that can fail. Together:
every SQL function called by an unprivileged role; a hostile search_path (operators and
functions in a schema earlier on the path that record whether they ran, a shadowing
seg_models); label-trigger targets with domains, generated columns, row-level security,
partitions (one with another column order), inheritance, dropped and retyped columns; COPY
text and binary of segmodel with flipped bytes; pg_dump/pg_restore of a populated registry
with triggers attached; long-lived sessions across VACUUM FULL/CLUSTER of seg_models and
re-activations; writers labelling rows while models are retrained; extreme values (1e308,
5e-324, -0.0); privilege and resource attacks (SECURITY DEFINER detours, GUC ceilings, a
trigger on seg_models itself, deep JSON, leaked trigger contexts).

Attacks that expose a hole another developer is closing (issue 11, items 1-9, owner `sec`) are
EXPECTED FAILURES, printed as XFAIL with the item they belong to (and XPASS once fixed); they
do not fail the run. Everything else must hold. Prints the number of attacks tried and of rows
written under attack that were lost (must be 0).
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_adversarial.py
"""
import html.parser
import io
import json
import os
import random
import secrets
import struct
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree

import psycopg2

sys.path.insert(0, os.path.dirname(__file__))
from dbtest import Checks, connect, extension_functions, fresh_database  # noqa: E402

DB = "cseg_adversarial"
FEATS = "ARRAY[age, annual_income, spending_score]"
ROLES = ("adv_nobody", "adv_hijacker", "adv_writer", "adv_victim")
# Items of issue 11 still open in the tree this test runs on. An expected failure in this set
# prints XFAIL; remove an item once its fix has landed so the check becomes binding.
OPEN_ITEMS = set()  # every item of issue 11 is fixed: all checks bind


class AttackChecks(Checks):
    """Checks plus expected failures tied to an open item of issue 11."""

    def __init__(self):
        super().__init__()
        self.attacks = 0
        self.xfail = 0
        self.xpass = 0
        self.rows_lost = 0

    def attack(self, what):
        """Counts one attack and says which."""
        self.attacks += 1
        print("-- attack %d: %s" % (self.attacks, what), flush=True)

    def hole(self, ok, what, *items):
        """A check of items of issue 11: binding once all of them are closed."""
        ref = "issue 11 item " + " and ".join(str(i) for i in items)
        if not OPEN_ITEMS.intersection(items):
            self.check(ok, "%s (%s)" % (what, ref))
        elif ok:
            self.xpass += 1
            print("XPASS  %s (%s: fixed? remove it from OPEN_ITEMS)" % (what, ref))
        else:
            self.xfail += 1
            print("XFAIL  %s (%s, owner sec)" % (what, ref))


def error_of(cur, sql, args=None):
    """Runs sql; the psycopg2 error or None."""
    try:
        cur.execute(sql, args)
        if cur.description:
            cur.fetchall()
        return None
    except psycopg2.Error as e:
        return e


def code_of(cur, sql, args=None):
    """Runs sql; its SQLSTATE, or "ok"."""
    e = error_of(cur, sql, args)
    return "ok" if e is None else (e.pgcode or "?????")


def scalar(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchone()[0]


def rows(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchall()


# The attack roles' password (pg_virtualenv's clusters ask for one over TCP).
ROLE_PASSWORD = secrets.token_hex(16)


def role_conn(role):
    """An autocommit connection as `role`."""
    return connect(DB, user=role, password=ROLE_PASSWORD)


# One reasonable value per argument type, for calling every function properly.
GOOD = {
    "double precision[]": "ARRAY[30, 60, 50]::float8[]",
    "integer": "2",
    "bigint": "1::bigint",
    "double precision": "0.5::float8",
    "jsonb": "'{}'::jsonb",
    "text": "'adv'",
    "text[]": "ARRAY['age', 'annual_income', 'spending_score']",
    "regclass": "'public.mall_customers'::regclass",
    "timestamp with time zone": "'2011-12-10'::timestamptz",
    "boolean": "true",
    "segmodel": "(SELECT model FROM public.adv_model)",
    "segscaler": "(SELECT scaler_fit(ARRAY[1, 2]::float8[]) FROM generate_series(1, 3))",
    "cstring": "(SELECT model::text FROM public.adv_model)::cstring",
    "seg_sweep_row": "(SELECT s FROM unnest((SELECT public.kmeans_sweep(x, 2, 3) FROM "
                     "public.adv_points)) s LIMIT 1)",
}


def call_of(sig_name, kind, retset, args, schema="public"):
    """A statement calling the function with GOOD arguments (aggregates over adv_points)."""
    if sig_name == "seg_label_trigger":
        return None
    q = "%s.%s" % (schema, sig_name)
    if kind == "a":
        cols = []
        for t in args:
            cols.append({"double precision[]": "x", "integer": "lbl", "bigint": "id::bigint",
                         "text[]": "ARRAY[g]"}.get(t, GOOD.get(t, "NULL")))
        return "SELECT (%s(%s))::text FROM public.adv_points" % (q, ", ".join(cols))
    call = "%s(%s)" % (q, ", ".join(GOOD.get(t, "NULL") for t in args))
    return ("SELECT count(*) FROM %s" if retset else "SELECT (%s)::text") % call


def setup(cur):
    cur.execute("""
        CREATE TABLE adv_model AS
            SELECT kmeans_fit(%s, 3, '{"seed": 1}') AS model FROM mall_customers;
        CREATE TABLE adv_points AS
            SELECT customer_id AS id, %s AS x, (customer_id %% 3)::int AS lbl, gender AS g
            FROM mall_customers WHERE customer_id <= 60;
        SELECT seg_save('adv', model) FROM adv_model;
    """ % (FEATS, FEATS))
    for r in ROLES:
        cur.execute("DROP ROLE IF EXISTS %s" % r)
        cur.execute("CREATE ROLE %s LOGIN PASSWORD '%s'" % (r, ROLE_PASSWORD))
    cur.execute("GRANT SELECT ON adv_model, adv_points TO PUBLIC")


def registry_digest(cur):
    return scalar(cur, "SELECT md5(coalesce(string_agg(name || version || active || model::text, "
                       "',' ORDER BY name, version), '')) FROM seg_models")


# ---------------------------------------------------------------------------------------------
def unprivileged_calls(checks, cur):
    """Every SQL function called by a role with no grants at all (beyond PUBLIC's)."""
    checks.attack("every SQL function called by an unprivileged role")
    before = registry_digest(cur)
    funcs = extension_functions(cur)
    nobody = role_conn("adv_nobody")
    ncur = nobody.cursor()
    bad, tried = [], 0
    for sig, name, kind, retset, _, args in funcs:
        q = call_of(name, kind, retset, args)
        if q is None:
            continue
        tried += 1
        code = code_of(ncur, q)
        if code.startswith("XX") or code == "?????":
            bad.append("%s -> %s" % (sig, code))
    checks.check(not bad, "%d functions called by adv_nobody: no internal error (%s)"
                 % (tried, bad))
    for what, q in [
        ("seg_model", "SELECT seg_model('adv')"),
        ("seg_assign by name", "SELECT seg_assign('adv', ARRAY[30, 60, 50]::float8[])"),
        ("seg_save", "SELECT seg_save('adv', (SELECT model FROM adv_model))"),
        ("seg_activate", "SELECT seg_activate('adv', 1)"),
        ("seg_train", "SELECT seg_train('adv2', 'adv_points', ARRAY['id'], 2)"),
        ("registry read", "SELECT count(*) FROM seg_models"),
    ]:
        code = code_of(ncur, q)
        checks.check(code == "42501", "adv_nobody denied %s: %s" % (what, code))
    checks.check(registry_digest(cur) == before, "the registry is unchanged by adv_nobody")
    nobody.close()


EVIL_SCHEMA = """
CREATE SCHEMA evil AUTHORIZATION adv_hijacker;
SET ROLE adv_hijacker;
CREATE TABLE evil.log(what text);
GRANT INSERT, SELECT ON evil.log TO PUBLIC;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE FUNCTION evil.note(what text) RETURNS void LANGUAGE sql
    AS $$ INSERT INTO evil.log VALUES (what) $$;
{operators}CREATE FUNCTION evil.array_length(anyarray, int) RETURNS int LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('array_length'); RETURN pg_catalog.array_length($1, $2); END $$;
CREATE FUNCTION evil.quote_ident(text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('quote_ident'); RETURN pg_catalog.quote_ident($1); END $$;
CREATE FUNCTION evil.format(text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('format'); RETURN $1; END $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('now'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION evil.length(text) RETURNS int LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('length'); RETURN pg_catalog.length($1); END $$;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('lower'); RETURN pg_catalog.lower($1); END $$;
CREATE FUNCTION evil.current_user_name() RETURNS name LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('current_user'); RETURN 'x'; END $$;
CREATE FUNCTION evil.floor(float8) RETURNS float8 LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('floor'); RETURN pg_catalog.floor($1); END $$;
CREATE FUNCTION evil.sqrt(float8) RETURNS float8 LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('sqrt'); RETURN pg_catalog.sqrt($1); END $$;
CREATE FUNCTION evil.to_regclass(text) RETURNS regclass LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('to_regclass'); RETURN pg_catalog.to_regclass($1); END $$;
CREATE FUNCTION evil.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql
    AS $$ BEGIN PERFORM evil.note('unnest'); RETURN QUERY SELECT pg_catalog.unnest($1); END $$;
-- A look-alike registry holding the hijacker's own model under the victim's name.
CREATE TABLE evil.seg_models (name text, version int, model public.segmodel,
                               created_at timestamptz, active boolean, created_by text,
                               trained_on text);
GRANT SELECT ON evil.seg_models TO PUBLIC;
RESET ROLE;
"""


# Look-alike operators: (function name, operator, left and right type, result type).
EVIL_OPERATORS = [("eq_text", "=", "text", "text", "boolean"),
                  ("eq_name", "=", "name", "name", "boolean"),
                  ("eq_int", "=", "int", "int", "boolean"),
                  ("eq_oid", "=", "oid", "oid", "boolean"),
                  ("plus", "+", "float8", "float8", "float8"),
                  ("le_ts", "<=", "timestamptz", "timestamptz", "boolean")]


def evil_schema_sql():
    """The hijacker's schema: every look-alike records its name in evil.log when it runs."""
    ops = []
    for fn, op, left, right, result in EVIL_OPERATORS:
        what = "%s(%s,%s)" % (op, left, right)
        ops.append(
            "CREATE FUNCTION evil.%s(a %s, b %s) RETURNS %s LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM evil.note('%s'); RETURN a OPERATOR(pg_catalog.%s) b; END $$;\n"
            "CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.%s);\n"
            % (fn, left, right, result, what, op, op, left, right, fn))
    return EVIL_SCHEMA.replace("{operators}", "".join(ops))


def hostile_search_path(checks, cur):
    """A victim (a superuser) with a hijacker's schema first on the path calls everything."""
    checks.attack("hostile search_path: operators, functions and a look-alike seg_models")
    cur.execute(evil_schema_sql())
    cur.execute("""INSERT INTO evil.seg_models
                   SELECT 'adv', 99, kmeans_fit(%s, 1), now(), true, 'adv_hijacker', NULL
                   FROM mall_customers""" % FEATS)
    cur.execute("""CREATE TABLE adv_labelled(id serial, age float8, annual_income float8,
                                             spending_score float8, seg int, ver int);
                   CREATE TRIGGER adv_label BEFORE INSERT OR UPDATE ON adv_labelled FOR EACH ROW
                   EXECUTE FUNCTION seg_label_trigger('adv', 'seg', 'age', 'annual_income',
                                                       'spending_score', 'version_column=ver')""")
    funcs = extension_functions(cur)
    ran_c, ran_sql, statements = [], [], 0
    # The C registry lookup (seg_assign by name, the trigger) is item 2; the rest must be clean.
    c_lookup = {"seg_assign(text,double precision[])"}
    for path in ("evil, pg_catalog, public", "evil, public"):
        calls = [(sig, call_of(name, kind, retset, args)) for sig, name, kind, retset, _, args
                 in funcs]
        calls.append(("seg_label_trigger()", "INSERT INTO public.adv_labelled(age, annual_income,"
                      " spending_score) VALUES (30, 60, 50)"))
        calls.append(("seg_rfm (orders)", "SELECT count(*) FROM public.seg_rfm("
                      "'public.adv_orders', 'c', 'at', 'amount', '2011-12-10')"))
        for sig, q in calls:
            if q is None:
                continue
            cur.execute("TRUNCATE evil.log")
            victim = connect(DB)  # a fresh session: no plan prepared under another path
            vcur = victim.cursor()
            vcur.execute("SET search_path = " + path)
            code = code_of(vcur, q)
            victim.close()
            statements += 1
            ran = [r[0] for r in rows(cur, "SELECT DISTINCT what FROM evil.log")]
            if ran:
                (ran_c if sig in c_lookup or sig == "seg_label_trigger()" else ran_sql).append(
                    "%s [%s] ran %s (%s)" % (sig, path, ran, code))
            if sig == "seg_label_trigger()" and code == "ok":
                ver = scalar(cur, "SELECT ver FROM adv_labelled ORDER BY id DESC LIMIT 1")
                real = scalar(cur, "SELECT version FROM public.seg_models WHERE name = 'adv' "
                                   "AND active")
                checks.check(ver == real, "the trigger under path %s used the real registry "
                             "(version %s, active %s, the look-alike has 99)" % (path, ver, real))
    checks.check(not ran_sql, "%d victim statements over every function: no hijacker code ran "
                 "outside the C lookup (%s)" % (statements, ran_sql))
    checks.hole(not ran_c, "the C registry lookup ran no hijacker operator (%s)" % ran_c, 2)
    by_name = scalar(cur, "SELECT seg_assign('adv', ARRAY[30, 60, 50]::float8[]) = "
                          "seg_assign((SELECT model FROM adv_model), ARRAY[30, 60, 50]::float8[])")
    checks.check(by_name, "seg_assign by name reads public.seg_models, not evil's")


def trigger_targets(checks, cur):
    """Label-trigger targets a careful DBA builds and a careless one breaks."""
    label = "seg_assign('adv', ARRAY[age, annual_income, spending_score]::float8[])"
    trig = ("EXECUTE FUNCTION seg_label_trigger('adv', 'seg', 'age', 'annual_income', "
            "'spending_score')")
    ins = ("INSERT INTO %s(age, annual_income, spending_score) SELECT age, annual_income, "
           "spending_score FROM mall_customers")

    checks.attack("trigger target: dropped column between the features")
    cur.execute("""CREATE TABLE tt_dropped(junk int, age float8, junk2 text, annual_income float8,
                                           spending_score float8, seg int);
                   ALTER TABLE tt_dropped DROP COLUMN junk, DROP COLUMN junk2;
                   CREATE TRIGGER l BEFORE INSERT ON tt_dropped FOR EACH ROW %s""" % trig)
    cur.execute(ins % "tt_dropped")
    checks.check(scalar(cur, "SELECT count(*) FROM tt_dropped WHERE seg IS DISTINCT FROM "
                        + label) == 0, "labels right with dropped columns")

    checks.attack("trigger target: partitioned table, one partition with another column order")
    cur.execute("""CREATE TABLE tt_parted(id int, age float8, annual_income float8,
                                          spending_score float8, seg int) PARTITION BY RANGE (id);
                   CREATE TABLE tt_p1 PARTITION OF tt_parted FOR VALUES FROM (0) TO (100);
                   CREATE TABLE tt_p2(seg int, junk int, spending_score float8, id int,
                                      annual_income float8, age float8);
                   ALTER TABLE tt_p2 DROP COLUMN junk;
                   ALTER TABLE tt_parted ATTACH PARTITION tt_p2 FOR VALUES FROM (100) TO (1000);
                   CREATE TRIGGER l BEFORE INSERT OR UPDATE ON tt_parted FOR EACH ROW %s""" % trig)
    cur.execute("INSERT INTO tt_parted(id, age, annual_income, spending_score) "
                "SELECT customer_id, age, annual_income, spending_score FROM mall_customers")
    cur.execute("UPDATE tt_parted SET id = id + 100 WHERE id < 50")  # moves rows across
    checks.check(scalar(cur, "SELECT count(*) FROM tt_parted WHERE seg IS DISTINCT FROM "
                        + label) == 0 and scalar(cur, "SELECT count(*) FROM tt_parted") == 200,
                 "labels right in both partitions, after moving rows between them")

    checks.attack("trigger target: inheritance child with its own trigger and layout")
    cur.execute("""CREATE TABLE tt_parent(age float8, annual_income float8, spending_score float8,
                                          seg int);
                   CREATE TABLE tt_child(extra text) INHERITS (tt_parent);
                   CREATE TRIGGER l BEFORE INSERT ON tt_parent FOR EACH ROW %s;
                   CREATE TRIGGER l BEFORE INSERT ON tt_child FOR EACH ROW %s""" % (trig, trig))
    cur.execute(ins % "tt_parent")
    cur.execute(ins % "tt_child")
    checks.check(scalar(cur, "SELECT count(*) FROM tt_parent WHERE seg IS DISTINCT FROM "
                        + label) == 0 and scalar(cur, "SELECT count(*) FROM tt_parent") == 400,
                 "labels right in parent and child")

    checks.attack("trigger target: row-level security forced on the table")
    cur.execute("""CREATE TABLE tt_rls(owner name DEFAULT current_user, age float8,
                                       annual_income float8, spending_score float8, seg int);
                   ALTER TABLE tt_rls ENABLE ROW LEVEL SECURITY;
                   ALTER TABLE tt_rls FORCE ROW LEVEL SECURITY;
                   CREATE POLICY own ON tt_rls USING (owner = current_user)
                       WITH CHECK (owner = current_user);
                   GRANT SELECT, INSERT ON tt_rls TO adv_writer;
                   GRANT SELECT ON seg_models TO adv_writer;
                   CREATE TRIGGER l BEFORE INSERT ON tt_rls FOR EACH ROW %s""" % trig)
    w = role_conn("adv_writer")
    wc = w.cursor()
    wc.execute("INSERT INTO tt_rls(age, annual_income, spending_score) VALUES (30, 60, 50)")
    code = code_of(wc, "INSERT INTO tt_rls(owner, age, annual_income, spending_score) "
                       "VALUES ('postgres', 30, 60, 50)")
    seen = scalar(wc, "SELECT count(*) FROM tt_rls")
    w.close()
    checks.check(code == "42501" and seen == 1 and scalar(
        cur, "SELECT seg = seg_assign('adv', ARRAY[30, 60, 50]::float8[]) FROM tt_rls") is True,
        "RLS still enforced with the trigger (%s, sees %d row), the row labelled" % (code, seen))
    cur.execute("REVOKE SELECT ON seg_models FROM adv_writer")

    checks.attack("trigger target: segment and feature columns retyped in a long-lived session")
    cur.execute("""CREATE TABLE tt_retype(age float8, annual_income float8,
                                          spending_score float8, seg int);
                   CREATE TRIGGER l BEFORE INSERT OR UPDATE ON tt_retype FOR EACH ROW %s""" % trig)
    s = connect(DB)
    sc = s.cursor()
    sc.execute("INSERT INTO tt_retype VALUES (30, 60, 50)")
    cur.execute("ALTER TABLE tt_retype ALTER seg TYPE bigint, ALTER age TYPE numeric")
    c1 = code_of(sc, "INSERT INTO tt_retype VALUES (30, 60, 50)")
    cur.execute("ALTER TABLE tt_retype ALTER seg TYPE text")
    c2 = code_of(sc, "INSERT INTO tt_retype VALUES (30, 60, 50)")
    cur.execute("ALTER TABLE tt_retype DROP COLUMN annual_income")
    c3 = code_of(sc, "INSERT INTO tt_retype VALUES (30, 50)")
    s.close()
    vals = [r[0] for r in rows(cur, "SELECT seg::text FROM tt_retype")]
    right = str(scalar(cur, "SELECT seg_assign('adv', ARRAY[30, 60, 50]::float8[])"))
    checks.check(c1 == "ok" and all(v == right for v in vals if v is not None),
                 "retyped to bigint/numeric: still labelled right (%s, %s)" % (c1, vals))
    checks.check(c2 not in ("ok",) and not c2.startswith("XX") or
                 (c2 == "ok" and vals.count(right) == len(vals)),
                 "segment column retyped to text: a clear error or a right label (%s)" % c2)
    checks.check(c3 != "ok" and not c3.startswith("XX"),
                 "a feature column dropped under the trigger: a clear error (%s)" % c3)

    checks.attack("trigger misuse: AFTER, FOR EACH STATEMENT, called directly, on seg_models")
    cur.execute("CREATE TABLE tt_misuse(age float8, annual_income float8, spending_score float8,"
                " seg int)")
    for how in ("AFTER INSERT ON tt_misuse FOR EACH ROW",
                "BEFORE INSERT ON tt_misuse FOR EACH STATEMENT",
                "BEFORE DELETE ON tt_misuse FOR EACH ROW"):
        cur.execute("DROP TRIGGER IF EXISTS m ON tt_misuse")
        cur.execute("CREATE TRIGGER m %s %s" % (how, trig))
        c = code_of(cur, "INSERT INTO tt_misuse VALUES (30, 60, 50); DELETE FROM tt_misuse")
        checks.check(c != "ok" and not c.startswith("XX"), "%s: a clear error (%s)" % (how, c))
    cur.execute("DROP TRIGGER IF EXISTS m ON tt_misuse")
    c = code_of(cur, "SELECT seg_label_trigger()")
    checks.check(c != "ok" and not c.startswith("XX"), "called directly: a clear error (%s)" % c)
    # A trigger on the registry itself, reading the registry while it is being written.
    cur.execute("CREATE TRIGGER adv_self BEFORE INSERT ON seg_models FOR EACH ROW EXECUTE "
                "FUNCTION seg_label_trigger('adv', 'version', 'version', 'version', 'version')")
    c = code_of(cur, "SELECT seg_save('adv_self', (SELECT model FROM adv_model), false)")
    cur.execute("DROP TRIGGER adv_self ON seg_models")
    checks.check(not c.startswith("XX"), "a label trigger on seg_models: no internal error (%s)"
                 % c)

    checks.attack("trigger target: CHECK and NOT NULL domains on the segment column")
    cur.execute("""CREATE DOMAIN adv_small AS int CHECK (VALUE < 1);
                   CREATE DOMAIN adv_nn AS int NOT NULL;
                   CREATE TABLE tt_domain(age float8, annual_income float8,
                                          spending_score float8, seg adv_small);
                   CREATE TABLE tt_domain_nn(age float8, annual_income float8,
                                             spending_score float8, seg adv_nn DEFAULT 0);
                   CREATE TRIGGER l BEFORE INSERT ON tt_domain FOR EACH ROW %s;
                   CREATE TRIGGER l BEFORE INSERT ON tt_domain_nn FOR EACH ROW %s""" % (trig, trig))
    cur.execute("SELECT age, annual_income, spending_score FROM mall_customers WHERE " + label +
                " >= 1 LIMIT 1")
    a, b, c_ = cur.fetchone()
    c1 = code_of(cur, "INSERT INTO tt_domain VALUES (%s, %s, %s)", (a, b, c_))
    c2 = code_of(cur, "INSERT INTO tt_domain_nn VALUES (NULL, 60, 50)")
    checks.hole(c1 == "23514", "a label violating a CHECK domain is refused (%s)" % c1, 3)
    checks.hole(c2 == "23502", "a NULL label in a NOT NULL domain is refused (%s)" % c2, 3)

    checks.attack("trigger target: a GENERATED STORED feature column")
    cur.execute("""CREATE TABLE tt_gen(age float8, annual_income float8,
                                       spending_score float8 GENERATED ALWAYS AS (age + 20) STORED,
                                       seg int)""")
    c1 = code_of(cur, "CREATE TRIGGER l BEFORE INSERT OR UPDATE ON tt_gen FOR EACH ROW " + trig)
    c2 = code_of(cur, "INSERT INTO tt_gen(age, annual_income) VALUES (30, 60)")
    ok = c1 != "ok" or c2 != "ok" or scalar(
        cur, "SELECT count(*) FROM tt_gen WHERE seg IS DISTINCT FROM " + label) == 0
    checks.check(not c1.startswith("XX") and not c2.startswith("XX"),
                 "generated column: no internal error (%s, %s)" % (c1, c2))
    checks.hole(ok, "a generated feature is labelled right or refused clearly (%s, %s)"
                % (c1, c2), 9)


def mutate(rnd, data, ops):
    data = bytearray(data)
    for _ in range(rnd.randint(1, ops)):
        if not data:
            break
        i = rnd.randrange(len(data))
        op = rnd.random()
        if op < 0.6:
            data[i] ^= 1 << rnd.randrange(8)
        elif op < 0.75:
            del data[i:]
        elif op < 0.9:
            data[i:i] = bytes([rnd.randrange(256)]) * rnd.randint(1, 5)
        else:
            del data[i]
    return bytes(data)


def copy_binary_payload(chunks):
    out = io.BytesIO()
    out.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
    for c in chunks:
        out.write(struct.pack("!hi", 1, len(c)) + c)
    out.write(struct.pack("!h", -1))
    out.seek(0)
    return out


def copy_flipped(checks, cur):
    """COPY text and binary of segmodel with flipped bytes: refused clearly or a sound model."""
    checks.attack("COPY text/binary of segmodel with flipped bytes")
    rnd = random.Random(11)
    cur.execute("CREATE TABLE adv_copy(m segmodel)")
    models = [r[0] for r in rows(cur, """
        SELECT kmeans_fit(%s, 3)::text FROM mall_customers UNION ALL
        SELECT kmeans_fit(%s, 2, '{"missing": "impute", "feature_names": ["a", "b", "c"],
                                   "scale": "robust"}')::text FROM mall_customers UNION ALL
        SELECT kprototypes_fit(%s, ARRAY[gender], 2)::text FROM mall_customers""" %
                                     (FEATS, FEATS, FEATS))]
    binaries = [bytes(scalar(cur, "SELECT segmodel_send(%s::segmodel)", (m,))) for m in models]
    codes, accepted = {}, 0
    for i in range(300):
        if i % 2 == 0:
            text = mutate(rnd, models[i % len(models)].encode(), 3)
            payload = io.BytesIO(text.replace(b"\\", b"\\\\").replace(b"\n", b"\\n")
                                 .replace(b"\t", b"\\t").replace(b"\r", b"\\r") + b"\n")
            stmt = "COPY adv_copy FROM STDIN"
        else:
            payload = copy_binary_payload([mutate(rnd, binaries[i % len(binaries)], 3)])
            stmt = "COPY adv_copy FROM STDIN (FORMAT binary)"
        try:
            cur.copy_expert(stmt, payload)
            accepted += 1
            code = "ok"
        except psycopg2.Error as e:
            code = e.pgcode or "?????"
        codes[code] = codes.get(code, 0) + 1
    internal = {c: n for c, n in codes.items() if c.startswith("XX") or c == "?????"}
    checks.check(not internal, "300 mutants: errors by SQLSTATE %s, none internal" % codes)
    # What got in must be sound: round-trips, labels rows, and survives send/recv.
    bad = scalar(cur, """SELECT count(*) FROM adv_copy
                         WHERE m::text::segmodel::text <> m::text""")
    checks.check(bad == 0, "%d accepted mutants all round-trip as text" % accepted)
    for (m,) in rows(cur, "SELECT m::text FROM adv_copy"):
        c = code_of(cur, "SELECT seg_assign(%s::segmodel, ARRAY[30, 60, 50]::float8[]), "
                         "seg_centroids(%s::segmodel), seg_describe(%s::segmodel)", (m, m, m))
        if c.startswith("XX"):
            checks.check(False, "accepted mutant used: internal error %s" % c)
    # Invalid UTF-8 inside a model (item 1): every input path must refuse it.
    named = bytes(scalar(cur, """SELECT segmodel_send(kmeans_fit(%s, 2,
        '{"feature_names": ["featureXYZ", "b", "c"]}')) FROM mall_customers""" % FEATS))
    evil = named.replace(b"featureXYZ", b"feature\xe1YZ")
    checks.check(evil != named, "the feature name is found in the binary form")
    try:
        cur.copy_expert("COPY adv_copy FROM STDIN (FORMAT binary)", copy_binary_payload([evil]))
        got_in = True
    except psycopg2.Error:
        got_in = False
    checks.hole(not got_in, "a model holding invalid UTF-8 is refused by binary COPY", 1)
    cur.execute("DELETE FROM adv_copy WHERE NOT (m::text IS NOT NULL)")


def dump_and_restore(source, target):
    """pg_dump -Fc of source restored into a new database target; (ok, pg_restore stderr)."""
    dump = "/tmp/cseg_adversarial_%d.dump" % os.getpid()
    admin = connect("postgres")
    try:
        subprocess.run(["pg_dump", "-Fc", "-f", dump, source], check=True)
        admin.cursor().execute('DROP DATABASE IF EXISTS "%s"' % target)
        admin.cursor().execute('CREATE DATABASE "%s"' % target)
        r = subprocess.run(["pg_restore", "--exit-on-error", "-d", target, dump],
                           capture_output=True, text=True)
        return r.returncode == 0, r.stderr[-600:]
    finally:
        admin.close()
        if os.path.exists(dump):
            os.remove(dump)


def drop_database(name):
    admin = connect("postgres")
    admin.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    admin.close()


def dump_restore(checks, cur):
    """pg_dump -Fc / pg_restore of a populated registry with label triggers attached."""
    checks.attack("pg_dump/pg_restore of a populated registry with triggers attached")
    source, target = DB + "_dr", DB + "_dr_restored"
    admin = connect("postgres")
    admin.cursor().execute('DROP DATABASE IF EXISTS "%s"' % source)
    admin.cursor().execute('CREATE DATABASE "%s"' % source)
    admin.close()
    try:
        psql_load = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
                                    "-c", "CREATE EXTENSION customer_seg",
                                    "-f", "data/load_mall.sql"],
                                   cwd=os.path.join(os.path.dirname(__file__), "..", ".."),
                                   capture_output=True, text=True)
        checks.check(psql_load.returncode == 0, "source database loaded")
        s = connect(source)
        sc = s.cursor()
        sc.execute("""
            SELECT seg_save('dr_a', kmeans_fit(%s, k)) FROM mall_customers,
                   generate_series(2, 4) k GROUP BY k ORDER BY k;
            SELECT seg_activate('dr_a', 2);
            SELECT seg_save('dr_b', kprototypes_fit(%s, ARRAY[gender], 3)) FROM mall_customers;
            SELECT seg_save('dr_c', kmeans_fit(%s, 3, '{"feature_names": ["âge", "incöme",
                   "scøre"], "missing": "impute", "scale": "robust"}')) FROM mall_customers;
            CREATE TABLE dr_labelled(id int PRIMARY KEY, age float8, annual_income float8,
                                     spending_score float8, seg int, ver int);
            CREATE TRIGGER l BEFORE INSERT OR UPDATE ON dr_labelled FOR EACH ROW EXECUTE FUNCTION
                seg_label_trigger('dr_a', 'seg', 'age', 'annual_income', 'spending_score',
                                  'version_column=ver');
            INSERT INTO dr_labelled SELECT customer_id, age, annual_income, spending_score
            FROM mall_customers;
        """ % (FEATS, FEATS, FEATS))
        reg = registry_digest(sc)
        labels = ("SELECT md5(string_agg(id || ':' || seg || ':' || ver, ',' ORDER BY id)) "
                  "FROM dr_labelled")
        lab = scalar(sc, labels)
        s.close()
        ok, err = dump_and_restore(source, target)
        checks.check(ok, "pg_restore succeeded %s" % err)
        t = connect(target)
        tc = t.cursor()
        checks.check(registry_digest(tc) == reg, "the restored registry equals the original")
        checks.check(scalar(tc, labels) == lab,
                     "the labelled table restored unchanged (triggers did not relabel)")
        tc.execute("INSERT INTO dr_labelled VALUES (1000, 30, 60, 50)")
        ok = scalar(tc, "SELECT ver = 2 AND seg = seg_assign('dr_a', ARRAY[30, 60, "
                        "50]::float8[]) FROM dr_labelled WHERE id = 1000")
        checks.check(ok is True, "the restored trigger labels with the active version")
        t.close()
    finally:
        drop_database(target)
        drop_database(source)
    # The whole attacked database: domains the trigger bypassed (item 3) or a model with
    # invalid UTF-8 (item 1) make the restore fail.
    checks.attack("pg_dump/pg_restore of the database after every attack above")
    try:
        ok, err = dump_and_restore(DB, target)
        checks.hole(ok, "the attacked database restores %s" % err, 1, 3)
    finally:
        drop_database(target)


def long_lived_sessions(checks, cur):
    """A session keeps labelling while others re-activate and rewrite seg_models."""
    checks.attack("long-lived session across re-activations, VACUUM FULL and CLUSTER")
    cur.execute("""
        SELECT seg_save('ll', kmeans_fit(%s, 5)) FROM mall_customers;
        SELECT seg_save('ll', kmeans_fit(%s, 1), false) FROM mall_customers;
        CREATE TABLE ll_rows(id serial, age float8, annual_income float8, spending_score float8,
                             seg int, ver int);
        CREATE TRIGGER l BEFORE INSERT ON ll_rows FOR EACH ROW EXECUTE FUNCTION
            seg_label_trigger('ll', 'seg', 'age', 'annual_income', 'spending_score',
                              'version_column=ver');
    """ % (FEATS, FEATS))
    s = connect(DB)
    sc = s.cursor()
    point = "ARRAY[60, 120, 90]::float8[]"  # not in cluster 0 of the k = 5 model

    def labels():
        sc.execute("INSERT INTO ll_rows(age, annual_income, spending_score) VALUES (60, 120, 90)"
                   " RETURNING seg, ver")
        seg, ver = sc.fetchone()
        return ver, seg, scalar(sc, "SELECT seg_assign('ll', %s)" % point)

    first = labels()
    checks.check(first[0] == 1 and first[1] == first[2] != 0, "version 1 labels %s" % (first,))
    steps = [("activate 2", ["SELECT seg_activate('ll', 2)"], 2),
             ("VACUUM FULL", ["VACUUM FULL seg_models"], 2),
             ("re-activate 1", ["SELECT seg_activate('ll', 1)"], 1),
             ("CLUSTER", ["CLUSTER seg_models USING seg_models_pkey"], 1),
             ("activate 2 + VACUUM FULL", ["SELECT seg_activate('ll', 2)",
                                           "VACUUM FULL seg_models"], 2),
             ("re-activate 1 + CLUSTER", ["SELECT seg_activate('ll', 1)",
                                          "CLUSTER seg_models USING seg_models_pkey"], 1)]
    for what, qs, want in steps:
        for q in qs:
            cur.execute(q)
        ver, seg, by_name = labels()
        right = (seg == 0 and by_name == 0) if want == 2 else (seg == first[1] == by_name)
        checks.check(ver == want and right, "after %s the session labels with version %d "
                     "(got version %s, labels %s/%s)" % (what, want, ver, seg, by_name))
    cur.execute("DELETE FROM seg_models WHERE name = 'll'")
    c = code_of(sc, "INSERT INTO ll_rows(age, annual_income, spending_score) VALUES (1, 2, 3)")
    checks.check(c == "42704", "with the model deleted the session stops using it (%s)" % c)
    s.close()

    # Item 4: a rewrite that puts another row with the cached row's xmin on the cached TID.
    checks.attack("VACUUM FULL landing a same-xmin row on a long-lived session's cached TID")
    db = DB + "_rewrite"
    admin = connect("postgres")
    admin.cursor().execute('DROP DATABASE IF EXISTS "%s"' % db)
    admin.cursor().execute('CREATE DATABASE "%s"' % db)
    try:
        c0 = connect(db)
        k = c0.cursor()
        k.execute("CREATE EXTENSION customer_seg")
        k.execute("CREATE TABLE pts AS SELECT a::float8 AS a FROM generate_series(1, 20) a")
        # One INSERT stores v1 (active), v2 and v3: the three rows share one xmin.
        k.execute("""INSERT INTO seg_models(name, version, model, active)
            SELECT 'x', v, kmeans_fit(ARRAY[a], k), v = 1
            FROM pts, (VALUES (1, 2), (2, 1), (3, 3)) s(v, k) GROUP BY v, k ORDER BY v""")
        k.execute("CREATE TABLE rows_x(a float8, seg int, ver int); CREATE TRIGGER l BEFORE "
                  "INSERT ON rows_x FOR EACH ROW EXECUTE FUNCTION seg_label_trigger('x', 'seg',"
                  " 'a', 'version_column=ver')")
        s = connect(db)
        sc = s.cursor()
        sc.execute("INSERT INTO rows_x VALUES (20) RETURNING seg, ver")  # caches v1's TID
        before = sc.fetchone()
        k.execute("SELECT seg_activate('x', 2)")  # v1 and v2 get new row versions
        k.execute("VACUUM FULL seg_models")  # v3 (the old xmin) moves to the first slot
        sc.execute("INSERT INTO rows_x VALUES (20) RETURNING seg, ver")
        after = sc.fetchone()
        checks.check(before == (1, 1), "version 1 labels the row %s" % (before,))
        checks.hole(after == (0, 2), "after the rewrite the session labels with version 2 "
                    "(segment, version: %s)" % (after,), 4)
        s.close()
        c0.close()
    finally:
        admin.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)
        admin.close()


def one_call_snapshot(checks, cur):
    """Inside one PL/pgSQL call, seg_assign(name, ...) and seg_assign(seg_model(name), ...)
    must follow one rule while another session activates a new version."""
    checks.attack("re-activation by another session in the middle of one PL/pgSQL call")
    cur.execute("""
        SELECT seg_save('snap', kmeans_fit(%s, 5)) FROM mall_customers;
        SELECT seg_save('snap', kmeans_fit(%s, 1), false) FROM mall_customers;
        CREATE TABLE snap_result(by_name int, by_model int);
        CREATE FUNCTION snap_probe() RETURNS void LANGUAGE plpgsql AS $$
        DECLARE p float8[] := ARRAY[60, 120, 90]; r int; m int;
        BEGIN
            FOR i IN 1 .. 2 LOOP  -- the same call site twice, the activation in between
                IF i = 2 THEN PERFORM pg_sleep(1.5); END IF;
                r := seg_assign('snap', p);
                m := seg_assign(seg_model('snap'), p);
            END LOOP;
            INSERT INTO snap_result VALUES (r, m);
        END $$;
    """ % (FEATS, FEATS))
    probe = connect(DB)
    t = threading.Thread(target=lambda: probe.cursor().execute("SELECT snap_probe()"))
    t.start()
    time.sleep(0.5)
    cur.execute("SELECT seg_activate('snap', 2)")
    t.join()
    probe.close()
    by_name, by_model = rows(cur, "SELECT by_name, by_model FROM snap_result")[0]
    checks.hole(by_name == by_model, "one snapshot rule for both forms (by name %s, by model %s)"
                % (by_name, by_model), 6)


def concurrent_writers(checks, cur):
    """Writers label rows while the model is retrained and re-activated: no row lost."""
    checks.attack("concurrent writers during training and re-activation")
    cur.execute("""
        SELECT seg_save('cw', kmeans_fit(%s, 4)) FROM mall_customers;
        CREATE TABLE cw_rows(id bigserial PRIMARY KEY, writer int, n int, age float8,
                             annual_income float8, spending_score float8, seg int, ver int);
        CREATE TRIGGER l BEFORE INSERT ON cw_rows FOR EACH ROW EXECUTE FUNCTION
            seg_label_trigger('cw', 'seg', 'age', 'annual_income', 'spending_score',
                              'version_column=ver');
    """ % FEATS)
    stop = threading.Event()
    errors, sent = [], {}

    def writer(w):
        c = connect(DB)
        k = c.cursor()
        rnd = random.Random(w)
        n = 0
        while not stop.is_set() and n < 400:
            try:
                k.execute("INSERT INTO cw_rows(writer, n, age, annual_income, spending_score) "
                          "VALUES (%s, %s, %s, %s, %s)",
                          (w, n, rnd.uniform(18, 70), rnd.uniform(15, 140), rnd.uniform(1, 99)))
                n += 1
            except psycopg2.Error as e:
                errors.append(str(e))
                break
        sent[w] = n
        c.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    trainer = connect(DB)
    tc = trainer.cursor()
    versions = 0
    deadline = time.monotonic() + 30
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
        e = error_of(tc, "SELECT seg_train('cw', 'mall_customers', ARRAY['age', 'annual_income',"
                         " 'spending_score'], 2 + %d %% 4, '{\"n_init\": 2}')" % versions)
        if e is not None:
            errors.append(str(e))
            break
        versions += 1
        tc.execute("SELECT seg_activate('cw', 1 + %d %% 3)" % versions)
    stop.set()
    for t in threads:
        t.join()
    trainer.close()
    stored = scalar(cur, "SELECT count(*) FROM cw_rows")
    lost = sum(sent.values()) - stored
    checks.rows_lost += max(lost, 0)
    checks.check(not errors, "writers and trainer ran without errors (%s)" % errors[:2])
    checks.check(lost == 0, "%d rows written during %d retrainings, %d lost"
                 % (sum(sent.values()), versions, lost))
    wrong = scalar(cur, """SELECT count(*) FROM cw_rows r JOIN seg_models m
                           ON m.name = 'cw' AND m.version = r.ver
                           WHERE r.seg IS DISTINCT FROM seg_assign(m.model,
                                 ARRAY[r.age, r.annual_income, r.spending_score])""")
    orphans = scalar(cur, "SELECT count(*) FROM cw_rows r WHERE NOT EXISTS (SELECT 1 FROM "
                          "seg_models m WHERE m.name = 'cw' AND m.version = r.ver)")
    checks.check(wrong == 0 and orphans == 0,
                 "every row labelled by the version it records (%d wrong, %d unknown versions)"
                 % (wrong, orphans))


def extreme_values(checks, cur):
    """1e308, denormals and -0.0 through fit, assign, trigger, scalers and scores."""
    checks.attack("extreme values: 1e308, 5e-324, -0.0 everywhere")
    values = ["1e308", "-1e308", "1.7976931348623157e308", "5e-324", "-5e-324", "-0.0", "0",
              "2.2250738585072014e-308", "1e200", "-1e154"]
    cur.execute("CREATE TABLE ev(id serial, a float8, b float8, lbl int)")
    rnd = random.Random(5)
    for i in range(120):
        cur.execute("INSERT INTO ev(a, b, lbl) VALUES (%s::float8, %s::float8, %s)" % (
            lit(rnd.choice(values)) if rnd.random() < 0.4 else str(rnd.gauss(0, 10)),
            lit(rnd.choice(values)) if rnd.random() < 0.2 else str(rnd.gauss(5, 3)), i % 3))
    bad = []
    stmts = [
        "SELECT kmeans_fit(ARRAY[a, b], 3) FROM ev",
        "SELECT kmeans_fit(ARRAY[a, b], 2, '{\"scale\": \"robust\"}') FROM ev",
        "SELECT kmeans_fit(ARRAY[a, b], 2, '{\"scale\": \"none\"}') FROM ev",
        "SELECT kmeans_fit(ARRAY[a, b], 2, '{\"scale\": \"minmax\"}') FROM ev",
        "SELECT kmeans_fit(ARRAY[a, b], 2, '{\"missing\": \"impute\"}') FROM ev",
        "SELECT scaler_fit(ARRAY[a, b], m) FROM ev, unnest(ARRAY['standard', 'minmax', 'robust', "
        "'none']) m GROUP BY m",
        "SELECT silhouette(ARRAY[a, b], lbl) FROM ev",
        "SELECT davies_bouldin(ARRAY[a, b], lbl) FROM ev",
        "SELECT calinski_harabasz(ARRAY[a, b], lbl) FROM ev",
        "SELECT kmeans_sweep(ARRAY[a, b], 2, 3) FROM ev",
    ]
    for v in values:
        stmts.append("SELECT seg_assign(m, ARRAY[%s, %s]::float8[]), seg_distance(m, ARRAY[%s, "
                     "%s]::float8[]), seg_scale(m, ARRAY[%s, 1]::float8[]) FROM (SELECT "
                     "kmeans_fit(ARRAY[age, annual_income], 4) m FROM mall_customers) q"
                     % (lit(v), lit(v), lit(v), lit(v), lit(v)))
        stmts.append("SELECT seg_drift(m, ARRAY[%s, annual_income]::float8[]) FROM "
                     "mall_customers, (SELECT kmeans_fit(ARRAY[age, annual_income], 4) m FROM "
                     "mall_customers) q GROUP BY m::text" % lit(v))
    for q in stmts:
        c = code_of(cur, q)
        if c.startswith("XX") or c == "?????":
            bad.append("%s -> %s" % (q[:90], c))
    checks.check(not bad, "%d statements over extreme values: no internal error %s"
                 % (len(stmts), bad))
    same = scalar(cur, "SELECT seg_assign(m, ARRAY[-0.0, 50]::float8[]) = seg_assign(m, "
                       "ARRAY[0.0, 50]::float8[]) FROM (SELECT kmeans_fit(ARRAY[age, "
                       "annual_income], 4) m FROM mall_customers) q")
    checks.check(same is True, "-0.0 and 0.0 get the same label")
    tiny = scalar(cur, "SELECT seg_assign(kmeans_fit(ARRAY[x], 2), ARRAY[5e-324]::float8[]) IS "
                       "NOT NULL FROM (VALUES (5e-324::float8), (0), (1e-310), (-5e-324)) v(x)")
    checks.check(tiny is True, "denormal-only data fits and labels")


def lit(s):
    return "'" + s.replace("'", "''") + "'"


HOSTILE_TEXTS = ["</script><script>alert(1)</script>", "\"><svg onload=alert(1)>", "]]>",
                 "\x01\x02\x1f", "<!--", "' onmouseover='x", "&amp;&#x3C;"]


class MarkupFinder(html.parser.HTMLParser):
    """Collects the start tags and the event-handler and URL attributes of a page."""

    def __init__(self):
        super().__init__()
        self.tags, self.active = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            if k.startswith("on") or k in ("href", "src", "xlink:href", "action") or \
                    (k == "http-equiv" and (v or "").lower() == "refresh"):
                self.active.append((tag, k))


def inert(page, svg):
    """'' when the page parses with no script, event handler, link or redirect (and, for an
    SVG, as XML); else what is wrong."""
    p = MarkupFinder()
    p.feed(page)
    bad = []
    if "script" in p.tags or "foreignobject" in p.tags:
        bad.append("tags %s" % sorted(p.tags & {"script", "foreignobject"}))
    if p.active:
        bad.append("attributes %s" % p.active[:3])
    if svg:
        try:
            xml.etree.ElementTree.fromstring(page)
        except xml.etree.ElementTree.ParseError as e:
            bad.append("not XML: %s" % e)
    return "; ".join(bad)


def hostile_charts(checks, cur):
    """Feature names, category values and table names made of markup in every chart and the
    report; chart markup handed to seg_report_page; wide rows and big ids against the budget."""
    checks.attack("hostile names in every chart and the report, parsed by html.parser and XML")
    names = json.dumps({"feature_names": HOSTILE_TEXTS[:3]})
    col = '"' + HOSTILE_TEXTS[0].replace('"', '""') + '"'
    cur.execute("CREATE TABLE adv_chart AS SELECT age::float8 AS " + col + ", annual_income::float8"
                " AS b, spending_score::float8 AS c, (%s::text[])[1 + customer_id %% 3] AS cat "
                "FROM mall_customers", (HOSTILE_TEXTS[3:6],))
    feats = "ARRAY[%s, b, c]" % col
    bad = []
    for kind, fit in (("kmeans", "kmeans_fit(%s, 3, %%s)" % feats),
                      ("hierarchical", "hclust_fit(%s, 3, %%s)" % feats),
                      ("gmm", "gmm_fit(%s, 3, %%s)" % feats),
                      ("kprototypes", "kprototypes_fit(%s, ARRAY[cat], 3, %%s)" % feats)):
        m = scalar(cur, "SELECT %s::text FROM adv_chart" % fit, (names,))
        charts = [("profile", "SELECT seg_profile_chart(%s::segmodel)")]
        if kind == "hierarchical":
            charts.append(("dendrogram", "SELECT seg_dendrogram_chart(%s::segmodel)"))
        if kind != "kprototypes":
            charts += [("silhouette", "SELECT seg_silhouette_chart(%%s::segmodel, %s) "
                                      "FROM adv_chart" % feats),
                       ("map", "SELECT seg_map_chart(%%s::segmodel, %s) FROM adv_chart" % feats)]
        for name, q in charts:
            why = inert(scalar(cur, q, (m,)), True)
            if why:
                bad.append("%s %s: %s" % (kind, name, why))
        page = scalar(cur, "SELECT seg_report(%%s::segmodel, 'adv_chart', ARRAY[%s, 'b', 'c'%s])"
                      % (lit(HOSTILE_TEXTS[0]), ", 'cat'" if kind == "kprototypes" else ""), (m,))
        why = inert(page, False)
        if why:
            bad.append("%s report: %s" % (kind, why))
    checks.check(not bad, "every chart and report page is inert and well-formed %s" % bad)

    checks.attack("seg_report_page handed markup that only starts like a chart")
    prologue = '<svg xmlns="http://www.w3.org/2000/svg" '
    payloads = [prologue + 'width="1"></svg><script>alert(1)</script>',
                prologue + 'onload="alert(1)"></svg>',
                prologue + '><foreignObject><meta http-equiv="refresh" content="0;url=https://e.x"/>'
                           '</foreignObject></svg>',
                prologue + '><a href="https://e.x"><text>x</text></a></svg>',
                prologue + '><rect fill="url(https://e.x/t.svg)"/></svg>',
                prologue + '><text>]]></text></svg>', prologue + '><!-- x --></svg>']
    m = scalar(cur, "SELECT kmeans_fit(%s, 3)::text FROM mall_customers" % FEATS)
    codes = [code_of(cur, "SELECT seg_report_page(%s::segmodel, 't', ARRAY['a'], %s, %s)",
                     (m, p, None) if i % 2 else (m, None, p)) for i, p in enumerate(payloads)]
    checks.check(codes == ["22023"] * len(payloads),
                 "seg_report_page refuses every payload with 22023 (got %s)" % codes)

    checks.attack("wide rows and big ids against customer_seg.max_memory")
    cur.execute("SET customer_seg.max_memory = '64MB'")
    cur.execute("CREATE TABLE adv_wide AS SELECT i, ARRAY(SELECT ((i * 7919 + j * 104729) % 1009)"
                "::float8 FROM generate_series(1, 10000) j) AS v FROM generate_series(1, 50) i")
    c = code_of(cur, "SELECT kmeans_fit(v, 2, '{\"n_init\": 1}') FROM adv_wide")
    checks.check(c == "ok", "50 rows of 10,000 features fit in 64 MB (got %s; the row buffer "
                            "reserved 78 MB and the projection a 10,000 x 10,000 matrix)" % c)
    cur.execute("SET customer_seg.max_memory = '2MB'")
    c = code_of(cur, "SELECT silhouette_values(repeat('x', 100000) || i, ARRAY[i, i % 7]::float8[], "
                     "i % 3) FROM generate_series(1, 200) i")
    checks.check(c == "53200", "200 ids of 100 kB are refused in a 2 MB budget (got %s)" % c)
    cur.execute("RESET customer_seg.max_memory")


def privilege_and_resources(checks, cur):
    """Privilege detours and resource settings an ordinary role should not get around."""
    checks.attack("SECURITY DEFINER detour into a role's own labelling statement")
    cur.execute("""
        CREATE TABLE pr_rows(age float8, annual_income float8, spending_score float8, seg int);
        CREATE TRIGGER l BEFORE INSERT ON pr_rows FOR EACH ROW EXECUTE FUNCTION
            seg_label_trigger('adv', 'seg', 'age', 'annual_income', 'spending_score');
        GRANT INSERT, SELECT ON pr_rows TO adv_writer;
        CREATE FUNCTION pr_definer_insert() RETURNS int LANGUAGE sql SECURITY DEFINER
            SET search_path = pg_catalog, public
            AS $$ INSERT INTO public.pr_rows VALUES (1, 2, 3) RETURNING 1 $$;
        GRANT EXECUTE ON FUNCTION pr_definer_insert() TO adv_writer;
    """)
    w = role_conn("adv_writer")
    wc = w.cursor()
    own = code_of(wc, "INSERT INTO pr_rows VALUES (30, 60, 50)")
    detour = code_of(wc, "INSERT INTO pr_rows SELECT 30, 60, 50 FROM (SELECT "
                         "pr_definer_insert()) d")
    labelled = scalar(cur, "SELECT count(*) FROM pr_rows WHERE age = 30 AND seg IS NOT NULL")
    checks.check(own == "42501", "a role without SELECT on seg_models cannot label (%s)" % own)
    checks.hole(detour == "42501" and labelled == 0,
                "nor through a SECURITY DEFINER insert in its own statement (%s, %d labelled)"
                % (detour, labelled), 5)

    checks.attack("resource settings an ordinary role should not raise")
    wc.execute("SELECT seg_scale((SELECT model FROM adv_model), ARRAY[1, 2, 3]::float8[])")
    top = scalar(wc, "SELECT max_val FROM pg_settings WHERE name = 'customer_seg.max_memory'")
    settings = [("customer_seg.fit_threads", "64"), ("customer_seg.max_memory", top)]
    for name, value in settings:
        e = code_of(wc, "SET %s = %s" % (name, value))
        shown = scalar(wc, "SELECT current_setting(%s)", (name,)) if e == "ok" else None
        checks.hole(e != "ok" or shown in ("1", "64MB", "256MB", "1GB"),
                    "an ordinary role cannot SET %s = %s (%s, now %s)" % (name, value, e, shown), 7)
    w.close()

    checks.attack("deep and huge JSON in options and models")
    for q in ["SELECT kmeans_fit(ARRAY[age], 2, (repeat('[', 100000) || repeat(']', 100000)"
              ")::jsonb) FROM mall_customers",
              "SELECT (repeat('{\"a\":', 200000) || '1' || repeat('}', 200000))::segmodel",
              "SELECT kmeans_fit(ARRAY[age], 2, jsonb_build_object('feature_names', "
              "(SELECT jsonb_agg(repeat('x', 10000)) FROM generate_series(1, 1000)))) FROM "
              "mall_customers"]:
        c = code_of(cur, q)
        checks.check(c != "ok" and not c.startswith("XX"), "deep/huge JSON: a clear error (%s)" % c)

    checks.attack("create-fire-drop of a label trigger 300 times in one session")
    s = connect(DB)
    sc = s.cursor()
    sc.execute("CREATE TABLE leak_rows(age float8, annual_income float8, spending_score float8, "
               "seg int)")
    counts = []
    for cycles in (100, 200):
        for _ in range(cycles):
            sc.execute("CREATE TRIGGER l BEFORE INSERT ON leak_rows FOR EACH ROW EXECUTE "
                       "FUNCTION seg_label_trigger('adv', 'seg', 'age', 'annual_income', "
                       "'spending_score'); INSERT INTO leak_rows VALUES (30, 60, 50); "
                       "DROP TRIGGER l ON leak_rows")
        # One context per trigger state (its child "... casts" and the table of states,
        # "customer_seg label triggers", are not counted).
        counts.append(scalar(sc, "SELECT count(*) FROM pg_backend_memory_contexts "
                                 "WHERE name = 'customer_seg label trigger'"))
    s.close()
    left = counts[-1]
    # The last dropped trigger's state is freed at the next firing; what matters is that the
    # contexts do not grow with the cycles (before the fix: one per cycle).
    checks.hole(left <= 1 and counts[1] <= counts[0],
                "no trigger memory context left behind (%s after 100 and 300 cycles)" % counts,
                8)


def main():
    checks = AttackChecks()
    with fresh_database(DB, load=("mall",)):
        conn = connect(DB)
        cur = conn.cursor()
        cur.execute("SET client_min_messages = warning")
        setup(cur)
        cur.execute("CREATE TABLE adv_orders(c int, at timestamptz, amount numeric);"
                    "INSERT INTO adv_orders VALUES (1, '2011-01-01', 3), (2, '2011-06-01', 5)")
        cur.execute("GRANT SELECT ON adv_orders TO PUBLIC")
        for attack in (unprivileged_calls, hostile_search_path, trigger_targets, copy_flipped,
                       extreme_values, hostile_charts, long_lived_sessions, one_call_snapshot,
                       concurrent_writers,
                       privilege_and_resources, dump_restore):
            try:
                attack(checks, cur)
            except psycopg2.Error as e:
                checks.check(False, "%s raised %s %s" % (attack.__name__, e.pgcode, e))
                conn.close()
                conn = connect(DB)
                cur = conn.cursor()
        conn.close()
    admin = connect("postgres")
    for r in ROLES:
        admin.cursor().execute("DROP ROLE IF EXISTS %s" % r)
    admin.close()
    print("attacks tried: %d; rows lost: %d; expected failures (open items of issue 11): %d; "
          "fixed since (XPASS): %d" % (checks.attacks, checks.rows_lost, checks.xfail,
                                       checks.xpass))
    checks.finish()


if __name__ == "__main__":
    main()
