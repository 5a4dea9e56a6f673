"""Never let anyone in: identifiers cannot inject SQL, functions run with the caller's rights,
a pinned search_path defeats hijacking, and row-level security on seg_models limits a role to
the models it was granted.

(The catalog-wide checks -- no SECURITY DEFINER, search_path pinned on every SQL/PL/pgSQL
function, no PUBLIC grants on extension tables -- are in sql/security.sql; the registry's
table-level grants in sql/registry.sql.)
Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_security.py
"""
import psycopg2
import psycopg2.errors

from dbtest import Checks, connect, fresh_database

EVIL_X = 'x"; DROP TABLE canary; --'
EVIL_Y = "y'); DROP TABLE canary; --"
EVIL_SEG = 'seg"; DELETE FROM canary; --'
EVIL_TABLE = 's"; DROP TABLE canary; --'
# Every extension function that takes a table (regclass) or column names, with a call that
# reads `source` through the columns `features` (a text[] parameter). A function with a
# regclass argument missing from this list fails the test: add it here.
NAME_TAKING = {
    "seg_train(text,regclass,text[],integer,jsonb)":
        "SELECT seg_train('t_' || md5(random()::text), %(source)s, %(features)s, 2)",
    "seg_sweep(regclass,text[],integer,integer,jsonb)":
        "SELECT count(*) FROM seg_sweep(%(source)s, %(features)s, 2, 3)",
    # seg_rfm reads three columns: customer = the first feature, amount = the last, and the
    # order time from the column "at" that every source table below has.
    "seg_rfm(regclass,text,text,text,timestamp with time zone,text)":
        "SELECT count(*) FROM seg_rfm(%(source)s, (%(features)s)[1], 'at', "
        "(%(features)s)[pg_catalog.array_length(%(features)s, 1)], now())",
}
# Functions that take a table but read only the catalogs (never its rows or column names):
# an injection-shaped table name must be looked up as a name, a subquery refused.
CATALOG_ONLY = {
    "seg_stream_sources(regclass)": "SELECT count(*) FROM seg_stream_sources(%(source)s)",
    "seg_train_engine(regclass,integer)": "SELECT seg_train_engine(%(source)s, 2)",
    "seg_feature_columns(text,regclass,text[],text)":
        "SELECT seg_feature_columns('t', %(source)s, ARRAY['a'])",
    "seg_require_relation(regclass,text)": "SELECT seg_require_relation(%(source)s, 't')",
}
NAME_TAKING["kmeans_stream_fit(regclass,text[],integer,jsonb)"] = (
    "SELECT kmeans_stream_fit(%(source)s, %(features)s, 2)")
NAME_TAKING["seg_stream_run(regclass,text[],integer,jsonb)"] = (
    "SELECT seg_stream_run(%(source)s, %(features)s, 2, '{}')")
NAME_TAKING["seg_compare(regclass,text[],integer,integer,jsonb)"] = (
    "SELECT count(*) FROM seg_compare(%(source)s, %(features)s, 2, 2)")
# seg_report reads the source's rows with a model of as many features, fitted here on
# generated rows (every name schema-qualified: the hostile search_path test runs it too).
NAME_TAKING["seg_report(segmodel,regclass,text[])"] = (
    "SELECT pg_catalog.length(seg_report((SELECT public.kmeans_fit(ARRAY(SELECT ((g * j) %% 7)"
    "::float8 FROM pg_catalog.generate_series(1, pg_catalog.cardinality(%(features)s)) j), 2) "
    "FROM pg_catalog.generate_series(1, 20) g), %(source)s, %(features)s))")
# Every trigger function of the extension: the label trigger users attach, and the guard on
# seg_models that keeps saved versions immutable for roles other than the table's owner
# (immutable_versions below). A trigger function missing here fails the test: add it.
TRIGGER_FUNCTIONS = {"seg_label_trigger()", "seg_models_guard()"}
# The order time column of every source table (seg_rfm needs one).
AT = "at timestamptz DEFAULT '2011-06-01'"
ROLES = ("it_sec_trainer", "it_sec_writer", "it_sec_hijacker", "it_sec_team_a", "it_sec_team_b")


