/* vx_bench.c: the RUNTIME.md §3.10 metrics on the C runtime, written the way vexc will generate
 * tasks (frame + poll state machine). Output lines match ../../../shared/bench/{go,tokio} so
 * bench.sh can put the numbers side by side. 2 workers, like the baselines.
 * Build: see bench.sh (all runtime .c files plus this one, -O2, -lpthread). */
#define _GNU_SOURCE
#include "vx_rt.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define VT(name, frame, poll, res)                                                                 \
    static const vx_task_vtable name = {poll, NULL, sizeof(frame), offsetof(frame, res),          \
                                        sizeof(((frame *)0)->res), #name}
#define AWAIT(k, expr)                                                                             \
    /* fallthrough */                                                                              \
    case k:                                                                                        \
        if ((expr) == VX_PENDING) {                                                                \
            t->resume = k;                                                                         \
            return VX_PENDING;                                                                     \
        }

static vx_runtime *RT;
static double secs(void) { return (double)vx_now_ns() / 1e9; }
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}
static int64_t pct(int64_t *v, size_t n, double p) {
    qsort(v, n, sizeof *v, cmp_i64);
    return v[(size_t)((double)(n - 1) * p)];
}
static void run(const vx_task_vtable *vt, void (*init)(vx_task *)) {
    vx_task *t = vx_task_alloc(vt);
    if (init) init(t);
    vx_runtime_block_on(RT, t, NULL);
}

/* ---- spawn_join ---- */
typedef struct { vx_task hdr; int64_t arg, ret; } leaf_f;
static vx_poll_t leaf_poll(vx_task *t) {
    ((leaf_f *)t)->ret = ((leaf_f *)t)->arg;
    return VX_READY;
}
VT(leaf_vt, leaf_f, leaf_poll, ret);
#define N_SPAWN 1000000
typedef struct { vx_task hdr; int64_t i, sum, v; vx_task **hs; double t0; int ret; } sj_f;
static vx_poll_t sj_poll(vx_task *t) {
    sj_f *f = (sj_f *)t;
    switch (t->resume) {
    case 0:
        f->hs = malloc(sizeof(vx_task *) * N_SPAWN);
        f->t0 = secs();
        for (f->i = 0; f->i < N_SPAWN; f->i++) {
            vx_task *c = vx_task_alloc(&leaf_vt);
            ((leaf_f *)c)->arg = f->i;
            f->hs[f->i] = vx_spawn(c);
        }
        for (f->i = 0; f->i < N_SPAWN; f->i++) {
            AWAIT(1, vx_join_poll(f->hs[f->i], &f->v, t))
            f->sum += f->v;
            vx_task_release(f->hs[f->i]);
        }
        printf("spawn_join        n=%9d  %8.1f ns/task  (sum %lld)\n", N_SPAWN,
               (secs() - f->t0) * 1e9 / N_SPAWN, (long long)f->sum);
        free(f->hs);
    }
    return VX_READY;
}
VT(sj_vt, sj_f, sj_poll, ret);

/* ---- chained_spawn ---- */
typedef struct { vx_task hdr; int64_t left; vx_chan *done; int ret; } chain_f;
static vx_poll_t chain_poll(vx_task *t);
VT(chain_vt, chain_f, chain_poll, ret);
static vx_poll_t chain_poll(vx_task *t) {
    chain_f *f = (chain_f *)t;
    if (f->left == 0) {
        int one = 1;
        vx_chan_try_send(f->done, &one);
        return VX_READY;
    }
    vx_task *c = vx_task_alloc(&chain_vt);
    ((chain_f *)c)->left = f->left - 1;
    ((chain_f *)c)->done = f->done;
    vx_spawn_detached(c);
    return VX_READY;
}
typedef struct { vx_task hdr; vx_chan *done; vx_chan_op op; int v; double t0; int ret; } cs_f;
static vx_poll_t cs_poll(vx_task *t) {
    cs_f *f = (cs_f *)t;
    switch (t->resume) {
    case 0: {
        f->done = vx_chan_new(sizeof(int), 1, NULL);
        f->t0 = secs();
        vx_task *c = vx_task_alloc(&chain_vt);
        ((chain_f *)c)->left = N_SPAWN;
        ((chain_f *)c)->done = f->done;
        vx_spawn_detached(c);
        vx_chan_op_init(&f->op);
    }
        AWAIT(1, vx_chan_recv_poll(f->done, &f->op, &f->v, t))
        printf("chained_spawn     n=%9d  %8.1f ns/spawn\n", N_SPAWN, (secs() - f->t0) * 1e9 / N_SPAWN);
        vx_chan_release(f->done);
    }
    return VX_READY;
}
VT(cs_vt, cs_f, cs_poll, ret);

