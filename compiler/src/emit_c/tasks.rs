//! Suspending functions as state machines (RUNTIME.md §3.1-3.2, `vx_rt.h`).
//!
//! A function that can suspend (`crate::tasks`) is emitted as a *frame* struct and a poll
//! function. Owned values, aggregates, temporaries and every local whose address is taken live
//! in the frame (`vx_f->name`); scalar locals whose address is never taken (`cached_locals`)
//! are C locals of the poll function, so loops in tasks keep them in registers. Those are
//! loaded from their frame fields when the poll function is entered and, on the way out of a
//! suspension, the ones in scope there are stored back by a spill block (`vx_suspend_N`, one
//! per distinct set), so the path that does not suspend (a budget tick that does not run out,
//! a channel op that completes at once) costs nothing extra. The body is the ordinary statement-by-statement C with one change: each
//! suspension point (a statement of its own after `tasks::normalize`) is
//!
//! ```c
//! <operands into frame fields>; <op init>;
//! vx_resume_K:
//! if (<op poll> == VX_PENDING) { vx_self->resume = K; goto vx_suspend_N; }
//! <result into the destination>
//! ```
//!
//! (`return vx_p;` instead of the `goto` when there is nothing to spill), and the poll function
//! starts with `switch (resume)` jumping to the label (`goto` into the body is plain C; the C
//! locals are declared, initialised, before the switch). A resume point inside a loop is entered
//! through the loop's top (`loop_close`), so loops keep one entry. Nested calls of suspending
//! functions allocate the callee's frame and poll it in place (wake-ups go to the root task;
//! re-polling descends through the frames). The drop function, which the runtime calls for a
//! task cancelled at shutdown, knows for every resume point which wait to cancel and what is
//! owned there (the same releases an early `return` at that point would run); it never needs
//! the cached scalars, which own nothing.
//!
//! Loops in frames count their back edges in a C local and charge the task's cooperative
//! budget once per `VX_LOOP_SPIN` of them, yielding when it runs out, so a CPU-bound task
//! cannot starve the others of its worker.

use super::func::{paren, strip_parens, FnEmitter};
use super::names::LocalNames;
use crate::hir::{self, BuiltinFn, ExprKind, FnId, LibOp};
use crate::types::Ty;
use std::collections::HashMap;
use std::fmt::Write;

/// A suspending function being emitted.
#[derive(Default)]
pub struct TaskCx {
    /// The frame's fields after the fixed ones: (C type, name), in order of first use.
    fields: Vec<(String, String)>,
    /// Per resume point (index K-1): the drop glue to run if the task is cancelled there.
    resumes: Vec<Vec<String>>,
    /// Per local: kept in a C local of the poll function (`cached_locals`).
    cached: Vec<bool>,
    /// The C names of the cached locals that are not parameters, to their ids.
    cached_names: HashMap<String, hir::LocalId>,
    /// The distinct sets of cached locals (in scope at some suspension) stored to the frame by
    /// a spill block each: `vx_suspend_N` for set N-1.
    spill_sets: Vec<Vec<hir::LocalId>>,
    /// Some loop counts its back edges in `vx_spin` (`loop_tail`), so it is declared.
    spin_used: bool,
    /// The loops being emitted, outermost first: the resume points inside each (not inside a
    /// nested loop) and those of its nested loops, with the label its top jumps to for them.
    open_loops: Vec<Vec<(usize, usize)>>,
    /// Per resume point (index K-1): the label the poll function's entry jumps to.
    entry: Vec<usize>,
}

impl TaskCx {
    /// `locals`: the C names of the function's locals.
    pub fn new(f: &hir::Function, cached: Vec<bool>, locals: &[String]) -> TaskCx {
        let cached_names = (0..f.locals.len())
            .filter(|&i| cached[i] && !f.params.contains(&(i as hir::LocalId)))
            .map(|i| (locals[i].clone(), i as hir::LocalId))
            .collect();
        TaskCx { cached, cached_names, ..TaskCx::default() }
    }
}

/// The locals of a suspending function that the poll function keeps in C locals: scalars
/// (integers, floats, bool) whose address is never taken (`escaped`). In a frame field, every
/// read and write of a local is a memory access the C compiler must keep (the frame is
/// reachable from elsewhere, and each back edge calls the budget tick), which made loops in
/// tasks ~2x slower than in plain functions. A C local lives in a register; its value only
/// has to be in the frame while the task is suspended: it is stored there on the way out (a
/// spill block, `leave`) and loaded back when the poll function is entered. Nothing else reads those
/// fields: a scalar owns nothing, so the drop function never looks at them, and no pointer to
/// one exists. Owned values stay frame fields (the drop function releases them), as do
/// aggregates (copying them in and out would cost what it saves).
pub fn cached_locals(f: &hir::Function, escaped: &[bool]) -> Vec<bool> {
    f.locals
        .iter()
        .enumerate()
        .map(|(i, l)| matches!(l.ty, Ty::Int(_) | Ty::Float(_) | Ty::Bool) && !escaped.get(i).copied().unwrap_or(true))
        .collect()
}

