/* Hash maps and sets (LANGUAGE.md §12.4, §12.5): open addressing in the Swiss-table style.
 *
 * Each slot has a control byte: 0x80 when empty, else the low 7 bits of the key's hash (h2).
 * Lookups scan the control bytes eight at a time as one 64-bit word (portable SWAR, no SIMD
 * intrinsics), comparing keys only where h2 matches; the group index comes from the other hash
 * bits (h1) and advances by triangular probing, which visits every group of a power-of-two
 * table. The table grows at 7/8 load. Entries are laid out by the generated code (key, then
 * value, described by `vex_map_layout`); keys are integers (hashed as their bytes) or
 * strings. Nothing is ever removed, so there are no tombstones.
 *
 * The hash is seeded per table from the table's own address (randomised by the allocator and
 * ASLR), so an attacker cannot precompute colliding keys; it mixes with 64x64->128-bit
 * multiplies (wyhash's `mum`), computed portably.
 *
 * Tables are reference counted like the other library types: copies share a table, and the
 * first insert into a shared one copies it (retaining its keys and values). */
#include "vex_runtime.h"

#define VEX_CTRL_EMPTY 0x80u
#define VEX_GROUP 8

struct vex_maptab {
    vex_rc refs;
    int64_t len;
    int64_t cap;         /* slots: a power of two, at least VEX_GROUP */
    int64_t growth_left; /* inserts left before the table must grow */
    uint64_t seed;
    uint8_t *ctrl;       /* cap control bytes */
    unsigned char *slots;
};

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 vex_u128;
static uint64_t vex_mum(uint64_t a, uint64_t b) {
    vex_u128 r = (vex_u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}
#else
static uint64_t vex_mum(uint64_t a, uint64_t b) {
    /* The 128-bit product's halves xor-ed, from four 32x32 products (portable C11). */
    uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32, b_lo = b & 0xffffffffu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return lo ^ hi;
}
#endif

static uint64_t vex_read64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t vex_read_tail(const unsigned char *p, size_t n) {
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

static const uint64_t VEX_P0 = 0xa0761d6478bd642full, VEX_P1 = 0xe7037ed1a0b428dbull, VEX_P2 = 0x8ebc6af09c88c6e3ull;

static uint64_t vex_hash_bytes(const unsigned char *p, size_t n, uint64_t seed) {
    uint64_t h = seed ^ VEX_P0 ^ (uint64_t)n;
    while (n >= 16) {
        h = vex_mum(vex_read64(p) ^ VEX_P1, vex_read64(p + 8) ^ h);
        p += 16;
        n -= 16;
    }
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        a = vex_read64(p);
        b = vex_read_tail(p + 8, n - 8);
    } else {
        a = vex_read_tail(p, n);
    }
    return vex_mum(vex_mum(a ^ VEX_P1, b ^ h) ^ VEX_P2, h ^ VEX_P1);
}

static uint64_t vex_key_hash(const vex_map_layout *l, const unsigned char *key, uint64_t seed) {
    if (l->key_is_str) {
        vex_str s;
        memcpy(&s, key, sizeof s);
        return vex_hash_bytes((const unsigned char *)s.ptr, (size_t)s.len, seed);
    }
    uint64_t v = l->key_size == 8 ? vex_read64(key) : vex_read_tail(key, l->key_size);
    return vex_mum(v ^ seed ^ VEX_P0, VEX_P1 ^ (uint64_t)l->key_size);
}

static inline bool vex_key_eq(const vex_map_layout *l, const unsigned char *a, const unsigned char *b) {
    if (l->key_is_str) {
        vex_str x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        return vex_str_eq(x, y);
    }
    if (l->key_size == 8) return vex_read64(a) == vex_read64(b);
    return memcmp(a, b, l->key_size) == 0;
}

/* Bytes of `group` equal to `byte`: the high bit of each matching byte is set. */
static uint64_t vex_group_match(uint64_t group, uint8_t byte) {
    uint64_t x = group ^ (0x0101010101010101ull * byte);
    return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

static uint64_t vex_group_empty(uint64_t group) {
    return group & 0x8080808080808080ull;
}

/* Index of the lowest byte whose high bit is set in `mask` (non-zero). */
static int vex_lowest_byte(uint64_t mask) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(mask) >> 3;
#else
    int i = 0;
    while (!(mask & 0x80u)) {
        mask >>= 8;
        i++;
    }
    return i;
#endif
}

static uint64_t vex_load_group(const struct vex_maptab *t, int64_t at) {
    /* The control bytes as a little-endian word (byte i in bits 8i..8i+7), whatever the machine. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t g;
    memcpy(&g, t->ctrl + at, 8);
    return g;
#else
    uint64_t g = 0;
    for (int i = 0; i < VEX_GROUP; i++) g |= (uint64_t)t->ctrl[at + i] << (8 * i);
    return g;
#endif
}

static struct vex_maptab *vex_tab_alloc(const vex_map_layout *l, int64_t cap) {
    if ((uint64_t)cap > SIZE_MAX / (l->entry_size + 1)) vex_panic_at("<runtime>", 0, "map too large");
    struct vex_maptab *t = vex_mem_alloc(sizeof *t, false);
    vex_rc_init(&t->refs, 1);
    t->len = 0;
    t->cap = cap;
    t->growth_left = cap - cap / 8;
    t->ctrl = vex_mem_alloc((size_t)cap, false);
    memset(t->ctrl, VEX_CTRL_EMPTY, (size_t)cap);
    t->slots = vex_mem_alloc((size_t)cap * l->entry_size, false);
    uintptr_t addr = (uintptr_t)t;
    t->seed = vex_mum((uint64_t)addr ^ VEX_P2, VEX_P0 ^ (uint64_t)cap);
    return t;
}

static void vex_tab_free(struct vex_maptab *t) {
    vex_mem_free(t->ctrl);
    vex_mem_free(t->slots);
    vex_mem_free(t);
}

/* The slot of `key` in `t`, or -1; with `insert_at` set, also the empty slot where it would go. */
static int64_t vex_tab_find(const vex_map_layout *l, const struct vex_maptab *t, const unsigned char *key, uint64_t hash, int64_t *insert_at) {
    uint8_t h2 = (uint8_t)(hash & 0x7f);
    int64_t groups = t->cap / VEX_GROUP;
    int64_t g = (int64_t)((hash >> 7) & (uint64_t)(groups - 1));
    for (int64_t step = 1;; step++) {
        uint64_t group = vex_load_group(t, g * VEX_GROUP);
        uint64_t m = vex_group_match(group, h2);
        while (m) {
            int64_t slot = g * VEX_GROUP + vex_lowest_byte(m);
            if (vex_key_eq(l, t->slots + (size_t)slot * l->entry_size, key)) return slot;
            m &= m - 1;
        }
        uint64_t e = vex_group_empty(group);
        if (e) {
            if (insert_at) *insert_at = g * VEX_GROUP + vex_lowest_byte(e);
            return -1;
        }
        g = (g + step) & (groups - 1);
    }
}

static void vex_tab_place(const vex_map_layout *l, struct vex_maptab *t, const unsigned char *entry, uint64_t hash) {
    int64_t at = -1;
    (void)vex_tab_find(l, t, entry, hash, &at);
    t->ctrl[at] = (uint8_t)(hash & 0x7f);
    memcpy(t->slots + (size_t)at * l->entry_size, entry, l->entry_size);
    t->len++;
    t->growth_left--;
}

/* A private table with room for one more entry: copies a shared table (retaining what the
 * copy now also owns) and doubles a full one (moving the entries). */
static void vex_map_make_room(const vex_map_layout *l, vex_map *m) {
    struct vex_maptab *t = m->tab;
    if (t && vex_rc_get(&t->refs) == 1 && t->growth_left > 0) return;
    int64_t cap = t ? t->cap : 2 * VEX_GROUP;
    if (t && t->growth_left <= 0) {
        if (cap > INT64_MAX / 2) vex_panic_at("<runtime>", 0, "map too large");
        cap *= 2;
    }
    struct vex_maptab *n = vex_tab_alloc(l, cap);
    if (t) {
        bool shared = vex_rc_get(&t->refs) > 1;
        for (int64_t i = 0; i < t->cap; i++) {
            if (t->ctrl[i] & VEX_CTRL_EMPTY) continue;
            unsigned char *entry = t->slots + (size_t)i * l->entry_size;
            vex_tab_place(l, n, entry, vex_key_hash(l, entry, n->seed));
            if (shared) {
                if (l->key_is_str) {
                    vex_str s;
                    memcpy(&s, entry, sizeof s);
                    (void)vex_str_retain(s);
                }
                if (l->retain_value) l->retain_value(entry + l->value_offset);
            }
        }
        if (shared) {
            /* drop our reference; if the other owners let go meanwhile it was the last one
             * (possible with threads), and the normal release frees the old table */
            vex_map m_old = {t};
            vex_map_release(l, m_old);
        } else {
            vex_tab_free(t);
        }
    }
    m->tab = n;
}

void vex_map_insert(const vex_map_layout *l, vex_map *m, const void *entry_in) {
    const unsigned char *entry = entry_in;
    vex_map_make_room(l, m);
    struct vex_maptab *t = m->tab;
    uint64_t hash = vex_key_hash(l, entry, t->seed);
    int64_t at = -1;
    int64_t found = vex_tab_find(l, t, entry, hash, &at);
    if (found >= 0) {
        /* Overwrite: the table keeps its key; the new key and the old value are released. */
        unsigned char *slot = t->slots + (size_t)found * l->entry_size;
        if (l->key_is_str) {
            vex_str s;
            memcpy(&s, entry, sizeof s);
            vex_str_release(s);
        }
        if (l->value_size > 0) {
            if (l->release_value) l->release_value(slot + l->value_offset);
            memcpy(slot + l->value_offset, entry + l->value_offset, l->value_size);
        }
        return;
    }
    t->ctrl[at] = (uint8_t)(hash & 0x7f);
    memcpy(t->slots + (size_t)at * l->entry_size, entry, l->entry_size);
    t->len++;
    t->growth_left--;
}

const void *vex_map_find(const vex_map_layout *l, vex_map m, const void *key) {
    if (!m.tab || m.tab->len == 0) return NULL;
    int64_t slot = vex_tab_find(l, m.tab, key, vex_key_hash(l, key, m.tab->seed), NULL);
    return slot < 0 ? NULL : m.tab->slots + (size_t)slot * l->entry_size;
}

const void *vex_map_get(const vex_map_layout *l, vex_map m, const void *key, const char *file, int32_t line) {
    const void *e = vex_map_find(l, m, key);
    if (!e) vex_panic_at(file, line, "key not found");
    return e;
}

int64_t vex_map_len(vex_map m) {
    return m.tab ? m.tab->len : 0;
}

vex_map vex_map_retain(vex_map m) {
    if (m.tab) vex_rc_inc(&m.tab->refs);
    return m;
}

void vex_map_release(const vex_map_layout *l, vex_map m) {
    struct vex_maptab *t = m.tab;
    if (!t || !vex_rc_dec(&t->refs)) return;
    for (int64_t i = 0; i < t->cap; i++) {
        if (t->ctrl[i] & VEX_CTRL_EMPTY) continue;
        unsigned char *entry = t->slots + (size_t)i * l->entry_size;
        if (l->key_is_str) {
            vex_str s;
            memcpy(&s, entry, sizeof s);
            vex_str_release(s);
        }
        if (l->release_value) l->release_value(entry + l->value_offset);
    }
    vex_tab_free(t);
}

vex_map vex_map_with_capacity(const vex_map_layout *l, int64_t n) {
    vex_map m = {NULL};
    if (n <= 0) return m;
    int64_t cap = 2 * VEX_GROUP;
    while (cap - cap / 8 < n) {
        if (cap > INT64_MAX / 2) vex_panic_at("<runtime>", 0, "map too large");
        cap *= 2;
    }
    m.tab = vex_tab_alloc(l, cap);
    return m;
}
