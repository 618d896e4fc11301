//! What the page opens with, from its address: the program (a share link
//! in the hash, `?example=<id>`, or the default example), the seed, the
//! view, the speed, the language and embed mode. Plain Rust, tested
//! natively; `app.rs` reads the address and applies the result.

use loopscope_link::{read_hash, read_query, LinkError, View};

use crate::gallery::{self, Example};
use crate::i18n::{Lang, T};

/// Playback speeds, in virtual seconds per wall second.
pub const SPEEDS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// [`SPEEDS`] as the speed menu shows them (written out: formatting and
/// parsing floats would cost the page's wasm more than this table).
pub const SPEED_NAMES: [&str; 6] = ["0.25", "0.5", "1", "2", "4", "8"];

#[derive(Clone, Debug, PartialEq)]
pub struct Startup {
    pub program: String,
    /// The gallery example the program is, if it is one.
    pub example: Option<&'static Example>,
    pub seed: u64,
    pub view: View,
    pub speed: f64,
    pub lang: Lang,
    pub embed: bool,
    /// Run at once (and play) instead of waiting for Run.
    pub autoplay: bool,
    /// Why the address's link or example could not be opened (the
    /// default example is open instead).
    pub problem: Option<Problem>,
}

/// Why the address could not be opened as asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// `?example=` names no example.
    NoExample(String),
    BadLink(LinkError),
}

impl Problem {
    /// The message, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Problem::NoExample(id) => lang.fill(T::NoExample, &[id]),
            Problem::BadLink(error) => lang.fill(T::BadLink, &[&link_error(lang, error)]),
        }
    }
}

/// Why a link could not be opened, in `lang` (the English words are the
/// link crate's own).
fn link_error(lang: Lang, error: &LinkError) -> String {
    if lang == Lang::En {
        return error.to_string();
    }
    match error {
        LinkError::UnknownVersion(v) => format!(
            "ссылка сделана более новой версией Loopscope (версия ссылки {v:?}, эта страница читает версию {})",
            loopscope_link::VERSION
        ),
        LinkError::NoProgram => "в ссылке нет программы (нет части z=)".to_string(),
        LinkError::NotBase64(field) => format!(
            "часть {field}= ссылки повреждена (это не base64url): возможно, её обрезали или изменили при копировании"
        ),
        LinkError::NotDeflate => {
            "программа из ссылки не распаковывается: возможно, ссылку обрезали при копировании"
                .to_string()
        }
        LinkError::TooLarge => format!(
            "программа из ссылки после распаковки больше {} МБ",
            loopscope_link::MAX_SOURCE_BYTES >> 20
        ),
        LinkError::NotUtf8 => "программа из ссылки — не текст в UTF-8".to_string(),
        LinkError::BadSeed(seed) => format!("seed {seed:?} в ссылке — не целое число"),
        LinkError::BadView(view) => {
            format!("вид {view:?} в ссылке — не один из loop, timeline, both")
        }
    }
}

/// The page's start from `location.search`, `location.hash` and the
/// browser's language (`navigator.language`).
pub fn startup(search: &str, hash: &str, browser_lang: &str) -> Startup {
    let query = read_query(search);
    let lang = Lang::from_tag(query.lang.as_deref().unwrap_or(browser_lang));
    let mut start = Startup {
        program: String::new(),
        example: None,
        seed: query.seed.unwrap_or(0),
        view: query.view.unwrap_or_default(),
        speed: query.speed.map_or(1.0, nearest_speed),
        lang,
        embed: query.embed,
        autoplay: query.autoplay,
        problem: None,
    };
    let default = gallery::default_example();
    match read_hash(hash) {
        Ok(Some(shared)) => {
            start.program = shared.source;
            start.seed = shared.seed.unwrap_or(start.seed);
            start.view = shared.view.unwrap_or(start.view);
        }
        Ok(None) => {
            let asked = query.example.as_deref();
            let example = match asked.map(|id| (id, gallery::example(id))) {
                Some((_, Some(example))) => example,
                Some((id, None)) => {
                    start.problem = Some(Problem::NoExample(id.to_string()));
                    default
                }
                None => default,
            };
            start.program = example.source.to_string();
            start.example = Some(example);
        }
        Err(error) => {
            start.problem = Some(Problem::BadLink(error));
            start.program = default.source.to_string();
            start.example = Some(default);
            // A broken link plays nothing by itself.
            start.autoplay = false;
        }
    }
    start
}

