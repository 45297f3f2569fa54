/* The Vex C runtime: the one header generated code includes.
 *
 * Integer helpers implement the language's arithmetic without C undefined behaviour: `+ - *`
 * and negation wrap (computed in an unsigned type at least 32 bits wide, so that small types
 * never promote to a signed `int` that could overflow), division and remainder by zero panic,
 * INT_MIN / -1 wraps, shift counts are masked to the width, and float-to-int casts saturate.
 * Everything exported is prefixed `vex_` / `VEX_`. */
#ifndef VEX_RUNTIME_H
#define VEX_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* VEX_THREADS: the program uses the async runtime (`go`, channels, ...), so runtime values may be
 * shared between worker threads and their reference counts are C11 atomics. Generated code of
 * such a program starts with `#define VEX_THREADS 1`, and vexc compiles the runtime with
 * `-DVEX_THREADS`. A directory written by `vexc --emit-c` holds the async runtime (`vx_rt.h`)
 * exactly when the program uses it, so its presence next to this header turns the setting on
 * for the runtime's own files too: `cc -std=c11 DIR/<all>.c` builds them consistently. */
#if !defined(VEX_THREADS) && defined(__has_include)
#if __has_include("vx_rt.h")
#define VEX_THREADS 1
#endif
#endif

/* VEX_COLD: the panics are cold, so compilers move the failing branches of the checks (array
 * bounds, division by zero) out of the hot code: with gcc this alone takes the bounds checks of
 * fannkuch-redux's flip loop from ~25% to nothing measurable (benches/RESULTS.md). */
#if defined(__GNUC__) || defined(__clang__)
#define VEX_NORETURN __attribute__((noreturn))
#define VEX_COLD __attribute__((cold))
#define VEX_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define VEX_NORETURN _Noreturn
#define VEX_COLD
#define VEX_LIKELY(x) (x)
#endif

/* Reference counts of heap blocks (strings, closure environments, Vec/Box/Map/Set blocks,
 * channels). `vex_rc_dec` returns true when the count reached zero (the caller frees);
 * `vex_rc_get` is for copy-on-write "am I the only owner" checks. With VEX_THREADS they are
 * atomic: increments relaxed (a new reference is made from an existing one), decrements
 * acquire-release (the last owner sees every other owner's writes before freeing), reads
 * acquire. Otherwise plain arithmetic, as fast as before.
 * Counts are 32 bits so that a string block's header (count + capacity) is 8 bytes: strings are
 * kept by the million, and 8 bytes less per block is often a smaller malloc size class. Each
 * reference is a stored value of at least 8 bytes, so 2^32 of them means 32 GiB holding copies
 * of one value; an increment past the top panics (`vex_rc_overflow`) instead of wrapping. */
VEX_NORETURN VEX_COLD void vex_rc_overflow(void);
#if defined(VEX_THREADS) && !defined(__TINYC__)
#include <stdatomic.h>
typedef _Atomic uint32_t vex_rc;
static inline void vex_rc_init(vex_rc *r, uint32_t n) { atomic_init(r, n); }
static inline void vex_rc_inc(vex_rc *r) {
    if (!VEX_LIKELY(atomic_fetch_add_explicit(r, 1, memory_order_relaxed) != UINT32_MAX)) vex_rc_overflow();
}
static inline bool vex_rc_dec(vex_rc *r) { return atomic_fetch_sub_explicit(r, 1, memory_order_acq_rel) == 1; }
static inline uint32_t vex_rc_get(vex_rc *r) { return atomic_load_explicit(r, memory_order_acquire); }
/* A program built for threads must not link a runtime built without (plain counts would race):
 * the two builds export differently named exit hooks, so a mix fails to link. */
#define vex_exit_status vex_exit_status_threads
#else
typedef uint32_t vex_rc;
static inline void vex_rc_init(vex_rc *r, uint32_t n) { *r = n; }
static inline void vex_rc_inc(vex_rc *r) {
    if (!VEX_LIKELY(*r != UINT32_MAX)) vex_rc_overflow();
    ++*r;
}
static inline bool vex_rc_dec(vex_rc *r) { return --*r == 0; }
static inline uint32_t vex_rc_get(vex_rc *r) { return *r; }
#endif

/* `string`: immutable UTF-8 bytes (not necessarily NUL-terminated: long literals are arrays).
 * Literals point at static bytes; strings made at run time (concatenation, ...) are the bytes of
 * a reference-counted heap block, always from its first byte (nothing makes views into a block),
 * so the block is found from `ptr` and the value is 16 bytes, two registers, where a C program
 * would keep pointer + length: the top bit of `tagged_len` says "heap" (VEX_STR_HEAP), the low 62
 * bits are the length. Read them through `vex_str_len` and `vex_str_block`; make literals with
 * VEX_STR_LIT. Copies retain, owners release.
 * The block is only a 4-byte count before the bytes and their NUL, so that a string costs what
 * C's malloc'ed copy costs (strings are kept by the million). Its size is len + 1, unless the
 * string is VEX_STR_ROOMY: a long string built by appending keeps its geometric spare room,
 * and the room's size (an int64_t, the bytes' capacity) is stored right after the NUL. A block
 * whose only owner is overwritten by a concatenation that starts with it (`s = s + x`) is
 * appended to in place when the bytes fit (vex_sb_adopt). */
