//! Phase 2 of borrow checking (§15.2): use of a moved value (E0382).
//!
//! A bare local of a move type (§3.10, `super::is_copy`) in a moving position (`let` initializer,
//! right side of `=`, argument of a user function or method, struct/array/tuple/enum literal
//! component, `return` operand; see `Checker::operand`) is moved. Operator operands, method
//! receivers, `&x`, field reads, `match` scrutinees and builtin arguments (`println(s)`) are not
//! moving positions. Assigning the local or re-declaring the name makes it valid again.

use super::flow::{Checker, State};
use crate::diag::Diagnostic;
use crate::hir::LocalId;
use crate::span::Span;

impl Checker<'_> {
    /// Moves local `id` out at `span` (after checking that it is not borrowed, E0505).
    pub(super) fn move_out(&mut self, id: LocalId, span: Span, st: &mut State) {
        self.check_move_while_borrowed(id, span, st);
        st.moved.insert(id, span);
    }

    /// E0382 if `id` was moved on some path reaching this use.
    pub(super) fn check_not_moved(&mut self, id: LocalId, span: Span, borrow: bool, st: &mut State) {
        // Reported once: the use "restores" the variable, so one mistake gives one error.
        let Some(moved_at) = st.moved.remove(&id) else { return };
        let l = self.local(id);
        let ty = self.program.ty_name(&l.ty);
        let (what, label) = if borrow {
            ("borrow of moved value", "value borrowed here after move")
        } else {
            ("use of moved value", "value used here after move")
        };
        let moved_label = if moved_at.start >= span.start {
            "value moved here, in the previous iteration of the loop".to_string()
        } else {
            format!("`{}` moved here", l.name)
        };
        let d = Diagnostic::error("E0382", format!("{what}: `{}`", l.name), span)
            .label(label)
            .secondary(moved_at, moved_label)
            .help(format!(
                "`{}` has type `{ty}`, which is not Copy (§3.10): pass a reference `&{}` instead of moving it, or assign it a new value before this use",
                l.name, l.name
            ));
        self.report(st, d);
    }
}
