//! Generic functions by monomorphisation (§10.1, §10.3): type arguments come from explicit
//! `f<T>(..)` or are inferred from the arguments; each distinct instance is checked with its
//! type parameters bound (template semantics) and becomes its own function (`identity_i32`).

use super::{Checker, FnCx, FnSig};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, FnId};
use crate::resolve::fn_decl;
use crate::span::Span;
use crate::syntax::ast::{self, TypeKind};
use crate::types::{EnumId, StructId, Ty};
use rustc_hash::FxHashMap as HashMap;

/// Instantiation chains deeper than this (e.g. `f<T>` calling `f<[T; 1]>`) are an error.
const MAX_INSTANCE_DEPTH: usize = 64;

/// Type arguments of more type nodes than this are an error (E0275): an instantiation that grows
/// them (`f<T>` calling `f<(T, T)>`) would double the work at every step.
const MAX_TYPE_ARGS_SIZE: usize = 512;

/// At most this many instances of generic structs and enums (E0275): polymorphic recursion
/// through a heap indirection (`struct W<T> { v: Vec<W<Vec<T>>> }`) would instantiate forever.
const MAX_TYPE_INSTANCES: usize = 1024;

/// Whether `targs` have more than `limit` type nodes (stops counting there).
fn too_big(targs: &[Ty], limit: usize) -> bool {
    let mut stack: Vec<&Ty> = targs.iter().collect();
    let mut n = 0;
    while let Some(t) = stack.pop() {
        n += 1;
        if n > limit {
            return true;
        }
        match t {
            Ty::Array(e, _) | Ty::Ref(e, _) | Ty::Ptr(e, _) => stack.push(e),
            Ty::Tuple(ts) | Ty::Lib(_, ts) => stack.extend(ts),
            Ty::Fn(ps, r) => {
                stack.extend(ps);
                stack.push(r);
            }
            _ => {}
        }
    }
    false
}

/// The generic-struct instances known so far: instance -> (template name, type arguments).
type InstanceArgs<'a> = &'a dyn Fn(&Ty) -> Option<(String, Vec<Ty>)>;

/// Binds the type parameters occurring in `pattern` by matching it against `actual`.
fn unify(pattern: &ast::Type, actual: &Ty, params: &[String], env: &mut HashMap<String, Ty>, inst: InstanceArgs<'_>) {
    match (&pattern.kind, actual) {
        (TypeKind::Named { name, args }, _) if args.is_empty() && params.contains(&name.name) => {
            if !actual.is_error() {
                env.entry(name.name.clone()).or_insert_with(|| actual.clone());
            }
        }
        (TypeKind::Named { name, args }, Ty::Struct(_) | Ty::Enum(_)) if !args.is_empty() => {
            if let Some((template, targs)) = inst(actual) {
                if template == name.name && targs.len() == args.len() {
                    args.iter().zip(&targs).for_each(|(a, t)| unify(a, t, params, env, inst));
                }
            }
        }
        // `Vec<T>`, `Map<K, V>`, `Box<T>`, `Channel<T>`, ... (the library types, §12).
        (TypeKind::Named { name, args }, Ty::Lib(lib, targs)) if !args.is_empty() => {
            if crate::types::LibTy::from_name(&name.name) == Some(*lib) && targs.len() == args.len() {
                args.iter().zip(targs).for_each(|(a, t)| unify(a, t, params, env, inst));
            }
        }
        (TypeKind::Fn { params: ps, ret }, Ty::Fn(ts, r)) if ps.len() == ts.len() => {
            ps.iter().zip(ts).for_each(|(p, t)| unify(p, t, params, env, inst));
            unify(ret, r, params, env, inst);
        }
        (TypeKind::Ref { inner, .. }, Ty::Ref(t, _)) | (TypeKind::Ptr { inner, .. }, Ty::Ptr(t, _)) => {
            unify(inner, t, params, env, inst)
        }
        (TypeKind::Array { elem, .. }, Ty::Array(t, _)) => unify(elem, t, params, env, inst),
        (TypeKind::Tuple(ps), Ty::Tuple(ts)) if ps.len() == ts.len() => {
            ps.iter().zip(ts).for_each(|(p, t)| unify(p, t, params, env, inst));
        }
        _ => {}
    }
}

