"""Bounded revisions (issue 9 item 4) through real nginx and the worker pool:
500 saves of one article through the API, spread over simulated days (between
days the test moves the article's revisions back in time directly in SQLite,
as if the days had passed, and records each revision's time), keep exactly the
newest revisions_keep (default 50) by id plus the last revision of each UTC day
of the past 365 days, checked against a reference computed from every save the
test made, after every simulated day. Then with revisions_keep set to 5 (the
admin API) another article keeps exactly its set; the first article, now above
the bound, is named by `gazette check` (a warning, exit 0) until its next save
prunes it; the counts `gazette check` prints are the database's; restoring a
day-old revision works and is itself kept; and bad values of the setting are
refused (API 422, CLI exit 1)."""

import json
import random
import re
import sqlite3
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
DAY = 86400
YEAR_DAYS = 365  # REVISION_DAYS in include/db_revision.h


class Session:
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
        try:
            data = json.loads(r.body)
        except ValueError:
            data = None
        return r, data

    def post_form(self, path, fields):
        fields = dict(fields, csrf_token=self.csrf)
        return h.get(self.port, path, "POST",
                     {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"},
                     urllib.parse.urlencode(fields))


class History:
    """Every revision the test caused, with the time it has now (after the
    simulated days moved it back), for the reference."""

    def __init__(self, con, aid):
        self.con, self.aid = con, aid
        self.revs = []  # [id, created_at]

    def saved(self):
        rid, at = self.con.execute("SELECT id, created_at FROM revisions WHERE article_id = ? "
                                   "ORDER BY id DESC LIMIT 1", (self.aid,)).fetchone()
        if not self.revs or self.revs[-1][0] != rid:
            self.revs.append([rid, at])
        return rid

    def days_pass(self, days):
        """Moves every revision of the article back by days, in the database and here."""
        with self.con:
            self.con.execute("UPDATE revisions SET created_at = created_at - ? WHERE article_id = ?",
                             (days * DAY, self.aid))
        for r in self.revs:
            r[1] -= days * DAY

    def expected(self, keep, now):
        """The rule: the newest keep by id, and the last (highest id) of each
        UTC day from (today - 364) on."""
        first_day = now // DAY - (YEAR_DAYS - 1)
        ids = sorted(r[0] for r in self.revs)
        keepers = set(ids[-keep:])
        last_of_day = {}
        for rid, at in self.revs:
            if at // DAY >= first_day:
                last_of_day[at // DAY] = max(rid, last_of_day.get(at // DAY, 0))
        return keepers | set(last_of_day.values())

    def stored(self):
        return {rid for (rid,) in self.con.execute(
            "SELECT id FROM revisions WHERE article_id = ?", (self.aid,))}

    def times_match(self):
        """The stored times are the ones recorded (the moves hit exactly these rows)."""
        have = dict(self.con.execute("SELECT id, created_at FROM revisions WHERE article_id = ?",
                                     (self.aid,)))
        return all(have[rid] == at for rid, at in self.revs if rid in have)


def saves(c, sess, hist, n, tag, state):
    """n saves through PATCH, each a new title; state carries the version."""
    for i in range(n):
        body = {"title": f"{tag} save {i}", "body_markdown": f"Text of {tag} {i}."}
        if state.get("version") is not None:
            body["version"] = state["version"]
        r, data = sess.api("PATCH", f"/api/articles/{hist.aid}", body)
        c.require(r.status == 200, f"save {tag} {i} answers 200", r.body[:300])
        state["version"] = data.get("version")
        hist.saved()


def check_line(out):
    return next((ln for ln in out.splitlines() if ln.split(" ")[1:2] == ["revisions:"]), "")


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    r = h.gazette(db, "user", "add", "ada", "--role", "admin", "--password-stdin",
                  stdin=PASSWORD + "\n")
    c.require(r.returncode == 0, "user add", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    ada = Session(port, "ada")
    con = sqlite3.connect(db, timeout=30)
    rnd = random.Random(9)
    t0 = time.monotonic()

    # --- 500 saves of one article over simulated days, default keep 50 ---------------
    r, art = ada.api("POST", "/api/articles", {"title": "Bounded", "category": "campus",
                                              "body_markdown": "First."})
    c.require(r.status == 201, "create the article", r.body[:300])
    a = History(con, art["id"])
    a.saved()
    state = {"version": art.get("version")}
    # The first saves happen "more than a year ago": their days fall out of the window.
    saves(c, ada, a, 9, "old", state)
    a.days_pass(YEAR_DAYS + 30)
    total, day = 10, 0
    checked_days = mismatches = 0
    while total < 500:
        n = min(500 - total, rnd.choice((0, 1, 3, 8, 15, 25, 40)))
        saves(c, ada, a, n, f"day{day}", state)
        total += n
        want, got = a.expected(50, int(time.time())), a.stored()
        checked_days += 1
        if want != got:
            mismatches += 1
            c.check(False, f"after simulated day {day} the kept set is exact",
                    f"missing {sorted(want - got)[:10]}, extra {sorted(got - want)[:10]}")
        if total < 500:
            a.days_pass(rnd.choice((1, 1, 1, 2, 5)))
            day += 1
    c.eq(len(a.revs), 500, "500 saves made 500 revisions")
    c.check(mismatches == 0 and checked_days > 20,
            f"after each of {checked_days} simulated days the stored set was exactly the rule's")
    want = a.expected(50, int(time.time()))
    c.eq(a.stored(), want, "after 500 saves: exactly the newest 50 and the last of each day")
    c.check(len(want) > 50 and len(want) < 50 + YEAR_DAYS,
            "the daily revisions are there too, and the old days' are gone", len(want))
    c.check(a.times_match(), "the stored times are the recorded ones")
    newest50 = sorted(r[0] for r in a.revs)[-50:]
    c.check(set(newest50) <= a.stored(), "the newest 50 are all there")
    old_ids = {r[0] for r in a.revs[:10]}
    c.check(not (old_ids & a.stored()), "nothing is left from more than a year ago")
    print(f"500 saves over {day} simulated days in {time.monotonic() - t0:.1f} s; "
          f"{len(want)} revisions kept", flush=True)

    # --- gazette check reports the counts --------------------------------------------------
    r = h.gazette(db, "check")
    c.eq(r.returncode, 0, "gazette check passes")
    line = check_line(r.stdout)
    total_db = con.execute("SELECT count(*) FROM revisions").fetchone()[0]
    arts_db = con.execute("SELECT count(DISTINCT article_id) FROM revisions").fetchone()[0]
    c.check(line.startswith(f"ok revisions: {total_db} in {arts_db} articles, at most {len(want)} "
                            f"per article; most: article {a.aid} ({len(want)})"),
            "check prints the total, the articles, the most per article and which", r.stdout)
    c.check("kept: the newest 50 and the last of each day for 365 days" in line,
            "check says what is kept", line)
    c.check("warn" not in r.stdout, "no article above the bound", r.stdout)

    # --- bad values of the setting -----------------------------------------------------
    for bad in ("0", "1001", "abc", "050", "", 7):
        r, data = ada.api("PATCH", "/api/settings", {"revisions_keep": bad})
        c.eq(r.status, 422, f"revisions_keep {bad!r} refused by the API")
    r = h.gazette(db, "setting", "set", "revisions_keep", "1001")
    c.check(r.returncode == 1 and "revisions_keep" in r.stderr, "and by the CLI", r.stderr)
    c.eq(con.execute("SELECT count(*) FROM settings WHERE key = 'revisions_keep'").fetchone()[0],
         0, "nothing was stored")

    # --- keep 5: another article, and the first one above the bound -------------------
    r, data = ada.api("PATCH", "/api/settings", {"revisions_keep": "5"})
    c.require(r.status == 200, "set revisions_keep to 5", r.body[:300])
    r, art2 = ada.api("POST", "/api/articles", {"title": "Small", "category": "sports"})
    c.require(r.status == 201, "create a second article")
    b = History(con, art2["id"])
    b.saved()
    state_b = {"version": art2.get("version")}
    for d in range(12):
        saves(c, ada, b, rnd.choice((0, 2, 4, 9)), f"b{d}", state_b)
        b.days_pass(1)
    saves(c, ada, b, 3, "b-today", state_b)
    want_b = b.expected(5, int(time.time()))
    c.eq(b.stored(), want_b, "keep 5: exactly the newest 5 and the last of each day")
    c.check(a.stored() == want, "the first article is untouched by the second's saves")

    excess = len(want) - len(a.expected(5, int(time.time())))
    r = h.gazette(db, "check")
    c.eq(r.returncode, 0, "an article above the bound is a warning, not a failure")
    c.check(f"warn revisions: article {a.aid} has {len(want)}, {excess} above the bound"
            in r.stdout and check_line(r.stdout).startswith("warn revisions:")
            and "kept: the newest 5 " in r.stdout,
            "check names the article above the lowered bound, with its count and excess",
            r.stdout)

    # --- restoring a day-old revision: works, prunes the first article ---------------------
    days = sorted({at // DAY for rid, at in a.revs if rid in a.stored()})
    day_old = max(rid for rid, at in a.revs if at // DAY == days[-3] and rid in a.stored())
    old_title = con.execute("SELECT title FROM revisions WHERE id = ?", (day_old,)).fetchone()[0]
    r = ada.post_form(f"/editor/revisions/{day_old}/restore", {})
    c.eq(r.status, 303, "restoring a day-old revision: 303")
    r, now_art = ada.api("GET", f"/api/editor/articles/{a.aid}")
    c.eq(now_art["title"], old_title, "its title is back")
    a.saved()
    want = a.expected(5, int(time.time()))
    c.eq(a.stored(), want, "the restore's save pruned the first article to keep 5 and the dailies")
    c.check(a.revs[-1][0] in want and day_old in want,
            "the restore is kept, and so is the day's revision it came from")
    r = h.gazette(db, "check")
    c.check(r.returncode == 0 and "warn" not in r.stdout
            and check_line(r.stdout).startswith("ok revisions:"),
            "after that save nothing is above the bound", r.stdout)
    took = time.monotonic() - t0
    c.check(took < 55, "the test stays under a minute", f"{took:.1f} s")


if __name__ == "__main__":
    h.run_test("revisions_bound_test", test)
