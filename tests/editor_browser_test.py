"""The editors' workspace in a real browser (Debian's chromium + chromium-driver,
driven by selenium), through real nginx and the worker pool, asserting what a
person sees: the login form and its error, the dashboard, writing an article
with an uploaded figure and its live preview, saving (still private),
publishing (on the home and category pages, with the figure), editing twice
and restoring the first revision, scheduling a minute ahead (public at its
time, with no cron and no restart), the unsaved-changes warning, a refused
save that keeps the input, deleting after a confirmation page, logging out,
an admin creating an editor who then meets 403 on the admin pages; and, over
plain HTTP, that every form POST without the CSRF token is 403 and changes
nothing. Saves screenshots of the dashboard and of the article form."""

import math
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402
from editor_web import DialogLog, Web, browser, multipart, png, post_forms, snapshot  # noqa: E402

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a fresh editor password"
CAPTION = "Volunteers plant reeds at the lake shore"
TITLE = "Wetland volunteers plant 3,000 reeds"
CATEGORY = ("research", "Research")


def step(n, what):
    print(f"--- step {n}: {what}", flush=True)


# --- the scenario -------------------------------------------------------------------

def test(c, scratch):
    try:
        import selenium  # noqa: F401
    except ImportError:
        c.require(False, "python3-selenium is installed (test.sh installs it)")
    c.require(os.path.exists("/usr/bin/chromedriver"), "chromium-driver is installed")
    db = h.make_db(c, scratch.file("gazette.db"))
    for user, role in (("ed", "editor"), ("ada", "admin")):
        r = h.gazette(db, "user", "add", user, "--role", role, "--password-stdin",
                      stdin=PASSWORD + "\n")
        c.require(r.returncode == 0, f"gazette user add {user}", r.stderr)
    r = h.gazette(db, "setting", "set", "timezone", "UTC")
    c.require(r.returncode == 0, "gazette setting set timezone UTC", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    base = f"http://127.0.0.1:{port}"
    image = scratch.file("reeds.png")
    with open(image, "wb") as f:
        f.write(png(320, 180))

    profile = tempfile.mkdtemp(prefix="chromium.", dir=scratch.path)
    drv = browser(profile, scratch.file("chromedriver.log"))
    try:
        w = Web(c, drv, base)
        w.dialogs = DialogLog(scratch.file("chromedriver.log"))
        login_and_dashboard(c, w)
        scheduled = schedule(c, w, port)
        aid = write_article(c, w, port, image)
        publish(c, w, port, aid)
        revisions(c, w, port, aid)
        unsaved_warning(c, w, db, aid)
        validation(c, w, db)
        csrf(c, port, db, aid)
        delete(c, w, port, aid)
        logout(c, w)
        admin(c, w)
        scheduled_appears(c, w, port, *scheduled)
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def login_and_dashboard(c, w):
    step(1, "log in through the form; the dashboard")
    w.go("/editor/")
    c.check(w.path().startswith("/editor/login?next="),
            "the dashboard sends a stranger to the login", w.path())
    w.fill("#username", "ed")
    w.fill("#password", "not the password at all")
    w.click_and_load(w.find("section.login form button[type=submit]"))
    c.eq(w.text("section.login .form-error"), "Wrong user name or password.",
         "a wrong password shows the generic error")
    c.eq(w.value("#username"), "ed", "the user name is kept after a failed login")
    c.eq(w.value("#password"), "", "the password is not sent back")
    w.fill("#password", PASSWORD)
    w.click_and_load(w.find("section.login form button[type=submit]"))
    c.eq(w.path(), "/editor/", "the right password lands on the dashboard")
    c.eq(w.text("section.editor h1"), "Articles", "the dashboard's heading")
    c.eq(w.text("nav.editor-nav .who"), "ed", "the editor menu names the user")
    heads = [th.text for th in w.finds("table.dashboard thead th")]
    for col in ("Title", "Status", "Category", "Author", "Last change"):
        c.check(col in heads, f"the dashboard has the column {col}", heads)
    rows = w.finds("table.dashboard tbody tr")
    c.check(len(rows) >= 10, "the dashboard lists the articles", len(rows))
    first = rows[0].find_elements("css selector", "td") if rows else []
    c.check(len(first) >= 5 and first[1].text in ("Draft", "Scheduled", "Published", "Archived")
            and first[2].text and first[3].text
            and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", first[4].text),
            "a row shows status, category, author and last change",
            [td.text for td in first])
    statuses = {tr.find_elements("css selector", "td")[1].text for tr in rows}
    c.check({"Published", "Draft"} <= statuses, "published and draft articles are listed", statuses)
    c.check(not w.finds('nav.editor-nav a[href$="/editor/users"]'),
            "an editor's menu has no admin links")


def schedule(c, w, port):
    """Step 5, started early so the wait for the publish time overlaps the other steps;
    scheduled_appears() finishes it. Returns (article id, title, publish time)."""
    step(5, "schedule an article a minute ahead")
    title = "Library extends opening hours for exams"
    w.click_and_load(w.find('nav.editor-nav a[href$="/editor/articles/new"]'))
    c.eq(w.path(), "/editor/articles/new", "the menu's New article opens the form")
    label = w.text('label[for="published_at"]')
    c.check("UTC" in label, "the publish time's label names the site's time zone", label)
    w.fill("#title", title)
    from selenium.webdriver.support.ui import Select
    Select(w.find("#category")).select_by_value("announcements")
    w.fill("#body", "The library stays open until midnight during the exam weeks.")
    # A datetime-local field holds whole minutes: the first minute at least 60 s ahead.
    when = math.ceil((time.time() + 60) / 60) * 60
    local = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(when))
    w.drv.execute_script(
        "const el = arguments[0]; el.value = arguments[1];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));"
        "el.dispatchEvent(new Event('change', {bubbles: true}));", w.find("#published_at"), local)
    c.eq(w.value("#published_at"), local, "the publish time field takes the time")
    w.click_and_load(w.button("schedule"))
    m = re.fullmatch(r"/editor/articles/(\d+)\?saved=1", w.path())
    c.require(m, "scheduling lands on the saved article's form", w.path())
    sid = int(m.group(1))
    c.eq(w.text("p.notice"), "Saved.", "the form says Saved.")
    c.eq(w.text(".status-line .status"), "Scheduled", "the status line says Scheduled")
    c.eq(w.value("#published_at"), local, "the form shows the scheduled time")
    r = h.get(port, f"/a/{sid}")
    c.check(r.status == 404 and time.time() < when, "scheduled for later: the public page is 404",
            r.status)
    print(f"scheduled article {sid} for {local} UTC ({when - time.time():.0f} s ahead)", flush=True)
    return sid, title, when


