//! C for the builtin functions of §13.1 (`hir::BuiltinFn`): inline expressions or calls of
//! runtime helpers (`vex_bits_*`, `vex_raw_*`, `vex_cstr_*` in vex_runtime.h / vex_builtins.c).

use super::func::{paren, strip_parens, FnEmitter};
use crate::hir::{self, BuiltinFn};
use crate::types::{IntTy, Ty};

impl FnEmitter<'_> {
    pub(super) fn builtin(&mut self, e: &hir::Expr, func: BuiltinFn, args: &[hir::Expr]) -> String {
        use BuiltinFn as B;
        match func {
            // Waiting makes a function a task, where these are suspension points (`tasks.rs`).
            B::Sleep | B::RuntimeRun => {
                let line = self.line_of(e.span);
                self.prelude.push(format!("vex_panic_at(VX_SOURCE_FILE, {line}, \"internal compiler error: a wait outside a task\");"));
                "((vex_unit)0)".to_string()
            }
            B::RuntimeCreate => {
                let n = self.borrowed(&args[0]);
                let cty = self.c_type(&e.ty);
                let me = if self.in_task() { "vx_f->vx_root" } else { "NULL" };
                format!("(({cty}){{vex_runtime_create({}, {me})}})", strip_parens(&n))
            }
            B::RuntimeDestroy => {
                let rt = self.borrowed(&args[0]);
                let me = if self.in_task() { "vx_f->vx_root" } else { "NULL" };
                let line = self.line_of(e.span);
                self.prelude.push(format!("vex_runtime_destroy({}.rt, {me}, VX_SOURCE_FILE, {line});", paren(&rt)));
                "((vex_unit)0)".to_string()
            }
            B::Assume => {
                let c = self.borrowed(&args[0]);
                self.prelude.push(format!("(void){};", paren(&c)));
                "((vex_unit)0)".to_string()
            }
            B::SizeOf | B::AlignOf => {
                // The value is evaluated for its effects; `string` counts as one pointer (§13.1).
                let v = self.borrowed(&args[0]);
                let size = match (&args[0].ty, func) {
                    (Ty::Str, _) => "INT64_C(8)".to_string(),
                    (t, B::SizeOf) => format!("(int64_t)sizeof({})", self.c_type(t)),
                    (t, _) => format!("(int64_t)_Alignof({})", self.c_type(t)),
                };
                format!("((void){}, {size})", paren(&v))
            }
            B::Ctlz | B::Cttz | B::Ctpop | B::Bswap | B::Bitreverse => {
                let Ty::Int(i) = e.ty else { return "0".into() };
                let x = self.borrowed(&args[0]);
                let name = match func {
                    B::Ctlz => "ctlz",
                    B::Cttz => "cttz",
                    B::Ctpop => "ctpop",
                    B::Bswap => "bswap",
                    _ => "bitreverse",
                };
                let bits = i.bits();
                let unsigned = super::types::int_c(unsigned_of(i));
                format!("(({})vex_bits_{name}_{bits}(({unsigned}){}))", super::types::int_c(i), paren(&x))
            }
            B::Alloc => {
                let n = self.borrowed(&args[0]);
                format!("vex_raw_alloc({})", strip_parens(&n))
            }
            B::Realloc => {
                let p = self.borrowed(&args[0]);
                let n = self.borrowed(&args[1]);
                format!("vex_raw_realloc({}, {})", strip_parens(&p), strip_parens(&n))
            }
            B::Free => {
                let p = self.borrowed(&args[0]);
                self.prelude.push(format!("vex_raw_free({});", strip_parens(&p)));
                "((vex_unit)0)".to_string()
            }
            B::Memset => {
                let vals: Vec<String> = args.iter().map(|a| self.borrowed(a)).collect();
                self.prelude.push(format!("vex_raw_memset({}, {}, {});", vals[0], vals[1], vals[2]));
                "((vex_unit)0)".to_string()
            }
            B::Strlen => {
                let s = self.c_string(&args[0]);
                format!("(int64_t)strlen({s})")
            }
            B::Strcmp => {
                let a = self.c_string(&args[0]);
                let b = self.c_string(&args[1]);
                format!("vex_cstr_cmp({a}, {b})")
            }
            B::Strcpy | B::Strcat => {
                let d = self.borrowed(&args[0]);
                let s = self.c_string(&args[1]);
                let f = if func == B::Strcpy { "strcpy" } else { "strcat" };
                format!("(uint8_t *){f}((char *){}, {s})", paren(&d))
            }
            B::Strdup => {
                let s = self.borrowed(&args[0]);
                format!("vex_str_concat({}, {})", strip_parens(&s), super::expr::str_value("\"\"", 0))
            }
            B::ToString => {
                let x = self.borrowed(&args[0]);
                match &args[0].ty {
                    Ty::Float(_) => format!("vex_to_string_f64((double){})", paren(&x)),
                    Ty::Int(i) if !i.signed() => format!("vex_to_string_u64((uint64_t){})", paren(&x)),
                    _ => format!("vex_to_string_i64((int64_t){})", paren(&x)),
                }
            }
            B::StringNew => match args.first() {
                Some(s) => self.owned(s),
                None => super::expr::str_value("\"\"", 0),
            },
            B::StrLen => {
                let s = self.borrowed(&args[0]);
                format!("vex_str_len({})", strip_parens(&s))
            }
        }
    }

    /// A `const char *` for a `string` (its bytes are NUL-terminated) or a `*u8` (§13.5).
    fn c_string(&mut self, e: &hir::Expr) -> String {
        let v = self.borrowed(e);
        match e.ty {
            Ty::Str => format!("{}.ptr", paren(&v)),
            _ => format!("(const char *){}", paren(&v)),
        }
    }
}

fn unsigned_of(i: IntTy) -> IntTy {
    match i.bits() {
        8 => IntTy::U8,
        16 => IntTy::U16,
        32 => IntTy::U32,
        _ => IntTy::U64,
    }
}
