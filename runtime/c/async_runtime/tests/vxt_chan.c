/* vxt_chan.c: channels: buffered FIFO, unbuffered ping-pong, 4 producers -> 1 consumer, close
 * semantics, try ops, select (fan-in, fairness, default, send cases), plain-thread blocking ops. */
#if defined(VX_RT_TESTS)
#include "vxt.h"

#include <pthread.h>

/* ---- producer: sends base+0 .. base+n-1, then closes if asked ---- */
typedef struct { vx_task hdr; vx_chan *c; int64_t n, i, base, v; int close; vx_chan_op op; int ret; } prod_f;
static vx_poll_t prod_poll(vx_task *t) {
    prod_f *f = (prod_f *)t;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        for (f->i = 0; f->i < f->n; f->i++) {
            f->v = f->base + f->i;
        /* fallthrough */
        case 1:
            if (vx_chan_send_poll(f->c, &f->op, &f->v, t) == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
        }
        if (f->close) vx_chan_close(f->c);
    }
    return VX_READY;
}
static void prod_drop(vx_task *t) { vx_chan_op_cancel(&((prod_f *)t)->op); }
VXT_VT(prod_vt, prod_f, prod_poll, prod_drop, ret);

static vx_task *spawn_prod(vx_runtime *rt, vx_chan *c, int64_t base, int64_t n, int close) {
    vx_task *t = vx_task_alloc(&prod_vt);
    prod_f *f = (prod_f *)t;
    f->c = c;
    f->base = base;
    f->n = n;
    f->close = close;
    return vx_spawn_on(rt, t);
}

/* ---- consumer: receives until CLOSED or `expect` messages; checks per-producer FIFO order ---- */
#define MAXP 8
typedef struct { vx_task hdr; vx_chan *c; int64_t expect, got, v, sum; int64_t next[MAXP]; int order_ok; int64_t stride; vx_chan_op op; int64_t ret; } cons_f;
static vx_poll_t cons_poll(vx_task *t) {
    cons_f *f = (cons_f *)t;
    vx_poll_t r;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        f->order_ok = 1;
        for (int p = 0; p < MAXP; p++) f->next[p] = (int64_t)p * f->stride;
        for (;;) {
            /* fallthrough */
        case 1:
            r = vx_chan_recv_poll(f->c, &f->op, &f->v, t);
            if (r == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            if (r == VX_CLOSED) break;
            {
                int p = (int)(f->v / f->stride);
                if (p >= MAXP || f->next[p] != f->v) f->order_ok = 0;
                else f->next[p]++;
            }
            f->sum += f->v;
            if (++f->got == f->expect) break;
        }
        f->ret = f->sum;
    }
    return VX_READY;
}
VXT_VT(cons_vt, cons_f, cons_poll, NULL, ret);

static void run_mpsc(int producers, int64_t per, uint32_t cap, int workers) {
    vx_runtime *rt = vxt_rt(workers);
    vx_chan *c = vx_chan_new(sizeof(int64_t), cap, NULL);
    int64_t stride = 1ll << 32;
    vx_task *hs[MAXP];
    for (int p = 0; p < producers; p++) hs[p] = spawn_prod(rt, c, p * stride, per, 0);
    vx_task *ct = vx_task_alloc(&cons_vt);
    cons_f *cf = (cons_f *)ct;
    cf->c = c;
    cf->expect = per * producers;
    cf->stride = stride;
    vx_task *ch = vx_spawn_on(rt, ct);

    while (!(atomic_load(&ch->state) & VX_ST_DONE)) sched_yield();
    int64_t expect = 0;
    for (int p = 0; p < producers; p++) expect += p * stride * per + per * (per - 1) / 2;
    CHECK_EQ(cf->ret, expect);
    CHECK_EQ(cf->got, per * producers);
    CHECK(cf->order_ok);
    for (int p = 0; p < producers; p++) {
        while (!(atomic_load(&hs[p]->state) & VX_ST_DONE)) sched_yield();
        vx_task_release(hs[p]);
    }
    vx_task_release(ch);
    CHECK_EQ(vx_chan_len(c), 0);
    vx_chan_release(c);
    vx_runtime_free(rt);
}
static void t_buffered_1to1(void) { run_mpsc(1, vxt_n(200000, 5000), 1024, 2); }
static void t_buffered_cap1(void) { run_mpsc(1, vxt_n(100000, 5000), 1, 2); }
static void t_unbuffered_1to1(void) { run_mpsc(1, vxt_n(100000, 5000), 0, 2); }
static void t_mpsc_4to1(void) { run_mpsc(4, vxt_n(100000, 2000), 1024, 2); }
static void t_mpsc_4to1_unbuffered(void) { run_mpsc(4, vxt_n(50000, 2000), 0, 4); }

