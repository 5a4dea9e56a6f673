"""A database whose encoding is not UTF8 (LATIN1): a model's text form with a \\u escape of a
non-ASCII character stores that character in the database encoding, as jsonb reads it (before:
its UTF-8 bytes, read back as mojibake, "cafÃ©"); a character the encoding lacks is refused as
jsonb refuses it (22P05).

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_latin1_database.py
"""
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
        conn.close()
    finally:
        acur.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        admin.close()
    checks.finish()


if __name__ == "__main__":
    main()