def error_of(cur, sql, args=None):
    """Runs sql (its own transaction: the connection autocommits); returns the psycopg2
    error, or None when it succeeded."""
    try:
        cur.execute(sql, args)
        return None
    except psycopg2.Error as e:
        return e


def scalar(cur, sql, args=None):
    """The single value a query returns."""
    cur.execute(sql, args)
    return cur.fetchone()[0]


def canary_alive(cur):
    """True while the canary table still exists with its one row."""
    return scalar(cur, "SELECT to_regclass('canary') IS NOT NULL") and \
        scalar(cur, "SELECT count(*) FROM canary") == 1


def injection(checks, cur):
    """Column and table names that try to break out of their quotes stay names."""
    cur.execute("CREATE TABLE canary (id int); INSERT INTO canary VALUES (1)")
    cur.execute(f'CREATE TABLE evil_src ("{EVIL_X.replace(chr(34), 2 * chr(34))}" float8, '
                f'"{EVIL_Y}" float8, z float8, {AT})')
    cur.execute("INSERT INTO evil_src SELECT age, annual_income, spending_score "
                "FROM mall_customers")
    version = scalar(cur, "SELECT seg_train('inj', 'evil_src', %s, 3)", ([EVIL_X, EVIL_Y],))
    checks.check(version == 1, "seg_train on columns named like SQL injections works")
    names = scalar(cur, "SELECT (seg_model('inj')::jsonb)->'feature_names'")
    checks.check(names == [EVIL_X, EVIL_Y], f"the model keeps the names verbatim: {names}")
    checks.check(scalar(cur, "SELECT (seg_model('inj')::jsonb)->>'n_rows'") == "200",
                 "it read the 200 rows of those columns")
    checks.check(canary_alive(cur), "canary table untouched by column names")

    cur.execute(f'CREATE TABLE "{EVIL_TABLE.replace(chr(34), 2 * chr(34))}" AS '
                "SELECT age::float8 AS a, timestamptz '2011-06-01' AS at FROM mall_customers")
    quoted = '"' + EVIL_TABLE.replace('"', '""') + '"'
    version = scalar(cur, "SELECT seg_train('inj_table', %s::regclass, ARRAY['a'], 2)", (quoted,))
    checks.check(version == 1 and canary_alive(cur), "a table named like an injection is just a table")
    trained_on = scalar(cur, "SELECT trained_on FROM seg_models WHERE name = 'inj_table'")
    checks.check(trained_on == "public." + quoted,
                 f"trained_on records the qualified, quoted name: {trained_on}")

    for fn, call in CATALOG_ONLY.items():
        name = fn.split("(")[0]
        err = error_of(cur, call, {"source": quoted})
        checks.check(err is None and canary_alive(cur),
                     f"{name}: a table named like an injection is a table ({err})")
        err = error_of(cur, call, {"source": "(SELECT 1) x"})
        checks.check(err is not None and err.pgcode in ("42P01", "42602", "22P02"),
                     f"{name}: a subquery as source is rejected ({err.pgcode if err else None})")
        checks.check(canary_alive(cur), f"{name}: canary table still there")

    for fn, call in NAME_TAKING.items():
        name = fn.split("(")[0]
        err = error_of(cur, call, {"source": "evil_src", "features": [EVIL_X, EVIL_Y]})
        checks.check(err is None and canary_alive(cur),
                     f"{name}: columns named like injections are read as columns ({err})")
        err = error_of(cur, call, {"source": quoted, "features": ["a"]})
        checks.check(err is None and canary_alive(cur),
                     f"{name}: a table named like an injection is a table ({err})")
        # Names that are expressions are not evaluated: they are (missing) columns.
        for expr in ("z + 1", "(SELECT 1)", "z) FROM canary; --", "*"):
            err = error_of(cur, call, {"source": "evil_src", "features": [expr]})
            checks.check(isinstance(err, psycopg2.errors.UndefinedColumn),
                         f"{name}: feature name {expr!r} is a column that does not exist "
                         f"({type(err).__name__})")
        # A source that is not a relation name cannot become a subquery.
        err = error_of(cur, call, {"source": "(SELECT 1) x", "features": ["a"]})
        checks.check(err is not None and err.pgcode in ("42P01", "42602", "22P02"),
                     f"{name}: a subquery as source is rejected ({err.pgcode if err else None})")
        checks.check(canary_alive(cur), f"{name}: canary table still there")

    # The label trigger takes column names as arguments; they are looked up, never spliced.
    cur.execute(f'CREATE TABLE evil_labels (id int, "{EVIL_SEG.replace(chr(34), 2 * chr(34))}" int, '
                f'"{EVIL_X.replace(chr(34), 2 * chr(34))}" float8, "{EVIL_Y}" float8)')
    cur.execute("CREATE TRIGGER label BEFORE INSERT ON evil_labels FOR EACH ROW "
                "EXECUTE FUNCTION seg_label_trigger(%s, %s, %s, %s)",
                ("inj", EVIL_SEG, EVIL_X, EVIL_Y))
    cur.execute("INSERT INTO evil_labels (id, {}, {}) VALUES (1, 30, 60)".format(
        '"' + EVIL_X.replace('"', '""') + '"', '"' + EVIL_Y + '"'))
    seg = scalar(cur, 'SELECT {} FROM evil_labels'.format('"' + EVIL_SEG.replace('"', '""') + '"'))
    expected = scalar(cur, "SELECT seg_assign(seg_model('inj'), ARRAY[30, 60]::float8[])")
    checks.check(seg == expected, f"trigger labels through oddly named columns ({seg} = {expected})")
    checks.check(canary_alive(cur), "canary table survives the trigger")


