/* The runtime's one allocator entry point. Every heap block a Vex program owns (strings,
 * closure environments, defer stacks, ...) is made and freed here, so that a debug build
 * (`-DVEX_ALLOC_STATS`) can count them: at a normal exit it reports any block still live and
 * makes the program fail, and with `VEX_TRACE_DROPS=1` in the environment it logs every string
 * freed (with its text), which lets tests observe the order of drops. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* madvise under -std=c11 */
#endif
#include "vex_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#ifdef VEX_ALLOC_STATS
#if defined(VEX_THREADS) && !defined(__TINYC__)
/* blocks are allocated and freed on every worker thread */
static _Atomic long long vex_live_blocks;
#define VEX_LIVE_ADD(n) atomic_fetch_add_explicit(&vex_live_blocks, (n), memory_order_relaxed)
#define VEX_LIVE_GET() atomic_load(&vex_live_blocks)
#else
static long long vex_live_blocks;
#define VEX_LIVE_ADD(n) (vex_live_blocks += (n))
#define VEX_LIVE_GET() vex_live_blocks
#endif
#endif

void vex_mem_out_of_memory(void) { vex_panic_at("<runtime>", 0, "out of memory"); }

#ifdef VEX_ALLOC_STATS
/* The counting versions; without VEX_ALLOC_STATS they are inline in vex_runtime.h. */
void *vex_mem_alloc(size_t size, bool zeroed) {
    void *p = zeroed ? calloc(1, size) : malloc(size);
    if (!p) vex_mem_out_of_memory();
    VEX_LIVE_ADD(1);
    return p;
}

void vex_mem_free(void *p) {
    if (!p) return;
    VEX_LIVE_ADD(-1);
    free(p);
}
#endif

/* `p` (a block from vex_mem_alloc) resized to `size` bytes; still one live block. */
void *vex_mem_realloc(void *p, size_t size) {
    void *q = realloc(p, size);
    if (!q) vex_mem_out_of_memory();
    return q;
}

void vex_rc_overflow(void) { vex_panic_at("<runtime>", 0, "too many references to one value"); }

/* Only blocks of several huge pages (2 MiB on x86-64) are worth it: a smaller one would round
 * up to a huge page it does not fill. The advice covers the whole pages inside the block; it
 * changes no contents, and failing (no THP in the kernel) changes nothing. */
#if defined(__linux__) && defined(MADV_HUGEPAGE)
void vex_mem_advise_random(void *p, size_t size) {
    const uintptr_t page = 4096;
    if (size < ((size_t)8 << 20)) return;
    uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)p + size) & ~(page - 1);
    if (end > start) (void)madvise((void *)start, (size_t)(end - start), MADV_HUGEPAGE);
}
#else
void vex_mem_advise_random(void *p, size_t size) {
    (void)p;
    (void)size;
}
#endif

void vex_trace_string_drop(const char *bytes, int64_t len) {
#ifdef VEX_ALLOC_STATS
    const char *trace = getenv("VEX_TRACE_DROPS");
    if (trace && trace[0] == '1') {
        fflush(stdout);
        fprintf(stderr, "drop \"%.*s\"\n", (int)len, bytes);
    }
#else
    (void)bytes;
    (void)len;
#endif
}

int vex_exit_status(int status) {
#ifdef VEX_ALLOC_STATS
    long long live = VEX_LIVE_GET();
    if (live != 0) {
        fflush(stdout);
        fprintf(stderr, "vex: %lld heap block(s) still live at exit\n", live);
        return 125;
    }
#endif
    return status;
}
