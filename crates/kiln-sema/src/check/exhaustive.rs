//! Exhaustiveness of `match` (and irrefutability of `let` patterns).
//!
//! This is the usefulness algorithm of Maranget ("Warnings for pattern matching",
//! JFP 2007) in its witness-producing form: the rows are the arms' patterns, and
//! `missing` looks for a vector of values no row matches, building it constructor by
//! constructor so the error can name an uncovered value such as `Blue` or
//! `Some(false)`. Types with finitely many constructors are `bool`, enums, `Option`,
//! `Result`, tuples and structs. Integers and chars are intervals of numbers: the
//! literals and ranges of a column cut the type's domain into segments that each
//! pattern covers whole or not at all, so each segment acts as one constructor (as in
//! rustc); a sweep over the sorted bounds keeps this near-linear in the number of
//! arms. Strings are the literals of the column plus "any other string". Floats and
//! collections are covered only by a wildcard or binding. Arms with guards are left
//! out by the caller, since a guard may fail.
//!
//! The value named for an integer is the smallest uncovered one at or above 0, else
//! the smallest; for a char, the smallest uncovered printable ASCII one, else the
//! smallest; for a string, the first of `""`, `"a"`, ..., `"z"`, `"aa"`, ... that no
//! arm names (docs/LANGUAGE-NOTES.md).
//!
//! Deciding exhaustiveness is NP-complete, so the search has a budget: patterns whose
//! check would exceed it are rejected as too complex to check (as rustc does), never
//! accepted unchecked, because lowering relies on some arm matching.

use super::Checker;
use crate::hir::{AdtKind, Const, Pat, PatKind};
use crate::ty::{HeapTy, Ty};
use std::collections::{BTreeSet, HashSet};

/// A constructor of a finite type: its display name, field types, and labels.
struct Ctor {
    name: String,
    fields: Vec<Ty>,
    labels: Option<Vec<String>>,
    /// How a pattern for this constructor is recognised.
    tag: CtorTag,
}

#[derive(Clone, Copy, PartialEq)]
enum CtorTag {
    Bool(bool),
    Variant(u32),
    /// The only constructor of a tuple or struct.
    Single,
}

/// The most rows one matrix may have (deep or-patterns multiply them).
const MAX_ROWS: usize = 4096;

/// The most rows the whole search may look at. A match on many `bool`s or variants
/// can otherwise take exponential time.
const MAX_WORK: usize = 200_000;

/// Why patterns are not known to match every value of their type.
pub(crate) enum Uncovered {
    /// This example value is matched by none of them.
    Value(String),
    /// The search gave up: see [`MAX_ROWS`] and [`MAX_WORK`].
    TooComplex,
}

/// The search ran out of its budget.
struct TooComplex;

impl Checker {
    /// Why `pats` together do not match every value of type `ty`, or `None` when
    /// they do.
    pub(crate) fn uncovered(&self, pats: &[&Pat], ty: Ty) -> Option<Uncovered> {
        let rows: Vec<Vec<&Pat>> = pats.iter().map(|p| vec![*p]).collect();
        let mut budget = MAX_WORK;
        match self.missing(rows, &[ty], &mut budget) {
            Ok(w) => w.map(|mut w| Uncovered::Value(w.remove(0))),
            Err(TooComplex) => Some(Uncovered::TooComplex),
        }
    }

