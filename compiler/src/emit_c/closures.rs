//! Function values in C (§9): a `vex_fn` is {code, env}. A closure's body is a C function taking
//! its environment first; the environment is a reference-counted heap block holding the
//! captured values. A top-level function used as a value goes through a small wrapper that
//! takes (and ignores) an environment. Copies retain, drops release (ownership.rs).

use super::func::{strip_parens, FnEmitter};
use crate::hir::{self, FnId};
use crate::types::Ty;

/// The C name of closure `id`'s environment struct.
pub fn env_struct(names: &super::names::Names, id: FnId) -> String {
    format!("{}_env", names.function(id))
}

/// The wrapper that lets top-level function `id` be called as a `vex_fn`.
pub fn fn_value_wrapper(names: &super::names::Names, id: FnId) -> String {
    format!("{}_fnval", names.function(id))
}

impl FnEmitter<'_> {
    pub(super) fn closure_value(&mut self, func: FnId, captures: &[hir::Expr]) -> String {
        let code = self.names.function(func).to_string();
        if captures.is_empty() {
            return format!("((vex_fn){{(vex_code){code}, NULL}})");
        }
        let env_ty = env_struct(self.names, func);
        let t = self.fresh_temp();
        self.decl_pre(&format!("{env_ty} *"), &t, Some(format!("vex_env_new(sizeof({env_ty}), {env_ty}_drop)")));
        for (i, c) in captures.iter().enumerate() {
            let v = self.owned(c);
            self.prelude.push(format!("{t}->c{i} = {};", strip_parens(&v)));
        }
        format!("((vex_fn){{(vex_code){code}, &{t}->hdr}})")
    }

    pub(super) fn fn_ref(&mut self, func: FnId) -> String {
        format!("((vex_fn){{(vex_code){}, NULL}})", fn_value_wrapper(self.names, func))
    }

    /// `callee(args)`: the callee is evaluated once, before the arguments (§6.14); a temporary
    /// function value is released after the call.
    pub(super) fn call_value(&mut self, e: &hir::Expr, callee: &hir::Expr, args: &[hir::Expr]) -> String {
        let Ty::Fn(params, ret) = &callee.ty else { return "((vex_unit)0)".into() };
        let code_ty = self.layouts.fn_code_type(params, ret, self.program);
        // The callee is evaluated first and held with its own reference: an argument may
        // overwrite the variable it came from. It and the evaluated arguments are in flight
        // until the call.
        let inflight = self.inflight.len();
        let c = self.owned(callee);
        let f = self.fresh_temp();
        self.decl_pre("vex_fn", &f, Some(strip_parens(&c).to_string()));
        self.inflight.push(format!("vex_fn_drop({f});"));
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            let v = self.owned(a);
            let t = self.fresh_temp();
            let cty = self.c_type(&a.ty);
            self.decl_pre(&cty, &t, Some(strip_parens(&v).to_string()));
            let release = self.release(&a.ty, &t);
            self.inflight.extend(release);
            vals.push(t);
        }
        self.inflight.truncate(inflight);
        let mut call_args = vec![format!("{f}.env")];
        call_args.extend(vals);
        let call = format!("(({code_ty}){f}.code)({})", call_args.join(", "));
        let result = if matches!(e.ty, Ty::Unit | Ty::Never) {
            self.prelude.push(format!("{call};"));
            "((vex_unit)0)".to_string()
        } else {
            let r = self.fresh_temp();
            let cty = self.c_type(&e.ty);
            self.decl_pre(&cty, &r, Some(call.to_string()));
            r
        };
        self.prelude.push(format!("vex_fn_drop({f});"));
        result
    }

    /// For a closure's body: its environment struct (with drop glue) as a global, and the
    /// captured values read from it into the locals the body uses (borrowed: not dropped here).
    pub(super) fn closure_prologue(&mut self, id: FnId, captures: &[hir::LocalId]) {
        if captures.is_empty() {
            self.line("(void)vx_envp;");
            return;
        }
        let env_ty = env_struct(self.names, id);
        let mut def = format!("typedef struct {env_ty} {{\n    vex_env hdr;\n");
        let mut drops = String::new();
        for (i, l) in captures.iter().enumerate() {
            let ty = self.f.locals[*l as usize].ty.clone();
            def.push_str(&format!("    {} c{i};\n", self.c_type(&ty)));
            for line in self.release(&ty, &format!("env->c{i}")) {
                drops.push_str(&format!("    {line}\n"));
            }
        }
        def.push_str(&format!("}} {env_ty};\n"));
        if drops.is_empty() {
            def.push_str(&format!("static void {env_ty}_drop(vex_env *e) {{ (void)e; }}\n\n"));
        } else {
            def.push_str(&format!("static void {env_ty}_drop(vex_env *e) {{\n    {env_ty} *env = ({env_ty} *)e;\n{drops}}}\n\n"));
        }
        self.globals.push_str(&def);
        self.line(&format!("{env_ty} *vx_env = ({env_ty} *)vx_envp;"));
        for (i, l) in captures.iter().enumerate() {
            let ty = self.f.locals[*l as usize].ty.clone();
            let cty = self.c_type(&ty);
            let name = self.locals[*l as usize].clone();
            self.line(&format!("{cty} {name} = vx_env->c{i};"));
            self.line(&format!("(void){name};"));
        }
    }
}
