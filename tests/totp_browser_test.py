"""Two-factor login in a real browser (Debian's chromium + chromium-driver through
selenium), through real nginx and the worker pool: an editor enrols under My account
(the QR code is drawn, the secret is read from the page as a person would type it, a
wrong first code is refused next to its field, the right one shows ten recovery codes
once), logs out, logs in with the password and then the code from the app (a wrong code
first), logs in again with a recovery code, and turns two-factor login off (a wrong
password first). Then an admin makes it required for admins on the settings page and is
held on My account until enrolled. The codes are computed here with hmac/hashlib."""

import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402
from editor_web import Web, browser  # noqa: E402

PASSWORD = "correct horse battery"


def totp(secret, step):
    s = secret.replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def step(n, what):
    print(f"--- step {n}: {what}", flush=True)


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
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    profile = tempfile.mkdtemp(prefix="chromium.", dir=scratch.path)
    drv = browser(profile, scratch.file("chromedriver.log"))
    try:
        w = Web(c, drv, f"http://127.0.0.1:{nginx.port}")
        secret, confirmed, codes = enrol(c, w, "ed")
        login_with_code(c, w, secret, confirmed)
        login_with_recovery(c, w, codes)
        turn_off(c, w)
        required_for_admins(c, w)
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def enrol(c, w, user):
    """Enrols user through My account; returns (secret, confirmed step, recovery codes)."""
    step(1, f"{user} enrols under My account")
    w.login(user, PASSWORD)
    c.eq(w.path(), "/editor/", f"{user} logs in with the password alone")
    w.click_and_load(w.find('nav.editor-nav a[href$="/editor/account"]'))
    c.eq(w.text("#totp-heading"), "Two-factor login", "My account has a two-factor section")
    c.check(not w.finds("svg.totp-qr"), "no QR code before enrolling")
    w.click_and_load(w.find('form.totp-start button[value="start"]'))
    qr = w.finds("svg.totp-qr")
    c.check(qr and qr[0].is_displayed() and qr[0].size["width"] >= 150
            and qr[0].get_attribute("aria-label"), "a QR code is drawn, with a label",
            qr and qr[0].size)
    secret = w.text("#totp-secret")
    c.check(re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret),
            "the secret is shown as text in groups of four", secret)
    uri = w.find(".totp-steps a").get_attribute("href")
    c.check(uri.startswith("otpauth://totp/") and "secret=" + secret.replace(" ", "") in uri,
            "and as the otpauth link the QR code holds", uri)
    w.screenshot("totp-enrol.png")
    now = int(time.time()) // 30
    wrong = "%06d" % ((int(totp(secret, now)) + 3) % 1000000)
    w.fill("#totp-code", wrong)
    w.click_and_load(w.find('form.totp-confirm button[value="confirm"]'))
    c.check("not right" in w.text("#totp-code-error") and w.finds(".field.has-error #totp-code"),
            "a wrong first code: the message by the field", w.text("#totp-code-error"))
    c.eq(w.text("#totp-secret"), secret, "the same secret is still shown")
    confirmed = int(time.time()) // 30
    w.fill("#totp-code", totp(secret, confirmed))
    w.click_and_load(w.find('form.totp-confirm button[value="confirm"]'))
    c.eq(w.text(".totp-codes .notice"), "Two-factor login is on.", "the right code turns it on")
    codes = [li.text for li in w.finds("ol.recovery-codes li")]
    c.check(len(codes) == 10 and all(re.fullmatch(r"[0-9a-z]{5}-[0-9a-z]{5}", x) for x in codes),
            "ten recovery codes are shown", codes)
    c.check(not w.finds("#totp-secret") and not w.finds("svg.totp-qr"),
            "the secret is not shown any more")
    w.go("/editor/account")
    c.check(not w.finds("ol.recovery-codes"), "the recovery codes are shown only once")
    c.eq(w.text(".totp-left"), "10", "ten recovery codes left")
    return secret.replace(" ", ""), confirmed, codes


