//! `datetime.strptime`, after CPython's Lib/_strptime.py in the C
//! locale: the format becomes a pattern whose directives match what
//! `_strptime.TimeRE` matches (alternatives tried in the regex's order,
//! with backtracking, case-insensitively, whitespace as `\s+`), then the
//! captured fields are combined as `_strptime._strptime` combines them
//! (%y pivot at 69, %I with %p, %j, %U/%W/%V with weekdays, %z, %Z).

use super::calendar::{self, is_leap, DAY_NAMES, MONTH_NAMES};
use super::date::Ymd;
use crate::value::PyResult;
use crate::vm::{ExcType, Vm};

/// What a successful `strptime` found.
pub struct Parsed {
    pub date: Ymd,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub micro: i64,
    /// `%z`: seconds and microseconds east of UTC.
    pub offset: Option<(i64, i64)>,
    /// `%Z` as written.
    pub zone_name: Option<String>,
}

/// One element of a format's pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Node {
    Literal(char),
    /// A run of whitespace in the format: `\s+`.
    Space,
    Directive(char),
}

/// Splits a format into nodes, expanding `%c`, `%x`, `%X` as the C
/// locale's `LocaleTime` does. Err(message) for a bad directive.
fn compile(format: &str, out: &mut Vec<Node>) -> Result<(), String> {
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            out.push(Node::Space);
            continue;
        }
        if c != '%' {
            out.push(Node::Literal(c));
            i += 1;
            continue;
        }
        let Some(&d) = chars.get(i + 1) else {
            return Err(format!("stray % in format '{format}'"));
        };
        i += 2;
        match d {
            'c' => compile("%a %b %d %H:%M:%S %Y", out)?,
            'x' => compile("%m/%d/%y", out)?,
            'X' => compile("%H:%M:%S", out)?,
            '%' => out.push(Node::Literal('%')),
            'd' | 'f' | 'H' | 'I' | 'G' | 'j' | 'm' | 'M' | 'S' | 'U' | 'W' | 'w' | 'u' | 'V'
            | 'y' | 'Y' | 'z' | 'A' | 'a' | 'B' | 'b' | 'p' | 'Z' => out.push(Node::Directive(d)),
            other => {
                // _strptime escapes regex metacharacters first, so "%." is
                // the directive "\", reported as "%"; whitespace became
                // "\s+" too.
                let bad = if other.is_whitespace() || ".^$*+?(){}[]|\\".contains(other) {
                    '%'
                } else {
                    other
                };
                return Err(format!("'{bad}' is a bad directive in format '{format}'"));
            }
        }
    }
    Ok(())
}

/// The digit patterns of `_strptime.TimeRE`, as alternatives in order:
/// `D` is a digit, `[ab]` a digit from a to b, anything else itself.
fn digit_alternatives(d: char) -> &'static [&'static str] {
    match d {
        'd' => &["3[01]", "[12]D", "0[19]", "[19]", " [19]"],
        'H' => &["2[03]", "[01]D", "D"],
        'I' => &["1[02]", "0[19]", "[19]"],
        'G' | 'Y' => &["DDDD"],
        'j' => &[
            "36[06]", "3[05]D", "[12]DD", "0[19]D", "00[19]", "[19]D", "0[19]", "[19]",
        ],
        'm' => &["1[02]", "0[19]", "[19]"],
        'M' => &["[05]D", "D"],
        'S' => &["6[01]", "[05]D", "D"],
        'U' | 'W' => &["5[03]", "[04]D", "D"],
        'w' => &["[06]"],
        'u' => &["[17]"],
        'V' => &["5[03]", "0[19]", "[14]D", "D"],
        'y' => &["DD"],
        'f' => &["DDDDDD", "DDDDD", "DDDD", "DDD", "DD", "D"],
        _ => &[],
    }
}

/// The length (in chars) of `alt` matched at `pos`, if it matches.
fn match_digits(alt: &str, text: &[char], pos: usize) -> Option<usize> {
    let pattern: Vec<char> = alt.chars().collect();
    let mut p = 0;
    let mut at = pos;
    while p < pattern.len() {
        let c = *text.get(at)?;
        match pattern[p] {
            'D' => {
                if !c.is_ascii_digit() {
                    return None;
                }
                p += 1;
            }
            '[' => {
                let (lo, hi) = (*pattern.get(p + 1)?, *pattern.get(p + 2)?);
                if c < lo || c > hi {
                    return None;
                }
                p += 4;
            }
            literal => {
                if c != literal {
                    return None;
                }
                p += 1;
            }
        }
        at += 1;
    }
    Some(at - pos)
}

