"""The newsroom workflow (issue 9) through real nginx and the worker pool, over
HTTP: an author writes and submits but may not publish (403 with the reason),
nor change another's article or one in review; editors see the review queue
(newest submission first), send back (a comment is required: 422 without) and
approve now (public at once) or at a time (public only from then); the author
reads the send-back comment in the API, on the dashboard and on the form; each
step leaves an audit row and a review row in the same transaction as the status.
Per-category rights: an editor limited to one section gets 403 outside it and
sees only its articles in the lists, the queue and the form's category menu;
an admin sets rights through the API and the user page. The edit-conflict
guard: two sessions load version N, the first saves, the second gets 409 with
the current version and the first save's text intact, in the API and in the
form (the merge page keeps the second text and saves with the current
version). The soft lock shows "being edited by X since T" to another user.
The dashboard's views column shows the counted views."""

import json
import re
import sqlite3
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
FORM = "application/x-www-form-urlencoded"


def step(what):
    print(f"--- {what}", flush=True)


class Session:
    """A logged-in user talking JSON and forms to the site."""

    def __init__(self, c, port, user):
        self.c, self.port, self.user = c, port, user
        r = h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
                  json.dumps({"username": user, "password": PASSWORD}))
        c.require(r.status == 200, f"{user} logs in", r.text)
        self.cookie = r.header("set-cookie").split(";")[0]
        self.csrf = json.loads(r.body)["csrf_token"]

    def api(self, method, path, body=None, csrf=True):
        headers = {"Cookie": self.cookie}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        r = h.get(self.port, path, method, headers, body)
        try:
            r.json = json.loads(r.body) if r.body else None
        except ValueError:
            r.json = None
        return r

    def page(self, path):
        return h.get(self.port, path, headers={"Cookie": self.cookie})

    def post(self, path, fields, token=True):
        fields = dict(fields)
        if token:
            fields["csrf_token"] = self.csrf
        return h.get(self.port, path, "POST", {"Cookie": self.cookie, "Content-Type": FORM},
                     urllib.parse.urlencode(fields))


def error_of(r):
    return (r.json or {}).get("error", {}) if hasattr(r, "json") else {}


def db_rows(db, sql, *args):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def text_of(page):
    return h.html.unescape(re.sub(r"<[^>]*>", " ", page))


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    users = (("ed", "editor", None), ("eve", "editor", None), ("ada", "admin", None),
             ("al", "author", None), ("bo", "author", None), ("lim", "editor", "news"))
    for user, role, cats in users:
        args = ["user", "add", user, "--role", role, "--password-stdin"]
        if cats:
            args += ["--categories", cats]
        r = h.gazette(db, *args, stdin=PASSWORD + "\n")
        c.require(r.returncode == 0, f"gazette user add {user} --role {role}", r.stderr)
    r = h.gazette(db, "user", "add", "nope", "--role", "author", "--categories", "no-such",
                  "--password-stdin", stdin=PASSWORD + "\n")
    c.check(r.returncode == 1 and "no category 'no-such'" in r.stderr,
            "user add --categories with an unknown slug fails and says which", r.stderr)
    c.eq(db_rows(db, "SELECT count(*) FROM users WHERE username = 'nope'"), [(0,)],
         "the refused user was not created")
    r = h.gazette(db, "setting", "set", "timezone", "UTC")
    c.require(r.returncode == 0, "timezone UTC", r.stderr)
    cats = {slug: int(i) for i, slug in db_rows(db, "SELECT id, slug FROM categories")}

    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    s = {u: Session(c, port, u) for u, _, _ in users}

    aid = authors(c, s, port, db)
    bid = review(c, s, port, db, aid)
    scheduled(c, s, port, db)
    audit(c, db, aid, bid)
    rights(c, s, port, db, cats)
    conflict_api(c, s, db)
    conflict_form(c, s, db)
    soft_lock(c, s)
    views(c, s, port)


def create(c, sess, title, category="research", **extra):
    r = sess.api("POST", "/api/articles", {"title": title, "category": category,
                                           "body_markdown": f"Body of {title}.", **extra})
    c.require(r.status == 201, f"{sess.user} creates {title!r}", r.text)
    return r.json


