//! Typed HIR: the output of the type checker and the input of the borrow checker and the C back end.
//!
//! Everything here is resolved and explicit: every expression has its type; locals are `LocalId`s;
//! calls name a `FnId`; auto-dereferencing is spelled out as `Deref` nodes; literals already have
//! their final type; `print` calls are split into typed pieces; array `.len()` is folded to a literal.

use crate::span::Span;
use crate::syntax::ast::BinOp;
use crate::types::{EnumId, StructId, Ty};
use std::fmt;

pub type FnId = u32;
pub type LocalId = u32;

#[derive(Debug, Clone)]
pub struct Program {
    /// Mangling prefix for this module (the sanitised file stem, e.g. `hello`).
    pub module: String,
    /// All structs, indexed by `StructId`, in declaration order.
    pub structs: Vec<StructDef>,
    /// All enums, indexed by `EnumId`, in declaration order.
    pub enums: Vec<EnumDef>,
    /// All functions and methods that have bodies, indexed by `FnId`, in declaration order.
    pub functions: Vec<Function>,
    /// The `extern "C"` functions, indexed like `Resolved::externs`.
    pub externs: Vec<ExternFn>,
    /// The `main` function and whether it returns `i32` (else unit).
    pub main: Option<FnId>,
    /// By `FnId`: the function can suspend (a task body, compiled to a state machine; §14).
    /// Filled by `crate::tasks` after borrow checking.
    pub suspends: Vec<bool>,
    /// Some reachable code needs the async runtime (`crate::tasks`).
    pub uses_runtime: bool,
    /// Library mode (`vexc --lib`): the exported functions of the main file, in declaration
    /// order. They are the roots of emission and get C entry points (`emit_c/library.rs`);
    /// `main` is then `None` (a `fn main` is an ordinary function). `None` for programs.
    pub library: Option<Vec<Export>>,
}

/// An exported function of a library: a C entry point `<module>_<name>`.
#[derive(Debug, Clone)]
pub struct Export {
    pub func: FnId,
    /// For diagnostics: the function's name, each parameter's type, and the result type (the
    /// name when none is written).
    pub name_span: Span,
    pub param_spans: Vec<Span>,
    pub ret_span: Span,
}

/// A C function declared in an `extern` block (§4.9): its FFI-safe signature.
#[derive(Debug, Clone)]
pub struct ExternFn {
    pub name: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
    /// Declared with `...`: extra arguments follow the C default promotions.
    pub variadic: bool,
}

#[derive(Debug, Clone)]
pub struct StructDef {
    /// The Vex name; for instances of generic structs `Pair<i32, bool>`.
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub span: Span,
    /// A generic struct's declaration: only its instances are real types (and emitted).
    pub template: bool,
    /// Compile-time field metadata (§4.10): one entry per field, in declaration order, with the
    /// merged `key -> value` pairs of the struct's policies and the field's inline tag.
    pub metadata: Vec<(String, std::collections::BTreeMap<String, String>)>,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    /// The Vex name; for instances of generic enums `Maybe<i32>`.
    pub name: String,
    pub variants: Vec<VariantDef>,
    pub span: Span,
    /// A generic enum's declaration: only its instances are real types.
    pub template: bool,
}

impl EnumDef {
    /// No variant carries a payload: the enum is its ordinal, an `i32` (§4.4).
    pub fn unit_only(&self) -> bool {
        self.variants.iter().all(|v| v.payload.is_none())
    }
}

