"""Pages served as files stay fresh: through real nginx with the page keeper on,
a publish, an edit, an unpublish, a scheduled publication and a settings change
are visible within one second on every page they touch (the article, its
neighbours' prev/next links, the lists, home, feeds, sitemap, search), while
visitors get those pages from files nginx sends without asking a worker, and a
logged-in editor always gets them from the application."""

import json
import re
import sys
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
LIMIT = 1.0  # seconds


def from_file(r):
    """nginx sends files with Last-Modified; the application never does."""
    return bool(r.header("last-modified"))


def within(c, what, cond, limit=LIMIT):
    """Polls cond() (which fetches pages) until true; checks it became true within limit s."""
    t0 = time.monotonic()
    ok = h.wait_until(cond, limit + 2, 0.02)
    took = time.monotonic() - t0
    c.check(ok and took <= limit, f"{what} within {limit}s", f"took {took:.2f}s, ok={bool(ok)}")
    return took


def test(c, scratch):
    db, _, nginx = h.demo_site(c, scratch, PASSWORD)
    port = nginx.port
    get = lambda path, **kw: h.get(port, path, **kw)  # noqa: E731

    listing = json.loads(get("/api/articles?category=campus&per_page=3").body)["articles"]
    c.require(len(listing) >= 2, "the demo has campus articles")
    newest = listing[0]["id"]
    c.check(h.wait_until(lambda: from_file(get(f"/a/{newest}")) and from_file(get("/"))
                         and from_file(get("/c/campus/")), 10),
            "the keeper turns home, categories and articles into files")
    page = get(f"/a/{newest}")
    c.check(from_file(page) and page.header("content-security-policy") and
            page.header("x-content-type-options") == "nosniff", "files carry the security headers")
    c.check(page.header("etag") and get(f"/a/{newest}", headers={"If-None-Match": page.header("etag")}).status == 304,
            "files answer conditional requests")
    c.check(not from_file(get(f"/a/{newest}?x=1")), "a query string goes to the application")

    r = get("/api/session", method="POST", headers={"Content-Type": "application/json"},
            body=json.dumps({"username": "ed", "password": PASSWORD}))
    cookie = r.header("set-cookie").split(";")[0]
    csrf = json.loads(r.body)["csrf_token"]
    auth = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    c.check(not from_file(get(f"/a/{newest}", headers={"Cookie": cookie})),
            "an editor's request is answered by the application, never a file")

    # --- publish -------------------------------------------------------------
    title = "Rowing team wins the autumn regatta"
    r = get("/api/articles", method="POST", headers=auth, body=json.dumps({
        "title": title, "category": "campus", "summary": "A close finish on the lake.",
        "body_markdown": "The crew finished **two seconds** ahead.", "status": "published"}))
    c.require(r.status == 201, "publish through the API", r.body[:200])
    aid = json.loads(r.body)["id"]
    touched = {
        "the article": lambda: get(f"/a/{aid}").status == 200 and title in get(f"/a/{aid}").text,
        "home": lambda: title in get("/").text,
        "its category": lambda: title in get("/c/campus/").text,
        "its section": lambda: title in get("/c/news/").text,
        "the previous newest's next link": lambda: f'href="/a/{aid}" rel="prev"' in get(f"/a/{newest}").text,
        "the site feed": lambda: title in get("/feed.xml").text,
        "the category feed": lambda: title in get("/c/campus/feed.xml").text,
        "the sitemap": lambda: f"/a/{aid}<" in get("/sitemap.xml").text,
        "search": lambda: title in get("/search?q=regatta").text,
    }
    for what, cond in touched.items():
        within(c, f"a publication shows on {what}", cond)
    c.check(h.wait_until(lambda: from_file(get(f"/a/{aid}")), 3), "and the new page becomes a file")

    # --- edit ------------------------------------------------------------------
    title2 = "Rowing team wins the regatta by two seconds"
    r = get(f"/api/articles/{aid}", method="PATCH", headers=auth, body=json.dumps({"title": title2}))
    c.require(r.status == 200, "edit the title")
    for what, cond in (("the article", lambda: title2 in get(f"/a/{aid}").text),
                       ("home", lambda: title2 in get("/").text),
                       ("its category", lambda: title2 in get("/c/campus/").text),
                       ("the neighbour", lambda: title2 in get(f"/a/{newest}").text)):
        within(c, f"an edit shows on {what}", cond)

    # --- unpublish ---------------------------------------------------------------
    r = get(f"/api/articles/{aid}", method="PATCH", headers=auth, body=json.dumps({"status": "draft"}))
    c.require(r.status == 200, "unpublish")
    for what, cond in (("the article (404)", lambda: get(f"/a/{aid}").status == 404),
                       ("home", lambda: title2 not in get("/").text),
                       ("its category", lambda: title2 not in get("/c/campus/").text),
                       ("the neighbour", lambda: f'href="/a/{aid}"' not in get(f"/a/{newest}").text),
                       ("the feed", lambda: title2 not in get("/feed.xml").text)):
        within(c, f"unpublishing shows on {what}", cond)

    # --- a scheduled publication ---------------------------------------------------
    when = int(time.time()) + 5
    r = get(f"/api/articles/{aid}", method="PATCH", headers=auth, body=json.dumps({
        "status": "scheduled", "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))}))
    c.require(r.status == 200, "schedule it 5 s ahead")
    c.eq(get(f"/a/{aid}").status, 404, "not public before its time")
    while time.time() < when:
        time.sleep(0.05)
    for what, cond in (("the article", lambda: get(f"/a/{aid}").status == 200),
                       ("home", lambda: title2 in get("/").text),
                       ("its category", lambda: title2 in get("/c/campus/").text),
                       ("the neighbour", lambda: f'href="/a/{aid}"' in get(f"/a/{newest}").text)):
        # one second after its time, polled from the moment it came
        within(c, f"the scheduled article shows on {what}", cond, LIMIT + 0.05)

    # --- a setting: every page -------------------------------------------------------
    r = get("/api/settings", method="PATCH", headers=auth, body=json.dumps({"footer_support": "Help desk 4242"}))
    c.require(r.status == 200, "change a footer line")
    for path in ("/", f"/a/{newest}", "/c/campus/"):
        within(c, f"a settings change shows on {path}", lambda p=path: "Help desk 4242" in get(p).text)
    c.check(h.wait_until(lambda: from_file(get(f"/a/{newest}")) and "Help desk 4242" in get(f"/a/{newest}").text, 5),
            "the keeper writes the pages again after a settings change")
    # Workers render the masthead and footer once per change of the site's
    # data (site_*.html): every worker's next page has the new ones. Several
    # requests, so that both workers answer.
    for path in ("/?x=1", f"/a/{newest}?x=1", f"/a/{newest}?x=2", "/nowhere"):
        c.check(all("Help desk 4242" in get(path).text for _ in range(4)),
                f"a page the application renders has the new footer: {path}")
    r = get("/api/categories", method="POST", headers=auth,
            body=json.dumps({"slug": "alumni", "name": "Alumni Voices"}))
    c.require(r.status == 201, "add a category", r.body)
    for path in (f"/a/{newest}?x=3", "/search?q=regatta"):
        within(c, f"a new category shows in the menu of {path}",
               lambda p=path: all('href="/c/alumni/">Alumni Voices</a>' in get(p).text
                                  for _ in range(4)))

    # --- the CLI changes pages too ----------------------------------------------------
    r = h.gazette(db, "setting", "set", "site_name", "Lakeshore Polytechnic")
    c.require(r.returncode == 0, "setting set from the CLI", r.stderr)
    within(c, "a change made with the CLI shows on home", lambda: "Lakeshore Polytechnic" in get("/").text)


if __name__ == "__main__":
    h.run_test("freshness_test", test)
