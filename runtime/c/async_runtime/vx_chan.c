/* vx_chan.c: channels (Go's hchan adapted to stackless frames) and select.
 *
 * One lock guards a ring buffer of cap x elem_size bytes and two FIFO wait queues of vx_chan_op
 * nodes embedded in the waiting frames. A sender that finds a waiting receiver copies straight
 * into the receiver's destination (direct hand-off), as does a receiver that finds a waiting
 * sender on an unbuffered channel. Waiters are completed and woken while the lock is held: that
 * is what lets a frame's drop glue (vx_chan_op_cancel, which takes the same lock) guarantee that
 * nobody touches the frame afterwards.
 *
 * select enqueues one op per case, locking all channels in address order; every op of one
 * select shares a `won` word, and whoever completes an op must first win the CAS on it. Losing
 * ops are unlinked by the selecting task on resume, or by anyone who finds them first. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#include "vx_rt_internal.h"

#include <stdlib.h>
#include <string.h>

struct vx_chan {
    vx_lock lock;
    _Atomic uint32_t refs;
    uint32_t elem_size, cap;
    uint32_t head, count;
    int closed;
    void (*elem_drop)(void *);
    vx_chan_op *recvq_head, *recvq_tail;
    vx_chan_op *sendq_head, *sendq_tail;
    unsigned char *buf;
};

enum { VX_OP_WAITING = 0, VX_OP_DONE = 1, VX_OP_CLOSED = 2 };

vx_chan *vx_chan_new(uint32_t elem_size, uint32_t cap, void (*elem_drop)(void *)) {
    vx_chan *c = calloc(1, sizeof *c);
    if (!c) vx_fatal("out of memory allocating a channel");
    vx_lock_init(&c->lock);
    atomic_init(&c->refs, 1);
    c->elem_size = elem_size;
    c->cap = cap;
    c->elem_drop = elem_drop;
    if (cap && elem_size) {
        c->buf = calloc(cap, elem_size);
        if (!c->buf) vx_fatal("out of memory allocating a channel buffer");
    }
    return c;
}

void vx_chan_retain(vx_chan *c) { atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed); }

void vx_chan_release(vx_chan *c) {
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1) return;
    if (c->elem_drop)
        for (uint32_t i = 0; i < c->count; i++)
            c->elem_drop(c->buf + (size_t)((c->head + i) % c->cap) * c->elem_size);
    free(c->buf);
    vx_lock_destroy(&c->lock);
    free(c);
}

uint32_t vx_chan_len(vx_chan *c) {
    vx_lock_acquire(&c->lock);
    uint32_t n = c->count;
    vx_lock_release(&c->lock);
    return n;
}

void vx_chan_op_init(vx_chan_op *op) {
    memset(op, 0, sizeof *op);
    atomic_init(&op->done, 0);
}

/* ---- wait queues (lock held) ------------------------------------------------------------------ */

static void vx_q_push(vx_chan_op **head, vx_chan_op **tail, vx_chan_op *op) {
    op->next = NULL;
    op->prev = *tail;
    if (*tail) (*tail)->next = op;
    else *head = op;
    *tail = op;
    op->queued = 1;
}

static void vx_q_unlink(vx_chan_op **head, vx_chan_op **tail, vx_chan_op *op) {
    if (op->prev) op->prev->next = op->next;
    else *head = op->next;
    if (op->next) op->next->prev = op->prev;
    else *tail = op->prev;
    op->next = op->prev = NULL;
    op->queued = 0;
}

static void vx_op_unlink(vx_chan *c, vx_chan_op *op) {
    if (op->is_send) vx_q_unlink(&c->sendq_head, &c->sendq_tail, op);
    else vx_q_unlink(&c->recvq_head, &c->recvq_tail, op);
}

/* A select op may only be completed by whoever wins its select's `won` word. */
static bool vx_op_claim(vx_chan_op *op) {
    if (!op->sel_won) return true;
    uint32_t expected = 0;
    return atomic_compare_exchange_strong_explicit(op->sel_won, &expected, (uint32_t)op->sel_idx + 1,
                                                   memory_order_acq_rel, memory_order_acquire);
}

/* First waiter that can still be completed; lost select ops met on the way are unlinked. */
static vx_chan_op *vx_q_take(vx_chan_op **head, vx_chan_op **tail) {
    vx_chan_op *op;
    while ((op = *head)) {
        vx_q_unlink(head, tail, op);
        if (vx_op_claim(op)) return op;
    }
    return NULL;
}

