"""Search through real nginx and the pool, with the ranking bound lowered to 25
(GAZETTE_SEARCH_RANK_MAX): a word in more articles than the bound gets a lower-
bound total ("25+") and only its 25 newest matches, ranked, across the pages; a
word in exactly 25 or in 3 articles gets the exact total; an English word in any
case, Chinese substrings of two and of three or more characters, a query mixing
both, and what must not match."""

import json
import os
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gazette_harness as h  # noqa: E402

BOUND = 25


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def art(title, body, t, status="published"):
    return {"title": title, "category": "news", "summary": "", "body_markdown": body,
            "source": "", "author": "", "status": status,
            "published_at": iso(t) if status != "draft" else None, "pinned": False}


def dataset():
    """Imported in this order, so ids grow with time. "meteor" is in 30
    public articles: the first (oldest) has it three times in its title and
    would rank first if the search ranked them all; the 28th has it in its
    title and ranks first among the newest 25. "nebula" is in exactly 25,
    "oRcHeStRa" in 3, and a draft holds all of them."""
    base = 1767607200  # 2026-01-05T10:00:00Z
    arts = [art("Meteor meteor meteor", "Meteor meteor meteor.", base - 100 * 3600)]
    for i in range(1, 30):
        title = "Meteor over the campus" if i == 27 else f"Night sky report {i:02d}"
        body = f"Students watched a meteor from the roof, report {i}."
        if i < 26:
            body += " A nebula was visible too."
        arts.append(art(title, body, base - (100 - i) * 3600))
    for i in range(3):
        arts.append(art(f"Concert {i}", "The ORCHESTRA plays on Friday." if i else
                        "the orchestra plays", base - (60 - i) * 3600))
    arts.append(art("国际交流周开幕", "本周，来自十二个国家的学生参加了国际交流活动。",
                    base - 50 * 3600))
    arts.append(art("Comet seen", "天文社的同学看到了 comet。", base - 49 * 3600))
    arts.append(art("Draft meteor nebula orchestra", "meteor nebula orchestra 交流 comet 天文",
                    None, status="draft"))
    return {"categories": [{"slug": "news", "name": "News", "parent": None}], "articles": arts}


def api(c, port, q, page=1):
    r = h.get(port, "/api/search?q=" + urllib.parse.quote(q) + f"&page={page}")
    c.require(r.status == 200, f"API search {q!r} page {page} answers 200", r.body[:300])
    return json.loads(r.body)


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"), demo=False)
    data = scratch.file("import.json")
    with open(data, "w") as f:
        json.dump(dataset(), f)
    r = h.gazette(db, "import", data)
    c.require(r.returncode == 0, "gazette import of the test content", r.stderr)

    os.environ["GAZETTE_SEARCH_RANK_MAX"] = str(BOUND)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port

    # ids by title, through the public list (the draft is not there)
    ids, page = {}, 1
    while True:
        d = json.loads(h.get(port, f"/api/articles?per_page=100&page={page}").body)
        for a in d["articles"]:
            ids[a["title"]] = a["id"]
        if page * 100 >= d["total"]:
            break
        page += 1
    meteor_ids = sorted(i for t, i in ids.items() if t.startswith(("Meteor", "Night sky")))
    c.require(len(meteor_ids) == 30, "30 public meteor articles", meteor_ids)
    newest = set(meteor_ids[-BOUND:])

    # --- over the bound: a lower bound, the newest matches, ranked ----------------------
    d = api(c, port, "meteor")
    c.eq(d["total"], BOUND, "a word in 30 articles: the total is the bound")
    c.eq(d["total_is_lower_bound"], True, "... marked as a lower bound")
    c.eq(len(d["results"]), 20, "... a full first API page")
    c.eq(d["results"][0]["id"], ids["Meteor over the campus"],
         "the newest match with the word in its title ranks first")
    c.check(ids["Meteor meteor meteor"] not in [x["id"] for x in d["results"]],
            "an old match beyond the bound is not ranked, however well it would score")
    d2 = api(c, port, "meteor", 2)
    c.eq(len(d2["results"]), BOUND - 20, "the second API page holds the rest of the bound")
    c.eq(d2["total_is_lower_bound"], True, "the second page says lower bound too")
    got = [x["id"] for x in d["results"] + d2["results"]]
    c.eq(len(set(got)), len(got), "no match appears on two pages")
    c.eq(set(got), newest, "the pages together hold exactly the newest 25 matches")
    c.eq(api(c, port, "meteor", 3)["results"], [], "past the bound: no results")

    r = h.get(port, "/search?q=meteor")
    c.check(r.status == 200 and f"{BOUND}+ results for" in r.text,
            "the page says 25+ results", r.text[-2000:])
    c.eq(len(h.article_links(r.text.split("<main")[1])), 10, "the page shows 10")
    c.check('href="/search?q=meteor&amp;page=2" rel="next"' in r.text, "a next page link")
    r = h.get(port, "/search?q=meteor&page=3")
    c.check(r.status == 200 and len(h.article_links(r.text.split("<main")[1])) == 5,
            "the third page holds the last 5 ranked")
    c.check('rel="next"' not in r.text, "... and no next link")
    c.eq(h.get(port, "/search?q=meteor&page=4").status, 404, "past the bound: 404")

    # --- at and under the bound: exact ------------------------------------------------------
    d = api(c, port, "nebula")
    c.check(d["total"] == BOUND and d["total_is_lower_bound"] is False,
            "a word in exactly 25 articles: exact total", d)
    r = h.get(port, "/search?q=nebula")
    c.check(f"{BOUND} results for" in r.text and f"{BOUND}+" not in r.text,
            "the page says 25 results, no plus")
    d = api(c, port, "oRcHeStRa")
    c.check(d["total"] == 3 and d["total_is_lower_bound"] is False,
            "an English word in any case: its 3 articles, exact", d)
    c.eq(d["results"][0]["id"], ids["Concert 0"],
         "the shortest article ranks first among equal counts")

    # --- Chinese, mixed, and what must not match ---------------------------------------------
    for q in ("交流", "学生", "流周开", "学生参加", "国际交流"):
        d = api(c, port, q)
        c.check(d["total"] == 1 and d["results"][0]["id"] == ids["国际交流周开幕"],
                f"Chinese {q!r} finds its article", d)
    d = api(c, port, "comet 天文")
    c.check(d["total"] == 1 and d["results"][0]["id"] == ids["Comet seen"],
            "a query mixing an English word and two Chinese characters", d)
    for q in ("交周", "comet 交流", "meteorite", "zzzqx"):
        d = api(c, port, q)
        c.check(d["total"] == 0 and d["results"] == [] and d["total_is_lower_bound"] is False,
                f"{q!r} matches nothing", d)
    r = h.get(port, "/search?q=zzzqx")
    c.check(r.status == 200 and "Nothing matched" in r.text, "no match: a clear page")

    r = h.gazette(db, "setting", "set", "ui_language", "zh")
    c.require(r.returncode == 0, "Chinese chrome", r.stderr)
    time.sleep(1.1)  # settings are re-read at most once a second
    r = h.get(port, "/search?q=meteor")
    c.check(f"{BOUND}+ 条结果" in r.text, "the Chinese page says 25+ 条结果", r.text[-1500:])


if __name__ == "__main__":
    h.run_test("search_test", test)
