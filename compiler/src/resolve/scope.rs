//! Lexical scopes of one function body: numbers its locals and binds every name it uses.

use super::{builtins, did_you_mean, LocalDecl, Res, Resolver};
use crate::diag::Diagnostic;
use crate::hir::LocalId;
use crate::span::Span;
use crate::syntax::ast;
use rustc_hash::FxHashMap as HashMap;

pub(super) struct BodyResolver<'r> {
    r: &'r mut Resolver,
    owner: Option<u32>,
    locals: Vec<LocalDecl>,
    scopes: Vec<HashMap<String, LocalId>>,
}

impl<'r> BodyResolver<'r> {
    pub fn new(r: &'r mut Resolver, owner: Option<u32>) -> Self {
        BodyResolver { r, owner, locals: Vec::new(), scopes: vec![HashMap::default()] }
    }

    pub fn finish(self) -> Vec<LocalDecl> {
        self.locals
    }

    fn declare(&mut self, node: ast::NodeId, name: &ast::Ident, mutable: bool) {
        let id = self.locals.len() as LocalId;
        self.locals.push(LocalDecl { name: name.name.clone(), span: name.span, mutable });
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.name.clone(), id);
        }
        self.r.out.bindings.insert(node, id);
    }

    pub fn bind_param(&mut self, p: &ast::Param) {
        self.declare(p.id, &p.name, true);
    }

    /// The implicit `self` of a receiver-less method (no NodeId: it is always local 0).
    pub fn bind_implicit_self(&mut self, span: Span) {
        let id = self.locals.len() as LocalId;
        self.locals.push(LocalDecl { name: "self".into(), span, mutable: true });
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert("self".into(), id);
        }
    }

    fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    fn push(&mut self) {
        self.scopes.push(HashMap::default());
    }

    fn pop(&mut self) {
        self.scopes.pop();
    }

    pub fn block(&mut self, b: &ast::Block) {
        self.push();
        for s in &b.stmts {
            self.stmt(s);
        }
        self.pop();
    }

    fn stmts(&mut self, stmts: &[ast::Stmt]) {
        self.push();
        for s in stmts {
            self.stmt(s);
        }
        self.pop();
    }

    fn stmt(&mut self, s: &ast::Stmt) {
        match &s.kind {
            ast::StmtKind::Let(l) => {
                // The initializer sees the previous binding of the same name (shadowing).
                self.expr(&l.value);
                self.declare(l.id, &l.name, l.mutable);
            }
            ast::StmtKind::Assign { place, value, .. } => {
                self.expr(place);
                self.expr(value);
            }
            ast::StmtKind::Expr(e) | ast::StmtKind::Defer(e) => self.expr(e),
            ast::StmtKind::Go(e) => {
                // A `go` block captures the locals declared before it, like a closure (§14.1).
                if matches!(e.kind, ast::ExprKind::Block(_)) {
                    self.r.out.closure_first_local.insert(e.id, self.locals.len() as LocalId);
                }
                self.expr(e)
            }
            ast::StmtKind::If { branches, else_block } => {
                for (c, b) in branches {
                    self.expr(c);
                    self.block(b);
                }
                if let Some(b) = else_block {
                    self.block(b);
                }
            }
            ast::StmtKind::Select(arms) => {
                for arm in arms {
                    if let Some(op) = &arm.op {
                        self.expr(op);
                    }
                }
                for arm in arms {
                    self.push();
                    if let Some((id, name)) = &arm.bind {
                        self.declare(*id, name, false);
                    }
                    self.block(&arm.body);
                    self.pop();
                }
            }
            ast::StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            ast::StmtKind::For { init, cond, post, body } => {
                self.push();
                if let Some(i) = init {
                    self.stmt(i);
                }
                if let Some(c) = cond {
                    self.expr(c);
                }
                if let Some(p) = post {
                    self.stmt(p);
                }
                self.block(body);
                self.pop();
            }
            ast::StmtKind::ForIn { var, var_id, iter, body } => {
                self.expr(iter);
                self.push();
                self.declare(*var_id, var, false);
                self.block(body);
                self.pop();
            }
            ast::StmtKind::Switch { scrutinee, cases, default } => {
                self.expr(scrutinee);
                for c in cases {
                    for v in &c.values {
                        self.expr(v);
                    }
                    self.stmts(&c.body);
                }
                if let Some((d, _)) = default {
                    self.stmts(d);
                }
            }
            ast::StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            ast::StmtKind::Break | ast::StmtKind::Continue | ast::StmtKind::Unsupported(_) => {}
            ast::StmtKind::DestructuringLet { pattern, value } => {
                self.expr(value);
                self.pattern(pattern);
            }
        }
    }

    fn exprs(&mut self, es: &[ast::Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    pub fn expr(&mut self, e: &ast::Expr) {
        use ast::ExprKind as K;
        match &e.kind {
            K::Int(_) | K::Float(_) | K::Str(_) | K::Bool(_) | K::Nil => {}
            K::FString(parts) => {
                for p in parts {
                    if let ast::FStringPart::Expr(x) = p {
                        self.expr(x);
                    }
                }
            }
            K::Ident(name) => self.name(e.id, name, false),
            K::Unary { operand, .. }
            | K::AddrOf { operand, .. }
            | K::Deref(operand)
            | K::Try(operand)
            | K::Await(operand)
            | K::PostIncDec { operand, .. } => self.expr(operand),
            K::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            K::Range { start, end, .. } => {
                self.expr(start);
                self.expr(end);
            }
            K::Cast { expr, .. } => self.expr(expr),
            K::Call { callee, args, .. } => {
                if let K::Ident(name) = &callee.kind {
                    self.name(callee.id, name, true);
                } else {
                    self.expr(callee);
                }
                self.exprs(args);
            }
            K::MethodCall { receiver, args, .. } => {
                self.expr(receiver);
                self.exprs(args);
            }
            K::Field { base, .. } | K::TupleField { base, .. } => self.expr(base),
            K::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            K::StructLit { fields, .. } => {
                for f in fields {
                    self.expr(&f.value);
                }
            }
            K::ArrayLit(es) | K::Tuple(es) => self.exprs(es),
            K::ArrayRepeat { value, count } => {
                self.expr(value);
                self.expr(count);
            }
            K::MapLit(pairs) => {
                for (k, v) in pairs {
                    self.expr(k);
                    self.expr(v);
                }
            }
            K::CollectionCtor { args, .. } => self.exprs(args),
            K::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.push();
                    self.pattern(&arm.pattern);
                    if let Some(g) = &arm.guard {
                        self.expr(g);
                    }
                    self.expr(&arm.body);
                    self.pop();
                }
            }
            K::Closure(c) => {
                self.r.out.closure_first_local.insert(e.id, self.locals.len() as LocalId);
                self.push();
                for p in &c.params {
                    self.declare(p.id, &p.name, false);
                }
                self.expr(&c.body);
                self.pop();
            }
            K::Block(b) => {
                self.push();
                for s in &b.stmts {
                    self.stmt(s);
                }
                if let Some(t) = &b.tail {
                    self.expr(t);
                }
                self.pop();
            }
        }
    }

    fn pattern(&mut self, p: &ast::Pattern) {
        self.pattern_in(p, &HashMap::default());
    }

    /// `shared`: names already bound by an earlier alternative of an enclosing or-pattern; the
    /// same name in a later alternative is the same local.
    fn pattern_in(&mut self, p: &ast::Pattern, shared: &HashMap<String, LocalId>) {
        match &p.kind {
            ast::PatternKind::Binding(name) => {
                // `None` and unit variants of builtin enums are not bindings.
                if builtins::lookup(&name.name).is_some() {
                } else if let Some(&id) = shared.get(&name.name) {
                    self.r.out.bindings.insert(p.id, id);
                } else {
                    self.declare(p.id, name, false);
                }
            }
            ast::PatternKind::Variant { payload: Some(inner), .. } => self.pattern_in(inner, shared),
            ast::PatternKind::Or(ps) => {
                let before = self.locals.len();
                let mut names = shared.clone();
                for (i, q) in ps.iter().enumerate() {
                    self.pattern_in(q, &names);
                    if i == 0 {
                        for (id, l) in self.locals.iter().enumerate().skip(before) {
                            names.insert(l.name.clone(), id as LocalId);
                        }
                    }
                }
            }
            ast::PatternKind::Tuple(ps) => {
                for q in ps {
                    self.pattern_in(q, shared);
                }
            }
            ast::PatternKind::Struct { fields, .. } => {
                for (name, sub) in fields {
                    match sub {
                        Some(q) => self.pattern(q),
                        None => self.declare(p.id, name, false),
                    }
                }
            }
            _ => {}
        }
    }

    /// Binds a name used in an expression; `callee` selects the call order of §8.5.
    fn name(&mut self, node: ast::NodeId, name: &ast::Ident, callee: bool) {
        let n = name.name.as_str();
        // Each candidate is looked up only when the ones before it in the §8.5 order failed
        // (most names are locals): the closures keep that order in one place.
        let out = &self.r.out;
        let builtin = || builtins::lookup(n).map(Res::Builtin);
        let local = || self.lookup_local(n).map(Res::Local);
        let method = || self.owner.and_then(|o| out.methods.get(&(o, n.to_string())).copied()).map(Res::SelfMethod);
        let key = std::cell::OnceCell::new();
        let key = || key.get_or_init(|| out.key(name.span.file, n));
        let free = || out.free_fns.get(&**key()).copied().map(Res::Fn).or_else(|| out.extern_fns.get(&**key()).copied().map(Res::Extern));
        let strukt = || out.struct_ids.get(&**key()).copied().map(Res::Struct);
        let constant = || out.consts.get(&**key()).copied().map(Res::Const);
        let found = if callee {
            builtin().or_else(local).or_else(method).or_else(free).or_else(constant).or_else(strukt)
        } else {
            local().or_else(constant).or_else(free).or_else(builtin).or_else(strukt)
        };
        // A namespace alias is shadowed by a local of the same name (a local would have been found).
        let found = found.or_else(|| out.namespaces.get(&name.span.file).and_then(|m| m.get(n)).copied().map(Res::Namespace));
        let unresolved_type = found.is_none() && (out.other_types.contains_key(&**key()) || out.enum_ids.contains_key(&**key()));
        match found {
            Some(res) => {
                self.r.out.names.insert(node, res);
            }
            None if unresolved_type => {}
            None => {
                let what = if callee { "function" } else { "value" };
                let mut candidates: Vec<&str> = self.scopes.iter().flat_map(|s| s.keys().map(String::as_str)).collect();
                candidates.extend(self.r.out.free_fns.keys().map(String::as_str));
                candidates.extend(self.r.out.extern_fns.keys().map(String::as_str));
                candidates.extend(self.r.out.consts.keys().map(String::as_str));
                if callee {
                    candidates.extend(builtins::BUILTIN_NAMES.iter().copied());
                    if let Some(o) = self.owner {
                        candidates.extend(self.r.out.methods.keys().filter(|(s, _)| *s == o).map(|(_, m)| m.as_str()));
                    }
                }
                let mut d = Diagnostic::error("E0425", format!("cannot find {what} `{n}` in this scope"), name.span)
                    .label("not found in this scope");
                // Another module of the program defines it: say so rather than guess a typo.
                let suffix = format!("::{n}");
                let elsewhere = self
                    .r
                    .out
                    .free_fns
                    .keys()
                    .chain(self.r.out.consts.keys())
                    .chain(self.r.out.extern_fns.keys())
                    .filter_map(|k| k.strip_suffix(&suffix))
                    .min()
                    .map(str::to_string);
                if let Some(module) = elsewhere {
                    d = d.help(format!("`{n}` is defined in module `{module}`: import it (`import {{ {n} }} from \"...\";`, and it must be exported there)"));
                } else if let Some(help) = did_you_mean(n, candidates.into_iter().filter(|c| !c.contains("::"))) {
                    d = d.help(help);
                }
                self.r.diags.push(d);
            }
        }
    }
}
