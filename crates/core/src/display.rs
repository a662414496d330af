//! How a letter is shown in the webmail (MS-1, issue 22): its HTML sanitised to what a
//! lab report or a hospital letter needs — tables, emphasis, colours — and nothing
//! that acts or reaches out (no script, no form, no event attribute, no remote image,
//! no CSS `url()`); the attachment types a browser may show inline ([`InlineType`]);
//! a professional's courtesy title ([`civility`], ID-4).
//!
//! Pure: the service finds the HTML part and the letter's own `cid:` images, this module
//! says what of them is kept ([`sanitize_html`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The elements a letter keeps: structure, tables, emphasis, lists, links and images
/// (the images only from the letter itself, see [`sanitize_html`]).
const TAGS: [&str; 46] = [
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "center",
    "code",
    "col",
    "colgroup",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "strike",
];

/// The attributes any kept element may carry; `style` is filtered declaration by
/// declaration ([`STYLE_PROPERTIES`]).
const GENERIC_ATTRIBUTES: [&str; 6] = ["style", "title", "lang", "dir", "align", "valign"];

/// The CSS properties a `style` attribute keeps: colours, weight and the layout of
/// text and table cells — what makes an abnormal lab value stand out. No property
/// that takes a URL (`background`, `background-image`, `list-style`, `content`) and no
/// positioning that could cover the page.
pub const STYLE_PROPERTIES: [&str; 19] = [
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "text-decoration",
    "text-align",
    "vertical-align",
    "white-space",
    "border",
    "border-collapse",
    "border-color",
    "border-style",
    "border-width",
    "padding",
    "margin",
    "width",
    "height",
];

/// The image types a letter may carry inline as `data:` (never SVG: it may hold script).
const DATA_IMAGES: [&str; 4] = [
    "data:image/png;",
    "data:image/jpeg;",
    "data:image/gif;",
    "data:image/webp;",
];

/// `html` (a letter's HTML part) with only what may be shown kept (MS-1): the
/// elements of [`TAGS`], their safe attributes, `style` declarations of
/// [`STYLE_PROPERTIES`] whose value loads nothing, links to `http`, `https` and
/// `mailto` opening apart (`target="_blank"`, `rel="noopener noreferrer"`), images
/// only from `images` — the letter's own parts by `Content-ID` (without the angle
/// brackets), each already a `data:` URL — or an inline `data:` image of a raster
/// type. Scripts, styles sheets, forms, frames, objects, event attributes, remote
/// images and CSS `url()` are gone.
pub fn sanitize_html(html: &str, images: HashMap<String, String>) -> String {
    let generic: HashSet<&str> = GENERIC_ATTRIBUTES.into_iter().collect();
    let per_tag: HashMap<&str, HashSet<&str>> = [
        ("a", &["href"][..]),
        ("img", &["src", "alt", "width", "height"][..]),
        ("td", &["colspan", "rowspan", "bgcolor", "width"][..]),
        (
            "th",
            &["colspan", "rowspan", "bgcolor", "width", "scope"][..],
        ),
        (
            "table",
            &["border", "cellpadding", "cellspacing", "width"][..],
        ),
        ("tr", &["bgcolor"][..]),
        ("col", &["span", "width"][..]),
        ("colgroup", &["span", "width"][..]),
        ("font", &["color", "size", "face"][..]),
        ("ol", &["start", "type"][..]),
    ]
    .into_iter()
    .map(|(tag, attributes)| (tag, attributes.iter().copied().collect()))
    .collect();
    ammonia::Builder::default()
        .tags(TAGS.into_iter().collect())
        .generic_attributes(generic)
        .tag_attributes(per_tag)
        .url_schemes(
            ["http", "https", "mailto", "cid", "data"]
                .into_iter()
                .collect(),
        )
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true)
        .attribute_filter(move |element, attribute, value| {
            keep_attribute(element, attribute, value, &images)
        })
        .clean(html)
        .to_string()
}

