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

/// Stack for the parser thread. Recursion is bounded by the nesting limits (256 brackets, 1000
/// levels of expression tree), but debug builds use tens of kilobytes per level, so the parser
/// does not rely on its caller's stack. The memory is only committed as it is used.
const PARSER_STACK: usize = 256 << 20;

/// Parses one source file into an AST, or returns syntax diagnostics (E0001...).
///
/// Never panics and never overflows the stack, whatever `source` contains: it runs on a thread
/// with a known stack size (or on the caller's thread if no thread can be spawned).
pub fn parse(file: FileId, source: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    parse_from(file, source, 0)
}

/// As [`parse`], numbering the AST's nodes from `first_id` (the files of one program share
/// one NodeId space).
pub fn parse_from(file: FileId, source: &SourceFile, first_id: ast::NodeId) -> Result<ast::File, Vec<Diagnostic>> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("vexc-parser".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, || parse_here(file, source, first_id));
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(vec![Diagnostic::ice("parser", "the parser thread panicked")])),
            Err(_) => parse_here(file, source, first_id),
        }
    })
}

fn parse_here(file: FileId, source: &SourceFile, first_id: ast::NodeId) -> Result<ast::File, Vec<Diagnostic>> {
    let text = source.text.as_str();
    errors::prescan(text, file, 0).map_err(|d| vec![*d])?;
    let mut pairs = parser::VexParser::parse(parser::Rule::file, text)
        .map_err(|e| vec![errors::from_pest(e, text, file, 0)])?;
    let top = pairs.next().ok_or_else(|| vec![Diagnostic::ice("parser", "pest returned no file pair")])?;
    let mut builder = parser::Builder::new(file);
    builder.next_id = first_id;
    match builder.file(top) {
        Ok(ast) if builder.errors.is_empty() => Ok(ast),
        Ok(_) => Err(builder.errors),
        Err(fatal) => {
            let mut errs = builder.errors;
            errs.push(*fatal);
            Err(errs)
        }
    }
}
