//! Expressions. Vex evaluates left to right (§6.14) but C leaves the order of operands and
//! arguments unspecified, so whenever a later operand has side effects, every earlier
//! non-constant operand is first evaluated into a temporary (the statement's prelude).

use super::func::{paren, FnEmitter};
use super::names::c_string_body;
use super::types::int_c;
use crate::hir::{self, visit_expr as visit, ExprKind, PrintPart, PrintStyle, Receiver};
use crate::syntax::ast::{BinOp, UnaryOp};
use crate::types::{FloatTy, IntTy, Ty};

/// Whether evaluating `e` can have an effect (output, a call, a panic) that fixes its order.
pub fn impure(e: &hir::Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        found |= match &x.kind {
            ExprKind::Call { .. }
            | ExprKind::CallValue { .. }
            | ExprKind::Closure { .. }
            | ExprKind::Lib { .. }
            | ExprKind::Builtin { .. }
            | ExprKind::ExternCall { .. }
            | ExprKind::FString(_)
            | ExprKind::MethodCall { .. }
            | ExprKind::Print { .. }
            | ExprKind::Index { .. }
            | ExprKind::Abort { .. }
            | ExprKind::Try { .. }
            | ExprKind::Match { .. } => true,
            ExprKind::Binary { op: BinOp::Div | BinOp::Rem, rhs, .. } => x.ty.is_int() && !nonzero_divisor(rhs),
            _ => false,
        }
    });
    found
}

/// A `string` value (`vex_str`) viewing `len` bytes at the C expression `ptr` that Vex does not
/// own (a literal): every such value the emitted C makes goes through here, so the string's
/// representation is spelled in one place (`VEX_STR_LIT`, vex_runtime.h).
pub(super) fn str_value(ptr: &str, len: usize) -> String {
    format!("VEX_STR_LIT({ptr}, {len})")
}

fn is_constant(e: &hir::Expr) -> bool {
    matches!(e.kind, ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Unit)
}

/// A literal divisor that can neither be zero nor -1 (so plain C division is exact and safe).
fn nonzero_divisor(e: &hir::Expr) -> bool {
    matches!(e.kind, ExprKind::Int(v) if v != 0 && v != -1)
}

fn suffix(i: IntTy) -> &'static str {
    i.name()
}

