"""Reply to all and forward in headless Chromium (MS-1, issue 22 journey 5), as a
doctor: the letter answered to everyone it went to (the quote dated), then forwarded
to `carol=` with its PDF, saved in Drafts by the form's button, continued from
Drafts (the PDF still there) and sent. Prints `label 0 text`; every page is checked
for accessibility and reflow by browsercase."""
from browsercase import A, By, driver, follow, login, out


def field(name):
    return driver.find_element(By.ID, name).get_attribute("value")


def named():
    found = driver.find_elements(By.ID, "recipients")
    return found[0].text if found else "none"


try:
    login(A["alice"], A["alice_totp"])
    follow("#messages tbody a")
    follow("#reply-all")
    out("reply-all", f"to={field('to')} | cc={field('cc')} | {named()} | {field('text')}")
    follow("#compose button[type=submit]")
    out("replied", driver.current_url + " | " + driver.find_element(By.ID, "messages").text)
    follow("header a.brand")
    follow("#messages tbody a")
    follow("#forward")
    out("forward", " | ".join([field("subject"), driver.find_element(By.ID, "forwarded").text,
                               field("text")]))
    driver.find_element(By.ID, "to").send_keys(A["carol"])
    follow("#save-draft")
    out("forward-saved", driver.find_element(By.CSS_SELECTOR, "[role=status]").text
        + f" | kept={driver.find_element(By.ID, 'kept').text} | forward_of={driver.find_element(By.NAME, 'forward_of').get_attribute('value')}")
    follow("header a.brand")
    follow("nav.folders a[href$='/folder/Drafts']")
    follow("#messages tbody a")
    out("forward-continued", f"to={field('to')} | {field('subject')} | "
        f"kept={driver.find_element(By.ID, 'kept').text} | {named()}")
    follow("#compose button[type=submit]")
    out("forwarded", driver.current_url + " | " + driver.find_element(By.ID, "messages").text)
    follow("nav.folders a[href$='/folder/Drafts']")
    out("drafts-after", str(len(driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr"))))
finally:
    driver.quit()
