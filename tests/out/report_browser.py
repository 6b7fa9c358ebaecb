#!/usr/bin/python3
"""report_browser - load an HTML report in headless Chromium (Debian's
chromium and chromium-driver, through python3-selenium) and check what a
reader sees: no console error, no network request, one chart per incident
row, every SVG rendered with a size, no horizontal overflow at 1280 px;
with WANT_BANDS=N in the environment, N incident sections have an MTA band
(svg.mta right after the chart, as wide as it, one sized cell per day).

    report_browser.py REPORT.html SCREENSHOT.png WANT_IDS [--self-test]

WANT_IDS holds the expected incident ids, one a line. Prints "ok - ..." or
"FAIL - ..." lines; exits 1 on any failure. With --self-test, also loads a
doctored copy of the report (a zero-size chart, a missing chart, a row
without incident, an image from the network, a console error, a 3000 px
block, the MTA bands removed) and checks that each check fails on it, so
none passes vacuously.
"""
import json
import os
import re
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

WIDTH = 1280
HEIGHT = 1600  # the first screen is the screenshot: table and first charts

# rows of the incident table -> the chart section headed by the h3 whose id
# is the row's last cell; the section runs to the next heading
PAGE_JS = """
const out = {rows: [], sections: {}, svgs: [], errors: []};
for (const tr of document.querySelectorAll('table.incidents tr')) {
  const td = tr.querySelectorAll('td');
  if (td.length) out.rows.push(td[td.length - 1].textContent.trim());
}
for (const h of document.querySelectorAll('h3[id]')) {
  const svgs = [];
  for (let e = h.nextElementSibling; e && !/^H[1-3]$/.test(e.tagName);
       e = e.nextElementSibling)
    if (e.tagName.toLowerCase() === 'svg') svgs.push(e);
  out.sections[h.id] = svgs.map(s => {
    const r = s.getBoundingClientRect();
    const drawn = [...s.querySelectorAll('path,polyline,rect,line')]
      .filter(g => { const b = g.getBoundingClientRect();
                     return b.width > 0 || b.height > 0; }).length;
    const cells = [...s.querySelectorAll('g.mta-day')]
      .filter(g => { const b = g.getBoundingClientRect();
                     return b.width > 0 && b.height > 0; }).length;
    return {cls: s.getAttribute('class'), w: r.width, h: r.height,
            drawn: drawn, cells: cells};
  });
}
// the content box: an empty SVG still has the stylesheet's border
for (const s of document.querySelectorAll('svg')) {
  const r = s.getBoundingClientRect(), c = getComputedStyle(s);
  const px = (a, b) => parseFloat(c[a]) + parseFloat(c[b]);
  out.svgs.push({
    w: r.width - px('borderLeftWidth', 'borderRightWidth') -
       px('paddingLeft', 'paddingRight'),
    h: r.height - px('borderTopWidth', 'borderBottomWidth') -
       px('paddingTop', 'paddingBottom')});
}
out.scrollWidth = document.documentElement.scrollWidth;
out.clientWidth = document.documentElement.clientWidth;
out.innerWidth = window.innerWidth;
out.resources = performance.getEntriesByType('resource').map(e => e.name);
return out;
"""


def browser(tmp):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")  # Chromium refuses root otherwise
    for a in ("--headless=new", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--no-default-browser-check", "--disable-extensions",
              "--disable-background-networking", "--disable-sync",
              "--disable-component-update", "--disable-default-apps",
              "--force-device-scale-factor=1",
              "--user-data-dir=" + os.path.join(tmp, "profile"),
              "--window-size=%d,%d" % (WIDTH, HEIGHT)):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs",
                        {"browser": "ALL", "performance": "ALL"})
    svc = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"),
                  log_path=os.path.join(tmp, "chromedriver.log"))
    drv = webdriver.Chrome(service=svc, options=opts)
    drv.set_page_load_timeout(60)
    drv.set_script_timeout(30)
    # the viewport, not the window, is 1280 px wide
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
        "mobile": False})
    # a request that leaves the file would fail here rather than wait
    drv.execute_cdp_cmd("Network.enable", {})
    drv.execute_cdp_cmd("Network.setBlockedURLs", {"urls": [
        "http://*", "https://*", "ws://*", "wss://*", "ftp://*"]})
    return drv


