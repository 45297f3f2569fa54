//! Traits (§10.2, §10.3, §11): `struct S impl T1, T2 { ... }` conformance (E0046, E0053,
//! E0405), bounds on type parameters (E0277), and operators on structs through the operator
//! traits (`a + b` is `a.add(b)` when the left operand's struct implements `Add`).

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, Receiver, ReceiverKind};
use crate::span::Span;
use crate::syntax::ast::{self, BinOp, UnaryOp};
use crate::types::{StructId, Ty};
use std::collections::HashMap;

/// The trait and method an operator is rewritten to (§11.1).
pub fn operator_trait(op: BinOp) -> Option<(&'static str, &'static str)> {
    Some(match op {
        BinOp::Add => ("Add", "add"),
        BinOp::Sub => ("Sub", "sub"),
        BinOp::Mul => ("Mul", "mul"),
        BinOp::Div => ("Div", "div"),
        BinOp::Rem => ("Rem", "rem"),
        BinOp::Eq => ("Eq", "eq"),
        BinOp::Ne => ("Eq", "eq"),
        BinOp::Lt => ("Ord", "lt"),
        BinOp::Le => ("Ord", "le"),
        BinOp::Gt => ("Ord", "gt"),
        BinOp::Ge => ("Ord", "ge"),
        BinOp::BitAnd => ("BitAnd", "bitand"),
        BinOp::BitOr => ("BitOr", "bitor"),
        BinOp::BitXor => ("BitXor", "bitxor"),
        BinOp::Shl => ("Shl", "shl"),
        BinOp::Shr => ("Shr", "shr"),
        BinOp::And | BinOp::Or => return None,
    })
}

