/* A hand-written stand-in for the C of a Vex program that uses concurrency (the driver's tests
 * build it the way vexc builds such programs): P producer tasks each send K messages holding
 * two reference-counted strings over a buffered channel; the main task receives and releases
 * them. Every message retains one shared string, so its reference count is changed by several
 * worker threads at once (atomic under VEX_THREADS). Prints `total=N`, exits 3. With
 * CHAN_TASKS_EXTRA=1 in the environment, main waits for one message too many: a deadlock. */
#define VEX_THREADS 1
#include "vex_runtime.h"
#include "vx_rt.h"

#include <stdio.h>
#include <stdlib.h>

enum { P = 4, K = 500 };

typedef struct msg {
    vex_str s;
    vex_str shared;
} msg;

static void msg_drop(void *p) {
    msg *m = p;
    vex_str_release(m->s);
    vex_str_release(m->shared);
}

typedef struct {
    vx_task hdr;
    vx_chan *c;
    vex_str shared;
    int i;
    msg m;
    vx_chan_op op;
    int32_t ret;
} prod_f;

static vx_poll_t prod_poll(vx_task *t) {
    prod_f *f = (prod_f *)t;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        for (f->i = 0; f->i < K; f->i++) {
            f->m.s = vex_str_concat(vex_str_from_c("message "), vex_str_from_c(f->i % 2 ? "odd" : "even"));
            f->m.shared = vex_str_retain(f->shared);
            /* fallthrough */
        case 1:
            if (vx_chan_send_poll(f->c, &f->op, &f->m, t) == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
        }
    }
    vex_str_release(f->shared);
    vx_chan_release(f->c);
    return VX_READY;
}

static void prod_drop(vx_task *t) {
    prod_f *f = (prod_f *)t;
    vx_chan_op_cancel(&f->op);
    /* suspended in the send: the message is still ours unless the send completed (the
     * receiver took it) before the producer was polled again, as generated drop glue checks */
    if (t->resume == 1 && atomic_load_explicit(&f->op.done, memory_order_acquire) != 1) msg_drop(&f->m);
    vex_str_release(f->shared);
    vx_chan_release(f->c);
}

static const vx_task_vtable prod_vt = {prod_poll, prod_drop, sizeof(prod_f), offsetof(prod_f, ret),
                                       sizeof(int32_t), "producer"};

typedef struct {
    vx_task hdr;
    vx_chan *c;
    vex_str shared;
    int i, n;
    msg m;
    vx_chan_op op;
    long long total;
    int32_t ret;
} main_f;

static vx_poll_t main_poll(vx_task *t) {
    main_f *f = (main_f *)t;
    switch (t->resume) {
    case 0:
        f->c = vx_chan_new(sizeof(msg), 4, msg_drop);
        f->shared = vex_str_concat(vex_str_from_c("shared"), vex_str_from_c("!"));
        for (int p = 0; p < P; p++) {
            vx_task *c = vx_task_alloc(&prod_vt);
            vx_chan_retain(f->c);
            ((prod_f *)c)->c = f->c;
            ((prod_f *)c)->shared = vex_str_retain(f->shared);
            vx_spawn_detached_on(vx_spawn_target(t), c); /* `go producer(c, shared)` */
        }
        vx_chan_op_init(&f->op);
        f->n = P * K;
        if (getenv("CHAN_TASKS_EXTRA")) f->n++;
        for (f->i = 0; f->i < f->n; f->i++) {
            /* fallthrough */
        case 1:
            if (vx_chan_recv_poll(f->c, &f->op, &f->m, t) == VX_PENDING) {
                t->resume = 1;
                t->wait_file = "chan_tasks.c";
                t->wait_line = __LINE__;
                return VX_PENDING;
            }
            f->total += vex_str_len(f->m.s) + vex_str_len(f->m.shared);
            msg_drop(&f->m);
        }
    }
    vex_str_release(f->shared);
    vx_chan_release(f->c);
    printf("total=%lld\n", f->total);
    f->ret = 3;
    return VX_READY;
}

static void main_drop(vx_task *t) {
    main_f *f = (main_f *)t;
    vx_chan_op_cancel(&f->op);
    vex_str_release(f->shared);
    if (f->c) vx_chan_release(f->c);
}

static const vx_task_vtable main_vt = {main_poll, main_drop, sizeof(main_f), offsetof(main_f, ret),
                                       sizeof(int32_t), "main"};

int main(void) {
    vx_config cfg = {0};
    const char *w = getenv("VEX_WORKERS");
    cfg.workers = w ? atoi(w) : 0;
    int r = vx_main(&cfg, vx_task_alloc(&main_vt));
    return vex_exit_status(r);
}