/* ---- spawn_outside: 100k spawns from this (non-worker) thread ---- */
static _Atomic long outside_done;
typedef struct { vx_task hdr; int ret; } incr_f;
static vx_poll_t incr_poll(vx_task *t) {
    (void)t;
    atomic_fetch_add_explicit(&outside_done, 1, memory_order_relaxed);
    return VX_READY;
}
VT(incr_vt, incr_f, incr_poll, ret);
static void spawn_outside(void) {
    const long n = 100000;
    atomic_store(&outside_done, 0);
    double t0 = secs();
    for (long i = 0; i < n; i++) vx_spawn_detached_on(RT, vx_task_alloc(&incr_vt));
    while (atomic_load(&outside_done) < n) sched_yield();
    printf("spawn_outside     n=%9ld  %8.1f ns/task\n", n, (secs() - t0) * 1e9 / (double)n);
}

/* ---- yield_many ---- */
typedef struct { vx_task hdr; int k; int ret; } y_f;
static vx_poll_t y_poll(vx_task *t) {
    y_f *f = (y_f *)t;
    if (f->k++ < 5000) return VX_YIELD;
    return VX_READY;
}
VT(y_vt, y_f, y_poll, ret);
typedef struct { vx_task hdr; int i; vx_task *hs[200]; double t0; int ret; } ym_f;
static vx_poll_t ym_poll(vx_task *t) {
    ym_f *f = (ym_f *)t;
    switch (t->resume) {
    case 0:
        f->t0 = secs();
        for (f->i = 0; f->i < 200; f->i++) f->hs[f->i] = vx_spawn(vx_task_alloc(&y_vt));
        for (f->i = 0; f->i < 200; f->i++) {
            AWAIT(1, vx_join_poll(f->hs[f->i], NULL, t))
            vx_task_release(f->hs[f->i]);
        }
        printf("yield_many        200x5000  %8.1f ns/yield\n", (secs() - f->t0) * 1e9 / 1e6);
    }
    return VX_READY;
}
VT(ym_vt, ym_f, ym_poll, ret);