/// The C names derived from a function's name `vx_<rest>`: `vxt_<rest>_<what>`.
pub fn task_name(fn_name: &str, what: &str) -> String {
    format!("vxt_{}_{what}", fn_name.strip_prefix("vx_").unwrap_or(fn_name))
}

/// `T name`; a type spelled `T *` gives `T *name`.
fn c_decl(cty: &str, name: &str) -> String {
    if cty.ends_with(" *") {
        format!("{cty}{name}")
    } else {
        format!("{cty} {name}")
    }
}

/// The C names of a function's parameters (as `signature` and `emit_function` name them).
pub fn param_names(f: &hir::Function) -> Vec<String> {
    let mut names = LocalNames::default();
    f.params.iter().map(|p| names.fresh(&f.locals[*p as usize].name)).collect()
}

impl FnEmitter<'_> {
    pub(super) fn in_task(&self) -> bool {
        self.task.is_some()
    }

    /// The statement declaring `name` of C type `cty` (initialised to `init`): a C declaration,
    /// or in a frame an assignment to the field `name` stands for (the field is added).
    pub fn declare(&mut self, cty: &str, name: &str, init: Option<&str>) -> String {
        let Some(task) = &mut self.task else {
            return match init {
                Some(v) => format!("{} = {v};", c_decl(cty, name)),
                None => format!("{};", c_decl(cty, name)),
            };
        };
        let field = name.strip_prefix("vx_f->").unwrap_or(name).to_string();
        // A cached local is in scope from its declaration to the end of the innermost open
        // scope: recorded there (it releases nothing), so suspensions know to spill it.
        if let (Some(_), Some(scope)) = (task.cached_names.get(&field), self.drop_scopes.last_mut()) {
            if !scope.iter().any(|(n, _)| *n == field) {
                scope.push((field.clone(), Ty::Unit));
            }
        }
        if !task.fields.iter().any(|(_, f)| *f == field) {
            task.fields.push((cty.to_string(), field));
        }
        match init {
            // A brace initialiser becomes a compound literal of the type.
            Some(v) if v.starts_with('{') => format!("{name} = ({cty}){v};"),
            Some(v) => format!("{name} = {v};"),
            None => String::new(),
        }
    }

    /// `declare` into the statement's prelude.
    pub(super) fn decl_pre(&mut self, cty: &str, name: &str, init: Option<String>) {
        let decl = self.declare(cty, name, init.as_deref());
        if !decl.is_empty() {
            self.prelude.push(decl);
        }
    }

    /// A task spawned by `go` is nobody's callee: nothing takes its result, so an owned one is
    /// released when it is produced (`main`'s is its exit status, which owns nothing).
    pub(super) fn discard_root_result(&self) -> String {
        let release = self.release(&self.f.ret, "vx_f->vx_result");
        if release.is_empty() {
            return String::new();
        }
        format!("if (vx_self == vx_f->vx_root) {{ {} }} ", release.join(" "))
    }

    /// The root task the frame belongs to (what wait nodes register and budgets charge).
    fn root(&self) -> &'static str {
        "vx_f->vx_root"
    }

    /// A new resume point: its number, with the drop glue for it (`cancel` first, then what an
    /// early return from here would release).
    fn resume_point(&mut self, cancel: Vec<String>) -> usize {
        let mut glue = cancel;
        glue.extend(self.exit_releases(0));
        glue.extend(self.drops_from(0));
        if self.has_defers() {
            glue.push("vex_defers_free(&vx_f->vx_defers);".to_string());
        }
        let task = self.task.as_mut().expect("resume point outside a task");
        task.resumes.push(glue);
        let k = task.resumes.len();
        task.entry.push(k);
        if let Some(inner) = task.open_loops.last_mut() {
            inner.push((k, k));
        }
        k
    }

    /// In a frame: a loop's body starts (its resume points are collected until `loop_close`);
    /// the position of the loop's top in `self.out`.
    pub(super) fn loop_open(&mut self) -> usize {
        if let Some(task) = &mut self.task {
            task.open_loops.push(Vec::new());
        }
        self.out.len()
    }

    /// Resuming inside a loop enters it through its top, never in the middle: the poll
    /// function's entry jumps to the outermost loop's head (`vx_to` = the resume point), and
    /// the top of each loop dispatches to its resume point or to the nested loop holding it.
    /// A jump from the entry straight into a loop body would give the loop a second entry
    /// (an irreducible loop), which gcc optimises much worse: a task's inner loop ran 1.3x
    /// slower than the same loop without the resume label. The test of `vx_to`, a register,
    /// costs one predictable branch per iteration of loops that hold resume points.
    pub(super) fn loop_close(&mut self, top: usize, head: usize) {
        let Some(task) = &mut self.task else { return };
        let Some(inside) = task.open_loops.pop() else { return };
        if inside.is_empty() {
            return;
        }
        let pad = "    ".repeat(self.indent.min(super::func::MAX_INDENT));
        let mut text = format!("{pad}if (vx_to != 0) {{\n{pad}    switch (vx_to) {{\n");
        for (k, target) in &inside {
            let clear = if k == target { "vx_to = 0; " } else { "" };
            let _ = writeln!(text, "{pad}    case {k}: {clear}goto vx_resume_{target};");
        }
        let _ = writeln!(text, "{pad}    default: break;\n{pad}    }}\n{pad}}}");
        self.out.insert_str(top, &text);
        match task.open_loops.last_mut() {
            Some(outer) => outer.extend(inside.iter().map(|(k, _)| (*k, head))),
            None => {
                for (k, _) in inside {
                    task.entry[k - 1] = head;
                }
            }
        }
    }

    /// `if (poll != VX_READY) { remember where; return it; }` behind the label of point `k`. The
    /// root task records the source line of the innermost wait (for the deadlock report); a
    /// call of a suspending function (`span` None) leaves the callee's line in place.
    fn suspend_here(&mut self, k: usize, poll: &str, span: Option<crate::span::Span>) {
        let record = match span {
            Some(span) => {
                let line = self.line_of(span);
                format!("{0}->wait_file = VX_SOURCE_FILE; {0}->wait_line = {line}; ", self.root())
            }
            None => String::new(),
        };
        self.out.push_str(&format!("vx_resume_{k}:\n"));
        let leave = self.leave("vx_p");
        self.line(&format!("if ((vx_p = {poll}) != VX_READY && vx_p != VX_CLOSED) {{ vx_self->resume = {k}; {record}{leave} }}"));
    }

    /// Returning `value` (a `vx_poll_t`) to the poller: through the spill block of the cached
    /// locals in scope here (the parameters and those declared in the open scopes, which
    /// `declare` records), when there are any. Only those can be read after the resume; storing
    /// the others would keep dead values alive across the whole loop for nothing.
    fn leave(&mut self, value: &str) -> String {
        let task = self.task.as_ref().expect("suspension outside a task");
        let mut set: Vec<hir::LocalId> =
            self.f.params.iter().copied().filter(|p| task.cached.get(*p as usize).copied().unwrap_or(false)).collect();
        for scope in &self.drop_scopes {
            set.extend(scope.iter().filter_map(|(name, _)| task.cached_names.get(name).copied()));
        }
        set.sort_unstable();
        set.dedup();
        if set.is_empty() {
            return format!("return {value};");
        }
        let task = self.task.as_mut().expect("suspension outside a task");
        let n = match task.spill_sets.iter().position(|s| *s == set) {
            Some(i) => i + 1,
            None => {
                task.spill_sets.push(set);
                task.spill_sets.len()
            }
        };
        if value == "vx_p" {
            format!("goto vx_suspend_{n};")
        } else {
            format!("vx_p = {value}; goto vx_suspend_{n};")
        }
    }

    /// In a frame: the resume label at a loop's head (where a yielded loop continues); its
    /// resume point.
    pub(super) fn loop_head(&mut self) -> Option<usize> {
        if !self.in_task() {
            return None;
        }
        let k = self.resume_point(Vec::new());
        self.out.push_str(&format!("vx_resume_{k}:;\n"));
        Some(k)
    }

    /// The budget check at a loop's back edge: when the task's budget is spent it yields, to
    /// continue at the loop head.
    pub(super) fn loop_tail(&mut self, k: usize) {
        let leave = self.leave("VX_YIELD");
        if let Some(task) = &mut self.task {
            task.spin_used = true;
        }
        // One budget unit per VX_LOOP_SPIN back edges, counted in a register (`vx_rt.h`).
        self.line(&format!(
            "if (--vx_spin == 0) {{ vx_spin = VX_LOOP_SPIN; if (vx_coop_tick({})) {{ vx_self->resume = {k}; {leave} }} }}",
            self.root()
        ));
    }

    /// A statement that is a suspension point: emits it; returns the text of its value, if any
    /// (the statement's postlude is left to the caller).
    pub(super) fn suspend_stmt(&mut self, e: &hir::Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Call { func, .. } | ExprKind::MethodCall { func, .. } => self.suspend_call(*func, e),
            ExprKind::Lib { op: LibOp::ChanSend, args } => self.suspend_send(e, args),
            ExprKind::Lib { op: op @ (LibOp::ChanRecv | LibOp::ChanNext), args } => self.suspend_recv(e, *op, args),
            ExprKind::Builtin { func: BuiltinFn::Sleep, args } => self.suspend_sleep(e, args),
            ExprKind::Builtin { func: BuiltinFn::RuntimeRun, args } => self.suspend_runtime_run(e, args),
            _ => None,
        }
    }

    fn suspend_call(&mut self, func: FnId, e: &hir::Expr) -> Option<String> {
        let callee = &self.program.functions[func as usize];
        let fname = self.names.function(func).to_string();
        let frame = task_name(&fname, "frame");
        let args = self.call_args(e);
        self.flush_prelude();
        self.line(&format!("vx_f->vx_child = vx_task_alloc(&{});", task_name(&fname, "vt")));
        self.line(&format!("(({frame} *)vx_f->vx_child)->vx_root = {};", self.root()));
        for (name, a) in param_names(callee).iter().zip(&args) {
            self.line(&format!("(({frame} *)vx_f->vx_child)->{name} = {};", strip_parens(a)));
        }
        let poll = task_name(&fname, "poll");
        let k = self.resume_point(vec![
            format!("{}(vx_f->vx_child);", task_name(&fname, "drop")),
            "vx_task_release(vx_f->vx_child);".to_string(),
        ]);
        self.suspend_here(k, &format!("{poll}(vx_f->vx_child)"), None);
        let has_value = !matches!(callee.ret, Ty::Unit | Ty::Never);
        if has_value {
            let cty = self.c_type(&callee.ret);
            let t = self.fresh_temp();
            let decl = self.declare(&cty, &t, Some(&format!("(({frame} *)vx_f->vx_child)->vx_result")));
            self.line(&decl);
            self.line("vx_task_release(vx_f->vx_child);");
            return Some(t);
        }
        self.line("vx_task_release(vx_f->vx_child);");
        None
    }

    /// The channel of a channel operation, kept in the frame (its handle is not retained:
    /// the operand it came from lives at least as long as the statement).
    fn chan_operand(&mut self, ch: &hir::Expr) -> String {
        let text = self.borrowed(ch);
        let t = self.fresh_temp();
        self.decl_pre("vx_chan *", &t, Some(format!("{}.c", paren(&text))));
        t
    }

    fn suspend_send(&mut self, e: &hir::Expr, args: &[hir::Expr]) -> Option<String> {
        let ch = self.chan_operand(&args[0]);
        let v = self.owned(&args[1]);
        let cty = self.c_type(&args[1].ty);
        let elem = self.fresh_temp();
        self.decl_pre(&cty, &elem, Some(strip_parens(&v).to_string()));
        self.flush_prelude();
        self.line("vx_chan_op_init(&vx_f->vx_op.chan);");
        // Cancelled before a receiver took the element: it is still ours to release.
        let mut cancel = vec!["vx_chan_op_cancel(&vx_f->vx_op.chan);".to_string()];
        let release = self.release(&args[1].ty, &elem);
        if !release.is_empty() {
            cancel.push(format!("if (!vex_chan_op_completed(&vx_f->vx_op.chan)) {{ {} }}", release.join(" ")));
        }
        let k = self.resume_point(cancel);
        self.suspend_here(k, &format!("vx_chan_send_poll({ch}, &vx_f->vx_op.chan, &{elem}, {})", self.root()), Some(e.span));
        let line = self.line_of(e.span);
        let mut closed = release.join(" ");
        if !closed.is_empty() {
            closed.push(' ');
        }
        self.line(&format!("if (vx_p == VX_CLOSED) {{ {closed}vex_panic_at(VX_SOURCE_FILE, {line}, \"send on a closed channel\"); }}"));
        None
    }

    fn suspend_recv(&mut self, e: &hir::Expr, op: LibOp, args: &[hir::Expr]) -> Option<String> {
        let ch = self.chan_operand(&args[0]);
        let elem_ty = match &args[0].ty {
            Ty::Lib(_, targs) => targs.first().cloned().unwrap_or(Ty::Unit),
            _ => Ty::Unit,
        };
        let cty = self.c_type(&elem_ty);
        let elem = self.fresh_temp();
        self.decl_pre(&cty, &elem, None);
        self.flush_prelude();
        self.line("vx_chan_op_init(&vx_f->vx_op.chan);");
        // Cancelled after a sender delivered into the frame: the element is ours to release.
        let mut cancel = vec!["vx_chan_op_cancel(&vx_f->vx_op.chan);".to_string()];
        let release = self.release(&elem_ty, &elem);
        if !release.is_empty() {
            cancel.push(format!("if (vex_chan_op_completed(&vx_f->vx_op.chan)) {{ {} }}", release.join(" ")));
        }
        let k = self.resume_point(cancel);
        self.suspend_here(k, &format!("vx_chan_recv_poll({ch}, &vx_f->vx_op.chan, &{elem}, {})", self.root()), Some(e.span));
        let line = self.line_of(e.span);
        if op == LibOp::ChanRecv {
            self.line(&format!("if (vx_p == VX_CLOSED) vex_panic_at(VX_SOURCE_FILE, {line}, \"receive from a closed channel\");"));
            return Some(elem);
        }
        let v = self.option_value(&e.ty, "vx_p != VX_CLOSED", &elem);
        self.flush_prelude();
        Some(v)
    }

    /// An `Option<T>` value (in a new temporary, set in the prelude): `Some(payload)` if `cond`
    /// holds, else `None`.
    pub(super) fn option_value(&mut self, ty: &Ty, cond: &str, payload: &str) -> String {
        let cty = self.c_type(ty);
        let (id, some, none) = match ty {
            Ty::Enum(id) => {
                let vs = &self.program.enums[*id as usize].variants;
                (*id, vs.iter().position(|v| v.name == "Some").unwrap_or(1) as u32, vs.iter().position(|v| v.name == "None").unwrap_or(0) as u32)
            }
            _ => (u32::MAX, 1, 0),
        };
        let t = self.fresh_temp();
        self.decl_pre(&cty, &t, None);
        let some_v = super::types::variant_value(self.program, id, &cty, some, Some(payload));
        let none_v = super::types::variant_value(self.program, id, &cty, none, None);
        self.prelude.push(format!("if ({cond}) {t} = {some_v}; else {t} = {none_v};"));
        t
    }

    fn suspend_sleep(&mut self, e: &hir::Expr, args: &[hir::Expr]) -> Option<String> {
        let ms = self.borrowed(&args[0]);
        let deadline = self.fresh_temp();
        self.decl_pre("uint64_t", &deadline, Some(format!("vex_deadline_after_ms({})", strip_parens(&ms))));
        let poll = format!("vx_sleep_poll(&vx_f->vx_op.sleep, {deadline}, {})", self.root());
        self.wait_on("vx_sleep_init(&vx_f->vx_op.sleep);", "vx_sleep_cancel(&vx_f->vx_op.sleep);", &poll, e);
        None
    }

    fn suspend_runtime_run(&mut self, e: &hir::Expr, args: &[hir::Expr]) -> Option<String> {
        let rt = self.borrowed(&args[0]);
        let t = self.fresh_temp();
        self.decl_pre("vx_runtime *", &t, Some(format!("{}.rt", paren(&rt))));
        let poll = format!("vx_runtime_idle_poll({t}, &vx_f->vx_op.idle, {})", self.root());
        self.wait_on("memset(&vx_f->vx_op.idle, 0, sizeof vx_f->vx_op.idle);", "vx_idle_cancel(&vx_f->vx_op.idle);", &poll, e);
        None
    }

    /// A wait with nothing to release: the statement's operands, `init` of the wait node, then
    /// the resume point (cancelled with `cancel`) polling `poll`.
    fn wait_on(&mut self, init: &str, cancel: &str, poll: &str, e: &hir::Expr) {
        self.flush_prelude();
        self.line(init);
        let k = self.resume_point(vec![cancel.to_string()]);
        self.suspend_here(k, poll, Some(e.span));
    }

    /// `go f(args);`: a task of `f`'s frame (or, for a function that never suspends, of a
    /// wrapper that calls it), with the arguments moved in, spawned detached.
    pub(super) fn go_stmt(&mut self, func: FnId, args: &[hir::Expr]) {
        let texts: Vec<String> = args.iter().map(|a| self.owned(a)).collect();
        self.flush_prelude();
        let fname = self.names.function(func).to_string();
        let (frame, vt) = if self.program.suspends[func as usize] {
            (task_name(&fname, "frame"), task_name(&fname, "vt"))
        } else {
            (task_name(&fname, "goframe"), task_name(&fname, "govt"))
        };
        let target = if self.in_task() { format!("vx_spawn_target({})", self.root()) } else { "vx_runtime_current()".to_string() };
        self.line("{");
        self.indent += 1;
        self.line(&format!("vx_task *vx_g = vx_task_alloc(&{vt});"));
        self.line(&format!("(({frame} *)vx_g)->vx_root = vx_g;"));
        let callee = &self.program.functions[func as usize];
        for (name, a) in param_names(callee).iter().zip(&texts) {
            self.line(&format!("(({frame} *)vx_g)->{name} = {};", strip_parens(a)));
        }
        self.line(&format!("vx_spawn_detached_on({target}, vx_g);"));
        self.indent -= 1;
        self.line("}");
        self.flush_postlude();
    }

    /// The frame struct, poll and drop functions for the body emitted so far (`self.out`).
    pub(super) fn finish_task(&mut self, sig_name: &str) -> (String, String) {
        let mut task = self.task.take().unwrap_or_default();
        // The parameters come first (the caller stores the arguments there).
        let mut params: Vec<(String, String)> = Vec::new();
        for p in &self.f.params {
            let l = &self.f.locals[*p as usize];
            let cty = if l.ty == Ty::Unit { "vex_unit".to_string() } else { self.c_type(&l.ty) };
            let name = self.locals[*p as usize].strip_prefix("vx_f->").unwrap_or(&self.locals[*p as usize]).to_string();
            params.push((cty, name));
        }
        task.fields.retain(|(_, f)| !params.iter().any(|(_, p)| p == f));
        params.append(&mut task.fields);
        task.fields = params;
        // The cached locals: C locals loaded from their frame fields on every entry (zeroed
        // by `vx_task_alloc` before the first poll), stored back by the spill block.
        let mut cached = Vec::new();
        for (id, _) in task.cached.iter().enumerate().filter(|(_, c)| **c) {
            let name = self.locals[id].clone();
            let cty = match task.fields.iter().find(|(_, f)| *f == name) {
                Some((cty, _)) => cty.clone(),
                None => {
                    let cty = self.local_c_type(id as hir::LocalId);
                    task.fields.push((cty.clone(), name.clone()));
                    cty
                }
            };
            cached.push((cty, name));
        }
        let frame = task_name(sig_name, "frame");
        let mut def = format!("struct {frame} {{\n    vx_task hdr;\n    vx_task *vx_root;\n    vx_task *vx_child;\n    vex_wait vx_op;\n");
        let has_result = !matches!(self.f.ret, Ty::Unit | Ty::Never);
        if has_result {
            let _ = writeln!(def, "    {} vx_result;", self.c_type(&self.f.ret));
        }
        for (cty, name) in &task.fields {
            if name == "vx_result" {
                continue;
            }
            let _ = writeln!(def, "    {};", c_decl(cty, name));
        }
        def.push_str("};\n");
        let mut body = format!(
            "static vx_poll_t {}(vx_task *vx_self) {{\n    {frame} *vx_f = ({frame} *)vx_self;\n    vx_poll_t vx_p = VX_READY;\n    (void)vx_f;\n    (void)vx_p;\n",
            task_name(sig_name, "poll")
        );
        for (cty, name) in &cached {
            let _ = writeln!(body, "    {} = vx_f->{name}; (void){name};", c_decl(cty, name));
        }
        if task.spin_used {
            body.push_str("    uint32_t vx_spin = VX_LOOP_SPIN;\n");
        }
        let nested = task.entry.iter().enumerate().any(|(i, e)| *e != i + 1);
        if nested {
            body.push_str("    int vx_to = 0;\n");
        }
        body.push_str("    switch (vx_self->resume) {\n    case 0: break;\n");
        for (k, e) in (1..).zip(&task.entry) {
            if *e == k {
                let _ = writeln!(body, "    case {k}: goto vx_resume_{k};");
            } else {
                let _ = writeln!(body, "    case {k}: vx_to = {k}; goto vx_resume_{e};");
            }
        }
        body.push_str("    default: return VX_READY;\n    }\n");
        body.push_str(&self.out);
        for (n, set) in (1..).zip(&task.spill_sets) {
            let _ = writeln!(body, "vx_suspend_{n}:");
            for id in set {
                let name = &self.locals[*id as usize];
                let _ = writeln!(body, "    vx_f->{name} = {name};");
            }
            body.push_str("    return vx_p;\n");
        }
        body.push_str("}\n");
        // Drop glue: before the first poll the frame owns its parameters.
        let mut drop = format!("static void {}(vx_task *vx_self) {{\n    {frame} *vx_f = ({frame} *)vx_self;\n    (void)vx_f;\n    switch (vx_self->resume) {{\n    case 0:\n", task_name(sig_name, "drop"));
        for p in &self.f.params {
            let ty = self.f.locals[*p as usize].ty.clone();
            for line in self.release(&ty, &self.locals[*p as usize].clone()) {
                let _ = writeln!(drop, "        {line}");
            }
        }
        drop.push_str("        break;\n");
        for (k, glue) in task.resumes.iter().enumerate() {
            let _ = writeln!(drop, "    case {}:", k + 1);
            for line in glue {
                let _ = writeln!(drop, "        {line}");
            }
            drop.push_str("        break;\n");
        }
        drop.push_str("    default: break;\n    }\n}\n");
        let vt = format!(
            "static const vx_task_vtable {} = {{ {}, {}, (uint32_t)sizeof(struct {frame}), {}, {}, \"{}\" }};\n",
            task_name(sig_name, "vt"),
            task_name(sig_name, "poll"),
            task_name(sig_name, "drop"),
            if has_result { format!("(uint32_t)offsetof(struct {frame}, vx_result)") } else { "0".to_string() },
            if has_result { format!("(uint32_t)sizeof({})", self.c_type(&self.f.ret)) } else { "0".to_string() },
            super::names::c_string_body(self.f.name.as_bytes())
        );
        (format!("{def}{vt}"), format!("{body}\n{drop}"))
    }
}