def authors(c, s, port, db):
    step("an author writes and submits, and may not publish")
    al, bo = s["al"], s["bo"]
    a = create(c, al, "Rowing club wins the spring regatta")
    c.eq((a["status"], a["version"], a["created_by"]), ("draft", 1, "al"),
         "a new article: draft, version 1, created by al")
    for status in ("published", "scheduled", "archived"):
        body = {"status": status}
        if status == "scheduled":
            body["published_at"] = "2031-01-01T10:00:00Z"
        r = al.api("PATCH", f"/api/articles/{a['id']}", body)
        c.eq(r.status, 403, f"an author PATCH status={status}: 403")
        e = error_of(r)
        c.check(e.get("code") == "forbidden" and "author may not publish" in e.get("message", "")
                and e.get("fields") == ["status"], "the 403 names the reason and the field", r.text)
    r = al.api("POST", "/api/articles", {"title": "Straight to print", "category": "research",
                                         "status": "published"})
    c.eq(r.status, 403, "an author creating a published article: 403")
    r = al.api("POST", f"/api/articles/{a['id']}/approve")
    c.eq(r.status, 403, "an author approving: 403")
    r = al.api("GET", f"/api/editor/articles/{a['id']}")
    c.eq(r.json["status"], "draft", "the refused changes left it a draft")

    other = create(c, bo, "Bo's draft about the library")
    r = al.api("PATCH", f"/api/articles/{other['id']}", {"title": "Taken over"})
    c.eq(r.status, 403, "an author editing another author's article: 403")
    c.check("only change articles they created" in error_of(r).get("message", ""),
            "the 403 says why", r.text)
    r = al.api("POST", f"/api/articles/{other['id']}/submit")
    c.eq(r.status, 403, "an author submitting another's article: 403")
    r = al.api("DELETE", f"/api/articles/{other['id']}")
    c.eq(r.status, 403, "an author deleting another's article: 403")
    page = al.page(f"/editor/articles/{other['id']}")
    c.check(page.status == 200 and 'value="save"' not in page.text
            and "not change it now" in page.text,
            "another's article opens read-only for an author (no save button)", page.status)
    c.eq(db_rows(db, "SELECT count(*) FROM article_locks l JOIN users u ON u.id = l.user_id "
                     "WHERE l.article_id = ? AND u.username = 'al'", other["id"]), [(0,)],
         "reading an article one may not change takes no soft lock")
    c.check("data-lock=" not in page.text, "and its page sends no heartbeat")
    r = al.post(f"/editor/articles/{other['id']}",
                {"title": "Taken over", "category": "research", "body": "x", "action": "save"})
    c.eq(r.status, 403, "an author saving another's article through the form: 403")
    c.check("Not allowed:" in r.text and "only change articles they created" in r.text,
            "the form says why", text_of(r.text)[:300])
    r = al.post(f"/editor/articles/{a['id']}", {"title": a["title"], "category": "research",
                                               "body": "x", "action": "publish"})
    c.eq(r.status, 403, "an author pressing a forged Publish button: 403")
    c.check("author may not publish" in r.text, "the form says an author may not publish")
    page = al.page(f"/editor/articles/{a['id']}")
    c.check('value="submit"' in page.text and 'value="publish"' not in page.text,
            "an author's form offers Submit for review, not Publish")

    r = al.api("POST", f"/api/articles/{a['id']}/submit", {"comment": "Ready, photos to follow"})
    c.check(r.status == 200 and r.json["status"] == "in_review" and r.json["version"] == 2,
            "the author submits: in review, version 2", r.text)
    c.eq(r.json["review"]["action"], "submit", "the latest review step is the submission")
    r = al.api("POST", f"/api/articles/{a['id']}/submit")
    c.eq(r.status, 409, "submitting again: 409 (not a draft)")
    r = al.api("PATCH", f"/api/articles/{a['id']}", {"title": "Changed while in review"})
    c.eq(r.status, 403, "an author editing their article in review: 403")
    c.eq(h.get(port, f"/a/{a['id']}").status, 404, "in review: the public page is 404")
    c.eq(h.get(port, f"/api/articles/{a['id']}").status, 404, "in review: the public API is 404")
    listed = [x["id"] for x in json.loads(h.get(port, "/api/articles?per_page=100").body)["articles"]]
    c.check(a["id"] not in listed, "in review: not in the public list")
    return a["id"]


