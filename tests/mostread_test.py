"""Most read this week (issue 9 item 6) through real nginx and the worker pool,
with the page keeper comparing the lists every 3 s (GAZETTE_MOSTREAD_REFRESH=3):
views posted in known amounts (POST /api/articles/{id}/view) to articles of two
sections give exactly the ranking and counts of GET /api/articles/most-read for
the site, a section and a subcategory; the lists on the home page and on the
category pages, parsed, are the same, both as the keeper's files and as pages a
worker renders; an article of another section is absent; buckets older than the
window (inserted directly, 10 days ago) do not count, while days=30 sees them;
each view is in today's bucket as much as in the total; unpublishing drops an
article from the lists at once, not an interval later; bad parameters answer 422; the list's heading
follows the site language."""

import html
import json
import os
import re
import sqlite3
import sys
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
REFRESH = 3  # seconds: long enough to tell "at once" from "within an interval"
DAY = 86400
LIST = re.compile(r'<ol class="list most-read-list">(.*?)</ol>', re.S)
ITEM = re.compile(r'<li><a href="/a/(\d+)">(.*?)</a> <span class="most-read-views">(\d+) ')


def page_list(text):
    """[(id, views)] of a page's most-read list; None when the page has none."""
    m = LIST.search(text)
    if not m:
        return None
    return [(int(i), int(v)) for i, _, v in ITEM.findall(m.group(1))]


def from_file(r):
    return bool(r.header("last-modified"))  # nginx sends files with it, the app never


