//! The pattern parser: a regular expression's text to a tree of nodes,
//! following CPython 3.11 `Lib/re/_parser.py` step by step so that every
//! `re.error` has CPython's message and position (`nothing to repeat at
//! position 0`, `missing ), unterminated subpattern at position 3`).
//!
//! Positions are code point indices into the pattern, as in CPython.

use super::flags::*;

/// `_sre.MAXREPEAT`: an unbounded repeat's upper limit.
pub const MAXREPEAT: u64 = 4_294_967_295;
/// `_sre.MAXGROUPS`.
pub const MAXGROUPS: usize = 1_073_741_823;

/// A parsed pattern element (CPython's `(opcode, argument)` pairs).
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Literal(char),
    NotLiteral(char),
    Any,
    In(Vec<SetItem>),
    At(At),
    Branch(Vec<Vec<Node>>),
    /// `(...)`, `(?:...)` with flags, `(?P<name>...)`: `group` is None
    /// for a non-capturing group.
    Group {
        group: Option<usize>,
        add_flags: u32,
        del_flags: u32,
        body: Vec<Node>,
    },
    Atomic(Vec<Node>),
    Repeat {
        kind: RepeatKind,
        min: u64,
        max: u64,
        body: Vec<Node>,
    },
    GroupRef(usize),
    GroupRefExists {
        group: usize,
        yes: Vec<Node>,
        no: Option<Vec<Node>>,
    },
    Assert {
        negate: bool,
        behind: bool,
        body: Vec<Node>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatKind {
    Greedy,
    Lazy,
    Possessive,
}

/// A member of a character set `[...]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetItem {
    Negate,
    Literal(char),
    Range(char, char),
    Category(Category),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Beginning,
    BeginningString,
    Boundary,
    NonBoundary,
    End,
    EndString,
}

/// Why a pattern does not compile.
#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    /// `re.error(msg, pattern, pos)`.
    Re { msg: String, pos: Option<usize> },
    /// `OverflowError` (a repeat count above MAXREPEAT).
    Overflow(String),
    /// `ValueError` (incompatible flags).
    Value(String),
    /// Groups nested deeper than CPython's recursive parser can go.
    Recursion,
}

fn re_error(msg: impl Into<String>, pos: usize) -> ParseError {
    ParseError::Re {
        msg: msg.into(),
        pos: Some(pos),
    }
}

type Parsed<T> = Result<T, ParseError>;

/// The result of parsing: the tree and what the pattern object reports.
#[derive(Debug)]
pub struct ParsedPattern {
    pub nodes: Vec<Node>,
    /// Final flags (inline global flags and UNICODE added).
    pub flags: u32,
    /// Number of groups, counting group 0 (CPython `state.groups`).
    pub groups: usize,
    /// Named groups in definition order.
    pub names: Vec<(String, usize)>,
    /// Each group's (min, max) width, for look-behind widths.
    pub groupwidths: Vec<Option<(u64, u64)>>,
}

/// One token: a character, or a backslash and the character after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Tok {
    pub(super) first: char,
    pub(super) second: Option<char>,
}

impl Tok {
    pub(super) fn is(&self, c: char) -> bool {
        self.second.is_none() && self.first == c
    }

    pub(super) fn is_escape(&self) -> bool {
        self.second.is_some()
    }

    pub(super) fn len(&self) -> usize {
        if self.second.is_some() {
            2
        } else {
            1
        }
    }

    pub(super) fn text(&self) -> String {
        let mut s = String::new();
        s.push(self.first);
        if let Some(c) = self.second {
            s.push(c);
        }
        s
    }
}

