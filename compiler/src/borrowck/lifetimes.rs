//! Phase 4 of borrow checking (§15.4): returning a reference to a local (E0515) and a reference
//! that outlives its referent (E0597).
//!
//! `flow.rs` records, for every local whose type can hold a reference, the locals it may point
//! into (`State::points_to`). When a block ends, a surviving local that points into one of the
//! block's locals becomes *dangling*; using it afterwards is E0597. A `return` whose value
//! points into a local of the function (a by-value parameter included) is E0515. Casting to a
//! raw pointer escapes both checks.

use super::flow::{Checker, Dangling, Holder, State};
use crate::diag::Diagnostic;
use crate::hir::LocalId;
use crate::span::Span;

impl Checker<'_> {
    /// Leaves a block whose locals are `locals` (its closing brace, or the `break`, at `end`).
    pub(super) fn exit_scope(&mut self, locals: &[LocalId], end: Span, st: &mut State) {
        if locals.is_empty() {
            return;
        }
        let dead = |id: &LocalId| locals.contains(id);
        st.loans.retain(|l| !(dead(&l.root) || matches!(l.holder, Holder::Named(h) if dead(&h))));
        for l in locals {
            st.moved.remove(l);
            st.points_to.remove(l);
            st.dangling.remove(l);
        }
        for (holder, set) in st.points_to.iter_mut() {
            let gone: Vec<(LocalId, Span)> = set.iter().filter(|(x, _)| dead(x)).copied().collect();
            for (referent, borrow) in gone {
                set.remove(&(referent, borrow));
                st.dangling.entry(*holder).or_insert(Dangling { referent, borrow, dropped: end });
            }
        }
        st.points_to.retain(|_, set| !set.is_empty());
    }

    /// E0597 when `id` holds a reference to a local whose block has ended.
    pub(super) fn check_not_dangling(&mut self, id: LocalId, span: Span, st: &mut State) {
        let Some(d) = st.dangling.remove(&id) else { return };
        let referent = self.local(d.referent).name.clone();
        let holder = self.local(id).name.clone();
        let diag = Diagnostic::error("E0597", format!("`{referent}` does not live long enough"), d.borrow)
            .label("borrowed value does not live long enough")
            .secondary(d.dropped, format!("`{referent}` dropped here while still borrowed"))
            .secondary(span, format!("borrow later used here, through `{holder}`"))
            .help(format!("declare `{referent}` in the same block as `{holder}` (or an enclosing one) so that it lives as long as the reference"));
        self.report(st, diag);
    }

    /// E0515 when the value returned (collected in the pseudo-holder `ret`) points into a local.
    pub(super) fn check_return(&mut self, ret: LocalId, value: Span, st: &mut State) {
        let mut refs: Vec<(LocalId, Span)> = st.points_to.remove(&ret).map(|s| s.into_iter().collect()).unwrap_or_default();
        if let Some(d) = st.dangling.remove(&ret) {
            refs.push((d.referent, d.borrow));
        }
        st.loans.retain(|l| l.holder != Holder::Named(ret));
        let Some(&(x, borrow)) = refs.iter().filter(|(x, _)| self.is_real(*x)).min_by_key(|(_, s)| s.start) else { return };
        let l = self.local(x);
        let kind = if self.f.params.contains(&x) { "function parameter" } else { "local variable" };
        let mut d = Diagnostic::error("E0515", format!("cannot return reference to {kind} `{}`", l.name), value)
            .label("returns a reference to data owned by the current function");
        if borrow.start < value.start || borrow.end > value.end {
            d = d.secondary(borrow, format!("`{}` is borrowed here", l.name));
        }
        d = d.secondary(l.span, format!("`{}` is declared here and dropped when the function returns", l.name)).help(
            "return the value itself instead of a reference, or take the data as a reference parameter (a raw pointer `as *T` is not checked)",
        );
        self.report(st, d);
    }
}