/// The type arguments of a receiver type `S<..>`, `&S<..>`, `&S<..>!`.
fn receiver_args(t: &ast::Type) -> &[ast::Type] {
    match &t.kind {
        TypeKind::Named { args, .. } => args,
        TypeKind::Ref { inner, .. } => receiver_args(inner),
        _ => &[],
    }
}

/// The name a type argument gives a type parameter, if it is a bare identifier.
fn type_param_name(t: &ast::Type) -> Option<String> {
    match &t.kind {
        TypeKind::Named { name, args } if args.is_empty() => Some(name.name.clone()),
        _ => None,
    }
}

/// Whether `t` mentions one of `params`.
fn mentions(t: &ast::Type, params: &[String]) -> bool {
    match &t.kind {
        TypeKind::Named { name, args } => params.contains(&name.name) || args.iter().any(|a| mentions(a, params)),
        TypeKind::Ref { inner, .. } | TypeKind::Ptr { inner, .. } | TypeKind::Slice { inner, .. } => mentions(inner, params),
        TypeKind::Array { elem, .. } => mentions(elem, params),
        TypeKind::Tuple(ts) => ts.iter().any(|x| mentions(x, params)),
        TypeKind::Fn { params: ps, ret } => ps.iter().any(|x| mentions(x, params)) || mentions(ret, params),
        TypeKind::Never => false,
    }
}

