//! A generator of random, well-typed Vex programs with well-defined behaviour, for the
//! differential back-end check (`compiler/tests/differential.rs`).
//!
//! A program is a deterministic function of its seed. It declares a few structs (integer, bool,
//! f64, array and nested-struct fields), data enums and a unit-only enum, free functions (each
//! calls only functions declared before it, so calls terminate), bounded recursive functions,
//! Go-style methods (plain and mutating), and `main`. Bodies mix every integer width, wrapping
//! arithmetic, bitwise operators, shifts by any count, comparisons, `as` casts between all
//! numeric types and from bool, short-circuit `&&`/`||` whose right operand prints when it is
//! evaluated (`tick`), `if`/`elif`/`else`, bounded `while`/`for` loops with `break`/`continue`,
//! `match` on enums, integers and with guards, tuples, fixed arrays, strings, f-strings and the
//! format mode of `println`, `Vec` and `Map`, and the bit builtins. Nearly every value computed
//! is printed, so a miscompiled operation shows in the output.
//!
//! Well-defined behaviour: integer overflow wraps and shift counts are masked (LANGUAGE.md §6.2),
//! so any operands are fine; divisors are `(x | 1)` (never zero; `MIN / -1` wraps); indices
//! are reduced modulo the length; map keys are kept in a range that was inserted first; f64
//! products go through `fclamp`, so no infinity (and no NaN) ever appears; loops have constant
//! trip bounds and a cost budget bounds the work of a whole run. A generated program must
//! therefore compile, exit normally and print the same in every correct build.
//!
//! Literal typing: an integer literal takes its type from the context (LANGUAGE.md §3.7); where
//! an expression has no context (cast operands, print arguments, shift operands, comparisons of
//! two literals, scrutinees), a literal-only expression is wrapped in `id_<type>(..)`.

use std::fmt::Write as _;

/// splitmix64: small, fast, and the same sequence on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
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

const INTS: [IntTy; 8] = [IntTy::I8, IntTy::I16, IntTy::I32, IntTy::I64, IntTy::U8, IntTy::U16, IntTy::U32, IntTy::U64];

