//! Mangled names: `vx_<module>_<name>` for functions, `vx_<module>_<Struct>_<method>` for
//! methods, `vx_<module>_<Struct>` for structs. Locals keep their Vex names unless that would
//! clash with C (keywords, standard typedefs, our own prefixes) or an earlier local.

use crate::hir::{self, FnId};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

pub struct Names {
    /// The C shims of the `extern "C"` calls (`ffi.rs`), by call signature.
    pub ffi: std::collections::BTreeMap<super::ffi::ShimKey, String>,
    functions: Vec<String>,
    structs: Vec<String>,
    enums: Vec<String>,
}

/// Names made distinct by a numeric suffix (`x`, `x_1`, `x_2`, ...).
#[derive(Default)]
pub struct Distinct {
    used: HashSet<String>,
    /// Per base name, the first suffix not tried yet: every suffix below it is taken (and stays
    /// taken), so the search resumes there. Without it, n functions of one name (the instances
    /// of a generic function) cost n^2 attempts.
    next_suffix: HashMap<String, u32>,
}

impl Distinct {
    pub fn fresh(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let next = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let name = format!("{base}_{next}");
            *next += 1;
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }
}

impl Names {
    pub fn new(program: &hir::Program) -> Names {
        let m = &program.module;
        let mut used = Distinct::default();
        let mut unique = |base: String| used.fresh(base);
        let structs: Vec<String> =
            program.structs.iter().map(|s| unique(format!("vx_{m}_{}", crate::types::ident_fragment(&s.name)))).collect();
        let enums: Vec<String> =
            program.enums.iter().map(|e| unique(format!("vx_{m}_{}", crate::types::ident_fragment(&e.name)))).collect();
        let functions = program
            .functions
            .iter()
            .map(|f| match f.owner {
                Some(s) => unique(format!("vx_{m}_{}_{}", crate::types::ident_fragment(&program.structs[s as usize].name), f.name)),
                None => unique(format!("vx_{m}_{}", f.name)),
            })
            .collect();
        let ffi = super::ffi::shim_keys(program, &super::reachable(program))
            .into_iter()
            .map(|k| {
                let name = unique(format!("vx_{m}_ffi_{}", program.externs[k.func as usize].name));
                (k, name)
            })
            .collect();
        Names { ffi, functions, structs, enums }
    }

    pub fn function(&self, id: FnId) -> &str {
        &self.functions[id as usize]
    }

    pub fn strukt(&self, id: u32) -> &str {
        &self.structs[id as usize]
    }

    pub fn enumeration(&self, id: u32) -> &str {
        &self.enums[id as usize]
    }
}

/// Words a local may not be called in C.
const C_RESERVED: &[&str] = &[
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
    "_Complex", "_Imaginary", "_Alignas", "_Alignof", "_Atomic", "_Generic", "_Noreturn", "_Static_assert",
    "_Thread_local", "bool", "true", "false", "NULL", "main", "errno", "stdin", "stdout", "stderr", "EOF",
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "size_t",
    "ptrdiff_t", "intptr_t", "uintptr_t", "wchar_t", "offsetof", "alignas", "alignof", "noreturn", "static_assert",
    "asm", "typeof", "INT8_MIN", "INT8_MAX", "INT16_MIN", "INT16_MAX", "INT32_MIN", "INT32_MAX", "INT64_MIN",
    "INT64_MAX", "UINT8_MAX", "UINT16_MAX", "UINT32_MAX", "UINT64_MAX", "fmod", "fmodf", "abort", "memcmp",
    "fwrite", "fprintf", "fflush", "fputs", "fputc",
];

/// Gives each local of one function a distinct, C-safe name.
#[derive(Default)]
pub struct LocalNames {
    /// Next suffix to try per base name.
    next: HashMap<String, u32>,
    issued: HashSet<String>,
}

/// `name` made safe to use as a C identifier in our output (fields, locals).
pub fn safe_ident(name: &str) -> String {
    let mut base = name.to_string();
    if C_RESERVED.contains(&base.as_str())
        || base.starts_with("vx_")
        || base.starts_with("vex_")
        || base.starts_with("VEX_")
        || base.starts_with("__")
        || (base.starts_with('_') && base[1..].starts_with(|c: char| c.is_ascii_uppercase()))
    {
        base.push('_');
    }
    base
}

impl LocalNames {
    pub fn fresh(&mut self, vex_name: &str) -> String {
        let base = safe_ident(vex_name);
        let mut name = base.clone();
        // `x`, then `x_1`, `x_2`, ... skipping names a Vex local already took (`let x_1`).
        while self.issued.contains(&name) {
            let n = self.next.entry(base.clone()).or_insert(0);
            *n += 1;
            name = format!("{base}_{n}");
        }
        self.issued.insert(name.clone());
        name
    }
}

/// The body of a C string literal for `bytes`: printable ASCII as is (except `"`, `\` and `?`,
/// which could start a trigraph), everything else as a 3-digit octal escape so the C source is
/// pure ASCII and no escape can swallow a following digit.
pub fn c_string_body(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'?' => s.push_str("\\?"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                s.push('\\');
                s.push(char::from(b'0' + (b >> 6)));
                s.push(char::from(b'0' + ((b >> 3) & 7)));
                s.push(char::from(b'0' + (b & 7)));
            }
        }
    }
    s
}