#[derive(Debug, Clone)]
pub struct VariantDef {
    pub name: String,
    pub payload: Option<Ty>,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiverKind {
    /// The receiver is passed as a pointer (`&S`, `&S!`, or the implicit `self`).
    ByRef,
    /// `(p: S)`: the receiver is passed by value.
    ByValue,
}

#[derive(Debug, Clone)]
pub struct Function {
    /// The Vex name (`area`); methods also have `owner`.
    pub name: String,
    /// For methods: the struct they belong to.
    pub owner: Option<StructId>,
    /// For methods: how the receiver is passed; the receiver is `params[0]`.
    pub receiver: Option<ReceiverKind>,
    /// Marked `!` (mutating method).
    pub mutating: bool,
    /// Parameters in order (the receiver first, for methods). For a `ByRef` receiver the local's
    /// type is `Ty::Ref(struct)`.
    pub params: Vec<LocalId>,
    pub ret: Ty,
    /// Every local of the function (parameters included), indexed by `LocalId`.
    pub locals: Vec<Local>,
    pub body: Block,
    pub span: Span,
    /// For a closure's body: the enclosing function's locals it captures (by value, from its
    /// environment; §9.3). `locals` is then the enclosing function's table. None otherwise.
    pub captures: Option<Vec<LocalId>>,
    /// Declared `async fn`, or the body of a `go { ... }` block: a task body (§14).
    pub is_async: bool,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    /// `let x = init;` — the local's declaration. A unit-typed init is still evaluated.
    Let { local: LocalId, init: Expr },
    /// `place = value;` — `place` is a place expression (Local, Field, Index, Deref).
    Assign { place: Expr, value: Expr },
    /// `place op= value;` — the place is evaluated once. `op` is Add/Sub/Mul/Div with the
    /// place's type on both sides.
    CompoundAssign { place: Expr, op: BinOp, value: Expr },
    Expr(Expr),
    /// `if`/`elif`/`else`: `elif` chains are nested `If`s in `else_block`.
    If { cond: Expr, then_block: Block, else_block: Option<Block> },
    While { cond: Expr, body: Block },
    /// C-style for: `init` (a Let, Assign, CompoundAssign or Expr) is scoped to the loop;
    /// `continue` runs `post` then re-tests `cond`.
    For { init: Option<Box<Stmt>>, cond: Option<Expr>, post: Option<Box<Stmt>>, body: Block },
    Return(Option<Expr>),
    Break,
    Continue,
    /// `defer call;`: registers the call (a `Call` or `MethodCall`) when executed; registered
    /// calls run LIFO on every function exit, with their arguments evaluated then (§5.10).
    Defer(Expr),
    /// `go f(args);` / `go { ... };` (§14.1): spawns a task running `func` with `args`
    /// (evaluated now, moved into the task). A `go` block is lifted into a function whose
    /// parameters are the locals it captures.
    Go { func: FnId, args: Vec<Expr> },
    /// `select { ... }`: the operations of the arms (`Lib` ChanRecv/ChanNext/ChanSend, their
    /// operands evaluated in order first) race; the first that can proceed runs its arm.
    Select { arms: Vec<SelectArm> },
}

#[derive(Debug, Clone)]
pub struct SelectArm {
    /// The channel operation; None for the default arm (taken when no operation is ready).
    pub op: Option<Expr>,
    /// The local receiving the value of a `let v = ch.recv()` / `ch.next()` arm.
    pub bind: Option<LocalId>,
    pub body: Block,
    pub span: Span,
}

/// The builtin functions of §13.1 implemented by the runtime or inline C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinFn {
    /// `assume(c)`: evaluated, no effect.
    Assume,
    /// `sizeof(v)` / `alignof(v)`: of `v`'s type (`v` is evaluated).
    SizeOf,
    AlignOf,
    /// Bit operations within the operand's width.
    Ctlz,
    Cttz,
    Ctpop,
    Bswap,
    Bitreverse,
    /// Raw memory: `alloc(n)`, `realloc(p, n)`, `free(p)`, `memset(p, byte, n)`.
    Alloc,
    Realloc,
    Free,
    Memset,
    /// C-string functions over `string` or `*u8` (§13.5).
    Strlen,
    Strcmp,
    Strcpy,
    Strcat,
    Strdup,
    /// `vex_i32_to_string(x)` and friends: the default text of `x`.
    ToString,
    /// `String()` (empty) / `String(s)`.
    StringNew,
    /// `s.len()`: the byte length.
    StrLen,
    /// `sleep(ms)`: suspends the task for at least `ms` milliseconds (§14).
    Sleep,
    /// `runtime_create(n)`, `runtime_run(rt)`, `runtime_destroy(rt)` (§14.3).
    RuntimeCreate,
    RuntimeRun,
    RuntimeDestroy,
}

