#!/usr/bin/env python3
"""Usage: check_report_render.py DBMTOOL CDNOW_SAMPLE

Renders the `dbmtool report` page in headless Chromium (Debian's
`chromium`, which scripts/test.sh installs) and checks that it draws:
  - the page logs nothing to the console (no script error, no resource
    refused by its Content-Security-Policy);
  - a copy of the page with a measuring script added reports, for every
    <svg data-chart>, a box on the page and a non-empty box for every mark;
  - in a screenshot of the unmodified page, every chart's region holds
    drawn pixels and the pixel under the centre of every mark is not the
    white background.
Exits 77 (skip) with the reason when Chromium is missing or cannot start.
Standard library only: the PNG is decoded with zlib and struct.
"""
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import report_fixture as fx

WIDTH = 1000
MEASURE = """<script>
(function () {
  var out = {height: document.documentElement.scrollHeight, charts: []};
  function box(el) {
    var r = el.getBoundingClientRect();
    return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];
  }
  document.querySelectorAll('svg[data-chart]').forEach(function (svg) {
    var marks = [];
    svg.querySelectorAll('.mark').forEach(function (m) { marks.push(box(m)); });
    out.charts.push({name: svg.getAttribute('data-chart'), box: box(svg), marks: marks});
  });
  document.body.setAttribute('data-layout', JSON.stringify(out));
})();
</script>
"""


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def chromium(browser, tmp, args, timeout=90):
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={os.path.join(tmp, 'profile')}"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=timeout)


def find_browser(tmp):
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser")
                    if shutil.which(b)), None)
    if browser is None:
        skip("chromium is not installed (scripts/test.sh installs Debian's chromium)")
    try:
        r = chromium(browser, tmp, ["--dump-dom", "data:text/html,<p>alive</p>"], timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        skip(f"chromium cannot run here: {e}")
    if r.returncode != 0 or "alive" not in r.stdout:
        tail = " | ".join(r.stderr.strip().splitlines()[-3:])
        skip(f"chromium cannot run here (exit {r.returncode}): {tail}")
    return browser


def read_png(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    raw = zlib.decompress(b"".join(idat))
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, rows, bpp


def is_background(rows, bpp, x, y):
    px = rows[y][x * bpp:x * bpp + 3]
    return min(px) >= 250


def main(tool, sample):
    check = fx.check
    with tempfile.TemporaryDirectory() as tmp:
        browser = find_browser(tmp)
        p = fx.build(tool, sample, tmp, references=False)
        page = os.path.join(tmp, "report.html")
        fx.must(fx.report_args(tool, p, page))

        # 1. measure the layout in a copy that may run a script
        text = open(page, encoding="utf-8").read()
        measured = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
        measured = measured.replace("</body>", MEASURE + "</body>")
        copy = os.path.join(tmp, "measured.html")
        open(copy, "w", encoding="utf-8").write(measured)
        r = chromium(browser, tmp, [f"--window-size={WIDTH},1000", "--virtual-time-budget=5000",
                                    "--dump-dom", "file://" + copy])
        found = re.search(r'data-layout="([^"]*)"', r.stdout)
        if not check(found is not None, f"no layout measured (exit {r.returncode})"):
            return 1
        layout = json.loads(html.unescape(found.group(1)))
        names = sorted({c["name"] for c in layout["charts"]})
        check(names == ["campaign-funnel", "campaign-held-back", "campaign-uplift", "holdout",
                        "p-alive-histogram", "rfm-grid", "segment-sizes"],
              f"charts rendered: {names}")
        height = min(int(layout["height"]), 16000)

        # 2. render the page itself: no console message, a screenshot
        shot = os.path.join(tmp, "report.png")
        r = chromium(browser, tmp, [f"--window-size={WIDTH},{height}", "--enable-logging=stderr",
                                    "--v=0", f"--screenshot={shot}", "file://" + page])
        console = [l for l in r.stderr.splitlines() if "CONSOLE" in l]
        check(r.returncode == 0 and os.path.exists(shot), f"screenshot failed: exit {r.returncode}")
        check(not console, f"console messages: {console[:3]}")
        if not os.path.exists(shot):
            return 1
        width, h, rows, bpp = read_png(shot)
        check((width, h) == (WIDTH, height), f"screenshot is {width}x{h}")
        check(is_background(rows, bpp, 2, 2), "the page background is not white")

        # 3. every chart drawn, every mark visible
        marks = 0
        for chart in layout["charts"]:
            x0, y0, w, hh = (int(v) for v in chart["box"])
            inside = [(x, y) for y in range(max(y0, 0), min(y0 + hh, h), 2)
                      for x in range(max(x0, 0), min(x0 + w, width), 2)]
            drawn = sum(not is_background(rows, bpp, x, y) for x, y in inside)
            check(w > 0 and hh > 0 and drawn > 0.01 * max(len(inside), 1),
                  f"{chart['name']}: {drawn} of {len(inside)} sampled pixels drawn")
            check(len(chart["marks"]) > 0, f"{chart['name']}: no marks")
            for mx, my, mw, mh in chart["marks"]:
                marks += 1
                cx, cy = int(mx + mw / 2), int(my + mh / 2)
                visible = mw > 0 and mh > 0 and 0 <= cx < width and 0 <= cy < h and any(
                    not is_background(rows, bpp, min(max(cx + dx, 0), width - 1),
                                      min(max(cy + dy, 0), h - 1))
                    for dx in (-1, 0, 1) for dy in (-1, 0, 1))
                check(visible, f"{chart['name']}: mark at ({cx},{cy}) {mw:.1f}x{mh:.1f} "
                               "not drawn")
        print(f"rendered {len(layout['charts'])} charts, {marks} marks, page {width}x{h}")
    return fx.finish("ok: report renders in chromium")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