/// How one operand of a multi-operand construct is to be emitted.
enum Operand<'e> {
    /// A value the consumer keeps (retained if read from a place).
    Value(&'e hir::Expr),
    /// A value only looked at (an operand of an operator): a fresh one is released after the
    /// statement.
    Borrowed(&'e hir::Expr),
    /// The address of a place (a by-reference method receiver).
    Address(&'e hir::Expr),
    /// The address of a value the callee only reads (the receiver of a method that does not
    /// mutate it): `b.get()` is then the box's value itself (`box_value_place`).
    Shared(&'e hir::Expr),
}

/// A place whose address cannot change while a statement runs: a local, or a field of one.
fn fixed_address(e: &hir::Expr) -> bool {
    match &e.kind {
        ExprKind::Local(_) => true,
        ExprKind::Field { base, .. } => fixed_address(base),
        _ => false,
    }
}

impl<'e> Operand<'e> {
    fn expr(&self) -> &'e hir::Expr {
        match self {
            Operand::Value(e) | Operand::Borrowed(e) | Operand::Address(e) | Operand::Shared(e) => e,
        }
    }
}

impl FnEmitter<'_> {
    /// The address of a collection method's receiver (`v` in `v.push(x)`), taken before the
    /// arguments run: a local's (or a field of one's) address is the same whatever they do, so
    /// it is written in place; any other place's is held in a temporary.
    pub(super) fn receiver_address(&mut self, recv: &hir::Expr, handle: &str) -> String {
        let p = self.address_of(recv);
        if fixed_address(recv) {
            p
        } else {
            self.hoist(&format!("{handle}*"), &p)
        }
    }

    fn hoist(&mut self, cty: &str, value: &str) -> String {
        let t = self.fresh_temp();
        self.decl_pre(cty, &t, Some(value.to_string()));
        t
    }

    /// Emits operands left to right, hoisting earlier ones when a later one has effects. A
    /// hoisted owned operand is *in flight* until its consumer runs: an exit from a later
    /// operand (`return` in a `match` arm, `?`) releases it. A hoisted borrowed place that owns
    /// heap data is held with its own reference, since a later operand may overwrite it.
    fn operands(&mut self, ops: &[Operand<'_>]) -> Vec<String> {
        let effects: Vec<bool> = ops.iter().map(|o| impure(o.expr())).collect();
        let inflight = self.inflight.len();
        let mut out = Vec::with_capacity(ops.len());
        for (i, op) in ops.iter().enumerate() {
            let later_effects = effects[i + 1..].iter().any(|b| *b);
            let text = match op {
                Operand::Value(e) | Operand::Borrowed(e) => {
                    let consumed = matches!(op, Operand::Value(_));
                    let t = if consumed { self.owned(e) } else { self.borrowed(e) };
                    if later_effects && !is_constant(e) && e.ty != Ty::Unit {
                        if consumed {
                            let cty = self.c_type(&e.ty);
                            let h = self.hoist(&cty, &t);
                            let release = self.release(&e.ty, &h);
                            self.inflight.extend(release);
                            h
                        } else {
                            self.hold(e, t)
                        }
                    } else {
                        t
                    }
                }
                Operand::Address(e) | Operand::Shared(e) => {
                    // A read-only receiver `b.get()` is the value inside the box (held by an
                    // immutable local, so its address is fixed): no copy.
                    let view = if matches!(op, Operand::Shared(_)) { self.box_value_place(e) } else { None };
                    match view {
                        Some(p) => format!("&{p}"),
                        None => {
                            let t = self.address_of(e);
                            // The address of a local (or of a field of one) is the same whatever
                            // the later operands do: no temporary needed.
                            if later_effects && !fixed_address(e) {
                                let cty = format!("{}*", self.place_c_type(e));
                                self.hoist(&cty, &t)
                            } else {
                                t
                            }
                        }
                    }
                }
            };
            out.push(text);
        }
        self.inflight.truncate(inflight);
        out
    }

    /// The C arguments of a call of a named function or method (receiver first), in order.
    pub(super) fn call_args(&mut self, e: &hir::Expr) -> Vec<String> {
        let mut ops = Vec::new();
        match &e.kind {
            ExprKind::Call { args, .. } => ops.extend(args.iter().map(Operand::Value)),
            ExprKind::MethodCall { func, receiver, args, .. } => {
                match receiver {
                    Receiver::AddressOf(r) if !self.program.functions[*func as usize].mutating => ops.push(Operand::Shared(r)),
                    Receiver::AddressOf(r) => ops.push(Operand::Address(r)),
                    Receiver::Pointer(r) | Receiver::Value(r) => ops.push(Operand::Value(r)),
                }
                ops.extend(args.iter().map(Operand::Value));
            }
            _ => {}
        }
        self.operands(&ops)
    }

    /// A borrowed value kept in a temporary across later effects: a place that owns heap data
    /// is retained (and released after the statement), so a later overwrite cannot free it.
    pub(super) fn hold(&mut self, e: &hir::Expr, text: String) -> String {
        let cty = self.c_type(&e.ty);
        if self.needs_drop(&e.ty) && super::ownership::is_place(e) {
            let t = self.fresh_temp();
            self.decl_pre(&cty, &t, Some(strip(&text).to_string()));
            let mut retain = Vec::new();
            super::ownership::glue(&e.ty, &t, super::ownership::Glue::Retain, self.layouts, self.program, &mut retain, 0);
            self.prelude.extend(retain);
            let release = self.release(&e.ty, &t);
            self.postlude.extend(release);
            return t;
        }
        self.hoist(&cty, &text)
    }

    pub(super) fn address_of(&mut self, e: &hir::Expr) -> String {
        if e.is_place() {
            match &e.kind {
                ExprKind::Deref(inner) => return self.expr(inner),
                ExprKind::Local(l) if self.views[*l as usize] => return self.locals[*l as usize].clone(),
                _ => {}
            }
            let p = self.expr(e);
            format!("&{}", paren(&p))
        } else if self.needs_drop(&e.ty) && !super::ownership::is_place(e) {
            // An owned temporary (`make().greet()`): held, and released after the statement.
            let t = self.borrowed(e);
            format!("&{t}")
        } else if self.needs_drop(&e.ty) {
            // A part of a temporary (`make().inner.bump()!`, `b.get().inner.bump()!`): a copy
            // with its own references, released after the statement. A shallow copy would share
            // them with the temporary (or the box) while a mutating method overwrites and
            // releases what it holds: released twice.
            let v = self.owned(e);
            let cty = self.c_type(&e.ty);
            let t = self.hoist(&cty, &v);
            let release = self.release(&e.ty, &t);
            self.postlude.extend(release);
            format!("&{t}")
        } else {
            let v = self.expr(e);
            let cty = self.c_type(&e.ty);
            let t = self.hoist(&cty, &v);
            format!("&{t}")
        }
    }

    fn src_line(&self, e: &hir::Expr) -> usize {
        self.line_of(e.span)
    }

    pub fn expr(&mut self, e: &hir::Expr) -> String {
        // C compilers limit bracket nesting (clang: 256), so very deep expressions are cut
        // into temporaries every 32 levels. Only rvalues are cut; places stay places.
        self.depth += 1;
        let text = self.expr_inner(e);
        self.depth -= 1;
        let rvalue = matches!(e.kind, ExprKind::Binary { .. } | ExprKind::Unary { .. } | ExprKind::Cast(_) | ExprKind::Call { .. });
        if rvalue && self.depth > 0 && self.depth % 32 == 0 && e.ty != Ty::Unit {
            let cty = self.c_type(&e.ty);
            return self.hoist(&cty, &text);
        }
        text
    }

    fn expr_inner(&mut self, e: &hir::Expr) -> String {
        match &e.kind {
            ExprKind::Int(v) => int_literal(*v, &e.ty),
            ExprKind::Float(v) => float_literal(*v, &e.ty),
            ExprKind::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            ExprKind::Str(s) => self.string_literal(s),
            ExprKind::Unit => "((vex_unit)0)".to_string(),
            ExprKind::Local(id) => {
                if self.f.locals[*id as usize].ty == Ty::Unit {
                    "((vex_unit)0)".to_string()
                } else if self.views[*id as usize] {
                    format!("(*{})", self.locals[*id as usize])
                } else {
                    self.locals[*id as usize].clone()
                }
            }
            ExprKind::Unary { op, operand } => {
                let x = self.expr(operand);
                match (op, &e.ty) {
                    (UnaryOp::Neg, Ty::Int(i)) => format!("vex_neg_{}({})", suffix(*i), x),
                    (UnaryOp::Neg, _) => format!("(-{})", paren(&x)),
                    (UnaryOp::Not, _) => format!("(!{})", paren(&x)),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs),
            ExprKind::Cast(inner) if e.ty == Ty::Never => {
                let x = self.expr(inner);
                if !is_constant(inner) {
                    self.prelude.push(format!("(void){};", paren(&x)));
                }
                let line = self.src_line(e);
                self.prelude.push(format!("vex_panic_at(VX_SOURCE_FILE, {line}, \"value cast to `!`\");"));
                "((vex_unit)0)".to_string()
            }
            ExprKind::Cast(inner) => {
                let x = self.expr(inner);
                cast(&x, &inner.ty, &e.ty, self)
            }
            ExprKind::CallValue { callee, args } => self.call_value(e, callee, args),
            ExprKind::Closure { func, captures } => self.closure_value(*func, captures),
            ExprKind::FnRef(func) => self.fn_ref(*func),
            ExprKind::Lib { op, args } => self.lib_op(e, *op, args),
            ExprKind::Builtin { func, args } => self.builtin(e, *func, args),
            ExprKind::ExternCall { func, args } => self.extern_call(e, *func, args),
            ExprKind::FString(parts) => self.fstring(parts),
            ExprKind::Call { func, .. } | ExprKind::MethodCall { func, .. } => {
                let args = self.call_args(e);
                format!("{}({})", self.names.function(*func), args.join(", "))
            }
            ExprKind::Field { base, field } => {
                let name = self.layouts.member(&base.ty, *field);
                match &base.kind {
                    ExprKind::Deref(p) => {
                        let p = self.expr(p);
                        format!("{}->{name}", paren(&p))
                    }
                    _ => {
                        let b = match self.box_value_place(base) {
                            Some(p) => p,
                            None => self.borrowed(base),
                        };
                        format!("{}.{name}", paren(&b))
                    }
                }
            }
            ExprKind::Index { base, index } => self.index(e, base, index),
            ExprKind::ArrayGet { base, index } => self.array_get(e, base, index),
            ExprKind::StructLit { id, fields } => {
                let ops: Vec<Operand> = fields.iter().map(|(_, v)| Operand::Value(v)).collect();
                let values = self.operands(&ops);
                let inits: Vec<String> = fields
                    .iter()
                    .zip(values)
                    .map(|((i, _), v)| format!(".{} = {}", self.layouts.field(*id, *i), v))
                    .collect();
                let cty = self.c_type(&e.ty);
                if inits.is_empty() {
                    format!("(({cty}){{0}})")
                } else {
                    format!("(({cty}){{{}}})", inits.join(", "))
                }
            }
            ExprKind::ArrayLit(elems) => {
                let ops: Vec<Operand> = elems.iter().map(Operand::Value).collect();
                let values = self.operands(&ops);
                let cty = self.c_type(&e.ty);
                if values.is_empty() {
                    format!("(({cty}){{0}})")
                } else {
                    format!("(({cty}){{{{{}}}}})", values.join(", "))
                }
            }
            ExprKind::EnumLit { id, variant, payload } => {
                if self.program.enums[*id as usize].unit_only() {
                    return variant.to_string();
                }
                let cty = self.c_type(&e.ty);
                match payload {
                    None => super::types::variant_value(self.program, *id, &cty, *variant, None),
                    Some(p) => {
                        let v = self.owned(p);
                        super::types::variant_value(self.program, *id, &cty, *variant, Some(strip(&v)))
                    }
                }
            }
            ExprKind::EnumOrdinal(inner) => self.expr(inner),
            ExprKind::Try { inner, ok, fail, ret_fail } => {
                // The operand is taken whole (a place's value with its own reference): its
                // payload goes to the result on success and into the returned failure.
                let v = self.owned(inner);
                let cty = self.c_type(&inner.ty);
                let t = self.hoist(&cty, &v);
                let ret_cty = self.c_type(&self.f.ret);
                let fail_has_payload = match &inner.ty {
                    Ty::Enum(id) => self.program.enums[*id as usize].variants[*fail as usize].payload.is_some(),
                    _ => false,
                };
                let ret_id = match &self.f.ret {
                    Ty::Enum(rid) => *rid,
                    _ => u32::MAX,
                };
                let fail_payload = format!("{t}.u.v{fail}");
                let value = super::types::variant_value(self.program, ret_id, &ret_cty, *ret_fail, fail_has_payload.then_some(fail_payload.as_str()));
                let ret = self.return_text(Some(&value));
                let failed = match &inner.ty {
                    Ty::Enum(id) => super::types::variant_test(self.program, *id, &t, *fail),
                    _ => format!("{t}.tag == {fail}"),
                };
                self.prelude.push(format!("if ({failed}) {ret}"));
                format!("{t}.u.v{ok}")
            }
            ExprKind::Match { scrutinee, arms } => self.match_expr(e, scrutinee, arms),
            ExprKind::TupleLit(elems) => {
                let ops: Vec<Operand> = elems.iter().map(Operand::Value).collect();
                let values = self.operands(&ops);
                format!("(({}){{{}}})", self.c_type(&e.ty), values.join(", "))
            }
            ExprKind::ArrayRepeat { value, count } => {
                let cty = self.c_type(&e.ty);
                let t = self.fresh_temp();
                let fill = self.repeat_fill(&t, value, *count);
                if fill.is_empty() {
                    self.decl_pre(&cty, &t, Some("{0}".to_string()));
                } else {
                    self.decl_pre(&cty, &t, None);
                    self.prelude.push(fill);
                }
                t
            }
            ExprKind::AddrOf { place, .. } => self.address_of(place),
            ExprKind::Deref(inner) => {
                let p = self.expr(inner);
                format!("(*{})", paren(&p))
            }
            ExprKind::Abort { kind, message, condition } => {
                let line = self.src_line(e);
                let msg = match message {
                    Some(m) => self.expr(m),
                    None => str_value("\"\"", 0),
                };
                let call = match kind {
                    hir::AbortKind::Assert => format!("vex_assert_failed(VX_SOURCE_FILE, {line}, {msg}, {});", message.is_some() as u8),
                    hir::AbortKind::Panic => format!("vex_panic_msg(VX_SOURCE_FILE, {line}, {msg});"),
                    hir::AbortKind::Unreachable => format!("vex_panic_at(VX_SOURCE_FILE, {line}, \"entered unreachable code\");"),
                };
                match condition {
                    Some(c) => {
                        let c = self.expr(c);
                        self.prelude.push(format!("if (!{}) {call}", paren(&c)));
                    }
                    None => self.prelude.push(call),
                }
                "((vex_unit)0)".to_string()
            }
            ExprKind::Print { parts, newline, stderr } => {
                self.print(parts, *newline, *stderr);
                "((vex_unit)0)".to_string()
            }
        }
    }

    /// A loop storing `value` (evaluated once, even for a zero-length array) into every element
    /// of the array `target`; each element that owns heap data gets its own reference.
    pub fn repeat_fill(&mut self, target: &str, value: &hir::Expr, count: u64) -> String {
        let v = self.owned(value);
        if count == 0 {
            if !is_constant(value) {
                let cty = self.c_type(&value.ty);
                let t = self.hoist(&cty, &v);
                let release = self.release(&value.ty, &t);
                if release.is_empty() {
                    self.prelude.push(format!("(void){t};"));
                }
                self.prelude.extend(release);
            }
            return String::new();
        }
        let v = if is_constant(value) { v } else { self.hoist(&self.c_type(&value.ty), &v) };
        let i = self.fresh_c_local();
        let mut retain = Vec::new();
        super::ownership::glue(&value.ty, &format!("{target}.a[{i}]"), super::ownership::Glue::Retain, self.layouts, self.program, &mut retain, 0);
        if retain.is_empty() {
            return format!("for (int64_t {i} = 0; {i} < {count}; {i}++) {target}.a[{i}] = {v};");
        }
        // The value's own reference goes to the first element; the others retain.
        format!("for (int64_t {i} = 0; {i} < {count}; {i}++) {{ {target}.a[{i}] = {v}; if ({i} > 0) {{ {} }} }}", retain.join(" "))
    }

    fn string_literal(&mut self, s: &str) -> String {
        let ptr = self.c_bytes(s.as_bytes());
        str_value(&ptr, s.len())
    }

    /// A C expression for a `const char*` to `bytes`: a string literal, or (beyond the 4095
    /// characters ISO C guarantees for literals) a file-scope byte array.
    fn c_bytes(&mut self, bytes: &[u8]) -> String {
        if bytes.len() <= 4000 {
            return format!("\"{}\"", c_string_body(bytes));
        }
        let t = self.fresh_c_local();
        let t = format!("{}_{t}", self.c_name);
        let mut def = format!("static const char {t}[{}] = {{", bytes.len());
        for (i, chunk) in bytes.chunks(24).enumerate() {
            if i > 0 {
                def.push(',');
            }
            def.push_str("\n    ");
            def.push_str(&chunk.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", "));
        }
        def.push_str("\n};\n");
        self.globals.push_str(&def);
        t
    }

    fn binary(&mut self, e: &hir::Expr, op: BinOp, lhs: &hir::Expr, rhs: &hir::Expr) -> String {
        if matches!(op, BinOp::And | BinOp::Or) {
            let l = self.expr(lhs);
            let (r, pre) = self.capture_bool(rhs);
            let c_op = if op == BinOp::And { "&&" } else { "||" };
            if pre.is_empty() {
                return format!("({} {c_op} {})", paren(&l), paren(&r));
            }
            // The right operand needs statements: evaluate it only when needed.
            let t = self.hoist("bool", &l);
            let test = if op == BinOp::And { t.clone() } else { format!("!{t}") };
            let mut block = format!("if ({test}) {{\n");
            for p in pre {
                for line in p.lines() {
                    block.push_str("    ");
                    block.push_str(line);
                    block.push('\n');
                }
            }
            block.push_str(&format!("    {t} = {r};\n}}"));
            self.prelude.push(block);
            return t;
        }
        if op == BinOp::Add && e.ty == Ty::Str {
            if let Some(text) = self.str_chain(e, None) {
                return text;
            }
        }
        let mut vals = self.operands(&[Operand::Borrowed(lhs), Operand::Borrowed(rhs)]);
        let comparison = matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne);
        if comparison && vals[0] == vals[1] && !matches!(lhs.ty, Ty::Float(_) | Ty::Str) {
            // `x <= x` in C trips -Wtautological-compare (an error under -Werror); a cast to the
            // operand's own type keeps the meaning and silences it.
            let cty = self.c_type(&lhs.ty);
            vals[0] = format!("(({cty}){})", paren(&vals[0]));
        }
        let (l, r) = (&vals[0], &vals[1]);
        let line = self.src_line(e);
        match &lhs.ty {
            Ty::Int(i) => {
                let s = suffix(*i);
                let t = int_c(*i);
                match op {
                    // Proven not to overflow (`ranges.rs`): the C operator, which the C
                    // compiler can reason about.
                    BinOp::Add | BinOp::Sub if super::ranges::cannot_wrap(&self.facts, op, lhs, rhs) => super::ranges::plain(op, t, l, r),
                    BinOp::Add => format!("vex_add_{s}({l}, {r})"),
                    BinOp::Sub => format!("vex_sub_{s}({l}, {r})"),
                    BinOp::Mul => format!("vex_mul_{s}({l}, {r})"),
                    BinOp::Div | BinOp::Rem if nonzero_divisor(rhs) => {
                        let c = if op == BinOp::Div { "/" } else { "%" };
                        format!("(({t})({} {c} {}))", paren(l), paren(r))
                    }
                    BinOp::Div => format!("vex_div_{s}({l}, {r}, VX_SOURCE_FILE, {line})"),
                    BinOp::Rem => format!("vex_rem_{s}({l}, {r}, VX_SOURCE_FILE, {line})"),
                    BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                        let c = match op {
                            BinOp::BitAnd => "&",
                            BinOp::BitOr => "|",
                            _ => "^",
                        };
                        if op == BinOp::BitXor && matches!(lhs.kind, ExprKind::Int(_)) {
                            // `2 ^ 3` in C trips clang's -Wxor-used-as-pow; a cast silences it
                            return format!("(({t})(({t}){} ^ {}))", paren(l), paren(r));
                        }
                        format!("(({t})({} {c} {}))", paren(l), paren(r))
                    }
                    BinOp::Shl => format!("vex_shl_{s}({l}, (uint32_t){})", paren(r)),
                    BinOp::Shr => format!("vex_shr_{s}({l}, (uint32_t){})", paren(r)),
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                        // A comparison against the type's own bound would trip -Wtype-limits.
                        let at_bound = |x: &hir::Expr| matches!(x.kind, ExprKind::Int(v) if v == i.min_value() || v == i.max_value());
                        // So would an operand whose range gcc can see is limited: a widened
                        // narrower value (`(x as i64) < 0` with `x: u8`), a bool cast, a bitwise
                        // result (`(x | 1) == 4`: -Wtautological-compare), a constant
                        // expression. Only variables, fields, elements and call results (full
                        // range) and literals are compared with the bare C operator.
                        let plain = |x: &hir::Expr| match &x.kind {
                            ExprKind::Int(_)
                            | ExprKind::Local(_)
                            | ExprKind::Field { .. }
                            | ExprKind::Index { .. }
                            | ExprKind::Call { .. }
                            | ExprKind::MethodCall { .. }
                            | ExprKind::CallValue { .. }
                            | ExprKind::Lib { .. }
                            | ExprKind::Deref(_) => true,
                            // emitted as calls of the vex_<op> helpers
                            ExprKind::Binary { op: BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Shl | BinOp::Shr, .. } => true,
                            ExprKind::Binary { op: BinOp::Div | BinOp::Rem, rhs, .. } => !nonzero_divisor(rhs),
                            _ => false,
                        };
                        if at_bound(lhs) || at_bound(rhs) || !plain(lhs) || !plain(rhs) {
                            let name = match op {
                                BinOp::Lt => "lt",
                                BinOp::Le => "le",
                                BinOp::Gt => "gt",
                                BinOp::Ge => "ge",
                                BinOp::Eq => "eq",
                                _ => "ne",
                            };
                            format!("vex_{name}_{s}({l}, {r})")
                        } else {
                            format!("({} {} {})", paren(l), op.symbol(), paren(r))
                        }
                    }
                    BinOp::And | BinOp::Or => unreachable_text(),
                }
            }
            Ty::Float(f) => match op {
                BinOp::Rem => {
                    let func = if *f == FloatTy::F32 { "vex_fmod_f32" } else { "vex_fmod_f64" };
                    format!("{func}({l}, {r})")
                }
                _ => format!("({} {} {})", paren(l), op.symbol(), paren(r)),
            },
            Ty::Str => match op {
                BinOp::Add => format!("vex_str_concat({l}, {r})"),
                BinOp::Eq => format!("vex_str_eq({l}, {r})"),
                _ => format!("(!vex_str_eq({l}, {r}))"),
            },
            _ => format!("({} {} {})", paren(l), op.symbol(), paren(r)),
        }
    }

    /// `base.a[checked index]`; the base is evaluated first, as a place when it is one.
    fn index(&mut self, e: &hir::Expr, base: &hir::Expr, index: &hir::Expr) -> String {
        let Ty::Array(_, len) = &base.ty else { return "0".into() };
        let len = *len;
        let index_effects = impure(index);
        let b = if index_effects && !matches!(base.kind, ExprKind::Local(_)) {
            if base.is_place() {
                let p = self.address_of(base);
                let cty = format!("{}*", self.c_type(&base.ty));
                let t = self.hoist(&cty, &p);
                format!("(*{t})")
            } else {
                let v = self.borrowed(base);
                let cty = self.c_type(&base.ty);
                self.hoist(&cty, &v)
            }
        } else {
            match &base.kind {
                ExprKind::Deref(p) => {
                    let p = self.expr(p);
                    format!("(*{})", paren(&p))
                }
                _ => self.borrowed(base),
            }
        };
        let i = self.expr(index);
        let line = self.src_line(e);
        let checked = match index.kind {
            ExprKind::Int(v) if v >= 0 && (v as u128) < len as u128 => v.to_string(),
            // Proven in bounds in this copy of a versioned loop (`loops.rs`).
            _ if self.unchecked.contains(&(e as *const hir::Expr)) => super::func::strip_parens(&i).to_string(),
            _ => match index.ty {
                Ty::Int(IntTy::U64) => format!("vex_check_index_u({i}, {len}, VX_SOURCE_FILE, {line})"),
                _ => format!("vex_check_index((int64_t){}, {len}, VX_SOURCE_FILE, {line})", paren(&i)),
            },
        };
        format!("{}.a[{checked}]", paren(&b))
    }

    /// `arr.get(i)`: the element, or the zero value when `i` is out of range.
    fn array_get(&mut self, e: &hir::Expr, base: &hir::Expr, index: &hir::Expr) -> String {
        let Ty::Array(_, len) = &base.ty else { return "0".into() };
        let len = *len;
        let zero = match &e.ty {
            Ty::Int(_) | Ty::Float(_) => "0".to_string(),
            Ty::Bool => "false".to_string(),
            other => format!("(({}){{0}})", self.c_type(other)),
        };
        if let ExprKind::Int(v) = index.kind {
            // A constant index is decided now (and never indexes out of bounds in the C).
            // (The base is borrowed: a fresh array is released after the statement.)
            if v >= 0 && (v as u128) < len as u128 {
                let b = self.borrowed(base);
                return format!("{}.a[{v}]", paren(&b));
            }
            if impure(base) {
                let b = self.borrowed(base);
                self.prelude.push(format!("(void){};", paren(&b)));
                return zero;
            }
            return zero;
        }
        let vals = self.operands(&[Operand::Borrowed(base), Operand::Value(index)]);
        let b = vals[0].clone();
        let i = if matches!(index.kind, ExprKind::Local(_) | ExprKind::Int(_)) {
            vals[1].clone()
        } else {
            let cty = self.c_type(&index.ty);
            self.hoist(&cty, &vals[1])
        };
        let ok = match index.ty {
            Ty::Int(IntTy::U64) => format!("vex_index_ok_u({i}, {len})"),
            _ => format!("vex_index_ok((int64_t){}, {len})", paren(&i)),
        };
        format!("({ok} ? {}.a[{}] : {zero})", paren(&b), paren(&i))
    }

    /// A concatenation chain `a + b + f"..." + c` (parentheses flattened: the operands are still
    /// evaluated left to right) built into one string builder, f-string operands formatted
    /// straight into it. With `adopt` (the C place of a local the result overwrites, which is
    /// also the chain's first operand: `s = s + x + y`), the builder starts from that local's
    /// string, taking over its block when it is the only owner (append in place); the caller
    /// then stores the result without releasing the old value. None: a plain `a + b` (one
    /// `vex_str_concat`).
    fn str_chain(&mut self, e: &hir::Expr, adopt: Option<String>) -> Option<String> {
        let mut ops = Vec::new();
        flatten_concat(e, &mut ops);
        let skip = usize::from(adopt.is_some());
        let fstrings = ops.iter().any(|o| matches!(o.kind, ExprKind::FString(_)));
        if adopt.is_none() && ops.len() == 2 && !fstrings {
            return None;
        }
        let effects: Vec<bool> = ops.iter().map(|o| impure(o)).collect();
        let sb = self.fresh_temp();
        let sink = format!("&{sb}");
        let mut calls = Vec::new();
        for (i, o) in ops.iter().enumerate().skip(skip) {
            let later_effects = effects[i + 1..].iter().any(|b| *b);
            if let ExprKind::FString(parts) = &o.kind {
                calls.extend(self.format_parts(parts, false, &sink, "vex_fmt", later_effects));
            } else {
                let t = self.borrowed(o);
                let t = if later_effects && !is_constant(o) { self.hold(o, t) } else { t };
                calls.push(format!("vex_fmt_str({sink}, {});", strip(&t)));
            }
        }
        self.decl_pre("vex_sb", &sb, None);
        match adopt {
            Some(place) => self.prelude.push(format!("vex_sb_adopt({sink}, {});", strip(&place))),
            None => self.prelude.push(format!("vex_sb_init({sink});")),
        }
        self.prelude.extend(calls);
        Some(format!("vex_sb_finish({sink})"))
    }

    pub fn assign_text(&mut self, place: &hir::Expr, value: &hir::Expr) -> String {
        if let (ExprKind::Local(id), ExprKind::Binary { op: BinOp::Add, .. }) = (&place.kind, &value.kind) {
            if value.ty == Ty::Str {
                let mut ops = Vec::new();
                flatten_concat(value, &mut ops);
                // `s = s + ...`: append to `s` in place, unless a later operand reads `s` (its
                // bytes would be the block being appended to, which growing may move) or could
                // assign it (only a `match` arm's statements can). No other value can share
                // `s`'s block while its count is 1 (borrows of `s` end before the assignment).
                let appends = matches!(ops[0].kind, ExprKind::Local(first) if first == *id)
                    && !ops[1..].iter().any(|o| contains_match(o) || mentions_local(o, *id));
                if appends {
                    let p = self.expr(place);
                    if let Some(v) = self.str_chain(value, Some(p.clone())) {
                        return format!("{p} = {v}");
                    }
                }
            }
        }
        let (p, v) = if impure(value) && !matches!(place.kind, ExprKind::Local(_)) {
            // The place's address first (left to right), then the value.
            let addr = self.address_of(place);
            let cty = format!("{}*", self.place_c_type(place));
            let t = self.hoist(&cty, &addr);
            (format!("(*{t})"), self.owned(value))
        } else {
            let p = self.expr(place);
            (p, self.owned(value))
        };
        if self.needs_drop(&place.ty) {
            // Release the old value after the new one is computed (it may be read by it).
            let t = self.fresh_temp();
            let cty = self.c_type(&place.ty);
            self.decl_pre(&cty, &t, Some(strip(&v).to_string()));
            let release = self.release(&place.ty, &p);
            self.prelude.extend(release);
            return format!("{p} = {t}");
        }
        if p == strip(&v) {
            // `x = x;`: C compilers reject the self-assignment under -Werror (clang's
            // -Wself-assign); evaluating the place once keeps any index check.
            return format!("(void){}", paren(&p));
        }
        format!("{p} = {}", strip(&v))
    }

    pub fn compound_text(&mut self, place: &hir::Expr, op: BinOp, value: &hir::Expr, span: crate::span::Span) -> String {
        // `x op= e` reads `x` before evaluating `e`. Without temporaries when `e` has no
        // effects, or when `x` is a numeric local that `e` cannot write: then C may read `x`
        // before or after `e` (`x = vex_add_i64(x, e)`) with the same result.
        let simple = (is_simple_place(place) && !impure(value))
            || matches!((&place.kind, &place.ty), (ExprKind::Local(id), Ty::Int(_) | Ty::Float(_)) if leaves_local_alone(value, *id));
        let (target, current) = if simple {
            let p = self.expr(place);
            (p.clone(), p)
        } else {
            let p = self.address_of(place);
            let cty = self.place_c_type(place);
            let t = self.hoist(&format!("{cty}*"), &p);
            let old = self.hoist(&cty, &format!("*{t}"));
            (format!("*{t}"), old)
        };
        let v = self.expr(value);
        let v = if simple || is_constant(value) { v } else { self.hoist(&self.c_type(&value.ty), &v) };
        let line = self.line_of(span);
        let combined = match &place.ty {
            Ty::Int(i) => {
                let s = suffix(*i);
                match op {
                    // Proven not to overflow (`ranges.rs`): `i = i + 1` for `i += 1`.
                    BinOp::Add | BinOp::Sub if super::ranges::cannot_wrap(&self.facts, op, place, value) => {
                        super::ranges::plain(op, int_c(*i), &current, &v)
                    }
                    BinOp::Add => format!("vex_add_{s}({current}, {v})"),
                    BinOp::Sub => format!("vex_sub_{s}({current}, {v})"),
                    BinOp::Mul => format!("vex_mul_{s}({current}, {v})"),
                    _ if nonzero_divisor(value) => format!("(({})({current} / {}))", int_c(*i), paren(&v)),
                    _ => format!("vex_div_{s}({current}, {v}, VX_SOURCE_FILE, {line})"),
                }
            }
            _ => format!("{} {} {}", paren(&current), op.symbol(), paren(&v)),
        };
        format!("{target} = {combined}")
    }

    fn print(&mut self, parts: &[PrintPart], newline: bool, stderr: bool) {
        let sink = if stderr { "1" } else { "0" };
        let calls = self.format_parts(parts, newline, sink, "vex_print", false);
        if self.program.uses_runtime && calls.len() > 1 {
            // Concurrent tasks print whole statements (values are evaluated before the lock).
            self.prelude.push(format!("vex_print_lock({sink});"));
            self.prelude.extend(calls);
            self.prelude.push(format!("vex_print_unlock({sink});"));
        } else {
            self.prelude.extend(calls);
        }
    }

    /// `f"..."`: the pieces formatted into a string builder (the same texts as `print`).
    pub(super) fn fstring(&mut self, parts: &[PrintPart]) -> String {
        let sb = self.fresh_temp();
        self.decl_pre("vex_sb", &sb, None);
        self.prelude.push(format!("vex_sb_init(&{sb});"));
        let calls = self.format_parts(parts, false, &format!("&{sb}"), "vex_fmt", false);
        self.prelude.extend(calls);
        format!("vex_sb_finish(&{sb})")
    }

    /// The calls writing `parts` to `sink` with the `family` of formatters (`vex_print_*` to a
    /// stream, `vex_fmt_*` to a builder). The values are evaluated, left to right, first
    /// (and held, with `later_effects`, when something evaluated after them has effects).
    pub(super) fn format_parts(&mut self, parts: &[PrintPart], newline: bool, sink: &str, family: &str, later_effects: bool) -> Vec<String> {
        let values: Vec<Operand> = parts
            .iter()
            .filter_map(|p| match p {
                PrintPart::Value { expr, .. } => Some(Operand::Borrowed(expr)),
                PrintPart::Text(_) => None,
            })
            .collect();
        let any_effects = later_effects || values.iter().any(|o| impure(o.expr()));
        let mut texts = Vec::new();
        for op in &values {
            let e = op.expr();
            let t = self.borrowed(e);
            texts.push(if any_effects && !is_constant(e) { self.hold(e, t) } else { t });
        }
        let mut texts = texts.into_iter();
        let mut calls = Vec::new();
        let last_text = parts.len().checked_sub(1).filter(|i| matches!(parts[*i], PrintPart::Text(_)));
        for (i, p) in parts.iter().enumerate() {
            match p {
                PrintPart::Text(t) => {
                    let mut t = t.clone();
                    if newline && Some(i) == last_text {
                        t.push('\n');
                    }
                    let ptr = self.c_bytes(t.as_bytes());
                    calls.push(format!("{family}_text({sink}, {ptr}, {});", t.len()));
                }
                PrintPart::Value { expr, style } => {
                    let v = texts.next().unwrap_or_default();
                    calls.push(format_value(sink, family, &v, &expr.ty, *style));
                }
            }
        }
        if newline && last_text.is_none() {
            calls.push(format!("{family}_text({sink}, \"\\n\", 1);"));
        }
        calls
    }
}

