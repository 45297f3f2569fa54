//! Library mode (`vexc --lib`, docs/SPEC.md "Library mode"): the C API of a Vex library.
//!
//! Every exported function `f` of the main file becomes a C function `<module>_f` that converts
//! its arguments, calls the (static) Vex function and converts the result. The API also has
//! `<module>_init` / `<module>_shutdown` (they create and free the async runtime of a library
//! that uses concurrency; no-ops otherwise) and, for returned strings, the `<module>_string`
//! type with `<module>_string_free`. The same declarations make up the header (`header`),
//! which includes only `<stdbool.h>`, `<stddef.h>` and `<stdint.h>`, and the C file repeats
//! them before defining the API (so the compiler checks that both agree).
//!
//! Type mapping (`api_type`): integers -> `intN_t`/`uintN_t`, `f32`/`f64` -> `float`/`double`,
//! `bool` -> `bool`, `*T` / `*const T` of those (or of `void`, or of another such pointer) ->
//! `T *` / `const T *`, `()` (result only) -> `void`. A `string` parameter is two C parameters,
//! `const char *s, size_t s_len` (UTF-8 bytes, copied into a Vex string for the call); a
//! `string` result is a `<module>_string { char *ptr; size_t len; }` the caller owns (a
//! malloc'ed, NUL-terminated copy). Everything else is E0780.
//!
//! An exported function that suspends (it waits on a channel, sleeps, ...) runs as a task on
//! the library's runtime: the entry point allocates a small root task (`vxt_<f>_libframe`)
//! that polls the function's frame as a nested call would, and blocks in
//! `vx_runtime_block_on` until it is done.

use super::names::{safe_ident, Names};
use super::tasks::{param_names, task_name};
use super::types::{int_c, Layouts};
use crate::diag::Diagnostic;
use crate::hir::{self, FnId};
use crate::span::SourceMap;
use crate::types::{FloatTy, Ty};
use std::fmt::Write;

/// Names a library's API defines itself: `<module>_init`, ... (E0781 for an export).
const API_NAMES: &[&str] = &["init", "shutdown", "string", "string_free"];

/// Prefixes of the runtime's and the generated code's own symbols (docs/SPEC.md): a library
/// named so that its API would start with one is E0781.
pub const RESERVED_PREFIXES: &[&str] = &["vex_", "vx_", "vxp_", "vxt_", "vxl_", "VEX_", "VX_"];

/// C and C++ keywords and names the header's standard includes define: a parameter with such
/// a Vex name gets a `_` appended in the API.
const CXX_RESERVED: &[&str] = &[
    "alignas", "alignof", "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t", "char16_t", "char32_t",
    "class", "co_await", "co_return", "co_yield", "compl", "concept", "const_cast", "consteval", "constexpr",
    "constinit", "decltype", "delete", "dynamic_cast", "explicit", "export", "friend", "mutable", "namespace", "new",
    "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
    "reinterpret_cast", "requires", "static_assert", "static_cast", "template", "this", "thread_local", "throw",
    "try", "typeid", "typename", "using", "virtual", "wchar_t", "xor", "xor_eq", "import", "module", "final",
    "override",
];

/// How a Vex type crosses the C boundary.
#[derive(Debug, Clone, PartialEq)]
enum Api {
    /// The same C type on both sides (integers, floats, bool, raw pointers).
    Scalar(String),
    /// `string`: (pointer, length) as a parameter, `<module>_string` as a result.
    Str,
    /// `()` or `!` as a result.
    Void,
}

