//! The parser: tokens to an [`ast::Module`](crate::ast::Module), always with a tree.
//!
//! This module holds the token cursor, error reporting and recovery shared by the
//! grammar files: `item.rs` (declarations), `stmt.rs` (blocks and statements),
//! `expr.rs` (operators, postfix forms, literals), `control.rs` (`if`, loops,
//! `match`, closures, jumps), `string.rs` (interpolation), `pattern.rs` and
//! `types.rs`.
//!
//! **Invariant:** the parser never panics and never loops forever, whatever the
//! input. On an error it reports one diagnostic, puts an `Error` node in the tree
//! and skips to a point where parsing can resume. Three guards back this up:
//! every loop must consume a token or stop; a fuel counter makes the cursor look
//! like end of input if it stalls (a bug, reported as such); and nesting beyond
//! the [`MAX_DEPTH`] budget is cut off with a diagnostic instead of overflowing the
//! stack. The parser must never resolve names or check types.

mod control;
mod expr;
mod item;
mod pattern;
mod stmt;
mod string;
mod types;

use crate::ast::Module;
use crate::diagnostic::Diagnostic;
use crate::lexer::lex;
use crate::span::{FileId, Span};
use crate::token::{Token, TokenKind};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};

/// The nesting budget. Each nested bracket, block, operand or body costs
/// [`NESTING_COST`] units and each link of a chain such as `a + b + c` or
/// `x.f().g()` one unit, so input may nest 128 levels deep or chain 256 links
/// long. Both bound the depth of the tree, which later stages walk recursively;
/// nesting is dearer because the parser itself recurses for it (about 7 KiB of
/// stack per level in a debug build).
pub const MAX_DEPTH: u32 = 256;

/// What one level of real nesting costs of [`MAX_DEPTH`].
const NESTING_COST: u32 = 2;

/// How many times the parser may look at the same token before it is considered
/// stuck. Legitimate parsing looks at one token a few dozen times at most, even
/// when unwinding from [`MAX_DEPTH`].
const FUEL: u32 = 100_000;

/// Parses one file. Returns the tree and every lexical and syntax error, in
/// source order.
pub fn parse(file: FileId, src: &str) -> (Module, Vec<Diagnostic>) {
    let (tokens, mut diags) = lex(file, src);
    let mut parser = Parser::new(file, src, tokens);
    let module = parser.parse_module();
    let syntax_errors = without_lexical_cascades(src, &diags, parser.diags);
    diags.extend(syntax_errors);
    diags.sort_by_key(|d| d.span.lo);
    (module, diags)
}

/// Drops the syntax errors that come after a lexical error on the same line:
/// those are almost always caused by it (a skipped character, a broken literal).
fn without_lexical_cascades(
    src: &str,
    lexical: &[Diagnostic],
    syntax: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    if lexical.is_empty() {
        return syntax;
    }
    let newlines: Vec<u32> = src
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i as u32)
        .collect();
    let line_of = |offset: u32| newlines.partition_point(|n| *n < offset);
    // The first lexical error of each line, by line.
    let mut first_on_line: HashMap<usize, u32> = HashMap::new();
    for d in lexical {
        let lo = first_on_line.entry(line_of(d.span.lo)).or_insert(d.span.lo);
        *lo = (*lo).min(d.span.lo);
    }
    syntax
        .into_iter()
        .filter(|d| {
            first_on_line
                .get(&line_of(d.span.lo))
                .is_none_or(|lo| *lo > d.span.lo)
        })
        .collect()
}

pub(crate) struct Parser<'s> {
    file: FileId,
    src: &'s str,
    /// Always ends with an `Eof` token.
    tokens: Vec<Token>,
    pos: usize,
    /// The span of the last consumed token.
    prev_span: Span,
    diags: Vec<Diagnostic>,
    /// Start offsets of the errors reported so far, so that one position gets
    /// at most one error.
    reported: HashSet<u32>,
    depth: u32,
    too_deep_reported: bool,
    /// Set when input nested too deeply was skipped, until the next statement
    /// starts: the constructs around the skipped input then see tokens out of
    /// place, and reporting that too would give one mistake several diagnostics.
    skipped_too_deep: bool,
    fuel: Cell<u32>,
    stuck_reported: bool,
    /// Parsing the expression of a string interpolation: `Eof` is its end.
    in_interp: bool,
}