/// Operations of the builtin library types (§12.2, §12.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibOp {
    /// `Vec()`: empty.
    VecNew,
    /// An array literal where a `Vec<T>` is expected: the elements.
    VecLit,
    /// `v.push(x)`: [v (a place), x].
    VecPush,
    /// `v.len()`: [v] -> i64.
    VecLen,
    /// `v.get(i)`: [v, i] -> T, aborting when out of range.
    VecGet,
    /// `a + b`: [a, b] -> a new vector.
    VecConcat,
    /// `Box(x)`: [x].
    BoxNew,
    /// `b.get()`: [b] -> a copy of the value.
    BoxGet,
    /// `Map()` / `Map(cap)`: [] or [capacity].
    MapNew,
    /// `{k: v, ...}`: [k1, v1, k2, v2, ...] in source order.
    MapLit,
    /// `m.insert(k, v)`, `m[k] = v`, `map_insert(&m, k, v)`: [m (a place), k, v].
    MapInsert,
    /// `m.get(k)`, `m[k]`: [m, k] -> V, aborting when the key is missing.
    MapGet,
    /// `m.len()`, `map_len(&m)`: [m] -> i64.
    MapLen,
    /// `Set()` / `Set(cap)`: [] or [capacity].
    SetNew,
    /// `s.insert(x)`: [s (a place), x].
    SetInsert,
    /// `s.contains(x)`: [s, x] -> bool.
    SetContains,
    /// `s.len()`: [s] -> i64.
    SetLen,
    /// `s.remove(x)`: [s (a place), x] -> bool, whether `x` was there; `x` is only read.
    SetRemove,
    /// `s.clear()`: [s (a place)].
    SetClear,
    /// `Channel(cap)`: [capacity].
    ChanNew,
    /// `ch.send(x)`: [ch, x].
    ChanSend,
    /// `ch.recv()`: [ch] -> T (aborts if the channel is closed and drained).
    ChanRecv,
    /// `ch.next()`: [ch] -> Option<T>, None once the channel is closed and drained.
    ChanNext,
    /// `ch.try_recv()`: [ch] -> Option<T> without waiting (None if empty or closed).
    ChanTryRecv,
    /// `ch.close()`: [ch].
    ChanClose,
    /// `ch.len()`: [ch] -> i64, the buffered elements.
    ChanLen,
}