/* ---- ping-pong: echo task adds one and sends back ---- */
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
        /* fallthrough */
        case 2:
            if (vx_chan_send_poll(f->b, &f->op, &f->v, t) == VX_PENDING) {
                t->resume = 2;
                return VX_PENDING;
            }
        }
    }
    return VX_READY;
}
VXT_VT(echo_vt, echo_f, echo_poll, NULL, ret);
typedef struct { vx_task hdr; vx_chan *a, *b; int64_t i, n, v, bad; vx_task *e; vx_chan_op op; int64_t ret; } pp_f;
static vx_poll_t pp_poll(vx_task *t) {
    pp_f *f = (pp_f *)t;
    switch (t->resume) {
    case 0: {
        vx_task *e = vx_task_alloc(&echo_vt);
        ((echo_f *)e)->a = f->a;
        ((echo_f *)e)->b = f->b;
        f->e = vx_spawn(e);
        vx_chan_op_init(&f->op);
        for (f->i = 0; f->i < f->n; f->i++) {
            f->v = f->i;
        /* fallthrough */
        case 1:
            if (vx_chan_send_poll(f->a, &f->op, &f->v, t) == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
        /* fallthrough */
        case 2:
            if (vx_chan_recv_poll(f->b, &f->op, &f->v, t) == VX_PENDING) {
                t->resume = 2;
                return VX_PENDING;
            }
            if (f->v != f->i + 1) f->bad++;
        }
        vx_chan_close(f->a);
    }
    /* fallthrough */
    case 3:
        if (vx_join_poll(f->e, NULL, t) == VX_PENDING) {
            t->resume = 3;
            return VX_PENDING;
        }
        vx_task_release(f->e);
        f->ret = f->bad;
    }
    return VX_READY;
}
VXT_VT(pp_vt, pp_f, pp_poll, NULL, ret);
static void ping_pong(uint32_t cap) {
    vx_runtime *rt = vxt_rt(2);
    vx_chan *a = vx_chan_new(sizeof(int64_t), cap, NULL), *b = vx_chan_new(sizeof(int64_t), cap, NULL);
    vx_task *m = vx_task_alloc(&pp_vt);
    ((pp_f *)m)->a = a;
    ((pp_f *)m)->b = b;
    ((pp_f *)m)->n = vxt_n(100000, 2000);
    int64_t bad = -1;
    CHECK_EQ(vx_runtime_block_on(rt, m, &bad), VX_READY);
    CHECK_EQ(bad, 0);
    vx_chan_release(a);
    vx_chan_release(b);
    vx_runtime_free(rt);
}
static void t_ping_pong_cap1(void) { ping_pong(1); }
static void t_ping_pong_unbuffered(void) { ping_pong(0); }

/* ---- close semantics ---- */
static void t_close_semantics(void) {
    vx_runtime *rt = vxt_rt(2);
    vx_chan *c = vx_chan_new(sizeof(int64_t), 4, NULL);
    int64_t v = 5;
    CHECK_EQ(vx_chan_try_send(c, &v), 1);
    v = 6;
    CHECK_EQ(vx_chan_try_send(c, &v), 1);
    vx_chan_close(c);
    vx_chan_close(c); /* idempotent */
    CHECK_EQ(vx_chan_try_send(c, &v), -1);
    CHECK_EQ(vx_chan_send_blocking(c, &v), VX_CLOSED);
    int64_t out = 0;
    CHECK_EQ(vx_chan_recv_blocking(c, &out), VX_READY); /* buffered values drain first */
    CHECK_EQ(out, 5);
    CHECK_EQ(vx_chan_try_recv(c, &out), 1);
    CHECK_EQ(out, 6);
    out = 99;
    CHECK_EQ(vx_chan_try_recv(c, &out), -1);
    CHECK_EQ(out, 0); /* zero value */
    vx_chan_release(c);

    /* close wakes parked receivers (consumer exits on CLOSED with what it got) and senders */
    vx_chan *u = vx_chan_new(sizeof(int64_t), 0, NULL);
    vx_task *ct = vx_task_alloc(&cons_vt);
    ((cons_f *)ct)->c = u;
    ((cons_f *)ct)->expect = -1;
    ((cons_f *)ct)->stride = 1ll << 32;
    vx_task *ch = vx_spawn_on(rt, ct);
    while (atomic_load(&ch->state) & (VX_ST_SCHEDULED | VX_ST_RUNNING)) sched_yield();
    vx_chan_close(u);
    while (!(atomic_load(&ch->state) & VX_ST_DONE)) sched_yield();
    CHECK_EQ(((cons_f *)ct)->got, 0);
    vx_task_release(ch);
    vx_chan_release(u);

    vx_chan *s = vx_chan_new(sizeof(int64_t), 0, NULL);
    vx_task *ph = spawn_prod(rt, s, 0, 1, 0);
    while (atomic_load(&ph->state) & (VX_ST_SCHEDULED | VX_ST_RUNNING)) sched_yield();
    vx_chan_close(s); /* the parked sender wakes with CLOSED */
    while (!(atomic_load(&ph->state) & VX_ST_DONE)) sched_yield();
    vx_task_release(ph);
    vx_chan_release(s);
    vx_runtime_free(rt);
}

/* ---- try ops on unbuffered: only succeed against a parked partner ---- */
static void t_try_ops(void) {
    vx_chan *c = vx_chan_new(sizeof(int), 0, NULL);
    int v = 1, out = 0;
    CHECK_EQ(vx_chan_try_send(c, &v), 0);
    CHECK_EQ(vx_chan_try_recv(c, &out), 0);
    vx_chan *b = vx_chan_new(sizeof(int), 2, NULL);
    CHECK_EQ(vx_chan_try_send(b, &v), 1);
    CHECK_EQ(vx_chan_try_send(b, &v), 1);
    CHECK_EQ(vx_chan_try_send(b, &v), 0);
    CHECK_EQ(vx_chan_len(b), 2);
    vx_chan_release(c);
    vx_chan_release(b);
}

/* ---- plain threads blocking against tasks ---- */
static void *thread_sender(void *arg) {
    vx_chan *c = arg;
    for (int64_t i = 0; i < 20000 / vxt_scale + 100; i++) vx_chan_send_blocking(c, &i);
    vx_chan_close(c);
    return NULL;
}
static void t_thread_blocking_ops(void) {
    vx_runtime *rt = vxt_rt(2);
    vx_chan *c = vx_chan_new(sizeof(int64_t), 0, NULL);
    vx_task *ct = vx_task_alloc(&cons_vt);
    ((cons_f *)ct)->c = c;
    ((cons_f *)ct)->expect = -1;
    ((cons_f *)ct)->stride = 1ll << 32;
    vx_task *ch = vx_spawn_on(rt, ct);
    pthread_t th;
    pthread_create(&th, NULL, thread_sender, c);
    pthread_join(th, NULL);
    while (!(atomic_load(&ch->state) & VX_ST_DONE)) sched_yield();
    int64_t n = 20000 / vxt_scale + 100;
    CHECK_EQ(((cons_f *)ct)->got, n);
    CHECK(((cons_f *)ct)->order_ok);
    vx_task_release(ch);
    /* and the other direction: a task sends, this thread receives */
    vx_chan *d = vx_chan_new(sizeof(int64_t), 0, NULL);
    vx_task *ph = spawn_prod(rt, d, 0, 1000, 1);
    int64_t v, sum = 0, k = 0;
    while (vx_chan_recv_blocking(d, &v) == VX_READY) {
        sum += v;
        k++;
    }
    CHECK_EQ(k, 1000);
    CHECK_EQ(sum, 999 * 1000 / 2);
    while (!(atomic_load(&ph->state) & VX_ST_DONE)) sched_yield();
    vx_task_release(ph);
    vx_chan_release(c);
    vx_chan_release(d);
    vx_runtime_free(rt);
}

/* ---- select fan-in: 3 producers on 3 channels, one select loop; fairness ---- */
#define SEL_N 3
typedef struct {
    vx_task hdr;
    vx_chan *c[SEL_N];
    int64_t vals[SEL_N];
    vx_select_case cases[SEL_N];
    vx_select sel;
    vx_chan_op ops[SEL_N];
    int open, chosen;
    int64_t got[SEL_N], sum;
    int64_t ret;
} selin_f;
static vx_poll_t selin_poll(vx_task *t) {
    selin_f *f = (selin_f *)t;
    vx_poll_t r;
    switch (t->resume) {
    case 0:
        f->open = SEL_N;
        for (int i = 0; i < SEL_N; i++) f->cases[i] = (vx_select_case){f->c[i], 0, &f->vals[i]};
        vx_select_init(&f->sel, f->ops, SEL_N);
        while (f->open > 0) {
        case 1:
            r = vx_select_poll(&f->sel, f->ops, f->cases, SEL_N, 0, &f->chosen, t);
            if (r == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            if (r == VX_CLOSED) {
                /* a closed channel stays ready: swap in a fresh never-ready channel */
                f->open--;
                vx_chan *dead = vx_chan_new(sizeof(int64_t), 0, NULL);
                f->cases[f->chosen].ch = dead;
                f->c[f->chosen] = dead;
                continue;
            }
            f->got[f->chosen]++;
            f->sum += f->vals[f->chosen];
        }
        f->ret = f->sum;
    }
    return VX_READY;
}
static void selin_drop(vx_task *t) {
    selin_f *f = (selin_f *)t;
    vx_select_cancel(&f->sel, f->ops, SEL_N);
}
VXT_VT(selin_vt, selin_f, selin_poll, selin_drop, ret);
static void t_select_fanin(void) {
    vx_runtime *rt = vxt_rt(2);
    int64_t per = vxt_n(30000, 1000);
    vx_chan *c[SEL_N];
    vx_task *ps[SEL_N];
    vx_task *st = vx_task_alloc(&selin_vt);
    selin_f *sf = (selin_f *)st;
    for (int i = 0; i < SEL_N; i++) {
        c[i] = vx_chan_new(sizeof(int64_t), (uint32_t)(i == 0 ? 0 : 16), NULL);
        sf->c[i] = c[i];
    }
    vx_task *sh = vx_spawn_on(rt, st);
    for (int i = 0; i < SEL_N; i++) ps[i] = spawn_prod(rt, c[i], 0, per, 1);
    while (!(atomic_load(&sh->state) & VX_ST_DONE)) sched_yield();
    for (int i = 0; i < SEL_N; i++) CHECK_EQ(sf->got[i], per);
    CHECK_EQ(sf->ret, SEL_N * (per * (per - 1) / 2));
    for (int i = 0; i < SEL_N; i++) {
        while (!(atomic_load(&ps[i]->state) & VX_ST_DONE)) sched_yield();
        vx_task_release(ps[i]);
        if (sf->c[i] != c[i]) vx_chan_release(sf->c[i]);
        vx_chan_release(c[i]);
    }
    vx_task_release(sh);
    vx_runtime_free(rt);
}

/* fairness: all cases permanently ready; each should win about 1/n of the time */
static void t_select_fairness(void) {
    vx_chan *c[4];
    vx_select_case cases[4];
    int64_t vals[4];
    vx_chan_op ops[4];
    vx_select sel;
    for (int i = 0; i < 4; i++) {
        c[i] = vx_chan_new(sizeof(int64_t), 0, NULL);
        vx_chan_close(c[i]); /* closed = always ready for recv */
        cases[i] = (vx_select_case){c[i], 0, &vals[i]};
    }
    int wins[4] = {0};
    int n = 40000;
    for (int k = 0; k < n; k++) {
        int chosen = -1;
        vx_select_init(&sel, ops, 4);
        CHECK_EQ(vx_select_poll(&sel, ops, cases, 4, 0, &chosen, NULL), VX_CLOSED);
        if (chosen >= 0 && chosen < 4) wins[chosen]++;
    }
    for (int i = 0; i < 4; i++) CHECK(wins[i] > n / 4 - n / 20 && wins[i] < n / 4 + n / 20);
    for (int i = 0; i < 4; i++) vx_chan_release(c[i]);
}

/* default case and send cases */
static void t_select_default_and_send(void) {
    vx_chan *a = vx_chan_new(sizeof(int64_t), 0, NULL), *b = vx_chan_new(sizeof(int64_t), 1, NULL);
    int64_t ra = 0, sb = 42, out = 0;
    vx_select_case cases[2] = {{a, 0, &ra}, {b, 1, &sb}};
    vx_chan_op ops[2];
    vx_select sel;
    int chosen = -2;
    vx_select_init(&sel, ops, 2);
    CHECK_EQ(vx_select_poll(&sel, ops, cases, 2, 1, &chosen, NULL), VX_READY);
    CHECK_EQ(chosen, 1); /* the send into the free buffer slot */
    CHECK_EQ(vx_chan_try_recv(b, &out), 1);
    CHECK_EQ(out, 42);
    CHECK_EQ(vx_chan_try_send(b, &sb), 1); /* b full again: now nothing is ready */
    chosen = -2;
    vx_select_init(&sel, ops, 2);
    CHECK_EQ(vx_select_poll(&sel, ops, cases, 2, 1, &chosen, NULL), VX_READY);
    CHECK_EQ(chosen, -1); /* default */
    /* nil-channel cases are never ready */
    vx_select_case nil_cases[2] = {{NULL, 0, &ra}, {b, 0, &out}};
    chosen = -2;
    vx_select_init(&sel, ops, 2);
    CHECK_EQ(vx_select_poll(&sel, ops, nil_cases, 2, 1, &chosen, NULL), VX_READY);
    CHECK_EQ(chosen, 1); /* b holds 42 */
    chosen = -2;
    vx_select_init(&sel, ops, 2);
    CHECK_EQ(vx_select_poll(&sel, ops, nil_cases, 2, 1, &chosen, NULL), VX_READY);
    CHECK_EQ(chosen, -1);
    vx_chan_release(a);
    vx_chan_release(b);
}

const vxt_test vxt_chan_tests[] = {
    {"chan/buffered_1to1", t_buffered_1to1},
    {"chan/buffered_cap1", t_buffered_cap1},
    {"chan/unbuffered_1to1", t_unbuffered_1to1},
    {"chan/mpsc_4to1", t_mpsc_4to1},
    {"chan/mpsc_4to1_unbuffered_4_workers", t_mpsc_4to1_unbuffered},
    {"chan/ping_pong_cap1", t_ping_pong_cap1},
    {"chan/ping_pong_unbuffered", t_ping_pong_unbuffered},
    {"chan/close_semantics", t_close_semantics},
    {"chan/try_ops", t_try_ops},
    {"chan/thread_blocking_ops", t_thread_blocking_ops},
    {"chan/select_fanin", t_select_fanin},
    {"chan/select_fairness", t_select_fairness},
    {"chan/select_default_and_send", t_select_default_and_send},
    {NULL, NULL},
};
#else
typedef int vxt_chan_unused;
#endif
