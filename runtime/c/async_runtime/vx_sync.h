/* vx_sync.h: the runtime's lock and futex primitives (internal).
 *
 * vx_lock: a spin-then-futex lock on Linux, a pthread mutex elsewhere (and in the portable and
 * simulation builds).
 * vx_futex_* is a 32-bit wait/wake on an atomic word: the Linux futex syscall, elsewhere a hashed
 * table of mutex + condition variable buckets (correct because the waker changes the word before
 * waking and both sides take the bucket lock). */
#ifndef VX_SYNC_H
#define VX_SYNC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Blocks while *addr == expected, at most timeout_ns (< 0: forever). Spurious returns allowed. */
void vx_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns);
void vx_futex_wake(_Atomic uint32_t *addr, int n); /* n < 0: all */

#if defined(__linux__) && !defined(VX_PORTABLE) && !defined(VX_SIM)
/* Linux: a spin-then-futex lock (Drepper's three-state mutex). Word: 0 free, 1 held, 2 held and
 * someone may sleep on it. Runtime critical sections are tens of nanoseconds, so a contender
 * spins first (the holder is almost always running on another CPU and about to release); only
 * after that does it mark the word 2 and sleep in the kernel. Unlock is one atomic exchange, plus
 * a futex wake only if the word said someone may sleep. Measured on the 4->1 channel benchmark
 * against glibc's adaptive mutex: see benches/runtime/RESULTS.md. */
#define VX_LOCK_FUTEX 1
typedef struct vx_lock { _Atomic uint32_t w; } vx_lock;
void vx_lock_slow(vx_lock *l);
static inline void vx_lock_acquire(vx_lock *l) {
    uint32_t z = 0;
    if (atomic_compare_exchange_weak_explicit(&l->w, &z, 1, memory_order_acquire, memory_order_relaxed))
        return;
    vx_lock_slow(l);
}
static inline void vx_lock_release(vx_lock *l) {
    if (atomic_exchange_explicit(&l->w, 0, memory_order_release) == 2) vx_futex_wake(&l->w, 1);
}
#else
typedef struct vx_lock { pthread_mutex_t m; } vx_lock;
static inline void vx_lock_acquire(vx_lock *l) { pthread_mutex_lock(&l->m); }
static inline void vx_lock_release(vx_lock *l) { pthread_mutex_unlock(&l->m); }
#endif

void vx_lock_init(vx_lock *l);
void vx_lock_destroy(vx_lock *l);

#endif
