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

/// Stack for the parser thread, in three parts. pest recurses once per nesting level and has no
/// stack probe here (vexc builds pest without `std`, which would add one to every rule call), so
/// the stack must cover the deepest nesting the file can contain:
/// * a fixed part for the file, items and statements;
/// * `STACK_PER_LEVEL` for each of the at most `MAX_BRACKET_DEPTH` bracket levels the pre-scan
///   lets through;
/// * `STACK_PER_LEVEL` for every token that can open a nesting level without a bracket
///   (`errors::nesting_tokens`: `&` and `*` types, `<` type arguments, `|` closures, `fn` types,
///   `else if` chains). Most tokens counted never nest; the bound is coarse but safe.
///
/// The memory is only committed as it is used, so a large reservation costs nothing.
const PARSER_STACK_BASE: usize = 64 << 20;
/// Measured: a nesting level takes about 1.5 KiB of stack in release builds (pest's frames plus
/// the AST builder's) and tens of kilobytes in debug builds; the constants leave a wide margin.
const STACK_PER_LEVEL: usize = if cfg!(debug_assertions) { 96 << 10 } else { 8 << 10 };
/// Largest stack reserved; a file that would need more is rejected with E0007.
const PARSER_STACK_MAX: usize = if cfg!(target_pointer_width = "64") { 16 << 30 } else { 1 << 30 };

/// Parses one source file into an AST, or returns syntax diagnostics (E0001...).
///
/// Never panics and never overflows the stack, whatever `source` contains: it runs on a thread
/// whose stack is sized for the deepest nesting the text can produce (see `PARSER_STACK_BASE`).
pub fn parse(file: FileId, source: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    parse_from(file, source, 0)
}

/// As [`parse`], numbering the AST's nodes from `first_id` (the files of one program share
/// one NodeId space).
pub fn parse_from(file: FileId, source: &SourceFile, first_id: ast::NodeId) -> Result<ast::File, Vec<Diagnostic>> {
    let text = source.text.as_str();
    let levels = errors::MAX_BRACKET_DEPTH.saturating_add(errors::nesting_tokens(text));
    let stack = levels.checked_mul(STACK_PER_LEVEL).and_then(|s| s.checked_add(PARSER_STACK_BASE));
    let too_big = |needed: String| {
        vec![Diagnostic::error(
            "E0007",
            format!("file too large to parse safely: it would need {needed} of parser stack"),
            crate::span::Span::new(file, 0, 0),
        )
        .label("the parser's stack is sized for the deepest nesting this file could contain")
        .help("split the file into several modules")]
    };
    let stack = match stack {
        Some(s) if s <= PARSER_STACK_MAX => s,
        Some(s) => return Err(too_big(format!("{} MiB", s >> 20))),
        None => return Err(too_big("more than the address space".into())),
    };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("vexc-parser".into())
            .stack_size(stack)
            .spawn_scoped(scope, || parse_here(file, source, first_id));
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(vec![Diagnostic::ice("parser", "the parser thread panicked")])),
            Err(_) => Err(too_big(format!("{} MiB", stack >> 20))),
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