typedef struct vex_strbuf {
    vex_rc refs;
    char bytes[];
} vex_strbuf;
typedef struct vex_str {
    const char *ptr;
    uint64_t tagged_len;
} vex_str;
#define VEX_STR_HEAP (UINT64_C(1) << 63)
#define VEX_STR_ROOMY (UINT64_C(1) << 62)
#define VEX_STR_MAX_LEN (VEX_STR_ROOMY - 1)
/* A string viewing `len` static (or otherwise not Vex-owned) bytes. */
#define VEX_STR_LIT(bytes, len) ((vex_str){(bytes), (uint64_t)(len)})
static inline int64_t vex_str_len(vex_str s) { return (int64_t)(s.tagged_len & VEX_STR_MAX_LEN); }
/* The heap block holding `s`'s bytes, NULL for a literal or C's bytes. */
static inline vex_strbuf *vex_str_block(vex_str s) {
    if (!(s.tagged_len & VEX_STR_HEAP)) return NULL;
    return (vex_strbuf *)(void *)((char *)(uintptr_t)s.ptr - offsetof(vex_strbuf, bytes));
}
/* The string of the first `len` bytes of `block`, a block of exactly len + 1 bytes (the
 * caller's reference becomes the string's). */
static inline vex_str vex_str_of_block(vex_strbuf *block, int64_t len) {
    vex_str s = {block->bytes, (uint64_t)len | VEX_STR_HEAP};
    return s;
}

/* The value of type `()` when one has to be stored. */
typedef char vex_unit;

/* VEX_HELPER marks the generated per-type helpers (`static inline`, emitted for every type a
 * program mentions, used or not): clang warns about unused static inline functions in a .c. */
#if defined(__GNUC__) || defined(__clang__)
#define VEX_HELPER static inline __attribute__((unused))
#else
#define VEX_HELPER static inline
#endif

/* ---- panics (vex_panic.c): flush stdout, print `panic: MSG at FILE:LINE` on stderr, abort */
VEX_NORETURN VEX_COLD void vex_panic_at(const char *file, int32_t line, const char *msg);
VEX_NORETURN VEX_COLD void vex_panic_index(const char *file, int32_t line, int64_t index, int64_t len);
VEX_NORETURN VEX_COLD void vex_panic_index_u(const char *file, int32_t line, uint64_t index, int64_t len);
/* `panic(msg)`: `panic: MSG at FILE:LINE`; `assert`: `assertion failed[: MSG] at FILE:LINE` */
VEX_NORETURN VEX_COLD void vex_panic_msg(const char *file, int32_t line, vex_str msg);
VEX_NORETURN VEX_COLD void vex_assert_failed(const char *file, int32_t line, vex_str msg, int has_msg);

/* ---- heap blocks (vex_mem.c): every block a program owns goes through these, so that a
 * `-DVEX_ALLOC_STATS` build can count them; `vex_exit_status` wraps `main`'s status and, in
 * that build, fails a program that ends with live blocks. Without the counting they are inline
 * here: an allocation is then the C library's call and a null test, not a call into another
 * translation unit that calls it (per Box of binary-trees, the wrappers cost about as many
 * instructions as the tree walks). The program and the runtime must agree on the setting
 * (vexc compiles both with the same flags). */
void *vex_mem_realloc(void *p, size_t size);
#ifdef VEX_ALLOC_STATS
void *vex_mem_alloc(size_t size, bool zeroed);
void vex_mem_free(void *p);
#else
VEX_NORETURN VEX_COLD void vex_mem_out_of_memory(void);
static inline void *vex_mem_alloc(size_t size, bool zeroed) {
    void *p = zeroed ? calloc(1, size) : malloc(size);
    if (!VEX_LIKELY(p != NULL)) vex_mem_out_of_memory();
    return p;
}
static inline void vex_mem_free(void *p) { free(p); }
#endif
/* A hint that a large block (a hash table) will be read at random, all over: on Linux, ask for
 * transparent huge pages, so that lookups stop missing the TLB on nearly every access. */
void vex_mem_advise_random(void *p, size_t size);
void vex_trace_string_drop(const char *bytes, int64_t len);
int vex_exit_status(int status);