/// CPython `Tokenizer`.
pub(super) struct Tokenizer<'a> {
    chars: &'a [char],
    index: usize,
    pub(super) next: Option<Tok>,
    pub(super) is_text: bool,
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(chars: &'a [char], is_text: bool) -> Parsed<Self> {
        let mut t = Tokenizer {
            chars,
            index: 0,
            next: None,
            is_text,
        };
        t.advance()?;
        Ok(t)
    }

    pub(super) fn advance(&mut self) -> Parsed<()> {
        let index = self.index;
        let Some(&c) = self.chars.get(index) else {
            self.next = None;
            return Ok(());
        };
        if c == '\\' {
            match self.chars.get(index + 1) {
                Some(&d) => {
                    self.index = index + 2;
                    self.next = Some(Tok {
                        first: c,
                        second: Some(d),
                    });
                }
                None => {
                    return Err(re_error(
                        "bad escape (end of pattern)",
                        self.chars.len().saturating_sub(1),
                    ))
                }
            }
        } else {
            self.index = index + 1;
            self.next = Some(Tok {
                first: c,
                second: None,
            });
        }
        Ok(())
    }

    pub(super) fn matches(&mut self, c: char) -> Parsed<bool> {
        if self.next.is_some_and(|t| t.is(c)) {
            self.advance()?;
            return Ok(true);
        }
        Ok(false)
    }

    pub(super) fn get(&mut self) -> Parsed<Option<Tok>> {
        let this = self.next;
        self.advance()?;
        Ok(this)
    }

    pub(super) fn next_is(&self, c: char) -> bool {
        self.next.is_some_and(|t| t.is(c))
    }

    /// The next token is a single character from `set`.
    pub(super) fn next_in(&self, set: fn(char) -> bool) -> bool {
        self.next
            .is_some_and(|t| t.second.is_none() && set(t.first))
    }

    pub(super) fn getwhile(&mut self, n: usize, set: fn(char) -> bool) -> Parsed<String> {
        let mut result = String::new();
        for _ in 0..n {
            match self.next {
                Some(t) if t.second.is_none() && set(t.first) => {
                    result.push(t.first);
                    self.advance()?;
                }
                _ => break,
            }
        }
        Ok(result)
    }

    pub(super) fn getuntil(&mut self, terminator: char, name: &str) -> Parsed<String> {
        let mut result = String::new();
        let mut count = 0;
        loop {
            let c = self.next;
            self.advance()?;
            match c {
                None => {
                    if result.is_empty() {
                        return Err(self.error(format!("missing {name}"), 0));
                    }
                    return Err(
                        self.error(format!("missing {terminator}, unterminated name"), count)
                    );
                }
                Some(t) if t.is(terminator) => {
                    if result.is_empty() {
                        return Err(self.error(format!("missing {name}"), 1));
                    }
                    break;
                }
                Some(t) => {
                    result.push_str(&t.text());
                    count += t.len();
                }
            }
        }
        Ok(result)
    }

    pub(super) fn tell(&self) -> usize {
        self.index - self.next.map_or(0, |t| t.len())
    }

    fn seek(&mut self, index: usize) -> Parsed<()> {
        self.index = index;
        self.advance()
    }

    pub(super) fn error(&self, msg: impl Into<String>, offset: usize) -> ParseError {
        re_error(msg, self.tell().saturating_sub(offset))
    }

    pub(super) fn checkgroupname(&self, name: &str, offset: usize) -> Parsed<()> {
        if !is_identifier(name) {
            return Err(self.error(
                format!("bad character in group name {}", py_repr(name)),
                name.chars().count() + offset,
            ));
        }
        Ok(())
    }
}

/// `str.isidentifier()`.
pub(super) fn is_identifier(name: &str) -> bool {
    crate::builtins::strings::is_identifier(name)
}

/// `repr()` of a str, for messages.
pub fn py_repr(s: &str) -> String {
    crate::vm::repr::str_repr(s)
}

pub(super) fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

pub(super) fn is_octdigit(c: char) -> bool {
    ('0'..='7').contains(&c)
}

