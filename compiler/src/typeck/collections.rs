//! The builtin library types `Vec<T>`, `Box<T>`, `Map<K, V>` and `Set<T>` (§12.2-§12.5):
//! constructors, literals, methods, `+`, `m[k]`, checked into `ExprKind::Lib` operations.
//!
//! `Vec()`, `Map()`, `Set()` and `{}` without an expected type take their type arguments from
//! the first later `push`/`insert` in the same body (§3.7): the first pass over the body gives
//! them `{error}` arguments and records what that call reveals; the body is then checked again
//! with that knowledge (`check_body`), defaulting what nothing revealed to `i32`.

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, LibOp};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::{LibTy, Ty};

fn mk(kind: ExprKind, ty: Ty, span: Span) -> hir::Expr {
    hir::Expr { kind, ty, span }
}

fn lib(op: LibOp, args: Vec<hir::Expr>, ty: Ty, span: Span) -> hir::Expr {
    mk(ExprKind::Lib { op, args }, ty, span)
}

fn error_expr(span: Span) -> hir::Expr {
    mk(ExprKind::Unit, Ty::Error, span)
}

pub fn vec_of(t: Ty) -> Ty {
    Ty::Lib(LibTy::Vec, vec![t])
}

impl Checker<'_> {
    /// `Vec()`: the expected `Vec<T>`, else one whose element type a later `push` decides.
    pub fn vec_new(&mut self, fcx: &mut FnCx, args: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        if !args.is_empty() {
            return self.not_yet_expr("`Vec(capacity)`", span);
        }
        match expected {
            Some(t @ Ty::Lib(LibTy::Vec, _)) => lib(LibOp::VecNew, Vec::new(), t.clone(), span),
            _ => {
                fcx.unknown_elements = true;
                lib(LibOp::VecNew, Vec::new(), vec_of(Ty::Error), span)
            }
        }
    }

    /// `Channel(cap)`: the element type comes from the expected `Channel<T>` (§12.8).
    pub fn channel_new(&mut self, fcx: &mut FnCx, args: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        let Some(ty @ Ty::Lib(LibTy::Channel, _)) = expected.cloned() else {
            self.error(
                Diagnostic::error("E0282", "type annotations needed for `Channel(..)`", span)
                    .help("annotate the binding: `let ch: Channel<i64> = Channel(2);`"),
            );
            return error_expr(span);
        };
        let [cap] = args else {
            self.error(Diagnostic::error("E0061", format!("`Channel` takes 1 argument (its capacity) but {} were supplied", args.len()), span));
            return error_expr(span);
        };
        let c = self.index_expr(fcx, cap);
        lib(LibOp::ChanNew, vec![c], ty, span)
    }

    /// `Box(x)`.
    pub fn box_new(&mut self, fcx: &mut FnCx, args: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        let [arg] = args else {
            self.error(
                Diagnostic::error("E0061", format!("`Box` takes 1 argument but {} were supplied", args.len()), span)
                    .help("write `Box(value)`"),
            );
            return error_expr(span);
        };
        let hint = match expected {
            Some(Ty::Lib(LibTy::Box, a)) => a.first().cloned(),
            _ => None,
        };
        let v = self.expr(fcx, arg, hint.as_ref());
        let v = match &hint {
            Some(t) => self.coerce(fcx, v, t),
            None => v,
        };
        if v.ty.is_error() {
            return error_expr(span);
        }
        let ty = Ty::Lib(LibTy::Box, vec![v.ty.clone()]);
        lib(LibOp::BoxNew, vec![v], ty, span)
    }

    /// An array literal where a `Vec<T>` is expected (§3.8 rule 3).
    pub fn vec_literal(&mut self, fcx: &mut FnCx, elems: &[ast::Expr], elem: &Ty, span: Span) -> hir::Expr {
        let mut out = Vec::with_capacity(elems.len());
        for e in elems {
            let v = self.expr(fcx, e, Some(elem));
            out.push(self.coerce(fcx, v, elem));
        }
        lib(LibOp::VecLit, out, vec_of(elem.clone()), span)
    }

    /// `recv.name(args)` on a library type (`recv` already checked, references stripped).
    pub fn lib_method(&mut self, fcx: &mut FnCx, recv: hir::Expr, kind: LibTy, targs: &[Ty], name: &ast::Ident, args: &[ast::Expr], span: Span) -> hir::Expr {
        let elem = targs.first().cloned().unwrap_or(Ty::Error);
        let want = match (kind, name.name.as_str()) {
            (LibTy::Vec | LibTy::Map | LibTy::Set, "len") | (LibTy::Box, "get") | (LibTy::Set, "clear") => 0,
            (LibTy::Vec, "push" | "get") | (LibTy::Map, "get") | (LibTy::Set, "insert" | "contains" | "remove") => 1,
            (LibTy::Map, "insert") => 2,
            (LibTy::Channel, "send") => 1,
            (LibTy::Channel, "recv" | "next" | "try_recv" | "close" | "len") => 0,
            _ => {
                // Names the language reserves for later (§12.2, §12.4 [LATER]): say so, rather
                // than "no method".
                let later: &[&str] = match kind {
                    LibTy::Vec => &["pop", "as_slice", "remove", "insert", "clear", "contains", "is_empty", "iter", "first", "last", "sort", "reverse", "extend", "truncate", "set"],
                    LibTy::Map => &["contains", "contains_key", "remove", "keys", "values", "iter", "entries", "is_empty", "clear"],
                    LibTy::Set => &["iter", "is_empty"],
                    _ => &[],
                };
                if later.contains(&name.name.as_str()) {
                    let t = self.ty_name(&recv.ty);
                    self.not_yet(&format!("`{}` on `{t}`", name.name), name.span);
                    return error_expr(span);
                }
                let methods: &[&str] = match kind {
                    LibTy::Vec => &["push", "len", "get"],
                    LibTy::Box => &["get"],
                    LibTy::Map => &["insert", "get", "len"],
                    LibTy::Set => &["insert", "contains", "remove", "clear", "len"],
                    LibTy::Channel => &["send", "recv", "next", "try_recv", "close", "len"],
                    LibTy::Runtime => &[],
                };
                return self.no_method(name, &recv.ty, methods, span);
            }
        };
        if args.len() != want {
            self.error(
                Diagnostic::error("E0061", format!("method `{}` takes {want} argument(s) but {} were supplied", name.name, args.len()), span)
                    .label(format!("expected {want}")),
            );
            return error_expr(span);
        }
        match (kind, name.name.as_str()) {
            (LibTy::Vec, "push") => self.store_element(fcx, recv, &args[0], &elem, LibOp::VecPush, vec_of, span),
            (LibTy::Set, "insert") => self.store_element(fcx, recv, &args[0], &elem, LibOp::SetInsert, |t| Ty::Lib(LibTy::Set, vec![t]), span),
            (LibTy::Vec, "len") => lib(LibOp::VecLen, vec![recv], Ty::I64, span),
            (LibTy::Map, "len") => lib(LibOp::MapLen, vec![recv], Ty::I64, span),
            (LibTy::Set, "len") => lib(LibOp::SetLen, vec![recv], Ty::I64, span),
            (LibTy::Vec, "get") => {
                let i = self.index_expr(fcx, &args[0]);
                lib(LibOp::VecGet, vec![recv, i], elem, span)
            }
            (LibTy::Box, "get") => lib(LibOp::BoxGet, vec![recv], elem, span),
            (LibTy::Map, "insert") => self.map_insert(fcx, recv, &args[0], &args[1], span),
            (LibTy::Map, "get") => self.map_get(fcx, recv, &args[0], span),
            (LibTy::Channel, "send") => {
                let x = self.typed_operand(fcx, &args[0], &elem);
                lib(LibOp::ChanSend, vec![recv, x], Ty::Unit, span)
            }
            (LibTy::Channel, "recv") => lib(LibOp::ChanRecv, vec![recv], elem, span),
            (LibTy::Channel, "close") => lib(LibOp::ChanClose, vec![recv], Ty::Unit, span),
            (LibTy::Channel, "len") => lib(LibOp::ChanLen, vec![recv], Ty::I64, span),
            (LibTy::Channel, op @ ("next" | "try_recv")) => {
                let Some(ty) = self.option_of(elem, span) else { return error_expr(span) };
                lib(if op == "next" { LibOp::ChanNext } else { LibOp::ChanTryRecv }, vec![recv], ty, span)
            }
            (LibTy::Set, "clear") => lib(LibOp::SetClear, vec![recv], Ty::Unit, span),
            (LibTy::Set, "remove") => {
                let x = self.typed_operand(fcx, &args[0], &elem);
                lib(LibOp::SetRemove, vec![recv, x], Ty::Bool, span)
            }
            _ => {
                let x = self.typed_operand(fcx, &args[0], &elem);
                lib(LibOp::SetContains, vec![recv, x], Ty::Bool, span)
            }
        }
    }

    /// `v.push(x)` / `s.insert(x)`: stores `x` into the collection `recv` (a place). On the
    /// first pass over a `Vec()`/`Set()` without a type, `x` decides the element type.
    #[allow(clippy::too_many_arguments)]
    fn store_element(&mut self, fcx: &mut FnCx, recv: hir::Expr, arg: &ast::Expr, elem: &Ty, op: LibOp, collection: fn(Ty) -> Ty, span: Span) -> hir::Expr {
        if !recv.is_place() {
            let what = if op == LibOp::VecPush { "push" } else { "insert" };
            return self.temporary_receiver(&recv, what);
        }
        if elem.is_error() {
            let x = self.expr(fcx, arg, None);
            if let (ExprKind::Local(l), false) = (&recv.kind, x.ty.contains_error()) {
                fcx.element_hints.entry(*l).or_insert_with(|| collection(x.ty.clone()));
            }
            return lib(op, vec![recv, x], Ty::Unit, span);
        }
        let x = self.typed_operand(fcx, arg, elem);
        lib(op, vec![recv, x], Ty::Unit, span)
    }

    /// `a + b` on two vectors of one element type: their concatenation (§12.2).
    pub fn vec_concat(&mut self, fcx: &mut FnCx, lhs: hir::Expr, rhs: hir::Expr, span: Span) -> hir::Expr {
        let _ = fcx;
        lib(LibOp::VecConcat, vec![lhs.clone(), rhs], lhs.ty, span)
    }

    /// `Map()`, `Map<K, V>()`, `Map(cap)`, `Set()`, ...: explicit type arguments, else the
    /// expected type, else decided by the first insert.
    pub fn collection_ctor(&mut self, fcx: &mut FnCx, name: &ast::Ident, type_args: &[ast::Type], args: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        let Some(kind @ (LibTy::Map | LibTy::Set)) = LibTy::from_name(&name.name) else {
            return self.not_yet_expr(&format!("`{}`", name.name), span);
        };
        let ty = if !type_args.is_empty() {
            let n = ast::Type { kind: ast::TypeKind::Named { name: name.clone(), args: type_args.to_vec() }, span: name.span };
            self.lower_ty(&n)
        } else {
            match expected {
                Some(t @ Ty::Lib(k, _)) if *k == kind => t.clone(),
                _ => {
                    fcx.unknown_elements = true;
                    Ty::Lib(kind, vec![Ty::Error; kind.arity()])
                }
            }
        };
        if ty.is_error() || !self.key_ok(&ty, span) {
            return error_expr(span);
        }
        let op = if kind == LibTy::Map { LibOp::MapNew } else { LibOp::SetNew };
        match args {
            [] => lib(op, Vec::new(), ty, span),
            [cap] => {
                let c = self.index_expr(fcx, cap);
                lib(op, vec![c], ty, span)
            }
            _ => {
                self.error(Diagnostic::error("E0061", format!("`{}` takes at most 1 argument (a capacity)", name.name), span));
                error_expr(span)
            }
        }
    }

    /// Keys of maps and sets are `string` or integers (§12.4).
    fn key_ok(&mut self, ty: &Ty, span: Span) -> bool {
        let Ty::Lib(LibTy::Map | LibTy::Set, args) = ty else { return true };
        let key = &args[0];
        if key.is_int() || *key == Ty::Str || key.is_error() {
            return true;
        }
        let shown = self.ty_name(key);
        self.error(
            Diagnostic::error("E0277", format!("`{shown}` cannot be a map key or set element"), span)
                .help("keys of `Map` and elements of `Set` are `string` or an integer type"),
        );
        false
    }

    /// `{k: v, ...}` / `{}`: the expected `Map<K, V>`, else typed by the first pair.
    pub fn map_literal(&mut self, fcx: &mut FnCx, pairs: &[(ast::Expr, ast::Expr)], expected: Option<&Ty>, span: Span) -> hir::Expr {
        let (mut kt, mut vt) = match expected {
            Some(Ty::Lib(LibTy::Map, a)) => (Some(a[0].clone()), Some(a[1].clone())),
            _ => (None, None),
        };
        if pairs.is_empty() && kt.is_none() {
            fcx.unknown_elements = true;
            return lib(LibOp::MapLit, Vec::new(), Ty::Lib(LibTy::Map, vec![Ty::Error, Ty::Error]), span);
        }
        let mut out = Vec::with_capacity(pairs.len() * 2);
        for (k, v) in pairs {
            let ke = self.expr(fcx, k, kt.as_ref());
            let ke = match &kt {
                Some(t) => self.coerce(fcx, ke, t),
                None => ke,
            };
            kt.get_or_insert_with(|| ke.ty.clone());
            let ve = self.expr(fcx, v, vt.as_ref());
            let ve = match &vt {
                Some(t) => self.coerce(fcx, ve, t),
                None => ve,
            };
            vt.get_or_insert_with(|| ve.ty.clone());
            out.push(ke);
            out.push(ve);
        }
        let ty = Ty::Lib(LibTy::Map, vec![kt.unwrap_or(Ty::Error), vt.unwrap_or(Ty::Error)]);
        if ty.contains_error() || !self.key_ok(&ty, span) {
            return error_expr(span);
        }
        lib(LibOp::MapLit, out, ty, span)
    }

    /// `m[k]` (§12.4): the value, aborting when the key is missing.
    pub fn map_get(&mut self, fcx: &mut FnCx, m: hir::Expr, key: &ast::Expr, span: Span) -> hir::Expr {
        let Ty::Lib(LibTy::Map, args) = m.ty.clone() else { return error_expr(span) };
        let k = self.typed_operand(fcx, key, &args[0]);
        lib(LibOp::MapGet, vec![m, k], args[1].clone(), span)
    }

    /// `m[k] = v` (§12.4): an insert.
    pub fn map_insert(&mut self, fcx: &mut FnCx, m: hir::Expr, key: &ast::Expr, value: &ast::Expr, span: Span) -> hir::Expr {
        if !m.is_place() {
            return self.temporary_receiver(&m, "insert");
        }
        let Ty::Lib(LibTy::Map, args) = m.ty.clone() else { return error_expr(span) };
        if args.iter().any(Ty::is_error) {
            // First pass over `Map()` / `{}` without a type: this insert decides it.
            let k = self.expr(fcx, key, None);
            let v = self.expr(fcx, value, None);
            if let (ExprKind::Local(l), false) = (&m.kind, k.ty.contains_error() || v.ty.contains_error()) {
                fcx.element_hints.entry(*l).or_insert_with(|| Ty::Lib(LibTy::Map, vec![k.ty.clone(), v.ty.clone()]));
            }
            return lib(LibOp::MapInsert, vec![m, k, v], Ty::Unit, span);
        }
        let k = self.typed_operand(fcx, key, &args[0]);
        let v = self.typed_operand(fcx, value, &args[1]);
        lib(LibOp::MapInsert, vec![m, k, v], Ty::Unit, span)
    }

    /// `map_insert(&m, k, v)` and `map_len(&m)` (§12.4 free-function forms).
    pub fn map_free_function(&mut self, fcx: &mut FnCx, name: &str, args: &[ast::Expr], span: Span) -> hir::Expr {
        let want = if name == "map_insert" { 3 } else { 1 };
        if args.len() != want {
            self.error(Diagnostic::error("E0061", format!("`{name}` takes {want} argument(s) but {} were supplied", args.len()), span));
            return error_expr(span);
        }
        let m_ref = self.expr(fcx, &args[0], None);
        let m = super::expr::auto_deref(m_ref);
        let m = match m.kind {
            ExprKind::AddrOf { place, .. } => *place,
            _ => m,
        };
        if !matches!(m.ty, Ty::Lib(LibTy::Map, _)) {
            if !m.ty.is_error() {
                let shown = self.ty_name(&m.ty);
                self.error(
                    Diagnostic::error("E0308", "mismatched types", args[0].span)
                        .label(format!("expected `&Map<K, V>`, found `{shown}`"))
                        .help(format!("pass the map by reference: `{name}(&m, ...)`")),
                );
            }
            return error_expr(span);
        }
        if name == "map_len" {
            return lib(LibOp::MapLen, vec![m], Ty::I64, span);
        }
        self.map_insert(fcx, m, &args[1], &args[2], span)
    }

    fn typed_operand(&mut self, fcx: &mut FnCx, e: &ast::Expr, ty: &Ty) -> hir::Expr {
        if ty.is_error() {
            return self.expr(fcx, e, None);
        }
        let x = self.expr(fcx, e, Some(ty));
        self.coerce(fcx, x, ty)
    }

    fn temporary_receiver(&mut self, recv: &hir::Expr, method: &str) -> hir::Expr {
        self.error(
            Diagnostic::error("E0070", format!("`{method}` needs a collection stored in a variable or field"), recv.span)
                .label("a temporary value")
                .help("bind it first: `let c = ...;`"),
        );
        error_expr(recv.span)
    }

    fn not_yet_expr(&mut self, what: &str, span: Span) -> hir::Expr {
        self.not_yet(what, span);
        error_expr(span)
    }
}