impl<'s> Parser<'s> {
    fn new(file: FileId, src: &'s str, mut tokens: Vec<Token>) -> Parser<'s> {
        if tokens.last().is_none_or(|t| t.kind != TokenKind::Eof) {
            let end = src.len() as u32;
            tokens.push(Token {
                kind: TokenKind::Eof,
                span: Span::new(file, end, end),
            });
        }
        Parser {
            file,
            src,
            prev_span: Span::new(file, 0, 0),
            tokens,
            pos: 0,
            diags: Vec::new(),
            reported: HashSet::new(),
            depth: 0,
            too_deep_reported: false,
            skipped_too_deep: false,
            fuel: Cell::new(FUEL),
            stuck_reported: false,
            in_interp: false,
        }
    }

    // ---- the cursor ----

    /// The token `n` ahead of the current one. When the fuel runs out the parser
    /// sees only `Eof`, which ends every loop.
    fn nth_token(&self, n: usize) -> &Token {
        let eof = self.tokens.len() - 1;
        let fuel = self.fuel.get();
        if fuel == 0 {
            return &self.tokens[eof];
        }
        self.fuel.set(fuel - 1);
        &self.tokens[(self.pos + n).min(eof)]
    }

    fn nth(&self, n: usize) -> &TokenKind {
        &self.nth_token(n).kind
    }

    fn peek(&self) -> &TokenKind {
        self.nth(0)
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek() == kind
    }

    fn at_eof(&self) -> bool {
        self.at(&TokenKind::Eof)
    }

    /// The span of the current token.
    fn span(&self) -> Span {
        self.nth_token(0).span
    }

    fn bump(&mut self) {
        if self.fuel.get() == 0 {
            self.report_stuck();
        }
        self.fuel.set(FUEL);
        self.prev_span = self.tokens[self.pos].span;
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Consumes `kind` or reports "expected `kind`, found ...".
    fn expect(&mut self, kind: &TokenKind) -> bool {
        if self.eat(kind) {
            return true;
        }
        let what = format!("`{}`", kind.spelling().unwrap_or("?"));
        self.error_expected(&what);
        false
    }

    fn skip_newlines(&mut self) {
        while self.at(&TokenKind::Newline) {
            self.bump();
        }
    }

    /// Consumes a `>` closing a generic list, splitting `>>`, `>=` and `>>=`.
    fn eat_gt(&mut self) -> bool {
        let rest = match self.peek() {
            TokenKind::Gt => {
                self.bump();
                return true;
            }
            TokenKind::Shr => TokenKind::Gt,
            TokenKind::Ge => TokenKind::Eq,
            TokenKind::ShrEq => TokenKind::Ge,
            _ => return false,
        };
        let token = &mut self.tokens[self.pos];
        self.prev_span = Span::new(token.span.file, token.span.lo, token.span.lo + 1);
        token.kind = rest;
        token.span.lo += 1;
        self.fuel.set(FUEL);
        true
    }

    /// A span from `start` to the end of the last consumed token.
    fn span_from(&self, start: Span) -> Span {
        if self.prev_span.hi < start.lo {
            start
        } else {
            start.to(self.prev_span)
        }
    }

    /// The source text of a span ("" when the span is not valid for the text).
    fn text(&self, span: Span) -> &'s str {
        self.src
            .get(span.lo as usize..span.hi as usize)
            .unwrap_or("")
    }

    // ---- bracketed lists ----

    /// Consumes the closing token of a list; `>` may be split off `>>`.
    fn eat_close(&mut self, close: &TokenKind) -> bool {
        if *close == TokenKind::Gt {
            self.eat_gt()
        } else {
            self.eat(close)
        }
    }

    /// Consumes `close` or reports it missing, then skips to it if it is nearby.
    fn expect_close(&mut self, close: &TokenKind, open: Span) {
        if self.eat_close(close) {
            return;
        }
        if matches!(self.peek(), TokenKind::Eof | TokenKind::Newline) {
            self.error_unclosed(close, open);
            return;
        }
        let what = format!("`{}`", close.spelling().unwrap_or("?"));
        self.error_expected(&what);
        self.recover(std::slice::from_ref(close));
        self.eat_close(close);
    }

    /// `item, item, ...` up to `close`, after the opening bracket at `open` was
    /// consumed. A trailing comma is allowed; the closing token is consumed when
    /// present. `stops` are extra tokens that end error recovery inside the list.
    fn parse_list<T>(
        &mut self,
        open: Span,
        close: TokenKind,
        stops: &[TokenKind],
        item: impl FnMut(&mut Self) -> T,
    ) -> Vec<T> {
        self.parse_list_trailing(open, close, stops, item).0
    }

    /// Like [`Parser::parse_list`], also saying whether the list ended with a
    /// comma (which makes `(a,)` a tuple).
    fn parse_list_trailing<T>(
        &mut self,
        open: Span,
        close: TokenKind,
        stops: &[TokenKind],
        mut item: impl FnMut(&mut Self) -> T,
    ) -> (Vec<T>, bool) {
        let mut items = Vec::new();
        let mut trailing = false;
        loop {
            if self.eat_close(&close) {
                break;
            }
            if matches!(self.peek(), TokenKind::Eof | TokenKind::Newline) {
                self.error_unclosed(&close, open);
                break;
            }
            items.push(item(self));
            trailing = self.eat(&TokenKind::Comma);
            if trailing {
                continue;
            }
            if self.eat_close(&close) {
                break;
            }
            if matches!(self.peek(), TokenKind::Eof | TokenKind::Newline) {
                self.error_unclosed(&close, open);
                break;
            }
            let what = format!("`,` or `{}`", close.spelling().unwrap_or("?"));
            self.error_expected(&what);
            let mut all_stops = vec![TokenKind::Comma, close.clone()];
            all_stops.extend_from_slice(stops);
            self.recover(&all_stops);
            if self.eat(&TokenKind::Comma) {
                continue;
            }
            self.eat_close(&close);
            break;
        }
        (items, trailing)
    }

    /// `{ item, item ... }` where items are separated by `,` or newlines (struct
    /// fields, enum variants, match arms, impl methods). A newline before the `{`
    /// is allowed. `item` returns `None` when it reported an error.
    fn parse_brace_list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Vec<T> {
        if self.at(&TokenKind::Newline) && *self.nth(1) == TokenKind::LBrace {
            self.bump();
        }
        let open = self.span();
        if !self.expect(&TokenKind::LBrace) {
            return Vec::new();
        }
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat(&TokenKind::RBrace) {
                break;
            }
            if self.at_eof() {
                self.error_unclosed(&TokenKind::RBrace, open);
                break;
            }
            let before = self.pos;
            items.extend(item(self));
            if self.eat(&TokenKind::Comma) || self.at(&TokenKind::Newline) {
                continue;
            }
            if self.eat(&TokenKind::RBrace) {
                break;
            }
            if self.pos != before && self.prev_was(&TokenKind::RBrace) {
                continue;
            }
            self.error_expected("`,`, newline or `}`");
            self.recover(&[TokenKind::Comma]);
            if self.eat(&TokenKind::Comma) {
                continue;
            }
            if self.pos == before {
                self.bump();
            }
        }
        items
    }