def write_article(c, w, port, image):
    step(2, "write a new article with an uploaded figure; save it as a draft")
    w.go("/editor/")
    w.click_and_load(w.find("section.editor .editor-bar a.button"))
    c.eq(w.path(), "/editor/articles/new", "the dashboard's New article opens the form")
    c.eq(w.text(".status-line .status"), "Draft", "a new article starts as a draft")
    w.fill("#title", TITLE)
    from selenium.webdriver.support.ui import Select
    Select(w.find("#category")).select_by_value(CATEGORY[0])
    w.fill("#summary", "Students and staff spent Saturday restoring the lake shore.")
    first = "Forty **volunteers** worked on the east shore."
    last = "The park opens the restored path in spring."
    body = w.fill("#body", f"{first}\n\n{last}")
    w.fill("#author", "Mei Chen")
    w.fill("#source", "Student Union")
    # The cursor between the two paragraphs: the image goes there.
    w.drv.execute_script("arguments[0].setSelectionRange(arguments[1], arguments[1])", body,
                         len(first))
    w.fill("#upload-caption", CAPTION)
    w.find("#upload-file").send_keys(image)
    md = w.until(lambda d: re.search(r'!\[([^\]]*)\]\((/media/[0-9a-f]{2}/[0-9a-f]{64}\.png)'
                                     r' "([^"]*)"\)', body.get_attribute("value")))
    c.require(md, "the upload inserts the image's Markdown into the body",
              (body.get_attribute("value"), w.text(".upload-status")))
    c.eq((md.group(1), md.group(3)), (CAPTION, CAPTION), "the Markdown carries the caption")
    text = body.get_attribute("value")
    c.eq(text, f"{first}\n\n{md.group(0)}\n\n{last}",
         "the image is inserted at the cursor as a paragraph of its own")
    c.check(re.fullmatch(r"320×180 #\d+", w.text(".upload-status")),
            "the upload status shows the image's size and number", w.text(".upload-status"))
    c.eq(w.value("#upload-caption"), "", "the caption field is cleared for the next image")
    url = md.group(2)
    fig = w.until(lambda d: d.find_element("css selector", "#preview figure figcaption"))
    c.check(fig and fig.text == CAPTION, "the live preview shows the figure with its caption",
            w.find("#preview").get_attribute("innerHTML"))
    img = w.finds("#preview figure img")
    c.check(img and img[0].get_attribute("src") == w.base + url
            and img[0].get_attribute("alt") == CAPTION, "the preview's image is the upload")
    c.check(w.until(lambda d: d.execute_script(
        "const i = document.querySelector('#preview figure img');"
        "return i && i.complete && i.naturalWidth === 320")),
            "the browser loads the uploaded image (320 px wide)")
    c.eq(w.text("#preview strong"), "volunteers", "the preview renders the Markdown")
    w.screenshot("editor-article.png")

    w.click_and_load(w.button("save"))
    m = re.fullmatch(r"/editor/articles/(\d+)\?saved=1", w.path())
    c.require(m, "saving lands on the article's own form", w.path())
    aid = int(m.group(1))
    c.eq(w.text("p.notice"), "Saved.", "the form says Saved.")
    c.eq(w.text(".status-line .status"), "Draft", "saved as a draft")
    c.eq(w.value("#title"), TITLE, "the title is stored")
    c.eq(w.value("#category"), CATEGORY[0], "the category is stored")
    c.check(md.group(0) in w.value("#body"), "the body with the image is stored")
    c.eq(w.text("#preview figure figcaption"), CAPTION, "the stored article renders the figure")
    c.check(not w.finds('.status-line a[href$="/a/%d"]' % aid), "a draft has no public link")
    w.go(f"/a/{aid}")
    c.check(w.shows_not_found(), "the public page of a draft says Page not found",
            w.body_text()[:200])
    c.eq(h.get(port, f"/a/{aid}").status, 404, "the public page of a draft is 404")
    w.go("/editor/")
    row = w.dashboard_row(TITLE)
    c.check(row and row["status"] == "Draft" and row["category"] == CATEGORY[1]
            and row["author"] == "Mei Chen" and row["updated"].endswith("ed"),
            "the dashboard lists the draft with status, category, author, last change", row)
    return aid


