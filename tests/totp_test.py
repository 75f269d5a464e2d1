"""Two-factor login (TOTP, RFC 6238) through real nginx and the worker pool (under its
sandbox): enrolment through the API (the code computed here with hmac/hashlib from the
secret the server gave), a login without a code (401 second factor required, no
session), the right code (a session), a wrong code (401, counted: the 6th attempt is
429), a reused code (refused), a recovery code (once, not twice), the browser's
two-step login form and its challenge (dies after five wrong codes), turning it off
(with the password or a code; an admin's reset of someone else's, not their own),
require_2fa_admins (an admin without it may only enrol), the audit log, and that the
database holds neither the secret nor a recovery code in clear."""

import base64
import hashlib
import hmac
import json
import re
import sqlite3
import struct
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def totp(secret, step=None, digits=6):
    """RFC 6238 with the standard library: the code of a time step (default: now)."""
    s = secret.replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    if step is None:
        step = int(time.time()) // 30
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%0*d" % (digits, (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10 ** digits)


def login(port, user, password=PASSWORD, code=None):
    body = {"username": user, "password": password}
    if code is not None:
        body["code"] = code
    return h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
                 json.dumps(body))


def session_of(r):
    return r.header("set-cookie").split(";")[0], json.loads(r.body)["csrf_token"]


def call(port, method, path, sess=None, body=None):
    headers = {}
    if sess:
        headers = {"Cookie": sess[0], "X-CSRF-Token": sess[1]}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    return h.get(port, path, method, headers, body)


