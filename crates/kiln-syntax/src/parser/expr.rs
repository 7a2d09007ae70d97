//! Expressions: assignment, binary operators by precedence, `as`, unary operators,
//! postfix forms (call, method call, field, tuple field, index, `?`) and the
//! literal-like primaries (names, numbers, `(...)`, `[...]`, blocks).
//!
//! Binary operators are parsed by precedence climbing; the table is
//! [`infix_op`]. Comparisons and ranges do not associate: `a < b < c` is
//! reported. Long chains (`a + b + ...`, `x.f().g()...`) count against the
//! nesting limit like brackets do, because the tree they build is as deep, and
//! later stages walk it recursively. This file must never build a tree deeper
//! than the nesting limit allows.

use super::stmt::error_expr;
use super::Parser;
use crate::ast::{Arg, BinOp, Expr, ExprKind, Ident, UnaryOp};
use crate::span::Span;
use crate::token::TokenKind;

/// Binding strength of binary operators, loosest first (LANGUAGE.md §6).
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_CMP: u8 = 3;
const PREC_RANGE: u8 = 4;
const PREC_BIT_OR: u8 = 5;
const PREC_BIT_XOR: u8 = 6;
const PREC_BIT_AND: u8 = 7;
const PREC_SHIFT: u8 = 8;
const PREC_ADD: u8 = 9;
const PREC_MUL: u8 = 10;
const PREC_AS: u8 = 11;

/// What a token does between two operands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Infix {
    Binary(BinOp),
    /// `..` (false) or `..=` (true)
    Range(bool),
    As,
}

fn infix_op(kind: &TokenKind) -> Option<(Infix, u8)> {
    use TokenKind::*;
    let binary = |op, prec| Some((Infix::Binary(op), prec));
    match kind {
        PipePipe => binary(BinOp::Or, PREC_OR),
        AmpAmp => binary(BinOp::And, PREC_AND),
        EqEq => binary(BinOp::Eq, PREC_CMP),
        BangEq => binary(BinOp::Ne, PREC_CMP),
        Lt => binary(BinOp::Lt, PREC_CMP),
        Le => binary(BinOp::Le, PREC_CMP),
        Gt => binary(BinOp::Gt, PREC_CMP),
        Ge => binary(BinOp::Ge, PREC_CMP),
        DotDot => Some((Infix::Range(false), PREC_RANGE)),
        DotDotEq => Some((Infix::Range(true), PREC_RANGE)),
        Pipe => binary(BinOp::BitOr, PREC_BIT_OR),
        Caret => binary(BinOp::BitXor, PREC_BIT_XOR),
        Amp => binary(BinOp::BitAnd, PREC_BIT_AND),
        Shl => binary(BinOp::Shl, PREC_SHIFT),
        Shr => binary(BinOp::Shr, PREC_SHIFT),
        Plus => binary(BinOp::Add, PREC_ADD),
        Minus => binary(BinOp::Sub, PREC_ADD),
        Star => binary(BinOp::Mul, PREC_MUL),
        Slash => binary(BinOp::Div, PREC_MUL),
        Percent => binary(BinOp::Rem, PREC_MUL),
        As => Some((Infix::As, PREC_AS)),
        _ => None,
    }
}

/// `=` gives `Some(None)`, `+=` gives `Some(Some(Add))`, anything else `None`.
fn assign_op(kind: &TokenKind) -> Option<Option<BinOp>> {
    use TokenKind::*;
    Some(Some(match kind {
        Eq => return Some(None),
        PlusEq => BinOp::Add,
        MinusEq => BinOp::Sub,
        StarEq => BinOp::Mul,
        SlashEq => BinOp::Div,
        PercentEq => BinOp::Rem,
        AmpEq => BinOp::BitAnd,
        PipeEq => BinOp::BitOr,
        CaretEq => BinOp::BitXor,
        ShlEq => BinOp::Shl,
        ShrEq => BinOp::Shr,
        _ => return None,
    }))
}

fn is_comparison(kind: &TokenKind) -> bool {
    matches!(infix_op(kind), Some((Infix::Binary(op), _)) if op.is_comparison())
}

fn is_range_op(kind: &TokenKind) -> bool {
    matches!(kind, TokenKind::DotDot | TokenKind::DotDotEq)
}

