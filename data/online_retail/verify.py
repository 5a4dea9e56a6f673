"""Checks data/online_retail/online_retail.csv.gz against the md5 of the 305 original files.

The shipped file is the header line followed by the data rows of every original daily file
(databricks/Spark-The-Definitive-Guide, data/retail-data/by-day/YYYY-MM-DD.csv) in file-name
order, each line byte for byte. Splitting it back by the date of InvoiceDate and adding the
header to each day must reproduce every original file exactly.

Run: /usr/bin/python3 data/online_retail/verify.py      (exit status 0 when all match)
"""
import csv
import gzip
import hashlib
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
expected = {}
with open(os.path.join(here, "online-retail-by-day.md5")) as f:
    for line in f:
        digest, name = line.split()
        expected[name] = digest

with gzip.open(os.path.join(here, "online_retail.csv.gz"), "rb") as f:
    lines = f.read().split(b"\n")
assert lines[-1] == b"", "the file must end with a newline"
header, rows = lines[0] + b"\n", lines[1:-1]

days = {}
order = []
for raw, fields in zip(rows, csv.reader(line.decode("utf-8") for line in rows)):
    day = fields[4][:10] + ".csv"
    if day not in days:
        days[day] = [header]
        order.append(day)
    days[day].append(raw + b"\n")

bad = 0
for name in sorted(expected):
    got = hashlib.md5(b"".join(days.get(name, []))).hexdigest()
    if got != expected[name]:
        print("MISMATCH", name, got, expected[name])
        bad += 1
if sorted(days) != sorted(expected) or order != sorted(order):
    print("the days in the file differ from the md5 list, or are out of order")
    bad += 1
print(f"{len(rows)} rows, {len(days)} days, {len(expected) - bad} of {len(expected)} files match")
sys.exit(1 if bad else 0)
