"""Conversations in headless Chromium (MS-6, issue 22 journey 10), as a doctor then
as a patient: from the inbox to the conversations, grouped per patient, then the one
conversation, its letters in order. Prints `label 0 text`; every page is checked for
accessibility and reflow by browsercase."""
from browsercase import A, By, driver, follow, login, out


def walk(who, label):
    driver.delete_all_cookies()
    login(A[who], A[f"{who}_totp"])
    follow("a[href$='/conversations']")
    groups = driver.find_elements(By.CSS_SELECTOR, "section.conversations")
    out(f"{label}-list", f"groups={len(groups)} | " + " | ".join(g.text for g in groups))
    follow("section.conversations li a")
    patient = driver.find_elements(By.ID, "patient")
    entries = driver.find_elements(By.CSS_SELECTOR, "article.entry")
    out(f"{label}-conversation", driver.find_element(By.TAG_NAME, "h1").text
        + " | patient=" + (patient[0].text if patient else "none")
        + f" | entries={len(entries)} | " + " | ".join(e.text for e in entries))


try:
    walk("alice", "doctor")
    walk("patient", "patient")
finally:
    driver.quit()
