//! Kiln's semantic analysis: names, types and checks, from AST to typed HIR.
//!
//! A [`Session`] is the entry point: it checks units of source one after another
//! against what it already knows; a file is one unit of a fresh session. It never panics and never stops at the first error; a unit produces
//! HIR only when it has no errors, so later stages can trust every type in it.

pub mod check;
pub mod hir;
pub mod session;
pub mod ty;

pub use check::{HiddenGlobal, InstanceStats, ModuleId, Unit};
pub use session::{Inspectable, Session};
