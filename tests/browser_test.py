"""A real visitor in headless Chromium (Debian's chromium + chromium-driver, driven
by selenium): loads an article page three times and sees its view count rise by
exactly three, counted by the page's own script through the counter endpoint.
Saves screenshots of the article and home pages as test artefacts."""

import json
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

ARTIFACTS = os.path.join(os.path.dirname(h.TESTTMP), "artifacts")


def browser(profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as ChromeService

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                 "--window-size=1280,1000"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=ChromeService("/usr/bin/chromedriver"), options=opts)


def test(c, scratch):
    try:
        import selenium  # noqa: F401
    except ImportError:
        c.require(False, "python3-selenium is installed (test.sh installs it)")
    c.require(os.path.exists("/usr/bin/chromedriver"), "chromium-driver is installed")
    db = h.make_db(c, scratch.file("gazette.db"))
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    base = f"http://127.0.0.1:{port}"

    listing = json.loads(h.get(port, "/api/articles?per_page=5").body)["articles"]
    c.require(listing, "the demo has public articles")
    aid = listing[0]["id"]
    start = json.loads(h.get(port, f"/api/articles/{aid}").body)["views"]

    profile = tempfile.mkdtemp(prefix="chromium.", dir=scratch.path)
    drv = browser(profile)
    try:
        seen = []
        for i in range(3):
            drv.get(f"{base}/a/{aid}")
            want = str(start + i + 1)

            def shown():
                el = drv.find_element("css selector", ".views")
                return el.text if el.text == want else None

            got = h.wait_until(shown, 10, 0.1)
            seen.append(drv.find_element("css selector", ".views").text)
            c.check(got == want, f"load {i + 1} shows {want} views", seen)
        after = json.loads(h.get(port, f"/api/articles/{aid}").body)["views"]
        c.eq(after - start, 3, "three page loads counted exactly three views")
        title = drv.find_element("css selector", "h1").text
        c.check(title == listing[0]["title"], "the browser shows the article", title)

        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "article.png")
        c.check(drv.save_screenshot(shot) and os.path.getsize(shot) > 10000, "article screenshot")
        print(f"screenshot: {shot}", flush=True)
        drv.get(base + "/")
        shot = os.path.join(ARTIFACTS, "home.png")
        c.check(drv.save_screenshot(shot) and os.path.getsize(shot) > 10000, "home screenshot")
        print(f"screenshot: {shot}", flush=True)
        # A phone-width window: the page still fits without sideways scrolling.
        drv.set_window_size(390, 844)
        drv.get(f"{base}/a/{aid}")
        width = drv.execute_script("return document.documentElement.scrollWidth")
        c.check(width <= 400, "the article page fits a phone screen", width)
        shot = os.path.join(ARTIFACTS, "article-phone.png")
        drv.save_screenshot(shot)
        print(f"screenshot: {shot}", flush=True)
        errors = [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
        c.check(not errors, "no errors in the browser console (CSP, scripts)", errors)
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    h.run_test("browser_test", test)
