/* vxt_sched.c: spawn/join, chained spawn, spawn storms from outside, yield fairness, budget,
 * wake from foreign threads, wake dedup, abort, the state word, block_on, the blocking pool. */
#if defined(VX_RT_TESTS)
#include "vxt.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

/* ---- leaf: returns 2*arg ---- */
typedef struct { vx_task hdr; int64_t arg; int64_t ret; } leaf_f;
static vx_poll_t leaf_poll(vx_task *t) {
    leaf_f *f = (leaf_f *)t;
    f->ret = f->arg * 2;
    return VX_READY;
}
VXT_VT(leaf_vt, leaf_f, leaf_poll, NULL, ret);

/* ---- spawner: spawns n leaves, joins all, returns the sum ---- */
typedef struct { vx_task hdr; int64_t n, i, sum, v; vx_task **hs; int64_t ret; } spawner_f;
static vx_poll_t spawner_poll(vx_task *t) {
    spawner_f *f = (spawner_f *)t;
    switch (t->resume) {
    case 0:
        f->hs = malloc(sizeof(vx_task *) * (size_t)f->n);
        for (f->i = 0; f->i < f->n; f->i++) {
            vx_task *c = vx_task_alloc(&leaf_vt);
            ((leaf_f *)c)->arg = f->i;
            f->hs[f->i] = vx_spawn(c);
        }
        for (f->i = 0; f->i < f->n; f->i++) {
            /* fallthrough */
        case 1:
            if (vx_join_poll(f->hs[f->i], &f->v, t) == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            f->sum += f->v;
            vx_task_release(f->hs[f->i]);
        }
        free(f->hs);
        f->ret = f->sum;
    }
    return VX_READY;
}
VXT_VT(spawner_vt, spawner_f, spawner_poll, NULL, ret);

static void spawn_join_n(int workers, int64_t n) {
    vx_runtime *rt = vxt_rt(workers);
    vx_task *m = vx_task_alloc(&spawner_vt);
    ((spawner_f *)m)->n = n;
    int64_t sum = -1;
    CHECK_EQ(vx_runtime_block_on(rt, m, &sum), VX_READY);
    CHECK_EQ(sum, n * (n - 1));
    CHECK_EQ(atomic_load(&rt->owned_count), 0);
    vx_runtime_free(rt);
}
static void t_spawn_join_1w(void) { spawn_join_n(1, vxt_n(100000, 2000)); }
static void t_spawn_join_2w(void) { spawn_join_n(2, vxt_n(200000, 2000)); }
static void t_spawn_join_4w(void) { spawn_join_n(4, vxt_n(100000, 2000)); }

/* ---- chained spawn: each task spawns the next; the last signals a channel ---- */
typedef struct { vx_task hdr; int64_t left; vx_chan *done; int ret; } chain_f;
static vx_poll_t chain_poll(vx_task *t);
VXT_VT(chain_vt, chain_f, chain_poll, NULL, ret);
static vx_poll_t chain_poll(vx_task *t) {
    chain_f *f = (chain_f *)t;
    if (f->left == 0) {
        int one = 1;
        CHECK_EQ(vx_chan_try_send(f->done, &one), 1);
        vx_chan_release(f->done);
        return VX_READY;
    }
    vx_task *c = vx_task_alloc(&chain_vt);
    ((chain_f *)c)->left = f->left - 1;
    ((chain_f *)c)->done = f->done;
    vx_spawn_detached(c);
    return VX_READY;
}
static void t_chained_spawn(void) {
    vx_runtime *rt = vxt_rt(2);
    vx_chan *done = vx_chan_new(sizeof(int), 1, NULL);
    vx_chan_retain(done);
    vx_task *c = vx_task_alloc(&chain_vt);
    ((chain_f *)c)->left = vxt_n(200000, 1000);
    ((chain_f *)c)->done = done;
    vx_spawn_detached_on(rt, c);
    int v = 0;
    CHECK_EQ(vx_chan_recv_blocking(done, &v), VX_READY);
    CHECK_EQ(v, 1);
    vx_chan_release(done);
    vx_runtime_free(rt);
}

/* ---- spawn storm from a non-worker thread (injector) ---- */
static _Atomic long storm_count;
typedef struct { vx_task hdr; int ret; } incr_f;
static vx_poll_t incr_poll(vx_task *t) {
    (void)t;
    atomic_fetch_add(&storm_count, 1);
    return VX_READY;
}
VXT_VT(incr_vt, incr_f, incr_poll, NULL, ret);
static void t_spawn_storm_outside(void) {
    long n = vxt_n(1000000, 20000);
    atomic_store(&storm_count, 0);
    vx_runtime *rt = vxt_rt(2);
    for (long i = 0; i < n; i++) vx_spawn_detached_on(rt, vx_task_alloc(&incr_vt));
    uint64_t end = vx_now_ns() + 30000000000ull;
    while (atomic_load(&storm_count) < n && vx_now_ns() < end) sched_yield();
    CHECK_EQ(atomic_load(&storm_count), n);
    vx_runtime_free(rt);
}

/* ---- yield fairness: on one worker, yielding tasks run round-robin ---- */
#define FAIR_TASKS 8
static int fair_progress[FAIR_TASKS];
static int fair_max_skew;
typedef struct { vx_task hdr; int id, k, n; int ret; } yielder_f;
static vx_poll_t yielder_poll(vx_task *t) {
    yielder_f *f = (yielder_f *)t;
    fair_progress[f->id]++;
    int lo = fair_progress[0], hi = fair_progress[0];
    for (int i = 1; i < FAIR_TASKS; i++) {
        if (fair_progress[i] < lo) lo = fair_progress[i];
        if (fair_progress[i] > hi) hi = fair_progress[i];
    }
    if (f->k < f->n && hi - lo > fair_max_skew) fair_max_skew = hi - lo;
    if (++f->k < f->n) return VX_YIELD;
    return VX_READY;
}
VXT_VT(yielder_vt, yielder_f, yielder_poll, NULL, ret);
typedef struct { vx_task hdr; int i; vx_task *hs[FAIR_TASKS]; int ret; } fairmain_f;
static vx_poll_t fairmain_poll(vx_task *t) {
    fairmain_f *f = (fairmain_f *)t;
    switch (t->resume) {
    case 0:
        for (f->i = 0; f->i < FAIR_TASKS; f->i++) {
            vx_task *c = vx_task_alloc(&yielder_vt);
            ((yielder_f *)c)->id = f->i;
            ((yielder_f *)c)->n = 2000;
            f->hs[f->i] = vx_spawn(c);
        }
        for (f->i = 0; f->i < FAIR_TASKS; f->i++) {
        case 1:
            if (vx_join_poll(f->hs[f->i], NULL, t) == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            vx_task_release(f->hs[f->i]);
        }
    }
    return VX_READY;
}
VXT_VT(fairmain_vt, fairmain_f, fairmain_poll, NULL, ret);
static void t_yield_fairness(void) {
    memset(fair_progress, 0, sizeof fair_progress);
    fair_max_skew = 0;
    vx_runtime *rt = vxt_rt(1);
    CHECK_EQ(vx_runtime_block_on(rt, vx_task_alloc(&fairmain_vt), NULL), VX_READY);
    for (int i = 0; i < FAIR_TASKS; i++) CHECK_EQ(fair_progress[i], 2000);
#if !defined(VX_SIM) /* the simulation picks runnable tasks at random: no round robin there */
    CHECK(fair_max_skew <= 2); /* strict round robin through the ring */
#endif
    vx_runtime_free(rt);
}

/* ---- budget: a spinning task that honours vx_coop_tick lets others run on one worker ---- */
static _Atomic int spin_flag;
typedef struct { vx_task hdr; long spins; long ret; } spinner_f;
static vx_poll_t spinner_poll(vx_task *t) {
    spinner_f *f = (spinner_f *)t;
    while (!atomic_load(&spin_flag)) {
        f->spins++;
        if (vx_coop_tick(t)) return VX_YIELD;
    }
    f->ret = f->spins;
    return VX_READY;
}
VXT_VT(spinner_vt, spinner_f, spinner_poll, NULL, ret);
typedef struct { vx_task hdr; int ret; } setter_f;
static vx_poll_t setter_poll(vx_task *t) {
    (void)t;
    atomic_store(&spin_flag, 1);
    return VX_READY;
}
VXT_VT(setter_vt, setter_f, setter_poll, NULL, ret);
static void t_coop_budget(void) {
    atomic_store(&spin_flag, 0);
    vx_runtime *rt = vxt_rt(1);
    vx_task *s = vx_spawn_on(rt, vx_task_alloc(&spinner_vt));
    vx_spawn_detached_on(rt, vx_task_alloc(&setter_vt));
    uint64_t end = vx_now_ns() + 10000000000ull;
    while (!(atomic_load(&s->state) & VX_ST_DONE) && vx_now_ns() < end) sched_yield();
    CHECK(atomic_load(&s->state) & VX_ST_DONE);
    vx_task_release(s);
    vx_runtime_free(rt);
}

/* ---- wake from a foreign thread ---- */
typedef struct { vx_task hdr; _Atomic int armed; int polls; int ret; } waiter_f;
static vx_poll_t waiter_poll(vx_task *t) {
    waiter_f *f = (waiter_f *)t;
    f->polls++;
    if (t->resume == 0) {
        t->resume = 1;
        atomic_store(&f->armed, 1);
        return VX_PENDING;
    }
    return VX_READY;
}
VXT_VT(waiter_vt, waiter_f, waiter_poll, NULL, ret);
static void *foreign_waker(void *arg) {
    vx_task **ts = arg;
    for (int i = 0; ts[i]; i++) {
        while (!atomic_load(&((waiter_f *)ts[i])->armed)) sched_yield();
        vx_wake(ts[i]);
    }
    return NULL;
}
static void t_wake_foreign_thread(void) {
    int n = (int)vxt_n(2000, 100);
    vx_runtime *rt = vxt_rt(2);
    vx_task **ts = calloc((size_t)n + 1, sizeof *ts);
    for (int i = 0; i < n; i++) ts[i] = vx_spawn_on(rt, vx_task_alloc(&waiter_vt));
    pthread_t th;
    pthread_create(&th, NULL, foreign_waker, ts);
    pthread_join(th, NULL);
    uint64_t end = vx_now_ns() + 10000000000ull;
    for (int i = 0; i < n; i++) {
        while (!(atomic_load(&ts[i]->state) & VX_ST_DONE) && vx_now_ns() < end) sched_yield();
        CHECK(atomic_load(&ts[i]->state) & VX_ST_DONE);
        CHECK_EQ(((waiter_f *)ts[i])->polls, 2);
        vx_task_release(ts[i]);
    }
    free(ts);
    vx_runtime_free(rt);
}

/* ---- wake dedup: many concurrent wakes never run a task twice at once or queue it twice ---- */
typedef struct { vx_task hdr; _Atomic int in_poll; _Atomic int polls; int overlap; _Atomic int stop; int ret; } dedup_f;
static vx_poll_t dedup_poll(vx_task *t) {
    dedup_f *f = (dedup_f *)t;
    if (atomic_fetch_add(&f->in_poll, 1) != 0) f->overlap = 1;
    atomic_fetch_add(&f->polls, 1);
    atomic_fetch_sub(&f->in_poll, 1);
    return atomic_load(&f->stop) ? VX_READY : VX_PENDING;
}
VXT_VT(dedup_vt, dedup_f, dedup_poll, NULL, ret);
static vx_task *dedup_task;
static long dedup_wakes;
static void *dedup_waker(void *arg) {
    (void)arg;
    for (long i = 0; i < dedup_wakes; i++) vx_wake(dedup_task);
    return NULL;
}
static void t_wake_dedup(void) {
    vx_runtime *rt = vxt_rt(2);
    dedup_wakes = vxt_n(100000, 5000);
    dedup_task = vx_spawn_on(rt, vx_task_alloc(&dedup_vt));
    pthread_t th[3];
    for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, dedup_waker, NULL);
    for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
    dedup_f *f = (dedup_f *)dedup_task;
    atomic_store(&f->stop, 1);
    vx_wake(dedup_task);
    uint64_t end = vx_now_ns() + 10000000000ull;
    while (!(atomic_load(&dedup_task->state) & VX_ST_DONE) && vx_now_ns() < end) sched_yield();
    CHECK(atomic_load(&dedup_task->state) & VX_ST_DONE);
    CHECK_EQ(f->overlap, 0);
    CHECK(atomic_load(&f->polls) <= 3 * dedup_wakes + 2);
    vx_task_release(dedup_task);
    vx_runtime_free(rt);
}

/* ---- state word transitions ---- */
static void t_state_word(void) {
    vx_runtime *rt = vxt_rt(1);
    vx_task *t = vx_task_alloc(&waiter_vt);
    CHECK_EQ(atomic_load(&t->state), 0);
    CHECK_EQ(atomic_load(&t->refs), 1);
    vx_task *h = vx_spawn_on(rt, t);
    CHECK_EQ(atomic_load(&h->refs) >= 1, 1);
    while (!atomic_load(&((waiter_f *)h)->armed)) sched_yield();
    /* parked: neither scheduled nor (for long) running */
    while (atomic_load(&h->state) & VX_ST_RUNNING) sched_yield();
    CHECK_EQ(atomic_load(&h->state) & (VX_ST_SCHEDULED | VX_ST_DONE), 0);
    vx_wake(h);
    vx_wake(h); /* second wake: deduplicated */
    while (!(atomic_load(&h->state) & VX_ST_DONE)) sched_yield();
    CHECK_EQ(atomic_load(&h->state) & (VX_ST_RUNNING | VX_ST_SCHEDULED | VX_ST_CANCELLED), 0);
    CHECK_EQ(((waiter_f *)h)->polls, 2);
    vx_wake(h); /* wake after DONE: ignored */
    /* the worker drops its reference just after publishing DONE */
    uint64_t end = vx_now_ns() + 5000000000ull;
    while (atomic_load(&h->refs) != 1 && vx_now_ns() < end) sched_yield();
    CHECK_EQ(atomic_load(&h->refs), 1); /* only our handle is left */
    vx_task_release(h);
    vx_runtime_free(rt);
}

/* ---- abort: a parked task is dropped (once) at its next poll boundary ---- */
static _Atomic int abort_drops;
typedef struct { vx_task hdr; vx_chan *c; vx_chan_op op; int v; int ret; } stuck_f;
static vx_poll_t stuck_poll(vx_task *t) {
    stuck_f *f = (stuck_f *)t;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        /* fallthrough */
    case 1:
        if (vx_chan_recv_poll(f->c, &f->op, &f->v, t) == VX_PENDING) {
            t->resume = 1;
            return VX_PENDING;
        }
    }
    return VX_READY;
}
static void stuck_drop(vx_task *t) {
    stuck_f *f = (stuck_f *)t;
    vx_chan_op_cancel(&f->op);
    vx_chan_release(f->c);
    atomic_fetch_add(&abort_drops, 1);
}
VXT_VT(stuck_vt, stuck_f, stuck_poll, stuck_drop, ret);
typedef struct { vx_task hdr; vx_task *h; vx_chan *c; int r; int ret; } aborter_f;
static vx_poll_t aborter_poll(vx_task *t) {
    aborter_f *f = (aborter_f *)t;
    switch (t->resume) {
    case 0: {
        vx_task *s = vx_task_alloc(&stuck_vt);
        vx_chan_retain(f->c);
        ((stuck_f *)s)->c = f->c;
        f->h = vx_spawn(s);
        t->resume = 1;
        return VX_YIELD; /* let it park */
    }
    case 1:
        vx_task_abort(f->h);
        /* fallthrough */
    case 2:
        if ((f->r = vx_join_poll(f->h, NULL, t)) == VX_PENDING) {
            t->resume = 2;
            return VX_PENDING;
        }
        vx_task_release(f->h);
        f->ret = f->r;
    }
    return VX_READY;
}
VXT_VT(aborter_vt, aborter_f, aborter_poll, NULL, ret);
static void t_abort(void) {
    atomic_store(&abort_drops, 0);
    vx_runtime *rt = vxt_rt(2);
    vx_chan *c = vx_chan_new(sizeof(int), 0, NULL);
    vx_task *a = vx_task_alloc(&aborter_vt);
    ((aborter_f *)a)->c = c;
    int r = -1;
    CHECK_EQ(vx_runtime_block_on(rt, a, &r), VX_READY);
    CHECK_EQ(r, VX_CANCELLED);
    CHECK_EQ(atomic_load(&abort_drops), 1);
    int one = 1;
    CHECK_EQ(vx_chan_try_send(c, &one), 0); /* the receiver is gone from the wait queue */
    vx_chan_release(c);
    vx_runtime_free(rt);
}

