//! C for the builtin library types (§12.2, §12.3), monomorphised per element type: a handle
//! struct (`vx_Vec_i32 { buf }`, `vx_Box_i32 { cell }`) pointing at a reference-counted heap
//! block, and `VEX_HELPER` (static inline, maybe unused) helpers: unused ones cost nothing.
//! Copies share the block; a vector is copied on write (`push` on a shared buffer makes a
//! private one), so every `Vec` value behaves as its own value. Elements that own heap data
//! are retained when copied out and released with the block.

use super::func::{paren, strip_parens, FnEmitter};
use super::ownership::{glue, Glue};
use super::types::Layouts;
use crate::hir::{self, LibOp};
use crate::types::{LibTy, Ty};
use std::fmt::Write;

/// The handle's definition (no by-value dependencies, so it can go anywhere).
pub fn handle_definition(name: &str, kind: LibTy) -> String {
    match kind {
        LibTy::Vec => format!("struct {name} {{\n    struct {name}_buf *buf;\n}};\n\n"),
        LibTy::Box => format!("struct {name} {{\n    struct {name}_cell *cell;\n}};\n\n"),
        LibTy::Map | LibTy::Set => format!("struct {name} {{\n    vex_map m;\n}};\n\n"),
        LibTy::Channel => format!("struct {name} {{\n    vx_chan *c;\n}};\n\n"),
        LibTy::Runtime => format!("struct {name} {{\n    vx_runtime *rt;\n}};\n\n"),
    }
}

/// The heap block and helpers of one library type, after every type is complete.
pub fn helpers(name: &str, ty: &Ty, layouts: &Layouts, program: &hir::Program) -> String {
    let Ty::Lib(kind, args) = ty else { return String::new() };
    let elem = args.first().cloned().unwrap_or(Ty::Unit);
    let t = layouts.c_type(&elem, program);
    let each = |op: Glue, place: &str| {
        let mut out = Vec::new();
        glue(&elem, place, op, layouts, program, &mut out, 0);
        out.join(" ")
    };
    let mut c = String::new();
    match kind {
        LibTy::Vec => {
            let release_items = each(Glue::Release, "v.buf->items[i]");
            let retain_copied = each(Glue::Retain, "nb->items[i]");
            let retain_out = each(Glue::Retain, "x");
            let retain_a = each(Glue::Retain, "nb->items[i]");
            let _ = write!(
                c,
                r#"struct {name}_buf {{
    vex_rc refs;
    int64_t len;
    int64_t cap;
    {t} items[];
}};
VEX_HELPER {name} {name}_retain({name} v) {{
    if (v.buf) vex_rc_inc(&v.buf->refs);
    return v;
}}
VEX_HELPER void {name}_release({name} v) {{
    if (!v.buf || !vex_rc_dec(&v.buf->refs)) return;
    for (int64_t i = 0; i < v.buf->len; i++) {{ {release_items} }}
    vex_mem_free(v.buf);
}}
VEX_HELPER int64_t {name}_len({name} v) {{
    return v.buf ? v.buf->len : 0;
}}
/* A buffer of its own with room for `extra` more elements (copy on write, amortised growth). */
VEX_HELPER void {name}_reserve({name} *v, int64_t extra) {{
    int64_t len = {name}_len(*v);
    if (v->buf && vex_rc_get(&v->buf->refs) == 1 && len + extra <= v->buf->cap) return;
    int64_t cap = v->buf ? v->buf->cap : 0;
    if (cap < 4) cap = 4;
    while (cap < len + extra) {{
        if (cap > INT64_MAX / 2) vex_panic_at("<runtime>", 0, "vector too large");
        cap *= 2;
    }}
    if ((uint64_t)cap > (SIZE_MAX - sizeof(struct {name}_buf)) / sizeof({t})) vex_panic_at("<runtime>", 0, "vector too large");
    size_t bytes = sizeof(struct {name}_buf) + (size_t)cap * sizeof({t});
    if (v->buf && vex_rc_get(&v->buf->refs) == 1) {{
        /* the only owner: grow in place (realloc moves the elements, or remaps a large block) */
        v->buf = vex_mem_realloc(v->buf, bytes);
        v->buf->cap = cap;
        return;
    }}
    struct {name}_buf *nb = vex_mem_alloc(bytes, false);
    vex_rc_init(&nb->refs, 1);
    nb->len = len;
    nb->cap = cap;
    if (len > 0) memcpy(nb->items, v->buf->items, (size_t)len * sizeof({t}));
    if (v->buf) {{
        for (int64_t i = 0; i < len; i++) {{ {retain_copied} }}
        {name}_release(*v); /* after the retains: with threads, the other owners may let go meanwhile */
    }}
    v->buf = nb;
}}
VEX_HELPER void {name}_push({name} *v, {t} x) {{
    struct {name}_buf *b = v->buf;
    if (!VEX_LIKELY(b && b->len < b->cap && vex_rc_get(&b->refs) == 1)) {{
        {name}_reserve(v, 1);
        b = v->buf;
    }}
    b->items[b->len++] = x;
}}
VEX_HELPER {t} {name}_get({name} v, int64_t i, const char *file, int32_t line) {{
    int64_t len = {name}_len(v);
    if (i < 0 || i >= len) vex_panic_index(file, line, i, len);
    {t} x = v.buf->items[i];
    {retain_out}
    return x;
}}
VEX_HELPER {name} {name}_from(const {t} *items, int64_t n) {{
    {name} v = {{NULL}};
    {name}_reserve(&v, n);
    memcpy(v.buf->items, items, (size_t)n * sizeof({t}));
    v.buf->len = n;
    return v;
}}
VEX_HELPER {name} {name}_concat({name} a, {name} b) {{
    int64_t la = {name}_len(a), lb = {name}_len(b);
    {name} r = {{NULL}};
    if (la + lb == 0) return r;
    {name}_reserve(&r, la + lb);
    struct {name}_buf *nb = r.buf;
    if (la > 0) memcpy(nb->items, a.buf->items, (size_t)la * sizeof({t}));
    if (lb > 0) memcpy(nb->items + la, b.buf->items, (size_t)lb * sizeof({t}));
    nb->len = la + lb;
    for (int64_t i = 0; i < nb->len; i++) {{ {retain_a} }}
    return r;
}}

"#
            );
        }
        LibTy::Box => {
            let release_value = each(Glue::Release, "b.cell->value");
            let retain_out = each(Glue::Retain, "x");
            let _ = write!(
                c,
                r#"struct {name}_cell {{
    vex_rc refs;
    {t} value;
}};
VEX_HELPER {name} {name}_new({t} x) {{
    {name} b;
    b.cell = vex_mem_alloc(sizeof(struct {name}_cell), false);
    vex_rc_init(&b.cell->refs, 1);
    b.cell->value = x;
    return b;
}}
VEX_HELPER {name} {name}_retain({name} b) {{
    vex_rc_inc(&b.cell->refs);
    return b;
}}
VEX_HELPER void {name}_release({name} b) {{
    if (!b.cell || !vex_rc_dec(&b.cell->refs)) return;
    {release_value}
    vex_mem_free(b.cell);
}}
VEX_HELPER {t} {name}_get({name} b) {{
    {t} x = b.cell->value;
    {retain_out}
    return x;
}}