def publish(c, w, port, aid):
    step(3, "publish: home page, category page, the figure on the public page")
    w.drv.get_log("browser")  # start a clean console
    w.go(f"/editor/articles/{aid}")
    w.click_and_load(w.button("publish"))
    c.eq(w.path(), f"/editor/articles/{aid}?saved=1", "publishing lands on the form")
    c.eq(w.text(".status-line .status"), "Published", "the status line says Published")
    link = w.finds(f'.status-line a[href$="/a/{aid}"]')
    c.check(link and link[0].text == "View on the site", "a published article links to its page")
    errors = w.console_errors()
    c.check(not errors, "no errors in the browser console on the editor pages", errors)

    w.go("/")
    titles = [a.text for a in w.finds(f'main a[href="/a/{aid}"]')]
    c.check(TITLE in titles, "the home page lists the published article", titles)
    w.go(f"/c/{CATEGORY[0]}/")
    first = w.finds("main ul.list li a, main .list a")
    c.check(first and first[0].text == TITLE, "its category page lists it first",
            [a.text for a in first[:3]])
    w.go(f"/a/{aid}")
    c.eq(w.text("article h1"), TITLE, "the public page shows the title")
    c.eq(w.text("article .body figure figcaption"), CAPTION, "the public page shows the caption")
    c.check(w.until(lambda d: d.execute_script(
        "const i = document.querySelector('article .body figure img');"
        "return i && i.complete && i.naturalWidth === 320 && i.alt === arguments[0]", CAPTION)),
            "the public page shows the image")
    c.check("Drafted by: Mei Chen" in w.body_text(), "the public page has the author line")
    c.eq(h.get(port, f"/a/{aid}").status, 200, "the public page answers 200")
    w.go("/editor/")
    row = w.dashboard_row(TITLE)
    c.check(row and row["status"] == "Published", "the dashboard shows it Published", row)
    w.screenshot("editor-dashboard.png")


