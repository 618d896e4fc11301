//! The page's addresses, as plain Rust (no DOM), so they are unit-tested
//! and fuzzed natively.
//!
//! - Share links: `#v=1&z=<base64url of raw DEFLATE of the UTF-8
//!   source>&seed=N&view=loop|timeline|both`. `v` versions the format, so
//!   an old link keeps opening when a new version is added.
//! - The first links: `#code=<base64url of the UTF-8 source>` (issue 5),
//!   still read.
//! - The query: `?example=<id>`, `?embed=1`, `autoplay=1`, `speed=`,
//!   `view=`, `lang=`, `seed=`.
//!
//! Anything decoded here is text for the editor, never markup; a link
//! whose program would inflate past [`MAX_SOURCE_BYTES`] is refused (a
//! DEFLATE bomb turns a few kilobytes into gigabytes).

pub mod base64url;

use std::fmt;

/// The share-link format this code writes (`#v=1`).
pub const VERSION: &str = "1";

/// The largest program a link may carry, decompressed.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// The largest hash read at all (a 1 MB program compresses to far less).
pub const MAX_HASH_CHARS: usize = 4 << 20;

/// Which views the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum View {
    Loop,
    Timeline,
    #[default]
    Both,
}

impl View {
    pub fn parse(text: &str) -> Option<View> {
        match text {
            "loop" => Some(View::Loop),
            "timeline" => Some(View::Timeline),
            "both" => Some(View::Both),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            View::Loop => "loop",
            View::Timeline => "timeline",
            View::Both => "both",
        }
    }

    pub fn shows_loop(self) -> bool {
        self != View::Timeline
    }

    pub fn shows_timeline(self) -> bool {
        self != View::Loop
    }
}

/// What a link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub source: String,
    pub seed: Option<u64>,
    pub view: Option<View>,
}

/// Why a link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// `v=` names a format this page does not know.
    UnknownVersion(String),
    /// `v=` without a program.
    NoProgram,
    /// The field is not base64url.
    NotBase64(&'static str),
    /// `z=` is not raw DEFLATE (or is cut short).
    NotDeflate,
    /// The program would be larger than [`MAX_SOURCE_BYTES`].
    TooLarge,
    /// The program is not UTF-8 text.
    NotUtf8,
    BadSeed(String),
    BadView(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::UnknownVersion(v) => write!(
                f,
                "this link was made by a newer Loopscope (link version {v:?}; this page reads version {VERSION})"
            ),
            LinkError::NoProgram => write!(f, "the link holds no program (no z= part)"),
            LinkError::NotBase64(field) => write!(
                f,
                "the link's {field}= part is damaged (not base64url): was it cut or changed when copied?"
            ),
            LinkError::NotDeflate => write!(
                f,
                "the link's program does not decompress: was the link cut short when copied?"
            ),
            LinkError::TooLarge => write!(
                f,
                "the link's program is larger than {} MB once decompressed",
                MAX_SOURCE_BYTES >> 20
            ),
            LinkError::NotUtf8 => write!(f, "the link's program is not UTF-8 text"),
            LinkError::BadSeed(seed) => {
                write!(f, "the link's seed {seed:?} is not a whole number")
            }
            LinkError::BadView(view) => write!(
                f,
                "the link's view {view:?} is not one of loop, timeline, both"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// The `key=value` pairs of a hash or query (`#`/`?` optional), values
/// percent-decoded.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    let text = text
        .strip_prefix('#')
        .or_else(|| text.strip_prefix('?'))
        .unwrap_or(text);
    text.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `%XX` escapes and `+` as a space; malformed escapes stay as they are,
/// and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (byte, hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The share link's hash for a program, seed and view.
pub fn share_hash(source: &str, seed: u64, view: View) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec(source.as_bytes(), 9);
    format!(
        "#v={VERSION}&z={}&seed={seed}&view={}",
        base64url::encode(&compressed),
        view.as_str()
    )
}

/// The program a location hash carries: `Ok(None)` when it carries none
/// (no hash, or one that is not a link), an error when it is a damaged one.
pub fn read_hash(hash: &str) -> Result<Option<Shared>, LinkError> {
    if hash.len() > MAX_HASH_CHARS {
        return Err(LinkError::TooLarge);
    }
    let pairs = pairs(hash);
    let version = value(&pairs, "v");
    let source = match (version, value(&pairs, "z"), value(&pairs, "code")) {
        (Some(v), _, _) if v != VERSION => return Err(LinkError::UnknownVersion(v.to_string())),
        (_, Some(z), _) => inflate(z)?,
        (None, None, Some(code)) => {
            let bytes = base64url::decode(code).ok_or(LinkError::NotBase64("code"))?;
            if bytes.len() > MAX_SOURCE_BYTES {
                return Err(LinkError::TooLarge);
            }
            String::from_utf8(bytes).map_err(|_| LinkError::NotUtf8)?
        }
        (Some(_), None, _) => return Err(LinkError::NoProgram),
        (None, None, None) => return Ok(None),
    };
    let seed = match value(&pairs, "seed") {
        Some(seed) => Some(
            seed.parse::<u64>()
                .map_err(|_| LinkError::BadSeed(seed.to_string()))?,
        ),
        None => None,
    };
    let view = match value(&pairs, "view") {
        Some(view) => Some(View::parse(view).ok_or_else(|| LinkError::BadView(view.to_string()))?),
        None => None,
    };
    Ok(Some(Shared { source, seed, view }))
}

/// base64url → raw DEFLATE → UTF-8, never past [`MAX_SOURCE_BYTES`].
fn inflate(z: &str) -> Result<String, LinkError> {
    let compressed = base64url::decode(z).ok_or(LinkError::NotBase64("z"))?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_SOURCE_BYTES)
        .map_err(|error| match error.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
        _ => LinkError::NotDeflate,
    })?;
    String::from_utf8(bytes).map_err(|_| LinkError::NotUtf8)
}

