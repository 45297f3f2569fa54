//! Implicit conversions (§3.8) and the "mismatched types" diagnostic.

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind};
use crate::types::Ty;

impl Checker<'_> {
    /// Checks that `e` can be used where `target` is expected, applying the implicit conversions
    /// that exist in this slice. Reports E0308 otherwise.
    pub fn coerce(&mut self, fcx: &FnCx, e: hir::Expr, target: &Ty) -> hir::Expr {
        if &e.ty == target || e.ty.is_error() || target.is_error() || e.ty == Ty::Never {
            return e;
        }
        if *target == Ty::I32 && self.is_unit_enum(&e.ty) {
            return self.ordinal(e);
        }
        match (&e.ty, target) {
            // `&T!` can always be used as `&T`.
            (Ty::Ref(a, true), Ty::Ref(b, false)) if a == b => return hir::Expr { ty: target.clone(), ..e },
            // `&x` where `&T!` is expected and `x` is mutable is a mutable borrow (§3.8 item 5).
            (Ty::Ref(a, false), Ty::Ref(b, true)) if a == b => {
                if let ExprKind::AddrOf { place, mutable: false } = &e.kind {
                    if crate::borrowck::place_is_mutable(place, &fcx.locals) {
                        let place = place.clone();
                        return hir::Expr { kind: ExprKind::AddrOf { place, mutable: true }, ty: target.clone(), span: e.span };
                    }
                }
            }
            _ => {}
        }
        self.mismatch(&e, target);
        hir::Expr { ty: Ty::Error, ..e }
    }

    pub fn mismatch(&mut self, e: &hir::Expr, target: &Ty) {
        let expected = self.ty_name(target);
        let found = self.ty_name(&e.ty);
        let mut d = Diagnostic::error("E0308", "mismatched types", e.span);
        match (&e.ty, target, &e.kind) {
            (Ty::Array(_, n), Ty::Array(_, m), _) if n != m => {
                d.message = "mismatched types: array size mismatch".into();
                d = d.label(format!("expected an array of {m} elements, found {n}"));
            }
            (Ty::Int(_), Ty::Float(_), ExprKind::Int(v)) => {
                d = d.label(format!("expected `{expected}`, found integer")).help(format!("use a float literal: `{v}.0`"));
            }
            (Ty::Int(_) | Ty::Float(_), Ty::Int(_) | Ty::Float(_), _) => {
                d = d
                    .label(format!("expected `{expected}`, found `{found}`"))
                    .help(format!("convert explicitly with `as {expected}`; Vex has no implicit numeric conversions"));
            }
            (Ty::Ref(_, false), Ty::Ref(_, true), _) => {
                d = d
                    .label(format!("expected `{expected}`, found `{found}`"))
                    .help("borrow mutably with `&x!` (the binding must be declared with `let!`)");
            }
            _ => {
                d = d.label(format!("expected `{expected}`, found `{found}`"));
            }
        }
        self.error(d);
    }
}