def callers_rights(checks, cur):
    """seg_train, seg_assign(name) and the trigger read with the caller's privileges."""
    cur.execute(f"CREATE TABLE secret (a float8, b float8, {AT})")
    cur.execute("INSERT INTO secret SELECT age, spending_score FROM mall_customers")
    cur.execute("GRANT SELECT, INSERT, UPDATE ON seg_models TO it_sec_trainer")
    models_before = scalar(cur, "SELECT count(*) FROM public.seg_models")
    for fn, call in NAME_TAKING.items():
        name = fn.split("(")[0]
        cur.execute("SET ROLE it_sec_trainer")
        err = error_of(cur, call, {"source": "secret", "features": ["a", "b"]})
        cur.execute("RESET ROLE")
        checks.check(isinstance(err, psycopg2.errors.InsufficientPrivilege),
                     f"{name}: no SELECT on the table, denied ({type(err).__name__})")
    checks.check(scalar(cur, "SELECT count(*) FROM public.seg_models") == models_before,
                 "and nothing was saved")

    # Column privileges are honoured too: granted columns are read, others are not.
    cur.execute("GRANT SELECT (a, at) ON secret TO it_sec_trainer")
    for fn, call in NAME_TAKING.items():
        name = fn.split("(")[0]
        cur.execute("SET ROLE it_sec_trainer")
        ok = error_of(cur, call, {"source": "secret", "features": ["a"]})
        err = error_of(cur, call, {"source": "secret", "features": ["a", "b"]})
        cur.execute("RESET ROLE")
        checks.check(ok is None, f"{name}: SELECT on column a, reading a works ({ok})")
        checks.check(isinstance(err, psycopg2.errors.InsufficientPrivilege),
                     f"{name}: no SELECT on column b, reading b is denied ({type(err).__name__})")

    # A role may write a labelled table yet not read the registry: the trigger refuses.
    cur.execute("CREATE TABLE labelled (id int, seg int, a float8, b float8)")
    cur.execute("CREATE TRIGGER label BEFORE INSERT ON labelled FOR EACH ROW "
                "EXECUTE FUNCTION seg_label_trigger('col_a_ab', 'seg', 'a', 'b')")
    cur.execute("SELECT seg_train('col_a_ab', 'secret', ARRAY['a', 'b'], 2)")
    cur.execute("GRANT INSERT ON labelled TO it_sec_writer")
    cur.execute("SET ROLE it_sec_writer")
    err = error_of(cur, "INSERT INTO labelled VALUES (1, NULL, 30, 50)")
    err2 = error_of(cur, "SELECT seg_assign('col_a_ab', ARRAY[30, 50]::float8[])")
    cur.execute("RESET ROLE")
    checks.check(isinstance(err, psycopg2.errors.InsufficientPrivilege),
                 f"trigger without SELECT on seg_models is denied ({type(err).__name__})")
    checks.check(isinstance(err2, psycopg2.errors.InsufficientPrivilege),
                 f"seg_assign(name) without SELECT on seg_models is denied "
                 f"({type(err2).__name__})")
    cur.execute("GRANT SELECT ON seg_models TO it_sec_writer")
    cur.execute("SET ROLE it_sec_writer")
    err = error_of(cur, "INSERT INTO labelled VALUES (1, NULL, 30, 50)")
    cur.execute("RESET ROLE")
    checks.check(err is None and scalar(cur, "SELECT seg FROM labelled WHERE id = 1") is not None,
                 f"with SELECT on seg_models the trigger labels the row ({err})")


