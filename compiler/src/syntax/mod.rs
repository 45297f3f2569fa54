//! Front end: the pest grammar (`vex.pest`) and the conversion of its parse tree into the AST.
//!
//! `parse` runs in three steps: a linear pre-scan (errors.rs) that rejects pathological nesting
//! and unterminated strings before pest recurses, the pest parse itself, and the conversion of
//! the parse tree into `ast::File` (parser.rs).

pub mod ast;
mod errors;
mod parser;
#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::span::{FileId, SourceFile};
use pest::Parser as _;

/// Parses one source file into an AST, or returns syntax diagnostics (E0001...).
///
/// Never panics and never recurses deeper than the nesting limits, whatever `source` contains.
pub fn parse(file: FileId, source: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    let text = source.text.as_str();
    errors::prescan(text, file, 0).map_err(|d| vec![d])?;
    let mut pairs = parser::VexParser::parse(parser::Rule::file, text)
        .map_err(|e| vec![errors::from_pest(e, text, file, 0)])?;
    let top = pairs.next().ok_or_else(|| vec![Diagnostic::ice("parser", "pest returned no file pair")])?;
    let mut builder = parser::Builder::new(file, text);
    match builder.file(top) {
        Ok(ast) if builder.errors.is_empty() => Ok(ast),
        Ok(_) => Err(builder.errors),
        Err(fatal) => {
            let mut errs = builder.errors;
            errs.push(fatal);
            Err(errs)
        }
    }
}