impl Checker<'_> {
    pub fn generic_call(
        &mut self,
        fcx: &mut FnCx,
        template: FnId,
        type_args: &[ast::Type],
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> hir::Expr {
        let error = hir::Expr { kind: ExprKind::Unit, ty: Ty::Error, span };
        let f = fn_decl(self.file, &self.res.functions[template as usize]);
        let params: Vec<String> = self.sigs[template as usize].type_params.clone();
        let mut env: HashMap<String, Ty> = HashMap::default();
        if !type_args.is_empty() {
            if !self.type_arg_count_ok("function", &f.name, params.len(), type_args.len(), span) {
                return error;
            }
            for (p, t) in params.iter().zip(type_args) {
                let ty = self.lower_ty(t);
                env.insert(p.clone(), ty);
            }
        }
        if args.len() != f.params.len() {
            self.error(
                Diagnostic::error("E0061", format!("this function takes {} argument(s) but {} were supplied", f.params.len(), args.len()), span)
                    .secondary(f.name.span, format!("`{}` defined here", f.name.name)),
            );
            return error;
        }
        // Arguments left to right: a parameter whose type is already known guides its argument
        // (so literals get the right type); the others bind type parameters from what they are.
        let mut checked = Vec::with_capacity(args.len());
        for (a, p) in args.iter().zip(&f.params) {
            let unbound: Vec<String> = params.iter().filter(|n| !env.contains_key(*n)).cloned().collect();
            let known = !mentions(&p.ty, &unbound);
            let expected = if known { Some(self.with_env(&env, |c| c.lower_ty(&p.ty))) } else { None };
            let e = self.expr(fcx, a, expected.as_ref());
            let known_instances = self.instance_args_fn();
            unify(&p.ty, &e.ty, &params, &mut env, &known_instances);
            checked.push(e);
        }
        // What the arguments leave open comes from the expected result type (`let v: i64 =
        // convert(q)`), then from the bounds (`T: Into<U>` with `T` known and one `Into` impl).
        if let (Some(ret), Some(want)) = (&f.ret, expected) {
            let known_instances = self.instance_args_fn();
            unify(ret, want, &params, &mut env, &known_instances);
        }
        self.infer_from_bounds(&f.type_params, &mut env);
        let mut targs = Vec::with_capacity(params.len());
        for p in &params {
            match env.get(p) {
                Some(t) if !t.is_error() => targs.push(t.clone()),
                Some(_) => return error,
                None => {
                    self.error(
                        Diagnostic::error("E0282", format!("type annotations needed: cannot infer `{p}` for `{}`", f.name.name), span)
                            .label(format!("cannot infer the type parameter `{p}`"))
                            .help(format!("give it explicitly: `{}<...>(...)`", f.name.name)),
                    );
                    return error;
                }
            }
        }
        let Some(id) = self.instantiate(template, targs, span) else { return error };
        let sig = self.sigs[id as usize].clone();
        let args = checked.into_iter().zip(&sig.params).map(|(e, t)| self.coerce(fcx, e, t)).collect();
        hir::Expr { kind: ExprKind::Call { func: id, args }, ty: sig.ret, span }
    }

    pub(super) fn with_env<T>(&mut self, env: &HashMap<String, Ty>, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.type_env, env.clone());
        let r = f(self);
        self.type_env = saved;
        r
    }

    /// The FnId of `template` instantiated with `targs`, checking its body on first use.
    fn instantiate(&mut self, template: FnId, targs: Vec<Ty>, span: Span) -> Option<FnId> {
        let key = (template, targs.clone());
        if let Some(&id) = self.instances.get(&key) {
            return Some(id);
        }
        if self.instance_of.len() >= self.templates * MAX_INSTANCE_DEPTH + MAX_INSTANCE_DEPTH || too_big(&targs, MAX_TYPE_ARGS_SIZE) {
            self.instance_limit("functions", span);
            return None;
        }
        let f = fn_decl(self.file, &self.res.functions[template as usize]);
        let params = self.sigs[template as usize].type_params.clone();
        let env: HashMap<String, Ty> = params.iter().cloned().zip(targs.iter().cloned()).collect();
        if !self.check_bounds(&f.type_params, &targs, span) {
            return None;
        }
        let id = (self.templates + self.instance_bodies.len()) as FnId;
        self.instances.insert(key, id);
        self.instance_of.insert(id, template);
        self.instance_bodies.push(None);
        let suffix: Vec<String> = targs.iter().map(|t| crate::types::ident_fragment(&self.ty_name(t))).collect();
        let (param_tys, ret) = self.with_env(&env, |c| {
            let ps: Vec<Ty> = f.params.iter().map(|p| c.lower_ty(&p.ty)).collect();
            let r = f.ret.as_ref().map(|t| c.lower_ty(t)).unwrap_or(Ty::Unit);
            (ps, r)
        });
        self.sigs.push(FnSig {
            name: format!("{}_{}", f.name.name, suffix.join("_")),
            owner: None,
            receiver: None,
            mutating: false,
            params: param_tys,
            ret,
            name_span: f.name.span,
            type_params: Vec::new(),
        });
        let before = self.diags.len();
        let kept_before = self.instance_diags.len();
        let body = self.with_env(&env, |c| c.check_body(id));
        let shown: Vec<String> = params.iter().zip(&targs).map(|(p, t)| format!("{p} = {}", self.ty_name(t))).collect();
        for d in &mut self.diags[before..] {
            d.secondary.push((span, format!("in `{}` instantiated here with {}", f.name.name, shown.join(", "))));
        }
        self.keep_instance_diags(before, kept_before);
        let k = id as usize - self.templates;
        self.instance_bodies[k] = Some(body);
        Some(id)
    }
}

