//! A generator of Vex programs driven by a stream of choices: the structure-aware half of the
//! fuzzers (compiler/tests/fuzz.rs on stable, fuzz/fuzz_targets/grammar.rs under libFuzzer).
//!
//! The generator knows the types of what it declares (structs, enums, functions, locals), so most
//! programs it writes get through name resolution and type checking into the borrow checker, the
//! task lowering and C emission; a small share of "chaos" choices writes ill-typed or
//! ill-formed pieces instead, for the error paths. Choice 0 is always the smallest option and
//! every recursion is depth-bounded, so an exhausted choice stream (all zeros) ends the program.

/// The source of decisions: `below(n)` returns a number in `0..n` (0 when `n <= 1`).
pub trait Choices {
    fn below(&mut self, n: usize) -> usize;
}

/// Choices read from fuzzer bytes (libFuzzer): one byte per decision (two above 256 options),
/// zeros once the bytes run out.
#[allow(dead_code)] // used by the libFuzzer target only
pub struct ByteChoices<'a> {
    data: &'a [u8],
    pos: usize,
}

#[allow(dead_code)]
impl<'a> ByteChoices<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        ByteChoices { data, pos: 0 }
    }
    fn byte(&mut self) -> usize {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b as usize
    }
}

impl Choices for ByteChoices<'_> {
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let v = if n <= 256 { self.byte() } else { self.byte() << 8 | self.byte() };
        v % n
    }
}

/// A deterministic PRNG (splitmix64) as a choice source for the stable driver.
#[allow(dead_code)] // not used by the libFuzzer targets
pub struct Rng(pub u64);

#[allow(dead_code)]
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Choices for Rng {
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Ty {
    I32,
    I64,
    U8,
    F64,
    Bool,
    Str,
    Struct(usize),
    Enum(usize),
    Vec(Box<Ty>),
    Opt(Box<Ty>),
    Res(Box<Ty>),
    Arr(Box<Ty>, usize),
    Tuple(Vec<Ty>),
    Fn(Vec<Ty>, Box<Ty>),
    Map(Box<Ty>),
    Chan(Box<Ty>),
    Ref(Box<Ty>),
}

struct StructDef {
    name: String,
    fields: Vec<(String, Ty)>,
    /// Inline methods: (name, params, return type, mutating).
    methods: Vec<(String, Vec<Ty>, Option<Ty>, bool)>,
}

struct EnumDef {
    name: String,
    variants: Vec<(String, Option<Ty>)>,
}

struct FnDef {
    name: String,
    params: Vec<Ty>,
    ret: Option<Ty>,
    is_async: bool,
}

#[derive(Clone)]
struct Local {
    name: String,
    ty: Ty,
    mutable: bool,
}

struct Gen<'a> {
    c: &'a mut dyn Choices,
    structs: Vec<StructDef>,
    enums: Vec<EnumDef>,
    fns: Vec<FnDef>,
    scopes: Vec<Vec<Local>>,
    next_local: usize,
    out: String,
    indent: usize,
    loop_depth: usize,
    ret: Option<Ty>,
    /// Statements written so far: bounds the program's size.
    budget: usize,
    in_async: bool,
    /// Whether this program gets deliberately wrong pieces (a quarter of them do).
    chaos_on: bool,
}

/// Writes one Vex program from the choices in `c`.
pub fn program(c: &mut dyn Choices) -> String {
    let mut g = Gen {
        c,
        structs: Vec::new(),
        enums: Vec::new(),
        fns: Vec::new(),
        scopes: Vec::new(),
        next_local: 0,
        out: String::new(),
        indent: 0,
        loop_depth: 0,
        ret: None,
        budget: 0,
        in_async: false,
        chaos_on: false,
    };
    g.program();
    g.out
}

