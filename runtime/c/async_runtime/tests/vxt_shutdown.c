/* vxt_shutdown.c: orderly shutdown drops tasks parked on I/O, timers, channels, joins and ones
 * still queued (drop glue runs exactly once each; ASan/LSan/valgrind check nothing leaks); spawn
 * after shutdown drops at once; grace lets tasks finish; shutdown is fast. */
#if defined(VX_RT_TESTS)
#include "vxt.h"

#include <sched.h>

static _Atomic int drops, completions;

/* one task type that parks on whatever `kind` says; owns a heap buffer to make leaks visible */
enum { K_CHAN, K_SLEEP, K_IO, K_JOIN, K_SPIN };
typedef struct {
    vx_task hdr; int kind; char *owned;
    vx_chan *c; vx_chan_op cop; int64_t v;
    vx_sleep s; uint64_t dl;
    vx_handle fd; vx_io_op iop; char buf[8]; ptrdiff_t n;
    vx_task *child;
    int ret;
} parked_f;
static vx_poll_t parked_poll(vx_task *t);
static void parked_drop(vx_task *t);
VXT_VT(parked_vt, parked_f, parked_poll, parked_drop, ret);
static vx_poll_t parked_poll(vx_task *t) {
    parked_f *f = (parked_f *)t;
    if (t->resume == 0) {
        f->owned = malloc(100);
        t->resume = 1;
        if (f->kind == K_CHAN) vx_chan_op_init(&f->cop);
        if (f->kind == K_SLEEP) {
            vx_sleep_init(&f->s);
            f->dl = vx_now_ns() + 60000000000ull;
        }
        if (f->kind == K_JOIN) {
            vx_task *c = vx_task_alloc(&parked_vt);
            ((parked_f *)c)->kind = K_SLEEP;
            f->child = vx_spawn(c);
        }
    }
    vx_poll_t r = VX_READY;
    switch (f->kind) {
    case K_CHAN: r = vx_chan_recv_poll(f->c, &f->cop, &f->v, t); break;
    case K_SLEEP: r = vx_sleep_poll(&f->s, f->dl, t); break;
#if !defined(VX_POLLER_NONE)
    case K_IO: r = vx_read_poll(f->fd, &f->iop, f->buf, sizeof f->buf, &f->n, t); break;
#endif
    case K_JOIN: r = vx_join_poll(f->child, NULL, t); break;
    case K_SPIN: return VX_YIELD; /* always runnable: sits in run queues at shutdown */
    }
    if (r == VX_PENDING) return VX_PENDING;
    atomic_fetch_add(&completions, 1);
    free(f->owned);
    if (f->child) vx_task_release(f->child);
    return VX_READY;
}
static void parked_drop(vx_task *t) {
    parked_f *f = (parked_f *)t;
    atomic_fetch_add(&drops, 1);
    switch (f->kind) {
    case K_CHAN: vx_chan_op_cancel(&f->cop); break;
    case K_SLEEP: vx_sleep_cancel(&f->s); break;
    case K_IO: vx_io_cancel(&f->iop); break;
    case K_JOIN:
        if (f->child) {
            vx_join_cancel(f->child, t);
            vx_task_release(f->child);
        }
        break;
    default: break;
    }
    free(f->owned); /* NULL if never polled */
}

