//! `extern "C"` blocks (§4.9): FFI-safe signatures and calls. Parameters and results may be
//! integers, floats, `bool`, raw pointers, references (passed as pointers) and `string`
//! (passed as a NUL-terminated `const char *`); `*void` is `void *`. A `&T` argument is
//! accepted for a `*T` parameter and a `string` for a `*u8` one (§3.8 rule 6).

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::{IntTy, Ty};

fn ffi_safe(t: &Ty) -> bool {
    match t {
        Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str | Ty::Ptr(..) | Ty::Ref(..) | Ty::Unit => true,
        _ => false,
    }
}

impl Checker<'_> {
    /// The signatures of every extern function, in resolver order.
    pub fn collect_externs(&mut self) -> Vec<hir::ExternFn> {
        let mut out = Vec::with_capacity(self.res.externs.len());
        for &(item, k) in &self.res.externs {
            let ast::ItemKind::Extern(block) = &self.file.items[item].kind else { continue };
            let xf = &block.fns[k];
            let lower = |c: &mut Self, t: &ast::Type| {
                let ty = c.lower_ty(t);
                if !ffi_safe(&ty) && !ty.is_error() {
                    let shown = c.ty_name(&ty);
                    c.error(
                        Diagnostic::error("E0277", format!("`{shown}` cannot cross the C boundary"), t.span)
                            .label("not FFI-safe")
                            .help("extern functions take integers, floats, `bool`, `string`, references and raw pointers"),
                    );
                    return Ty::Error;
                }
                ty
            };
            let params: Vec<Ty> = xf.params.iter().map(|p| lower(self, &p.ty)).collect();
            let ret = match &xf.ret {
                Some(t) => lower(self, t),
                None => Ty::Unit,
            };
            out.push(hir::ExternFn { name: xf.name.name.clone(), params, ret, variadic: xf.variadic });
        }
        out
    }

    /// `abi` must be "C" (the default).
    pub fn check_extern_abi(&mut self, block: &ast::ExternBlock) {
        if let Some(abi) = &block.abi {
            if abi != "C" {
                self.error(
                    Diagnostic::error("E0703", format!("invalid ABI: found `\"{abi}\"`"), block.span)
                        .help("only `extern \"C\"` is supported"),
                );
            }
        }
    }

    pub fn extern_call(&mut self, fcx: &mut FnCx, id: u32, args: &[ast::Expr], span: Span) -> hir::Expr {
        let error = hir::Expr { kind: ExprKind::Unit, ty: Ty::Error, span };
        let Some(sig) = self.externs.get(id as usize).cloned() else { return error };
        if args.len() < sig.params.len() || (!sig.variadic && args.len() > sig.params.len()) {
            let want = if sig.variadic { format!("at least {}", sig.params.len()) } else { sig.params.len().to_string() };
            self.error(
                Diagnostic::error("E0061", format!("`{}` takes {want} argument(s) but {} were supplied", sig.name, args.len()), span)
                    .label(format!("expected {want}")),
            );
            return error;
        }
        let mut checked = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let e = match sig.params.get(i) {
                Some(p) => {
                    let e = self.expr(fcx, a, Some(p));
                    match (p, &e.ty) {
                        // `&x` where `*T` is expected; a string where `*u8` is (§3.8 rule 6).
                        (Ty::Ptr(pt, _), Ty::Ref(rt, _)) if pt == rt || **pt == Ty::Unit => {
                            hir::Expr { kind: ExprKind::Cast(Box::new(e)), ty: p.clone(), span: a.span }
                        }
                        (Ty::Ptr(pt, _), Ty::Str) if **pt == Ty::Int(IntTy::U8) => e,
                        _ => self.coerce(fcx, e, p),
                    }
                }
                None => {
                    let e = self.expr(fcx, a, None);
                    if !ffi_safe(&e.ty) && !e.ty.is_error() {
                        let shown = self.ty_name(&e.ty);
                        self.error(Diagnostic::error("E0277", format!("`{shown}` cannot be passed to a variadic C function"), e.span).label("not FFI-safe"));
                    }
                    e
                }
            };
            if e.ty.is_error() {
                return error;
            }
            checked.push(e);
        }
        hir::Expr { kind: ExprKind::ExternCall { func: id, args: checked }, ty: sig.ret, span }
    }
}
