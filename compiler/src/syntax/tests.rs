//! Parser tests: every syntax form of LANGUAGE.md, precedence, the struct-literal-in-condition
//! rule, diagnostics, and robustness against pathological input.

use super::ast::*;
use super::parse;
use crate::diag::Diagnostic;
use crate::span::SourceFile;

fn try_parse(src: &str) -> Result<File, Vec<Diagnostic>> {
    parse(0, &SourceFile::new("t.vx", src))
}

fn ok(src: &str) -> File {
    match try_parse(src) {
        Ok(f) => f,
        Err(d) => panic!("unexpected errors for {src:?}:\n{:#?}", d),
    }
}

fn err(src: &str) -> Diagnostic {
    match try_parse(src) {
        Ok(_) => panic!("expected an error for {src:?}"),
        Err(mut d) => d.remove(0),
    }
}

fn line_of(src: &str, d: &Diagnostic) -> usize {
    let span = d.span.expect("diagnostic has a span");
    SourceFile::new("t.vx", src).line_of(span)
}

fn text(src: &str, span: crate::span::Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

fn main_body(f: &File) -> &Vec<Stmt> {
    for item in &f.items {
        if let ItemKind::Fn(fd) = &item.kind {
            if fd.name.name == "main" {
                return &fd.body.as_ref().expect("main has a body").stmts;
            }
        }
    }
    panic!("no main");
}

/// The initializer of `let v = <expr>;` inside main, as an S-expression.
fn e(expr: &str) -> String {
    let src = format!("fn main() {{ let v = {expr}; }}");
    let f = ok(&src);
    match &main_body(&f)[0].kind {
        StmtKind::Let(l) => sx(&l.value),
        k => panic!("not a let: {k:?}"),
    }
}

/// The condition of `if <cond> {}` as an S-expression.
fn c(cond: &str) -> String {
    let src = format!("fn main() {{ if {cond} {{ }} }}");
    let f = ok(&src);
    match &main_body(&f)[0].kind {
        StmtKind::If { branches, .. } => sx(&branches[0].0),
        k => panic!("not an if: {k:?}"),
    }
}

fn ty(t: &Type) -> String {
    match &t.kind {
        TypeKind::Named { name, args } if args.is_empty() => name.name.clone(),
        TypeKind::Named { name, args } => {
            format!("{}<{}>", name.name, args.iter().map(ty).collect::<Vec<_>>().join(","))
        }
        TypeKind::Ref { inner, mutable } => format!("&{}{}", ty(inner), if *mutable { "!" } else { "" }),
        TypeKind::Slice { inner, mutable } => format!("&[{}]{}", ty(inner), if *mutable { "!" } else { "" }),
        TypeKind::Ptr { inner, is_const } => format!("*{}{}", if *is_const { "const " } else { "" }, ty(inner)),
        TypeKind::Array { elem, len, .. } => format!("[{};{}]", ty(elem), len),
        TypeKind::Tuple(ts) => format!("({})", ts.iter().map(ty).collect::<Vec<_>>().join(",")),
        TypeKind::Fn { params, ret } => {
            format!("fn({}):{}", params.iter().map(ty).collect::<Vec<_>>().join(","), ty(ret))
        }
        TypeKind::Never => "!".into(),
    }
}

fn list(es: &[Expr]) -> String {
    es.iter().map(sx).collect::<Vec<_>>().join(" ")
}

fn sx(x: &Expr) -> String {
    match &x.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::FString(parts) => {
            let ps: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    FStringPart::Lit(s) => format!("{s:?}"),
                    FStringPart::Expr(e) => format!("{{{}}}", sx(e)),
                })
                .collect();
            format!("(f {})", ps.join(" "))
        }
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Nil => "nil".into(),
        ExprKind::Ident(i) => i.name.clone(),
        ExprKind::Unary { op, operand } => {
            format!("({} {})", if *op == UnaryOp::Neg { "neg" } else { "not" }, sx(operand))
        }
        ExprKind::AddrOf { operand, mutable } => format!("(&{} {})", if *mutable { "!" } else { "" }, sx(operand)),
        ExprKind::Deref(o) => format!("(deref {})", sx(o)),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.symbol(), sx(lhs), sx(rhs)),
        ExprKind::Cast { expr, ty: t } => format!("(as {} {})", sx(expr), ty(t)),
        ExprKind::Call { callee, type_args, args } if type_args.is_empty() => {
            format!("(call {} [{}])", sx(callee), list(args))
        }
        ExprKind::Call { callee, type_args, args } => format!(
            "(call {}<{}> [{}])",
            sx(callee),
            type_args.iter().map(ty).collect::<Vec<_>>().join(","),
            list(args)
        ),
        ExprKind::MethodCall { receiver, name, args, bang } => {
            format!("(mcall{} {} {} [{}])", if bang.is_some() { "!" } else { "" }, sx(receiver), name.name, list(args))
        }
        ExprKind::Field { base, name } => format!("(. {} {})", sx(base), name.name),
        ExprKind::TupleField { base, index, .. } => format!("(. {} {})", sx(base), index),
        ExprKind::Index { base, index } => format!("(index {} {})", sx(base), sx(index)),
        ExprKind::Try(e) => format!("(? {})", sx(e)),
        ExprKind::Await(e) => format!("(await {})", sx(e)),
        ExprKind::StructLit { name, type_args, fields } => format!(
            "(struct {}{} {})",
            name.name,
            if type_args.is_empty() {
                String::new()
            } else {
                format!("<{}>", type_args.iter().map(ty).collect::<Vec<_>>().join(","))
            },
            fields.iter().map(|f| format!("{}:{}", f.name.name, sx(&f.value))).collect::<Vec<_>>().join(" ")
        ),
        ExprKind::ArrayLit(es) => format!("[{}]", list(es)),
        ExprKind::ArrayRepeat { value, count } => format!("[{}; {}]", sx(value), sx(count)),
        ExprKind::Tuple(es) => format!("(tuple {})", list(es)),
        ExprKind::MapLit(kvs) => {
            format!("(map {})", kvs.iter().map(|(k, v)| format!("{}:{}", sx(k), sx(v))).collect::<Vec<_>>().join(" "))
        }
        ExprKind::CollectionCtor { name, type_args, args } => {
            format!("(ctor {}<{}> [{}])", name.name, type_args.iter().map(ty).collect::<Vec<_>>().join(","), list(args))
        }
        ExprKind::Match { scrutinee, arms } => format!("(match {} {} arms)", sx(scrutinee), arms.len()),
        ExprKind::Closure(cl) => format!(
            "(closure [{}]{} {})",
            cl.params.iter().map(|p| format!("{}:{}", p.name.name, ty(&p.ty))).collect::<Vec<_>>().join(" "),
            cl.ret.as_ref().map(|t| format!(":{}", ty(t))).unwrap_or_default(),
            sx(&cl.body)
        ),
        ExprKind::Block(b) => {
            format!("(block {} {})", b.stmts.len(), b.tail.as_ref().map(|t| sx(t)).unwrap_or_else(|| "-".into()))
        }
        ExprKind::Range { start, end, inclusive } => {
            format!("({} {} {})", if *inclusive { "..=" } else { ".." }, sx(start), sx(end))
        }
        ExprKind::PostIncDec { operand, increment } => {
            format!("({} {})", if *increment { "++" } else { "--" }, sx(operand))
        }
    }
}