/* ---- ping_pong ---- */
typedef struct { vx_task hdr; vx_chan *a, *b; int64_t v; vx_chan_op op; int ret; } echo_f;
static vx_poll_t echo_poll(vx_task *t) {
    echo_f *f = (echo_f *)t;
    vx_poll_t r;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        for (;;) {
            /* fallthrough */
        case 1:
            r = vx_chan_recv_poll(f->a, &f->op, &f->v, t);
            if (r == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            if (r == VX_CLOSED) break;
            f->v++;
            AWAIT(2, vx_chan_send_poll(f->b, &f->op, &f->v, t))
        }
    }
    return VX_READY;
}
VT(echo_vt, echo_f, echo_poll, ret);
#define N_PP 1000000
typedef struct { vx_task hdr; uint32_t cap; vx_chan *a, *b; int64_t i, v; vx_task *e; vx_chan_op op; double t0; int ret; } pp_f;
static vx_poll_t pp_poll(vx_task *t) {
    pp_f *f = (pp_f *)t;
    switch (t->resume) {
    case 0:
        f->a = vx_chan_new(sizeof(int64_t), f->cap, NULL);
        f->b = vx_chan_new(sizeof(int64_t), f->cap, NULL);
        {
            vx_task *e = vx_task_alloc(&echo_vt);
            ((echo_f *)e)->a = f->a;
            ((echo_f *)e)->b = f->b;
            f->e = vx_spawn(e);
        }
        vx_chan_op_init(&f->op);
        f->t0 = secs();
        for (f->i = 0; f->i < N_PP; f->i++) {
            f->v = f->i;
            AWAIT(1, vx_chan_send_poll(f->a, &f->op, &f->v, t))
            AWAIT(2, vx_chan_recv_poll(f->b, &f->op, &f->v, t))
        }
        vx_chan_close(f->a);
        AWAIT(3, vx_join_poll(f->e, NULL, t))
        printf("ping_pong(%s)  n=%9d  %8.1f ns/round-trip\n", f->cap ? "chan1" : "unbuf", N_PP,
               (secs() - f->t0) * 1e9 / N_PP);
        vx_task_release(f->e);
        vx_chan_release(f->a);
        vx_chan_release(f->b);
    }
    return VX_READY;
}
VT(pp_vt, pp_f, pp_poll, ret);
static uint32_t pp_cap;
static void pp_init(vx_task *t) { ((pp_f *)t)->cap = pp_cap; }

/* ---- chan throughput: P producers -> 1 consumer, cap 1024, 10M u64 ---- */
#define N_CHAN 10000000
typedef struct { vx_task hdr; vx_chan *c; int64_t i, n; vx_chan_op op; int ret; } prod_f;
static vx_poll_t prod_poll(vx_task *t) {
    prod_f *f = (prod_f *)t;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        for (f->i = 0; f->i < f->n; f->i++) {
            AWAIT(1, vx_chan_send_poll(f->c, &f->op, &f->i, t))
        }
    }
    return VX_READY;
}
VT(prod_vt, prod_f, prod_poll, ret);
typedef struct { vx_task hdr; int p, i; vx_chan *c; int64_t got, v; vx_task *hs[8]; vx_chan_op op; double t0; int ret; } tput_f;
static vx_poll_t tput_poll(vx_task *t) {
    tput_f *f = (tput_f *)t;
    switch (t->resume) {
    case 0:
        f->c = vx_chan_new(sizeof(int64_t), 1024, NULL);
        f->t0 = secs();
        for (f->i = 0; f->i < f->p; f->i++) {
            vx_task *c = vx_task_alloc(&prod_vt);
            ((prod_f *)c)->c = f->c;
            ((prod_f *)c)->n = N_CHAN / f->p;
            f->hs[f->i] = vx_spawn(c);
        }
        vx_chan_op_init(&f->op);
        for (f->got = 0; f->got < N_CHAN;) {
            AWAIT(1, vx_chan_recv_poll(f->c, &f->op, &f->v, t))
            f->got++;
        }
        {
            double e = secs() - f->t0;
            printf("chan %dP->1C cap=1024  n=%9d  %8.1f ns/msg  %6.2f Mmsg/s\n", f->p, N_CHAN,
                   e * 1e9 / N_CHAN, N_CHAN / e / 1e6);
        }
        for (f->i = 0; f->i < f->p; f->i++) {
            AWAIT(2, vx_join_poll(f->hs[f->i], NULL, t))
            vx_task_release(f->hs[f->i]);
        }
        vx_chan_release(f->c);
    }
    return VX_READY;
}
VT(tput_vt, tput_f, tput_poll, ret);
static int tput_p;
static void tput_init(vx_task *t) { ((tput_f *)t)->p = tput_p; }

