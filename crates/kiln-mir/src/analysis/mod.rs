//! Analyses of MIR functions that passes and the verifier share: dominators
//! ([`dominators`]) and the liveness of values ([`liveness`]). An analysis reads a
//! function and never changes it.

pub mod dominators;
pub mod liveness;
