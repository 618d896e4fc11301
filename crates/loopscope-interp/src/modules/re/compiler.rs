//! From the parsed tree to the matcher's program, following CPython 3.11
//! `Lib/re/_compiler.py`: flags are resolved per node (case-insensitive
//! literals and sets, `^`/`$` under MULTILINE, `.` under DOTALL, Unicode or
//! ASCII classes), single-character repeats become `RepeatOne`, others a
//! `Repeat`/`Until` pair, and assertions, atomic groups and possessive
//! repeats run their body as a sub-match.

use super::chars;
use super::flags::*;
use super::parser::{width, At, Category, Node, ParseError, RepeatKind, SetItem, MAXREPEAT};

/// A test of one character.
#[derive(Clone, Copy, Debug)]
pub enum CharTest {
    Char(char),
    NotChar(char),
    /// The character's lowercase is this one (`LITERAL_UNI_IGNORE`).
    Fold {
        lower: char,
        unicode: bool,
    },
    NotFold {
        lower: char,
        unicode: bool,
    },
    /// `.` without DOTALL.
    Any,
    AnyAll,
    Set(usize),
}

/// Position assertions with their flags resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtCode {
    Beginning,
    BeginningLine,
    BeginningString,
    End,
    EndLine,
    EndString,
    Boundary { unicode: bool },
    NonBoundary { unicode: bool },
}

#[derive(Clone, Debug)]
pub enum Inst {
    Test(CharTest),
    At(AtCode),
    /// Records the position in capture slot N (group `N/2 + 1`).
    Mark(usize),
    /// Alternatives, tried in order; each ends with a `Jump` past them.
    Branch(Vec<usize>),
    Jump(usize),
    /// A repeated single-character test; the tail follows.
    RepeatOne {
        test: CharTest,
        min: u64,
        max: u64,
        kind: RepeatKind,
    },
    /// A general greedy or lazy repeat: the body follows, then `until`.
    Repeat {
        min: u64,
        max: u64,
        lazy: bool,
        until: usize,
    },
    /// The end of a repeat's body (`MAX_UNTIL` / `MIN_UNTIL`).
    Until {
        repeat: usize,
    },
    /// A possessive repeat: each iteration is a sub-match.
    PossessiveRepeat {
        min: u64,
        max: u64,
        end: usize,
    },
    /// `(?>...)`: the body is a sub-match; the tail is at `end`.
    Atomic {
        end: usize,
    },
    /// A look-ahead (`back` 0) or look-behind over `back` characters.
    Assert {
        negate: bool,
        back: usize,
        end: usize,
    },
    GroupRef {
        group: usize,
        fold: Option<bool>,
    },
    /// `(?(group)yes|no)`: yes follows, no at `no`.
    GroupExists {
        group: usize,
        no: usize,
    },
    /// The end of a sub-match.
    SubSuccess,
    /// The end of the pattern.
    Success,
}

/// A character set `[...]` ready for matching.
#[derive(Clone, Debug, Default)]
pub struct CharSet {
    negate: bool,
    unicode: bool,
    /// Test the character's lowercase (`IN_UNI_IGNORE`).
    fold: bool,
    /// Single members, sorted (lowered when folding).
    chars: Vec<char>,
    ranges: Vec<(char, char)>,
    /// Ranges too large to lower member by member (folding only).
    fold_ranges: Vec<(char, char)>,
    categories: Vec<Category>,
}

/// Ranges up to this size are lowered member by member when folding.
const FOLD_EXPAND_LIMIT: u32 = 1024;

impl CharSet {
    pub fn contains(&self, ch: char) -> bool {
        let c = if self.fold {
            chars::lower(ch, self.unicode)
        } else {
            ch
        };
        let hit = self.chars.binary_search(&c).is_ok()
            || self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
            || self
                .categories
                .iter()
                .any(|&cat| chars::in_category(cat, c, self.unicode))
            || (!self.fold_ranges.is_empty() && self.in_fold_ranges(c));
        hit != self.negate
    }

    /// Is there a member of a large range whose lowercase is `lowered` or
    /// one of its extra case equivalents?
    fn in_fold_ranges(&self, lowered: char) -> bool {
        let unicode = self.unicode;
        let mut targets = vec![lowered];
        if unicode {
            targets.extend(chars::extra_cases(lowered));
        }
        targets.iter().any(|&t| {
            [t, chars::upper(t, unicode)].iter().any(|&m| {
                chars::lower(m, unicode) == t
                    && self.fold_ranges.iter().any(|&(lo, hi)| lo <= m && m <= hi)
            })
        })
    }
}

