"""Headless Chromium for the chart tests: render an SVG chart and measure it inside the browser
(pixels on a canvas, marks through DOMParser), load a file and dump its DOM, take a screenshot
and read its pixels (a small PNG decoder on zlib and numpy).

Chromium runs with a fresh profile directory per call and with everything that would reach the
network or update itself switched off.
"""
import base64
import html
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib

import numpy as np

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--hide-scrollbars"]


def chromium():
    """The Chromium executable, or None when it is not installed."""
    return shutil.which("chromium")


def _run(args, timeout=120):
    """Runs Chromium with FLAGS + args and a throwaway profile; returns stdout."""
    profile = tempfile.mkdtemp(prefix="cseg-chromium-")
    try:
        out = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=timeout, check=False)
        return out.stdout.decode("utf-8", "replace")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# The page render_svg loads: the chart's own bytes as an image (Chromium parses and renders it
# as a standalone SVG document), drawn on a canvas whose pixels are counted, and the same bytes
# parsed with DOMParser to count the marks; the result is written into the DOM as JSON.
_HARNESS = """<!DOCTYPE html>
<html><body><img id="chart" src="data:image/svg+xml;base64,%(b64)s"><pre id="result">no result</pre>
<script>
window.addEventListener("load", function () {
  var out = {};
  var img = document.getElementById("chart");
  out.width = img.naturalWidth; out.height = img.naturalHeight;
  var canvas = document.createElement("canvas");
  canvas.width = Math.max(1, out.width); canvas.height = Math.max(1, out.height);
  var g = canvas.getContext("2d");
  g.fillStyle = "#ffffff"; g.fillRect(0, 0, canvas.width, canvas.height);
  if (out.width > 0) g.drawImage(img, 0, 0);
  var px = g.getImageData(0, 0, canvas.width, canvas.height).data, ink = 0, seen = {};
  for (var i = 0; i < px.length; i += 4) {
    if (px[i] != 255 || px[i + 1] != 255 || px[i + 2] != 255) ink++;
    seen[(px[i] << 16) | (px[i + 1] << 8) | px[i + 2]] = 1;
  }
  out.ink = ink / (canvas.width * canvas.height);
  out.colours = %(colours)s.filter(function (c) { return seen[c] === 1; });
  var text = new TextDecoder().decode(Uint8Array.from(atob("%(b64)s"), function (ch) {
    return ch.charCodeAt(0); }));
  var doc = new DOMParser().parseFromString(text, "image/svg+xml");
  out.parse_error = doc.getElementsByTagName("parsererror").length > 0;
  out.title = doc.querySelector("svg > title") ? doc.querySelector("svg > title").textContent : null;
  out.scripts = doc.getElementsByTagName("script").length;
  out.marks = {};
  %(selectors)s.forEach(function (s) { out.marks[s] = doc.querySelectorAll(s).length; });
  document.getElementById("result").textContent = JSON.stringify(out);
});
</script></body></html>
"""


def render_svg(svg, selectors, colours):
    """Renders the SVG document `svg` (text) in Chromium and returns what the page measured:
    width, height (0 when Chromium could not load it), ink (share of non-white pixels), the
    colours of `colours` (0xRRGGBB ints) that were drawn exactly, parse_error, title, scripts
    (script elements) and marks (CSS selector -> elements matching it)."""
    b64 = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    page = _HARNESS % {"b64": b64, "selectors": json.dumps(selectors),
                       "colours": json.dumps(colours)}
    folder = tempfile.mkdtemp(prefix="cseg-render-")
    try:
        path = os.path.join(folder, "render.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        dom = dump_dom(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    if found is None or found.group(1) == "no result":
        raise RuntimeError("Chromium did not run the render page")
    return json.loads(html.unescape(found.group(1)))


def dump_dom(path):
    """The DOM of file `path` after load, serialized by Chromium (--dump-dom)."""
    return _run(["--dump-dom", "file://" + os.path.abspath(path)])


def screenshot(path, png, width=1000, height=900):
    """Renders file `path` into the PNG file `png`; returns True when it was written."""
    if os.path.exists(png):
        os.remove(png)
    _run([f"--screenshot={os.path.abspath(png)}", f"--window-size={width},{height}",
          "file://" + os.path.abspath(path)])
    return os.path.exists(png) and os.path.getsize(png) > 0


def _unfilter_sequential(filt, line, prev, channels):
    """Undoes PNG filter 3 (average) or 4 (Paeth) on one row, byte by byte (each byte depends
    on the decoded byte to its left)."""
    out, up = line.tolist(), prev.tolist()
    for i in range(len(out)):
        a = out[i - channels] if i >= channels else 0
        b = up[i]
        if filt == 3:
            out[i] = (out[i] + ((a + b) >> 1)) & 255
            continue
        c = up[i - channels] if i >= channels else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        out[i] = (out[i] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
    return np.array(out, dtype=np.uint8)


def png_pixels(png):
    """(width, height, pixels): an 8-bit RGB/RGBA PNG as a height x width x 3 numpy array.
    Filters 0-2 are undone with numpy, 3 and 4 byte by byte."""
    with open(png, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            if depth != 8 or colour not in (2, 6) or interlace != 0:
                raise ValueError("unsupported PNG format")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        filt, line = raw[y, 0], raw[y, 1:]
        if filt == 0:
            cur = line.copy()
        elif filt == 1:
            cur = (np.cumsum(line.reshape(width, channels), axis=0, dtype=np.uint32)
                   .reshape(stride) & 255).astype(np.uint8)
        elif filt == 2:
            cur = line + prev  # uint8 arithmetic wraps modulo 256
        elif filt in (3, 4):
            cur = _unfilter_sequential(filt, line, prev, channels)
        else:
            raise ValueError("bad PNG filter")
        out[y] = cur
        prev = cur
    return width, height, out.reshape(height, width, channels)[:, :, :3]


def ink(png):
    """Share of pixels that are not white, and the set of distinct colours, of a screenshot."""
    width, height, px = png_pixels(png)
    packed = (px[:, :, 0].astype(np.uint32) << 16) | (px[:, :, 1].astype(np.uint32) << 8) | px[:, :, 2]
    dark = int(np.count_nonzero(packed != 0xFFFFFF))
    colours = {(int(v) >> 16, (int(v) >> 8) & 255, int(v) & 255) for v in np.unique(packed)}
    return dark / float(width * height), colours