impl Checker<'_> {
    /// A lookup from a struct type to (template name, type arguments) for generic instances.
    fn instance_args_fn(&self) -> impl Fn(&Ty) -> Option<(String, Vec<Ty>)> + '_ {
        move |ty| match ty {
            Ty::Struct(id) => {
                let (template, targs) = self.struct_template_of.get(id)?;
                Some((self.res.structs.get(*template as usize)?.name.clone(), targs.clone()))
            }
            Ty::Enum(id) => {
                let (template, targs) = self.enum_template_of.get(id)?;
                Some((self.res.enums.get(*template as usize)?.name.clone(), targs.clone()))
            }
            _ => None,
        }
    }

    /// Records the diagnostics reported since `before` while creating a cached instance (see
    /// `instance_diags`); they include those recorded since `kept_before` by nested instances.
    fn keep_instance_diags(&mut self, before: usize, kept_before: usize) {
        self.instance_diags.truncate(kept_before);
        let new: Vec<Diagnostic> = self.diags[before..].to_vec();
        self.instance_diags.extend(new);
    }

    /// E0275 for runaway instantiation of generic `what` (functions or types), reported once: the
    /// chain that hit the limit unwinds with error types, and other chains would hit it again.
    fn instance_limit(&mut self, what: &str, span: Span) {
        if self.instance_limit.is_some() {
            return;
        }
        let help = if what == "functions" {
            "a generic function must not call itself with ever larger type arguments"
        } else {
            "a generic struct or enum must not contain itself (through `Vec`, `Box`, ...) with ever larger type arguments"
        };
        let d = Diagnostic::error("E0275", format!("too many instances of generic {what} (recursive instantiation?)"), span).help(help);
        self.instance_limit = Some(d.clone());
        self.error(d);
    }

    /// The instance of generic struct `template` for `targs` (created on first use).
    pub fn instantiate_struct(&mut self, template: StructId, targs: Vec<Ty>, span: Span) -> Ty {
        if self.bad_templates.contains(&template) {
            return Ty::Error;
        }
        let Some((decl, _)) = self.struct_decl_of(template) else { return Ty::Error };
        if !self.type_arg_count_ok("struct", &decl.name, decl.type_params.len(), targs.len(), span) {
            return Ty::Error;
        }
        let key = (template, targs.clone());
        if let Some(&id) = self.struct_instances.get(&key) {
            return Ty::Struct(id);
        }
        if self.struct_instances.len() + self.enum_instances.len() >= MAX_TYPE_INSTANCES || too_big(&targs, MAX_TYPE_ARGS_SIZE) {
            self.instance_limit("types", span);
            return Ty::Error;
        }
        let (before, kept_before) = (self.diags.len(), self.instance_diags.len());
        let shown: Vec<String> = targs.iter().map(|t| self.ty_name(t)).collect();
        let id = self.structs.len() as StructId;
        self.structs.push(hir::StructDef {
            name: format!("{}<{}>", decl.name.name, shown.join(", ")),
            fields: Vec::new(),
            span: decl.name.span,
            template: false,
            metadata: Vec::new(),
        });
        self.struct_instances.insert(key, id);
        self.struct_template_of.insert(id, (template, targs.clone()));
        self.check_bounds(&decl.type_params, &targs, span);
        self.pending_impl_checks.push((id, span));
        let env: HashMap<String, Ty> = decl.type_params.iter().map(|p| p.name.name.clone()).zip(targs).collect();
        let fields: Vec<hir::FieldDef> = self.with_env(&env, |c| {
            decl.fields.iter().map(|f| hir::FieldDef { name: f.name.name.clone(), ty: c.lower_ty(&f.ty) }).collect()
        });
        self.structs[id as usize].fields = fields;
        self.keep_instance_diags(before, kept_before);
        Ty::Struct(id)
    }

    /// The instance a literal `Name { ... }` of generic struct `template` builds: from explicit
    /// type arguments, else the expected type, else inferred from the field values.
    pub fn struct_lit_instance(
        &mut self,
        fcx: &mut FnCx,
        template: StructId,
        type_args: &[ast::Type],
        fields: &[ast::FieldInit],
        expected: Option<&Ty>,
        span: Span,
    ) -> Ty {
        if !type_args.is_empty() {
            let targs: Vec<Ty> = type_args.iter().map(|t| self.lower_ty(t)).collect();
            if targs.iter().any(Ty::is_error) {
                return Ty::Error;
            }
            return self.instantiate_struct(template, targs, span);
        }
        if let Some(Ty::Struct(id)) = expected {
            if self.struct_template_of.get(id).map(|(t, _)| *t) == Some(template) {
                return Ty::Struct(*id);
            }
        }
        let Some((decl, _)) = self.struct_decl_of(template) else { return Ty::Error };
        let params: Vec<String> = decl.type_params.iter().map(|p| p.name.name.clone()).collect();
        let mut env: HashMap<String, Ty> = HashMap::default();
        for init in fields {
            if let Some(f) = decl.fields.iter().find(|f| f.name.name == init.name.name) {
                // Probe the value's type (diagnostics from the probe are deduplicated later).
                let v = self.expr(fcx, &init.value, None);
                let known_instances = self.instance_args_fn();
                unify(&f.ty, &v.ty, &params, &mut env, &known_instances);
            }
        }
        let mut targs = Vec::new();
        for p in &params {
            match env.get(p) {
                Some(t) => targs.push(t.clone()),
                None => {
                    self.error(
                        Diagnostic::error("E0282", format!("type annotations needed: cannot infer `{p}` for `{}`", decl.name.name), span)
                            .help(format!("write `{}<...> {{ ... }}` or annotate the binding", decl.name.name)),
                    );
                    return Ty::Error;
                }
            }
        }
        self.instantiate_struct(template, targs, span)
    }
}

