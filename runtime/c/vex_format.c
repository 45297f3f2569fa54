/* f-strings (LANGUAGE.md §2.5, §13.3): a string builder and formatters with the same texts as
 * the print family (vex_print.c), so `f"{x}"` and `print(x)` always agree. The builder
 * writes straight into a heap string block, which `vex_sb_finish` hands over. */
#include "vex_runtime.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

void vex_sb_init(vex_sb *sb) {
    sb->block = NULL;
    sb->len = 0;
    sb->cap = 0;
}

static void vex_sb_reserve(vex_sb *sb, int64_t extra) {
    if (extra > INT64_MAX - sb->len - 1) vex_panic_at("<runtime>", 0, "string too long");
    if (sb->len + extra + 1 <= sb->cap) return;
    int64_t cap = sb->cap < 32 ? 32 : sb->cap;
    while (cap < sb->len + extra + 1) {
        if (cap > INT64_MAX / 2) vex_panic_at("<runtime>", 0, "string too long");
        cap *= 2;
    }
    if ((uint64_t)cap > SIZE_MAX - sizeof(vex_strbuf)) vex_panic_at("<runtime>", 0, "string too long");
    vex_strbuf *nb = vex_mem_alloc(sizeof(vex_strbuf) + (size_t)cap, false);
    vex_rc_init(&nb->refs, 1);
    if (sb->len > 0) memcpy(nb->bytes, sb->block->bytes, (size_t)sb->len);
    if (sb->block) vex_mem_free(sb->block);
    sb->block = nb;
    sb->cap = cap;
}

void vex_fmt_text(vex_sb *sb, const char *text, int64_t len) {
    if (len <= 0) return;
    vex_sb_reserve(sb, len);
    memcpy(sb->block->bytes + sb->len, text, (size_t)len);
    sb->len += len;
}

/* printf into the builder (the formats are the print family's). */
static void vex_fmt_printf(vex_sb *sb, const char *fmt, ...) {
    char small[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        vex_fmt_text(sb, small, n);
        return;
    }
    vex_sb_reserve(sb, n);
    va_start(ap, fmt);
    vsnprintf(sb->block->bytes + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += n;
}

void vex_fmt_str(vex_sb *sb, vex_str s) { vex_fmt_text(sb, s.ptr, s.len); }
void vex_fmt_i64(vex_sb *sb, int64_t v) { vex_fmt_printf(sb, "%" PRId64, v); }
void vex_fmt_u64(vex_sb *sb, uint64_t v) { vex_fmt_printf(sb, "%" PRIu64, v); }
void vex_fmt_f64(vex_sb *sb, double v) { vex_fmt_printf(sb, "%g", vex_nan_unsigned(v)); }
void vex_fmt_bool(vex_sb *sb, bool v) { vex_fmt_text(sb, v ? "true" : "false", v ? 4 : 5); }
void vex_fmt_debug_i64(vex_sb *sb, const char *type_name, int64_t v) { vex_fmt_printf(sb, "%s(%" PRId64 ")", type_name, v); }
void vex_fmt_debug_u64(vex_sb *sb, const char *type_name, uint64_t v) { vex_fmt_printf(sb, "%s(%" PRIu64 ")", type_name, v); }
void vex_fmt_debug_f64(vex_sb *sb, double v) { vex_fmt_printf(sb, "f64(%g)", vex_nan_unsigned(v)); }
void vex_fmt_debug_bool(vex_sb *sb, bool v) { vex_fmt_text(sb, v ? "bool(true)" : "bool(false)", v ? 10 : 11); }
void vex_fmt_debug_str(vex_sb *sb, vex_str s) {
    vex_fmt_text(sb, "\"", 1);
    vex_fmt_text(sb, s.ptr, s.len);
    vex_fmt_text(sb, "\"", 1);
}
void vex_fmt_hex(vex_sb *sb, uint64_t bits) { vex_fmt_printf(sb, "%" PRIx64, bits); }
void vex_fmt_fixed(vex_sb *sb, double v, int32_t decimals) { vex_fmt_printf(sb, "%.*f", (int)decimals, vex_nan_unsigned(v)); }

vex_str vex_sb_finish(vex_sb *sb) {
    if (!sb->block) {
        vex_str empty = {"", 0, NULL};
        return empty;
    }
    sb->block->bytes[sb->len] = '\0';
    vex_str s = {sb->block->bytes, sb->len, sb->block};
    sb->block = NULL;
    return s;
}

/* The `vex_*_to_string` builtins (§13.1): the same texts as printing. */
vex_str vex_to_string_i64(int64_t v) {
    vex_sb sb;
    vex_sb_init(&sb);
    vex_fmt_i64(&sb, v);
    return vex_sb_finish(&sb);
}

vex_str vex_to_string_u64(uint64_t v) {
    vex_sb sb;
    vex_sb_init(&sb);
    vex_fmt_u64(&sb, v);
    return vex_sb_finish(&sb);
}

vex_str vex_to_string_f64(double v) {
    vex_sb sb;
    vex_sb_init(&sb);
    vex_fmt_f64(&sb, v);
    return vex_sb_finish(&sb);
}
