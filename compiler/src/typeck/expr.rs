//! Expressions. `expected` is a hint from the context (annotation, parameter, operand, return
//! type): integer and float literals take their type from it (§3.7); callers still `coerce`.

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, Receiver, ReceiverKind};
use crate::resolve::{did_you_mean, Res};
use crate::span::Span;
use crate::syntax::ast::{self, BinOp, UnaryOp};
use crate::types::{FloatTy, IntTy, Ty};

fn mk(kind: ExprKind, ty: Ty, span: Span) -> hir::Expr {
    hir::Expr { kind, ty, span }
}

fn error_expr(span: Span) -> hir::Expr {
    mk(ExprKind::Unit, Ty::Error, span)
}

/// An expression whose type is decided by its context: a numeric literal, possibly negated or
/// combined with other such literals (`2 * 3 + 1`).
fn untyped_literal(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Int(_) | ast::ExprKind::Float(_) => true,
        ast::ExprKind::Unary { op: UnaryOp::Neg, operand } => untyped_literal(operand),
        ast::ExprKind::Binary { op, lhs, rhs } => {
            (op.is_arithmetic() || op.is_bitwise()) && untyped_literal(lhs) && untyped_literal(rhs)
        }
        _ => false,
    }
}

/// Wraps `e` in `Deref` nodes until its type is no longer a reference.
pub(super) fn auto_deref(mut e: hir::Expr) -> hir::Expr {
    while let Ty::Ref(inner, _) = &e.ty {
        let ty = (**inner).clone();
        let span = e.span;
        e = mk(ExprKind::Deref(Box::new(e)), ty, span);
    }
    e
}