def revisions(c, w, port, aid):
    step(4, "edit twice, restore the first revision")
    titles = [TITLE]
    for n in (1, 2):
        w.go(f"/editor/articles/{aid}")
        titles.append(f"{TITLE} (update {n})")
        w.fill("#title", titles[-1])
        w.click_and_load(w.button("save"))
        c.eq(w.text("p.notice"), "Saved.", f"edit {n} is saved")
        c.eq(w.value("#title"), titles[-1], f"edit {n}: the form shows the new title")
        c.eq(w.text(".status-line .status"), "Published", f"edit {n}: still published")
    w.go(f"/a/{aid}")
    c.eq(w.text("article h1"), titles[-1], "the public page shows the latest title")

    w.go(f"/editor/articles/{aid}")
    link = w.finds(f'.status-line a[href$="/editor/articles/{aid}/revisions"]')
    c.require(link and link[0].text == "Revisions", "the form links to its revisions")
    w.click_and_load(link[0])
    if not c.check(not w.shows_not_found(),
                   "the revisions page exists (GET /editor/articles/{id}/revisions)", w.path()):
        return
    revs = {}
    for a in w.finds('a[href*="/editor/revisions/"]'):
        m = re.search(r"/editor/revisions/(\d+)$", a.get_attribute("href"))
        if m:
            revs[int(m.group(1))] = a
    if not c.check(len(revs) >= 4, "the revisions page lists every save (create, publish, "
                   "2 edits)", sorted(revs)) or not revs:
        return
    listed = {}
    for tr in w.finds("table tbody tr"):
        link = tr.find_elements("css selector", 'a[href*="/editor/revisions/"]')
        if link:
            rid = int(link[0].get_attribute("href").rsplit("/", 1)[1])
            listed[rid] = [td.text for td in tr.find_elements("css selector", "td")]
    shown = [t for t in titles if any(t in cells for cells in listed.values())]
    c.eq(shown, titles, "the revisions list shows each title the article had")
    c.check(TITLE in listed.get(min(revs), []), "the first revision is the original title",
            listed.get(min(revs)))
    w.click_and_load(revs[min(revs)])
    c.check(TITLE in w.text("main del, main .rev-diff"), "the first revision's page shows the "
            "original title against the current one", w.text("main .rev-diff"))
    restore = [b for b in w.finds("main form[method=post] button, main form[method=post] "
                                  "input[type=submit]")
               if "restore" in ((b.get_attribute("value") or "") + b.text
                                + (b.find_element("xpath", "./ancestor::form")
                                   .get_attribute("action") or "")).lower()]
    if not c.check(restore, "the revision page has a Restore button in a POST form"):
        return
    w.click_and_load(restore[0])
    if not w.path().startswith(f"/editor/articles/{aid}"):
        w.go(f"/editor/articles/{aid}")
    c.eq(w.value("#title"), TITLE, "after the restore the form shows the original title")
    c.eq(w.text("#preview figure figcaption"), CAPTION, "the restored body keeps the figure")
    c.eq(w.text(".status-line .status"), "Published", "the restore keeps the article published")
    w.go(f"/a/{aid}")
    c.eq(w.text("article h1"), TITLE, "the public page shows the original title again")


