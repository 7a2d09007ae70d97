//! Kiln's semantic analysis: names, types and checks, from AST to typed HIR.
//!
//! [`check_module`] is the entry point. It never panics and never stops at the first
//! error; it returns HIR only for a program without errors, so later stages can
//! trust every type in it.

pub mod check;
pub mod hir;
pub mod ty;

pub use check::{check_module, Checked};
