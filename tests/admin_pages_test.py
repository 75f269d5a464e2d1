"""The admin pages and My account in the browser workspace, through real nginx
(SPEC §5; issue 5 points 5 and 6): an admin logs in through the /editor/login
form and, with forms only (no JavaScript), creates an editor, who gets 403 on
every admin page; disables, re-enables and resets the editor (each revoking
the editor's sessions); refuses to lock themselves out; builds a category tree
that stays two levels deep; changes settings (the public site follows, in
Chinese too), refuses a bad time zone next to its field, uploads a logo; reads
the audit log filtered by user and by days in the site's time zone, 50 a page;
changes a password under My account (the other session ends). Every POST
without the CSRF token is 403 and changes nothing; every field has a label and
every form the token."""

import html
import html.parser
import http.client
import json
import re
import sqlite3
import struct
import sys
import time
import urllib.parse
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

ADMIN_PW = "correct horse battery"
EDITOR_PW = "eve's first password"
BOUNDARY = "----gazette-admin-5c1d"
ZONE = "America/New_York"  # 2024-03-10 is a DST day there: 23 hours


def png(width=3, height=2):
    """A small grey PNG, built by hand."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + bytes((40 * x + y) % 256 for x in range(width))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def multipart(fields, files):
    """A multipart/form-data body: fields {name: text}, files {name: (filename, bytes)}."""
    out = b""
    for name, value in fields.items():
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for name, (filename, data) in files.items():
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                ).encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


class Browser:
    """A client with its own cookie jar that does not follow redirects."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = None

    def request(self, method, path, body=None, ctype=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if ctype:
            headers["Content-Type"] = ctype
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            for name, value in r.getheaders():
                if name.lower() != "set-cookie":
                    continue
                pair, _, attrs = value.partition(";")
                k, _, v = pair.strip().partition("=")
                if "max-age=0" in attrs.lower() or not v:
                    self.cookies.pop(k, None)
                else:
                    self.cookies[k] = v
            return h.Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, csrf=True):
        """A urlencoded form post; csrf=False leaves the token out, a string
        sends that token instead."""
        fields = dict(fields)
        if csrf is True:
            fields["csrf_token"] = self.csrf
        elif csrf:
            fields["csrf_token"] = csrf
        return self.request("POST", path, urllib.parse.urlencode(fields),
                            "application/x-www-form-urlencoded")

    def upload(self, path, files, csrf=True):
        fields = {"csrf_token": self.csrf if csrf is True else csrf} if csrf else {}
        return self.request("POST", path, multipart(fields, files),
                            f"multipart/form-data; boundary={BOUNDARY}")

    def login(self, user, password):
        """Logs in through the form; returns the POST's response."""
        self.cookies.clear()
        r = self.get("/editor/login")
        if r.status != 200:
            return r
        r = self.request("POST", "/editor/login", urllib.parse.urlencode(
            {"username": user, "password": password, "next": "/editor/"}),
            "application/x-www-form-urlencoded")
        if r.status == 303:
            page = self.get("/editor/account").text
            m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
            self.csrf = m.group(1) if m else None
        return r

    def alive(self):
        """True while the session opens an editor page."""
        return self.get("/editor/").status == 200


class FormAudit(html.parser.HTMLParser):
    """Collects, for an HTML page, the fields without a <label for>, and the
    POST forms without a csrf_token field."""

    def __init__(self):
        super().__init__()
        self.labels, self.fields = set(), []
        self.forms = []  # [method, has_token]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag == "form":
            self.forms.append([(a.get("method") or "get").lower(), False])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and a.get("name") == "csrf_token" and self.forms:
                self.forms[-1][1] = True
            if a.get("type") in ("hidden", "submit") or "hidden" in a:
                return
            self.fields.append(a.get("id") or f"<{tag} name={a.get('name')} without id>")

    def problems(self):
        out = [f"no label for {f}" for f in self.fields if f not in self.labels]
        out += ["a POST form without csrf_token" for m, tok in self.forms if m == "post" and not tok]
        return out


def field_block(page, field_id):
    """The <div class="field…">…</div> around the element with this id ("" if none)."""
    at = page.find(f'id="{field_id}"')
    if at < 0:
        return ""
    start = page.rfind('<div class="field', 0, at)
    end = page.find("</div>", at)
    return page[start:end] if start >= 0 and end >= 0 else ""


