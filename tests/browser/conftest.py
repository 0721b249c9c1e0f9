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
    """``phone(user)`` opens a fresh phone-sized browser, logged in as ``user`` (a User, or
    a username) by the form."""
    contexts = []

    def _open(user=None, password="correct-horse-9"):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        contexts.append(context)
        watch(context, csp_problems)
        page = context.new_page()
        page.base = live_url
        if user is not None:
            page.goto(live_url + "/auth/login")
            page.fill("#username", getattr(user, "username", user))
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


# Every tap target on the page, measured where the person taps: buttons, form controls (a
# checkbox or radio together with its label, since a tap on either works), summaries and
# links. A link inside running text (a sentence with more words around it) is excepted, as
# UI.md allows; a link styled as a button, a row or a menu item never is.
MEASURE_TARGETS = """
(min) => {
  const wanted = 'button, input:not([type=hidden]), select, textarea, summary, a[href]';
  const shown = (el) => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    // (the 跳到正文 link waits off-screen until it has the keyboard's focus)
    return box.width > 0 && box.height > 0 && box.right > 0 && style.visibility !== 'hidden';
  };
  const inRunningText = (a) => {
    if (a.matches('.button, .row-link, .wish-card, nav a, header a')) return false;
    const block = a.closest('p, dd, td, span, .hint, label');
    return !!block && block.textContent.trim().length > a.textContent.trim().length;
  };
  const describe = (el) => {
    const text = ((el.labels && el.labels.length ? el.labels[0].innerText : el.innerText) ||
                  el.getAttribute('aria-label') || el.placeholder || '').trim();
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
      (el.name ? '[name=' + el.name + ']' : '') + (text ? ' "' + text.slice(0, 20) + '"' : '');
  };
  const small = [];
  for (const el of document.querySelectorAll(wanted)) {
    if (!shown(el) || (el.tagName === 'A' && inRunningText(el))) continue;
    let {left, top, right, bottom} = el.getBoundingClientRect();
    if (el.labels && ['checkbox', 'radio'].includes(el.type)) {
      for (const label of el.labels) {
        const box = label.getBoundingClientRect();
        left = Math.min(left, box.left); top = Math.min(top, box.top);
        right = Math.max(right, box.right); bottom = Math.max(bottom, box.bottom);
      }
    }
    const width = right - left, height = bottom - top;
    if (width < min - 0.5 || height < min - 0.5) {
      small.push(describe(el) + ' is ' + Math.round(width) + '×' + Math.round(height) + ' px');
    }
  }
  return small;
}
"""
TAP_PX = {False: 44, True: 60}  # UI.md: 44 × 44 px, and 60 × 60 px in 长辈版


@pytest.fixture
def shot(request, csp_problems, axe_source):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _check(page, name, path):
        page.screenshot(path=str(path), full_page=True)
        assert_no_csp_violation(page, csp_problems, name)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= PHONE["width"], f"{name}: page is {overflow}px wide"
        large = page.evaluate("document.documentElement.classList.contains('large')")
        small = page.evaluate(MEASURE_TARGETS, TAP_PX[large])
        assert small == [], (f"{name}{' (长辈版)' if large else ''}: tap targets under "
                             f"{TAP_PX[large]} px: {small}")
        # Not add_script_tag: the page's policy rightly refuses an inline <script>.
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe_source + "\n;undefined")
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, html: v.nodes[0].html}))",
            WCAG_AA)
        assert violations == [], f"{name}: {violations}"

    def _shot(page, name):
        """Keep a screenshot of the page as it is and in the other mode (长辈版 or 标准版),
        and check each: no Content-Security-Policy violation, no sideways scrolling on a
        375 px phone, every tap target big enough for the mode, and no WCAG 2.1 AA
        violation found by axe-core. The other mode is the same page with 长辈版's class
        switched on the root element (all its styles hang on ``html.large``), so a page
        reached by a form post is measured without sending the form again."""
        stem = request.node.name.split("[")[0]
        path = SHOTS / f"{stem}-{name}.png"
        _check(page, name, path)
        large = page.evaluate("document.documentElement.classList.toggle('large')")
        other = f"{name}-{'large' if large else 'standard'}"
        try:
            _check(page, other, SHOTS / f"{stem}-{other}.png")
        finally:
            page.evaluate("document.documentElement.classList.toggle('large')")
        return path

    return _shot
