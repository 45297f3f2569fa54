//! Syntax diagnostics: the lexical pre-scan (nesting depth, unterminated strings and comments)
//! and the translation of pest's errors into E0001 diagnostics with words instead of rule names.

use super::parser::Rule;
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};

/// Maximum bracket nesting accepted before pest runs (its recursion is proportional to it).
pub(crate) const MAX_BRACKET_DEPTH: usize = 256;

pub(crate) fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error("E0007", format!("nesting too deep: more than {MAX_BRACKET_DEPTH} levels of brackets"), span)
        .label("nesting limit exceeded here")
        .help("split the expression into several `let` bindings")
}

/// One linear pass over `text` (which starts at byte `base` of file `file`) that skips comments,
/// strings and tags, rejects bracket nesting deeper than `MAX_BRACKET_DEPTH`, and reports
/// unterminated strings and block comments with a precise message before pest sees them.
pub(crate) fn prescan(text: &str, file: FileId, base: usize) -> Result<(), Box<Diagnostic>> {
    let bytes = text.as_bytes();
    let sp = |s: usize, e: usize| Span::new(file, base + s, base + e);
    let mut depth = 0usize;
    let mut i = 0;
    // All bytes inspected here are ASCII, so byte-wise scanning is safe on UTF-8 text.
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr(b'\n', bytes, i).unwrap_or(bytes.len());
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(k) => i = i + 2 + k + 2,
                None => {
                    return Err(Box::new(
                        Diagnostic::error("E0001", "unterminated block comment", sp(i, i + 2))
                            .label("this comment is never closed")
                            .help("close the comment with `*/`"),
                    ));
                }
            },
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        Some(b'"') => break,
                        Some(b'\\') if bytes.get(i + 1).is_some_and(|&b| b != b'\n') => i += 2,
                        Some(b'\n') | Some(b'\\') | None => {
                            let end = if i > start + 1 && bytes.get(i - 1) == Some(&b'\r') { i - 1 } else { i };
                            return Err(Box::new(
                                Diagnostic::error("E0001", "unterminated string literal", sp(start, end.max(start + 1)))
                                    .label("this string is not closed before the end of the line")
                                    .help("close the string with `\"`; a string cannot span lines (write `\\n` for a line break)"),
                            ));
                        }
                        Some(_) => i += 1,
                    }
                }
                i += 1;
            }
            b'`' => match memchr(b'`', bytes, i + 1) {
                Some(k) => i = k + 1,
                // Unclosed tag: pest reports it.
                None => return Ok(()),
            },
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Err(Box::new(too_deep(sp(i, i + 1))));
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Number of tokens of `text` that can open a nesting level of the grammar without a bracket:
/// `&`, `*`, `<` and `|` bytes and the words `else` and `fn` (a `&T`/`*T` type, type arguments,
/// a closure, a `fn(..): T` type, an `else if` chain). Counted everywhere, strings and comments
/// included (f-string expressions are parsed later on the same stack), so it bounds the
/// unbracketed nesting of the file and of every f-string in it.
pub(crate) fn nesting_tokens(text: &str) -> usize {
    let b = text.as_bytes();
    let mut n = 0;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'&' | b'*' | b'<' | b'|' => n += 1,
            b'e' if b[i..].starts_with(b"else") => n += 1,
            b'f' if b.get(i + 1) == Some(&b'n') => n += 1,
            _ => {}
        }
    }
    n
}

fn memchr(needle: u8, hay: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.iter().position(|&b| b == needle).map(|k| from + k)
}

// ------------------------------------------------------------------ pest errors

/// What the parser wanted, in words. The category decides ordering and which entries are
/// dropped as noise (an operator could follow almost anything, so it is only mentioned when
/// nothing better is expected).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cat {
    Construct,
    Punct,
    Noise,
}