def review(c, s, port, db, aid):
    step("the review queue, send back with a comment, approve now")
    al, ed = s["al"], s["ed"]
    later = create(c, al, "Second submission: new chemistry lab")
    time.sleep(1.1)  # submissions one second apart: the queue's order is by time
    r = al.api("POST", f"/api/articles/{later['id']}/submit")
    c.eq(r.status, 200, "a second article submitted later")
    r = ed.api("GET", "/api/editor/articles?status=in_review")
    ids = [x["id"] for x in r.json["articles"]]
    c.eq(ids[:2], [later["id"], aid], "the queue lists newest submissions first")
    queue = ed.page("/editor/review")
    c.eq(queue.status, 200, "the editor's review page")
    pos = [queue.text.find(f'id="article-{i}"') for i in (later["id"], aid)]
    c.check(0 < pos[0] < pos[1], "the review page: newest submission first", pos)
    c.check('action="/editor/articles/%d/approve"' % aid in queue.text
            and 'action="/editor/articles/%d/send-back"' % aid in queue.text,
            "each article has approve and send-back forms")
    c.check(re.search(r'href="/editor/review">[^<]*<span class="badge"[^>]*>2</span>', queue.text),
            "the menu links the queue with a count badge of 2")
    c.eq(al.page("/editor/review").status, 403, "an author on the review page: 403")
    c.check('href="/editor/review"' not in al.page("/editor/").text,
            "an author's menu has no review link")

    r = ed.api("POST", f"/api/articles/{aid}/send-back")
    c.check(r.status == 422 and error_of(r).get("fields") == ["comment"],
            "send back without a comment: 422 naming comment", r.text)
    r = ed.api("POST", f"/api/articles/{aid}/send-back", {"comment": "  \n "})
    c.eq(r.status, 422, "send back with a blank comment: 422")
    r = ed.post(f"/editor/articles/{aid}/send-back", {"comment": ""})
    c.check(r.status == 422 and "sending back needs a comment" in r.text,
            "the review page's send-back without a comment: 422 with the message", r.status)
    c.eq(db_rows(db, "SELECT status FROM articles WHERE id = ?", aid), [("in_review",)],
         "the refused send-backs changed nothing")
    comment = "Please name the coach & add the final times <b>bold</b>."
    r = ed.post(f"/editor/articles/{aid}/send-back", {"comment": comment})
    c.check(r.status == 303 and r.header("location").endswith("/editor/review?done=sent_back"),
            "send back from the review page: 303 to the queue", r)
    r = al.api("GET", f"/api/editor/articles/{aid}")
    c.check(r.json["status"] == "draft" and r.json["review"]["action"] == "send_back"
            and r.json["review"]["comment"] == comment and r.json["review"]["by"] == "ed",
            "the author reads the send-back comment in the API", r.json.get("review"))
    dash = al.page("/editor/")
    c.check(h.contains_text(dash.text, "Sent back by") and h.contains_text(dash.text, comment)
            and "<b>bold</b>" not in dash.text, "the author's dashboard shows the comment, escaped")
    form = al.page(f"/editor/articles/{aid}")
    c.check(h.contains_text(form.text, comment) and 'value="submit"' in form.text,
            "the author's form shows the comment and can submit again")
    r = al.api("PATCH", f"/api/articles/{aid}", {"body_markdown": "Coach Lin; final times 6:41."})
    c.eq(r.status, 200, "sent back: the author may change it again")
    r = al.api("PATCH", f"/api/articles/{aid}", {"status": "in_review"})
    c.check(r.status == 200 and r.json["status"] == "in_review", "resubmitted (PATCH status)")

    r = ed.api("POST", f"/api/articles/{aid}/approve")
    c.check(r.status == 200 and r.json["status"] == "published", "approve now: published", r.text)
    c.check(h.wait_until(lambda: h.get(port, f"/a/{aid}").status == 200, 3),
            "approved: the public page answers 200")
    c.check("Coach Lin" in h.get(port, f"/a/{aid}").text, "with the author's text")
    r = ed.api("POST", f"/api/articles/{aid}/approve")
    c.eq(r.status, 409, "approving again: 409 (not in review)")
    return later["id"]


