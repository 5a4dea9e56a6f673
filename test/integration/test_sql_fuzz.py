"""SQL-level fuzzer: random, well-typed calls of every SQL function of customer_seg.

The functions are found in the catalog (pg_proc members of the extension, through
pg_depend), so a new family of functions is fuzzed without editing this file. Each call gets
random arguments of its declared types: feature arrays with NULL, NaN, +-Infinity, denormals
(5e-324), 1e308, -0.0, empty, 2-D and wrong lengths; k and counts around the edges; option
JSON built from every key the extension knows plus unknown keys, with values of the wrong
types; models from a pool made by every fit aggregate, mutated as text and as binary (COPY
BINARY with flipped bytes); aggregates run over small random tables (sometimes under a forced
parallel plan) with parameters that sometimes change between rows; the label trigger on
random tables. Statements that run long are cancelled by statement_timeout.

Asserts: no backend crash (an idle watcher connection survives, and the server log, when
found, holds no "terminated by signal"), and no SQLSTATE of class XX (internal error): every
failure must be a clear user-facing error. Seeded and reproducible: a failing call is printed
with its number and seed; CSEG_SQLFUZZ_SEED and CSEG_SQLFUZZ_ONLY=<call number> replay it.

Environment: CSEG_SQLFUZZ_SECONDS (default 60), CSEG_SQLFUZZ_SEED (default 20261206),
CSEG_SQLFUZZ_ONLY (replay one call), CSEG_SQLFUZZ_LOG (server log file to scan),
CSEG_SQLFUZZ_SHOW=42601,42804 (print the calls failing with these SQLSTATEs).
`make sqlfuzz` runs it for 600 s on a throwaway cluster.
"""
import collections
import io
import json
import math
import os
import random
import struct
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(__file__))
import dbtest  # noqa: E402

DB = "cseg_sql_fuzz"
SECONDS = float(os.environ.get("CSEG_SQLFUZZ_SECONDS", "60"))
SEED = int(os.environ.get("CSEG_SQLFUZZ_SEED", "20261206"))
ONLY = os.environ.get("CSEG_SQLFUZZ_ONLY")
TIMEOUT_MS = 4000
SHOW = set(filter(None, os.environ.get("CSEG_SQLFUZZ_SHOW", "").split(",")))  # print these

# Every option key the extension documents (all families), and some it does not.
OPTION_KEYS = [
    "scale", "init", "n_init", "max_iter", "tol", "seed", "missing", "feature_names", "sample",
    "refine", "gamma", "categorical_names", "silhouette_sample", "elbow_sensitivity", "linkage",
    "max_leaves", "covariance", "reg_covar", "transform", "clip", "impute", "algorithm",
    "engine", "eps", "min_samples", "k", "threads", "no_such_option", "", "SCALE",
]
OPTION_VALUES = [
    None, True, False, -1, 0, 1, 2, 3, 10, 2**31, 2**63, -(2**63), 1.5, 1e308, -1e308, 5e-324,
    -0.0, "x", "", "standard", "minmax", "robust", "none", "random", "k-means++", "skip",
    "error", "impute", "hartigan", "ward", "single", "complete", "average", "full", "diag",
    "tied", "spherical", "kmeans", "kprototypes", "hierarchical", "gmm", "dbscan", "memory",
    "stream", "log1p", "sqrt", "yeo-johnson", "mean", "median", "zero", [], [1], [0.1, 0.9],
    [0.9, 0.1], [-1, 2], ["a", "b", "c"], ["age", "income", "score"], ["log1p", "none", "sqrt"],
    [None], {}, {"a": 1}, "\u00e9\u00e8", "x" * 300,
]
SMALL_VALUES = [1, 2, 3, 5, 10, "standard", "minmax", "robust", "none", "skip", "impute", 0.5,
                "ward", "diag", "log1p", [0.05, 0.95], ["age", "income", "score"]]
SPECIAL_FLOATS = ["NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1.7976931348623157e308",
                  "5e-324", "-5e-324", "2.2250738585072014e-308", "-0", "0", "1e200", "-1e200",
                  "1e-300", "1e154", "3", "-7.5", "42"]
