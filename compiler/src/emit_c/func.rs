//! Functions and statements.

use crate::hir::visit_expr as visit;
use super::names::{LocalNames, Names};
use super::types::Layouts;
use crate::hir::{self, ExprKind, FnId, LocalId, StmtKind};
use crate::span::SourceMap;
use crate::types::Ty;
use std::fmt::Write;

/// Deepest indentation of the emitted C (4 spaces per level); deeper code keeps this one.
pub(super) const MAX_INDENT: usize = 40;

pub struct Emitted {
    /// File-scope definitions the body needs (long string literals).
    pub globals: String,
    pub body: String,
    /// For a suspending function: its frame struct and vtable (they precede all bodies).
    pub frame: Option<String>,
}

pub(super) struct LoopCx {
    /// Label for `continue` when the loop's post step cannot be a C `for` clause.
    pub continue_label: Option<String>,
    /// Drop scopes open outside the loop body (leaving the body releases the ones above).
    pub scope_depth: usize,
    /// Enclosing statements' pending releases outside the loop (`exit_releases`).
    pub pending_depth: usize,
}

pub struct FnEmitter<'a> {
    pub program: &'a hir::Program,
    pub names: &'a Names,
    pub layouts: &'a Layouts,
    pub sources: &'a SourceMap,
    pub f: &'a hir::Function,
    /// This function's C name (prefix of its file-scope helpers).
    pub c_name: String,
    pub locals: Vec<String>,
    pub(super) read: Vec<bool>,
    /// Locals declared as views of a box's value (`box_view`): the C variable is a pointer to
    /// the value inside the cell, so a use reads `(*x)` and `&x` is the pointer itself.
    pub(super) views: Vec<bool>,
    pub out: String,
    pub indent: usize,
    /// Statements to emit before the statement being built (hoisted temporaries).
    pub prelude: Vec<String>,
    /// Statements to emit after it: releases of the temporaries it only borrowed.
    pub postlude: Vec<String>,
    /// Releases of owned temporaries not yet handed to their consumer (run only if control
    /// leaves the statement early, from inside it).
    pub inflight: Vec<String>,
    /// The postludes and in-flight releases of the statements enclosing the one being emitted
    /// (a `match` arm's statements sit inside another statement), outermost first.
    pub pending_exit: Vec<Vec<String>>,
    pub temps: u32,
    /// Nesting depth of the expression being emitted.
    pub depth: u32,
    pub(super) loops: Vec<LoopCx>,
    pub globals: String,
    /// The function's `defer` statements (by address), numbered in body order; when there are
    /// any, every return goes through the exit label that runs the registered ones (§5.10).
    defer_sites: Vec<(*const hir::Stmt, hir::Expr)>,
    /// Locals a deferred call reads: declared at the top of the C function (zeroed) so they
    /// are in scope and initialised at the exit label; their `let` becomes an assignment.
    pub(super) hoisted: Vec<bool>,
    /// Some return jumped to the exit label (else it is not emitted: unused labels warn).
    exit_used: bool,
    /// C names of the owned locals of each open scope (outermost first), released in reverse
    /// when the scope ends or is left by `return`/`break`/`continue`; in a frame also its
    /// cached scalars (as `()`, which releases nothing: `declare` records them so a
    /// suspension spills those in scope).
    pub(super) drop_scopes: Vec<Vec<(String, Ty)>>,
    /// Emit `#line` before each statement (see `EmitOptions`).
    line_directives: bool,
    /// A suspending function: emitted as a state machine over a frame (`tasks.rs`).
    pub(super) task: Option<super::tasks::TaskCx>,
    /// `Index` expressions (by address) proven in bounds in the loop copy being emitted
    /// (`loops.rs`): emitted without their check.
    pub(super) unchecked: std::collections::HashSet<*const hir::Expr>,
    /// Locals whose address the function takes (`loops::escaped_locals`), computed when first
    /// asked (`escaped()`).
    escaped: Option<Vec<bool>>,
    /// Bounds of locals that hold at the statement being emitted (`ranges.rs`).
    pub(super) facts: Vec<super::ranges::Fact>,
}

/// `ret name(params)` for a function.
pub fn signature(program: &hir::Program, names: &Names, layouts: &Layouts, id: FnId, f: &hir::Function) -> String {
    let ret = if matches!(f.ret, Ty::Unit | Ty::Never) { "void".to_string() } else { layouts.c_type(&f.ret, program) };
    let mut local_names = LocalNames::default();
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| {
            let l = &f.locals[*p as usize];
            format!("{} {}", layouts.c_type(&l.ty, program), local_names.fresh(&l.name))
        })
        .collect();
    let mut params = params;
    if f.captures.is_some() {
        params.insert(0, "vex_env *vx_envp".to_string());
    }
    let params = if params.is_empty() { "void".to_string() } else { params.join(", ") };
    format!("{ret} {}({params})", names.function(id))
}