static void vx_op_finish(vx_chan_op *op, uint32_t result) {
    vx_task *t = op->task;
    if (!t) { /* a plain thread in a *_blocking call (a wake on its stale stack is harmless) */
        atomic_store_explicit(&op->done, result, memory_order_release);
        vx_futex_wake(&op->done, 1);
        return;
    }
    /* Once `done` is published, a poll of the task that is already under way (a spurious wake)
     * may see it, finish, and free the frame before our vx_wake: hold a reference across. */
    vx_task_retain(t);
    atomic_store_explicit(&op->done, result, memory_order_release);
    vx_wake(t);
    vx_task_release(t);
}

static unsigned char *vx_slot(vx_chan *c, uint32_t i) {
    return c->buf + (size_t)((c->head + i) % c->cap) * c->elem_size;
}

/* ---- the transfer rules (lock held); return VX_PENDING when the op would have to wait -------- */

static vx_poll_t vx_send_locked(vx_chan *c, const void *elem) {
    if (c->closed) return VX_CLOSED;
    vx_chan_op *r = vx_q_take(&c->recvq_head, &c->recvq_tail);
    if (r) {
        if (c->elem_size) memcpy(r->elem, elem, c->elem_size);
        vx_op_finish(r, VX_OP_DONE);
        return VX_READY;
    }
    if (c->count < c->cap) {
        if (c->elem_size) memcpy(vx_slot(c, c->count), elem, c->elem_size);
        c->count++;
        return VX_READY;
    }
    return VX_PENDING;
}

static vx_poll_t vx_recv_locked(vx_chan *c, void *out) {
    if (c->count > 0) {
        if (c->elem_size) memcpy(out, vx_slot(c, 0), c->elem_size);
        c->head = (c->head + 1) % c->cap;
        c->count--;
        /* a blocked sender's element takes the freed slot, keeping FIFO order */
        vx_chan_op *s = vx_q_take(&c->sendq_head, &c->sendq_tail);
        if (s) {
            if (c->elem_size) memcpy(vx_slot(c, c->count), s->elem, c->elem_size);
            c->count++;
            vx_op_finish(s, VX_OP_DONE);
        }
        return VX_READY;
    }
    vx_chan_op *s = vx_q_take(&c->sendq_head, &c->sendq_tail);
    if (s) {
        if (c->elem_size) memcpy(out, s->elem, c->elem_size);
        vx_op_finish(s, VX_OP_DONE);
        return VX_READY;
    }
    if (c->closed) {
        if (c->elem_size) memset(out, 0, c->elem_size); /* the zero value, as in Go */
        return VX_CLOSED;
    }
    return VX_PENDING;
}

/* Budget: each op costs one unit; when it runs out the op reports PENDING after waking the task
 * (it is RUNNING, so that only sets NOTIFIED and it is re-queued at the ring tail). */
static bool vx_budget_spent(vx_task *self) {
    if (!self) return false;
    if (self->budget == 0) {
        vx_wake(self);
        return true;
    }
    self->budget--;
    return false;
}

static vx_poll_t vx_op_resumed(vx_chan_op *op) {
    uint32_t d = atomic_load_explicit(&op->done, memory_order_acquire);
    if (d == VX_OP_WAITING) return VX_PENDING; /* spurious poll: still queued */
    op->waiting = 0;
    atomic_store_explicit(&op->done, VX_OP_WAITING, memory_order_relaxed);
    return d == VX_OP_DONE ? VX_READY : VX_CLOSED;
}

vx_poll_t vx_chan_send_poll(vx_chan *c, vx_chan_op *op, const void *elem, vx_task *self) {
    if (op->waiting) return vx_op_resumed(op);
    if (vx_budget_spent(self)) return VX_PENDING;
    vx_lock_acquire(&c->lock);
    vx_poll_t r = vx_send_locked(c, elem);
    if (r == VX_PENDING) {
        op->task = self;
        op->elem = (void *)(uintptr_t)elem; /* only read while queued: the frame is alive */
        op->chan = c;
        op->sel_won = NULL;
        op->is_send = 1;
        atomic_store_explicit(&op->done, VX_OP_WAITING, memory_order_relaxed);
        vx_q_push(&c->sendq_head, &c->sendq_tail, op);
        op->waiting = 1;
    }
    vx_lock_release(&c->lock);
    return r;
}