/* ---- function values (vex_closure.c): code + environment (LANGUAGE.md §9.2). The code takes
 * the environment first; top-level functions have a NULL one. Environments are reference
 * counted: copying a `fn` value retains it, dropping releases it, the last release runs the
 * closure's drop glue for its captures and frees it. */
typedef struct vex_env {
    vex_rc refs;
    void (*drop)(struct vex_env *env);
} vex_env;
typedef void (*vex_code)(void);
typedef struct vex_fn {
    vex_code code;
    vex_env *env;
} vex_fn;
void *vex_env_new(size_t size, void (*drop)(vex_env *env));
void vex_env_release(vex_env *env);
static inline vex_fn vex_fn_retain(vex_fn f) {
    if (f.env) vex_rc_inc(&f.env->refs);
    return f;
}
static inline void vex_fn_drop(vex_fn f) {
    if (f.env) vex_env_release(f.env);
}

/* ---- maps and sets (vex_map.c): a Swiss-style hash table of entries laid out by the generated
 * code as { key; value; } (a set's entries have no value). Keys are integers (`key_size`
 * bytes) or strings. Inserting takes ownership of the entry's key and value. */
typedef struct vex_map_layout {
    size_t entry_size;
    size_t value_offset;
    size_t value_size;
    size_t key_size;
    bool key_is_str;
    void (*release_value)(void *value); /* NULL when values own nothing */
    void (*retain_value)(void *value);
} vex_map_layout;
typedef struct vex_map {
    struct vex_maptab *tab;
} vex_map;
void vex_map_insert(const vex_map_layout *l, vex_map *m, const void *entry);
/* Removes the entry whose key equals the start of `key` (only read); false if there is none. */
bool vex_map_remove(const vex_map_layout *l, vex_map *m, const void *key);
/* Removes every entry (releasing them); a private table keeps its capacity. */
void vex_map_clear(const vex_map_layout *l, vex_map *m);

/* The table (vex_map.c) and the inline lookups the generated per-type helpers use for integer
 * and string keys (compile-time entry and key sizes: no calls, no run-time-sized copies). Each
 * slot has a control byte: 0x80 when empty, else the low 7 bits of the key's hash (h2); a lookup
 * scans eight control bytes at a time as one 64-bit word and compares keys only where h2
 * matches; groups are visited by triangular probing from the group the hash's top bits name
 * (vex_tab_home). Top bits, so that doubling a table (same seed) sends the keys of old group g
 * to new groups 2g and 2g+1: growth walks both tables in order instead of writing at random. */
struct vex_maptab {
    vex_rc refs;
    int64_t len;
    int64_t cap;         /* slots: a power of two, at least 2 * VEX_MAP_GROUP */
    int64_t growth_left; /* inserts left before the table must grow */
    uint64_t seed;
    uint32_t shift;      /* 64 - log2(cap / VEX_MAP_GROUP): hash >> shift is the home group */
    uint8_t *ctrl;       /* cap control bytes, in the slots' block just after them */
    unsigned char *slots;
};
#define VEX_MAP_GROUP 8
/* VEX_PREFETCH: a hint to start loading the line at `p` (for reading) now, where the address
 * is known well before the bytes are needed. */
