//! Top-level constants (§4.8): checked like any expression, then evaluated at compile time
//! with the run-time semantics (wrapping arithmetic, saturating float->int casts). Each use of a
//! constant becomes a literal in the HIR, so the back end never sees constants.

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind};
use crate::span::Span;
use crate::syntax::ast::{self, BinOp, UnaryOp};
use crate::types::{FloatTy, IntTy, Ty};

/// Wraps `v` into the range of `t` (two's complement).
fn wrap(v: i128, t: IntTy) -> i128 {
    let bits = t.bits();
    let m = v & ((1i128 << bits) - 1);
    if t.signed() && m >= 1i128 << (bits - 1) {
        m - (1i128 << bits)
    } else {
        m
    }
}

fn round_float(v: f64, t: &Ty) -> f64 {
    if *t == Ty::Float(FloatTy::F32) {
        v as f32 as f64
    } else {
        v
    }
}

/// Evaluates a checked constant expression to a literal of the same type.
fn eval(e: &hir::Expr) -> Result<ExprKind, (Span, &'static str)> {
    let lit = |k: ExprKind| Ok(k);
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) => lit(e.kind.clone()),
        ExprKind::Unary { op, operand } => match (op, eval(operand)?, &e.ty) {
            (UnaryOp::Neg, ExprKind::Int(v), Ty::Int(t)) => lit(ExprKind::Int(wrap(-v, *t))),
            (UnaryOp::Neg, ExprKind::Float(v), _) => lit(ExprKind::Float(-v)),
            (UnaryOp::Not, ExprKind::Bool(b), _) => lit(ExprKind::Bool(!b)),
            _ => Err((e.span, "unsupported operand")),
        },
        ExprKind::Binary { op, lhs, rhs } => {
            let (l, r) = (eval(lhs)?, eval(rhs)?);
            binary(*op, l, r, &lhs.ty, &e.ty, rhs.span)
        }
        ExprKind::Cast(inner) => match (eval(inner)?, &e.ty) {
            (ExprKind::Int(v), Ty::Int(t)) => lit(ExprKind::Int(wrap(v, *t))),
            (ExprKind::Bool(b), Ty::Int(_)) => lit(ExprKind::Int(b as i128)),
            (ExprKind::Int(v), t @ Ty::Float(_)) => lit(ExprKind::Float(round_float(v as f64, t))),
            (ExprKind::Float(v), t @ Ty::Float(_)) => lit(ExprKind::Float(round_float(v, t))),
            // Rust's `as` saturates and maps NaN to 0, exactly the language's rule.
            (ExprKind::Float(v), Ty::Int(t)) => {
                let (lo, hi) = (t.min_value(), t.max_value());
                let n = if v.is_nan() { 0 } else { (v.trunc().clamp(lo as f64, hi as f64) as i128).clamp(lo, hi) };
                lit(ExprKind::Int(n))
            }
            _ => Err((e.span, "unsupported cast")),
        },
        _ => Err((e.span, "not a constant expression")),
    }
}

/// A comparison operator applied to two values of one type.
fn compare<T: PartialOrd>(op: BinOp, a: &T, b: &T) -> bool {
    match op {
        BinOp::Eq => a == b,
        BinOp::Ne => a != b,
        BinOp::Lt => a < b,
        BinOp::Le => a <= b,
        BinOp::Gt => a > b,
        _ => a >= b,
    }
}

