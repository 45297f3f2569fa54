/* vx_sync.h: the runtime's lock and futex primitives (internal).
 *
 * vx_lock wraps a pthread mutex so every lock in the runtime can later be swapped for a
 * spin-then-futex lock in one place; glibc's uncontended mutex is already ~15 ns.
 * vx_futex_* is a 32-bit wait/wake on an atomic word: the Linux futex syscall, elsewhere a hashed
 * table of mutex + condition variable buckets (correct because the waker changes the word before
 * waking and both sides take the bucket lock). */
#ifndef VX_SYNC_H
#define VX_SYNC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct vx_lock { pthread_mutex_t m; } vx_lock;

void vx_lock_init(vx_lock *l);
void vx_lock_destroy(vx_lock *l);
static inline void vx_lock_acquire(vx_lock *l) { pthread_mutex_lock(&l->m); }
static inline void vx_lock_release(vx_lock *l) { pthread_mutex_unlock(&l->m); }

/* Blocks while *addr == expected, at most timeout_ns (< 0: forever). Spurious returns allowed. */
void vx_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns);
void vx_futex_wake(_Atomic uint32_t *addr, int n); /* n < 0: all */

#endif
