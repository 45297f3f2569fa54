//! Borrow checking on typed HIR (LANGUAGE.md §15).

use crate::diag::Diagnostic;
use crate::hir;

/// Returns warnings on success, or the errors found.
pub fn check(program: &hir::Program) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let _ = program;
    Ok(Vec::new())
}
