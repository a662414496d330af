"""A patient's letters in headless Chromium (MS-8, MS-6, issue 22 journeys 5 and 6):
the doctor's letter offers a reply only; the reply names the doctor and quotes the
letter under its date; typed, it is autosaved in Drafts, continued from there and
sent; a forward (asked by its address, `letter=`) to `alice=`, a professional who
never wrote, is refused in plain words with everything typed kept. Prints `label 0
text`; every page is checked for accessibility and reflow by browsercase."""
from selenium.webdriver.support.ui import WebDriverWait

from browsercase import A, BASE, By, driver, follow, login, out


def field(name):
    return driver.find_element(By.ID, name).get_attribute("value")


try:
    login(A["patient"], A["patient_totp"])
    follow("#messages tbody a")
    out("actions", " ".join(f"{a}={len(driver.find_elements(By.ID, a))}"
                            for a in ["reply", "reply-all", "forward"]))
    follow("#reply")
    to = driver.find_element(By.ID, "to")
    out("reply", f"to={field('to')} readonly={to.get_attribute('readonly')} | "
        f"{driver.find_element(By.ID, 'recipients').text} | {field('text')}")
    text = driver.find_element(By.ID, "text")
    text.send_keys("Merci docteur, bien reçu.")
    text.send_keys("\n")
    # The autosave, every 20 seconds while the letter changes: wait until it says so.
    status = driver.find_element(By.ID, "draft-status")
    WebDriverWait(driver, 60).until(lambda d: status.text.strip() != "")
    out("autosaved", status.text)
    follow("header a.brand")
    follow("nav.folders a[href$='/folder/Drafts']")
    out("drafts", driver.find_element(By.ID, "messages").text)
    follow("#messages tbody a")
    out("continued", " | ".join([field("to"), field("subject"), field("text")]))
    follow("#compose button[type=submit]")
    shown = driver.find_elements(By.CSS_SELECTOR, "#messages, [role=alert]")
    out("sent", driver.current_url + " | " + " | ".join(e.text for e in shown))
    follow("nav.folders a[href$='/folder/Drafts']")
    out("drafts-after", str(len(driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr"))))
    driver.get(f"{BASE}/mail/compose?forward={A['letter']}")
    driver.find_element(By.ID, "to").send_keys(A["alice"])
    follow("#compose button[type=submit]")
    out("forward-refused", driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        + f" | kept={field('to')} / {field('subject')}")
finally:
    driver.quit()