/* ---- timers_many: 100k tasks x sleep 100 ms ---- */
#define N_TIMERS 100000
static int64_t late_us[N_TIMERS];
typedef struct { vx_task hdr; int id; uint64_t start, dl; vx_sleep s; int ret; } sl_f;
static vx_poll_t sl_poll(vx_task *t) {
    sl_f *f = (sl_f *)t;
    switch (t->resume) {
    case 0:
        f->start = vx_now_ns();
        f->dl = f->start + 100000000ull;
        vx_sleep_init(&f->s);
        AWAIT(1, vx_sleep_poll(&f->s, f->dl, t))
        late_us[f->id] = (int64_t)(vx_now_ns() - f->start) / 1000 - 100000;
    }
    return VX_READY;
}
VT(sl_vt, sl_f, sl_poll, ret);
typedef struct { vx_task hdr; int i; vx_task **hs; double t0; int ret; } tm_f;
static vx_poll_t tm_poll(vx_task *t) {
    tm_f *f = (tm_f *)t;
    switch (t->resume) {
    case 0:
        f->hs = malloc(sizeof(vx_task *) * N_TIMERS);
        f->t0 = secs();
        for (f->i = 0; f->i < N_TIMERS; f->i++) {
            vx_task *c = vx_task_alloc(&sl_vt);
            ((sl_f *)c)->id = f->i;
            f->hs[f->i] = vx_spawn(c);
        }
        for (f->i = 0; f->i < N_TIMERS; f->i++) {
            AWAIT(1, vx_join_poll(f->hs[f->i], NULL, t))
            vx_task_release(f->hs[f->i]);
        }
        {
            double total = (secs() - f->t0) * 1e3;
            int64_t p50 = pct(late_us, N_TIMERS, .5), p99 = pct(late_us, N_TIMERS, .99),
                    mx = pct(late_us, N_TIMERS, 1);
            printf("timers_many       n=%9d sleep=100ms  total %7.1f ms  lateness p50=%lldus p99=%lldus max=%lldus\n",
                   N_TIMERS, total, (long long)p50, (long long)p99, (long long)mx);
        }
        free(f->hs);
    }
    return VX_READY;
}
VT(tm_vt, tm_f, tm_poll, ret);

/* ---- timer precision: 1000 x sleep(1 ms) ---- */
typedef struct { vx_task hdr; int i; uint64_t st, dl; vx_sleep s; int64_t lat[1000]; int ret; } tp_f;
static vx_poll_t tp_poll(vx_task *t) {
    tp_f *f = (tp_f *)t;
    switch (t->resume) {
    case 0:
        for (f->i = 0; f->i < 1000; f->i++) {
            f->st = vx_now_ns();
            f->dl = f->st + 1000000;
            vx_sleep_init(&f->s);
            AWAIT(1, vx_sleep_poll(&f->s, f->dl, t))
            f->lat[f->i] = (int64_t)(vx_now_ns() - f->st) / 1000 - 1000;
        }
        printf("sleep(1ms) x1000     lateness p50=%lldus p99=%lldus max=%lldus\n",
               (long long)pct(f->lat, 1000, .5), (long long)pct(f->lat, 1000, .99),
               (long long)pct(f->lat, 1000, 1));
    }
    return VX_READY;
}
VT(tp_vt, tp_f, tp_poll, ret);

/* ---- timer_cancel: 1M sleeps registered then cancelled (the RPC-timeout pattern) ---- */
typedef struct { vx_task hdr; int64_t i; vx_sleep s; double t0; int ret; } tc_f;
static vx_poll_t tc_poll(vx_task *t) {
    tc_f *f = (tc_f *)t;
    f->t0 = secs();
    for (f->i = 0; f->i < 1000000; f->i++) {
        vx_sleep_init(&f->s);
        vx_sleep_poll(&f->s, vx_now_ns() + 5000000000ull, t);
        vx_sleep_cancel(&f->s);
    }
    printf("timer_cancel      n=  1000000  %8.1f ns/op\n", (secs() - f->t0) * 1e9 / 1e6);
    return VX_READY;
}
VT(tc_vt, tc_f, tc_poll, ret);

