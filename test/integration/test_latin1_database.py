"""A database whose encoding is not UTF8 (LATIN1): a model's text form with a \\u escape of a
non-ASCII character stores that character in the database encoding, as jsonb reads it (before:
its UTF-8 bytes, read back as mojibake, "cafÃ©"); a character the encoding lacks is refused as
jsonb refuses it (22P05).

Charts and the report in the same database: every chart function's output is pure ASCII (each
non-ASCII character of a feature name, category, table or column name written as a character
reference), and an XML or HTML parser reads the names back (before: the SVG declared UTF-8
but carried U+FFFD's bytes as LATIN1, a feature "café" read "cafï¿½").

A k-prototypes model fitted in a WIN1252 database is read by a UTF8 database from its text
(as pg_dump moves it), with the same modes and labels: its categories are listed in WIN1252's
byte order ('€' 0x80 before 'À' 0xC0), which UTF-8's is not (C3 80 before E2 82 AC), and the
text input sorts them (before: "categories[0] is not sorted and unique", so the registry of
such a database could not be restored into a UTF8 one).

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_latin1_database.py
"""
import html.parser
import re
import xml.etree.ElementTree as ET

import psycopg2

from dbtest import Checks, connect, psql

NAME = "it_latin1"
FIT = ("CREATE TABLE t AS SELECT kmeans_fit(ARRAY[x, x * 2], 2, '{\"feature_names\": "
       "[\"a\", \"b\"], \"seed\": 1, \"n_init\": 1}') AS m FROM generate_series(1, 20) x")


def second_name(cur, name, via):
    """(the second feature name read back, its LATIN1 bytes in hex, the model's text) of the
    model with feature "b" renamed to the JSON string `name`, read through `via`."""
    cur.execute(f"""SELECT (n::jsonb)->'feature_names'->>1,
                           encode(convert_to((n::jsonb)->'feature_names'->>1, 'LATIN1'), 'hex'),
                           n::text
                    FROM (SELECT replace(m::text, '"b"', %s){via} AS n FROM t) q""", (name,))
    return cur.fetchone()


def sqlstate(cur, name, via):
    """The SQLSTATE of reading the model with feature "b" renamed to `name` through `via`."""
    try:
        second_name(cur, name, via)
    except psycopg2.Error as e:
        return e.pgcode
    return None


# A table, a column, a feature name and a category that LATIN1 has and ASCII lacks.
CHART_SETUP = """
CREATE TABLE "données" AS
SELECT x::float8 AS "café", (x % 7)::float8 AS y, CASE WHEN x % 2 = 0 THEN 'crème' ELSE 'thé' END AS g
FROM generate_series(1, 60) x;
CREATE TABLE cm AS
SELECT kmeans_fit(ARRAY["café", y], 3, '{"feature_names": ["café", "ÿ"], "seed": 1}') AS m,
       hclust_fit(ARRAY["café", y], 3, '{"feature_names": ["café", "ÿ"]}') AS h,
       kprototypes_fit(ARRAY["café", y], ARRAY[g], 2, '{"feature_names": ["café", "ÿ"],
                       "categorical_names": ["boisson"], "seed": 1}') AS kp
FROM "données";
"""

# Each chart function on the models above (name, query returning one text).
CHARTS = [
    ("seg_profile_chart", "SELECT seg_profile_chart(m) FROM cm"),
    ("seg_dendrogram_chart", "SELECT seg_dendrogram_chart(h) FROM cm"),
    ("seg_sweep_chart", "SELECT seg_sweep_chart(s) FROM seg_sweep('\"données\"', "
                        "ARRAY['café', 'y'], 1, 4) s"),
    ("seg_silhouette_chart", 'SELECT seg_silhouette_chart(m, ARRAY["café", y]) FROM cm, "données"'),
    ("seg_map_chart", 'SELECT seg_map_chart(m, ARRAY["café", y]) FROM cm, "données"'),
    ("seg_report", "SELECT seg_report(m, '\"données\"', ARRAY['café', 'y']) FROM cm"),
    ("seg_report (k-prototypes)",
     "SELECT seg_report(kp, '\"données\"', ARRAY['café', 'y', 'g']) FROM cm"),
]


class TextOf(html.parser.HTMLParser):
    """The character data of an HTML page, character references decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def parsed_text(markup):
    """The text an XML parser (SVG) or an HTML parser (the report page) reads in markup."""
    if markup.startswith("<svg"):
        return " ".join(ET.fromstring(markup).itertext())
    p = TextOf()
    p.feed(markup)
    p.close()
    return " ".join(p.parts)


def check_charts(checks, cur):
    """Every chart function's output is ASCII and parses back to the non-ASCII names."""
    cur.execute(CHART_SETUP)
    for name, query in CHARTS:
        cur.execute(query)
        markup = cur.fetchone()[0] or ""
        bad = sorted({c for c in markup if ord(c) > 127})
        checks.check(markup is not None and not bad,
                     f"{name}: the output is pure ASCII (non-ASCII seen: {bad[:5]})")
        try:
            text = parsed_text(markup)
        except ET.ParseError as e:
            checks.check(False, f"{name}: the SVG parses: {e}")
            continue
        expect = {"seg_profile_chart": ["café", "ÿ"],
                  "seg_report": ["café", "ÿ", "données"],
                  "seg_report (k-prototypes)": ["café", "boisson", "crème", "thé", "données"]}
        missing = [w for w in expect.get(name, []) if w not in text]
        label = re.search(r'<text [^>]*class="feature-label">[^<]*</text>', markup)
        checks.check(not missing and "\ufffd" not in text and "ï¿½" not in text,
                     f"{name}: the parser reads the names back ({len(markup)} characters; "
                     f"missing {missing})" + (f"; first feature label: {label[0]}" if label else ""))