def scheduled(c, s, port, db):
    step("approve at a time: not public until then")
    al, eve = s["al"], s["eve"]
    a = create(c, al, "Lecture series announced")
    c.eq(al.api("POST", f"/api/articles/{a['id']}/submit").status, 200, "submitted")
    when = int(time.time()) + 4
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
    r = eve.api("POST", f"/api/articles/{a['id']}/approve", {"published_at": iso})
    c.check(r.status == 200 and r.json["status"] == "scheduled", "approved for later: scheduled",
            r.text)
    c.eq(db_rows(db, "SELECT published_at FROM article_reviews WHERE article_id = ? AND "
                     "action = 'approve'", a["id"]), [(when,)], "the review row keeps the time")
    early = []

    def public():
        st = h.get(port, f"/a/{a['id']}").status
        if st == 200 and time.time() < when:
            early.append(time.time())
        return st == 200
    c.eq(h.get(port, f"/a/{a['id']}").status, 404, "before its time: 404")
    c.check(h.wait_until(public, when - time.time() + 5, 0.2), "public once its time came")
    c.check(not early, "never public before its time", early)
    r = eve.api("POST", f"/api/articles/{a['id']}/approve", {"title": "sneaky"})
    c.eq(r.status, 422, "a review step refuses other fields (edits go through PATCH)")


def audit(c, db, aid, bid):
    step("every step is in the audit log and the review history")
    rows = db_rows(db, "SELECT action, username FROM audit_log WHERE object_type = 'article' "
                       "AND object_id = ? ORDER BY id", aid)
    c.eq(rows, [("article.create", "al"), ("article.submit", "al"), ("article.send_back", "ed"),
                ("article.update", "al"), ("article.submit", "al"), ("article.approve", "ed")],
         "the audit rows of the first article, in order (refusals left none)")
    steps = db_rows(db, "SELECT action, username, comment != '' FROM article_reviews "
                        "WHERE article_id = ? ORDER BY id", aid)
    c.eq(steps, [("submit", "al", 1), ("send_back", "ed", 1), ("submit", "al", 0),
                 ("approve", "ed", 0)], "the review rows of the first article")
    c.eq(db_rows(db, "SELECT count(*) FROM article_reviews WHERE article_id = ?", bid), [(1,)],
         "the second article: one submission")