/// The C type of `ty` at the boundary, or why it cannot cross (and what to do instead).
fn api_type(ty: &Ty, result: bool) -> Result<Api, (String, String)> {
    let scalar = |t: &Ty| -> Option<String> {
        match t {
            Ty::Int(i) => Some(int_c(*i).to_string()),
            Ty::Float(FloatTy::F32) => Some("float".into()),
            Ty::Float(FloatTy::F64) => Some("double".into()),
            Ty::Bool => Some("bool".into()),
            _ => None,
        }
    };
    if let Some(c) = scalar(ty) {
        return Ok(Api::Scalar(c));
    }
    match ty {
        Ty::Str => Ok(Api::Str),
        Ty::Unit | Ty::Never if result => Ok(Api::Void),
        Ty::Unit => Err(("`()` cannot be a parameter of a C function".into(), "remove the parameter".into())),
        Ty::Ptr(..) => pointer(ty).map(Api::Scalar).ok_or_else(|| {
            (
                "a raw pointer crosses only to integers, floats, `bool`, `void` or another such pointer".into(),
                "pass a `*void` (or `*u8`) and convert on each side".into(),
            )
        }),
        Ty::Ref(..) => Err((
            "references cannot cross the library boundary (C cannot promise what they point to lives)".into(),
            "take a raw pointer (`*T`) or the value itself".into(),
        )),
        Ty::Struct(_) | Ty::Tuple(_) | Ty::Array(..) => Err((
            "structs, tuples and arrays have no C layout in the library's API".into(),
            "pass the fields as separate parameters (and return one value per function)".into(),
        )),
        Ty::Enum(_) => Err((
            "enums have no C representation in the library's API".into(),
            "pass an integer code and convert it with a `match`".into(),
        )),
        Ty::Fn(..) => Err((
            "function values (closures) cannot cross the library boundary".into(),
            "export one function per behaviour instead".into(),
        )),
        Ty::Lib(..) => Err((
            "`Vec`, `Box`, `Map`, `Set`, channels and runtimes are Vex values with no C API".into(),
            "keep them inside the library and export functions that use them".into(),
        )),
        _ => Err(("this type cannot cross the library boundary".into(), "use integers, floats, `bool`, `string` or raw pointers".into())),
    }
}

/// `T *` / `const T *` for a pointer to a scalar, to `void`, or to another such pointer.
fn pointer(ty: &Ty) -> Option<String> {
    let Ty::Ptr(inner, is_const) = ty else { return None };
    let base = match &**inner {
        Ty::Int(i) => int_c(*i).to_string(),
        Ty::Float(FloatTy::F32) => "float".into(),
        Ty::Float(FloatTy::F64) => "double".into(),
        Ty::Bool => "bool".into(),
        Ty::Unit => "void".into(),
        t @ Ty::Ptr(..) => pointer(t)?,
        _ => return None,
    };
    // Spelled as the back end spells the Vex type (`const T*`), so both sides agree exactly.
    Some(if *is_const { format!("const {base}*") } else { format!("{base}*") })
}

/// The Vex spelling of a type, for messages and the header's comments.
fn vex_name(program: &hir::Program, ty: &Ty) -> String {
    struct D<'b>(&'b hir::Program, &'b Ty);
    impl std::fmt::Display for D<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.1.fmt_named(
                f,
                &|id| self.0.structs.get(id as usize).map(|s| s.name.clone()).unwrap_or_default(),
                &|id| self.0.enums.get(id as usize).map(|s| s.name.clone()).unwrap_or_default(),
            )
        }
    }
    // The type printer spells `*void` as `*()`.
    D(program, ty).to_string().replace("*()", "*void")
}

