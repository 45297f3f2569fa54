//! Front end: the pest grammar (`vex.pest`) and the conversion of its parse tree into the AST.

pub mod ast;

use crate::diag::Diagnostic;
use crate::span::{FileId, SourceFile};

/// Parses one source file into an AST, or returns syntax diagnostics (E0001...).
pub fn parse(file: FileId, source: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    let _ = (file, source);
    todo!("parser")
}