def row_level_security(checks, cur):
    """Row-level security on the source: seg_train (both engines), kmeans_stream_fit,
    seg_sweep, seg_compare and seg_rfm fit on the rows the policy shows the caller, and a
    role the policy shows nothing gets no model."""
    cur.execute(f"CREATE TABLE guarded (id int, a float8, b float8, owner text, {AT})")
    cur.execute("INSERT INTO guarded (id, a, b, owner) SELECT customer_id, age, spending_score, "
                "CASE WHEN customer_id % 4 = 0 THEN 'it_sec_trainer' ELSE 'someone' END "
                "FROM mall_customers")
    cur.execute("ALTER TABLE guarded ENABLE ROW LEVEL SECURITY")
    cur.execute("CREATE POLICY own_rows ON guarded USING (owner = current_user)")
    cur.execute("GRANT SELECT ON guarded TO it_sec_trainer, it_sec_writer")
    cur.execute("GRANT SELECT, INSERT, UPDATE ON seg_models TO it_sec_writer")
    features = "ARRAY['a', 'b']"
    # (what, a statement that fits, a query of the rows the fit counted)
    reads = [
        ("seg_train memory",
         f"SELECT seg_train('it_sec_rls_m', 'guarded', {features}, 2, '{{\"engine\": \"memory\"}}')",
         "SELECT (seg_model('it_sec_rls_m')::jsonb)->>'n_rows'"),
        ("seg_train stream",
         f"SELECT seg_train('it_sec_rls_s', 'guarded', {features}, 2, '{{\"engine\": \"stream\"}}')",
         "SELECT (seg_model('it_sec_rls_s')::jsonb)->>'n_rows'"),
        ("kmeans_stream_fit", None,
         f"SELECT (kmeans_stream_fit('guarded', {features}, 2)::jsonb)->>'n_rows'"),
        ("seg_sweep", None,
         f"SELECT string_agg(DISTINCT (model::jsonb)->>'n_rows', ',') "
         f"FROM seg_sweep('guarded', {features}, 2, 3)"),
        ("seg_compare", None,
         f"SELECT string_agg(DISTINCT (model::jsonb)->>'n_rows', ',') "
         f"FROM seg_compare('guarded', {features}, 2, 2) WHERE algorithm = 'kmeans'"),
        ("seg_rfm", None, "SELECT count(*)::text FROM seg_rfm('guarded', 'id', 'at', 'b', now())"),
    ]
    for what, fit, count in reads:
        cur.execute("SET ROLE it_sec_trainer")
        err = (fit and error_of(cur, fit)) or error_of(cur, count)
        rows = None if err else cur.fetchone()[0]
        cur.execute("RESET ROLE")
        checks.check(err is None and rows == "50",
                     f"{what} under row-level security reads the 50 rows the policy shows "
                     f"({rows}, {err})")
    cur.execute("SET ROLE it_sec_writer")
    err = error_of(cur, f"SELECT seg_train('it_sec_rls_none', 'guarded', {features}, 2)")
    cur.execute("RESET ROLE")
    checks.check(isinstance(err, psycopg2.errors.NoDataFound),
                 f"a role the policy shows no row gets no model ({type(err).__name__})")
    checks.check(scalar(cur, "SELECT (seg_model('it_sec_rls_m')::jsonb)->>'n_rows'") == "50",
                 "the saved model is the 50-row one, also for the table's owner")
    cur.execute("REVOKE INSERT, UPDATE ON seg_models FROM it_sec_writer")
    cur.execute("DROP TABLE guarded")