/// The library-mode checks: the API prefix is usable (E0781), no export takes an API name
/// (E0781), every exported signature crosses to C (E0780); a library without exports gets
/// W0010.
pub fn check_exports(program: &hir::Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(exports) = &program.library else { return out };
    let m = &program.module;
    let prefix = format!("{m}_");
    if let Some(p) = RESERVED_PREFIXES.iter().find(|p| prefix.starts_with(*p)) {
        out.push(
            Diagnostic::global("E0781", format!("a library cannot be named `{m}`: its C functions would start with the reserved prefix `{p}`"))
                .note(format!("the library's C names are `{m}_<function>`; names starting with {} belong to the Vex runtime", reserved_list()))
                .help("rename the source file (the library takes its name from the file name)"),
        );
    }
    if exports.is_empty() {
        out.push(
            Diagnostic { severity: crate::diag::Severity::Warning, ..Diagnostic::global("W0010", format!("the library `{m}` exports no function")) }
                .note("in library mode, each `export fn` becomes a C function; the others stay private")
                .help("mark the functions C should call with `export fn`"),
        );
    }
    for e in exports {
        let f = &program.functions[e.func as usize];
        if API_NAMES.contains(&f.name.as_str()) {
            out.push(
                Diagnostic::error("E0781", format!("an exported function cannot be named `{}` in a library", f.name), e.name_span)
                    .label(format!("would be the C function `{m}_{}`", f.name))
                    .note(format!("the library's API defines `{m}_init`, `{m}_shutdown`, `{m}_string` and `{m}_string_free` itself"))
                    .help("rename the function"),
            );
        }
        for (i, p) in f.params.iter().enumerate() {
            let ty = &f.locals[*p as usize].ty;
            if let Err((why, help)) = api_type(ty, false) {
                let span = e.param_spans.get(i).copied().unwrap_or(e.name_span);
                out.push(
                    Diagnostic::error("E0780", format!("the parameter type `{}` of the exported function `{}` cannot cross to C", vex_name(program, ty), f.name), span)
                        .label("not a C type")
                        .note(why)
                        .note(MAPPING_NOTE)
                        .help(help),
                );
            }
        }
        if let Err((why, help)) = api_type(&f.ret, true) {
            out.push(
                Diagnostic::error("E0780", format!("the result type `{}` of the exported function `{}` cannot cross to C", vex_name(program, &f.ret), f.name), e.ret_span)
                    .label("not a C type")
                    .note(why)
                    .note(MAPPING_NOTE)
                    .help(help),
            );
        }
    }
    out
}

const MAPPING_NOTE: &str = "exported functions take and return integers, floats, `bool`, `string` and raw pointers to those (docs/SPEC.md, Library mode)";

fn reserved_list() -> String {
    RESERVED_PREFIXES.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
}

/// One exported function's C side.
struct Entry {
    func: FnId,
    /// `<module>_<name>`.
    c_name: String,
    /// Per Vex parameter: its C name, and for a `string` the name of its length parameter.
    params: Vec<(String, Option<String>, Api)>,
    ret: Api,
    /// The `//` comment lines right above the function in the source, then
    /// `Vex: fn add(a: i64, b: i64): i64 (mathlib.vx:12)`.
    doc: Vec<String>,
    /// The source file's base name and the function's line.
    file: String,
    line: usize,
}

fn entries(program: &hir::Program, sources: &SourceMap) -> Vec<Entry> {
    let Some(exports) = &program.library else { return Vec::new() };
    let m = &program.module;
    let mut out = Vec::new();
    for e in exports {
        let f = &program.functions[e.func as usize];
        let mut used = super::names::Distinct::default();
        let mut fresh = |base: String| used.fresh(base);
        let mut params = Vec::new();
        let mut shown = Vec::new();
        for p in &f.params {
            let l = &f.locals[*p as usize];
            let api = api_type(&l.ty, false).unwrap_or(Api::Void);
            let name = fresh(api_param_name(&l.name, m));
            let len = (api == Api::Str).then(|| fresh(format!("{name}_len")));
            shown.push(format!("{}: {}", l.name, vex_name(program, &l.ty)));
            params.push((name, len, api));
        }
        let ret = api_type(&f.ret, true).unwrap_or(Api::Void);
        let file = sources.files.get(e.name_span.file as usize);
        let line = file.map_or(0, |s| s.line_of(e.name_span));
        let base = file.map(|s| super::base_name(&s.name)).unwrap_or_default();
        let ret_shown = if f.ret == Ty::Unit { String::new() } else { format!(": {}", vex_name(program, &f.ret)) };
        let mut doc = file.map(|s| comments_above(&s.text, line)).unwrap_or_default();
        doc.push(format!("Vex: {}fn {}({}){ret_shown} ({base}:{line})", if f.is_async { "async " } else { "" }, f.name, shown.join(", ")));
        out.push(Entry { func: e.func, c_name: format!("{m}_{}", f.name), params, ret, doc, file: base, line });
    }
    out
}