/// Prototypes of a suspending function's poll and drop functions, and its frame's tag.
pub fn task_protos(fname: &str) -> String {
    let frame = task_name(fname, "frame");
    format!(
        "typedef struct {frame} {frame};\nstatic vx_poll_t {}(vx_task *vx_self);\nstatic void {}(vx_task *vx_self);\n",
        task_name(fname, "poll"),
        task_name(fname, "drop")
    )
}

/// The wrapper task that runs a function which never suspends, for `go f(args)`.
pub fn go_wrapper(program: &hir::Program, names: &super::names::Names, layouts: &super::types::Layouts, id: FnId) -> String {
    let f = &program.functions[id as usize];
    let fname = names.function(id);
    let frame = task_name(fname, "goframe");
    let params = param_names(f);
    let mut def = format!("typedef struct {frame} {{\n    vx_task hdr;\n    vx_task *vx_root;\n");
    let mut drop_lines = String::new();
    for (p, name) in f.params.iter().zip(&params) {
        let ty = &f.locals[*p as usize].ty;
        let _ = writeln!(def, "    {} {name};", layouts.c_type(ty, program));
        let mut out = Vec::new();
        super::ownership::glue(ty, &format!("vx_f->{name}"), super::ownership::Glue::Release, layouts, program, &mut out, 0);
        for l in out {
            let _ = writeln!(drop_lines, "    {l}");
        }
    }
    let _ = writeln!(def, "}} {frame};");
    let args: Vec<String> = params.iter().map(|n| format!("vx_f->{n}")).collect();
    let call = format!("{fname}({})", args.join(", "));
    let mut result_release = Vec::new();
    let call_line = if matches!(f.ret, Ty::Unit | Ty::Never) {
        format!("{call};")
    } else {
        super::ownership::glue(&f.ret, "vx_r", super::ownership::Glue::Release, layouts, program, &mut result_release, 0);
        format!("{} vx_r = {call};\n    (void)vx_r;", layouts.c_type(&f.ret, program))
    };
    let poll = task_name(fname, "gopoll");
    let drop = task_name(fname, "godrop");
    let _ = write!(
        def,
        "static vx_poll_t {poll}(vx_task *vx_self) {{\n    {frame} *vx_f = ({frame} *)vx_self;\n    (void)vx_f;\n    {call_line}\n{}    return VX_READY;\n}}\n",
        result_release.iter().map(|l| format!("    {l}\n")).collect::<String>()
    );
    let _ = write!(def, "static void {drop}(vx_task *vx_self) {{\n    {frame} *vx_f = ({frame} *)vx_self;\n    (void)vx_f;\n{drop_lines}}}\n");
    let _ = writeln!(
        def,
        "static const vx_task_vtable {} = {{ {poll}, {drop}, (uint32_t)sizeof({frame}), 0, 0, \"{}\" }};\n",
        task_name(fname, "govt"),
        super::names::c_string_body(f.name.as_bytes())
    );
    def
}

