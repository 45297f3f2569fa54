/* vx_runtime.c: runtime lifecycle: create, block_on, orderly shutdown, free, vx_main. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "vx_rt_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(_WIN32)
#include <malloc.h>
#include <windows.h>
#else
#include <unistd.h>
#endif

/* The most recently created live runtime: what vx_spawn uses off the worker threads. */
static _Atomic(vx_runtime *) vx_default_rt;

uint64_t vx_now_ns(void) {
#if defined(VX_SIM)
    return atomic_load_explicit(&vx_sim_clock, memory_order_relaxed); /* virtual time */
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

vx_runtime *vx_runtime_current(void) {
    vx_worker *w = vx_tl_worker;
    return w ? w->rt : atomic_load(&vx_default_rt);
}

/* 64-byte aligned memory (the workers' rings are cache-line aligned); mingw has no aligned_alloc */
static void *vx_aligned_alloc64(size_t size) {
#if defined(_WIN32)
    return _aligned_malloc(size, 64);
#else
    return aligned_alloc(64, size);
#endif
}

static void vx_aligned_free(void *p) {
#if defined(_WIN32)
    _aligned_free(p);
#else
    free(p);
#endif
}

static int vx_ncpu(void) {
#if defined(_WIN32)
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    if (si.dwNumberOfProcessors > 0) return si.dwNumberOfProcessors > 1024 ? 1024 : (int)si.dwNumberOfProcessors;
#elif defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n > 0) return n > 1024 ? 1024 : (int)n;
#endif
    return 2;
}

vx_runtime *vx_runtime_new(const vx_config *cfg) {
    vx_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) vx_fatal("out of memory creating the runtime");
    if (cfg) rt->cfg = *cfg;
    int ncpu = vx_ncpu();
    if (rt->cfg.workers <= 0) rt->cfg.workers = ncpu;
    if (rt->cfg.blocking_max <= 0) rt->cfg.blocking_max = ncpu * 2 > 4 ? ncpu * 2 : 4;
    if (rt->cfg.blocking_max > 512) rt->cfg.blocking_max = 512;
    if (rt->cfg.budget == 0) rt->cfg.budget = 128;
    if (rt->cfg.timer_res_us <= 0) rt->cfg.timer_res_us = 1000;
    rt->nworkers = rt->cfg.workers;

    /* workers are cache-line aligned (their rings are hammered by thieves) */
    size_t wsize = sizeof(vx_worker) * (size_t)rt->nworkers;
    wsize = (wsize + 63) / 64 * 64;
    rt->workers = vx_aligned_alloc64(wsize);
    rt->idle_stack = calloc((size_t)rt->nworkers, sizeof(int));
    if (!rt->workers || !rt->idle_stack) vx_fatal("out of memory creating the runtime");
    memset(rt->workers, 0, wsize);

    vx_lock_init(&rt->inj_lock);
    vx_lock_init(&rt->idle_lock);
    vx_lock_init(&rt->pool_lock);
    for (unsigned i = 0; i < VX_OWNED_SHARDS; i++) vx_lock_init(&rt->owned[i].lock);
    vx_wheel_init(&rt->wheel, (uint64_t)rt->cfg.timer_res_us * 1000u);
    if (vxp_init(&rt->poller) != 0) vx_fatal("cannot create the I/O poller");
    atomic_store(&vx_default_rt, rt);
    vx_sched_start(rt);
    return rt;
}

vx_poll_t vx_runtime_block_on(vx_runtime *rt, vx_task *t, void *out) {
    if (vx_tl_worker) vx_fatal("vx_runtime_block_on called on a worker thread");
    vx_task *h = vx_spawn_on(rt, t);
    atomic_fetch_or(&h->state, VX_ST_THREADWAIT);
    for (;;) {
        uint32_t s = atomic_load_explicit(&h->state, memory_order_acquire);
        if (s & VX_ST_DONE) break;
        /* the word changes on every run; we only sleep while it is stable (task parked) */
        vx_futex_wait(&h->state, s, -1);
    }
    vx_poll_t r = vx_join_poll(h, out, NULL);
    vx_task_release(h);
    return r;
}

void vx_runtime_shutdown(vx_runtime *rt, uint64_t grace_ns) {
    if (vx_tl_worker) vx_fatal("vx_runtime_shutdown called on a worker thread");
    if (rt->shut_down) return;
    atomic_store(&rt->closed, 1);
    if (grace_ns > 0) {
        uint64_t end = vx_now_ns() + grace_ns;
        while (atomic_load(&rt->owned_count) > 0 && vx_now_ns() < end) {
#if defined(VX_SIM)
            vx_sim_sleep_ns(200000); /* the simulation runs the tasks meanwhile */
#else
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
#endif
        }
    }
    vx_sched_stop(rt);
    /* running blocking jobs finish first; their completions may still wake joiners (into the
     * injector, which nobody polls now) */
    vx_blocking_shutdown(rt);
    /* single-threaded from here on: workers and pool threads are joined */
    vx_owned_drop_all(rt);
    rt->inj_head = rt->inj_tail = NULL; /* stale pointers only: every task was dropped above */
    atomic_store(&rt->inj_len, 0);
    for (int i = 0; i < rt->nworkers; i++) {
        rt->workers[i].lifo = NULL;
        atomic_store(&rt->workers[i].head, atomic_load(&rt->workers[i].tail));
    }
    rt->shut_down = 1;
}

void vx_runtime_free(vx_runtime *rt) {
    if (!rt) return;
    vx_runtime_shutdown(rt, 0);
    vx_runtime *expected = rt;
    atomic_compare_exchange_strong(&vx_default_rt, &expected, NULL);
    vx_io_forget_runtime(rt);
    vxp_close(&rt->poller);
    vx_wheel_destroy(&rt->wheel);
    for (unsigned i = 0; i < VX_OWNED_SHARDS; i++) vx_lock_destroy(&rt->owned[i].lock);
    vx_lock_destroy(&rt->pool_lock);
    vx_lock_destroy(&rt->idle_lock);
    vx_lock_destroy(&rt->inj_lock);
    free(rt->idle_stack);
    vx_aligned_free(rt->workers);
    free(rt);
}

int vx_main(const vx_config *cfg, vx_task *main_task) {
    vx_runtime *rt = vx_runtime_new(cfg);
    int32_t code = 0;
    int want = main_task->vt->result_size == sizeof(int32_t);
    vx_poll_t r = vx_runtime_block_on(rt, main_task, want ? &code : NULL);
    vx_runtime_free(rt); /* Go semantics: remaining tasks are dropped */
    if (r == VX_CANCELLED) return 1;
    return want ? (int)code : 0;
}
#endif
#if defined(__TINYC__)
typedef int vx_runtime_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