/// The `//` comment lines right above line `line` (1-based) of `text`, without the `//`;
/// test-harness headers (`// expect-...:`, `// library:`) are left out.
fn comments_above(text: &str, line: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = line.saturating_sub(1);
    while i > 0 {
        let Some(c) = lines.get(i - 1).and_then(|l| l.trim().strip_prefix("//")) else { break };
        let c = c.strip_prefix(' ').unwrap_or(c).trim_end();
        let header = c.split_once(':').is_some_and(|(k, _)| {
            k.starts_with("expect-") || matches!(k, "library" | "module-of" | "valgrind-skip")
        });
        if header {
            break;
        }
        out.push(c.to_string());
        i -= 1;
    }
    out.reverse();
    out
}

/// A Vex parameter name usable in C and C++ in the API: not a keyword, not a reserved
/// prefix, not the library's own prefix (it could shadow the API's type names).
fn api_param_name(name: &str, module: &str) -> String {
    let mut n = safe_ident(name);
    if CXX_RESERVED.contains(&n.as_str()) || n.starts_with(&format!("{module}_")) {
        n.push('_');
    }
    if n.starts_with("vx") || n.starts_with("vex") || n.starts_with("VX") || n.starts_with("VEX") {
        n = format!("arg_{n}");
    }
    n
}

fn c_params(e: &Entry) -> String {
    let mut ps = Vec::new();
    for (name, len, api) in &e.params {
        match api {
            Api::Scalar(c) => ps.push(decl(c, name)),
            Api::Str => {
                ps.push(format!("const char *{name}"));
                ps.push(format!("size_t {}", len.as_deref().unwrap_or("len")));
            }
            Api::Void => {}
        }
    }
    if ps.is_empty() {
        "void".into()
    } else {
        ps.join(", ")
    }
}

/// `T name`, or `T **name` for a pointer type spelled `T**`.
fn decl(cty: &str, name: &str) -> String {
    let base = cty.trim_end_matches('*');
    let stars = &cty[base.len()..];
    format!("{} {stars}{name}", base.trim_end())
}

/// The result type, pointers spelled `T *` (the name follows without a blank).
fn c_ret(api: &Api, string_ty: &str) -> String {
    match api {
        Api::Scalar(c) => {
            let base = c.trim_end_matches('*');
            if base.len() == c.len() {
                c.clone()
            } else {
                format!("{} {}", base.trim_end(), &c[base.len()..])
            }
        }
        Api::Str => string_ty.to_string(),
        Api::Void => "void".into(),
    }
}

/// `RET name(PARAMS)` with the pointer star next to the name (`int32_t *f(void)`).
fn prototype(e: &Entry, string_ty: &str) -> String {
    let ret = c_ret(&e.ret, string_ty);
    let sep = if ret.ends_with('*') { "" } else { " " };
    format!("{ret}{sep}{}({})", e.c_name, c_params(e))
}