INTS = [None, -2147483648, -1, 0, 1, 2, 3, 4, 5, 7, 50, 199, 200, 201, 1000, 2147483647]
TEXTS = ["age", "annual_income", "spending_score", "gender", "customer_id", "", "x", "name",
         "standard", "robust", "minmax", "none", "weird", "seg", "a\"b", "a'b",
         "x); DROP TABLE fz_orders; --", "\u00e9", "x" * 2000, "1", "age; SELECT 1",
         "version_column=ver", "m1", "fuzz_model", "mall", "a", "b", "a", "b", "c"]
# Argument types Gen.value builds itself; others come from the pool (pool_from_producers).
GENERATED_TYPES = {"double precision[]", "integer", "bigint", "double precision", "jsonb", "text",
                   "text[]", "regclass", "timestamp with time zone", "boolean", "segmodel",
                   "cstring"}
TABLES = ["mall_customers", "fz_orders", "fz_wide", "fz_empty", "fz_parted", "fz_view",
          "seg_models", "pg_class", "fz_child"]


def lit(s):
    """A SQL string literal (standard_conforming_strings is on: only quotes double)."""
    return "'" + s.replace("'", "''") + "'"


class Gen:
    """Random SQL expressions of the extension's argument types."""

    def __init__(self, rnd, pool):
        self.r = rnd
        self.pool = pool  # type name -> list of SQL expressions known to be valid

    def float_elem(self):
        r = self.r.random()
        if r < 0.15:
            return "NULL"
        if r < 0.45:
            return self.r.choice(SPECIAL_FLOATS)
        return repr(round(self.r.gauss(40, 30), self.r.choice([0, 2, 6])))

    def float8_array(self, dims=None):
        r = self.r.random()
        if r < 0.03:
            return "NULL::float8[]"
        if r < 0.06:
            return "'{}'::float8[]"
        if r < 0.09:
            return "'{{1,2},{3,4}}'::float8[]"
        if r < 0.11:
            return "'[0:2]={1,2,3}'::float8[]"
        n = dims if dims is not None and self.r.random() < 0.85 else self.r.choice(
            [0, 1, 2, 3, 3, 4, 6, 40])
        return "ARRAY[" + ",".join("'%s'::float8" % e if e != "NULL" else "NULL"
                                   for e in (self.float_elem() for _ in range(n))) + \
            "]::float8[]" if n else "'{}'::float8[]"

    def integer(self):
        v = self.r.choice(INTS)
        return "NULL::int" if v is None else "(%d)::int" % v

    def bigint(self):
        return self.r.choice(["NULL::bigint", "1::bigint", "-1::bigint", "0::bigint",
                              "9223372036854775807::bigint", "(-9223372036854775808)::bigint",
                              "%d::bigint" % self.r.randint(0, 300)])

    def float8(self):
        if self.r.random() < 0.1:
            return "NULL::float8"
        return "'%s'::float8" % self.r.choice(SPECIAL_FLOATS + ["0.5", "0.3", "1", "2"])

    def option_value(self):
        if self.r.random() < 0.5:
            return self.r.choice(SMALL_VALUES)
        return self.r.choice(OPTION_VALUES)

    def options(self):
        r = self.r.random()
        if r < 0.05:
            return "NULL::jsonb"
        if r < 0.1:
            return self.r.choice(["'[]'::jsonb", "'1'::jsonb", "'\"x\"'::jsonb", "'null'::jsonb",
                                  "'{\"seed\": {\"a\": [1, {\"b\": 2}]}}'::jsonb"])
        if r < 0.3:
            return "'{}'::jsonb"
        obj = {}
        for _ in range(self.r.randint(1, 4)):
            obj[self.r.choice(OPTION_KEYS)] = self.option_value()
        if "n_init" in obj and isinstance(obj["n_init"], int) and obj["n_init"] > 20:
            obj["n_init"] = 20  # keep most statements short; big values still appear as floats
        return lit(json.dumps(obj)) + "::jsonb"

    def text(self):
        r = self.r.random()
        if r < 0.05:
            return "NULL::text"
        return lit(self.r.choice(TEXTS)) + "::text"

    def text_array(self, dims=None):
        r = self.r.random()
        if r < 0.05:
            return "NULL::text[]"
        if r < 0.1:
            return "'{}'::text[]"
        n = dims if dims is not None and self.r.random() < 0.8 else self.r.randint(1, 4)
        elems = []
        for _ in range(n):
            c = self.r.random()
            elems.append("NULL" if c < 0.1 else lit(self.r.choice(
                ["Male", "Female", "x", "", "age", "annual_income", "spending_score",
                 "age", "annual_income", "spending_score", "a", "b", "c", "g", "id",
                 "\u00e9", "z" * 500])))
        return "ARRAY[" + ",".join(elems) + "]::text[]"

    def regclass(self):
        if self.r.random() < 0.05:
            return "NULL::regclass"
        return lit(self.r.choice(TABLES)) + "::regclass"

    def timestamptz(self):
        return self.r.choice(["'2011-12-10'::timestamptz", "'infinity'::timestamptz",
                              "'-infinity'::timestamptz", "NULL::timestamptz",
                              "'294276-12-31'::timestamptz", "'4713-01-01 BC'::timestamptz",
                              "now()", "'2024-01-01'::timestamptz"])

    def boolean(self):
        return self.r.choice(["true", "false", "NULL::boolean"])

    def from_pool(self, typ):
        items = self.pool.get(typ)
        if not items:
            return "NULL::" + typ
        return self.r.choice(items)

    def model(self):
        r = self.r.random()
        if r < 0.04:
            return "NULL::segmodel"
        if r < 0.2 and self.pool.get("segmodel_text"):
            return self.mutated_model_text()
        return self.from_pool("segmodel")

    def mutated_model_text(self):
        """A model's JSON with one random change, cast to segmodel (must parse or 22P02)."""
        doc = json.loads(self.r.choice(self.pool["segmodel_text"]))
        paths = []

        def walk(node, path):
            paths.append(path)
            if isinstance(node, dict):
                for key, v in node.items():
                    walk(v, path + [key])
            elif isinstance(node, list):
                for i, v in enumerate(node[:6]):
                    walk(v, path + [i])
        walk(doc, [])
        path = self.r.choice(paths)
        parent, key = None, None
        node = doc
        for p in path:
            parent, key = node, p
            node = node[p]
        choice = self.r.random()
        new = self.r.choice(OPTION_VALUES + [1e308, -1, 0, 2**31 - 1, "\u00e9\u00e8", None])
        if parent is None:
            doc = new
        elif choice < 0.2 and isinstance(parent, dict):
            del parent[key]
        elif choice < 0.3 and isinstance(parent, list):
            parent.append(parent[key])
        else:
            parent[key] = new
        text = json.dumps(doc)
        if self.r.random() < 0.2:
            i = self.r.randrange(len(text))
            text = text[:i] + self.r.choice(["", "}", "\"", "9", "e", "\\u0000", "-"]) + \
                text[i + 1:]
        return lit(text) + "::segmodel"

    def value(self, typ, dims=None):
        """A SQL expression of type typ (format_type spelling)."""
        if typ in ("double precision[]", "text[]"):
            return (self.float8_array if typ[0] == "d" else self.text_array)(dims)
        make = {"integer": self.integer, "bigint": self.bigint, "double precision": self.float8,
                "jsonb": self.options, "text": self.text, "regclass": self.regclass,
                "timestamp with time zone": self.timestamptz, "boolean": self.boolean,
                "segmodel": self.model,
                "cstring": lambda: "(%s)::cstring" % self.from_pool("segmodel_text_literal")}
        return make[typ]() if typ in make else self.from_pool(typ)