// ------------------------------------------------------------------ node ids

struct Ids(Vec<NodeId>);

impl Ids {
    fn expr(&mut self, e: &Expr) {
        self.0.push(e.id);
        match &e.kind {
            ExprKind::FString(ps) => ps.iter().for_each(|p| {
                if let FStringPart::Expr(x) = p {
                    self.expr(x)
                }
            }),
            ExprKind::Unary { operand: o, .. } | ExprKind::AddrOf { operand: o, .. } => self.expr(o),
            ExprKind::Deref(o) | ExprKind::Try(o) | ExprKind::Await(o) => self.expr(o),
            ExprKind::PostIncDec { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs)
            }
            ExprKind::Range { start, end, .. } => {
                self.expr(start);
                self.expr(end)
            }
            ExprKind::Cast { expr, .. } => self.expr(expr),
            ExprKind::Call { callee, args, .. } => {
                self.expr(callee);
                args.iter().for_each(|a| self.expr(a))
            }
            ExprKind::MethodCall { receiver, args, .. } => {
                self.expr(receiver);
                args.iter().for_each(|a| self.expr(a))
            }
            ExprKind::Field { base, .. } | ExprKind::TupleField { base, .. } => self.expr(base),
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.expr(index)
            }
            ExprKind::StructLit { fields, .. } => fields.iter().for_each(|f| self.expr(&f.value)),
            ExprKind::ArrayLit(es) | ExprKind::Tuple(es) => es.iter().for_each(|a| self.expr(a)),
            ExprKind::CollectionCtor { args, .. } => args.iter().for_each(|a| self.expr(a)),
            ExprKind::ArrayRepeat { value, count } => {
                self.expr(value);
                self.expr(count)
            }
            ExprKind::MapLit(kvs) => kvs.iter().for_each(|(k, v)| {
                self.expr(k);
                self.expr(v)
            }),
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for a in arms {
                    self.pat(&a.pattern);
                    if let Some(g) = &a.guard {
                        self.expr(g)
                    }
                    self.expr(&a.body)
                }
            }
            ExprKind::Closure(cl) => {
                cl.params.iter().for_each(|p| self.0.push(p.id));
                self.expr(&cl.body)
            }
            ExprKind::Block(b) => {
                b.stmts.iter().for_each(|s| self.stmt(s));
                if let Some(t) = &b.tail {
                    self.expr(t)
                }
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Nil
            | ExprKind::Ident(_) => {}
        }
    }

    fn pat(&mut self, p: &Pattern) {
        self.0.push(p.id);
        match &p.kind {
            PatternKind::Variant { payload: Some(x), .. } => self.pat(x),
            PatternKind::Or(ps) | PatternKind::Tuple(ps) => ps.iter().for_each(|x| self.pat(x)),
            PatternKind::Struct { fields, .. } => fields.iter().flat_map(|f| f.1.as_ref()).for_each(|x| self.pat(x)),
            PatternKind::Range { start, end, .. } => {
                self.pat(start);
                self.pat(end)
            }
            _ => {}
        }
    }

    fn block(&mut self, b: &Block) {
        b.stmts.iter().for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let(l) => {
                self.0.push(l.id);
                self.expr(&l.value)
            }
            StmtKind::Assign { place, value, .. } => {
                self.expr(place);
                self.expr(value)
            }
            StmtKind::Expr(x) | StmtKind::Defer(x) | StmtKind::Go(x) | StmtKind::Return(Some(x)) => self.expr(x),
            StmtKind::If { branches, else_block } => {
                for (c, b) in branches {
                    self.expr(c);
                    self.block(b)
                }
                if let Some(b) = else_block {
                    self.block(b)
                }
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body)
            }
            StmtKind::For { init, cond, post, body } => {
                if let Some(i) = init {
                    self.stmt(i)
                }
                if let Some(c) = cond {
                    self.expr(c)
                }
                if let Some(p) = post {
                    self.stmt(p)
                }
                self.block(body)
            }
            StmtKind::ForIn { var_id, iter, body, .. } => {
                self.0.push(*var_id);
                self.expr(iter);
                self.block(body)
            }
            StmtKind::Switch { scrutinee, cases, default } => {
                self.expr(scrutinee);
                for c in cases {
                    c.values.iter().for_each(|v| self.expr(v));
                    c.body.iter().for_each(|s| self.stmt(s))
                }
                if let Some((b, _)) = default {
                    b.iter().for_each(|s| self.stmt(s))
                }
            }
            _ => {}
        }
    }

    fn func(&mut self, f: &FnDecl) {
        if let Some(r) = &f.receiver {
            self.0.push(r.id)
        }
        f.params.iter().for_each(|p| self.0.push(p.id));
        if let Some(b) = &f.body {
            self.block(b)
        }
    }

    fn file(&mut self, f: &File) {
        for item in &f.items {
            match &item.kind {
                ItemKind::Fn(fd) => self.func(fd),
                ItemKind::Struct(s) => s.methods.iter().for_each(|m| self.func(m)),
                ItemKind::Trait(t) => t.methods.iter().for_each(|m| self.func(m)),
                ItemKind::Const(c) => self.expr(&c.value),
                ItemKind::Extern(x) => x.fns.iter().for_each(|f| f.params.iter().for_each(|p| self.0.push(p.id))),
                _ => {}
            }
        }
    }
}