/* ---- vx_main returns the main task's int32 result ---- */
typedef struct { vx_task hdr; int32_t ret; } main7_f;
static vx_poll_t main7_poll(vx_task *t) {
    ((main7_f *)t)->ret = 7;
    return VX_READY;
}
VXT_VT(main7_vt, main7_f, main7_poll, NULL, ret);
static void t_vx_main(void) {
    vx_config cfg = {0};
    cfg.workers = 2;
    CHECK_EQ(vx_main(&cfg, vx_task_alloc(&main7_vt)), 7);
}

/* ---- blocking pool ---- */
static void blocking_job(void *arg, void *out) {
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL); /* really blocks the thread */
    *(int64_t *)out = (int64_t)(intptr_t)arg * 3;
}
typedef struct { vx_task hdr; int i; int64_t sum, v; vx_task *hs[32]; int64_t ret; } blkmain_f;
static vx_poll_t blkmain_poll(vx_task *t) {
    blkmain_f *f = (blkmain_f *)t;
    switch (t->resume) {
    case 0:
        for (f->i = 0; f->i < 32; f->i++)
            f->hs[f->i] = vx_spawn_blocking(blocking_job, (void *)(intptr_t)f->i, sizeof(int64_t));
        for (f->i = 0; f->i < 32; f->i++) {
        case 1:
            if (vx_join_poll(f->hs[f->i], &f->v, t) == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            f->sum += f->v;
            vx_task_release(f->hs[f->i]);
        }
        f->ret = f->sum;
    }
    return VX_READY;
}
VXT_VT(blkmain_vt, blkmain_f, blkmain_poll, NULL, ret);
static void t_blocking_pool(void) {
    vx_runtime *rt = vxt_rt(2);
    int64_t sum = 0;
    CHECK_EQ(vx_runtime_block_on(rt, vx_task_alloc(&blkmain_vt), &sum), VX_READY);
    CHECK_EQ(sum, 3 * (31 * 32 / 2));
    vx_runtime_free(rt);
}

const vxt_test vxt_sched_tests[] = {
    {"sched/spawn_join_1_worker", t_spawn_join_1w},
    {"sched/spawn_join_2_workers", t_spawn_join_2w},
    {"sched/spawn_join_4_workers", t_spawn_join_4w},
    {"sched/chained_spawn", t_chained_spawn},
    {"sched/spawn_storm_outside", t_spawn_storm_outside},
    {"sched/yield_fairness", t_yield_fairness},
    {"sched/coop_budget", t_coop_budget},
    {"sched/wake_foreign_thread", t_wake_foreign_thread},
    {"sched/wake_dedup", t_wake_dedup},
    {"sched/state_word", t_state_word},
    {"sched/abort", t_abort},
    {"sched/vx_main", t_vx_main},
    {"sched/blocking_pool", t_blocking_pool},
    {NULL, NULL},
};
#else
typedef int vxt_sched_unused;
#endif
