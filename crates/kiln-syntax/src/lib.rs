//! Kiln's front end: source map, lexer, parser, AST and diagnostics.
//!
//! Everything here is pure: no file or terminal IO. The lexer and the parser never
//! panic and never stop early; they return what they could build together with every
//! diagnostic they found.

pub mod ast;
pub mod diagnostic;
mod excerpt;
pub mod lexer;
pub mod parser;
pub mod span;
pub mod token;

pub use diagnostic::{render, Diagnostic, Severity};
pub use lexer::{dump_tokens, lex};
pub use parser::parse;
pub use span::{FileId, SourceFile, SourceMap, Span};