    fn ctors(&self, ty: Ty) -> Option<Vec<Ctor>> {
        if ty == Ty::Bool {
            return Some(
                [true, false]
                    .iter()
                    .map(|&b| Ctor {
                        name: b.to_string(),
                        fields: vec![],
                        labels: None,
                        tag: CtorTag::Bool(b),
                    })
                    .collect(),
            );
        }
        match ty.heap()? {
            HeapTy::Tuple(ts) => Some(vec![Ctor {
                name: String::new(),
                fields: ts,
                labels: None,
                tag: CtorTag::Single,
            }]),
            HeapTy::Adt(..) => match &self.adt_of(ty)?.kind {
                AdtKind::Struct(fs) => {
                    let name = self.adt_of(ty)?.name.clone();
                    Some(vec![Ctor {
                        name,
                        fields: fs.iter().map(|(_, t)| *t).collect(),
                        labels: Some(fs.iter().map(|(n, _)| n.clone()).collect()),
                        tag: CtorTag::Single,
                    }])
                }
                AdtKind::Enum(_) => self.variant_ctors(ty),
            },
            HeapTy::Option(_) | HeapTy::Result(..) => self.variant_ctors(ty),
            _ => None,
        }
    }

    fn variant_ctors(&self, ty: Ty) -> Option<Vec<Ctor>> {
        Some(
            self.variants_of(ty)?
                .into_iter()
                .enumerate()
                .map(|(i, (name, fields, labels))| Ctor {
                    name,
                    fields,
                    labels,
                    tag: CtorTag::Variant(i as u32),
                })
                .collect(),
        )
    }

    /// Witness search over a matrix of pattern rows whose columns have types `tys`;
    /// each row looked at costs one unit of `budget`.
    fn missing(
        &self,
        rows: Vec<Vec<&Pat>>,
        tys: &[Ty],
        budget: &mut usize,
    ) -> Result<Option<Vec<String>>, TooComplex> {
        let Some((&ty, rest)) = tys.split_first() else {
            return Ok(rows.is_empty().then(Vec::new));
        };
        if rows.is_empty() {
            // Nothing is matched: any value is a witness (and recursive types must
            // not be unfolded forever).
            return Ok(Some(vec!["_".to_string(); tys.len()]));
        }
        // A row of wildcards matches everything left. Stopping here keeps matches
        // such as `(true, _, _), (_, true, _), ...` from taking exponential time.
        if rows.iter().any(|r| r.iter().all(|p| is_wild(p))) {
            return Ok(None);
        }
        let rows = expand_or(rows);
        if rows.len() > MAX_ROWS {
            return Err(TooComplex);
        }
        *budget = budget.checked_sub(rows.len()).ok_or(TooComplex)?;
        // Split by constructors only when some row tests one here; a column of
        // wildcards is covered exactly when the rest is (and splitting it would
        // unfold recursive types forever).
        let tested = rows.iter().any(|r| !is_wild(r[0]));
        if let Some(domain) = Domain::of(ty).filter(|_| tested) {
            return self.missing_in_domain(&rows, &domain, rest, budget);
        }
        if ty == Ty::Str && tested {
            return self.missing_string(&rows, rest, budget);
        }
        let Some(ctors) = self.ctors(ty).filter(|_| tested) else {
            // Infinitely many values: only rows starting with a wildcard cover them.
            let defaults = wildcard_rows(&rows);
            let Some(mut w) = self.missing(defaults, rest, budget)? else {
                return Ok(None);
            };
            w.insert(0, "_".to_string());
            return Ok(Some(w));
        };
        for c in &ctors {
            let mut col_tys = c.fields.clone();
            col_tys.extend_from_slice(rest);
            let specialised: Vec<Vec<&Pat>> =
                rows.iter().filter_map(|r| specialise(r, c)).collect();
            if let Some(mut w) = self.missing(specialised, &col_tys, budget)? {
                let args: Vec<String> = w.drain(..c.fields.len()).collect();
                w.insert(0, render(c, &args));
                return Ok(Some(w));
            }
        }
        Ok(None)
    }

