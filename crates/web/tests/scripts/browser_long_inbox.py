"""A patient's long inbox in headless Chromium (MS-6, issue 22 journey 1): pages by
the "next" link and sorts by the column headings (subject, sender, date), both ways.
Prints `label 0 text` (the caption, the current page, the sort state, the rows);
every page is checked for accessibility and reflow by browsercase."""
from browsercase import A, By, driver, follow, login, out


def page(label):
    rows = driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr")
    caption = driver.find_element(By.CSS_SELECTOR, "#messages caption").text
    current = driver.find_element(By.CSS_SELECTOR, "nav.pages [aria-current=page]").text
    sorted_by = [th.get_attribute("aria-sort") for th in driver.find_elements(By.CSS_SELECTOR, "#messages th")]
    out(label, f"{caption} | {current} | rows={len(rows)} | sort={sorted_by} | "
               f"first={rows[0].text} | last={rows[-1].text}")


try:
    login(A["patient"], A["patient_totp"])
    page("inbox")
    follow("#next-page")
    page("page-2")
    follow("#next-page")
    page("page-3")
    for label, column in [("subject-ascending", 2), ("subject-descending", 2),
                          ("sender-ascending", 1), ("sender-descending", 1),
                          ("date-descending", 3), ("date-ascending", 3)]:
        follow(f"#messages th:nth-child({column}) a")
        page(label)
finally:
    driver.quit()
