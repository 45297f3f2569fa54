/* vx_sync.c: futex wait/wake (Linux syscall, portable condvar fallback) and lock setup.
 * -DVX_PORTABLE forces the portable paths on Linux so the suite (and TSan) can test them. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "vx_sync.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>

#if defined(VX_LOCK_FUTEX)
void vx_lock_init(vx_lock *l) { atomic_init(&l->w, 0); }
void vx_lock_destroy(vx_lock *l) { (void)l; }

static inline void vx_lock_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#define VX_LOCK_SPINS 100
void vx_lock_slow(vx_lock *l) {
    /* spin on plain loads (no cache-line ping-pong from failed CASes) while it is held */
    for (int i = 0; i < VX_LOCK_SPINS; i++) {
        uint32_t v = atomic_load_explicit(&l->w, memory_order_relaxed);
        if (v == 0 && atomic_compare_exchange_weak_explicit(&l->w, &v, 1, memory_order_acquire,
                                                            memory_order_relaxed))
            return;
        if (v == 2) break; /* others already sleep: the holder may be descheduled, join them */
        vx_lock_pause();
    }
    /* taking it as 2 is conservative: we cannot know whether other sleepers remain, so our
     * unlock will issue one possibly useless wake */
    while (atomic_exchange_explicit(&l->w, 2, memory_order_acquire) != 0) vx_futex_wait(&l->w, 2, -1);
}
#else
void vx_lock_init(vx_lock *l) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
#if defined(__linux__) && defined(PTHREAD_MUTEX_ADAPTIVE_NP)
    /* spins briefly before sleeping: our critical sections are tens of nanoseconds */
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
    pthread_mutex_init(&l->m, &a);
    pthread_mutexattr_destroy(&a);
}

void vx_lock_destroy(vx_lock *l) { pthread_mutex_destroy(&l->m); }
#endif

#if defined(VX_SIM)
#include "vx_rt_internal.h"
/* Simulation: the only waiters are threads waiting for the runtime (block_on, blocking channel
 * ops); waiting means running the simulated scheduler until the word changes. */
void vx_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns) {
    (void)timeout_ns;
    vx_sim_wait_word(addr, expected);
}
void vx_futex_wake(_Atomic uint32_t *addr, int n) {
    (void)addr;
    (void)n;
}
#elif defined(__linux__) && !defined(VX_PORTABLE)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

void vx_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns) {
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000);
        ts.tv_nsec = (long)(timeout_ns % 1000000000);
        tp = &ts;
    }
    /* The kernel compares the word atomically with `expected`; a plain 32-bit load of an
     * _Atomic uint32_t is the same object representation on every Linux ABI. */
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, tp, NULL, 0);
}

void vx_futex_wake(_Atomic uint32_t *addr, int n) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n < 0 ? INT_MAX : n, NULL, NULL, 0);
}

#else

#define VX_FUTEX_BUCKETS 64
static struct vx_futex_bucket {
    pthread_mutex_t m;
    pthread_cond_t c;
} vx_buckets[VX_FUTEX_BUCKETS];
static pthread_once_t vx_buckets_once = PTHREAD_ONCE_INIT;

static void vx_buckets_init(void) {
    for (int i = 0; i < VX_FUTEX_BUCKETS; i++) {
        pthread_mutex_init(&vx_buckets[i].m, NULL);
        pthread_cond_init(&vx_buckets[i].c, NULL);
    }
}

static struct vx_futex_bucket *vx_bucket(_Atomic uint32_t *addr) {
    pthread_once(&vx_buckets_once, vx_buckets_init);
    return &vx_buckets[((uintptr_t)addr >> 4) % VX_FUTEX_BUCKETS];
}

void vx_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns) {
    struct vx_futex_bucket *b = vx_bucket(addr);
    pthread_mutex_lock(&b->m);
    if (atomic_load(addr) == expected) {
        if (timeout_ns < 0) {
            pthread_cond_wait(&b->c, &b->m);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = (int64_t)ts.tv_nsec + timeout_ns % 1000000000;
            ts.tv_sec += (time_t)(timeout_ns / 1000000000 + ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&b->c, &b->m, &ts);
        }
    }
    pthread_mutex_unlock(&b->m);
}

void vx_futex_wake(_Atomic uint32_t *addr, int n) {
    struct vx_futex_bucket *b = vx_bucket(addr);
    (void)n; /* buckets are shared: wake everyone, waiters re-check their word */
    pthread_mutex_lock(&b->m);
    pthread_cond_broadcast(&b->c);
    pthread_mutex_unlock(&b->m);
}
#endif
#endif
#if defined(__TINYC__)
typedef int vx_sync_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
