//! The installable webmail (MS-18): the web app manifest, its icons, and the service
//! worker (`static/sw.js`), which caches only `/static/` assets — never a `/mail/`
//! page or a message ([`CACHED_PREFIXES`] is what the worker's code lists, pinned by a
//! test and checked in Chromium's Cache Storage by the browser test).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use caduceus_service::Service;

/// The paths the service worker caches: static assets only.
pub const CACHED_PREFIXES: &[&str] = &["/static/"];

const WORKER: &str = include_str!("../../static/sw.js");

/// The manifest: a name, icons, the inbox as the start, a window of its own.
const MANIFEST: &str = r##"{
  "name": "Caduceus — messagerie sécurisée de santé",
  "short_name": "Caduceus",
  "lang": "fr",
  "start_url": "/mail",
  "scope": "/",
  "display": "standalone",
  "background_color": "#ffffff",
  "theme_color": "#0b5394",
  "icons": [
    {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
    {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
    {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"}
  ]
}
"##;

/// `/manifest.webmanifest`, `/sw.js`, the icons and the passkeys' script.
pub fn routes() -> Router<Service> {
    let file = |kind: &'static str, body: &'static [u8]| {
        get(move || async move { ([(header::CONTENT_TYPE, kind)], body).into_response() })
    };
    Router::new()
        .route(
            "/manifest.webmanifest",
            file("application/manifest+json", MANIFEST.as_bytes()),
        )
        .route(
            "/sw.js",
            file("text/javascript; charset=utf-8", WORKER.as_bytes()),
        )
        .route(
            "/static/passkey.js",
            file(
                "text/javascript; charset=utf-8",
                include_bytes!("../../static/passkey.js"),
            ),
        )
        .route(
            "/static/icon.svg",
            file("image/svg+xml", include_bytes!("../../static/icon.svg")),
        )
        .route(
            "/static/icon-192.png",
            file("image/png", include_bytes!("../../static/icon-192.png")),
        )
        .route(
            "/static/icon-512.png",
            file("image/png", include_bytes!("../../static/icon-512.png")),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms18_the_service_worker_caches_static_assets_only() {
        // The worker's own list of cached paths is this one, and nothing else.
        let listed = WORKER
            .lines()
            .find(|l| l.starts_with("const CACHED_PREFIXES"))
            .expect("the worker lists what it caches");
        let quoted: Vec<&str> = listed.split('\'').skip(1).step_by(2).collect();
        assert_eq!(quoted, CACHED_PREFIXES);
        assert!(CACHED_PREFIXES.iter().all(|p| p.starts_with("/static/")));
        // It answers from the cache only for those paths and GET.
        assert!(WORKER.contains("if (event.request.method !== 'GET' || !cacheable(url)) return;"));
        assert!(
            !WORKER.contains("/mail"),
            "the worker never names a mail page"
        );
        let manifest: serde_json::Value = serde_json::from_str(MANIFEST).unwrap();
        assert_eq!(manifest["start_url"], "/mail");
        assert_eq!(manifest["display"], "standalone");
    }
}