/// The declarations the header and the library's C share.
fn declarations(program: &hir::Program, entries: &[Entry]) -> String {
    let m = &program.module;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/* Call {m}_init() once before any other function of this library, and {m}_shutdown()\n * after the last call has returned. */\nvoid {m}_init(void);\nvoid {m}_shutdown(void);\n"
    );
    let _ = writeln!(
        out,
        "/* A string returned by the library: `len` bytes of UTF-8 at `ptr`, followed by a NUL byte.\n * The caller owns it and releases it with {m}_string_free (which accepts a zeroed value). */\ntypedef struct {m}_string {{\n    char *ptr;\n    size_t len;\n}} {m}_string;\nvoid {m}_string_free({m}_string s);\n"
    );
    if !entries.is_empty() {
        out.push_str("/* The exported functions. A string parameter is a pointer to UTF-8 bytes and their length\n * (the pointer may be NULL when the length is 0); the library copies the bytes. */\n");
    }
    for e in entries {
        let doc: Vec<String> = e.doc.iter().map(|l| l.replace("*/", "* /")).collect();
        let _ = writeln!(out, "\n/* {} */\n{};", doc.join("\n * "), prototype(e, &format!("{m}_string")));
    }
    out
}

/// The header `<module>.h`: self-contained, C11 and C++ compatible.
pub fn header(program: &hir::Program, sources: &SourceMap) -> String {
    let m = &program.module;
    let entries = entries(program, sources);
    let guard = format!("VEX_LIB_{}_H", m.to_ascii_uppercase());
    let src = super::source_base_name(program, sources);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/* {m}.h: the C API of the Vex library `{m}`, generated by vexc from {src}.\n * Do not edit.\n *\n \
         * Link with lib{m}.a (`vexc {src} --lib`), or compile the C files that\n \
         * `vexc {src} --lib --emit-c DIR` writes (linking with -lm -lpthread). A Vex panic (failed\n \
         * assertion, index out of bounds, ...) prints a message on stderr and aborts the process.\n \
         * Identifiers starting with {} are reserved for the Vex runtime. */",
        RESERVED_PREFIXES.join(", ")
    );
    let _ = writeln!(out, "#ifndef {guard}\n#define {guard}\n\n#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n");
    out.push_str("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    out.push_str(&declarations(program, &entries));
    out.push_str("\n#ifdef __cplusplus\n}\n#endif\n\n");
    let _ = writeln!(out, "#endif /* {guard} */");
    out
}

/// The API's declarations and helpers, right after the includes of the library's C (before any
/// `#line` directive): the same declarations as the header, the string conversions, and
/// `<module>_init` / `_shutdown` / `_string_free`.
pub(super) fn api_prelude(program: &hir::Program, sources: &SourceMap) -> String {
    let m = &program.module;
    let entries = entries(program, sources);
    let string_ty = format!("{m}_string");
    let mut out = format!("/* ---- the library's C API (as in {m}.h) */\n");
    out.push_str(&declarations(program, &entries));
    out.push('\n');

    let strings_in = entries.iter().any(|e| e.params.iter().any(|(_, _, a)| *a == Api::Str));
    let strings_out = entries.iter().any(|e| e.ret == Api::Str);
    if strings_in {
        out.push_str(
            "/* A string argument: a heap copy of C's bytes, owned by the Vex function called. */\n\
             static vex_str vxl_str_in(const char *bytes, size_t len, int32_t line) {\n    \
             if (len > (size_t)INT64_MAX) vex_panic_at(VX_SOURCE_FILE, line, \"string argument too long\");\n    \
             if (!bytes && len) vex_panic_at(VX_SOURCE_FILE, line, \"string argument: NULL pointer with a non-zero length\");\n    \
             return vex_str_copy(bytes ? bytes : \"\", (int64_t)len);\n}\n\n",
        );
    }
    if strings_out {
        let _ = write!(
            out,
            "/* A string result: a malloc'ed, NUL-terminated copy the caller owns ({m}_string_free). */\n\
             static {string_ty} vxl_string_out(vex_str s, int32_t line) {{\n    \
             {string_ty} r;\n    \
             r.len = (size_t)vex_str_len(s);\n    \
             r.ptr = (char *)malloc(r.len + 1);\n    \
             if (!r.ptr) vex_panic_at(VX_SOURCE_FILE, line, \"out of memory\");\n    \
             if (r.len) memcpy(r.ptr, s.ptr, r.len);\n    \
             r.ptr[r.len] = '\\0';\n    \
             vex_str_release(s);\n    \
             return r;\n}}\n\n"
        );
    }
    let _ = writeln!(out, "void {m}_string_free({string_ty} s) {{\n    free(s.ptr);\n}}\n");
    if program.uses_runtime {
        let _ = writeln!(
            out,
            "/* The library's async runtime (VEX_WORKERS workers, else one per CPU). */\nstatic vx_runtime *vxl_rt;\n\n\
             void {m}_init(void) {{\n    if (!vxl_rt) {{\n        vx_config vx_cfg = vex_runtime_config();\n        vxl_rt = vx_runtime_new(&vx_cfg);\n    }}\n}}\n\n\
             /* Drops the tasks still running (as when a program's main returns) and frees the runtime. */\n\
             void {m}_shutdown(void) {{\n    if (vxl_rt) {{\n        vx_runtime_free(vxl_rt);\n        vxl_rt = NULL;\n    }}\n}}\n"
        );
    } else {
        let _ = writeln!(out, "/* Nothing to set up: the library does not use the async runtime. */\nvoid {m}_init(void) {{\n}}\n\nvoid {m}_shutdown(void) {{\n}}\n");
    }
    out
}