const CHAOS_TOKENS: &[&str] = &[
    "fn", "let", "let!", "{", "}", "(", ")", "[", "]", ";", ",", ":", ".", "=", "==", "!", "&", "*", "+", "-", "?", "|",
    "=>", "..", "..=", "<", ">", "as", "match", "if", "else", "while", "for", "in", "return", "break", "continue",
    "struct", "enum", "go", "async", "await", "select", "defer", "switch", "case", "default", "Some", "None", "Ok",
    "Err", "Vec", "Map", "Set", "Box", "Channel", "self", "Self", "x", "v0", "S0", "E0", "f0", "0", "1", "-1",
    "2147483648", "255", "1.5", "\"s\"", "f\"{v0}\"", "true", "nil", "i32", "u8", "string", "println", "trait",
    "impl", "type", "const", "export", "import", "extern", "unsafe", "`tag`", "'", "#", "@", "$", "\\",
];

impl Gen<'_> {
    fn below(&mut self, n: usize) -> usize {
        self.c.below(n)
    }
    /// True with probability num/den.
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) >= den - num
    }
    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }
    fn fresh(&mut self, prefix: &str) -> String {
        self.next_local += 1;
        format!("{prefix}{}", self.next_local)
    }
    fn chaos(&mut self) -> String {
        let n = 1 + self.below(4);
        let mut s = String::new();
        for _ in 0..n {
            let t = CHAOS_TOKENS[self.below(CHAOS_TOKENS.len())];
            s.push_str(t);
            s.push(' ');
        }
        s
    }

    fn ty_name(&self, t: &Ty) -> String {
        match t {
            Ty::I32 => "i32".into(),
            Ty::I64 => "i64".into(),
            Ty::U8 => "u8".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "string".into(),
            Ty::Struct(i) => self.structs[*i].name.clone(),
            Ty::Enum(i) => self.enums[*i].name.clone(),
            Ty::Vec(e) => format!("Vec<{}>", self.ty_name(e)),
            Ty::Opt(e) => format!("Option<{}>", self.ty_name(e)),
            Ty::Res(e) => format!("Result<{}, string>", self.ty_name(e)),
            Ty::Arr(e, n) => format!("[{}; {n}]", self.ty_name(e)),
            Ty::Tuple(ts) => format!("({})", ts.iter().map(|t| self.ty_name(t)).collect::<Vec<_>>().join(", ")),
            Ty::Fn(ps, r) => format!("fn({}): {}", ps.iter().map(|t| self.ty_name(t)).collect::<Vec<_>>().join(", "), self.ty_name(r)),
            Ty::Map(v) => format!("Map<string, {}>", self.ty_name(v)),
            Ty::Chan(e) => format!("Channel<{}>", self.ty_name(e)),
            Ty::Ref(e) => format!("&{}", self.ty_name(e)),
        }
    }

    /// A type; `depth` bounds nesting. Only declared structs/enums are used.
    fn ty(&mut self, depth: usize) -> Ty {
        let simple = [Ty::I32, Ty::I64, Ty::Bool, Ty::Str, Ty::U8, Ty::F64];
        let k = self.below(if depth == 0 { 8 } else { 17 });
        match k {
            0..=5 => simple[k].clone(),
            6 if !self.structs.is_empty() => Ty::Struct(self.below(self.structs.len())),
            7 if !self.enums.is_empty() => Ty::Enum(self.below(self.enums.len())),
            8 | 9 => Ty::Vec(Box::new(self.ty(depth - 1))),
            10 => Ty::Opt(Box::new(self.ty(depth - 1))),
            11 => Ty::Res(Box::new(self.ty(depth - 1))),
            12 => Ty::Arr(Box::new(self.ty(depth - 1)), 1 + self.below(4)),
            13 => Ty::Tuple((0..2 + self.below(2)).map(|_| self.ty(depth - 1)).collect()),
            14 => {
                let ps = (0..self.below(3)).map(|_| self.ty(depth - 1)).collect();
                Ty::Fn(ps, Box::new(self.ty(depth - 1)))
            }
            15 => Ty::Map(Box::new(self.ty(depth - 1))),
            16 => Ty::Chan(Box::new(self.ty(depth - 1))),
            _ => Ty::I32,
        }
    }

    fn program(&mut self) {
        self.chaos_on = self.chance(1, 4);
        if self.chance(1, 8) {
            let m = ["math", "io", "strings", "fs"][self.below(4)];
            self.line(&format!("import \"{m}\";"));
        }
        for i in 0..self.below(3) {
            let mut variants = Vec::new();
            for j in 0..1 + self.below(4) {
                let payload = if self.chance(1, 2) { Some(self.ty(1)) } else { None };
                variants.push((format!("V{j}"), payload));
            }
            self.enums.push(EnumDef { name: format!("E{i}"), variants });
        }
        for i in 0..self.below(3) {
            let mut fields = Vec::new();
            for j in 0..1 + self.below(4) {
                let t = self.ty(1);
                fields.push((format!("f{j}"), t));
            }
            let mut methods = Vec::new();
            for j in 0..self.below(3) {
                let params = (0..self.below(3)).map(|_| self.ty(1)).collect();
                let ret = if self.chance(2, 3) { Some(self.ty(1)) } else { None };
                methods.push((format!("m{j}"), params, ret, self.chance(1, 3)));
            }
            self.structs.push(StructDef { name: format!("S{i}"), fields, methods });
        }
        for i in 0..self.below(5) {
            let params = (0..self.below(4))
                .map(|_| {
                    let t = self.ty(2);
                    if self.chance(1, 10) {
                        Ty::Ref(Box::new(t))
                    } else {
                        t
                    }
                })
                .collect();
            let ret = if self.chance(3, 4) { Some(self.ty(2)) } else { None };
            let is_async = self.chance(1, 6);
            self.fns.push(FnDef { name: format!("fn{i}"), params, ret, is_async });
        }
        for i in 0..self.enums.len() {
            let e = &self.enums[i];
            let vs: Vec<String> = e
                .variants
                .iter()
                .map(|(n, p)| match p {
                    Some(t) => format!("{n}({})", self.ty_name(t)),
                    None => n.clone(),
                })
                .collect();
            let text = format!("enum {} {{ {} }}", e.name, vs.join(", "));
            self.line(&text);
        }
        for i in 0..self.structs.len() {
            let head = format!("struct {} {{", self.structs[i].name);
            self.line(&head);
            self.indent += 1;
            for j in 0..self.structs[i].fields.len() {
                let (n, t) = self.structs[i].fields[j].clone();
                let text = format!("{n}: {},", self.ty_name(&t));
                self.line(&text);
            }
            for j in 0..self.structs[i].methods.len() {
                let (n, ps, r, m) = self.structs[i].methods[j].clone();
                let mut this = self.structs[i].fields.iter().map(|(n, t)| Local { name: format!("self.{n}"), ty: t.clone(), mutable: m }).collect::<Vec<_>>();
                this.push(Local { name: "self".into(), ty: Ty::Struct(i), mutable: false });
                self.body(&n, &ps, r.as_ref(), if m { "!" } else { "" }, false, this);
            }
            self.indent -= 1;
            self.line("}");
        }
        for i in 0..self.fns.len() {
            let f = &self.fns[i];
            let (name, ps, r, a) = (f.name.clone(), f.params.clone(), f.ret.clone(), f.is_async);
            self.body(&name, &ps, r.as_ref(), "", a, Vec::new());
        }
        let main_ret = if self.chance(1, 2) { Some(Ty::I32) } else { None };
        self.body("main", &[], main_ret.as_ref(), "", false, Vec::new());
        if self.chaos_on && self.chance(1, 5) {
            let c = self.chaos();
            self.line(&c);
        }
    }

    fn body(&mut self, name: &str, params: &[Ty], ret: Option<&Ty>, marker: &str, is_async: bool, outer: Vec<Local>) {
        let mut scope = outer;
        let mut ps = Vec::new();
        for (i, t) in params.iter().enumerate() {
            let n = format!("p{i}");
            ps.push(format!("{n}: {}", self.ty_name(t)));
            scope.push(Local { name: n, ty: t.clone(), mutable: false });
        }
        let r = ret.map(|t| format!(": {}", self.ty_name(t))).unwrap_or_default();
        let head = format!("{}fn {name}({}){marker}{r} {{", if is_async { "async " } else { "" }, ps.join(", "));
        self.line(&head);
        self.indent += 1;
        self.scopes = vec![scope];
        self.ret = ret.cloned();
        self.in_async = is_async;
        self.budget = 0;
        let n = self.below(8);
        for _ in 0..n {
            self.stmt(3);
        }
        if let Some(t) = ret {
            let e = self.expr(t, 3);
            self.line(&format!("return {e};"));
        }
        self.indent -= 1;
        self.line("}");
    }

    fn locals_of(&self, t: &Ty, need_mut: bool) -> Vec<String> {
        self.scopes.iter().flatten().filter(|l| &l.ty == t && (!need_mut || l.mutable)).map(|l| l.name.clone()).collect()
    }
    fn any_local(&mut self) -> Option<Local> {
        let all: Vec<Local> = self.scopes.iter().flatten().cloned().collect();
        if all.is_empty() {
            None
        } else {
            Some(all[self.below(all.len())].clone())
        }
    }
    fn block(&mut self, depth: usize, head: &str, pre: Vec<Local>) {
        self.line(&format!("{head} {{"));
        self.indent += 1;
        self.scopes.push(pre);
        for _ in 0..self.below(4) {
            self.stmt(depth - 1);
        }
        self.scopes.pop();
        self.indent -= 1;
    }

    fn stmt(&mut self, depth: usize) {
        self.budget += 1;
        if self.budget > 60 {
            return;
        }
        if self.chaos_on && self.chance(1, 40) {
            let c = self.chaos();
            self.line(&c);
            return;
        }
        let k = self.below(if depth == 0 { 6 } else { 19 });
        match k {
            0 | 1 => {
                let t = self.ty(2);
                let e = self.expr(&t, 3);
                let mutable = self.chance(1, 2);
                let n = self.fresh("v");
                // Simple types half the time without annotation; others need it (`Vec()`, `None`).
                let simple = matches!(t, Ty::I32 | Ty::Bool | Ty::Str);
                let annot = if !simple || self.chance(1, 2) { format!(": {}", self.ty_name(&t)) } else { String::new() };
                self.line(&format!("let{} {n}{annot} = {e};", if mutable { "!" } else { "" }));
                self.scopes.last_mut().unwrap().push(Local { name: n, ty: t, mutable });
            }
            2 => {
                let args: Vec<String> = (0..self.below(3))
                    .map(|_| {
                        let t = [Ty::I32, Ty::I64, Ty::Str, Ty::Bool, Ty::F64][self.below(5)].clone();
                        self.expr(&t, 2)
                    })
                    .collect();
                let fmt = if self.chance(1, 2) { "\"{} and {}\"".to_string() } else { "\"out\"".into() };
                let mut all = vec![fmt];
                all.extend(args);
                self.line(&format!("println({});", all.join(", ")));
            }
            3 => {
                // Assignment to a mutable local, or a compound assignment.
                if let Some(l) = self.any_local().filter(|l| l.mutable || self.below(10) == 0) {
                    let e = self.expr(&l.ty, 3);
                    let op = if matches!(l.ty, Ty::I32 | Ty::I64 | Ty::U8 | Ty::F64) && self.chance(1, 3) {
                        ["+=", "-=", "*=", "/="][self.below(4)]
                    } else if l.ty == Ty::Str && self.chance(1, 3) {
                        "+="
                    } else {
                        "="
                    };
                    self.line(&format!("{} {op} {e};", l.name));
                }
            }
            4 => {
                if !self.fns.is_empty() {
                    let i = self.below(self.fns.len());
                    let call = self.call(i, 2);
                    self.line(&format!("{call};"));
                }
            }
            5 => {
                if self.loop_depth > 0 {
                    let s = if self.chance(1, 2) { "break;" } else { "continue;" };
                    self.line(s);
                } else if self.chance(1, 4) {
                    let r = self.ret.clone();
                    match r {
                        Some(t) => {
                            let e = self.expr(&t, 2);
                            self.line(&format!("return {e};"));
                        }
                        None => self.line("return;"),
                    }
                }
            }
            6 | 7 => {
                let c = self.expr(&Ty::Bool, 3);
                self.block(depth, &format!("if {c}"), Vec::new());
                for _ in 0..self.below(3) {
                    let c = self.expr(&Ty::Bool, 2);
                    self.block(depth, &format!("}} elif {c}"), Vec::new());
                }
                if self.chance(1, 2) {
                    self.block(depth, "} else", Vec::new());
                }
                self.line("}");
            }
            8 => {
                let c = self.expr(&Ty::Bool, 2);
                self.loop_depth += 1;
                self.block(depth, &format!("while {c}"), Vec::new());
                self.loop_depth -= 1;
                self.line("}");
            }
            9 if self.chaos_on => {
                // `for x in a..b` is not implemented yet (E0658).
                let n = self.fresh("ix");
                let hi = self.expr(&Ty::I32, 2);
                let op = if self.chance(1, 2) { ".." } else { "..=" };
                self.loop_depth += 1;
                self.block(depth, &format!("for {n} in 0{op}{hi}"), vec![Local { name: n.clone(), ty: Ty::I32, mutable: false }]);
                self.loop_depth -= 1;
                self.line("}");
            }
            10 if self.chaos_on => {
                // Iterating over a Vec or an array (not implemented yet: E0658).
                let et = self.ty(1);
                let vt = if self.chance(1, 2) { Ty::Vec(Box::new(et.clone())) } else { Ty::Arr(Box::new(et.clone()), 2) };
                let v = self.expr(&vt, 2);
                let n = self.fresh("x");
                self.loop_depth += 1;
                self.block(depth, &format!("for {n} in {v}"), vec![Local { name: n.clone(), ty: et, mutable: false }]);
                self.loop_depth -= 1;
                self.line("}");
            }
            11 => {
                let n = self.fresh("ix");
                let hi = self.expr(&Ty::I32, 2);
                self.loop_depth += 1;
                self.block(depth, &format!("for let! {n} = 0; {n} < {hi}; {n} += 1"), vec![Local { name: n.clone(), ty: Ty::I32, mutable: true }]);
                self.loop_depth -= 1;
                self.line("}");
            }
            12 if !self.enums.is_empty() => {
                let ei = self.below(self.enums.len());
                let scrut = self.expr(&Ty::Enum(ei), 2);
                self.line(&format!("match {scrut} {{"));
                self.indent += 1;
                let variants = self.enums[ei].variants.clone();
                let name = self.enums[ei].name.clone();
                let skip = if self.chance(1, 8) { self.below(variants.len()) } else { usize::MAX };
                for (j, (vn, p)) in variants.iter().enumerate() {
                    if j == skip {
                        continue;
                    }
                    let (pat, pre) = match p {
                        Some(t) => {
                            let b = self.fresh("b");
                            (format!("{name}.{vn}({b})"), vec![Local { name: b, ty: t.clone(), mutable: false }])
                        }
                        None => (format!("{name}.{vn}"), vec![]),
                    };
                    self.block(depth, &format!("{pat} =>"), pre);
                    self.line("},");
                }
                if skip != usize::MAX && self.chance(1, 2) {
                    self.line("_ => {},");
                }
                self.indent -= 1;
                self.line("};");
            }
            13 if self.chaos_on => {
                // `switch` is not implemented yet (E0658).
                let s = self.expr(&Ty::I32, 2);
                self.line(&format!("switch {s} {{"));
                self.indent += 1;
                for _ in 0..self.below(3) {
                    let v = self.below(5);
                    self.line(&format!("case {v}:"));
                    self.indent += 1;
                    for _ in 0..self.below(3) {
                        self.stmt(depth - 1);
                    }
                    self.indent -= 1;
                }
                if self.chance(1, 2) {
                    self.line("default:");
                    self.indent += 1;
                    self.stmt(depth - 1);
                    self.indent -= 1;
                }
                self.indent -= 1;
                self.line("}");
            }
            14 if !self.fns.is_empty() => {
                let i = self.below(self.fns.len());
                let call = self.call(i, 2);
                self.line(&format!("defer {call};"));
            }
            15 => {
                // Vec / Map mutation.
                let vecs: Vec<Local> = self.scopes.iter().flatten().filter(|l| matches!(l.ty, Ty::Vec(_) | Ty::Map(_)) && l.mutable).cloned().collect();
                if !vecs.is_empty() {
                    let l = vecs[self.below(vecs.len())].clone();
                    match &l.ty {
                        Ty::Vec(e) => {
                            let x = self.expr(e, 2);
                            self.line(&format!("{}.push({x})!;", l.name));
                        }
                        Ty::Map(v) => {
                            let k = self.expr(&Ty::Str, 1);
                            let x = self.expr(v, 2);
                            self.line(&format!("{}.insert({k}, {x})!;", l.name));
                        }
                        _ => {}
                    }
                }
            }
            16 => {
                // Tasks and channels.
                let t = self.ty(1);
                let ch = self.fresh("ch");
                let cap = self.below(3);
                self.line(&format!("let {ch}: Channel<{}> = Channel({cap});", self.ty_name(&t)));
                let v = self.expr(&t, 2);
                self.line(&format!("go {{ {ch}.send({v}); }};"));
                let r = self.fresh("r");
                self.line(&format!("let {r} = {ch}.recv();"));
                self.scopes.last_mut().unwrap().push(Local { name: ch, ty: Ty::Chan(Box::new(t.clone())), mutable: false });
                self.scopes.last_mut().unwrap().push(Local { name: r, ty: t, mutable: false });
            }
            17 => {
                let chans: Vec<Local> = self.scopes.iter().flatten().filter(|l| matches!(l.ty, Ty::Chan(_))).cloned().collect();
                if !chans.is_empty() {
                    let l = chans[self.below(chans.len())].clone();
                    let Ty::Chan(e) = &l.ty else { unreachable!() };
                    let x = self.expr(e, 1);
                    self.line("select {");
                    self.line(&format!("    let z = {}.recv() => {{ println(\"got\"); }}", l.name));
                    self.line(&format!("    {}.send({x}) => {{ }}", l.name));
                    if self.chance(1, 2) {
                        self.line("    _ => { }");
                    }
                    self.line("}");
                }
            }
            _ => {
                // An expression statement: a value nothing uses (typed by itself).
                let t = [Ty::I32, Ty::Bool, Ty::Str][self.below(3)].clone();
                let e = self.expr(&t, 3);
                self.line(&format!("{e};"));
            }
        }
    }

    fn call(&mut self, i: usize, depth: usize) -> String {
        let params = self.fns[i].params.clone();
        let args: Vec<String> = params.iter().map(|t| self.expr(t, depth)).collect();
        let aw = if self.fns[i].is_async && self.in_async && self.chance(1, 2) { "await " } else { "" };
        format!("{aw}{}({})", self.fns[i].name, args.join(", "))
    }

    /// An integer literal that fits `t` (any size when chaos is on).
    fn int_lit(&mut self, t: &Ty) -> String {
        // Literals are typed by context, and default to i32 where there is none.
        let max = match t {
            _ if self.chaos_on => 7,
            Ty::U8 => 3,
            _ => 5,
        };
        match self.below(max + 1) {
            0 => "0".into(),
            1 => "1".into(),
            2 => (self.below(100)).to_string(),
            3 => "255".into(),
            4 => "2147483647".into(),
            5 => "-1".into(),
            6 => "9223372036854775807".into(),
            _ => (self.below(10)).to_string(),
        }
    }

    /// An expression of type `t`.
    fn expr(&mut self, t: &Ty, depth: usize) -> String {
        if self.chaos_on && self.chance(1, 60) {
            // Something of another type, or noise.
            return if self.chance(1, 2) { self.chaos() } else { let o = self.ty(1); self.expr_inner(&o, depth.saturating_sub(1)) };
        }
        self.expr_inner(t, depth)
    }

    fn expr_inner(&mut self, t: &Ty, depth: usize) -> String {
        // Shared forms: a local of the type, a call returning it, a field of that type.
        let k = self.below(10);
        if k < 3 {
            let ls = self.locals_of(t, false);
            if !ls.is_empty() {
                let l = ls[self.below(ls.len())].clone();
                return l;
            }
        } else if k == 3 && depth > 0 {
            let cands: Vec<usize> = (0..self.fns.len()).filter(|&i| self.fns[i].ret.as_ref() == Some(t)).collect();
            if !cands.is_empty() {
                let i = cands[self.below(cands.len())];
                return self.call(i, depth - 1);
            }
        } else if k == 4 && depth > 0 {
            // A field or method of a struct local.
            let mut cands = Vec::new();
            for l in self.scopes.iter().flatten() {
                if let Ty::Struct(si) = l.ty {
                    for (f, ft) in &self.structs[si].fields {
                        if ft == t {
                            cands.push(format!("{}.{f}", l.name));
                        }
                    }
                    for (m, ps, r, mt) in &self.structs[si].methods {
                        if r.as_ref() == Some(t) && ps.is_empty() {
                            cands.push(format!("{}.{m}(){}", l.name, if *mt { "!" } else { "" }));
                        }
                    }
                }
            }
            if !cands.is_empty() {
                return cands[self.below(cands.len())].clone();
            }
        } else if k == 5 && depth > 0 {
            // match producing the type.
            if !self.enums.is_empty() && self.chance(1, 3) {
                let ei = self.below(self.enums.len());
                let scrut = self.expr(&Ty::Enum(ei), depth - 1);
                let mut arms = Vec::new();
                let variants = self.enums[ei].variants.clone();
                let name = self.enums[ei].name.clone();
                for (vn, p) in variants {
                    let pat = if p.is_some() { format!("{name}.{vn}(_)") } else { format!("{name}.{vn}") };
                    let e = self.expr(t, depth - 1);
                    arms.push(format!("{pat} => {e}"));
                }
                return format!("match {scrut} {{ {} }}", arms.join(", "));
            }
        }
        let d = depth.saturating_sub(1);
        match t {
            Ty::I32 | Ty::I64 | Ty::U8 | Ty::F64 => {
                let float = *t == Ty::F64;
                match if depth == 0 { 0 } else { self.below(7) } {
                    0 | 1 => {
                        if float {
                            ["1.5", "0.0", "2.25", "1e10"][self.below(3)].to_string()
                        } else {
                            self.int_lit(t)
                        }
                    }
                    2 | 3 => {
                        let ops: &[&str] = if float { &["+", "-", "*", "/"] } else { &["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"] };
                        let op = ops[self.below(ops.len())];
                        format!("({} {op} {})", self.expr(t, d), self.expr(t, d))
                    }
                    4 if *t != Ty::U8 => format!("-({})", self.expr(t, d)),
                    5 => {
                        let o = [Ty::I32, Ty::I64, Ty::U8, Ty::F64][self.below(4)].clone();
                        format!("({} as {})", self.expr(&o, d), self.ty_name(t))
                    }
                    _ => {
                        let w = match self.below(3) {
                            0 => format!("({}).len()", self.expr(&Ty::Str, d)),
                            1 => {
                                let e = self.ty(0);
                                format!("({}).len()", self.expr(&Ty::Vec(Box::new(e)), d))
                            }
                            _ if *t == Ty::I32 => {
                                let a = self.expr(&Ty::Arr(Box::new(t.clone()), 3), d);
                                let i = self.expr(&Ty::I32, d);
                                return format!("{a}[{i}]");
                            }
                            _ => format!("({}).len()", self.expr(&Ty::Str, d)),
                        };
                        format!("({w} as {})", self.ty_name(t))
                    }
                }
            }
            Ty::Bool => match if depth == 0 { 0 } else { self.below(5) } {
                0 => ["true", "false"][self.below(2)].into(),
                1 => {
                    let o = [Ty::I32, Ty::I64, Ty::Str, Ty::F64, Ty::Bool][self.below(5)].clone();
                    let ordered = matches!(o, Ty::I32 | Ty::I64 | Ty::F64);
                    let op = ["==", "!=", "<", "<=", ">", ">="][self.below(if ordered { 6 } else { 2 })];
                    format!("({} {op} {})", self.expr(&o, d), self.expr(&o, d))
                }
                2 => format!("({} && {})", self.expr(t, d), self.expr(t, d)),
                3 => format!("({} || {})", self.expr(t, d), self.expr(t, d)),
                _ => format!("!({})", self.expr(t, d)),
            },
            Ty::Str => match if depth == 0 { 0 } else { self.below(4) } {
                0 => ["\"\"", "\"a\"", "\"héllo\\n\"", "\"{}\"", "\"\\t\\\"q\\\"\""][self.below(5)].into(),
                1 => format!("{} + {}", self.expr(t, d), self.expr(t, d)),
                2 => {
                    // Interpolations: a local of a simple type, or a number.
                    let simple: Vec<String> = self
                        .scopes
                        .iter()
                        .flatten()
                        .filter(|l| matches!(l.ty, Ty::I32 | Ty::I64 | Ty::Bool | Ty::F64) && !l.name.contains('.'))
                        .map(|l| l.name.clone())
                        .collect();
                    let inner = if simple.is_empty() { self.below(100).to_string() } else { simple[self.below(simple.len())].clone() };
                    format!("f\"x={{{inner}}} y\"")
                }
                _ => {
                    let o = [Ty::I32, Ty::I64][self.below(2)].clone();
                    format!("vex_{}_to_string({})", self.ty_name(&o), self.expr(&o, d))
                }
            },
            Ty::Struct(i) => {
                let fields = self.structs[*i].fields.clone();
                let name = self.structs[*i].name.clone();
                let inits: Vec<String> = fields.iter().map(|(f, ft)| format!("{f}: {}", self.expr(ft, d))).collect();
                format!("{name} {{ {} }}", inits.join(", "))
            }
            Ty::Enum(i) => {
                let variants = self.enums[*i].variants.clone();
                let (vn, p) = variants[self.below(variants.len())].clone();
                let name = self.enums[*i].name.clone();
                match p {
                    Some(pt) => format!("{name}.{vn}({})", self.expr(&pt, d)),
                    None => format!("{name}.{vn}"),
                }
            }
            Ty::Vec(e) => match self.below(3) {
                0 if depth > 0 => format!("[{}]", (0..1 + self.below(3)).map(|_| self.expr(e, d)).collect::<Vec<_>>().join(", ")),
                1 if self.chaos_on => format!("Vec<{}>()", self.ty_name(e)),
                _ => format!("[{}]", self.expr(e, d)),
            },
            Ty::Opt(e) => {
                if self.chance(1, 3) {
                    "None".into()
                } else {
                    format!("Some({})", self.expr(e, d))
                }
            }
            Ty::Res(e) => {
                if self.chance(1, 3) {
                    format!("Err({})", self.expr(&Ty::Str, d))
                } else {
                    format!("Ok({})", self.expr(e, d))
                }
            }
            Ty::Arr(e, n) => {
                if self.chance(1, 3) {
                    format!("[{}; {n}]", self.expr(e, d))
                } else {
                    format!("[{}]", (0..*n).map(|_| self.expr(e, d)).collect::<Vec<_>>().join(", "))
                }
            }
            Ty::Tuple(ts) => format!("({})", ts.iter().map(|t| self.expr(t, d)).collect::<Vec<_>>().join(", ")),
            Ty::Fn(ps, r) => {
                let names: Vec<String> = ps.iter().map(|_| self.fresh("a")).collect();
                let params: Vec<String> = names.iter().zip(ps.iter()).map(|(n, t)| format!("{n}: {}", self.ty_name(t))).collect();
                self.scopes.push(names.iter().zip(ps.iter()).map(|(n, t)| Local { name: n.clone(), ty: t.clone(), mutable: false }).collect());
                let body = self.expr(r, d);
                self.scopes.pop();
                if self.chance(1, 2) {
                    format!("|{}| {body}", params.join(", "))
                } else {
                    format!("|{}|: {} {{ return {body}; }}", params.join(", "), self.ty_name(r))
                }
            }
            Ty::Map(v) => {
                if self.chance(1, 2) || self.ty_name(v).contains("Map") {
                    "Map()".to_string()
                } else {
                    format!("Map<string, {}>()", self.ty_name(v))
                }
            }
            Ty::Chan(_) => format!("Channel({})", self.below(3)),
            Ty::Ref(e) => {
                let ls = self.locals_of(e, false);
                if ls.is_empty() {
                    format!("&{}", self.expr(e, d))
                } else {
                    format!("&{}", ls[self.below(ls.len())])
                }
            }
        }
    }
}