def check(drv, path, want_ids, shot):
    """check one page: a dict check name -> (passed, detail)"""
    url = "file://" + os.path.abspath(path)
    drv.get_log("browser")  # drop what an earlier page left
    drv.get_log("performance")
    drv.get(url)
    page = drv.execute_script(PAGE_JS)
    res = {}

    logs = drv.get_log("browser")
    errs = [e["message"] for e in logs if e["level"] == "SEVERE"]
    res["no console error"] = (not errs, "; ".join(errs[:3]))

    reqs = []
    for e in drv.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m["method"] == "Network.requestWillBeSent":
            reqs.append(m["params"]["request"]["url"])
    other = [u for u in reqs if u != url] + page["resources"]
    res["no network request"] = (url in reqs and not other,
                                 "requests: %s" % (other or reqs)[:3])

    rows, sec = page["rows"], page["sections"]
    res["incident rows are the incidents"] = (
        sorted(rows) == sorted(want_ids),
        "rows %s, want %s" % (rows, want_ids))
    charts = {i: [s for s in sec.get(i, []) if s["cls"] == "chart"]
              for i in rows}
    bad = [i for i in rows if len(charts[i]) != 1]
    res["one chart per incident row"] = (
        rows and not bad and len(sec) == len(rows),
        "%d rows, %d sections, without exactly one chart: %s"
        % (len(rows), len(sec), bad))
    bad = [i for i in rows for s in charts[i] if s["drawn"] < 3]
    res["every chart draws its series"] = (rows and not bad,
                                           "empty: %s" % bad)
    if os.environ.get("WANT_BANDS") is not None:
        want_bands = int(os.environ["WANT_BANDS"])
        bands = {i: [s for s in sec.get(i, []) if s["cls"] == "mta"]
                 for i in rows}
        order_bad = [i for i in rows if bands[i] and
                     [s["cls"] for s in sec[i]] != ["chart", "mta"]]
        size_bad = [i for i in rows for b in bands[i]
                    if b["cells"] != 60 or len(charts[i]) != 1 or
                    abs(b["w"] - charts[i][0]["w"]) > 0.5 or b["h"] <= 0]
        n = sum(1 for i in rows if bands[i])
        res["%d MTA bands, under their charts, 60 sized cells each"
            % want_bands] = (
            n == want_bands and not order_bad and not size_bad,
            "%d bands; out of place: %s; bad size or cells: %s"
            % (n, order_bad, size_bad))
    bad = [s for s in page["svgs"] if not (s["w"] > 0 and s["h"] > 0)]
    res["every SVG has a size"] = (
        page["svgs"] and not bad,
        "%d of %d SVGs without size" % (len(bad), len(page["svgs"])))

    res["no horizontal overflow at %d px" % WIDTH] = (
        page["innerWidth"] == WIDTH and
        page["scrollWidth"] <= page["clientWidth"],
        "innerWidth %d, scrollWidth %d > clientWidth %d"
        % (page["innerWidth"], page["scrollWidth"], page["clientWidth"]))
    if shot is not None:
        drv.save_screenshot(shot)
        res["screenshot written"] = (os.path.getsize(shot) > 10000, shot)
    return res, len(rows)


def doctor(src, dst):
    """a copy of the report that every check must reject"""
    with open(src) as f:
        html = f.read()
    svg = re.compile(r'<svg\b[^>]*class="chart".*?</svg>', re.S)
    html = re.sub(r'<svg\b[^>]*class="mta".*?</svg>', "", html, flags=re.S)
    html = svg.sub('<svg xmlns="http://www.w3.org/2000/svg" class="chart" '
                   'width="0" height="0"></svg>', html, count=1)
    m = list(svg.finditer(html))
    if len(m) < 2:
        sys.exit("report_browser: fewer than 2 charts to doctor")
    html = html[:m[1].start()] + html[m[1].end():]
    html = re.sub(r'(<table class="incidents">.*?</tr>)',
                  r"\1<tr><td>bogus</td><td>no-such-incident</td></tr>",
                  html, count=1, flags=re.S)
    html = html.replace("</body>", '<img src="http://127.0.0.1:9/x.png" '
                        'alt=""/><div style="width:3000px">wide</div>'
                        '<script>console.error("doctored")</script></body>')
    with open(dst, "w") as f:
        f.write(html)


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[4:] not in ([],
                                                          ["--self-test"]):
        sys.exit(__doc__)
    report, shot, ids = sys.argv[1:4]
    with open(ids) as f:
        want = [line.strip() for line in f if line.strip()]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="rw-chromium.") as tmp:
        drv = browser(tmp)
        try:
            res, n = check(drv, report, want, shot)
            for name, (good, detail) in res.items():
                print("ok - %s" % name if good else
                      "FAIL - %s: %s" % (name, detail))
                failed += not good
            print("# %d incidents" % n)
            if len(sys.argv) == 5:
                bad = os.path.join(tmp, "doctored.html")
                doctor(report, bad)
                res, _ = check(drv, bad, want, None)
                for name, (good, detail) in res.items():
                    print("FAIL - doctored report passes: %s" % name
                          if good else "ok - fails on a doctored report: "
                          "%s (%s)" % (name, detail[:100]))
                    failed += good
        finally:
            drv.quit()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