/// One value's formatter call (§13.3, §13.2 styles).
fn format_value(sink: &str, f: &str, v: &str, ty: &Ty, style: PrintStyle) -> String {
    let v = paren(v);
    match (style, ty) {
        (PrintStyle::Display, Ty::Int(i)) if i.signed() => format!("{f}_i64({sink}, (int64_t){v});"),
        (PrintStyle::Display, Ty::Int(_)) => format!("{f}_u64({sink}, (uint64_t){v});"),
        (PrintStyle::Display, Ty::Float(_)) => format!("{f}_f64({sink}, (double){v});"),
        (PrintStyle::Display, Ty::Bool) => format!("{f}_bool({sink}, {v});"),
        (PrintStyle::Debug, Ty::Int(i)) if i.signed() => format!("{f}_debug_i64({sink}, \"{}\", (int64_t){v});", i.name()),
        (PrintStyle::Debug, Ty::Int(i)) => format!("{f}_debug_u64({sink}, \"{}\", (uint64_t){v});", i.name()),
        (PrintStyle::Debug, Ty::Float(_)) => format!("{f}_debug_f64({sink}, (double){v});"),
        (PrintStyle::Debug, Ty::Bool) => format!("{f}_debug_bool({sink}, {v});"),
        (PrintStyle::Debug, _) => format!("{f}_debug_str({sink}, {v});"),
        (PrintStyle::Hex, Ty::Int(i)) => {
            let unsigned = match i.bits() {
                8 => "uint8_t",
                16 => "uint16_t",
                32 => "uint32_t",
                _ => "uint64_t",
            };
            format!("{f}_hex({sink}, (uint64_t)({unsigned}){v});")
        }
        (PrintStyle::Precision(n), _) => format!("{f}_fixed({sink}, (double){v}, {n});"),
        _ => format!("{f}_str({sink}, {v});"),
    }
}

