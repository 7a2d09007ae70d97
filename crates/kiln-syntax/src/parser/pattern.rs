//! Patterns, as in `let`, `for`, `if let`, `while let` and `match` arms: `_`,
//! names, literals (negative numbers too), ranges, tuples, constructors with
//! optional labels, and alternatives `a | b`.
//!
//! A bare name is always a [`PatternKind::Binding`]; whether it names a unit
//! variant is sema's call. This file must never guess at meanings.

use super::Parser;
use crate::ast::{Ident, PatField, PatLit, Pattern, PatternKind};
use crate::span::Span;
use crate::token::TokenKind;

impl Parser<'_> {
    /// A pattern with optional alternatives: `1 | 2 | 3`.
    pub(super) fn parse_pattern(&mut self) -> Pattern {
        let start = self.span();
        if !self.enter() {
            return error_pattern(start);
        }
        let first = self.parse_single_pattern();
        let pattern = if self.at(&TokenKind::Pipe) {
            let mut alternatives = vec![first];
            while self.eat(&TokenKind::Pipe) {
                alternatives.push(self.parse_single_pattern());
            }
            Pattern {
                kind: PatternKind::Or(alternatives),
                span: self.span_from(start),
            }
        } else {
            first
        };
        self.leave();
        pattern
    }

    fn parse_single_pattern(&mut self) -> Pattern {
        let start = self.span();
        let kind = match self.peek() {
            TokenKind::Ident(name) if name == "_" => {
                self.bump();
                PatternKind::Wildcard
            }
            TokenKind::Ident(_) => self.parse_ctor_or_binding(),
            TokenKind::LParen => return self.parse_tuple_pattern(),
            TokenKind::Int(_)
            | TokenKind::Float(_)
            | TokenKind::Char(_)
            | TokenKind::Str(_)
            | TokenKind::True
            | TokenKind::False
            | TokenKind::Minus => self.parse_literal_pattern(),
            _ => {
                self.error_expected("a pattern");
                return error_pattern(start.start());
            }
        };
        Pattern {
            kind,
            span: self.span_from(start),
        }
    }

    /// `x`, `Some(x)`, `Shape.Rect(w: a, h: _)`, `Shape.Empty`
    fn parse_ctor_or_binding(&mut self) -> PatternKind {
        let mut path = vec![self.expect_ident("a name")];
        while self.at(&TokenKind::Dot) && matches!(self.nth(1), TokenKind::Ident(_)) {
            self.bump();
            path.push(self.expect_ident("a name"));
        }
        if self.at(&TokenKind::LParen) {
            let open = self.span();
            self.bump();
            let fields = self.parse_list(open, TokenKind::RParen, &[], |p| p.parse_pat_field());
            return PatternKind::Ctor {
                path,
                fields: Some(fields),
            };
        }
        if path.len() > 1 {
            return PatternKind::Ctor { path, fields: None };
        }
        let name = path.pop().unwrap_or_else(|| Ident {
            name: String::new(),
            span: self.span().start(),
        });
        PatternKind::Binding(name)
    }

    /// `pattern` or `label: pattern` inside a constructor pattern.
    fn parse_pat_field(&mut self) -> PatField {
        let mut label = None;
        if matches!(self.peek(), TokenKind::Ident(_)) && *self.nth(1) == TokenKind::Colon {
            label = Some(self.expect_ident("a field name"));
            self.bump();
        }
        PatField {
            label,
            pattern: self.parse_pattern(),
        }
    }

    /// `()`, `(a, b)`, `(a,)`; `(p)` is just `p`.
    fn parse_tuple_pattern(&mut self) -> Pattern {
        let open = self.span();
        self.bump();
        let (mut items, trailing) =
            self.parse_list_trailing(open, TokenKind::RParen, &[], |p| p.parse_pattern());
        if items.len() == 1 && !trailing {
            return items.pop().unwrap_or_else(|| error_pattern(open));
        }
        Pattern {
            kind: PatternKind::Tuple(items),
            span: self.span_from(open),
        }
    }

    /// A literal, or a range `lo..hi` / `lo..=hi` of literals.
    fn parse_literal_pattern(&mut self) -> PatternKind {
        let Some(lo) = self.parse_pat_lit() else {
            return PatternKind::Error;
        };
        let inclusive = match self.peek() {
            TokenKind::DotDot => false,
            TokenKind::DotDotEq => true,
            _ => return PatternKind::Literal(lo),
        };
        self.bump();
        match self.parse_pat_lit() {
            Some(hi) => PatternKind::Range { lo, hi, inclusive },
            None => PatternKind::Error,
        }
    }

    /// One literal, with an optional `-` before a number.
    fn parse_pat_lit(&mut self) -> Option<PatLit> {
        let negative = self.eat(&TokenKind::Minus);
        let lit = match (self.peek(), negative) {
            (TokenKind::Int(v), _) => PatLit::Int {
                negative,
                magnitude: *v,
            },
            (TokenKind::Float(v), _) => PatLit::Float(if negative { -*v } else { *v }),
            (TokenKind::Char(c), false) => PatLit::Char(*c),
            (TokenKind::True, false) => PatLit::Bool(true),
            (TokenKind::False, false) => PatLit::Bool(false),
            (TokenKind::Str(pieces), false) => {
                let pieces = pieces.clone();
                self.bump();
                return Some(PatLit::Str(self.plain_string(&pieces)));
            }
            (_, true) => {
                self.error_expected("a number after `-`");
                return None;
            }
            (_, false) => {
                self.error_expected("a literal");
                return None;
            }
        };
        self.bump();
        Some(lit)
    }
}

fn error_pattern(span: Span) -> Pattern {
    Pattern {
        kind: PatternKind::Error,
        span,
    }
}