/* ---- tcp_echo ---- */
typedef struct { vx_task hdr; vx_handle fd; vx_io_op op; char buf[4096]; ptrdiff_t n, off, w; int ret; } ec_f;
static vx_poll_t ec_poll(vx_task *t) {
    ec_f *f = (ec_f *)t;
    vx_poll_t r;
    switch (t->resume) {
    case 0:
        for (;;) {
            /* fallthrough */
        case 1:
            r = vx_read_poll(f->fd, &f->op, f->buf, sizeof f->buf, &f->n, t);
            if (r == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            if (r == VX_ERROR || f->n == 0) break;
            for (f->off = 0; f->off < f->n; f->off += f->w) {
                /* fallthrough */
            case 2:
                r = vx_write_poll(f->fd, &f->op, f->buf + f->off, (size_t)(f->n - f->off), &f->w, t);
                if (r == VX_PENDING) {
                    t->resume = 2;
                    return VX_PENDING;
                }
                if (r == VX_ERROR) goto out;
            }
        }
    out:
        vx_close(f->fd);
    }
    return VX_READY;
}
VT(ec_vt, ec_f, ec_poll, ret);
typedef struct { vx_task hdr; vx_handle l, c; int n, i; vx_io_op op; int ret; } srv_f;
static vx_poll_t srv_poll(vx_task *t) {
    srv_f *f = (srv_f *)t;
    switch (t->resume) {
    case 0:
        for (f->i = 0; f->i < f->n; f->i++) {
            AWAIT(1, vx_tcp_accept_poll(f->l, &f->op, &f->c, t))
            vx_task *c = vx_task_alloc(&ec_vt);
            ((ec_f *)c)->fd = f->c;
            vx_spawn_detached(c);
        }
        vx_close(f->l);
    }
    return VX_READY;
}
VT(srv_vt, srv_f, srv_poll, ret);
static int64_t *rtts;
typedef struct { vx_task hdr; uint16_t port; int rounds, i, id; vx_handle fd; vx_io_op op; char msg[64], in[64]; ptrdiff_t n, got; uint64_t st; int ret; } cl_f;
static vx_poll_t cl_poll(vx_task *t) {
    cl_f *f = (cl_f *)t;
    switch (t->resume) {
    case 0:
        AWAIT(1, vx_tcp_connect_poll("127.0.0.1", f->port, &f->op, &f->fd, t))
        for (f->i = 0; f->i < f->rounds; f->i++) {
            f->st = vx_now_ns();
            AWAIT(2, vx_write_poll(f->fd, &f->op, f->msg, 64, &f->n, t)) /* 64 B fits the socket buffer */
            for (f->got = 0; f->got < 64; f->got += f->n) {
                AWAIT(3, vx_read_poll(f->fd, &f->op, f->in + f->got, (size_t)(64 - f->got), &f->n, t))
                if (f->n <= 0) return VX_READY;
            }
            rtts[(size_t)f->id * (size_t)f->rounds + (size_t)f->i] = (int64_t)(vx_now_ns() - f->st);
        }
        vx_close(f->fd);
    }
    return VX_READY;
}
VT(cl_vt, cl_f, cl_poll, ret);
typedef struct { vx_task hdr; int conns, rounds, i; vx_task *s; vx_task **hs; double t0; int ret; } te_f;
static vx_poll_t te_poll(vx_task *t) {
    te_f *f = (te_f *)t;
    switch (t->resume) {
    case 0: {
        vx_handle l;
        if (vx_tcp_listen("127.0.0.1", 0, 1024, &l) != 0) return VX_READY;
        int port = vx_tcp_local_port(l);
        vx_task *s = vx_task_alloc(&srv_vt);
        ((srv_f *)s)->l = l;
        ((srv_f *)s)->n = f->conns;
        f->s = vx_spawn(s);
        rtts = calloc((size_t)f->conns * (size_t)f->rounds, sizeof *rtts);
        f->hs = calloc((size_t)f->conns, sizeof *f->hs);
        f->t0 = secs();
        for (f->i = 0; f->i < f->conns; f->i++) {
            vx_task *c = vx_task_alloc(&cl_vt);
            ((cl_f *)c)->port = (uint16_t)port;
            ((cl_f *)c)->rounds = f->rounds;
            ((cl_f *)c)->id = f->i;
            f->hs[f->i] = vx_spawn(c);
        }
    }
        for (f->i = 0; f->i < f->conns; f->i++) {
            AWAIT(1, vx_join_poll(f->hs[f->i], NULL, t))
            vx_task_release(f->hs[f->i]);
        }
        {
            double e = secs() - f->t0;
            size_t n = (size_t)f->conns * (size_t)f->rounds;
            printf("tcp_echo %d conns x%d 64B  %9.0f req/s  rtt p50=%.1fus p99=%.1fus\n", f->conns,
                   f->rounds, (double)n / e, (double)pct(rtts, n, .5) / 1e3, (double)pct(rtts, n, .99) / 1e3);
        }
        AWAIT(2, vx_join_poll(f->s, NULL, t))
        vx_task_release(f->s);
        free(rtts);
        free(f->hs);
    }
    return VX_READY;
}
VT(te_vt, te_f, te_poll, ret);
static int te_conns, te_rounds;
static void te_init(vx_task *t) {
    ((te_f *)t)->conns = te_conns;
    ((te_f *)t)->rounds = te_rounds;
}


/* ---- select_fanin: 8 producers on 8 channels, one select loop ---- */
#define N_SEL 2000000
#define SEL_CH 8
typedef struct {
    vx_task hdr; int i, chosen; int64_t got; vx_chan *c[SEL_CH]; int64_t vals[SEL_CH];
    vx_select_case cases[SEL_CH]; vx_select sel; vx_chan_op ops[SEL_CH]; vx_task *hs[SEL_CH]; double t0; int ret;
} sf_f;
static vx_poll_t sf_poll(vx_task *t) {
    sf_f *f = (sf_f *)t;
    switch (t->resume) {
    case 0:
        for (f->i = 0; f->i < SEL_CH; f->i++) {
            f->c[f->i] = vx_chan_new(sizeof(int64_t), 64, NULL);
            f->cases[f->i] = (vx_select_case){f->c[f->i], 0, &f->vals[f->i]};
        }
        vx_select_init(&f->sel, f->ops, SEL_CH);
        f->t0 = secs();
        for (f->i = 0; f->i < SEL_CH; f->i++) {
            vx_task *c = vx_task_alloc(&prod_vt);
            ((prod_f *)c)->c = f->c[f->i];
            ((prod_f *)c)->n = N_SEL / SEL_CH;
            f->hs[f->i] = vx_spawn(c);
        }
        for (f->got = 0; f->got < N_SEL; f->got++) {
            AWAIT(1, vx_select_poll(&f->sel, f->ops, f->cases, SEL_CH, 0, &f->chosen, t))
        }
        printf("select_fanin      8 chans  n=%9d  %8.1f ns/msg\n", N_SEL, (secs() - f->t0) * 1e9 / N_SEL);
        for (f->i = 0; f->i < SEL_CH; f->i++) {
            AWAIT(2, vx_join_poll(f->hs[f->i], NULL, t))
            vx_task_release(f->hs[f->i]);
            vx_chan_release(f->c[f->i]);
        }
    }
    return VX_READY;
}
VT(sf_vt, sf_f, sf_poll, ret);

/* ---- mem_per_task: 1M tasks parked on one channel; RSS growth per task ---- */
static long rss_kb(void) {
    FILE *fp = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (fp) {
        if (fscanf(fp, "%ld %ld", &pages, &res) != 2) res = 0;
        fclose(fp);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}
typedef struct { vx_task hdr; vx_chan *c; vx_chan_op op; int64_t v; int ret; } parked_f;
static vx_poll_t parked_poll(vx_task *t) {
    parked_f *f = (parked_f *)t;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        AWAIT(1, vx_chan_recv_poll(f->c, &f->op, &f->v, t))
    }
    return VX_READY;
}
VT(parked_vt, parked_f, parked_poll, ret);
static void mem_per_task(void) {
    const long n = 1000000;
    vx_config cfg = {0};
    cfg.workers = 2;
    vx_runtime *rt = vx_runtime_new(&cfg);
    vx_chan *c = vx_chan_new(sizeof(int64_t), 0, NULL);
    long before = rss_kb();
    for (long i = 0; i < n; i++) {
        vx_task *t = vx_task_alloc(&parked_vt);
        ((parked_f *)t)->c = c;
        vx_spawn_detached_on(rt, t);
    }
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL); /* let them all park */
    long after = rss_kb();
    printf("mem_per_task      n=%9ld  %8.0f B/task (frame %zu B incl. %zu B header)\n", n,
           (double)(after - before) * 1024.0 / (double)n, sizeof(parked_f), sizeof(vx_task));
    vx_chan_close(c); /* wakes them all: they finish */
    vx_runtime_free(rt);
    vx_chan_release(c);
}