def check_win1252_model_in_utf8(checks, acur):
    """A k-prototypes model's text from a WIN1252 database read by a UTF8 database."""
    src, dst = NAME + "_win1252", NAME + "_utf8"
    acur.execute(f"CREATE DATABASE {src} ENCODING 'WIN1252' LC_COLLATE 'C' LC_CTYPE 'C' "
                 "TEMPLATE template0")
    acur.execute(f"CREATE DATABASE {dst} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' "
                 "TEMPLATE template0")
    try:
        rows = "SELECT i::float8 AS x, (ARRAY['€uro', 'Àlpha', 'beta'])[1 + mod(i, 3)] AS cat " \
               "FROM generate_series(1, 30) i"
        labels = f"SELECT cat, seg_assign(%s::segmodel, ARRAY[x], ARRAY[cat]) FROM ({rows}) r " \
                 "ORDER BY x"
        texts, modes, assigned = [], [], []
        for db in (src, dst):
            psql(db, "-c", "CREATE EXTENSION customer_seg")
            conn = connect(db)
            conn.set_client_encoding("UTF8")
            cur = conn.cursor()
            if db == src:
                cur.execute(f"SELECT kprototypes_fit(ARRAY[x], ARRAY[cat], 2, '{{\"seed\": 1}}')"
                            f"::text FROM ({rows}) r")
                texts.append(cur.fetchone()[0])
            try:
                cur.execute("SELECT (%s::segmodel::jsonb)->'categories'->0, "
                            "(%s::segmodel::jsonb)->'modes'", (texts[0], texts[0]))
                cats, m = cur.fetchone()
                modes.append(m)
                cur.execute(labels, (texts[0],))
                assigned.append(cur.fetchall())
                checks.check(True, f"{db}: the model's text reads, categories {cats}")
            except psycopg2.Error as e:
                checks.check(False, f"{db}: the model's text reads: {e.pgcode} {e.pgerror}")
            conn.close()
        checks.check(len(modes) == 2 and modes[0] == modes[1],
                     f"the same modes in both databases: {modes}")
        checks.check(len(assigned) == 2 and assigned[0] == assigned[1],
                     "the same label for each of the 30 rows in both databases")
    finally:
        acur.execute(f"DROP DATABASE IF EXISTS {src} WITH (FORCE)")
        acur.execute(f"DROP DATABASE IF EXISTS {dst} WITH (FORCE)")


def main():
    checks = Checks()
    admin = psycopg2.connect(dbname="postgres")
    admin.autocommit = True
    acur = admin.cursor()
    acur.execute(f"DROP DATABASE IF EXISTS {NAME}")
    acur.execute(f"CREATE DATABASE {NAME} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' "
                 "TEMPLATE template0")
    try:
        psql(NAME, "-c", "CREATE EXTENSION customer_seg")
        conn = connect(NAME)
        conn.set_client_encoding("UTF8")
        cur = conn.cursor()
        cur.execute("SHOW server_encoding")
        checks.check(cur.fetchone()[0] == "LATIN1", "the database is LATIN1")
        cur.execute(FIT)
        escaped = second_name(cur, '"caf\\u00e9"', "::segmodel")
        checks.check(escaped[:2] == ("café", "636166e9"),
                     f"text input: \\u00e9 is stored as LATIN1 é (0xe9): {escaped[:2]}")
        by_jsonb = second_name(cur, '"caf\\u00e9"', "::jsonb::segmodel")
        literal = second_name(cur, '"café"', "::segmodel")
        checks.check(escaped == by_jsonb == literal,
                     "the same model as through the jsonb cast and as with the character itself")
        backslash = second_name(cur, '"caf\\\\u00e9"', "::segmodel")
        checks.check(backslash[0] == "caf\\u00e9",
                     f"an escaped backslash before u00e9 stays text: {backslash[0]}")
        mixed = second_name(cur, '"\\u00c4 \\\\ \\u0041 \\u00fc"', "::segmodel")
        checks.check(mixed[0] == "Ä \\ A ü", f"several escapes, an ASCII one kept: {mixed[0]}")
        for name in ('"\\u20ac"', '"\\ud83d\\ude00"'):
            codes = (sqlstate(cur, name, "::segmodel"), sqlstate(cur, name, "::jsonb::segmodel"))
            checks.check(codes == ("22P05", "22P05"),
                         f"{name}, not in LATIN1: refused as jsonb refuses it: {codes}")
        checks.check(sqlstate(cur, '"\\u00e9', "::segmodel") == "22P02",
                     "malformed JSON with an escape is still 22P02")
        check_charts(checks, cur)
        conn.close()
        check_win1252_model_in_utf8(checks, acur)
    finally:
        acur.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        admin.close()
    checks.finish()


if __name__ == "__main__":
    main()