def rights(c, s, port, db, cats):
    step("per-category rights")
    lim, ada, ed = s["lim"], s["ada"], s["ed"]
    news = {cats["news"], cats["campus"], cats["sports"]}
    r = lim.api("GET", "/api/editor/articles?per_page=100")
    got = {x["category"]["slug"] for x in r.json["articles"]}
    c.check(r.status == 200 and got and got <= {"news", "campus", "sports"} and "sports" in got,
            "a limited editor's list holds only News and its subcategories", got)
    total_all = ed.api("GET", "/api/editor/articles?per_page=1").json["total"]
    c.check(r.json["total"] < total_all, "the limited total is smaller than the full one")
    dash = lim.page("/editor/?category=research")
    c.check("0 articles" in text_of(dash.text), "the dashboard filtered to Research shows none")
    dash = lim.page("/editor/")
    c.check('value="research"' not in dash.text and 'value="sports"' in dash.text,
            "the dashboard's category filter offers only allowed categories")
    form = lim.page("/editor/articles/new")
    opts = re.findall(r'<option value="([a-z-]+)"', form.text)
    c.eq(sorted(opts), ["campus", "news", "sports"], "the form's category menu: allowed only")

    outside = db_rows(db, "SELECT id FROM articles WHERE category_id = ? AND deleted_at IS NULL "
                          "LIMIT 1", cats["research"])[0][0]
    inside = db_rows(db, "SELECT id FROM articles WHERE category_id = ? AND status = "
                         "'published' LIMIT 1", cats["sports"])[0][0]
    c.eq(lim.api("GET", f"/api/editor/articles/{outside}").status, 403, "GET outside: 403")
    r = lim.api("PATCH", f"/api/articles/{outside}", {"title": "Not yours"})
    c.check(r.status == 403 and error_of(r).get("fields") == ["category"],
            "PATCH outside: 403 naming the category", r.text)
    c.eq(lim.api("DELETE", f"/api/articles/{outside}").status, 403, "DELETE outside: 403")
    c.eq(lim.page(f"/editor/articles/{outside}").status, 403, "the form outside: 403")
    c.eq(lim.page(f"/editor/articles/{outside}/revisions").status, 403, "its history: 403")
    r = lim.api("POST", "/api/articles", {"title": "Elsewhere", "category": "research"})
    c.eq(r.status, 403, "creating in another category: 403")
    r = lim.api("PATCH", f"/api/articles/{inside}", {"category": "research"})
    c.eq(r.status, 403, "moving an article out to another category: 403")
    r = lim.api("PATCH", f"/api/articles/{inside}", {"summary": "Edited by lim"})
    c.eq(r.status, 200, "PATCH inside (a subcategory of the granted section): 200")
    sub = create(c, lim, "Campus garden opens", category="campus")
    c.eq(sub["category"]["slug"], "campus", "creating in a subcategory of the grant: 201")

    al = s["al"]
    mine = create(c, al, "Research week review item")
    c.eq(al.api("POST", f"/api/articles/{mine['id']}/submit").status, 200, "submitted")
    q = [x["id"] for x in lim.api("GET", "/api/editor/articles?status=in_review").json["articles"]]
    c.check(mine["id"] not in q, "the limited editor's queue leaves out Research", q)
    c.check(f'id="article-{mine["id"]}"' not in lim.page("/editor/review").text,
            "the limited editor's review page leaves it out")
    c.eq(lim.api("POST", f"/api/articles/{mine['id']}/approve").status, 403,
         "approving outside: 403")

    step("an admin sets rights through the API and the user page")
    uid = {u["username"]: u["id"] for u in ada.api("GET", "/api/users").json["users"]}
    r = ada.api("GET", "/api/users")
    c.eq([u["categories"] for u in r.json["users"] if u["username"] == "lim"], [[cats["news"]]],
         "GET /api/users lists lim's categories")
    r = ada.api("PATCH", f"/api/users/{uid['eve']}", {"categories": [cats["research"]]})
    c.eq(r.status, 200, "PATCH /api/users/{id} categories")
    eve = s["eve"]
    c.eq(eve.api("GET", f"/api/editor/articles/{inside}").status, 403,
         "eve, now limited to Research, gets 403 on Sports")
    c.eq(eve.api("POST", f"/api/articles/{mine['id']}/approve").status, 200,
         "and may approve in Research")
    r = ada.api("PATCH", f"/api/users/{uid['eve']}", {"categories": [999999]})
    c.check(r.status == 422 and error_of(r).get("fields") == ["categories"],
            "an unknown category id: 422", r.text)
    r = ada.api("PATCH", f"/api/users/{uid['eve']}", {"categories": "research"})
    c.eq(r.status, 422, "categories that are not a list of ids: 422")
    c.eq(db_rows(db, "SELECT category_id FROM user_categories WHERE user_id = ?", uid["eve"]),
         [(cats["research"],)], "the refused changes kept eve's rights")
    r = ada.api("PATCH", f"/api/users/{uid['eve']}", {"categories": []})
    c.eq(eve.api("GET", f"/api/editor/articles/{inside}").status, 200,
         "an empty list: every category again")
    page = ada.page(f"/editor/users/{uid['bo']}")
    c.check("may work in every category" in page.text and 'value="allow_category"' in page.text,
            "the user page shows the rights with Allow buttons")
    r = ada.post(f"/editor/users/{uid['bo']}", {"action": "allow_category",
                                                "category": cats["sports"]})
    c.eq(r.status, 303, "Allow on the user page: 303")
    r = ada.post(f"/editor/users/{uid['bo']}", {"action": "allow_category",
                                                "category": cats["research"]}, token=False)
    c.eq(r.status, 403, "the same form without the CSRF token: 403")
    c.eq(db_rows(db, "SELECT category_id FROM user_categories WHERE user_id = ?", uid["bo"]),
         [(cats["sports"],)], "bo is limited to Sports")
    c.eq(s["bo"].api("POST", "/api/articles", {"title": "x", "category": "research"}).status, 403,
         "bo may no longer write in Research")
    page = ada.page(f"/editor/users/{uid['bo']}")
    c.check("only in the allowed categories" in page.text
            and 'value="remove_category"' in page.text, "the page shows the limit")
    r = ada.post(f"/editor/users/{uid['bo']}", {"action": "all_categories"})
    c.eq(db_rows(db, "SELECT count(*) FROM user_categories WHERE user_id = ?", uid["bo"]), [(0,)],
         "Allow every category clears the limit")
    c.check(db_rows(db, "SELECT count(*) FROM audit_log WHERE action = 'user.update' AND "
                        "detail = 'categories'")[0][0] >= 4, "rights changes are audited")
    roles = re.findall(r'<option value="(author|editor|admin)"', ada.page("/editor/users").text)
    c.eq(roles, ["author", "editor", "admin"], "the new-user form offers the three roles")


