//! Name resolution.
use crate::diag::Diagnostic;
use crate::span::SourceFile;
use crate::syntax::ast;
pub struct Resolved {}
pub fn resolve(file: &ast::File, source: &SourceFile) -> Result<Resolved, Vec<Diagnostic>> {
    let _ = (file, source);
    Ok(Resolved {})
}
