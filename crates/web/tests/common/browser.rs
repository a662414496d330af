//! What the browser tests share: the tools they need (failing, naming the package,
//! when one is missing) and the accessibility verdict of a browser script's run.

use caduceus_testkit::Run;

/// What every browser test needs: the Python venv with selenium, and the
/// `chromium` / `chromedriver` / `axe` script arguments (fails, naming the package,
/// when missing).
pub fn browser() -> (String, [(&'static str, String); 3]) {
    let venv = std::env::var("CADUCEUS_TEST_VENV").unwrap_or_else(|_| {
        panic!(
            "CADUCEUS_TEST_VENV is not set: run scripts/test.sh (it installs selenium from PyPI)"
        )
    });
    let tool = |path: &str, package: &str| {
        assert!(
            std::path::Path::new(path).exists(),
            "{path} is missing: the browser tests need Debian's {package} (apt-get install -y chromium chromium-driver)"
        );
        path.to_owned()
    };
    let axe = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/axe/node_modules/axe-core/axe.min.js"
    );
    assert!(
        std::path::Path::new(axe).exists(),
        "{axe} is missing: the browser tests check every page with axe-core; run scripts/test.sh \
         (or npm ci --prefix scripts/axe)"
    );
    let tools = [
        ("chromium", tool("/usr/bin/chromium", "chromium")),
        (
            "chromedriver",
            tool("/usr/bin/chromedriver", "chromium-driver"),
        ),
        ("axe", axe.to_owned()),
    ];
    (venv, tools)
}

/// WCAG 2.1 A/AA (axe-core), 2.5.8 and 1.4.10 held on every page state the browser
/// script saw, desktop and phone, and no page over 100 KB (the script fails on a
/// violation; this checks it did check): at least `states` distinct states.
pub fn accessible(run: &Run, states: usize) {
    let (_, checked) = run.step("a11y-states");
    let checked: usize = checked.trim().parse().unwrap();
    let (_, heaviest) = run.step("heaviest-page");
    let (_, seconds) = run.step("a11y-seconds");
    eprintln!(
        "accessibility: {checked} page states checked in {seconds} s, 0 violations; heaviest page {heaviest}"
    );
    assert!(checked >= states, "only {checked} page states checked");
    assert!(!run.stdout.contains("a11y-violation"), "{}", run.stdout);
}

/// Runs the browser script `name` of `tests/scripts` with `args`, the tools
/// [`browser`] found and, when `CADUCEUS_SCREENSHOTS` is set, the folder its
/// screenshots go to.
pub async fn walk(name: &str, mut args: Vec<(&'static str, String)>) -> Run {
    let (venv, tools) = browser();
    args.extend(tools);
    if let Ok(dir) = std::env::var("CADUCEUS_SCREENSHOTS") {
        args.push(("shots", dir));
    }
    caduceus_testkit::python_in(&venv, &super::script(name), &args).await
}