def conflict_api(c, s, db):
    step("edit conflict in the API: 409 with the current version")
    ed, eve = s["ed"], s["eve"]
    a = create(c, ed, "Budget debate in the senate", body_markdown="First draft.")
    one = ed.api("GET", f"/api/editor/articles/{a['id']}").json
    two = eve.api("GET", f"/api/editor/articles/{a['id']}").json
    c.eq((one["version"], two["version"]), (1, 1), "both sessions load version 1")
    r = ed.api("PATCH", f"/api/articles/{a['id']}", {"version": 1, "body_markdown": "Ed's text."})
    c.check(r.status == 200 and r.json["version"] == 2, "the first save: 200, version 2", r.text)
    r = eve.api("PATCH", f"/api/articles/{a['id']}", {"version": 1,
                                                     "body_markdown": "Eve's text."})
    c.eq(r.status, 409, "the second save from version 1: 409")
    j = r.json or {}
    c.check(j.get("error", {}).get("code") == "conflict" and j.get("current_version") == 2
            and j.get("article", {}).get("body_markdown") == "Ed's text.",
            "the 409 carries the current version and the current article", r.text)
    c.eq(db_rows(db, "SELECT body_md, version FROM articles WHERE id = ?", a["id"]),
         [("Ed's text.", 2)], "the first save's text is intact")
    r = eve.api("PATCH", f"/api/articles/{a['id']}", {"version": 2,
                                                     "body_markdown": "Ed's text. Eve's text."})
    c.check(r.status == 200 and r.json["version"] == 3, "with the current version: 200")
    r = eve.api("PATCH", f"/api/articles/{a['id']}", {"title": "Budget debate (no version)"})
    c.check(r.status == 200 and r.json["version"] == 4,
            "without a version the save applies as before, and still counts", r.text)
    c.eq(eve.api("PATCH", f"/api/articles/{a['id']}", {"version": "4"}).status, 422,
         "a version that is not a number: 422")
    c.eq(eve.api("POST", f"/api/articles/{a['id']}/submit", {"version": 1}).status, 409,
         "a review step from an old version: 409")


def hidden(page, name):
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    return h.html.unescape(m.group(1)) if m else None


def textarea(page, ident):
    m = re.search(rf'<textarea id="{ident}"[^>]*>(.*?)</textarea>', page, re.S)
    return h.html.unescape(m.group(1)) if m else None