/// A place whose C text can be evaluated twice without effects or repeated checks.
/// `value` cannot write the local `id`: it takes no address of (a part of) it, and has no
/// `match` or closure (whose arms and bodies hold statements). Writes through other pointers
/// are excluded by the borrow rules: `id` is used by the statement, so no mutable borrow of it
/// is live.
fn leaves_local_alone(value: &hir::Expr, id: hir::LocalId) -> bool {
    fn rooted_at(place: &hir::Expr, id: hir::LocalId) -> bool {
        match &place.kind {
            ExprKind::Local(l) => *l == id,
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } | ExprKind::ArrayGet { base, .. } => rooted_at(base, id),
            _ => false,
        }
    }
    let mut ok = true;
    visit(value, &mut |x| match &x.kind {
        ExprKind::Match { .. } | ExprKind::Closure { .. } => ok = false,
        ExprKind::AddrOf { place, .. } if rooted_at(place, id) => ok = false,
        ExprKind::MethodCall { receiver: Receiver::AddressOf(r) | Receiver::Pointer(r), .. } if rooted_at(r, id) => ok = false,
        _ => {}
    });
    ok
}

fn is_simple_place(e: &hir::Expr) -> bool {
    match &e.kind {
        ExprKind::Local(_) => true,
        ExprKind::Field { base, .. } => is_simple_place(base),
        ExprKind::Deref(inner) => matches!(inner.kind, ExprKind::Local(_)),
        _ => false,
    }
}