fn describe_rule(rule: Rule) -> (Cat, &'static str) {
    use Cat::*;
    use Rule as R;
    match rule {
        R::semi | R::item_semi | R::repeat_semi => (Punct, "`;`"),
        R::rbrace => (Punct, "`}`"),
        R::rparen => (Punct, "`)`"),
        R::rbrack => (Punct, "`]`"),
        R::comma => (Punct, "`,`"),
        R::colon | R::ret_type => (Punct, "`:`"),
        R::eq => (Punct, "`=`"),
        R::fat_arrow => (Punct, "`=>`"),
        R::lbrace | R::block | R::block_expr => (Punct, "`{`"),
        R::lparen | R::params => (Punct, "`(`"),
        R::arrow => (Punct, "`->`"),
        R::array_len => (Punct, "`;`"),
        R::kw_in => (Punct, "`in`"),
        R::kw_from => (Punct, "`from`"),
        R::kw_fn | R::extern_fn => (Construct, "`fn`"),
        R::ident | R::member_name | R::binding_pat | R::callable_kind => (Construct, "an identifier"),
        R::r#type
        | R::named_type
        | R::prim_type
        | R::ptr_type
        | R::ref_type
        | R::fn_type
        | R::tuple_type
        | R::array_type
        | R::never_type => (Construct, "a type"),
        R::expr
        | R::cond_expr
        | R::operand
        | R::c_operand
        | R::postfix_expr
        | R::c_postfix
        | R::int_lit
        | R::float_lit
        | R::string_lit
        | R::fstring
        | R::kw_true
        | R::kw_false
        | R::kw_nil
        | R::closure
        | R::match_expr
        | R::array_lit
        | R::map_lit
        | R::paren_expr
        | R::collection_ctor
        | R::name_expr
        | R::c_name_expr
        | R::prefix_op
        | R::array_elem
        | R::map_entry
        | R::kw_map
        | R::kw_set
        | R::expr_item => (Construct, "an expression"),
        R::statement
        | R::block_stmt
        | R::expr_stmt
        | R::let_stmt
        | R::let_destructure
        | R::return_stmt
        | R::if_stmt
        | R::while_stmt
        | R::for_stmt
        | R::for_in_stmt => (Construct, "a statement"),
        R::file
        | R::item
        | R::fn_decl
        | R::struct_decl
        | R::enum_decl
        | R::trait_decl
        | R::const_decl
        | R::type_alias
        | R::policy_decl
        | R::extern_block
        | R::import_decl
        | R::export_list
        | R::kw_export
        | R::kw_async => (Construct, "an item (`fn`, `struct`, `enum`, `trait`, ...)"),
        R::field | R::assoc_type_def => (Construct, "a field or a method"),
        R::trait_method | R::assoc_type_decl => (Construct, "a method signature"),
        R::variant => (Construct, "a variant"),
        R::param | R::closure_param => (Construct, "a parameter"),
        R::type_param => (Construct, "a type parameter"),
        R::bound | R::trait_bound | R::callable_bound => (Construct, "a trait bound"),
        R::trait_ref => (Construct, "a trait name"),
        R::field_init => (Construct, "a field (`name: value`)"),
        R::field_pat => (Construct, "a field pattern"),
        R::policy_field => (Construct, "a policy field (`name `tag``)"),
        R::tag => (Construct, "a tag (`` `key:\"value\"` ``)"),
        R::case_clause | R::kw_case => (Construct, "`case`"),
        R::default_clause | R::kw_default => (Construct, "`default`"),
        R::match_arm => (Construct, "a match arm"),
        R::pattern
        | R::lit_pat
        | R::range_pat
        | R::wildcard_pat
        | R::tuple_pat
        | R::variant_pat
        | R::call_pat
        | R::struct_pat => (Construct, "a pattern"),
        R::EOI => (Construct, "end of file"),
        _ => (Noise, "an operator"),
    }
}