impl Checker<'_> {
    pub fn expr(&mut self, fcx: &mut FnCx, e: &ast::Expr, expected: Option<&Ty>) -> hir::Expr {
        use ast::ExprKind as K;
        let span = e.span;
        match &e.kind {
            K::Int(v) => self.int_lit(*v, false, expected, span),
            K::Float(v) => {
                let ty = match expected {
                    Some(Ty::Float(FloatTy::F32)) => FloatTy::F32,
                    _ => FloatTy::F64,
                };
                if ty == FloatTy::F32 && v.abs() > f64::from(f32::MAX) {
                    self.error(
                        Diagnostic::error("E0308", "literal out of range for `f32`", span)
                            .label("this literal does not fit into `f32` (it would be infinite)")
                            .note(format!("the largest `f32` is about {:e}", f32::MAX))
                            .help("use `f64`"),
                    );
                    return error_expr(span);
                }
                mk(ExprKind::Float(*v), Ty::Float(ty), span)
            }
            K::Bool(b) => mk(ExprKind::Bool(*b), Ty::Bool, span),
            K::Str(s) => mk(ExprKind::Str(s.clone()), Ty::Str, span),
            K::Ident(name) => self.ident(fcx, e.id, name, expected, span),
            K::Unary { op, operand } => self.unary(fcx, *op, operand, expected, span),
            K::Binary { op, lhs, rhs } => self.binary(fcx, *op, lhs, rhs, expected, span),
            K::Cast { expr, ty } => self.cast(fcx, expr, ty, span),
            K::Call { callee, type_args, args } => self.call(fcx, callee, type_args, args, expected, span),
            K::MethodCall { receiver, name, args, bang } => self.method_call(fcx, receiver, name, args, *bang, expected, span),
            K::Field { base, name } => self.field(fcx, base, name, expected, span),
            K::Index { base, index } => {
                let base_e = auto_deref(self.expr(fcx, base, None));
                if let Ty::Lib(crate::types::LibTy::Map, _) = base_e.ty {
                    return self.map_get(fcx, base_e, index, span);
                }
                let index = self.index_expr(fcx, index);
                match base_e.ty.clone() {
                    Ty::Array(elem, _) => {
                        mk(ExprKind::Index { base: Box::new(base_e), index: Box::new(index) }, *elem, span)
                    }
                    Ty::Error => error_expr(span),
                    Ty::Lib(crate::types::LibTy::Vec, _) => {
                        // §12.2: `v[i]` is [LATER]; `v.get(i)` reads an element now.
                        self.error(
                            Diagnostic::error("E0658", "not yet implemented: indexing a `Vec` with `[]`", span)
                                .label("not supported by this version of vexc")
                                .help("read an element with `v.get(i)`; writing one in place is not available yet"),
                        );
                        error_expr(span)
                    }
                    other => {
                        let t = self.ty_name(&other);
                        self.error(
                            Diagnostic::error("E0608", format!("cannot index into a value of type `{t}`"), base_e.span)
                                .label("not an array"),
                        );
                        error_expr(span)
                    }
                }
            }
            K::StructLit { name, type_args, fields } => self.struct_lit(fcx, name, type_args, fields, expected, span),
            K::ArrayLit(elems) => match expected {
                Some(Ty::Lib(crate::types::LibTy::Vec, t)) if t.len() == 1 && !t[0].is_error() => self.vec_literal(fcx, elems, &t[0].clone(), span),
                _ => self.array_lit(fcx, elems, expected, span),
            },
            K::ArrayRepeat { value, count } => {
                let elem_hint = match expected {
                    Some(Ty::Array(e, _)) => Some((**e).clone()),
                    _ => None,
                };
                let value = self.expr(fcx, value, elem_hint.as_ref());
                let value = match &elem_hint {
                    Some(t) => self.coerce(fcx, value, t),
                    None => value,
                };
                let n = match &count.kind {
                    ast::ExprKind::Int(n) if *n <= u32::MAX as u128 => *n as u64,
                    _ => {
                        self.error(
                            Diagnostic::error("E0308", "the length of an array repeat expression must be an integer literal", count.span)
                                .label("expected an integer literal")
                                .help("write the length as a literal, e.g. `[0; 16]`"),
                        );
                        return error_expr(span);
                    }
                };
                let ty = Ty::Array(Box::new(value.ty.clone()), n);
                mk(ExprKind::ArrayRepeat { value: Box::new(value), count: n }, ty, span)
            }
            K::Tuple(items) if items.is_empty() => mk(ExprKind::Unit, Ty::Unit, span),
            K::AddrOf { operand, mutable } => {
                let inner_hint = match expected {
                    Some(Ty::Ref(t, _)) => Some((**t).clone()),
                    _ => None,
                };
                let place = self.expr(fcx, operand, inner_hint.as_ref());
                if place.ty.is_error() {
                    return error_expr(span);
                }
                if !place.is_place() {
                    self.not_yet("references to temporaries (`&f()`)", operand.span);
                    return error_expr(span);
                }
                let ty = Ty::Ref(Box::new(place.ty.clone()), *mutable);
                mk(ExprKind::AddrOf { place: Box::new(place), mutable: *mutable }, ty, span)
            }
            K::Deref(operand) => {
                let inner = self.expr(fcx, operand, None);
                match inner.ty.clone() {
                    Ty::Ref(t, _) => mk(ExprKind::Deref(Box::new(inner)), *t, span),
                    Ty::Ptr(..) => {
                        self.not_yet("dereferencing raw pointers", span);
                        error_expr(span)
                    }
                    Ty::Error => error_expr(span),
                    other => {
                        let t = self.ty_name(&other);
                        self.error(
                            Diagnostic::error("E0614", format!("type `{t}` cannot be dereferenced"), span)
                                .label("not a reference"),
                        );
                        error_expr(span)
                    }
                }
            }
            K::FString(parts) => self.fstring(fcx, parts, span),
            K::Nil => self.expr_not_yet("`nil`", span),
            K::Tuple(items) => {
                let hints: Vec<Option<Ty>> = match expected {
                    Some(Ty::Tuple(ts)) if ts.len() == items.len() => ts.iter().cloned().map(Some).collect(),
                    _ => vec![None; items.len()],
                };
                let mut elems = Vec::with_capacity(items.len());
                for (item, hint) in items.iter().zip(&hints) {
                    let v = self.expr(fcx, item, hint.as_ref());
                    let v = match hint {
                        Some(t) => self.coerce(fcx, v, t),
                        None => v,
                    };
                    elems.push(v);
                }
                if elems.iter().any(|e| e.ty.is_error()) {
                    return error_expr(span);
                }
                let ty = Ty::Tuple(elems.iter().map(|e| e.ty.clone()).collect());
                mk(ExprKind::TupleLit(elems), ty, span)
            }
            K::TupleField { base, index, index_span } => {
                let b = auto_deref(self.expr(fcx, base, None));
                match b.ty.clone() {
                    Ty::Tuple(ts) if (*index as usize) < ts.len() => {
                        let ty = ts[*index as usize].clone();
                        mk(ExprKind::Field { base: Box::new(b), field: *index }, ty, span)
                    }
                    Ty::Error => error_expr(span),
                    other => {
                        let t = self.ty_name(&other);
                        let mut d = Diagnostic::error("E0609", format!("no field `{index}` on type `{t}`"), *index_span)
                            .label("unknown field");
                        if let Ty::Tuple(ts) = &other {
                            d = d.note(format!("the tuple has {} element{}, numbered from 0", ts.len(), if ts.len() == 1 { "" } else { "s" }));
                        }
                        self.error(d);
                        error_expr(span)
                    }
                }
            }
            K::Try(inner) => self.try_expr(fcx, inner, span),
            // `await` marks a suspension point; calls of async functions suspend with or
            // without it (docs/SPEC.md, Concurrency).
            K::Await(inner) => self.expr(fcx, inner, expected),
            K::MapLit(pairs) => self.map_literal(fcx, pairs, expected, span),
            K::CollectionCtor { name, type_args, args } => self.collection_ctor(fcx, name, type_args, args, expected, span),
            K::Match { scrutinee, arms } => self.match_expr(fcx, scrutinee, arms, expected, span),
            K::Closure(c) => self.closure(fcx, e.id, c, expected, span),
            K::Block(_) => self.expr_not_yet("block expressions", span),
            K::Range { .. } => self.expr_not_yet("ranges", span),
            K::PostIncDec { increment, .. } => {
                let op = if *increment { "++" } else { "--" };
                self.error(
                    Diagnostic::error("E0658", format!("not yet implemented: the `{op}` operator"), span)
                        .help(format!("write `x {}= 1;` instead", &op[..1])),
                );
                error_expr(span)
            }
        }
    }

    pub(super) fn expr_not_yet(&mut self, what: &str, span: Span) -> hir::Expr {
        self.not_yet(what, span);
        error_expr(span)
    }

    /// An integer literal of the type the context expects (default `i32`), range-checked.
    pub fn int_lit(&mut self, value: u128, negative: bool, expected: Option<&Ty>, span: Span) -> hir::Expr {
        let ity = match expected {
            Some(Ty::Int(t)) => *t,
            _ => IntTy::I32,
        };
        let v: Option<i128> = i128::try_from(value).ok().map(|v| if negative { -v } else { v });
        match v {
            Some(v) if v >= ity.min_value() && v <= ity.max_value() => mk(ExprKind::Int(v), Ty::Int(ity), span),
            _ => {
                let shown = if negative { format!("-{value}") } else { value.to_string() };
                self.error(
                    Diagnostic::error("E0308", format!("literal out of range for `{}`", ity.name()), span)
                        .label(format!("`{shown}` does not fit into `{}`", ity.name()))
                        .note(format!("the range of `{}` is `{}..={}`", ity.name(), ity.min_value(), ity.max_value()))
                        .help("use a wider type, e.g. `i64` or `u64`"),
                );
                error_expr(span)
            }
        }
    }

    pub(super) fn index_expr(&mut self, fcx: &mut FnCx, index: &ast::Expr) -> hir::Expr {
        let hint = if untyped_literal(index) { Some(Ty::I64) } else { None };
        let i = self.expr(fcx, index, hint.as_ref());
        if !i.ty.is_int() && !i.ty.is_error() {
            let t = self.ty_name(&i.ty);
            self.error(
                Diagnostic::error("E0308", "mismatched types", i.span)
                    .label(format!("expected an integer index, found `{t}`")),
            );
            return error_expr(i.span);
        }
        i
    }

    fn ident(&mut self, fcx: &mut FnCx, id: ast::NodeId, name: &ast::Ident, expected: Option<&Ty>, span: Span) -> hir::Expr {
        match self.res.names.get(&id) {
            Some(Res::Local(l)) => {
                let ty = fcx.locals.get(*l as usize).map(|x| x.ty.clone()).unwrap_or(Ty::Error);
                mk(ExprKind::Local(*l), ty, span)
            }
            Some(Res::Const(item)) => self.const_value(*item, span),
            Some(Res::Fn(f)) => self.fn_value(*f, span),
            Some(Res::SelfMethod(_)) => self.expr_not_yet("methods as values", span),
            Some(Res::Extern(_)) => self.expr_not_yet("extern functions as values", span),
            Some(Res::Namespace(_)) => {
                self.error(
                    Diagnostic::error("E0423", format!("expected value, found module `{}`", name.name), span)
                        .help(format!("name one of its items: `{}.item`", name.name)),
                );
                error_expr(span)
            }
            Some(Res::Builtin(b)) if b.name == "None" => match self.shorthand_enum(name) {
                Some(eid) => self.variant_value(eid, name, expected, span),
                None => error_expr(span),
            },
            Some(Res::Builtin(b)) => {
                self.error(
                    Diagnostic::error("E0423", format!("builtin function `{}` cannot be used as a value", b.name), span)
                        .help(format!("call it: `{}(...)`", b.name)),
                );
                error_expr(span)
            }
            Some(Res::Struct(_)) => {
                self.error(
                    Diagnostic::error("E0423", format!("expected value, found struct `{}`", name.name), span)
                        .help(format!("build a value with a struct literal: `{} {{ ... }}`", name.name)),
                );
                error_expr(span)
            }
            None if self.res.enum_id(name.span, &name.name).is_some() => {
                self.error(
                    Diagnostic::error("E0423", format!("expected value, found enum `{}`", name.name), span)
                        .help(format!("name one of its variants: `{}.Variant`", name.name)),
                );
                error_expr(span)
            }
            None if self.res.other_type(name.span, &name.name) => self.expr_not_yet("traits as values", span),
            None => error_expr(span),
        }
    }

    fn unary(&mut self, fcx: &mut FnCx, op: UnaryOp, operand: &ast::Expr, expected: Option<&Ty>, span: Span) -> hir::Expr {
        if op == UnaryOp::Neg {
            // `-128` is one literal for the range check (§3.7).
            if let ast::ExprKind::Int(v) = operand.kind {
                return self.int_lit(v, true, expected, span);
            }
        }
        let hint = if op == UnaryOp::Not { Some(&Ty::Bool) } else { expected };
        let inner = self.expr(fcx, operand, hint);
        let ty = inner.ty.clone();
        // `-s` / `!s` on a struct implementing `Neg` / `Not` call its method (§11.1).
        let (trait_name, method) = if op == UnaryOp::Neg { ("Neg", "neg") } else { ("Not", "not") };
        if let (Ty::Struct(sid), true) = (&ty, self.implements(&ty, trait_name, None)) {
            if let Some(fid) = self.struct_method(*sid, method, span) {
                return self.operator_method_call(fid, inner, Vec::new(), span);
            }
        }
        let ok = match (op, &ty) {
            (_, Ty::Error) => return error_expr(span),
            (UnaryOp::Neg, Ty::Int(i)) => i.signed(),
            (UnaryOp::Neg, Ty::Float(_)) => true,
            (UnaryOp::Not, Ty::Bool) => true,
            (UnaryOp::Not, Ty::Int(_)) => {
                return self.expr_not_yet("`!` on integers (bitwise complement); use `x ^ -1`", span);
            }
            _ => false,
        };
        if !ok {
            let t = self.ty_name(&ty);
            let sym = if op == UnaryOp::Neg { "-" } else { "!" };
            let mut d = Diagnostic::error("E0600", format!("cannot apply unary operator `{sym}` to type `{t}`"), span)
                .label(format!("cannot apply `{sym}`"));
            if matches!(ty, Ty::Int(_)) {
                d = d.help("unsigned values cannot be negated; use `0 - x` for wrapping negation");
            }
            self.error(d);
            return error_expr(span);
        }
        mk(ExprKind::Unary { op, operand: Box::new(inner) }, ty, span)
    }

    fn binary(
        &mut self,
        fcx: &mut FnCx,
        op: BinOp,
        l: &ast::Expr,
        r: &ast::Expr,
        expected: Option<&Ty>,
        span: Span,
    ) -> hir::Expr {
        let hint: Option<Ty> = if op.is_logical() {
            Some(Ty::Bool)
        } else if op.is_arithmetic() || op.is_bitwise() || op.is_shift() {
            expected.filter(|t| t.is_numeric()).cloned()
        } else {
            None
        };
        let (lhs, rhs) = if untyped_literal(l) && !untyped_literal(r) && !op.is_shift() {
            let rhs = self.expr(fcx, r, hint.as_ref());
            let lhs = self.expr(fcx, l, Some(&rhs.ty));
            (lhs, rhs)
        } else {
            let lhs = self.expr(fcx, l, hint.as_ref());
            if matches!(lhs.ty, Ty::Struct(_)) && self.implements(&lhs.ty, super::traits::operator_trait(op).map_or("", |t| t.0), None) {
                if let Some(call) = self.operator_call(fcx, op, lhs.clone(), r, span) {
                    return call;
                }
            }
            let rhs_hint = if op.is_shift() { None } else { Some(lhs.ty.clone()) };
            let rhs = self.expr(fcx, r, rhs_hint.as_ref());
            (lhs, rhs)
        };
        let result = |t: Ty| if op.is_comparison() || op.is_logical() { Ty::Bool } else { t };
        if lhs.ty.is_error() || rhs.ty.is_error() {
            return error_expr(span);
        }
        // Unit-only enums compare by ordinal, with each other or with an `i32` (§3.8 item 2).
        let (lhs, rhs) = if matches!(op, BinOp::Eq | BinOp::Ne)
            && (self.is_unit_enum(&lhs.ty) || self.is_unit_enum(&rhs.ty))
            && (lhs.ty == rhs.ty || lhs.ty == Ty::I32 || rhs.ty == Ty::I32)
        {
            (self.ordinal(lhs), self.ordinal(rhs))
        } else {
            (lhs, rhs)
        };
        let lt = lhs.ty.clone();
        let rt = rhs.ty.clone();
        if op.is_logical() {
            for side in [&lhs, &rhs] {
                if side.ty != Ty::Bool && side.ty != Ty::Never {
                    let found = self.ty_name(&side.ty);
                    self.error(
                        Diagnostic::error("E0308", "mismatched types", side.span)
                            .label(format!("expected `bool`, found `{found}`"))
                            .note(format!("both operands of `{}` must be `bool`", op.symbol())),
                    );
                    return error_expr(span);
                }
            }
            return mk(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, Ty::Bool, span);
        }
        if op.is_shift() {
            if lt.is_int() && rt.is_int() {
                return mk(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, lt, span);
            }
            return self.no_operator(op, &lhs, &rhs, span);
        }
        if op == BinOp::Add && lt == rt && matches!(lt, Ty::Lib(crate::types::LibTy::Vec, _)) {
            return self.vec_concat(fcx, lhs, rhs, span);
        }
        if lt != rt {
            if (lt.is_numeric() || lt == Ty::Bool || lt == Ty::Str) && (rt.is_numeric() || rt == Ty::Bool || rt == Ty::Str) {
                let (ln, rn) = (self.ty_name(&lt), self.ty_name(&rt));
                let mut d = Diagnostic::error("E0308", "mismatched types", rhs.span)
                    .label(format!("expected `{ln}`, found `{rn}`"))
                    .secondary(lhs.span, format!("this is of type `{ln}`"));
                d = if lt.is_numeric() && rt.is_numeric() {
                    d.help(format!("convert one operand explicitly, e.g. `({}) as {ln}`", self.snippet(rhs.span)))
                } else {
                    d.note(format!("operator `{}` needs two operands of the same type", op.symbol()))
                };
                if lt == Ty::Bool && op.is_comparison() && matches!(l.kind, ast::ExprKind::Binary { op: o, .. } if o.is_comparison()) {
                    d = d.help("comparisons cannot be chained; write `a < b && b < c`");
                }
                self.error(d);
                return error_expr(span);
            }
            return self.no_operator(op, &lhs, &rhs, span);
        }
        let ok = match op {
            BinOp::Eq | BinOp::Ne => lt.is_numeric() || lt == Ty::Bool || lt == Ty::Str,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => lt.is_numeric(),
            BinOp::Add if lt == Ty::Str => true,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => lt.is_numeric(),
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => lt.is_int(),
            _ => false,
        };
        if !ok {
            return self.no_operator(op, &lhs, &rhs, span);
        }
        mk(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, result(lt), span)
    }

    /// A unit-only enum value as its `i32` ordinal; other values unchanged.
    pub fn ordinal(&self, e: hir::Expr) -> hir::Expr {
        if self.is_unit_enum(&e.ty) {
            let span = e.span;
            mk(ExprKind::EnumOrdinal(Box::new(e)), Ty::I32, span)
        } else {
            e
        }
    }

    fn no_operator(&mut self, op: BinOp, lhs: &hir::Expr, rhs: &hir::Expr, span: Span) -> hir::Expr {
        let lt = self.ty_name(&lhs.ty);
        let rt = self.ty_name(&rhs.ty);
        let label = format!("`{lt}` {} `{rt}`", op.symbol());
        let mut d = Diagnostic::error("E0369", format!("binary operation `{}` cannot be applied to type `{lt}`", op.symbol()), span)
            .label(label);
        if matches!(lhs.ty, Ty::Struct(_)) {
            if let Some((t, m)) = super::traits::operator_trait(op) {
                d = d.help(format!(
                    "implement the operator trait: declare `trait {t} {{ fn {m}(other: Self): ... ; }}` and write `struct {lt} impl {t} {{ ... }}`"
                ));
            }
        } else if lhs.ty == Ty::Bool && (op.is_bitwise()) {
            d = d.help(format!("use `{}` for booleans", if op == BinOp::BitAnd { "&&" } else { "||" }));
        }
        self.error(d);
        error_expr(span)
    }

    pub fn snippet(&self, span: Span) -> String {
        self.source.text.get(span.start as usize..span.end as usize).unwrap_or("x").to_string()
    }

    fn cast(&mut self, fcx: &mut FnCx, operand: &ast::Expr, ty: &ast::Type, span: Span) -> hir::Expr {
        let target = self.lower_ty(ty);
        // A bare literal operand gets its natural type: i32, or i64/u64 if it does not fit.
        let hint = match (&operand.kind, &target) {
            (ast::ExprKind::Int(v), Ty::Int(_)) => Some(Ty::Int(if *v <= i32::MAX as u128 {
                IntTy::I32
            } else if *v <= i64::MAX as u128 {
                IntTy::I64
            } else {
                IntTy::U64
            })),
            _ => None,
        };
        let inner = self.expr(fcx, operand, hint.as_ref());
        if inner.ty.is_error() || target.is_error() {
            return error_expr(span);
        }
        let inner = if target.is_numeric() { self.ordinal(inner) } else { inner };
        if target == Ty::Never {
            // `return e as !;` in a function returning `!`: evaluate `e`, then abort (§6.3, §12.9).
            if fcx.ret != Ty::Never {
                self.error(
                    Diagnostic::error("E0606", "a cast to `!` is only allowed when returning from a function that returns `!`", span)
                        .label("invalid cast")
                        .help("call `panic(..)` or `unreachable()` to stop the program"),
                );
                return error_expr(span);
            }
            return mk(ExprKind::Cast(Box::new(inner)), Ty::Never, span);
        }
        let ok = match (&inner.ty, &target) {
            (a, b) if a == b => true,
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (Ty::Bool, Ty::Int(_)) => true,
            (Ty::Ref(t, _), Ty::Ptr(u, _)) => {
                t == u || **u == Ty::Unit || matches!(&**t, Ty::Array(e, _) if e == u)
            }
            (Ty::Ptr(..), Ty::Ptr(..)) => true,
            _ => false,
        };
        if !ok {
            let (from, to) = (self.ty_name(&inner.ty), self.ty_name(&target));
            self.error(
                Diagnostic::error("E0606", format!("invalid cast from `{from}` to `{to}`"), span)
                    .label("invalid cast")
                    .help("`as` converts between numeric types, from `bool` to integers, and from references to raw pointers"),
            );
            return error_expr(span);
        }
        mk(ExprKind::Cast(Box::new(inner)), target, span)
    }

    fn call(
        &mut self,
        fcx: &mut FnCx,
        callee: &ast::Expr,
        type_args: &[ast::Type],
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> hir::Expr {
        let ast::ExprKind::Ident(name) = &callee.kind else {
            let f = self.expr(fcx, callee, None);
            return self.call_value(fcx, f, args, span);
        };
        match self.res.names.get(&callee.id).copied() {
            Some(Res::Fn(id)) if !self.sigs[id as usize].type_params.is_empty() => {
                self.generic_call(fcx, id, type_args, args, expected, span)
            }
            _ if !type_args.is_empty() => {
                self.error(
                    Diagnostic::error("E0107", format!("`{}` takes no type arguments", name.name), type_args[0].span)
                        .help("remove the `<...>`"),
                );
                error_expr(span)
            }
            Some(Res::Fn(id)) => {
                let sig = self.sigs[id as usize].clone();
                let args = self.args(fcx, args, &sig.params, &sig.name, sig.name_span, span);
                mk(ExprKind::Call { func: id, args }, sig.ret, span)
            }
            Some(Res::SelfMethod(id)) => {
                // Inside a generic struct's method, a sibling is instantiated for the same instance.
                let self_struct = fcx.self_local.and_then(|l| match fcx.locals[l as usize].ty.auto_deref() {
                    Ty::Struct(s) => Some(*s),
                    _ => None,
                });
                let id = match self_struct {
                    Some(inst) if !self.sigs[id as usize].type_params.is_empty() => match self.method_instance(id, inst, span) {
                        Some(i) => i,
                        None => return error_expr(span),
                    },
                    _ => id,
                };
                let sig = self.sigs[id as usize].clone();
                if sig.mutating {
                    self.error(
                        Diagnostic::error("E0596", format!("mutating method `{}` cannot be called without a receiver", sig.name), span)
                            .help(format!("call it explicitly: `self.{}(...)!`", sig.name)),
                    );
                }
                let Some(self_local) = fcx.self_local else { return error_expr(span) };
                let self_ty = fcx.locals[self_local as usize].ty.clone();
                let recv = mk(ExprKind::Local(self_local), self_ty, callee.span);
                let receiver = self.receiver(recv, sig.receiver.unwrap_or(ReceiverKind::ByRef));
                let args = self.args(fcx, args, &sig.params, &sig.name, sig.name_span, span);
                mk(ExprKind::MethodCall { func: id, receiver, args, operator: false }, sig.ret, span)
            }
            Some(Res::Extern(x)) => self.extern_call(fcx, x, args, span),
            Some(Res::Namespace(_)) => {
                self.error(
                    Diagnostic::error("E0423", format!("expected function, found module `{}`", name.name), callee.span)
                        .help(format!("call one of its functions: `{}.f(...)`", name.name)),
                );
                error_expr(span)
            }
            Some(Res::Builtin(b)) => match b.name {
                "print" | "println" | "eprint" | "eprintln" => self.print_call(fcx, b.name, args, span),
                "assert" | "panic" | "unreachable" => self.abort_call(fcx, b.name, args, span),
                "Vec" => self.vec_new(fcx, args, expected, span),
                "map_insert" | "map_len" => self.map_free_function(fcx, b.name, args, span),
                "Box" => self.box_new(fcx, args, expected, span),
                "Channel" => self.channel_new(fcx, args, expected, span),
                "Some" | "Ok" | "Err" => match self.shorthand_enum(name) {
                    Some(eid) => self.variant_call(fcx, eid, name, args, expected, span),
                    None => error_expr(span),
                },
                other => match self.builtin_call(fcx, other, args, span) {
                    Some(e) => e,
                    None => self.expr_not_yet(&format!("the builtin function `{other}`"), callee.span),
                },
            },
            Some(Res::Local(l)) => {
                let ty = fcx.locals.get(l as usize).map(|x| x.ty.clone()).unwrap_or(Ty::Error);
                let f = mk(ExprKind::Local(l), ty, callee.span);
                self.call_value(fcx, f, args, span)
            }
            Some(Res::Const(_)) => {
                self.error(
                    Diagnostic::error("E0618", format!("expected function, found constant `{}`", name.name), callee.span)
                        .label("a constant is not a function"),
                );
                error_expr(span)
            }
            Some(Res::Struct(_)) => {
                self.error(
                    Diagnostic::error("E0423", format!("expected function, found struct `{}`", name.name), callee.span)
                        .help(format!("build a value with a struct literal: `{} {{ ... }}`", name.name)),
                );
                error_expr(span)
            }
            None => {
                if self.res.enum_id(name.span, &name.name).is_some() {
                    self.error(
                        Diagnostic::error("E0423", format!("expected function, found enum `{}`", name.name), callee.span)
                            .help(format!("construct a variant: `{}.Variant(value)`", name.name)),
                    );
                }
                error_expr(span)
            }
        }
    }

    /// `assert(cond[, msg])`, `panic(msg)`, `unreachable()` (§13.1).
    fn abort_call(&mut self, fcx: &mut FnCx, name: &str, args: &[ast::Expr], span: Span) -> hir::Expr {
        let (kind, params, ty): (hir::AbortKind, &[Ty], Ty) = match name {
            "assert" => (hir::AbortKind::Assert, &[Ty::Bool, Ty::Str], Ty::Unit),
            "panic" => (hir::AbortKind::Panic, &[Ty::Str], Ty::Never),
            _ => (hir::AbortKind::Unreachable, &[], Ty::Never),
        };
        let max = params.len();
        let min = if kind == hir::AbortKind::Assert { 1 } else { max };
        if args.len() < min || args.len() > max {
            let want = if min == max { format!("{max}") } else { format!("{min} or {max}") };
            self.error(
                Diagnostic::error("E0061", format!("`{name}` takes {want} argument(s) but {} were supplied", args.len()), span)
                    .label(format!("expected {want}")),
            );
            return error_expr(span);
        }
        let mut checked: Vec<hir::Expr> = Vec::new();
        for (a, p) in args.iter().zip(params) {
            let e = self.expr(fcx, a, Some(p));
            checked.push(self.coerce(fcx, e, p));
        }
        let mut it = checked.into_iter();
        let (condition, message) = match kind {
            hir::AbortKind::Assert => (it.next().map(Box::new), it.next().map(Box::new)),
            _ => (None, it.next().map(Box::new)),
        };
        mk(ExprKind::Abort { kind, message, condition }, ty, span)
    }

    /// Checks call arguments against parameter types (E0061 on count, E0308 on types).
    fn args(
        &mut self,
        fcx: &mut FnCx,
        args: &[ast::Expr],
        params: &[Ty],
        name: &str,
        decl: Span,
        span: Span,
    ) -> Vec<hir::Expr> {
        if args.len() != params.len() {
            let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
            let were = if args.len() == 1 { "was" } else { "were" };
            self.error(
                Diagnostic::error(
                    "E0061",
                    format!(
                        "this function takes {} {} but {} {} {were} supplied",
                        params.len(),
                        plural(params.len()),
                        args.len(),
                        plural(args.len())
                    ),
                    span,
                )
                .label(format!("expected {} {}", params.len(), plural(params.len())))
                .secondary(decl, format!("`{name}` defined here")),
            );
        }
        args.iter()
            .enumerate()
            .map(|(i, a)| {
                let p = params.get(i);
                let e = self.expr(fcx, a, p);
                match p {
                    Some(t) => self.coerce(fcx, e, t),
                    None => e,
                }
            })
            .collect()
    }

    /// How to pass `recv` (of type `S`, `&S`, `&&S`, ...) to a method taking its receiver `kind`.
    fn receiver(&mut self, recv: hir::Expr, kind: ReceiverKind) -> Receiver {
        match kind {
            ReceiverKind::ByValue => Receiver::Value(Box::new(auto_deref(recv))),
            ReceiverKind::ByRef => {
                let mut e = recv;
                // Strip references until exactly one is left.
                while let Ty::Ref(inner, _) = &e.ty {
                    if !matches!(**inner, Ty::Ref(..)) {
                        return Receiver::Pointer(Box::new(e));
                    }
                    let ty = (**inner).clone();
                    let span = e.span;
                    e = mk(ExprKind::Deref(Box::new(e)), ty, span);
                }
                Receiver::AddressOf(Box::new(e))
            }
        }
    }

    fn method_call(
        &mut self,
        fcx: &mut FnCx,
        receiver: &ast::Expr,
        name: &ast::Ident,
        args: &[ast::Expr],
        bang: Option<Span>,
        expected: Option<&Ty>,
        span: Span,
    ) -> hir::Expr {
        if let Some(eid) = self.enum_path(receiver) {
            return self.variant_call(fcx, eid, name, args, expected, span);
        }
        if let Some(Res::Namespace(module)) = self.res.names.get(&receiver.id).copied() {
            return self.namespace_call(fcx, module, name, args, expected, span);
        }
        let recv = self.expr(fcx, receiver, None);
        let base_ty = recv.ty.auto_deref().clone();
        match base_ty {
            Ty::Error => error_expr(span),
            Ty::Lib(kind, targs) => {
                let recv = auto_deref(recv);
                self.lib_method(fcx, recv, kind, &targs, name, args, span)
            }
            Ty::Array(elem, n) => {
                // Builtin methods take no `!` suffix; one written anyway is accepted (§8.4 rule 5).
                let base = auto_deref(recv);
                match (name.name.as_str(), args) {
                    ("len", []) => {
                        let _ = base;
                        mk(ExprKind::Int(n as i128), Ty::I32, span)
                    }
                    ("get", [i]) => {
                        let index = self.index_expr(fcx, i);
                        mk(ExprKind::ArrayGet { base: Box::new(base), index: Box::new(index) }, *elem, span)
                    }
                    ("len", _) | ("get", _) => {
                        let want = if name.name == "len" { 0 } else { 1 };
                        self.error(
                            Diagnostic::error("E0061", format!("method `{}` takes {want} argument{} but {} were supplied", name.name, if want == 1 { "" } else { "s" }, args.len()), span)
                                .label(format!("expected {want}")),
                        );
                        error_expr(span)
                    }
                    _ => self.no_method(name, &Ty::Array(elem, n), &["len", "get"], span),
                }
            }
            Ty::Struct(sid) => {
                // Methods of a generic struct's instance are instantiated on first use.
                // No method, but a field holding a function value: call it (`op.f(x)`).
                let field_fn = self.structs[sid as usize].fields.iter().position(|f| f.name == name.name && matches!(f.ty, Ty::Fn(..)));
                if let (None, Some(i)) = (self.res.methods.get(&(self.struct_template_of.get(&sid).map_or(sid, |t| t.0), name.name.clone())), field_fn) {
                    let fty = self.structs[sid as usize].fields[i].ty.clone();
                    let field = mk(ExprKind::Field { base: Box::new(auto_deref(recv)), field: i as u32 }, fty, name.span);
                    return self.call_value(fcx, field, args, span);
                }
                let Some(id) = self.struct_method(sid, &name.name, span) else {
                    let candidates: Vec<String> = self
                        .res
                        .methods
                        .keys()
                        .filter(|(s, _)| *s == sid)
                        .map(|(_, m)| m.clone())
                        .collect();
                    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
                    return self.no_method(name, &Ty::Struct(sid), &refs, span);
                };
                let sig = self.sigs[id as usize].clone();
                match (sig.mutating, bang) {
                    (true, None) => self.error(
                        Diagnostic::error("E0596", format!("mutating method `{}` must be called as `obj.{}(...)!`", sig.name, sig.name), span)
                            .label("missing `!` after the call")
                            .secondary(sig.name_span, "declared mutating here")
                            .help(format!("add the suffix: `{}!`", self.snippet(span))),
                    ),
                    (false, Some(b)) => self.error(
                        Diagnostic::error("E0596", format!("method `{}` is not mutating; remove `!`", sig.name), b)
                            .label("unexpected `!`")
                            .secondary(sig.name_span, "declared without `!` here")
                            .help("only methods declared with `!` after their parameters take the `!` call suffix"),
                    ),
                    _ => {}
                }
                let receiver = self.receiver(recv, sig.receiver.unwrap_or(ReceiverKind::ByRef));
                let args = self.args(fcx, args, &sig.params, &sig.name, sig.name_span, span);
                mk(ExprKind::MethodCall { func: id, receiver, args, operator: false }, sig.ret, span)
            }
            Ty::Str => self.string_method(auto_deref(recv), name, args, span),
            other => self.no_method(name, &other, &[], span),
        }
    }

    pub(super) fn no_method(&mut self, name: &ast::Ident, ty: &Ty, candidates: &[&str], span: Span) -> hir::Expr {
        let t = self.ty_name(ty);
        // Methods of the prelude's `Option` / `Result` (`unwrap`, `is_some`, `map`, ...) are
        // [LATER] (LANGUAGE.md §17): say so, and show the `match` that does the same now.
        if let Ty::Enum(id) = ty {
            let def = &self.enums[*id as usize];
            let family = ["Option", "Result"].into_iter().find(|f| def.name.strip_prefix(f).is_some_and(|r| r.starts_with('<')));
            if let (Some(family), true) = (family, def.span.file == crate::PRELUDE_FILE) {
                let arms = if family == "Option" { "Some(v) => ..., None => ..." } else { "Ok(v) => ..., Err(e) => ..." };
                self.error(
                    Diagnostic::error("E0658", format!("not yet implemented: methods of `{family}` (`{}`)", name.name), name.span)
                        .label(format!("`{t}` has no methods yet"))
                        .help(format!("use `match`: `match value {{ {arms} }}`")),
                );
                return error_expr(span);
            }
        }
        let mut d = Diagnostic::error("E0599", format!("no method named `{}` found for `{t}`", name.name), name.span)
            .label(format!("method not found in `{t}`"));
        if let Some(h) = did_you_mean(&name.name, candidates.iter().copied()) {
            d = d.help(h);
        } else if let Ty::Struct(sid) = ty {
            if self.structs[*sid as usize].fields.iter().any(|f| f.name == name.name) {
                d = d.help(format!("`{}` is a field, not a method; access it without parentheses", name.name));
            }
        }
        self.error(d);
        error_expr(span)
    }

    fn field(&mut self, fcx: &mut FnCx, base: &ast::Expr, name: &ast::Ident, expected: Option<&Ty>, span: Span) -> hir::Expr {
        // `E.V` on an enum name is a variant path (§6.6).
        if let Some(eid) = self.enum_path(base) {
            return self.variant_value(eid, name, expected, span);
        }
        if let Some(Res::Namespace(module)) = self.res.names.get(&base.id).copied() {
            return match self.namespace_item(module, name) {
                Some(NamespaceItem::Const(item)) => self.const_value(item, span),
                Some(NamespaceItem::Fn(id)) => self.fn_value(id, span),
                Some(NamespaceItem::Extern(_)) => self.expr_not_yet("extern functions as values", span),
                None => error_expr(span),
            };
        }
        let b = auto_deref(self.expr(fcx, base, None));
        match b.ty.clone() {
            Ty::Struct(sid) => {
                let def = &self.structs[sid as usize];
                if let Some(i) = def.fields.iter().position(|f| f.name == name.name) {
                    let ty = def.fields[i].ty.clone();
                    return mk(ExprKind::Field { base: Box::new(b), field: i as u32 }, ty, span);
                }
                let fields: Vec<String> = def.fields.iter().map(|f| f.name.clone()).collect();
                let sname = def.name.clone();
                let mut d = Diagnostic::error("E0609", format!("no field `{}` on type `{sname}`", name.name), name.span)
                    .label("unknown field");
                if let Some(h) = did_you_mean(&name.name, fields.iter().map(String::as_str)) {
                    d = d.help(h);
                } else if self.res.methods.contains_key(&(sid, name.name.clone())) {
                    d = d.help(format!("`{}` is a method; call it: `{}()`", name.name, name.name));
                } else if !fields.is_empty() {
                    d = d.note(format!("available fields: {}", fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")));
                }
                self.error(d);
                error_expr(span)
            }
            Ty::Error => error_expr(span),
            other => {
                let t = self.ty_name(&other);
                self.error(
                    Diagnostic::error("E0609", format!("no field `{}` on type `{t}`", name.name), name.span)
                        .label(format!("`{t}` has no fields")),
                );
                error_expr(span)
            }
        }
    }

    fn struct_lit(
        &mut self,
        fcx: &mut FnCx,
        name: &ast::Ident,
        type_args: &[ast::Type],
        fields: &[ast::FieldInit],
        expected: Option<&Ty>,
        span: Span,
    ) -> hir::Expr {
        let Some(declared) = self.res.struct_id(name.span, &name.name) else {
            if self.res.other_type(name.span, &name.name) {
                return self.expr_not_yet(&format!("literals of `{}`", name.name), span);
            }
            let candidates: Vec<&str> = self.res.struct_ids.keys().map(String::as_str).collect();
            let mut d = Diagnostic::error("E0422", format!("cannot find struct `{}` in this scope", name.name), name.span)
                .label("not found in this scope");
            if let Some(h) = did_you_mean(&name.name, candidates.into_iter()) {
                d = d.help(h);
            }
            self.error(d);
            for f in fields {
                self.expr(fcx, &f.value, None);
            }
            return error_expr(span);
        };
        let sid = if self.structs[declared as usize].template {
            match self.struct_lit_instance(fcx, declared, type_args, fields, expected, span) {
                Ty::Struct(id) => id,
                _ => return error_expr(span),
            }
        } else if let Some(t) = type_args.first() {
            self.error(
                Diagnostic::error("E0107", format!("struct `{}` takes no type arguments", name.name), t.span).help("remove the `<...>`"),
            );
            return error_expr(span);
        } else {
            declared
        };
        let def = self.structs[sid as usize].clone();
        let mut given: Vec<Option<Span>> = vec![None; def.fields.len()];
        let mut out = Vec::with_capacity(fields.len());
        let mut bad = false;
        for f in fields {
            let Some(i) = def.fields.iter().position(|d| d.name == f.name.name) else {
                let names: Vec<&str> = def.fields.iter().map(|d| d.name.as_str()).collect();
                let mut d = Diagnostic::error("E0560", format!("struct `{}` has no field named `{}`", def.name, f.name.name), f.name.span)
                    .label("unknown field");
                if let Some(h) = did_you_mean(&f.name.name, names.into_iter()) {
                    d = d.help(h);
                }
                self.error(d);
                self.expr(fcx, &f.value, None);
                bad = true;
                continue;
            };
            if let Some(prev) = given[i] {
                self.error(
                    Diagnostic::error("E0062", format!("field `{}` specified more than once", f.name.name), f.name.span)
                        .label("used more than once")
                        .secondary(prev, "first use here"),
                );
                bad = true;
                continue;
            }
            given[i] = Some(f.name.span);
            let ty = def.fields[i].ty.clone();
            let v = self.expr(fcx, &f.value, Some(&ty));
            let v = self.coerce(fcx, v, &ty);
            out.push((i as u32, v));
        }
        let missing: Vec<String> =
            def.fields.iter().zip(&given).filter(|(_, g)| g.is_none()).map(|(f, _)| format!("`{}`", f.name)).collect();
        if !missing.is_empty() {
            let s = if missing.len() == 1 { "" } else { "s" };
            self.error(
                Diagnostic::error("E0063", format!("missing field{s} {} in initializer of `{}`", missing.join(", "), def.name), name.span)
                    .label(format!("missing {}", missing.join(", ")))
                    .help("every field must be given a value"),
            );
            bad = true;
        }
        if bad {
            return error_expr(span);
        }
        mk(ExprKind::StructLit { id: sid, fields: out }, Ty::Struct(sid), span)
    }

    fn array_lit(&mut self, fcx: &mut FnCx, elems: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        let mut elem_ty = match expected {
            Some(Ty::Array(e, _)) => Some((**e).clone()),
            _ => None,
        };
        if elems.is_empty() {
            return match elem_ty {
                Some(t) => mk(ExprKind::ArrayLit(Vec::new()), Ty::Array(Box::new(t), 0), span),
                None => {
                    self.error(
                        Diagnostic::error("E0282", "type annotations needed for an empty array", span)
                            .help("annotate the binding, e.g. `let a: [i32; 0] = [];`"),
                    );
                    error_expr(span)
                }
            };
        }
        // Without an annotation, a typed (non-literal) element fixes the element type for the literals.
        if elem_ty.is_none() {
            if let Some(first_typed) = elems.iter().position(|e| !untyped_literal(e)) {
                if first_typed > 0 {
                    let probe = self.expr(fcx, &elems[first_typed], None);
                    elem_ty = Some(probe.ty);
                }
            }
        }
        let mut out = Vec::with_capacity(elems.len());
        for e in elems {
            let v = self.expr(fcx, e, elem_ty.as_ref());
            let v = match &elem_ty {
                Some(t) => self.coerce(fcx, v, t),
                None => {
                    elem_ty = Some(v.ty.clone());
                    v
                }
            };
            out.push(v);
        }
        let ty = Ty::Array(Box::new(elem_ty.unwrap_or(Ty::Error)), out.len() as u64);
        mk(ExprKind::ArrayLit(out), ty, span)
    }
}

/// What `m.name` denotes for a namespace alias `m`.
enum NamespaceItem {
    Fn(hir::FnId),
    Extern(u32),
    Const(usize),
}

impl Checker<'_> {
    /// The exported function, extern function or constant `name` of `module` (E0603 if it is
    /// not exported, E0425 if there is none).
    fn namespace_item(&mut self, module: crate::span::FileId, name: &ast::Ident) -> Option<NamespaceItem> {
        let mname = self.res.module_names.get(&module).cloned().unwrap_or_default();
        let key = format!("{mname}::{}", name.name);
        let found = if let Some(&id) = self.res.free_fns.get(&key) {
            Some(NamespaceItem::Fn(id))
        } else if let Some(&x) = self.res.extern_fns.get(&key) {
            Some(NamespaceItem::Extern(x))
        } else {
            self.res.consts.get(&key).map(|&c| NamespaceItem::Const(c))
        };
        if found.is_none() {
            let names: Vec<&str> = self.res.exports.iter().filter(|(m, _)| *m == module).map(|(_, n)| n.as_str()).collect();
            let mut d = Diagnostic::error("E0425", format!("cannot find `{}` in module `{mname}`", name.name), name.span).label("not found in this module");
            if let Some(h) = did_you_mean(&name.name, names.into_iter()) {
                d = d.help(h);
            }
            self.error(d);
            return None;
        }
        if !self.res.exports.contains(&(module, name.name.clone())) {
            self.error(
                Diagnostic::error("E0603", format!("`{}` is private to module `{mname}`", name.name), name.span)
                    .label("not exported")
                    .help(format!("mark it `export` in `{mname}`")),
            );
            return None;
        }
        found
    }

    /// `m.f(args)` for a namespace alias `m` (`import * as m from "..."`).
    fn namespace_call(&mut self, fcx: &mut FnCx, module: crate::span::FileId, name: &ast::Ident, args: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        match self.namespace_item(module, name) {
            Some(NamespaceItem::Fn(id)) if !self.sigs[id as usize].type_params.is_empty() => self.generic_call(fcx, id, &[], args, expected, span),
            Some(NamespaceItem::Fn(id)) => {
                let sig = self.sigs[id as usize].clone();
                let args = self.args(fcx, args, &sig.params, &sig.name, sig.name_span, span);
                mk(ExprKind::Call { func: id, args }, sig.ret, span)
            }
            Some(NamespaceItem::Extern(x)) => self.extern_call(fcx, x, args, span),
            Some(NamespaceItem::Const(_)) => {
                self.error(Diagnostic::error("E0618", format!("expected function, found constant `{}`", name.name), name.span).label("a constant is not a function"));
                error_expr(span)
            }
            None => error_expr(span),
        }
    }
}