impl FnEmitter<'_> {
    /// `select`: every arm's operands into the frame, one `vx_select_poll` over the cases, then
    /// the chosen arm (a send that lost keeps its value: it is released).
    pub(super) fn select_stmt(&mut self, arms: &[hir::SelectArm]) {
        struct Case {
            chan: String,
            send: bool,
            next: bool,
            elem: String,
            ty: Ty,
        }
        let mut cases = Vec::new();
        for arm in arms {
            let Some(hir::Expr { kind: ExprKind::Lib { op, args }, .. }) = &arm.op else { continue };
            let chan = self.chan_operand(&args[0]);
            let ty = match &args[0].ty {
                Ty::Lib(_, targs) => targs.first().cloned().unwrap_or(Ty::Unit),
                _ => Ty::Unit,
            };
            let cty = self.c_type(&ty);
            let elem = self.fresh_temp();
            let send = *op == LibOp::ChanSend;
            if send {
                let v = self.owned(&args[1]);
                self.decl_pre(&cty, &elem, Some(strip_parens(&v).to_string()));
            } else {
                self.decl_pre(&cty, &elem, None);
            }
            cases.push(Case { chan, send, next: *op == LibOp::ChanNext, elem, ty });
        }
        self.flush_prelude();
        let n = cases.len();
        let field = |s: &mut Self, cty: &str, len: Option<usize>| {
            let t = s.fresh_temp();
            let name = t.strip_prefix("vx_f->").unwrap_or(&t).to_string();
            let decl_name = match len {
                Some(l) => format!("{name}[{l}]"),
                None => name,
            };
            s.declare(cty, &decl_name, None);
            t
        };
        let sel = field(self, "vx_select", None);
        let cs = field(self, "vx_select_case", Some(n));
        let ops = field(self, "vx_chan_op", Some(n));
        let chosen = field(self, "int", None);
        for (i, c) in cases.iter().enumerate() {
            self.line(&format!("{cs}[{i}].ch = {}; {cs}[{i}].is_send = {}; {cs}[{i}].elem = &{};", c.chan, c.send as u8, c.elem));
        }
        self.line(&format!("vx_select_init(&{sel}, {ops}, {n});"));
        let mut cancel = vec![format!("vx_select_cancel(&{sel}, {ops}, {n});")];
        for (i, c) in cases.iter().enumerate() {
            let release = self.release(&c.ty, &c.elem);
            if !release.is_empty() {
                let not = if c.send { "!" } else { "" };
                cancel.push(format!("if ({not}vex_chan_op_completed(&{ops}[{i}])) {{ {} }}", release.join(" ")));
            }
        }
        let k = self.resume_point(cancel);
        let has_default = arms.iter().any(|a| a.op.is_none()) as u8;
        let span = arms.first().map(|a| a.span).unwrap_or(self.f.span);
        self.suspend_here(k, &format!("vx_select_poll(&{sel}, {ops}, {cs}, {n}, {has_default}, &{chosen}, {})", self.root()), Some(span));
        for (i, c) in cases.iter().enumerate() {
            let release = self.release(&c.ty, &c.elem);
            if c.send && !release.is_empty() {
                self.line(&format!("if ({chosen} != {i}) {{ {} }}", release.join(" ")));
            }
        }
        let mut case = 0;
        let mut first = true;
        for arm in arms {
            let (test, this) = match &arm.op {
                Some(_) => {
                    case += 1;
                    (format!("{chosen} == {}", case - 1), Some(&cases[case - 1]))
                }
                None => (format!("{chosen} == -1"), None),
            };
            self.line(&format!("{}if ({test}) {{", if first { "" } else { "} else " }));
            first = false;
            self.indent += 1;
            self.drop_scopes.push(Vec::new());
            let line = self.line_of(arm.span);
            if let Some(c) = this {
                if c.send {
                    let release = self.release(&c.ty, &c.elem).join(" ");
                    self.line(&format!("if (vx_p == VX_CLOSED) {{ {release} vex_panic_at(VX_SOURCE_FILE, {line}, \"send on a closed channel\"); }}"));
                } else {
                    let value = if c.next {
                        let ty = arm.op.as_ref().map(|o| o.ty.clone()).unwrap_or(Ty::Unit);
                        let v = self.option_value(&ty, "vx_p != VX_CLOSED", &c.elem);
                        self.flush_prelude();
                        (v, ty)
                    } else {
                        self.line(&format!("if (vx_p == VX_CLOSED) vex_panic_at(VX_SOURCE_FILE, {line}, \"receive from a closed channel\");"));
                        (c.elem.clone(), c.ty.clone())
                    };
                    match arm.bind {
                        Some(l) => {
                            let name = self.locals[l as usize].clone();
                            let cty = self.c_type(&value.1);
                            let decl = self.declare(&cty, &name, Some(&value.0));
                            self.line(&decl);
                            if self.needs_drop(&value.1) {
                                if let Some(scope) = self.drop_scopes.last_mut() {
                                    scope.push((name, value.1.clone()));
                                }
                            }
                        }
                        None => {
                            for l in self.release(&value.1, &value.0) {
                                self.line(&l);
                            }
                        }
                    }
                }
            }
            self.scoped_stmts(&arm.body.stmts);
            if !super::stmt_diverges_c(arm.body.stmts.last()) {
                let depth = self.drop_scopes.len() - 1;
                self.emit_drops_from(depth);
            }
            self.drop_scopes.pop();
            self.indent -= 1;
        }
        self.line("}");
    }
}
