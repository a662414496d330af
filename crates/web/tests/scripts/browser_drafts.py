"""Drafts in headless Chromium (MS-6, issue 22): a professional types a letter with
an attachment and waits for the autosave; opens Drafts, continues the letter from
there; a refused send (a recipient outside the trust space) keeps the text and the
attachment; the send goes and Drafts is empty; the settings show the certificate
form. Every page is checked for
accessibility and reflow by browsercase."""
from selenium.webdriver.support.ui import WebDriverWait

from browsercase import A, By, driver, follow, login, out, shot

try:
    login(A["alice"], A["alice_totp"])
    follow("header nav a[href$='/compose']")
    driver.find_element(By.ID, "to").send_keys(A["bob"])
    driver.find_element(By.ID, "subject").send_keys("Compte rendu de consultation")
    driver.find_element(By.ID, "text").send_keys("Bonjour,\nla consultation s'est bien passée.")
    driver.find_element(By.ID, "attachment").send_keys(A["file"])
    # The autosave, every 20 seconds while the letter changes: wait until it says so.
    status = driver.find_element(By.ID, "draft-status")
    WebDriverWait(driver, 60).until(lambda d: status.text.strip() != "")
    out("autosaved", status.text + " | draft=" + driver.find_element(By.ID, "draft").get_attribute("value"))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", status)
    shot("draft-saved")
    follow("header a.brand")
    follow("nav.folders a[href$='/folder/Drafts']")
    out("drafts", driver.find_element(By.ID, "messages").text)
    follow("#messages tbody a")
    out("continued", " | ".join([
        driver.find_element(By.ID, "to").get_attribute("value"),
        driver.find_element(By.ID, "subject").get_attribute("value"),
        driver.find_element(By.ID, "kept").text,
    ]))
    driver.find_element(By.ID, "text").send_keys("\nBien confraternellement.")
    to = driver.find_element(By.ID, "to")
    to.clear()
    to.send_keys("nobody@unknown.example")
    follow("#compose button[type=submit]")
    out("refused", " | ".join([
        driver.find_element(By.CSS_SELECTOR, "[role=alert]").text,
        driver.find_element(By.ID, "text").get_attribute("value"),
        driver.find_element(By.ID, "kept").text,
    ]))
    to = driver.find_element(By.ID, "to")
    to.clear()
    to.send_keys(A["bob"])
    follow("#compose button[type=submit]")
    out("sent", driver.current_url + " | " + driver.find_element(By.ID, "messages").text)
    follow("nav.folders a[href$='/folder/Drafts']")
    out("drafts-after", str(len(driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr"))))
    # The settings' certificate form (MS-3), checked for accessibility like every page.
    follow("header nav a[href$='/settings']")
    out("certificate-form", driver.find_element(By.ID, "certificate-form").text)
finally:
    driver.quit()
