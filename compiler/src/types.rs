//! Semantic types, shared by the type checker, the borrow checker and the C back end.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl IntTy {
    pub const ALL: [IntTy; 8] =
        [IntTy::I8, IntTy::I16, IntTy::I32, IntTy::I64, IntTy::U8, IntTy::U16, IntTy::U32, IntTy::U64];

    pub fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }

    pub fn signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }

    /// The Vex spelling: `i32`, `u8`, ...
    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
        }
    }

    pub fn min_value(self) -> i128 {
        if self.signed() {
            -(1i128 << (self.bits() - 1))
        } else {
            0
        }
    }

    pub fn max_value(self) -> i128 {
        if self.signed() {
            (1i128 << (self.bits() - 1)) - 1
        } else {
            (1i128 << self.bits()) - 1
        }
    }

    pub fn from_name(name: &str) -> Option<IntTy> {
        Some(match name {
            "i8" => IntTy::I8,
            "i16" => IntTy::I16,
            "i32" => IntTy::I32,
            "i64" => IntTy::I64,
            "u8" | "byte" => IntTy::U8,
            "u16" => IntTy::U16,
            "u32" => IntTy::U32,
            "u64" => IntTy::U64,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    pub fn name(self) -> &'static str {
        match self {
            FloatTy::F32 => "f32",
            FloatTy::F64 => "f64",
        }
    }
}

/// Index into `hir::Program::structs`.
pub type StructId = u32;
/// Index into `hir::Program::enums`.
pub type EnumId = u32;

/// The builtin generic library types implemented by the runtime (§12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LibTy {
    /// Growable array (§12.2).
    Vec,
    /// Single immutable heap cell (§12.3).
    Box,
    /// Hash map with `string` or integer keys (§12.4).
    Map,
    /// Hash set of `string`s or integers (§12.5).
    Set,
    /// Bounded FIFO shared by handle (§12.8).
    Channel,
    /// A runtime handle from `runtime_create` (§14.3); Copy, no type arguments.
    Runtime,
}