// ------------------------------------------------------------------ a program using every form

const ALL_FORMS: &str = r#"
import { println, eprintln } from "io";
import "crypto";
import * as m from "math";
export { main, helper };

policy Wire { id `json:"id"`, label `json:"label" max:"40"` }
policy Stored with Wire { id `db:"pk"` }

extern "C" {
    fn printf(fmt: *u8, ...): i32;
    fn puts(s: string) -> i32;
    fn abort();
}
extern { fn getpid(): i32; }

type Id = i32 | i64;
type Cb<T> = fn(T, &[T]!): !;
const MAX: i64 = 100 * 2;

trait Show { fn show(): string; fn reset()!; type Item; }
trait Into<T> { fn into(): T; }

export struct Point with Stored impl Show, Into<i32> {
    x: i32 `json:"x"`,
    y: i32
    type Item = i32;
    fn show(): string { return "p"; }
    fn reset()! { self.x = 0; }
    fn (self: &Point) into(): i32 { return self.x; }
}

struct Pair<T, U> { first: T, second: U, }
struct Unit {}

enum Color { Red, Green, Blue, }
enum Shape<T> { Circle(T), Rect((T, T)), Empty }

fn (p: &Point!) move_by(dx: i32)! { p.x += dx; }

async fn work(n: i32): i32 { return await other(n); }

fn apply<T, U: Show + Into<i32>, F: Callable(T): U>(value: T, f: F): U { return f(value); }

fn never(): ! { return 1 as !; }

fn helper(a: &[i32], b: *const u8, c: fn(i32, i32): bool, d: Map<string, Vec<i32>>, e: Set<i32>,
          g: [i32; 3], h: (i32, string), i: (), j: &i32!, k: Box<Box<i32>>) {}

fn main(): i32 {
    let a = 1;
    let! b: i64 = 2;
    b = b + 1;
    b += 1; b -= 1; b *= 2; b /= 2;
    let p = Point { x: 1, y: 2 };
    let q = Pair<i32, string> { first: 1, second: "s" };
    let m = Map();
    let m2 = Map<string, i32>();
    let s = Set();
    let lit = { "a": "x", "b": "y" };
    let empty = {};
    let arr = [1, 2, 3];
    let rep = [0; 8192];
    let t = (1, "two", 3.5);
    let one = (1,);
    let unit = ();
    let first = t.0;
    let nested = t.0.1;
    let v = arr[0] + p.x + p.show().len() as i32;
    let c = |x: i32, y: i32|: i32 { let z = x + y; z * 2 };
    let d = |v: i32| v * a;
    let none = || 42;
    let r = match v {
        0 | 1 => 10,
        2..=5 => 20,
        n if n > 100 => { let w = n * 2; w }
        Color.Red => 1,
        Shape.Circle(r) => r,
        Shape.Empty() => 0,
        Some(x) => x,
        None => 0,
        Point { x, y: 0 } => x,
        (a, _) => a,
        -1 => -1,
        "s" => 2,
        true => 3,
        1.5 => 4,
        _ => 0
    };
    if a > 1 { println(1); } elif a < 0 { println(2); } else { println(3); }
    while b > 0 { b = b - 1; if b == 5 { break; } continue; }
    for let! i = 0; i < 10; i = i + 1 { }
    for i = 0; i < 5; i += 1 { }
    for ;; { break; }
    for x in 0..10 { }
    for x in 0..=arr.len() { }
    switch a {
        case 1, 2: println("one or two");
        case 3: return 3;
        default: println("other");
    }
    defer cleanup();
    go worker(ch);
    go { let z = 1; ch.send(z); };
    t.add(2)!;
    let w = t.add_ret(3)!;
    let ok = a.f() != b;
    let x = &a;
    let y = &b!;
    let ptr = &a as *i32;
    let deref = *x;
    let tried = compute()?;
    let f = f"value {a} and {p.x + 1} {{literal}}";
    let n = nil;
    let g = identity<i32>(42);
    let bits = a & 1 == 0 | b ^ 2;
    let sh = a << 2 >> 1;
    let lg = !done && (x || y);
    let neg = -a % 3;
    a++;
    b--;
    loop { }
    unsafe { }
    { }
    return 0;
}
"#;

