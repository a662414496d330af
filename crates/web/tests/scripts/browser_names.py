"""People by name in headless Chromium (ID-4, issue 22 journey 7). The doctor types
"Durand" in To: the suggestions list Dr Bruno Durand with his profession and
specialty, and Camille Durand marked Patient; the patient chosen in To, the colleague
in Cc: both are named beside the fields as they are written, and again once the form
is saved. The Sent letter names its
recipient. The patient opens the doctor's letter and the reply form: the doctor by
name and specialty. Prints `label 0 text`; every page is checked for accessibility
and reflow by browsercase."""
from browsercase import A, By, audit, driver, follow, login, out, wait


def suggestions(field, typed):
    box = driver.find_element(By.ID, field)
    box.send_keys(typed)
    listed = f"#{field}-suggestions option"
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, listed)) >= 2)
    audit.check()
    return [(o.get_attribute("value"), o.get_attribute("label") or "")
            for o in driver.find_elements(By.CSS_SELECTOR, listed)]


def chosen(found, address):
    return next(f"{value} | {label}" for value, label in found if address in value)


def headers():
    return " | ".join(f"{h}=" + driver.find_element(By.ID, h).text for h in ["from", "to"])


try:
    login(A["alice"], A["alice_totp"])
    follow("header nav a[href$='/compose']")
    found = suggestions("to", "Durand")
    out("suggested-doctor", chosen(found, A["bruno"]))
    out("suggested-patient", chosen(found, A["patient"]))
    to = driver.find_element(By.ID, "to")
    to.clear()
    to.send_keys(A["patient"])
    driver.find_element(By.ID, "cc").send_keys(A["bruno"])
    driver.find_element(By.ID, "subject").send_keys("Suivi")
    # Named as they are written, before anything is saved or sent (ID-4).
    line = driver.find_element(By.ID, "recipients")
    wait.until(lambda d: line.is_displayed() and "Bruno Durand" in line.text)
    out("named-live", line.text)
    follow("#save-draft")
    out("named", driver.find_element(By.ID, "recipients").text)
    follow("header a.brand")
    follow("nav.folders a[href$='/folder/Sent']")
    follow("#messages tbody a")
    out("sent-view", headers())
    driver.delete_all_cookies()
    login(A["patient"], A["patient_totp"])
    follow("#messages tbody a")
    out("patient-letter", headers())
    follow("#reply")
    out("patient-reply", driver.find_element(By.ID, "recipients").text)
finally:
    driver.quit()
