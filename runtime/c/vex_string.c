/* Strings: `{ptr, tagged_len}` UTF-8 bytes, heap ones in a counted block (see vex_runtime.h). */
#include "vex_runtime.h"

#include <string.h>

/* A new heap string of `len` bytes (plus a NUL, so C-string builtins can use it directly). */
static vex_str vex_str_alloc(int64_t len, char **bytes) {
    if (len < 0 || (uint64_t)len > VEX_STR_MAX_LEN || (uint64_t)len > SIZE_MAX - sizeof(vex_strbuf) - 1) vex_panic_at("<runtime>", 0, "string too long");
    vex_strbuf *buf = vex_mem_alloc(sizeof(vex_strbuf) + (size_t)len + 1, false);
    vex_rc_init(&buf->refs, 1);
    buf->bytes[len] = '\0';
    *bytes = buf->bytes;
    return vex_str_of_block(buf, len);
}

vex_str vex_str_concat(vex_str a, vex_str b) {
    int64_t an = vex_str_len(a), bn = vex_str_len(b);
    if (an > INT64_MAX - bn) vex_panic_at("<runtime>", 0, "string too long");
    char *bytes;
    vex_str s = vex_str_alloc(an + bn, &bytes);
    if (an) memcpy(bytes, a.ptr, (size_t)an);
    if (bn) memcpy(bytes + an, b.ptr, (size_t)bn);
    return s;
}

/* A new heap string holding a copy of `len` bytes (a library's string arguments). */
vex_str vex_str_copy(const char *bytes, int64_t len) {
    char *out;
    vex_str s = vex_str_alloc(len, &out);
    if (len) memcpy(out, bytes, (size_t)len);
    return s;
}

void vex_strbuf_free(vex_strbuf *buf) {
#ifdef VEX_ALLOC_STATS
    vex_trace_string_drop(buf->bytes, (int64_t)strlen(buf->bytes));
#endif
    vex_mem_free(buf);
}

bool vex_str_eq(vex_str a, vex_str b) {
    int64_t n = vex_str_len(a);
    return n == vex_str_len(b) && (n == 0 || memcmp(a.ptr, b.ptr, (size_t)n) == 0);
}