/// What of `attribute="value"` on `element` is kept (`None`: dropped).
fn keep_attribute<'v>(
    element: &str,
    attribute: &str,
    value: &'v str,
    images: &HashMap<String, String>,
) -> Option<Cow<'v, str>> {
    let lower = value.trim().to_ascii_lowercase();
    match (element, attribute) {
        ("img", "src") => {
            if lower.starts_with("cid:") {
                let id = value.trim()[4..].trim_matches(['<', '>']);
                images.get(id).map(|data| Cow::Owned(data.clone()))
            } else if DATA_IMAGES.iter().any(|p| lower.starts_with(p)) {
                Some(Cow::Borrowed(value))
            } else {
                None
            }
        }
        ("a", "href") => ["http:", "https:", "mailto:"]
            .iter()
            .any(|p| lower.starts_with(p))
            .then_some(Cow::Borrowed(value)),
        (_, "style") => {
            let kept = style(value);
            (!kept.is_empty()).then_some(Cow::Owned(kept))
        }
        (_, "color" | "bgcolor") => plain_value(value).then_some(Cow::Borrowed(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// The declarations of a `style` attribute that are kept: a property of
/// [`STYLE_PROPERTIES`] with a value that loads nothing and escapes nothing.
pub fn style(declarations: &str) -> String {
    declarations
        .split(';')
        .filter_map(|declaration| {
            let (property, value) = declaration.split_once(':')?;
            let property = property.trim().to_ascii_lowercase();
            let value = value.trim();
            (STYLE_PROPERTIES.contains(&property.as_str()) && plain_value(value))
                .then(|| format!("{property}: {value}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a CSS or colour value is plain: letters, digits, `#`, `%`, `.`, `,`, `-`,
/// spaces, parentheses of `rgb()`/`hsl()` and quotes of a font name, but no `url(`,
/// `expression(`, `image-set(`, escape or comment.
fn plain_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let functions_ok = lower.split('(').rev().skip(1).all(|before| {
        ["rgb", "rgba", "hsl", "hsla"]
            .iter()
            .any(|f| before.trim_end().ends_with(f))
    });
    !value.is_empty()
        && functions_ok
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || " #%.,-()'\"!".contains(c))
}

/// `text` (a letter's plain text) as HTML: escaped, its lines kept.
pub fn text_as_html(text: &str) -> String {
    format!("<pre>{}</pre>", escape_text(text))
}

/// `text` escaped for an HTML text node.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A `data:` URL of `bytes` declared `declared`, for an image of the letter shown in
/// its HTML (`cid:`), when it is of a raster type ([`InlineType`]); never SVG.
pub fn image_data_url(declared: &str, bytes: &[u8]) -> Option<String> {
    use base64::Engine;
    let kind = InlineType::of(declared).filter(|t| t.is_image())?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    Some(format!("data:{};base64,{encoded}", kind.mime()))
}

/// The courtesy title of a profession by its code in the national register (ID-4):
/// `Dr` for physicians (10), pharmacists (21) and dental surgeons (40).
pub fn civility(profession_code: &str) -> Option<&'static str> {
    matches!(profession_code, "10" | "21" | "40").then_some("Dr")
}

/// An attachment type a browser may show inline, in a sandbox (MS-1): PDF and raster
/// images. Never SVG nor HTML (both may carry script); every other type is a
/// download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlineType {
    /// `application/pdf`.
    Pdf,
    /// `image/png`.
    Png,
    /// `image/jpeg`.
    Jpeg,
    /// `image/gif`.
    Gif,
    /// `image/webp`.
    Webp,
}

impl InlineType {
    /// The type of a part declared `declared` (`type/subtype`, parameters ignored,
    /// any case), if a browser may show it inline.
    pub fn of(declared: &str) -> Option<Self> {
        let essence = declared.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/pdf" => Some(Self::Pdf),
            "image/png" => Some(Self::Png),
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(Self::Jpeg),
            "image/gif" => Some(Self::Gif),
            "image/webp" => Some(Self::Webp),
            _ => None,
        }
    }

    /// The `Content-Type` it is served with.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }

    /// Whether it is an image (shown in the page), else a document (opened apart).
    pub fn is_image(self) -> bool {
        self != Self::Pdf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> String {
        sanitize_html(html, HashMap::new())
    }

    #[test]
    fn ms1_a_lab_report_keeps_its_table_and_its_red_value() {
        let report = "<table><caption>NFS</caption><thead><tr><th>Examen</th><th colspan=\"2\">Valeur</th></tr></thead>\
             <tbody><tr><td>Hémoglobine</td><td style=\"color: red; font-weight: bold\">10,2</td><td><font color=\"#c00\">g/dL</font></td></tr></tbody></table>";
        let kept = clean(report);
        for part in [
            "<table>",
            "<caption>NFS</caption>",
            "<th colspan=\"2\">",
            "<td style=\"color: red; font-weight: bold\">10,2</td>",
            "<font color=\"#c00\">",
        ] {
            assert!(kept.contains(part), "{part} in {kept}");
        }
    }

    #[test]
    fn ms1_scripts_forms_events_remote_images_and_css_urls_are_gone() {
        let hostile = "<p onclick=\"steal()\" style=\"background: url(https://x.example/t.png); color: blue\">a</p>\
             <script>alert(1)</script><form action=\"https://x.example\"><input name=p></form>\
             <img src=\"https://x.example/pixel.gif\" alt=\"pixel\"><img src=\"data:image/svg+xml;base64,PHN2Zz4=\">\
             <a href=\"javascript:alert(1)\">j</a><a href=\"https://ok.example/\">ok</a>\
             <style>p{background:url(https://x.example)}</style><iframe src=\"https://x.example\"></iframe>\
             <span style=\"color: expression(alert(1))\">e</span>";
        let kept = clean(hostile);
        for gone in [
            "onclick",
            "script",
            "alert",
            "form",
            "input",
            "x.example",
            "svg",
            "javascript",
            "iframe",
            "url(",
            "expression",
        ] {
            assert!(!kept.contains(gone), "{gone} in {kept}");
        }
        assert!(kept.contains("style=\"color: blue\""), "{kept}");
        assert!(
            kept.contains(
                "<a href=\"https://ok.example/\" target=\"_blank\" rel=\"noopener noreferrer\">"
            ),
            "{kept}"
        );
    }

    #[test]
    fn ms1_images_come_only_from_the_letter_itself() {
        let images = HashMap::from([(
            "logo@chu".to_owned(),
            "data:image/png;base64,AAAA".to_owned(),
        )]);
        let kept = sanitize_html(
            "<img src=\"cid:logo@chu\" alt=\"CHU\"><img src=\"cid:other@chu\" alt=\"x\">",
            images,
        );
        assert!(
            kept.contains("<img src=\"data:image/png;base64,AAAA\" alt=\"CHU\">"),
            "{kept}"
        );
        assert!(kept.contains("<img alt=\"x\">"), "{kept}");
    }

    #[test]
    fn ms1_text_is_escaped_and_only_raster_images_become_data_urls() {
        assert_eq!(text_as_html("a <b>&"), "<pre>a &lt;b&gt;&amp;</pre>");
        assert_eq!(
            image_data_url("image/gif", b"GIF").as_deref(),
            Some("data:image/gif;base64,R0lG")
        );
        assert_eq!(image_data_url("image/svg+xml", b"<svg/>"), None);
        assert_eq!(image_data_url("application/pdf", b"%PDF"), None);
    }

    #[test]
    fn id4_physicians_pharmacists_and_dentists_are_doctors() {
        assert_eq!(civility("10"), Some("Dr"));
        assert_eq!(civility("60"), None, "a nurse");
    }

    #[test]
    fn ms1_pdf_and_raster_images_are_shown_inline_never_svg_or_html() {
        assert_eq!(
            InlineType::of("Application/PDF; name=cr.pdf"),
            Some(InlineType::Pdf)
        );
        assert_eq!(InlineType::of("image/jpeg"), Some(InlineType::Jpeg));
        for download in [
            "image/svg+xml",
            "text/html",
            "application/octet-stream",
            "text/plain",
        ] {
            assert_eq!(InlineType::of(download), None, "{download}");
        }
    }
}