    /// `missing` for a column of integers or chars that some row tests.
    fn missing_in_domain(
        &self,
        rows: &[Vec<&Pat>],
        domain: &Domain,
        rest: &[Ty],
        budget: &mut usize,
    ) -> Result<Option<Vec<String>>, TooComplex> {
        let defaults = wildcard_rows(rows);
        // Every segment is matched by at least the rows starting with a wildcard,
        // so when those cover the other columns, everything is covered.
        let Some(gap_rest) = self.missing(defaults, rest, budget)? else {
            return Ok(None);
        };
        let intervals: Vec<Interval> = rows
            .iter()
            .enumerate()
            .filter_map(|(row, r)| {
                let (lo, hi) = domain.interval(r[0])?;
                Some(Interval { lo, hi, row })
            })
            .collect();
        let wild_rows: Vec<usize> = (0..rows.len()).filter(|&i| is_wild(rows[i][0])).collect();
        let (preferred, others): (Vec<_>, Vec<_>) = domain
            .segments(&intervals)
            .into_iter()
            .partition(|&(lo, _)| domain.preferred.0 <= lo && lo <= domain.preferred.1);
        // Once the search runs out of budget, a segment that only the wildcard rows
        // match still proves the match non-exhaustive, so look on for one.
        let mut gave_up = false;
        for run in [preferred, others] {
            let mut cover = Cover::new(&intervals);
            for (lo, _) in run {
                cover.advance_to(lo);
                let witness = if cover.active.is_empty() {
                    Some(gap_rest.clone())
                } else if rest.is_empty() || gave_up {
                    // A row that matches here matches the whole value.
                    None
                } else {
                    let mut matching: Vec<usize> = cover.active.iter().copied().collect();
                    matching.extend_from_slice(&wild_rows);
                    matching.sort_unstable();
                    match self.missing_in_segment(rows, &matching, rest, budget) {
                        Ok(w) => w,
                        Err(TooComplex) => {
                            gave_up = true;
                            None
                        }
                    }
                };
                if let Some(mut w) = witness {
                    w.insert(0, domain.render(lo));
                    return Ok(Some(w));
                }
            }
        }
        if gave_up {
            return Err(TooComplex);
        }
        Ok(None)
    }

    /// `missing` for the other columns of the rows `matching` of a segment.
    fn missing_in_segment(
        &self,
        rows: &[Vec<&Pat>],
        matching: &[usize],
        rest: &[Ty],
        budget: &mut usize,
    ) -> Result<Option<Vec<String>>, TooComplex> {
        *budget = budget.checked_sub(matching.len()).ok_or(TooComplex)?;
        let specialised: Vec<Vec<&Pat>> = matching.iter().map(|&i| rows[i][1..].to_vec()).collect();
        self.missing(specialised, rest, budget)
    }

