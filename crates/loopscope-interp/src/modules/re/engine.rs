//! The backtracking matcher: runs a compiled [`Program`] over a text of
//! code points with the semantics of CPython's `Modules/_sre/sre_lib.h`
//! (`SRE(match)` and `SRE(search)`): leftmost match, alternatives in
//! order, greedy and lazy repeats with sre's zero-width protection
//! (`last_ptr`), assertions and atomic groups as sub-matches, and the
//! `match_all` / `must_advance` rules of `fullmatch` and of the empty
//! matches in `finditer`, `sub` and `split`.
//!
//! Instead of sre's recursion the matcher keeps one explicit stack of
//! choice points and of undo records (capture slots, repeat counters), so
//! deep backtracking never grows the native stack. Every step counts
//! against a budget: a catastrophic pattern ends with [`Exhausted`], which
//! the module turns into the run's `hang` status.

use super::chars;
use super::compiler::{is_unbounded, AtCode, CharTest, Inst, Program};

/// The step budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted;

/// A successful match: the span and the capture slots (two per group,
/// group 1 first) and the last group closed.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchResult {
    pub start: usize,
    pub end: usize,
    pub slots: Vec<Option<usize>>,
    pub lastindex: Option<usize>,
}

impl MatchResult {
    /// The span of group `g` (0 is the whole match), if it took part.
    pub fn span(&self, g: usize) -> Option<(usize, usize)> {
        if g == 0 {
            return Some((self.start, self.end));
        }
        let a = (*self.slots.get(2 * (g - 1))?)?;
        let b = (*self.slots.get(2 * (g - 1) + 1)?)?;
        if a <= b {
            Some((a, b))
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct RepeatCtx {
    count: i64,
    last_pos: Option<usize>,
    /// The `Repeat` instruction.
    pc: usize,
}

/// Entries of the backtracking stack: choice points to resume, and undo
/// records applied as the stack unwinds past them.
#[derive(Clone, Copy, Debug)]
enum Entry {
    Branch {
        pc: usize,
        next: usize,
        pos: usize,
    },
    RepeatGreedy {
        pc: usize,
        pos: usize,
        min_pos: usize,
    },
    RepeatLazy {
        pc: usize,
        pos: usize,
        count: u64,
    },
    UntilTail {
        pc: usize,
        pos: usize,
    },
    MinUntilMore {
        pos: usize,
    },
    Slot {
        index: usize,
        old: Option<usize>,
    },
    LastIndex(Option<usize>),
    RepeatState {
        count: i64,
        last_pos: Option<usize>,
    },
    RepeatPushed,
    RepeatPopped(RepeatCtx),
}

impl Entry {
    fn is_undo(&self) -> bool {
        matches!(
            self,
            Entry::Slot { .. }
                | Entry::LastIndex(_)
                | Entry::RepeatState { .. }
                | Entry::RepeatPushed
                | Entry::RepeatPopped(_)
        )
    }
}

/// How a search or match treats its start.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mode {
    /// `fullmatch`: the match must end at `endpos`.
    pub match_all: bool,
    /// After an empty match: a match at the start must not be empty.
    pub must_advance: bool,
}

pub struct Matcher<'a> {
    program: &'a Program,
    text: &'a [char],
    /// `endpos`: the text ends here for the pattern.
    end: usize,
    /// Where this attempt's search started (for `must_advance`).
    search_start: usize,
    mode: Mode,
    slots: Vec<Option<usize>>,
    lastindex: Option<usize>,
    repeats: Vec<RepeatCtx>,
    stack: Vec<Entry>,
    pub steps: u64,
    limit: u64,
}

impl<'a> Matcher<'a> {
    /// A matcher over `text[..end]` for a pattern with `groups` groups
    /// (counting group 0), allowed `limit` steps.
    pub fn new(
        program: &'a Program,
        text: &'a [char],
        end: usize,
        groups: usize,
        limit: u64,
    ) -> Self {
        Matcher {
            program,
            text,
            end: end.min(text.len()),
            search_start: 0,
            mode: Mode::default(),
            slots: vec![None; 2 * groups.saturating_sub(1)],
            lastindex: None,
            repeats: Vec::new(),
            stack: Vec::new(),
            steps: 0,
            limit,
        }
    }