/// Converts a pest error on `text` (at byte `base` of the file) into a diagnostic.
pub(crate) fn from_pest(err: pest::error::Error<Rule>, text: &str, file: FileId, base: usize) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let sp = |s: usize, e: usize| Span::new(file, base + s, base + e);
    let positives = match err.variant {
        ErrorVariant::CustomError { message } => {
            if message.contains("stack limit") || message.contains("call limit") {
                return too_deep(sp(pos, (pos + 1).min(text.len())));
            }
            return Diagnostic::error("E0001", message, sp(pos, pos));
        }
        ErrorVariant::ParsingError { positives, .. } => positives,
    };

    let (found, found_len) = describe_token(text, pos);
    let at_eof = found_len == 0;
    let prev_end = end_of_previous_token(text, pos);

    // `0x1F`, `0b101`, `0o17`: the `0` parsed as a literal and the rest is unexpected.
    let lone_zero = text[..pos].ends_with('0')
        && !text[..pos - 1].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if lone_zero && text[pos..].starts_with(['x', 'b', 'o']) {
        let start = pos - 1;
        let end = pos + text[pos..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        return Diagnostic::error("E0658", "not yet implemented: hexadecimal, binary and octal literals", sp(start, end))
            .label("only decimal integer literals exist for now")
            .help("write the value in decimal");
    }

    // `Vec::new()`, `Shape::Circle(1)`: Rust's path separator (reserved, §2). The generic
    // "expected `;`" would send the reader the wrong way.
    if text[pos..].starts_with("::") {
        return Diagnostic::error("E0001", "`::` is not a path separator in Vex", sp(pos, pos + 2))
            .label("use `.` here")
            .help("paths use `.`: `Shape.Circle(1)`, `module.item`; collections are made with `Vec()`, `Map()`, `Channel(n)`");
    }

    // The text up to the previous token ends with the word `w`.
    let after_word = |w: &str| {
        text[..prev_end].strip_suffix(w).is_some_and(|head| !head.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    };
    let before = &text[..prev_end];
    // `&mut T` / `&mut x`: Rust's mutable reference.
    if after_word("mut") && before[..prev_end - 3].trim_end().ends_with('&') {
        let start = before[..prev_end - 3].trim_end().len() - 1;
        return Diagnostic::error("E0001", "`&mut` is not Vex syntax", sp(start, prev_end))
            .label("mutable reference written the Rust way")
            .help("the `!` comes after: the type `&T!` (`&i32!`), the borrow `&x!`");
    }
    // `println!(...)`: Vex has no macros (`x!` is a mutable place, §6.9).
    if text[pos..].starts_with('(') && before.ends_with('!') {
        let name_end = prev_end - 1;
        let name_start = before[..name_end].trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_').len();
        if name_start < name_end {
            let name = &text[name_start..name_end];
            return Diagnostic::error("E0001", format!("`{name}!(...)` is not Vex syntax: Vex has no macros"), sp(name_start, prev_end))
                .label("written as a macro call")
                .help(format!("call it as a function: `{name}(...)`"));
        }
    }
    // `import std::io;`, `import std.io;`, `from io`: other languages' module paths.
    if (after_word("import") || after_word("from")) && positives.contains(&Rule::string_lit) && !at_eof {
        let wanted = if after_word("from") { "expected `\"module\"`" } else { "expected `\"module\"` or `{ names } from \"module\"`" };
        return Diagnostic::error("E0001", format!("expected a module name in quotes, found {found}"), sp(pos, pos + found_len))
            .label(wanted)
            .help("write `import { println } from \"io\";` or `import \"io\";`");
    }

    // Missing `;`: rustc style, pointing just after the previous token.
    let wants_semi = positives.iter().any(|r| matches!(r, Rule::semi | Rule::item_semi));
    if wants_semi {
        let is_item = !positives.contains(&Rule::semi);
        let msg = if at_eof { "unexpected end of file".to_string() } else { format!("expected `;`, found {found}") };
        let mut d =
            Diagnostic::error("E0001", msg, sp(prev_end, prev_end)).label("expected `;` here").help(if is_item {
                "add `;` at the end of the declaration"
            } else {
                "add `;` at the end of the statement"
            });
        if !at_eof {
            // Point at the offending token too when it is on another line.
            if text[prev_end..pos].contains('\n') {
                d = d.secondary(sp(pos, pos + found_len), "unexpected token");
            }
            if text[pos..].starts_with('}') && !is_item {
                d = d.note("Vex has no implicit return value: write `return value;` to return from a function");
            }
        }
        return d;
    }

    let mut wanted: Vec<(Cat, &'static str)> = Vec::new();
    for r in &positives {
        let w = describe_rule(*r);
        if !wanted.contains(&w) {
            wanted.push(w);
        }
    }
    if wanted.iter().any(|w| w.0 != Cat::Noise) {
        wanted.retain(|w| w.0 != Cat::Noise);
    }
    if wanted.iter().any(|w| w.1.starts_with("an item")) {
        wanted.retain(|w| w.1 != "end of file");
    }
    wanted.sort_by_key(|w| w.0);
    wanted.truncate(6);
    let list = join_or(&wanted.iter().map(|w| w.1).collect::<Vec<_>>());

    let (msg, span) = if at_eof {
        ("unexpected end of file".to_string(), sp(prev_end, prev_end))
    } else {
        (format!("expected {list}, found {found}"), sp(pos, pos + found_len))
    };
    let label = if list.is_empty() { "unexpected token".to_string() } else { format!("expected {list}") };
    let mut d = Diagnostic::error("E0001", msg, span).label(label);
    if let Some(h) = hint(text, pos, &positives) {
        d = d.help(h);
    } else if found.starts_with("keyword `") && list.contains("identifier") {
        d = d.help(format!("{} is reserved in Vex and cannot be used as a name; choose another name", &found[8..]));
    }
    d
}

/// A help line for common mistakes, recognised from the text around the error.
fn hint(text: &str, pos: usize, positives: &[Rule]) -> Option<&'static str> {
    let rest = &text[pos..];
    let before = text[..pos].trim_end();
    if rest.starts_with("->") {
        return Some("return types are written with `:`, as in `fn f(): i32`");
    }
    if rest.starts_with("::") {
        return Some("paths use `.`, as in `Color.Red`");
    }
    if rest.starts_with('=') && !rest.starts_with("==") && positives.contains(&Rule::lbrace) {
        return Some("use `==` to compare values");
    }
    if before.ends_with("let mut") || before.ends_with("let mut!") {
        return Some("a mutable binding is written `let! name = value;`");
    }
    if rest.starts_with('|') && positives.contains(&Rule::colon) {
        return Some("closure parameters need a type, as in `|x: i32| x + 1`");
    }
    if positives.contains(&Rule::r#type) && rest.starts_with('{') {
        return None;
    }
    None
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// Describes the token at `pos` ("keyword `let`", "`}`", "end of file") and its length.
pub(crate) fn describe_token(text: &str, pos: usize) -> (String, usize) {
    let rest = &text[pos..];
    let Some(c) = rest.chars().next() else {
        return ("end of file".into(), 0);
    };
    if c.is_ascii_alphabetic() || c == '_' {
        let len = rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).unwrap_or(rest.len());
        let word = &rest[..len];
        return if is_keyword(word) { (format!("keyword `{word}`"), len) } else { (format!("`{word}`"), len) };
    }
    if c.is_ascii_digit() {
        let len = rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).unwrap_or(rest.len());
        return (format!("`{}`", &rest[..len]), len);
    }
    if c == '"' {
        let len = rest[1..].find(['"', '\n']).map(|k| k + 2).unwrap_or(rest.len());
        return ("a string literal".into(), len.min(rest.len()));
    }
    const OPS: [&str; 26] = [
        "<<=", ">>=", "..=", "...", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "=>",
        "->", "::", "..", "++", "--", "&=", "|=", "^=",
    ];
    for op in OPS {
        if rest.starts_with(op) {
            return (format!("`{op}`"), op.len());
        }
    }
    if c.is_ascii_graphic() {
        (format!("`{c}`"), 1)
    } else {
        (format!("character `{}`", c.escape_debug()), c.len_utf8())
    }
}

