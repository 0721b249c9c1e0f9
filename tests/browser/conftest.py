"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser) against
gunicorn, at a phone-sized viewport. Without chromium they skip, saying how to enable them."""

import os
import shutil
from pathlib import Path

import pytest
from live import ROOT, gunicorn

CHROMIUM = os.environ.get("WISHBOARD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright: pip install -e '.[test]'")
if not Path(CHROMIUM).exists():
    pytest.skip("browser tests need Debian's chromium: apt-get install chromium "
                "(.ci/run installs it)", allow_module_level=True)
if not AXE.exists():
    pytest.skip("browser tests check accessibility with axe-core: run npm install "
                "(.ci/run does)", allow_module_level=True)


@pytest.fixture
def live_url(app, migrated_url):
    if not migrated_url.startswith("sqlite"):
        pytest.skip("browser journeys run once, on SQLite; the race tests cover PostgreSQL")
    with gunicorn(migrated_url, workers=2, threads=4) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_url):
    """``phone(user)`` opens a fresh phone-sized browser, logged in as ``user`` by the form."""
    contexts = []

    def _open(user=None, password="correct-horse-9"):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.base = live_url
        if user is not None:
            page.goto(live_url + "/auth/login")
            page.fill("#username", user.username)
            page.fill("#password", password)
            page.click("button:has-text('登录')")
            page.wait_for_url("**/auth/account")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        """Keep a screenshot; check the page does not scroll sideways on a 375 px phone
        and that axe-core finds no WCAG 2.1 AA violation on it."""
        path = SHOTS / f"{request.node.name.split('[')[0]}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= PHONE["width"], f"{name}: page is {overflow}px wide"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, html: v.nodes[0].html}))",
            WCAG_AA)
        assert violations == [], f"{name}: {violations}"
        return path

    return _shot