    /// `missing` for a column of strings that some row tests: a string no literal
    /// names is matched only by the rows starting with a wildcard.
    fn missing_string(
        &self,
        rows: &[Vec<&Pat>],
        rest: &[Ty],
        budget: &mut usize,
    ) -> Result<Option<Vec<String>>, TooComplex> {
        let defaults = wildcard_rows(rows);
        let Some(mut w) = self.missing(defaults, rest, budget)? else {
            return Ok(None);
        };
        let named: HashSet<&str> = rows
            .iter()
            .filter_map(|r| match &r[0].kind {
                PatKind::Lit(Const::Str(s)) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        let fresh = (0..)
            .map(nth_word)
            .find(|s| !named.contains(s.as_str()))
            .unwrap_or_default();
        w.insert(0, format!("\"{fresh}\""));
        Ok(Some(w))
    }
}

/// The `n`th of `""`, `"a"`, ..., `"z"`, `"aa"`, `"ab"`, ... (bijective base 26).
fn nth_word(mut n: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The values of an integer or char type, as numbers (`u64` values above
/// `i64::MAX` included, hence `i128`).
struct Domain {
    ty: Ty,
    /// Disjoint, ascending inclusive intervals: chars skip the surrogates.
    pieces: Vec<(i128, i128)>,
    /// Where an uncovered value is looked for first (inclusive): the values at or
    /// above 0, printable ASCII chars.
    preferred: (i128, i128),
}

impl Domain {
    fn of(ty: Ty) -> Option<Domain> {
        let (pieces, preferred) = match ty {
            Ty::Int(i) => (vec![(i.min(), i.max())], (0, i.max())),
            Ty::Char => (vec![(0, 0xD7FF), (0xE000, 0x10FFFF)], (0x20, 0x7E)),
            _ => return None,
        };
        Some(Domain {
            ty,
            pieces,
            preferred,
        })
    }

    /// The number a literal stands for in this domain.
    fn value(&self, c: &Const) -> Option<i128> {
        match (c, self.ty) {
            // `Const::Int` holds the bits of the value, so a `u64` above
            // `i64::MAX` is negative there.
            (Const::Int(v), Ty::Int(i)) if !i.signed() => Some(*v as u64 as i128),
            (Const::Int(v), Ty::Int(_)) => Some(*v as i128),
            (Const::Char(c), Ty::Char) => Some(*c as i128),
            _ => None,
        }
    }

    /// The inclusive interval a literal or range pattern matches; `None` for other
    /// patterns and for empty ranges, which match nothing.
    fn interval(&self, p: &Pat) -> Option<(i128, i128)> {
        match &p.kind {
            PatKind::Lit(c) => {
                let v = self.value(c)?;
                Some((v, v))
            }
            PatKind::Range { lo, hi, inclusive } => {
                let lo = self.value(lo)?;
                let hi = self.value(hi)? - i128::from(!*inclusive);
                (lo <= hi).then_some((lo, hi))
            }
            _ => None,
        }
    }

    /// The domain cut at every bound of `intervals` and of the preferred part,
    /// ascending: each pattern matches each segment whole or not at all.
    fn segments(&self, intervals: &[Interval]) -> Vec<(i128, i128)> {
        let mut cuts: Vec<i128> = Vec::with_capacity(2 * intervals.len() + 2 * self.pieces.len());
        for i in intervals {
            cuts.push(i.lo);
            cuts.push(i.hi + 1);
        }
        for &(lo, hi) in self.pieces.iter().chain([&self.preferred]) {
            cuts.push(lo);
            cuts.push(hi + 1);
        }
        cuts.sort_unstable();
        cuts.dedup();
        cuts.windows(2)
            .map(|w| (w[0], w[1] - 1))
            .filter(|&(lo, _)| self.pieces.iter().any(|&(a, b)| a <= lo && lo <= b))
            .collect()
    }

    /// `v` as it is written in source.
    fn render(&self, v: i128) -> String {
        match u32::try_from(v).ok().and_then(char::from_u32) {
            Some(c) if self.ty == Ty::Char => format!("'{}'", escape_char(c)),
            _ => v.to_string(),
        }
    }
}

/// The values a row's first pattern matches, inclusive.
struct Interval {
    lo: i128,
    hi: i128,
    row: usize,
}

/// A sweep over ascending points: which rows' intervals contain the current one.
struct Cover<'a> {
    intervals: &'a [Interval],
    /// Indices into `intervals`, by ascending `lo` and by ascending `hi`.
    by_lo: Vec<usize>,
    by_hi: Vec<usize>,
    next_lo: usize,
    next_hi: usize,
    /// The rows whose interval contains the current point.
    active: BTreeSet<usize>,
}

impl<'a> Cover<'a> {
    fn new(intervals: &'a [Interval]) -> Self {
        let mut by_lo: Vec<usize> = (0..intervals.len()).collect();
        let mut by_hi = by_lo.clone();
        by_lo.sort_unstable_by_key(|&i| intervals[i].lo);
        by_hi.sort_unstable_by_key(|&i| intervals[i].hi);
        Cover {
            intervals,
            by_lo,
            by_hi,
            next_lo: 0,
            next_hi: 0,
            active: BTreeSet::new(),
        }
    }

    /// Moves to `point`, which must not be below the previous one.
    fn advance_to(&mut self, point: i128) {
        while let Some(&i) = self.by_lo.get(self.next_lo) {
            if self.intervals[i].lo > point {
                break;
            }
            if self.intervals[i].hi >= point {
                self.active.insert(self.intervals[i].row);
            }
            self.next_lo += 1;
        }
        while let Some(&i) = self.by_hi.get(self.next_hi) {
            if self.intervals[i].hi >= point {
                break;
            }
            self.active.remove(&self.intervals[i].row);
            self.next_hi += 1;
        }
    }
}

fn is_wild(p: &Pat) -> bool {
    matches!(p.kind, PatKind::Wild | PatKind::Bind(_))
}

/// Rows whose first pattern is an `|` become one row per alternative.
fn expand_or(rows: Vec<Vec<&Pat>>) -> Vec<Vec<&Pat>> {
    let mut out = Vec::new();
    let mut work = rows;
    while let Some(row) = work.pop() {
        match row.first().map(|p| &p.kind) {
            Some(PatKind::Or(alts)) => {
                for a in alts.iter().rev() {
                    let mut r = vec![a];
                    r.extend_from_slice(&row[1..]);
                    work.push(r);
                }
            }
            _ => out.push(row),
        }
    }
    out.reverse();
    out
}

/// The row for values made by constructor `c`, or `None` when the row's first
/// pattern cannot match them.
fn specialise<'p>(row: &[&'p Pat], c: &Ctor) -> Option<Vec<&'p Pat>> {
    let (first, rest) = row.split_first()?;
    let mut out: Vec<&'p Pat> = match (&first.kind, c.tag) {
        (PatKind::Wild | PatKind::Bind(_), _) => vec![&WILD; c.fields.len()],
        (PatKind::Lit(Const::Bool(b)), CtorTag::Bool(want)) if *b == want => Vec::new(),
        (PatKind::Lit(_), CtorTag::Bool(_)) => return None,
        (PatKind::Variant { tag, fields }, CtorTag::Variant(want)) if *tag == want => {
            if fields.is_empty() {
                vec![&WILD; c.fields.len()]
            } else {
                fields.iter().collect()
            }
        }
        (PatKind::Variant { .. }, _) => return None,
        (PatKind::Fields(fs), CtorTag::Single) => fs.iter().collect(),
        _ => return None,
    };
    out.extend_from_slice(rest);
    Some(out)
}

