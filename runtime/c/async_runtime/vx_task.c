/* vx_task.c: task objects: allocation, reference counts, spawn, join, abort, and the runtime's
 * list of live tasks ("OwnedTasks"), which is how shutdown finds tasks parked on channels,
 * timers or I/O (they are in no run queue). */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#include "vx_rt_internal.h"

#include <stdlib.h>
#include <string.h>

vx_task *vx_task_alloc(const vx_task_vtable *vt) {
    size_t size = vt->frame_size < sizeof(vx_task) ? sizeof(vx_task) : vt->frame_size;
    vx_task *t = calloc(1, size);
    if (!t) vx_fatal("out of memory allocating a task frame");
    t->vt = vt;
    atomic_init(&t->state, 0);
    atomic_init(&t->refs, 1);
    atomic_init(&t->join_waiter, NULL);
    return t;
}

void vx_task_free(vx_task *t) { free(t); }

void vx_task_retain(vx_task *t) { atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed); }

void vx_task_release(vx_task *t) {
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) vx_task_free(t);
}

/* ---- owned tasks ------------------------------------------------------------------------------ */

static vx_owned_shard *vx_shard(vx_runtime *rt, vx_task *t) {
    uintptr_t p = (uintptr_t)t;
    return &rt->owned[(p >> 6 ^ p >> 14) % VX_OWNED_SHARDS];
}

void vx_owned_insert(vx_runtime *rt, vx_task *t) {
    vx_owned_shard *s = vx_shard(rt, t);
    vx_lock_acquire(&s->lock);
    t->owned_prev = NULL;
    t->owned_next = s->head;
    if (s->head) s->head->owned_prev = t;
    s->head = t;
    vx_lock_release(&s->lock);
    atomic_fetch_add_explicit(&rt->owned_count, 1, memory_order_relaxed);
}

void vx_owned_remove(vx_runtime *rt, vx_task *t) {
    vx_owned_shard *s = vx_shard(rt, t);
    vx_lock_acquire(&s->lock);
    if (t->owned_prev) t->owned_prev->owned_next = t->owned_next;
    else s->head = t->owned_next;
    if (t->owned_next) t->owned_next->owned_prev = t->owned_prev;
    t->owned_prev = t->owned_next = NULL;
    vx_lock_release(&s->lock);
    if (atomic_fetch_sub_explicit(&rt->owned_count, 1, memory_order_acq_rel) == 1) vx_idle_wake_all(rt);
}

/* ---- waiting for a runtime to become idle (`runtime_run`) -------------------------------------
 *
 * Waiters of every runtime are guarded by one process-wide lock, so that a waiter's drop glue
 * never has to touch the runtime it waited for (which may have been freed meanwhile: freeing
 * drops every task, which wakes and unlinks every waiter first). The lock is taken when a
 * runtime's live count drops to zero, which is rare (never while a program's main task lives). */
static pthread_mutex_t vx_idle_mu = PTHREAD_MUTEX_INITIALIZER;

void vx_idle_wake_all(vx_runtime *rt) {
    pthread_mutex_lock(&vx_idle_mu);
    /* re-check under the lock: a spawn may have made it busy again (then the waiters wait for
     * the next time it drains; a registration saw a non-zero count and is still correct) */
    if (atomic_load(&rt->owned_count) == 0) {
        vx_idle_wait *w;
        while ((w = rt->idle_waiters)) {
            rt->idle_waiters = w->next;
            if (w->next) w->next->prev = NULL;
            w->next = w->prev = NULL;
            vx_task *t = w->task;
            /* as for channel ops: a concurrent spurious poll may see `done`, finish and free the
             * frame before our wake, so hold a reference across; the node is not touched after */
            vx_task_retain(t);
            atomic_store_explicit(&w->done, 1, memory_order_release);
            vx_wake(t);
            vx_task_release(t);
        }
    }
    pthread_mutex_unlock(&vx_idle_mu);
}

static void vx_idle_reset(vx_idle_wait *w) {
    w->task = NULL;
    w->next = w->prev = NULL;
    w->rt = NULL;
    atomic_store_explicit(&w->done, 0, memory_order_relaxed);
}

vx_poll_t vx_runtime_idle_poll(vx_runtime *rt, vx_idle_wait *w, vx_task *self) {
    if (atomic_load_explicit(&w->done, memory_order_acquire)) {
        vx_idle_reset(w);
        return VX_READY;
    }
    if (w->rt) return VX_PENDING; /* registered: a spurious poll */
    pthread_mutex_lock(&vx_idle_mu);
    /* the count is read under the lock that the zero transition's wake-up takes: either this
     * sees zero, or the wake-up (after its decrement) finds this node */
    if (atomic_load(&rt->owned_count) == 0) {
        pthread_mutex_unlock(&vx_idle_mu);
        return VX_READY;
    }
    w->task = self;
    w->rt = rt;
    w->prev = NULL;
    w->next = rt->idle_waiters;
    if (w->next) w->next->prev = w;
    rt->idle_waiters = w;
    pthread_mutex_unlock(&vx_idle_mu);
    return VX_PENDING;
}