    // ---- errors ----

    /// Records an error unless one was already reported at the same position, or
    /// the error follows input skipped for nesting too deeply in the same
    /// statement.
    fn report(&mut self, diagnostic: Diagnostic) {
        if self.skipped_too_deep {
            return;
        }
        if self.reported.insert(diagnostic.span.lo) {
            self.diags.push(diagnostic);
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        self.report(Diagnostic::error(span, message).with_label(label));
    }

    /// Reports "expected WHAT, found TOKEN" at the current token.
    fn error_expected(&mut self, what: &str) {
        let found = self.describe_current();
        let span = self.error_span();
        self.error(
            span,
            format!("expected {what}, found {found}"),
            format!("expected {what}"),
        );
    }

    /// Reports a missing closing bracket, pointing also at the opening one.
    fn error_unclosed(&mut self, close: &TokenKind, open: Span) {
        let spelling = close.spelling().unwrap_or("?");
        let found = self.describe_current();
        let span = self.error_span();
        let opener = self.text(open).to_string();
        let d = Diagnostic::error(span, format!("expected `{spelling}`, found {found}"))
            .with_label(format!("expected `{spelling}`"))
            .with_secondary(open, format!("unclosed `{opener}`"));
        self.report(d);
    }

    /// Where an error about the current token points: the token, or for a
    /// newline the empty span where the line ends (so that the marker stays on
    /// one line).
    fn error_span(&self) -> Span {
        let span = self.span();
        if *self.peek() == TokenKind::Newline {
            span.start()
        } else {
            span
        }
    }

    /// How an error message names the current token.
    fn describe_current(&self) -> String {
        let token = self.nth_token(0).clone();
        match &token.kind {
            TokenKind::Eof if self.in_interp => {
                let rest = self.src.get(token.span.lo as usize..).unwrap_or("");
                match rest.chars().next() {
                    Some(c) => format!("`{c}`"),
                    None => "end of interpolation".to_string(),
                }
            }
            TokenKind::Eof => "end of file".to_string(),
            TokenKind::Newline => "newline".to_string(),
            TokenKind::Str(_) => "string literal".to_string(),
            kind => match kind.spelling() {
                Some(s) => format!("`{s}`"),
                None => format!("`{}`", shorten(self.text(token.span))),
            },
        }
    }

    fn report_stuck(&mut self) {
        if !self.stuck_reported {
            self.stuck_reported = true;
            // Never suppressed: this is a bug, not a consequence of the input.
            let span = self.span();
            self.diags.push(
                Diagnostic::error(span, "the parser got stuck here (this is a bug in Kiln)")
                    .with_label("parsing stopped here"),
            );
        }
    }

    // ---- recovery ----

    /// Skips tokens until one in `stops` at bracket depth 0, a newline, `;` or
    /// statement keyword at depth 0, a closing bracket that was not opened while
    /// skipping, or the end. Never consumes the token it stops at.
    fn recover(&mut self, stops: &[TokenKind]) {
        let mut depth = 0u32;
        loop {
            let kind = self.peek();
            if *kind == TokenKind::Eof {
                return;
            }
            if depth == 0 {
                let at_stop = stops.contains(kind)
                    || self.at_statement_keyword()
                    || matches!(
                        kind,
                        TokenKind::Newline
                            | TokenKind::Semi
                            | TokenKind::RParen
                            | TokenKind::RBracket
                            | TokenKind::RBrace
                    );
                if at_stop {
                    return;
                }
            }
            match kind {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    /// Enters one level of nesting (a bracket, block, operand or body), which
    /// costs [`NESTING_COST`] units of the [`MAX_DEPTH`] budget. When the budget
    /// is spent it reports (once per file), skips the deeply nested input and
    /// returns false.
    fn enter(&mut self) -> bool {
        self.enter_cost(NESTING_COST)
    }

    /// Whether the current token can only start a statement or a declaration,
    /// which makes it a safe place to resume after an error.
    fn at_statement_keyword(&self) -> bool {
        match self.peek() {
            TokenKind::Let | TokenKind::Var => true,
            // `fn(` may be a function type.
            TokenKind::Fn => matches!(self.nth(1), TokenKind::Ident(_)),
            _ => self.at_item_start(),
        }
    }

    fn leave(&mut self) {
        self.depth -= NESTING_COST;
    }

    /// Adds one link to an operator or postfix chain, which costs one unit; the
    /// caller gives back its links with `self.depth -= links`.
    fn enter_link(&mut self) -> bool {
        self.enter_cost(1)
    }

    fn enter_cost(&mut self, cost: u32) -> bool {
        if self.depth + cost <= MAX_DEPTH {
            self.depth += cost;
            return true;
        }
        if !self.too_deep_reported {
            self.too_deep_reported = true;
            let span = self.span();
            self.error(
                span,
                "expression nested too deeply",
                "nesting limit reached here",
            );
        }
        self.skipped_too_deep = true;
        self.recover(&[TokenKind::Comma]);
        false
    }
}

/// Cuts long token text for error messages.
fn shorten(text: &str) -> String {
    const MAX: usize = 24;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}...")
    }
}