impl LibOp {
    /// The operation changes the collection its first operand (a place) names.
    pub fn changes_receiver(self) -> bool {
        matches!(self, LibOp::VecPush | LibOp::MapInsert | LibOp::SetInsert | LibOp::SetRemove | LibOp::SetClear)
    }
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// Integer literal; its value fits `ty` (range-checked), negative literals included.
    Int(i128),
    Float(f64),
    Bool(bool),
    /// Decoded string contents (may contain any byte, including NUL).
    Str(String),
    Local(LocalId),
    /// `-x` (ints wrap) / `!b` (bool only for now).
    Unary { op: crate::syntax::ast::UnaryOp, operand: Box<Expr> },
    /// Both operands have the same type, except shifts (any integer count). `And`/`Or` short-circuit.
    /// For `Eq`/`Ne` on `string`: byte-wise comparison. Result type in `ty`.
    Binary { op: BinOp, lhs: Box<Expr>, rhs: Box<Expr> },
    /// Numeric cast; `ty` is the target. Float→int saturates (NaN → 0).
    Cast(Box<Expr>),
    /// Call of a free function.
    Call { func: FnId, args: Vec<Expr> },
    /// Call of a function value (a closure or a function held in a variable, §9.2).
    CallValue { callee: Box<Expr>, args: Vec<Expr> },
    /// A closure: the function holding its body and the captured locals' current values
    /// (`Local` expressions, copied into its environment).
    Closure { func: FnId, captures: Vec<Expr> },
    /// A top-level function used as a value (null environment).
    FnRef(FnId),
    /// An operation of a builtin library type (§12); the operands are in `args` (a receiver
    /// first, as a place when the operation changes it).
    Lib { op: LibOp, args: Vec<Expr> },
    /// A call of an `extern "C"` function (index into `Program::externs`); variadic extra
    /// arguments follow the declared ones.
    ExternCall { func: u32, args: Vec<Expr> },
    /// A call of a builtin function of §13.1 (other than the print family and aborts).
    Builtin { func: BuiltinFn, args: Vec<Expr> },
    /// `f"..."`: the pieces of text and values, formatted as by `print` (§13.3).
    FString(Vec<PrintPart>),
    /// Call of a method; `receiver` says how to pass it.
    /// `operator`: written as an operator (`a + b` through `Add`), whose operands never move
    /// (§15.2); arguments by value still get their own copies.
    MethodCall { func: FnId, receiver: Receiver, args: Vec<Expr>, operator: bool },
    /// `base.field` where `base` has struct or tuple type (`t.0` is field 0; references already
    /// dereferenced by `Deref` nodes).
    Field { base: Box<Expr>, field: u32 },
    /// `base[index]` on an array; aborts with the source line when out of bounds.
    Index { base: Box<Expr>, index: Box<Expr> },
    /// `arr.get(i)`: the element, or the zero value of the element type when out of range.
    ArrayGet { base: Box<Expr>, index: Box<Expr> },
    /// Struct literal; field initialisers in *source* order (which is the evaluation order).
    StructLit { id: StructId, fields: Vec<(u32, Expr)> },
    ArrayLit(Vec<Expr>),
    /// `(a, b, ...)`: a tuple of at least one element (its fields are read with `Field`).
    TupleLit(Vec<Expr>),
    /// `E.V` / `E.V(payload)`.
    EnumLit { id: EnumId, variant: u32, payload: Option<Box<Expr>> },
    /// The ordinal of a unit-only enum value, as `i32` (§3.8 item 2).
    EnumOrdinal(Box<Expr>),
    /// `e?` (§6.12): if `inner` is variant `fail`, return from the function with its variant
    /// `ret_fail` carrying the same payload (if any); otherwise the payload of variant `ok`.
    Try { inner: Box<Expr>, ok: u32, fail: u32, ret_fail: u32 },
    /// `match`: arms are tried in order; the scrutinee is evaluated once. Type: the arms' type.
    Match { scrutinee: Box<Expr>, arms: Vec<Arm> },
    /// `[value; count]`
    ArrayRepeat { value: Box<Expr>, count: u64 },
    /// `()`
    Unit,
    /// `&place` / `&place!`
    AddrOf { place: Box<Expr>, mutable: bool },
    /// `*r`, also inserted for auto-deref in field access and method receivers.
    Deref(Box<Expr>),
    /// `assert(cond[, msg])` (type `()`), `panic(msg)` and `unreachable()` (type `!`):
    /// report on stderr with the source line and abort (§13.1).
    Abort { kind: AbortKind, message: Option<Box<Expr>>, condition: Option<Box<Expr>> },
    /// `print`/`println`/`eprint`/`eprintln` after mode selection (§13.2). Type `()`.
    Print { parts: Vec<PrintPart>, newline: bool, stderr: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbortKind {
    Assert,
    Panic,
    Unreachable,
}

#[derive(Debug, Clone)]
pub struct Arm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    /// Statements of a block arm (empty for an expression arm) and the arm's value.
    pub stmts: Vec<Stmt>,
    pub value: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Pattern {
    /// `_`
    Wildcard,
    /// A binding: the scrutinee (or payload) is copied into this local.
    Bind(LocalId),
    /// Equal to this literal (Int, Float, Bool or Str expression).
    Literal(Expr),
    /// Variant `variant` of the scrutinee's enum, with a payload pattern.
    Variant { variant: u32, payload: Option<Box<Pattern>> },
    /// An `i32` scrutinee equal to this unit-enum ordinal (§7.2).
    Ordinal(i128),
    Or(Vec<Pattern>),
}

#[derive(Debug, Clone)]
pub enum Receiver {
    /// Pass the address of this place (or of a temporary holding this value if it is not a place).
    AddressOf(Box<Expr>),
    /// This expression is already a reference to the struct: pass it as the pointer.
    Pointer(Box<Expr>),
    /// Pass this struct value by value.
    Value(Box<Expr>),
}

#[derive(Debug, Clone)]
pub enum PrintPart {
    /// Literal text printed as is.
    Text(String),
    /// A value printed in the given style. References are already dereferenced. Types are
    /// ints, floats, bool, string.
    Value { expr: Expr, style: PrintStyle },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintStyle {
    /// `{}` and list mode: §13.3 default text.
    Display,
    /// `{:?}`: `i32(5)`, `f64(2.5)`, `bool(true)`, `"text"`.
    Debug,
    /// `{:x}`: lower-case hex of the two's-complement bits of the integer's type.
    Hex,
    /// `{:.N}`: `%.Nf` of a float.
    Precision(u32),
}

impl Program {
    pub fn ty_name(&self, ty: &Ty) -> String {
        struct D<'a>(&'a Program, &'a Ty);
        impl fmt::Display for D<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.1.fmt_named(
                    f,
                    &|id| self.0.structs.get(id as usize).map(|s| s.name.clone()).unwrap_or_else(|| "?".into()),
                    &|id| self.0.enums.get(id as usize).map(|s| s.name.clone()).unwrap_or_else(|| "?".into()),
                )
            }
        }
        D(self, ty).to_string()
    }

    /// Whether `ty` or a type it contains by value has a property. `leaf` decides a type when it
    /// can (`Some`); otherwise the answer is whether any component has it: array elements, tuple
    /// elements, library type arguments, struct fields, enum payloads. A struct or enum already
    /// being looked at further up counts as not having it. One walk serves Copy-ness, "holds a
    /// reference" (borrowck) and "owns heap data" (the C back end).
    pub fn any_component(&self, ty: &Ty, leaf: &dyn Fn(&Ty) -> Option<bool>) -> bool {
        self.any_component_in(ty, false, leaf)
    }

    /// As [`Program::any_component`], also looking behind references, raw pointers and
    /// function types (their parameters and result) where `leaf` gives no answer. Types may be
    /// cyclic through references (`struct A { b: &B }`, `struct B { a: [A; 2] }`): the one
    /// walk's guard on structs and enums stops the cycle (a leaf restarting a walk of its own
    /// would recurse forever).
    pub fn any_component_through_refs(&self, ty: &Ty, leaf: &dyn Fn(&Ty) -> Option<bool>) -> bool {
        self.any_component_in(ty, true, leaf)
    }

    fn any_component_in(&self, ty: &Ty, through: bool, leaf: &dyn Fn(&Ty) -> Option<bool>) -> bool {
        return go(self, ty, through, leaf, &mut Vec::new());

        fn go(p: &Program, ty: &Ty, through: bool, leaf: &dyn Fn(&Ty) -> Option<bool>, visiting: &mut Vec<Ty>) -> bool {
            if let Some(answer) = leaf(ty) {
                return answer;
            }
            let sub = |t: &Ty, visiting: &mut Vec<Ty>| go(p, t, through, leaf, visiting);
            match ty {
                Ty::Array(t, _) => sub(t, visiting),
                Ty::Tuple(ts) | Ty::Lib(_, ts) => ts.iter().any(|t| sub(t, visiting)),
                Ty::Ref(t, _) | Ty::Ptr(t, _) if through => sub(t, visiting),
                Ty::Fn(ps, r) if through => ps.iter().any(|t| sub(t, visiting)) || sub(r, visiting),
                Ty::Struct(id) | Ty::Enum(id) => {
                    if visiting.contains(ty) {
                        return false;
                    }
                    visiting.push(ty.clone());
                    let found = match ty {
                        Ty::Struct(_) => p.structs.get(*id as usize).is_some_and(|s| s.fields.iter().any(|f| sub(&f.ty, visiting))),
                        _ => p
                            .enums
                            .get(*id as usize)
                            .is_some_and(|e| e.variants.iter().any(|v| v.payload.as_ref().is_some_and(|t| sub(t, visiting)))),
                    };
                    visiting.pop();
                    found
                }
                _ => false,
            }
        }
    }
}

impl Expr {
    /// True for expressions that denote a memory location (assignable / addressable).
    pub fn is_place(&self) -> bool {
        match &self.kind {
            ExprKind::Local(_) | ExprKind::Deref(_) => true,
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => base.is_place(),
            _ => false,
        }
    }
}

// ---------------------------------------------------------------- walking

/// A visitor over HIR: `walk_*` call `stmt` on every statement and `expr` on every expression
/// exactly once, in source order (pre-order), including statements inside match arms.
pub trait Visit {
    fn stmt(&mut self, _s: &Stmt) {}
    fn expr(&mut self, _e: &Expr) {}
}

pub fn walk_block(b: &Block, v: &mut impl Visit) {
    for s in &b.stmts {
        walk_stmt(s, v);
    }
}

pub fn walk_stmt(s: &Stmt, v: &mut impl Visit) {
    v.stmt(s);
    match &s.kind {
        StmtKind::Let { init: e, .. } | StmtKind::Expr(e) | StmtKind::Return(Some(e)) | StmtKind::Defer(e) => walk_expr(e, v),
        StmtKind::Assign { place, value } | StmtKind::CompoundAssign { place, value, .. } => {
            walk_expr(place, v);
            walk_expr(value, v);
        }
        StmtKind::If { cond, then_block, else_block } => {
            walk_expr(cond, v);
            walk_block(then_block, v);
            if let Some(b) = else_block {
                walk_block(b, v);
            }
        }
        StmtKind::While { cond, body } => {
            walk_expr(cond, v);
            walk_block(body, v);
        }
        StmtKind::For { init, cond, post, body } => {
            if let Some(i) = init {
                walk_stmt(i, v);
            }
            if let Some(c) = cond {
                walk_expr(c, v);
            }
            if let Some(p) = post {
                walk_stmt(p, v);
            }
            walk_block(body, v);
        }
        StmtKind::Go { args, .. } => args.iter().for_each(|a| walk_expr(a, v)),
        StmtKind::Select { arms } => {
            for arm in arms {
                if let Some(op) = &arm.op {
                    walk_expr(op, v);
                }
            }
            for arm in arms {
                walk_block(&arm.body, v);
            }
        }
        StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
    }
}

pub fn walk_expr(e: &Expr, v: &mut impl Visit) {
    v.expr(e);
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Local(_) | ExprKind::Unit => {}
        ExprKind::Unary { operand: x, .. } | ExprKind::Cast(x) | ExprKind::Deref(x) | ExprKind::EnumOrdinal(x) => walk_expr(x, v),
        ExprKind::Try { inner, .. } => walk_expr(inner, v),
        ExprKind::AddrOf { place, .. } => walk_expr(place, v),
        ExprKind::ArrayRepeat { value, .. } => walk_expr(value, v),
        ExprKind::Field { base, .. } => walk_expr(base, v),
        ExprKind::Binary { lhs, rhs, .. } => {
            walk_expr(lhs, v);
            walk_expr(rhs, v);
        }
        ExprKind::Index { base, index } | ExprKind::ArrayGet { base, index } => {
            walk_expr(base, v);
            walk_expr(index, v);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| walk_expr(a, v)),
        ExprKind::CallValue { callee, args } => {
            walk_expr(callee, v);
            args.iter().for_each(|a| walk_expr(a, v));
        }
        ExprKind::Closure { captures, .. } => captures.iter().for_each(|a| walk_expr(a, v)),
        ExprKind::FnRef(_) => {}
        ExprKind::Lib { args, .. } | ExprKind::Builtin { args, .. } | ExprKind::ExternCall { args, .. } => args.iter().for_each(|a| walk_expr(a, v)),
        ExprKind::FString(parts) => {
            for p in parts {
                if let PrintPart::Value { expr, .. } = p {
                    walk_expr(expr, v);
                }
            }
        }
        ExprKind::MethodCall { receiver, args, .. } => {
            match receiver {
                Receiver::AddressOf(r) | Receiver::Pointer(r) | Receiver::Value(r) => walk_expr(r, v),
            }
            args.iter().for_each(|a| walk_expr(a, v));
        }
        ExprKind::StructLit { fields, .. } => fields.iter().for_each(|(_, x)| walk_expr(x, v)),
        ExprKind::ArrayLit(es) | ExprKind::TupleLit(es) => es.iter().for_each(|x| walk_expr(x, v)),
        ExprKind::EnumLit { payload, .. } => {
            if let Some(p) = payload {
                walk_expr(p, v);
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            walk_expr(scrutinee, v);
            for arm in arms {
                walk_pattern(&arm.pattern, v);
                if let Some(g) = &arm.guard {
                    walk_expr(g, v);
                }
                for s in &arm.stmts {
                    walk_stmt(s, v);
                }
                if let Some(x) = &arm.value {
                    walk_expr(x, v);
                }
            }
        }
        ExprKind::Print { parts, .. } => {
            for p in parts {
                if let PrintPart::Value { expr, .. } = p {
                    walk_expr(expr, v);
                }
            }
        }
        ExprKind::Abort { message, condition, .. } => {
            if let Some(c) = condition {
                walk_expr(c, v);
            }
            if let Some(m) = message {
                walk_expr(m, v);
            }
        }
    }
}

fn walk_pattern(p: &Pattern, v: &mut impl Visit) {
    match p {
        Pattern::Literal(e) => walk_expr(e, v),
        Pattern::Variant { payload: Some(q), .. } => walk_pattern(q, v),
        Pattern::Or(ps) => ps.iter().for_each(|q| walk_pattern(q, v)),
        _ => {}
    }
}

struct ExprFn<F>(F);

impl<F: FnMut(&Expr)> Visit for ExprFn<F> {
    fn expr(&mut self, e: &Expr) {
        (self.0)(e)
    }
}

struct StmtFn<F>(F);

impl<F: FnMut(&Stmt)> Visit for StmtFn<F> {
    fn stmt(&mut self, s: &Stmt) {
        (self.0)(s)
    }
}

/// Calls `f` on `e` and every sub-expression (pre-order).
pub fn visit_expr(e: &Expr, f: &mut impl FnMut(&Expr)) {
    walk_expr(e, &mut ExprFn(f));
}

/// Calls `f` on every expression of the block (pre-order).
pub fn visit_block_exprs(b: &Block, f: &mut impl FnMut(&Expr)) {
    walk_block(b, &mut ExprFn(f));
}

/// Calls `f` on every statement of the block, nested ones included (those in `for` headers and
/// match arms too).
pub fn visit_block_stmts(b: &Block, f: &mut impl FnMut(&Stmt)) {
    walk_block(b, &mut StmtFn(f));
}

/// Calls `f` on `s` and every statement nested in it.
pub fn visit_stmts(s: &Stmt, f: &mut impl FnMut(&Stmt)) {
    walk_stmt(s, &mut StmtFn(f));
}