impl LibTy {
    pub fn name(self) -> &'static str {
        match self {
            LibTy::Vec => "Vec",
            LibTy::Box => "Box",
            LibTy::Map => "Map",
            LibTy::Set => "Set",
            LibTy::Channel => "Channel",
            LibTy::Runtime => "Runtime",
        }
    }

    pub fn from_name(n: &str) -> Option<LibTy> {
        match n {
            "Vec" => Some(LibTy::Vec),
            "Box" => Some(LibTy::Box),
            "Map" => Some(LibTy::Map),
            "Set" => Some(LibTy::Set),
            "Channel" => Some(LibTy::Channel),
            "Runtime" => Some(LibTy::Runtime),
            _ => None,
        }
    }

    pub fn arity(self) -> usize {
        match self {
            LibTy::Map => 2,
            LibTy::Runtime => 0,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Int(IntTy),
    Float(FloatTy),
    Bool,
    /// `string` / `String`: immutable UTF-8 bytes, `{ptr, len}` in C.
    Str,
    /// `()`
    Unit,
    /// `!`
    Never,
    Struct(StructId),
    Enum(EnumId),
    /// `[T; N]`
    Array(Box<Ty>, u64),
    /// `&T` (false) / `&T!` (true)
    Ref(Box<Ty>, bool),
    /// `*T` / `*const T` (true = const)
    Ptr(Box<Ty>, bool),
    Tuple(Vec<Ty>),
    Fn(Vec<Ty>, Box<Ty>),
    /// A builtin generic library type (§12): `Vec<T>`, `Box<T>`, with its type arguments.
    Lib(LibTy, Vec<Ty>),
    /// The type of an expression that already produced an error; unifies with everything,
    /// so one mistake gives one diagnostic.
    Error,
}

impl Ty {
    pub const I32: Ty = Ty::Int(IntTy::I32);
    pub const I64: Ty = Ty::Int(IntTy::I64);

    pub fn is_int(&self) -> bool {
        matches!(self, Ty::Int(_))
    }

    pub fn is_float(&self) -> bool {
        matches!(self, Ty::Float(_))
    }

    pub fn is_numeric(&self) -> bool {
        self.is_int() || self.is_float()
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// Whether an error type occurs anywhere inside (a collection whose element type is still
    /// unknown is `Vec<{error}>` during the first pass over a body).
    pub fn contains_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::Array(t, _) | Ty::Ref(t, _) | Ty::Ptr(t, _) => t.contains_error(),
            Ty::Tuple(ts) | Ty::Lib(_, ts) => ts.iter().any(Ty::contains_error),
            Ty::Fn(ps, r) => ps.iter().any(Ty::contains_error) || r.contains_error(),
            _ => false,
        }
    }

    /// Strips any number of references: the type that field access and methods see.
    pub fn auto_deref(&self) -> &Ty {
        let mut t = self;
        while let Ty::Ref(inner, _) = t {
            t = inner;
        }
        t
    }

    /// A display form that needs struct names; use `TyDisplay` via `hir::Program::ty_name`.
    pub fn fmt_with(&self, f: &mut fmt::Formatter<'_>, struct_name: &dyn Fn(StructId) -> String) -> fmt::Result {
        self.fmt_named(f, struct_name, &|_| "enum".to_string())
    }

    /// Display with names for structs and enums.
    pub fn fmt_named(
        &self,
        f: &mut fmt::Formatter<'_>,
        struct_name: &dyn Fn(StructId) -> String,
        enum_name: &dyn Fn(EnumId) -> String,
    ) -> fmt::Result {
        match self {
            Ty::Int(i) => f.write_str(i.name()),
            Ty::Float(x) => f.write_str(x.name()),
            Ty::Bool => f.write_str("bool"),
            Ty::Str => f.write_str("string"),
            Ty::Unit => f.write_str("()"),
            Ty::Never => f.write_str("!"),
            Ty::Struct(id) => f.write_str(&struct_name(*id)),
            Ty::Enum(id) => f.write_str(&enum_name(*id)),
            Ty::Array(e, n) => {
                f.write_str("[")?;
                e.fmt_named(f, struct_name, enum_name)?;
                write!(f, "; {n}]")
            }
            Ty::Ref(t, m) => {
                f.write_str("&")?;
                t.fmt_named(f, struct_name, enum_name)?;
                if *m {
                    f.write_str("!")?;
                }
                Ok(())
            }
            Ty::Ptr(t, c) => {
                f.write_str(if *c { "*const " } else { "*" })?;
                t.fmt_named(f, struct_name, enum_name)
            }
            Ty::Tuple(ts) => {
                f.write_str("(")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    t.fmt_named(f, struct_name, enum_name)?;
                }
                f.write_str(")")
            }
            Ty::Fn(ps, r) => {
                f.write_str("fn(")?;
                for (i, t) in ps.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    t.fmt_named(f, struct_name, enum_name)?;
                }
                f.write_str("): ")?;
                r.fmt_named(f, struct_name, enum_name)
            }
            Ty::Lib(k, args) => {
                write!(f, "{}<", k.name())?;
                for (i, t) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    t.fmt_named(f, struct_name, enum_name)?;
                }
                f.write_str(">")
            }
            Ty::Error => f.write_str("{error}"),
        }
    }
}

/// A type's display name as an identifier fragment: `Pair<i32, bool>` -> `Pair_i32_bool`,
/// `[i32; 3]` -> `arr_i32_3`, `&Point` -> `ref_Point`.
pub fn ident_fragment(name: &str) -> String {
    let mut out = String::new();
    let mut last_us = false;
    for c in name.chars() {
        let piece = match c {
            '&' => Some("ref_"),
            '*' => Some("ptr_"),
            '[' => Some("arr_"),
            _ => None,
        };
        if let Some(p) = piece {
            out.push_str(p);
            last_us = true;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            last_us = false;
        } else if !last_us && !out.is_empty() {
            out.push('_');
            last_us = true;
        }
    }
    out.trim_end_matches('_').to_string()
}