impl CharTest {
    /// Does the character pass? (`sets` is the program's set table.)
    #[inline]
    pub fn matches(&self, c: char, sets: &[CharSet]) -> bool {
        match *self {
            CharTest::Char(x) => c == x,
            CharTest::NotChar(x) => c != x,
            CharTest::Fold { lower, unicode } => chars::lower(c, unicode) == lower,
            CharTest::NotFold { lower, unicode } => chars::lower(c, unicode) != lower,
            CharTest::Any => c != '\n',
            CharTest::AnyAll => true,
            CharTest::Set(i) => sets.get(i).is_some_and(|s| s.contains(c)),
        }
    }
}

/// A compiled pattern.
#[derive(Debug, Default)]
pub struct Program {
    pub insts: Vec<Inst>,
    pub sets: Vec<CharSet>,
    /// A character every match starts with, when one is known.
    pub first_char: Option<char>,
    /// The pattern starts with `^` (not MULTILINE) or `\A`.
    pub anchored: bool,
}

struct Compiler<'a> {
    program: Program,
    groupwidths: &'a [Option<(u64, u64)>],
}

/// Compiles a parsed pattern with its final flags.
pub fn compile(
    nodes: &[Node],
    flags: u32,
    groupwidths: &[Option<(u64, u64)>],
) -> Result<Program, ParseError> {
    let mut c = Compiler {
        program: Program::default(),
        groupwidths,
    };
    c.seq(nodes, flags)?;
    c.emit(Inst::Success);
    let mut program = c.program;
    program.anchored = matches!(
        program.insts.first(),
        Some(Inst::At(AtCode::Beginning | AtCode::BeginningString))
    );
    program.first_char = first_char(&program.insts);
    Ok(program)
}

fn first_char(insts: &[Inst]) -> Option<char> {
    for inst in insts {
        match inst {
            Inst::Mark(_) => continue,
            Inst::Test(CharTest::Char(c)) => return Some(*c),
            Inst::RepeatOne {
                test: CharTest::Char(c),
                min,
                ..
            } if *min > 0 => return Some(*c),
            _ => return None,
        }
    }
    None
}

/// CPython `_combine_flags`.
fn combine_flags(flags: u32, add: u32, del: u32) -> u32 {
    let type_flags = FLAG_ASCII | FLAG_LOCALE | FLAG_UNICODE;
    let mut flags = flags;
    if add & type_flags != 0 {
        flags &= !type_flags;
    }
    (flags | add) & !del
}

/// CPython `_simple`: a repeat body that is one character wide.
fn simple(body: &[Node]) -> bool {
    match body {
        [Node::Group {
            group: None, body, ..
        }] => simple(body),
        [Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In(_)] => true,
        _ => false,
    }
}

