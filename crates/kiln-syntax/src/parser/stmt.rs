//! Blocks and statements: the file's top level, `{ ... }`, `let`/`var`, and the
//! rule that statements end at a newline or `;`.
//!
//! A statement that fails to parse is skipped up to the next statement boundary;
//! this file must never let one broken statement swallow the rest of a block.

use super::{shorten, Parser};
use crate::ast::{Block, Expr, ExprKind, Item, ItemKind, Module, Stmt, StmtKind};
use crate::span::Span;
use crate::token::TokenKind;

impl Parser<'_> {
    pub(super) fn parse_module(&mut self) -> Module {
        let items = self
            .parse_stmts(false)
            .into_iter()
            .map(stmt_into_item)
            .collect();
        Module { items }
    }

    /// `{ stmt* }`. Reports a missing `{` or `}` but always returns a block.
    pub(super) fn parse_block(&mut self) -> Block {
        let open = self.span();
        if !self.at(&TokenKind::LBrace) {
            self.error_expected("`{`");
            return Block {
                stmts: Vec::new(),
                span: open.start(),
            };
        }
        if !self.enter() {
            return Block {
                stmts: Vec::new(),
                span: self.span_from(open),
            };
        }
        self.bump();
        let stmts = self.parse_stmts(true);
        if !self.eat(&TokenKind::RBrace) {
            self.error_unclosed(&TokenKind::RBrace, open);
        }
        self.leave();
        Block {
            stmts,
            span: self.span_from(open),
        }
    }

    /// Statements up to the closing `}` of a block (not consumed) or the end of
    /// input.
    fn parse_stmts(&mut self, in_block: bool) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        loop {
            // A statement starts in step with the input again.
            self.skipped_too_deep = false;
            self.skip_separators();
            match self.peek() {
                TokenKind::Eof => break,
                TokenKind::RBrace if in_block => break,
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    self.stray_closers(in_block);
                    continue;
                }
                _ => {}
            }
            let start = self.pos;
            stmts.push(self.parse_stmt());
            self.end_stmt(in_block);
            if self.pos == start {
                self.bump();
            }
        }
        stmts
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), TokenKind::Newline | TokenKind::Semi) {
            self.bump();
        }
    }

    /// Closing brackets that close nothing; a run of them on one line is one
    /// error (a line of 100,000 `)` would otherwise be 100,000 errors).
    fn stray_closers(&mut self, in_block: bool) {
        let first = self.span();
        let mut last = first;
        self.bump();
        while match self.peek() {
            TokenKind::RParen | TokenKind::RBracket => true,
            TokenKind::RBrace => !in_block,
            _ => false,
        } {
            last = self.span();
            self.bump();
        }
        let span = first.to(last);
        let (message, label) = if span == first {
            (
                format!("unexpected `{}`", self.text(span)),
                "no matching opening bracket",
            )
        } else {
            (
                format!("unexpected `{}`", shorten(self.text(span))),
                "no matching opening brackets",
            )
        };
        self.error(span, message, label);
    }

    /// After a statement: a newline, `;`, the end of the block, or (after a
    /// statement ending in `}`) anything.
    fn end_stmt(&mut self, in_block: bool) {
        match self.peek() {
            TokenKind::Newline | TokenKind::Semi | TokenKind::Eof => return,
            TokenKind::RBrace if in_block => return,
            _ if self.prev_was(&TokenKind::RBrace) => return,
            _ => {}
        }
        self.error_expected("newline or `;`");
        if !self.at_statement_keyword() {
            self.recover(&[]);
        }
    }

    /// Whether the last consumed token was `kind`.
    pub(super) fn prev_was(&self, kind: &TokenKind) -> bool {
        self.pos > 0 && self.tokens[self.pos - 1].kind == *kind
    }

    fn parse_stmt(&mut self) -> Stmt {
        let start = self.span();
        if matches!(self.peek(), TokenKind::Let | TokenKind::Var) {
            return self.parse_let();
        }
        if self.at_item_start() {
            let item = self.parse_item();
            return Stmt {
                kind: StmtKind::Item(Box::new(item)),
                span: self.span_from(start),
            };
        }
        let expr = self.parse_expr();
        Stmt {
            span: self.span_from(start),
            kind: StmtKind::Expr(expr),
        }
    }

    /// `let pat: ty = init` or `var pat: ty = init`.
    fn parse_let(&mut self) -> Stmt {
        let start = self.span();
        let mutable = self.at(&TokenKind::Var);
        self.bump();
        let pattern = self.parse_pattern();
        let ty = if self.eat(&TokenKind::Colon) {
            Some(self.parse_type())
        } else {
            None
        };
        let init = if self.expect(&TokenKind::Eq) {
            self.skip_newlines();
            self.parse_expr()
        } else {
            error_expr(self.span())
        };
        Stmt {
            kind: StmtKind::Let {
                mutable,
                pattern,
                ty,
                init,
            },
            span: self.span_from(start),
        }
    }
}

/// A node standing for input that could not be parsed (already reported).
pub(super) fn error_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Error,
        span,
    }
}

fn stmt_into_item(stmt: Stmt) -> Item {
    match stmt.kind {
        StmtKind::Item(item) => *item,
        kind => Item {
            span: stmt.span,
            kind: ItemKind::Stmt(Stmt {
                kind,
                span: stmt.span,
            }),
        },
    }
}
