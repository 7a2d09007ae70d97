//! Type expressions: `int`, `Name<Args>`, `[T]`, `[K: V]`, `(A, B)`, `()`,
//! `fn(A) -> R` and the postfix `T?`.
//!
//! A `>>` that closes two generic lists at once is split in two here. This file
//! must never decide what a name means (`int` and `Point` are both just names).

use super::Parser;
use crate::ast::{Ident, TypeExpr, TypeKind};
use crate::span::Span;
use crate::token::TokenKind;

impl Parser<'_> {
    /// A full type, including any number of trailing `?`.
    pub(super) fn parse_type(&mut self) -> TypeExpr {
        let start = self.span();
        if !self.enter() {
            return error_type(start);
        }
        let mut ty = self.parse_type_atom();
        let mut links = 0;
        while self.at(&TokenKind::Question) && self.enter_link() {
            links += 1;
            self.bump();
            ty = TypeExpr {
                kind: TypeKind::Optional(Box::new(ty)),
                span: self.span_from(start),
            };
        }
        self.depth -= links;
        self.leave();
        ty
    }

    /// The type after `as`: a bare name takes no generic arguments and no `?`,
    /// so that `n as int < 5` compares.
    pub(super) fn parse_cast_type(&mut self) -> TypeExpr {
        if matches!(self.peek(), TokenKind::Ident(_)) {
            let name = self.parse_type_name();
            let span = name.span;
            return TypeExpr {
                kind: TypeKind::Named {
                    name,
                    args: Vec::new(),
                },
                span,
            };
        }
        self.parse_type()
    }

    fn parse_type_atom(&mut self) -> TypeExpr {
        let start = self.span();
        let kind = match self.peek() {
            TokenKind::Ident(_) => self.parse_named_type(),
            TokenKind::LBracket => self.parse_array_type(),
            TokenKind::LParen => return self.parse_tuple_type(),
            TokenKind::Fn => self.parse_fn_type(),
            _ => {
                self.error_expected("a type");
                return error_type(start.start());
            }
        };
        TypeExpr {
            kind,
            span: self.span_from(start),
        }
    }

    /// A type name; a dotted path such as `geometry.Rect` becomes one name
    /// `"geometry.Rect"`.
    fn parse_type_name(&mut self) -> Ident {
        let mut name = self.expect_ident("a type");
        while self.at(&TokenKind::Dot) && matches!(self.nth(1), TokenKind::Ident(_)) {
            self.bump();
            let part = self.expect_ident("a type name");
            name.name.push('.');
            name.name.push_str(&part.name);
            name.span = name.span.to(part.span);
        }
        name
    }

    /// `Name` or `Name<A, B>`
    fn parse_named_type(&mut self) -> TypeKind {
        let name = self.parse_type_name();
        let mut args = Vec::new();
        if self.at(&TokenKind::Lt) {
            let open = self.span();
            self.bump();
            args = self.parse_list(open, TokenKind::Gt, &[], |p| p.parse_type());
        }
        TypeKind::Named { name, args }
    }

    /// `[T]` or `[K: V]`
    fn parse_array_type(&mut self) -> TypeKind {
        let open = self.span();
        self.bump();
        let elem = self.parse_type();
        let kind = if self.eat(&TokenKind::Colon) {
            let value = self.parse_type();
            TypeKind::Map(Box::new(elem), Box::new(value))
        } else {
            TypeKind::Array(Box::new(elem))
        };
        self.expect_close(&TokenKind::RBracket, open);
        kind
    }

    /// `()`, `(A, B)`, `(A,)`; `(A)` is just `A`.
    fn parse_tuple_type(&mut self) -> TypeExpr {
        let open = self.span();
        self.bump();
        let (mut types, trailing) =
            self.parse_list_trailing(open, TokenKind::RParen, &[], |p| p.parse_type());
        if types.len() == 1 && !trailing {
            return types.pop().unwrap_or_else(|| error_type(open));
        }
        TypeExpr {
            kind: TypeKind::Tuple(types),
            span: self.span_from(open),
        }
    }

    /// `fn(A, B) -> R`
    fn parse_fn_type(&mut self) -> TypeKind {
        self.bump();
        let open = self.span();
        let params = if self.expect(&TokenKind::LParen) {
            self.parse_list(open, TokenKind::RParen, &[], |p| p.parse_type())
        } else {
            Vec::new()
        };
        let ret = if self.eat(&TokenKind::Arrow) {
            Some(Box::new(self.parse_type()))
        } else {
            None
        };
        TypeKind::Fn { params, ret }
    }
}

fn error_type(span: Span) -> TypeExpr {
    TypeExpr {
        kind: TypeKind::Error,
        span,
    }
}