impl Checker<'_> {
    fn enum_decl(&self, template: EnumId) -> Option<&ast::EnumDecl> {
        let entry = self.res.enums.get(template as usize)?;
        match &self.file.items[entry.item].kind {
            ast::ItemKind::Enum(e) => Some(e),
            _ => None,
        }
    }

    /// The instance of generic enum `template` for `targs` (created on first use).
    pub fn instantiate_enum(&mut self, template: EnumId, targs: Vec<Ty>, span: Span) -> Ty {
        let Some(decl) = self.enum_decl(template).cloned() else { return Ty::Error };
        if !self.type_arg_count_ok("enum", &decl.name, decl.type_params.len(), targs.len(), span) {
            return Ty::Error;
        }
        let key = (template, targs.clone());
        if let Some(&id) = self.enum_instances.get(&key) {
            return Ty::Enum(id);
        }
        if self.struct_instances.len() + self.enum_instances.len() >= MAX_TYPE_INSTANCES || too_big(&targs, MAX_TYPE_ARGS_SIZE) {
            self.instance_limit("types", span);
            return Ty::Error;
        }
        let (before, kept_before) = (self.diags.len(), self.instance_diags.len());
        let shown: Vec<String> = targs.iter().map(|t| self.ty_name(t)).collect();
        let id = self.enums.len() as EnumId;
        self.enums.push(hir::EnumDef {
            name: format!("{}<{}>", decl.name.name, shown.join(", ")),
            variants: Vec::new(),
            span: decl.name.span,
            template: false,
        });
        self.enum_instances.insert(key, id);
        self.enum_template_of.insert(id, (template, targs.clone()));
        let env: HashMap<String, Ty> = decl.type_params.iter().map(|p| p.name.name.clone()).zip(targs).collect();
        let variants = self.with_env(&env, |c| {
            decl.variants
                .iter()
                .map(|v| hir::VariantDef { name: v.name.name.clone(), payload: v.payload.as_ref().map(|t| c.lower_ty(t)) })
                .collect()
        });
        self.enums[id as usize].variants = variants;
        self.keep_instance_diags(before, kept_before);
        Ty::Enum(id)
    }

    /// The enum type a variant path of `template` builds: the expected instance, else type
    /// arguments inferred from the payload, unresolved ones defaulting to `i32` (§3.7).
    pub fn enum_instance_for(&mut self, template: EnumId, variant: u32, payload: Option<&Ty>, expected: Option<&Ty>, span: Span) -> Ty {
        if let Some(Ty::Enum(id)) = expected {
            if self.enum_template_of.get(id).map(|(t, _)| *t) == Some(template) {
                return Ty::Enum(*id);
            }
        }
        let Some(decl) = self.enum_decl(template).cloned() else { return Ty::Error };
        let params: Vec<String> = decl.type_params.iter().map(|p| p.name.name.clone()).collect();
        let mut env: HashMap<String, Ty> = HashMap::default();
        if let (Some(pt), Some(actual)) = (decl.variants.get(variant as usize).and_then(|v| v.payload.as_ref()), payload) {
            let known_instances = self.instance_args_fn();
            unify(pt, actual, &params, &mut env, &known_instances);
        }
        let targs: Vec<Ty> = params.iter().map(|p| env.get(p).cloned().unwrap_or(Ty::I32)).collect();
        self.instantiate_enum(template, targs, span)
    }

    /// The instance of `template` that `ty` is, if it is one.
    pub fn enum_instance_of(&self, template: EnumId, ty: &Ty) -> Option<EnumId> {
        match ty {
            Ty::Enum(id) if self.enum_template_of.get(id).map(|(t, _)| *t) == Some(template) => Some(*id),
            _ => None,
        }
    }
}

