//! Phase 3 of borrow checking (§15.3): conflicting borrows (E0499, E0502), assignment to a
//! borrowed place (E0506) and moving out of a borrowed local (E0505).
//!
//! Loans are created by `&x` / `&x!` (a path rooted at `x` borrows `x`; through `self` or
//! another reference it borrows that reference's local). Their lifetimes are lexical and are
//! tracked by `flow.rs`. Reading a borrowed local by value is always allowed.

use super::flow::{Checker, Holder, Loan, State};
use crate::diag::Diagnostic;
use crate::hir::LocalId;
use crate::span::Span;

impl Checker<'_> {
    /// The earliest live loan of `root` matching `pred`.
    fn first_loan(&self, root: LocalId, st: &State, pred: impl Fn(&Loan) -> bool) -> Option<Loan> {
        st.loans.iter().filter(|l| l.root == root && pred(l)).min_by_key(|l| (l.span.start, l.span.end)).copied()
    }

    /// How long the loan lasts, for help lines.
    fn lasts(&self, loan: &Loan) -> String {
        match loan.holder {
            Holder::Named(h) if self.is_real(h) => format!(
                "the first borrow is held by `{}` until the end of the block that declares it (lifetimes are lexical, §15.3)",
                self.local(h).name
            ),
            Holder::Named(_) => "the first borrow is stored in the value being built, which keeps it alive".into(),
            Holder::Temp(_) => "the first borrow lasts until the end of its statement".into(),
        }
    }

    /// The secondary label at the first borrow. A live borrow made in this pass through the code
    /// lies before the conflicting action in the text, or strictly inside it (`t += f(&t!)`: the
    /// argument is borrowed before the assignment happens); anything else was made in the
    /// previous iteration of a loop, including the same borrow expression met again.
    fn first_label(first: &Loan, span: Span, text: String) -> String {
        let before = first.span.end <= span.start;
        let inside = span.start <= first.span.start && first.span.end <= span.end && first.span != span;
        if !before && !inside {
            format!("{text}, in the previous iteration of the loop")
        } else {
            text
        }
    }

    /// E0499 / E0502 when `&root` (or `&root!`) conflicts with a live loan.
    pub(super) fn check_conflicts(&mut self, root: LocalId, mutable: bool, span: Span, st: &State) {
        let Some(first) = self.first_loan(root, st, |l| mutable || l.mutable) else { return };
        let name = &self.local(root).name;
        let (code, msg, label, first_label) = match (mutable, first.mutable) {
            (true, true) => (
                "E0499",
                format!("cannot borrow `{name}` as mutable more than once at a time"),
                "second mutable borrow occurs here",
                "first mutable borrow occurs here",
            ),
            (true, false) => (
                "E0502",
                format!("cannot borrow `{name}` as mutable because it is also borrowed as immutable"),
                "mutable borrow occurs here",
                "immutable borrow occurs here",
            ),
            _ => (
                "E0502",
                format!("cannot borrow `{name}` as immutable because it is also borrowed as mutable"),
                "immutable borrow occurs here",
                "mutable borrow occurs here",
            ),
        };
        let help = format!("{}; a mutable borrow must be the only borrow of `{name}`", self.lasts(&first));
        let d = Diagnostic::error(code, msg, span).label(label).secondary(first.span, Self::first_label(&first, span, first_label.to_string())).help(help);
        self.report(st, d);
    }

    /// E0506 when a place rooted at `root` is assigned (or a mutating method is called on it,
    /// `method`) while `root` is borrowed.
    pub(super) fn check_mutation(&mut self, root: LocalId, span: Span, method: Option<&str>, st: &State) {
        let Some(first) = self.first_loan(root, st, |_| true) else { return };
        let name = &self.local(root).name;
        let label = match method {
            Some(m) => format!("`{name}` is mutated here by `{m}` while borrowed"),
            None => format!("`{name}` is assigned to here but it was already borrowed"),
        };
        let d = Diagnostic::error("E0506", format!("cannot assign to `{name}` because it is borrowed"), span)
            .label(label)
            .secondary(first.span, Self::first_label(&first, span, format!("`{name}` is borrowed here")))
            .help(format!("{}; change `{name}` before borrowing it or after the borrow ends", self.lasts(&first)));
        self.report(st, d);
    }

    /// E0505 when `root` is moved out while borrowed.
    pub(super) fn check_move_while_borrowed(&mut self, root: LocalId, span: Span, st: &State) {
        let Some(first) = self.first_loan(root, st, |_| true) else { return };
        let name = &self.local(root).name;
        let d = Diagnostic::error("E0505", format!("cannot move out of `{name}` because it is borrowed"), span)
            .label(format!("move out of `{name}` occurs here"))
            .secondary(first.span, Self::first_label(&first, span, format!("borrow of `{name}` occurs here")))
            .help(format!("{}; move `{name}` only after the borrow ends", self.lasts(&first)));
        self.report(st, d);
    }
}