#[test]
fn parses_every_syntax_form() {
    let f = ok(ALL_FORMS);
    let count = |pred: fn(&ItemKind) -> bool| f.items.iter().filter(|i| pred(&i.kind)).count();
    assert_eq!(count(|k| matches!(k, ItemKind::Import(_))), 3);
    assert_eq!(count(|k| matches!(k, ItemKind::ExportList(_))), 1);
    assert_eq!(count(|k| matches!(k, ItemKind::Policy(_))), 2);
    assert_eq!(count(|k| matches!(k, ItemKind::Extern(_))), 2);
    assert_eq!(count(|k| matches!(k, ItemKind::TypeAlias(_))), 2);
    assert_eq!(count(|k| matches!(k, ItemKind::Const(_))), 1);
    assert_eq!(count(|k| matches!(k, ItemKind::Trait(_))), 2);
    assert_eq!(count(|k| matches!(k, ItemKind::Struct(_))), 3);
    assert_eq!(count(|k| matches!(k, ItemKind::Enum(_))), 2);
    assert_eq!(count(|k| matches!(k, ItemKind::Fn(_))), 6);

    // NodeIds: unique and dense from 0.
    let mut ids = Ids(Vec::new());
    ids.file(&f);
    let mut v = ids.0.clone();
    v.sort_unstable();
    let n = v.len();
    v.dedup();
    assert_eq!(v.len(), n, "duplicate node ids");
    assert_eq!(n as u32, f.node_count, "ids are not dense");
    assert_eq!(v.last().copied(), Some(f.node_count - 1));

    // A few details.
    for item in &f.items {
        match &item.kind {
            ItemKind::Struct(s) if s.name.name == "Point" => {
                assert!(item.exported);
                assert_eq!(s.policies.len(), 1);
                assert_eq!(s.impls.len(), 2);
                assert_eq!(s.impls[1].args.len(), 1);
                assert_eq!(s.fields.len(), 2);
                assert_eq!(s.fields[0].tag.as_ref().map(|t| t.0.as_str()), Some("json:\"x\""));
                assert_eq!(s.methods.len(), 3);
                assert!(s.methods[1].mutating.is_some());
                assert_eq!(s.methods[2].receiver.as_ref().map(|r| ty(&r.ty)), Some("&Point".into()));
                assert_eq!(s.assoc_types.len(), 1);
            }
            ItemKind::Extern(x) if x.abi.is_some() => {
                assert_eq!(x.abi.as_deref(), Some("C"));
                assert!(x.fns[0].variadic);
                assert_eq!(x.fns[1].ret.as_ref().map(ty), Some("i32".into()));
                assert!(x.fns[2].ret.is_none());
            }
            ItemKind::TypeAlias(a) if a.name.name == "Id" => assert_eq!(a.alternatives.len(), 2),
            ItemKind::TypeAlias(a) => assert_eq!(ty(&a.alternatives[0]), "fn(T,&[T]!):!"),
            ItemKind::Policy(p) if p.name.name == "Stored" => {
                assert_eq!(p.parents[0].name, "Wire");
                assert_eq!(p.fields[0].1, "db:\"pk\"");
            }
            ItemKind::Fn(fd) if fd.name.name == "helper" => {
                let tys: Vec<String> = fd.params.iter().map(|p| ty(&p.ty)).collect();
                assert_eq!(
                    tys,
                    [
                        "&[i32]",
                        "*const u8",
                        "fn(i32,i32):bool",
                        "Map<string,Vec<i32>>",
                        "Set<i32>",
                        "[i32;3]",
                        "(i32,string)",
                        "()",
                        "&i32!",
                        "Box<Box<i32>>"
                    ]
                );
            }
            ItemKind::Fn(fd) if fd.name.name == "apply" => {
                assert_eq!(fd.type_params.len(), 3);
                assert_eq!(fd.type_params[1].bounds.len(), 2);
                assert!(matches!(fd.type_params[2].bounds[0], Bound::Callable { .. }));
            }
            ItemKind::Fn(fd) if fd.name.name == "work" => assert!(fd.is_async),
            ItemKind::Fn(fd) if fd.name.name == "move_by" => {
                assert!(fd.receiver.is_some());
                assert!(fd.mutating.is_some());
            }
            ItemKind::Fn(fd) if fd.name.name == "never" => assert_eq!(fd.ret.as_ref().map(ty), Some("!".into())),
            _ => {}
        }
    }
    let body = main_body(&f);
    let unsupported: Vec<&str> =
        body.iter().filter_map(|s| if let StmtKind::Unsupported(w) = s.kind { Some(w) } else { None }).collect();
    assert_eq!(unsupported, ["`loop` statements", "`unsafe` blocks", "block statements"]);
    assert!(body.iter().any(|s| matches!(s.kind, StmtKind::ForIn { .. })));
    assert!(body
        .iter()
        .any(|s| matches!(s.kind, StmtKind::Switch { ref cases, default: Some(_), .. } if cases.len() == 2)));
    assert!(body.iter().any(|s| matches!(s.kind, StmtKind::Go(Expr { kind: ExprKind::Block(_), .. }))));
}

#[test]
fn empty_file_and_comments() {
    assert_eq!(ok("").items.len(), 0);
    assert_eq!(ok("   \r\n// only a comment\n/* block */").items.len(), 0);
    let f = ok("fn main() {\r\n  let x = 1; // c\r\n  /* y */ let y = 2;\r\n}\r\n");
    assert_eq!(main_body(&f).len(), 2);
}

