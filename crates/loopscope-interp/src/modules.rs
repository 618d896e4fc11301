//! Native implementations of the standard modules a course program uses,
//! following the simulated world of `tools/conformance/SEMANTICS.md`.
//!
//! Each module keeps its algorithm here, independent of the VM, so it can
//! be tested against values printed by CPython; the VM binds it to Python
//! names.

pub mod random;