static void t_shutdown_drops_everything(void) {
    atomic_store(&drops, 0);
    atomic_store(&completions, 0);
    vx_runtime *rt = vxt_rt(2);
    vx_chan *c = vx_chan_new(sizeof(int64_t), 0, NULL);
    uintptr_t sv[2] = {0, 0};
#if !defined(VX_POLLER_NONE)
    CHECK_EQ(vxt_pair(sv), 0);
    vx_set_nonblocking((vx_handle)sv[0]);
#endif
    int per = 50, kinds = 5, total = 0;
    for (int k = 0; k < kinds; k++) {
#if defined(VX_POLLER_NONE)
        if (k == K_IO) continue;
#endif
        for (int i = 0; i < per; i++) {
            vx_task *t = vx_task_alloc(&parked_vt);
            parked_f *f = (parked_f *)t;
            f->kind = k;
            f->c = c;
            f->fd = (vx_handle)sv[0];
            vx_spawn_detached_on(rt, t);
            total += k == K_JOIN ? 2 : 1;
        }
    }
    /* let them park */
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
    uint64_t t0 = vx_now_ns();
    vx_runtime_free(rt);
    uint64_t took = vx_now_ns() - t0;
    CHECK_EQ(atomic_load(&completions), 0);
    CHECK_EQ(atomic_load(&drops), total);
    CHECK_TIMING(took < 200000000ull);
    vx_chan_release(c);
#if !defined(VX_POLLER_NONE)
    vx_close((vx_handle)sv[0]);
    vxt_closesock(sv[1]);
#endif
}

static void t_spawn_after_shutdown(void) {
    atomic_store(&drops, 0);
    vx_runtime *rt = vxt_rt(1);
    vx_runtime_shutdown(rt, 0);
    vx_task *t = vx_task_alloc(&parked_vt);
    ((parked_f *)t)->kind = K_SPIN;
    vx_task *h = vx_spawn_on(rt, t);
    CHECK(atomic_load(&h->state) & VX_ST_DONE);
    CHECK(atomic_load(&h->state) & VX_ST_CANCELLED);
    CHECK_EQ(atomic_load(&drops), 1);
    CHECK_EQ(vx_join_poll(h, NULL, NULL), VX_CANCELLED);
    vx_task_release(h);
    vx_runtime_shutdown(rt, 0); /* idempotent */
    vx_runtime_free(rt);
}

/* grace: short sleepers finish inside the grace period and are not dropped */
typedef struct { vx_task hdr; vx_sleep s; uint64_t dl; int ret; } short_f;
static vx_poll_t short_poll(vx_task *t) {
    short_f *f = (short_f *)t;
    if (t->resume == 0) {
        vx_sleep_init(&f->s);
        f->dl = vx_now_ns() + 20000000;
        t->resume = 1;
    }
    if (vx_sleep_poll(&f->s, f->dl, t) == VX_PENDING) return VX_PENDING;
    atomic_fetch_add(&completions, 1);
    return VX_READY;
}
static void short_drop(vx_task *t) {
    atomic_fetch_add(&drops, 1);
    vx_sleep_cancel(&((short_f *)t)->s);
}
VXT_VT(short_vt, short_f, short_poll, short_drop, ret);
static void t_shutdown_grace(void) {
    atomic_store(&drops, 0);
    atomic_store(&completions, 0);
    vx_runtime *rt = vxt_rt(2);
    for (int i = 0; i < 20; i++) vx_spawn_detached_on(rt, vx_task_alloc(&short_vt));
    vx_runtime_shutdown(rt, 5000000000ull);
    CHECK_EQ(atomic_load(&completions), 20);
    CHECK_EQ(atomic_load(&drops), 0);
    vx_runtime_free(rt);
}

static void t_shutdown_latency_idle(void) {
    vx_runtime *rt = vxt_rt(2);
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL); /* both workers parked: one in the poller, one on its futex */
    uint64_t t0 = vx_now_ns();
    vx_runtime_free(rt);
    uint64_t took = vx_now_ns() - t0;
    CHECK_TIMING(took < 50000000ull); /* typically well under 1 ms; generous for sanitizers */
}

static void t_many_runtimes(void) {
    for (int i = 0; i < 50; i++) {
        vx_runtime *rt = vxt_rt(1 + i % 3);
        vx_task *t = vx_task_alloc(&short_vt);
        vx_spawn_detached_on(rt, t);
        vx_runtime_free(rt);
    }
    CHECK(1);
}


/* ---- abort storm: tasks parked on every kind of op, aborted / woken / closed concurrently;
 * each task either completes or is dropped, exactly once ---- */
