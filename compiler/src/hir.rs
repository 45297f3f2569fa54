//! Typed HIR: the output of the type checker and the input of the borrow checker and the C back end.
//!
//! Everything here is resolved and explicit: every expression has its type; locals are `LocalId`s;
//! calls name a `FnId`; auto-dereferencing is spelled out as `Deref` nodes; literals already have
//! their final type; `print` calls are split into typed pieces; array `.len()` is folded to a literal.

use crate::span::Span;
use crate::syntax::ast::BinOp;
use crate::types::{StructId, Ty};
use std::fmt;

pub type FnId = u32;
pub type LocalId = u32;

#[derive(Debug, Clone)]
pub struct Program {
    /// Mangling prefix for this module (the sanitised file stem, e.g. `hello`).
    pub module: String,
    /// All structs, indexed by `StructId`, in declaration order.
    pub structs: Vec<StructDef>,
    /// All functions and methods that have bodies, indexed by `FnId`, in declaration order.
    pub functions: Vec<Function>,
    /// The `main` function and whether it returns `i32` (else unit).
    pub main: Option<FnId>,
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub span: Span,
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
    /// Call of a method; `receiver` says how to pass it.
    MethodCall { func: FnId, receiver: Receiver, args: Vec<Expr> },
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
    /// `[value; count]`
    ArrayRepeat { value: Box<Expr>, count: u64 },
    /// `()`
    Unit,
    /// `&place` / `&place!`
    AddrOf { place: Box<Expr>, mutable: bool },
    /// `*r`, also inserted for auto-deref in field access and method receivers.
    Deref(Box<Expr>),
    /// `print`/`println`/`eprint`/`eprintln` after mode selection (§13.2). Type `()`.
    Print { parts: Vec<PrintPart>, newline: bool, stderr: bool },
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
                self.1.fmt_with(f, &|id| {
                    self.0.structs.get(id as usize).map(|s| s.name.clone()).unwrap_or_else(|| "?".into())
                })
            }
        }
        D(self, ty).to_string()
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

/// Calls `f` on `e` and every sub-expression (pre-order).
pub fn visit_expr(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Local(_) | ExprKind::Unit => {}
        ExprKind::Unary { operand: x, .. } | ExprKind::Cast(x) | ExprKind::Deref(x) => visit_expr(x, f),
        ExprKind::AddrOf { place, .. } => visit_expr(place, f),
        ExprKind::ArrayRepeat { value, .. } => visit_expr(value, f),
        ExprKind::Field { base, .. } => visit_expr(base, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit_expr(lhs, f);
            visit_expr(rhs, f);
        }
        ExprKind::Index { base, index } | ExprKind::ArrayGet { base, index } => {
            visit_expr(base, f);
            visit_expr(index, f);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| visit_expr(a, f)),
        ExprKind::MethodCall { receiver, args, .. } => {
            match receiver {
                Receiver::AddressOf(r) | Receiver::Pointer(r) | Receiver::Value(r) => visit_expr(r, f),
            }
            args.iter().for_each(|a| visit_expr(a, f));
        }
        ExprKind::StructLit { fields, .. } => fields.iter().for_each(|(_, v)| visit_expr(v, f)),
        ExprKind::ArrayLit(es) | ExprKind::TupleLit(es) => es.iter().for_each(|x| visit_expr(x, f)),
        ExprKind::Print { parts, .. } => {
            for p in parts {
                if let PrintPart::Value { expr, .. } = p {
                    visit_expr(expr, f);
                }
            }
        }
    }
}

/// Calls `f` on every expression of the block (pre-order).
pub fn visit_block_exprs(b: &Block, f: &mut impl FnMut(&Expr)) {
    for s in &b.stmts {
        visit_stmt(s, f);
    }
}

fn visit_stmt(s: &Stmt, f: &mut impl FnMut(&Expr)) {
    match &s.kind {
        StmtKind::Let { init: e, .. } | StmtKind::Expr(e) | StmtKind::Return(Some(e)) => visit_expr(e, f),
        StmtKind::Assign { place, value } | StmtKind::CompoundAssign { place, value, .. } => {
            visit_expr(place, f);
            visit_expr(value, f);
        }
        StmtKind::If { cond, then_block, else_block } => {
            visit_expr(cond, f);
            visit_block_exprs(then_block, f);
            if let Some(b) = else_block {
                visit_block_exprs(b, f);
            }
        }
        StmtKind::While { cond, body } => {
            visit_expr(cond, f);
            visit_block_exprs(body, f);
        }
        StmtKind::For { init, cond, post, body } => {
            if let Some(i) = init {
                visit_stmt(i, f);
            }
            if let Some(c) = cond {
                visit_expr(c, f);
            }
            if let Some(p) = post {
                visit_stmt(p, f);
            }
            visit_block_exprs(body, f);
        }
        StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
    }
}

/// Calls `f` on every statement of the block, nested ones included (pre-order; a `for`'s
/// init and post statements count).
pub fn visit_block_stmts(b: &Block, f: &mut impl FnMut(&Stmt)) {
    for s in &b.stmts {
        f(s);
        match &s.kind {
            StmtKind::If { then_block, else_block, .. } => {
                visit_block_stmts(then_block, f);
                if let Some(e) = else_block {
                    visit_block_stmts(e, f);
                }
            }
            StmtKind::While { body, .. } => visit_block_stmts(body, f),
            StmtKind::For { init, post, body, .. } => {
                if let Some(i) = init {
                    f(i);
                }
                if let Some(p) = post {
                    f(p);
                }
                visit_block_stmts(body, f);
            }
            _ => {}
        }
    }
}