def unsaved_warning(c, w, db, aid):
    step(6, "the unsaved-changes warning")
    from selenium.webdriver.support import expected_conditions as EC
    before = snapshot(db)["articles"]
    form = f"{w.base}/editor/articles/{aid}"
    w.go(f"/editor/articles/{aid}")
    w.dialogs.new()
    w.find("#body").send_keys(" An unsaved sentence.")
    w.drv.execute_script("window.gzOldPage = true")
    w.find('nav.editor-nav a[href$="/editor/"]').click()
    alert = w.until(EC.alert_is_present(), 2)
    if alert:  # a chromedriver that leaves the dialog to us
        alert.dismiss()
        c.eq(w.path(), f"/editor/articles/{aid}", "dismissed: the browser stays on the form")
        c.check(w.value("#body").endswith(" An unsaved sentence."), "the typed text is kept")
        w.drv.execute_script("window.gzOldPage = true")
        w.find('nav.editor-nav a[href$="/editor/"]').click()
        alert = w.until(EC.alert_is_present(), 2)
        if alert:
            alert.accept()
    w.until(lambda d: d.execute_script("return !window.gzOldPage && document.readyState === "
                                       "'complete'"))
    c.check(("beforeunload", form) in w.dialogs.new(),
            "leaving a changed form opens the browser's leave-page dialog (beforeunload)")
    c.eq(w.path(), "/editor/", "once the dialog is accepted the browser leaves the form")
    c.eq(snapshot(db)["articles"], before, "leaving saved nothing")
    # Negative cases: an untouched form, and a changed form that is saved, leave quietly.
    w.go(f"/editor/articles/{aid}")
    w.click_and_load(w.find('nav.editor-nav a[href$="/editor/"]'))
    c.eq(w.path(), "/editor/", "an untouched form leaves")
    w.go(f"/editor/articles/{aid}")
    w.find("#summary").send_keys(" Saved now.")
    w.click_and_load(w.button("save"))
    c.eq(w.text("p.notice"), "Saved.", "a changed form is saved")
    w.click_and_load(w.find('nav.editor-nav a[href$="/editor/"]'))
    c.eq(w.path(), "/editor/", "the saved form leaves")
    c.eq(w.dialogs.new(), [], "no dialog for an untouched form, none after saving")


def validation(c, w, db):
    step(7, "a refused save shows the message by the field and keeps the input")
    before = len(snapshot(db)["articles"])
    w.go("/editor/articles/new")
    from selenium.webdriver.support.ui import Select
    Select(w.find("#category")).select_by_value("sports")
    w.fill("#summary", "A summary that must survive the error.")
    w.fill("#body", "A body that must survive the error too.")
    w.fill("#source", "Sports office")
    w.drv.execute_script("document.getElementById('title').removeAttribute('required')")
    w.find("#title").clear()
    w.click_and_load(w.button("save"))
    c.eq(w.path(), "/editor/articles/new", "the refused save stays on the form")
    err = w.finds("#title ~ .field-error, #title-error")
    c.check(err and err[0].text, "a message appears next to the title field",
            w.find("form.article-form").text[:300])
    c.check(w.finds(".field.has-error #title"), "the title's field is marked")
    c.check(w.text(".form-error") == "The article was not saved: see the marked fields.",
            "the form says it was not saved", w.text(".form-error"))
    c.eq(w.value("#summary"), "A summary that must survive the error.", "the summary is kept")
    c.eq(w.value("#body"), "A body that must survive the error too.", "the body is kept")
    c.eq(w.value("#source"), "Sports office", "the source is kept")
    c.eq(w.value("#category"), "sports", "the category is kept")
    c.eq(len(snapshot(db)["articles"]), before, "nothing was stored")


