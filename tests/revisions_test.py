"""Article revisions in the editor through real nginx (SPEC §5 "every save keeps a
revision; an editor can compare and restore one"): the list with author and time,
the diff against the current text with every line escaped, restoring (a new
revision and an audit entry, status and publish time kept), CSRF, roles, unknown
and deleted ids, visitors, methods, the Chinese labels and the diff's cap."""

import html
import json
import re
import sqlite3
import sys
import urllib.parse

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
REV_LINK = re.compile(r'href="/editor/revisions/(\d+)"')


class Session:
    """An editor logged in through POST /api/session: cookie and CSRF token."""

    def __init__(self, port, user):
        self.port = port
        r = h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
                  json.dumps({"username": user, "password": PASSWORD}))
        if r.status != 200:
            raise h.Fatal(f"login of {user}: {r.status}")
        self.cookie = r.header("set-cookie").split(";")[0]
        self.csrf = json.loads(r.body)["csrf_token"]

    def api(self, method, path, body=None):
        headers = {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        r = h.get(self.port, path, method, headers, body)
        return r, (json.loads(r.body) if r.body and r.header("content-type").startswith(
            "application/json") else None)

    def page(self, path):
        return h.get(self.port, path, "GET", {"Cookie": self.cookie})

    def post(self, path, fields=None, csrf=True):
        """A urlencoded form post; csrf=False leaves the token out, a string
        sends that token instead."""
        fields = dict(fields or {})
        if csrf is True:
            fields["csrf_token"] = self.csrf
        elif csrf:
            fields["csrf_token"] = csrf
        return h.get(self.port, path, "POST",
                     {"Cookie": self.cookie,
                      "Content-Type": "application/x-www-form-urlencoded"},
                     urllib.parse.urlencode(fields))


def listed(page):
    """Revision ids linked from a list page, in page order."""
    return [int(x) for x in REV_LINK.findall(page)]


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    for user, role in (("ed", "editor"), ("ada", "admin")):
        r = h.gazette(db, "user", "add", user, "--role", role, "--password-stdin",
                      stdin=PASSWORD + "\n")
        c.require(r.returncode == 0, f"user add {user}", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    ed = Session(port, "ed")  # an editor, not an admin: everything below is theirs
    con = sqlite3.connect(db)

    def audit_count(aid):
        return con.execute("SELECT count(*) FROM audit_log WHERE object_type = 'article' "
                           "AND object_id = ?", (aid,)).fetchone()[0]

    # --- three saves ------------------------------------------------------------
    first_body = "Line one\nLine two\n<script>alert(1)</script>\nLine four\n"
    r, art = ed.api("POST", "/api/articles", {
        "title": "Rowing club <b>wins</b>", "category": "news", "summary": "First summary",
        "body_markdown": first_body, "source": "News desk", "author": "Reporter A"})
    c.require(r.status == 201, "create the article", r.body[:200])
    aid = art["id"]
    r, _ = ed.api("PATCH", f"/api/articles/{aid}", {
        "title": "Rowing club wins the cup",
        "body_markdown": first_body.replace("Line two\n", "Line two, edited\n")})
    c.eq(r.status, 200, "first edit")
    third_body = "Line one\nLine two, edited\nLine four\nLine five & more\n"
    r, now = ed.api("PATCH", f"/api/articles/{aid}", {
        "body_markdown": third_body, "summary": "Second summary", "source": "Sports desk",
        "pinned": True, "status": "published"})
    c.require(r.status == 200, "second edit, published", r.body[:200])
    published_at = now["published_at"]

    # --- the list ------------------------------------------------------------------
    r = ed.page(f"/editor/articles/{aid}/revisions")
    c.eq(r.status, 200, "the list answers")
    ids = listed(r.text)
    stored = [i for (i,) in con.execute(
        "SELECT id FROM revisions WHERE article_id = ? ORDER BY id DESC", (aid,))]
    c.eq(len(ids), 3, "three saves, three revisions")
    c.eq(ids, stored, "the list is newest first")
    rows = re.findall(r"<tr[^>]*>\s*<td>(\d+).*?</tr>", r.text, re.S)
    c.eq(len(rows), 3, "three rows")
    body = r.text.split("<tbody>")[-1]
    c.eq(len(TIME.findall(body)), 3, "each row has its time")
    c.eq(body.count("<td>ed</td>"), 3, "each row names who saved it")
    c.check(h.contains_text(r.text, "Rowing club <b>wins</b>"), "the first title is listed")
    c.check("<b>wins</b>" not in r.text, "titles are escaped in the list")
    c.check("3 revisions" in r.text, "the count is shown", r.text[:2000])
    c.check(f'href="/editor/articles/{aid}"' in r.text, "the list links back to the article")
    first, second, third = ids[2], ids[1], ids[0]

    # --- one revision against the current text -------------------------------------
    r = ed.page(f"/editor/revisions/{first}")
    c.eq(r.status, 200, "the revision page answers")
    page = r.text
    c.check("<del>&lt;script&gt;alert(1)&lt;/script&gt;</del>" in page,
            "the removed <script> line is shown escaped", page[:3000])
    c.check("<script>alert" not in page, "no raw script from the text")
    c.check("<del>Line two</del>" in page and "<ins>Line two, edited</ins>" in page,
            "a changed line shows as removed and added")
    c.check("<ins>Line five &amp; more</ins>" in page, "an added line, escaped")
    c.check('<td class="diff-text">Line one</td>' in page, "an unchanged line is plain")
    c.check("<del>Rowing club &lt;b&gt;wins&lt;/b&gt;</del>" in page
            and "<ins>Rowing club wins the cup</ins>" in page, "the title diff, escaped")
    fields = page.split('class="rev-fields"')[1].split("</table>")[0]
    c.check(re.search(r"Summary</th><td><del>First summary</del></td><td><ins>Second summary",
                      fields), "a changed field side by side", fields)
    c.check(re.search(r"Pinned \(top story\)</th><td><del>No</del></td><td><ins>Yes", fields),
            "pinned side by side")
    c.check(re.search(r"Status</th><td><del>Draft</del></td><td><ins>Published", fields),
            "status side by side")
    c.check(re.search(r'Drafted by</th><td colspan="2">Reporter A</td>', fields),
            "an unchanged field is shown once")
    c.check(f'action="/editor/revisions/{first}/restore"' in page
            and f'name="csrf_token" value="{ed.csrf}"' in page, "the restore form carries the token")
    c.check("<pre>Line one\nLine two\n&lt;script&gt;" in page, "the revision's full text, escaped")
    r = ed.page(f"/editor/revisions/{third}")
    c.check(r.status == 200 and "This revision matches the current article." in r.text
            and "No differences." in r.text, "the latest revision matches the article")

    # --- restore: CSRF first ---------------------------------------------------------
    audits = audit_count(aid)
    c.eq(ed.post(f"/editor/revisions/{first}/restore", csrf=False).status, 403,
         "restore without the CSRF token: 403")
    c.eq(ed.post(f"/editor/revisions/{first}/restore", csrf="f" * 64).status, 403,
         "restore with a wrong token: 403")
    r = h.get(port, f"/editor/revisions/{first}/restore", "POST",
              {"Cookie": ed.cookie, "X-CSRF-Token": ed.csrf,
               "Content-Type": "application/x-www-form-urlencoded"}, "")
    c.eq(r.status, 303, "the token in the header does too")
    c.eq(len(stored) + 1, con.execute("SELECT count(*) FROM revisions WHERE article_id = ?",
                                      (aid,)).fetchone()[0], "only the good request restored")
    r = ed.post(f"/editor/revisions/{first}/restore")
    c.eq(r.status, 303, "restore: 303")
    c.eq(r.header("location"), f"/editor/articles/{aid}?saved=1", "to the article form, saved")
    r, now = ed.api("GET", f"/api/editor/articles/{aid}")
    c.eq(now["title"], "Rowing club <b>wins</b>", "the title is back")
    c.eq(now["body_markdown"], first_body, "the body is back")
    c.eq(now["summary"], "First summary", "the summary is back")
    c.eq(now["source"], "News desk", "the source is back")
    c.eq(now["pinned"], False, "pinned is back")
    c.eq(now["status"], "published", "the status is kept: a restore never unpublishes")
    c.eq(now["published_at"], published_at, "the publish time is kept")
    c.eq(h.get(port, f"/a/{aid}").status, 200, "the article stays public")
    r = ed.page(f"/editor/articles/{aid}?saved=1")
    c.check(r.status == 200 and "Saved." in r.text, "the form says it saved")

    r = ed.page(f"/editor/articles/{aid}/revisions")
    ids = listed(r.text)
    c.eq(len(ids), 5, "two restores, two more revisions")
    c.check(ids[0] > third, "the restore is the newest revision")
    c.eq(con.execute("SELECT title, body_md, status FROM revisions WHERE id = ?",
                     (ids[0],)).fetchone(),
         ("Rowing club <b>wins</b>", first_body, "published"), "the new revision holds the restore")
    c.eq(audit_count(aid), audits + 2, "each restore has an audit entry")
    who = con.execute("SELECT username, action, address FROM audit_log WHERE object_id = ? "
                      "ORDER BY id DESC LIMIT 1", (aid,)).fetchone()
    c.eq(who, ("ed", "article.update", "127.0.0.1"), "the audit entry says who, what, where")
    r = ed.page(f"/editor/revisions/{first}")
    c.check(r.text.count("No differences.") == 2, "after the restore title and body match")
    c.check("This revision matches the current article." not in r.text
            and re.search(r"Status</th><td><del>Draft</del></td><td><ins>Published", r.text),
            "but the status, kept, still differs")

    # --- an admin sees the same -------------------------------------------------------
    ada = Session(port, "ada")
    c.eq(ada.page(f"/editor/articles/{aid}/revisions").status, 200, "an admin lists too")
    c.eq(ada.post(f"/editor/revisions/{second}/restore").status, 303, "an admin restores too")
    r, now = ed.api("GET", f"/api/editor/articles/{aid}")
    c.eq(now["title"], "Rowing club wins the cup", "the second revision's title")

    # --- a revision a save cannot take: 422 with why, nothing changed ----------------------
    count = con.execute("SELECT count(*) FROM revisions").fetchone()[0]
    audits = audit_count(aid)
    with con:
        con.execute("UPDATE revisions SET category_id = 987654 WHERE id = ?", (third,))
        con.execute("UPDATE revisions SET title = '' WHERE id = ?", (first,))
    r = ed.post(f"/editor/revisions/{third}/restore")
    c.check(r.status == 422 and "its category no longer exists" in r.text
            and "#987654" in r.text, "a revision whose category is gone: 422, said so",
            (r.status, r.text[:300]))
    r = ed.post(f"/editor/revisions/{first}/restore")
    c.check(r.status == 422 and "could not be restored: title must be" in r.text
            and f'action="/editor/revisions/{first}/restore"' in r.text,
            "a revision that fails today's checks: 422 on its page", (r.status, r.text[:300]))
    c.eq(con.execute("SELECT count(*) FROM revisions").fetchone()[0], count, "no revision added")
    c.eq(audit_count(aid), audits, "no audit entry added")
    c.eq(ed.api("GET", f"/api/editor/articles/{aid}")[1]["title"], "Rowing club wins the cup",
         "the article is untouched")
    with con:
        con.execute("UPDATE revisions SET title = 'Rowing club <b>wins</b>' WHERE id = ?",
                    (first,))

    # --- unknown, deleted, malformed ------------------------------------------------------
    for path in ("/editor/revisions/999999", "/editor/articles/999999/revisions",
                 "/editor/revisions/0", "/editor/revisions/abc",
                 f"/editor/articles/{aid}/revisions?page=99"):
        c.eq(ed.page(path).status, 404, f"GET {path}: 404")
    c.eq(ed.page(f"/editor/articles/{aid}/revisions?page=0").status, 400, "page=0: 400")
    c.eq(ed.page(f"/editor/articles/{aid}/revisions?page=x").status, 400, "page=x: 400")
    c.eq(ed.post("/editor/revisions/999999/restore").status, 404, "restore an unknown one: 404")
    r, gone = ed.api("POST", "/api/articles", {"title": "Short-lived", "category": "news"})
    gone_rev = con.execute("SELECT max(id) FROM revisions WHERE article_id = ?",
                           (gone["id"],)).fetchone()[0]
    c.eq(ed.api("DELETE", f"/api/articles/{gone['id']}")[0].status, 204, "delete an article")
    c.eq(ed.page(f"/editor/articles/{gone['id']}/revisions").status, 404,
         "a deleted article's list: 404")
    c.eq(ed.page(f"/editor/revisions/{gone_rev}").status, 404, "a deleted article's revision: 404")
    c.eq(ed.post(f"/editor/revisions/{gone_rev}/restore").status, 404,
         "restoring into a deleted article: 404")
    c.eq(h.get(port, f"/a/{gone['id']}").status, 404, "and it stays deleted")
    c.eq(ed.page(f"/editor/revisions/{first}/restore").status, 405, "GET on restore: 405")
    r = h.get(port, f"/editor/revisions/{first}", "POST",
              {"Cookie": ed.cookie, "X-CSRF-Token": ed.csrf})
    c.eq(r.status, 405, "POST on the revision page: 405")

    # --- visitors --------------------------------------------------------------------------
    count = con.execute("SELECT count(*) FROM revisions").fetchone()[0]
    for path in (f"/editor/articles/{aid}/revisions", f"/editor/revisions/{first}"):
        r = h.get(port, path)
        c.check(r.status == 303 and r.header("location").startswith("/editor/login?next=")
                and urllib.parse.unquote(r.header("location").split("next=")[1]) == path,
                f"a visitor on {path} goes to the login", (r.status, r.header("location")))
    r = h.get(port, f"/editor/revisions/{first}/restore", "POST",
              {"Content-Type": "application/x-www-form-urlencoded"}, "csrf_token=" + ed.csrf)
    c.check(r.status in (303, 401, 403), "a visitor cannot restore", r.status)
    c.eq(con.execute("SELECT count(*) FROM revisions").fetchone()[0], count,
         "visitors changed nothing")

    # --- a text past the diff's cap ---------------------------------------------------------
    r, big = ed.api("POST", "/api/articles", {"title": "Long", "category": "news",
                                              "body_markdown": "x\n" * 20001})
    c.require(r.status == 201, "a 20,001-line article", r.body[:200])
    ed.api("PATCH", f"/api/articles/{big['id']}", {"body_markdown": "y\n" * 20001})
    big_rev = con.execute("SELECT min(id) FROM revisions WHERE article_id = ?",
                          (big["id"],)).fetchone()[0]
    r = ed.page(f"/editor/revisions/{big_rev}")
    c.check(r.status == 200 and "too long to compare line by line" in r.text
            and "<table class=\"diff\">" not in r.text.split("rev-fields")[0],
            "past the cap: whole text replaced, and said so", r.status)

    # --- Chinese labels ---------------------------------------------------------------------
    r = h.gazette(db, "setting", "set", "ui_language", "zh")
    c.require(r.returncode == 0, "switch to Chinese", r.stderr)
    r = ed.page(f"/editor/revisions/{first}")
    c.check("恢复此版本" in r.text and "此版本" in r.text and "当前" in r.text,
            "the revision page in Chinese")
    r = ed.page(f"/editor/articles/{aid}/revisions")
    c.check("与当前版本比较" in r.text and "保存时间" in r.text, "the list in Chinese")
    c.check("Restore this revision" not in html.unescape(r.text), "no English left")


if __name__ == "__main__":
    h.run_test("revisions_test", test)