def err(r):
    try:
        return json.loads(r.body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def enrol(c, port, sess, who):
    """Enrols the session's user; returns (secret, step confirmed, recovery codes)."""
    r = call(port, "POST", "/api/session/totp", sess)
    c.require(r.status == 201, f"{who}: enrolment starts", (r.status, r.body[:200]))
    data = json.loads(r.body)
    secret = data["secret"]
    c.check(re.fullmatch(r"[A-Z2-7]{32}", secret), f"{who}: a 160-bit base32 secret", secret)
    c.check(data["uri"].startswith("otpauth://totp/") and f"secret={secret}" in data["uri"]
            and "issuer=" in data["uri"], f"{who}: the otpauth URI carries it", data["uri"])
    r = call(port, "GET", "/api/session/totp", sess)
    c.eq(json.loads(r.body)["pending"], True, f"{who}: pending until confirmed")
    r = call(port, "POST", "/api/session/totp/confirm", sess, {"code": "000000"
                                                                if totp(secret) != "000000"
                                                                else "111111"})
    c.eq((r.status, err(r)), (422, "invalid_code"), f"{who}: a wrong confirmation code: 422")
    step = int(time.time()) // 30
    r = call(port, "POST", "/api/session/totp/confirm", sess, {"code": totp(secret, step)})
    c.require(r.status == 200, f"{who}: the app's code confirms", (r.status, r.body[:200]))
    codes = json.loads(r.body)["recovery_codes"]
    c.check(len(codes) == 10 and len(set(codes)) == 10
            and all(re.fullmatch(r"[0-9a-z]{5}-[0-9a-z]{5}", x) for x in codes),
            f"{who}: ten distinct recovery codes", codes)
    r = call(port, "GET", "/api/session/totp", sess)
    st = json.loads(r.body)
    c.check(st["enabled"] and not st["pending"] and st["recovery_codes_left"] == 10,
            f"{who}: enabled with ten codes left", st)
    r = call(port, "POST", "/api/session/totp", sess)
    c.eq(r.status, 409, f"{who}: no second enrolment over a confirmed one")
    return secret, step, codes


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    for user, role in (("ed", "editor"), ("ada", "admin"), ("al", "admin"), ("wr", "editor"),
                       ("cx", "editor"), ("fm", "editor")):
        r = h.gazette(db, "user", "add", user, "--role", role, "--password-stdin",
                      stdin=PASSWORD + "\n")
        c.require(r.returncode == 0, f"user add {user}", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    for pid in h.workers(pool.pid):
        with open(f"/proc/{pid}/status") as f:
            seccomp = re.search(r"^Seccomp:\s*(\d+)", f.read(), re.M).group(1)
        c.eq(seccomp, "2", f"worker {pid} runs under its seccomp filter (Nettle's HMAC too)")

    # --- enrolment ------------------------------------------------------------------
    r = login(port, "ed")
    c.require(r.status == 200, "ed logs in with the password alone before enrolling")
    c.eq(json.loads(r.body)["totp"], False, "the session says: no second factor")
    ed = session_of(r)
    c.eq(call(port, "POST", "/api/session/totp", (ed[0], "")).status, 403,
         "enrolling needs the CSRF token")
    secret, step, codes = enrol(c, port, ed, "ed")

    # --- logging in -------------------------------------------------------------------
    r = login(port, "ed")
    data = json.loads(r.body)
    c.check(r.status == 401 and data.get("second_factor") is True
            and data["error"]["code"] == "second_factor_required",
            "the password alone: 401 second factor required", (r.status, r.body[:200]))
    c.check("gz_session" not in r.header("set-cookie"), "and no session cookie")
    r = login(port, "ed", "not the password!", code=totp(secret))
    c.eq((r.status, err(r)), (401, "invalid_credentials"),
         "a wrong password with a right code: the password's 401, nothing about the code")
    wrong = "%06d" % ((int(totp(secret, step + 1)) + 1) % 1000000)
    r = login(port, "ed", code=wrong)
    c.eq((r.status, err(r)), (401, "invalid_code"), "a wrong code: 401")
    c.check("gz_session" not in r.header("set-cookie"), "a wrong code: no session")
    r = login(port, "ed", code=totp(secret, step))
    c.eq((r.status, err(r)), (401, "code_reused"),
         "the code that confirmed the enrolment is refused as already used")
    r = login(port, "ed", code=totp(secret, step + 1)[:3] + " " + totp(secret, step + 1)[3:])
    c.require(r.status == 200, "the next code (typed with a space) logs in",
              (r.status, r.body[:200]))
    c.eq(json.loads(r.body)["totp"], True, "the session says: second factor")
    ed = session_of(r)
    c.eq(call(port, "GET", "/api/session", ed).status, 200, "the session works")
    r = login(port, "ed", code=totp(secret, step + 1))
    c.eq((r.status, err(r)), (401, "code_reused"), "the same code a second time: refused")
    c.eq(login(port, "ed", code=totp(secret, step - 3)).status, 401,
         "a code from two minutes ago: 401")
    c.eq(login(port, "ed", code="12345").status, 401, "five digits: 401")
    c.eq(login(port, "ed", code="").status, 401, "an empty code counts as none: 401")
    c.eq(h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
               json.dumps({"username": "ed", "password": PASSWORD, "code": 123456})).status,
         422, "a code that is not a string: 422")

    # --- recovery codes ---------------------------------------------------------------------
    r = login(port, "ed", code=codes[0].upper())
    c.eq(r.status, 200, "a recovery code logs in (case does not matter)")
    r = login(port, "ed", code=codes[0])
    c.eq((r.status, err(r)), (401, "invalid_code"), "the same recovery code twice: 401")
    ed = session_of(login(port, "ed", code=codes[1].replace("-", "")))
    r = call(port, "GET", "/api/session/totp", ed)
    c.eq(json.loads(r.body)["recovery_codes_left"], 8, "two recovery codes spent, eight left")

    # --- throttling counts wrong codes --------------------------------------------------------
    wr = session_of(login(port, "wr"))
    wsecret, wstep, _ = enrol(c, port, wr, "wr")
    bad = "%06d" % ((int(totp(wsecret)) + 500000) % 1000000)
    for i in range(5):
        r = login(port, "wr", code=bad)
        c.eq(r.status, 401, f"wrong code {i + 1}: 401")
    r = login(port, "wr", code=totp(wsecret, wstep + 1))
    c.eq(r.status, 429, "the 6th attempt, even with the right code: 429")
    c.check(r.header("retry-after").isdigit(), "with Retry-After", r.header("retry-after"))
    c.eq(login(port, "ed", code=codes[2]).status, 200, "another account is not locked")

    # --- the browser's two steps ---------------------------------------------------------------
    def form_login(user, password=PASSWORD):
        return h.get(port, "/editor/login", "POST", FORM, urllib.parse.urlencode(
            {"username": user, "password": password, "next": "/editor/articles/new"}))

    def form_code(challenge, code):
        return h.get(port, "/editor/login", "POST", FORM, urllib.parse.urlencode(
            {"challenge": challenge, "code": code, "next": "/editor/articles/new"}))

    # Each account below logs in once with a code: the code after the one that
    # confirmed (a second would have to wait for the clock to move on).
    fm = session_of(login(port, "fm"))
    fsecret, fstep, _ = enrol(c, port, fm, "fm")
    fwrong = "%06d" % ((int(totp(fsecret, fstep + 1)) + 1) % 1000000)
    r = form_login("fm")
    m = re.search(r'name="challenge" value="([0-9a-f]{64})"', r.text)
    c.check(r.status == 200 and m and 'name="code"' in r.text,
            "the password step shows the code form", (r.status, r.text[:300]))
    c.check("gz_session" not in r.header("set-cookie"), "the password step starts no session")
    challenge = m.group(1) if m else ""
    r = form_code(challenge, fwrong)
    c.check(r.status == 401 and challenge in r.text, "a wrong code: 401, the same form again")
    r = form_code("0" * 64, totp(fsecret, fstep + 1))
    c.check(r.status == 401 and 'name="password"' in r.text,
            "an unknown challenge: back to the password form", r.status)
    r = form_code(challenge, totp(fsecret, fstep + 1))
    c.check(r.status == 303 and r.header("location") == "/editor/articles/new"
            and "gz_session=" in r.header("set-cookie"),
            "the right code logs in and goes on to next", (r.status, r.header("location")))
    cookie = r.header("set-cookie").split(";")[0]
    c.eq(h.get(port, "/editor/", headers={"Cookie": cookie}).status, 200, "the dashboard")
    c.eq(form_code(challenge, totp(fsecret, fstep + 1)).status, 401,
         "a challenge logs in once")
    # cx: five wrong codes kill the challenge (and the account is throttled then)
    cx = session_of(login(port, "cx"))
    csecret, cstep, _ = enrol(c, port, cx, "cx")
    m = re.search(r'name="challenge" value="([0-9a-f]{64})"', form_login("cx").text)
    cch = m.group(1) if m else ""
    cbad = "%06d" % ((int(totp(csecret)) + 250000) % 1000000)
    for i in range(4):
        c.eq(form_code(cch, cbad).status, 401, f"cx wrong code {i + 1}")
    r = form_code(cch, cbad)
    c.check(r.status == 401 and 'name="password"' in r.text and cch not in r.text,
            "the fifth wrong code ends the challenge: the password form again")
    c.eq(form_code(cch, totp(csecret, cstep + 1)).status, 401, "a dead challenge stays dead")
    c.eq(form_login("cx").status, 429, "and the account is throttled")
    con = sqlite3.connect(db)
    fails = con.execute("SELECT count(*) FROM login_attempts WHERE username = 'cx' AND NOT ok")
    c.eq(fails.fetchone()[0], 5, "each wrong code was a failed login of the account")
    c.eq(con.execute("SELECT count(*) FROM login_challenges l JOIN users u ON u.id = l.user_id "
                     "WHERE u.username = 'cx'").fetchone()[0], 0, "the dead challenge is gone")

    # --- turning it off -------------------------------------------------------------------
    r = call(port, "POST", "/api/session/totp/disable", ed, {"password": "not the password!"})
    c.eq(r.status, 403, "turning it off with a wrong password: 403")
    r = call(port, "POST", "/api/session/totp/disable", ed, {"code": wrong})
    c.eq(r.status, 403, "turning it off with a wrong code: 403")
    c.eq(call(port, "POST", "/api/session/totp/disable", ed, {}).status, 422,
         "turning it off without a proof: 422")
    c.eq(json.loads(call(port, "GET", "/api/session/totp", ed).body)["enabled"], True,
         "still on")
    r = call(port, "POST", "/api/session/totp/disable", ed, {"password": PASSWORD})
    c.eq(r.status, 204, "turning it off with the password")
    c.eq(login(port, "ed").status, 200, "then the password alone logs in")
    # an admin resets cx's (the lost phone); not their own
    ada = session_of(login(port, "ada"))
    users = {u["username"]: u["id"] for u in json.loads(call(port, "GET", "/api/users", ada).body)["users"]}
    c.eq(call(port, "DELETE", f"/api/users/{users['cx']}/totp", ed).status, 403,
         "an editor cannot reset someone's second factor")
    c.eq(call(port, "DELETE", f"/api/users/{users['cx']}/totp", (ada[0], "")).status, 403,
         "the reset needs the CSRF token")
    c.eq(call(port, "DELETE", "/api/users/999999/totp", ada).status, 404, "an unknown user: 404")
    c.eq(call(port, "DELETE", f"/api/users/{users['cx']}/totp", ada).status, 204,
         "an admin resets cx's second factor")
    c.eq(call(port, "DELETE", f"/api/users/{users['ada']}/totp", ada).status, 403,
         "but not their own (that needs a proof)")

    # --- require_2fa_admins -----------------------------------------------------------------
    r = call(port, "PATCH", "/api/settings", ada, {"require_2fa_admins": "yes"})
    c.eq(r.status, 422, "require_2fa_admins takes 0 or 1 only")
    asecret, astep, _ = enrol(c, port, ada, "ada")
    r = call(port, "PATCH", "/api/settings", ada, {"require_2fa_admins": "1"})
    c.eq(r.status, 200, "an admin turns require_2fa_admins on")
    r = login(port, "al")
    c.check(r.status == 200 and json.loads(r.body).get("totp_enrolment_required") is True,
            "an admin without a second factor logs in and is told to enrol", r.body[:200])
    al = session_of(r)
    for method, path, body in (("GET", "/api/users", None), ("GET", "/api/editor/articles", None),
                               ("POST", "/api/articles", {"title": "x", "category": "news"}),
                               ("PATCH", "/api/settings", {"require_2fa_admins": "0"})):
        r = call(port, method, path, al, body)
        c.eq((r.status, err(r)), (403, "second_factor_enrolment_required"),
             f"{method} {path} before enrolling: 403")
    r = h.get(port, "/editor/", headers={"Cookie": al[0]})
    c.check(r.status == 303 and r.header("location") == "/editor/account?enrol=1",
            "an editor page before enrolling: to My account", (r.status, r.header("location")))
    r = h.get(port, "/editor/users", headers={"Cookie": al[0]})
    c.eq(r.status, 303, "an admin page before enrolling: redirected too")
    r = h.get(port, "/editor/account", headers={"Cookie": al[0]})
    c.check(r.status == 200 and "totp-required" in r.text, "My account says why", r.status)
    r = form_login("al")
    c.check(r.status == 303 and r.header("location") == "/editor/account?enrol=1",
            "the login form sends such an admin to enrolment", r.header("location"))
    c.eq(call(port, "GET", "/api/users", ed).status, 403, "an editor is not affected (403 is "
         "the editor's usual answer on an admin route)")
    c.eq(call(port, "GET", "/api/editor/articles", ed).status, 200,
         "an editor without a second factor works as before")
    enrol(c, port, al, "al")
    c.eq(call(port, "GET", "/api/users", al).status, 200,
         "once enrolled, the same session may work")
    r = call(port, "PATCH", "/api/settings", al, {"require_2fa_admins": "0"})
    c.eq(r.status, 200, "and turn the requirement off again")

    # --- the shell's way out: gazette user totp-reset ---------------------------------------
    r = h.gazette(db, "user", "totp-reset", "al")
    c.check(r.returncode == 0 and "turned off two-factor login of al" in r.stdout,
            "gazette user totp-reset turns it off", (r.returncode, r.stdout, r.stderr))
    c.eq(login(port, "al").status, 200, "then al logs in with the password alone")
    r = h.gazette(db, "user", "totp-reset", "al")
    c.check(r.returncode == 0 and "has no two-factor login" in r.stdout, "a second reset says so",
            r.stdout)
    r = h.gazette(db, "user", "totp-reset", "nobody")
    c.check(r.returncode == 1 and "no user 'nobody'" in r.stderr, "an unknown user: exit 1",
            (r.returncode, r.stderr))
    c.eq(h.gazette(db, "user", "totp-reset").returncode, 2, "no NAME: usage error, exit 2")

    # --- audit and storage ------------------------------------------------------------------
    actions = [a for (a,) in con.execute(
        "SELECT action || ':' || username || ':' || detail FROM audit_log "
        "WHERE action LIKE 'totp.%' ORDER BY id")]
    c.eq(actions, ["totp.enable:ed:", "totp.enable:wr:", "totp.enable:fm:", "totp.enable:cx:",
                   "totp.disable:ed:password", "totp.reset:ada:", "totp.enable:ada:",
                   "totp.enable:al:", "totp.reset:cli:", "totp.reset:cli:none enrolled"],
         "the audit log has each change, with who")
    logins = [d for (d,) in con.execute("SELECT detail FROM audit_log a JOIN users u ON "
                                        "u.id = a.user_id WHERE action = 'session.login' "
                                        "AND u.username = 'ed' ORDER BY a.id")]
    c.check("totp" in logins and "recovery code" in logins,
            "logins record how the second factor was given", logins)
    dump = "\n".join(sqlite3.connect(db).iterdump())
    raw = base64.b32decode(secret)
    for s in (secret, asecret, raw.hex(), *codes, *(x.replace("-", "") for x in codes)):
        c.check(s not in dump and s.upper() not in dump,
                "the database dump holds no TOTP secret and no recovery code in clear")
    c.check(raw not in open(db, "rb").read(), "nor the secret's raw bytes")
    log = open(scratch.file("gazette.log"), errors="replace").read()
    c.check("killed by signal" not in log, "no worker died (Nettle under the sandbox)",
            log[-500:])


if __name__ == "__main__":
    h.run_test("totp_test", test)