def delete(c, w, port, aid):
    step(8, "delete after a confirmation page")
    w.go(f"/editor/articles/{aid}")
    w.click_and_load(w.find("form.article-form a.danger"))
    c.eq(w.path(), f"/editor/articles/{aid}/delete", "Delete opens a confirmation page")
    c.check(TITLE in w.text("section.confirm"), "the confirmation names the article",
            w.text("section.confirm"))
    c.eq(h.get(port, f"/a/{aid}").status, 200, "the confirmation page deleted nothing yet")
    w.click_and_load(w.find("section.confirm form button[type=submit]"))
    c.eq(w.path(), "/editor/?deleted=1", "after deleting: the dashboard")
    c.eq(w.text("p.notice"), "The article was deleted.", "the dashboard says it was deleted")
    c.check(w.dashboard_row(TITLE) is None, "the article is gone from the dashboard")
    w.go(f"/a/{aid}")
    c.check(w.shows_not_found(), "its public page says Page not found")
    # a visitor (no session) may get the page file for up to a keeper tick
    c.check(h.wait_until(lambda: h.get(port, f"/a/{aid}").status == 404, 1.5),
            "its public page is 404")
    w.go("/")
    c.check(not w.finds(f'main a[href="/a/{aid}"]'), "the home page no longer lists it")


def logout(c, w):
    step(9, "log out")
    w.go("/editor/")
    w.logout()
    c.eq(w.path(), "/editor/login", "logging out shows the login page")
    c.eq(w.text("section.login h1"), "Log in", "the login form is shown")
    w.go("/editor/")
    c.check(w.path().startswith("/editor/login?next="), "the dashboard asks for a login again",
            w.path())
    c.check(w.finds("#username") and w.finds("#password"), "with the login form")


def admin(c, w):
    step(10, "an admin creates an editor, who meets 403 on the admin pages")
    w.login("ada", PASSWORD)
    c.eq(w.path(), "/editor/", "the admin logs in")
    links = [a.get_attribute("href") for a in w.finds("nav.editor-nav a")]
    for p in ("users", "categories", "settings", "audit"):
        c.check(w.base + f"/editor/{p}" in links, f"the admin's menu links /editor/{p}", links)
    w.go("/editor/users")
    if c.check(not w.shows_not_found(), "the users page exists (GET /editor/users)"):
        create_editor(c, w)
    w.logout()
    user, password = ("newsdesk", NEW_PASSWORD) if w.users_made else ("ed", PASSWORD)
    w.login(user, password)
    c.eq(w.path(), "/editor/", f"the editor {user} logs in")
    c.eq(w.text("nav.editor-nav .who"), user, "the menu names the editor")
    c.check(not w.finds('nav.editor-nav a[href$="/editor/users"]'), "no admin links for an editor")
    for p in ("users", "categories", "settings", "audit"):
        w.go(f"/editor/{p}")
        c.check(w.shows_forbidden() and "Your account may not do this." in w.body_text(),
                f"an editor on /editor/{p} sees the 403 page", w.text("main h1"))
    w.logout()