#[test]
fn keywords_need_a_word_boundary() {
    let f =
        ok("fn main() { let iffy = 1; let letter = 2; let format = 3; let inx = 4; let asx = 5; let Settings = 6; }");
    assert_eq!(main_body(&f).len(), 6);
    assert_eq!(err("fn main() { let match = 1; }").code, "E0001");
    // `Vec`, `Box`, `Some`, `Self`, `loop` are not keywords.
    assert_eq!(e("Vec()"), "(call Vec [])");
    assert_eq!(e("Some(Box(1))"), "(call Some [(call Box [1])])");
    assert_eq!(e("loop + 1"), "(+ loop 1)");
}

#[test]
fn precedence_ladder() {
    assert_eq!(e("a & b == 0"), "(& a (== b 0))");
    assert_eq!(e("-x as i64"), "(as (neg x) i64)");
    assert_eq!(e("x * y as f64"), "(* x (as y f64))");
    assert_eq!(e("x as i64 as f64"), "(as (as x i64) f64)");
    assert_eq!(e("&x as *i32"), "(as (& x) *i32)");
    assert_eq!(e("*r as f64"), "(as (deref r) f64)");
    assert_eq!(e("!s.contains(9)"), "(not (mcall s contains [9]))");
    assert_eq!(e("1 + 2 * 3 - 4"), "(- (+ 1 (* 2 3)) 4)");
    assert_eq!(e("a - b - c"), "(- (- a b) c)");
    assert_eq!(e("a || b && c"), "(|| a (&& b c))");
    assert_eq!(e("a | b ^ c & d"), "(| a (^ b (& c d)))");
    assert_eq!(e("a == b << 1 + 2"), "(== a (<< b (+ 1 2)))");
    assert_eq!(e("a < b == c"), "(== (< a b) c)");
    assert_eq!(e("a && b || c && d"), "(|| (&& a b) (&& c d))");
    assert_eq!(e("- - x"), "(neg (neg x))");
    assert_eq!(e("a % b * c / d"), "(/ (* (% a b) c) d)");
    assert_eq!(e("0..n + 1"), "(.. 0 (+ n 1))");
    assert_eq!(e("a >> 2 >= b"), "(>= (>> a 2) b)");
}

#[test]
fn postfix_and_mutation_markers() {
    assert_eq!(e("t.add(2)!"), "(mcall! t add [2])");
    assert_eq!(e("a.f() != b"), "(!= (mcall a f []) b)");
    assert_eq!(e("a.f()!= b"), "(!= (mcall a f []) b)");
    assert_eq!(e("&x!"), "(&! x)");
    assert_eq!(e("&x"), "(& x)");
    assert_eq!(e("&a.b[0]!"), "(&! (index (. a b) 0))");
    assert_eq!(e("x != y"), "(!= x y)");
    assert_eq!(e("t.0"), "(. t 0)");
    assert_eq!(e("t.0.1"), "(. (. t 0) 1)");
    assert_eq!(e("f(1)(2)[3]?"), "(? (index (call (call f [1]) [2]) 3))");
    assert_eq!(e("a.b.c(d).e"), "(. (mcall (. a b) c [d]) e)");
    assert_eq!(e("x++"), "(++ x)");
    assert_eq!(e("await f()"), "(await (call f []))");
    assert_eq!(e("1.foo()"), "(mcall 1 foo [])");
    assert_eq!(e("1.5"), "1.5");
    assert_eq!(e("v.new()"), "(mcall v new [])");
    assert!(err("fn main() { let v = x!; }").message.contains("unexpected `!`"));
}

#[test]
fn struct_literals_and_conditions() {
    assert_eq!(c("x"), "x");
    assert_eq!(c("p == (Point { x: 1 })"), "(== p (struct Point x:1))");
    assert_eq!(c("a < b && c > d"), "(&& (< a b) (> c d))");
    let f = ok("fn main() { while i < n { i = i + 1; } }");
    assert!(matches!(
        &main_body(&f)[0].kind,
        StmtKind::While { cond: Expr { kind: ExprKind::Binary { op: BinOp::Lt, .. }, .. }, .. }
    ));
    ok("fn main() { for x in items { } match p { _ => 1 }; switch n { default: } for let! i = 0; i < n; i = i + 1 { } }");
    // Struct literals elsewhere.
    assert_eq!(e("Point { x: 1, y: f(2), }"), "(struct Point x:1 y:(call f [2]))");
    assert_eq!(e("Unit {}"), "(struct Unit )");
    assert_eq!(e("Holder<i32> { item: 5 }"), "(struct Holder<i32> item:5)");
    assert_eq!(e("[Point { x: 1 }]"), "[(struct Point x:1)]");
    // A struct literal at the top of a condition is not one: `{` opens the body.
    assert_eq!(err("fn main() { if p == Point { x: 1 } { } }").code, "E0001");
}

#[test]
fn generic_arguments_in_expressions() {
    assert_eq!(e("a<b>(c)"), "(call a<b> [c])");
    assert_eq!(e("identity<i32>(42)"), "(call identity<i32> [42])");
    assert_eq!(e("mk<Box<Box<i32>>>()"), "(call mk<Box<Box<i32>>> [])");
    assert_eq!(e("a < b"), "(< a b)");
    assert_eq!(e("a < b > c"), "(> (< a b) c)");
    assert_eq!(e("Map<string, i32>()"), "(ctor Map<string,i32> [])");
    assert_eq!(e("Set(16)"), "(ctor Set<> [16])");
    assert_eq!(c("i < n"), "(< i n)");
    assert_eq!(c("f<i32>(x)"), "(call f<i32> [x])");
    let f = ok("fn main() { let b: Box<Box<i32>> = Box { value: Box { value: 1 } }; }");
    match &main_body(&f)[0].kind {
        StmtKind::Let(l) => assert_eq!(ty(l.ty.as_ref().unwrap()), "Box<Box<i32>>"),
        _ => panic!(),
    }
}

