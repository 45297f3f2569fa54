//! Borrow checking on typed HIR (LANGUAGE.md §15). Phase 1, immutability, lives in
//! `mutability.rs`. Phases 2-4 (moves, borrows, lifetimes) share one flow-sensitive walk over
//! each function body (`flow.rs`); the rules of each phase live in `moves.rs`, `borrows.rs`
//! and `lifetimes.rs`.

mod borrows;
mod defers;
mod flow;
mod lifetimes;
mod moves;
mod mutability;

use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind};
use crate::types::Ty;

/// Returns warnings on success, or the errors found.
pub fn check(program: &hir::Program) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for f in &program.functions {
        mutability::check_function(program, f, &mut diags);
        defers::check_function(f, &mut diags);
        flow::check_function(program, f, &mut diags);
    }
    diags.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
    // Instances of one generic function share their spans: report each mistake once.
    let mut seen = rustc_hash::FxHashSet::default();
    diags.retain(|d| seen.insert((d.code, d.span, d.message.clone())));
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(diags)
    }
}

/// Whether a place may be written: its root is a mutable local, or it is reached through a
/// `&T!` reference (§15.1 table).
pub fn place_is_mutable(place: &hir::Expr, locals: &[hir::Local]) -> bool {
    match &place.kind {
        ExprKind::Local(id) => locals.get(*id as usize).is_some_and(|l| l.mutable),
        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => place_is_mutable(base, locals),
        ExprKind::Deref(r) => matches!(r.ty, Ty::Ref(_, true) | Ty::Ptr(_, false)),
        _ => false,
    }
}

/// Copy types (§3.10): scalars, references, raw pointers, function types, `()`, `!`, unit-only
/// enums, and arrays, tuples, structs and data enums whose components are all Copy. Everything
/// else (`string` and aggregates containing one) is a move type. The error type counts as Copy
/// so that a type error never causes a follow-up move error.
pub(crate) fn is_copy(ty: &Ty, program: &hir::Program) -> bool {
    // Copy unless some component is a move type.
    !program.any_component(ty, &|t| match t {
        Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Unit | Ty::Never | Ty::Ref(..) | Ty::Ptr(..) | Ty::Fn(..) | Ty::Error => Some(false),
        // A channel is a shared handle (§3.10).
        Ty::Lib(crate::types::LibTy::Channel | crate::types::LibTy::Runtime, _) => Some(false),
        Ty::Str | Ty::Lib(..) => Some(true),
        _ => None,
    })
}

/// Whether a value of this type can hold a reference (so storing it keeps a borrow alive).
/// Raw pointers do not count: they are never checked (§15.4).
pub(crate) fn holds_ref(ty: &Ty, program: &hir::Program) -> bool {
    program.any_component(ty, &|t| match t {
        // A function value may be a closure that captured a reference.
        Ty::Ref(..) | Ty::Fn(..) => Some(true),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use crate::span::{SourceFile, SourceMap};

    /// The error codes of checking `src` (empty if it compiles).
    fn codes(src: &str) -> Vec<&'static str> {
        let mut sources = SourceMap::default();
        let id = sources.add(SourceFile::new("t.vx", src));
        match crate::check(&mut sources, id) {
            Ok(_) => Vec::new(),
            Err(ds) => ds.iter().filter(|d| d.is_error()).map(|d| d.code).collect(),
        }
    }

    #[test]
    fn copy_and_move_types() {
        // A plain-data struct is Copy, one holding a string is not (§3.10).
        let plain = "struct P { x: i32 }\nfn f(p: P) {}\nfn main() { let p = P { x: 1 }; f(p); f(p); }";
        assert_eq!(codes(plain), Vec::<&str>::new());
        let owning = "struct P { s: string }\nfn f(p: P) {}\nfn main() { let p = P { s: \"a\" }; f(p); f(p); }";
        assert_eq!(codes(owning), vec!["E0382"]);
        let tuple = "fn f(t: (i32, string)) {}\nfn main() { let t = (1, \"a\"); f(t); f(t); }";
        assert_eq!(codes(tuple), vec!["E0382"]);
    }

    #[test]
    fn moves_follow_control_flow() {
        // Moved in both branches, then assigned: valid again.
        let src = "fn f(s: string) {}\nfn main() { let! s = \"a\"; if true { f(s); } else { f(s); } s = \"b\"; f(s); }";
        assert_eq!(codes(src), Vec::<&str>::new());
        // A move before `return` does not reach the code after the `if`.
        let src = "fn f(s: string) {}\nfn main() { let s = \"a\"; if true { f(s); return; } f(s); }";
        assert_eq!(codes(src), Vec::<&str>::new());
    }

    #[test]
    fn borrows_end_with_their_block_or_statement() {
        let src = "fn g(a: &i32!, b: &i32!) {}\nfn main() { let! x = 1; g(&x!, &x!); }";
        assert_eq!(codes(src), vec!["E0499"]);
        let src = "fn g(a: &i32!) {}\nfn main() { let! x = 1; g(&x!); g(&x!); if true { let r = &x!; } x = 2; }";
        assert_eq!(codes(src), Vec::<&str>::new());
        // A reference returned by a call keeps its argument borrowed.
        let src = "fn id(r: &i32!): &i32! { return r; }\nfn main() { let! x = 1; let r = id(&x!); x = 2; }";
        assert_eq!(codes(src), vec!["E0506"]);
    }
}