"#
            );
        }
        LibTy::Channel => {
            let release_elem = each(Glue::Release, "(*x)");
            let release_fn = if release_elem.is_empty() {
                "NULL".to_string()
            } else {
                let _ = write!(c, "VEX_HELPER void {name}_release_elem(void *p) {{\n    {t} *x = p;\n    {release_elem}\n}}\n");
                format!("{name}_release_elem")
            };
            let _ = write!(
                c,
                r#"VEX_HELPER {name} {name}_new(int64_t cap, const char *file, int32_t line) {{
    {name} ch;
    if (cap < 0 || cap > INT32_MAX) vex_panic_at(file, line, "channel capacity out of range");
    ch.c = vx_chan_new((uint32_t)sizeof({t}), (uint32_t)cap, {release_fn});
    return ch;
}}
VEX_HELPER {name} {name}_retain({name} ch) {{
    if (ch.c) vx_chan_retain(ch.c);
    return ch;
}}
VEX_HELPER void {name}_release({name} ch) {{
    if (ch.c) vx_chan_release(ch.c);
}}

"#
            );
        }
        LibTy::Runtime => {}
        LibTy::Map | LibTy::Set => {
            let key = layouts.c_type(&elem, program);
            let value = args.get(1).cloned();
            let v = value.as_ref().map(|t| layouts.c_type(t, program));
            let key_is_str = elem == Ty::Str;
            let _ = writeln!(c, "struct {name}_entry {{\n    {key} key;");
            if let Some(v) = &v {
                let _ = writeln!(c, "    {v} value;");
            }
            c.push_str("};\n");
            let value_glue = |op: Glue, place: &str| -> String {
                let mut out = Vec::new();
                if let Some(vt) = &value {
                    glue(vt, place, op, layouts, program, &mut out, 0);
                }
                out.join(" ")
            };
            let (release_fn, retain_fn) = match (&v, value_glue(Glue::Release, "*v")) {
                (Some(vc), release) if !release.is_empty() => {
                    let retain = value_glue(Glue::Retain, "*v");
                    let _ = write!(
                        c,
                        "VEX_HELPER void {name}_release_value(void *p) {{\n    {vc} *v = p;\n    {release}\n}}\nVEX_HELPER void {name}_retain_value(void *p) {{\n    {vc} *v = p;\n    {retain}\n}}\n"
                    );
                    (format!("{name}_release_value"), format!("{name}_retain_value"))
                }
                _ => ("NULL".to_string(), "NULL".to_string()),
            };
            let (value_offset, value_size) = match &v {
                Some(vc) => (format!("offsetof(struct {name}_entry, value)"), format!("sizeof({vc})")),
                None => (format!("sizeof(struct {name}_entry)"), "0".to_string()),
            };
            let _ = write!(
                c,
                r#"VEX_HELPER const vex_map_layout *{name}_layout(void) {{
    static const vex_map_layout l = {{sizeof(struct {name}_entry), {value_offset}, {value_size}, sizeof({key}), {key_is_str}, {release_fn}, {retain_fn}}};
    return &l;
}}
VEX_HELPER {name} {name}_retain({name} m) {{
    m.m = vex_map_retain(m.m);
    return m;
}}
VEX_HELPER void {name}_release({name} m) {{
    vex_map_release({name}_layout(), m.m);
}}
VEX_HELPER int64_t {name}_len({name} m) {{
    return vex_map_len(m.m);
}}
VEX_HELPER {name} {name}_with_capacity(int64_t n) {{
    {name} m;
    m.m = vex_map_with_capacity({name}_layout(), n);
    return m;
}}
"#
            );
            // Integer and string keys: inline lookups with compile-time sizes (vex_tab_probe);
            // other keys (unit-only enums, ...) and the slow paths go through the layout.
            let fast = key_is_str || matches!(elem, Ty::Int(_) | Ty::Bool);
            let entry = format!("struct {name}_entry");
            let (hash, skey, ikey) = if key_is_str {
                ("vex_hash_str(k, t->seed)".to_string(), "k".to_string(), "0".to_string())
            } else {
                (
                    "vex_hash_int(vex_read_le((const unsigned char *)&k, sizeof k), t->seed, sizeof k)".to_string(),
                    super::expr::str_value("\"\"", 0),
                    "vex_read_le((const unsigned char *)&k, sizeof k)".to_string(),
                )
            };
            let probe = |insert_at: &str| {
                format!("vex_tab_probe(t, {key_is_str}, {skey}, {ikey}, sizeof({key}), sizeof({entry}), h, {insert_at})")
            };
            let release_key = if key_is_str { "vex_str_release(k);" } else { "(void)k;" };
            let slot = |i: &str| format!("(({entry} *)(void *)(t->slots + (size_t){i} * sizeof({entry})))");
            // `insert`: the inline path when the table is private and has room, else (no table
            // yet, shared, full; or a key without an inline path) the layout path, which also
            // handles a key already present (vex_map_insert).
            let inline_insert = match (&v, fast) {
                (_, false) => String::new(),
                (Some(_), true) => format!(
                    r#"    struct vex_maptab *t = m->m.tab;
    if (VEX_LIKELY(t && t->growth_left > 0 && vex_rc_get(&t->refs) == 1)) {{
        uint64_t h = {hash};
        int64_t at = -1;
        int64_t found = {probe_at};
        {entry} *e;
        if (found >= 0) {{
            /* overwrite: the table keeps its key; the new key and the old value are released */
            e = {slot_found};
            {release_key}
            {release_old}
            e->value = v;
            return;
        }}
        t->ctrl[at] = (uint8_t)(h & 0x7f);
        e = {slot_at};
        e->key = k;
        e->value = v;
        t->len++;
        t->growth_left--;
        return;
    }}
"#,
                    probe_at = probe("&at"),
                    slot_found = slot("found"),
                    slot_at = slot("at"),
                    release_old = value_glue(Glue::Release, "e->value"),
                ),
                (None, true) => format!(
                    r#"    struct vex_maptab *t = m->m.tab;
    if (VEX_LIKELY(t && t->growth_left > 0 && vex_rc_get(&t->refs) == 1)) {{
        uint64_t h = {hash};
        int64_t at = -1;
        if ({probe_at} >= 0) {{
            {release_key}
            return;
        }}
        t->ctrl[at] = (uint8_t)(h & 0x7f);
        {slot_at}->key = k;
        t->len++;
        t->growth_left--;
        return;
    }}
"#,
                    probe_at = probe("&at"),
                    slot_at = slot("at"),
                ),
            };
            let (params, set_value) = match &v {
                Some(vc) => (format!("{key} k, {vc} v"), "    e.value = v;\n"),
                None => (format!("{key} k"), ""),
            };
            let _ = write!(
                c,
                r#"VEX_HELPER void {name}_insert({name} *m, {params}) {{
{inline_insert}    {entry} e;
    memset(&e, 0, sizeof e);
    e.key = k;
{set_value}    vex_map_insert({name}_layout(), &m->m, &e);
}}
"#
            );
            // Lookups: inline probes, or a probe entry through the layout.
            let layout_probe = format!("{entry} probe;\n    memset(&probe, 0, sizeof probe);\n    probe.key = k;");
            let _ = match (&v, fast) {
                (Some(vc), true) => write!(
                    c,
                    r#"VEX_HELPER {vc} {name}_get({name} m, {key} k, const char *file, int32_t line) {{
    const struct vex_maptab *t = m.m.tab;
    int64_t found = -1;
    if (t && t->len > 0) {{
        uint64_t h = {hash};
        found = {probe_null};
    }}
    if (found < 0) vex_panic_at(file, line, "key not found");
    const {entry} *e = {slot_found};
    {vc} x = e->value;
    {retain_out}
    return x;
}}
"#,
                    probe_null = probe("NULL"),
                    slot_found = slot("found"),
                    retain_out = value_glue(Glue::Retain, "x"),
                ),
                (Some(vc), false) => write!(
                    c,
                    r#"VEX_HELPER {vc} {name}_get({name} m, {key} k, const char *file, int32_t line) {{
    {layout_probe}
    const {entry} *e = vex_map_get({name}_layout(), m.m, &probe, file, line);
    {vc} x = e->value;
    {retain_out}
    return x;
}}
"#,
                    retain_out = value_glue(Glue::Retain, "x"),
                ),
                (None, true) => write!(
                    c,
                    r#"VEX_HELPER bool {name}_contains({name} m, {key} k) {{
    const struct vex_maptab *t = m.m.tab;
    if (!t || t->len == 0) return false;
    uint64_t h = {hash};
    return {probe_null} >= 0;
}}
"#,
                    probe_null = probe("NULL"),
                ),
                (None, false) => write!(
                    c,
                    r#"VEX_HELPER bool {name}_contains({name} m, {key} k) {{
    {layout_probe}
    return vex_map_find({name}_layout(), m.m, &probe) != NULL;
}}
"#
                ),
            };
            if v.is_none() {
                // `remove` and `clear` are rare next to lookups: no inline paths.
                let _ = write!(
                    c,
                    r#"VEX_HELPER bool {name}_remove({name} *m, {key} k) {{
    {layout_probe}
    return vex_map_remove({name}_layout(), &m->m, &probe);
}}
VEX_HELPER void {name}_clear({name} *m) {{
    vex_map_clear({name}_layout(), &m->m);
}}
"#
                );
            }
            c.push('\n');
        }
    }
    c
}