def login_with_code(c, w, secret, confirmed):
    step(2, "log out, log in with the password and then the code")
    w.logout()
    w.login("ed", PASSWORD)
    c.check(w.finds("#code") and not w.finds("#password"),
            "after the password the form asks for the code")
    c.check("authenticator app" in w.text("#code-hint"), "and says what code",
            w.text("#code-hint"))
    w.fill("#code", "%06d" % ((int(totp(secret, confirmed + 1)) + 7) % 1000000))
    w.click_and_load(w.find("form.login-code button[type=submit]"))
    c.check(w.text("section.login .form-error").startswith("That code is not right"),
            "a wrong code: the form says so", w.text("section.login .form-error"))
    c.check(w.finds("#code"), "and asks again")
    w.fill("#code", totp(secret, confirmed + 1))
    w.click_and_load(w.find("form.login-code button[type=submit]"))
    c.eq(w.path(), "/editor/", "the right code lands on the dashboard")
    c.eq(w.text("nav.editor-nav .who"), "ed", "logged in as ed")


def login_with_recovery(c, w, codes):
    step(3, "log in with a recovery code")
    w.logout()
    w.login("ed", PASSWORD)
    w.fill("#code", codes[3].upper())
    w.click_and_load(w.find("form.login-code button[type=submit]"))
    c.eq(w.path(), "/editor/", "a recovery code logs in")
    w.go("/editor/account")
    c.eq(w.text(".totp-left"), "9", "one recovery code spent")
    w.logout()
    w.login("ed", PASSWORD)
    w.fill("#code", codes[3])
    w.click_and_load(w.find("form.login-code button[type=submit]"))
    c.check(w.finds("#code") and w.path() != "/editor/", "the same recovery code twice: refused")
    w.fill("#code", codes[4])
    w.click_and_load(w.find("form.login-code button[type=submit]"))
    c.eq(w.path(), "/editor/", "another recovery code logs in")


def turn_off(c, w):
    step(4, "turn two-factor login off with the password")
    w.go("/editor/account")
    w.fill("#totp-disable-password", "not the password at all")
    w.click_and_load(w.find('form.totp-disable button[value="disable"]'))
    c.eq(w.text("#totp-disable-error"), "That code or password is not right.",
         "a wrong password: refused with a message")
    c.check(w.finds(".totp-left"), "still on")
    w.fill("#totp-disable-password", PASSWORD)
    w.click_and_load(w.find('form.totp-disable button[value="disable"]'))
    c.eq(w.text("p.notice"), "Saved.", "turned off")
    c.check(w.finds('form.totp-start button[value="start"]'), "and can be set up again")
    w.logout()
    w.login("ed", PASSWORD)
    c.eq(w.path(), "/editor/", "the password alone logs in again")
    w.logout()


def required_for_admins(c, w):
    step(5, "an admin requires two-factor login for admins, and is held on My account")
    w.login("ada", PASSWORD)
    w.go("/editor/settings")
    from selenium.webdriver.support.ui import Select
    Select(w.find("#set-require_2fa_admins")).select_by_value("1")
    w.click_and_load(w.find("section.admin-settings form.admin-form button[type=submit]"))
    c.eq(w.path(), "/editor/account?enrol=1", "saving sends the admin (who has none) to enrol")
    c.check("requires two-factor login" in w.text(".totp-required"), "the page says why",
            w.text(".totp-required"))
    for page in ("/editor/", "/editor/users", "/editor/articles/new"):
        w.go(page)
        c.eq(w.path(), "/editor/account?enrol=1", f"{page} is out of reach until enrolled")
    w.click_and_load(w.find('form.totp-start button[value="start"]'))
    secret = w.text("#totp-secret").replace(" ", "")
    w.fill("#totp-code", totp(secret, int(time.time()) // 30))
    w.click_and_load(w.find('form.totp-confirm button[value="confirm"]'))
    c.eq(w.text(".totp-codes .notice"), "Two-factor login is on.", "the admin enrols")
    c.check(not w.finds(".totp-required"), "and is not held any more")
    w.go("/editor/users")
    c.eq(w.path(), "/editor/users", "the admin pages open again")
    c.eq(w.value("#set-require_2fa_admins") if w.go("/editor/settings") is None else None, "1",
         "the setting shows Required")


if __name__ == "__main__":
    h.run_test("totp_browser_test", test)
