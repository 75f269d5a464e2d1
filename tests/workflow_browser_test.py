"""The review workflow and the edit-conflict guard in real browsers (Debian's
chromium + chromium-driver through selenium), through real nginx and the worker
pool: an author writes an article and submits it (the form turns read-only, the
menu has no review queue); an editor sees the queue's badge, sends one article
back with a comment (which the author then reads on the form) and approves the
other from the review page (public at once). Then two browsers edit the same
article: the second sees the first's soft lock, the first saves, the second's
save lands on the merge page showing both texts, the second merges and saves,
and both texts are stored. Screenshots of the review page and the merge page."""

import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402
from editor_web import Web, browser  # noqa: E402

PASSWORD = "correct horse battery"


def step(what):
    print(f"--- {what}", flush=True)


def stored(db, aid, column):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT {column} FROM articles WHERE id = ?", (aid,)).fetchone()[0]
    finally:
        con.close()


def test(c, scratch):
    try:
        import selenium  # noqa: F401
    except ImportError:
        c.require(False, "python3-selenium is installed (test.sh installs it)")
    c.require(os.path.exists("/usr/bin/chromedriver"), "chromium-driver is installed")
    db = h.make_db(c, scratch.file("gazette.db"))
    for user, role in (("al", "author"), ("ed", "editor"), ("eve", "editor")):
        r = h.gazette(db, "user", "add", user, "--role", role, "--password-stdin",
                      stdin=PASSWORD + "\n")
        c.require(r.returncode == 0, f"gazette user add {user} --role {role}", r.stderr)
    r = h.gazette(db, "setting", "set", "timezone", "UTC")
    c.require(r.returncode == 0, "timezone UTC", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    base = f"http://127.0.0.1:{nginx.port}"

    drivers, profiles = [], []
    try:
        webs = []
        for name in ("one", "two"):
            profile = tempfile.mkdtemp(prefix=f"chromium-{name}.", dir=scratch.path)
            profiles.append(profile)
            drivers.append(browser(profile, scratch.file(f"chromedriver-{name}.log")))
            webs.append(Web(c, drivers[-1], base))
        one, two = webs
        first, second = author_submits(c, one)
        editor_reviews(c, two, one, nginx.port, first, second)
        conflict(c, one, two, db)
        heartbeat(c, two, db)
    finally:
        for drv in drivers:
            drv.quit()
        for profile in profiles:
            shutil.rmtree(profile, ignore_errors=True)


def write(c, w, title, body):
    from selenium.webdriver.support.ui import Select
    w.go("/editor/articles/new")
    w.fill("#title", title)
    Select(w.find("#category")).select_by_value("research")
    w.fill("#body", body)


def author_submits(c, w):
    step("an author writes and submits for review")
    w.login("al", PASSWORD)
    c.eq(w.path(), "/editor/", "the author logs in")
    c.check(not w.finds('nav.editor-nav a[href$="/editor/review"]'),
            "the author's menu has no review queue")
    ids = []
    for title in ("Robotics team reaches the finals", "Library opens a maker space"):
        write(c, w, title, f"{title}: the first draft.")
        buttons = [b.get_attribute("value") for b in w.finds('form.article-form button[name=action]')]
        c.eq(buttons, ["save", "submit"], "an author's form: Save and Submit for review only")
        w.click_and_load(w.button("submit"))
        m = re.fullmatch(r"/editor/articles/(\d+)\?saved=1", w.path())
        c.require(m, "submitting lands on the saved form", w.path())
        ids.append(int(m.group(1)))
        c.eq(w.text(".status-line .status"), "In review", "the status line says In review")
        c.check(not w.finds("form.article-form button[name=action]"),
                "in review: the author's form has no buttons")
        c.check("not change it now" in w.text(".read-only-notice"), "and says it is read-only")
        c.check("Submitted for review by al" in w.text(".review-note"),
                "the form says who submitted it", w.text(".review-note"))
    w.logout()
    return ids


def editor_reviews(c, w, author, port, first, second):
    step("an editor sends one back and approves the other from the review page")
    w.login("ed", PASSWORD)
    link = w.finds('nav.editor-nav a[href$="/editor/review"]')
    c.require(link, "the editor's menu links the review queue")
    c.eq(w.text('nav.editor-nav a[href$="/editor/review"] .badge'), "2", "its badge counts 2")
    w.click_and_load(link[0])
    c.eq(w.path(), "/editor/review", "the review page opens")
    items = [a.get_attribute("id") for a in w.finds("article.review-item")]
    c.eq(items, [f"article-{second}", f"article-{first}"], "newest submission first")
    w.screenshot("workflow-review.png")

    comment = "Please add the names of the team members."
    box = w.find(f"#article-{first} .send-back-form textarea[name=comment]")
    box.send_keys(comment)
    w.click_and_load(w.find(f"#article-{first} .send-back-form button[type=submit]"))
    c.eq(w.path(), "/editor/review?done=sent_back", "sent back: back on the queue")
    c.eq(w.text("p.notice"), "Sent back to the author.", "the queue says so")
    c.check(not w.finds(f"#article-{first}"), "the sent-back article left the queue")

    w.click_and_load(w.find(f"#article-{second} .approve-form button[type=submit]"))
    c.eq(w.path(), "/editor/review?done=approved", "approved: back on the queue")
    c.eq(w.text("p.notice"), "Approved.", "the queue says Approved.")
    c.check(w.text("main").find("Nothing is waiting for review.") >= 0, "the queue is empty")
    c.check(not w.finds('nav.editor-nav a[href$="/editor/review"] .badge'), "no badge left")
    c.check(h.wait_until(lambda: h.get(port, f"/a/{second}").status == 200, 3),
            "the approved article is public")
    w.go(f"/a/{second}")
    c.eq(w.text("article h1"), "Library opens a maker space", "its public page shows it")
    w.go(f"/editor/articles/{second}/revisions")
    history = w.text("table.review-history")
    c.check("Submitted for review" in history and "Approved" in history,
            "the history page lists the review steps", history)
    w.logout()

    author.login("al", PASSWORD)
    author.go(f"/editor/articles/{first}")
    c.check(comment in author.text(".review-note.sent-back")
            and "Sent back by" in author.text(".review-note.sent-back"),
            "the author reads the comment on the form", author.text(".review-note"))
    c.eq(author.text(".status-line .status"), "Draft", "sent back: a draft again")
    author.go("/editor/")
    c.check(comment in author.text("table.dashboard"), "and on the dashboard")
    author.logout()


def conflict(c, one, two, db):
    step("two browsers edit one article: the merge page keeps both texts")
    one.login("ed", PASSWORD)
    two.login("eve", PASSWORD)
    write(c, one, "Senate debates the budget", "Opening paragraph.")
    one.click_and_load(one.button("save"))
    m = re.fullmatch(r"/editor/articles/(\d+)\?saved=1", one.path())
    c.require(m, "ed saves a new article", one.path())
    aid = int(m.group(1))
    one.go(f"/editor/articles/{aid}")
    two.go(f"/editor/articles/{aid}")
    c.check(re.fullmatch(r"Being edited by ed since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.",
                         two.text(".lock-notice")),
            "eve's form says ed is editing it", two.text(".lock-notice"))
    c.eq(one.value('input[name=version]'), two.value('input[name=version]'),
         "both forms hold the same version")
    ed_text, eve_text = "Ed adds the vote count: 31 to 12.", "Eve adds a quote from the dean."
    body = one.find("#body")
    body.send_keys("\n\n" + ed_text)
    one.click_and_load(one.button("save"))
    c.eq(one.text("p.notice"), "Saved.", "ed's save goes through")

    body = two.find("#body")
    body.send_keys("\n\n" + eve_text)
    two.click_and_load(two.button("save"))
    c.eq(two.text("section.conflict h1"), "Edit conflict", "eve's save lands on the merge page")
    c.eq(two.value("#current-body"), "Opening paragraph.\n\n" + ed_text,
         "the merge page shows ed's text")
    c.eq(two.value("#body"), "Opening paragraph.\n\n" + eve_text, "and keeps eve's text")
    c.eq(stored(db, aid, "body_md"), "Opening paragraph.\n\n" + ed_text,
         "ed's save is intact in the database")
    two.screenshot("workflow-conflict.png")
    merged = "Opening paragraph.\n\n" + ed_text + "\n\n" + eve_text
    two.drv.execute_script("arguments[0].value = arguments[1];"
                           "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
                           two.find("#body"), merged)
    two.click_and_load(two.find("section.conflict button[value=save]"))
    c.eq(two.path(), f"/editor/articles/{aid}?saved=1", "the merged text is saved")
    c.eq(two.text("p.notice"), "Saved.", "the form says Saved.")
    c.eq(two.value("#body"), merged, "the form shows both texts")
    c.eq(stored(db, aid, "body_md"), merged, "both texts are stored")
    c.eq(stored(db, aid, "version"), 3, "two saves after creating it: version 3")
    one.go(f"/editor/articles/{aid}")
    c.check(ed_text in one.value("#body") and eve_text in one.value("#body"),
            "ed reloads and sees both")




def heartbeat(c, w, db):
    step("the open form renews its soft lock every minute (editor.js)")
    aid = stored_id(db, "Senate debates the budget")
    w.go(f"/editor/articles/{aid}")
    w.console_errors()  # drains the log: the merge page's 409 was logged as a failed load
    before = lock_seen(db, aid, "eve")
    c.require(before, "opening the form took the lock")
    time.sleep(1.1)  # seen_at counts seconds: a renewal must land in a later one
    # A minute of the page's timers, without waiting a minute: Chromium's
    # virtual time runs the interval, whose fetch then goes out for real.
    w.drv.execute_cdp_cmd("Emulation.setVirtualTimePolicy",
                          {"policy": "advance", "budget": 61000})
    c.check(h.wait_until(lambda: (lock_seen(db, aid, "eve") or 0) > before, 10, 0.2),
            "the heartbeat renewed the lock", (before, lock_seen(db, aid, "eve")))
    c.eq(w.console_errors(), [], "no errors in the browser console")


def stored_id(db, title):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT id FROM articles WHERE title = ?", (title,)).fetchone()[0]
    finally:
        con.close()


def lock_seen(db, aid, user):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT l.seen_at FROM article_locks l JOIN users u ON u.id = l.user_id "
                          "WHERE l.article_id = ? AND u.username = ?", (aid, user)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


if __name__ == "__main__":
    h.run_test("workflow_browser_test", test)
