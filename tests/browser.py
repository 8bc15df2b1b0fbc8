"""Shared pieces of the browser tests: a live server on loopback and Debian's Chromium."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, require

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


class LiveServer:
    """The app served by werkzeug on 127.0.0.1 in a thread, for a real browser to use."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()


def launch_chromium(playwright):
    require(os.path.exists(CHROMIUM) or shutil.which("chromium"),
            f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def serious_violations(page):
    """axe-core violations of serious or critical impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def live(app, users):
    """The app served on loopback for the browser, with one user per role."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def chromium(live):
    """Debian's Chromium driven by Playwright (skips, or fails in CI, when missing)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def new_page(browser, viewport=TABLET, **options):
    """A page in a fresh context: Chinese locale, touch, the given viewport."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=True, **options)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: page.csp_errors.append(m.text)
            if "Content Security Policy" in m.text else None)
    return page


@pytest.fixture
def page(chromium):
    """A tablet-sized page (1024×768)."""
    return new_page(chromium)


def sign_in(page, base, username, password=PASSWORD):
    page.goto(base + "/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def draw_signature(page):
    """Sign the pad on the page with a finger's zigzag, as a customer does."""
    pad = page.locator("canvas[data-signature]")
    pad.scroll_into_view_if_needed()  # (often below the fold)
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 60 - (step % 3) * 20)
    page.mouse.up()


def settled(page):
    """Wait until htmx has finished swapping: a boosted page is in the DOM a moment before htmx
    wires up its triggers, and typing in that moment is lost."""
    from playwright.sync_api import expect

    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