def create_editor(c, w):
    c.check("ed" in [td.text for td in w.finds("main table td")], "the users page lists ed",
            w.text("main")[:300])
    if not w.finds("main form input[name=username]"):
        new = [a for a in w.finds("main a")
               if a.get_attribute("href").endswith("/editor/users/new")]
        if not c.check(new, "the users page links a new-user form"):
            return
        w.click_and_load(new[0])
    form = w.find("main form input[name=username]").find_element("xpath", "./ancestor::form")
    form.find_element("css selector", "input[name=username]").send_keys("newsdesk")
    names = form.find_elements("css selector", "input[name=display_name]")
    c.check(names, "the new-user form asks for a display name")
    if names:
        names[0].send_keys("News Desk")
    role = form.find_elements("css selector", "select[name=role]")
    c.check(role, "the new-user form has a role menu")
    if role:
        from selenium.webdriver.support.ui import Select
        Select(role[0]).select_by_value("editor")
    for pw in form.find_elements("css selector", "input[type=password]"):
        pw.send_keys(NEW_PASSWORD)
    w.click_and_load(form.find_element("css selector", "button[type=submit], input[type=submit]"))
    c.check(not w.finds(".form-error, .field-error"), "the new user is accepted",
            w.text("main")[:300])
    w.go("/editor/users")
    w.users_made = c.check("newsdesk" in w.text("main") and "News Desk" in w.text("main"),
                           "the users list shows the new editor", w.text("main")[:500])


# --- step 11: CSRF over plain HTTP ----------------------------------------------------------

def http_login(port, user):
    r = h.get(port, "/editor/login", "POST", {"Content-Type": "application/x-www-form-urlencoded"},
              urllib.parse.urlencode({"username": user, "password": PASSWORD}))
    if r.status != 303:
        return None
    return r.header("set-cookie").split(";")[0]


def csrf_token(port, cookie):
    page = h.get(port, "/editor/articles/new", headers={"Cookie": cookie}).text
    m = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page)
    return m.group(1) if m else None


def csrf(c, port, db, aid):
    step(11, "every form POST without the CSRF token is 403 and changes nothing")
    ed = http_login(port, "ed")
    ada = http_login(port, "ada")
    c.require(ed and ada, "ed and ada log in over HTTP")
    token = csrf_token(port, ed)
    c.require(token, "the article form carries a CSRF token")
    media = os.path.join(os.path.dirname(db), "media")
    count_media = lambda: sum(len(f) for _, _, f in os.walk(media))  # noqa: E731
    form = "application/x-www-form-urlencoded"
    article = {"title": "Forged article", "category": "news", "body": "Forged.",
               "action": "publish"}
    image = png(7, 5)
    cases = [
        ("ed", "/editor/articles/new", form, urllib.parse.urlencode(article)),
        ("ed", f"/editor/articles/{aid}", form, urllib.parse.urlencode(article)),
        ("ed", f"/editor/articles/{aid}/delete", form, ""),
        ("ed", "/editor/logout", form, ""),
        ("ed", "/api/media", *reversed(multipart([("file", "x.png", image)]))),
        ("ed", "/editor/media", *reversed(multipart([("caption", None, b"forged"),
                                                       ("file", "x.png", image)]))),
    ]
    # The admin forms and the revision restore form, as the pages show them.
    found = {}
    for who, cookie, pages in (("ada", ada, ("/editor/users", "/editor/categories",
                                             "/editor/settings", "/editor/account")),
                               ("ed", ed, (f"/editor/articles/{aid}/revisions",))):
        for p in pages:
            r = h.get(port, p, headers={"Cookie": cookie})
            if r.status != 200:
                continue
            sub = [p]
            if p.endswith("/revisions"):
                sub += sorted(set(re.findall(r'href="(/editor/revisions/\d+)"', r.text)))[:1]
            if p == "/editor/users" or p == "/editor/categories":
                sub += sorted(set(re.findall(rf'href="({p}/\d+)"', r.text)))[:1]
            for q in sub:
                page = r.text if q == p else h.get(port, q, headers={"Cookie": cookie}).text
                for f in post_forms(page):
                    action = f["action"] or q
                    key = (action, tuple(sorted(f["fields"])))
                    if action.endswith("/editor/logout") or key in found:
                        continue
                    fields = {k: v for k, v in f["fields"].items() if k != "csrf_token"}
                    for k in fields:
                        if "password" in k:
                            fields[k] = "forged password 123"
                        elif k in ("username", "slug"):
                            fields[k] = "forged"
                        elif not fields[k]:
                            fields[k] = "Forged"
                    if f["multipart"]:
                        parts = [(k, None, v.encode()) for k, v in fields.items()]
                        parts += [(k, "x.png", image) for k in f["files"]]
                        body, ctype = multipart(parts)
                    else:
                        body, ctype = urllib.parse.urlencode(fields), form
                    found[key] = (who, action, ctype, body)
    actions = sorted({a for a, _ in found})
    for p in ("/editor/users", "/editor/users/", "/editor/categories", "/editor/categories/",
              "/editor/settings", "/editor/settings/logo", "/editor/account",
              "/editor/revisions/"):
        c.check(any(a == p or (p.endswith("/") and a.startswith(p)) for a in actions),
                f"a form posting to {p} is tested", actions)
    cases += sorted(found.values())
    print(f"{len(cases)} forms tested without the token: "
          + ", ".join(sorted({path for _, path, _, _ in cases})), flush=True)

    cookies = {"ed": ed, "ada": ada}
    for who, path, ctype, body in cases:
        before, files = snapshot(db), count_media()
        for label, extra in (("without the token", {}),
                             ("with a wrong token", {"csrf_token": "0" * 64})):
            data = body
            if extra and ctype == form:
                data = body + ("&" if body else "") + urllib.parse.urlencode(extra)
            headers = {"Cookie": cookies[who], "Content-Type": ctype}
            if extra and ctype != form:
                headers["X-CSRF-Token"] = extra["csrf_token"]
            r = h.get(port, path, "POST", headers, data)
            c.eq(r.status, 403, f"POST {path} {label}: 403")
        c.check(snapshot(db) == before and count_media() == files,
                f"POST {path} without the token changed nothing")
    for who, cookie in cookies.items():
        r = h.get(port, "/editor/", headers={"Cookie": cookie})
        c.check(r.status == 200 and f'<span class="who">{who}</span>' in r.text,
                f"{who}'s session survived the forged logout", r)
    # The same POST with the token works: the 403s above were the token's doing.
    r = h.get(port, "/editor/articles/new", "POST", {"Cookie": ed, "Content-Type": form},
              urllib.parse.urlencode({**article, "action": "save", "csrf_token": token}))
    c.check(r.status == 303 and "/editor/articles/" in r.header("location"),
            "with the token the same form saves", r)
    r = h.get(port, "/editor/logout", "POST", {"Cookie": ed, "Content-Type": form},
              urllib.parse.urlencode({"csrf_token": token}))
    c.check(r.status == 303 and h.get(port, "/editor/", headers={"Cookie": ed}).status == 303,
            "with the token logout works and ends the session", r)


