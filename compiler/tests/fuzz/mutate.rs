//! Mutations of Vex source for the stable fuzz driver (compiler/tests/fuzz.rs): byte-level
//! edits, token-level edits (the text cut into identifier/number/string/punctuation tokens, so
//! edits keep most of the program's shape), and splices of token runs from another corpus file.

use super::gen::Choices;

/// Cuts `src` into tokens: identifiers/keywords, numbers, string literals, whitespace runs, and
/// single other characters. Concatenating the tokens gives `src` back.
pub fn tokens(src: &str) -> Vec<&str> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
        } else if c.is_ascii_whitespace() {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            i += 1;
            while i < b.len() && !src.is_char_boundary(i) {
                i += 1;
            }
        }
        while i < b.len() && !src.is_char_boundary(i) {
            i += 1;
        }
        out.push(&src[start..i]);
    }
    out
}

/// Tokens worth inserting: keywords, operators, type names, builtins, odd literals.
const DICT: &[&str] = &[
    "fn", "let", "let!", "const", "struct", "enum", "trait", "type", "impl", "extern", "policy", "with", "if", "elif",
    "else", "while", "for", "in", "break", "continue", "return", "switch", "case", "default", "match", "defer", "import",
    "export", "from", "as", "go", "async", "await", "select", "true", "false", "nil", "unsafe", "Map", "Set", "Vec", "Box",
    "Channel", "Option", "Result", "Some", "None", "Ok", "Err", "self", "Self", "i8", "i16", "i32", "i64", "i128", "u8",
    "u16", "u32", "u64", "u128", "f32", "f64", "bool", "byte", "string", "error", "println", "print", "panic", "len",
    "push", "get", "insert", "recv", "send", "close", "next", "sleep", "{", "}", "(", ")", "[", "]", "<", ">", ";", ",",
    ":", ".", "..", "..=", "=", "==", "!=", "=>", "->", "!", "?", "&", "&&", "|", "||", "*", "+", "-", "/", "%", "^",
    "<<", ">>", "+=", "++", "--", "0", "1", "-1", "255", "256", "2147483648", "9223372036854775808", "0.5", "1e400",
    "\"\"", "\"{}\"", "\"{} {}\"", "f\"{x}\"", "f\"{\"", "`json:\"x\"`", "_", "x", "T", "main", "\n", " ", "//", "/*",
];

fn pick_token<'a>(c: &mut dyn Choices, toks: &[&'a str]) -> &'a str {
    if toks.is_empty() {
        ""
    } else {
        toks[c.below(toks.len())]
    }
}

/// Applies 1 to 8 random mutations to `src`; `other` is a second corpus file for splices.
pub fn mutate(c: &mut dyn Choices, src: &str, other: &str) -> String {
    let mut text = src.to_string();
    for _ in 0..1 + c.below(8) {
        text = mutate_once(c, &text, other);
    }
    // Keep inputs small enough that thousands run per second.
    if text.len() > 64 * 1024 {
        let mut cut = 64 * 1024;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

fn mutate_once(c: &mut dyn Choices, src: &str, other: &str) -> String {
    let toks = tokens(src);
    let n = toks.len();
    let at = if n == 0 { 0 } else { c.below(n) };
    let span = 1 + c.below(8).min(n.saturating_sub(at).saturating_sub(1));
    let join = |parts: &[&str]| parts.concat();
    match c.below(12) {
        // Delete a run of tokens.
        0 | 1 if n > 0 => {
            let mut t = toks.clone();
            t.drain(at..(at + span).min(n));
            join(&t)
        }
        // Duplicate a run of tokens.
        2 if n > 0 => {
            let mut t = toks.clone();
            let run: Vec<&str> = toks[at..(at + span).min(n)].to_vec();
            let to = c.below(n + 1);
            for (k, r) in run.into_iter().enumerate() {
                t.insert(to + k, r);
            }
            join(&t)
        }
        // Insert a dictionary token, alone or with spaces around it.
        3 | 4 => {
            let d = DICT[c.below(DICT.len())];
            let piece = match c.below(3) {
                0 => d.to_string(),
                1 => format!(" {d} "),
                _ => format!("{d} "),
            };
            let mut t = toks.clone();
            t.insert(c.below(n + 1), &piece);
            join(&t)
        }
        // Replace a token by a dictionary token or by another token of the file.
        5 | 6 if n > 0 => {
            let mut t = toks.clone();
            t[at] = if c.below(2) == 0 { DICT[c.below(DICT.len())] } else { pick_token(c, &toks) };
            join(&t)
        }
        // Swap two tokens.
        7 if n > 1 => {
            let mut t = toks.clone();
            let b = c.below(n);
            t.swap(at, b);
            join(&t)
        }
        // Splice a run of tokens from the other file.
        8 | 9 => {
            let ot = tokens(other);
            if ot.is_empty() {
                return src.to_string();
            }
            let from = c.below(ot.len());
            let len = 1 + c.below(64);
            let run = &ot[from..(from + len).min(ot.len())];
            let mut t = toks.clone();
            let to = c.below(n + 1);
            for (k, r) in run.iter().enumerate() {
                t.insert(to + k, r);
            }
            join(&t)
        }
        // Byte-level: flip/replace/insert/delete a byte (the result is made valid UTF-8).
        10 if !src.is_empty() => {
            let mut b = src.as_bytes().to_vec();
            let i = c.below(b.len());
            match c.below(4) {
                0 => b[i] ^= 1 << c.below(8),
                1 => b[i] = c.below(128) as u8,
                2 => {
                    const BYTES: &[u8] = b"{}()[]<>;:,.!?&|*\"'`\\/\n\t 0_aZ";
                    b.insert(i, BYTES[c.below(BYTES.len())])
                }
                _ => {
                    b.remove(i);
                }
            }
            String::from_utf8_lossy(&b).into_owned()
        }
        // Repeat a run many times (deep nesting, long chains).
        _ if n > 0 => {
            let run: String = toks[at..(at + span).min(n)].concat();
            let times = [2, 10, 100, 300][c.below(4)];
            let mut t: Vec<String> = toks.iter().map(|s| s.to_string()).collect();
            t.insert(at, run.repeat(times));
            t.concat()
        }
        _ => src.to_string(),
    }
}
