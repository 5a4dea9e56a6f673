"""The charts and the report in a real browser (Debian's headless Chromium).

Each chart (sweep, silhouette, map, profile, dendrogram) is rendered from its own bytes as a
standalone SVG image on a page that measures it inside Chromium (browser.render_svg): it
loaded and parsed, has a title, the expected marks, axis titles and a legend, no script, and
is not blank (enough non-white pixels, Okabe-Ito colours drawn exactly). The seg_report pages
(k-means over a table whose column is named <script>alert(1)</script>, and a hierarchical
model) are loaded as files: the DOM after load has the inline charts, no script element, the
hostile name as text; a screenshot of the k-means page is not blank.

Run alone: pg_virtualenv -v 15 /usr/bin/python3 test/integration/test_charts_browser.py
With CSEG_SCREENSHOT_DIR=dir it also writes screenshots of every chart and the report there
(how docs/charts/*.png are made).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import browser
from dbtest import ROOT, Checks, connect, fresh_database

# Okabe-Ito colours of segments 0..4 (src/core/svg.cpp), as 0xRRGGBB and as RGB.
PALETTE = [0xE69F00, 0x56B4E9, 0x009E73, 0xF0E442, 0x0072B2]
PALETTE_RGB = [(c >> 16, (c >> 8) & 255, c & 255) for c in PALETTE]
FEATURES = "ARRAY[age, annual_income, spending_score]::float8[]"


def count(dom, pattern):
    """Matches of a regular expression in the dumped DOM."""
    return len(re.findall(pattern, dom))


def main():
    checks = Checks()
    if browser.chromium() is None:
        checks.check(False, "chromium is installed (scripts/install_deps.sh installs it)")
        checks.finish()
    out_dir = tempfile.mkdtemp(prefix="cseg-charts-")
    shots = os.environ.get("CSEG_SCREENSHOT_DIR")
    with fresh_database("it_charts_browser") as db:
        cur = connect(db).cursor()
        cur.execute("CREATE TABLE model AS SELECT kmeans_fit(" + FEATURES + ", 5, "
                    "'{\"feature_names\": [\"age\", \"income\", \"score\"]}') AS m "
                    "FROM mall_customers")
        charts = {}
        cur.execute("SELECT seg_sweep_chart(s) FROM seg_sweep('mall_customers', "
                    "ARRAY['age', 'annual_income', 'spending_score'], 1, 10) s")
        charts["sweep"] = cur.fetchone()[0]
        cur.execute("SELECT seg_silhouette_chart(m, " + FEATURES + ") FROM mall_customers, model")
        charts["silhouette"] = cur.fetchone()[0]
        cur.execute("SELECT seg_map_chart(m, " + FEATURES + ") FROM mall_customers, model")
        charts["map"] = cur.fetchone()[0]
        cur.execute("SELECT seg_profile_chart(m) FROM model")
        charts["profile"] = cur.fetchone()[0]
        cur.execute("CREATE TABLE tree AS SELECT hclust_fit(" + FEATURES + ", 5) AS m "
                    "FROM mall_customers")
        cur.execute("SELECT seg_dendrogram_chart(m) FROM tree")
        charts["dendrogram"] = cur.fetchone()[0]
        cur.execute("SELECT seg_report(m, 'mall_customers', ARRAY['age', 'annual_income', "
                    "'spending_score']) FROM tree")
        tree_report = cur.fetchone()[0]
        # The report over a table whose first column is named like an attack.
        cur.execute('CREATE TABLE hostile AS SELECT age AS "<script>alert(1)</script>", '
                    "annual_income, spending_score FROM mall_customers")
        cur.execute("SELECT seg_report(m, 'hostile', ARRAY['<script>alert(1)</script>', "
                    "'annual_income', 'spending_score']) FROM model")
        report = cur.fetchone()[0]
        # `make report` writes the same page for any model (scripts/report.sh).
        made = os.path.join(out_dir, "made.html")
        run = subprocess.run(
            ["make", "-s", "--no-print-directory", "report", f"REPORT_DB={db}",
             "REPORT_MODEL=(SELECT m FROM model)", "REPORT_SOURCE=hostile",
             "REPORT_FEATURES=<script>alert(1)</script>,annual_income,spending_score",
             f"REPORT_OUT={made}"], cwd=ROOT, capture_output=True, text=True, check=False)
        with open(made, encoding="utf-8") if os.path.exists(made) else open(os.devnull) as f:
            checks.check(run.returncode == 0 and f.read() == report + "\n",
                         f"make report wrote the same page ({run.stdout.strip()}{run.stderr.strip()})")

    expected = {  # chart -> (CSS selector of a mark, how many at least)
        "sweep": [("circle.point.inertia", 10), ("rect.point.silhouette", 9),
                  ("line.elbow", 2), ("circle.best", 1)],
        "silhouette": [("path.cluster", 5), ("line.mean", 1)],
        "map": [("g.points > circle", 200), ("circle.centroid", 5)],
        "profile": [("rect.cell", 15), ("text.feature-label", 3)],
        # 200 leaves: the last 30 clusters drawn, 29 links, the cut dashed.
        "dendrogram": [("path.link", 29), ("circle.leaf", 30), ("line.cut", 1)],
    }
    common = ["text.axis-title.x", "text.axis-title.y", "g.legend"]
    for name, svg in charts.items():
        selectors = [sel for sel, _ in expected[name]] + common
        r = browser.render_svg(svg, selectors, PALETTE)
        checks.check(r["width"] > 0 and not r["parse_error"] and r["title"],
                     f"{name}: Chromium loaded the standalone SVG ({r['width']} x {r['height']}, "
                     f"title {r['title']!r})")
        for sel, least in expected[name]:
            n = r["marks"][sel]
            checks.check(n >= least, f"{name}: {n} x {sel} (>= {least})")
        checks.check(all(r["marks"][sel] >= 1 for sel in common),
                     f"{name}: axis titles and a legend ({[r['marks'][sel] for sel in common]})")
        checks.check(r["scripts"] == 0, f"{name}: no script element")
        checks.check(r["ink"] > 0.02, f"{name}: {100 * r['ink']:.1f} % of the pixels are not white")
        need = 1 if name == "profile" else 2
        checks.check(len(r["colours"]) >= need,
                     f"{name}: {len(r['colours'])} Okabe-Ito colours drawn")
        if shots:  # the pictures in docs/: the chart file as Chromium shows it
            path = os.path.join(out_dir, name + ".svg")
            with open(path, "w", encoding="utf-8") as f:
                f.write(svg)
            png = os.path.join(shots, f"{name}.png")
            checks.check(browser.screenshot(path, png, 980, 640), f"{name}: screenshot written")

    path = os.path.join(out_dir, "report.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(report)
    dom = browser.dump_dom(path)
    checks.check(count(dom, r"<svg") == 3, f"report: {count(dom, r'<svg')} inline charts (3)")
    checks.check(count(dom, r"<script") == 0, "report: no script element in the DOM")
    checks.check("&lt;script&gt;alert(1)&lt;/script&gt;" in dom,
                 "report: the feature <script>alert(1)</script> shows as text")
    checks.check(count(dom, r'class="cell"') == 15 and count(dom, r'class="centroid"') == 5,
                 "report: the heat map and the map are drawn")
    png = os.path.join(out_dir, "report.png")
    checks.check(browser.screenshot(path, png, 1000, 1200), "report: screenshot taken")
    share, colours = browser.ink(png)
    checks.check(share > 0.02 and sum(1 for c in PALETTE_RGB if c in colours) >= 2,
                 f"report: {100 * share:.1f} % ink, palette colours present")
    if shots:
        browser.screenshot(path, os.path.join(shots, "report.png"), 1000, 2600)

    path = os.path.join(out_dir, "tree_report.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(tree_report)
    dom = browser.dump_dom(path)
    checks.check(count(dom, r"<svg") == 4 and count(dom, r'class="link"') >= 29,
                 f"hierarchical report: {count(dom, r'<svg')} inline charts (4), the tree drawn")
    shutil.rmtree(out_dir, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    sys.exit(main())