def pinned_search_path(checks, cur):
    """Look-alike functions and tables earlier in the caller's search_path are never used."""
    cur.execute("CREATE SCHEMA evil AUTHORIZATION it_sec_hijacker")
    cur.execute("GRANT SELECT, INSERT, UPDATE ON seg_models TO it_sec_hijacker")
    cur.execute("GRANT SELECT ON mall_customers, secret TO it_sec_hijacker")
    cur.execute("SET ROLE it_sec_hijacker")
    cur.execute("CREATE TABLE evil.calls (fn text)")
    for fn, args, ret, body in (
            ("cardinality", "anyarray", "int", "0"),
            ("format", "text, text", "text", "'NULL'"),
            ("array_position", "anyarray, anyelement", "int", "NULL"),
            ("quote_ident", "text", "text", "'x'"),
            ("array_length", "anyarray, int", "int", "0"),
            ("lower", "text", "text", "'x'"),
            ("jsonb_typeof", "jsonb", "text", "'object'")):
        cur.execute(f"CREATE FUNCTION evil.{fn}({args}) RETURNS {ret} LANGUAGE plpgsql AS "
                    f"$$ BEGIN INSERT INTO evil.calls VALUES ('{fn}'); RETURN {body}; END $$")
    # Look-alike operators on float8 and text that record their use and answer correctly.
    for name, op, typ, ret in (("f8pl", "+", "float8", "float8"), ("f8mul", "*", "float8", "float8"),
                               ("texteq", "=", "text", "bool"), ("f8lt", "<", "float8", "bool")):
        cur.execute(f"CREATE FUNCTION evil.{name}({typ}, {typ}) RETURNS {ret} LANGUAGE plpgsql AS "
                    f"$$ BEGIN INSERT INTO evil.calls VALUES ('{op}'); "
                    f"RETURN $1 OPERATOR(pg_catalog.{op}) $2; END $$")
        cur.execute(f"CREATE OPERATOR evil.{op} (LEFTARG = {typ}, RIGHTARG = {typ}, "
                    f"FUNCTION = evil.{name})")
    # A temporary table that looks like the registry.
    cur.execute("CREATE TEMP TABLE seg_models (name text, version int, model text, "
                "active boolean, created_by text, trained_on text, created_at timestamptz)")
    cur.execute("SET search_path = evil, pg_temp, public, pg_catalog")
    scalar(cur, "SELECT cardinality(ARRAY[1])")
    scalar(cur, "SELECT 1.5::float8 + 2.5::float8")
    hijack_works = scalar(cur, "SELECT count(*) FROM evil.calls") == 2
    checks.check(hijack_works, "the look-alike functions and operators do capture unqualified "
                               "calls in this session")
    cur.execute("DELETE FROM evil.calls")
    err = error_of(cur, "SELECT seg_train('pinned', 'mall_customers', "
                        "ARRAY['age', 'annual_income'], 3)")
    for call in NAME_TAKING.values():
        err = err or error_of(cur, call, {"source": "secret", "features": ["a"]})
    calls = scalar(cur, "SELECT count(*) FROM evil.calls")
    temp_rows = scalar(cur, "SELECT count(*) FROM pg_temp.seg_models")
    cur.execute("RESET search_path")
    cur.execute("DROP TABLE pg_temp.seg_models")
    cur.execute("RESET ROLE")
    checks.check(err is None,
                 f"{', '.join(f.split('(')[0] for f in NAME_TAKING)} work under a hostile "
                 f"search_path ({err})")
    checks.check(calls == 0, f"no look-alike function was called by the extension ({calls})")
    checks.check(temp_rows == 0, "the temporary seg_models look-alike was not written")
    checks.check(scalar(cur, "SELECT count(*) FROM public.seg_models WHERE name = 'pinned' "
                             "AND active") == 1, "the real registry got the model")


