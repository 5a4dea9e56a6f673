"""The documentation's SQL examples print what the code prints.

README.md and docs/*.md mark their checked examples with an HTML comment (invisible on GitHub)
on the line before a fenced block:

  <!-- doc-example: ID -->   before a ```sql block: the statements are run and their output
                              must equal the fenced block that follows (only blank lines between)
  <!-- doc-example: ID -->   before a plain ``` block written as psql echoes it (statements
                              and their output mixed, "=# " prompts allowed): the statements
                              are run with ECHO all and the whole block is compared
  <!-- doc-setup: ID -->     before a ```sql block: run, no output compared, no ERROR allowed
  <!-- doc-demo: ID -->      before a plain ``` block: what scripts/demo.sql printed
  <!-- doc-excerpt: ID expected/X.out ... -->   before a plain ``` block quoted from the
                              pg_regress expected output named (whose tables the README does
                              not create): every line of it must be a line of those files,
                              once a trailing "-- comment" and a "=# " prompt are taken off,
                              leading blanks aside; lines with "..." (an abridged statement)
                              are not compared

Each document runs its marked blocks in document order in one psql session (so temporary
tables and settings carry over), on a fresh database set up as the README tells a reader to:
scripts/demo.sql (customer_seg, mall_customers, mall_segments, mall_labelled), then
data/load_wholesale.sql and data/load_marketing.sql. Roles a document creates are dropped
before it runs. Comparison, after normalisation of both sides:
trailing blanks, psql's "+" line-continuation marks, blank lines and "(N rows)" footers are
ignored; a line "..." in the documentation stands for any number of lines; timings
("0.607 s", "1015950 rows/s") and the inertia and centre shift of kmeans_stream_fit's progress
NOTICEs and their tolerance (their last digits depend on the parallel workers' order) match any
number. The README's table-of-
contents and in-document links must name headings that exist (GitHub's anchor rule).

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_doc_examples.py [file.md ...]
"""
import glob
import os
import re
import subprocess
import sys

from dbtest import ROOT, Checks, fresh_database, psql

MARK = re.compile(r"^\s*<!-- doc-(example|setup|demo|excerpt): ([\w.-]+)((?: [\w./-]+)*) -->\s*$")
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
SEP = "@@doc-example-boundary@@"
# psql's own output lines; any other line of an echoed block is input.
OUTPUT_LINE = re.compile(r"^( |-|\(\d+ rows?\)|(NOTICE|WARNING|ERROR|DETAIL|HINT|CONTEXT|LINE \d+|"
                         r"INFO|LOG|STATEMENT|QUERY):)")
TIMING = [(re.compile(r"\b\d+(\.\d+)? s\b"), "<N> s"), (re.compile(r"\b\d+ rows/s\b"), "<N> rows/s"),
          # a stream pass's sums: parallel workers add rows in the order they read them
          # and the tolerance: a share of the seeding pass's sums, added in the same way
          (re.compile(r"(?<=kmeans_stream_fit: pass )(.*inertia) [-+.\de]+(.*centre shift) [-+.\de]+"
                      r"( \(tolerance)? ?[-+.\de]*"),
           r"\1 <N>\2 <N>\3 <N>")]
SETUP = ["scripts/demo.sql", "data/load_wholesale.sql", "data/load_marketing.sql"]


def fenced_blocks(lines):
    """Every fenced block: (first line index, index after the closing fence, language, body)."""
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, j = len(m.group(1)), i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        out.append((i, j + 1, m.group(2), [l[indent:] for l in lines[i + 1:j]]))
        i = j + 1
    return out


def examples(path):
    """The marked blocks of one document: dicts with id, kind, sql, expected, line."""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks = {b[0]: b for b in fenced_blocks(lines)}
    starts = sorted(blocks)
    found = []
    for n, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            if line.strip().startswith("<!-- doc-"):
                raise SystemExit(f"{os.path.relpath(path, ROOT)}:{n + 1}: a doc marker that is "
                                 f"not understood: {line.strip()}")
            continue
        kind, ident, files = m.groups()
        start = next((s for s in starts if s > n), None)
        where = f"{os.path.relpath(path, ROOT)}:{n + 1} ({ident})"
        if start is None or any(l.strip() for l in lines[n + 1:start]):
            raise SystemExit(f"{where}: the marker is not followed by a fenced block")
        _, end, lang, body = blocks[start]
        ex = {"id": ident, "where": where, "kind": kind}
        if kind in ("demo", "excerpt"):
            ex["sql"], ex["echo"], ex["expected"], ex["files"] = "", False, body, files.split()
        elif kind == "setup" or lang == "sql":
            ex["sql"], ex["echo"] = "\n".join(body), False
            if kind == "example":
                after = next((s for s in starts if s >= end), None)
                if after is None or any(l.strip() for l in lines[end:after]) or blocks[after][2]:
                    raise SystemExit(f"{where}: no output block right after the SQL block")
                ex["expected"] = blocks[after][3]
        else:
            ex["sql"] = "\n".join(re.sub(r"^[=-][#>] ", "", l) for l in input_lines(body))
            ex["expected"], ex["echo"] = [re.sub(r"^[=-][#>] ", "", l) for l in body], True
        found.append(ex)
    return found


def input_lines(body):
    """The statements of an echoed block: each starts on a line that is not psql output and
    runs to the line that ends it with ';' (or is a backslash command)."""
    out, inside = [], False
    for line in body:
        if inside or (line.strip() and not OUTPUT_LINE.match(line)):
            out.append(line)
            stripped = re.sub(r"--.*$", "", line).rstrip()
            inside = not (stripped.endswith(";") or stripped.lstrip("=-#> ").startswith("\\"))
    return out