/// The operands of a chain of string concatenations, in evaluation order.
fn flatten_concat<'a>(e: &'a hir::Expr, out: &mut Vec<&'a hir::Expr>) {
    match &e.kind {
        ExprKind::Binary { op: BinOp::Add, lhs, rhs } if e.ty == Ty::Str => {
            flatten_concat(lhs, out);
            flatten_concat(rhs, out);
        }
        _ => out.push(e),
    }
}

fn mentions_local(e: &hir::Expr, id: hir::LocalId) -> bool {
    let mut found = false;
    visit(e, &mut |x| found |= matches!(x.kind, ExprKind::Local(l) if l == id));
    found
}

fn contains_match(e: &hir::Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| found |= matches!(x.kind, ExprKind::Match { .. }));
    found
}

fn strip(s: &str) -> &str {
    super::func::strip_parens(s)
}

fn unreachable_text() -> String {
    "0".to_string()
}

fn int_literal(v: i128, ty: &Ty) -> String {
    let Ty::Int(i) = ty else { return v.to_string() };
    if v == i.min_value() && i.signed() {
        return format!("INT{}_MIN", i.bits());
    }
    match i {
        IntTy::I32 => v.to_string(),
        IntTy::I64 => format!("INT64_C({v})"),
        IntTy::U32 => format!("{v}u"),
        IntTy::U64 => format!("UINT64_C({v})"),
        _ => format!("(({}){v})", int_c(*i)),
    }
}

fn float_literal(v: f64, ty: &Ty) -> String {
    let mut s = format!("{v:?}");
    if !s.contains('.') && !s.contains('e') && !s.contains("inf") && !s.contains("NaN") {
        s.push_str(".0");
    }
    if *ty == Ty::Float(FloatTy::F32) {
        s.push('f');
    }
    s
}

/// A numeric / pointer cast following LANGUAGE.md §6.3.
fn cast(x: &str, from: &Ty, to: &Ty, em: &FnEmitter<'_>) -> String {
    if from == to {
        return x.to_string();
    }
    let x = paren(x);
    match (from, to) {
        (Ty::Float(_), Ty::Int(i)) => format!("vex_f64_to_{}((double){x})", i.name()),
        (Ty::Int(_) | Ty::Bool, Ty::Int(i)) => format!("(({}){x})", int_c(*i)),
        (_, Ty::Float(FloatTy::F32)) => format!("((float){x})"),
        (_, Ty::Float(FloatTy::F64)) => format!("((double){x})"),
        (Ty::Ref(..), Ty::Ptr(..)) => format!("(({})vex_ptr_from_ref((void*){x}))", em.c_type(to)),
        _ => format!("(({}){x})", em.c_type(to)),
    }
}