class Fuzzer:
    def __init__(self, dbname):
        self.dbname = dbname
        self.conn = None
        self.watch = dbtest.connect(dbname)
        self.stats = collections.Counter()
        self.by_func = collections.Counter()
        self.failures = []
        self.pool = {}
        self.funcs = []
        self.log_file = os.environ.get("CSEG_SQLFUZZ_LOG")
        self.log_start = 0

    # ---- setup ---------------------------------------------------------------------------
    def connect(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except psycopg2.Error:
                pass
        self.conn = dbtest.connect(self.dbname)
        with self.conn.cursor() as cur:
            cur.execute("SET statement_timeout = %d" % TIMEOUT_MS)
            cur.execute("SET client_min_messages = error")

    def sql(self, q):
        with self.conn.cursor() as cur:
            cur.execute(q)
            return cur.fetchall() if cur.description else None

    def setup(self):
        self.connect()
        self.sql("""
            CREATE TABLE fz_orders(customer int, at timestamptz, amount numeric, ord text);
            INSERT INTO fz_orders SELECT i % 37, '2011-01-01'::timestamptz + (i || ' hours')::interval,
                   (i % 13) - 2, (i / 3)::text FROM generate_series(1, 500) i;
            INSERT INTO fz_orders VALUES (1, '-infinity', 5, 'x'), (2, 'infinity', 5, 'y'),
                                         (3, NULL, 5, 'z'), (NULL, now(), 1, 'w');
            CREATE TABLE fz_wide(id int, a float8, b float8, c float8, g text);
            INSERT INTO fz_wide SELECT i, i * 1e150, -i * 1e-300, CASE WHEN i % 7 = 0 THEN 'NaN'::float8
                   WHEN i % 11 = 0 THEN NULL ELSE i END, (i % 3)::text
            FROM generate_series(1, 60) i;
            CREATE TABLE fz_empty(id int, a float8, b float8, c float8, g text);
            CREATE TABLE fz_parted(id int, a float8, b float8, c float8, g text)
                PARTITION BY RANGE (id);
            CREATE TABLE fz_parted_1 PARTITION OF fz_parted FOR VALUES FROM (0) TO (100);
            CREATE TABLE fz_parted_2 PARTITION OF fz_parted FOR VALUES FROM (100) TO (1000);
            INSERT INTO fz_parted SELECT id, a, b, c, g FROM fz_wide;
            INSERT INTO fz_parted SELECT customer_id + 100, age, annual_income, spending_score, gender
            FROM mall_customers;
            CREATE TABLE fz_child() INHERITS (fz_empty);
            INSERT INTO fz_child SELECT customer_id, age, annual_income, spending_score, gender
            FROM mall_customers;
            CREATE VIEW fz_view AS SELECT customer_id AS id, age AS a, annual_income AS b,
                   spending_score AS c, gender AS g FROM mall_customers;
            CREATE TABLE fz_trig(id serial, a float8, b numeric, c int, seg int, ver bigint,
                                 s smallint);
            CREATE TABLE fz_models(m segmodel);
        """)
        # Every function of the extension, from the catalog.
        with self.conn.cursor() as cur:
            for sig, name, kind, retset, rettype, args in dbtest.extension_functions(cur):
                self.funcs.append(dict(name=name, kind=kind, retset=retset, rettype=rettype,
                                       args=args, sig="%s(%s)" % (name, ", ".join(args))))
        self.make_models()
        # Composite argument types (e.g. seg_sweep_row): values from functions returning them.
        for f in self.funcs:
            for t in f["args"]:
                if t in self.pool or t in GENERATED_TYPES:
                    continue
                self.pool_from_producers(t)
        if not self.log_file:  # Debian clusters (pg_virtualenv) log to a file named after them
            name = self.sql("SHOW cluster_name")[0][0]
            self.log_file = "/var/log/postgresql/postgresql-%s.log" % name.replace("/", "-")
        if os.path.exists(self.log_file):
            self.log_start = os.path.getsize(self.log_file)
            print("scanning the server log %s" % self.log_file)
        else:
            self.log_file = None

    def make_models(self):
        """Models of every kind: each fit aggregate returning segmodel, on the mall data."""
        feats = "ARRAY[age, annual_income, spending_score]"
        good = []
        for f in self.funcs:
            if f["kind"] != "a" or f["rettype"] != "segmodel":
                continue
            for opts in ["'{}'::jsonb", "'{\"scale\": \"robust\", \"missing\": \"impute\"}'",
                         "'{\"feature_names\": [\"age\", \"income\", \"score\"]}'",
                         "'{\"scale\": \"none\", \"seed\": 3}'"]:
                args = []
                for t in f["args"]:
                    args.append({"double precision[]": feats, "integer": "4",
                                 "jsonb": opts, "text[]": "ARRAY[gender]",
                                 "double precision": "0.6", "text": "'standard'"}.get(t, "NULL"))
                q = "INSERT INTO fz_models SELECT %s(%s) FROM mall_customers" % (
                    f["name"], ", ".join(args))
                try:
                    self.sql(q)
                    good.append(f["sig"])
                except psycopg2.Error:
                    pass
                if "jsonb" not in f["args"]:
                    break
        # A few k-means models of other sizes, including k = 1.
        for k in (1, 2, 6):
            self.sql("INSERT INTO fz_models SELECT kmeans_fit(%s, %d) FROM mall_customers"
                     % (feats, k))
        models = [r[0] for r in self.sql("SELECT m::text FROM fz_models WHERE m IS NOT NULL")]
        self.pool["segmodel_text"] = models
        self.pool["segmodel"] = [lit(m) + "::segmodel" for m in models]
        self.pool["segmodel_text_literal"] = [lit(m) for m in models]
        self.pool["segscaler"] = [
            "(SELECT scaler_fit(ARRAY[age, annual_income], %s) FROM mall_customers)" % lit(m)
            for m in ("standard", "minmax", "robust", "none")] + [
            lit('{"method":"standard","center":[0,0,0],"scale":[1,1e-300,1e300]}') +
            "::segscaler", "NULL::segscaler"]
        self.pool["segscaler_text_literal"] = []
        for name in ("a", "b"):
            self.sql("SELECT seg_save(%s, m) FROM fz_models LIMIT 3" % lit(name))
        self.stats["model kinds in the pool"] = len(set(
            json.loads(m).get("algorithm") for m in models))
        print("models in the pool: %d, made by %s" % (len(models), ", ".join(sorted(set(good)))))

    def pool_from_producers(self, typ):
        """Values of a composite type: elements of what the extension's functions return."""
        exprs = []
        if typ == "seg_sweep_row":
            for opts in ("'{}'", "'{\"n_init\": 1}'"):
                exprs.append("(SELECT s FROM unnest((SELECT kmeans_sweep(ARRAY[age, "
                             "annual_income, spending_score], 2, 5, %s) FROM mall_customers)) s "
                             "ORDER BY random() LIMIT 1)" % opts)
        self.pool[typ] = exprs + ["NULL::" + typ]
        if not exprs:
            self.stats["argument types without a generator"] += 1
            print("note: no generator for type %s: NULL only" % typ)

    # ---- calls ---------------------------------------------------------------------------
    def call_sql(self, g, f):
        """SQL statements for one random call of f."""
        dims = g.r.choice([3, 3, 3, 2, 1])
        if f["kind"] == "a":
            return self.aggregate_sql(g, f, dims)
        args = [g.value(t, dims) for t in f["args"]]
        if f["name"] == "seg_label_trigger":
            return self.trigger_sql(g)
        call = "%s(%s)" % (f["name"], ", ".join(args))
        if f["retset"]:
            return ["SELECT count(*), max(x::text) FROM %s x" % call]
        return ["SELECT (%s)::text" % call]

    def aggregate_sql(self, g, f, dims):
        n = g.r.choice([0, 1, 2, 3, 5, 8, 20, 60])
        # Parameters (k, options, model, method) are constant except sometimes.
        const = {}
        for i, t in enumerate(f["args"]):
            if t not in ("double precision[]", "text[]", "bigint") or (t == "text[]" and i > 1):
                const[i] = g.value(t, dims)
        rows = []
        for _ in range(n):
            vals = []
            for i, t in enumerate(f["args"]):
                if i in const and g.r.random() < 0.97:
                    vals.append(const[i])
                elif t == "integer" and i > 0 and g.r.random() < 0.6:
                    vals.append("(%d)::int" % g.r.randint(-1, 5))  # labels
                else:
                    vals.append(g.value(t, dims))
            rows.append("(" + ", ".join(vals) + ")")
        cols = ["c%d" % i for i in range(len(f["args"]))]
        call = "%s(%s)" % (f["name"], ", ".join(cols))
        if not rows:
            src = "(SELECT %s WHERE false) v(%s)" % (
                ", ".join("NULL::" + t for t in f["args"]), ", ".join(cols))
            return ["SELECT (%s)::text FROM %s" % (call, src)]
        values = "(VALUES " + ", ".join(rows) + ") v(" + ", ".join(cols) + ")"
        if g.r.random() < 0.25:  # a real table under a forced parallel plan
            table = "fz_agg"
            return [
                "DROP TABLE IF EXISTS %s" % table,
                "CREATE TABLE %s AS SELECT * FROM %s" % (table, values),
                "SET force_parallel_mode = on; SET parallel_setup_cost = 0; "
                "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; "
                "SET max_parallel_workers_per_gather = 2",
                "SELECT (%s)::text FROM %s" % (call, table),
            ]
        if g.r.random() < 0.2:  # grouped
            return ["SELECT (%s)::text FROM %s GROUP BY %s" % (call, values, cols[-1])]
        return ["SELECT (%s)::text FROM %s" % (call, values)]

    def trigger_sql(self, g):
        cols = ["a", "b", "c", "s", "seg", "ver", "id", "zz", "A"]
        name = g.r.choice(["a", "b", "nosuch", "", "x" * 70])
        args = [name] + [g.r.choice(cols) for _ in range(g.r.randint(0, 5))]
        if g.r.random() < 0.3:
            args.append("version_column=" + g.r.choice(cols))
        targs = ", ".join(lit(a) for a in args)
        rows = ", ".join("(%s, %s, %s)" % (g.float8(), g.r.choice(["1", "NULL", "'NaN'",
                                                                   "1e300", "-0.0"]),
                                          g.r.choice(["1", "NULL", "2147483647"]))
                         for _ in range(g.r.randint(1, 5)))
        return [
            "DROP TRIGGER IF EXISTS fz ON fz_trig",
            "CREATE TRIGGER fz BEFORE INSERT OR UPDATE ON fz_trig FOR EACH ROW "
            "EXECUTE FUNCTION seg_label_trigger(%s)" % targs,
            "INSERT INTO fz_trig(a, b, c) VALUES " + rows,
            "UPDATE fz_trig SET a = a WHERE id %% 3 = %d" % g.r.randint(0, 2),
            "DELETE FROM fz_trig WHERE id %% 2 = 0",
        ]

    def copy_binary(self, g):
        """A stored model's binary form with flipped bytes through COPY BINARY (recv)."""
        raw = bytes(self.sql("SELECT segmodel_send(%s)" % g.from_pool("segmodel"))[0][0] or b"")
        data = bytearray(raw)
        for _ in range(g.r.randint(1, 4)):
            if not data:
                break
            i = g.r.randrange(len(data))
            op = g.r.random()
            if op < 0.6:
                data[i] ^= 1 << g.r.randrange(8)
            elif op < 0.8:
                del data[i:]
            else:
                data[i:i] = bytes([g.r.randrange(256)]) * g.r.randint(1, 9)
        buf = io.BytesIO()
        buf.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
        buf.write(struct.pack("!hi", 1, len(data)) + bytes(data) + struct.pack("!h", -1))
        buf.seek(0)
        return buf

    def run_one(self, i, f=None):
        """Call number i: its own generator, so CSEG_SQLFUZZ_ONLY=i replays it."""
        rnd = random.Random(SEED * 1_000_003 + i)
        g = Gen(rnd, self.pool)
        if f is None:
            if rnd.random() < 0.03:
                f = dict(sig="COPY BINARY segmodel", name="copy", kind="copy")
            else:
                f = rnd.choice(self.funcs)
        if f["kind"] == "copy":
            stmts = ["COPY fz_models FROM STDIN (FORMAT binary)"]
            payload = self.copy_binary(g)
        else:
            stmts = self.call_sql(g, f)
            payload = None
        if rnd.random() < 0.05:
            stmts.insert(0, "SET customer_seg.max_memory = %s" % lit(
                rnd.choice(["64kB", "1MB", "100MB"])))
        self.stats["calls"] += 1
        self.by_func[f["sig"]] += 1
        state = "ok"
        try:
            with self.conn.cursor() as cur:
                for s in stmts:
                    if payload is not None:
                        cur.copy_expert(s, payload)
                    else:
                        cur.execute(s)
                        if cur.description:
                            cur.fetchall()
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as e:
            # psycopg2 raises OperationalError for SQLSTATE classes 53, 54, 57 and 58 too (a
            # memory budget's 53200 among them): those come with a code and are server errors
            # on a live connection; only an error without one is a lost connection.
            code = getattr(e, "pgcode", None)
            if code:
                self.stats["error " + code] += 1
                state = code
            else:
                state = "lost"
                self.report(i, f, stmts, "connection lost: %s" % e)
        except psycopg2.Error as e:
            code = e.pgcode or "?????"
            self.stats["error " + code] += 1
            state = code
            if code.startswith("XX") or code == "?????":
                self.report(i, f, stmts, "%s %s" % (code, e.pgerror))
            elif code in SHOW:
                print("call #%d %s: %s\n  %s" % (i, code, e.pgerror, "\n  ".join(stmts)))
        if state == "ok":
            self.stats["succeeded"] += 1
        if state == "lost" or not self.alive():
            self.stats["crashes"] += 1
            self.report(i, f, stmts, "server crash: the watcher connection died")
            time.sleep(2)
            self.watch = dbtest.connect(self.dbname)
            self.connect()
        elif state != "ok" or payload is not None or len(stmts) > 1:
            self.reset_session()
        return state

    def reset_session(self):
        try:
            self.sql("RESET ALL; SET statement_timeout = %d; SET client_min_messages = error"
                     % TIMEOUT_MS)
        except psycopg2.Error:
            self.connect()

    def alive(self):
        try:
            with self.watch.cursor() as cur:
                cur.execute("SELECT 1")
            return True
        except psycopg2.Error:
            return False

    def report(self, i, f, stmts, what):
        msg = ("FAILED call #%d of %s (CSEG_SQLFUZZ_SEED=%d CSEG_SQLFUZZ_ONLY=%d): %s\n  %s"
               % (i, f["sig"], SEED, i, what, "\n  ".join(s[:3000] for s in stmts)))
        print(msg, flush=True)
        self.failures.append(msg)

    def log_crashes(self):
        if not self.log_file or not os.path.exists(self.log_file):
            return None
        with open(self.log_file, "rb") as fh:
            fh.seek(self.log_start)
            text = fh.read().decode("utf-8", "replace")
        return text.count("terminated by signal")


def main():
    with dbtest.fresh_database(DB, load=("mall",)):
        fz = Fuzzer(DB)
        fz.setup()
        print("functions fuzzed: %d (from pg_proc), seed %d, %s" % (
            len(fz.funcs), SEED, "replaying call %s" % ONLY if ONLY else "%g s" % SECONDS))
        if ONLY:
            fz.run_one(int(ONLY))
        else:
            # Every function once first (coverage whatever the time budget), then at random.
            for n, f in enumerate(fz.funcs):
                fz.run_one(-1 - n, f)
            deadline = time.monotonic() + SECONDS
            i = 0
            while time.monotonic() < deadline:
                fz.run_one(i)
                i += 1
        checks = dbtest.Checks()
        signals = fz.log_crashes()
        print("calls: %d, succeeded: %d, functions: %d" % (
            fz.stats["calls"], fz.stats["succeeded"], len(fz.funcs)))
        for key in sorted(fz.stats):
            if key.startswith("error ") or "without" in key or "kinds" in key or "skipped" in key:
                print("  %s: %d" % (key, fz.stats[key]))
        missed = [f["sig"] for f in fz.funcs if fz.by_func[f["sig"]] == 0]
        checks.check(not missed, "every function called (missed: %s)" % missed)
        checks.check(fz.stats["crashes"] == 0, "backend crashes: %d" % fz.stats["crashes"])
        if signals is not None:
            checks.check(signals == 0, "'terminated by signal' in the server log: %d" % signals)
        xx = sum(v for k, v in fz.stats.items() if k.startswith("error XX"))
        checks.check(xx == 0 and not fz.failures,
                     "internal errors (XX000) or lost connections: %d" % len(fz.failures))
        fz.watch.close()
        fz.conn.close()
        checks.finish()


if __name__ == "__main__":
    main()