/// The exported functions' C entry points, at the end of the library's C (after the static
/// functions they call). With `#line` directives on, each maps to its Vex declaration.
pub(super) fn entry_points(program: &hir::Program, names: &Names, layouts: &Layouts, sources: &SourceMap, line_directives: bool) -> String {
    let string_ty = format!("{}_string", program.module);
    let mut out = format!("/* ---- the exported functions ({}.h) */\n", program.module);
    for e in &entries(program, sources) {
        if line_directives {
            let _ = writeln!(out, "#line {} \"{}\"", e.line, super::names::c_string_body(e.file.as_bytes()));
        }
        out.push_str(&entry_point(program, names, layouts, e, &string_ty));
    }
    out
}

/// The C function `<module>_<name>`.
fn entry_point(program: &hir::Program, names: &Names, layouts: &Layouts, e: &Entry, string_ty: &str) -> String {
    let f = &program.functions[e.func as usize];
    let fname = names.function(e.func);
    let line = e.line;
    let args: Vec<String> = e
        .params
        .iter()
        .map(|(name, len, api)| match api {
            Api::Str => format!("vxl_str_in({name}, {}, {line})", len.as_deref().unwrap_or("0")),
            _ => name.clone(),
        })
        .collect();
    let mut out = format!("{} {{\n", prototype(e, string_ty));
    if program.uses_runtime {
        let _ = writeln!(
            out,
            "    if (!vxl_rt) vex_panic_at(VX_SOURCE_FILE, {line}, \"{} called before {}_init()\");",
            e.c_name, program.module
        );
    }
    let convert = |value: &str| match e.ret {
        Api::Str => format!("vxl_string_out({value}, {line})"),
        _ => value.to_string(),
    };
    if program.suspends.get(e.func as usize).copied().unwrap_or(false) {
        // Run it as a task on the library's runtime: a root task polls its frame in place.
        let frame = task_name(fname, "frame");
        let lib = task_name(fname, "libframe");
        let _ = writeln!(out, "    vx_task *vx_t = vx_task_alloc(&{});", task_name(fname, "libvt"));
        let _ = writeln!(out, "    vx_task *vx_c = vx_task_alloc(&{});", task_name(fname, "vt"));
        let _ = writeln!(out, "    (({frame} *)vx_c)->vx_root = vx_t;");
        for (field, a) in param_names(f).iter().zip(&args) {
            let _ = writeln!(out, "    (({frame} *)vx_c)->{field} = {a};");
        }
        let _ = writeln!(out, "    (({lib} *)vx_t)->vx_child = vx_c;");
        let has_result = !matches!(f.ret, Ty::Unit | Ty::Never);
        let target = if has_result {
            // Written by vx_runtime_block_on when it returns VX_READY (else the call panics).
            let _ = writeln!(out, "    {} vx_r;", layouts.c_type(&f.ret, program));
            "&vx_r"
        } else {
            "NULL"
        };
        let _ = writeln!(
            out,
            "    if (vx_runtime_block_on(vxl_rt, vx_t, {target}) != VX_READY) vex_panic_at(VX_SOURCE_FILE, {line}, \"{}: the call was cancelled (the library was shut down)\");",
            e.c_name
        );
        if has_result && e.ret != Api::Void {
            let _ = writeln!(out, "    return {};", convert("vx_r"));
        }
    } else {
        let call = format!("{fname}({})", args.join(", "));
        if e.ret == Api::Void {
            let _ = writeln!(out, "    {call};");
        } else {
            let _ = writeln!(out, "    return {};", convert(&call));
        }
    }
    out.push_str("}\n\n");
    out
}

