"""The webmail in headless Chromium (Debian's chromium + chromedriver, driven by
Selenium), as professionals and patients use it:

- Alice logs in with password + TOTP, finds Bruno by directory suggestion, attaches a
  file, sees the MS-11 warning on a subject holding a NIR, fixes it and sends;
- Bruno reads it with its attachment; an HTML message with a remote image and a script
  is shown sanitised in its sandboxed frame, nothing loads and nothing runs; he writes
  to a patient;
- the patient logs in, reads, replies (reply only), and sees in the access log that
  Bruno read the reply.

Prints `label 0 text` lines (the Rust test asserts on them) and keeps screenshots in
`shots=` when given.
"""
import os
import tempfile
import time

from browsercase import A, BASE, EC, By, audit, become, driver, follow, login, out, raw, session_cookie, shot, start_tracker, wait


def emergency(label):
    """The emergency notice of the page a patient sees (IN-1, seed 004 §5.2)."""
    notices = driver.find_elements(By.ID, "emergency")
    out("emergency:" + label, notices[0].text if notices else "none")


# A tracker the HTML message points at: it must never be asked anything.
hits, tracker = start_tracker()

try:
    driver.get(BASE + "/login")
    out("login-page", driver.title + " " + driver.find_element(By.TAG_NAME, "main").text)
    shot("login")
    # A wrong code is refused, with a vague message (AU-3).
    driver.find_element(By.ID, "address").send_keys(A["alice"])
    driver.find_element(By.ID, "password").send_keys(A["password"])
    driver.find_element(By.ID, "code").send_keys("000000")
    driver.find_element(By.CSS_SELECTOR, "button[value=totp]").click()
    out("login-wrong", wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".error"))).text)

    login(A["alice"], A["alice_totp"], "login-alice")
    # Compose: the directory suggests Bruno as his name is typed.
    driver.get(BASE + "/mail/compose")
    to = driver.find_element(By.ID, "to")
    to.send_keys("durand")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#to-suggestions option"))
    options_found = driver.find_elements(By.CSS_SELECTOR, "#to-suggestions option")
    suggestion = next(o for o in options_found if A["bruno"] in o.get_attribute("value"))
    out("suggested", suggestion.get_attribute("value") + " | " + (suggestion.get_attribute("label") or ""))
    to.clear()
    to.send_keys(suggestion.get_attribute("value"))
    subject = driver.find_element(By.ID, "subject")
    subject.send_keys("Bilan 1 85 05 78 006 084 91")
    warning = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#rules .warning")))
    audit.check()
    out("subject-warning", warning.text)
    driver.find_element(By.ID, "text").send_keys("Bonjour Bruno,\nvoici le bilan de M. X.\nAlice")
    attachment = os.path.join(tempfile.mkdtemp(), "bilan.txt")
    with open(attachment, "w") as f:
        f.write("Bilan biologique : RAS\n" * 50)
    driver.find_element(By.ID, "attachment").send_keys(attachment)
    shot("compose-warning")
    subject.clear()
    subject.send_keys("Bilan du 12 novembre")
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#rules .warning"))
    out("warning-cleared", "yes")
    driver.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
    wait.until(EC.url_contains("/mail/folder/Sent"))
    out("sent", driver.find_element(By.CSS_SELECTOR, "[role=status]").text + " | "
        + driver.find_element(By.TAG_NAME, "tbody").text)
    alice_cookie = session_cookie()

    # Bruno reads it.
    driver.delete_all_cookies()
    login(A["bruno"], A["bruno_totp"], "login-bruno")
    bruno_cookie = session_cookie()
    inbox = driver.find_element(By.TAG_NAME, "tbody").text
    out("bruno-inbox", inbox)
    out("inbox-title", driver.title)
    shot("inbox")
    shot("inbox-phone", width=390)
    driver.find_element(By.LINK_TEXT, "Bilan du 12 novembre").click()
    body = driver.find_element(By.CSS_SELECTOR, ".body").text
    links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "a[download]")]
    out("bruno-reads", body + " | attachments: " + ", ".join(links))
    shot("message")
    href = driver.find_element(By.CSS_SELECTOR, "a[download]").get_attribute("href")
    out("attachment-link", href)
    # MS-14: marked personal, the badge shows here and in the list; unmarked again.
    driver.find_element(By.ID, "mark-personal").click()
    wait.until(EC.presence_of_element_located((By.ID, "mark-professional")))
    out("marked-personal", driver.find_element(By.TAG_NAME, "h1").text)
    driver.get(BASE + "/mail/folder/INBOX")
    out("list-personal", driver.find_element(By.TAG_NAME, "tbody").text)
    driver.find_element(By.LINK_TEXT, "Bilan du 12 novembre").click()
    driver.find_element(By.ID, "mark-professional").click()
    wait.until(EC.presence_of_element_located((By.ID, "mark-personal")))
    out("marked-professional", driver.find_element(By.TAG_NAME, "h1").text + " |")
    # MS-17: forwarding outside the trust space is refused, with the reason.
    driver.get(BASE + "/mail/settings")
    driver.find_element(By.ID, "forward-to").send_keys("bruno@gmail.test")
    driver.find_element(By.ID, "forward-to").submit()
    wait.until(EC.url_contains("/mail/settings/forwarding"))
    out("forward-outside", driver.find_element(By.CSS_SELECTOR, "[role=alert]").text + " | typed="
        + driver.find_element(By.ID, "forward-to").get_attribute("value"))
    # A malformed phone number: the refusal says so, the other fields keep what was typed.
    driver.find_element(By.ID, "contact-email").clear()
    driver.find_element(By.ID, "contact-email").send_keys("bruno@perso.example")
    driver.find_element(By.ID, "contact-phone").send_keys("pas un numéro")
    follow("#notifications button")
    out("contacts-invalid", driver.find_element(By.CSS_SELECTOR, "[role=alert]").text + " | typed="
        + driver.find_element(By.ID, "contact-email").get_attribute("value") + " / "
        + driver.find_element(By.ID, "contact-phone").get_attribute("value"))
    # No staff role: the admin console is refused (AC-1) and not linked.
    out("bruno-admin", driver.find_element(By.TAG_NAME, "header").text + " | ")
    driver.get(BASE + "/admin/accounts")
    out("bruno-admin-page", driver.find_element(By.TAG_NAME, "main").text)

    # The HTML message: sanitised in its sandboxed frame (MS-1); no request to the
    # tracker, no script run, no image element left.
    driver.get(BASE + "/mail/folder/INBOX")
    driver.find_element(By.LINK_TEXT, "Newsletter").click()
    time.sleep(1)
    page = driver.page_source
    raw.switch_to.frame(raw.find_element(By.ID, "letter"))
    try:
        out("html-shown", raw.find_element(By.TAG_NAME, "body").text)
        images = raw.find_elements(By.TAG_NAME, "img")
        out("html-remote-images", sum(1 for i in images if (i.get_attribute("src") or "").startswith("http")))
    finally:
        raw.switch_to.default_content()
    out("html-tracker-hits", len(hits))
    out("html-script-ran", driver.execute_script("return window.caduceusPwned === true"))

    # A letter refused (an address outside the trust space) comes back in plain words
    # with everything typed and its attachment kept; corrected, it goes with it.
    driver.get(BASE + "/mail/compose")
    driver.find_element(By.ID, "to").send_keys("confrere@gmail.test")
    driver.find_element(By.ID, "subject").send_keys("Compte rendu opératoire")
    driver.find_element(By.ID, "text").send_keys("Cher confrère, ci-joint le compte rendu.")
    report = os.path.join(tempfile.mkdtemp(), "compte-rendu.txt")
    with open(report, "w") as f:
        f.write("Intervention sans complication.\n")
    driver.find_element(By.ID, "attachment").send_keys(report)
    follow("#compose button[type=submit]")
    out("outside-refused", driver.find_element(By.CSS_SELECTOR, "[role=alert]").text + " | kept="
        + " / ".join(driver.find_element(By.ID, i).get_attribute("value") for i in ("to", "subject", "text"))
        + " | attachments=" + driver.find_element(By.ID, "kept").text)
    driver.find_element(By.ID, "to").clear()
    driver.find_element(By.ID, "to").send_keys(A["alice"])
    follow("#compose button[type=submit]")
    out("corrected-sent", driver.find_element(By.CSS_SELECTOR, "[role=status]").text + " | "
        + driver.find_element(By.TAG_NAME, "tbody").text)

    # Bruno writes to the patient.
    driver.get(BASE + "/mail/compose")
    driver.find_element(By.ID, "to").send_keys(A["patient"])
    driver.find_element(By.ID, "subject").send_keys("Vos résultats")
    driver.find_element(By.ID, "text").send_keys("Bonjour, vos résultats sont normaux.")
    driver.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
    wait.until(EC.url_contains("/mail/folder/Sent"))
    out("bruno-to-patient", driver.find_element(By.CSS_SELECTOR, "[role=status]").text)

    # The patient: a simpler view; reads, replies, sees the access log.
    driver.delete_all_cookies()
    login(A["patient"], A["patient_totp"], "login-patient")
    patient_cookie = session_cookie()
    out("patient-nav", driver.find_element(By.TAG_NAME, "header").text)
    emergency("inbox")
    shot("patient-inbox")
    driver.find_element(By.LINK_TEXT, "Vos résultats").click()
    emergency("message")
    driver.find_element(By.LINK_TEXT, "Répondre").click()
    emergency("reply")
    # No professional's hints (directory, patient identifiers) for a patient.
    out("patient-compose-hints", " | ".join(h.text for h in driver.find_elements(By.CSS_SELECTOR, "#compose .hint")))
    out("patient-reply-to", driver.find_element(By.ID, "to").get_attribute("value")
        + " readonly=" + str(driver.find_element(By.ID, "to").get_attribute("readonly")))
    driver.find_element(By.ID, "text").send_keys("Merci docteur.")
    driver.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
    wait.until(EC.url_contains("/mail/folder/Sent"))
    out("patient-replied", driver.find_element(By.CSS_SELECTOR, "[role=status]").text)
    emergency("sent")
    # A patient writing first is refused with the requirement named (MS-8).
    driver.get(BASE + "/mail/compose")
    driver.find_element(By.ID, "to").send_keys(A["alice"])
    driver.find_element(By.ID, "subject").send_keys("Question")
    driver.find_element(By.ID, "text").send_keys("Bonjour docteur, une question.")
    driver.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
    out("patient-first", wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".error"))).text
        + " | kept=" + " / ".join(driver.find_element(By.ID, i).get_attribute("value") for i in ("to", "subject", "text")))
    emergency("refused")

    # MS-10, MS-9: a block and an opposition apply only once confirmed (seed 004 §5.2).
    driver.get(BASE + "/mail/settings")
    emergency("settings")
    # Blocking an address no professional has: refused at once, the address kept.
    driver.find_element(By.ID, "block-address").send_keys("inconnu@caduceus.test")
    follow("form[action='/mail/settings/block'] button")
    out("block-unknown", driver.find_element(By.CSS_SELECTOR, "[role=alert]").text + " | typed="
        + driver.find_element(By.ID, "block-address").get_attribute("value"))
    driver.find_element(By.ID, "block-address").clear()
    driver.find_element(By.ID, "block-address").send_keys(A["alice"])
    follow("form[action='/mail/settings/block'] button")
    out("block-asked", driver.title + " | " + driver.find_element(By.TAG_NAME, "main").text)
    emergency("block-confirm")
    follow("#cancel")
    out("block-cancelled", driver.find_element(By.TAG_NAME, "main").text)
    driver.find_element(By.ID, "block-address").send_keys(A["alice"])
    follow("form[action='/mail/settings/block'] button")
    follow("#confirm button")
    out("blocked", driver.find_element(By.TAG_NAME, "main").text)
    follow("form[action='/mail/settings/unblock'] button")
    out("unblocked", driver.find_element(By.TAG_NAME, "main").text)
    follow("form[action='/mail/settings/opposition'] button")
    out("oppose-asked", driver.title + " | " + driver.find_element(By.TAG_NAME, "main").text)
    emergency("oppose-confirm")
    follow("#cancel")
    out("oppose-cancelled", driver.find_element(By.TAG_NAME, "main").text)
    follow("form[action='/mail/settings/opposition'] button")
    follow("#confirm button")
    out("opposed", driver.find_element(By.TAG_NAME, "main").text)
    follow("form[action='/mail/settings/opposition'] button")
    out("withdraw-asked", driver.title)
    follow("#confirm button")
    out("withdrawn", driver.find_element(By.TAG_NAME, "main").text)

    # Bruno reads the reply; the patient sees it in the access log (TR-4).
    become(bruno_cookie)
    driver.get(BASE + "/mail/folder/INBOX")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Re: Vos résultats").click()
    out("bruno-reads-reply", driver.find_element(By.CSS_SELECTOR, ".body").text)
    become(patient_cookie)
    driver.get(BASE + "/mail/settings")
    out("access-log", driver.find_element(By.TAG_NAME, "main").text)
    shot("patient-settings")

    # English, on request.
    driver.get(BASE + "/mail/folder/INBOX?lang=en")
    out("english", driver.find_element(By.TAG_NAME, "h1").text)
    emergency("english")
    driver.get(BASE + "/mail/folder/INBOX?lang=fr")

    # No emergency notice for a professional.
    become(bruno_cookie)
    driver.get(BASE + "/mail/folder/INBOX")
    emergency("professional")

    # Logout ends the session: the old cookie no longer opens anything.
    become(alice_cookie)
    driver.get(BASE + "/mail/folder/INBOX")
    driver.find_element(By.CSS_SELECTOR, "header form button").click()
    wait.until(EC.url_contains("/login"))
    become(alice_cookie)
    driver.get(BASE + "/mail/folder/INBOX")
    out("after-logout", driver.current_url)
finally:
    driver.quit()
    tracker.shutdown()