pub(crate) fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "fn" | "let"
            | "const"
            | "struct"
            | "enum"
            | "trait"
            | "impl"
            | "type"
            | "extern"
            | "policy"
            | "with"
            | "if"
            | "elif"
            | "else"
            | "while"
            | "for"
            | "in"
            | "break"
            | "continue"
            | "return"
            | "switch"
            | "case"
            | "default"
            | "match"
            | "defer"
            | "import"
            | "export"
            | "from"
            | "as"
            | "go"
            | "async"
            | "await"
            | "select"
            | "true"
            | "false"
            | "nil"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "f16"
            | "f32"
            | "f64"
            | "bool"
            | "string"
            | "byte"
            | "error"
            | "Map"
            | "Set"
            | "interface"
            | "unsafe"
            | "new"
            | "make"
            | "try"
            | "extends"
            | "infer"
            | "gpu"
            | "launch"
    )
}

/// The end of the token before `pos`, skipping whitespace and comments backwards. Used to put
/// "expected `;`" right after the statement instead of at the start of the next line.
pub(crate) fn end_of_previous_token(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = pos.min(text.len());
    loop {
        while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\r' | b'\n' | 0x0C) {
            i -= 1;
        }
        if i == 0 {
            return 0;
        }
        if text[..i].ends_with("*/") {
            if let Some(s) = text[..i - 2].rfind("/*") {
                i = s;
                continue;
            }
        }
        let line_start = text[..i].rfind('\n').map(|k| k + 1).unwrap_or(0);
        match line_comment_start(&text[line_start..i]) {
            Some(c) => i = line_start + c,
            None => return i,
        }
    }
}

/// Offset of a `//` comment in one line, ignoring `//` inside string literals.
fn line_comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut in_str = false;
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'\\' if in_str => k += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && b.get(k + 1) == Some(&b'/') => return Some(k),
            _ => {}
        }
        k += 1;
    }
    None
}