def per_model_grants(checks, cur):
    """Row-level security on seg_models: a role cannot activate, overwrite or read a model
    it was not granted (the recipe docs/robustness.md gives)."""
    cur.execute("SELECT seg_save('it_sec_team_b_churn', "
                "(SELECT kmeans_fit(ARRAY[age, annual_income], 2) FROM mall_customers))")
    cur.execute("SELECT seg_save('it_sec_team_b_churn', "
                "(SELECT kmeans_fit(ARRAY[age, annual_income], 3) FROM mall_customers))")
    cur.execute("GRANT SELECT, INSERT, UPDATE ON seg_models TO it_sec_team_a, it_sec_team_b")
    cur.execute("GRANT SELECT ON mall_customers TO it_sec_team_a, it_sec_team_b")
    cur.execute("ALTER TABLE seg_models ENABLE ROW LEVEL SECURITY")
    cur.execute("CREATE POLICY per_team ON seg_models "
                "USING (starts_with(name, current_user || '_')) "
                "WITH CHECK (starts_with(name, current_user || '_'))")

    def b_state():
        """(active version, number of versions) of team b's model, seen by the owner."""
        cur.execute("SELECT max(version) FILTER (WHERE active), count(*) FROM seg_models "
                    "WHERE name = 'it_sec_team_b_churn'")
        return cur.fetchone()

    before = b_state()
    cur.execute("SET ROLE it_sec_team_a")
    # What team a tries, and the error it must get: invisible rows do not exist for it
    # (42704), rows it may not write violate the policy (42501).
    attempts = {
        "activate": ("SELECT seg_activate('it_sec_team_b_churn', 1)", "42704"),
        "save": ("SELECT seg_save('it_sec_team_b_churn', seg_model('it_sec_team_a_x'))", "42501"),
        "train": ("SELECT seg_train('it_sec_team_b_churn', 'mall_customers', ARRAY['age'], 2)",
                  "42501"),
        "read": ("SELECT seg_model('it_sec_team_b_churn')", "42704"),
        "assign": ("SELECT seg_assign('it_sec_team_b_churn', ARRAY[1, 2]::float8[])", "42704"),
    }
    own = error_of(cur, "SELECT seg_train('it_sec_team_a_x', 'mall_customers', "
                        "ARRAY['age', 'annual_income'], 2)")
    checks.check(own is None, f"team a trains its own model ({own})")
    for what, (sql, code) in attempts.items():
        err = error_of(cur, sql)
        checks.check(err is not None and err.pgcode == code,
                     f"team a cannot {what} team b's model "
                     f"({err.pgcode if err else 'no error'}: {str(err).splitlines()[0] if err else ''})")
    cur.execute("UPDATE seg_models SET active = NOT active WHERE name = 'it_sec_team_b_churn'")
    checks.check(cur.rowcount == 0, "a direct UPDATE of team b's rows touches nothing")
    cur.execute("RESET ROLE")
    checks.check(b_state() == before, f"team b's model is unchanged: active/versions {b_state()}")
    cur.execute("SET ROLE it_sec_team_b")
    err = error_of(cur, "SELECT seg_activate('it_sec_team_b_churn', 1)")
    cur.execute("RESET ROLE")
    checks.check(err is None and b_state()[0] == 1, f"team b itself can roll back ({err})")
    cur.execute("DROP POLICY per_team ON seg_models")
    cur.execute("ALTER TABLE seg_models DISABLE ROW LEVEL SECURITY")