impl Compiler<'_> {
    fn emit(&mut self, inst: Inst) -> usize {
        self.program.insts.push(inst);
        self.program.insts.len() - 1
    }

    fn here(&self) -> usize {
        self.program.insts.len()
    }

    fn patch(&mut self, at: usize, target: usize) {
        match self.program.insts.get_mut(at) {
            Some(Inst::Jump(t))
            | Some(Inst::Atomic { end: t })
            | Some(Inst::Assert { end: t, .. })
            | Some(Inst::PossessiveRepeat { end: t, .. })
            | Some(Inst::Repeat { until: t, .. })
            | Some(Inst::GroupExists { no: t, .. }) => *t = target,
            _ => {}
        }
    }

    fn seq(&mut self, nodes: &[Node], flags: u32) -> Result<(), ParseError> {
        for node in nodes {
            self.node(node, flags)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, flags: u32) -> Result<(), ParseError> {
        match node {
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In(_) => {
                let test = self.char_test(node, flags);
                self.emit(Inst::Test(test));
            }
            Node::At(at) => {
                let multiline = flags & FLAG_MULTILINE != 0;
                let unicode = flags & FLAG_UNICODE != 0;
                let code = match at {
                    At::Beginning if multiline => AtCode::BeginningLine,
                    At::Beginning => AtCode::Beginning,
                    At::End if multiline => AtCode::EndLine,
                    At::End => AtCode::End,
                    At::BeginningString => AtCode::BeginningString,
                    At::EndString => AtCode::EndString,
                    At::Boundary => AtCode::Boundary { unicode },
                    At::NonBoundary => AtCode::NonBoundary { unicode },
                };
                self.emit(Inst::At(code));
            }
            Node::Branch(alternatives) => {
                let branch = self.emit(Inst::Branch(Vec::new()));
                let mut starts = Vec::with_capacity(alternatives.len());
                let mut jumps = Vec::with_capacity(alternatives.len());
                for alternative in alternatives {
                    starts.push(self.here());
                    self.seq(alternative, flags)?;
                    jumps.push(self.emit(Inst::Jump(0)));
                }
                let end = self.here();
                for j in jumps {
                    self.patch(j, end);
                }
                if let Some(Inst::Branch(s)) = self.program.insts.get_mut(branch) {
                    *s = starts;
                }
            }
            Node::Group {
                group,
                add_flags,
                del_flags,
                body,
            } => {
                let inner = combine_flags(flags, *add_flags, *del_flags);
                if let Some(g) = group {
                    self.emit(Inst::Mark((g - 1) * 2));
                    self.seq(body, inner)?;
                    self.emit(Inst::Mark((g - 1) * 2 + 1));
                } else {
                    self.seq(body, inner)?;
                }
            }
            Node::Atomic(body) => {
                let start = self.emit(Inst::Atomic { end: 0 });
                self.seq(body, flags)?;
                self.emit(Inst::SubSuccess);
                let end = self.here();
                self.patch(start, end);
            }
            Node::Repeat {
                kind,
                min,
                max,
                body,
            } => self.repeat(*kind, *min, *max, body, flags)?,
            Node::GroupRef(group) => {
                let fold = if flags & FLAG_IGNORECASE != 0 {
                    Some(flags & FLAG_UNICODE != 0)
                } else {
                    None
                };
                self.emit(Inst::GroupRef {
                    group: *group,
                    fold,
                });
            }
            Node::GroupRefExists { group, yes, no } => {
                let start = self.emit(Inst::GroupExists {
                    group: *group,
                    no: 0,
                });
                self.seq(yes, flags)?;
                match no {
                    Some(no) => {
                        let jump = self.emit(Inst::Jump(0));
                        let here = self.here();
                        self.patch(start, here);
                        self.seq(no, flags)?;
                        let end = self.here();
                        self.patch(jump, end);
                    }
                    None => {
                        let here = self.here();
                        self.patch(start, here);
                    }
                }
            }
            Node::Assert {
                negate,
                behind,
                body,
            } => {
                let back = if *behind {
                    let (lo, hi) = width(body, self.groupwidths);
                    if lo != hi {
                        return Err(ParseError::Re {
                            msg: "look-behind requires fixed-width pattern".into(),
                            pos: None,
                        });
                    }
                    usize::try_from(lo).unwrap_or(usize::MAX)
                } else {
                    0
                };
                let start = self.emit(Inst::Assert {
                    negate: *negate,
                    back,
                    end: 0,
                });
                self.seq(body, flags)?;
                self.emit(Inst::SubSuccess);
                let end = self.here();
                self.patch(start, end);
            }
        }
        Ok(())
    }

    fn repeat(
        &mut self,
        kind: RepeatKind,
        min: u64,
        max: u64,
        body: &[Node],
        flags: u32,
    ) -> Result<(), ParseError> {
        if simple(body) {
            let (node, inner) = single_node(body, flags);
            if let Some(node) = node {
                let test = self.char_test(node, inner);
                self.emit(Inst::RepeatOne {
                    test,
                    min,
                    max,
                    kind,
                });
                return Ok(());
            }
        }
        match kind {
            RepeatKind::Possessive => {
                let start = self.emit(Inst::PossessiveRepeat { min, max, end: 0 });
                self.seq(body, flags)?;
                self.emit(Inst::SubSuccess);
                let end = self.here();
                self.patch(start, end);
            }
            RepeatKind::Greedy | RepeatKind::Lazy => {
                let start = self.emit(Inst::Repeat {
                    min,
                    max,
                    lazy: kind == RepeatKind::Lazy,
                    until: 0,
                });
                self.seq(body, flags)?;
                let until = self.emit(Inst::Until { repeat: start });
                self.patch(start, until);
            }
        }
        Ok(())
    }

    /// The test for a one-character node under `flags`.
    fn char_test(&mut self, node: &Node, flags: u32) -> CharTest {
        let ignore = flags & FLAG_IGNORECASE != 0;
        let unicode = flags & FLAG_UNICODE != 0;
        match node {
            Node::Literal(c) | Node::NotLiteral(c) => {
                let negate = matches!(node, Node::NotLiteral(_));
                if !ignore || !chars::is_cased(*c, unicode) {
                    return if negate {
                        CharTest::NotChar(*c)
                    } else {
                        CharTest::Char(*c)
                    };
                }
                let lower = chars::lower(*c, unicode);
                let extra: Vec<char> = if unicode {
                    chars::extra_cases(lower).collect()
                } else {
                    Vec::new()
                };
                if extra.is_empty() {
                    return if negate {
                        CharTest::NotFold { lower, unicode }
                    } else {
                        CharTest::Fold { lower, unicode }
                    };
                }
                let mut members = vec![lower];
                members.extend(extra);
                members.sort_unstable();
                members.dedup();
                self.add_set(CharSet {
                    negate,
                    unicode,
                    fold: true,
                    chars: members,
                    ..CharSet::default()
                })
            }
            Node::Any => {
                if flags & FLAG_DOTALL != 0 {
                    CharTest::AnyAll
                } else {
                    CharTest::Any
                }
            }
            Node::In(items) => {
                let set = build_set(items, ignore, unicode);
                self.add_set(set)
            }
            _ => CharTest::AnyAll,
        }
    }

    fn add_set(&mut self, set: CharSet) -> CharTest {
        self.program.sets.push(set);
        CharTest::Set(self.program.sets.len() - 1)
    }
}