#[test]
fn literals_and_collections() {
    assert_eq!(e("{}"), "(map )");
    assert_eq!(e("{ \"a\": 1, \"b\": 2, }"), "(map \"a\":1 \"b\":2)");
    assert_eq!(e("[0; 8192]"), "[0; 8192]");
    assert_eq!(e("[1, 2, 3,]"), "[1 2 3]");
    assert_eq!(e("[a < b, c]"), "[(< a b) c]");
    assert_eq!(e("(1, 2)"), "(tuple 1 2)");
    assert_eq!(e("(1,)"), "(tuple 1)");
    assert_eq!(e("()"), "(tuple )");
    assert_eq!(e("(1)"), "1");
    assert_eq!(e("true"), "true");
    assert_eq!(e("nil"), "nil");
    assert_eq!(e("340282366920938463463374607431768211455"), u128::MAX.to_string());
    let d = err("fn main() { let x = 340282366920938463463374607431768211456; }");
    assert_eq!((d.code, d.message.as_str()), ("E0004", "integer literal is too large"));
    // `[a && b]` needs parentheses: elements are comparison-level expressions.
    assert_eq!(err("fn main() { let v = [a && b]; }").code, "E0001");
    assert_eq!(e("[(a && b)]"), "[(&& a b)]");
}

