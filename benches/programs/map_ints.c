/* C twin of map_ints.vx: an open-addressing (linear probing) table of int64 -> int64 with a
 * multiplicative hash, power-of-two capacity and 7/8 maximum load, the usual hand-written C
 * (the same table as benches/collections/map_ints.c). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { int64_t key, value; uint8_t used; } slot;
typedef struct { slot *slots; size_t cap, len; } table;

static uint64_t hash(int64_t k) {
    uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15ull;
    return x ^ (x >> 29);
}

static void insert(table *t, int64_t k, int64_t v);

static void grow(table *t) {
    table n = {calloc(t->cap * 2, sizeof(slot)), t->cap * 2, 0};
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].used) insert(&n, t->slots[i].key, t->slots[i].value);
    free(t->slots);
    *t = n;
}

static void insert(table *t, int64_t k, int64_t v) {
    if ((t->len + 1) * 8 > t->cap * 7) grow(t);
    size_t i = hash(k) & (t->cap - 1);
    while (t->slots[i].used && t->slots[i].key != k) i = (i + 1) & (t->cap - 1);
    if (!t->slots[i].used) t->len++;
    t->slots[i] = (slot){k, v, 1};
}

static int64_t get(const table *t, int64_t k) {
    size_t i = hash(k) & (t->cap - 1);
    while (t->slots[i].used) {
        if (t->slots[i].key == k) return t->slots[i].value;
        i = (i + 1) & (t->cap - 1);
    }
    abort();
}

int main(void) {
    table t = {calloc(16, sizeof(slot)), 16, 0};
    for (int64_t i = 0; i < 1000000; i++) insert(&t, i * 7919, i);
    int64_t sum = 0;
    for (int r = 0; r < 2; r++)
        for (int64_t j = 0; j < 1000000; j++) sum += get(&t, j * 7919);
    printf("%zu %" PRId64 "\n", t.len, sum);
    free(t.slots);
    return 0;
}
