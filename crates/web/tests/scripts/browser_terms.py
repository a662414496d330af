"""The shipped terms of use at a patient's first login, in headless Chromium (IN-1):
the webmail shows them before the mailbox, with the emergency notice; the text states
the purpose, the inactivity schedule, trace retention, the rights, the data protection
officer and the certified host, in French and English; accepting opens the inbox.
Every page is checked for accessibility and reflow by browsercase.
"""
from browsercase import A, BASE, By, driver, follow, login, out

try:
    login(A["patient"], A["patient_totp"], until="#accept-terms")
    out("first-page", driver.current_url + " | " + driver.title)
    out("emergency", driver.find_element(By.ID, "emergency").text)
    out("terms-text", driver.find_element(By.CSS_SELECTOR, ".terms").text)
    # Each language marked (WCAG 3.1.2): the English version inside the French page.
    out("terms-langs", " | ".join(f"{p.get_attribute('lang')}: {p.text[:40]}"
                                  for p in driver.find_elements(By.CSS_SELECTOR, ".terms pre")))
    follow("#accept-terms button")
    out("accepted", driver.current_url + " | " + driver.find_element(By.TAG_NAME, "h1").text)
    driver.get(BASE + "/terms")
    out("terms-again", driver.current_url)
finally:
    driver.quit()