/// Whether a token can begin an expression.
pub(super) fn starts_expr(kind: &TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Ident(_)
            | Int(_)
            | Float(_)
            | Char(_)
            | Str(_)
            | True
            | False
            | LParen
            | LBracket
            | LBrace
            | Minus
            | Bang
            | Tilde
            | Pipe
            | PipePipe
            | DotDot
            | DotDotEq
            | If
            | While
            | Loop
            | For
            | Match
            | Break
            | Continue
            | Return
            | Yield
    )
}

impl Parser<'_> {
    /// An expression at the loosest level, assignment included.
    pub(super) fn parse_expr(&mut self) -> Expr {
        let start = self.span();
        if !self.enter() {
            return error_expr(self.span_from(start));
        }
        let expr = self.parse_assign();
        self.leave();
        expr
    }

    /// `target = value`, `target op= value` (right-associative), or an operator
    /// expression.
    fn parse_assign(&mut self) -> Expr {
        let start = self.span();
        let first = self.pos;
        let target = self.parse_binary(PREC_OR);
        if self.missing_operand(&target, first) {
            return target;
        }
        let Some(op) = assign_op(self.peek()) else {
            return target;
        };
        self.bump();
        self.skip_newlines();
        let value = self.parse_expr();
        Expr {
            kind: ExprKind::Assign {
                op,
                target: Box::new(target),
                value: Box::new(value),
            },
            span: self.span_from(start),
        }
    }

    /// Operators binding at least as tightly as `min`.
    fn parse_binary(&mut self, min: u8) -> Expr {
        let start = self.span();
        let first = self.pos;
        let mut lhs = if is_range_op(self.peek()) && min <= PREC_RANGE {
            self.parse_prefix_range()
        } else {
            self.parse_unary()
        };
        if self.missing_operand(&lhs, first) {
            return lhs;
        }
        let mut links = 0;
        while let Some((infix, prec)) = infix_op(self.peek()) {
            if prec < min || !self.enter_link() {
                break;
            }
            links += 1;
            self.bump();
            lhs = self.parse_infix(lhs, infix, prec, start);
            self.check_non_associative(infix);
        }
        self.depth -= links;
        lhs
    }

    /// Whether `expr` is an error that consumed nothing. Then the operator after
    /// it is where the error was reported, and it must not start an operand
    /// chain of its own errors (`= = =`).
    fn missing_operand(&self, expr: &Expr, first: usize) -> bool {
        matches!(expr.kind, ExprKind::Error) && self.pos == first
    }

    /// The right-hand side of one infix operator (already consumed).
    fn parse_infix(&mut self, lhs: Expr, infix: Infix, prec: u8, start: Span) -> Expr {
        let kind = match infix {
            Infix::As => ExprKind::Cast {
                value: Box::new(lhs),
                ty: self.parse_cast_type(),
            },
            Infix::Range(inclusive) => ExprKind::Range {
                lo: Some(Box::new(lhs)),
                hi: self.parse_range_end(),
                inclusive,
            },
            Infix::Binary(op) => {
                self.skip_newlines();
                let rhs = self.parse_binary(prec + 1);
                ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }
            }
        };
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// Reports `a < b < c` and `a..b..c`; parsing goes on left-associatively.
    fn check_non_associative(&mut self, infix: Infix) {
        let chained = match infix {
            Infix::Binary(op) if op.is_comparison() => is_comparison(self.peek()),
            Infix::Range(_) => is_range_op(self.peek()),
            _ => false,
        };
        if !chained {
            return;
        }
        let span = self.span();
        let (message, note) = if is_range_op(self.peek()) {
            ("range operators cannot be chained", "use parentheses")
        } else {
            (
                "comparison operators cannot be chained",
                "split it with `&&`: `a < b && b < c`",
            )
        };
        let d = crate::diagnostic::Diagnostic::error(span, message)
            .with_label("second operator here")
            .with_note(note);
        self.report(d);
    }

    /// `..b`, `..=b`, or a bare `..` (in index position).
    fn parse_prefix_range(&mut self) -> Expr {
        let start = self.span();
        let inclusive = self.at(&TokenKind::DotDotEq);
        self.bump();
        let hi = self.parse_range_end();
        if inclusive && hi.is_none() {
            self.error_expected("the end of an inclusive range");
        }
        Expr {
            kind: ExprKind::Range {
                lo: None,
                hi,
                inclusive,
            },
            span: self.span_from(start),
        }
    }

    /// The upper bound of a range, absent when nothing that can start an operand
    /// follows. A `{` never starts one, so `for i in 0.. { }` works.
    fn parse_range_end(&mut self) -> Option<Box<Expr>> {
        let kind = self.peek();
        if !starts_expr(kind) || matches!(kind, TokenKind::LBrace) || is_range_op(kind) {
            return None;
        }
        Some(Box::new(self.parse_binary(PREC_RANGE + 1)))
    }

    /// `-x`, `!x`, `~x`, or a postfix expression.
    fn parse_unary(&mut self) -> Expr {
        let op = match self.peek() {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Bang => UnaryOp::Not,
            TokenKind::Tilde => UnaryOp::BitNot,
            _ => return self.parse_postfix(),
        };
        let start = self.span();
        if !self.enter() {
            return error_expr(self.span_from(start));
        }
        self.bump();
        let operand = self.parse_unary();
        self.leave();
        Expr {
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            span: self.span_from(start),
        }
    }

    /// A primary expression followed by calls, fields, indexing and `?`.
    fn parse_postfix(&mut self) -> Expr {
        let start = self.span();
        let mut expr = self.parse_primary();
        let mut links = 0;
        while matches!(
            self.peek(),
            TokenKind::LParen | TokenKind::LBracket | TokenKind::Dot | TokenKind::Question
        ) && self.enter_link()
        {
            links += 1;
            expr = self.parse_postfix_op(expr, start);
        }
        self.depth -= links;
        expr
    }

    fn parse_postfix_op(&mut self, base: Expr, start: Span) -> Expr {
        let kind = match self.peek() {
            TokenKind::LParen => ExprKind::Call {
                callee: Box::new(base),
                args: self.parse_call_args(),
            },
            TokenKind::LBracket => {
                let open = self.span();
                self.bump();
                let index = self.parse_expr();
                self.expect_close(&TokenKind::RBracket, open);
                ExprKind::Index {
                    base: Box::new(base),
                    index: Box::new(index),
                }
            }
            TokenKind::Question => {
                self.bump();
                ExprKind::Try(Box::new(base))
            }
            _ => return self.parse_dot(base, start),
        };
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// `(args)` of a call or method call, at the `(`.
    fn parse_call_args(&mut self) -> Vec<Arg> {
        let open = self.span();
        self.bump();
        self.parse_list(open, TokenKind::RParen, &[], |p| p.parse_arg())
    }

    /// `value` or `label: value`.
    fn parse_arg(&mut self) -> Arg {
        let mut label = None;
        if matches!(self.peek(), TokenKind::Ident(_)) && *self.nth(1) == TokenKind::Colon {
            label = Some(self.expect_ident("a label"));
            self.bump();
        }
        Arg {
            label,
            value: self.parse_expr(),
        }
    }

    /// After `base`, at the `.`: a field, method call or tuple field.
    fn parse_dot(&mut self, base: Expr, start: Span) -> Expr {
        self.bump();
        let kind = match self.peek() {
            TokenKind::Ident(_) => {
                let name = self.expect_ident("a field name");
                if self.at(&TokenKind::LParen) {
                    ExprKind::MethodCall {
                        receiver: Box::new(base),
                        method: name,
                        args: self.parse_call_args(),
                    }
                } else {
                    ExprKind::Field {
                        base: Box::new(base),
                        name,
                    }
                }
            }
            TokenKind::Int(_) | TokenKind::Float(_) => return self.parse_tuple_fields(base, start),
            _ => {
                self.error_expected("a field name after `.`");
                return error_expr(self.span_from(start));
            }
        };
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// `t.0`, and `t.0.1`, which the lexer saw as `t` `.` `0.1`.
    fn parse_tuple_fields(&mut self, base: Expr, start: Span) -> Expr {
        let span = self.span();
        let text = self.text(span);
        self.bump();
        let parts: Vec<&str> = text.split('.').collect();
        let valid = parts.len() <= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            self.error(
                span,
                format!("invalid tuple index `{text}`"),
                "expected a plain number such as `0`",
            );
            return error_expr(self.span_from(start));
        }
        let mut expr = base;
        let mut lo = span.lo;
        for part in parts {
            let index_span = Span::new(span.file, lo, lo + part.len() as u32);
            let Ok(index) = part.parse::<u32>() else {
                self.error(
                    index_span,
                    "tuple index is too large",
                    "no tuple is this long",
                );
                return error_expr(self.span_from(start));
            };
            expr = Expr {
                kind: ExprKind::TupleField {
                    base: Box::new(expr),
                    index,
                    index_span,
                },
                span: start.to(index_span),
            };
            lo = index_span.hi + 1;
        }
        expr
    }

    fn parse_primary(&mut self) -> Expr {
        let start = self.span();
        let kind = match self.peek() {
            TokenKind::Int(v) => ExprKind::Int(*v),
            TokenKind::Float(v) => ExprKind::Float(*v),
            TokenKind::Char(c) => ExprKind::Char(*c),
            TokenKind::True => ExprKind::Bool(true),
            TokenKind::False => ExprKind::Bool(false),
            TokenKind::Ident(name) => ExprKind::Name(Ident {
                name: name.clone(),
                span: start,
            }),
            TokenKind::Str(_) => return self.parse_string(),
            TokenKind::LParen => return self.parse_paren(),
            TokenKind::LBracket => return self.parse_bracket(),
            TokenKind::LBrace => {
                let block = self.parse_block();
                return Expr {
                    span: block.span,
                    kind: ExprKind::Block(block),
                };
            }
            _ => return self.parse_control(),
        };
        self.bump();
        Expr { kind, span: start }
    }

    /// `()`, `(e)`, `(a, b)`, `(a,)`.
    fn parse_paren(&mut self) -> Expr {
        let open = self.span();
        self.bump();
        if self.eat(&TokenKind::RParen) {
            return Expr {
                kind: ExprKind::Unit,
                span: self.span_from(open),
            };
        }
        let (mut items, trailing) =
            self.parse_list_trailing(open, TokenKind::RParen, &[], |p| p.parse_expr());
        let span = self.span_from(open);
        match items.len() {
            0 => error_expr(span),
            1 if !trailing => items.pop().unwrap_or_else(|| error_expr(span)),
            _ => Expr {
                kind: ExprKind::Tuple(items),
                span,
            },
        }
    }

    /// `[]`, `[a, b]`, `[v; n]`, `[:]`, `[k: v, ...]`.
    fn parse_bracket(&mut self) -> Expr {
        let open = self.span();
        self.bump();
        let kind = if self.eat(&TokenKind::RBracket) {
            ExprKind::Array(Vec::new())
        } else if self.at(&TokenKind::Colon) && *self.nth(1) == TokenKind::RBracket {
            self.bump();
            self.bump();
            ExprKind::Map(Vec::new())
        } else {
            let first = self.parse_expr();
            match self.peek() {
                TokenKind::Semi => self.parse_array_repeat(first, open),
                TokenKind::Colon => self.parse_map_rest(first, open),
                _ => self.parse_array_rest(first, open),
            }
        };
        Expr {
            kind,
            span: self.span_from(open),
        }
    }

    fn parse_array_repeat(&mut self, value: Expr, open: Span) -> ExprKind {
        self.bump();
        let count = self.parse_expr();
        self.expect_close(&TokenKind::RBracket, open);
        ExprKind::ArrayRepeat {
            value: Box::new(value),
            count: Box::new(count),
        }
    }

    fn parse_array_rest(&mut self, first: Expr, open: Span) -> ExprKind {
        let mut items = vec![first];
        if self.eat(&TokenKind::Comma) {
            items.extend(self.parse_list(open, TokenKind::RBracket, &[], |p| p.parse_expr()));
        } else {
            self.expect_close(&TokenKind::RBracket, open);
        }
        ExprKind::Array(items)
    }

    /// After the first key of a map literal, at its `:`.
    fn parse_map_rest(&mut self, key: Expr, open: Span) -> ExprKind {
        self.bump();
        let mut entries = vec![(key, self.parse_expr())];
        if self.eat(&TokenKind::Comma) {
            let rest = self.parse_list(open, TokenKind::RBracket, &[], |p| p.parse_map_entry());
            entries.extend(rest);
        } else {
            self.expect_close(&TokenKind::RBracket, open);
        }
        ExprKind::Map(entries)
    }

    fn parse_map_entry(&mut self) -> (Expr, Expr) {
        let key = self.parse_expr();
        let value = if self.expect(&TokenKind::Colon) {
            self.parse_expr()
        } else {
            error_expr(self.span().start())
        };
        (key, value)
    }
}
