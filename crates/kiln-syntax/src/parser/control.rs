//! Control flow and closures: `if`, `while`, `loop`, `for`, `match`, `|x| body`,
//! `break`, `continue`, `return` and `yield`.
//!
//! Conditions and scrutinees are ordinary expressions: Kiln has no struct literal
//! with braces, so the `{` of the body always ends them. This file must never
//! report an error for a missing value after `break`, `return` or `yield`: the
//! value is optional and ends at a newline, `;`, `,` or closing bracket.

use super::expr::starts_expr;
use super::stmt::error_expr;
use super::Parser;
use crate::ast::{Condition, Expr, ExprKind, IfBranch, MatchArm, Param};
use crate::token::TokenKind;

impl Parser<'_> {
    /// The primaries that start with a keyword or `|`; anything else is an error.
    pub(super) fn parse_control(&mut self) -> Expr {
        let start = self.span();
        let kind = match self.peek() {
            TokenKind::If => return self.parse_if(),
            TokenKind::While => self.parse_while(),
            TokenKind::Loop => {
                self.bump();
                ExprKind::Loop(self.parse_block())
            }
            TokenKind::For => self.parse_for(),
            TokenKind::Match => self.parse_match(),
            TokenKind::Pipe | TokenKind::PipePipe => self.parse_closure(),
            TokenKind::Break => ExprKind::Break(self.parse_jump_value()),
            TokenKind::Return => ExprKind::Return(self.parse_jump_value()),
            TokenKind::Yield => ExprKind::Yield(self.parse_jump_value()),
            TokenKind::Continue => {
                self.bump();
                ExprKind::Continue
            }
            _ => {
                self.error_expected("an expression");
                return error_expr(start);
            }
        };
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// `if cond { } else if cond { } else { }`. The links of an `else if` chain
    /// are parsed in a loop into one flat list: a chain is not nesting, so it
    /// costs nothing of the nesting budget however long it is.
    fn parse_if(&mut self) -> Expr {
        let start = self.span();
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let if_span = self.span();
            self.bump();
            let cond = self.parse_condition();
            let then = self.parse_block();
            branches.push(IfBranch {
                cond,
                then,
                if_span,
            });
            if !self.eat(&TokenKind::Else) {
                break;
            }
            if !self.at(&TokenKind::If) {
                otherwise = Some(self.parse_block());
                break;
            }
        }
        Expr {
            kind: ExprKind::If {
                branches,
                otherwise,
            },
            span: self.span_from(start),
        }
    }

    /// A boolean expression, or `let pattern = value`.
    fn parse_condition(&mut self) -> Condition {
        if !self.eat(&TokenKind::Let) {
            return Condition::Expr(self.parse_expr());
        }
        let pattern = self.parse_pattern();
        let value = if self.expect(&TokenKind::Eq) {
            self.parse_expr()
        } else {
            error_expr(self.span().start())
        };
        Condition::Let { pattern, value }
    }

    fn parse_while(&mut self) -> ExprKind {
        self.bump();
        let cond = self.parse_condition();
        let body = self.parse_block();
        ExprKind::While {
            cond: Box::new(cond),
            body,
        }
    }

    /// `for pattern in iter { body }`
    fn parse_for(&mut self) -> ExprKind {
        self.bump();
        let pattern = self.parse_pattern();
        let iter = if self.expect(&TokenKind::In) {
            self.parse_expr()
        } else {
            error_expr(self.span().start())
        };
        let body = self.parse_block();
        ExprKind::For {
            pattern,
            iter: Box::new(iter),
            body,
        }
    }

    /// `match scrutinee { pattern (if guard)? => body, ... }`
    fn parse_match(&mut self) -> ExprKind {
        self.bump();
        let scrutinee = self.parse_expr();
        let arms = self.parse_brace_list(|p| Some(p.parse_arm()));
        ExprKind::Match {
            scrutinee: Box::new(scrutinee),
            arms,
        }
    }

    fn parse_arm(&mut self) -> MatchArm {
        let start = self.span();
        let pattern = self.parse_pattern();
        let guard = if self.eat(&TokenKind::If) {
            Some(self.parse_expr())
        } else {
            None
        };
        let body = if self.expect(&TokenKind::FatArrow) {
            self.parse_expr()
        } else {
            error_expr(self.span().start())
        };
        MatchArm {
            pattern,
            guard,
            body,
            span: self.span_from(start),
        }
    }

    /// `|params| body`, `|params| -> Ret { body }`, `|| body`.
    fn parse_closure(&mut self) -> ExprKind {
        let params = if self.eat(&TokenKind::PipePipe) {
            Vec::new()
        } else {
            let open = self.span();
            self.bump();
            self.parse_list(open, TokenKind::Pipe, &[], |p| p.parse_closure_param())
        };
        let (ret, body) = if self.eat(&TokenKind::Arrow) {
            let ret = self.parse_type();
            let block = self.parse_block();
            let body = Expr {
                span: block.span,
                kind: ExprKind::Block(block),
            };
            (Some(ret), body)
        } else {
            (None, self.parse_expr())
        };
        ExprKind::Closure {
            params,
            ret,
            body: Box::new(body),
        }
    }

    /// `x` or `x: Type`.
    fn parse_closure_param(&mut self) -> Param {
        let start = self.span();
        let name = self.expect_ident("a parameter name");
        let ty = if self.eat(&TokenKind::Colon) {
            Some(self.parse_type())
        } else {
            None
        };
        Param {
            name,
            ty,
            is_self: false,
            span: self.span_from(start),
        }
    }

    /// Consumes `break`/`return`/`yield` and the optional value after it.
    fn parse_jump_value(&mut self) -> Option<Box<Expr>> {
        self.bump();
        if starts_expr(self.peek()) {
            Some(Box::new(self.parse_expr()))
        } else {
            None
        }
    }
}