/// A plain decimal number (`2`, `0.25`, `.5`, `1.`): digits with at most
/// one point, 15 digits at most. Not `str::parse::<f64>`, which would link
/// core's float parser and its power-of-ten tables (about 10 KB gzipped)
/// into the page's wasm for this one query value. The quotient of two
/// exactly represented numbers is correctly rounded, so the result is what
/// `parse::<f64>` gives.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = whole.len() + fraction.len();
    if digits == 0 || digits > 15 {
        return None;
    }
    let mut mantissa: u64 = 0;
    for byte in whole.bytes().chain(fraction.bytes()) {
        if !byte.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(byte - b'0');
    }
    // At most 15 digits: both numbers are exact in an f64.
    let scale = (0..fraction.len()).fold(1.0, |scale, _| scale * 10.0);
    Some(mantissa as f64 / scale)
}

/// What the query asks of the page (`?example=…&embed=1…`). Values that
/// make no sense are ignored: the page opens as if they were absent.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PageQuery {
    pub example: Option<String>,
    pub embed: bool,
    pub autoplay: bool,
    /// Virtual seconds per wall second, 0.25 to 8.
    pub speed: Option<f64>,
    pub view: Option<View>,
    /// `ru`, `en`, as given.
    pub lang: Option<String>,
    pub seed: Option<u64>,
}

fn flag(value: Option<&str>) -> bool {
    matches!(value, Some("" | "1" | "true" | "yes"))
}

