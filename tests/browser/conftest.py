"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser) against
gunicorn, at a phone-sized viewport. Without chromium they skip, saying how to enable them.

The Content-Security-Policy stays real (no ``bypass_csp``): every page a test opens reports
each ``securitypolicyviolation`` (kept in ``window.__cspViolations`` and sent to Python),
each CSP complaint on the console and each uncaught script error; a test that caused any
fails at its end, and ``shot()`` checks at once. axe-core is evaluated by Playwright, which
the page's policy does not govern, rather than added as a ``<script>`` it would refuse."""

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
# Runs in every page before its own scripts; the policy does not apply to it.
CSP_RECORDER = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    const violation = {directive: event.violatedDirective, blocked: event.blockedURI,
                       page: event.documentURI, source: event.sourceFile,
                       line: event.lineNumber, sample: event.sample};
    window.__cspViolations.push(violation);
    if (window.__reportCspViolation) window.__reportCspViolation(violation);
  });
})();
"""
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
def csp_problems():
    """What the pages of this test broke: CSP violations, CSP console errors, script errors.
    A test that leaves anything here fails when it ends."""
    problems = []
    yield problems
    assert problems == [], f"Content-Security-Policy violations or script errors: {problems}"


def watch(context, problems) -> None:
    """Record every CSP violation and script error of every page of ``context``."""
    context.add_init_script(script=CSP_RECORDER)
    context.expose_binding("__reportCspViolation",
                           lambda source, violation: problems.append(violation))

    def on_page(page):
        page.on("console", lambda message: problems.append(
            {"console": message.text, "page": page.url})
            if message.type == "error" and "Content Security Policy" in message.text else None)
        page.on("pageerror", lambda error: problems.append(
            {"pageerror": str(error), "page": page.url}))

    context.on("page", on_page)


def assert_no_csp_violation(page, problems, name="") -> None:
    """No violation recorded so far, in this page or any page before it."""
    in_page = page.evaluate("window.__cspViolations")
    assert in_page == [], f"{name}: {in_page}"  # also proves the recorder is in the page
    assert problems == [], f"{name}: {problems}"


@pytest.fixture
def phone(browser, live_url, csp_problems):
    """``phone(user)`` opens a fresh phone-sized browser, logged in as ``user`` by the form."""
    contexts = []

    def _open(user=None, password="correct-horse-9"):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        contexts.append(context)
        watch(context, csp_problems)
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


@pytest.fixture(scope="session")
def axe_source():
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def shot(request, csp_problems, axe_source):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        """Keep a screenshot; check the page broke no Content-Security-Policy rule, does not
        scroll sideways on a 375 px phone, and that axe-core finds no WCAG 2.1 AA violation
        on it."""
        path = SHOTS / f"{request.node.name.split('[')[0]}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert_no_csp_violation(page, csp_problems, name)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= PHONE["width"], f"{name}: page is {overflow}px wide"
        # Not add_script_tag: the page's policy rightly refuses an inline <script>.
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe_source + "\n;undefined")
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, html: v.nodes[0].html}))",
            WCAG_AA)
        assert violations == [], f"{name}: {violations}"
        return path

    return _shot
