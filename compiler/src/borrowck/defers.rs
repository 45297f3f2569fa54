//! Deferred calls run when the function returns and evaluate their arguments then (§5.10), so
//! every local they use must still be alive at every exit: a parameter, or a local declared at
//! the top level of the body before the statement holding the `defer` (E0597 otherwise).

use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, LocalId, StmtKind};
use rustc_hash::FxHashSet as HashSet;

pub fn check_function(f: &hir::Function, diags: &mut Vec<Diagnostic>) {
    let mut alive: HashSet<LocalId> = f.params.iter().copied().collect();
    if !f.locals.is_empty() && f.receiver.is_some() {
        alive.insert(0);
    }
    for s in &f.body.stmts {
        hir::visit_stmts(s, &mut |inner| {
            if let StmtKind::Defer(call) = &inner.kind {
                check_defer(f, call, inner.span, &alive, diags);
            }
        });
        if let StmtKind::Let { local, .. } = &s.kind {
            alive.insert(*local);
        }
    }
}

fn check_defer(f: &hir::Function, call: &hir::Expr, at: crate::span::Span, alive: &HashSet<LocalId>, diags: &mut Vec<Diagnostic>) {
    let mut reported = HashSet::default();
    hir::visit_expr(call, &mut |e| {
        let ExprKind::Local(id) = e.kind else { return };
        let Some(local) = f.locals.get(id as usize) else { return };
        // Bindings made inside the deferred expression itself (match arms) are fine.
        let inside = local.span.start >= call.span.start && local.span.end <= call.span.end && local.span.file == call.span.file;
        if alive.contains(&id) || inside || !reported.insert(id) {
            return;
        }
        diags.push(
            Diagnostic::error("E0597", format!("`{}` does not live until the deferred call runs", local.name), e.span)
                .label("used by a deferred call")
                .secondary(local.span, format!("`{}` is declared here, in a scope that may end before the function returns", local.name))
                .secondary(at, "this call runs when the function returns, with its arguments evaluated then")
                .help(format!("declare `{}` at the top level of the function body, before the `defer`", local.name)),
        );
    });
}
