//! The abstract syntax tree of a Vex source file: the whole surface syntax of LANGUAGE.md,
//! including constructs the later stages reject with E0658. Every node carries a `Span`;
//! expressions and bindings carry a `NodeId` so later stages can attach facts in side tables.

use crate::span::Span;

/// Identifies an expression, a pattern binding, a `let`, a parameter or a closure parameter
/// within one file. Assigned densely by the parser, starting at 0.
pub type NodeId = u32;

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct File {
    pub items: Vec<Item>,
    /// One past the largest NodeId used in this file.
    pub node_count: u32,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    /// `export fn ...` etc.
    pub exported: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ItemKind {
    Fn(FnDecl),
    Struct(StructDecl),
    Enum(EnumDecl),
    Trait(TraitDecl),
    Const(ConstDecl),
    TypeAlias(TypeAlias),
    Policy(PolicyDecl),
    Extern(ExternBlock),
    Import(Import),
    /// `export { a, b };`
    ExportList(Vec<Ident>),
}

#[derive(Debug, Clone)]
pub struct FnDecl {
    pub is_async: bool,
    pub name: Ident,
    /// Go-style receiver `fn (p: &Point) name(...)`, or an explicit `(self: &S)` inside a struct body.
    pub receiver: Option<Param>,
    pub type_params: Vec<TypeParam>,
    pub params: Vec<Param>,
    /// The `!` after the parameter list (mutating method marker).
    pub mutating: Option<Span>,
    pub ret: Option<Type>,
    /// `None` for trait method signatures and extern functions.
    pub body: Option<Block>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub id: NodeId,
    pub name: Ident,
    pub ty: Type,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TypeParam {
    pub name: Ident,
    pub bounds: Vec<Bound>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Bound {
    Trait(Ident, Vec<Type>),
    /// `Callable(T, U): R`, `CallableMut(..): R`, `CallableOnce(..): R`
    Callable { kind: Ident, params: Vec<Type>, ret: Type },
}

#[derive(Debug, Clone)]
pub struct StructDecl {
    pub name: Ident,
    pub type_params: Vec<TypeParam>,
    /// `with Policy1, Policy2`
    pub policies: Vec<Ident>,
    /// `impl Trait1, Trait2`
    pub impls: Vec<TraitRef>,
    pub fields: Vec<Field>,
    pub methods: Vec<FnDecl>,
    /// `type Item = i32;` inside the body.
    pub assoc_types: Vec<(Ident, Type)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TraitRef {
    pub name: Ident,
    pub args: Vec<Type>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: Ident,
    pub ty: Type,
    /// Raw text of a backtick tag, without the backticks.
    pub tag: Option<(String, Span)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct EnumDecl {
    pub name: Ident,
    pub type_params: Vec<TypeParam>,
    pub variants: Vec<Variant>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: Ident,
    pub payload: Option<Type>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TraitDecl {
    pub name: Ident,
    pub type_params: Vec<TypeParam>,
    /// Signatures (body == None). A body here is a syntax error reported by the parser.
    pub methods: Vec<FnDecl>,
    pub assoc_types: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ConstDecl {
    pub name: Ident,
    pub ty: Type,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TypeAlias {
    pub name: Ident,
    pub type_params: Vec<TypeParam>,
    /// More than one entry is a union `A | B` (provisionally its first member, §3.6).
    pub alternatives: Vec<Type>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct PolicyDecl {
    pub name: Ident,
    pub parents: Vec<Ident>,
    pub fields: Vec<(Ident, String, Span)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ExternBlock {
    pub abi: Option<String>,
    pub fns: Vec<ExternFn>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ExternFn {
    pub name: Ident,
    pub params: Vec<Param>,
    pub variadic: bool,
    pub ret: Option<Type>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Import {
    /// `import { a, b } from "io";`
    Named { names: Vec<Ident>, module: String, module_span: Span },
    /// `import "io";`
    Module { module: String, module_span: Span },
    /// `import * as m from "io";`
    Namespace { alias: Ident, module: String, module_span: Span },
}

// ---------------------------------------------------------------- types

#[derive(Debug, Clone)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    /// `i32`, `Point`, `Vec<i32>`, `Map<K, V>`, `Self`, `str`, ...
    Named { name: Ident, args: Vec<Type> },
    /// `&T` / `&T!`
    Ref { inner: Box<Type>, mutable: bool },
    /// `&[T]` / `&[T]!`
    Slice { inner: Box<Type>, mutable: bool },
    /// `*T` / `*const T`
    Ptr { inner: Box<Type>, is_const: bool },
    /// `[T; N]`
    Array { elem: Box<Type>, len: u64, len_span: Span },
    /// `(A, B)`; `()` is the unit type (empty vec).
    Tuple(Vec<Type>),
    /// `fn(A, B): R`
    Fn { params: Vec<Type>, ret: Box<Type> },
    /// `!`
    Never,
}

// ---------------------------------------------------------------- statements

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
    Let(LetStmt),
    /// `place op= value;`
    Assign { place: Expr, op: AssignOp, value: Expr },
    Expr(Expr),
    If { branches: Vec<(Expr, Block)>, else_block: Option<Block> },
    While { cond: Expr, body: Block },
    /// C-style `for init; cond; post { body }`. `init` is a Let, Assign or Expr statement.
    For { init: Option<Box<Stmt>>, cond: Option<Expr>, post: Option<Box<Stmt>>, body: Block },
    /// `for x in e { }` [LATER]
    ForIn { var: Ident, var_id: NodeId, iter: Expr, body: Block },
    Switch { scrutinee: Expr, cases: Vec<SwitchCase>, default: Option<(Vec<Stmt>, Span)> },
    Return(Option<Expr>),
    Break,
    Continue,
    Defer(Expr),
    /// `go { ... };` or `go call(..);`
    Go(Expr),
    /// A bare `{ ... }` block, `unsafe { }` or `loop { }` statement [LATER]; kept so it can be rejected with a span.
    Unsupported(&'static str),
    /// `select { arm* }` (§14, docs/SPEC.md): waits until one channel operation can proceed.
    Select(Vec<SelectArm>),
    /// `let (a, b) = value;` / `let P { x, y } = value;` [LATER]: rejected, but its names are
    /// declared so that their uses do not add "cannot find" errors to the one that matters.
    DestructuringLet { pattern: Pattern, value: Expr },
}

#[derive(Debug, Clone)]
pub struct SelectArm {
    /// `let name = op`: the received value's binding (its node id declares the local).
    pub bind: Option<(NodeId, Ident)>,
    /// The operation (`ch.recv()`, `ch.next()`, `ch.send(v)`); None for the default arm `_`.
    pub op: Option<Expr>,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct LetStmt {
    pub id: NodeId,
    pub mutable: bool,
    pub name: Ident,
    pub ty: Option<Type>,
    pub value: Expr,
}

#[derive(Debug, Clone)]
pub struct SwitchCase {
    pub values: Vec<Expr>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Assign,
    Add,
    Sub,
    Mul,
    Div,
}

// ---------------------------------------------------------------- expressions

#[derive(Debug, Clone)]
pub struct Expr {
    pub id: NodeId,
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// Decimal integer literal; the value may exceed every Vex type (range-checked later).
    Int(u128),
    /// Float literal, with its source text.
    Float(f64),
    /// Decoded string literal contents.
    Str(String),
    /// `f"..."`: literal pieces and interpolated expressions, in order.
    FString(Vec<FStringPart>),
    Bool(bool),
    Nil,
    /// A name: variable, function, enum type (as the left of `E.V`), builtin.
    Ident(Ident),
    Unary { op: UnaryOp, operand: Box<Expr> },
    /// `&e` / `&e!`
    AddrOf { operand: Box<Expr>, mutable: bool },
    /// `*e`
    Deref(Box<Expr>),
    Binary { op: BinOp, lhs: Box<Expr>, rhs: Box<Expr> },
    Cast { expr: Box<Expr>, ty: Type },
    /// `f(args)` or `f<T>(args)`
    Call { callee: Box<Expr>, type_args: Vec<Type>, args: Vec<Expr> },
    /// `recv.name(args)` and `recv.name(args)!`
    MethodCall { receiver: Box<Expr>, name: Ident, args: Vec<Expr>, bang: Option<Span> },
    /// `e.name`
    Field { base: Box<Expr>, name: Ident },
    /// `e.0`
    TupleField { base: Box<Expr>, index: u32, index_span: Span },
    Index { base: Box<Expr>, index: Box<Expr> },
    /// `e?`
    Try(Box<Expr>),
    Await(Box<Expr>),
    /// `Name { f: e, ... }` / `Name<T> { ... }`
    StructLit { name: Ident, type_args: Vec<Type>, fields: Vec<FieldInit> },
    /// `[a, b, c]`
    ArrayLit(Vec<Expr>),
    /// `[value; count]`
    ArrayRepeat { value: Box<Expr>, count: Box<Expr> },
    /// `(a, b)`; `()` is the unit value.
    Tuple(Vec<Expr>),
    /// `{ k: v, ... }` / `{}`
    MapLit(Vec<(Expr, Expr)>),
    /// `Map()`, `Map<K, V>()`, `Set(..)`: the keyword-named constructors.
    CollectionCtor { name: Ident, type_args: Vec<Type>, args: Vec<Expr> },
    Match { scrutinee: Box<Expr>, arms: Vec<MatchArm> },
    Closure(Closure),
    /// `{ stmts; tail }` — only as a match arm, closure or go body.
    Block(BlockExpr),
    /// `a..b` / `a..=b`
    Range { start: Box<Expr>, end: Box<Expr>, inclusive: bool },
    /// `x++` / `x--` [LATER]
    PostIncDec { operand: Box<Expr>, increment: bool },
}

#[derive(Debug, Clone)]
pub enum FStringPart {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct BlockExpr {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Closure {
    pub params: Vec<Param>,
    pub ret: Option<Type>,
    pub body: Box<Expr>,
}

#[derive(Debug, Clone)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    pub id: NodeId,
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum PatternKind {
    Wildcard,
    /// An integer literal pattern; `negative` for `-1`.
    Int { value: u128, negative: bool },
    Float(f64),
    Str(String),
    Bool(bool),
    /// A bare identifier: a binding (or a constant / unit variant, decided by resolution).
    Binding(Ident),
    /// `E.V`, `E.V(p)`, `E.V()`; `enum_name` is None for the short forms `Some(p)`, `None` is a Binding.
    Variant { enum_name: Option<Ident>, variant: Ident, payload: Option<Box<Pattern>>, has_parens: bool },
    Or(Vec<Pattern>),
    Tuple(Vec<Pattern>),
    Struct { name: Ident, fields: Vec<(Ident, Option<Pattern>)> },
    Range { start: Box<Pattern>, end: Box<Pattern>, inclusive: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            And => "&&",
            Or => "||",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            Shl => "<<",
            Shr => ">>",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }

    pub fn is_arithmetic(self) -> bool {
        matches!(self, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem)
    }

    pub fn is_bitwise(self) -> bool {
        matches!(self, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor)
    }

    pub fn is_shift(self) -> bool {
        matches!(self, BinOp::Shl | BinOp::Shr)
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }
}

impl AssignOp {
    /// The binary operator of a compound assignment (`+=` is `Add`).
    pub fn bin_op(self) -> Option<BinOp> {
        match self {
            AssignOp::Assign => None,
            AssignOp::Add => Some(BinOp::Add),
            AssignOp::Sub => Some(BinOp::Sub),
            AssignOp::Mul => Some(BinOp::Mul),
            AssignOp::Div => Some(BinOp::Div),
        }
    }
}