pub fn emit_function(
    program: &hir::Program,
    names: &Names,
    layouts: &Layouts,
    sources: &SourceMap,
    id: FnId,
    sig: &str,
    opts: super::EmitOptions,
) -> Emitted {
    let f = &program.functions[id as usize];
    // Parameters are named first (as in `signature`), then the other locals in order.
    let mut local_names = LocalNames::default();
    let mut locals = vec![String::new(); f.locals.len()];
    for p in &f.params {
        locals[*p as usize] = local_names.fresh(&f.locals[*p as usize].name);
    }
    for (i, l) in f.locals.iter().enumerate() {
        if !f.params.contains(&(i as LocalId)) {
            locals[i] = local_names.fresh(&l.name);
        }
    }
    let is_task = program.suspends.get(id as usize).copied().unwrap_or(false);
    let mut task = None;
    let mut escaped = None;
    if is_task {
        let escaped = escaped.insert(super::loops::escaped_locals(f));
        // Locals the poll function keeps in C locals (spilled to the frame when it suspends);
        // the others are frame fields (`tasks.rs`).
        let cached = super::tasks::cached_locals(f, escaped);
        for (l, c) in locals.iter_mut().zip(&cached) {
            if !c {
                *l = format!("vx_f->{l}");
            }
        }
        task = Some(super::tasks::TaskCx::new(f, cached, &locals));
    }
    let mut read = vec![false; f.locals.len()];
    mark_reads_block(&f.body, &mut read);
    let mut e = FnEmitter {
        program,
        names,
        layouts,
        sources,
        f,
        c_name: names.function(id).to_string(),
        locals,
        read,
        views: vec![false; f.locals.len()],
        out: String::new(),
        indent: 1,
        prelude: Vec::new(),
        postlude: Vec::new(),
        inflight: Vec::new(),
        pending_exit: Vec::new(),
        temps: 0,
        depth: 0,
        loops: Vec::new(),
        globals: String::new(),
        defer_sites: Vec::new(),
        hoisted: vec![false; f.locals.len()],
        exit_used: false,
        drop_scopes: Vec::new(),
        line_directives: opts.line_directives,
        task,
        unchecked: std::collections::HashSet::new(),
        escaped,
        facts: Vec::new(),
    };
    let mut sites = Vec::new();
    hir::visit_block_stmts(&f.body, &mut |s| {
        if let StmtKind::Defer(call) = &s.kind {
            sites.push((s as *const hir::Stmt, call.clone()));
        }
    });
    e.defer_sites = sites;
    e.line_directive(f.span);
    let header = std::mem::take(&mut e.out);
    if !is_task {
        e.out = header.clone();
        let _ = writeln!(e.out, "static {sig} {{");
    }
    for p in &f.params {
        if !e.read[*p as usize] && !is_task {
            let line = format!("(void){};", e.locals[*p as usize]);
            e.line(&line);
        }
    }
    // The function owns its by-value parameters (released at every exit). Its scope opens
    // before the prologues: in a frame, the locals they declare are in scope to the end.
    let owned_params: Vec<(String, Ty)> = f
        .params
        .iter()
        .filter(|p| e.needs_drop(&f.locals[**p as usize].ty))
        .map(|p| (e.locals[*p as usize].clone(), f.locals[*p as usize].ty.clone()))
        .collect();
    e.drop_scopes.push(owned_params);
    if let Some(captures) = &f.captures {
        e.closure_prologue(id, captures);
    }
    if !e.defer_sites.is_empty() {
        e.defer_prologue();
    }
    e.stmts(&f.body.stmts);
    // The exit label is also reached from returns before any test (`ranges.rs`).
    e.facts.clear();
    // Falling off the end releases the function's scope; with deferred calls, the exit label
    // does (after running them).
    if e.defer_sites.is_empty() && !super::stmt_diverges_c(f.body.stmts.last()) {
        e.emit_drops_from(0);
    }
    // The type checker proved the end unreachable; say so for compilers that cannot see it.
    if f.ret != Ty::Unit && !matches!(f.body.stmts.last().map(|s| &s.kind), Some(StmtKind::Return(_))) {
        // (For `!` functions this is where control would fall off; typeck proved it cannot.)
        let line = e.line_of(f.span);
        e.line(&format!("vex_panic_at(VX_SOURCE_FILE, {line}, \"missing return\");"));
    }
    if !e.defer_sites.is_empty() {
        e.defer_epilogue();
    } else if is_task && f.ret == Ty::Unit && !super::stmt_diverges_c(f.body.stmts.last()) {
        e.line("return VX_READY;");
    }
    if is_task {
        let (frame, body) = e.finish_task(names.function(id));
        return Emitted { globals: e.globals, body: format!("{header}{body}"), frame: Some(frame) };
    }
    e.out.push_str("}\n");
    Emitted { globals: e.globals, body: e.out, frame: None }
}