/// Lower-cased names, longest first (stable), as `__seqToRE` orders them.
fn names(d: char) -> Vec<String> {
    let mut list: Vec<String> = match d {
        'A' => DAY_NAMES.iter().map(|n| n.to_lowercase()).collect(),
        'a' => DAY_NAMES.iter().map(|n| n[..3].to_lowercase()).collect(),
        'B' => MONTH_NAMES.iter().map(|n| n.to_lowercase()).collect(),
        'b' => MONTH_NAMES.iter().map(|n| n[..3].to_lowercase()).collect(),
        'p' => vec!["am".to_string(), "pm".to_string()],
        'Z' => vec!["utc".to_string(), "gmt".to_string()],
        _ => Vec::new(),
    };
    list.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    list
}

fn same_letter(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

fn digit_at(text: &[char], at: usize) -> bool {
    text.get(at).is_some_and(|c| c.is_ascii_digit())
}

/// `%z`: `[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z)`, every way
/// it can match, in the order the regex tries them.
fn offset_candidates(text: &[char], pos: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let at = |i: usize| text.get(i).copied();
    let sixty = |i: usize| matches!(at(i), Some('0'..='5')) && digit_at(text, i + 1);
    if matches!(at(pos), Some('+' | '-')) && digit_at(text, pos + 1) && digit_at(text, pos + 2) {
        let after_hours = pos + 3;
        let mut colon_choices = Vec::new();
        if at(after_hours) == Some(':') {
            colon_choices.push(after_hours + 1);
        }
        colon_choices.push(after_hours);
        for minutes in colon_choices {
            if !sixty(minutes) {
                continue;
            }
            let after_minutes = minutes + 2;
            let mut second_choices = Vec::new();
            if at(after_minutes) == Some(':') {
                second_choices.push(after_minutes + 1);
            }
            second_choices.push(after_minutes);
            for seconds in second_choices {
                if !sixty(seconds) {
                    continue;
                }
                let after_seconds = seconds + 2;
                if at(after_seconds) == Some('.') {
                    let mut n = 0;
                    while n < 6 && digit_at(text, after_seconds + 1 + n) {
                        n += 1;
                    }
                    for k in (1..=n).rev() {
                        out.push(after_seconds + 1 + k - pos);
                    }
                }
                out.push(after_seconds - pos);
            }
            out.push(after_minutes - pos);
        }
    }
    if at(pos) == Some('Z') {
        out.push(1);
    }
    out
}

/// The lengths a node can match at `pos`, in the regex's order.
fn candidates(node: Node, text: &[char], pos: usize) -> Vec<usize> {
    match node {
        Node::Literal(c) => match text.get(pos) {
            Some(&t) if same_letter(t, c) => vec![1],
            _ => Vec::new(),
        },
        Node::Space => {
            let mut n = 0;
            while text.get(pos + n).is_some_and(|c| c.is_whitespace()) {
                n += 1;
            }
            (1..=n).rev().collect()
        }
        Node::Directive('z') => offset_candidates(text, pos),
        Node::Directive(d @ ('A' | 'a' | 'B' | 'b' | 'p' | 'Z')) => names(d)
            .iter()
            .filter_map(|name| {
                let len = name.chars().count();
                let slice = text.get(pos..pos + len)?;
                slice
                    .iter()
                    .zip(name.chars())
                    .all(|(t, n)| same_letter(*t, n))
                    .then_some(len)
            })
            .collect(),
        Node::Directive(d) => digit_alternatives(d)
            .iter()
            .filter_map(|alt| match_digits(alt, text, pos))
            .collect(),
    }
}

/// Matches the nodes from `index` at `pos`: the end of the first match
/// (by the regex's priorities), filling `captures`.
fn match_from(
    nodes: &[Node],
    index: usize,
    text: &[char],
    pos: usize,
    captures: &mut Vec<(char, usize, usize)>,
    budget: &mut u32,
) -> Option<usize> {
    let Some(&node) = nodes.get(index) else {
        return Some(pos);
    };
    for len in candidates(node, text, pos) {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        if let Node::Directive(d) = node {
            captures.push((d, pos, pos + len));
        }
        if let Some(end) = match_from(nodes, index + 1, text, pos + len, captures, budget) {
            return Some(end);
        }
        if let Node::Directive(_) = node {
            captures.pop();
        }
    }
    None
}

fn value_error(vm: &mut Vm, message: impl Into<String>) -> crate::value::Unwind {
    vm.error(ExcType::ValueError, message.into())
}

fn check_date(vm: &mut Vm, year: i64, month: i64, day: i64) -> PyResult<()> {
    calendar::check_date(year, month, day).map_err(|m| value_error(vm, m))
}

/// `_strptime._strptime` for `datetime.strptime`.
pub fn parse(vm: &mut Vm, data: &str, format: &str) -> PyResult<Parsed> {
    let mut nodes = Vec::new();
    if let Err(message) = compile(format, &mut nodes) {
        return Err(value_error(vm, message));
    }
    let text: Vec<char> = data.chars().collect();
    let mut captures = Vec::new();
    let mut budget = 1_000_000u32;
    let Some(end) = match_from(&nodes, 0, &text, 0, &mut captures, &mut budget) else {
        return Err(value_error(
            vm,
            format!(
                "time data {} does not match format {}",
                crate::vm::repr::str_repr(data),
                crate::vm::repr::str_repr(format)
            ),
        ));
    };
    if end != text.len() {
        let rest: String = text[end..].iter().collect();
        return Err(value_error(vm, format!("unconverted data remains: {rest}")));
    }
    let found = |d: char| -> Option<String> {
        captures
            .iter()
            .rev()
            .find(|(c, _, _)| *c == d)
            .map(|(_, a, b)| text[*a..*b].iter().collect())
    };
    let number = |d: char| -> Option<i64> { found(d).and_then(|s| s.trim().parse().ok()) };

    let mut year: Option<i64> = None;
    let mut iso_year: Option<i64> = None;
    let (mut month, mut day) = (1i64, 1i64);
    let (mut hour, mut minute, mut second, mut fraction) = (0i64, 0i64, 0i64, 0i64);
    let mut offset: Option<(i64, i64)> = None;
    let mut iso_week: Option<i64> = None;
    let mut week_of_year: Option<i64> = None;
    let mut week_starts_monday = false;
    let mut weekday: Option<i64> = None;
    let mut julian: Option<i64> = None;
    // Group order is the order the directives appear in the format.
    let mut order: Vec<char> = Vec::new();
    for (d, _, _) in &captures {
        if !order.contains(d) {
            order.push(*d);
        }
    }
    for key in order {
        match key {
            'y' => {
                let y = number('y').unwrap_or(0);
                year = Some(if y <= 68 { y + 2000 } else { y + 1900 });
            }
            'Y' => year = number('Y'),
            'G' => iso_year = number('G'),
            'm' => month = number('m').unwrap_or(1),
            'B' | 'b' => {
                let text = found(key).unwrap_or_default().to_lowercase();
                month = MONTH_NAMES
                    .iter()
                    .position(|n| {
                        let n = n.to_lowercase();
                        if key == 'B' {
                            n == text
                        } else {
                            n[..3] == text
                        }
                    })
                    .map(|i| i as i64 + 1)
                    .unwrap_or(1);
            }
            'd' => day = number('d').unwrap_or(1),
            'H' => hour = number('H').unwrap_or(0),
            'I' => {
                hour = number('I').unwrap_or(0);
                let ampm = found('p').unwrap_or_default().to_lowercase();
                if ampm.is_empty() || ampm == "am" {
                    if hour == 12 {
                        hour = 0;
                    }
                } else if ampm == "pm" && hour != 12 {
                    hour += 12;
                }
            }
            'M' => minute = number('M').unwrap_or(0),
            'S' => second = number('S').unwrap_or(0),
            'f' => {
                let mut s = found('f').unwrap_or_default();
                while s.len() < 6 {
                    s.push('0');
                }
                fraction = s.parse().unwrap_or(0);
            }
            'A' | 'a' => {
                let text = found(key).unwrap_or_default().to_lowercase();
                weekday = DAY_NAMES
                    .iter()
                    .position(|n| {
                        let n = n.to_lowercase();
                        if key == 'A' {
                            n == text
                        } else {
                            n[..3] == text
                        }
                    })
                    .map(|i| i as i64);
            }
            'w' => {
                let w = number('w').unwrap_or(0);
                weekday = Some(if w == 0 { 6 } else { w - 1 });
            }
            'u' => weekday = number('u').map(|u| u - 1),
            'j' => julian = number('j'),
            'U' | 'W' => {
                week_of_year = number(key);
                week_starts_monday = key == 'W';
            }
            'V' => iso_week = number('V'),
            'z' => {
                let z = found('z').unwrap_or_default();
                if z == "Z" {
                    offset = Some((0, 0));
                } else {
                    let mut z: Vec<char> = z.chars().collect();
                    if z.get(3) == Some(&':') {
                        z.remove(3);
                        if z.len() > 5 {
                            if z.get(5) != Some(&':') {
                                let original = found('z').unwrap_or_default();
                                return Err(value_error(
                                    vm,
                                    format!("Inconsistent use of : in {original}"),
                                ));
                            }
                            z.remove(5);
                        }
                    }
                    let part = |a: usize, b: usize| -> i64 {
                        z.get(a..b.min(z.len()))
                            .map(|s| s.iter().collect::<String>())
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(0)
                    };
                    let seconds = part(1, 3) * 3600 + part(3, 5) * 60 + part(5, 7);
                    let mut rest: String =
                        z.get(8..).map(|s| s.iter().collect()).unwrap_or_default();
                    while rest.len() < 6 {
                        rest.push('0');
                    }
                    let micros: i64 = rest.parse().unwrap_or(0);
                    let sign = if z.first() == Some(&'-') { -1 } else { 1 };
                    offset = Some((sign * seconds, sign * micros));
                }
            }
            _ => {}
        }
    }
    if year.is_none() && iso_year.is_some() {
        if iso_week.is_none() || weekday.is_none() {
            return Err(value_error(
                vm,
                "ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive ('%A', '%a', '%w', or '%u').",
            ));
        }
        if julian.is_some() {
            return Err(value_error(
                vm,
                "Day of the year directive '%j' is not compatible with ISO year directive '%G'. Use '%Y' instead.",
            ));
        }
    } else if week_of_year.is_none() && iso_week.is_some() {
        return Err(value_error(
            vm,
            if weekday.is_none() {
                "ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday directive ('%A', '%a', '%w', or '%u')."
            } else {
                "ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead."
            },
        ));
    }
    let mut leap_year_fix = false;
    let mut year = match year {
        Some(y) => y,
        None if month == 2 && day == 29 => {
            leap_year_fix = true;
            1904
        }
        None => 1900,
    };
    if julian.is_none() {
        if let Some(wd) = weekday {
            if let Some(week) = week_of_year {
                check_date(vm, year, 1, 1)?;
                let mut first = calendar::weekday(year, 1, 1);
                let mut day_of_week = wd;
                if !week_starts_monday {
                    first = (first + 1) % 7;
                    day_of_week = (day_of_week + 1) % 7;
                }
                let week0 = (7 - first) % 7;
                julian = Some(if week == 0 {
                    1 + day_of_week - first
                } else {
                    1 + week0 + 7 * (week - 1) + day_of_week
                });
            } else if let (Some(iy), Some(iw)) = (iso_year, iso_week) {
                check_date(vm, iy, 1, 4)?;
                let correction = calendar::weekday(iy, 1, 4) + 1 + 3;
                let mut ordinal = iw * 7 + wd + 1 - correction;
                let mut y = iy;
                if ordinal < 1 {
                    ordinal += calendar::ymd_to_ord(y, 1, 1);
                    y -= 1;
                    check_date(vm, y, 1, 1)?;
                    ordinal -= calendar::ymd_to_ord(y, 1, 1);
                }
                year = y;
                julian = Some(ordinal);
            }
            if let Some(j) = julian {
                if j <= 0 {
                    year -= 1;
                    julian = Some(j + if is_leap(year) { 366 } else { 365 });
                }
            }
        }
    }
    let date = match julian {
        None => {
            check_date(vm, year, month, day)?;
            Ymd { year, month, day }
        }
        Some(j) => {
            check_date(vm, year, 1, 1)?;
            let ordinal = j - 1 + calendar::ymd_to_ord(year, 1, 1);
            if ordinal < 1 {
                return Err(value_error(vm, "ordinal must be >= 1"));
            }
            let d = Ymd::from_ordinal(ordinal);
            check_date(vm, d.year, d.month, d.day)?;
            d
        }
    };
    let date = if leap_year_fix {
        Ymd { year: 1900, ..date }
    } else {
        date
    };
    Ok(Parsed {
        date,
        hour,
        minute,
        second,
        micro: fraction,
        offset,
        zone_name: found('Z'),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(format: &str, data: &str) -> Option<usize> {
        let mut nodes = Vec::new();
        compile(format, &mut nodes).ok()?;
        let text: Vec<char> = data.chars().collect();
        let mut budget = 100_000;
        match_from(&nodes, 0, &text, 0, &mut Vec::new(), &mut budget)
    }

    #[test]
    fn matches_like_the_regex() {
        assert_eq!(ends("%d", "2020"), Some(2));
        assert_eq!(ends("%d.%m.%Y %H:%M", "15.03.2024 14:30"), Some(16));
        assert_eq!(ends("%Y%m%d", "2024315"), Some(7));
        assert_eq!(ends("%H:%M:%S.%f", "1:2:3.45"), Some(8));
        assert_eq!(ends("%B %d", "MARCH 5"), Some(7));
        assert_eq!(ends("%z", "+05:30"), Some(6));
        assert_eq!(ends("%d %m", "1   2"), Some(5));
    }

    #[test]
    fn bad_directives() {
        let mut nodes = Vec::new();
        assert_eq!(
            compile("%Q", &mut nodes),
            Err("'Q' is a bad directive in format '%Q'".to_string())
        );
        assert_eq!(
            compile("%Y%", &mut nodes),
            Err("stray % in format '%Y%'".to_string())
        );
    }
}