fn binary(op: BinOp, l: ExprKind, r: ExprKind, operand: &Ty, result: &Ty, rhs_span: Span) -> Result<ExprKind, (Span, &'static str)> {
    use ExprKind::{Bool, Float, Int, Str};
    Ok(match (l, r) {
        (Int(a), Int(b)) => {
            let Ty::Int(t) = operand else { return Err((rhs_span, "unsupported operands")) };
            let t = *t;
            match op {
                BinOp::Add => Int(wrap(a + b, t)),
                BinOp::Sub => Int(wrap(a - b, t)),
                BinOp::Mul => Int(wrap(a.wrapping_mul(b), t)),
                BinOp::Div | BinOp::Rem if b == 0 => return Err((rhs_span, "division by zero")),
                BinOp::Div => Int(wrap(a / b, t)),
                BinOp::Rem => Int(wrap(a % b, t)),
                BinOp::BitAnd => Int(wrap(a & b, t)),
                BinOp::BitOr => Int(wrap(a | b, t)),
                BinOp::BitXor => Int(wrap(a ^ b, t)),
                BinOp::Shl => Int(wrap(a << (b & (t.bits() as i128 - 1)), t)),
                BinOp::Shr => Int(wrap(a >> (b & (t.bits() as i128 - 1)), t)),
                _ if op.is_comparison() => Bool(compare(op, &a, &b)),
                _ => return Err((rhs_span, "unsupported operands")),
            }
        }
        (Float(a), Float(b)) => match op {
            BinOp::Add => Float(round_float(a + b, result)),
            BinOp::Sub => Float(round_float(a - b, result)),
            BinOp::Mul => Float(round_float(a * b, result)),
            BinOp::Div => Float(round_float(a / b, result)),
            BinOp::Rem => Float(round_float(a % b, result)),
            _ if op.is_comparison() => Bool(compare(op, &a, &b)),
            _ => return Err((rhs_span, "unsupported operands")),
        },
        (Bool(a), Bool(b)) => match op {
            BinOp::And => Bool(a && b),
            BinOp::Or => Bool(a || b),
            BinOp::Eq => Bool(a == b),
            BinOp::Ne => Bool(a != b),
            _ => return Err((rhs_span, "unsupported operands")),
        },
        (Str(a), Str(b)) => match op {
            BinOp::Eq => Bool(a == b),
            BinOp::Ne => Bool(a != b),
            _ => return Err((rhs_span, "unsupported operands")),
        },
        _ => return Err((rhs_span, "unsupported operands")),
    })
}

impl Checker<'_> {
    /// Evaluates every constant once, used or not, so its errors are reported.
    pub fn check_constants(&mut self) {
        for (i, item) in self.file.items.iter().enumerate() {
            if let ast::ItemKind::Const(c) = &item.kind {
                self.const_value(i, c.name.span);
            }
        }
    }

    /// The value of the constant declared by `item`, as a literal expression at `use_span`.
    pub fn const_value(&mut self, item: usize, use_span: Span) -> hir::Expr {
        let error = hir::Expr { kind: ExprKind::Unit, ty: Ty::Error, span: use_span };
        let ast::ItemKind::Const(c) = &self.file.items[item].kind else { return error };
        if let Some(v) = self.const_cache.get(&item) {
            return v.clone().map(|v| hir::Expr { span: use_span, ..v }).unwrap_or(error);
        }
        if let Some(pos) = self.const_stack.iter().position(|i| *i == item) {
            let names: Vec<String> = self.const_stack[pos..]
                .iter()
                .filter_map(|i| match &self.file.items[*i].kind {
                    ast::ItemKind::Const(c) => Some(format!("`{}`", c.name.name)),
                    _ => None,
                })
                .collect();
            self.error(
                Diagnostic::error("E0391", format!("cycle detected when evaluating constant `{}`", c.name.name), c.name.span)
                    .label("this constant depends on itself")
                    .note(format!("cycle: {} -> `{}`", names.join(" -> "), c.name.name)),
            );
            self.const_cache.insert(item, None);
            return error;
        }
        self.const_stack.push(item);
        let ty = self.lower_ty(&c.ty);
        let mut fcx = FnCx { locals: Vec::new(), ret: Ty::Unit, ret_unknown: false, name: String::new(), unknown_elements: false, element_hints: Default::default(), let_hints: Default::default(), loop_depth: 0, self_local: None, in_go_block: false };
        let value = self.expr(&mut fcx, &c.value, Some(&ty));
        let value = self.coerce(&fcx, value, &ty);
        self.const_stack.pop();
        let result = if value.ty.is_error() {
            None
        } else {
            match eval(&value) {
                Ok(kind) => Some(hir::Expr { kind, ty: ty.clone(), span: c.value.span }),
                Err((span, what)) => {
                    let code = if what == "division by zero" { "E0080" } else { "E0015" };
                    self.error(
                        Diagnostic::error(code, format!("cannot evaluate constant `{}`: {what}", c.name.name), span)
                            .label(what)
                            .help("a constant's value is built from literals, operators, casts and other constants"),
                    );
                    None
                }
            }
        };
        self.const_cache.insert(item, result.clone());
        result.map(|v| hir::Expr { span: use_span, ..v }).unwrap_or(error)
    }
}
