"""The public site of SPEC §3 through real nginx and the worker pool, on content
made for the test with `gazette import`: home, category paging, the article page
with every field, the prev/next chain, Chinese chrome, hostile content, search,
feeds (parsed by feedparser), the sitemap, visibility of drafts and scheduled
articles, conditional requests, security headers, HTML validity (html5lib) and
concurrent view counting."""

import concurrent.futures
import json
import re
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

try:
    import feedparser
except ImportError:  # test.sh installs python3-feedparser
    feedparser = None
try:
    import html5lib
except ImportError:  # test.sh installs python3-html5lib
    html5lib = None

# seconds until "Soon zebra" is due: longer than setting the site up takes
# on a loaded machine, so it starts out scheduled
SOON = 15

HOSTILE_TITLE = '<script>alert("t")</script> Hostile & "quoted"'
HOSTILE_BODY = ('Raw <script>alert("b")</script> and <img src=x onerror=alert(1)> here.\n\n'
                '[click me](javascript:alert(2)) and [data](data:text/html;base64,PHNjcmlwdD4=)\n\n'
                '![The new greenhouse at dawn](/static/demo/lab.png "Greenhouse opening day")\n')


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def dataset(now):
    """45 campus articles (one an hour back from 2026-01-05 10:00 UTC), 5 in news
    itself, a Chinese one, a hostile one, and the invisible kinds."""
    base = 1767607200  # 2026-01-05T10:00:00Z
    arts = []
    for i in range(45):
        arts.append({"title": f"Campus story {i:02d}", "category": "campus",
                     "summary": f"Summary {i}", "body_markdown": f"Body of campus story {i}.",
                     "source": "Press Office", "author": "Lin Qiao", "status": "published",
                     "published_at": iso(base - (45 - i) * 3600), "pinned": False})
    for i in range(5):
        arts.append({"title": f"College news {i}", "category": "news", "summary": "",
                     "body_markdown": "The orchestra rehearses weekly.", "source": "News Desk",
                     "author": "Ada Park", "status": "published",
                     "published_at": iso(base - i * 86400 - 30), "pinned": i == 0})
    arts += [
        {"title": "国际交流周开幕", "category": "intl", "summary": "交流周",
         "body_markdown": "本周，来自十二个国家的学生参加了国际交流活动。合作项目正式启动。",
         "source": "国际处", "author": "王晓", "status": "published",
         "published_at": iso(base), "pinned": False},
        {"title": HOSTILE_TITLE, "category": "intl", "summary": "x", "body_markdown": HOSTILE_BODY,
         "source": "<b>Src</b>", "author": "<i>Mallory</i>", "status": "published",
         "published_at": iso(base - 60), "pinned": False},
        {"title": "Secret draft zebra", "category": "campus", "summary": "", "body_markdown":
         "zebra draft", "source": "", "author": "", "status": "draft", "published_at": None,
         "pinned": False},
        {"title": "Archived zebra", "category": "campus", "summary": "", "body_markdown":
         "zebra archived", "source": "", "author": "", "status": "archived",
         "published_at": iso(base - 10), "pinned": False},
        {"title": "Future zebra", "category": "campus", "summary": "", "body_markdown":
         "zebra future", "source": "", "author": "", "status": "scheduled",
         "published_at": iso(now + 3600), "pinned": False},
        {"title": "Soon zebra", "category": "campus", "summary": "", "body_markdown":
         "zebra soon", "source": "", "author": "", "status": "scheduled",
         "published_at": iso(now + SOON), "pinned": False},
    ]
    return {"categories": [{"slug": "news", "name": "College News", "parent": None},
                           {"slug": "campus", "name": "Campus Life", "parent": "news"},
                           {"slug": "intl", "name": "International", "parent": None}],
            "articles": arts}