vx_poll_t vx_chan_recv_poll(vx_chan *c, vx_chan_op *op, void *out, vx_task *self) {
    if (op->waiting) return vx_op_resumed(op);
    if (vx_budget_spent(self)) return VX_PENDING;
    vx_lock_acquire(&c->lock);
    vx_poll_t r = vx_recv_locked(c, out);
    if (r == VX_PENDING) {
        op->task = self;
        op->elem = out;
        op->chan = c;
        op->sel_won = NULL;
        op->is_send = 0;
        atomic_store_explicit(&op->done, VX_OP_WAITING, memory_order_relaxed);
        vx_q_push(&c->recvq_head, &c->recvq_tail, op);
        op->waiting = 1;
    }
    vx_lock_release(&c->lock);
    return r;
}

void vx_chan_op_cancel(vx_chan_op *op) {
    if (!op->waiting || !op->chan) return;
    vx_chan *c = op->chan;
    vx_lock_acquire(&c->lock);
    if (op->queued) vx_op_unlink(c, op);
    vx_lock_release(&c->lock);
    op->waiting = 0;
}

int vx_chan_try_send(vx_chan *c, const void *elem) {
    vx_lock_acquire(&c->lock);
    vx_poll_t r = vx_send_locked(c, elem);
    vx_lock_release(&c->lock);
    return r == VX_READY ? 1 : r == VX_CLOSED ? -1 : 0;
}

int vx_chan_try_recv(vx_chan *c, void *out) {
    vx_lock_acquire(&c->lock);
    vx_poll_t r = vx_recv_locked(c, out);
    vx_lock_release(&c->lock);
    return r == VX_READY ? 1 : r == VX_CLOSED ? -1 : 0;
}

vx_poll_t vx_chan_send_blocking(vx_chan *c, const void *elem) {
    vx_chan_op op;
    vx_chan_op_init(&op);
    vx_poll_t r = vx_chan_send_poll(c, &op, elem, NULL);
    while (r == VX_PENDING) {
        vx_futex_wait(&op.done, VX_OP_WAITING, -1);
        r = vx_chan_send_poll(c, &op, elem, NULL);
    }
    return r;
}

vx_poll_t vx_chan_recv_blocking(vx_chan *c, void *out) {
    vx_chan_op op;
    vx_chan_op_init(&op);
    vx_poll_t r = vx_chan_recv_poll(c, &op, out, NULL);
    while (r == VX_PENDING) {
        vx_futex_wait(&op.done, VX_OP_WAITING, -1);
        r = vx_chan_recv_poll(c, &op, out, NULL);
    }
    return r;
}

void vx_chan_close(vx_chan *c) {
    vx_lock_acquire(&c->lock);
    if (!c->closed) {
        c->closed = 1;
        vx_chan_op *op;
        while ((op = vx_q_take(&c->recvq_head, &c->recvq_tail))) {
            if (c->elem_size) memset(op->elem, 0, c->elem_size);
            vx_op_finish(op, VX_OP_CLOSED);
        }
        while ((op = vx_q_take(&c->sendq_head, &c->sendq_tail))) vx_op_finish(op, VX_OP_CLOSED);
    }
    vx_lock_release(&c->lock);
}

/* ---- select ----------------------------------------------------------------------------------- */

void vx_select_init(vx_select *s, vx_chan_op *ops, uint32_t n) {
    atomic_init(&s->won, 0);
    s->waiting = 0;
    for (uint32_t i = 0; i < n; i++) vx_chan_op_init(&ops[i]);
}

/* Distinct channels of the cases in address order (the global lock order). */
static uint32_t vx_lock_order(const vx_select_case *cases, uint32_t n, vx_chan **order) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        vx_chan *c = cases[i].ch;
        if (!c) continue; /* a nil channel: never ready, nothing to lock */
        uint32_t j = k;
        bool dup = false;
        for (uint32_t m = 0; m < k; m++) dup |= order[m] == c;
        if (dup) continue;
        while (j > 0 && (uintptr_t)order[j - 1] > (uintptr_t)c) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = c;
        k++;
    }
    return k;
}

