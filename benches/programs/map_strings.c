/* C twin of map_strings.vx: an open-addressing (linear probing) table of string -> int64 with
 * FNV-1a hashing, power-of-two capacity and 7/8 maximum load; keys are formatted with snprintf
 * and copied into a malloc'ed block owned by the table; lookups format the key into a stack
 * buffer (the usual hand-written C). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *key; size_t klen; uint64_t hash; int64_t value; } slot;
typedef struct { slot *slots; size_t cap, len; } table;

static uint64_t hash(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static void place(table *t, slot s) {
    size_t i = s.hash & (t->cap - 1);
    while (t->slots[i].key) i = (i + 1) & (t->cap - 1);
    t->slots[i] = s;
}

static void grow(table *t) {
    table n = {calloc(t->cap * 2, sizeof(slot)), t->cap * 2, t->len};
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key) place(&n, t->slots[i]);
    free(t->slots);
    *t = n;
}

/* Takes ownership of `key` (malloc'ed). */
static void insert(table *t, char *key, size_t klen, int64_t v) {
    if ((t->len + 1) * 8 > t->cap * 7) grow(t);
    uint64_t h = hash(key, klen);
    size_t i = h & (t->cap - 1);
    while (t->slots[i].key) {
        slot *s = &t->slots[i];
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0) {
            free(key);
            s->value = v;
            return;
        }
        i = (i + 1) & (t->cap - 1);
    }
    t->slots[i] = (slot){key, klen, h, v};
    t->len++;
}

static int64_t get(const table *t, const char *key, size_t klen) {
    uint64_t h = hash(key, klen);
    size_t i = h & (t->cap - 1);
    while (t->slots[i].key) {
        const slot *s = &t->slots[i];
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0) return s->value;
        i = (i + 1) & (t->cap - 1);
    }
    abort();
}

int main(void) {
    table t = {calloc(16, sizeof(slot)), 16, 0};
    char buf[32];
    for (int64_t i = 0; i < 1000000; i++) {
        int n = snprintf(buf, sizeof buf, "key%" PRId64, i);
        char *key = malloc((size_t)n + 1);
        memcpy(key, buf, (size_t)n + 1);
        insert(&t, key, (size_t)n, i);
    }
    int64_t sum = 0;
    for (int r = 0; r < 2; r++)
        for (int64_t j = 0; j < 1000000; j++) {
            int n = snprintf(buf, sizeof buf, "key%" PRId64, j);
            sum += get(&t, buf, (size_t)n);
        }
    printf("%zu %" PRId64 "\n", t.len, sum);
    for (size_t i = 0; i < t.cap; i++) free(t.slots[i].key);
    free(t.slots);
    return 0;
}
