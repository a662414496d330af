"""Keyboard shortcuts in headless Chromium (MS-6, issue 22 item 12): off until turned on
in the settings (kept in this browser); then `j` chooses the newest message, `o` opens
it, `u` goes back to its folder, `c` opens a new message, where a `j` typed in a field
is text, not a shortcut; as a doctor, then as a patient (each turns them on, then off
again). Prints `label 0 value`."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from browsercase import A, By, driver, follow, login, out


def press(key):
    ActionChains(driver).send_keys(key).perform()


def reached(part):
    WebDriverWait(driver, 20).until(lambda d: part in d.current_url
                                    and d.execute_script("return document.readyState") == "complete")
    return driver.current_url


def walk(who, label):
    """The walk as `who` (`alice` or `patient`): labels prefixed with `label`."""
    driver.delete_all_cookies()
    login(A[who], A[f"{who}_totp"])
    press("j")
    out(f"{label}-off", driver.current_url + " | " + str(len(driver.find_elements(By.CSS_SELECTOR, "tr.chosen"))))
    follow("header nav a[href$='/settings']")
    box = driver.find_element(By.ID, "shortcuts-on")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    if not box.is_selected():
        box.click()
    out(f"{label}-setting", str(box.is_selected()))
    follow("header a.brand")
    press("j")
    out(f"{label}-chosen", driver.find_element(By.CSS_SELECTOR, "tr.chosen").text)
    press("o")
    out(f"{label}-opened", reached("/mail/message/") + " | " + driver.find_element(By.TAG_NAME, "h1").text)
    press("u")
    out(f"{label}-back", reached("/mail/folder/"))
    press("c")
    if who == "patient":
        # A patient writes by answering (MS-8): no new letter, `c` does nothing; a `j`
        # typed in the search field is text.
        out(f"{label}-compose", driver.current_url + " | " + str(len(driver.find_elements(By.ID, "compose-link"))))
        field = "q"
    else:
        out(f"{label}-compose", reached("/mail/compose"))
        field = "subject"
    driver.find_element(By.ID, field).click()
    press("j")
    out(f"{label}-typed", driver.current_url + " | " + driver.find_element(By.ID, field).get_attribute("value"))
    # Off again: the choice is this browser's, the next user starts without shortcuts.
    follow("header nav a[href$='/settings']")
    box = driver.find_element(By.ID, "shortcuts-on")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()


try:
    walk("alice", "doctor")
    walk("patient", "patient")
finally:
    driver.quit()
