/* vx_runtime.c: runtime lifecycle: create, block_on, orderly shutdown, free, vx_main. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "vx_rt_internal.h"

#include <stdio.h>
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

/* Every live runtime, newest first (deadlock detection looks at all of them: a task of one
 * runtime can wake a task of another), and a generation bumped when the list changes. */
static pthread_mutex_t vx_reg_mu = PTHREAD_MUTEX_INITIALIZER;
static vx_runtime *vx_reg_head;
static uint64_t vx_reg_gen;

_Atomic long vx_io_waiting;

static void vx_register(vx_runtime *rt) {
    pthread_mutex_lock(&vx_reg_mu);
    rt->reg_prev = NULL;
    rt->reg_next = vx_reg_head;
    if (vx_reg_head) vx_reg_head->reg_prev = rt;
    vx_reg_head = rt;
    vx_reg_gen++;
    atomic_store(&vx_default_rt, rt);
    pthread_mutex_unlock(&vx_reg_mu);
}

static void vx_unregister(vx_runtime *rt) {
    pthread_mutex_lock(&vx_reg_mu);
    if (rt->reg_prev) rt->reg_prev->reg_next = rt->reg_next;
    else vx_reg_head = rt->reg_next;
    if (rt->reg_next) rt->reg_next->reg_prev = rt->reg_prev;
    rt->reg_next = rt->reg_prev = NULL;
    vx_reg_gen++;
    /* the default falls back to the newest runtime still alive (a runtime created and destroyed
     * by a task must not leave the program's own runtime without a default) */
    vx_runtime *expected = rt;
    atomic_compare_exchange_strong(&vx_default_rt, &expected, vx_reg_head);
    pthread_mutex_unlock(&vx_reg_mu);
}

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
    /* the struct holds cache-line aligned members: calloc's 16-byte alignment is not enough */
    vx_runtime *rt = vx_aligned_alloc64(sizeof *rt);
    if (!rt) vx_fatal("out of memory creating the runtime");
    memset(rt, 0, sizeof *rt);
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
    vx_register(rt);
    vx_sched_start(rt);
    return rt;
}

size_t vx_runtime_live_tasks(vx_runtime *rt) { return atomic_load(&rt->owned_count); }

/* ---- deadlock detection ----------------------------------------------------------------------
 *
 * Go's "all goroutines are asleep". The thread waiting in block_on looks, every
 * VX_DEADLOCK_CHECK_NS, at every live runtime: a runtime is quiet when all its workers are parked
 * (on their futex, or the one driver in the poller), no task is queued, no timer is armed, and no
 * blocking-pool job is queued or running; and no I/O op of any runtime waits for readiness or
 * completion. Two quiet snapshots in a row with the same park epochs (every park bumps its
 * runtime's epoch under the idle lock the snapshot takes) mean that no worker ran between them:
 * during that stretch nothing could wake anything, and nothing ever will. Workers pay nothing
 * for this except one relaxed increment per park (a path that is about to sleep anyway). What
 * the runtime cannot see: plain threads that wake tasks (vx_wake, *_blocking channel ops from
 * foreign threads); programs that have them set cfg.no_deadlock_check. */
#define VX_DEADLOCK_CHECK_NS 50000000u

#if !defined(VX_SIM)
static bool vx_rt_quiet(vx_runtime *rt, uint64_t *epoch) {
    if (atomic_load(&rt->dead)) return true; /* shut down: can run nothing */
    if (atomic_load(&rt->stopping)) return false; /* someone is shutting it down right now */
    vx_lock_acquire(&rt->idle_lock);
    int parked = rt->n_idle_stack + (atomic_load(&rt->driver_parked) ? 1 : 0);
    *epoch = *epoch * 31u + atomic_load_explicit(&rt->park_epoch, memory_order_relaxed);
    vx_lock_release(&rt->idle_lock);
    if (parked < rt->nworkers) return false;
    if (atomic_load(&rt->inj_len) > 0) return false;
    for (int i = 0; i < rt->nworkers; i++)
        if (atomic_load(&rt->workers[i].head) != atomic_load(&rt->workers[i].tail)) return false;
    vx_lock_acquire(&rt->wheel.lock);
    size_t timers = rt->wheel.count;
    vx_lock_release(&rt->wheel.lock);
    if (timers > 0) return false;
    return !vx_blocking_busy(rt);
}