def normalise(lines):
    """Lines as compared: no trailing blanks or '+' marks, no blank lines or row counts,
    timings as placeholders."""
    out = []
    for line in lines:
        line = re.sub(r"\s*\+$", "", line.rstrip()).rstrip()
        if not line.strip() or re.match(r"^\(\d+ rows?\)$", line.strip()):
            continue
        for pattern, repl in TIMING:
            line = pattern.sub(repl, line)
        out.append(line)
    return out


def matches(expected, actual):
    """Whether actual equals expected, a line '...' in expected matching any run of lines."""
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and matches(expected[1:], actual[1:])


def run_document(path, checks):
    """Runs one document's marked blocks in one session and checks each."""
    exs = examples(path)
    for ex in [e for e in exs if e["kind"] == "excerpt"]:
        check_excerpt(ex, checks)
    exs = [e for e in exs if e["kind"] != "excerpt"]
    if not exs:
        return
    script = []
    for ex in exs:
        if ex["kind"] in ("demo", "excerpt"):
            continue
        if ex["echo"]:
            script += ["\\set ECHO all", ex["sql"], "\\set ECHO none"]
        else:
            script.append(ex["sql"])
        script.append(f"\\echo {SEP}")
    roles = sorted(set(re.findall(r"CREATE ROLE (\w+)", "\n".join(e["sql"] for e in exs), re.I)))
    name = "doc_" + re.sub(r"\W", "_", os.path.basename(path)).lower()
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)  # demo.sql writes its report there
    with fresh_database(name, load=()) as db:
        for role in roles:
            psql("postgres", "-c", "SET client_min_messages = warning",
                 "-c", f'DROP ROLE IF EXISTS "{role}"')
        psql(db, "-c", "DROP EXTENSION customer_seg")
        demo = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db]
                              + [a for f in SETUP for a in ("-f", f)], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        checks.check(demo.returncode == 0, f"{os.path.relpath(path, ROOT)}: the setup ran"
                     + ("" if demo.returncode == 0 else ":\n" + demo.stdout[-2000:]))
        run = subprocess.run(["psql", "-X", "-q", "-P", "footer=off", "-d", db],
                             input="\n".join(script) + "\n", cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for role in roles:
        subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f'DROP ROLE IF EXISTS "{role}"'],
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = run.stdout.split(SEP + "\n")
    ran = [e for e in exs if e["kind"] != "demo"]
    for ex in exs:
        if ex["kind"] == "demo":
            got = demo.stdout.split("\n")
        else:
            got = parts[ran.index(ex)] if ran.index(ex) < len(parts) else ""
            got = [l for l in got.split("\n") if l.strip() != "\\set ECHO none"]
        if ex["kind"] == "setup":
            errors = [l for l in got if l.startswith("ERROR:")]
            checks.check(not errors, f"{ex['where']} runs" + (f": {errors[0]}" if errors else ""))
            continue
        want, have = normalise(ex["expected"]), normalise(got)
        ok = matches(want, have)
        checks.check(ok, f"{ex['where']} prints what the documentation shows")
        if not ok:
            print("  --- documented\n" + "\n".join("  " + l for l in want))
            print("  --- printed\n" + "\n".join("  " + l for l in have))
    checks.check(len(parts) == len(ran) + 1, f"{os.path.relpath(path, ROOT)}: every block ran")


def check_excerpt(ex, checks):
    """Every line of a block quoted from pg_regress expected output is one of its lines."""
    have = set()
    for f in ex["files"]:
        full = os.path.join(ROOT, f)
        have |= set(normalise(open(full, encoding="utf-8").read().split("\n"))) \
            if os.path.exists(full) else set()
    want = [re.sub(r"\s+-- .*$", "", re.sub(r"^[=-][#>] ", "", l)) for l in ex["expected"]]
    have |= {l.lstrip() for l in have}
    missing = [l for l in normalise(want) if "..." not in l and l.lstrip() not in have]
    checks.check(ex["files"] and not missing, f"{ex['where']} is in {' '.join(ex['files'])}")
    for line in missing:
        print("  not there: " + line)


def slug(heading):
    """GitHub's anchor for a heading."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    """The anchors of a Markdown file's headings (outside fenced blocks)."""
    seen, inside = {}, False
    for line in open(path, encoding="utf-8"):
        if line.lstrip().startswith("```"):
            inside = not inside
        m = None if inside else re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            s = slug(m.group(1))
            seen[s] = seen.get(s, -1) + 1
            if seen[s]:
                seen[f"{s}-{seen[s]}"] = 0
    return set(seen)


def check_links(path, checks):
    """Every relative link of the file names a file that exists and, for Markdown, a heading."""
    bad = []
    for target in re.findall(r"\]\(([^)\s]+)\)", open(path, encoding="utf-8").read()):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, frag = target.partition("#")
        full = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
        if not os.path.exists(full):
            bad.append(target)
        elif frag and full.endswith(".md") and frag not in anchors(full):
            bad.append(target)
    checks.check(not bad, f"{os.path.relpath(path, ROOT)}: links name existing files and headings"
                 + (f" (broken: {', '.join(bad)})" if bad else ""))


def main():
    """Checks the named documents, or README.md and docs/*.md."""
    docs = [os.path.abspath(p) for p in sys.argv[1:]] or \
        [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    checks = Checks()
    for path in docs:
        check_links(path, checks)
        run_document(path, checks)
    checks.finish()


if __name__ == "__main__":
    main()