/* ---- idle cost and shutdown latency ---- */
static double cpu_secs(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           (double)u.ru_stime.tv_usec / 1e6;
}
static void idle_and_shutdown(double idle_s) {
    vx_config cfg = {0};
    cfg.workers = 2;
    vx_runtime *rt = vx_runtime_new(&cfg);
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    double c0 = cpu_secs(), w0 = secs();
    ts.tv_sec = (time_t)idle_s;
    ts.tv_nsec = (long)((idle_s - (double)(time_t)idle_s) * 1e9);
    nanosleep(&ts, NULL);
    double cpu = cpu_secs() - c0, wall = secs() - w0;
    printf("idle_cost         %.0f s idle  cpu %.3f%%\n", wall, cpu / wall * 100);
    /* a runtime with parked tasks: time from "main returned" to everything freed */
    double t0 = secs();
    vx_runtime_free(rt);
    printf("shutdown_latency  idle runtime  %8.1f us\n", (secs() - t0) * 1e6);
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL;
    vx_config cfg = {0};
    cfg.workers = 2;
    RT = vx_runtime_new(&cfg);
#define WANT(name) (!only || strstr(name, only))
    if (WANT("spawn_join")) run(&sj_vt, NULL);
    if (WANT("chained_spawn")) run(&cs_vt, NULL);
    if (WANT("spawn_outside")) spawn_outside();
    if (WANT("yield_many")) run(&ym_vt, NULL);
    if (WANT("ping_pong")) {
        pp_cap = 1;
        run(&pp_vt, pp_init);
        pp_cap = 0;
        run(&pp_vt, pp_init);
    }
    if (WANT("chan")) {
        tput_p = 1;
        run(&tput_vt, tput_init);
        tput_p = 4;
        run(&tput_vt, tput_init);
    }
    if (WANT("select_fanin")) run(&sf_vt, NULL);
    if (WANT("timers_many")) run(&tm_vt, NULL);
    if (WANT("sleep")) run(&tp_vt, NULL);
    if (WANT("timer_cancel")) run(&tc_vt, NULL);
    if (WANT("tcp_echo")) {
        te_conns = 1, te_rounds = 50000;
        run(&te_vt, te_init);
        te_conns = 50, te_rounds = 4000;
        run(&te_vt, te_init);
    }
    vx_runtime_free(RT);
    if (WANT("mem_per_task")) mem_per_task();
    if (WANT("idle")) idle_and_shutdown(only ? 10.0 : 2.0);
    return 0;
}