impl FnEmitter<'_> {
    pub fn line(&mut self, text: &str) {
        for l in text.lines() {
            // Indentation stops growing at MAX_INDENT levels, so the C of very deep nesting (a
            // long `elif` chain is nested `else { if .. }`) stays linear in size.
            for _ in 0..self.indent.min(MAX_INDENT) {
                self.out.push_str("    ");
            }
            self.out.push_str(l);
            self.out.push('\n');
        }
    }

    pub fn fresh_temp(&mut self) -> String {
        self.temps += 1;
        if self.task.is_some() {
            return format!("vx_f->vx_t{}", self.temps);
        }
        format!("vx_t{}", self.temps)
    }

    /// A name for a C variable confined to one C statement (a loop index) or at file scope:
    /// never a frame field.
    pub fn fresh_c_local(&mut self) -> String {
        self.temps += 1;
        format!("vx_t{}", self.temps)
    }

    pub(super) fn has_defers(&self) -> bool {
        !self.defer_sites.is_empty()
    }

    /// The defer stack (§5.10): a C local, or a frame field.
    fn defers(&self) -> &'static str {
        if self.task.is_some() {
            "vx_f->vx_defers"
        } else {
            "vx_defers"
        }
    }

    /// Where a function with deferred calls keeps its result until the exit label.
    fn ret_slot(&self) -> &'static str {
        if self.task.is_some() {
            "vx_f->vx_result"
        } else {
            "vx_ret"
        }
    }

    pub fn line_of(&self, span: crate::span::Span) -> usize {
        self.sources.files.get(span.file as usize).map_or(0, |f| f.line_of(span))
    }

    pub(super) fn flush_postlude(&mut self) {
        self.inflight.clear();
        for p in std::mem::take(&mut self.postlude) {
            self.line(&p);
        }
    }

    /// What leaving the statement being built from its current point must release: its own
    /// borrowed and in-flight temporaries, then those of the enclosing statements down to
    /// `depth` (0: all, for `return`; a loop's depth for `break`/`continue`).
    pub(super) fn exit_releases(&self, depth: usize) -> Vec<String> {
        let mut out: Vec<String> = self.postlude.iter().chain(&self.inflight).rev().cloned().collect();
        for pending in self.pending_exit[depth.min(self.pending_exit.len())..].iter().rev() {
            out.extend(pending.iter().rev().cloned());
        }
        out
    }

    /// `text` (the value of the statement being built) kept in a temporary when the statement
    /// has releases to run before the value is used (a condition, a return value).
    pub(super) fn settle(&mut self, text: String, ty: &Ty) -> String {
        if self.postlude.is_empty() {
            return text;
        }
        let cty = self.c_type(ty);
        let t = self.fresh_temp();
        let decl = self.declare(&cty, &t, Some(strip_parens(&text)));
        self.prelude.push(decl);
        t
    }

    pub(super) fn flush_prelude(&mut self) {
        for p in std::mem::take(&mut self.prelude) {
            self.line(&p);
        }
    }

    pub fn c_type(&self, ty: &Ty) -> String {
        self.layouts.c_type(ty, self.program)
    }

    pub(super) fn block(&mut self, b: &hir::Block) {
        self.indent += 1;
        self.scoped_stmts(&b.stmts);
        self.indent -= 1;
    }

    /// Statements in a scope of their own: owned locals declared there are released at its end.
    pub(super) fn scoped_stmts(&mut self, stmts: &[hir::Stmt]) {
        self.drop_scopes.push(Vec::new());
        let facts = self.facts.len();
        self.stmts(stmts);
        self.facts.truncate(facts);
        if !super::stmt_diverges_c(stmts.last()) {
            let depth = self.drop_scopes.len() - 1;
            self.emit_drops_from(depth);
        }
        self.drop_scopes.pop();
    }

    /// Emits `stmts` in order, keeping `facts` true (`ranges.rs`): what is known of a local is
    /// forgotten before a statement that assigns it, or after it when the statement is `v = e`
    /// / `v op= e` itself (`e` is computed while the fact still holds).
    pub(super) fn stmts(&mut self, stmts: &[hir::Stmt]) {
        for s in stmts {
            if self.facts.is_empty() {
                self.stmt(s);
                continue;
            }
            let direct = match &s.kind {
                StmtKind::Assign { place, value } | StmtKind::CompoundAssign { place, value, .. } => match place.kind {
                    ExprKind::Local(v) => Some((v, value)),
                    _ => None,
                },
                _ => None,
            };
            match direct {
                Some((v, value)) => {
                    super::ranges::forget(&mut self.facts, &super::ranges::assigned_in_expr(value));
                    self.stmt(s);
                    super::ranges::forget(&mut self.facts, &[v]);
                }
                None => {
                    super::ranges::forget(&mut self.facts, &super::ranges::assigned_in_stmt(s));
                    self.stmt(s);
                }
            }
        }
    }

    /// Releases for `break`/`continue`: pending temporaries and owned locals inside the loop.
    fn leave_loop_body(&mut self) {
        let (scopes, pending) = self.loops.last().map_or((0, 0), |l| (l.scope_depth, l.pending_depth));
        for line in self.exit_releases(pending) {
            self.line(&line);
        }
        self.emit_drops_from(scopes);
    }

    /// Releases the owned locals of scopes `depth..` (innermost first), as C statements.
    pub(super) fn emit_drops_from(&mut self, depth: usize) {
        for line in self.drops_from(depth) {
            self.line(&line);
        }
    }

    pub(super) fn drops_from(&self, depth: usize) -> Vec<String> {
        let mut out = Vec::new();
        for scope in self.drop_scopes[depth.min(self.drop_scopes.len())..].iter().rev() {
            for (name, ty) in scope.iter().rev() {
                out.extend(self.release(ty, name));
            }
        }
        out
    }

    /// `#line N "file.vx"` for the source line of `span` (when enabled).
    fn line_directive(&mut self, span: crate::span::Span) {
        if !self.line_directives || span.file == crate::PRELUDE_FILE || self.sources.files.get(span.file as usize).is_none() {
            return;
        }
        let file = &self.sources.get(span.file).name;
        let base = std::path::Path::new(file).file_name().and_then(|s| s.to_str()).unwrap_or(file);
        let line = self.line_of(span);
        let _ = writeln!(self.out, "#line {line} \"{}\"", super::names::c_string_body(base.as_bytes()));
    }

    pub(super) fn stmt(&mut self, s: &hir::Stmt) {
        self.line_directive(s.span);
        match &s.kind {
            StmtKind::Let { local, init } => {
                let mut view = false;
                let name = self.locals[*local as usize].clone();
                let ty = &self.f.locals[*local as usize].ty;
                if self.in_task() && crate::tasks::is_suspension(init, &self.program.suspends) {
                    let unit = matches!(ty, Ty::Unit) || matches!(init.ty, Ty::Unit | Ty::Never);
                    let cty = if unit { "vex_unit".to_string() } else { self.c_type(ty) };
                    let decl = self.declare(&cty, &name, unit.then_some("0"));
                    if !decl.is_empty() {
                        self.line(&decl);
                    }
                    let v = self.suspend_stmt(init);
                    if let (false, Some(v)) = (unit, v) {
                        self.line(&format!("{name} = {v};"));
                    }
                } else if self.hoisted[*local as usize] {
                    // Declared (zeroed) at the top of the function for the deferred calls.
                    if *ty == Ty::Unit || init.ty == Ty::Unit {
                        self.expr_stmt(init);
                    } else {
                        let v = self.owned(init);
                        self.flush_prelude();
                        self.line(&format!("{name} = {};", strip_parens(&v)));
                    }
                } else if *ty == Ty::Unit || init.ty == Ty::Unit {
                    self.expr_stmt(init);
                    let decl = self.declare("vex_unit", &name, Some("0"));
                    self.line(&decl);
                } else if let ExprKind::ArrayRepeat { value, count } = &init.kind {
                    // Fill the variable in place instead of copying a filled temporary.
                    let fill = self.repeat_fill(&name, value, *count);
                    self.flush_prelude();
                    let cty = self.c_type(ty);
                    if fill.is_empty() {
                        let decl = self.declare(&cty, &name, Some("{0}"));
                        self.line(&decl);
                    } else {
                        let decl = self.declare(&cty, &name, None);
                        if !decl.is_empty() {
                            self.line(&decl);
                        }
                        self.line(&fill);
                    }
                } else if let Some(v) = self.box_view(*local, init) {
                    // A view of the box's value, not an owner: nothing to retain or release.
                    // A pointer into the cell rather than a copy of the value: `&x` (the usual
                    // use, a read-only walk passing `&child` down) is then the cell's address,
                    // so nothing is copied and the callee's frame does not pin a local.
                    self.flush_prelude();
                    let cty = format!("{} *", self.c_type(ty));
                    let decl = self.declare(&cty, &name, Some(&format!("&{v}")));
                    self.line(&decl);
                    self.views[*local as usize] = true;
                    view = true;
                } else {
                    let v = self.owned(init);
                    self.flush_prelude();
                    let cty = self.local_c_type(*local);
                    let decl = self.declare(&cty, &name, Some(&v));
                    self.line(&decl);
                }
                if self.needs_drop(ty) && !view {
                    let ty = ty.clone();
                    if let Some(scope) = self.drop_scopes.last_mut() {
                        scope.push((name.clone(), ty));
                    }
                }
                if !self.read[*local as usize] {
                    self.line(&format!("(void){name};"));
                }
                self.flush_postlude();
            }
            StmtKind::Assign { place, value } => {
                let text = self.assign_text(place, value);
                self.flush_prelude();
                self.line(&format!("{text};"));
                self.flush_postlude();
            }
            StmtKind::CompoundAssign { place, op, value } => {
                let text = self.compound_text(place, *op, value, s.span);
                self.flush_prelude();
                self.line(&format!("{text};"));
                self.flush_postlude();
            }
            StmtKind::Expr(e) => self.expr_stmt(e),
            StmtKind::If { cond, then_block, else_block } => {
                let c = self.expr(cond);
                let c = self.settle(c, &Ty::Bool);
                self.flush_prelude();
                self.flush_postlude();
                self.line(&format!("if ({}) {{", strip_parens(&c)));
                let facts = self.facts.len();
                self.push_test_facts(cond, true);
                self.block(then_block);
                self.facts.truncate(facts);
                match else_block {
                    None => {
                        self.line("}");
                        // `if n < 2 { return n; }`: past it, `n >= 2` for the rest of the block.
                        if crate::typeck::block_diverges(then_block) {
                            self.push_test_facts(cond, false);
                        }
                    }
                    Some(b) => {
                        self.line("} else {");
                        self.push_test_facts(cond, false);
                        self.block(b);
                        self.facts.truncate(facts);
                        self.line("}");
                    }
                }
            }
            // In a frame every loop takes the general form, which yields at its back edge.
            StmtKind::While { cond, body } if self.in_task() => self.for_stmt(None, Some(cond), None, body),
            StmtKind::While { cond, body } => self.versioned(None, cond, body, None, |e| e.while_loop(cond, body)),
            StmtKind::For { init, cond, post, body } => self.for_stmt(init.as_deref(), cond.as_ref(), post.as_deref(), body),
            StmtKind::Return(value) => match value {
                Some(v) if !matches!(v.ty, Ty::Unit | Ty::Never) && !matches!(self.f.ret, Ty::Unit | Ty::Never) => {
                    let t = self.owned(v);
                    let ret_ty = self.f.ret.clone();
                    let t = self.settle(t, &ret_ty);
                    self.flush_prelude();
                    self.flush_postlude();
                    let ret = self.return_text(Some(strip_parens(&t)));
                    self.line(&ret);
                }
                // `return panic(..)`: the value never arrives, so there is nothing to return.
                Some(v) if v.ty == Ty::Never => self.expr_stmt(v),
                Some(v) => {
                    self.expr_stmt(v);
                    let ret = self.return_text(None);
                    self.line(&ret);
                }
                None => {
                    let ret = self.return_text(None);
                    self.line(&ret);
                }
            },
            StmtKind::Defer(_) => {
                let site = self.defer_sites.iter().position(|(p, _)| std::ptr::eq(*p, s)).unwrap_or(0);
                self.line(&format!("vex_defers_push(&{}, {site});", self.defers()));
            }
            StmtKind::Go { func, args } => self.go_stmt(*func, args),
            StmtKind::Select { arms } => self.select_stmt(arms),
            StmtKind::Break => {
                self.leave_loop_body();
                self.line("break;");
            }
            StmtKind::Continue => {
                self.leave_loop_body();
                match self.loops.last().and_then(|l| l.continue_label.clone()) {
                    Some(label) => self.line(&format!("goto {label};")),
                    None => self.line("continue;"),
                }
            }
        }
    }

    fn while_loop(&mut self, cond: &hir::Expr, body: &hir::Block) {
        let (c, pre) = self.capture_bool(cond);
        self.loops.push(LoopCx { continue_label: None, scope_depth: self.drop_scopes.len(), pending_depth: self.pending_exit.len() });
        if pre.is_empty() {
            self.line(&format!("while ({}) {{", strip_parens(&c)));
        } else {
            self.line("for (;;) {");
            self.indent += 1;
            for p in pre {
                self.line(&p);
            }
            self.line(&format!("if (!{}) break;", paren(&c)));
            self.indent -= 1;
        }
        self.loop_body(Some(cond), |e| e.block(body));
        self.line("}");
        self.loops.pop();
    }

    /// The C type a local is declared with: its type's, except that a `bool` whose address is
    /// never taken is a `uint8_t`. Clang (14) keeps a `_Bool` loop flag as an `i1` that it
    /// masks with `& 1` after every store, so a flag set on one path and kept on another
    /// (`while more { if c { more = false } else { r += 1 } }`) hides the loop's trip count
    /// and stops unrolling; the same flag in a byte is compared with 0 and the count is found
    /// (fannkuch-redux: 3.38 G -> 2.69 G instructions; gcc's code is the same either way). A
    /// local only ever holds 0 or 1 (every bool expression is one of those), and nothing
    /// points at it, so no `bool *` ever sees the byte.
    pub(super) fn local_c_type(&mut self, local: hir::LocalId) -> String {
        let ty = &self.f.locals[local as usize].ty;
        if *ty == Ty::Bool && !self.escaped()[local as usize] {
            return "uint8_t".to_string();
        }
        self.c_type(ty)
    }

    /// The C type of a place: a local's as declared (`local_c_type`), for a pointer to it.
    pub(super) fn place_c_type(&mut self, place: &hir::Expr) -> String {
        match place.kind {
            ExprKind::Local(id) => self.local_c_type(id),
            _ => self.c_type(&place.ty),
        }
    }

    /// Records what `cond` (or, `holds` false, its negation) says of locals (`ranges.rs`).
    fn push_test_facts(&mut self, cond: &hir::Expr, holds: bool) {
        let mut facts = std::mem::take(&mut self.facts);
        let first = facts.len();
        super::ranges::test_facts(cond, holds, self.escaped(), &mut facts);
        // A local the test itself assigns (in a match arm) may no longer hold the value compared.
        if facts.len() > first {
            super::ranges::forget(&mut facts[first..], &super::ranges::assigned_in_expr(cond));
        }
        self.facts = facts;
    }

    /// A loop's body (`emit`) with what its test says at the top of the body (`ranges.rs`).
    fn loop_body(&mut self, cond: Option<&hir::Expr>, emit: impl FnOnce(&mut Self)) {
        let facts = self.facts.len();
        if let Some(c) = cond {
            self.push_test_facts(c, true);
        }
        emit(self);
        self.facts.truncate(facts);
    }

    /// A `for` step (`emit`) with what the loop test says of the locals `body` never assigns:
    /// they still hold the values the test saw.
    fn loop_step<T>(&mut self, cond: Option<&hir::Expr>, body: &hir::Block, emit: impl FnOnce(&mut Self) -> T) -> T {
        let facts = self.facts.len();
        if let Some(c) = cond {
            self.push_test_facts(c, true);
            if self.facts.len() > facts {
                let assigned = super::ranges::assigned_in_block(body);
                super::ranges::forget(&mut self.facts[facts..], &assigned);
            }
        }
        let r = emit(self);
        self.facts.truncate(facts);
        r
    }

    /// Locals whose address the function takes (`loops::escaped_locals`), computed once.
    fn escaped(&mut self) -> &[bool] {
        let f = self.f;
        self.escaped.get_or_insert_with(|| super::loops::escaped_locals(f))
    }

    /// Emits a loop (by `emit`) versioned by `loops::plan` when its indices can be proven in
    /// bounds from a test on entry: `if (test) { loop without those checks } else { loop }`,
    /// or only the unchecked loop when the test holds at compile time.
    fn versioned(&mut self, init: Option<&hir::Stmt>, cond: &hir::Expr, body: &hir::Block, post: Option<&hir::Stmt>, emit: impl Fn(&mut Self)) {
        self.escaped();
        let escaped = self.escaped.as_deref().unwrap_or_default();
        let Some(plan) = super::loops::plan(self.f, escaped, &self.locals, init, cond, body, post) else {
            return emit(self);
        };
        let Some(guard) = plan.guard else {
            self.unchecked.extend(plan.unchecked.iter().copied());
            emit(self);
            for e in &plan.unchecked {
                self.unchecked.remove(e);
            }
            return;
        };
        self.line(&format!("if ({guard}) {{"));
        self.indent += 1;
        self.unchecked.extend(plan.unchecked.iter().copied());
        emit(self);
        for e in &plan.unchecked {
            self.unchecked.remove(e);
        }
        self.indent -= 1;
        self.line("} else {");
        self.indent += 1;
        emit(self);
        self.indent -= 1;
        self.line("}");
    }

    /// The C statement leaving the function with `value`: a plain `return`, or, when the
    /// function has deferred calls, a jump to the exit label that runs them first.
    pub(super) fn return_text(&mut self, value: Option<&str>) -> String {
        self.exit_used |= !self.defer_sites.is_empty();
        let pending = self.exit_releases(0);
        if !self.defer_sites.is_empty() {
            // Inner scopes end here; the function's own scope ends at the exit label, after
            // the deferred calls (which may read its locals).
            let drops = pending.iter().cloned().chain(self.drops_from(1)).collect::<Vec<_>>().join(" ");
            return match value {
                Some(v) => format!("{{ {} = {v}; {drops} goto vx_exit; }}", self.ret_slot()),
                None => format!("{{ {drops} goto vx_exit; }}"),
            };
        }
        let drops: Vec<String> = pending.into_iter().chain(self.drops_from(0)).collect();
        if self.in_task() {
            // A frame returns its value through the `vx_result` field.
            let set = value.map(|v| format!("vx_f->vx_result = {v}; {}", self.discard_root_result())).unwrap_or_default();
            return format!("{{ {set}{} return VX_READY; }}", drops.iter().map(|d| format!("{d} ")).collect::<String>());
        }
        match (drops.is_empty(), value) {
            (true, Some(v)) => format!("return {v};"),
            (true, None) => "return;".to_string(),
            (false, Some(v)) => {
                let cty = self.c_type(&self.f.ret);
                format!("{{ {cty} vx_r = {v}; {} return vx_r; }}", drops.join(" "))
            }
            (false, None) => format!("{{ {} return; }}", drops.join(" ")),
        }
    }

    /// The defer stack, the result slot, and the locals the deferred calls read.
    fn defer_prologue(&mut self) {
        let decl = self.declare("vex_defers", self.defers(), None);
        if !decl.is_empty() {
            self.line(&decl);
        }
        self.line(&format!("vex_defers_init(&{});", self.defers()));
        if !matches!(self.f.ret, Ty::Unit | Ty::Never) && !self.in_task() {
            let cty = self.c_type(&self.f.ret);
            self.line(&format!("{cty} vx_ret;"));
            self.line("memset(&vx_ret, 0, sizeof vx_ret);");
        }
        let mut used = Vec::new();
        for (_, call) in &self.defer_sites {
            visit(call, &mut |x| {
                if let ExprKind::Local(id) = x.kind {
                    used.push(id);
                }
            });
        }
        // Owned top-level locals are released at the exit label, which a return may reach
        // before their `let` ran: they start zeroed (releasing a zero `vex_fn` does nothing).
        for st in &self.f.body.stmts {
            if let StmtKind::Let { local, .. } = st.kind {
                if self.needs_drop(&self.f.locals[local as usize].ty) {
                    used.push(local);
                }
            }
        }
        used.sort_unstable();
        used.dedup();
        for id in used {
            let i = id as usize;
            if self.f.params.contains(&id) || i >= self.f.locals.len() || self.f.locals[i].ty == Ty::Unit || (i == 0 && self.f.receiver.is_some()) {
                continue;
            }
            self.hoisted[i] = true;
            let cty = self.local_c_type(id);
            let name = self.locals[i].clone();
            let decl = self.declare(&cty, &name, None);
            if !decl.is_empty() {
                self.line(&decl);
            }
            self.line(&format!("memset(&{name}, 0, sizeof {name});"));
        }
    }

    /// The exit label: pop and run the registered calls, newest first, then return.
    fn defer_epilogue(&mut self) {
        if self.exit_used {
            self.out.push_str("vx_exit:\n");
        }
        let d = self.defers();
        self.line(&format!("while ({d}.len > 0) {{"));
        self.indent += 1;
        self.line(&format!("switch ({d}.items[--{d}.len]) {{"));
        let sites: Vec<hir::Expr> = self.defer_sites.iter().map(|(_, c)| c.clone()).collect();
        for (i, call) in sites.iter().enumerate() {
            self.line(&format!("case {i}: {{"));
            self.indent += 1;
            self.expr_stmt(call);
            self.line("break;");
            self.indent -= 1;
            self.line("}");
        }
        self.line("default: break;");
        self.line("}");
        self.indent -= 1;
        self.line("}");
        self.line(&format!("vex_defers_free(&{});", self.defers()));
        self.emit_drops_from(0);
        if self.in_task() {
            let discard = self.discard_root_result();
            if !discard.is_empty() {
                self.line(&discard);
            }
            self.line("return VX_READY;");
        } else if matches!(self.f.ret, Ty::Unit | Ty::Never) {
            self.line("return;");
        } else {
            self.line("return vx_ret;");
        }
    }

    /// Evaluates `e` for its effects.
    pub(super) fn expr_stmt(&mut self, e: &hir::Expr) {
        if self.in_task() && crate::tasks::is_suspension(e, &self.program.suspends) {
            // A discarded owned result is released at once.
            if let Some(v) = self.suspend_stmt(e) {
                for line in self.release(&e.ty, &v) {
                    self.line(&line);
                }
            }
            self.flush_postlude();
            return;
        }
        let text = self.expr(e);
        self.flush_prelude();
        let is_call = matches!(e.kind, ExprKind::Call { .. } | ExprKind::MethodCall { .. });
        if matches!(e.kind, ExprKind::Print { .. }) || text == "((vex_unit)0)" {
        } else if self.needs_drop(&e.ty) && !super::ownership::is_place(e) {
            // A discarded owned value (a call's result, a closure) is released at once.
            let cty = self.c_type(&e.ty);
            let t = self.fresh_temp();
            let decl = self.declare(&cty, &t, Some(strip_parens(&text)));
            self.line(&decl);
            for line in self.release(&e.ty, &t) {
                self.line(&line);
            }
        } else if is_call && e.ty == Ty::Unit {
            self.line(&format!("{text};"));
        } else {
            self.line(&format!("(void){};", paren(&text)));
        }
        self.flush_postlude();
    }

    /// Runs `f` with an empty prelude and postlude; returns its result and what they got.
    pub fn capture<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> (T, Vec<String>, Vec<String>) {
        let saved = std::mem::take(&mut self.prelude);
        let saved_post = std::mem::take(&mut self.postlude);
        let r = f(self);
        let produced = std::mem::replace(&mut self.prelude, saved);
        let post = std::mem::replace(&mut self.postlude, saved_post);
        (r, produced, post)
    }

    /// The boolean `e` as (value, statements computing it), the releases of its temporaries
    /// included (the value is then kept in a temporary).
    pub fn capture_bool(&mut self, e: &hir::Expr) -> (String, Vec<String>) {
        let (text, mut pre, post) = self.capture(|s| s.expr(e));
        if post.is_empty() {
            return (text, pre);
        }
        let t = self.fresh_temp();
        pre.push(self.declare("bool", &t, Some(strip_parens(&text))));
        pre.extend(post);
        (t, pre)
    }

    /// A C `for` statement for the post step, if it can be one (no hoisted temporaries).
    fn post_as_expr(&mut self, post: &hir::Stmt) -> Option<String> {
        let (text, pre, post_releases) = self.capture(|e| match &post.kind {
            StmtKind::Assign { place, value } => Some(e.assign_text(place, value)),
            StmtKind::CompoundAssign { place, op, value } => Some(e.compound_text(place, *op, value, post.span)),
            // `(void)`: a post step without effect (`for ...; ...; 1`) is legal Vex.
            StmtKind::Expr(x) if !matches!(x.kind, ExprKind::Print { .. }) && !e.needs_drop(&x.ty) => {
                let t = e.expr(x);
                Some(format!("(void){}", paren(&t)))
            }
            _ => None,
        });
        if pre.is_empty() && post_releases.is_empty() {
            text
        } else {
            None
        }
    }

    fn for_stmt(&mut self, init: Option<&hir::Stmt>, cond: Option<&hir::Expr>, post: Option<&hir::Stmt>, body: &hir::Block) {
        self.line("{");
        self.indent += 1;
        // The loop variable's scope is the loop (released after it, or by an exit inside).
        self.drop_scopes.push(Vec::new());
        if let Some(i) = init {
            self.stmt(i);
        }
        match cond {
            Some(c) => self.versioned(init, c, body, post, |e| e.for_loop(Some(c), post, body)),
            None => self.for_loop(None, post, body),
        }
        let depth = self.drop_scopes.len() - 1;
        self.emit_drops_from(depth);
        self.drop_scopes.pop();
        self.indent -= 1;
        self.line("}");
    }

    /// A `for` loop after its init statement.
    fn for_loop(&mut self, cond: Option<&hir::Expr>, post: Option<&hir::Stmt>, body: &hir::Block) {
        let (c, cond_pre) = match cond {
            Some(c) => {
                let (t, p) = self.capture_bool(c);
                (Some(t), p)
            }
            None => (None, Vec::new()),
        };
        let post_expr = match post {
            Some(p) => self.loop_step(cond, body, |e| e.post_as_expr(p)).map(Some),
            None => Some(None),
        };
        match (cond_pre.is_empty(), post_expr) {
            (true, Some(post_text)) if !self.in_task() => {
                // The common case reads like the source: `for (; cond; post) { ... }`.
                let c = c.map(|c| strip_parens(&c).to_string()).unwrap_or_default();
                let p = post_text.unwrap_or_default();
                self.line(&format!("for (; {c}; {p}) {{"));
                self.loops.push(LoopCx { continue_label: None, scope_depth: self.drop_scopes.len(), pending_depth: self.pending_exit.len() });
                self.loop_body(cond, |e| e.block(body));
                self.loops.pop();
                self.line("}");
            }
            (_, _) => {
                // General form: condition temporaries at the top, `continue` jumps to the post step.
                self.temps += 1;
                let label = format!("vx_continue_{}", self.temps);
                // A frame resumes a yielded loop at its head: one entry, so C compilers still
                // see a natural loop.
                let head = self.loop_head();
                self.line("for (;;) {");
                let top = self.loop_open();
                self.indent += 1;
                for p in cond_pre {
                    self.line(&p);
                }
                if let Some(c) = c {
                    self.line(&format!("if (!{}) break;", paren(&c)));
                }
                self.indent -= 1;
                self.loops.push(LoopCx { continue_label: Some(label.clone()), scope_depth: self.drop_scopes.len(), pending_depth: self.pending_exit.len() });
                let before = self.out.len();
                self.loop_body(cond, |e| e.block(body));
                let used = self.out[before..].contains(&format!("goto {label};"));
                self.loops.pop();
                self.indent += 1;
                if used {
                    self.line(&format!("{label}:;"));
                }
                if let Some(p) = post {
                    self.loop_step(cond, body, |e| e.stmt(p));
                }
                if let Some(k) = head {
                    self.loop_tail(k);
                    self.loop_close(top, k);
                }
                self.indent -= 1;
                self.line("}");
            }
        }
    }
}

