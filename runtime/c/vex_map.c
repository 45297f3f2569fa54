/* Hash maps and sets (LANGUAGE.md §12.4, §12.5): open addressing in the Swiss-table style.
 *
 * Each slot has a control byte: 0x80 when empty, else the low 7 bits of the key's hash (h2).
 * Lookups scan the control bytes eight at a time as one 64-bit word (portable SWAR, no SIMD
 * intrinsics), comparing keys only where h2 matches; the group index comes from the other hash
 * bits (h1, the top ones: vex_tab_home) and advances by triangular probing, which visits every
 * group of a power-of-two table. The table grows at 7/8 load, doubling. Entries are laid out
 * by the generated code (key, then value, described by `vex_map_layout`); keys are integers
 * (hashed as their bytes) or strings.
 *
 * Removal (`Set.remove`) empties the slot when its group has an empty slot (then no probe ever
 * went past the group: a group only stops being full by a removal, which leaves a tombstone);
 * otherwise it leaves a tombstone (0xFE), which lookups walk past and which still counts
 * against growth_left. A table out of room is rebuilt without its tombstones: at the same size
 * when at most half of what it holds is live, else doubled. A tombstone's slot keeps stale
 * bytes, but no key is compared there: h2 matching only finds bytes below 0x80.
 *
 * The hash is seeded per table from the address of the table first allocated (randomised by the
 * allocator and ASLR), so an attacker cannot precompute colliding keys; it mixes with
 * 64x64->128-bit multiplies (wyhash's `mum`), computed portably. A grown or copied table keeps
 * its seed: a copy is then the same bytes, and growth moves the keys of old group g to new
 * groups 2g and 2g+1, in order (the only scattered reads left are string keys' bytes, fetched
 * ahead).
 *
 * The slots and the control bytes are one heap block (slots first, for their alignment): one
 * allocation per table, and a large table is one mapping given back whole.
 *
 * Tables are reference counted like the other library types: copies share a table, and the
 * first insert into a shared one copies it (retaining its keys and values). */
#include "vex_runtime.h"

#define VEX_GROUP VEX_MAP_GROUP

/* the same hashes as the inline lookups of vex_runtime.h */
static uint64_t vex_key_hash(const vex_map_layout *l, const unsigned char *key, uint64_t seed) {
    if (l->key_is_str) {
        vex_str s;
        memcpy(&s, key, sizeof s);
        return vex_hash_str(s, seed);
    }
    return vex_hash_int(vex_read_le(key, l->key_size), seed, l->key_size);
}

static inline bool vex_key_eq(const vex_map_layout *l, const unsigned char *a, const unsigned char *b) {
    if (l->key_is_str) {
        vex_str x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        return vex_str_len(x) == vex_str_len(y) && vex_bytes_eq((const unsigned char *)x.ptr, (const unsigned char *)y.ptr, (size_t)vex_str_len(x));
    }
    if (l->key_size == 8) return vex_read_le(a, 8) == vex_read_le(b, 8);
    return memcmp(a, b, l->key_size) == 0;
}

/* An entry copied with a constant size where it is a common one (no library call). */
static void vex_copy_entry(unsigned char *dst, const unsigned char *src, size_t n) {
    switch (n) {
    case 16: memcpy(dst, src, 16); break;
    case 24: memcpy(dst, src, 24); break;
    case 32: memcpy(dst, src, 32); break;
    default: memcpy(dst, src, n); break;
    }
}

/* An empty table of `cap` slots (a power of two, at least 2 * VEX_GROUP), with a fresh seed. */
static struct vex_maptab *vex_tab_alloc(const vex_map_layout *l, int64_t cap) {
    if ((uint64_t)cap > SIZE_MAX / (l->entry_size + 1)) vex_panic_at("<runtime>", 0, "map too large");
    struct vex_maptab *t = vex_mem_alloc(sizeof *t, false);
    vex_rc_init(&t->refs, 1);
    t->len = 0;
    t->cap = cap;
    t->growth_left = cap - cap / 8;
    uint32_t group_bits = 0;
    while (((int64_t)VEX_GROUP << group_bits) < cap) group_bits++;
    t->shift = 64 - group_bits;
    t->slots = vex_mem_alloc((size_t)cap * (l->entry_size + 1), false);
    t->ctrl = t->slots + (size_t)cap * l->entry_size;
    vex_mem_advise_random(t->slots, (size_t)cap * (l->entry_size + 1));
    memset(t->ctrl, VEX_CTRL_EMPTY, (size_t)cap);
    uintptr_t addr = (uintptr_t)t;
    t->seed = vex_mum((uint64_t)addr ^ VEX_HASH_P2, VEX_HASH_P0 ^ (uint64_t)cap);
    return t;
}