void vx_idle_cancel(vx_idle_wait *w) {
    if (!w->rt) return;
    pthread_mutex_lock(&vx_idle_mu);
    if (!atomic_load_explicit(&w->done, memory_order_acquire)) { /* still linked in w->rt's list */
        if (w->prev) w->prev->next = w->next;
        else w->rt->idle_waiters = w->next;
        if (w->next) w->next->prev = w->prev;
    }
    pthread_mutex_unlock(&vx_idle_mu);
    vx_idle_reset(w);
}

/* Shutdown, after the workers have stopped: drop every live task. A join waiter woken here lands
 * in the injector, which nobody polls any more; it is dropped by this same loop (it is live
 * too), and the queues are then reset without being dereferenced. */
void vx_owned_drop_all(vx_runtime *rt) {
    for (unsigned i = 0; i < VX_OWNED_SHARDS; i++) {
        vx_owned_shard *s = &rt->owned[i];
        for (;;) {
            vx_lock_acquire(&s->lock);
            vx_task *t = s->head;
            vx_lock_release(&s->lock);
            if (!t) break;
            atomic_fetch_or(&t->state, VX_ST_CANCELLED);
            if (t->vt->drop) t->vt->drop(t);
            vx_task_complete(t, true); /* unlinks it from the shard */
        }
    }
}

/* ---- spawn ------------------------------------------------------------------------------------ */

static void vx_spawn_inner(vx_runtime *rt, vx_task *t) {
    if (!rt) vx_fatal("vx_spawn outside any runtime");
    t->rt = rt;
    vx_owned_insert(rt, t);
    if (atomic_load_explicit(&rt->closed, memory_order_acquire)) {
        /* the Tokio rule: after shutdown began, a spawn drops the task at once */
        atomic_fetch_or(&t->state, VX_ST_CANCELLED);
        if (t->vt->drop) t->vt->drop(t);
        vx_task_complete(t, true);
        return;
    }
    atomic_store_explicit(&t->state, VX_ST_SCHEDULED, memory_order_release);
    /* a new task goes to the ring tail (not the LIFO slot) so the spawner keeps running */
    vx_sched_schedule(rt, t, VX_SCHED_SPAWN);
}

vx_task *vx_spawn_on(vx_runtime *rt, vx_task *t) {
    vx_task_retain(t); /* the join handle */
    vx_spawn_inner(rt, t);
    return t;
}

vx_task *vx_spawn(vx_task *t) { return vx_spawn_on(vx_runtime_current(), t); }

void vx_spawn_detached_on(vx_runtime *rt, vx_task *t) { vx_spawn_inner(rt, t); }

void vx_spawn_detached(vx_task *t) { vx_spawn_inner(vx_runtime_current(), t); }

/* ---- join / abort ----------------------------------------------------------------------------- */

vx_poll_t vx_join_poll(vx_task *child, void *out, vx_task *self) {
    uint32_t s = atomic_load_explicit(&child->state, memory_order_acquire);
    if (!(s & VX_ST_DONE)) {
        if (atomic_load_explicit(&child->join_waiter, memory_order_relaxed) != self) {
            /* the registration holds a reference so that the child's completion can wake us
             * even if we are being dropped concurrently */
            vx_task_retain(self);
            vx_task *expected = NULL;
            if (!atomic_compare_exchange_strong_explicit(&child->join_waiter, &expected, self,
                                                         memory_order_acq_rel, memory_order_acquire))
                vx_fatal("a task was joined by two tasks at once");
        }
        s = atomic_load_explicit(&child->state, memory_order_acquire);
        if (!(s & VX_ST_DONE)) return VX_PENDING;
        /* raced with completion: take our registration back if the child has not */
        vx_join_cancel(child, self);
    }
    if (s & VX_ST_CANCELLED) return VX_CANCELLED;
    if (out && child->vt->result_size)
        memcpy(out, (const char *)child + child->vt->result_off, child->vt->result_size);
    return VX_READY;
}

void vx_join_cancel(vx_task *child, vx_task *self) {
    vx_task *expected = self;
    if (atomic_compare_exchange_strong_explicit(&child->join_waiter, &expected, NULL,
                                                memory_order_acq_rel, memory_order_acquire))
        vx_task_release(self);
    /* else: the child took it and will wake + release; a spurious wake is harmless */
}

void vx_task_abort(vx_task *t) {
    uint32_t s = atomic_fetch_or_explicit(&t->state, VX_ST_CANCELLED, memory_order_acq_rel);
    if (!(s & VX_ST_DONE)) vx_wake(t); /* dropped by the worker at its next poll boundary */
}
#endif
#if defined(__TINYC__)
typedef int vx_task_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