impl IntTy {
    fn name(self) -> &'static str {
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
    fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }
    fn signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }
    fn min(self) -> i128 {
        if self.signed() {
            -(1i128 << (self.bits() - 1))
        } else {
            0
        }
    }
    fn max(self) -> i128 {
        if self.signed() {
            (1i128 << (self.bits() - 1)) - 1
        } else {
            (1i128 << self.bits()) - 1
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Ty {
    Int(IntTy),
    Bool,
    F64,
    Str,
    Struct(usize),
    Enum(usize),
    Array(IntTy, usize),
    Tuple(IntTy, IntTy),
    Vec(IntTy),
    /// `Map<i64, T>` whose keys 0..=7 are all present.
    Map(IntTy),
    /// A closure `fn(P..): R` over integers (declared by `closure_stmt` only).
    Fn(Vec<IntTy>, IntTy),
}

/// A generated expression: its text, and whether it consists of literals only (then its
/// integer type comes from the context, so it needs one).
struct Ex {
    s: String,
    lit: bool,
}

impl Ex {
    fn lit(s: String) -> Ex {
        Ex { s, lit: true }
    }
    fn typed(s: String) -> Ex {
        Ex { s, lit: false }
    }
}

#[derive(Clone)]
struct Var {
    name: String,
    ty: Ty,
    /// Assignable (a `let!` the body owns; loop counters are not).
    mutable: bool,
}

#[derive(Clone, PartialEq)]
enum FnKind {
    Free,
    /// Linear (one recursive call) or tree (two) recursion on the first parameter `n: i32`.
    Rec { tree: bool },
    /// A Go-style method of a struct; `mutating` ones are called as `v.m(..)!`.
    Method { of: usize, mutating: bool },
}

struct Func {
    name: String,
    params: Vec<Ty>,
    ret: Option<Ty>,
    kind: FnKind,
    /// Estimated work of one call (statements, calls, prints), for the budget.
    cost: u64,
}

struct StructDef {
    fields: Vec<Ty>,
}

struct EnumDef {
    variants: Vec<Option<Ty>>,
}

/// Work allowed for one function body (in statement units, loop trip counts multiplied in).
const FN_BUDGET: u64 = 400;
const MAIN_BUDGET: u64 = 6000;

pub struct Gen {
    rng: Rng,
    structs: Vec<StructDef>,
    enums: Vec<EnumDef>,
    funcs: Vec<Func>,
    out: String,
    // the function being generated
    scopes: Vec<Vec<Var>>,
    next_name: usize,
    indent: usize,
    mult: u64,
    cost: u64,
    budget: u64,
    loop_depth: usize,
    in_fn: usize,
    /// In a mutating method: `self`'s fields may be assigned.
    self_mutable: bool,
    tick_no: usize,
    line_no: usize,
}

/// Generates the program of `seed`.
pub fn program(seed: u64) -> String {
    let mut g = Gen {
        rng: Rng::new(seed),
        structs: Vec::new(),
        enums: Vec::new(),
        funcs: Vec::new(),
        out: String::new(),
        scopes: Vec::new(),
        next_name: 0,
        indent: 0,
        mult: 1,
        cost: 0,
        budget: 0,
        loop_depth: 0,
        in_fn: 0,
        self_mutable: false,
        tick_no: 0,
        line_no: 0,
    };
    g.generate(seed);
    g.out
}

impl Gen {
    // ------------------------------------------------------------------ items

    fn generate(&mut self, seed: u64) {
        let _ = writeln!(self.out, "// Generated by compiler/tests/difftest/gen.rs from seed {seed}.");
        // structs: fields of scalars, arrays and earlier structs
        let nstructs = self.rng.range(1, 3) as usize;
        for i in 0..nstructs {
            let nf = self.rng.range(1, 4) as usize;
            let mut fields = Vec::new();
            for _ in 0..nf {
                let t = match self.rng.below(10) {
                    0 => Ty::Bool,
                    1 => Ty::F64,
                    2 => Ty::Array(*self.rng.pick(&INTS), self.rng.range(2, 5) as usize),
                    3 if i > 0 => Ty::Struct(self.rng.below(i as u64) as usize),
                    _ => Ty::Int(*self.rng.pick(&INTS)),
                };
                fields.push(t);
            }
            self.structs.push(StructDef { fields });
        }
        // data enums (payloads: integers, f64, bool, structs, tuples), then one unit-only enum
        let nenums = self.rng.range(1, 2) as usize;
        for _ in 0..nenums {
            let nv = self.rng.range(2, 4) as usize;
            let mut variants = Vec::new();
            for v in 0..nv {
                let p = match self.rng.below(10) {
                    0 | 1 if v > 0 => None,
                    2 => Some(Ty::F64),
                    3 => Some(Ty::Bool),
                    4 => Some(Ty::Struct(self.rng.below(self.structs.len() as u64) as usize)),
                    5 => Some(Ty::Tuple(*self.rng.pick(&INTS), *self.rng.pick(&INTS))),
                    _ => Some(Ty::Int(*self.rng.pick(&INTS))),
                };
                variants.push(p);
            }
            self.enums.push(EnumDef { variants });
        }
        let nunit = self.rng.range(2, 4) as usize;
        self.enums.push(EnumDef { variants: vec![None; nunit] });

        let mut text = String::new();
        for (i, s) in self.structs.iter().enumerate() {
            let fields: Vec<String> = s.fields.iter().enumerate().map(|(k, t)| format!("f{k}: {}", self.ty_name(t))).collect();
            let _ = writeln!(text, "struct S{i} {{ {} }}", fields.join(", "));
        }
        for (i, e) in self.enums.iter().enumerate() {
            let vs: Vec<String> = e
                .variants
                .iter()
                .enumerate()
                .map(|(k, p)| match p {
                    Some(t) => format!("V{k}({})", self.ty_name(t)),
                    None => format!("V{k}"),
                })
                .collect();
            let _ = writeln!(text, "enum E{i} {{ {} }}", vs.join(", "));
        }
        for t in INTS {
            let _ = writeln!(text, "fn id_{0}(x: {0}): {0} {{ return x; }}", t.name());
        }
        text.push_str("fn tick(t: i32, v: bool): bool { println(\"tick\", t, v); return v; }\n");
        text.push_str(
            "fn fclamp(x: f64): f64 { if x > 1000000.0 { return 1000000.0; } elif x < -1000000.0 { return -1000000.0; } return x; }\n",
        );
        self.out.push_str(&text);

        let nfuncs = self.rng.range(3, 8) as usize;
        for _ in 0..nfuncs {
            let kind = match self.rng.below(10) {
                0 | 1 => FnKind::Rec { tree: self.rng.chance(30) },
                2 | 3 => {
                    let of = self.rng.below(self.structs.len() as u64) as usize;
                    FnKind::Method { of, mutating: self.rng.chance(50) }
                }
                _ => FnKind::Free,
            };
            self.function(kind);
        }
        self.main();
    }

    fn ty_name(&self, t: &Ty) -> String {
        match t {
            Ty::Int(i) => i.name().to_string(),
            Ty::Bool => "bool".into(),
            Ty::F64 => "f64".into(),
            Ty::Str => "string".into(),
            Ty::Struct(i) => format!("S{i}"),
            Ty::Enum(i) => format!("E{i}"),
            Ty::Array(i, n) => format!("[{}; {n}]", i.name()),
            Ty::Tuple(a, b) => format!("({}, {})", a.name(), b.name()),
            Ty::Vec(i) => format!("Vec<{}>", i.name()),
            Ty::Map(i) => format!("Map<i64, {}>", i.name()),
            Ty::Fn(ps, r) => format!("fn({}): {}", ps.iter().map(|p| p.name()).collect::<Vec<_>>().join(", "), r.name()),
        }
    }

    /// A type for a parameter, result or local.
    fn value_ty(&mut self) -> Ty {
        match self.rng.below(20) {
            0..=9 => Ty::Int(*self.rng.pick(&INTS)),
            10 | 11 => Ty::Bool,
            12 | 13 => Ty::F64,
            14 => Ty::Struct(self.rng.below(self.structs.len() as u64) as usize),
            15 => Ty::Enum(self.rng.below(self.enums.len() as u64) as usize),
            16 => Ty::Array(*self.rng.pick(&INTS), self.rng.range(2, 5) as usize),
            17 => Ty::Tuple(*self.rng.pick(&INTS), *self.rng.pick(&INTS)),
            _ => Ty::Str,
        }
    }

    fn begin_fn(&mut self, budget: u64) {
        self.scopes = vec![Vec::new()];
        self.next_name = 0;
        self.indent = 1;
        self.mult = 1;
        self.cost = 0;
        self.budget = budget;
        self.loop_depth = 0;
        self.self_mutable = false;
    }

    fn function(&mut self, kind: FnKind) {
        let idx = self.funcs.len();
        self.in_fn = idx;
        self.begin_fn(FN_BUDGET);
        let name = match kind {
            FnKind::Free => format!("f{idx}"),
            FnKind::Rec { .. } => format!("r{idx}"),
            FnKind::Method { .. } => format!("m{idx}"),
        };
        let mut params = Vec::new();
        if let FnKind::Rec { .. } = kind {
            params.push(Ty::Int(IntTy::I32));
        }
        for _ in 0..self.rng.range(0, 3) {
            // strings are move types: they stay local (parameters would be consumed by calls)
            let t = loop {
                let t = self.value_ty();
                if t != Ty::Str {
                    break t;
                }
            };
            params.push(t);
        }
        let ret = match kind {
            FnKind::Rec { .. } => Some(Ty::Int(*self.rng.pick(&INTS))),
            FnKind::Method { mutating: true, .. } if self.rng.chance(50) => None,
            _ => Some(loop {
                let t = self.value_ty();
                if t != Ty::Str {
                    break t;
                }
            }),
        };
        let mut sig = String::new();
        let mut ps = Vec::new();
        for (k, t) in params.iter().enumerate() {
            let pname = if matches!(kind, FnKind::Rec { .. }) && k == 0 { "n".to_string() } else { format!("p{k}") };
            ps.push(format!("{pname}: {}", self.ty_name(t)));
            self.scopes[0].push(Var { name: pname, ty: t.clone(), mutable: k > 0 || !matches!(kind, FnKind::Rec { .. }) });
        }
        match &kind {
            FnKind::Method { of, mutating } => {
                let _ = write!(sig, "fn (self: &S{of}) {name}({}){}", ps.join(", "), if *mutating { "!" } else { "" });
                self.scopes[0].push(Var { name: "self".into(), ty: Ty::Struct(*of), mutable: false });
                self.self_mutable = *mutating;
            }
            _ => {
                let _ = write!(sig, "fn {name}({})", ps.join(", "));
            }
        }
        if let Some(r) = &ret {
            let _ = write!(sig, ": {}", self.ty_name(r));
        }
        // register before the body so that recursive functions can call themselves
        self.funcs.push(Func { name: name.clone(), params: params.clone(), ret: ret.clone(), kind: kind.clone(), cost: 0 });
        let mut body = String::new();
        let (tree, depth_cap) = match kind {
            FnKind::Rec { tree } => (tree, if tree { 6 } else { 12 }),
            _ => (false, 1),
        };
        if let FnKind::Rec { .. } = kind {
            // base case first; `n` is capped so that any caller's argument is bounded
            let r = ret.clone().unwrap();
            let base = self.expr(&r, 2);
            let _ = writeln!(body, "    if n <= 0 || n > {depth_cap} {{ return {}; }}", base.s);
        }
        self.out_block_into(&mut body, if matches!(kind, FnKind::Rec { .. }) { 3 } else { 6 });
        match &ret {
            Some(r) => {
                let e = if let (FnKind::Rec { .. }, Ty::Int(_)) = (&kind, r) {
                    // combine the recursive call(s) with another value
                    let a = self.rec_call(idx);
                    let other = if tree { self.rec_call(idx) } else { self.expr(r, 2).s };
                    let op = *self.rng.pick(&["+", "^", "-", "|"]);
                    Ex::typed(format!("({a} {op} {other})"))
                } else {
                    self.expr(r, 3)
                };
                let _ = writeln!(body, "    return {};", e.s);
            }
            None => {}
        }
        let per_call = self.cost.max(1);
        let cost = match kind {
            FnKind::Rec { tree: true } => per_call << 7,
            FnKind::Rec { tree: false } => per_call * 13,
            _ => per_call,
        };
        self.funcs[idx].cost = cost;
        let _ = writeln!(self.out, "{sig} {{\n{body}}}");
    }

    fn rec_call(&mut self, idx: usize) -> String {
        let params = self.funcs[idx].params.clone();
        let mut args = vec!["(n - 1)".to_string()];
        for t in &params[1..] {
            args.push(self.expr(t, 2).s);
        }
        format!("{}({})", self.funcs[idx].name, args.join(", "))
    }

    fn main(&mut self) {
        self.in_fn = self.funcs.len();
        self.begin_fn(MAIN_BUDGET);
        let mut body = String::new();
        self.out_block_into(&mut body, 14);
        let e = self.expr(&Ty::Int(IntTy::I32), 3);
        let _ = writeln!(body, "    return ({} & 127);", e.s);
        let _ = writeln!(self.out, "fn main(): i32 {{\n{body}}}");
    }

    // ------------------------------------------------------------------ scopes

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    fn vars(&self) -> impl Iterator<Item = &Var> {
        self.scopes.iter().flat_map(|s| s.iter())
    }

    fn vars_of(&self, t: &Ty) -> Vec<Var> {
        self.vars().filter(|v| &v.ty == t).cloned().collect()
    }

    fn declare(&mut self, name: &str, ty: Ty, mutable: bool) {
        self.scopes.last_mut().unwrap().push(Var { name: name.into(), ty, mutable });
    }

    fn pad(&self) -> String {
        "    ".repeat(self.indent)
    }

    fn spend(&mut self, units: u64) -> bool {
        let c = units.saturating_mul(self.mult);
        if self.cost.saturating_add(c) > self.budget {
            return false;
        }
        self.cost += c;
        true
    }

    // ------------------------------------------------------------------ statements

    fn out_block_into(&mut self, out: &mut String, n: u64) {
        let n = self.rng.range(n / 2, n);
        for _ in 0..n {
            self.stmt(out);
        }
    }

    fn block(&mut self, n: u64) -> String {
        self.indent += 1;
        self.scopes.push(Vec::new());
        let mut s = String::new();
        self.out_block_into(&mut s, n);
        self.scopes.pop();
        self.indent -= 1;
        s
    }

    fn label(&mut self) -> String {
        self.line_no += 1;
        format!("L{}", self.line_no)
    }

    fn stmt(&mut self, out: &mut String) {
        if !self.spend(1) {
            return;
        }
        let pad = self.pad();
        let nested = self.indent < 4;
        match self.rng.below(24) {
            0..=5 => self.let_stmt(out),
            6..=8 => self.assign_stmt(out),
            9 | 10 if nested => {
                let c = self.expr(&Ty::Bool, 3).s;
                let b = self.block(4);
                let _ = write!(out, "{pad}if {c} {{\n{b}{pad}}}");
                for _ in 0..self.rng.below(3) {
                    let c = self.expr(&Ty::Bool, 2).s;
                    let b = self.block(3);
                    let _ = write!(out, " elif {c} {{\n{b}{pad}}}");
                }
                if self.rng.chance(50) {
                    let b = self.block(3);
                    let _ = write!(out, " else {{\n{b}{pad}}}");
                }
                out.push('\n');
            }
            11 | 12 if nested && self.loop_depth < 2 => self.loop_stmt(out),
            13 | 14 => self.print_stmt(out),
            15 if nested => self.match_stmt(out),
            16 if self.loop_depth > 0 => {
                let c = self.expr(&Ty::Bool, 2).s;
                let what = if self.rng.chance(50) { "break" } else { "continue" };
                let _ = writeln!(out, "{pad}if {c} {{ {what}; }}");
            }
            17 => self.collection_stmt(out),
            20 => self.closure_stmt(out),
            18 => self.method_call_stmt(out),
            19 => {
                // a call whose result is discarded
                if let Some(call) = self.any_call() {
                    let _ = writeln!(out, "{pad}{call};");
                }
            }
            _ => self.let_stmt(out),
        }
    }

    fn let_stmt(&mut self, out: &mut String) {
        let pad = self.pad();
        let ty = self.value_ty();
        let e = self.expr(&ty, 3);
        let name = self.fresh("v");
        let mutable = self.rng.chance(60);
        // literal-only tuples and arrays would otherwise default to i32 elements
        let ann = if self.rng.chance(70) || e.lit || matches!(ty, Ty::Tuple(..) | Ty::Array(..)) {
            format!(": {}", self.ty_name(&ty))
        } else {
            String::new()
        };
        let _ = writeln!(out, "{pad}let{} {name}{ann} = {};", if mutable { "!" } else { "" }, e.s);
        self.declare(&name, ty.clone(), mutable);
        if self.rng.chance(75) {
            self.print_value(out, &name, &ty);
        }
    }

    /// Prints a value of any type (structs field by field, enums through a match).
    fn print_value(&mut self, out: &mut String, place: &str, ty: &Ty) {
        let pad = self.pad();
        let l = self.label();
        match ty {
            Ty::Int(_) | Ty::Bool | Ty::F64 | Ty::Str => {
                let _ = writeln!(out, "{pad}println(\"{l}\", {place});");
            }
            Ty::Struct(i) => {
                let fields = self.structs[*i].fields.clone();
                for (k, f) in fields.iter().enumerate() {
                    self.print_value(out, &format!("{place}.f{k}"), f);
                }
            }
            Ty::Array(_, n) => {
                let items: Vec<String> = (0..*n).map(|k| format!("{place}[{k}]")).collect();
                let _ = writeln!(out, "{pad}println(\"{l}\", {});", items.join(", "));
            }
            Ty::Tuple(..) => {
                let _ = writeln!(out, "{pad}println(\"{l}\", {place}.0, {place}.1);");
            }
            Ty::Enum(i) => {
                let vs = self.enums[*i].variants.clone();
                let mut arms = Vec::new();
                for (k, p) in vs.iter().enumerate() {
                    match p {
                        Some(Ty::Int(_) | Ty::Bool | Ty::F64) => arms.push(format!("E{i}.V{k}(x) => println(\"{l}\", {k}, x)")),
                        Some(_) => arms.push(format!("E{i}.V{k}(_) => println(\"{l}\", {k})")),
                        None => arms.push(format!("E{i}.V{k} => println(\"{l}\", {k})")),
                    }
                }
                let _ = writeln!(out, "{pad}match {place} {{ {} }};", arms.join(", "));
            }
            Ty::Vec(_) => {
                let _ = writeln!(out, "{pad}println(\"{l}\", {place}.len(), {place}.get(0), {place}.get({place}.len() - 1));");
            }
            Ty::Map(_) => {
                let _ = writeln!(out, "{pad}println(\"{l}\", {place}.len(), {place}[0], {place}.get(7));");
            }
            Ty::Fn(..) => {}
        }
    }

    /// Assignable places: mutable variables, their fields, elements and tuple fields; `self.f`
    /// in a mutating method.
    fn places(&self) -> Vec<(String, Ty)> {
        let mut out = Vec::new();
        for v in self.vars() {
            let root_mutable = v.mutable || (v.name == "self" && self.self_mutable);
            if !root_mutable || matches!(v.ty, Ty::Vec(_) | Ty::Map(_) | Ty::Fn(..)) {
                continue;
            }
            if v.name != "self" {
                out.push((v.name.clone(), v.ty.clone()));
            }
            self.sub_places(&v.name, &v.ty, &mut out, 2);
        }
        out
    }

    fn sub_places(&self, place: &str, ty: &Ty, out: &mut Vec<(String, Ty)>, depth: usize) {
        if depth == 0 {
            return;
        }
        match ty {
            Ty::Struct(i) => {
                for (k, f) in self.structs[*i].fields.iter().enumerate() {
                    let p = format!("{place}.f{k}");
                    out.push((p.clone(), f.clone()));
                    self.sub_places(&p, f, out, depth - 1);
                }
            }
            Ty::Tuple(a, b) => {
                out.push((format!("{place}.0"), Ty::Int(*a)));
                out.push((format!("{place}.1"), Ty::Int(*b)));
            }
            Ty::Array(t, n) => out.push((format!("{place}[IDX{n}]"), Ty::Int(*t))),
            _ => {}
        }
    }

    fn assign_stmt(&mut self, out: &mut String) {
        let places = self.places();
        if places.is_empty() {
            return self.let_stmt(out);
        }
        let (place, ty) = self.rng.pick(&places).clone();
        let place = if let Some(pos) = place.find("[IDX") {
            let end = place[pos..].find(']').unwrap() + pos;
            let n: usize = place[pos + 4..end].parse().unwrap();
            let idx = self.index(n);
            format!("{}[{idx}]{}", &place[..pos], &place[end + 1..])
        } else {
            place
        };
        let pad = self.pad();
        match &ty {
            Ty::Int(t) if self.rng.chance(40) => {
                let op = *self.rng.pick(&["+=", "-=", "*=", "/="]);
                let e = self.expr(&ty, 2);
                let e = if op == "/=" { format!("({} | 1)", self.ctx(*t, e)) } else { e.s };
                let _ = writeln!(out, "{pad}{place} {op} {e};");
            }
            Ty::F64 if self.rng.chance(30) => {
                let op = *self.rng.pick(&["+=", "-="]);
                let e = self.expr(&ty, 2);
                let _ = writeln!(out, "{pad}{place} {op} {};", e.s);
            }
            _ => {
                let e = self.expr(&ty, 3);
                let _ = writeln!(out, "{pad}{place} = {};", e.s);
            }
        }
        if self.rng.chance(50) && !place.contains('[') {
            self.print_value(out, &place, &ty);
        }
    }

    fn loop_stmt(&mut self, out: &mut String) {
        let pad = self.pad();
        let trips = self.rng.range(1, 6);
        let it = *self.rng.pick(&INTS);
        let name = self.fresh("k");
        let old_mult = self.mult;
        self.mult = self.mult.saturating_mul(trips + 1);
        self.loop_depth += 1;
        // the counter is readable in the body, never assigned there
        self.scopes.push(vec![Var { name: name.clone(), ty: Ty::Int(it), mutable: false }]);
        match self.rng.below(5) {
            0 => {
                let b = self.block(5);
                let _ = writeln!(out, "{pad}for let! {name}: {} = 0; {name} < {trips}; {name} += 1 {{\n{b}{pad}}}", it.name());
            }
            3 => {
                // up to the type's maximum: the last step lands on it (plain C `+` in the
                // emitted code when the test proves it cannot wrap, emit_c/ranges.rs)
                let b = self.block(5);
                let (start, max) = (it.max() - trips as i128, it.max());
                let _ = writeln!(out, "{pad}for let! {name}: {} = {start}; {name} < {max}; {name} += 1 {{\n{b}{pad}}}", it.name());
            }
            4 => {
                // down to the type's minimum, spelled `(MIN + 1) - 1` (a literal is unsigned)
                let b = self.block(5);
                let (start, above) = (it.min() + trips as i128, it.min() + 1);
                let _ = writeln!(
                    out,
                    "{pad}let! {name}: {} = {start};\n{pad}while {name} > {above} - 1 {{\n{pad}    {name} -= 1;\n{b}{pad}}}",
                    it.name()
                );
            }
            1 => {
                // counting down
                let b = self.block(5);
                let _ = writeln!(out, "{pad}for let! {name}: {} = {trips}; {name} > 0; {name} -= 1 {{\n{b}{pad}}}", it.name());
            }
            _ => {
                let b = self.block(5);
                let _ = writeln!(
                    out,
                    "{pad}let! {name}: {} = 0;\n{pad}while {name} < {trips} {{\n{pad}    {name} += 1;\n{b}{pad}}}",
                    it.name()
                );
            }
        }
        self.scopes.pop();
        self.loop_depth -= 1;
        self.mult = old_mult;
    }

    fn print_stmt(&mut self, out: &mut String) {
        let pad = self.pad();
        let l = self.label();
        let n = self.rng.range(1, 4);
        if self.rng.chance(35) {
            // format mode: `{}` always present; `{:x}` integers, `{:.N}` floats, `{:?}` debug
            let mut tmpl = format!("{l}");
            let mut args = Vec::new();
            for k in 0..n {
                let (ph, ty) = match self.rng.below(5) {
                    0 => ("{:x}".to_string(), Ty::Int(*self.rng.pick(&INTS))),
                    1 => (format!("{{:.{}}}", self.rng.below(5)), Ty::F64),
                    2 => ("{:?}".to_string(), self.printable_ty()),
                    _ => ("{}".to_string(), self.printable_ty()),
                };
                let ph = if k == 0 { "{}".to_string() } else { ph };
                let ty = if k == 0 { self.printable_ty() } else { ty };
                tmpl.push_str(if k % 2 == 0 { " " } else { "|" });
                tmpl.push_str(&ph);
                args.push(self.print_arg(&ty));
            }
            let _ = writeln!(out, "{pad}println(\"{tmpl}\", {});", args.join(", "));
        } else {
            let mut args = vec![format!("\"{l}\"")];
            for _ in 0..n {
                let ty = self.printable_ty();
                args.push(self.print_arg(&ty));
            }
            let f = if self.rng.chance(20) { "print" } else { "println" };
            let _ = writeln!(out, "{pad}{f}({});", args.join(", "));
            if f == "print" {
                let _ = writeln!(out, "{pad}println(\"\");");
            }
        }
    }

    fn printable_ty(&mut self) -> Ty {
        match self.rng.below(10) {
            0..=5 => Ty::Int(*self.rng.pick(&INTS)),
            6 => Ty::Bool,
            7 | 8 => Ty::F64,
            _ => Ty::Str,
        }
    }

    fn print_arg(&mut self, ty: &Ty) -> String {
        let e = self.expr(ty, 3);
        match ty {
            Ty::Int(t) => self.ctx(*t, e),
            _ => e.s,
        }
    }

    fn match_stmt(&mut self, out: &mut String) {
        let pad = self.pad();
        let ei = self.rng.below(self.enums.len() as u64) as usize;
        let scrut = self.expr(&Ty::Enum(ei), 2).s;
        let variants = self.enums[ei].variants.clone();
        let mut arms = String::new();
        let wildcard = self.rng.chance(30);
        for (k, p) in variants.iter().enumerate() {
            if wildcard && k + 1 == variants.len() {
                break;
            }
            self.scopes.push(Vec::new());
            let pat = self.variant_pattern(ei, k, p);
            self.indent += 1;
            let mut body = String::new();
            let l = self.label();
            let _ = writeln!(body, "{}println(\"{l}\", {k});", self.pad());
            self.out_block_into(&mut body, 3);
            self.indent -= 1;
            self.scopes.pop();
            let _ = writeln!(arms, "{pad}    {pat} => {{\n{body}{pad}    }}");
        }
        if wildcard {
            let _ = writeln!(arms, "{pad}    _ => {{ println(\"{}\"); }}", self.label());
        }
        let _ = writeln!(out, "{pad}match {scrut} {{\n{arms}{pad}}};");
    }

    fn collection_stmt(&mut self, out: &mut String) {
        let pad = self.pad();
        let existing: Vec<Var> = self.vars().filter(|v| matches!(v.ty, Ty::Vec(_) | Ty::Map(_))).cloned().collect();
        if !existing.is_empty() && self.rng.chance(60) {
            let v = self.rng.pick(&existing).clone();
            match v.ty {
                Ty::Vec(t) => {
                    let e = self.expr(&Ty::Int(t), 2).s;
                    let _ = writeln!(out, "{pad}{}.push({e});", v.name);
                }
                Ty::Map(t) => {
                    let k = self.map_key();
                    let e = self.expr(&Ty::Int(t), 2).s;
                    if self.rng.chance(50) && v.mutable {
                        let _ = writeln!(out, "{pad}{}[{k}] = {e};", v.name);
                    } else {
                        let _ = writeln!(out, "{pad}{}.insert({k}, {e});", v.name);
                    }
                }
                _ => unreachable!(),
            }
            if self.rng.chance(50) {
                self.print_value(out, &v.name.clone(), &v.ty.clone());
            }
            return;
        }
        let t = *self.rng.pick(&INTS);
        let name = self.fresh("c");
        if self.rng.chance(55) {
            let n = self.rng.range(1, 4);
            if self.rng.chance(40) {
                let items: Vec<String> = (0..n).map(|_| self.expr(&Ty::Int(t), 1).s).collect();
                let _ = writeln!(out, "{pad}let {name}: Vec<{}> = [{}];", t.name(), items.join(", "));
            } else {
                let _ = writeln!(out, "{pad}let {name}: Vec<{}> = Vec();", t.name());
                for _ in 0..n {
                    let e = self.expr(&Ty::Int(t), 2).s;
                    let _ = writeln!(out, "{pad}{name}.push({e});");
                }
            }
            self.declare(&name, Ty::Vec(t), false);
            self.print_value(out, &name, &Ty::Vec(t));
        } else {
            let mutable = self.rng.chance(50);
            let bang = if mutable { "!" } else { "" };
            if self.rng.chance(50) {
                let items: Vec<String> = (0..8).map(|k| format!("{k}: {}", self.expr(&Ty::Int(t), 1).s)).collect();
                let _ = writeln!(out, "{pad}let{bang} {name}: Map<i64, {}> = {{{}}};", t.name(), items.join(", "));
            } else {
                let _ = writeln!(out, "{pad}let{bang} {name}: Map<i64, {}> = Map();", t.name());
                for k in 0..8 {
                    let e = self.expr(&Ty::Int(t), 1).s;
                    let _ = writeln!(out, "{pad}{name}.insert({k}, {e});");
                }
            }
            self.declare(&name, Ty::Map(t), mutable);
            self.print_value(out, &name, &Ty::Map(t));
        }
    }

    /// `let c = |x1: T1, ..|: R { expr };` capturing the Copy locals it reads (by value).
    fn closure_stmt(&mut self, out: &mut String) {
        let pad = self.pad();
        let ps: Vec<IntTy> = (0..self.rng.range(1, 3)).map(|_| *self.rng.pick(&INTS)).collect();
        let ret = *self.rng.pick(&INTS);
        // the body sees the closure's parameters and the enclosing Copy locals (capturing a
        // string or a collection would move it); it cannot assign to captures
        let saved = std::mem::take(&mut self.scopes);
        let mut visible: Vec<Var> = saved
            .iter()
            .flatten()
            .filter(|v| !matches!(v.ty, Ty::Str | Ty::Vec(_) | Ty::Map(_)) && v.name != "self")
            .map(|v| Var { mutable: false, ..v.clone() })
            .collect();
        let mut params = Vec::new();
        for t in &ps {
            let name = self.fresh("x");
            params.push(format!("{name}: {}", t.name()));
            visible.push(Var { name, ty: Ty::Int(*t), mutable: false });
        }
        self.scopes = vec![visible];
        let body = self.int_expr(ret, 3);
        let body = self.ctx(ret, body);
        self.scopes = saved;
        let name = self.fresh("c");
        let _ = writeln!(out, "{pad}let {name} = |{}|: {} {{ {body} }};", params.join(", "), ret.name());
        self.declare(&name, Ty::Fn(ps, ret), false);
    }

    fn method_call_stmt(&mut self, out: &mut String) {
        // a mutating method on a mutable struct variable
        let pad = self.pad();
        let cands: Vec<(usize, Var)> = self
            .funcs
            .iter()
            .enumerate()
            .filter(|&(i, f)| i != self.in_fn && matches!(f.kind, FnKind::Method { mutating: true, .. }))
            .flat_map(|(i, f)| {
                let FnKind::Method { of, .. } = f.kind else { unreachable!() };
                self.vars().filter(move |v| v.mutable && v.ty == Ty::Struct(of)).map(move |v| (i, v.clone()))
            })
            .collect();
        if cands.is_empty() {
            return self.print_stmt(out);
        }
        let (fi, v) = self.rng.pick(&cands).clone();
        if !self.spend(self.funcs[fi].cost) {
            return;
        }
        let args = self.args(fi);
        if mentions(&args, &v.name) {
            // reading the receiver while it is mutably borrowed: E0502
            return;
        }
        let name = self.funcs[fi].name.clone();
        let _ = writeln!(out, "{pad}{}.{name}({args})!;", v.name);
        if self.rng.chance(60) {
            self.print_value(out, &v.name, &v.ty);
        }
    }

    // ------------------------------------------------------------------ calls

    fn args(&mut self, fi: usize) -> String {
        let params = self.funcs[fi].params.clone();
        let mut args = Vec::new();
        for (k, t) in params.iter().enumerate() {
            if k == 0 && matches!(self.funcs[fi].kind, FnKind::Rec { .. }) {
                // the depth: any i32 (the callee caps it)
                let e = self.expr(&Ty::Int(IntTy::I32), 1);
                let e = self.ctx(IntTy::I32, e);
                args.push(format!("({e} & 15)"));
            } else {
                args.push(self.expr(t, 2).s);
            }
        }
        args.join(", ")
    }

    /// Functions callable here returning `ty` (not the current one; methods need a receiver).
    fn callees(&self, ty: Option<&Ty>) -> Vec<usize> {
        (0..self.funcs.len())
            .filter(|&i| i != self.in_fn && (ty.is_none() || self.funcs[i].ret.as_ref() == ty))
            .collect()
    }

    /// A call of a free function, recursive function or non-mutating method returning `ty`.
    fn call(&mut self, ty: &Ty) -> Option<String> {
        let cands = self.callees(Some(ty));
        if cands.is_empty() {
            return None;
        }
        let fi = *self.rng.pick(&cands);
        self.call_of(fi)
    }

    fn any_call(&mut self) -> Option<String> {
        let cands: Vec<usize> = self.callees(None).into_iter().filter(|&i| self.funcs[i].ret.is_some()).collect();
        if cands.is_empty() {
            return None;
        }
        let fi = *self.rng.pick(&cands);
        self.call_of(fi)
    }

    fn call_of(&mut self, fi: usize) -> Option<String> {
        let recv = match self.funcs[fi].kind {
            FnKind::Method { mutating: true, .. } => return None,
            FnKind::Method { of, .. } => {
                let vs = self.vars_of(&Ty::Struct(of));
                if vs.is_empty() {
                    return None;
                }
                Some(self.rng.pick(&vs).name.clone())
            }
            _ => None,
        };
        if !self.spend(self.funcs[fi].cost) {
            return None;
        }
        let args = self.args(fi);
        let name = &self.funcs[fi].name;
        Some(match recv {
            Some(r) => format!("{r}.{name}({args})"),
            None => format!("{name}({args})"),
        })
    }

    // ------------------------------------------------------------------ expressions

    /// A literal-only integer expression gets its type from `id_<t>(..)`.
    fn ctx(&self, t: IntTy, e: Ex) -> String {
        if e.lit {
            format!("id_{}({})", t.name(), e.s)
        } else {
            e.s
        }
    }

    /// Sometimes a variable of an aggregate type, or a call of a function returning one, in
    /// place of a fresh literal.
    fn existing_value(&mut self, ty: &Ty) -> Option<Ex> {
        if self.rng.chance(40) {
            if let Some(v) = self.pick_var(ty) {
                return Some(Ex::typed(v));
            }
        }
        if self.rng.chance(25) {
            if let Some(c) = self.call(ty) {
                return Some(Ex::typed(c));
            }
        }
        None
    }

    /// The pattern of variant `k` of enum `ei` in a `match` arm; a payload is bound to a fresh
    /// name declared in the arm's scope (the caller pushes it).
    fn variant_pattern(&mut self, ei: usize, k: usize, payload: &Option<Ty>) -> String {
        match payload {
            Some(t) => {
                let b = self.fresh("b");
                self.declare(&b, t.clone(), false);
                format!("E{ei}.V{k}({b})")
            }
            None => format!("E{ei}.V{k}"),
        }
    }

    fn expr(&mut self, ty: &Ty, depth: u32) -> Ex {
        match ty {
            Ty::Int(t) => self.int_expr(*t, depth),
            Ty::Bool => self.bool_expr(depth),
            Ty::F64 => self.f64_expr(depth),
            Ty::Str => self.str_expr(depth),
            Ty::Struct(i) => {
                let i = *i;
                if let Some(e) = self.existing_value(ty) {
                    return e;
                }
                let fields = self.structs[i].fields.clone();
                let fs: Vec<String> = fields.iter().enumerate().map(|(k, f)| format!("f{k}: {}", self.expr(f, depth.saturating_sub(1)).s)).collect();
                Ex::typed(format!("(S{i} {{ {} }})", fs.join(", ")))
            }
            Ty::Enum(i) => {
                let i = *i;
                if let Some(e) = self.existing_value(ty) {
                    return e;
                }
                let vs = self.enums[i].variants.clone();
                let k = self.rng.below(vs.len() as u64) as usize;
                match &vs[k] {
                    Some(p) => {
                        let e = self.expr(p, depth.saturating_sub(1));
                        Ex::typed(format!("E{i}.V{k}({})", e.s))
                    }
                    None => Ex::typed(format!("E{i}.V{k}")),
                }
            }
            Ty::Array(t, n) => {
                if let Some(e) = self.existing_value(ty) {
                    return e;
                }
                if self.rng.chance(25) {
                    let e = self.int_literal(*t);
                    return Ex::typed(format!("[{e}; {n}]"));
                }
                let items: Vec<String> = (0..*n).map(|_| self.int_expr(*t, depth.saturating_sub(1)).s).collect();
                Ex::typed(format!("[{}]", items.join(", ")))
            }
            Ty::Tuple(a, b) => {
                if let Some(e) = self.existing_value(ty) {
                    return e;
                }
                let x = self.int_expr(*a, depth.saturating_sub(1)).s;
                let y = self.int_expr(*b, depth.saturating_sub(1)).s;
                Ex::typed(format!("({x}, {y})"))
            }
            Ty::Vec(_) | Ty::Map(_) | Ty::Fn(..) => unreachable!("collections and closures are only declared by their statements"),
        }
    }

    fn pick_var(&mut self, ty: &Ty) -> Option<String> {
        // `self` is a reference: usable through its fields and as a receiver, not as a value
        let vs: Vec<Var> = self.vars_of(ty).into_iter().filter(|v| v.name != "self").collect();
        if vs.is_empty() {
            None
        } else {
            Some(self.rng.pick(&vs).name.clone())
        }
    }

    fn int_literal(&mut self, t: IntTy) -> String {
        let v: i128 = match self.rng.below(10) {
            0..=4 => self.rng.below(10) as i128,
            5 => t.max(),
            6 => t.min(),
            7 => t.max() - self.rng.below(3) as i128,
            8 if t.signed() => -(self.rng.below(20) as i128),
            _ => {
                let span = (t.max() - t.min()) as u128;
                let r = (self.rng.next() as u128) % (span + 1);
                t.min() + r as i128
            }
        };
        if v < 0 {
            format!("({v})")
        } else {
            format!("{v}")
        }
    }

    /// An integer expression of type `t`.
    fn int_expr(&mut self, t: IntTy, depth: u32) -> Ex {
        if depth == 0 || self.rng.chance(25) {
            return self.int_leaf(t);
        }
        let d = depth - 1;
        match self.rng.below(22) {
            0..=3 => {
                let op = *self.rng.pick(&["+", "-", "*", "+", "-"]);
                let a = self.int_expr(t, d);
                let b = self.int_expr(t, d);
                Ex { lit: a.lit && b.lit, s: format!("({} {op} {})", a.s, b.s) }
            }
            4 | 5 => {
                let op = *self.rng.pick(&["&", "|", "^"]);
                let a = self.int_expr(t, d);
                let b = self.int_expr(t, d);
                Ex { lit: a.lit && b.lit, s: format!("({} {op} {})", a.s, b.s) }
            }
            6 | 7 => {
                // never zero; may be -1 (MIN / -1 wraps)
                let op = *self.rng.pick(&["/", "%"]);
                let a = self.int_expr(t, d);
                let b = self.int_expr(t, d);
                let b = self.ctx(t, b);
                Ex::typed(format!("({} {op} ({b} | 1))", a.s))
            }
            8 | 9 => {
                // any count of any integer type (masked to the width)
                let op = *self.rng.pick(&["<<", ">>"]);
                let a = self.int_expr(t, d);
                let a = self.ctx(t, a);
                let ct = *self.rng.pick(&INTS);
                let c = if self.rng.chance(50) {
                    Ex::lit(format!("{}", self.rng.below(t.bits() as u64 + 8)))
                } else {
                    self.int_expr(ct, d)
                };
                let c = self.ctx(ct, c);
                Ex::typed(format!("({a} {op} {c})"))
            }
            10 if t.signed() => {
                let a = self.int_expr(t, d);
                Ex { lit: a.lit, s: format!("(-{})", a.s) }
            }
            10 | 11 | 12 => {
                // casts from every numeric type and bool
                let e = match self.rng.below(8) {
                    0 => self.bool_expr(d).s,
                    1 => self.f64_expr(d).s,
                    2 => format!("({} as f32)", self.f64_expr(d).s),
                    _ => {
                        let from = *self.rng.pick(&INTS);
                        let e = self.int_expr(from, d);
                        self.ctx(from, e)
                    }
                };
                Ex::typed(format!("({e} as {})", t.name()))
            }
            13 | 14 => {
                let closures: Vec<(String, Vec<IntTy>)> = self
                    .vars()
                    .filter_map(|v| match &v.ty {
                        Ty::Fn(ps, r) if *r == t => Some((v.name.clone(), ps.clone())),
                        _ => None,
                    })
                    .collect();
                if !closures.is_empty() && self.rng.chance(50) && self.spend(2) {
                    let (c, ps) = self.rng.pick(&closures).clone();
                    let args: Vec<String> = ps.iter().map(|p| self.int_expr(*p, d).s).collect();
                    return Ex::typed(format!("{c}({})", args.join(", ")));
                }
                match self.call(&Ty::Int(t)) {
                    Some(c) => Ex::typed(c),
                    None => self.int_leaf(t),
                }
            }
            15 => {
                let f = *self.rng.pick(&["ctpop", "ctlz", "cttz", "bswap", "bitreverse"]);
                let a = self.int_expr(t, d);
                let a = self.ctx(t, a);
                Ex::typed(format!("{f}({a})"))
            }
            16 => self.match_expr(&Ty::Int(t), d),
            17 => {
                // match on an integer
                let st = *self.rng.pick(&INTS);
                let s = self.int_expr(st, d);
                let s = self.ctx(st, s);
                let a = self.int_expr(t, d);
                let a = self.ctx(t, a);
                let b = self.int_expr(t, d);
                let b = self.ctx(t, b);
                let c = self.int_expr(t, d);
                let c = self.ctx(t, c);
                let neg = if st.signed() { " | -1" } else { "" };
                Ex::typed(format!("(match {s} {{ 0 => {a}, 1 | 2{neg} => {b}, _ => {c} }})"))
            }
            18 if t == IntTy::I64 => {
                let s = self.str_operand(d);
                Ex::typed(format!("{s}.len()"))
            }
            _ => self.int_leaf(t),
        }
    }

    /// Variables, fields, elements, collection reads, literals.
    fn int_leaf(&mut self, t: IntTy) -> Ex {
        let want = Ty::Int(t);
        let mut cands: Vec<String> = Vec::new();
        for v in self.vars() {
            if v.ty == want {
                cands.push(v.name.clone());
            }
            match &v.ty {
                Ty::Vec(x) if *x == t => cands.push(format!("VEC:{}", v.name)),
                Ty::Map(x) if *x == t => cands.push(format!("MAP:{}", v.name)),
                Ty::Vec(_) | Ty::Map(_) if t == IntTy::I64 => cands.push(format!("{}.len()", v.name)),
                _ => {}
            }
            let mut sub = Vec::new();
            self.sub_places(&v.name, &v.ty, &mut sub, 2);
            for (p, ty) in sub {
                if ty == want {
                    cands.push(p);
                }
            }
        }
        if cands.is_empty() || self.rng.chance(30) {
            return Ex::lit(self.int_literal(t));
        }
        let c = self.rng.pick(&cands).clone();
        if let Some(v) = c.strip_prefix("VEC:") {
            let it = *self.rng.pick(&INTS);
            let i = self.int_expr(it, 1);
            let i = format!("({} as u64)", self.ctx(it, i));
            return Ex::typed(format!("{v}.get({i} % ({v}.len() as u64))"));
        }
        if let Some(m) = c.strip_prefix("MAP:") {
            let k = self.map_key();
            return Ex::typed(if self.rng.chance(50) { format!("{m}[{k}]") } else { format!("{m}.get({k})") });
        }
        if let Some(pos) = c.find("[IDX") {
            let end = c[pos..].find(']').unwrap() + pos;
            let n: usize = c[pos + 4..end].parse().unwrap();
            let idx = self.index(n);
            return Ex::typed(format!("{}[{idx}]{}", &c[..pos], &c[end + 1..]));
        }
        Ex::typed(c)
    }

    /// An index in 0..n: a constant, or a value reduced modulo n.
    fn index(&mut self, n: usize) -> String {
        if self.rng.chance(35) {
            return format!("{}", self.rng.below(n as u64));
        }
        let t = *self.rng.pick(&INTS);
        let e = self.int_expr(t, 1);
        let e = self.ctx(t, e);
        format!("(({e} as u64) % {n})")
    }

    /// A key in 0..=7 (every map has all of them).
    fn map_key(&mut self) -> String {
        let t = *self.rng.pick(&INTS);
        let e = self.int_expr(t, 1);
        let e = self.ctx(t, e);
        format!("(({e} as i64) & 7)")
    }

    fn match_expr(&mut self, ty: &Ty, d: u32) -> Ex {
        let ei = self.rng.below(self.enums.len() as u64) as usize;
        let scrut = self.expr(&Ty::Enum(ei), d.min(1)).s;
        let variants = self.enums[ei].variants.clone();
        let wildcard = self.rng.chance(30);
        let mut arms = Vec::new();
        for (k, p) in variants.iter().enumerate() {
            if wildcard && k + 1 == variants.len() {
                break;
            }
            self.scopes.push(Vec::new());
            let pat = self.variant_pattern(ei, k, p);
            // a guard on a bool or integer payload, with a fallback arm for the variant
            let guard = match p {
                Some(Ty::Bool) | Some(Ty::Int(_)) if self.rng.chance(30) => Some(self.bool_expr(1).s),
                _ => None,
            };
            let v = self.typed_expr(ty, d);
            self.scopes.pop();
            match guard {
                Some(g) => {
                    arms.push(format!("{pat} if {g} => {v}"));
                    let other = self.typed_expr(ty, d);
                    let pat2 = if p.is_some() { format!("E{ei}.V{k}(_)") } else { format!("E{ei}.V{k}") };
                    arms.push(format!("{pat2} => {other}"));
                }
                None => arms.push(format!("{pat} => {v}")),
            }
        }
        if wildcard {
            let v = self.typed_expr(ty, d);
            arms.push(format!("_ => {v}"));
        }
        Ex::typed(format!("(match {scrut} {{ {} }})", arms.join(", ")))
    }

    /// An expression with a definite type (literal-only integers wrapped).
    fn typed_expr(&mut self, ty: &Ty, d: u32) -> String {
        let e = self.expr(ty, d);
        match ty {
            Ty::Int(t) => self.ctx(*t, e),
            _ => e.s,
        }
    }

    fn bool_expr(&mut self, depth: u32) -> Ex {
        if depth == 0 || self.rng.chance(15) {
            if let Some(v) = self.pick_var(&Ty::Bool) {
                if self.rng.chance(70) {
                    return Ex::typed(v);
                }
            }
            return Ex::typed(if self.rng.chance(50) { "true".into() } else { "false".into() });
        }
        let d = depth - 1;
        match self.rng.below(16) {
            0..=4 => {
                let t = *self.rng.pick(&INTS);
                let op = *self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
                let a = self.int_expr(t, d);
                let b = self.int_expr(t, d);
                let (a, b) = if a.lit && b.lit { (self.ctx(t, a), b.s) } else { (a.s, b.s) };
                Ex::typed(format!("({a} {op} {b})"))
            }
            5 | 6 => {
                let op = *self.rng.pick(&["<", "<=", ">", ">=", "!="]);
                let a = self.f64_expr(d).s;
                let b = self.f64_expr(d).s;
                Ex::typed(format!("({a} {op} {b})"))
            }
            7 | 8 => {
                let op = *self.rng.pick(&["&&", "||"]);
                let a = self.bool_expr(d).s;
                // the right operand prints when evaluated: short-circuit shows in the output
                let b = if self.spend(1) {
                    self.tick_no += 1;
                    let inner = self.bool_expr(d).s;
                    format!("tick({}, {inner})", self.tick_no)
                } else {
                    self.bool_expr(d).s
                };
                Ex::typed(format!("({a} {op} {b})"))
            }
            9 => Ex::typed(format!("(!{})", self.bool_expr(d).s)),
            10 => {
                let op = *self.rng.pick(&["==", "!="]);
                let a = self.str_operand(d);
                let b = self.str_operand(d);
                Ex::typed(format!("({a} {op} {b})"))
            }
            11 => {
                // unit-only enum: equality and comparison with its ordinal
                let ei = self.enums.len() - 1;
                let a = self.expr(&Ty::Enum(ei), d).s;
                let k = self.rng.below(self.enums[ei].variants.len() as u64);
                if self.rng.chance(50) {
                    Ex::typed(format!("({a} == E{ei}.V{k})"))
                } else {
                    Ex::typed(format!("(({a} as i32) != {k})"))
                }
            }
            12 => match self.call(&Ty::Bool) {
                Some(c) => Ex::typed(c),
                None => self.bool_expr(0),
            },
            13 => self.match_expr(&Ty::Bool, d),
            _ => self.bool_expr(0),
        }
    }

    fn f64_literal(&mut self) -> String {
        let whole = *self.rng.pick(&[0u64, 1, 2, 3, 7, 10, 100, 12345, 999999]);
        let frac = *self.rng.pick(&["0", "5", "25", "125", "1", "333", "75", "0001"]);
        if self.rng.chance(30) {
            format!("(-{whole}.{frac})")
        } else {
            format!("{whole}.{frac}")
        }
    }

    fn f64_expr(&mut self, depth: u32) -> Ex {
        if depth == 0 || self.rng.chance(20) {
            let mut cands = self.vars_of(&Ty::F64).into_iter().map(|v| v.name).collect::<Vec<_>>();
            for v in self.vars() {
                let mut sub = Vec::new();
                self.sub_places(&v.name, &v.ty, &mut sub, 2);
                cands.extend(sub.into_iter().filter(|(_, t)| *t == Ty::F64).map(|(p, _)| p));
            }
            if cands.is_empty() || self.rng.chance(30) {
                return Ex::typed(self.f64_literal());
            }
            return Ex::typed(self.rng.pick(&cands).clone());
        }
        let d = depth - 1;
        match self.rng.below(12) {
            0..=2 => {
                let op = *self.rng.pick(&["+", "-"]);
                Ex::typed(format!("({} {op} {})", self.f64_expr(d).s, self.f64_expr(d).s))
            }
            3 => Ex::typed(format!("fclamp(({} * {}))", self.f64_expr(d).s, self.f64_expr(d).s)),
            4 => {
                let a = self.f64_expr(d).s;
                let b = self.f64_expr(d).s;
                Ex::typed(format!("({a} / (fclamp(({b} * {b})) + 1.0))"))
            }
            5 | 6 => {
                let from = *self.rng.pick(&INTS);
                let e = self.int_expr(from, d);
                let e = self.ctx(from, e);
                Ex::typed(format!("({e} as f64)"))
            }
            7 if self.rng.chance(30) => {
                // unguarded: infinities and NaNs (every NaN prints as `nan`)
                Ex::typed(format!("({} / {})", self.f64_expr(d).s, self.f64_expr(d).s))
            }
            7 => Ex::typed(format!("(({} as f32) as f64)", self.f64_expr(d).s)),
            8 => Ex::typed(format!("(-{})", self.f64_expr(d).s)),
            9 => match self.call(&Ty::F64) {
                Some(c) => Ex::typed(c),
                None => self.f64_expr(0),
            },
            10 => self.match_expr(&Ty::F64, d),
            _ => self.f64_expr(0),
        }
    }

    /// A string operand of `+`, `==` or `.len()`: variables are fine there (operators never move).
    fn str_operand(&mut self, depth: u32) -> String {
        if let Some(v) = self.pick_var(&Ty::Str) {
            if self.rng.chance(60) {
                return v;
            }
        }
        self.str_expr(depth.saturating_sub(1)).s
    }

    /// A fresh string value (never a bare variable, which would be moved).
    fn str_expr(&mut self, depth: u32) -> Ex {
        let words = ["", "a", "vex", "Hello, world", "x=1", "\\t|\\\"q\\\"|", "déjà vu", "{}", "0"];
        match self.rng.below(if depth == 0 { 1 } else { 5 }) {
            0 => Ex::typed(format!("\"{}\"", self.rng.pick(&words))),
            1 | 2 => {
                let a = self.str_operand(depth - 1);
                let b = self.str_operand(depth - 1);
                Ex::typed(format!("({a} + {b})"))
            }
            3 => {
                // f-string over printable variables and fields
                let mut names = Vec::new();
                for v in self.vars() {
                    if matches!(v.ty, Ty::Int(_) | Ty::Bool | Ty::F64 | Ty::Str) {
                        names.push(v.name.clone());
                    }
                }
                if names.is_empty() {
                    return Ex::typed("\"none\"".into());
                }
                let n = self.rng.range(1, 3);
                let mut s = String::from("f\"<");
                for k in 0..n {
                    if k > 0 {
                        s.push_str(if self.rng.chance(50) { "|" } else { "{{}}" });
                    }
                    let _ = write!(s, "{{{}}}", self.rng.pick(&names));
                }
                s.push_str(">\"");
                Ex::typed(s)
            }
            _ => {
                let t = *self.rng.pick(&[IntTy::I32, IntTy::I64, IntTy::U32, IntTy::U64]);
                let e = self.int_expr(t, depth - 1);
                let e = self.ctx(t, e);
                let f = if self.rng.chance(70) { format!("vex_{}_to_string", t.name()) } else { "vex_f64_to_string".into() };
                if f == "vex_f64_to_string" {
                    Ex::typed(format!("{f}(({e} as f64))"))
                } else {
                    Ex::typed(format!("{f}({e})"))
                }
            }
        }
    }
}

/// Whether `text` uses the identifier `name`.
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident) && !text[i + name.len()..].chars().next().is_some_and(ident)
    })
}