/// The root task an exported suspending function runs in (see the module comment); emitted
/// with the other frames.
pub(super) fn lib_task(program: &hir::Program, names: &Names, layouts: &Layouts, id: FnId) -> String {
    let f = &program.functions[id as usize];
    let fname = names.function(id);
    let frame = task_name(fname, "frame");
    let lib = task_name(fname, "libframe");
    let poll = task_name(fname, "libpoll");
    let drop = task_name(fname, "libdrop");
    let has_result = !matches!(f.ret, Ty::Unit | Ty::Never);
    let mut out = format!("typedef struct {lib} {{\n    vx_task hdr;\n    vx_task *vx_child;\n");
    if has_result {
        let _ = writeln!(out, "    {} vx_result;", layouts.c_type(&f.ret, program));
    }
    let _ = writeln!(out, "}} {lib};");
    let _ = writeln!(
        out,
        "static vx_poll_t {poll}(vx_task *vx_self) {{\n    {lib} *vx_f = ({lib} *)vx_self;\n    vx_poll_t vx_p = {}(vx_f->vx_child);\n    if (vx_p != VX_READY) return vx_p;",
        task_name(fname, "poll")
    );
    if has_result {
        let _ = writeln!(out, "    vx_f->vx_result = (({frame} *)vx_f->vx_child)->vx_result;");
    }
    let _ = writeln!(out, "    vx_task_release(vx_f->vx_child);\n    vx_f->vx_child = NULL;\n    return VX_READY;\n}}");
    let _ = writeln!(
        out,
        "static void {drop}(vx_task *vx_self) {{\n    {lib} *vx_f = ({lib} *)vx_self;\n    if (vx_f->vx_child) {{\n        {}(vx_f->vx_child);\n        vx_task_release(vx_f->vx_child);\n        vx_f->vx_child = NULL;\n    }}\n}}",
        task_name(fname, "drop")
    );
    let _ = writeln!(
        out,
        "static const vx_task_vtable {} = {{ {poll}, {drop}, (uint32_t)sizeof({lib}), {}, {}, \"{}\" }};\n",
        task_name(fname, "libvt"),
        if has_result { format!("(uint32_t)offsetof({lib}, vx_result)") } else { "0".into() },
        if has_result { format!("(uint32_t)sizeof({})", layouts.c_type(&f.ret, program)) } else { "0".into() },
        super::names::c_string_body(f.name.as_bytes())
    );
    out
}

/// The exported functions that suspend (each gets a [`lib_task`]).
pub(super) fn suspending_exports(program: &hir::Program) -> Vec<FnId> {
    let Some(exports) = &program.library else { return Vec::new() };
    exports.iter().map(|e| e.func).filter(|&id| program.suspends.get(id as usize).copied().unwrap_or(false)).collect()
}
