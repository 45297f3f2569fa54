//! Ownership in the C: strings and function values own reference-counted heap blocks, and so
//! do aggregates holding them. Every owner releases what it owns once: a local at the end of
//! its scope (or when `return`/`break`/`continue` leaves it), a parameter at the function's
//! exit, the old value of an assigned place. A value read from a place into a new owner (a
//! `let`, an argument, a field of a new struct, a return value, a capture) is retained; a
//! fresh value (a call's result, a literal, a concatenation) is handed over as it is. A fresh
//! value used without being kept (an operand of `+`, a printed value, the base of a field
//! access) is held in a temporary and released at the end of the statement (`borrowed`).
//! Vex's move semantics (§15.2) are enforced by the borrow checker; the reference counts make
//! the C correct whichever owner goes first.

use super::func::{strip_parens, FnEmitter};
use crate::hir::{self, ExprKind};
use crate::types::Ty;

/// Whether values of `ty` own something that must be released: strings, function values, and
/// structs, tuples, arrays and enums containing them.
pub fn needs_drop(ty: &Ty, program: &hir::Program) -> bool {
    program.any_component(ty, &|t| match t {
        // A runtime handle is destroyed explicitly (`runtime_destroy`).
        Ty::Lib(crate::types::LibTy::Runtime, _) => Some(false),
        Ty::Fn(..) | Ty::Str | Ty::Lib(..) => Some(true),
        // An empty array holds nothing to release.
        Ty::Array(_, 0) => Some(false),
        _ => None,
    })
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Glue {
    Release,
    Retain,
}

/// Statements releasing or retaining every owned part (string, function value) inside the
/// value stored at `place` of type `ty`.
pub(super) fn glue(ty: &Ty, place: &str, op: Glue, layouts: &super::types::Layouts, program: &hir::Program, out: &mut Vec<String>, depth: usize) {
    if !needs_drop(ty, program) {
        return;
    }
    match (ty, op) {
        (Ty::Fn(..), Glue::Release) => out.push(format!("vex_fn_drop({place});")),
        (Ty::Fn(..), Glue::Retain) => out.push(format!("(void)vex_fn_retain({place});")),
        (Ty::Str, Glue::Release) => out.push(format!("vex_str_release({place});")),
        (Ty::Str, Glue::Retain) => out.push(format!("(void)vex_str_retain({place});")),
        (Ty::Lib(..), Glue::Release) => out.push(format!("{}_release({place});", layouts.c_type(ty, program))),
        (Ty::Lib(..), Glue::Retain) => out.push(format!("(void){}_retain({place});", layouts.c_type(ty, program))),
        _ => {}
    }
    match ty {
        Ty::Struct(_) | Ty::Tuple(_) => {
            let n = match ty {
                Ty::Struct(id) => program.structs[*id as usize].fields.len(),
                Ty::Tuple(ts) => ts.len(),
                _ => 0,
            };
            for i in 0..n {
                let fty = match ty {
                    Ty::Struct(id) => program.structs[*id as usize].fields[i].ty.clone(),
                    Ty::Tuple(ts) => ts[i].clone(),
                    _ => Ty::Error,
                };
                glue(&fty, &format!("{place}.{}", layouts.member(ty, i as u32)), op, layouts, program, out, depth);
            }
        }
        Ty::Array(e, n) => {
            let i = format!("vx_i{depth}");
            let mut inner = Vec::new();
            glue(e, &format!("{place}.a[{i}]"), op, layouts, program, &mut inner, depth + 1);
            out.push(format!("for (int64_t {i} = 0; {i} < {n}; {i}++) {{ {} }}", inner.join(" ")));
        }
        Ty::Enum(id) => {
            for (k, v) in program.enums[*id as usize].variants.iter().enumerate() {
                let Some(p) = &v.payload else { continue };
                let mut inner = Vec::new();
                glue(p, &format!("{place}.u.v{k}"), op, layouts, program, &mut inner, depth);
                if !inner.is_empty() {
                    let test = super::types::variant_test(program, *id, place, k as u32);
                    out.push(format!("if ({test}) {{ {} }}", inner.join(" ")));
                }
            }
        }
        _ => {}
    }
}

/// Whether `e` names existing storage (reading it by value makes a copy that must be retained).
/// A field or element of a temporary counts too: the temporary is kept until the end of the
/// statement (`borrowed`) and released then.
pub(super) fn is_place(e: &hir::Expr) -> bool {
    matches!(e.kind, ExprKind::Local(_) | ExprKind::Field { .. } | ExprKind::Index { .. } | ExprKind::ArrayGet { .. } | ExprKind::Deref(_))
}

impl FnEmitter<'_> {
    pub(super) fn needs_drop(&self, ty: &Ty) -> bool {
        needs_drop(ty, self.program)
    }

    /// Statements releasing what the value at `place` (of type `ty`) owns.
    pub(super) fn release(&self, ty: &Ty, place: &str) -> Vec<String> {
        let mut out = Vec::new();
        glue(ty, place, Glue::Release, self.layouts, self.program, &mut out, 0);
        out
    }

    /// `e` as a value the consumer will own: a copy of an existing value is retained.
    pub(super) fn owned(&mut self, e: &hir::Expr) -> String {
        let text = self.expr(e);
        if !self.needs_drop(&e.ty) || !is_place(e) {
            return text;
        }
        match e.ty {
            Ty::Fn(..) => return format!("vex_fn_retain({})", strip_parens(&text)),
            Ty::Str => return format!("vex_str_retain({})", strip_parens(&text)),
            Ty::Lib(..) => return format!("{}_retain({})", self.c_type(&e.ty), strip_parens(&text)),
            _ => {}
        }
        let cty = self.c_type(&e.ty);
        let t = self.fresh_temp();
        self.decl_pre(&cty, &t, Some(strip_parens(&text).to_string()));
        let mut out = Vec::new();
        glue(&e.ty, &t, Glue::Retain, self.layouts, self.program, &mut out, 0);
        self.prelude.extend(out);
        t
    }


    /// `e` for a use that does not keep it: a fresh owned value is put in a temporary that is
    /// released after the statement.
    pub(super) fn borrowed(&mut self, e: &hir::Expr) -> String {
        let text = self.expr(e);
        if !self.needs_drop(&e.ty) || is_place(e) {
            return text;
        }
        let cty = self.c_type(&e.ty);
        let t = self.fresh_temp();
        self.decl_pre(&cty, &t, Some(strip_parens(&text).to_string()));
        let release = self.release(&e.ty, &t);
        self.postlude.extend(release);
        t
    }
}