typedef struct { vx_task hdr; int kind; vx_chan *c; vx_chan_op op; int64_t v; vx_sleep s; uint64_t dl;
                 vx_select sel; vx_chan_op sops[2]; vx_select_case cases[2]; int64_t sv[2]; int chosen; int ret; } storm_f;
static vx_poll_t storm_poll(vx_task *t) {
    storm_f *f = (storm_f *)t;
    vx_poll_t r = VX_READY;
    if (t->resume == 0) {
        t->resume = 1;
        vx_chan_op_init(&f->op);
        vx_sleep_init(&f->s);
        f->dl = vx_now_ns() + 1000000ull * (uint64_t)(f->kind % 7);
        f->cases[0] = (vx_select_case){f->c, 0, &f->sv[0]};
        f->cases[1] = (vx_select_case){f->c, 1, &f->sv[1]};
        vx_select_init(&f->sel, f->sops, 2);
    }
    switch (f->kind % 4) {
    case 0: r = vx_chan_recv_poll(f->c, &f->op, &f->v, t); break;
    case 1: r = vx_chan_send_poll(f->c, &f->op, &f->v, t); break;
    case 2: r = vx_sleep_poll(&f->s, f->dl, t); break;
    case 3: r = vx_select_poll(&f->sel, f->sops, f->cases, 2, 0, &f->chosen, t); break;
    }
    if (r == VX_PENDING) return VX_PENDING;
    atomic_fetch_add(&completions, 1);
    return VX_READY;
}
static void storm_drop(vx_task *t) {
    storm_f *f = (storm_f *)t;
    atomic_fetch_add(&drops, 1);
    vx_chan_op_cancel(&f->op);
    vx_sleep_cancel(&f->s);
    vx_select_cancel(&f->sel, f->sops, 2);
}
VXT_VT(storm_vt, storm_f, storm_poll, storm_drop, ret);
static void t_abort_storm(void) {
    atomic_store(&drops, 0);
    atomic_store(&completions, 0);
    vx_runtime *rt = vxt_rt(2);
    int n = (int)vxt_n(4000, 400);
    vx_chan *c = vx_chan_new(sizeof(int64_t), 2, NULL);
    vx_task **hs = calloc((size_t)n, sizeof *hs);
    for (int i = 0; i < n; i++) {
        vx_task *t = vx_task_alloc(&storm_vt);
        ((storm_f *)t)->kind = i;
        ((storm_f *)t)->c = c;
        hs[i] = vx_spawn_on(rt, t);
        if (i % 3 == 0 && i > 0) vx_task_abort(hs[i - 1]);
        if (i % 5 == 0) vx_wake(hs[i / 2]); /* spurious wakes */
    }
    for (int i = 0; i < n; i += 2) vx_task_abort(hs[i]);
    vx_chan_close(c); /* releases every channel waiter left */
    /* sleepers finish by themselves (<= 6 ms) */
    for (int i = 0; i < n; i++) {
        uint64_t end = vx_now_ns() + 10000000000ull;
        while (!(atomic_load(&hs[i]->state) & VX_ST_DONE) && vx_now_ns() < end) sched_yield();
        CHECK(atomic_load(&hs[i]->state) & VX_ST_DONE);
        vx_task_release(hs[i]);
    }
    CHECK_EQ(atomic_load(&drops) + atomic_load(&completions), n);
    vx_chan_release(c);
    free(hs);
    vx_runtime_free(rt);
}

const vxt_test vxt_shutdown_tests[] = {
    {"shutdown/drops_parked_and_queued_tasks", t_shutdown_drops_everything},
    {"shutdown/spawn_after_shutdown", t_spawn_after_shutdown},
    {"shutdown/grace_lets_tasks_finish", t_shutdown_grace},
    {"shutdown/latency_idle", t_shutdown_latency_idle},
    {"shutdown/many_runtimes", t_many_runtimes},
    {"shutdown/abort_storm", t_abort_storm},
    {NULL, NULL},
};
#else
typedef int vxt_shutdown_unused;
#endif