def scheduled_appears(c, w, port, sid, title, when):
    step(5, "(continued) the scheduled article goes public at its time")
    seen_early = []

    def public():
        r = h.get(port, f"/a/{sid}")
        now = time.time()
        if r.status == 200 and now < when:
            seen_early.append(now)
        return r.status == 200 and now
    at = h.wait_until(public, max(when - time.time(), 0) + 40, 0.5)
    c.check(not seen_early, "the scheduled article stayed 404 before its time", seen_early)
    c.check(at and at >= when, "the scheduled article goes public at its time, no cron",
            f"{when - time.time():.0f} s to go" if not at else at - when)
    print(f"public {at - when:.1f} s after its time" if at else "never public", flush=True)
    def home_lists():  # the home page file follows within a keeper tick
        w.go("/")
        return title in [a.text for a in w.finds(f'main a[href="/a/{sid}"]')]
    c.check(h.wait_until(home_lists, 3, 0.2), "the home page lists the scheduled article")
    w.go(f"/a/{sid}")
    c.eq(w.text("article h1"), title, "its public page shows it")
    c.check(time.strftime("%Y-%m-%d %H:%M:00", time.gmtime(when)) in w.text("article .meta"),
            "its publish time is the scheduled one, in the site's zone", w.text("article .meta"))


if __name__ == "__main__":
    h.run_test("editor_browser_test", test)