impl Checker<'_> {
    fn struct_ast(&self, sid: StructId) -> Option<&ast::StructDecl> {
        let entry = self.res.structs.get(sid as usize)?;
        match &self.file.items[entry.item].kind {
            ast::ItemKind::Struct(s) => Some(s),
            _ => None,
        }
    }

    fn trait_ast(&self, name: &str) -> Option<&ast::TraitDecl> {
        match &self.file.items[*self.res.traits.get(name)?].kind {
            ast::ItemKind::Trait(t) => Some(t),
            _ => None,
        }
    }

    /// `Self` and the struct's associated-type bindings, for lowering types in its methods.
    pub fn self_env(&mut self, sid: StructId) -> HashMap<String, Ty> {
        let mut env = HashMap::new();
        env.insert("Self".to_string(), Ty::Struct(sid));
        if let Some(decl) = self.struct_ast(sid).cloned() {
            for (name, ty) in &decl.assoc_types {
                let t = self.with_env(&env, |c| c.lower_ty(ty));
                env.insert(name.name.clone(), t);
            }
        }
        env
    }

    /// Whether struct `sid` lists trait `name` after `impl`.
    pub fn implements(&self, ty: &Ty, name: &str) -> bool {
        let Ty::Struct(sid) = ty else { return false };
        self.struct_ast(*sid).is_some_and(|s| s.impls.iter().any(|t| t.name.name == name))
    }

    /// Conformance of every `struct S impl T` (§10.2).
    pub fn check_impls(&mut self) {
        for (sid, entry) in self.res.structs.iter().enumerate() {
            let ast::ItemKind::Struct(decl) = &self.file.items[entry.item].kind else { continue };
            if decl.impls.is_empty() || !decl.type_params.is_empty() {
                continue;
            }
            let sid = sid as StructId;
            let env = self.self_env(sid);
            for tref in &decl.impls {
                let Some(tr) = self.trait_ast(&tref.name.name).cloned() else {
                    let mut d = Diagnostic::error("E0405", format!("cannot find trait `{}` in this scope", tref.name.name), tref.name.span)
                        .label("not found in this scope");
                    if let Some(h) = crate::resolve::did_you_mean(&tref.name.name, self.res.traits.keys().map(String::as_str)) {
                        d = d.help(h);
                    } else {
                        d = d.help(format!("declare it: `trait {} {{ ... }}`", tref.name.name));
                    }
                    self.error(d);
                    continue;
                };
                if !tref.args.is_empty() || !tr.type_params.is_empty() {
                    self.not_yet("generic traits", tref.span);
                    continue;
                }
                for assoc in &tr.assoc_types {
                    if !decl.assoc_types.iter().any(|(n, _)| n.name == assoc.name) {
                        self.error(
                            Diagnostic::error("E0046", format!("missing associated type `{}` in the implementation of `{}`", assoc.name, tr.name.name), tref.span)
                                .secondary(assoc.span, "declared here")
                                .help(format!("add `type {} = ...;` to the body of `{}`", assoc.name, decl.name.name)),
                        );
                    }
                }
                for m in &tr.methods {
                    let Some(imp) = decl.methods.iter().find(|x| x.name.name == m.name.name) else {
                        self.error(
                            Diagnostic::error("E0046", format!("missing method `{}` in the implementation of `{}` for `{}`", m.name.name, tr.name.name, decl.name.name), tref.span)
                                .label(format!("missing `{}`", m.name.name))
                                .secondary(m.name.span, "required by this trait method")
                                .help("trait methods are written inside the struct body (Go-style methods do not count)"),
                        );
                        continue;
                    };
                    let (want_params, want_ret) = self.with_env(&env, |c| {
                        let ps: Vec<Ty> = m.params.iter().map(|p| c.lower_ty(&p.ty)).collect();
                        let r = m.ret.as_ref().map(|t| c.lower_ty(t)).unwrap_or(Ty::Unit);
                        (ps, r)
                    });
                    let Some(&fid) = self.res.methods.get(&(sid, imp.name.name.clone())) else { continue };
                    let got = self.sigs[fid as usize].clone();
                    let mut problems = Vec::new();
                    if want_params.len() != got.params.len() {
                        problems.push(format!("the trait takes {} parameter(s), the method {}", want_params.len(), got.params.len()));
                    } else {
                        for (i, (w, g)) in want_params.iter().zip(&got.params).enumerate() {
                            if w != g && !w.is_error() && !g.is_error() {
                                problems.push(format!("parameter {} is `{}` in the trait but `{}` here", i + 1, self.ty_name(w), self.ty_name(g)));
                            }
                        }
                    }
                    if want_ret != got.ret && !want_ret.is_error() && !got.ret.is_error() {
                        problems.push(format!("the trait returns `{}`, the method `{}`", self.ty_name(&want_ret), self.ty_name(&got.ret)));
                    }
                    if m.mutating.is_some() != got.mutating {
                        problems.push(if got.mutating { "the method is marked `!` but the trait's is not".into() } else { "the trait's method is marked `!` but this one is not".into() });
                    }
                    if !problems.is_empty() {
                        self.error(
                            Diagnostic::error("E0053", format!("method `{}` has an incompatible signature for trait `{}`", m.name.name, tr.name.name), imp.name.span)
                                .label("does not match the trait")
                                .secondary(m.name.span, "trait method declared here")
                                .note(problems.join("; ")),
                        );
                    }
                }
            }
        }
    }

    /// Trait bounds of a generic function's type parameters hold for `targs` (E0277).
    pub fn check_bounds(&mut self, f: &ast::FnDecl, targs: &[Ty], span: Span) -> bool {
        let mut ok = true;
        for (tp, t) in f.type_params.iter().zip(targs) {
            for b in &tp.bounds {
                if let ast::Bound::Trait(name, _) = b {
                    if !self.implements(t, &name.name) {
                        let shown = self.ty_name(t);
                        self.error(
                            Diagnostic::error("E0277", format!("the trait bound `{}: {}` is not satisfied", shown, name.name), span)
                                .label(format!("`{shown}` does not implement `{}`", name.name))
                                .secondary(name.span, "required by this bound")
                                .help(format!("list the trait on the struct: `struct {shown} impl {} {{ ... }}`", name.name)),
                        );
                        ok = false;
                    }
                }
            }
        }
        ok
    }

    /// `lhs op rhs` on a struct implementing the operator's trait: a call of its method.
    pub fn operator_call(&mut self, fcx: &mut FnCx, op: BinOp, lhs: hir::Expr, rhs: &ast::Expr, span: Span) -> Option<hir::Expr> {
        let (trait_name, method) = operator_trait(op)?;
        let Ty::Struct(sid) = lhs.ty else { return None };
        if !self.implements(&lhs.ty, trait_name) {
            return None;
        }
        let (trait_name, method, negate) = match op {
            // `!=` uses a `Ne` trait's `ne` if the struct has one, else `!eq` (§11.1).
            BinOp::Ne if self.implements(&lhs.ty, "Ne") => ("Ne", "ne", false),
            BinOp::Ne => (trait_name, method, true),
            _ => (trait_name, method, false),
        };
        let _ = trait_name;
        let fid = *self.res.methods.get(&(sid, method.to_string()))?;
        let sig = self.sigs[fid as usize].clone();
        let param = sig.params.first().cloned().unwrap_or(Ty::Error);
        let arg = self.expr(fcx, rhs, Some(&param));
        let arg = self.coerce(fcx, arg, &param);
        let receiver = match sig.receiver.unwrap_or(ReceiverKind::ByRef) {
            ReceiverKind::ByValue => Receiver::Value(Box::new(lhs)),
            ReceiverKind::ByRef => Receiver::AddressOf(Box::new(lhs)),
        };
        let call = hir::Expr { kind: ExprKind::MethodCall { func: fid, receiver, args: vec![arg] }, ty: sig.ret.clone(), span };
        Some(if negate {
            hir::Expr { kind: ExprKind::Unary { op: UnaryOp::Not, operand: Box::new(call) }, ty: Ty::Bool, span }
        } else {
            call
        })
    }
}