def immutable_versions(checks, cur):
    """A role with the documented trainer grants (SELECT, INSERT, UPDATE on seg_models) cannot
    rewrite another role's saved version nor forge who saved a version and when; it still
    saves, trains and activates. The owner (here a superuser) still writes any value, as a
    restore does."""
    registry = ("SELECT name, version, active, model::text, created_at, created_by, trained_on "
                "FROM seg_models WHERE name = 'it_sec_owned' ORDER BY version")
    cur.execute("SELECT seg_train('it_sec_owned', 'mall_customers', ARRAY['age', 'annual_income'], 3)")
    cur.execute("SELECT seg_save('it_sec_owned', (SELECT kmeans_fit(ARRAY[age, annual_income], 2) "
                "FROM mall_customers), false)")
    cur.execute("GRANT SELECT, INSERT, UPDATE ON seg_models TO it_sec_trainer")
    cur.execute("GRANT SELECT ON mall_customers TO it_sec_trainer")
    cur.execute(registry)
    before = cur.fetchall()
    other = "(SELECT kmeans_fit(ARRAY[annual_income, age], 3) FROM mall_customers)"
    where = "WHERE name = 'it_sec_owned' AND version = 1"
    forgeries = {
        "model": f"UPDATE seg_models SET model = {other} {where}",
        "created_by": f"UPDATE seg_models SET created_by = 'it_sec_trainer' {where}",
        "created_at": f"UPDATE seg_models SET created_at = '2000-01-01' {where}",
        "trained_on": f"UPDATE seg_models SET trained_on = 'public.nothing' {where}",
        "name": f"UPDATE seg_models SET name = 'it_sec_stolen' {where}",
        "version": f"UPDATE seg_models SET version = 99 {where}",
    }
    cur.execute("SET ROLE it_sec_trainer")
    for column, sql in forgeries.items():
        err = error_of(cur, sql)
        checks.check(err is not None and err.pgcode == "42501" and f'column "{column}"' in str(err)
                     and 'only "active" may be updated' in str(err),
                     f"a trainer cannot change {column} of another role's saved version "
                     f"({err.pgcode if err else 'no error'}: "
                     f"{str(err).splitlines()[0] if err else ''})")
    inserts = {
        "created_by": "INSERT INTO seg_models (name, version, model, created_by) "
                      f"VALUES ('it_sec_forged', 1, {other}, current_user || '_not')",
        "created_at": "INSERT INTO seg_models (name, version, model, created_at) "
                      f"VALUES ('it_sec_forged', 1, {other}, '2000-01-01')",
    }
    for column, sql in inserts.items():
        err = error_of(cur, sql)
        checks.check(err is not None and err.pgcode == "42501" and column in str(err),
                     f"a trainer's INSERT cannot forge {column} "
                     f"({err.pgcode if err else 'no error'}: "
                     f"{str(err).splitlines()[0] if err else ''})")
    # What the registry functions do still works for the trainer.
    ok = error_of(cur, "SELECT seg_activate('it_sec_owned', 2)") or \
        error_of(cur, f"UPDATE seg_models SET active = (version = 1) WHERE name = 'it_sec_owned' "
                      f"AND active") or \
        error_of(cur, f"UPDATE seg_models SET active = true {where}") or \
        error_of(cur, "SELECT seg_train('it_sec_owned', 'mall_customers', ARRAY['age', "
                      "'annual_income'], 3)") or \
        error_of(cur, f"SELECT seg_save('it_sec_owned', {other}, false)") or \
        error_of(cur, "SELECT seg_activate('it_sec_owned', 1)") or \
        error_of(cur, f"INSERT INTO seg_models (name, version, model) "
                      f"VALUES ('it_sec_forged', 1, {other})")
    cur.execute("RESET ROLE")
    checks.check(ok is None, f"the trainer still activates, trains, saves and inserts ({ok})")
    cur.execute(registry)
    after = cur.fetchall()
    checks.check([r[:2] + r[3:] for r in after[:2]] == [r[:2] + r[3:] for r in before] and
                 [r[2] for r in after] == [True, False, False, False],
                 "the owner's versions are unchanged but for the active flag the trainer "
                 "switched back to version 1")
    cur.execute("SELECT name, version, trained_on FROM seg_models "
                "WHERE name IN ('it_sec_owned', 'it_sec_forged') AND created_by = 'it_sec_trainer' "
                "ORDER BY name, version")
    checks.check(cur.fetchall() == [("it_sec_forged", 1, None),
                                    ("it_sec_owned", 3, "public.mall_customers"),
                                    ("it_sec_owned", 4, None)],
                 "the trainer's own versions say it saved them; seg_train's says what it read")
    # The owner restores rows as they were (pg_restore's COPY, a data fix's INSERT/UPDATE).
    cur.execute("INSERT INTO seg_models (name, version, model, created_by, created_at, trained_on) "
                f"VALUES ('it_sec_restored', 1, {other}, 'it_sec_gone', '2001-02-03 04:05:06+00', "
                "'public.old_table')")
    cur.execute("UPDATE seg_models SET created_by = 'it_sec_gone', created_at = '2001-02-03 04:05:06+00', "
                "trained_on = 'public.old_table' WHERE name = 'it_sec_forged'")
    cur.execute("SELECT count(*) FROM seg_models WHERE name IN ('it_sec_restored', 'it_sec_forged') "
                "AND created_by = 'it_sec_gone' AND created_at = '2001-02-03 04:05:06+00' "
                "AND trained_on = 'public.old_table'")
    checks.check(cur.fetchone()[0] == 2, "the owner writes created_by, created_at and trained_on "
                                         "as given (INSERT and UPDATE)")
    cur.execute("REVOKE SELECT ON mall_customers FROM it_sec_trainer")