/* One snapshot of the whole process: true if quiet; *epoch identifies the parks seen. */
static bool vx_all_quiet(uint64_t *epoch) {
    bool quiet = atomic_load(&vx_io_waiting) == 0;
    pthread_mutex_lock(&vx_reg_mu);
    *epoch = vx_reg_gen;
    for (vx_runtime *rt = vx_reg_head; rt && quiet; rt = rt->reg_next) quiet = vx_rt_quiet(rt, epoch);
    pthread_mutex_unlock(&vx_reg_mu);
    return quiet && atomic_load(&vx_io_waiting) == 0;
}
#endif

void vx_deadlock_report(vx_task *root) {
    /* the same exit path as a Vex panic (runtime/c/vex_panic.c): what the program printed first,
     * then the report, then abort */
    fflush(stdout);
    if (root->wait_file)
        fprintf(stderr, "panic: deadlock: every task is blocked (main waits at %s:%u)\n", root->wait_file,
                (unsigned)root->wait_line);
    else
        fprintf(stderr, "panic: deadlock: every task is blocked (main waits at ?)\n");
    fflush(stderr);
    abort();
}

/* Waits until h is DONE (block_on's thread), checking for a deadlock meanwhile. */
static void vx_block_wait(vx_runtime *rt, vx_task *h) {
    bool check = !rt->cfg.no_deadlock_check;
#if defined(VX_SIM)
    /* the simulation runs on this thread: nothing runnable and no timer (one idle step) can only
     * change through a foreign thread, which the simulation has none of */
    unsigned idle = 0;
    while (!(atomic_load(&h->state) & VX_ST_DONE)) {
        if (vx_sim_step()) {
            idle = 0;
            continue;
        }
        if (++idle > 100) {
            if (check) vx_deadlock_report(h);
            if (idle > 100000) vx_fatal("sim: deadlock (a thread waits, nothing is runnable, no timers)");
        }
    }
#else
    uint64_t next = vx_now_ns() + VX_DEADLOCK_CHECK_NS;
    bool prev_quiet = false;
    uint64_t prev_epoch = 0;
    for (;;) {
        uint32_t s = atomic_load_explicit(&h->state, memory_order_acquire);
        if (s & VX_ST_DONE) return;
        if (!check) {
            vx_futex_wait(&h->state, s, -1);
            continue;
        }
        /* the word changes on every run; we only sleep while it is stable (task parked) */
        uint64_t now = vx_now_ns();
        if (now < next) {
            vx_futex_wait(&h->state, s, (int64_t)(next - now));
            continue;
        }
        next = now + VX_DEADLOCK_CHECK_NS;
        uint64_t epoch = 0;
        bool quiet = vx_all_quiet(&epoch);
        if (quiet && prev_quiet && epoch == prev_epoch &&
            !(atomic_load_explicit(&h->state, memory_order_acquire) & VX_ST_DONE))
            vx_deadlock_report(h);
        prev_quiet = quiet;
        prev_epoch = epoch;
    }
#endif
}

vx_poll_t vx_runtime_block_on(vx_runtime *rt, vx_task *t, void *out) {
    if (vx_tl_worker) vx_fatal("vx_runtime_block_on called on a worker thread");
    vx_task *h = vx_spawn_on(rt, t);
    atomic_fetch_or(&h->state, VX_ST_THREADWAIT);
    vx_block_wait(rt, h);
    vx_poll_t r = vx_join_poll(h, out, NULL);
    vx_task_release(h);
    return r;
}

void vx_runtime_shutdown(vx_runtime *rt, uint64_t grace_ns) {
    /* a worker of another runtime may (a task's `runtime_destroy`); rt's own workers are what
     * shutdown stops and joins */
    if (vx_tl_worker && vx_tl_worker->rt == rt) vx_fatal("vx_runtime_shutdown called on one of its own workers");
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
    atomic_store(&rt->dead, 1);
}

void vx_runtime_free(vx_runtime *rt) {
    if (!rt) return;
    vx_runtime_shutdown(rt, 0);
    vx_unregister(rt);
    vx_io_forget_runtime(rt);
    vxp_close(&rt->poller);
    vx_wheel_destroy(&rt->wheel);
    for (unsigned i = 0; i < VX_OWNED_SHARDS; i++) vx_lock_destroy(&rt->owned[i].lock);
    vx_lock_destroy(&rt->pool_lock);
    vx_lock_destroy(&rt->idle_lock);
    vx_lock_destroy(&rt->inj_lock);
    free(rt->idle_stack);
    vx_aligned_free(rt->workers);
    vx_aligned_free(rt);
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