static void vex_tab_free(struct vex_maptab *t) {
    vex_mem_free(t->slots);
    vex_mem_free(t);
}

/* Walks over a large table's entries (growth, the last release) touch each string key's block
 * at random: fetching the one KEY_AHEAD slots further on keeps several of those cache misses in
 * flight at once. The bytes' line: the block's header (its count) is in it or the one before. */
#define VEX_KEY_AHEAD 16
static void vex_prefetch_key(const vex_map_layout *l, const struct vex_maptab *t, int64_t i) {
    if (!l->key_is_str || i >= t->cap || !vex_ctrl_full(t->ctrl[i])) return;
    vex_str s;
    memcpy(&s, t->slots + (size_t)i * l->entry_size, sizeof s);
    VEX_PREFETCH(s.ptr);
}

/* The slot of `key` in `t`, or -1; with `insert_at` set, also the empty slot where it would go. */
static int64_t vex_tab_find(const vex_map_layout *l, const struct vex_maptab *t, const unsigned char *key, uint64_t hash, int64_t *insert_at) {
    uint8_t h2 = (uint8_t)(hash & 0x7f);
    int64_t groups = t->cap / VEX_GROUP;
    int64_t g = (int64_t)vex_tab_home(t, hash);
    for (int64_t step = 1;; step++) {
        uint64_t group = vex_load_group(t->ctrl + g * VEX_GROUP);
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

/* The first empty slot on `hash`'s probe path (for a key known not to be in `t`: moving
 * entries to a new table compares no keys). */
static int64_t vex_tab_empty_slot(const struct vex_maptab *t, uint64_t hash) {
    uint64_t mask = (uint64_t)(t->cap / VEX_GROUP) - 1;
    uint64_t g = vex_tab_home(t, hash);
    for (uint64_t step = 1;; step++) {
        uint64_t e = vex_group_empty(vex_load_group(t->ctrl + g * VEX_GROUP));
        if (e) return (int64_t)(g * VEX_GROUP) + vex_lowest_byte(e);
        g = (g + step) & mask;
    }
}

static void vex_tab_place(const vex_map_layout *l, struct vex_maptab *t, const unsigned char *entry, uint64_t hash) {
    int64_t at = vex_tab_empty_slot(t, hash);
    t->ctrl[at] = (uint8_t)(hash & 0x7f);
    vex_copy_entry(t->slots + (size_t)at * l->entry_size, entry, l->entry_size);
    t->len++;
    t->growth_left--;
}

/* A private table, with room for one more entry if `room`: copies a shared table (retaining
 * what the copy now also owns) and rebuilds a full one (moving the entries; doubled unless
 * tombstones took at least half of its room). */
static void vex_map_make_room(const vex_map_layout *l, vex_map *m, bool room) {
    struct vex_maptab *t = m->tab;
    if (t && vex_rc_get(&t->refs) == 1 && (t->growth_left > 0 || !room)) return;
    if (!t) {
        m->tab = vex_tab_alloc(l, 2 * VEX_GROUP);
        return;
    }
    bool shared = vex_rc_get(&t->refs) > 1;
    bool grow = room && t->growth_left <= 0;
    int64_t cap = t->cap;
    if (grow && t->len > (cap - cap / 8) / 2) {
        if (cap > INT64_MAX / 2) vex_panic_at("<runtime>", 0, "map too large");
        cap *= 2;
    }
    struct vex_maptab *n = vex_tab_alloc(l, cap);
    n->seed = t->seed;
    if (grow) {
        for (int64_t i = 0; i < t->cap; i++) {
            vex_prefetch_key(l, t, i + VEX_KEY_AHEAD);
            if (!vex_ctrl_full(t->ctrl[i])) continue;
            unsigned char *entry = t->slots + (size_t)i * l->entry_size;
            uint64_t h = !l->key_is_str && l->key_size == 8 ? vex_hash_int(vex_read_le(entry, 8), n->seed, 8) : vex_key_hash(l, entry, n->seed);
            vex_tab_place(l, n, entry, h);
        }
    } else {
        /* same size and seed: the same layout */
        memcpy(n->slots, t->slots, (size_t)cap * (l->entry_size + 1));
        n->len = t->len;
        n->growth_left = t->growth_left;
    }
    if (shared) {
        for (int64_t i = 0; i < n->cap; i++) {
            if (!vex_ctrl_full(n->ctrl[i])) continue;
            unsigned char *entry = n->slots + (size_t)i * l->entry_size;
            if (l->key_is_str) {
                vex_str s;
                memcpy(&s, entry, sizeof s);
                (void)vex_str_retain(s);
            }
            if (l->retain_value) l->retain_value(entry + l->value_offset);
        }
        /* drop our reference; if the other owners let go meanwhile it was the last one
         * (possible with threads), and the normal release frees the old table */
        vex_map m_old = {t};
        vex_map_release(l, m_old);
    } else {
        vex_tab_free(t);
    }
    m->tab = n;
}

void vex_map_insert(const vex_map_layout *l, vex_map *m, const void *entry_in) {
    const unsigned char *entry = entry_in;
    vex_map_make_room(l, m, true);
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
    vex_copy_entry(t->slots + (size_t)at * l->entry_size, entry, l->entry_size);
    t->len++;
    t->growth_left--;
}

/* The key and the value of the entry at `slot` released. */
static void vex_release_entry(const vex_map_layout *l, unsigned char *entry) {
    if (l->key_is_str) {
        vex_str s;
        memcpy(&s, entry, sizeof s);
        vex_str_release(s);
    }
    if (l->release_value) l->release_value(entry + l->value_offset);
}

bool vex_map_remove(const vex_map_layout *l, vex_map *m, const void *key) {
    if (!m->tab || m->tab->len == 0) return false;
    int64_t slot = vex_tab_find(l, m->tab, key, vex_key_hash(l, key, m->tab->seed), NULL);
    if (slot < 0) return false;
    /* A shared table is copied first: same size and seed, so the key is at the same slot. */
    vex_map_make_room(l, m, false);
    struct vex_maptab *t = m->tab;
    vex_release_entry(l, t->slots + (size_t)slot * l->entry_size);
    int64_t g = slot / VEX_GROUP;
    if (vex_group_empty(vex_load_group(t->ctrl + g * VEX_GROUP))) {
        t->ctrl[slot] = VEX_CTRL_EMPTY;
        t->growth_left++;
    } else {
        t->ctrl[slot] = VEX_CTRL_DELETED;
    }
    t->len--;
    return true;
}

void vex_map_clear(const vex_map_layout *l, vex_map *m) {
    struct vex_maptab *t = m->tab;
    if (!t) return;
    if (vex_rc_get(&t->refs) > 1) {
        /* the other owners keep the entries; this one starts empty */
        vex_map_release(l, *m);
        m->tab = NULL;
        return;
    }
    for (int64_t i = 0; i < t->cap; i++) {
        vex_prefetch_key(l, t, i + VEX_KEY_AHEAD);
        if (vex_ctrl_full(t->ctrl[i])) vex_release_entry(l, t->slots + (size_t)i * l->entry_size);
    }
    memset(t->ctrl, VEX_CTRL_EMPTY, (size_t)t->cap);
    t->len = 0;
    t->growth_left = t->cap - t->cap / 8;
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
        vex_prefetch_key(l, t, i + VEX_KEY_AHEAD);
        if (vex_ctrl_full(t->ctrl[i])) vex_release_entry(l, t->slots + (size_t)i * l->entry_size);
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
