"""The browser side of tests/editor_browser_test.py: Chromium through chromedriver
(Debian's chromium, chromium-driver and python3-selenium), the moves a person makes
with it, and what the test reads around it (chromedriver's log of JavaScript dialogs,
the forms of a page, the database's rows). Python standard library + selenium."""

import html.parser
import json
import os
import re
import sqlite3
import struct
import urllib.parse
import zlib

import gazette_harness as h

ARTIFACTS = os.path.join(os.path.dirname(h.TESTTMP), "artifacts")
WAIT = 10  # seconds for a page or a script to answer


def png(width, height):
    """A small colourful RGB PNG, made here (zlib + struct)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes((40 + x * 200 // width, 120 + y * 100 // height, 90))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b""))


def browser(profile, log):
    """Chromium through chromedriver, whose DevTools traffic goes to log: the only
    place a beforeunload dialog can be seen, as chromedriver accepts those itself
    (whatever unhandledPromptBehavior says) before selenium can switch to them."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as ChromeService

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                 "--window-size=1280,1000"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = ChromeService("/usr/bin/chromedriver", service_args=["--log-level=DEBUG"],
                            log_path=log)
    return webdriver.Chrome(service=service, options=opts)


DIALOG = re.compile(r"DevTools WebSocket Event: Page\.javascriptDialogOpening [^\n]*\{\n(.*?)\n\}",
                    re.S)


class DialogLog:
    """The JavaScript dialogs the browser opened, read from chromedriver's log."""

    def __init__(self, path):
        self.path, self.offset = path, 0

    def new(self):
        """[(type, page url)] of the dialogs opened since the last call."""
        with open(self.path, errors="replace") as f:
            f.seek(self.offset)
            text = f.read()
            self.offset = f.tell()
        out = []
        for m in DIALOG.finditer(text):
            try:
                event = json.loads("{" + m.group(1) + "}")
            except ValueError:
                continue
            out.append((event.get("type"), event.get("url")))
        return out


class FormParser(html.parser.HTMLParser):
    """The POST forms of a page as a browser would send them (first submit button,
    checked boxes, selected options, text areas): [{"action", "fields": {name: value},
    "files": [names of file inputs], "multipart": bool}]."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.current = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.current = {"action": a.get("action", ""), "fields": {}, "files": [],
                            "multipart": a.get("enctype") == "multipart/form-data"}
            self.forms.append(self.current)
        if self.current is None:
            return
        name = a.get("name")
        fields = self.current["fields"]
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "file":
                self.current["files"].append(name)
            elif kind not in ("checkbox", "radio") or "checked" in a:
                fields.setdefault(name, a.get("value", ""))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            fields.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            if self.select not in fields or "selected" in a:
                fields[self.select] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            self.current["fields"][self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def post_forms(page):
    p = FormParser()
    p.feed(page)
    return p.forms


class Web:
    """The browser and the small moves a person makes with it."""

    def __init__(self, c, drv, base):
        from selenium.webdriver.support.ui import WebDriverWait
        self.c, self.drv, self.base = c, drv, base
        self.Wait = WebDriverWait
        self.users_made = False

    def until(self, cond, timeout=WAIT):
        """cond(driver)'s first true value within timeout seconds, or None."""
        from selenium.common.exceptions import TimeoutException
        try:
            return self.Wait(self.drv, timeout, poll_frequency=0.1).until(
                lambda d: self._quiet(cond, d))
        except TimeoutException:
            return None

    @staticmethod
    def _quiet(cond, d):
        from selenium.common.exceptions import (NoSuchElementException,
                                                StaleElementReferenceException)
        try:
            return cond(d)
        except (NoSuchElementException, StaleElementReferenceException):
            return None

    def go(self, path):
        self.drv.get(self.base + path)
        self.loaded()

    def loaded(self):
        self.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def find(self, css):
        return self.drv.find_element("css selector", css)

    def finds(self, css):
        return self.drv.find_elements("css selector", css)

    def text(self, css):
        els = self.finds(css)
        return els[0].text if els else ""

    def value(self, css):
        els = self.finds(css)
        return els[0].get_attribute("value") if els else None

    def path(self):
        u = urllib.parse.urlsplit(self.drv.current_url)
        return u.path + ("?" + u.query if u.query else "")

    def click_and_load(self, el):
        """Clicks el and waits for the next page to replace this one."""
        self.drv.execute_script("window.gzOldPage = true")
        el.click()
        self.until(lambda d: d.execute_script(
            "return !window.gzOldPage && document.readyState === 'complete'"))

    def button(self, value):
        return self.find(f'form.article-form button[name="action"][value="{value}"]')

    def fill(self, css, text):
        el = self.find(css)
        el.clear()
        el.send_keys(text)
        return el

    def login(self, user, password):
        self.go("/editor/login")
        self.fill("#username", user)
        self.fill("#password", password)
        self.click_and_load(self.find("section.login form button[type=submit]"))

    def logout(self):
        if not self.finds("nav.editor-nav form button[type=submit]"):
            self.go("/editor/")  # error pages have no editor menu
        self.click_and_load(self.find("nav.editor-nav form button[type=submit]"))

    def body_text(self):
        return self.find("body").text

    def shows_forbidden(self):
        return self.text("section.error h1") == "Not allowed"

    def shows_not_found(self):
        return self.text("section.error h1") == "Page not found"

    def dashboard_row(self, title):
        """{"status","category","author","updated"} of the dashboard row of title, or None."""
        for tr in self.finds("table.dashboard tbody tr"):
            tds = tr.find_elements("css selector", "td")
            if tds and tds[0].find_element("css selector", "a").text == title:
                return {"status": tds[1].text, "category": tds[2].text, "author": tds[3].text,
                        "updated": tds[4].text}
        return None

    def screenshot(self, name):
        """The whole page (the window grown to its height for the shot)."""
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, name)
        size = self.drv.get_window_size()
        height = self.drv.execute_script("return document.documentElement.scrollHeight")
        self.drv.set_window_size(size["width"], min(max(height + 150, size["height"]), 4000))
        self.drv.execute_script("window.scrollTo(0, 0)")
        self.c.check(self.drv.save_screenshot(shot) and os.path.getsize(shot) > 10000,
                     f"screenshot {name}")
        self.drv.set_window_size(size["width"], size["height"])
        print(f"screenshot: {shot}", flush=True)

    def console_errors(self):
        return [e for e in self.drv.get_log("browser") if e.get("level") == "SEVERE"]


def snapshot(db):
    """Everything a POST could change, read straight from the database."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        for table in ("articles", "revisions", "users", "categories", "settings", "media",
                      "audit_log"):
            out[table] = sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()


def multipart(fields, boundary="gzcsrfboundary"):
    out = b""
    for name, filename, data in fields:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = (f"--{boundary}\r\nContent-Disposition: {disp}\r\n"
                + ("Content-Type: image/png\r\n" if filename else "") + "\r\n")
        out += head.encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