def ids_by_title(c, port):
    """{title: id} of every public article, through the API."""
    found, page = {}, 1
    while True:
        r = h.get(port, f"/api/articles?per_page=100&page={page}")
        c.require(r.status == 200, "API article list answers", r)
        data = json.loads(r.body)
        for a in data["articles"]:
            found[a["title"]] = a["id"]
        if page * 100 >= data["total"]:
            return found
        page += 1


def valid_html(c, name, text):
    if html5lib is None:
        c.check(False, "html5lib is installed")
        return
    try:
        html5lib.HTMLParser(strict=True).parse(text)
        c.check(True, name)
    except Exception as e:  # html5lib raises ParseError with the position
        c.check(False, f"{name} is valid HTML5", str(e))


def test(c, scratch):
    now = int(time.time())
    db = h.make_db(c, scratch.file("gazette.db"), demo=False)
    data = scratch.file("import.json")
    with open(data, "w") as f:
        json.dump(dataset(now), f)
    r = h.gazette(db, "import", data)
    c.require(r.returncode == 0, "gazette import of the test content", r.stderr)
    for key, value in [("site_name", "Riverbend College"), ("timezone", "Asia/Shanghai"),
                       ("footer_address", "1 Riverbend Road"), ("footer_zip", "100000"),
                       ("footer_hotline", "010-0000-0000"), ("footer_email", "news@rb.example"),
                       ("footer_copyright", "© Riverbend College"),
                       ("footer_icp", "ICP 00000000-1"), ("footer_police", "Police 0000000001"),
                       ("footer_support", "Riverbend IT Services")]:
        r = h.gazette(db, "setting", "set", key, value)
        c.require(r.returncode == 0, f"setting {key}", r.stderr)

    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    ids = ids_by_title(c, port)
    c.eq(len(ids), 52, "the API lists exactly the 52 public articles")
    for hidden in ("Secret draft zebra", "Archived zebra", "Future zebra", "Soon zebra"):
        c.check(hidden not in ids, f"{hidden!r} is not public")

    # --- home -------------------------------------------------------------------
    r = h.get(port, "/")
    c.eq(r.status, 200, "home status")
    home = r.text
    c.check("Riverbend College" in home, "home shows the site name")
    for line in ("1 Riverbend Road", "100000", "010-0000-0000", "news@rb.example",
                 "ICP 00000000-1", "Police 0000000001", "Riverbend IT Services"):
        c.check(line in home, f"footer shows {line!r}")
    links = [t for _, t in h.article_links(home)]
    c.check(links and links[0] == "College news 0", "the pinned article comes first", links[:3])
    c.check('href="/c/news/"' in home and 'href="/c/campus/"' in home, "home has the menu tree")
    c.check(home.count("College News") >= 2, "home has a section per top category")
    valid_html(c, "home", home)

    # --- category pages ------------------------------------------------------------
    r = h.get(port, "/c/news/")
    c.eq(r.status, 200, "category page 1")
    first = [t for _, t in h.article_links(r.text.split("<main")[1])]
    c.eq(len(first), 20, "20 articles on a page")
    c.check(first[0] == "College news 0" or first[0].startswith("Campus story 44"),
            "newest first", first[:2])
    c.check("Campus story 44" in first, "a subcategory's articles list under the parent")
    c.check('href="/c/news/?page=2"' in r.text and 'href="/c/news/?page=3"' in r.text,
            "numbered page links")
    c.check('href="/c/campus/"' in r.text, "the parent lists its subcategories")
    valid_html(c, "category page", r.text)
    r3 = h.get(port, "/c/news/?page=3")
    c.eq(r3.status, 200, "category page 3")
    last = [t for _, t in h.article_links(r3.text.split("<main")[1])]
    c.eq(len(last), 10, "the last page holds the remaining 10 of 50")
    for q, want in (("page=4", 404), ("page=0", 404), ("page=-2", 404), ("page=abc", 400),
                    ("page=%zz", 400)):
        c.eq(h.get(port, "/c/news/?" + q).status, want, f"/c/news/?{q}")
    c.eq(h.get(port, "/c/nowhere/").status, 404, "unknown category")
    r = h.get(port, "/c/news")
    c.check(r.status == 301 and r.header("location").endswith("/c/news/"), "/c/news redirects")
    campus = [t for _, t in h.article_links(h.get(port, "/c/campus/").text.split("<main")[1])]
    c.check(all(t.startswith("Campus story") for t in campus), "a child lists only its own")

    # --- the article page ------------------------------------------------------------
    aid = ids["Campus story 10"]
    r = h.get(port, f"/a/{aid}")
    c.eq(r.status, 200, "article status")
    page = r.text
    crumb = re.search(r'class="breadcrumb".*?</nav>', page, re.S)
    c.check(crumb and re.search(r'href="/".*href="/c/news/".*href="/c/campus/"', crumb.group(0), re.S),
            "breadcrumb Home > College News > Campus Life, each a link")
    c.check("<h1>Campus story 10</h1>" in page, "title")
    # 2026-01-05 10:00 UTC minus 35 h = 2026-01-03 23:00 UTC = 2026-01-04 07:00 in Shanghai
    c.check("2026-01-04 07:00:00" in page, "publish time in the site time zone",
            re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", page))
    c.check("Press Office" in page, "source")
    c.check(re.search(r'class="views"[^>]*>\d+<', page), "view count")
    c.check("Body of campus story 10." in page, "body")
    c.check("Drafted by: Lin Qiao" in page, "the Drafted by line")
    prev = re.search(r'rel="prev">([^<]*)<', page)
    nxt = re.search(r'rel="next">([^<]*)<', page)
    c.check(prev and prev.group(1) == "Campus story 11", "previous is the newer neighbour")
    c.check(nxt and nxt.group(1) == "Campus story 09", "next is the older neighbour")
    valid_html(c, "article page", page)

    # The chain: from the newest campus story, "next" walks every one, then "None".
    chain, cur = [], ids["Campus story 44"]
    first_page = h.get(port, f"/a/{cur}").text
    c.check(re.search(r"Previous: None", first_page), "the newest says none for previous")
    for _ in range(60):
        text = h.get(port, f"/a/{cur}").text
        chain.append(re.search(r"<h1>(.*?)</h1>", text).group(1))
        m = re.search(r'href="/a/(\d+)" rel="next"', text)
        if not m:
            c.check("Next: None" in text, "the oldest says none for next")
            break
        cur = int(m.group(1))
    c.eq(chain, [f"Campus story {i:02d}" for i in range(44, -1, -1)],
         "next walks the category newest to oldest, skipping drafts and future ones")

    # --- figures and hostile content ---------------------------------------------------------
    r = h.get(port, f"/a/{ids[HOSTILE_TITLE]}")
    c.eq(r.status, 200, "hostile article page")
    t = r.text
    c.check("<script>alert" not in t, "no script from title or body reaches the page")
    c.check("&lt;script&gt;alert(&quot;t&quot;)" in t, "the title is shown escaped")
    c.check("onerror" not in t.split('class="body"')[1].split("</div>")[0] or
            "<img src=x onerror" not in t, "raw HTML in the body is dropped")
    c.check("javascript:" not in t, "javascript: links are dropped")
    c.check("data:text/html" not in t, "data: links are dropped")
    c.check(re.search(r"<figure><img[^>]*src=\"/static/demo/lab.png\"[^>]*>"
                      r"<figcaption>Greenhouse opening day</figcaption></figure>", t),
            "an image paragraph is a figure with its caption")
    c.check("&lt;b&gt;Src&lt;/b&gt;" in t and "&lt;i&gt;Mallory&lt;/i&gt;" in t,
            "source and author are escaped")
    valid_html(c, "hostile article page", t)

    # --- visibility ------------------------------------------------------------------------
    r = h.get(port, "/search?q=zebra")
    c.check(r.status == 200 and "zebra" not in "".join(t for _, t in h.article_links(r.text)).lower(),
            "search finds no draft, archived or future article")
    feed_text = h.get(port, "/feed.xml").text + h.get(port, "/sitemap.xml").text
    c.check("zebra" not in feed_text.lower() and "Zebra" not in feed_text,
            "feeds and sitemap hold no invisible article")
    r = h.get(port, "/api/articles/999999")
    c.check(r.status == 404 and json.loads(r.body)["error"]["code"] == "not_found",
            "unknown id: JSON 404")

    # --- search -----------------------------------------------------------------------------
    r = h.get(port, "/search?q=ORCHESTRA")
    c.check(r.status == 200 and len(h.article_links(r.text.split("<main")[1])) == 5,
            "an English word in any case finds its articles")
    c.check("<mark>orchestra</mark>" in r.text, "the match is highlighted")
    for q in ("合作", "交流", "国", "学生参加"):
        r = h.get(port, "/search?q=" + urllib.parse.quote(q))
        c.check(r.status == 200 and "国际交流周开幕" in r.text, f"Chinese query {q!r} matches")
    r = h.get(port, "/search?q=" + urllib.parse.quote("<script>x</script>"))
    c.check(r.status == 200 and "<script>x" not in r.text, "the query is escaped on the page")
    r = h.get(port, "/search?q=")
    c.check(r.status == 200 and "Type a word" in r.text, "an empty query gets a clear page")
    r = h.get(port, "/search?q=" + "a" * 101)
    c.check(r.status == 200 and "too long" in r.text, "an over-long query gets a clear page")
    r = h.get(port, "/api/search?q=" + urllib.parse.quote("合作"))
    c.check(r.status == 200 and json.loads(r.body)["total"] == 1, "API search")
    valid_html(c, "search page", h.get(port, "/search?q=campus").text)

    # --- feeds and sitemap ----------------------------------------------------------------
    r = h.get(port, "/feed.xml")
    c.check(r.status == 200 and r.header("content-type").startswith("application/rss+xml"),
            "feed content type")
    if feedparser:
        f = feedparser.parse(r.body)
        c.check(not f.bozo, "feedparser reads /feed.xml without complaint", f.get("bozo_exception"))
        c.eq(len(f.entries), 20, "the feed holds the latest 20")
        c.check(all(e.link.startswith("http://") for e in f.entries), "feed links are absolute")
        f = feedparser.parse(h.get(port, "/c/intl/feed.xml").body)
        c.check(not f.bozo and len(f.entries) == 2, "the category feed holds its 2 articles")
        c.check(any(e.title == HOSTILE_TITLE for e in f.entries), "feed titles round-trip")
    else:
        c.check(False, "feedparser is installed")
    c.eq(h.get(port, "/c/nowhere/feed.xml").status, 404, "feed of an unknown category")
    r = h.get(port, "/sitemap.xml")
    root = ET.fromstring(r.body)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.find(ns + "loc").text for u in root.findall(ns + "url")]
    c.eq(root.tag, ns + "urlset", "sitemap is a urlset")
    c.eq(sum(1 for l in locs if "/a/" in l), 52, "sitemap lists every public article")
    c.check(sum(1 for l in locs if "/c/" in l) == 3, "sitemap lists every category")

    # --- HTTP behaviour -------------------------------------------------------------------
    r = h.get(port, f"/a/{aid}")
    etag = r.header("etag")
    c.check(etag, "article has an ETag")
    c.check("max-age" in r.header("cache-control"), "Cache-Control for caches", r.header("cache-control"))
    r2 = h.get(port, f"/a/{aid}", headers={"If-None-Match": etag})
    c.check(r2.status == 304 and not r2.body, "a matching If-None-Match gets 304")
    for path in ("/", "/c/news/", "/search?q=campus", "/feed.xml", "/sitemap.xml", "/api/categories"):
        r = h.get(port, path)
        tag = r.header("etag")
        c.check(tag and h.get(port, path, headers={"If-None-Match": tag}).status == 304,
                f"{path} answers conditional requests")
    r = h.get(port, "/")
    csp = r.header("content-security-policy")
    c.check("script-src 'self'" in csp and "frame-ancestors 'none'" in csp, "CSP", csp)
    c.check("'unsafe-inline'" not in csp, "CSP allows no inline script")
    c.eq(r.header("x-content-type-options"), "nosniff", "nosniff")
    c.check(r.header("referrer-policy"), "Referrer-Policy")
    c.check("<script>" not in r.text and "onclick" not in r.text, "no inline script in pages")
    r = h.get(port, "/", method="HEAD")
    c.check(r.status == 200 and not r.body and r.header("content-length"), "HEAD works")
    for method in ("POST", "PUT", "DELETE"):
        r = h.get(port, f"/a/{aid}", method=method)
        c.check(r.status == 405 and "GET" in r.header("allow"), f"{method} on a page is 405")
    r = h.get(port, "/no/such/page")
    c.check(r.status == 404 and "<html" in r.text, "unknown pages get an HTML 404")
    valid_html(c, "404 page", r.text)

    # --- a scheduled article appears at its time, no cron -------------------------------------
    soon = now + SOON
    c.eq(h.get(port, "/search?q=soon").status, 200, "search before the time")
    wait = soon - time.time() + 1.2
    if wait > 0:
        time.sleep(wait)
    later = ids_by_title(c, port)
    c.check("Soon zebra" in later, "the scheduled article is public once its time has come")
    if "Soon zebra" in later:
        c.eq(h.get(port, f"/a/{later['Soon zebra']}").status, 200, "and its page answers")

    # --- views: concurrent counts are never lost ----------------------------------------
    vid = ids["国际交流周开幕"]
    before = json.loads(h.get(port, f"/api/articles/{vid}").body)["views"]

    def view(_):
        return h.get(port, f"/api/articles/{vid}/view", method="POST").status

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        statuses = list(ex.map(view, range(40)))
    c.eq(statuses.count(200), 40, "40 concurrent views answered 200")
    after = json.loads(h.get(port, f"/api/articles/{vid}").body)["views"]
    c.eq(after - before, 40, "the count rose by exactly 40")
    # Rendered by the application (a query string bypasses the page files,
    # whose count the page's script brings up to date: browser_test).
    c.check(f">{after}<" in h.get(port, f"/a/{vid}?now").text, "the page shows the current count")
    c.eq(h.get(port, f"/api/articles/{ids_by_title(c, port).get('Campus story 00')}/view",
               method="GET").status, 405, "GET on the view counter is 405")

    # --- Chinese chrome ------------------------------------------------------------------
    r = h.gazette(db, "setting", "set", "ui_language", "zh")
    c.require(r.returncode == 0, "switch to Chinese", r.stderr)
    # Page files follow within a second (freshness_test measures it).
    c.check(h.wait_until(lambda: "首页" in h.get(port, f"/a/{aid}").text
                         and "没有了" in h.get(port, f"/a/{ids['Campus story 00']}").text, 2),
            "the site switches to Chinese")
    page = h.get(port, f"/a/{aid}").text
    c.check('<html lang="zh">' in page, "<html lang> follows the setting")
    for label in ("首页", "当前位置", "发表时间", "来源", "浏览量", "上一篇", "下一篇", "撰稿"):
        c.check(label in page, f"Chinese label {label}")
    c.check("下一篇: 没有了" in h.get(port, f"/a/{ids['Campus story 00']}").text,
            "the none label 没有了")
    c.check("页面不存在" in h.get(port, "/nothing").text, "the 404 page in Chinese")
    c.check("Drafted by" not in page and "Previous" not in page, "no English chrome left")
    valid_html(c, "Chinese article page", page)


if __name__ == "__main__":
    h.run_test("site_test", test)
