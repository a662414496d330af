"""Filing in headless Chromium (MS-6, RT-3, issue 22 journey 4), as a doctor then as
a patient: the letter `subject=` flagged and marked unread, moved to Archive, to Trash, restored to INBOX, to
Trash again, where its deletion for good is refused by the page until the box is
ticked; then IMAP (the account's device credential) looks for it in every folder.
Prints `label 0 text`; every page is checked for accessibility and reflow by
browsercase."""
import imaplib
import ssl

from selenium.webdriver.support.ui import Select

from browsercase import A, By, driver, follow, login, out


def rows():
    return " / ".join(r.text for r in driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr"))


def flag():
    """The flag shown, as a screen reader names it."""
    marks = driver.find_elements(By.CSS_SELECTOR, ".flag[role=img]")
    return "flag=" + (marks[0].get_attribute("aria-label") if marks else "none")


def folder(name):
    follow(f"nav.folders a[href$='/folder/{name}']")


def move(to):
    Select(driver.find_element(By.ID, "move-to")).select_by_value(to)
    follow("#move button[type=submit]")


def open_letter():
    follow("#messages tbody a")


def imap_count(address, secret):
    """How many messages of each folder carry the subject, over IMAP."""
    ctx = ssl.create_default_context(cafile=A["ca"])
    imap = imaplib.IMAP4_SSL("127.0.0.1", int(A["imap_port"]), ssl_context=ctx, timeout=30)
    imap.login(address, secret)
    counts = []
    for name in ["INBOX", "Archive", "Trash", "Sent"]:
        imap.select(name, readonly=True)
        _, found = imap.uid("SEARCH", None, "SUBJECT", f'"{A["subject"]}"')
        counts.append(f"{name}={len(found[0].split())}")
    imap.logout()
    return " ".join(counts)


def walk(who, label):
    driver.delete_all_cookies()
    login(A[who], A[f"{who}_totp"])
    open_letter()
    # Flagged, then marked unread (journey 12): the list shows both.
    follow("#flag")
    out(f"{label}-flagged", flag() + " | " + driver.find_element(By.TAG_NAME, "h1").text)
    follow("#mark-unread")
    unseen = driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr.unseen")
    out(f"{label}-unread", f"unseen={len(unseen)} | {flag()} | " + rows())
    open_letter()
    move("Archive")
    out(f"{label}-archived", driver.current_url + " | " + rows())
    folder("Archive")
    out(f"{label}-archive", rows())
    open_letter()
    follow("#trash button[type=submit]")
    folder("Trash")
    out(f"{label}-trash", driver.current_url + " | " + rows())
    open_letter()
    move("INBOX")
    folder("INBOX")
    out(f"{label}-restored", driver.current_url + " | " + rows())
    open_letter()
    follow("#trash button[type=submit]")
    folder("Trash")
    open_letter()
    # The button without the box: the browser keeps the page, the box asked for.
    driver.find_element(By.CSS_SELECTOR, "#delete-for-good button").click()
    box = driver.find_element(By.CSS_SELECTOR, "#delete-for-good input[name=confirm]")
    out(f"{label}-unconfirmed", driver.current_url + " | missing="
        + str(driver.execute_script("return arguments[0].validity.valueMissing", box)).lower())
    box.click()
    follow("#delete-for-good button")
    out(f"{label}-deleted", driver.current_url + " | " + rows())
    out(f"{label}-imap", imap_count(A[who], A[f"{who}_device"]))


try:
    walk("alice", "doctor")
    walk("patient", "patient")
finally:
    driver.quit()
