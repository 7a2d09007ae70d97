//! Kiln's mid-level IR: typed SSA with block parameters.
//!
//! [`ir`] is the data model, [`builder`] builds functions with SSA construction,
//! [`lower`] turns typed HIR into MIR, [`verify`] checks the invariants,
//! [`print`] renders the text form, and [`descs`] makes the runtime descriptors of
//! a program's types for either backend; the passes are [`inline`] (small functions
//! into their callers), [`divisible`] (divisibility tests by constants without a
//! division) and [`rc_pairs`] (needless retain/release pairs), and
//! lowering runs [`generator`] (a generator body into its resume function).
//! [`analysis`] holds the analyses they share (dominators, liveness). MIR never
//! refers to Cranelift; the code generator and the interpreter consume it.

pub mod analysis;
pub mod builder;
pub mod descs;
pub mod divisible;
pub mod generator;
pub mod inline;
pub mod ir;
pub mod lower;
pub mod parse;
pub mod print;
pub mod rc_pairs;
pub mod verify;

pub use ir::*;