static void vx_unselect(vx_chan_op *ops, uint32_t n, uint32_t except) {
    for (uint32_t i = 0; i < n; i++) {
        if (i == except || !ops[i].chan) continue; /* `queued` is only read under the lock */
        /* (ops of nil-channel cases were never enqueued: chan stays NULL) */
        vx_chan *c = ops[i].chan;
        vx_lock_acquire(&c->lock);
        if (ops[i].queued) vx_op_unlink(c, &ops[i]);
        vx_lock_release(&c->lock);
    }
}

vx_poll_t vx_select_poll(vx_select *s, vx_chan_op *ops, const vx_select_case *cases, uint32_t n,
                         int has_default, int *chosen, vx_task *self) {
    if (n > VX_SELECT_MAX) vx_fatal("select with too many cases");
    if (s->waiting) {
        uint32_t w = atomic_load_explicit(&s->won, memory_order_acquire);
        if (w == 0) return VX_PENDING;
        /* the winner sets `won` before it copies: wait for its `done` (it wakes us after) */
        uint32_t d = atomic_load_explicit(&ops[w - 1].done, memory_order_acquire);
        if (d == VX_OP_WAITING) return VX_PENDING;
        vx_unselect(ops, n, w - 1);
        s->waiting = 0;
        atomic_store_explicit(&s->won, 0, memory_order_relaxed);
        *chosen = (int)(w - 1);
        return d == VX_OP_DONE ? VX_READY : VX_CLOSED;
    }
    if (vx_budget_spent(self)) return VX_PENDING;
    /* random start so that no case is favoured (Go's pollorder, simplified to a rotation) */
    static _Thread_local uint32_t rng;
    uint32_t start = n ? vx_rand(&rng) % n : 0;
    vx_poll_t r = VX_PENDING;
    /* fast path: try the cases one lock at a time; a busy select usually finds one ready and
     * never needs to hold every lock (8-channel fan-in: 227 -> 71 ns/msg) */
    for (uint32_t j = 0; j < n && r == VX_PENDING; j++) {
        uint32_t i = (start + j) % n;
        vx_chan *c = cases[i].ch;
        if (!c) continue;
        vx_lock_acquire(&c->lock);
        r = cases[i].is_send ? vx_send_locked(c, cases[i].elem) : vx_recv_locked(c, cases[i].elem);
        vx_lock_release(&c->lock);
        if (r != VX_PENDING) *chosen = (int)i;
    }
    if (r != VX_PENDING) return r;
    if (has_default) {
        *chosen = -1;
        return VX_READY;
    }
    /* slow path: lock everything (address order), re-check, and enqueue atomically */
    vx_chan *order[VX_SELECT_MAX];
    uint32_t k = vx_lock_order(cases, n, order);
    for (uint32_t i = 0; i < k; i++) vx_lock_acquire(&order[i]->lock);
    for (uint32_t j = 0; j < n && r == VX_PENDING; j++) {
        uint32_t i = (start + j) % n;
        if (!cases[i].ch) continue;
        r = cases[i].is_send ? vx_send_locked(cases[i].ch, cases[i].elem)
                             : vx_recv_locked(cases[i].ch, cases[i].elem);
        if (r != VX_PENDING) *chosen = (int)i;
    }
    if (r == VX_PENDING) {
        atomic_store_explicit(&s->won, 0, memory_order_relaxed);
        for (uint32_t i = 0; i < n; i++) {
            vx_chan_op *op = &ops[i];
            vx_chan *c = cases[i].ch;
            op->chan = NULL;
            if (!c) continue; /* nil channel: blocks forever, as in Go */
            op->task = self;
            op->elem = cases[i].elem;
            op->chan = c;
            op->sel_won = &s->won;
            op->sel_idx = (int)i;
            op->is_send = (uint8_t)(cases[i].is_send != 0);
            op->waiting = 1;
            atomic_store_explicit(&op->done, VX_OP_WAITING, memory_order_relaxed);
            if (op->is_send) vx_q_push(&c->sendq_head, &c->sendq_tail, op);
            else vx_q_push(&c->recvq_head, &c->recvq_tail, op);
        }
        s->waiting = 1;
    }
    for (uint32_t i = k; i-- > 0;) vx_lock_release(&order[i]->lock);
    return r;
}

void vx_select_cancel(vx_select *s, vx_chan_op *ops, uint32_t n) {
    if (!s->waiting) return;
    vx_unselect(ops, n, UINT32_MAX);
    s->waiting = 0;
}
#endif
#if defined(__TINYC__)
typedef int vx_chan_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
