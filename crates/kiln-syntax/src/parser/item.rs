//! Declarations: `fn`, `extern fn`, `struct`, `enum`, `impl`, `type`, `import` and
//! `test`, at the top level or inside a block.
//!
//! Items are recognised by their leading keyword (`extern` is an ordinary name
//! that only means something right before `fn`). This file must never accept a
//! declaration silently when a required part is missing: it reports it and
//! builds the item from what is there.

use super::Parser;
use crate::ast::{
    EnumDecl, Field, FnDecl, FnSig, Ident, ImplDecl, Item, ItemKind, Param, StructDecl, TestDecl,
    TypeAlias, TypeExpr, TypeKind, Variant, VariantPayload,
};
use crate::span::Span;
use crate::token::{StrPiece, TokenKind};

impl Parser<'_> {
    /// Whether the current token starts a declaration.
    pub(super) fn at_item_start(&self) -> bool {
        match self.peek() {
            TokenKind::Fn
            | TokenKind::Struct
            | TokenKind::Enum
            | TokenKind::Impl
            | TokenKind::Type
            | TokenKind::Import
            | TokenKind::Test => true,
            TokenKind::Ident(name) => name == "extern" && *self.nth(1) == TokenKind::Fn,
            _ => false,
        }
    }

    /// A declaration; the caller checked [`Parser::at_item_start`].
    pub(super) fn parse_item(&mut self) -> Item {
        let start = self.span();
        let kind = match self.peek() {
            TokenKind::Fn => ItemKind::Fn(self.parse_fn()),
            TokenKind::Ident(_) => self.parse_extern_fn(),
            TokenKind::Struct => self.parse_struct(),
            TokenKind::Enum => self.parse_enum(),
            TokenKind::Impl => self.parse_impl(),
            TokenKind::Type => self.parse_type_alias(),
            TokenKind::Import => self.parse_import(),
            _ => self.parse_test(),
        };
        Item {
            kind,
            span: self.span_from(start),
        }
    }

    /// `fn name<T>(params) -> ret { body }`
    fn parse_fn(&mut self) -> FnDecl {
        let start = self.span();
        self.bump();
        let sig = self.parse_fn_sig(start);
        if self.at(&TokenKind::Newline) && *self.nth(1) == TokenKind::LBrace {
            self.bump();
        }
        let body = self.parse_block();
        FnDecl { sig, body }
    }

    /// `extern fn name(params) -> ret`, with no body.
    fn parse_extern_fn(&mut self) -> ItemKind {
        let start = self.span();
        self.bump();
        self.bump();
        let sig = self.parse_fn_sig(start);
        if self.at(&TokenKind::LBrace) {
            let span = self.span();
            self.error(
                span,
                "an `extern fn` has no body",
                "the body is in C; remove this block",
            );
            self.parse_block();
        }
        ItemKind::ExternFn(sig)
    }

    /// The part of a function after `fn`: name, generics, parameters, return type.
    fn parse_fn_sig(&mut self, start: Span) -> FnSig {
        let name = self.expect_ident("a function name");
        let generics = self.parse_generics();
        let params = self.parse_params();
        let ret = if self.eat(&TokenKind::Arrow) {
            Some(self.parse_type())
        } else {
            None
        };
        FnSig {
            name,
            generics,
            params,
            ret,
            span: self.span_from(start),
        }
    }

    /// Consumes a name, or reports `what` missing and returns an empty name.
    pub(super) fn expect_ident(&mut self, what: &str) -> Ident {
        if let TokenKind::Ident(name) = self.peek() {
            let ident = Ident {
                name: name.clone(),
                span: self.span(),
            };
            self.bump();
            return ident;
        }
        self.error_expected(what);
        Ident {
            name: String::new(),
            span: self.span().start(),
        }
    }

    /// `<T, U>` after a declared name; empty when there is no `<`.
    fn parse_generics(&mut self) -> Vec<Ident> {
        if !self.at(&TokenKind::Lt) {
            return Vec::new();
        }
        let open = self.span();
        self.bump();
        let stops = [TokenKind::LParen, TokenKind::LBrace, TokenKind::Eq];
        self.parse_list(open, TokenKind::Gt, &stops, |p| {
            p.expect_ident("a type parameter name")
        })
    }

    /// `(a: int, b: str)`; `self` may come first, without a type.
    fn parse_params(&mut self) -> Vec<Param> {
        let open = self.span();
        if !self.expect(&TokenKind::LParen) {
            return Vec::new();
        }
        let stops = [TokenKind::Arrow, TokenKind::LBrace];
        let mut first = true;
        self.parse_list(open, TokenKind::RParen, &stops, |p| {
            let param = p.parse_param(first);
            first = false;
            param
        })
    }

    fn parse_param(&mut self, first: bool) -> Param {
        let start = self.span();
        let name = self.expect_ident("a parameter name");
        if name.name == "self" {
            return self.finish_self_param(name, first, start);
        }
        let ty = if self.eat(&TokenKind::Colon) {
            Some(self.parse_type())
        } else {
            if !name.name.is_empty() {
                self.error(
                    name.span,
                    format!("missing type for parameter `{}`", name.name),
                    format!("write `{}: TYPE`", name.name),
                );
            }
            None
        };
        Param {
            name,
            ty,
            is_self: false,
            span: self.span_from(start),
        }
    }

    fn finish_self_param(&mut self, name: Ident, first: bool, start: Span) -> Param {
        if !first {
            self.error(
                name.span,
                "`self` must be the first parameter",
                "move it to the front",
            );
        }
        if self.eat(&TokenKind::Colon) {
            let ty = self.parse_type();
            self.error(
                ty.span,
                "`self` takes no type",
                "its type is the `impl` target",
            );
        }
        Param {
            name,
            ty: None,
            is_self: true,
            span: self.span_from(start),
        }
    }

    /// `struct Name<T> { field: Type, ... }`
    fn parse_struct(&mut self) -> ItemKind {
        self.bump();
        let name = self.expect_ident("a struct name");
        let generics = self.parse_generics();
        let fields = self.parse_brace_list(|p| Some(p.parse_field()));
        ItemKind::Struct(StructDecl {
            name,
            generics,
            fields,
        })
    }

    /// `name: Type`
    fn parse_field(&mut self) -> Field {
        let start = self.span();
        let name = self.expect_ident("a field name");
        let ty = if self.expect(&TokenKind::Colon) {
            self.parse_type()
        } else {
            TypeExpr {
                kind: TypeKind::Error,
                span: self.span().start(),
            }
        };
        Field {
            name,
            ty,
            span: self.span_from(start),
        }
    }

    /// `enum Name<T> { Unit, Tuple(A, B), Labelled(a: A), ... }`
    fn parse_enum(&mut self) -> ItemKind {
        self.bump();
        let name = self.expect_ident("an enum name");
        let generics = self.parse_generics();
        let variants = self.parse_brace_list(|p| p.parse_variant());
        ItemKind::Enum(EnumDecl {
            name,
            generics,
            variants,
        })
    }

    fn parse_variant(&mut self) -> Option<Variant> {
        let start = self.span();
        let name = self.expect_ident("a variant name");
        if name.name.is_empty() {
            return None;
        }
        let payload = if self.at(&TokenKind::LParen) {
            self.parse_variant_payload()
        } else {
            VariantPayload::Unit
        };
        Some(Variant {
            name,
            payload,
            span: self.span_from(start),
        })
    }

    /// `(A, B)` or `(a: A, b: B)`, decided by the first entry.
    fn parse_variant_payload(&mut self) -> VariantPayload {
        let open = self.span();
        self.bump();
        let labelled =
            matches!(self.peek(), TokenKind::Ident(_)) && *self.nth(1) == TokenKind::Colon;
        if labelled {
            let fields = self.parse_list(open, TokenKind::RParen, &[], |p| p.parse_field());
            VariantPayload::Labelled(fields)
        } else {
            let types = self.parse_list(open, TokenKind::RParen, &[], |p| p.parse_type());
            VariantPayload::Tuple(types)
        }
    }

    /// `impl<T> Target<T> { fn ... }`
    fn parse_impl(&mut self) -> ItemKind {
        self.bump();
        let generics = self.parse_generics();
        let target = self.parse_type();
        let methods = self.parse_brace_list(|p| p.parse_method());
        ItemKind::Impl(ImplDecl {
            generics,
            target,
            methods,
        })
    }

    fn parse_method(&mut self) -> Option<FnDecl> {
        if self.at(&TokenKind::Fn) {
            return Some(self.parse_fn());
        }
        self.error_expected("`fn` (an `impl` block holds only methods)");
        self.bump();
        self.recover(&[TokenKind::Comma]);
        None
    }

    /// `type Name<T> = Type`
    fn parse_type_alias(&mut self) -> ItemKind {
        self.bump();
        let name = self.expect_ident("a type name");
        let generics = self.parse_generics();
        let ty = if self.expect(&TokenKind::Eq) {
            self.parse_type()
        } else {
            TypeExpr {
                kind: TypeKind::Error,
                span: self.span().start(),
            }
        };
        ItemKind::TypeAlias(TypeAlias { name, generics, ty })
    }

    /// `import name`
    fn parse_import(&mut self) -> ItemKind {
        self.bump();
        ItemKind::Import(self.expect_ident("a module name"))
    }

    /// `test "name" { ... }`
    fn parse_test(&mut self) -> ItemKind {
        self.bump();
        let name = match self.peek() {
            TokenKind::Str(pieces) => {
                let pieces = pieces.clone();
                self.bump();
                self.plain_string(&pieces)
            }
            _ => {
                self.error_expected("a test name in quotes");
                String::new()
            }
        };
        let body = self.parse_block();
        ItemKind::Test(TestDecl { name, body })
    }

    /// The text of a string literal that must not interpolate (test names,
    /// patterns); an interpolation is reported and left out.
    pub(super) fn plain_string(&mut self, pieces: &[StrPiece]) -> String {
        let mut text = String::new();
        for piece in pieces {
            match piece {
                StrPiece::Text(t) => text.push_str(t),
                StrPiece::Interp { span: at, .. } => {
                    self.error(
                        *at,
                        "interpolation is not allowed here",
                        "this string must be plain text",
                    );
                }
            }
        }
        text
    }
}