/// Wraps `s` in parentheses unless it already is one parenthesised group or an identifier/call.
pub fn paren(s: &str) -> String {
    let ident_len = s.bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count();
    let call = ident_len > 0 && is_wrapped(&s[ident_len..]);
    if call || is_wrapped(s) || ident_len == s.len() {
        s.to_string()
    } else {
        format!("({s})")
    }
}

/// Removes one redundant outer pair of parentheses (for `if (...)`, `return ...;`).
pub fn strip_parens(s: &str) -> &str {
    if is_wrapped(s) {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// True if `s` is `( ... )` with the first parenthesis closing at the very end.
fn is_wrapped(s: &str) -> bool {
    if !s.starts_with('(') || !s.ends_with(')') {
        return false;
    }
    let mut depth = 0i32;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i != s.len() - 1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Marks every local that is read (used other than as the root of an assignment target),
/// wherever the statement is: also inside `match` arms and `select` arms.
fn mark_reads_block(b: &hir::Block, read: &mut [bool]) {
    struct Reads<'r> {
        read: &'r mut [bool],
        /// Assignment-target roots (by address): written there, not read.
        written: rustc_hash::FxHashSet<*const hir::Expr>,
    }
    impl hir::Visit for Reads<'_> {
        fn stmt(&mut self, s: &hir::Stmt) {
            if let StmtKind::Assign { place, .. } | StmtKind::CompoundAssign { place, .. } = &s.kind {
                let mut root: &hir::Expr = place;
                loop {
                    match &root.kind {
                        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => root = base,
                        ExprKind::Local(_) => {
                            self.written.insert(root as *const hir::Expr);
                            break;
                        }
                        _ => break,
                    }
                }
            }
        }
        fn expr(&mut self, e: &hir::Expr) {
            if let ExprKind::Local(id) = e.kind {
                if !self.written.contains(&(e as *const hir::Expr)) {
                    if let Some(r) = self.read.get_mut(id as usize) {
                        *r = true;
                    }
                }
            }
        }
    }
    hir::walk_block(b, &mut Reads { read, written: rustc_hash::FxHashSet::default() });
}