#if defined(__GNUC__) || defined(__clang__)
#define VEX_PREFETCH(p) __builtin_prefetch(p)
#else
#define VEX_PREFETCH(p) ((void)(p))
#endif
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 vex_u128;
static inline uint64_t vex_mum(uint64_t a, uint64_t b) {
    vex_u128 r = (vex_u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}
#else
static inline uint64_t vex_mum(uint64_t a, uint64_t b) {
    /* The 128-bit product's halves xor-ed, from four 32x32 products (portable C11). */
    uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32, b_lo = b & 0xffffffffu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return lo ^ hi;
}
#endif
#define VEX_HASH_P0 0xa0761d6478bd642full
#define VEX_HASH_P1 0xe7037ed1a0b428dbull
#define VEX_HASH_P2 0x8ebc6af09c88c6e3ull
static inline uint64_t vex_read_le(const unsigned char *p, size_t n) {
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}
/* An integer key of `size` bytes (its bytes as a number). */
static inline uint64_t vex_hash_int(uint64_t v, uint64_t seed, size_t size) {
    return vex_mum(v ^ seed ^ VEX_HASH_P0, VEX_HASH_P1 ^ (uint64_t)size);
}
static inline uint64_t vex_read32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t vex_read64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
/* wyhash's shape: keys of up to 16 bytes (the common ones) are read as a few fixed-size loads
 * that overlap where the key is shorter (no loop, no variable-size copy), longer ones 16 bytes
 * at a time with their last 16 bytes read as the tail. Every byte of the key is read. */
static inline uint64_t vex_hash_bytes(const unsigned char *p, size_t n, uint64_t seed) {
    uint64_t h = seed ^ VEX_HASH_P0 ^ (uint64_t)n;
    uint64_t a, b;
    if (VEX_LIKELY(n <= 16)) {
        if (n >= 4) {
            size_t mid = (n >> 3) << 2; /* 0 for 4..7 bytes, 4 for 8..16 */
            a = (vex_read32(p) << 32) | vex_read32(p + mid);
            b = (vex_read32(p + n - 4) << 32) | vex_read32(p + n - 4 - mid);
        } else if (n > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = n;
        while (i > 16) {
            h = vex_mum(vex_read64(p) ^ VEX_HASH_P1, vex_read64(p + 8) ^ h);
            p += 16;
            i -= 16;
        }
        a = vex_read64(p + i - 16);
        b = vex_read64(p + i - 8);
    }
    return vex_mum(vex_mum(a ^ VEX_HASH_P1, b ^ h) ^ VEX_HASH_P2, h ^ VEX_HASH_P1);
}
/* Whether `n` bytes at `a` and `b` are equal; short keys by overlapping fixed-size loads (the
 * map's key comparisons: no library call for the usual lengths). */
static inline bool vex_bytes_eq(const unsigned char *a, const unsigned char *b, size_t n) {
    if (n >= 8 && n <= 16) return vex_read64(a) == vex_read64(b) && vex_read64(a + n - 8) == vex_read64(b + n - 8);
    if (n >= 4 && n < 8) return vex_read32(a) == vex_read32(b) && vex_read32(a + n - 4) == vex_read32(b + n - 4);
    if (n > 16) return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return false;
    return true;
}
static inline uint64_t vex_hash_str(vex_str s, uint64_t seed) {
    return vex_hash_bytes((const unsigned char *)s.ptr, (size_t)vex_str_len(s), seed);
}
/* Bytes of `group` equal to `byte`: the high bit of each matching byte is set. */
static inline uint64_t vex_group_match(uint64_t group, uint8_t byte) {
    uint64_t x = group ^ (0x0101010101010101ull * byte);
    return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}
/* Control bytes: 0x80 an empty slot, 0xFE a removed one (a tombstone), 0..0x7f a full slot's h2.
 * The empty ones of `group` (high bit set, bit 1 clear: a tombstone has both set, so a probe
 * walks past it). */
#define VEX_CTRL_EMPTY 0x80u
#define VEX_CTRL_DELETED 0xFEu
static inline uint64_t vex_group_empty(uint64_t group) {
    return group & ~(group << 6) & 0x8080808080808080ull;
}
/* A slot that holds an entry (neither empty nor a tombstone: both have the high bit). */
static inline bool vex_ctrl_full(uint8_t ctrl) {
    return !(ctrl & 0x80u);
}
/* Index of the lowest byte whose high bit is set in `mask` (non-zero). */
static inline int vex_lowest_byte(uint64_t mask) {
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
static inline uint64_t vex_load_group(const uint8_t *ctrl) {
    /* The control bytes as a little-endian word (byte i in bits 8i..8i+7), whatever the machine. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t g;
    memcpy(&g, ctrl, 8);
    return g;
#else
    uint64_t g = 0;
    for (int i = 0; i < VEX_MAP_GROUP; i++) g |= (uint64_t)ctrl[i] << (8 * i);
    return g;
#endif
}
/* The group where `hash`'s probe sequence starts: its top bits (the low 7 are h2). */
static inline uint64_t vex_tab_home(const struct vex_maptab *t, uint64_t hash) {
    return hash >> t->shift;
}
/* The slot of a key in `t` (-1 if absent; then `*insert_at`, if given, is the empty slot where it
 * would go). `is_str`: the keys are strings (`skey`), else integers of `key_size` bytes (`ikey`),
 * always at the start of an entry of `entry_size` bytes. Constant arguments fold away. */
static inline int64_t vex_tab_probe(const struct vex_maptab *t, bool is_str, vex_str skey, uint64_t ikey, size_t key_size, size_t entry_size, uint64_t hash, int64_t *insert_at) {
    uint8_t h2 = (uint8_t)(hash & 0x7f);
    uint64_t mask = (uint64_t)(t->cap / VEX_MAP_GROUP) - 1;
    uint64_t g = vex_tab_home(t, hash);
    /* The first group's slots are fetched while its control bytes load: in a large table both
     * miss the cache, and the misses overlap instead of following each other. */
    for (size_t off = 0; off < VEX_MAP_GROUP * entry_size; off += 64) VEX_PREFETCH(t->slots + g * VEX_MAP_GROUP * entry_size + off);
    for (uint64_t step = 1;; step++) {
        uint64_t group = vex_load_group(t->ctrl + g * VEX_MAP_GROUP);
        uint64_t m = vex_group_match(group, h2);
        while (m) {
            int64_t slot = (int64_t)(g * VEX_MAP_GROUP) + vex_lowest_byte(m);
            const unsigned char *e = t->slots + (size_t)slot * entry_size;
            if (is_str) {
                vex_str k;
                memcpy(&k, e, sizeof k);
                int64_t n = vex_str_len(k);
                if (n == vex_str_len(skey) && vex_bytes_eq((const unsigned char *)k.ptr, (const unsigned char *)skey.ptr, (size_t)n)) return slot;
            } else if (vex_read_le(e, key_size) == ikey) {
                return slot;
            }
            m &= m - 1;
        }
        uint64_t empty = vex_group_empty(group);
        if (empty) {
            if (insert_at) *insert_at = (int64_t)(g * VEX_MAP_GROUP) + vex_lowest_byte(empty);
            return -1;
        }
        g = (g + step) & mask;
    }
}
const void *vex_map_find(const vex_map_layout *l, vex_map m, const void *key);
const void *vex_map_get(const vex_map_layout *l, vex_map m, const void *key, const char *file, int32_t line);
int64_t vex_map_len(vex_map m);
vex_map vex_map_retain(vex_map m);
void vex_map_release(const vex_map_layout *l, vex_map m);
vex_map vex_map_with_capacity(const vex_map_layout *l, int64_t n);

/* ---- `defer` (vex_defer.c): the calls a function registered, as site numbers; the function's
 * exit pops and runs them newest first (LANGUAGE.md §5.10). Eight fit inline; a `defer` in a
 * loop may register more, which moves the stack to the heap. */
typedef struct vex_defers {
    uint32_t *items;
    size_t len;
    size_t cap;
    uint32_t inline_items[8];
} vex_defers;
void vex_defers_grow(vex_defers *d);
static inline void vex_defers_init(vex_defers *d) {
    d->items = d->inline_items;
    d->len = 0;
    d->cap = sizeof d->inline_items / sizeof d->inline_items[0];
}
static inline void vex_defers_push(vex_defers *d, uint32_t site) {
    if (d->len == d->cap) vex_defers_grow(d);
    d->items[d->len++] = site;
}
void vex_defers_free(vex_defers *d);

/* ---- bit builtins (§13.1): within the operand's width; `ctlz(0)`/`cttz(0)` give the width */
static inline uint8_t vex_bits_ctlz_8(uint8_t x) {
    uint8_t n = 0;
    for (uint8_t m = (uint8_t)((uint8_t)1 << (8 - 1)); m && !(x & m); m = (uint8_t)(m >> 1)) n++;
    return n;
}
static inline uint8_t vex_bits_cttz_8(uint8_t x) {
    uint8_t n = 0;
    while (n < 8 && !((x >> n) & 1u)) n++;
    return n;
}
static inline uint8_t vex_bits_ctpop_8(uint8_t x) {
    uint8_t n = 0;
    for (; x; x = (uint8_t)(x & (x - 1u))) n++;
    return n;
}
static inline uint8_t vex_bits_bitreverse_8(uint8_t x) {
    uint8_t r = 0;
    for (int i = 0; i < 8; i++) r = (uint8_t)((r << 1) | ((x >> i) & 1u));
    return r;
}
static inline uint8_t vex_bits_bswap_8(uint8_t x) {
    uint8_t r = 0;
    for (int i = 0; i < 8 / 8; i++) r = (uint8_t)((r << 8) | ((x >> (8 * i)) & 0xffu));
    return r;
}
static inline uint16_t vex_bits_ctlz_16(uint16_t x) {
    uint16_t n = 0;
    for (uint16_t m = (uint16_t)((uint16_t)1 << (16 - 1)); m && !(x & m); m = (uint16_t)(m >> 1)) n++;
    return n;
}
static inline uint16_t vex_bits_cttz_16(uint16_t x) {
    uint16_t n = 0;
    while (n < 16 && !((x >> n) & 1u)) n++;
    return n;
}
static inline uint16_t vex_bits_ctpop_16(uint16_t x) {
    uint16_t n = 0;
    for (; x; x = (uint16_t)(x & (x - 1u))) n++;
    return n;
}
static inline uint16_t vex_bits_bitreverse_16(uint16_t x) {
    uint16_t r = 0;
    for (int i = 0; i < 16; i++) r = (uint16_t)((r << 1) | ((x >> i) & 1u));
    return r;
}
static inline uint16_t vex_bits_bswap_16(uint16_t x) {
    uint16_t r = 0;
    for (int i = 0; i < 16 / 8; i++) r = (uint16_t)((r << 8) | ((x >> (8 * i)) & 0xffu));
    return r;
}
static inline uint32_t vex_bits_ctlz_32(uint32_t x) {
    uint32_t n = 0;
    for (uint32_t m = (uint32_t)((uint32_t)1 << (32 - 1)); m && !(x & m); m = (uint32_t)(m >> 1)) n++;
    return n;
}
static inline uint32_t vex_bits_cttz_32(uint32_t x) {
    uint32_t n = 0;
    while (n < 32 && !((x >> n) & 1u)) n++;
    return n;
}
static inline uint32_t vex_bits_ctpop_32(uint32_t x) {
    uint32_t n = 0;
    for (; x; x = (uint32_t)(x & (x - 1u))) n++;
    return n;
}
static inline uint32_t vex_bits_bitreverse_32(uint32_t x) {
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) r = (uint32_t)((r << 1) | ((x >> i) & 1u));
    return r;
}
static inline uint32_t vex_bits_bswap_32(uint32_t x) {
    uint32_t r = 0;
    for (int i = 0; i < 32 / 8; i++) r = (uint32_t)((r << 8) | ((x >> (8 * i)) & 0xffu));
    return r;
}
static inline uint64_t vex_bits_ctlz_64(uint64_t x) {
    uint64_t n = 0;
    for (uint64_t m = (uint64_t)((uint64_t)1 << (64 - 1)); m && !(x & m); m = (uint64_t)(m >> 1)) n++;
    return n;
}
static inline uint64_t vex_bits_cttz_64(uint64_t x) {
    uint64_t n = 0;
    while (n < 64 && !((x >> n) & 1u)) n++;
    return n;
}
static inline uint64_t vex_bits_ctpop_64(uint64_t x) {
    uint64_t n = 0;
    for (; x; x = (uint64_t)(x & (x - 1u))) n++;
    return n;
}
static inline uint64_t vex_bits_bitreverse_64(uint64_t x) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) r = (uint64_t)((r << 1) | ((x >> i) & 1u));
    return r;
}
static inline uint64_t vex_bits_bswap_64(uint64_t x) {
    uint64_t r = 0;
    for (int i = 0; i < 64 / 8; i++) r = (uint64_t)((r << 8) | ((x >> (8 * i)) & 0xffu));
    return r;
}

/* ---- raw memory and C strings (vex_builtins.c) */
uint8_t *vex_raw_alloc(int64_t n);
uint8_t *vex_raw_realloc(uint8_t *p, int64_t n);
void vex_raw_free(uint8_t *p);
void vex_raw_memset(uint8_t *p, int32_t byte, int64_t n);
int32_t vex_cstr_cmp(const char *a, const char *b);

/* ---- f-strings (vex_format.c): a builder and formatters mirroring the print family */
typedef struct vex_sb {
    char *bytes;       /* `small`, or the block's bytes */
    int64_t len;
    int64_t cap;       /* of `bytes` */
    vex_strbuf *block; /* NULL while the text fits `small` */
    char small[64];
} vex_sb;
/* String concatenations build into one builder too: `a + b + c` is one block. `vex_sb_adopt`
 * starts a builder from an owned string: its own block when it is the only owner (appending
 * then reuses the block's spare room, growing it geometrically), else a copy (releasing it).
 * The strings appended must not view the adopted block (`s = s + s` does not adopt). */
void vex_sb_init(vex_sb *sb);
void vex_sb_adopt(vex_sb *sb, vex_str s);
vex_str vex_sb_finish(vex_sb *sb);
void vex_sb_grow(vex_sb *sb, int64_t extra);
/* The text built so far as a string the builder still owns (no count: valid until the builder
 * changes or is dropped; for a lookup key that is only compared). */
static inline vex_str vex_sb_view(const vex_sb *sb) {
    vex_str s = {sb->bytes, (uint64_t)sb->len};
    return s;
}
void vex_sb_drop(vex_sb *sb);
static inline void vex_fmt_text(vex_sb *sb, const char *text, int64_t len) {
    if (len <= 0) return;
    if (!VEX_LIKELY(len < sb->cap - sb->len)) vex_sb_grow(sb, len);
    memcpy(sb->bytes + sb->len, text, (size_t)len);
    sb->len += len;
}
static inline void vex_fmt_str(vex_sb *sb, vex_str s) {
    int64_t n = vex_str_len(s);
    if (n <= 0) return;
    if (!VEX_LIKELY(n < sb->cap - sb->len)) vex_sb_grow(sb, n);
    memcpy(sb->bytes + sb->len, s.ptr, (size_t)n);
    sb->len += n;
}
void vex_fmt_i64(vex_sb *sb, int64_t v);
void vex_fmt_u64(vex_sb *sb, uint64_t v);
void vex_fmt_f64(vex_sb *sb, double v);
void vex_fmt_bool(vex_sb *sb, bool v);
void vex_fmt_debug_i64(vex_sb *sb, const char *type_name, int64_t v);
void vex_fmt_debug_u64(vex_sb *sb, const char *type_name, uint64_t v);
void vex_fmt_debug_f64(vex_sb *sb, double v);
void vex_fmt_debug_bool(vex_sb *sb, bool v);
void vex_fmt_debug_str(vex_sb *sb, vex_str s);
void vex_fmt_hex(vex_sb *sb, uint64_t bits);
void vex_fmt_fixed(vex_sb *sb, double v, int32_t decimals);
vex_str vex_to_string_i64(int64_t v);
vex_str vex_to_string_u64(uint64_t v);
vex_str vex_to_string_f64(double v);

/* ---- printing (vex_print.c); `err` selects stderr (after flushing stdout) */
void vex_print_str(int err, vex_str s);
#ifdef VEX_THREADS
void vex_print_lock(int err);
void vex_print_unlock(int err);
#endif
void vex_print_text(int err, const char *text, int64_t len);
void vex_print_i64(int err, int64_t v);
void vex_print_u64(int err, uint64_t v);
/* The sign of a NaN depends on how it was computed, and on whether the C compiler folded the
   computation (x86 makes -nan at run time, constant folding +nan): every NaN prints as `nan`. */
static inline double vex_nan_unsigned(double v) {
    if (v != v) {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        bits &= ~(UINT64_C(1) << 63);
        memcpy(&v, &bits, sizeof v);
    }
    return v;
}
void vex_print_f64(int err, double v);
void vex_print_bool(int err, bool v);
void vex_print_debug_i64(int err, const char *type_name, int64_t v);
void vex_print_debug_u64(int err, const char *type_name, uint64_t v);
void vex_print_debug_f64(int err, double v);
void vex_print_debug_bool(int err, bool v);
void vex_print_debug_str(int err, vex_str s);
void vex_print_hex(int err, uint64_t bits);
void vex_print_fixed(int err, double v, int32_t decimals);

/* ---- raw pointers (vex_ptr.c) */
void *vex_ptr_from_ref(void *ref);

/* ---- strings (vex_string.c) */
bool vex_str_eq(vex_str a, vex_str b);
vex_str vex_str_concat(vex_str a, vex_str b);
/* A new heap string holding a copy of `len` bytes (library mode: string arguments from C). */
vex_str vex_str_copy(const char *bytes, int64_t len);
/* A `string` viewing C's NUL-terminated bytes (owned by C; never freed by Vex). */
static inline vex_str vex_str_from_c(const char *p) {
    vex_str s = {p ? p : "", p ? (uint64_t)strlen(p) : 0};
    return s;
}
void vex_strbuf_free(vex_strbuf *buf);
static inline vex_str vex_str_retain(vex_str s) {
    vex_strbuf *b = vex_str_block(s);
    if (b) vex_rc_inc(&b->refs);
    return s;
}
static inline void vex_str_release(vex_str s) {
    vex_strbuf *b = vex_str_block(s);
    if (b && vex_rc_dec(&b->refs)) vex_strbuf_free(b);
}

/* ---- array bounds */
static inline int64_t vex_check_index(int64_t i, int64_t len, const char *file, int32_t line) {
    /* one unsigned comparison: a negative index becomes a huge one (len is never negative) */
    if (VEX_LIKELY((uint64_t)i < (uint64_t)len)) return i;
    vex_panic_index(file, line, i, len);
}
static inline int64_t vex_check_index_u(uint64_t i, int64_t len, const char *file, int32_t line) {
    if (VEX_LIKELY(i < (uint64_t)len)) return (int64_t)i;
    vex_panic_index_u(file, line, i, len);
}
static inline bool vex_index_ok(int64_t i, int64_t len) { return i >= 0 && i < len; }
static inline bool vex_index_ok_u(uint64_t i, int64_t len) { return i < (uint64_t)len; }

/* ---- integer arithmetic: S = suffix, T = type, U = unsigned of same width,
 *      W = unsigned computation type (>= 32 bits), BITS = width */
#define VEX_INT_COMMON(S, T, U, W, BITS)                                                           \
    static inline T vex_add_##S(T a, T b) { return (T)(U)((W)(U)a + (W)(U)b); }                    \
    static inline T vex_sub_##S(T a, T b) { return (T)(U)((W)(U)a - (W)(U)b); }                    \
    static inline T vex_mul_##S(T a, T b) { return (T)(U)((W)(U)a * (W)(U)b); }                    \
    static inline T vex_shl_##S(T a, uint32_t n) { return (T)(U)((W)(U)a << (n & (BITS - 1u))); }   \
    static inline bool vex_lt_##S(T a, T b) { return a < b; }                                      \
    static inline bool vex_le_##S(T a, T b) { return a <= b; }                                     \
    static inline bool vex_gt_##S(T a, T b) { return a > b; }                                      \
    static inline bool vex_ge_##S(T a, T b) { return a >= b; }                                     \
    static inline bool vex_eq_##S(T a, T b) { return a == b; }                                     \
    static inline bool vex_ne_##S(T a, T b) { return a != b; }

#define VEX_INT_SIGNED(S, T, U, W, BITS, MIN)                                                      \
    VEX_INT_COMMON(S, T, U, W, BITS)                                                               \
    static inline T vex_neg_##S(T a) { return (T)(U)((W)0 - (W)(U)a); }                           \
    static inline T vex_div_##S(T a, T b, const char *file, int32_t line) {                        \
        if (b == 0) vex_panic_at(file, line, "division by zero");                                  \
        if (b == -1) return vex_neg_##S(a);                                                        \
        return (T)(a / b);                                                                         \
    }                                                                                              \
    static inline T vex_rem_##S(T a, T b, const char *file, int32_t line) {                        \
        if (b == 0) vex_panic_at(file, line, "remainder by zero");                                 \
        if (b == -1) return 0;                                                                     \
        return (T)(a % b);                                                                         \
    }                                                                                              \
    static inline T vex_shr_##S(T a, uint32_t n) {                                                 \
        n &= BITS - 1u;                                                                            \
        /* right-shifting a negative value is implementation-defined in C: shift the complement */ \
        return a < 0 ? (T)~(T)((T)~a >> n) : (T)(a >> n);                                          \
    }

