"""Helpers shared by the browser scripts: arguments, headless Chromium (Debian's
chromium + chromedriver, driven by Selenium), one output line per step (`label 0
text`), screenshots, the webmail's login, switching sessions.

Every page a script sees is checked (`Audit`), without the script asking: before a
click, before leaving for another address, before looking for an element on a page
not yet checked, and before the browser quits. A check runs
- axe-core (`axe=`, scripts/axe) with the WCAG 2.1 A and AA rules, on the desktop
  window (1280 px) and at phone width (390 px);
- at phone width, the tap targets (WCAG 2.5.8): every link, button and field at least
  24 × 24 CSS px, links inside a sentence excepted;
- at 320 CSS px, the reflow (WCAG 1.4.10): no horizontal scroll
  (`document.documentElement.scrollWidth <= 320`) and nothing clipped or pushed past
  the right edge.
Each failure prints an `a11y-violation 0 …` line (page, width, rule, impact, targets);
at the end `a11y-states 0 N` gives the distinct page states checked (address, title
and notices shown, per width), `heaviest-page` the largest document served (none may
pass 100 KB) and `a11y-seconds` the checks' own time; the script fails when anything
was found. A script checks a
state its own JavaScript made (a warning shown while typing) with `audit.check()`.
"""
import os
import sys
import tempfile
import time

from apicase import A, totp
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.abstract_event_listener import AbstractEventListener
from selenium.webdriver.support.event_firing_webdriver import EventFiringWebDriver
from selenium.webdriver.support.ui import WebDriverWait

# A host name where one is needed (passkeys: WebAuthn refuses IP addresses).
BASE = f"https://{A.get('host', '127.0.0.1')}:{A['port']}"
SHOTS = A.get("shots")
LANG = A.get("browser_lang", "fr-FR")
DESKTOP, PHONE, REFLOW = 1280, 390, 320


def out(label, text):
    print(f"{label} 0 {' '.join(str(text).split())}", flush=True)


options = webdriver.ChromeOptions()
options.binary_location = A.get("chromium", "/usr/bin/chromium")
for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp()}",
            f"--window-size={DESKTOP},900", f"--lang={LANG}"]:
    options.add_argument(arg)
# Passkeys and service workers need a certificate Chromium accepts, not one whose
# error is ignored: the server's key is pinned by its SPKI hash (`server_cert=`).
if A.get("server_cert"):
    import subprocess
    spki = subprocess.run(
        f"openssl x509 -in '{A['server_cert']}' -pubkey -noout | openssl pkey -pubin -outform der"
        " | openssl dgst -sha256 -binary | base64", shell=True, check=True, capture_output=True,
        text=True).stdout.strip()
    options.add_argument(f"--ignore-certificate-errors-spki-list={spki}")
options.add_experimental_option("prefs", {"intl.accept_languages": f"{LANG},{LANG[:2]}"})
# The server presents the development PKI's certificate.
options.accept_insecure_certs = True
raw = webdriver.Chrome(service=Service(A.get("chromedriver", "/usr/bin/chromedriver")), options=options)
raw.set_script_timeout(60)

with open(A["axe"], encoding="utf-8") as f:
    AXE_SOURCE = f.read()

# axe-core on the whole document, WCAG 2.1 A and AA rules only; the answer is one
# line per violation.
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                   resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
                                   + v.nodes.map(n => n.target.join(' ')).join(', '))))
  .catch(e => done(['axe failed: ' + e]));