impl FnEmitter<'_> {
    pub(super) fn lib_op(&mut self, e: &hir::Expr, op: LibOp, args: &[hir::Expr]) -> String {
        let handle = |s: &Self, t: &Ty| s.c_type(t);
        match op {
            LibOp::VecNew => format!("(({}){{NULL}})", handle(self, &e.ty)),
            LibOp::VecLit => {
                let name = handle(self, &e.ty);
                if args.is_empty() {
                    return format!("(({name}){{NULL}})");
                }
                let Ty::Lib(_, targs) = &e.ty else { return String::new() };
                let t = self.c_type(&targs[0]);
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    let v = self.owned(a);
                    let tmp = self.fresh_temp();
                    self.decl_pre(&t, &tmp, Some(strip_parens(&v).to_string()));
                    vals.push(tmp);
                }
                // A named array, not a compound literal: tcc rejects arrays of structs there.
                let items = self.fresh_temp();
                if self.in_task() {
                    // A frame field array, filled element by element.
                    let field = items.strip_prefix("vx_f->").unwrap_or(&items).to_string();
                    self.declare(&t, &format!("{field}[{}]", args.len()), None);
                    for (i, v) in vals.iter().enumerate() {
                        self.prelude.push(format!("{items}[{i}] = {v};"));
                    }
                } else {
                    self.prelude.push(format!("{t} {items}[{}] = {{{}}};", args.len(), vals.join(", ")));
                }
                format!("{name}_from({items}, {})", args.len())
            }
            LibOp::VecPush => {
                let name = handle(self, &args[0].ty);
                let pt = self.receiver_address(&args[0], &name);
                let v = self.owned(&args[1]);
                self.prelude.push(format!("{name}_push({pt}, {});", strip_parens(&v)));
                "((vex_unit)0)".to_string()
            }
            LibOp::VecLen => {
                let name = handle(self, &args[0].ty);
                let v = self.borrowed(&args[0]);
                format!("{name}_len({})", strip_parens(&v))
            }
            LibOp::VecGet => {
                let name = handle(self, &args[0].ty);
                let v = self.borrowed(&args[0]);
                let v = self.settle_operand(v, &args[0], &args[1]);
                let i = self.expr(&args[1]);
                let line = self.line_of(e.span);
                format!("{name}_get({}, (int64_t){}, VX_SOURCE_FILE, {line})", strip_parens(&v), super::func::paren(&i))
            }
            LibOp::VecConcat => {
                let name = handle(self, &e.ty);
                let a = self.borrowed(&args[0]);
                let a = self.settle_operand(a, &args[0], &args[1]);
                let b = self.borrowed(&args[1]);
                format!("{name}_concat({}, {})", strip_parens(&a), strip_parens(&b))
            }
            LibOp::BoxNew => {
                let name = handle(self, &e.ty);
                let v = self.owned(&args[0]);
                format!("{name}_new({})", strip_parens(&v))
            }
            LibOp::MapNew | LibOp::SetNew => {
                let name = handle(self, &e.ty);
                match args.first() {
                    Some(cap) => {
                        let c = self.expr(cap);
                        format!("{name}_with_capacity((int64_t){})", super::func::paren(&c))
                    }
                    None => format!("(({name}){{{{NULL}}}})"),
                }
            }
            LibOp::MapLit => {
                let name = handle(self, &e.ty);
                let t = self.fresh_temp();
                self.decl_pre(&name, &t, Some("{{NULL}}".to_string()));
                for pair in args.chunks(2) {
                    let k = self.owned(&pair[0]);
                    let k = self.settle_operand(k, &pair[0], &pair[1]);
                    let v = self.owned(&pair[1]);
                    self.prelude.push(format!("{name}_insert(&{t}, {}, {});", strip_parens(&k), strip_parens(&v)));
                }
                t
            }
            LibOp::MapInsert | LibOp::SetInsert => {
                let name = handle(self, &args[0].ty);
                let pt = self.receiver_address(&args[0], &name);
                let mut vals = Vec::new();
                for (i, a) in args.iter().enumerate().skip(1) {
                    let v = self.owned(a);
                    let v = match args.get(i + 1) {
                        Some(later) => self.settle_operand(v, a, later),
                        None => v,
                    };
                    vals.push(strip_parens(&v).to_string());
                }
                self.prelude.push(format!("{name}_insert({pt}, {});", vals.join(", ")));
                "((vex_unit)0)".to_string()
            }
            LibOp::MapGet => {
                let name = handle(self, &args[0].ty);
                let m = self.borrowed(&args[0]);
                let m = self.settle_operand(m, &args[0], &args[1]);
                let k = self.lookup_key(&args[1]);
                let line = self.line_of(e.span);
                format!("{name}_get({}, {}, VX_SOURCE_FILE, {line})", strip_parens(&m), strip_parens(&k))
            }
            LibOp::SetContains => {
                let name = handle(self, &args[0].ty);
                let m = self.borrowed(&args[0]);
                let m = self.settle_operand(m, &args[0], &args[1]);
                let k = self.lookup_key(&args[1]);
                format!("{name}_contains({}, {})", strip_parens(&m), strip_parens(&k))
            }
            LibOp::SetRemove => {
                let name = handle(self, &args[0].ty);
                let pt = self.receiver_address(&args[0], &name);
                let k = self.lookup_key(&args[1]);
                format!("{name}_remove({pt}, {})", strip_parens(&k))
            }
            LibOp::SetClear => {
                let name = handle(self, &args[0].ty);
                let pt = self.receiver_address(&args[0], &name);
                self.prelude.push(format!("{name}_clear({pt});"));
                "((vex_unit)0)".to_string()
            }
            LibOp::MapLen | LibOp::SetLen => {
                let name = handle(self, &args[0].ty);
                let m = self.borrowed(&args[0]);
                format!("{name}_len({})", strip_parens(&m))
            }
            LibOp::ChanNew => {
                let name = handle(self, &e.ty);
                let cap = self.expr(&args[0]);
                let line = self.line_of(e.span);
                format!("{name}_new((int64_t){}, VX_SOURCE_FILE, {line})", super::func::paren(&cap))
            }
            // Waiting operations are suspension points of a task (`tasks.rs`); here, outside
            // any task, they block the thread (`tasks` rejects them in closures, so this
            // serves the operations that do not wait).
            LibOp::ChanSend => {
                let ch = self.borrowed(&args[0]);
                let ch = self.settle_operand(ch, &args[0], &args[1]);
                let v = self.owned(&args[1]);
                let cty = self.c_type(&args[1].ty);
                let t = self.fresh_temp();
                self.decl_pre(&cty, &t, Some(strip_parens(&v).to_string()));
                let line = self.line_of(e.span);
                self.prelude.push(format!("if (vx_chan_send_blocking({}.c, &{t}) == VX_CLOSED) vex_panic_at(VX_SOURCE_FILE, {line}, \"send on a closed channel\");", paren(&ch)));
                "((vex_unit)0)".to_string()
            }
            LibOp::ChanRecv | LibOp::ChanNext | LibOp::ChanTryRecv => {
                let ch = self.borrowed(&args[0]);
                let Ty::Lib(_, targs) = &args[0].ty else { return String::new() };
                let cty = self.c_type(&targs[0]);
                let t = self.fresh_temp();
                self.decl_pre(&cty, &t, None);
                self.prelude.push(format!("memset(&{t}, 0, sizeof {t});"));
                let got = self.fresh_temp();
                let call = if op == LibOp::ChanTryRecv {
                    format!("vx_chan_try_recv({}.c, &{t}) == 1", paren(&ch))
                } else {
                    format!("vx_chan_recv_blocking({}.c, &{t}) == VX_READY", paren(&ch))
                };
                self.decl_pre("bool", &got, Some(call));
                if op == LibOp::ChanRecv {
                    let line = self.line_of(e.span);
                    self.prelude.push(format!("if (!{got}) vex_panic_at(VX_SOURCE_FILE, {line}, \"receive from a closed channel\");"));
                    return t;
                }
                self.option_value(&e.ty, &got, &t)
            }
            LibOp::ChanClose => {
                let ch = self.borrowed(&args[0]);
                self.prelude.push(format!("vx_chan_close({}.c);", paren(&ch)));
                "((vex_unit)0)".to_string()
            }
            LibOp::ChanLen => {
                let ch = self.borrowed(&args[0]);
                format!("((int64_t)vx_chan_len({}.c))", paren(&ch))
            }
            LibOp::BoxGet => {
                let name = handle(self, &args[0].ty);
                let v = self.borrowed(&args[0]);
                format!("{name}_get({})", strip_parens(&v))
            }
        }
    }

    /// A key only compared, never kept (`m[k]`, `s.contains(k)`): an f-string key is formatted
    /// into a builder and viewed there (`vex_sb_view`: no heap block while it fits the
    /// builder's inline buffer), the builder dropped after the statement.
    fn lookup_key(&mut self, k: &hir::Expr) -> String {
        let hir::ExprKind::FString(parts) = &k.kind else { return self.borrowed(k) };
        let sb = self.fresh_temp();
        self.decl_pre("vex_sb", &sb, None);
        self.prelude.push(format!("vex_sb_init(&{sb});"));
        let calls = self.format_parts(parts, false, &format!("&{sb}"), "vex_fmt", false);
        self.prelude.extend(calls);
        self.postlude.push(format!("vex_sb_drop(&{sb});"));
        format!("vex_sb_view(&{sb})")
    }

    /// `first` kept in a temporary when `later` has effects (left-to-right order, §6.14).
    fn settle_operand(&mut self, first: String, first_e: &hir::Expr, later: &hir::Expr) -> String {
        if super::expr::impure(later) && !matches!(first_e.kind, hir::ExprKind::Int(_)) {
            let cty = self.c_type(&first_e.ty);
            let t = self.fresh_temp();
            self.decl_pre(&cty, &t, Some(strip_parens(&first).to_string()));
            t
        } else {
            first
        }
    }
}
