//! Type checking: AST + resolution -> typed HIR.
use crate::diag::Diagnostic;
use crate::hir;
use crate::resolve::Resolved;
use crate::span::SourceFile;
use crate::syntax::ast;
pub fn check(file: &ast::File, resolved: &Resolved, source: &SourceFile) -> Result<(hir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    let _ = (file, resolved, source);
    todo!()
}
