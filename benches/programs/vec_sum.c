/* C twin of vec_sum.vx: a growable int64 array (capacity doubling with realloc), 10,000,000
 * pushes, then 20 summing passes over the elements (no bounds checks: the usual C). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { int64_t *data; int64_t len, cap; } vec;

static void push(vec *v, int64_t x) {
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4;
        v->data = realloc(v->data, (size_t)v->cap * sizeof *v->data);
        if (!v->data) abort();
    }
    v->data[v->len++] = x;
}

static vec fill(int64_t n) {
    vec v = {NULL, 0, 0};
    for (int64_t i = 0; i < n; i++) push(&v, i * 3 % 1000);
    return v;
}

static int64_t sum(const vec *v) {
    int64_t s = 0;
    for (int64_t i = 0; i < v->len; i++) s += v->data[i];
    return s;
}

int main(void) {
    vec v = fill(10000000);
    int64_t total = 0;
    for (int round = 0; round < 20; round++) total += sum(&v);
    printf("%" PRId64 " %" PRId64 " %" PRId64 "\n", v.len, total, v.data[9999999]);
    free(v.data);
    return 0;
}
