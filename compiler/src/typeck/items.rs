//! Declarations: struct layouts, function signatures, `main`, and the per-body entry point.

use super::{Checker, FnCx, FnSig};
use crate::diag::Diagnostic;
use crate::hir::{self, FnId, ReceiverKind};
use crate::resolve::fn_decl;
use crate::syntax::ast::{self, ItemKind, TypeKind};
use crate::types::{StructId, Ty};
use rustc_hash::FxHashMap as HashMap;

impl Checker<'_> {
    /// Items whose semantics later issues deliver are rejected with E0658 at their span.
    pub fn check_unsupported_items(&mut self) {
        for item in &self.file.items {
            let what = match &item.kind {
                ItemKind::Enum(_) => None,
                ItemKind::Trait(_) => None,
                ItemKind::Const(_) => None,
                ItemKind::TypeAlias(_) => None,
                ItemKind::Policy(_) => None,
                ItemKind::Extern(block) => {
                    self.check_extern_abi(block);
                    None
                }
                ItemKind::Import(ast::Import::Named { names, module, .. }) if module == "io" => {
                    for n in names {
                        if !matches!(n.name.as_str(), "print" | "println" | "eprint" | "eprintln") {
                            self.error(
                                Diagnostic::error("E0432", format!("unresolved import `{}`", n.name), n.span)
                                    .label(format!("no `{}` in module `io`", n.name))
                                    .help("module `io` provides `print`, `println`, `eprint` and `eprintln`"),
                            );
                        }
                    }
                    None
                }
                ItemKind::Import(_) | ItemKind::ExportList(_) | ItemKind::Fn(_) | ItemKind::Struct(_) => None,
            };
            if let Some(what) = what {
                self.not_yet(what, item.span);
            }
        }
    }

    /// Every alias is expanded once, used or not (cycles, unknown types): after
    /// `collect_structs`, since an alias may name a struct or an enum.
    pub fn check_aliases(&mut self) {
        for item in &self.file.items {
            if let ItemKind::TypeAlias(t) = &item.kind {
                let ty = ast::Type { kind: ast::TypeKind::Named { name: t.name.clone(), args: Vec::new() }, span: t.name.span };
                self.lower_ty(&ty);
            }
        }
    }

    pub fn collect_structs(&mut self) {
        for entry in &self.res.enums {
            let template = matches!(&self.file.items[entry.item].kind, ItemKind::Enum(e) if !e.type_params.is_empty());
            self.enums.push(hir::EnumDef { name: entry.name.clone(), variants: Vec::new(), span: Default::default(), template });
        }
        for entry in &self.res.structs {
            let template = matches!(&self.file.items[entry.item].kind, ItemKind::Struct(s) if !s.type_params.is_empty());
            self.structs.push(hir::StructDef { name: entry.name.clone(), fields: Vec::new(), span: Default::default(), template, metadata: Vec::new() });
        }
        for (id, entry) in self.res.structs.iter().enumerate() {
            let ItemKind::Struct(s) = &self.file.items[entry.item].kind else { continue };
            if !s.type_params.is_empty() {
                // Fields are lowered per instance; the declaration itself only gets its span.
                self.structs[id].span = s.name.span;
                continue;
            }
            let mut seen: HashMap<&str, crate::span::Span> = HashMap::default();
            let mut fields = Vec::new();
            for f in &s.fields {
                if let Some(prev) = seen.insert(&f.name.name, f.name.span) {
                    self.error(
                        Diagnostic::error("E0124", format!("field `{}` is already declared", f.name.name), f.name.span)
                            .label("field already declared")
                            .secondary(prev, format!("`{}` first declared here", f.name.name)),
                    );
                    continue;
                }
                let ty = self.lower_ty(&f.ty);
                fields.push(hir::FieldDef { name: f.name.name.clone(), ty });
            }
            self.structs[id].fields = fields;
            self.structs[id].span = s.name.span;
        }
        for (id, entry) in self.res.enums.iter().enumerate() {
            let ItemKind::Enum(e) = &self.file.items[entry.item].kind else { continue };
            let mut seen: HashMap<&str, crate::span::Span> = HashMap::default();
            let mut variants = Vec::new();
            for v in &e.variants {
                if let Some(prev) = seen.insert(&v.name.name, v.name.span) {
                    self.error(
                        Diagnostic::error("E0428", format!("variant `{}` is defined multiple times", v.name.name), v.name.span)
                            .label("redefined here")
                            .secondary(prev, "first defined here"),
                    );
                    continue;
                }
                // A generic enum's payload types exist per instance; the declaration keeps names.
                let payload = if e.type_params.is_empty() {
                    v.payload.as_ref().map(|t| self.lower_ty(t))
                } else {
                    v.payload.as_ref().map(|_| Ty::Error)
                };
                variants.push(hir::VariantDef { name: v.name.name.clone(), payload });
            }
            self.enums[id].variants = variants;
            self.enums[id].span = e.name.span;
        }
        self.check_recursive_structs();
    }

    /// A struct may not contain itself by value, directly or through arrays/other structs (E0391).
    fn check_recursive_structs(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let n = self.structs.len();
        // Nodes: structs 0..n, then enums n..n+m (an enum holds its payloads by value).
        let contained = |ty: &Ty, out: &mut Vec<StructId>| {
            fn walk(ty: &Ty, n: usize, out: &mut Vec<StructId>) {
                match ty {
                    Ty::Struct(id) => out.push(*id),
                    Ty::Enum(id) => out.push(n as u32 + *id),
                    Ty::Array(e, _) => walk(e, n, out),
                    Ty::Tuple(ts) => ts.iter().for_each(|t| walk(t, n, out)),
                    _ => {}
                }
            }
            walk(ty, n, out)
        };
        let children = |node: usize, out: &mut Vec<StructId>| {
            if node < n {
                self.structs[node].fields.iter().for_each(|f| contained(&f.ty, out));
            } else if let Some(e) = self.enums.get(node - n) {
                e.variants.iter().filter_map(|v| v.payload.as_ref()).for_each(|t| contained(t, out));
            }
        };
        let node_name = |node: usize| if node < n { self.structs[node].name.clone() } else { self.enums[node - n].name.clone() };
        let node_span = |node: usize| if node < n { self.structs[node].span } else { self.enums[node - n].span };
        let n_all = n + self.enums.len();
        let mut marks = vec![Mark::New; n_all];
        let mut reported = vec![false; n_all];
        let mut found: Vec<Diagnostic> = Vec::new();
        // Iterative DFS keeps deep struct chains from exhausting the stack.
        for root in 0..n_all {
            if marks[root] != Mark::New {
                continue;
            }
            let mut stack: Vec<(usize, Vec<StructId>, usize)> = Vec::new();
            let mut kids = Vec::new();
            children(root, &mut kids);
            marks[root] = Mark::Active;
            stack.push((root, kids, 0));
            while let Some((node, kids, next)) = stack.last_mut() {
                if *next >= kids.len() {
                    marks[*node] = Mark::Done;
                    stack.pop();
                    continue;
                }
                let child = kids[*next] as usize;
                *next += 1;
                match marks.get(child).copied() {
                    Some(Mark::New) => {
                        let mut ck = Vec::new();
                        children(child, &mut ck);
                        marks[child] = Mark::Active;
                        stack.push((child, ck, 0));
                    }
                    Some(Mark::Active) if !reported[child] => {
                        reported[child] = true;
                        let cycle: Vec<String> = stack
                            .iter()
                            .skip_while(|(s, _, _)| *s != child)
                            .map(|(s, _, _)| format!("`{}`", node_name(*s)))
                            .collect();
                        let name = node_name(child);
                        let span = node_span(child);
                        found.push(
                            Diagnostic::error("E0391", format!("recursive type `{name}` has infinite size"), span)
                                .label("contains itself by value")
                                .note(format!("cycle: {} -> `{name}`", cycle.join(" -> ")))
                                .help("insert indirection (a `Box`, `Vec` or reference) to break the cycle"),
                        );
                    }
                    _ => {}
                }
            }
        }
        self.diags.extend(found);
        self.check_recursive_templates();
        // Mark the cyclic types' members as erroneous so nothing downstream recurses forever.
        for (i, r) in reported.iter().enumerate() {
            if !*r {
                continue;
            }
            if i < n {
                self.structs[i].fields.iter_mut().for_each(|f| f.ty = Ty::Error);
            } else {
                self.enums[i - n].variants.iter_mut().for_each(|v| v.payload = v.payload.as_ref().map(|_| Ty::Error));
            }
        }
    }

    /// Generic structs are checked on their declarations (they may never be instantiated,
    /// §4.2): any struct named by value in a field, or in the type arguments of a struct named
    /// by value, is contained. Cycles through a generic struct are E0391.
    fn check_recursive_templates(&mut self) {
        fn names_by_value(t: &ast::Type, out: &mut Vec<u32>, res: &crate::resolve::Resolved) {
            match &t.kind {
                TypeKind::Named { name, args } => {
                    if let Some(id) = res.struct_id(name.span, &name.name) {
                        out.push(id);
                        args.iter().for_each(|a| names_by_value(a, out, res));
                    }
                }
                TypeKind::Array { elem, .. } => names_by_value(elem, out, res),
                TypeKind::Tuple(ts) => ts.iter().for_each(|x| names_by_value(x, out, res)),
                _ => {}
            }
        }
        let n = self.res.structs.len();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, entry) in self.res.structs.iter().enumerate() {
            let ItemKind::Struct(s) = &self.file.items[entry.item].kind else { continue };
            let mut names = Vec::new();
            s.fields.iter().for_each(|f| names_by_value(&f.ty, &mut names, self.res));
            edges[i] = names.iter().map(|id| *id as usize).collect();
        }
        for start in 0..n {
            if !self.structs[start].template || self.bad_templates.contains(&(start as u32)) {
                continue;
            }
            // Is `start` reachable from itself? (small graphs: a plain search is enough)
            let mut seen = vec![false; n];
            let mut work: Vec<(usize, Vec<usize>)> = edges[start].iter().map(|e| (*e, vec![start, *e])).collect();
            while let Some((node, path)) = work.pop() {
                if node == start {
                    let names: Vec<String> = path.iter().map(|i| format!("`{}`", self.structs[*i].name)).collect();
                    for i in &path {
                        if self.structs[*i].template {
                            self.bad_templates.insert(*i as u32);
                        }
                    }
                    let name = self.structs[start].name.clone();
                    self.diags.push(
                        Diagnostic::error("E0391", format!("recursive type `{name}` has infinite size"), self.structs[start].span)
                            .label("contains itself by value")
                            .note(format!("cycle: {}", names.join(" -> ")))
                            .help("insert indirection (a `Box`, `Vec` or reference) to break the cycle"),
                    );
                    break;
                }
                if seen[node] {
                    continue;
                }
                seen[node] = true;
                for e in &edges[node] {
                    let mut p = path.clone();
                    p.push(*e);
                    work.push((*e, p));
                }
            }
        }
    }

    pub fn collect_signatures(&mut self) {
        for (id, entry) in self.res.functions.iter().enumerate() {
            let f = fn_decl(self.file, entry);
            let _ = id;
            self.check_bound_decls(&f.type_params);
            if let (Some(owner), Some(recv), ItemKind::Fn(_)) = (entry.owner, &f.receiver, &self.file.items[entry.item].kind) {
                self.check_receiver_args(recv, owner);
            }
            let owner_is_template = entry.owner.is_some_and(|o| self.structs[o as usize].template);
            if !f.type_params.is_empty() || owner_is_template {
                if entry.owner.is_some() && !owner_is_template {
                    self.not_yet("generic methods", f.type_params[0].span);
                }
                // Checked per instantiation (template semantics, §10.3).
                self.sigs.push(FnSig {
                    name: f.name.name.clone(),
                    owner: entry.owner,
                    receiver: None,
                    mutating: false,
                    params: vec![Ty::Error; f.params.len()],
                    ret: Ty::Error,
                    name_span: f.name.span,
                    type_params: if owner_is_template {
                        vec!["Self".to_string()]
                    } else {
                        f.type_params.iter().map(|t| t.name.name.clone()).collect()
                    },
                });
                continue;
            }
            let receiver = match (entry.owner, &f.receiver) {
                (None, _) => None,
                (Some(_), None) => Some(ReceiverKind::ByRef),
                (Some(_), Some(p)) => Some(match &p.ty.kind {
                    TypeKind::Ref { .. } => ReceiverKind::ByRef,
                    _ => ReceiverKind::ByValue,
                }),
            };
            if entry.owner.is_some() {
                if let (Some(p), ast::ItemKind::Struct(_)) = (&f.receiver, &self.file.items[entry.item].kind) {
                    if p.name.name != "self" {
                        self.error(
                            Diagnostic::error("E0001", "a receiver inside a struct body must be named `self`", p.name.span)
                                .help("write `(self: &S)` or move the method out of the struct body"),
                        );
                    }
                }
                if let (Some(p), Some(ReceiverKind::ByRef)) = (&f.receiver, receiver) {
                    if matches!(p.ty.kind, TypeKind::Ref { mutable: true, .. }) && f.mutating.is_none() {
                        self.diags.push(
                            Diagnostic::warning(
                                "W0004",
                                format!("receiver is `&{0}!` but method `{1}` is not marked `!`", self.res.structs[entry.owner.unwrap_or(0) as usize].name, f.name.name),
                                p.ty.span,
                            )
                            .note("only the `!` after the parameter list makes a method mutating")
                            .help(format!("mark the method mutating: `fn {}(...)!`, or write `&{}`", f.name.name, self.res.structs[entry.owner.unwrap_or(0) as usize].name)),
                        );
                    }
                }
            } else if let Some(bang) = f.mutating {
                self.error(
                    Diagnostic::error("E0658", "`!` after the parameter list is only allowed on methods", bang)
                        .help("remove the `!`: a free function cannot be mutating"),
                );
            }
            let env = entry.owner.map(|o| self.struct_env(o)).unwrap_or_default();
            let (params, ret) = self.with_env(&env, |c| {
                let params: Vec<Ty> = f.params.iter().map(|p| c.lower_ty(&p.ty)).collect();
                let ret = match &f.ret {
                    Some(t) => c.lower_ty(t),
                    None => Ty::Unit,
                };
                (params, ret)
            });
            self.sigs.push(FnSig {
                name: f.name.name.clone(),
                owner: entry.owner,
                receiver,
                mutating: f.mutating.is_some() && entry.owner.is_some(),
                params,
                ret,
                name_span: f.name.span,
                type_params: Vec::new(),
            });
        }
    }

    pub fn check_main(&mut self) -> Option<FnId> {
        let Some(&id) = self.res.free_fns.get("main") else {
            let end = self.source.text.len();
            let span = crate::span::Span::new(0, end, end);
            self.error(
                Diagnostic::error("E0601", "`main` function not found", span)
                    .label("the program needs an entry point")
                    .help("add `fn main(): i32 { return 0; }` or `fn main() { ... }`"),
            );
            return None;
        };
        let sig = self.sigs[id as usize].clone();
        let f = fn_decl(self.file, &self.res.functions[id as usize]);
        if let Some(p) = f.params.first() {
            self.error(
                Diagnostic::error("E0308", "`main` must not take parameters", p.span)
                    .help("write `fn main(): i32` or `fn main()`"),
            );
        }
        if !matches!(sig.ret, Ty::Unit | Ty::Error | Ty::Int(crate::types::IntTy::I32)) {
            let span = f.ret.as_ref().map(|t| t.span).unwrap_or(sig.name_span);
            let found = self.ty_name(&sig.ret);
            self.error(
                Diagnostic::error("E0308", format!("`main` has return type `{found}`"), span)
                    .label("expected `i32` or no return type")
                    .help("`main` returns `i32` (the exit status) or nothing"),
            );
        }
        Some(id)
    }

    pub fn check_body(&mut self, id: FnId) -> hir::Function {
        let template = self.instance_of.get(&id).copied().unwrap_or(id);
        let entry = &self.res.functions[template as usize];
        let f = fn_decl(self.file, entry);
        let sig = self.sigs[id as usize].clone();
        if !sig.type_params.is_empty() {
            // A template: never emitted; its instances are checked and emitted instead.
            return hir::Function {
                name: sig.name,
                owner: None,
                receiver: None,
                mutating: false,
                params: Vec::new(),
                ret: Ty::Unit,
                locals: Vec::new(),
                body: hir::Block { stmts: Vec::new(), span: f.span },
                span: f.span,
                captures: None,
                is_async: false,
            };
        }
        let mut locals: Vec<hir::Local> = entry
            .locals
            .iter()
            .map(|l| hir::Local { name: l.name.clone(), ty: Ty::Error, mutable: l.mutable, span: l.span })
            .collect();
        let mut params = Vec::new();
        let mut next = 0usize;
        if let (Some(owner), Some(kind)) = (sig.owner, sig.receiver) {
            // The receiver: `&S` / `&S!` (mutability from the method's `!`), or `S` by value.
            let ty = match kind {
                ReceiverKind::ByRef => Ty::Ref(Box::new(Ty::Struct(owner)), sig.mutating),
                ReceiverKind::ByValue => Ty::Struct(owner),
            };
            if let Some(l) = locals.get_mut(0) {
                l.ty = ty;
                l.mutable = kind == ReceiverKind::ByValue;
            }
            params.push(0);
            next = 1;
        }
        for (i, t) in sig.params.iter().enumerate() {
            if let Some(l) = locals.get_mut(next + i) {
                l.ty = t.clone();
            }
            params.push((next + i) as u32);
        }
        // Inside a method, `Self` and the struct's associated types name types.
        let mut env = self.type_env.clone();
        // A generic struct's method instance already has its environment (`method_instance`).
        if let (Some(o), false) = (sig.owner, self.instance_of.contains_key(&id)) {
            env.extend(self.struct_env(o));
        }
        let saved_env = std::mem::replace(&mut self.type_env, env);
        let fresh_cx = |locals: Vec<hir::Local>| FnCx {
            locals,
            ret: sig.ret.clone(),
            ret_unknown: false,
            name: sig.name.clone(),
            unknown_elements: false,
            element_hints: Default::default(),
            let_hints: Default::default(),
            loop_depth: 0,
            self_local: sig.owner.map(|_| 0),
            in_go_block: false,
        };
        let mut fcx = fresh_cx(locals.clone());
        let empty = ast::Block { stmts: Vec::new(), span: f.span };
        let body_ast = f.body.as_ref().unwrap_or(&empty);
        let diags_before = self.diags.len();
        let kept_before = self.instance_diags.len();
        let mut body = self.block(&mut fcx, body_ast);
        if fcx.unknown_elements {
            // `Vec()` without a type: check again, now knowing what each such vector holds
            // (from its first `push`, else `i32`, §3.7). The first pass's findings are dropped.
            let mut hints = std::mem::take(&mut fcx.element_hints);
            for (id, l) in fcx.locals.iter().enumerate() {
                if let (true, Ty::Lib(kind, args)) = (l.ty.contains_error(), &l.ty) {
                    let defaulted = args.iter().map(|a| if a.is_error() { Ty::I32 } else { a.clone() }).collect();
                    hints.entry(id as hir::LocalId).or_insert_with(|| Ty::Lib(*kind, defaulted));
                }
            }
            // Instances created by the first pass stay cached: keep what they reported.
            self.diags.truncate(diags_before);
            let kept: Vec<Diagnostic> = self.instance_diags[kept_before..].to_vec();
            self.diags.extend(kept);
            fcx = fresh_cx(locals);
            fcx.let_hints = hints;
            body = self.block(&mut fcx, body_ast);
        }
        self.type_env = saved_env;
        if !matches!(sig.ret, Ty::Unit | Ty::Error) && !super::stmt::block_diverges(&body) {
            let ret_name = self.ty_name(&sig.ret);
            let close = crate::span::Span { start: body_ast.span.end.saturating_sub(1), ..body_ast.span };
            self.error(
                Diagnostic::error(
                    "E0308",
                    format!("function `{}` with return type `{ret_name}` may reach the end without returning", sig.name),
                    close,
                )
                .label("the end of the body is reachable here")
                .secondary(sig.name_span, format!("`{}` declared to return `{ret_name}`", sig.name))
                .help("add a `return` statement on every path (Vex has no implicit tail return)"),
            );
        }
        hir::Function {
            name: sig.name.clone(),
            owner: sig.owner,
            receiver: sig.receiver,
            mutating: sig.mutating,
            params,
            ret: sig.ret,
            locals: fcx.locals,
            body,
            span: f.span,
            captures: None,
            is_async: f.is_async,
        }
    }
}
