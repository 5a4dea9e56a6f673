"""Regenerates the seed corpus of the fuzz targets (test/fuzz/corpus/<target>/).

Valid seeds come from the installed extension (models fitted on the sample data, in text and
in binary via segmodel_send/segscaler_send); broken seeds are derived from them (truncated,
wrong version, wrong sizes, zero/negative scales, non-finite numbers, deep nesting).
Run inside a server: pg_virtualenv -v 15 /usr/bin/python3 test/fuzz/make_corpus.py
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys

import psycopg2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "test", "fuzz", "corpus")

FITS = {
    "mall5_names": ("ARRAY[age, annual_income, spending_score]", 5,
                    '{"feature_names": ["age", "income", "score"], "n_init": 2}', "mall_customers"),
    "mall3_impute": ("ARRAY[age, annual_income, spending_score]", 3,
                     '{"missing": "impute", "scale": "minmax", "init": "random", "seed": 7}',
                     "mall_customers"),
    "mall1_none": ("ARRAY[age]", 1, '{"scale": "none", "n_init": 1}', "mall_customers"),
    "wholesale4_robust": ("ARRAY[fresh, milk, grocery, frozen, detergents_paper, delicassen]", 4,
                          '{"scale": "robust", "tol": 0, "max_iter": 5, '
                          '"feature_names": ["f", "m\\u00e9", "g\\"q", "fr", "d", "de"]}',
                          "wholesale_customers"),
}

OPTIONS = [
    "{}",
    '{"scale": "minmax", "init": "random", "n_init": 3, "max_iter": 50, "tol": 1e-6, '
    '"seed": 9223372036854775807, "missing": "impute", "feature_names": ["a", "b"]}',
    '{"feature_names": null, "missing": "error", "scale": "none", "tol": 0}',
    '{"seed": 1e2, "n_init": 1.0E1, "max_iter": 0.3e1}',
    # broken
    '{"k": 3}', '{"n_init": 0}', '{"tol": -1}', '{"seed": -1}', '{"scale": "zscore"}',
    '{"feature_names": [1]}', '[1]', '"x"', '{"tol": 1e999}', '{"n_init": 1, "n_init": 2}',
    "[" * 100 + "]" * 100,
]

SCALERS = [
    '{"method":"standard","center":[38.85,60.56],"scale":[13.93,26.2]}',
    '{"method":"minmax","center":[0.5,-1e-300],"scale":[2,1e300]}',
    '{"method":"robust","center":[1,2],"scale":[3,4]}',
    '{"method":"none","center":[0],"scale":[1]}',
]
BROKEN_SCALERS = [
    '{"method":"standard","center":[1],"scale":[0]}',
    '{"method":"standard","center":[1],"scale":[-1]}',
    '{"method":"standard","center":[1,2],"scale":[1]}',
    '{"method":"standard","center":[1e999],"scale":[1]}',
    '{"method":"zscore","center":[1],"scale":[1]}',
    '{"method":"none","center":[],"scale":[]}',
    '{"method":"none","center":[0],"scale":[1],"extra":1}',
    '{"method":"none","center":[0],"scale":[1]} x',
    '{"method":"none","center":["\\ud800"],"scale":[1]}',
    '{"a":' * 70 + "1" + "}" * 70,
]


def write(target, name, data):
    """Writes one seed file into the target's corpus directory."""
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def broken_models(text):
    """Model texts with one thing wrong each (as sql/types.sql and sql/robustness.sql)."""
    model = json.loads(text)

    def with_(path, value):
        m = json.loads(text)
        obj = m
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value
        return json.dumps(m, separators=(",", ":"))

    return {
        "truncated": text[: len(text) // 2],
        "version99": with_(["version"], 99),
        "k0": with_(["k"], 0),
        "dims_wrong": with_(["dims"], model["dims"] + 1),
        # dims and k are only claims: nothing may be allocated for them before the arrays
        # that back them are read (dims = 2^31 - 1 once reserved 16 GB).
        "dims_huge": with_(["dims"], 2**31 - 1),
        "k_huge": with_(["k"], 2**31 - 1),
        "zero_scale": with_(["scaler", "scale", 0], 0),
        "negative_scale": with_(["scaler", "scale", 0], -1.5),
        "nan": with_(["inertia"], float("nan")),
        "huge_number": re.sub(r'"inertia":[^,]*', '"inertia":1e999', text),
        "sizes_sum": with_(["sizes", 0], model["sizes"][0] + 1),
        "deep": '{"algorithm":"kmeans","version":1,"k":' + "[" * 200 + "]" * 200 + "}",
    }


def mutate_binary(b, offset, new):
    """The bytes b with new written at offset."""
    return b[:offset] + new + b[offset + len(new):]


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    admin = psycopg2.connect(dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute("DROP DATABASE IF EXISTS fuzz_corpus")
    admin.cursor().execute("CREATE DATABASE fuzz_corpus")
    try:
        for f in ("mall", "wholesale"):
            subprocess.run(["psql", "-X", "-q", "-d", "fuzz_corpus", "-f", f"data/load_{f}.sql"],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        conn = psycopg2.connect(dbname="fuzz_corpus")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE EXTENSION customer_seg")
        for name, (features, k, options, table) in FITS.items():
            cur.execute(f"SELECT m::text, segmodel_send(m), (m::jsonb)->>'options', "
                        f"segscaler_send(((m::jsonb)->'scaler')::segscaler), "
                        f"((m::jsonb)->'scaler')::text "
                        f"FROM (SELECT kmeans_fit({features}, %s, %s) AS m FROM {table}) t",
                        (k, options))
            text, binary, opts, scaler_bin, scaler_text = cur.fetchone()
            binary = bytes(binary)
            write("fuzz_model_json", name, text)
            write("fuzz_model_decode", name, binary)
            write("fuzz_kmeans_options", name, opts)
            write("fuzz_scaler_json", name, scaler_text)
            write("fuzz_scaler_decode", name, bytes(scaler_bin))
            for bname, btext in broken_models(text).items():
                write("fuzz_model_json", f"{name}_{bname}", btext)
            write("fuzz_model_decode", f"{name}_truncated", binary[:len(binary) - 9])
            write("fuzz_model_decode", f"{name}_version2", mutate_binary(binary, 4, b"\x02"))
            write("fuzz_model_decode", f"{name}_k_huge",
                  mutate_binary(binary, 12, struct.pack("<i", 2**31 - 1)))
            write("fuzz_model_decode", f"{name}_names_len",
                  mutate_binary(binary, 72, struct.pack("<Q", 2**64 - 1)))
            write("fuzz_model_decode", f"{name}_nan_center",
                  mutate_binary(binary, 80, struct.pack("<d", float("nan"))))
        # k-prototypes models (categorical header, vocabulary, modes) when installed.
        cur.execute("SELECT to_regprocedure('kprototypes_fit(float8[],text[],int,jsonb)')")
        if cur.fetchone()[0] is not None:
            for name, options in (("kproto3", '{"n_init": 1}'),
                                  ("kproto2_impute", '{"n_init": 1, "missing": "impute", '
                                                     '"categorical_names": ["gender"]}')):
                cur.execute("SELECT m::text, segmodel_send(m) FROM (SELECT kprototypes_fit("
                            "ARRAY[age, annual_income], ARRAY[gender], %s, %s) AS m "
                            "FROM mall_customers) t", (3 if name == "kproto3" else 2, options))
                text, binary = cur.fetchone()
                binary = bytes(binary)
                write("fuzz_model_json", name, text)
                write("fuzz_model_json", f"{name}_truncated", text[: len(text) * 2 // 3])
                write("fuzz_model_decode", name, binary)
                write("fuzz_model_decode", f"{name}_truncated", binary[:-5])
                write("fuzz_model_decode", f"{name}_categories",
                      mutate_binary(binary, 88, struct.pack("<Q", 2**40)))
                # The int32 modes end with zero padding to 8 bytes; a decoder that ignores
                # it accepts two encodings of one model (a fuzz finding, kept as a seed).
                if name == "kproto3":
                    write("fuzz_model_decode", f"{name}_nonzero_padding",
                          mutate_binary(binary, 375, b"\x02"))
        for i, s in enumerate(SCALERS):
            cur.execute("SELECT segscaler_send(%s::segscaler)", (s,))
            b = bytes(cur.fetchone()[0])
            write("fuzz_scaler_json", f"valid_{i}", s)
            write("fuzz_scaler_decode", f"valid_{i}", b)
            write("fuzz_scaler_decode", f"zero_scale_{i}",
                  mutate_binary(b, len(b) - 8, struct.pack("<d", 0.0)))
            write("fuzz_scaler_decode", f"neg_scale_{i}",
                  mutate_binary(b, len(b) - 8, struct.pack("<d", -1.0)))
            write("fuzz_scaler_decode", f"inf_center_{i}",
                  mutate_binary(b, 16, struct.pack("<d", float("inf"))))
            write("fuzz_scaler_decode", f"truncated_{i}", b[:-1])
            write("fuzz_scaler_decode", f"dims_{i}", mutate_binary(b, 8, struct.pack("<i", -1)))
        for i, s in enumerate(BROKEN_SCALERS):
            write("fuzz_scaler_json", f"broken_{i}", s)
        for i, o in enumerate(OPTIONS):
            write("fuzz_kmeans_options", f"opt_{i}", o)
        conn.close()
    finally:
        admin.cursor().execute("DROP DATABASE IF EXISTS fuzz_corpus WITH (FORCE)")
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)
        print(f"{target}: {len(files)} seeds, {size} bytes")


if __name__ == "__main__":
    sys.exit(main())
