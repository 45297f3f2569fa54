//! Borrow checking on typed HIR (LANGUAGE.md §15). Phase 1, immutability, lives in
//! `mutability.rs`; moves, borrows and lifetimes come with the ownership work.

mod defers;
mod mutability;

use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind};
use crate::types::Ty;

/// Returns warnings on success, or the errors found.
pub fn check(program: &hir::Program) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for f in &program.functions {
        mutability::check_function(program, f, &mut diags);
        defers::check_function(f, &mut diags);
    }
    diags.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(diags)
    }
}

/// Whether a place may be written: its root is a mutable local, or it is reached through a
/// `&T!` reference (§15.1 table).
pub fn place_is_mutable(place: &hir::Expr, locals: &[hir::Local]) -> bool {
    match &place.kind {
        ExprKind::Local(id) => locals.get(*id as usize).is_some_and(|l| l.mutable),
        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => place_is_mutable(base, locals),
        ExprKind::Deref(r) => matches!(r.ty, Ty::Ref(_, true) | Ty::Ptr(_, false)),
        _ => false,
    }
}
