/* C twin of string_build.vx: (1) 2,000,000 strings formatted with snprintf into a stack buffer
 * and measured; (2) 400,000 rows of 10 comma-terminated fields, each formatted into a growable
 * buffer and copied into a malloc'ed string kept in a growable array (the usual C). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *data; size_t len, cap; } buf;

static void append(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 64;
        b->data = realloc(b->data, b->cap);
        if (!b->data) abort();
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

typedef struct { char *s; size_t len; } str;

int main(void) {
    char tmp[64];
    int64_t formatted = 0;
    for (int64_t i = 0; i < 2000000; i++)
        formatted += snprintf(tmp, sizeof tmp, "%" PRId64 ":%" PRId64 ";", i, i * i);
    size_t nrows = 0, caprows = 0;
    str *rows = NULL;
    buf row = {NULL, 0, 0};
    for (int64_t i = 0; i < 400000; i++) {
        row.len = 0;
        for (int64_t k = 0; k < 10; k++) {
            int n = snprintf(tmp, sizeof tmp, "%" PRId64 ",", i * 10 + k);
            append(&row, tmp, (size_t)n);
        }
        if (nrows == caprows) {
            caprows = caprows ? caprows * 2 : 4;
            rows = realloc(rows, caprows * sizeof *rows);
            if (!rows) abort();
        }
        char *copy = malloc(row.len + 1);
        memcpy(copy, row.data, row.len + 1);
        rows[nrows++] = (str){copy, row.len};
    }
    int64_t total = 0;
    for (size_t i = 0; i < nrows; i++) total += (int64_t)rows[i].len;
    printf("%" PRId64 " %zu %" PRId64 "\n", formatted, nrows, total);
    printf("%s\n", rows[nrows - 1].s);
    for (size_t i = 0; i < nrows; i++) free(rows[i].s);
    free(rows);
    free(row.data);
    return 0;
}