#define VEX_INT_UNSIGNED(S, T, W, BITS)                                                            \
    VEX_INT_COMMON(S, T, T, W, BITS)                                                               \
    static inline T vex_div_##S(T a, T b, const char *file, int32_t line) {                        \
        if (b == 0) vex_panic_at(file, line, "division by zero");                                  \
        return (T)(a / b);                                                                         \
    }                                                                                              \
    static inline T vex_rem_##S(T a, T b, const char *file, int32_t line) {                        \
        if (b == 0) vex_panic_at(file, line, "remainder by zero");                                 \
        return (T)(a % b);                                                                         \
    }                                                                                              \
    static inline T vex_shr_##S(T a, uint32_t n) { return (T)(a >> (n & (BITS - 1u))); }

VEX_INT_SIGNED(i8, int8_t, uint8_t, uint32_t, 8, INT8_MIN)
VEX_INT_SIGNED(i16, int16_t, uint16_t, uint32_t, 16, INT16_MIN)
VEX_INT_SIGNED(i32, int32_t, uint32_t, uint32_t, 32, INT32_MIN)
VEX_INT_SIGNED(i64, int64_t, uint64_t, uint64_t, 64, INT64_MIN)
VEX_INT_UNSIGNED(u8, uint8_t, uint32_t, 8)
VEX_INT_UNSIGNED(u16, uint16_t, uint32_t, 16)
VEX_INT_UNSIGNED(u32, uint32_t, uint32_t, 32)
VEX_INT_UNSIGNED(u64, uint64_t, uint64_t, 64)

