/* f-strings (LANGUAGE.md §2.5, §13.3): a string builder and formatters with the same texts as
 * the print family (vex_print.c), so `f"{x}"` and `print(x)` always agree. The builder
 * writes straight into a heap string block, which `vex_sb_finish` hands over. */
#include "vex_runtime.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

void vex_sb_init(vex_sb *sb) {
    sb->bytes = sb->small;
    sb->len = 0;
    sb->cap = (int64_t)sizeof sb->small;
    sb->block = NULL;
}

/* Room for `extra` more bytes and the NUL: the builder owns its block alone, so it grows in
 * place (realloc), doubling; text still in `small` moves to a first block. */
void vex_sb_grow(vex_sb *sb, int64_t extra) {
    if (extra > (int64_t)VEX_STR_MAX_LEN - sb->len) vex_panic_at("<runtime>", 0, "string too long");
    if (sb->len + extra + 1 <= sb->cap) return;
    int64_t cap = sb->cap < 32 ? 32 : sb->cap;
    while (cap < sb->len + extra + 1) {
        if (cap > INT64_MAX / 2) vex_panic_at("<runtime>", 0, "string too long");
        cap *= 2;
    }
    if ((uint64_t)cap > SIZE_MAX - sizeof(vex_strbuf)) vex_panic_at("<runtime>", 0, "string too long");
    if (sb->block) {
        sb->block = vex_mem_realloc(sb->block, sizeof(vex_strbuf) + (size_t)cap);
    } else {
        sb->block = vex_mem_alloc(sizeof(vex_strbuf) + (size_t)cap, false);
        vex_rc_init(&sb->block->refs, 1);
        if (sb->len > 0) memcpy(sb->block->bytes, sb->small, (size_t)sb->len);
    }
    sb->bytes = sb->block->bytes;
    sb->cap = cap;
}

void vex_sb_adopt(vex_sb *sb, vex_str s) {
    vex_strbuf *b = vex_str_block(s);
    if (b && vex_rc_get(&b->refs) == 1) {
        sb->block = b;
        sb->bytes = b->bytes;
        sb->len = vex_str_len(s);
        sb->cap = sb->len + 1;
        if (s.tagged_len & VEX_STR_ROOMY) memcpy(&sb->cap, b->bytes + sb->len + 1, sizeof sb->cap);
        return;
    }
    vex_sb_init(sb);
    vex_fmt_str(sb, s);
    vex_str_release(s);
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
    vex_sb_grow(sb, n);
    va_start(ap, fmt);
    vsnprintf(sb->bytes + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += n;
}

/* Decimal digits of `v` written backwards ending at `end`; returns the first digit. */
static char *vex_u64_digits(uint64_t v, char *end) {
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char *p = end;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = pairs[d + 1];
        *--p = pairs[d];
    }
    if (v >= 10) {
        unsigned d = (unsigned)v * 2;
        *--p = pairs[d + 1];
        *--p = pairs[d];
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

void vex_fmt_i64(vex_sb *sb, int64_t v) {
    char buf[24];
    char *end = buf + sizeof buf;
    /* the magnitude in unsigned arithmetic (INT64_MIN has no positive int64_t) */
    char *p = vex_u64_digits(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, end);
    if (v < 0) *--p = '-';
    vex_fmt_text(sb, p, end - p);
}

void vex_fmt_u64(vex_sb *sb, uint64_t v) {
    char buf[24];
    char *end = buf + sizeof buf;
    char *p = vex_u64_digits(v, end);
    vex_fmt_text(sb, p, end - p);
}
void vex_fmt_f64(vex_sb *sb, double v) { vex_fmt_printf(sb, "%g", vex_nan_unsigned(v)); }
void vex_fmt_bool(vex_sb *sb, bool v) { vex_fmt_text(sb, v ? "true" : "false", v ? 4 : 5); }
void vex_fmt_debug_i64(vex_sb *sb, const char *type_name, int64_t v) { vex_fmt_printf(sb, "%s(%" PRId64 ")", type_name, v); }
void vex_fmt_debug_u64(vex_sb *sb, const char *type_name, uint64_t v) { vex_fmt_printf(sb, "%s(%" PRIu64 ")", type_name, v); }
void vex_fmt_debug_f64(vex_sb *sb, double v) { vex_fmt_printf(sb, "f64(%g)", vex_nan_unsigned(v)); }
void vex_fmt_debug_bool(vex_sb *sb, bool v) { vex_fmt_text(sb, v ? "bool(true)" : "bool(false)", v ? 10 : 11); }
void vex_fmt_debug_str(vex_sb *sb, vex_str s) {
    vex_fmt_text(sb, "\"", 1);
    vex_fmt_text(sb, s.ptr, vex_str_len(s));
    vex_fmt_text(sb, "\"", 1);
}
void vex_fmt_hex(vex_sb *sb, uint64_t bits) { vex_fmt_printf(sb, "%" PRIx64, bits); }
void vex_fmt_fixed(vex_sb *sb, double v, int32_t decimals) { vex_fmt_printf(sb, "%.*f", (int)decimals, vex_nan_unsigned(v)); }

void vex_sb_drop(vex_sb *sb) {
    if (sb->block) vex_mem_free(sb->block);
    vex_sb_init(sb);
}

/* The string built. Short strings get an exact block (strings are often kept by the thousand:
 * no spare room); a long one keeps its block and geometric room, so that appending to it again
 * (`s = s + x` in a loop) stays linear. */
vex_str vex_sb_finish(vex_sb *sb) {
    if (sb->len == 0) {
        if (sb->block) vex_mem_free(sb->block);
        vex_sb_init(sb);
        return VEX_STR_LIT("", 0);
    }
    if (!sb->block || (sb->len < 1024 && sb->cap - sb->len - 1 > 16)) {
        vex_strbuf *exact = vex_mem_alloc(sizeof(vex_strbuf) + (size_t)sb->len + 1, false);
        vex_rc_init(&exact->refs, 1);
        memcpy(exact->bytes, sb->bytes, (size_t)sb->len);
        if (sb->block) vex_mem_free(sb->block);
        sb->block = exact;
        sb->cap = sb->len + 1;
    }
    sb->block->bytes[sb->len] = '\0';
    vex_str s = vex_str_of_block(sb->block, sb->len);
    if (sb->cap - sb->len - 1 >= (int64_t)sizeof sb->cap) {
        /* room to say how much room there is (else the block passes for an exact one) */
        memcpy(sb->block->bytes + sb->len + 1, &sb->cap, sizeof sb->cap);
        s.tagged_len |= VEX_STR_ROOMY;
    }
    vex_sb_init(sb);
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