"""

# Targets smaller than 24 × 24 CSS px (WCAG 2.5.8), links inside a sentence excepted.
SMALL_TARGETS = """
const small = [];
for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right < 0 || r.bottom < 0) continue;  // moved off screen (skip link)
  const block = el.closest('p, dd, .hint');
  const inSentence = el.tagName === 'A' && getComputedStyle(el).display === 'inline' && block !== null
    && /\p{L}/u.test(block.textContent.replace(el.textContent, ''));
  if (inSentence) continue;
  if (r.width < 24 || r.height < 24)
    small.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : ''))
               + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '" '
               + Math.round(r.width) + 'x' + Math.round(r.height));
}
return small;
"""

# What does not reflow at the current width (WCAG 1.4.10): a page wider than the
# viewport, an element past its right edge, content clipped or scrolled sideways.
NOT_REFLOWED = """
const width = arguments[0], found = [];
const page = document.documentElement.scrollWidth;
if (page > width) found.push('page scrolls sideways: scrollWidth ' + page + ' > ' + width);
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.right < 0) continue;
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '');
  if (r.right > width + 1) found.push(name + ' ends at ' + Math.round(r.right) + ' px');
  // A field's own text scrolls inside it by design: only its box must fit.
  const field = ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
  const overflow = getComputedStyle(el).overflowX;
  if (!field && overflow !== 'visible' && el.scrollWidth > el.clientWidth + 1)
    found.push(name + ' clips or scrolls ' + (el.scrollWidth - el.clientWidth) + ' px sideways');
}
return found.slice(0, 10);
"""


class Audit(AbstractEventListener):
    """The accessibility checks of every page state the script sees."""

    def __init__(self):
        self.states = set()
        self.violations = []
        self.seconds = 0.0
        self.heaviest = (0, "")

    def check(self, force=True):
        """Checks the current page: when `force`, even if this document was checked
        (a state its JavaScript made); otherwise once per document, when loaded."""
        driver = raw
        try:
            ready = driver.execute_script(
                "return document.contentType === 'text/html' && document.readyState === 'complete'"
                " && !(window.__a11yChecked && !arguments[0])", force)
        except WebDriverException:
            return  # between two documents: the next hook checks the new one
        if not ready or not driver.current_url.startswith(BASE):
            return
        started = time.monotonic()
        driver.execute_script("window.__a11yChecked = true")
        page = driver.current_url.removeprefix(BASE).split("#")[0]
        title = driver.title
        notices = driver.execute_script(
            "return document.querySelectorAll('[role=alert], [role=status], .warning').length")
        if not force and (page, title, notices, DESKTOP) in self.states:
            return  # the same page state, loaded again
        # No page over 100 KB (issue 22): the document as served, before attachments.
        weight = driver.execute_script(
            "return performance.getEntriesByType('navigation')[0]?.decodedBodySize || 0")
        self.heaviest = max(self.heaviest, (weight, page))
        if weight > 100_000:
            self.violations.append(f"{page} [{title}]: weighs {weight} bytes, over 100 KB")
            out("a11y-violation", self.violations[-1])
        # A title that says what the page is (WCAG 2.4.2), before the site's name.
        if not title.split(" · ")[0].strip():
            self.violations.append(f"{page} [{title}]: the title does not say what the page is")
            out("a11y-violation", self.violations[-1])
        if not driver.execute_script("return typeof axe !== 'undefined'"):
            driver.execute_script(AXE_SOURCE)
        for width in (DESKTOP, PHONE, REFLOW):
            self.emulate(width)
            self.states.add((page, title, notices, width))
            found = []
            if width != REFLOW:
                found += driver.execute_async_script(RUN_AXE)
            if width == PHONE:
                found += ["target-size: " + t for t in driver.execute_script(SMALL_TARGETS)]
            if width == REFLOW:
                found += ["reflow: " + t for t in driver.execute_script(NOT_REFLOWED, REFLOW)]
            for problem in found:
                self.violations.append(f"{page} [{title}] at {width} px: {problem}")
                out("a11y-violation", self.violations[-1])
        self.emulate(None)
        self.seconds += time.monotonic() - started

    def emulate(self, width):
        if width is None or width == DESKTOP:
            raw.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        else:
            raw.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": True})

    def seen(self, *_args):
        self.check(force=False)

    before_click = seen
    before_navigate_to = seen
    before_navigate_back = seen
    before_find = seen

    def before_quit(self, _driver):
        self.check(force=False)
        out("a11y-states", len(self.states))
        out("heaviest-page", f"{self.heaviest[0]} bytes, {self.heaviest[1]}")
        out("a11y-seconds", f"{self.seconds:.1f}")
        if self.violations:
            print(f"{len(self.violations)} accessibility problems:\n" + "\n".join(self.violations),
                  file=sys.stderr, flush=True)

    def after_quit(self, _driver):
        if self.violations:
            raise AssertionError(f"{len(self.violations)} accessibility problems (a11y-violation lines)")


audit = Audit()
driver = EventFiringWebDriver(raw, audit)
wait = WebDriverWait(driver, 15)


def shot(name, width=None):
    if not SHOTS:
        return
    if width:
        driver.set_window_size(width, 844)
    driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))
    if width:
        driver.set_window_size(DESKTOP, 900)


def login(address, secret, label=None, until="nav.folders"):
    """Logs in with password + TOTP and waits for `until` (the folders, or the terms
    of use at a first login); prints the page reached under `label` when given."""
    driver.get(BASE + "/login")
    driver.find_element(By.ID, "address").send_keys(address)
    driver.find_element(By.ID, "password").send_keys(A["password"])
    driver.find_element(By.ID, "code").send_keys(totp(secret))
    driver.find_element(By.CSS_SELECTOR, "button[value=totp]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, until)))
    if label:
        out(label, driver.current_url + " " + driver.find_element(By.TAG_NAME, "header").text)


def gone(element):
    """EC.staleness_of, also when chromedriver reports the node left the document
    as an unknown error rather than a stale reference (seen with Chromium 156)."""

    def check(_driver):
        try:
            element.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True

    return check


def follow(selector):
    """Clicks `selector` (a link or a form's button) and waits until the page it
    leads to replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    wait.until(gone(old))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def session_cookie():
    return driver.get_cookie("__Host-caduceus")


def become(cookie):
    driver.get(BASE + "/static/app.css")
    driver.delete_all_cookies()
    driver.add_cookie({k: cookie[k] for k in ["name", "value", "path", "secure", "httpOnly"]})


def start_tracker():
    """A tracker on `tracker_port=` that a letter's remote image points at: it must
    never be asked anything (MS-1). The paths it was asked, and the server."""
    import http.server
    import threading

    hits = []

    class Tracker(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", int(A["tracker_port"])), Tracker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hits, server