/// The single node of a simple repeat body and the flags it runs under.
fn single_node(body: &[Node], flags: u32) -> (Option<&Node>, u32) {
    match body {
        [Node::Group {
            group: None,
            add_flags,
            del_flags,
            body,
        }] => single_node(body, combine_flags(flags, *add_flags, *del_flags)),
        [node] => (Some(node), flags),
        _ => (None, flags),
    }
}

/// CPython `_optimize_charset` for our set representation: under
/// IGNORECASE members are lowered (with their extra cases) and the
/// character's lowercase is tested, if any member is cased.
fn build_set(items: &[SetItem], ignore: bool, unicode: bool) -> CharSet {
    let mut set = CharSet {
        unicode,
        ..CharSet::default()
    };
    let mut has_cased = false;
    for item in items {
        match *item {
            SetItem::Negate => set.negate = true,
            SetItem::Category(cat) => set.categories.push(cat),
            SetItem::Literal(c) => {
                if ignore {
                    let lower = chars::lower(c, unicode);
                    set.chars.push(lower);
                    if unicode {
                        set.chars.extend(chars::extra_cases(lower));
                    }
                    has_cased |= chars::is_cased(c, unicode);
                } else {
                    set.chars.push(c);
                }
            }
            SetItem::Range(lo, hi) => {
                if !ignore {
                    set.ranges.push((lo, hi));
                    continue;
                }
                let (lo_code, hi_code) = (lo as u32, hi as u32);
                if hi_code - lo_code <= FOLD_EXPAND_LIMIT {
                    for code in lo_code..=hi_code {
                        let Some(c) = char::from_u32(code) else {
                            continue;
                        };
                        let lower = chars::lower(c, unicode);
                        set.chars.push(lower);
                        if unicode {
                            set.chars.extend(chars::extra_cases(lower));
                        }
                        has_cased |= chars::is_cased(c, unicode);
                    }
                } else {
                    set.fold_ranges.push((lo, hi));
                    set.ranges.push((lo, hi));
                    has_cased = true;
                }
            }
        }
    }
    if ignore && !has_cased {
        // No cased member: CPython emits a plain IN (tests the character
        // itself); members were not changed by lowering.
        set.fold_ranges.clear();
    } else if ignore {
        set.fold = true;
    }
    set.chars.sort_unstable();
    set.chars.dedup();
    set
}

/// `MAXREPEAT` as a usize bound for counting.
pub fn is_unbounded(max: u64) -> bool {
    max >= MAXREPEAT
}