    fn reset(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
        self.lastindex = None;
        self.repeats.clear();
        self.stack.clear();
    }

    fn result(&self, start: usize, end: usize) -> MatchResult {
        MatchResult {
            start,
            end,
            slots: self.slots.clone(),
            lastindex: self.lastindex,
        }
    }

    /// `Pattern.match` / `fullmatch` at `pos`.
    pub fn match_at(&mut self, pos: usize, mode: Mode) -> Result<Option<MatchResult>, Exhausted> {
        self.reset();
        self.mode = mode;
        self.search_start = pos;
        if pos > self.end {
            return Ok(None);
        }
        Ok(self.run(0, pos, true)?.map(|end| self.result(pos, end)))
    }

    /// `Pattern.search` from `pos` (CPython `SRE(search)`).
    pub fn search(
        &mut self,
        pos: usize,
        must_advance: bool,
    ) -> Result<Option<MatchResult>, Exhausted> {
        if pos > self.end {
            return Ok(None);
        }
        // A match found later than `pos` ends after it, so `must_advance`
        // only ever rejects an empty match at `pos` (sre checks it on the
        // first attempt only).
        self.mode = Mode {
            match_all: false,
            must_advance,
        };
        self.search_start = pos;
        let mut start = pos;
        loop {
            if let Some(c) = self.program.first_char {
                // Skip to the next place the known first character occurs.
                let from = start;
                while start < self.end && self.text.get(start) != Some(&c) {
                    start += 1;
                }
                self.tick((start - from) as u64 / 4)?;
                if start >= self.end {
                    return Ok(None);
                }
            }
            self.reset();
            if let Some(end) = self.run(0, start, true)? {
                return Ok(Some(self.result(start, end)));
            }
            if self.program.anchored || start >= self.end {
                return Ok(None);
            }
            start += 1;
        }
    }

    #[inline]
    fn tick(&mut self, n: u64) -> Result<(), Exhausted> {
        self.steps += n;
        if self.steps > self.limit {
            return Err(Exhausted);
        }
        Ok(())
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        if pos < self.end {
            self.text.get(pos).copied()
        } else {
            None
        }
    }

    fn test_at(&self, test: &CharTest, pos: usize) -> bool {
        match self.char_at(pos) {
            Some(c) => test.matches(c, &self.program.sets),
            None => false,
        }
    }

    /// How many times `test` matches from `pos`, at most `max`.
    fn count(&mut self, test: &CharTest, pos: usize, max: u64) -> Result<usize, Exhausted> {
        let limit = if is_unbounded(max) {
            self.end
        } else {
            self.end
                .min(pos.saturating_add(usize::try_from(max).unwrap_or(usize::MAX)))
        };
        let mut p = pos;
        while p < limit && self.test_at(test, p) {
            p += 1;
        }
        self.tick((p - pos) as u64 / 4)?;
        Ok(p - pos)
    }

    fn set_slot(&mut self, index: usize, pos: usize) {
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        let old = *slot;
        *slot = Some(pos);
        self.stack.push(Entry::Slot { index, old });
        if index % 2 == 1 {
            self.stack.push(Entry::LastIndex(self.lastindex));
            self.lastindex = Some(index / 2 + 1);
        }
    }

    fn group_span(&self, group: usize) -> Option<(usize, usize)> {
        if group == 0 {
            return None;
        }
        let a = (*self.slots.get(2 * (group - 1))?)?;
        let b = (*self.slots.get(2 * (group - 1) + 1)?)?;
        if a <= b {
            Some((a, b))
        } else {
            None
        }
    }

    fn at(&self, code: AtCode, pos: usize) -> bool {
        let end = self.end;
        let before = |p: usize| {
            if p > 0 {
                self.text.get(p - 1).copied()
            } else {
                None
            }
        };
        match code {
            AtCode::Beginning | AtCode::BeginningString => pos == 0,
            AtCode::BeginningLine => pos == 0 || before(pos) == Some('\n'),
            AtCode::End => pos == end || (pos + 1 == end && self.char_at(pos) == Some('\n')),
            AtCode::EndLine => pos == end || self.char_at(pos) == Some('\n'),
            AtCode::EndString => pos == end,
            AtCode::Boundary { unicode } | AtCode::NonBoundary { unicode } => {
                if end == 0 {
                    return false;
                }
                let that = pos > 0 && before(pos).is_some_and(|c| chars::is_word(c, unicode));
                let this = self
                    .char_at(pos)
                    .is_some_and(|c| chars::is_word(c, unicode));
                match code {
                    AtCode::Boundary { .. } => this != that,
                    _ => this == that,
                }
            }
        }
    }