def extension_functions_where(cur, condition):
    """The signatures of the extension's functions p for which the SQL condition holds."""
    cur.execute(f"""
        SELECT p.oid::regprocedure::text
        FROM pg_proc p
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                         AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customer_seg'
        WHERE {condition}""")
    return {r[0] for r in cur.fetchall()}


def completeness(checks, cur):
    """Every extension function with a regclass argument is in NAME_TAKING, every trigger
    function in TRIGGER_FUNCTIONS, and seg_models has its guard trigger."""
    found = extension_functions_where(cur, "'regclass'::regtype = ANY (p.proargtypes)")
    checks.check(found == set(NAME_TAKING) | set(CATALOG_ONLY),
                 f"the functions taking a table are exactly those tested: {sorted(found)}")
    found = extension_functions_where(cur, "p.prorettype = 'trigger'::regtype")
    checks.check(found == TRIGGER_FUNCTIONS,
                 f"the trigger functions are exactly those tested: {sorted(found)}")
    cur.execute("SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgrelid = 'seg_models'::regclass AND NOT tgisinternal")
    checks.check(cur.fetchall() == [("seg_models_guard", "O")],
                 "seg_models has its guard trigger, enabled")


def main():
    checks = Checks()
    admin = connect("postgres")
    acur = admin.cursor()
    for role in ROLES:
        acur.execute(f"DROP ROLE IF EXISTS {role}")
        acur.execute(f"CREATE ROLE {role}")
    try:
        with fresh_database("it_security", load=("mall",)) as db:
            conn = connect(db)
            cur = conn.cursor()
            completeness(checks, cur)
            injection(checks, cur)
            callers_rights(checks, cur)
            row_level_security(checks, cur)
            pinned_search_path(checks, cur)
            per_model_grants(checks, cur)
            immutable_versions(checks, cur)
            conn.close()
    finally:
        for role in ROLES:
            acur.execute(f"DROP ROLE IF EXISTS {role}")
        admin.close()
    checks.finish()


if __name__ == "__main__":
    main()