fn is_hexdigit(c: char) -> bool {
    c.is_ascii_hexdigit()
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

const SPECIAL_CHARS: &str = ".\\[{()*+?^$|";
const REPEAT_CHARS: &str = "*+?{";

/// CPython `State`.
struct State {
    flags: u32,
    names: Vec<(String, usize)>,
    /// Width of each closed group (None while open); index 0 is group 0.
    groupwidths: Vec<Option<(u64, u64)>>,
    lookbehindgroups: Option<usize>,
    grouprefpos: Vec<(usize, usize)>,
}

impl State {
    fn groups(&self) -> usize {
        self.groupwidths.len()
    }

    fn opengroup(&mut self, name: Option<&str>) -> Result<usize, String> {
        let gid = self.groups();
        self.groupwidths.push(None);
        if self.groups() > MAXGROUPS {
            return Err("too many groups".into());
        }
        if let Some(name) = name {
            if let Some((_, ogid)) = self.names.iter().find(|(n, _)| n == name) {
                return Err(format!(
                    "redefinition of group name {} as group {gid}; was group {ogid}",
                    py_repr(name)
                ));
            }
            self.names.push((name.to_string(), gid));
        }
        Ok(gid)
    }

    fn group_id(&self, name: &str) -> Option<usize> {
        self.names.iter().find(|(n, _)| n == name).map(|(_, g)| *g)
    }

    fn checkgroup(&self, gid: usize) -> bool {
        gid < self.groups() && self.groupwidths.get(gid).is_some_and(|w| w.is_some())
    }

    fn checklookbehindgroup(&self, gid: usize, source: &Tokenizer) -> Parsed<()> {
        if let Some(lookbehind) = self.lookbehindgroups {
            if !self.checkgroup(gid) {
                return Err(source.error("cannot refer to an open group", 0));
            }
            if gid >= lookbehind {
                return Err(source.error(
                    "cannot refer to group defined in the same lookbehind subpattern",
                    0,
                ));
            }
        }
        Ok(())
    }
}

/// CPython `SubPattern.getwidth`: the (min, max) number of characters a
/// sequence of nodes matches.
pub fn width(nodes: &[Node], groupwidths: &[Option<(u64, u64)>]) -> (u64, u64) {
    let mut lo: u64 = 0;
    let mut hi: u64 = 0;
    for node in nodes {
        match node {
            Node::Branch(items) => {
                let mut i = MAXREPEAT - 1;
                let mut j = 0;
                for item in items {
                    let (l, h) = width(item, groupwidths);
                    i = i.min(l);
                    j = j.max(h);
                }
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::Atomic(body) | Node::Group { body, .. } => {
                let (i, j) = width(body, groupwidths);
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::Repeat { min, max, body, .. } => {
                let (i, j) = width(body, groupwidths);
                lo = lo.saturating_add(i.saturating_mul(*min));
                hi = hi.saturating_add(j.saturating_mul(*max));
            }
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In(_) => {
                lo = lo.saturating_add(1);
                hi = hi.saturating_add(1);
            }
            Node::GroupRef(g) => {
                let (i, j) = groupwidths.get(*g).copied().flatten().unwrap_or((0, 0));
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::GroupRefExists { yes, no, .. } => {
                let (mut i, mut j) = width(yes, groupwidths);
                match no {
                    Some(no) => {
                        let (l, h) = width(no, groupwidths);
                        i = i.min(l);
                        j = j.max(h);
                    }
                    None => i = 0,
                }
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Node::At(_) | Node::Assert { .. } => {}
        }
    }
    (lo.min(MAXREPEAT - 1), hi.min(MAXREPEAT))
}

/// Parses a pattern (`is_text`: a str pattern rather than bytes).
pub fn parse(pattern: &[char], flags: u32, is_text: bool) -> Parsed<ParsedPattern> {
    let mut source = Tokenizer::new(pattern, is_text)?;
    let mut state = State {
        flags,
        names: Vec::new(),
        groupwidths: vec![None],
        lookbehindgroups: None,
        grouprefpos: Vec::new(),
    };
    let verbose = flags & FLAG_VERBOSE != 0;
    let nodes = parse_sub(&mut source, &mut state, verbose, 0)?;
    let flags = fix_flags(state.flags, is_text)?;
    if source.next.is_some() {
        return Err(source.error("unbalanced parenthesis", 0));
    }
    for (g, pos) in &state.grouprefpos {
        if *g >= state.groups() {
            return Err(re_error(format!("invalid group reference {g}"), *pos));
        }
    }
    Ok(ParsedPattern {
        nodes,
        flags,
        groups: state.groups(),
        names: state.names,
        groupwidths: state.groupwidths,
    })
}

/// CPython `fix_flags`.
pub fn fix_flags(mut flags: u32, is_text: bool) -> Parsed<u32> {
    if is_text {
        if flags & FLAG_LOCALE != 0 {
            return Err(ParseError::Value(
                "cannot use LOCALE flag with a str pattern".into(),
            ));
        }
        if flags & FLAG_ASCII == 0 {
            flags |= FLAG_UNICODE;
        } else if flags & FLAG_UNICODE != 0 {
            return Err(ParseError::Value(
                "ASCII and UNICODE flags are incompatible".into(),
            ));
        }
    } else {
        if flags & FLAG_UNICODE != 0 {
            return Err(ParseError::Value(
                "cannot use UNICODE flag with a bytes pattern".into(),
            ));
        }
        if flags & FLAG_LOCALE != 0 && flags & FLAG_ASCII != 0 {
            return Err(ParseError::Value(
                "ASCII and LOCALE flags are incompatible".into(),
            ));
        }
    }
    Ok(flags)
}

/// CPython `_parse_sub`: an alternation `a|b|c`.
fn parse_sub(
    source: &mut Tokenizer,
    state: &mut State,
    mut verbose: bool,
    nested: usize,
) -> Parsed<Vec<Node>> {
    // CPython's parser recurses twice per group level and hits the
    // recursion limit at about 495 levels.
    if nested > 990 {
        return Err(ParseError::Recursion);
    }
    let mut items: Vec<Vec<Node>> = Vec::new();
    loop {
        let first = nested == 0 && items.is_empty();
        items.push(parse_seq(source, state, verbose, nested + 1, first)?);
        if !source.matches('|')? {
            break;
        }
        if nested == 0 {
            verbose = state.flags & FLAG_VERBOSE != 0;
        }
    }
    if items.len() == 1 {
        return Ok(items.pop().unwrap_or_default());
    }
    Ok(vec![Node::Branch(items)])
}

/// CPython `_parse`: a sequence of items.
fn parse_seq(
    source: &mut Tokenizer,
    state: &mut State,
    mut verbose: bool,
    nested: usize,
    first: bool,
) -> Parsed<Vec<Node>> {
    let mut subpattern: Vec<Node> = Vec::new();
    while let Some(this) = source.next {
        if this.is('|') || this.is(')') {
            break;
        }
        source.advance()?;
        if verbose && !this.is_escape() {
            if is_whitespace(this.first) {
                continue;
            }
            if this.first == '#' {
                loop {
                    match source.get()? {
                        None => break,
                        Some(t) if t.is('\n') => break,
                        Some(_) => {}
                    }
                }
                continue;
            }
        }
        if let Some(escaped) = this.second {
            let node = escape(source, escaped, state)?;
            subpattern.push(node);
            continue;
        }
        let c = this.first;
        if !SPECIAL_CHARS.contains(c) {
            subpattern.push(Node::Literal(c));
        } else if c == '[' {
            subpattern.push(parse_set(source)?);
        } else if REPEAT_CHARS.contains(c) {
            if !parse_repeat(source, &mut subpattern, c, &state.groupwidths)? {
                continue;
            }
        } else if c == '.' {
            subpattern.push(Node::Any);
        } else if c == '(' {
            match parse_group(source, state, verbose, nested, first, &subpattern)? {
                GroupResult::Node(node) => subpattern.push(node),
                GroupResult::Comment => {}
                GroupResult::GlobalFlags => verbose = state.flags & FLAG_VERBOSE != 0,
            }
        } else if c == '^' {
            subpattern.push(Node::At(At::Beginning));
        } else if c == '$' {
            subpattern.push(Node::At(At::End));
        }
    }
    // Unpack non-capturing groups without flags, as CPython does.
    let mut out = Vec::with_capacity(subpattern.len());
    for node in subpattern {
        match node {
            Node::Group {
                group: None,
                add_flags: 0,
                del_flags: 0,
                body,
            } => out.extend(body),
            other => out.push(other),
        }
    }
    Ok(out)
}

/// A character set `[...]` (the `[` already read).
fn parse_set(source: &mut Tokenizer) -> Parsed<Node> {
    let here = source.tell() - 1;
    let mut set: Vec<SetItem> = Vec::new();
    let negate = source.matches('^')?;
    loop {
        let Some(this) = source.get()? else {
            return Err(source.error("unterminated character set", source.tell() - here));
        };
        if this.is(']') && !set.is_empty() {
            break;
        }
        let code1 = match this.second {
            Some(e) => class_escape(source, e)?,
            None => SetItem::Literal(this.first),
        };
        if source.matches('-')? {
            let Some(that) = source.get()? else {
                return Err(source.error("unterminated character set", source.tell() - here));
            };
            if that.is(']') {
                set.push(code1);
                set.push(SetItem::Literal('-'));
                break;
            }
            let code2 = match that.second {
                Some(e) => class_escape(source, e)?,
                None => SetItem::Literal(that.first),
            };
            let bad = || format!("bad character range {}-{}", this.text(), that.text());
            let (SetItem::Literal(lo), SetItem::Literal(hi)) = (code1, code2) else {
                return Err(source.error(bad(), this.len() + 1 + that.len()));
            };
            if hi < lo {
                return Err(source.error(bad(), this.len() + 1 + that.len()));
            }
            set.push(SetItem::Range(lo, hi));
        } else {
            set.push(code1);
        }
    }
    let mut unique: Vec<SetItem> = Vec::with_capacity(set.len());
    for item in set {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    if let [SetItem::Literal(c)] = unique.as_slice() {
        return Ok(if negate {
            Node::NotLiteral(*c)
        } else {
            Node::Literal(*c)
        });
    }
    if negate {
        unique.insert(0, SetItem::Negate);
    }
    Ok(Node::In(unique))
}

/// A repeat operator after an item; returns false when `{` turned out to
/// be a literal.
fn parse_repeat(
    source: &mut Tokenizer,
    subpattern: &mut Vec<Node>,
    this: char,
    groupwidths: &[Option<(u64, u64)>],
) -> Parsed<bool> {
    let here = source.tell();
    let (min, max) = match this {
        '?' => (0, 1),
        '*' => (0, MAXREPEAT),
        '+' => (1, MAXREPEAT),
        _ => {
            if source.next_is('}') {
                subpattern.push(Node::Literal(this));
                return Ok(false);
            }
            let mut lo = String::new();
            let mut hi = String::new();
            while source.next_in(is_digit) {
                if let Some(t) = source.get()? {
                    lo.push(t.first);
                }
            }
            if source.matches(',')? {
                while source.next_in(is_digit) {
                    if let Some(t) = source.get()? {
                        hi.push(t.first);
                    }
                }
            } else {
                hi = lo.clone();
            }
            if !source.matches('}')? {
                subpattern.push(Node::Literal(this));
                source.seek(here)?;
                return Ok(false);
            }
            let mut min = 0;
            let mut max = MAXREPEAT;
            if !lo.is_empty() {
                min = parse_count(&lo)?;
            }
            if !hi.is_empty() {
                max = parse_count(&hi)?;
                if max < min {
                    return Err(
                        source.error("min repeat greater than max repeat", source.tell() - here)
                    );
                }
            }
            (min, max)
        }
    };
    let offset = source.tell() - here + 1;
    let item = match subpattern.pop() {
        None | Some(Node::At(_)) => {
            return Err(source.error("nothing to repeat", offset));
        }
        Some(Node::Repeat { .. }) => {
            return Err(source.error("multiple repeat", offset));
        }
        Some(Node::Group {
            group: None,
            add_flags: 0,
            del_flags: 0,
            body,
        }) => body,
        Some(other) => vec![other],
    };
    let _ = groupwidths;
    let kind = if source.matches('?')? {
        RepeatKind::Lazy
    } else if source.matches('+')? {
        RepeatKind::Possessive
    } else {
        RepeatKind::Greedy
    };
    subpattern.push(Node::Repeat {
        kind,
        min,
        max,
        body: item,
    });
    Ok(true)
}

fn parse_count(digits: &str) -> Parsed<u64> {
    let value = digits.parse::<u64>().unwrap_or(u64::MAX);
    if value >= MAXREPEAT {
        return Err(ParseError::Overflow(
            "the repetition number is too large".into(),
        ));
    }
    Ok(value)
}

/// What a `(...)` construct adds to the sequence.
enum GroupResult {
    Node(Node),
    /// `(?#...)`.
    Comment,
    /// `(?x)` at the start: the flags went to the state.
    GlobalFlags,
}

/// A group or extension `(...)` (the `(` already read).
fn parse_group(
    source: &mut Tokenizer,
    state: &mut State,
    verbose: bool,
    nested: usize,
    first: bool,
    subpattern: &[Node],
) -> Parsed<GroupResult> {
    let start = source.tell() - 1;
    let mut capture = true;
    let mut atomic = false;
    let mut name: Option<String> = None;
    let mut add_flags = 0;
    let mut del_flags = 0;
    if source.matches('?')? {
        let Some(char_tok) = source.get()? else {
            return Err(source.error("unexpected end of pattern", 0));
        };
        let ch = if char_tok.is_escape() {
            '\0'
        } else {
            char_tok.first
        };
        if char_tok.is('P') {
            if source.matches('<')? {
                let n = source.getuntil('>', "group name")?;
                source.checkgroupname(&n, 1)?;
                name = Some(n);
            } else if source.matches('=')? {
                let n = source.getuntil(')', "group name")?;
                source.checkgroupname(&n, 1)?;
                let len = n.chars().count();
                let Some(gid) = state.group_id(&n) else {
                    return Err(
                        source.error(format!("unknown group name {}", py_repr(&n)), len + 1)
                    );
                };
                if !state.checkgroup(gid) {
                    return Err(source.error("cannot refer to an open group", len + 1));
                }
                state.checklookbehindgroup(gid, source)?;
                return Ok(GroupResult::Node(Node::GroupRef(gid)));
            } else {
                let Some(next) = source.get()? else {
                    return Err(source.error("unexpected end of pattern", 0));
                };
                return Err(source.error(
                    format!("unknown extension ?P{}", next.text()),
                    next.len() + 2,
                ));
            }
        } else if char_tok.is(':') {
            capture = false;
        } else if char_tok.is('#') {
            loop {
                if source.next.is_none() {
                    return Err(
                        source.error("missing ), unterminated comment", source.tell() - start)
                    );
                }
                if source.get()?.is_some_and(|t| t.is(')')) {
                    break;
                }
            }
            return Ok(GroupResult::Comment);
        } else if !char_tok.is_escape() && "=!<".contains(ch) {
            let mut dir_behind = false;
            let mut kind = ch;
            let mut saved_lookbehind = None;
            if ch == '<' {
                let Some(next) = source.get()? else {
                    return Err(source.error("unexpected end of pattern", 0));
                };
                if next.is_escape() || !"=!".contains(next.first) {
                    return Err(source.error(
                        format!("unknown extension ?<{}", next.text()),
                        next.len() + 2,
                    ));
                }
                kind = next.first;
                dir_behind = true;
                saved_lookbehind = Some(state.lookbehindgroups);
                if state.lookbehindgroups.is_none() {
                    state.lookbehindgroups = Some(state.groups());
                }
            }
            let body = parse_sub(source, state, verbose, nested + 1)?;
            if let Some(None) = saved_lookbehind {
                state.lookbehindgroups = None;
            }
            if !source.matches(')')? {
                return Err(
                    source.error("missing ), unterminated subpattern", source.tell() - start)
                );
            }
            return Ok(GroupResult::Node(Node::Assert {
                negate: kind == '!',
                behind: dir_behind,
                body,
            }));
        } else if char_tok.is('(') {
            return parse_conditional(source, state, verbose, nested, start).map(GroupResult::Node);
        } else if char_tok.is('>') {
            capture = false;
            atomic = true;
        } else if !char_tok.is_escape() && (flag_value(ch).is_some() || ch == '-') {
            match parse_flags(source, state, ch)? {
                None => {
                    if !first || !subpattern.is_empty() {
                        return Err(source.error(
                            "global flags not at the start of the expression",
                            source.tell() - start,
                        ));
                    }
                    return Ok(GroupResult::GlobalFlags);
                }
                Some((add, del)) => {
                    add_flags = add;
                    del_flags = del;
                    capture = false;
                }
            }
        } else {
            return Err(source.error(
                format!("unknown extension ?{}", char_tok.text()),
                char_tok.len() + 1,
            ));
        }
    }
    let group = if capture {
        match state.opengroup(name.as_deref()) {
            Ok(g) => Some(g),
            Err(msg) => {
                let len = name.as_deref().map_or(0, |n| n.chars().count());
                return Err(source.error(msg, len + 1));
            }
        }
    } else {
        None
    };
    let sub_verbose = (verbose || add_flags & FLAG_VERBOSE != 0) && del_flags & FLAG_VERBOSE == 0;
    let body = parse_sub(source, state, sub_verbose, nested + 1)?;
    if !source.matches(')')? {
        return Err(source.error("missing ), unterminated subpattern", source.tell() - start));
    }
    if let Some(g) = group {
        let w = width(&body, &state.groupwidths);
        if let Some(slot) = state.groupwidths.get_mut(g) {
            *slot = Some(w);
        }
    }
    if atomic {
        return Ok(GroupResult::Node(Node::Atomic(body)));
    }
    Ok(GroupResult::Node(Node::Group {
        group,
        add_flags,
        del_flags,
        body,
    }))
}

/// `(?(group)yes|no)`.
fn parse_conditional(
    source: &mut Tokenizer,
    state: &mut State,
    verbose: bool,
    nested: usize,
    start: usize,
) -> Parsed<Node> {
    let condname = source.getuntil(')', "group name")?;
    let len = condname.chars().count();
    let condgroup;
    if is_identifier(&condname) {
        source.checkgroupname(&condname, 1)?;
        match state.group_id(&condname) {
            Some(g) => condgroup = g,
            None => {
                return Err(source.error(
                    format!("unknown group name {}", py_repr(&condname)),
                    len + 1,
                ))
            }
        }
    } else {
        let parsed = parse_python_int(&condname);
        let Some(g) = parsed else {
            return Err(source.error(
                format!("bad character in group name {}", py_repr(&condname)),
                len + 1,
            ));
        };
        if g == 0 {
            return Err(source.error("bad group number", len + 1));
        }
        if g >= MAXGROUPS as u64 {
            return Err(source.error(format!("invalid group reference {g}"), len + 1));
        }
        condgroup = g as usize;
        if !state.grouprefpos.iter().any(|(gg, _)| *gg == condgroup) {
            state.grouprefpos.push((condgroup, source.tell() - len - 1));
        }
    }
    state.checklookbehindgroup(condgroup, source)?;
    let yes = parse_seq(source, state, verbose, nested + 1, false)?;
    let no = if source.matches('|')? {
        let no = parse_seq(source, state, verbose, nested + 1, false)?;
        if source.next_is('|') {
            return Err(source.error("conditional backref with more than two branches", 0));
        }
        Some(no)
    } else {
        None
    };
    if !source.matches(')')? {
        return Err(source.error("missing ), unterminated subpattern", source.tell() - start));
    }
    Ok(Node::GroupRefExists {
        group: condgroup,
        yes,
        no,
    })
}

/// `int(text)` for a non-negative decimal (underscores and surrounding
/// whitespace allowed, as `int()` allows them); None otherwise.
pub(super) fn parse_python_int(text: &str) -> Option<u64> {
    let t = text.trim_matches(crate::text::is_space);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let mut value: u64 = 0;
    for c in t.chars() {
        if c == '_' {
            continue;
        }
        let d = crate::builtins::strings::unicode_tables::decimal_value(c)?;
        value = value.saturating_mul(10).saturating_add(u64::from(d));
    }
    Some(value)
}

fn flag_value(c: char) -> Option<u32> {
    Some(match c {
        'i' => FLAG_IGNORECASE,
        'L' => FLAG_LOCALE,
        'm' => FLAG_MULTILINE,
        's' => FLAG_DOTALL,
        'x' => FLAG_VERBOSE,
        'a' => FLAG_ASCII,
        't' => FLAG_TEMPLATE,
        'u' => FLAG_UNICODE,
        _ => return None,
    })
}

const TYPE_FLAGS: u32 = FLAG_ASCII | FLAG_LOCALE | FLAG_UNICODE;
const GLOBAL_FLAGS: u32 = FLAG_DEBUG | FLAG_TEMPLATE;

/// CPython `_parse_flags`: None for global flags `(?i)`, else the flags
/// added and removed by `(?i-s:...)`.
fn parse_flags(
    source: &mut Tokenizer,
    state: &mut State,
    first: char,
) -> Parsed<Option<(u32, u32)>> {
    let mut add_flags = 0;
    let mut del_flags = 0;
    let mut ch = Some(Tok {
        first,
        second: None,
    });
    let single = |t: Option<Tok>| t.filter(|t| !t.is_escape()).map(|t| t.first);
    if first != '-' {
        loop {
            let c = single(ch).unwrap_or('\0');
            let flag = flag_value(c).unwrap_or(0);
            if source.is_text {
                if c == 'L' {
                    return Err(source.error(
                        "bad inline flags: cannot use 'L' flag with a str pattern",
                        0,
                    ));
                }
            } else if c == 'u' {
                return Err(source.error(
                    "bad inline flags: cannot use 'u' flag with a bytes pattern",
                    0,
                ));
            }
            add_flags |= flag;
            if flag & TYPE_FLAGS != 0 && add_flags & TYPE_FLAGS != flag {
                return Err(source.error(
                    "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                    0,
                ));
            }
            ch = source.get()?;
            let Some(t) = ch else {
                return Err(source.error("missing -, : or )", 0));
            };
            if t.is(')') || t.is('-') || t.is(':') {
                break;
            }
            if single(ch).and_then(flag_value).is_none() {
                let msg = if !t.is_escape() && t.first.is_alphabetic() {
                    "unknown flag"
                } else {
                    "missing -, : or )"
                };
                return Err(source.error(msg, t.len()));
            }
        }
    }
    if ch.is_some_and(|t| t.is(')')) {
        state.flags |= add_flags;
        return Ok(None);
    }
    if add_flags & GLOBAL_FLAGS != 0 {
        return Err(source.error("bad inline flags: cannot turn on global flag", 1));
    }
    if ch.is_some_and(|t| t.is('-')) {
        ch = source.get()?;
        let Some(t) = ch else {
            return Err(source.error("missing flag", 0));
        };
        if single(ch).and_then(flag_value).is_none() {
            let msg = if !t.is_escape() && t.first.is_alphabetic() {
                "unknown flag"
            } else {
                "missing flag"
            };
            return Err(source.error(msg, t.len()));
        }
        loop {
            let flag = single(ch).and_then(flag_value).unwrap_or(0);
            if flag & TYPE_FLAGS != 0 {
                return Err(source.error(
                    "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                    0,
                ));
            }
            del_flags |= flag;
            ch = source.get()?;
            let Some(t) = ch else {
                return Err(source.error("missing :", 0));
            };
            if t.is(':') {
                break;
            }
            if single(ch).and_then(flag_value).is_none() {
                let msg = if !t.is_escape() && t.first.is_alphabetic() {
                    "unknown flag"
                } else {
                    "missing :"
                };
                return Err(source.error(msg, t.len()));
            }
        }
    }
    if del_flags & GLOBAL_FLAGS != 0 {
        return Err(source.error("bad inline flags: cannot turn off global flag", 1));
    }
    if add_flags & del_flags != 0 {
        return Err(source.error("bad inline flags: flag turned on and off", 1));
    }
    Ok(Some((add_flags, del_flags)))
}

fn category_escape(c: char) -> Option<Node> {
    Some(match c {
        'A' => Node::At(At::BeginningString),
        'b' => Node::At(At::Boundary),
        'B' => Node::At(At::NonBoundary),
        'Z' => Node::At(At::EndString),
        _ => Node::In(vec![SetItem::Category(class_category(c)?)]),
    })
}

fn class_category(c: char) -> Option<Category> {
    Some(match c {
        'd' => Category::Digit,
        'D' => Category::NotDigit,
        's' => Category::Space,
        'S' => Category::NotSpace,
        'w' => Category::Word,
        'W' => Category::NotWord,
        _ => return None,
    })
}

pub(super) fn simple_escape(c: char) -> Option<char> {
    Some(match c {
        'a' => '\x07',
        'b' => '\x08',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        '\\' => '\\',
        _ => return None,
    })
}

/// `\x..`, `\u....`, `\U........` (shared by both escape parsers).
fn hex_escape(source: &mut Tokenizer, c: char) -> Parsed<Option<char>> {
    let digits = match c {
        'x' => 2,
        'u' if source.is_text => 4,
        'U' if source.is_text => 8,
        _ => return Ok(None),
    };
    let hex = source.getwhile(digits, is_hexdigit)?;
    let escape = format!("\\{c}{hex}");
    if hex.len() != digits {
        return Err(source.error(
            format!("incomplete escape {escape}"),
            escape.chars().count(),
        ));
    }
    let code = u32::from_str_radix(&hex, 16).unwrap_or(u32::MAX);
    match char::from_u32(code) {
        Some(ch) => Ok(Some(ch)),
        // CPython: chr() raises ValueError, reported as a bad escape.
        None => Err(source.error(format!("bad escape {escape}"), escape.chars().count())),
    }
}

fn named_escape(source: &mut Tokenizer) -> Parsed<char> {
    if !source.matches('{')? {
        return Err(source.error("missing {", 0));
    }
    let name = source.getuntil('}', "character name")?;
    Err(source.error(
        format!("undefined character name {}", py_repr(&name)),
        name.chars().count() + 4,
    ))
}

/// CPython `_class_escape`: an escape inside `[...]`.
fn class_escape(source: &mut Tokenizer, c: char) -> Parsed<SetItem> {
    if let Some(ch) = simple_escape(c) {
        return Ok(SetItem::Literal(ch));
    }
    if let Some(cat) = class_category(c) {
        return Ok(SetItem::Category(cat));
    }
    if let Some(ch) = hex_escape(source, c)? {
        return Ok(SetItem::Literal(ch));
    }
    if c == 'N' && source.is_text {
        return named_escape(source).map(SetItem::Literal);
    }
    if is_octdigit(c) {
        let more = source.getwhile(2, is_octdigit)?;
        let escape = format!("\\{c}{more}");
        let value = u32::from_str_radix(&escape[1..], 8).unwrap_or(0);
        if value > 0o377 {
            return Err(source.error(
                format!("octal escape value {escape} outside of range 0-0o377"),
                escape.chars().count(),
            ));
        }
        return Ok(SetItem::Literal(char::from_u32(value).unwrap_or('\0')));
    }
    if is_digit(c) || c.is_ascii_alphabetic() {
        return Err(source.error(format!("bad escape \\{c}"), 2));
    }
    Ok(SetItem::Literal(c))
}

/// CPython `_escape`: an escape outside a set.
fn escape(source: &mut Tokenizer, c: char, state: &mut State) -> Parsed<Node> {
    if let Some(node) = category_escape(c) {
        return Ok(node);
    }
    if let Some(ch) = simple_escape(c) {
        return Ok(Node::Literal(ch));
    }
    if let Some(ch) = hex_escape(source, c)? {
        return Ok(Node::Literal(ch));
    }
    if c == 'N' && source.is_text {
        return named_escape(source).map(Node::Literal);
    }
    if c == '0' {
        let more = source.getwhile(2, is_octdigit)?;
        let value = u32::from_str_radix(&format!("0{more}"), 8).unwrap_or(0);
        return Ok(Node::Literal(char::from_u32(value).unwrap_or('\0')));
    }
    if is_digit(c) {
        let mut escape = format!("\\{c}");
        if source.next_in(is_digit) {
            let Some(d) = source.get()? else {
                return Err(source.error(format!("bad escape {escape}"), 2));
            };
            escape.push(d.first);
            if is_octdigit(c) && is_octdigit(d.first) && source.next_in(is_octdigit) {
                if let Some(e) = source.get()? {
                    escape.push(e.first);
                }
                let value = u32::from_str_radix(&escape[1..], 8).unwrap_or(0);
                if value > 0o377 {
                    return Err(source.error(
                        format!("octal escape value {escape} outside of range 0-0o377"),
                        escape.len(),
                    ));
                }
                return Ok(Node::Literal(char::from_u32(value).unwrap_or('\0')));
            }
        }
        let group: usize = escape[1..].parse().unwrap_or(0);
        if group < state.groups() {
            if !state.checkgroup(group) {
                return Err(source.error("cannot refer to an open group", escape.len()));
            }
            state.checklookbehindgroup(group, source)?;
            return Ok(Node::GroupRef(group));
        }
        return Err(source.error(format!("invalid group reference {group}"), escape.len() - 1));
    }
    if c.is_ascii_alphabetic() {
        return Err(source.error(format!("bad escape \\{c}"), 2));
    }
    Ok(Node::Literal(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(p: &str) -> Parsed<ParsedPattern> {
        let chars: Vec<char> = p.chars().collect();
        parse(&chars, 0, true)
    }

    fn error_of(p: &str) -> (String, Option<usize>) {
        match parse_str(p) {
            Err(ParseError::Re { msg, pos }) => (msg, pos),
            other => panic!("expected an error for {p:?}, got {other:?}"),
        }
    }

    #[test]
    fn errors_match_cpython() {
        assert_eq!(error_of("*"), ("nothing to repeat".into(), Some(0)));
        assert_eq!(error_of("a**"), ("multiple repeat".into(), Some(2)));
        assert_eq!(
            error_of("(unclosed"),
            ("missing ), unterminated subpattern".into(), Some(0))
        );
        assert_eq!(
            error_of("[a"),
            ("unterminated character set".into(), Some(0))
        );
        assert_eq!(error_of("a)"), ("unbalanced parenthesis".into(), Some(1)));
        assert_eq!(
            error_of("x{3,2}"),
            ("min repeat greater than max repeat".into(), Some(2))
        );
        assert_eq!(
            error_of("(?P<1>a)"),
            ("bad character in group name '1'".into(), Some(4))
        );
        assert_eq!(error_of("\\q"), ("bad escape \\q".into(), Some(0)));
        assert_eq!(
            error_of("(a)\\2"),
            ("invalid group reference 2".into(), Some(4))
        );
        assert_eq!(
            error_of("[z-a]"),
            ("bad character range z-a".into(), Some(1))
        );
    }

    #[test]
    fn flags_and_groups() {
        let p = parse_str("(?i)(a)(?P<x>b)").unwrap();
        assert_eq!(p.flags, FLAG_IGNORECASE | FLAG_UNICODE);
        assert_eq!(p.groups, 3);
        assert_eq!(p.names, vec![("x".to_string(), 2)]);
    }
}