#[test]
fn string_escapes() {
    assert_eq!(e(r#""a\nb\t\"q\"\\\r\b\f\0""#), format!("{:?}", "a\nb\t\"q\"\\\r\u{8}\u{c}\0"));
    assert_eq!(e("\"π ✓\""), "\"π ✓\"");
    let src = "fn main() { let s = \"ab\\qc\"; }";
    let d = err(src);
    assert_eq!(d.code, "E0005");
    assert!(d.message.contains("unknown character escape"));
    assert_eq!(text(src, d.span.unwrap()), "\\q");
    let src = "fn main() {\n    let s = \"abc\n    ;\n}";
    let d = err(src);
    assert_eq!((d.code, d.message.as_str()), ("E0001", "unterminated string literal"));
    assert_eq!(line_of(src, &d), 2);
}

#[test]
fn format_strings() {
    assert_eq!(e(r#"f"a {x} b {{ }}""#), r#"(f "a " {x} " b { }")"#);
    assert_eq!(e(r#"f"plain""#), r#"(f "plain")"#);
    assert_eq!(e(r#"f"{p.x + 1}\n""#), r#"(f {(+ (. p x) 1)} "\n")"#);
    assert_eq!(e(r#"f"{ Point { x: 1 }.x }""#), r#"(f {(. (struct Point x:1) x)})"#);
    // Interpolated expressions carry spans into the original file.
    let src = r#"fn main() { let s = f"n = {count + 1}!"; }"#;
    let f = ok(src);
    let StmtKind::Let(l) = &main_body(&f)[0].kind else { panic!() };
    let ExprKind::FString(parts) = &l.value.kind else { panic!() };
    let FStringPart::Expr(x) = &parts[1] else { panic!() };
    assert_eq!(text(src, x.span), "count + 1");
    let ExprKind::Binary { rhs, .. } = &x.kind else { panic!() };
    assert_eq!(text(src, rhs.span), "1");
    // Errors inside f-strings point into the file.
    let src = r#"fn main() { let s = f"{a +}"; }"#;
    let d = err(src);
    assert_eq!(d.code, "E0001");
    assert_eq!(text(src, d.span.unwrap()), "");
    assert_eq!(d.span.unwrap().start as usize, src.find('}').unwrap());
    assert!(err(r#"fn main() { let s = f"a } b"; }"#).message.contains("unmatched `}`"));
    assert!(err(r#"fn main() { let s = f"a { b"; }"#).message.contains("unclosed `{`"));
}

#[test]
fn closures_blocks_and_match() {
    assert_eq!(e("|v: i32| v * k"), "(closure [v:i32] (* v k))");
    assert_eq!(e("|x: i32|: i32 { if x > 9 { return 9; } x }"), "(closure [x:i32]:i32 (block 1 x))");
    assert_eq!(e("|| 42"), "(closure [] 42)");
    assert_eq!(e("|a: &i32, b: fn(i32): i32| b(*a)"), "(closure [a:&i32 b:fn(i32):i32] (call b [(deref a)]))");
    let f = ok("fn main() { let r = match v { 1 | 2 => { let w = 1; w }, n if n > 3 => n, _ => 0 }; }");
    let StmtKind::Let(l) = &main_body(&f)[0].kind else { panic!() };
    let ExprKind::Match { arms, .. } = &l.value.kind else { panic!() };
    assert_eq!(arms.len(), 3);
    assert!(matches!(arms[0].pattern.kind, PatternKind::Or(ref ps) if ps.len() == 2));
    assert!(matches!(arms[0].body.kind, ExprKind::Block(ref b) if b.stmts.len() == 1 && b.tail.is_some()));
    assert!(arms[1].guard.is_some());
    // Patterns.
    let f = ok("fn main() { match v { E.V(x) => 1, E.W() => 2, E.U => 3, Some(_) => 4, None => 5, P { a, b: 1 } => 6, (x, y) => 7, -1 => 8, 1..=9 => 9 } ; }");
    let StmtKind::Expr(Expr { kind: ExprKind::Match { arms, .. }, .. }) = &main_body(&f)[0].kind else { panic!() };
    let kinds: Vec<String> = arms
        .iter()
        .map(|a| format!("{:?}", a.pattern.kind).split([' ', '(', '{']).next().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["Variant", "Variant", "Variant", "Variant", "Binding", "Struct", "Tuple", "Int", "Range"]);
    assert!(matches!(arms[1].pattern.kind, PatternKind::Variant { has_parens: true, payload: None, .. }));
    assert!(matches!(arms[2].pattern.kind, PatternKind::Variant { has_parens: false, .. }));
    assert!(matches!(arms[3].pattern.kind, PatternKind::Variant { enum_name: None, .. }));
    assert!(matches!(arms[7].pattern.kind, PatternKind::Int { value: 1, negative: true }));
    // A tail expression must be last in a block expression.
    assert_eq!(err("fn main() { let c = || { a b }; }").code, "E0001");
}

#[test]
fn spans_are_byte_ranges() {
    let src = "fn main() { let v = foo(1) + bar * 2; }";
    let f = ok(src);
    let StmtKind::Let(l) = &main_body(&f)[0].kind else { panic!() };
    assert_eq!(text(src, l.value.span), "foo(1) + bar * 2");
    let ExprKind::Binary { lhs, rhs, .. } = &l.value.kind else { panic!() };
    assert_eq!(text(src, lhs.span), "foo(1)");
    assert_eq!(text(src, rhs.span), "bar * 2");
    assert_eq!(text(src, l.name.span), "v");
    assert_eq!(text(src, main_body(&f)[0].span), "let v = foo(1) + bar * 2;");
}

// ------------------------------------------------------------------ diagnostics

#[test]
fn missing_semicolon_points_after_the_statement() {
    let src = "fn main(): i32 {\n    let x = 42\n    let y = 1;\n    return x;\n}\n";
    let d = err(src);
    assert_eq!(d.code, "E0001");
    assert_eq!(d.message, "expected `;`, found keyword `let`");
    assert_eq!(line_of(src, &d), 2);
    assert_eq!(d.span.unwrap().start as usize, src.find("42").unwrap() + 2);
    assert_eq!(d.label.as_deref(), Some("expected `;` here"));
    assert_eq!(d.help.as_deref(), Some("add `;` at the end of the statement"));
    // With a comment between the statement and the next line.
    let src = "fn main() {\n    foo(1) // call \"it\"\n    bar();\n}";
    let d = err(src);
    assert_eq!(d.span.unwrap().start as usize, src.find("// call").unwrap() - 1);
    // No implicit tail return in function bodies.
    let d = err("fn f(): i32 { 42 }");
    assert_eq!(d.message, "expected `;`, found `}`");
    assert!(!d.notes.is_empty());
}

#[test]
fn other_syntax_errors_use_words() {
    let d = err("fn main() {\n    let x = ;\n}");
    assert_eq!(d.message, "expected an expression, found `;`");
    let d = err("fn main() {\n    foo(1, 2;\n}");
    assert!(d.message.starts_with("expected `,` or `)`"), "{}", d.message);
    let d = err("fn main() {\n    let x = 1;\n");
    assert_eq!(d.message, "unexpected end of file");
    assert!(d.label.as_deref().unwrap_or("").contains("`}`"), "{:?}", d.label);
    let d = err("struct P { x: }");
    assert_eq!(d.message, "expected a type, found `}`");
    let d = err("fn main() -> i32 { }");
    assert!(d.help.as_deref().unwrap_or("").contains("fn f(): i32"), "{d:?}");
    let d = err("fn main() { let mut x = 1; }");
    assert!(d.help.as_deref().unwrap_or("").contains("let!"), "{d:?}");
    let d = err("fn main() { if x = 1 { } }");
    assert!(d.help.as_deref().unwrap_or("").contains("=="), "{d:?}");
    let d = err("let x = 1;");
    assert!(d.message.contains("an item"), "{}", d.message);
    let d = err("fn main() { x %= 2; }");
    assert_eq!(d.code, "E0658");
    let d = err("fn main() { let c = |x| x; }");
    assert!(d.help.as_deref().unwrap_or("").contains("|x: i32|"), "{d:?}");
}

#[test]
fn rejected_constructs() {
    let src =
        "struct Point { x: i32 }\nimpl Show for Point {\n    fn show(): string { return \"}\"; }\n}\nfn main() {}";
    let d = err(src);
    assert_eq!(d.code, "E0001");
    assert_eq!(text(src, d.span.unwrap()), "impl Show for Point");
    assert_eq!(
        d.help.as_deref(),
        Some("write `struct Point impl Show { ... }` and put the methods inside the struct body")
    );
    let d = err("impl Point { fn f() {} }");
    assert!(d.help.as_deref().unwrap().contains("put the methods inside the struct body"));

    let src = "fn main() { if a { } else if b { } else { } }";
    let d = err(src);
    assert_eq!(d.code, "E0001");
    assert_eq!(text(src, d.span.unwrap()), "else if");
    assert_eq!(d.help.as_deref().map(|h| h.starts_with("use `elif`")), Some(true));

    let d = err("trait T { fn f(): i32 { return 1; } }");
    assert_eq!((d.code, d.message.as_str()), ("E0001", "trait methods cannot have a body"));

    let d = err("interface Shape { fn area(): i32; }");
    assert_eq!(d.code, "E0001");
    assert!(d.help.as_deref().unwrap().starts_with("use `trait`"));
}

// ------------------------------------------------------------------ robustness

fn quick<F: FnOnce() -> Result<File, Vec<Diagnostic>>>(f: F) -> Vec<Diagnostic> {
    let start = std::time::Instant::now();
    let r = f();
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    r.expect_err("expected diagnostics")
}

#[test]
fn deep_bracket_nesting_is_rejected() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
        let inner = format!("{}1{}", open.repeat(10_000), close.repeat(10_000));
        let src = format!("fn main() {{ let x = {inner}; }}");
        let d = quick(|| try_parse(&src));
        assert_eq!(d[0].code, "E0007");
        assert_eq!(d[0].message, "nesting too deep: more than 256 levels of brackets");
        assert_eq!(d[0].help.as_deref(), Some("split the expression into several `let` bindings"));
    }
    // 200 levels are fine.
    let src = format!("fn main() {{ let x = {}1{}; }}", "(".repeat(200), ")".repeat(200));
    ok(&src);
    let src = format!("fn main() {{ {} {} }}", "{".repeat(200), "}".repeat(200));
    ok(&src);
}

#[test]
fn long_operator_chains_are_rejected_without_recursion() {
    let src = format!("fn main() {{ let x = {}x; }}", "- ".repeat(100_000));
    assert_eq!(quick(|| try_parse(&src))[0].code, "E0007");
    let src = format!("fn main() {{ let x = 1{}; }}", "+1".repeat(100_000));
    assert_eq!(quick(|| try_parse(&src))[0].code, "E0007");
    let src = format!("fn main() {{ let x = y{}; }}", ".f()".repeat(100_000));
    assert_eq!(quick(|| try_parse(&src))[0].code, "E0007");
    let src = format!("fn main() {{ let x = y{}; }}", " as i32".repeat(100_000));
    assert_eq!(quick(|| try_parse(&src))[0].code, "E0007");
    let src = format!("fn f(x: {}i32) {{ }}", "&".repeat(100_000));
    assert_eq!(quick(|| try_parse(&src))[0].code, "E0007");
    let src = format!("fn main() {{ let f = {}1; }}", "|x: i32| ".repeat(100_000));
    assert_eq!(quick(|| try_parse(&src))[0].code, "E0007");
    // Moderate chains are fine.
    let src = format!("fn main() {{ let x = 1{}; }}", "+1".repeat(500));
    ok(&src);
}

#[test]
fn nested_closures_with_errors_do_not_backtrack_exponentially() {
    let src = format!("fn main() {{ let f = {} error error {}; }}", "|x: i32| { ".repeat(60), "}".repeat(60));
    quick(|| try_parse(&src));
    let src = format!("fn main() {{ {} error error {} }}", "f(|| { { ".repeat(40), "} })".repeat(40));
    quick(|| try_parse(&src));
    let src = format!("fn f(x: {}i32{}) {{ }}", "&[".repeat(100), "; 1]".repeat(99) + "] error");
    quick(|| try_parse(&src));
}

#[test]
fn random_bytes_never_panic() {
    // A small deterministic PRNG (xorshift) so the test needs no dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let bytes: Vec<u8> = (0..1_000_000).map(|_| (next() & 0xFF) as u8).collect();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    quick(|| try_parse(&text));
    // Random tokens are closer to real code and exercise more of the grammar.
    let toks = [
        "fn", "main", "(", ")", "{", "}", "let", "x", "=", "1", ";", "if", "else", "elif", "match", "=>", "|", "&",
        "!", "<", ">", "[", "]", ",", ".", "\"s\"", "f\"{x}\"", "as", "i32", ":", "struct", "+", "-", "*", "?", "..",
        "for", "in", "while", "return", "go", "defer", "switch", "case", "default", "impl", "trait", "enum",
    ];
    for _ in 0..300 {
        let n = (next() % 60) as usize;
        let src: Vec<&str> = (0..n).map(|_| toks[(next() % toks.len() as u64) as usize]).collect();
        let src = src.join(" ");
        let _ = try_parse(&src);
        let wrapped = format!("fn main() {{ {src} }}");
        let _ = try_parse(&wrapped);
    }
}

/// `cargo test --release -p vexc --lib syntax::tests::throughput -- --ignored --nocapture`
#[test]
#[ignore]
fn throughput() {
    let func = "fn f_N(a: i32, b: &Point!): i32 {\n    let! x: i32 = a * 2 + b.x;\n    if x > 10 && a != 3 { x = x - 1; } elif x < 0 { return 0; } else { b.bump(1)!; }\n    for let! i = 0; i < 10; i = i + 1 { x += i; }\n    let m = match x { 0 | 1 => 1, n if n > 5 => { n * 2 }, _ => 0 };\n    println(f\"x = {x} and {m}\");\n    return x as i32;\n}\n";
    let mut src = String::new();
    for i in 0..20_000 {
        src.push_str(&func.replace("_N", &format!("_{i}")));
    }
    let lines = src.lines().count();
    let t = std::time::Instant::now();
    {
        use pest::Parser;
        let pairs = super::parser::VexParser::parse(super::parser::Rule::file, &src).map(|p| p.count());
        eprintln!("pest only: {:?} {:?}", pairs.is_ok(), t.elapsed());
    }
    let t = std::time::Instant::now();
    let f = ok(&src);
    let dt = t.elapsed();
    eprintln!("{lines} lines, {} items in {dt:?}: {:.0} lines/s", f.items.len(), lines as f64 / dt.as_secs_f64());
}