impl Checker<'_> {
    /// The method `fid` of a generic struct's declaration, instantiated for instance `inst`.
    pub fn method_instance(&mut self, fid: FnId, inst: StructId, span: Span) -> Option<FnId> {
        let (template, targs) = self.struct_template_of.get(&inst).cloned()?;
        let key = (fid, targs.clone());
        if let Some(&id) = self.instances.get(&key) {
            return Some(id);
        }
        let (decl, _) = self.struct_decl_of(template)?;
        let f = fn_decl(self.file, &self.res.functions[fid as usize]);
        // A Go-style receiver `Counter<U>` names the struct's parameters its own way.
        let mut env = self.struct_env(inst);
        for p in &decl.type_params {
            env.remove(&p.name.name);
        }
        let names: Vec<String> = match f.receiver.as_ref().map(|r| receiver_args(&r.ty)) {
            Some(args) if !args.is_empty() => args.iter().map(|a| type_param_name(a).unwrap_or_default()).collect(),
            _ => decl.type_params.iter().map(|p| p.name.name.clone()).collect(),
        };
        env.extend(names.into_iter().zip(targs));
        let receiver = match &f.receiver {
            Some(p) if !matches!(p.ty.kind, TypeKind::Ref { .. }) => hir::ReceiverKind::ByValue,
            _ => hir::ReceiverKind::ByRef,
        };
        let id = (self.templates + self.instance_bodies.len()) as FnId;
        self.instances.insert(key, id);
        self.instance_of.insert(id, fid);
        self.instance_bodies.push(None);
        let (params, ret) = self.with_env(&env, |c| {
            let ps: Vec<Ty> = f.params.iter().map(|p| c.lower_ty(&p.ty)).collect();
            let r = f.ret.as_ref().map(|t| c.lower_ty(t)).unwrap_or(Ty::Unit);
            (ps, r)
        });
        self.sigs.push(FnSig {
            name: f.name.name.clone(),
            owner: Some(inst),
            receiver: Some(receiver),
            mutating: f.mutating.is_some(),
            params,
            ret,
            name_span: f.name.span,
            type_params: Vec::new(),
        });
        let before = self.diags.len();
        let kept_before = self.instance_diags.len();
        let body = self.with_env(&env, |c| c.check_body(id));
        let shown = self.ty_name(&Ty::Struct(inst));
        for d in &mut self.diags[before..] {
            d.secondary.push((span, format!("in `{}` of `{shown}` used here", f.name.name)));
        }
        self.keep_instance_diags(before, kept_before);
        let k = id as usize - self.templates;
        self.instance_bodies[k] = Some(body);
        Some(id)
    }
}