/// The offered speed closest to `speed`.
pub fn nearest_speed(speed: f64) -> f64 {
    SPEEDS
        .iter()
        .copied()
        .min_by(|a, b| (a - speed).abs().total_cmp(&(b - speed).abs()))
        .unwrap_or(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopscope_link::share_hash;

    #[test]
    fn the_speed_names_are_the_speeds() {
        for (speed, name) in SPEEDS.iter().zip(SPEED_NAMES) {
            assert_eq!(speed.to_string(), name);
        }
    }

    #[test]
    fn the_default_example_opens_without_an_address() {
        let start = startup("", "", "en-US");
        assert_eq!(start.example.map(|e| e.id), Some(gallery::DEFAULT_EXAMPLE));
        assert_eq!(start.program, gallery::default_example().source);
        assert_eq!((start.seed, start.view, start.speed), (0, View::Both, 1.0));
        assert_eq!(start.lang, Lang::En);
        assert!(!start.embed && !start.autoplay && start.problem.is_none());
        assert_eq!(startup("", "", "ru-RU").lang, Lang::Ru);
    }

    #[test]
    fn an_example_opens_by_id() {
        let start = startup("?example=deadlock&lang=ru", "", "en");
        assert_eq!(start.example.map(|e| e.id), Some("deadlock"));
        assert_eq!(start.lang, Lang::Ru);
        let unknown = startup("?example=nope", "", "en");
        assert_eq!(
            unknown.example.map(|e| e.id),
            Some(gallery::DEFAULT_EXAMPLE)
        );
        let problem = unknown
            .problem
            .map(|p| (p.text(Lang::En), p.text(Lang::Ru)));
        assert!(problem.is_some_and(|(en, ru)| en.contains("“nope”") && ru.contains("«nope»")));
    }

    #[test]
    fn a_share_link_wins_over_the_query() {
        let hash = share_hash("print('shared')\n", 9, View::Loop);
        let start = startup("?example=deadlock&seed=3", &hash, "en");
        assert_eq!(start.program, "print('shared')\n");
        assert_eq!(start.example, None);
        assert_eq!((start.seed, start.view), (9, View::Loop));
        let start = startup("?seed=3&view=timeline", "#code=cHJpbnQoMSkK", "en");
        assert_eq!(start.program, "print(1)\n");
        assert_eq!((start.seed, start.view), (3, View::Timeline));
    }

    #[test]
    fn a_malformed_link_says_so_and_opens_the_default_example() {
        let start = startup("?autoplay=1", "#v=1&z=%%%", "en");
        assert_eq!(start.example.map(|e| e.id), Some(gallery::DEFAULT_EXAMPLE));
        assert!(!start.autoplay);
        let problem = start.problem.map(|p| p.text(Lang::En)).unwrap_or_default();
        assert!(problem.starts_with("This link could not be opened: the link's z= part is damaged"));
        let problem = startup("", "#v=1&z=%%%", "ru").problem;
        let problem = problem.map(|p| p.text(Lang::Ru)).unwrap_or_default();
        assert!(problem.starts_with("Не удалось открыть ссылку (часть z= ссылки повреждена"));
    }

    #[test]
    fn embed_mode_and_its_options() {
        let start = startup("?embed=1&autoplay=1&speed=3&view=timeline", "", "en");
        assert!(start.embed && start.autoplay);
        assert_eq!((start.speed, start.view), (2.0, View::Timeline));
        assert_eq!(nearest_speed(0.3), 0.25);
        assert_eq!(nearest_speed(8.0), 8.0);
    }
}
