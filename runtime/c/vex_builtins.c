/* Builtin functions of LANGUAGE.md §13.1 that need more than an expression: raw memory (the
 * program's own, not counted by vex_mem.c) and `strcmp` with the spec's exact result. */
#include "vex_runtime.h"

#include <stdlib.h>

uint8_t *vex_raw_alloc(int64_t n) {
    if (n < 0 || (uint64_t)n > SIZE_MAX) return NULL;
    return malloc((size_t)n);
}

uint8_t *vex_raw_realloc(uint8_t *p, int64_t n) {
    if (n < 0 || (uint64_t)n > SIZE_MAX) return NULL;
    return realloc(p, (size_t)n);
}

void vex_raw_free(uint8_t *p) { free(p); }

void vex_raw_memset(uint8_t *p, int32_t byte, int64_t n) {
    if (n > 0) memset(p, byte, (size_t)n);
}

/* 0 when equal, else the difference of the first differing bytes as unsigned chars. */
int32_t vex_cstr_cmp(const char *a, const char *b) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (int32_t)*x - (int32_t)*y;
}
