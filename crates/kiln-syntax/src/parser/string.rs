//! String literals with interpolation: each `{expr}` piece of a string token is
//! lexed again from its byte range and parsed as an expression, so its spans are
//! positions in the file like any other.
//!
//! The nested parse borrows this parser (its diagnostics, nesting depth and
//! error de-duplication) and restores the outer token stream afterwards. It must
//! never leave the outer cursor changed.

use super::stmt::error_expr;
use super::Parser;
use crate::ast::{Expr, ExprKind, StrPart};
use crate::lexer::lex_interpolation;
use crate::span::Span;
use crate::token::{StrPiece, TokenKind};

impl Parser<'_> {
    /// A string literal, at its token.
    pub(super) fn parse_string(&mut self) -> Expr {
        let span = self.span();
        let pieces = match self.peek() {
            TokenKind::Str(pieces) => pieces.clone(),
            _ => Vec::new(),
        };
        self.bump();
        let parts = pieces
            .into_iter()
            .map(|piece| match piece {
                StrPiece::Text(text) => StrPart::Text(text),
                StrPiece::Interp { expr, spec, span } => StrPart::Interp {
                    expr: self.parse_interpolation(expr),
                    spec,
                    span,
                },
            })
            .collect();
        Expr {
            kind: ExprKind::Str(parts),
            span,
        }
    }

    /// The expression of one interpolation, from its byte range.
    fn parse_interpolation(&mut self, range: Span) -> Expr {
        if self.text(range).trim().is_empty() {
            let braces = Span::new(range.file, range.lo.saturating_sub(1), range.hi + 1);
            let d = crate::diagnostic::Diagnostic::error(braces, "empty interpolation")
                .with_label("expected an expression between the braces")
                .with_note("write `{{` and `}}` for literal braces");
            self.report(d);
            return error_expr(braces);
        }
        let (tokens, diags) = lex_interpolation(self.file, self.src, range.lo, range.hi);
        for d in diags {
            self.report(d);
        }
        let outer_tokens = std::mem::replace(&mut self.tokens, tokens);
        let outer_pos = std::mem::replace(&mut self.pos, 0);
        let outer_prev = self.prev_span;
        let outer_interp = std::mem::replace(&mut self.in_interp, true);

        let expr = self.parse_expr();
        if !self.at_eof() {
            self.error_expected("`}` after the interpolated expression");
        }

        self.tokens = outer_tokens;
        self.pos = outer_pos;
        self.prev_span = outer_prev;
        self.in_interp = outer_interp;
        expr
    }
}