/* ---- float -> int casts saturate (out-of-range conversion is undefined in C); NaN -> 0 */
#define VEX_F2I_SIGNED(S, T, MIN, MAX, LIMIT)                                                      \
    static inline T vex_f64_to_##S(double x) {                                                     \
        if (x != x) return 0;                                                                      \
        if (x <= -(LIMIT)) return MIN;                                                             \
        if (x >= (LIMIT)) return MAX;                                                              \
        return (T)x;                                                                               \
    }
#define VEX_F2I_UNSIGNED(S, T, MAX, LIMIT)                                                         \
    static inline T vex_f64_to_##S(double x) {                                                     \
        if (x != x || x <= -1.0) return 0;                                                         \
        if (x >= (LIMIT)) return MAX;                                                              \
        return (T)x;                                                                               \
    }
/* LIMIT is 2^(bits-1) (signed) or 2^bits (unsigned), exactly representable as a double. */
VEX_F2I_SIGNED(i8, int8_t, INT8_MIN, INT8_MAX, 128.0)
VEX_F2I_SIGNED(i16, int16_t, INT16_MIN, INT16_MAX, 32768.0)
VEX_F2I_SIGNED(i32, int32_t, INT32_MIN, INT32_MAX, 2147483648.0)
VEX_F2I_SIGNED(i64, int64_t, INT64_MIN, INT64_MAX, 9223372036854775808.0)
VEX_F2I_UNSIGNED(u8, uint8_t, UINT8_MAX, 256.0)
VEX_F2I_UNSIGNED(u16, uint16_t, UINT16_MAX, 65536.0)
VEX_F2I_UNSIGNED(u32, uint32_t, UINT32_MAX, 4294967296.0)
VEX_F2I_UNSIGNED(u64, uint64_t, UINT64_MAX, 18446744073709551616.0)

/* float remainder with C fmod semantics (vex_math.c) */
double vex_fmod_f64(double a, double b);
float vex_fmod_f32(float a, float b);

#endif /* VEX_RUNTIME_H */