static WILD: Pat = Pat {
    kind: PatKind::Wild,
    ty: Ty::Error,
    span: kiln_syntax::Span {
        file: kiln_syntax::FileId(0),
        lo: 0,
        hi: 0,
    },
};

fn render(c: &Ctor, args: &[String]) -> String {
    if c.tag == CtorTag::Single && c.name.is_empty() {
        return if args.len() == 1 {
            format!("({},)", args[0])
        } else {
            format!("({})", args.join(", "))
        };
    }
    if args.is_empty() {
        return c.name.clone();
    }
    let parts: Vec<String> = match &c.labels {
        Some(labels) => labels
            .iter()
            .zip(args)
            .map(|(l, a)| format!("{l}: {a}"))
            .collect(),
        None => args.to_vec(),
    };
    format!("{}({})", c.name, parts.join(", "))
}

/// A char as written inside a char literal.
fn escape_char(c: char) -> String {
    match c {
        '\0' => "\\0".into(),
        '\n' => "\\n".into(),
        '\t' => "\\t".into(),
        '\r' => "\\r".into(),
        '\\' => "\\\\".into(),
        '\'' => "\\'".into(),
        ' '..='~' => c.into(),
        c if c.is_alphanumeric() => c.into(),
        c => format!("\\u{{{:X}}}", c as u32),
    }
}

/// The rows whose first pattern matches anything, without that pattern: what is
/// left to cover for a value no row tests specifically.
fn wildcard_rows<'p>(rows: &[Vec<&'p Pat>]) -> Vec<Vec<&'p Pat>> {
    rows.iter()
        .filter(|r| is_wild(r[0]))
        .map(|r| r[1..].to_vec())
        .collect()
}
