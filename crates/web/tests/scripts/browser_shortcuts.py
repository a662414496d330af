"""Keyboard shortcuts in headless Chromium (MS-6, issue 22 item 12): off until turned on
in the settings (kept in this browser); then `j` chooses the newest message, `o` opens
it, `u` goes back to its folder, `c` opens a new message, where a `j` typed in a field
is text, not a shortcut. Prints `label 0 value`."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from browsercase import A, By, driver, follow, login, out


def press(key):
    ActionChains(driver).send_keys(key).perform()


def reached(part):
    WebDriverWait(driver, 20).until(lambda d: part in d.current_url
                                    and d.execute_script("return document.readyState") == "complete")
    return driver.current_url


try:
    login(A["alice"], A["alice_totp"])
    press("j")
    out("off", driver.current_url + " | " + str(len(driver.find_elements(By.CSS_SELECTOR, "tr.chosen"))))
    follow("header nav a[href$='/settings']")
    box = driver.find_element(By.ID, "shortcuts-on")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    out("setting", str(box.is_selected()))
    follow("header a.brand")
    press("j")
    out("chosen", driver.find_element(By.CSS_SELECTOR, "tr.chosen").text)
    press("o")
    out("opened", reached("/mail/message/") + " | " + driver.find_element(By.TAG_NAME, "h1").text)
    press("u")
    out("back", reached("/mail/folder/"))
    press("c")
    out("compose", reached("/mail/compose"))
    driver.find_element(By.ID, "subject").click()
    press("j")
    out("typed", driver.current_url + " | " + driver.find_element(By.ID, "subject").get_attribute("value"))
finally:
    driver.quit()