    /// Undoes entries down to `base` (choice points are dropped).
    fn unwind_to(&mut self, base: usize) {
        while self.stack.len() > base {
            if let Some(entry) = self.stack.pop() {
                self.undo(entry);
            }
        }
    }

    fn undo(&mut self, entry: Entry) {
        match entry {
            Entry::Slot { index, old } => {
                if let Some(slot) = self.slots.get_mut(index) {
                    *slot = old;
                }
            }
            Entry::LastIndex(old) => self.lastindex = old,
            Entry::RepeatState { count, last_pos } => {
                if let Some(ctx) = self.repeats.last_mut() {
                    ctx.count = count;
                    ctx.last_pos = last_pos;
                }
            }
            Entry::RepeatPushed => {
                self.repeats.pop();
            }
            Entry::RepeatPopped(ctx) => self.repeats.push(ctx),
            _ => {}
        }
    }

    /// After a sub-match succeeded: its choice points go, its undo
    /// records stay (the outer match may still backtrack past it).
    fn cut(&mut self, base: usize) {
        let mut write = base;
        for read in base..self.stack.len() {
            if let Some(&entry) = self.stack.get(read) {
                if entry.is_undo() {
                    if let Some(slot) = self.stack.get_mut(write) {
                        *slot = entry;
                    }
                    write += 1;
                }
            }
        }
        self.stack.truncate(write);
    }

    fn save_repeat(&mut self) {
        if let Some(ctx) = self.repeats.last() {
            self.stack.push(Entry::RepeatState {
                count: ctx.count,
                last_pos: ctx.last_pos,
            });
        }
    }

    /// Leaves a repeat: its context is popped and the tail runs.
    fn pop_repeat(&mut self) {
        if let Some(ctx) = self.repeats.pop() {
            self.stack.push(Entry::RepeatPopped(ctx));
        }
    }

    /// Where a greedy single-character repeat at `pc` tries its tail next,
    /// at or below `from` and not below `min_pos`: sre skips positions
    /// where a literal tail cannot match.
    fn tail_position(&self, pc: usize, from: usize, min_pos: usize) -> Option<usize> {
        if from < min_pos {
            return None;
        }
        let Some(Inst::Test(CharTest::Char(c))) = self.program.insts.get(pc + 1) else {
            return Some(from);
        };
        let mut top = from;
        loop {
            if self.char_at(top) == Some(*c) {
                return Some(top);
            }
            if top == min_pos {
                return None;
            }
            top -= 1;
        }
    }

    /// The repeat parameters of the `Repeat` instruction at `pc`.
    fn repeat_params(&self, pc: usize) -> (u64, u64, bool) {
        match self.program.insts.get(pc) {
            Some(Inst::Repeat { min, max, lazy, .. }) => (*min, *max, *lazy),
            _ => (0, 0, false),
        }
    }

