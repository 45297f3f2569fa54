//! The builtin functions of LANGUAGE.md §13 and the builtin constructor names of §6.11.
//! They are always in scope; the type checker decides which ones are implemented yet.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    pub name: &'static str,
}

pub const BUILTIN_NAMES: &[&str] = &[
    "print", "println", "eprint", "eprintln", "assert", "assume", "unreachable", "panic", "sizeof", "alignof",
    "ctlz", "cttz", "ctpop", "bswap", "bitreverse", "alloc", "realloc", "free", "memset", "strlen", "strcmp",
    "strcpy", "strcat", "strdup", "map_insert", "map_len", "runtime_create", "runtime_run", "runtime_destroy", "sleep",
    "vex_i32_to_string", "vex_i64_to_string", "vex_u32_to_string", "vex_u64_to_string", "vex_f32_to_string",
    "vex_f64_to_string", "Some", "None", "Ok", "Err", "Vec", "Box", "String", "Channel",
];

/// Names that are types without a declaration (for "did you mean" on unknown types).
pub const TYPE_NAMES: &[&str] = &[
    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool", "string", "byte", "str", "String",
    "Vec", "Box", "Option", "Result", "Map", "Set", "Channel", "Runtime",
];

pub fn lookup(name: &str) -> Option<Builtin> {
    BUILTIN_NAMES.iter().find(|n| **n == name).map(|n| Builtin { name: n })
}

/// Builtin generic types (§3.5), implemented by later stages of the project.
pub const BUILTIN_TYPE_GENERICS: &[&str] = &["Vec", "Box", "Option", "Result", "Map", "Set", "Channel"];
