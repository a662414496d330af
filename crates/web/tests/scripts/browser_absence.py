"""The out-of-office reply and the signature in headless Chromium (MS-6, issue 22
item 12): a doctor sets a signature and an absence in the settings (a last day
before the first is refused in plain words, what was typed kept), then a new letter
offers the signature after "-- "; a patient sets a signature and a reply to their
doctor's letter offers it above the quoted text, asks for a read receipt and is sent;
the patient sets an absence too. Prints `label 0 value`."""
import json

from browsercase import A, By, driver, follow, login, out


def settings():
    follow("header nav a[href$='/settings']")


def value(element_id):
    return driver.find_element(By.ID, element_id).get_attribute("value")


def fill(element_id, text):
    field = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
    field.clear()
    field.send_keys(text)


def day(element_id, text):
    """A date field's value, as a date picker would set it (its typing is locale-bound)."""
    driver.execute_script("arguments[0].value = arguments[1]",
                          driver.find_element(By.ID, element_id), text)


def click(element_id):
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def absence(start, end, subject):
    """Turns the absence on, to professionals only, from `start` to `end`, and sends it."""
    click("absence-on")
    day("absence-start", start)
    day("absence-end", end)
    fill("absence-subject", subject)
    driver.find_element(By.CSS_SELECTOR, "input[name=audience][value=professionals]").click()
    follow("#absence-form button[type=submit]")


def sign(text):
    fill("signature-text", text)
    follow("#signature-form button[type=submit]")


try:
    login(A["doctor"], A["doctor_totp"])
    settings()
    sign("Dr Alice Martin\nCardiologue, Lyon")
    out("signature", json.dumps(value("signature-text")))
    absence("2026-08-10", "2026-08-01", "Congés annuels")
    alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    out("refused", f"{alert} | {value('absence-start')} | {value('absence-subject')} | "
        f"{driver.find_element(By.CSS_SELECTOR, 'input[name=audience][value=professionals]').is_selected()}")
    day("absence-end", "2026-08-24")
    follow("#absence-form button[type=submit]")
    out("saved", driver.find_element(By.CSS_SELECTOR, "#absence ~ [role=status]").text
        + " | " + value("absence-end"))
    follow("#compose-link")
    out("compose", json.dumps(value("text")))

    driver.delete_all_cookies()
    login(A["patient"], A["patient_totp"])
    settings()
    sign("Camille Durand")
    follow("header a.brand")
    follow("table a[href*='/message/']")
    follow("#reply")
    out("reply", json.dumps(value("text")))
    # The patient asks for a read receipt (MS-16) and sends the answer.
    click("read-receipt")
    follow("#compose button[type=submit]:not(#save-draft)")
    out("sent", driver.current_url)
    # The patient's own absence, to professionals only.
    settings()
    absence("2026-08-01", "2026-08-15", "En vacances")
    out("patient-saved", driver.find_element(By.CSS_SELECTOR, "#absence ~ [role=status]").text)
finally:
    driver.quit()