    /// Runs from `pc` at `pos` until `Success` (top level) or `SubSuccess`
    /// (a sub-match): the end position, or None when every alternative
    /// failed (then all its changes are undone).
    fn run(&mut self, pc: usize, pos: usize, toplevel: bool) -> Result<Option<usize>, Exhausted> {
        let base = self.stack.len();
        let mut pc = pc;
        let mut pos = pos;
        let program = self.program;
        'outer: loop {
            self.tick(1)?;
            let ok: bool = match program.insts.get(pc) {
                None => false,
                Some(Inst::Test(test)) if self.test_at(test, pos) => {
                    pos += 1;
                    pc += 1;
                    true
                }
                Some(Inst::At(code)) if self.at(*code, pos) => {
                    pc += 1;
                    true
                }
                Some(Inst::Test(_) | Inst::At(_)) => false,
                Some(Inst::Mark(index)) => {
                    self.set_slot(*index, pos);
                    pc += 1;
                    true
                }
                Some(Inst::Jump(target)) => {
                    pc = *target;
                    true
                }
                Some(Inst::Branch(alternatives)) => match alternatives.first() {
                    Some(&first) => {
                        if alternatives.len() > 1 {
                            self.stack.push(Entry::Branch { pc, next: 1, pos });
                        }
                        pc = first;
                        true
                    }
                    None => false,
                },
                Some(Inst::RepeatOne {
                    test,
                    min,
                    max,
                    kind,
                }) => {
                    let min_n = usize::try_from(*min).unwrap_or(usize::MAX);
                    if min_n > self.end.saturating_sub(pos) {
                        false
                    } else {
                        match kind {
                            super::parser::RepeatKind::Greedy => {
                                let n = self.count(test, pos, *max)?;
                                if n < min_n {
                                    false
                                } else {
                                    let min_pos = pos + min_n;
                                    match self.tail_position(pc, pos + n, min_pos) {
                                        None => false,
                                        Some(top) => {
                                            if top > min_pos {
                                                self.stack.push(Entry::RepeatGreedy {
                                                    pc,
                                                    pos: top,
                                                    min_pos,
                                                });
                                            }
                                            pos = top;
                                            pc += 1;
                                            true
                                        }
                                    }
                                }
                            }
                            super::parser::RepeatKind::Lazy => {
                                let n = if min_n == 0 {
                                    0
                                } else {
                                    self.count(test, pos, *min)?
                                };
                                if n < min_n {
                                    false
                                } else {
                                    pos += n;
                                    self.stack.push(Entry::RepeatLazy {
                                        pc,
                                        pos,
                                        count: n as u64,
                                    });
                                    pc += 1;
                                    true
                                }
                            }
                            super::parser::RepeatKind::Possessive => {
                                let n = self.count(test, pos, *max)?;
                                if n < min_n {
                                    false
                                } else {
                                    pos += n;
                                    pc += 1;
                                    true
                                }
                            }
                        }
                    }
                }
                Some(Inst::Repeat { until, .. }) => {
                    self.repeats.push(RepeatCtx {
                        count: -1,
                        last_pos: None,
                        pc,
                    });
                    self.stack.push(Entry::RepeatPushed);
                    pc = *until;
                    true
                }
                Some(Inst::Until { .. }) => {
                    let Some(ctx) = self.repeats.last().copied() else {
                        return Ok(None);
                    };
                    let (min, max, lazy) = self.repeat_params(ctx.pc);
                    let count = ctx.count + 1;
                    if count < i64::try_from(min).unwrap_or(i64::MAX) {
                        self.save_repeat();
                        if let Some(c) = self.repeats.last_mut() {
                            c.count = count;
                        }
                        pc = ctx.pc + 1;
                    } else if !lazy {
                        let below_max =
                            is_unbounded(max) || count < i64::try_from(max).unwrap_or(i64::MAX);
                        if below_max && ctx.last_pos != Some(pos) {
                            self.stack.push(Entry::UntilTail { pc, pos });
                            self.save_repeat();
                            if let Some(c) = self.repeats.last_mut() {
                                c.count = count;
                                c.last_pos = Some(pos);
                            }
                            pc = ctx.pc + 1;
                        } else {
                            self.pop_repeat();
                            pc += 1;
                        }
                    } else {
                        self.stack.push(Entry::MinUntilMore { pos });
                        self.pop_repeat();
                        pc += 1;
                    }
                    true
                }
                Some(Inst::PossessiveRepeat { min, max, end }) => {
                    let (min, max, end) = (*min, *max, *end);
                    let mut count: u64 = 0;
                    let mut ok = true;
                    while count < min {
                        let mark = self.stack.len();
                        match self.run(pc + 1, pos, false)? {
                            Some(p) => {
                                self.cut(mark);
                                pos = p;
                                count += 1;
                            }
                            None => {
                                ok = false;
                                break;
                            }
                        }
                    }
                    if ok {
                        let mut last: Option<usize> = None;
                        while (is_unbounded(max) || count < max) && last != Some(pos) {
                            last = Some(pos);
                            let mark = self.stack.len();
                            match self.run(pc + 1, pos, false)? {
                                Some(p) => {
                                    self.cut(mark);
                                    pos = p;
                                    count += 1;
                                }
                                None => break,
                            }
                        }
                        pc = end;
                    }
                    ok
                }
                Some(Inst::Atomic { end }) => {
                    let end = *end;
                    let mark = self.stack.len();
                    match self.run(pc + 1, pos, false)? {
                        Some(p) => {
                            self.cut(mark);
                            pos = p;
                            pc = end;
                            true
                        }
                        None => false,
                    }
                }
                Some(Inst::Assert { negate, back, end }) => {
                    let (negate, back, end) = (*negate, *back, *end);
                    if pos < back {
                        if negate {
                            pc = end;
                        }
                        negate
                    } else {
                        let mark = self.stack.len();
                        let found = self.run(pc + 1, pos - back, false)?;
                        match (found.is_some(), negate) {
                            (true, false) => {
                                self.cut(mark);
                                pc = end;
                                true
                            }
                            (true, true) => {
                                self.unwind_to(mark);
                                false
                            }
                            (false, false) => false,
                            (false, true) => {
                                pc = end;
                                true
                            }
                        }
                    }
                }
                Some(Inst::GroupRef { group, fold }) => match self.group_span(*group) {
                    None => false,
                    Some((a, b)) => {
                        let len = b - a;
                        let mut ok = pos + len <= self.end;
                        let mut i = 0;
                        while ok && i < len {
                            let x = self.text.get(a + i).copied();
                            let y = self.char_at(pos + i);
                            ok = match (x, y, fold) {
                                (Some(x), Some(y), None) => x == y,
                                (Some(x), Some(y), Some(unicode)) => {
                                    chars::lower(x, *unicode) == chars::lower(y, *unicode)
                                }
                                _ => false,
                            };
                            i += 1;
                        }
                        self.tick(len as u64 / 4)?;
                        if ok {
                            pos += len;
                            pc += 1;
                        }
                        ok
                    }
                },
                Some(Inst::GroupExists { group, no }) => {
                    if self.group_span(*group).is_some() {
                        pc += 1;
                    } else {
                        pc = *no;
                    }
                    true
                }
                Some(Inst::SubSuccess) => return Ok(Some(pos)),
                Some(Inst::Success) => {
                    let rejected = toplevel
                        && ((self.mode.match_all && pos != self.end)
                            || (self.mode.must_advance && pos == self.search_start));
                    if !rejected {
                        return Ok(Some(pos));
                    }
                    false
                }
            };
            if ok {
                continue;
            }
            // Backtrack: undo records until a choice point resumes.
            loop {
                if self.stack.len() <= base {
                    return Ok(None);
                }
                let Some(entry) = self.stack.pop() else {
                    return Ok(None);
                };
                self.tick(1)?;
                match entry {
                    Entry::Branch {
                        pc: bpc,
                        next,
                        pos: p,
                    } => {
                        let Some(Inst::Branch(alternatives)) = program.insts.get(bpc) else {
                            continue;
                        };
                        let Some(&target) = alternatives.get(next) else {
                            continue;
                        };
                        if next + 1 < alternatives.len() {
                            self.stack.push(Entry::Branch {
                                pc: bpc,
                                next: next + 1,
                                pos: p,
                            });
                        }
                        pc = target;
                        pos = p;
                        continue 'outer;
                    }
                    Entry::RepeatGreedy {
                        pc: rpc,
                        pos: p,
                        min_pos,
                    } => {
                        if p <= min_pos {
                            continue;
                        }
                        let Some(top) = self.tail_position(rpc, p - 1, min_pos) else {
                            continue;
                        };
                        if top > min_pos {
                            self.stack.push(Entry::RepeatGreedy {
                                pc: rpc,
                                pos: top,
                                min_pos,
                            });
                        }
                        pc = rpc + 1;
                        pos = top;
                        continue 'outer;
                    }
                    Entry::RepeatLazy {
                        pc: rpc,
                        pos: p,
                        count,
                    } => {
                        let Some(Inst::RepeatOne { test, max, .. }) = program.insts.get(rpc) else {
                            continue;
                        };
                        if !is_unbounded(*max) && count >= *max {
                            continue;
                        }
                        if !self.test_at(test, p) {
                            continue;
                        }
                        self.stack.push(Entry::RepeatLazy {
                            pc: rpc,
                            pos: p + 1,
                            count: count + 1,
                        });
                        pc = rpc + 1;
                        pos = p + 1;
                        continue 'outer;
                    }
                    Entry::UntilTail { pc: upc, pos: p } => {
                        self.pop_repeat();
                        pc = upc + 1;
                        pos = p;
                        continue 'outer;
                    }
                    Entry::MinUntilMore { pos: p } => {
                        let Some(ctx) = self.repeats.last().copied() else {
                            continue;
                        };
                        let (_, max, _) = self.repeat_params(ctx.pc);
                        let count = ctx.count + 1;
                        let at_max =
                            !is_unbounded(max) && count >= i64::try_from(max).unwrap_or(i64::MAX);
                        if at_max || ctx.last_pos == Some(p) {
                            continue;
                        }
                        self.save_repeat();
                        if let Some(c) = self.repeats.last_mut() {
                            c.count = count;
                            c.last_pos = Some(p);
                        }
                        pc = ctx.pc + 1;
                        pos = p;
                        continue 'outer;
                    }
                    undo => self.undo(undo),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::compiler::compile;
    use super::super::parser::parse;
    use super::*;

    type Found = (usize, usize, Vec<Option<(usize, usize)>>);

    fn find(pattern: &str, text: &str) -> Option<Found> {
        let p: Vec<char> = pattern.chars().collect();
        let parsed = parse(&p, 0, true).expect("parses");
        let program = compile(&parsed.nodes, parsed.flags, &parsed.groupwidths).expect("compiles");
        let t: Vec<char> = text.chars().collect();
        let mut m = Matcher::new(&program, &t, t.len(), parsed.groups, 1_000_000);
        let r = m.search(0, false).expect("within budget")?;
        let groups = (1..parsed.groups).map(|g| r.span(g)).collect();
        Some((r.start, r.end, groups))
    }

    #[test]
    fn basics() {
        assert_eq!(find("b+", "aabbbc"), Some((2, 5, vec![])));
        assert_eq!(find("a(b)?c", "ac"), Some((0, 2, vec![None])));
        assert_eq!(
            find("(a|ab)(c|bcd)(d*)", "abcd").map(|r| r.2),
            Some(vec![Some((0, 1)), Some((1, 4)), Some((4, 4))])
        );
        assert_eq!(
            find(r"(\w+)\s\1", "hello hello"),
            Some((0, 11, vec![Some((0, 5))]))
        );
        assert_eq!(find("a.*?b", "axxbxb"), Some((0, 4, vec![])));
        assert_eq!(find("(?<=a)b", "cbab"), Some((3, 4, vec![])));
        assert_eq!(find("x(?!y)", "xyxz"), Some((2, 3, vec![])));
        assert_eq!(
            find("(?:(a)|b)*", "ab").map(|r| r.2),
            Some(vec![Some((0, 1))])
        );
        assert_eq!(find("(?>a+)b", "aaab"), Some((0, 4, vec![])));
        assert_eq!(find("(?>a+)a", "aaa"), None);
        assert_eq!(find("a++a", "aaa"), None);
        assert_eq!(find("(a*)*b", "aab").map(|r| (r.0, r.1)), Some((0, 3)));
        assert_eq!(find("[а-я]+", "Привет мир"), Some((1, 6, vec![])));
        assert_eq!(find("(?i)привет", "ПРИВЕТ"), Some((0, 6, vec![])));
    }

    #[test]
    fn catastrophic_backtracking_exhausts_the_budget() {
        let p: Vec<char> = "(a*)*b".chars().collect();
        let parsed = parse(&p, 0, true).expect("parses");
        let program = compile(&parsed.nodes, parsed.flags, &parsed.groupwidths).expect("compiles");
        let t: Vec<char> = "a".repeat(40).chars().collect();
        let mut m = Matcher::new(&program, &t, t.len(), parsed.groups, 100_000);
        assert_eq!(m.search(0, false), Err(Exhausted));
    }
}