def conflict_form(c, s, db):
    step("edit conflict in the form: the merge page keeps both texts")
    ed, eve = s["ed"], s["eve"]
    a = create(c, ed, "Orchestra tour", body_markdown="Original body.")
    p1, p2 = ed.page(f"/editor/articles/{a['id']}").text, eve.page(f"/editor/articles/{a['id']}").text
    c.eq((hidden(p1, "version"), hidden(p2, "version")), ("1", "1"),
         "both forms carry version 1")
    base = {"title": "Orchestra tour", "category": "research", "summary": "", "source": "",
            "author": "", "action": "save"}
    r = ed.post(f"/editor/articles/{a['id']}", {**base, "version": "1",
                                               "body": "Ed: the tour starts in May."})
    c.eq(r.status, 303, "the first form save: 303")
    r = eve.post(f"/editor/articles/{a['id']}", {**base, "version": "1", "source": "Music dept",
                                                "body": "Eve: twelve concerts."})
    c.eq(r.status, 409, "the second form save from version 1: 409")
    c.eq(textarea(r.text, "current-body"), "Ed: the tour starts in May.",
         "the merge page shows the other person's text")
    c.eq(textarea(r.text, "body"), "Eve: twelve concerts.", "and keeps this person's text")
    c.eq(hidden(r.text, "version"), "2", "with the current version in the form")
    c.eq(hidden(r.text, "source"), "Music dept", "the other fields sent are kept too")
    c.eq(db_rows(db, "SELECT body_md FROM articles WHERE id = ?", a["id"]),
         [("Ed: the tour starts in May.",)], "the first save is intact")
    merged = "Ed: the tour starts in May.\n\nEve: twelve concerts."
    r = eve.post(f"/editor/articles/{a['id']}", {**base, "version": "2", "source": "Music dept",
                                                "body": merged})
    c.eq(r.status, 303, "saving the merged text with the current version: 303")
    c.eq(db_rows(db, "SELECT body_md, source, version FROM articles WHERE id = ?", a["id"]),
         [(merged, "Music dept", 3)], "both texts are stored")


def soft_lock(c, s):
    step("the soft lock: being edited by X since T")
    ed, eve = s["ed"], s["eve"]
    a = create(c, ed, "Soft lock article")
    page = ed.page(f"/editor/articles/{a['id']}")
    c.check("Being edited by" not in page.text, "no notice for the only one on the form")
    page = eve.page(f"/editor/articles/{a['id']}")
    m = re.search(r"Being edited by ed since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.", page.text)
    c.check(m, "another user's form says it is being edited by ed since a time",
            text_of(page.text)[:400])
    page = ed.page(f"/editor/articles/{a['id']}")
    c.check("Being edited by eve since" in page.text, "and ed sees eve")
    r = h.get(ed.port, f"/editor/articles/{a['id']}/lock", "POST",
              {"Cookie": ed.cookie, "Content-Type": FORM}, "")
    c.eq(r.status, 403, "the heartbeat without the CSRF token: 403")
    r = ed.post(f"/editor/articles/{a['id']}/lock", {})
    c.eq(r.status, 204, "the heartbeat with the token: 204")
    c.eq(ed.post("/editor/articles/99999999/lock", {}).status, 404, "for no article: 404")
    r = eve.post(f"/editor/articles/{a['id']}", {"title": "Soft lock article", "category": "research",
                                                "body": "saved anyway", "version": "1",
                                                "action": "save"})
    c.eq(r.status, 303, "the lock never blocks a save")
    r = s["ada"].api("PATCH", "/api/settings", {"ui_language": "zh"})
    c.eq(r.status, 200, "the site speaks Chinese")
    page = eve.page(f"/editor/articles/{a['id']}")
    c.check(re.search(r"ed 自 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 起正在编辑此文章。", page.text),
            "the notice in Chinese", text_of(page.text)[:300])
    s["ada"].api("PATCH", "/api/settings", {"ui_language": "en"})


def views(c, s, port):
    step("the dashboard's views column")
    ed = s["ed"]
    r = ed.api("GET", "/api/editor/articles?status=published&per_page=1")
    a = r.json["articles"][0]
    for _ in range(3):
        h.get(port, f"/api/articles/{a['id']}/view", "POST")
    want = a["views"] + 3
    dash = ed.page("/editor/?q=" + urllib.parse.quote(a["title"]))
    row = re.search(r'<a href="/editor/articles/%d">.*?<td class="views">(\d+)</td>' % a["id"],
                    dash.text, re.S)
    c.check(row and int(row.group(1)) == want, "the dashboard shows the counted views",
            (row.group(1) if row else None, want))


if __name__ == "__main__":
    h.run_test("workflow_test", test)
