"""The message list in headless Chromium (MS-6): an inbox of 2,000 messages pages
(no cap) and sorts by date, sender and subject, both ways, from the column headings;
a search typed without accents finds "Hémoglobine" in every folder, or in this one
only. Prints `label 0 text` lines; `*-seconds` lines are measurements, not asserted.
"""
import time

from browsercase import A, BASE, By, audit, driver, gone, login, out, wait


def page(label, url=None, started=None):
    """Loads `url` (or reads the page a click started loading at `started`), then
    prints the caption, the current page, the sort state and the first and last rows.
    The seconds printed leave out the accessibility checks' own time."""
    started, checking = started or (time.monotonic(), audit.seconds)
    if url:
        driver.get(BASE + url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr")
    out(f"{label}-seconds", f"{time.monotonic() - started - (audit.seconds - checking):.2f}")
    caption = driver.find_element(By.CSS_SELECTOR, "#messages caption").text
    current = driver.find_element(By.CSS_SELECTOR, "nav.pages [aria-current=page]").text
    sorted_by = [th.get_attribute("aria-sort") for th in driver.find_elements(By.CSS_SELECTOR, "#messages th")]
    out(label, f"{caption} | {current} | rows={len(rows)} | sort={sorted_by} | "
               f"first={rows[0].text} | last={rows[-1].text}")


def click(selector):
    """Clicks `selector` and waits for the next page to replace this one; returns
    when the click started and the accessibility checks' time until then."""
    old = driver.find_element(By.TAG_NAME, "html")
    started = (time.monotonic(), audit.seconds)
    driver.find_element(By.CSS_SELECTOR, selector).click()
    wait.until(gone(old))
    return started


try:
    login(A["alice"], A["alice_totp"], "login")
    page("inbox", "/mail/folder/INBOX")
    page("inbox-page-2", started=click("#next-page"))
    page("inbox-last", "/mail/folder/INBOX?sort=date&dir=desc&page=41")
    page("inbox-past-last", "/mail/folder/INBOX?page=99")
    page("subject-ascending", started=click("#messages th:nth-child(2) a"))
    page("subject-descending", started=click("#messages th:nth-child(2) a"))
    page("subject-descending-page-2", started=click("#next-page"))
    page("sender-ascending", started=click("#messages th:nth-child(1) a"))
    page("sender-descending", started=click("#messages th:nth-child(1) a"))
    page("date-descending", started=click("#messages th:nth-child(3) a"))
    page("date-ascending", started=click("#messages th:nth-child(3) a"))
    # A search without accents, across every folder, then in this folder only.
    search = driver.find_element(By.ID, "q")
    search.send_keys("hemoglobine")
    page("search-everywhere", started=click("form[role=search] button"))
    driver.find_element(By.CSS_SELECTOR, "input[name=here]").click()
    page("search-here", started=click("form[role=search] button"))
    page("search-sender", "/mail/folder/INBOX?q=LEFEVRE")
    out("page-bytes", len(driver.page_source.encode()))
finally:
    driver.quit()