def test(c, scratch):
    os.environ["GAZETTE_MOSTREAD_REFRESH"] = str(REFRESH)
    db = h.make_db(c, scratch.file("gazette.db"))
    r = h.gazette(db, "user", "add", "ada", "--role", "admin", "--password-stdin",
                  stdin=PASSWORD + "\n")
    c.require(r.returncode == 0, "user add", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    get = lambda path, **kw: h.get(port, path, **kw)  # noqa: E731
    api = lambda path: json.loads(get(path).body)  # noqa: E731
    con = sqlite3.connect(db, timeout=30)

    c.check(h.wait_until(lambda: from_file(get("/")) and from_file(get("/c/news/")), 10),
            "the keeper has written home and the category pages")
    c.eq(page_list(get("/").text), None, "no views yet: no most-read list on home")
    c.eq(api("/api/articles/most-read")["articles"], [], "and an empty list in the API")

    def ids(cat, n):
        arts = api(f"/api/articles?category={cat}&per_page={n}")["articles"]
        c.require(len(arts) >= n, f"the demo has {n} articles in {cat}")
        return [a["id"] for a in arts[:n]]

    campus, sports, research = ids("campus", 4), ids("sports", 2), ids("research", 2)
    # Distinct counts, so the order is the counts' alone.
    views = {campus[0]: 7, campus[1]: 5, campus[2]: 2, sports[0]: 6, sports[1]: 1,
             research[0]: 9, research[1]: 3}
    for ident, n in views.items():
        for i in range(n):
            r = get(f"/api/articles/{ident}/view", method="POST")
            c.require(r.status == 200, f"view {i + 1} of {ident} counted", r.body[:200])
    today = int(time.time()) // DAY
    # Old buckets: 10 days ago, one for an article already read, one for an
    # article read only then (campus[3]).
    with con:
        con.execute("INSERT INTO article_views_daily(article_id, day, views) VALUES (?, ?, ?)",
                    (campus[1], today - 10, 500))
        con.execute("INSERT INTO article_views_daily(article_id, day, views) VALUES (?, ?, ?)",
                    (campus[3], today - 10, 1000))

    def stored():
        return [(i, n, con.execute("SELECT views FROM article_views WHERE article_id = ?",
                                   (i,)).fetchone(),
                 con.execute("SELECT views FROM article_views_daily WHERE article_id = ? AND "
                             "day = ?", (i, today)).fetchone()) for i, n in views.items()]
    # The pool answers each view at once and writes them in batches (the
    # view tally): the database holds them a moment later.
    h.wait_until(lambda: all(t == (n,) and b == (n,) for _, n, t, b in stored()), 3)
    bad = stored()
    c.check(all(t == (n,) and b == (n,) for _, n, t, b in bad),
            "each article's total and today's bucket both hold exactly the views posted", bad)

    def ranked(idents):
        return sorted(((i, views[i]) for i in idents), key=lambda x: -x[1])

    want = {
        "": ranked(views),
        "?category=news": ranked(campus[:3] + sports),
        "?category=campus": ranked(campus[:3]),
        "?category=sports": ranked(sports),
        "?category=research": ranked(research),
    }

    def api_list(query):
        return [(a["id"], a["views"]) for a in api("/api/articles/most-read" + query)["articles"]]

    # Each worker reuses a list for up to the refresh interval: after that,
    # every answer has the new counts.
    time.sleep(REFRESH + 0.1)
    for q, w in want.items():
        c.eq(api_list(q), w, f"GET /api/articles/most-read{q}: order and counts")
    c.check(all(i not in dict(api_list("?category=news")) for i in research)
            and all(i not in dict(api_list("?category=research")) for i in campus + sports),
            "an article of another section is absent")
    c.check(campus[3] not in dict(api_list("")), "a bucket of 10 days ago does not count")
    c.eq(api_list("?days=30&limit=3"), [(campus[3], 1000), (campus[1], 505), (research[0], 9)],
         "days=30 counts it, and limit cuts the list")
    c.eq(api_list("?days=1")[:2], [(research[0], 9), (campus[0], 7)], "days=1: today's views")

    doc = json.loads(get("/api/articles/most-read?category=campus&limit=2").body)
    item_keys = set(api("/api/articles?per_page=1")["articles"][0])
    c.eq(set(doc["articles"][0]), item_keys | {"views"},
         "each item has the shape of /api/articles' items, plus views")
    c.eq((doc["category"], doc["days"], doc["limit"]), ("campus", 7, 2), "the answer says its query")
    c.check(doc["articles"][0]["url"].endswith(f"/a/{campus[0]}")
            and doc["articles"][0]["category"]["slug"] == "campus", "with url and category")
    r = get("/api/articles/most-read")
    c.check(r.status == 200 and r.header("etag") and "application/json" in r.header("content-type"),
            "public and cacheable (ETag)")

    for query, field in (("days=0", "days"), ("days=31", "days"), ("days=x", "days"),
                         ("limit=0", "limit"), ("limit=51", "limit"), ("limit=-1", "limit"),
                         ("category=nope", "category"), ("category=Bad%20Slug", "category")):
        r = get(f"/api/articles/most-read?{query}")
        err = json.loads(r.body).get("error", {}) if r.body.startswith(b"{") else {}
        c.check(r.status == 422 and err.get("code") == "invalid" and err.get("fields") == [field],
                f"?{query}: 422 naming {field}", (r.status, r.body[:200]))
    c.eq(get("/api/articles/most-read", method="POST").status, 405, "POST: 405")

    # --- the pages: the keeper's files and a worker's renders show the same lists ------
    pages = {"/": "", "/c/news/": "?category=news", "/c/campus/": "?category=campus",
             "/c/research/": "?category=research"}

    def files_match():
        for path, q in pages.items():
            r = get(path)
            if not from_file(r) or page_list(r.text) != want[q]:
                return False
        return True

    c.check(h.wait_until(files_match, 2 * REFRESH + 2),
            "the keeper rewrote home and the category pages with the new lists (files)",
            {p: page_list(get(p).text) for p in pages})
    for path, q in pages.items():
        r = get(path)
        c.check(from_file(r), f"{path} is a file")
        c.eq(page_list(r.text), want[q], f"{path}: the file's list is the API's")
        # A query string goes to a worker, which renders the page itself.
        r = get(path + "?page=1" if path != "/" else "/?fresh=1")
        c.check(not from_file(r), f"{path} rendered by a worker")
        c.eq(page_list(r.text), want[q], f"{path}: the worker's list is the API's")
    home = get("/").text
    c.check("Most read this week" in html.unescape(home) and f">{views[research[0]]} views<"
            in home and ">1 view<" in home, "the list's heading and counts with their unit "
            "(English, one view singular)")

    # --- unpublishing takes an article off the lists -----------------------------------
    r = get("/api/session", method="POST", headers={"Content-Type": "application/json"},
            body=json.dumps({"username": "ada", "password": PASSWORD}))
    auth = {"Cookie": r.header("set-cookie").split(";")[0],
            "X-CSRF-Token": json.loads(r.body)["csrf_token"], "Content-Type": "application/json"}
    r = get(f"/api/articles/{research[0]}", method="PATCH", headers=auth,
            body=json.dumps({"status": "draft"}))
    c.require(r.status == 200, "unpublish the most read article", r.body[:200])
    t0 = time.monotonic()
    gone = h.wait_until(lambda: research[0] not in dict(api_list(""))
                        and research[0] not in dict(page_list(get("/").text) or []), 3, 0.02)
    c.check(gone and time.monotonic() - t0 < 1.5,
            "an unpublished article leaves the API and home lists at once (not after an interval)",
            f"{time.monotonic() - t0:.2f} s")
    c.eq(page_list(get("/").text), ranked(campus[:3] + sports + research[1:]),
         "the home list without it")

    # --- Chinese labels ------------------------------------------------------------------
    r = h.gazette(db, "setting", "set", "ui_language", "zh")
    c.require(r.returncode == 0, "switch to Chinese", r.stderr)
    c.check(h.wait_until(lambda: "最近一周阅读排行" in get("/").text
                         and "次阅读" in get("/c/campus/").text, 5),
            "the heading and the unit in Chinese")
    c.check("Most read" not in get("/").text, "no English left in the list")


if __name__ == "__main__":
    h.run_test("mostread_test", test)