impl Checker<'_> {
    /// E0107 unless a generic `kind` (function, struct, enum) named `name` with `want` type
    /// parameters got `got` type arguments.
    fn type_arg_count_ok(&mut self, kind: &str, name: &ast::Ident, want: usize, got: usize, span: Span) -> bool {
        if want == got {
            return true;
        }
        self.error(
            Diagnostic::error("E0107", format!("{kind} `{}` takes {want} type argument(s) but {got} were supplied", name.name), span)
                .secondary(name.span, "defined here"),
        );
        false
    }

    /// Binds type parameters that occur in a trait bound's arguments from the one impl of that
    /// trait on the bounded (already known) type: `<T: Into<U>, U>` with `T = Meters` and
    /// `struct Meters impl Into<i64>` gives `U = i64`.
    fn infer_from_bounds(&mut self, type_params: &[ast::TypeParam], env: &mut HashMap<String, Ty>) {
        let params: Vec<String> = type_params.iter().map(|p| p.name.name.clone()).collect();
        for tp in type_params {
            let Some(Ty::Struct(sid)) = env.get(&tp.name.name).cloned() else { continue };
            for b in &tp.bounds {
                let ast::Bound::Trait(name, pattern) = b else { continue };
                if pattern.is_empty() {
                    continue;
                }
                let Some((decl, _)) = self.struct_decl_of(sid) else { continue };
                let listed: Vec<&ast::TraitRef> = decl.impls.iter().filter(|t| t.name.name == name.name && t.args.len() == pattern.len()).collect();
                let [only] = listed.as_slice() else { continue };
                let senv = self.struct_env(sid);
                let actual: Vec<Ty> = self.with_env(&senv, |c| only.args.iter().map(|a| c.lower_ty(a)).collect());
                let known_instances = self.instance_args_fn();
                for (p, a) in pattern.iter().zip(&actual) {
                    unify(p, a, &params, env, &known_instances);
                }
            }
        }
    }

    /// A Go-style method of a generic struct names the struct's type parameters in its receiver,
    /// as in Go: `fn (c: &Counter<T>) get(): T` (§4.3, decision in docs/SPEC.md). Methods of one
    /// instance only (`Counter<i32>`) are not part of the language.
    pub fn check_receiver_args(&mut self, recv: &ast::Param, owner: StructId) {
        let Some((decl, _)) = self.struct_decl_of(owner) else { return };
        let args = receiver_args(&recv.ty);
        let want = decl.type_params.len();
        let sname = &decl.name.name;
        let params: Vec<&str> = decl.type_params.iter().map(|p| p.name.name.as_str()).collect();
        if args.len() != want {
            let d = if want == 0 {
                Diagnostic::error("E0107", format!("struct `{sname}` takes no type arguments"), recv.ty.span).help(format!("write the receiver as `&{sname}`"))
            } else {
                Diagnostic::error("E0107", format!("the receiver must name the {want} type parameter(s) of `{sname}`"), recv.ty.span)
                    .label(format!("expected `{sname}<{}>`", params.join(", ")))
                    .help(format!("write `fn ({}: &{sname}<{}>) ...`", recv.name.name, params.join(", ")))
            };
            self.error(d.secondary(decl.name.span, "struct declared here"));
            return;
        }
        let mut seen: Vec<String> = Vec::new();
        for a in args {
            match type_param_name(a) {
                Some(n) if !self.names_a_type(a.span, &n) && !seen.contains(&n) => seen.push(n),
                Some(n) if seen.contains(&n) => self.error(
                    Diagnostic::error("E0403", format!("the name `{n}` is already used for a type parameter of this receiver"), a.span)
                        .help("give each type parameter its own name"),
                ),
                _ => self.error(
                    Diagnostic::error("E0207", "the type arguments of a receiver must be type parameter names", a.span)
                        .label("a concrete type here")
                        .note("methods for one instance of a generic struct are not supported; a method serves every instance")
                        .help(format!("write `fn ({}: &{sname}<{}>) ...` and use the parameter names in the method", recv.name.name, params.join(", "))),
                ),
            }
        }
    }
}