def error_next_to(page, field_id, message):
    """True when the field's block is marked as an error and shows message."""
    block = field_block(page, field_id)
    return "has-error" in block.split(">", 1)[0] and message in html.unescape(block)


def value_of(page, field_id):
    m = re.search(r'<input id="%s"[^>]*\bvalue="([^"]*)"' % re.escape(field_id), page)
    return html.unescape(m.group(1)) if m else None


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    r = h.gazette(db, "user", "add", "ada", "--role", "admin", "--password-stdin",
                  stdin=ADMIN_PW + "\n")
    c.require(r.returncode == 0, "user add ada", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    con = sqlite3.connect(db, timeout=10)
    con.isolation_level = None

    def scalar(sql, *args):
        row = con.execute(sql, args).fetchone()
        return row[0] if row else None

    def snapshot():
        """Everything an admin page can change, to prove a refused POST changed nothing."""
        return [con.execute(q).fetchall() for q in (
            "SELECT id, username, display_name, role, disabled, password_hash FROM users ORDER BY id",
            "SELECT id, slug, name, parent_id, position FROM categories ORDER BY id",
            "SELECT key, value FROM settings ORDER BY key",
            "SELECT count(*) FROM media", "SELECT count(*) FROM sessions")]

    admin = Browser(port)
    r = admin.login("ada", ADMIN_PW)
    c.require(r.status == 303 and admin.csrf, "the admin logs in through the form", r)

    # --- every page: labels, tokens, the admin menu -----------------------------------
    for path in ("/editor/users", "/editor/categories", "/editor/settings", "/editor/audit",
                 "/editor/account", "/editor/users/1",
                 f"/editor/categories/{scalar('SELECT min(id) FROM categories')}"):
        r = admin.get(path)
        c.eq(r.status, 200, f"GET {path} as admin")
        audit = FormAudit()
        audit.feed(r.text)
        c.eq(audit.problems(), [], f"{path}: every field labelled, every POST form has the token")
        c.check('class="editor-nav"' in r.text and f'href="/editor/users"' in r.text,
                f"{path} has the editor menu with the admin links")
        c.check("private" in r.header("cache-control") or "no-store" in r.header("cache-control")
                or not r.header("etag"), f"{path} is not a cacheable public page",
                r.header("cache-control"))
    r = h.get(port, "/editor/users")
    c.check(r.status == 303 and "/editor/login?next=%2Feditor%2Fusers" in r.header("location"),
            "without a session the users page sends to the login form", r.header("location"))

    # --- users: create an editor through the form --------------------------------------
    before = snapshot()
    r = admin.post("/editor/users", {"username": "eve", "display_name": "Eve", "role": "editor",
                                     "password": EDITOR_PW}, csrf=False)
    c.eq(r.status, 403, "creating a user without the CSRF token: 403")
    r = admin.post("/editor/users", {"username": "eve", "display_name": "Eve", "role": "editor",
                                     "password": EDITOR_PW}, csrf="0" * 64)
    c.eq(r.status, 403, "creating a user with a wrong CSRF token: 403")
    c.eq(snapshot(), before, "and nothing changed")
    r = admin.post("/editor/users", {"username": "eve", "display_name": "Eve Editor",
                                     "role": "editor", "password": "short"})
    c.eq(r.status, 422, "a short password: 422")
    c.check(error_next_to(r.text, "password", "12"), "the message is next to the password field")
    c.eq(value_of(r.text, "username"), "eve", "the user name is kept")
    c.eq(value_of(r.text, "display_name"), "Eve Editor", "the display name is kept")
    c.check('value="short"' not in r.text, "the password is not sent back")
    r = admin.post("/editor/users", {"username": "bad name!", "role": "editor",
                                     "password": EDITOR_PW})
    c.check(r.status == 422 and error_next_to(r.text, "username", "username must be"),
            "a bad user name: 422 next to the field", r.status)
    r = admin.post("/editor/users", {"username": "ADA", "role": "editor", "password": EDITOR_PW})
    c.check(r.status == 409 and error_next_to(r.text, "username", "That user name is taken"),
            "a taken name (any case): 409 next to the field", r.status)
    r = admin.post("/editor/users", {"username": "eve", "role": "boss", "password": EDITOR_PW})
    c.check(r.status == 422 and error_next_to(r.text, "role", "role must be"),
            "an unknown role: 422 next to the field", r.status)
    c.eq(snapshot(), before, "refused saves changed nothing")
    r = admin.post("/editor/users", {"username": "eve", "display_name": "Eve Editor",
                                     "role": "editor", "password": EDITOR_PW})
    c.check(r.status == 303 and r.header("location") == "/editor/users?saved=1",
            "a new user: 303 to the list", (r.status, r.header("location")))
    page = admin.get("/editor/users").text
    c.check(">eve</a>" in page and "Eve Editor" in page, "the list shows the new editor")
    c.check('role="status">Saved.' in admin.get("/editor/users?saved=1").text,
            "with a saved notice after the redirect")
    eve_id = scalar("SELECT id FROM users WHERE username = 'eve'")
    ada_id = scalar("SELECT id FROM users WHERE username = 'ada'")
    c.require(eve_id and scalar("SELECT role FROM users WHERE id = ?", eve_id) == "editor",
              "eve is stored as an editor")

    # --- the editor gets 403 on every admin page ----------------------------------------
    eve = Browser(port)
    c.require(eve.login("eve", EDITOR_PW).status == 303, "the new editor logs in")
    cat_id = scalar("SELECT min(id) FROM categories")
    for path in ("/editor/users", f"/editor/users/{eve_id}", "/editor/categories",
                 f"/editor/categories/{cat_id}", "/editor/settings", "/editor/audit"):
        c.eq(eve.get(path).status, 403, f"an editor GETs {path}: 403")
    before = snapshot()
    for path, fields in (("/editor/users", {"username": "mallory", "role": "admin",
                                            "password": "mallory's password"}),
                         (f"/editor/users/{eve_id}", {"action": "save", "role": "admin",
                                                      "display_name": "Eve"}),
                         ("/editor/categories", {"slug": "x", "name": "X"}),
                         (f"/editor/categories/{cat_id}", {"name": "Hacked", "position": "1"}),
                         ("/editor/settings", {"site_name": "Hacked"})):
        c.eq(eve.post(path, fields).status, 403, f"an editor POSTs {path} with her token: 403")
    c.eq(eve.upload("/editor/settings/logo", {"logo": ("l.png", png())}).status, 403,
         "an editor uploads a logo: 403")
    c.eq(snapshot(), before, "an editor changed nothing")
    r = eve.get("/editor/account")
    c.check(r.status == 200 and "eve" in r.text and "Editor" in r.text,
            "an editor opens My account with her name and role")
    c.check('href="/editor/users"' not in r.text, "an editor's menu has no admin links")

    # --- disable, enable, reset: each ends the editor's sessions -------------------------
    r = admin.post(f"/editor/users/{eve_id}", {"action": "disable"}, csrf=False)
    c.eq(r.status, 403, "disable without the token: 403")
    c.check(eve.alive(), "and eve's session lives on")
    r = admin.post(f"/editor/users/{eve_id}", {"action": "disable"})
    c.check(r.status == 303 and r.header("location") == f"/editor/users/{eve_id}?saved=1",
            "disable: 303 back to the user", (r.status, r.header("location")))
    c.check(not eve.alive(), "the disabled editor's session is dead")
    c.eq(Browser(port).login("eve", EDITOR_PW).status, 401, "a disabled editor cannot log in")
    page = admin.get(f"/editor/users/{eve_id}?saved=1").text
    c.check("Disabled" in page and 'value="enable"' in page and "Saved." in page,
            "the user page shows the account disabled, an enable button and the notice")
    c.check('status-disabled">Disabled' in admin.get("/editor/users").text,
            "the list shows it disabled")
    r = admin.post(f"/editor/users/{eve_id}", {"action": "enable"})
    c.eq(r.status, 303, "enable: 303")
    c.eq(eve.login("eve", EDITOR_PW).status, 303, "the re-enabled editor logs in")
    eve_other = Browser(port)
    eve_other.login("eve", EDITOR_PW)
    r = admin.post(f"/editor/users/{eve_id}", {"action": "password", "password": "tiny"})
    c.check(r.status == 422 and error_next_to(r.text, "password", "12"),
            "a short reset password: 422 next to the field", r.status)
    c.check(eve.alive(), "a refused reset ends no session")
    new_pw = "eve's second password"
    r = admin.post(f"/editor/users/{eve_id}", {"action": "password", "password": new_pw})
    c.eq(r.status, 303, "password reset: 303")
    c.check(not eve.alive() and not eve_other.alive(), "a reset ends all the editor's sessions")
    c.eq(Browser(port).login("eve", EDITOR_PW).status, 401, "the old password no longer works")
    c.eq(eve.login("eve", new_pw).status, 303, "the new one does")
    r = admin.post(f"/editor/users/{eve_id}", {"action": "save", "display_name": "Eve E.",
                                               "role": "editor"})
    c.eq(r.status, 303, "rename: 303")
    c.eq(scalar("SELECT display_name FROM users WHERE id = ?", eve_id), "Eve E.", "renamed")
    r = admin.post(f"/editor/users/{eve_id}", {"action": "save", "display_name": "a\nb",
                                               "role": "editor"})
    c.check(r.status == 422 and error_next_to(r.text, "display_name", "one line"),
            "a two-line display name: 422 next to the field", r.status)
    c.eq(admin.post(f"/editor/users/{eve_id}", {"action": "explode"}).status, 400,
         "an unknown action: 400")
    c.eq(admin.get("/editor/users/999999").status, 404, "an unknown user: 404")

    # --- no admin can lock themselves out -------------------------------------------------
    before = snapshot()
    r = admin.post(f"/editor/users/{ada_id}", {"action": "disable"})
    c.check(r.status == 422 and "you cannot disable your own account: another admin must do it"
            in html.unescape(r.text), "an admin cannot disable themselves, and is told why", r.status)
    r = admin.post(f"/editor/users/{ada_id}", {"action": "save", "display_name": "Ada",
                                               "role": "editor"})
    c.check(r.status == 422 and error_next_to(r.text, "role", "cannot remove your own admin role"),
            "nor drop their own admin role (next to the field)", r.status)
    r = admin.post(f"/editor/users/{ada_id}", {"action": "password", "password": "ada's new password"})
    c.check(r.status == 422 and "My account" in r.text,
            "their own password changes under My account, not here", r.status)
    c.eq(snapshot(), before, "none of it changed anything")
    c.check(admin.alive(), "the admin is still logged in")
    page = admin.get(f"/editor/users/{ada_id}").text
    c.check('value="disable"' not in page and "another admin must" in page,
            "the own user page offers no disable button and says why")

    # --- categories: a tree two levels deep --------------------------------------------------
    def categories():
        return {x["slug"]: x for x in json.loads(h.get(port, "/api/categories").body)["categories"]}

    tops = [s for s, x in categories().items() if not x["parent"]]
    c.require(len(tops) >= 2, "the demo has top-level categories", tops)
    before = snapshot()
    c.eq(admin.post("/editor/categories", {"slug": "alumni", "name": "Alumni"}, csrf=False).status,
         403, "a category without the token: 403")
    r = admin.post("/editor/categories", {"slug": "Campus Life", "name": "Alumni",
                                          "parent": "", "position": "5"})
    c.check(r.status == 422 and error_next_to(r.text, "slug", "slug must be"),
            "a bad slug: 422 next to the field", r.status)
    c.eq(value_of(r.text, "name"), "Alumni", "the name is kept")
    r = admin.post("/editor/categories", {"slug": "alumni", "name": "Alumni", "position": "first"})
    c.check(r.status == 422 and error_next_to(r.text, "position", "whole number"),
            "a position that is not a number: 422 next to the field", r.status)
    r = admin.post("/editor/categories", {"slug": tops[0], "name": "Again"})
    c.check(r.status == 409 and error_next_to(r.text, "slug", "That slug is taken"),
            "a taken slug: 409 next to the field", r.status)
    c.eq(snapshot(), before, "refused categories changed nothing")
    r = admin.post("/editor/categories", {"slug": "alumni", "name": "Alumni", "parent": "",
                                          "position": "50"})
    c.check(r.status == 303 and r.header("location") == "/editor/categories?saved=1",
            "a top-level category: 303", (r.status, r.header("location")))
    r = admin.post("/editor/categories", {"slug": "clubs", "name": "Clubs & Societies",
                                          "parent": "alumni", "position": "1"})
    c.eq(r.status, 303, "a subcategory: 303")
    cats = categories()
    c.check(cats["clubs"]["parent"] == "alumni", "clubs sits under alumni", cats.get("clubs"))
    r = admin.post("/editor/categories", {"slug": "chess", "name": "Chess", "parent": "clubs"})
    c.check(r.status == 422 and error_next_to(r.text, "parent", "top-level category"),
            "a third level is refused next to the parent field", r.status)
    c.check("chess" not in categories(), "and not stored")
    alumni_id = scalar("SELECT id FROM categories WHERE slug = 'alumni'")
    clubs_id = scalar("SELECT id FROM categories WHERE slug = 'clubs'")
    r = admin.post(f"/editor/categories/{alumni_id}", {"name": "Alumni", "parent": tops[0],
                                                       "position": "50"})
    c.check(r.status == 422 and error_next_to(r.text, "parent", "two levels deep"),
            "moving a category with children under another: 422 (two levels deep)", r.status)
    c.eq(categories()["alumni"]["parent"], None, "alumni stays at the top")
    page = admin.get("/editor/categories").text
    c.check(page.find(">Alumni</a>") < page.find(">Clubs &amp; Societies</a>"),
            "the tree lists the child after its parent")
    r = admin.post(f"/editor/categories/{clubs_id}", {"name": "Student Clubs", "parent": tops[0],
                                                      "position": "0"})
    c.check(r.status == 303 and r.header("location") == "/editor/categories?saved=1",
            "rename and move a subcategory: 303 to the tree", (r.status, r.header("location")))
    cats = categories()
    c.check(cats["clubs"]["parent"] == tops[0] and cats["clubs"]["name"] == "Student Clubs",
            "clubs moved and renamed", cats["clubs"])
    r = admin.post(f"/editor/categories/{clubs_id}", {"name": "Student Clubs", "parent": "",
                                                      "position": "0"})
    c.eq(r.status, 303, "move to the top level")
    c.eq(categories()["clubs"]["parent"], None, "clubs is top-level now")
    r = admin.post(f"/editor/categories/{alumni_id}", {"name": "Alumni", "parent": "",
                                                       "position": "0"})
    c.eq(r.status, 303, "reorder: position 0")
    order = [x["slug"] for x in json.loads(h.get(port, "/api/categories").body)["categories"]
             if not x["parent"]]
    later = scalar("SELECT slug FROM categories WHERE parent_id IS NULL AND position > 0 "
                   "AND slug != 'alumni' ORDER BY position LIMIT 1")
    c.check(order.index("alumni") < order.index(later), f"alumni now comes before {later}", order)
    # public pages are files the keeper rewrites within a second
    c.check(h.wait_until(lambda: ">Alumni</a>" in h.get(port, "/").text, 2),
            "the public menu shows the new category")
    c.eq(admin.get("/editor/categories/999999").status, 404, "an unknown category: 404")

    # --- settings -----------------------------------------------------------------------
    page = admin.get("/editor/settings").text
    settings_keys = re.findall(r'\{"([a-z_]+)", "[^"]*", "[^"]*"\}',
                               open(h.SOURCE + "/src/settings.c").read())
    c.check(len(settings_keys) >= 12, "read the keys of settings_table", settings_keys)
    for key in settings_keys:
        c.check(f'name="{key}"' in page and f'for="set-{key}"' in page,
                f"the settings form has a labelled field for {key}")
    c.check("e.g. Asia/Shanghai" in page and "Default" in page and "<code>Gazette</code>" in page,
            "with help texts and defaults")
    c.check('<option value="zh"' in page and 'list="zones-timezone"' in page,
            "language is a select, the time zone offers common zones")

    def current():
        return json.loads(admin.get("/api/settings").body)["settings"]

    form = dict(current())
    before = snapshot()
    c.eq(admin.post("/editor/settings", dict(form, site_name="Hacked"), csrf=False).status, 403,
         "settings without the token: 403")
    bad = dict(form, site_name="Lakeside Gazette", timezone="Mars/Olympus",
               footer_email="not an address")
    r = admin.post("/editor/settings", bad)
    c.eq(r.status, 422, "a bad time zone: 422")
    c.check(error_next_to(r.text, "set-timezone", "timezone must be an IANA time zone name"),
            "the message is next to the time zone field")
    c.check(error_next_to(r.text, "set-footer_email", "footer_email must be"),
            "and another next to the e-mail field")
    c.eq(value_of(r.text, "set-timezone"), "Mars/Olympus", "the input is kept")
    c.eq(value_of(r.text, "set-site_name"), "Lakeside Gazette", "the other input is kept too")
    c.eq(snapshot(), before, "a refused form changes no setting at all")
    c.check("Lakeside Gazette" not in h.get(port, "/").text, "the site name did not change")
    r = admin.post("/editor/settings", dict(form, site_name="Lakeside Gazette", timezone=ZONE,
                                            footer_address="1 Lake Road"))
    c.check(r.status == 303 and r.header("location") == "/editor/settings?saved=1",
            "good settings: 303", (r.status, r.header("location")))
    c.check(h.wait_until(lambda: "Lakeside Gazette" in h.get(port, "/").text
                         and "1 Lake Road" in h.get(port, "/").text, 2),
            "the home page shows them")
    c.eq(current()["timezone"], ZONE, "the time zone is stored")
    actions = [a for (a,) in con.execute(
        "SELECT detail FROM audit_log WHERE action = 'setting.set' ORDER BY id")]
    c.eq(sorted(actions), ["footer_address", "site_name", "timezone"],
         "only the changed settings were written (one audit row each)")
    r = admin.post("/editor/settings", dict(current(), ui_language="zh"))
    c.eq(r.status, 303, "switch the language to Chinese")
    c.check(h.wait_until(lambda: "首页" in h.get(port, "/").text
                         and "Lakeside Gazette" in h.get(port, "/").text, 2),
            "the public home page is in Chinese")
    page = admin.get("/editor/settings?saved=1").text
    c.check("网站名称" in page and "界面语言" in page and "已保存" in page,
            "the settings labels are in Chinese")
    c.check("新建用户" in admin.get("/editor/users").text, "so are the users page's")
    c.check("上级栏目" in admin.get("/editor/categories").text, "and the categories page's")

    # --- logo upload -------------------------------------------------------------------
    before = snapshot()
    r = admin.upload("/editor/settings/logo", {"logo": ("logo.png", png())}, csrf=False)
    c.eq(r.status, 403, "a logo upload without the token: 403")
    r = admin.upload("/editor/settings/logo", {"logo": ("logo.png", b"GIF? no, just text\n")})
    c.check(r.status == 415 and error_next_to(r.text, "logo-file", "不是 JPEG"),
            "a file that is not an image: 415 next to the file field (in Chinese)", r.status)
    r = admin.upload("/editor/settings/logo", {})
    c.check(r.status == 422 and error_next_to(r.text, "logo-file", "图片"),
            "no file: 422 next to the file field", r.status)
    c.eq(snapshot(), before, "refused uploads changed nothing")
    image = png()
    r = admin.upload("/editor/settings/logo", {"logo": ("logo.png", image)})
    c.check(r.status == 303 and r.header("location") == "/editor/settings?saved=1",
            "a PNG logo: 303", (r.status, r.header("location")))
    logo = current()["logo"]
    c.check(re.fullmatch(r"/media/[0-9a-f]{2}/[0-9a-f]{64}\.png", logo), "logo is a media URL", logo)
    c.check(h.wait_until(lambda: f'<img src="{logo}"' in h.get(port, "/").text, 2),
            "the home page shows the logo")
    r = h.get(port, logo)
    c.check(r.status == 200 and r.body == image, "nginx serves the logo file", r)
    c.check(f'src="{logo}"' in admin.get("/editor/settings").text,
            "the settings page shows the current logo")

    # --- My account ------------------------------------------------------------------------
    eve2 = Browser(port)
    c.require(eve2.login("eve", new_pw).status == 303, "eve logs in a second time")
    r = eve.get("/editor/account")
    c.check(r.status == 200 and "eve" in r.text and "Eve E." in r.text and "编辑" in r.text,
            "My account shows the name, display name and role")
    final_pw = "eve's third password"
    before = snapshot()
    r = eve.post("/editor/account", {"current_password": new_pw, "password": final_pw,
                                     "password2": final_pw}, csrf=False)
    c.eq(r.status, 403, "a password change without the token: 403")
    r = eve.post("/editor/account", {"current_password": new_pw, "password": final_pw,
                                     "password2": final_pw + "x"})
    c.check(r.status == 422 and error_next_to(r.text, "password2", "不一致"),
            "two different new passwords: 422 next to the second", r.status)
    c.check(final_pw not in r.text and new_pw not in r.text, "no password is sent back")
    r = eve.post("/editor/account", {"current_password": "not my password", "password": final_pw,
                                     "password2": final_pw})
    c.check(r.status == 422 and error_next_to(r.text, "current_password", "当前密码不正确"),
            "a wrong current password: 422 next to it", r.status)
    r = eve.post("/editor/account", {"current_password": new_pw, "password": "short",
                                     "password2": "short"})
    c.check(r.status == 422 and error_next_to(r.text, "password", "12"),
            "a short new password: 422 next to it", r.status)
    c.eq(snapshot(), before, "refused changes changed nothing")
    c.check(eve2.alive(), "and ended no session")
    r = eve.post("/editor/account", {"current_password": new_pw, "password": final_pw,
                                     "password2": final_pw})
    c.check(r.status == 303 and r.header("location") == "/editor/account?saved=1",
            "own password change: 303", (r.status, r.header("location")))
    c.check(eve.alive(), "the session it came from lives")
    c.check(not eve2.alive(), "the other session is revoked")
    c.eq(Browser(port).login("eve", final_pw).status, 303, "the new password works")

    # --- the audit log ----------------------------------------------------------------------
    r = admin.get("/editor/audit")
    c.eq(r.status, 200, "the audit log")
    text = html.unescape(r.text)
    for action in ("user.add", "user.update", "category.add", "category.update", "setting.set",
                   "media.upload", "user.password"):
        c.check(f"<code>{action}</code>" in text, f"the log lists {action}")
    times = re.findall(r'<td class="time">([^<]+)</td>', r.text)
    c.check(times and times == sorted(times, reverse=True), "newest first", times[:5])
    today = datetime.now(ZoneInfo(ZONE)).date()
    c.check(times and times[0].startswith(today.isoformat()),
            "times are in the site's time zone", (times[:1], today))
    c.check("127.0.0.1" in text and "/editor/users/%d" % eve_id in text,
            "with the address and a link to the object")
    rows = lambda page: re.findall(r"<tr>\s*<td class=\"time\">.*?</tr>", page, re.S)  # noqa: E731
    eve_count = scalar("SELECT count(*) FROM audit_log WHERE user_id = ?", eve_id)
    eve_rows = rows(admin.get("/editor/audit?user=EVE").text)
    c.check(len(eve_rows) == eve_count and all("<td>eve</td>" in x for x in eve_rows)
            and any("user.password" in x for x in eve_rows),
            "filter by user name (any case): eve's rows, her logins and password change",
            (len(eve_rows), eve_count))
    ada_rows = rows(admin.get("/editor/audit?user=ada").text)
    c.check(ada_rows and all("<td>ada</td>" in x for x in ada_rows), "ada's rows only")
    c.eq(rows(admin.get("/editor/audit?user=nobody").text), [], "an unknown user: no rows")

    # Rows at the edges of one day in the site's zone, written the way the CLI does.
    day = datetime(2024, 3, 10, tzinfo=ZoneInfo(ZONE))
    edges = {"first": day, "last": day + timedelta(hours=23, minutes=59, seconds=59),
             "after": day + timedelta(days=1), "before": day - timedelta(seconds=1)}
    for name, when in edges.items():
        con.execute("INSERT INTO audit_log(at, user_id, username, action, object_type, detail, "
                    "address) VALUES (?, NULL, 'cli:ops', 'setting.set', 'setting', ?, 'cli')",
                    (int(when.timestamp()), "edge-" + name))
    page = html.unescape(admin.get("/editor/audit?from=2024-03-10&to=2024-03-10").text)
    c.check("edge-first" in page and "edge-last" in page, "a day counts in full, in the site zone")
    c.check("edge-after" not in page and "edge-before" not in page, "and nothing outside it")
    c.check("2024-03-10 00:00:00" in page and "2024-03-10 23:59:59" in page,
            "shown in the site's time zone")
    page = html.unescape(admin.get("/editor/audit?user=cli:ops&from=2024-03-11").text)
    c.check("edge-after" in page and "edge-first" not in page, "user (without an account) and from")
    page = html.unescape(admin.get("/editor/audit?to=2024-03-09").text)
    c.check("edge-before" in page and "edge-first" not in page and "user.add" not in page,
            "to alone")
    page = admin.get(f"/editor/audit?from={today.isoformat()}&to={today.isoformat()}&user=eve").text
    c.eq(len(rows(page)), eve_count, "user and today together")
    r = admin.get("/editor/audit?from=2024-02-30")
    c.check(r.status == 422 and 'id="from-error"' in r.text and rows(r.text) == [],
            "a day that does not exist: 422 next to the field", r.status)
    r = admin.get("/editor/audit?to=yesterday")
    c.check(r.status == 422 and 'id="to-error"' in r.text, "a word for a date: 422", r.status)
    c.eq(admin.get("/editor/audit?page=0").status, 400, "page 0: 400")

    # 50 a page.
    base = int(day.timestamp()) - 86400 * 30
    con.executemany("INSERT INTO audit_log(at, username, action, detail, address) "
                    "VALUES (?, 'cli:bulk', 'demo.bulk', ?, 'cli')",
                    [(base + i, f"bulk-{i:03d}") for i in range(120)])
    p1 = html.unescape(admin.get("/editor/audit?user=cli:bulk").text)
    c.eq(len(rows(p1)), 50, "50 rows on the first page")
    c.check("bulk-119" in p1 and "bulk-070" in p1 and "bulk-069" not in p1, "the newest 50")
    c.check('href="/editor/audit?user=cli%3Abulk&page=2"' in p1, "a link to page 2 keeps the filter")
    p3 = html.unescape(admin.get("/editor/audit?user=cli:bulk&page=3").text)
    c.check(len(rows(p3)) == 20 and "bulk-000" in p3 and 'rel="next"' not in p3,
            "the last page holds the rest and no next link")
    c.check('rel="prev"' in p3, "and a link back")

    # --- every POST without the token: 403, nothing changed --------------------------------
    before = snapshot()
    for path, fields in (
            ("/editor/users", {"username": "zed", "role": "editor", "password": "zed's password!"}),
            (f"/editor/users/{eve_id}", {"action": "save", "display_name": "X", "role": "admin"}),
            (f"/editor/users/{eve_id}", {"action": "disable"}),
            (f"/editor/users/{eve_id}", {"action": "password", "password": "hijacked password"}),
            ("/editor/categories", {"slug": "zed", "name": "Zed"}),
            (f"/editor/categories/{alumni_id}", {"name": "Zed", "parent": tops[0], "position": "9"}),
            ("/editor/settings", dict(current(), site_name="Zed")),
            ("/editor/account", {"current_password": ADMIN_PW, "password": "zed's password!",
                                 "password2": "zed's password!"})):
        for token in (False, "f" * 64):
            r = admin.post(path, fields, csrf=token)
            c.eq(r.status, 403, f"POST {path} {sorted(fields)[:2]} with token {token!r}: 403")
    for token in (False, "f" * 64):
        r = admin.upload("/editor/settings/logo", {"logo": ("other.png", png(5, 5))}, csrf=token)
        c.eq(r.status, 403, "a logo upload without the right token: 403")
    c.eq(snapshot(), before, "and none of them changed anything")
    c.check(admin.alive(), "the admin's session is still there")

    # --- the log has no secret --------------------------------------------------------------
    dump = "\n".join(con.iterdump())
    for secret in (EDITOR_PW, new_pw, final_pw, ADMIN_PW):
        c.check(secret not in dump, "no password in clear in the database")


if __name__ == "__main__":
    h.run_test("admin_pages_test", test)