pub fn read_query(search: &str) -> PageQuery {
    let pairs = pairs(search);
    PageQuery {
        example: value(&pairs, "example")
            .filter(|id| !id.is_empty())
            .map(str::to_string),
        embed: flag(value(&pairs, "embed")),
        autoplay: flag(value(&pairs, "autoplay")),
        speed: value(&pairs, "speed")
            .and_then(|s| parse_decimal(s.trim_end_matches(['x', '×'])))
            .filter(|s| (0.25..=8.0).contains(s)),
        view: value(&pairs, "view").and_then(View::parse),
        lang: value(&pairs, "lang")
            .filter(|l| !l.is_empty())
            .map(str::to_string),
        seed: value(&pairs, "seed").and_then(|s| s.parse().ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str =
        "import asyncio\n\nasync def main():\n    print('привет')\n\nasyncio.run(main())\n";

    #[test]
    fn a_share_link_round_trips() {
        let hash = share_hash(PROGRAM, 42, View::Timeline);
        assert!(hash.starts_with("#v=1&z="));
        assert!(hash.ends_with("&seed=42&view=timeline"));
        let shared = read_hash(&hash).unwrap();
        assert_eq!(
            shared,
            Some(Shared {
                source: PROGRAM.to_string(),
                seed: Some(42),
                view: Some(View::Timeline),
            })
        );
        for source in ["", "x", "🐍\n", &"print(1)\n".repeat(5000)] {
            let hash = share_hash(source, 0, View::Both);
            assert_eq!(
                read_hash(&hash).unwrap().map(|s| s.source).as_deref(),
                Some(source)
            );
        }
    }

    #[test]
    fn compression_pays_for_itself_on_real_programs() {
        let z = share_hash(PROGRAM.repeat(4).as_str(), 0, View::Both);
        let code = format!("#code={}", base64url::encode(PROGRAM.repeat(4).as_bytes()));
        assert!(z.len() < code.len() / 2, "{} vs {}", z.len(), code.len());
    }

    #[test]
    fn reads_what_other_deflaters_write() {
        // Python's zlib.compressobj(9, zlib.DEFLATED, -15) and node's
        // zlib.deflateRawSync both write these bytes for "print(1)\n".
        assert_eq!(
            read_hash("#v=1&z=KyjKzCvRMNTkAgA")
                .unwrap()
                .map(|s| s.source)
                .as_deref(),
            Some("print(1)\n")
        );
    }

    #[test]
    fn old_code_links_keep_opening() {
        assert_eq!(
            read_hash("#code=cHJpbnQoMSkK")
                .unwrap()
                .map(|s| s.source)
                .as_deref(),
            Some("print(1)\n")
        );
        assert_eq!(
            read_hash("#other=1&code=eA")
                .unwrap()
                .map(|s| s.source)
                .as_deref(),
            Some("x")
        );
        assert_eq!(read_hash("#code=!!"), Err(LinkError::NotBase64("code")));
        assert_eq!(read_hash("#code=A"), Err(LinkError::NotBase64("code")));
        assert_eq!(read_hash("#code=_w"), Err(LinkError::NotUtf8));
    }

    #[test]
    fn no_link_is_not_an_error() {
        assert_eq!(read_hash(""), Ok(None));
        assert_eq!(read_hash("#"), Ok(None));
        assert_eq!(read_hash("#section-2"), Ok(None));
    }

    #[test]
    fn damaged_links_say_what_is_wrong() {
        assert_eq!(
            read_hash("#v=2&z=AAAA"),
            Err(LinkError::UnknownVersion("2".into()))
        );
        assert_eq!(read_hash("#v=1"), Err(LinkError::NoProgram));
        assert_eq!(read_hash("#v=1&z=***"), Err(LinkError::NotBase64("z")));
        // Cut short: a valid prefix of a longer stream.
        let hash = share_hash(&"print('a long program')\n".repeat(50), 0, View::Both);
        let cut = &hash[..hash.find("&seed").unwrap_or(hash.len()) - 10];
        assert_eq!(read_hash(cut), Err(LinkError::NotDeflate));
        assert_eq!(read_hash("#v=1&z=AAAA"), Err(LinkError::NotDeflate));
        let good = share_hash("x", 1, View::Both);
        let bad_seed = good.replace("seed=1", "seed=-1");
        assert_eq!(read_hash(&bad_seed), Err(LinkError::BadSeed("-1".into())));
        let bad_view = good.replace("view=both", "view=<b>");
        assert_eq!(read_hash(&bad_view), Err(LinkError::BadView("<b>".into())));
        for error in [
            LinkError::NotDeflate,
            LinkError::TooLarge,
            LinkError::NoProgram,
        ] {
            assert!(error.to_string().starts_with("the link"));
        }
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        // 16 MB of zeros compress to ~16 KB; inflating stops at 1 MB.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 16 << 20], 9);
        assert!(bomb.len() < 64 << 10);
        let hash = format!("#v=1&z={}", base64url::encode(&bomb));
        assert_eq!(read_hash(&hash), Err(LinkError::TooLarge));
        // Exactly the limit still opens.
        let largest = " ".repeat(MAX_SOURCE_BYTES);
        let hash = share_hash(&largest, 0, View::Both);
        assert_eq!(
            read_hash(&hash).unwrap().map(|s| s.source.len()),
            Some(MAX_SOURCE_BYTES)
        );
        let too_long = "A".repeat(MAX_HASH_CHARS + 1);
        assert_eq!(read_hash(&too_long), Err(LinkError::TooLarge));
    }

    #[test]
    fn every_cut_or_changed_link_opens_or_says_why() {
        // A cheap stand-in for the fuzz target (fuzz/fuzz_targets/share_link.rs):
        // every prefix of a link, and the link with each character replaced.
        let hash = share_hash("import asyncio\nprint('ок')\n", 3, View::Loop);
        for end in 0..=hash.len() {
            if let Some(prefix) = hash.get(..end) {
                let _ = read_hash(prefix);
            }
        }
        for (at, _) in hash.char_indices() {
            for replacement in ["", "A", "_", "%", "&", "=", "é"] {
                let mut changed = hash.clone();
                let end = at + hash[at..].chars().next().map_or(0, char::len_utf8);
                changed.replace_range(at..end, replacement);
                if let Ok(Some(shared)) = read_hash(&changed) {
                    assert!(shared.source.len() <= MAX_SOURCE_BYTES);
                }
                let _ = read_query(&changed);
            }
        }
    }

    #[test]
    fn reads_the_query() {
        let query = read_query(
            "?example=gather_factorials&embed=1&autoplay=1&speed=2&view=loop&lang=ru&seed=7",
        );
        assert_eq!(
            query,
            PageQuery {
                example: Some("gather_factorials".into()),
                embed: true,
                autoplay: true,
                speed: Some(2.0),
                view: Some(View::Loop),
                lang: Some("ru".into()),
                seed: Some(7),
            }
        );
        assert_eq!(read_query(""), PageQuery::default());
        let odd = read_query("?embed=0&speed=100&view=side&seed=x&example=");
        assert_eq!(odd, PageQuery::default());
        assert_eq!(read_query("?speed=0.25x").speed, Some(0.25));
        assert!(read_query("?embed").embed);
    }

    #[test]
    fn decimals_parse_as_str_parse_does() {
        for text in [
            "0",
            "2",
            "0.25",
            ".5",
            "1.",
            "8.000",
            "0.1",
            "1.3",
            "123456789012.345",
        ] {
            assert_eq!(parse_decimal(text), text.parse::<f64>().ok(), "{text}");
        }
        for text in [
            "",
            ".",
            "-1",
            "+1",
            "1e3",
            "inf",
            "1.2.3",
            "1 ",
            "1234567890123456",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn percent_escapes_decode_and_malformed_ones_stay() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("%D0%BF"), "п");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }
}
