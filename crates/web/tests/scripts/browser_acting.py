"""A parent acts for their child in headless Chromium (ID-7, ID-3): logged in as
themself, they choose the child's mailbox in the switcher, see the banner naming
the child and the patient's view (emergency notice), read the doctor's message,
answer it, see the conversation, then record the child's opposition once confirmed. Every page is checked
for accessibility and reflow by browsercase.
"""
from browsercase import A, By, driver, follow, login, out, shot, wait, EC

try:
    login(A["parent"], A["parent_totp"], label="own")
    out("switcher", driver.find_element(By.ID, "switcher").text)
    follow("#switcher li:nth-child(2) a")
    out("acting", driver.current_url + " | " + driver.find_element(By.ID, "acting").text)
    out("emergency", driver.find_element(By.ID, "emergency").text)
    shot("acting-for-a-child")
    follow("#messages tbody a")
    out("read", driver.find_element(By.CSS_SELECTOR, ".body").text)
    follow("#reply")
    driver.find_element(By.ID, "text").send_keys("Merci, c'est noté.")
    follow("#compose button[type=submit]")
    out("sent", driver.current_url + " | " + driver.find_element(By.ID, "messages").text)
    # The child's conversations (MS-6): the doctor's message and the answer, in order.
    follow("nav.folders a[href$='/conversations']")
    out("conversations", driver.current_url + " | " + driver.find_element(By.TAG_NAME, "main").text)
    follow("section.conversations a")
    out("conversation", " | ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "article.entry h2")))
    follow("header nav a[href$='/settings']")
    out("settings", driver.current_url)
    follow("form[action$='/settings/opposition'] button")
    out("confirm", driver.find_element(By.TAG_NAME, "h1").text)
    follow("#confirm button")
    wait.until(EC.presence_of_element_located((By.ID, "acting")))
    out("opposed", driver.current_url + " | " + driver.find_element(By.TAG_NAME, "main").text)
finally:
    driver.quit()
