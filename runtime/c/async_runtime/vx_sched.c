/* vx_sched.c: the worker scheduler.
 *
 * Per worker: an SPMC ring (owner pushes; owner pops and thieves steal half by CAS on head, the
 * Go runqput/runqgrab algorithm) and an owner-only LIFO slot for the most recently woken task.
 * Shared: a mutex-protected injector. Idle workers park on their own futex; one of them holds the
 * driver token and parks in the poller instead, with the earliest timer as the timeout.
 *
 * Notification rule (the prototype measured it as worth 5x): a producer wakes a parked worker
 * only if nobody is searching; the woken worker starts out "searching" (counted on its behalf
 * by the notifier, so a burst of pushes wakes one worker, not one per push), and the last
 * searcher to find work wakes the next. Putting a task in the LIFO slot notifies no one.
 *
 * Task protocol (state word): vx_wake sets SCHEDULED and queues the task unless it is already
 * SCHEDULED, DONE, or RUNNING (then it sets NOTIFIED and the worker re-queues it after poll).
 * Invariant: a task is in at most one queue and polled by at most one thread. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "vx_rt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Thread_local vx_worker *vx_tl_worker;
static _Thread_local vx_task *vx_tl_current;
static _Thread_local bool vx_tl_in_driver; /* dispatching poller events / firing timers */

vx_task *vx_current(void) { return vx_tl_current; }

void vx_fatal(const char *msg) {
    fprintf(stderr, "vex runtime: %s\n", msg);
    abort();
}

/* ---- injector --------------------------------------------------------------------------------- */

void vx_inj_push(vx_runtime *rt, vx_task *t) {
    t->q_next = NULL;
    vx_lock_acquire(&rt->inj_lock);
    if (rt->inj_tail) rt->inj_tail->q_next = t;
    else rt->inj_head = t;
    rt->inj_tail = t;
    atomic_fetch_add_explicit(&rt->inj_len, 1, memory_order_release);
    vx_lock_release(&rt->inj_lock);
}

#if !defined(VX_SIM) /* only ring overflow uses it */
static void vx_inj_push_batch(vx_runtime *rt, vx_task *first, vx_task *last, size_t n) {
    last->q_next = NULL;
    vx_lock_acquire(&rt->inj_lock);
    if (rt->inj_tail) rt->inj_tail->q_next = first;
    else rt->inj_head = first;
    rt->inj_tail = last;
    atomic_fetch_add_explicit(&rt->inj_len, n, memory_order_release);
    vx_lock_release(&rt->inj_lock);
}
#endif

vx_task *vx_inj_pop(vx_runtime *rt) {
    /* cheap emptiness check first: the common case for a busy worker */
    if (atomic_load_explicit(&rt->inj_len, memory_order_acquire) == 0) return NULL;
    vx_lock_acquire(&rt->inj_lock);
    vx_task *t = rt->inj_head;
    if (t) {
        rt->inj_head = t->q_next;
        if (!rt->inj_head) rt->inj_tail = NULL;
        atomic_fetch_sub_explicit(&rt->inj_len, 1, memory_order_relaxed);
    }
    vx_lock_release(&rt->inj_lock);
    return t;
}

#if !defined(VX_SIM)
/* ---- ring ------------------------------------------------------------------------------------- */

static void vx_ring_push(vx_worker *w, vx_task *t) {
    for (;;) {
        uint64_t h = atomic_load_explicit(&w->head, memory_order_acquire);
        uint64_t tl = atomic_load_explicit(&w->tail, memory_order_relaxed);
        if (tl - h < VX_RING) {
            atomic_store_explicit(&w->buf[tl & VX_RING_MASK], t, memory_order_relaxed);
            atomic_store_explicit(&w->tail, tl + 1, memory_order_release);
            return;
        }
        /* full: move the older half to the injector (Go/Tokio), then retry. Read the slots, claim
         * them with one CAS, and only then link them: before the CAS a thief may own them. */
        enum { HALF = VX_RING / 2 };
        vx_task *batch[HALF];
        for (unsigned i = 0; i < HALF; i++)
            batch[i] = atomic_load_explicit(&w->buf[(h + i) & VX_RING_MASK], memory_order_relaxed);
        if (!atomic_compare_exchange_strong_explicit(&w->head, &h, h + HALF, memory_order_acq_rel,
                                                     memory_order_relaxed))
            continue; /* a thief took some: the ring has room now */
        for (unsigned i = 0; i + 1 < HALF; i++) batch[i]->q_next = batch[i + 1];
        vx_inj_push_batch(w->rt, batch[0], batch[HALF - 1], HALF);
    }
}

static vx_task *vx_ring_pop(vx_worker *w) {
    uint64_t h = atomic_load_explicit(&w->head, memory_order_acquire);
    for (;;) {
        uint64_t tl = atomic_load_explicit(&w->tail, memory_order_relaxed);
        if (h == tl) return NULL;
        vx_task *t = atomic_load_explicit(&w->buf[h & VX_RING_MASK], memory_order_relaxed);
        if (atomic_compare_exchange_weak_explicit(&w->head, &h, h + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            return t;
    }
}

static bool vx_ring_empty(vx_worker *w) {
    return atomic_load_explicit(&w->tail, memory_order_acquire) ==
           atomic_load_explicit(&w->head, memory_order_acquire);
}

/* Steals half of victim's ring into self's (empty) ring; returns one task to run now. */
static vx_task *vx_ring_steal(vx_worker *self, vx_worker *v) {
    uint64_t h = atomic_load_explicit(&v->head, memory_order_acquire);
    for (;;) {
        uint64_t tl = atomic_load_explicit(&v->tail, memory_order_acquire);
        uint64_t n = tl - h;
        if (n == 0 || n > VX_RING) return NULL; /* n > VX_RING: torn snapshot, head moved on */
        n -= n / 2;
        /* copy first, claim with one CAS: slots in [h, h+n) cannot be overwritten by the owner
         * until head moves past them, and if it does our CAS fails */
        uint64_t mt = atomic_load_explicit(&self->tail, memory_order_relaxed);
        for (uint64_t i = 0; i < n; i++) {
            vx_task *x = atomic_load_explicit(&v->buf[(h + i) & VX_RING_MASK], memory_order_relaxed);
            atomic_store_explicit(&self->buf[(mt + i) & VX_RING_MASK], x, memory_order_relaxed);
        }
        if (atomic_compare_exchange_weak_explicit(&v->head, &h, h + n, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            n--; /* the last one is returned instead of published */
            vx_task *t = atomic_load_explicit(&self->buf[(mt + n) & VX_RING_MASK], memory_order_relaxed);
            if (n) atomic_store_explicit(&self->tail, mt + n, memory_order_release);
            return t;
        }
    }
}

/* ---- idle workers and notification ------------------------------------------------------------ */

void vx_sched_notify(vx_runtime *rt) {
    /* pairs with the fence in vx_worker_park: either we see the parked worker, or it sees our
     * work when it re-checks the queues */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&rt->n_searching, memory_order_relaxed) > 0) return;
    if (atomic_load_explicit(&rt->n_futex, memory_order_relaxed) > 0) {
        vx_lock_acquire(&rt->idle_lock);
        /* re-check under the lock: someone else may have just become the searcher */
        if (rt->n_idle_stack > 0 && atomic_load(&rt->n_searching) == 0) {
            vx_worker *w = &rt->workers[rt->idle_stack[--rt->n_idle_stack]];
            atomic_fetch_sub(&rt->n_futex, 1);
            atomic_fetch_add(&rt->n_searching, 1); /* on the wakee's behalf */
            w->searching = true;
            atomic_store(&w->park_word, 1);
            vx_lock_release(&rt->idle_lock);
            vx_futex_wake(&w->park_word, 1);
            return;
        }
        vx_lock_release(&rt->idle_lock);
        return;
    }
    if (atomic_load(&rt->driver_parked)) vxp_wake(&rt->poller);
}

/* A searching worker found work: stop searching; if it was the last searcher, wake another so
 * that the remaining work (if any) still gets a thief. */
static void vx_stop_searching(vx_worker *w) {
    if (!w->searching) return;
    w->searching = false;
    if (atomic_fetch_sub(&w->rt->n_searching, 1) == 1) vx_sched_notify(w->rt);
}

static bool vx_any_work(vx_runtime *rt) {
    if (atomic_load(&rt->inj_len) > 0) return true;
    for (int i = 0; i < rt->nworkers; i++)
        if (!vx_ring_empty(&rt->workers[i])) return true;
    return false;
}

/* ---- scheduling ------------------------------------------------------------------------------- */

void vx_sched_schedule(vx_runtime *rt, vx_task *t, vx_sched_how how) {
    vx_worker *w = vx_tl_worker;
    /* stopping: nobody will run queued tasks, and shutdown drops every live task from the owned
     * list (queue links would point into frames freed by that drop) */
    if (atomic_load_explicit(&rt->stopping, memory_order_relaxed)) return;
    if (!w || w->rt != rt) { /* foreign thread or another runtime's worker */
        vx_inj_push(rt, t);
        vx_sched_notify(rt);
        return;
    }
    if (how != VX_SCHED_WAKE) {
        vx_ring_push(w, t);
        if (how == VX_SCHED_SPAWN) vx_sched_notify(rt);
        return;
    }
    if (vx_tl_in_driver) {
        /* woken by the driver (timers, I/O): no sender whose data is hot in this cache, and a
         * batch must run in firing (= deadline) order, which the LIFO slot would reverse. FIFO;
         * like the LIFO path, the first task needs no helper, every further one may. */
        bool had = w->lifo || !vx_ring_empty(w);
        vx_ring_push(w, t);
        if (had) vx_sched_notify(rt);
        return;
    }
    /* a woken task runs next on this worker (message-passing locality); the displaced one
     * becomes stealable, which is the only point where others need to hear about it */
    vx_task *prev = w->lifo;
    w->lifo = t;
    if (prev) {
        vx_ring_push(w, prev);
        vx_sched_notify(rt);
    }
}

#else /* VX_SIM */
/* ---- deterministic simulation: one run set, seeded random choice --------------------------------
 *
 * -DVX_SIM replaces the worker threads with a single-threaded scheduler driven by whichever thread
 * waits for the runtime (vx_futex_wait from block_on / blocking channel ops, and the test
 * harness's sched_yield/nanosleep, which vxt.h maps to vx_sim_yield / vx_sim_nanosleep). Every
 * runnable task of every runtime sits in one array; each step advances a virtual clock by a
 * random 0-2 us, fires due timers, and polls a randomly chosen runnable task. With nothing
 * runnable, the clock jumps to the earliest timer. The only source of nondeterminism is the seed
 * (VX_SIM_SEED), so a failing interleaving replays exactly. Real threads (blocking pool, foreign
 * wakers) and real sockets are outside the simulation; the suite skips those tests. */
#include <pthread.h>

#define VX_SIM_MAX_RT 64
_Atomic uint64_t vx_sim_clock = 1000000000u; /* virtual ns; vx_now_ns() in this build */
static vx_task **vx_sim_q;
static size_t vx_sim_len, vx_sim_cap;
static vx_runtime *vx_sim_rts[VX_SIM_MAX_RT];
static int vx_sim_nrts;
static uint64_t vx_sim_rng = 1;
static uint64_t vx_sim_steps, vx_sim_idle;
static bool vx_sim_in_step, vx_sim_in_job;
static bool vx_sim_spurious; /* VX_SIM_SPURIOUS=1: random spurious wake-ups (vx_sim_step) */

uint64_t vx_sim_rand(void) { /* xorshift64*: fast, and fully determined by the seed */
    uint64_t x = vx_sim_rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    vx_sim_rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

void vx_sim_reset(uint64_t seed) {
    vx_sim_rng = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    if (!vx_sim_rng) vx_sim_rng = 1;
    const char *sp = getenv("VX_SIM_SPURIOUS");
    vx_sim_spurious = sp && *sp == '1';
    vx_sim_idle = 0;
}

uint64_t vx_sim_step_count(void) { return vx_sim_steps; }

void vx_sched_notify(vx_runtime *rt) { (void)rt; /* nobody parks in the simulation */ }

void vx_sched_schedule(vx_runtime *rt, vx_task *t, vx_sched_how how) {
    (void)how; /* placement (LIFO slot, ring, injector) is replaced by the random choice */
    if (atomic_load_explicit(&rt->stopping, memory_order_relaxed)) return;
    /* invariant check: only the SCHEDULED transition may queue a task */
    if (!(atomic_load(&t->state) & VX_ST_SCHEDULED)) vx_fatal("sim: task queued without SCHEDULED");
    if (vx_sim_len == vx_sim_cap) {
        vx_sim_cap = vx_sim_cap ? 2 * vx_sim_cap : 1024;
        vx_sim_q = realloc(vx_sim_q, vx_sim_cap * sizeof *vx_sim_q);
        if (!vx_sim_q) vx_fatal("out of memory (sim run queue)");
    }
    vx_sim_q[vx_sim_len++] = t;
}
#endif

void vx_wake(vx_task *t) {
    uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
    for (;;) {
        if (s & (VX_ST_DONE | VX_ST_SCHEDULED)) return;
        if (s & VX_ST_RUNNING) {
            if (atomic_compare_exchange_weak_explicit(&t->state, &s, s | VX_ST_NOTIFIED,
                                                      memory_order_acq_rel, memory_order_acquire))
                return;
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&t->state, &s, s | VX_ST_SCHEDULED,
                                                  memory_order_acq_rel, memory_order_acquire)) {
            vx_sched_schedule(t->rt, t, VX_SCHED_WAKE);
            return;
        }
    }
}

/* Finishes a task: DONE (+CANCELLED), wake the joiner / block_on thread, drop the runtime ref. */
void vx_task_complete(vx_task *t, bool cancelled) {
    vx_owned_remove(t->rt, t);
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed), ns;
    do {
        ns = (s & ~(VX_ST_RUNNING | VX_ST_NOTIFIED | VX_ST_SCHEDULED)) | VX_ST_DONE |
             (cancelled ? VX_ST_CANCELLED : 0u);
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    if (s & VX_ST_THREADWAIT) vx_futex_wake(&t->state, -1);
    vx_task *j = atomic_exchange_explicit(&t->join_waiter, NULL, memory_order_acq_rel);
    if (j) {
        vx_wake(j);
        vx_task_release(j); /* the reference taken when it registered */
    }
    vx_task_release(t);
}

static void vx_run_task(vx_worker *w, vx_task *t) {
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed), ns;
    do {
        ns = (s & ~(VX_ST_SCHEDULED | VX_ST_NOTIFIED)) | VX_ST_RUNNING;
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    if (s & VX_ST_CANCELLED) { /* aborted: drop at the poll boundary instead of polling */
        if (t->vt->drop) t->vt->drop(t);
        vx_task_complete(t, true);
        return;
    }
    t->budget = w->rt->cfg.budget;
    vx_tl_current = t;
    vx_poll_t r = t->vt->poll(t);
    vx_tl_current = NULL;
    if (r == VX_READY) {
        vx_task_complete(t, false);
        return;
    }
    s = atomic_load_explicit(&t->state, memory_order_relaxed);
    bool requeue;
    do {
        requeue = r == VX_YIELD || (s & VX_ST_NOTIFIED);
        ns = (s & ~(VX_ST_RUNNING | VX_ST_NOTIFIED)) | (requeue ? VX_ST_SCHEDULED : 0u);
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    /* to the ring tail, not the LIFO slot: a yielding task must let the others run */
    if (requeue) vx_sched_schedule(w->rt, t, VX_SCHED_REQUEUE);
}

/* ---- the driver: poller + timers -------------------------------------------------------------- */

/* Polls I/O for up to timeout_ns and fires due timers. A blocking turn (timeout != 0) needs the
 * driver token; non-blocking turns may run on several workers at once (epoll_wait and the wheel
 * are thread-safe), so a busy or spinning worker never waits for a parked driver to wake up. */
void vx_driver_turn(vx_runtime *rt, int64_t timeout_ns) {
    vx_event evs[128];
    int n;
    if (timeout_ns == 0 && atomic_load_explicit(&rt->io_sources, memory_order_relaxed) == 0)
        n = 0; /* nothing registered: skip the syscall */
    else
        n = vxp_wait(&rt->poller, evs, 128, timeout_ns);
    vx_tl_in_driver = true;
    if (n > 0) vx_io_dispatch(evs, n);
    uint64_t next = atomic_load_explicit(&rt->wheel.next_ns, memory_order_acquire);
    if (next != UINT64_MAX) {
        uint64_t now = vx_now_ns();
        if (now >= next) vx_wheel_fire(rt, now);
    }
    vx_tl_in_driver = false;
}

#if !defined(VX_SIM)
static bool vx_try_driver(vx_runtime *rt) {
    int z = 0;
    return atomic_load_explicit(&rt->driver_token, memory_order_relaxed) == 0 &&
           atomic_compare_exchange_strong(&rt->driver_token, &z, 1);
}

/* ---- the worker loop -------------------------------------------------------------------------- */

static vx_task *vx_find_local(vx_worker *w) {
    vx_runtime *rt = w->rt;
    vx_task *t;
    if (++w->tick % VX_EVENT_INTERVAL == 0) {
        /* fairness: the injector must not starve behind a self-feeding local queue */
        if ((t = vx_inj_pop(rt))) return t;
        /* timers and I/O must not starve behind busy workers either */
        uint64_t next = atomic_load_explicit(&rt->wheel.next_ns, memory_order_relaxed);
        bool timers_due = next != UINT64_MAX && vx_now_ns() >= next;
        if (timers_due || atomic_load_explicit(&rt->io_sources, memory_order_relaxed) > 0)
            vx_driver_turn(rt, 0);
    }
    if (w->lifo) {
        if (w->lifo_streak < VX_LIFO_MAX) {
            t = w->lifo;
            w->lifo = NULL;
            w->lifo_streak++;
            return t;
        }
        /* two tasks ping-ponging through the slot would starve the ring forever */
        vx_ring_push(w, w->lifo);
        w->lifo = NULL;
        vx_sched_notify(rt);
    }
    w->lifo_streak = 0;
    if ((t = vx_ring_pop(w))) return t;
    return vx_inj_pop(rt);
}

static vx_task *vx_steal(vx_worker *w) {
    vx_runtime *rt = w->rt;
    if (rt->nworkers < 2) return NULL;
    if (!w->searching) {
        /* cap searchers at half the workers: more only burn CPU fighting over the same queues */
        int s = atomic_load(&rt->n_searching);
        if (2 * s >= rt->nworkers) return NULL;
        atomic_fetch_add(&rt->n_searching, 1);
        w->searching = true;
    }
    uint32_t start = vx_rand(&w->rng) % (uint32_t)rt->nworkers;
    for (int k = 0; k < rt->nworkers; k++) {
        vx_worker *v = &rt->workers[(start + (uint32_t)k) % (uint32_t)rt->nworkers];
        if (v == w) continue;
        vx_task *t = vx_ring_steal(w, v);
        if (t) return t;
    }
    return vx_inj_pop(rt);
}

static void vx_worker_park(vx_worker *w) {
    vx_runtime *rt = w->rt;
    if (w->searching) { /* leaving the searching state: the park path re-checks below */
        w->searching = false;
        atomic_fetch_sub(&rt->n_searching, 1);
    }
    /* Go's rule: only the LAST worker to go idle blocks in the poller. While any other worker
     * is awake it does non-blocking poller turns itself; a second thread blocked in epoll_wait
     * would be handed the readiness events instead, costing a cross-thread wake-up (and a CPU
     * wake from idle) per event. The decision is made under the idle lock, so two workers
     * going idle together cannot both choose the futex. */
    atomic_store(&w->park_word, 0);
    vx_lock_acquire(&rt->idle_lock);
    atomic_fetch_add_explicit(&rt->park_epoch, 1, memory_order_relaxed); /* deadlock detection */
    if (rt->n_idle_stack == rt->nworkers - 1 && !atomic_load(&rt->driver_parked) && vx_try_driver(rt)) {
        atomic_store(&rt->driver_parked, 1);
        vx_lock_release(&rt->idle_lock);
        /* the driver sleeps in the poller until I/O, a wake-up, or the earliest timer */
        atomic_thread_fence(memory_order_seq_cst);
        if (!vx_any_work(rt) && !atomic_load(&rt->stopping)) {
            vx_lock_acquire(&rt->wheel.lock);
            uint64_t next = atomic_load(&rt->wheel.next_ns);
            atomic_store(&rt->driver_deadline, next == UINT64_MAX ? UINT64_MAX - 1 : next);
            vx_lock_release(&rt->wheel.lock);
            int64_t timeout = -1;
            if (next != UINT64_MAX) {
                uint64_t now = vx_now_ns();
                timeout = next > now ? (int64_t)(next - now) : 0;
            }
            vx_driver_turn(rt, timeout);
            atomic_store(&rt->driver_deadline, 0);
        }
        atomic_store(&rt->driver_parked, 0);
        atomic_store(&rt->driver_token, 0);
        return;
    }
    /* still under the idle lock: the "am I last" decision and the push are one step */
    rt->idle_stack[rt->n_idle_stack++] = w->id;
    atomic_fetch_add(&rt->n_futex, 1);
    vx_lock_release(&rt->idle_lock);
    atomic_thread_fence(memory_order_seq_cst);
    if (vx_any_work(rt) || atomic_load(&rt->stopping)) {
        /* cancel the park, unless a notifier already popped us (then we are its searcher) */
        vx_lock_acquire(&rt->idle_lock);
        for (int i = 0; i < rt->n_idle_stack; i++) {
            if (rt->idle_stack[i] == w->id) {
                rt->idle_stack[i] = rt->idle_stack[--rt->n_idle_stack];
                atomic_fetch_sub(&rt->n_futex, 1);
                atomic_store(&w->park_word, 1);
                break;
            }
        }
        vx_lock_release(&rt->idle_lock);
    }
    while (atomic_load_explicit(&w->park_word, memory_order_acquire) == 0)
        vx_futex_wait(&w->park_word, 0, -1);
}

static inline void vx_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#define VX_SPIN_ROUNDS 16
/* A spinning worker counts as searching (Go's spinning M): producers then skip the futex wake,
 * since the spinner will find the work. Capped at half the workers, like stealing, so spinning
 * never starves a busy worker of its CPU on an oversubscribed machine for long. */
static bool vx_spin_for_work(vx_worker *w) {
    vx_runtime *rt = w->rt;
    if (!w->searching) {
        if (2 * atomic_load(&rt->n_searching) >= rt->nworkers) return false;
        atomic_fetch_add(&rt->n_searching, 1);
        w->searching = true;
    }
    for (int i = 0; i < VX_SPIN_ROUNDS; i++) {
        for (int k = 0; k < 32; k++) vx_cpu_relax();
        if (atomic_load_explicit(&rt->stopping, memory_order_relaxed)) return false;
        if (vx_any_work(rt)) return true;
        /* readiness and timers do not show up in the queues: look at them too */
        vx_driver_turn(rt, 0);
        if (w->lifo || !vx_ring_empty(w)) return true;
    }
    return false;
}

static void *vx_worker_main(void *arg) {
    vx_worker *w = arg;
    vx_runtime *rt = w->rt;
    vx_tl_worker = w;
    while (!atomic_load_explicit(&rt->stopping, memory_order_acquire)) {
        vx_task *t = vx_find_local(w);
        if (!t) t = vx_steal(w);
        if (t) {
            vx_stop_searching(w);
            vx_run_task(w, t);
            continue;
        }
        /* nothing anywhere: give the poller a non-blocking look before sleeping */
        vx_driver_turn(rt, 0);
        if (w->lifo || !vx_ring_empty(w)) continue;
        /* spin briefly before parking: a futex sleep + wake costs two syscalls and a context
         * switch (~10 us), far more than the gap between messages in a busy program */
        if (vx_spin_for_work(w)) continue;
        vx_worker_park(w);
    }
    vx_tl_worker = NULL;
    return NULL;
}

void vx_sched_start(vx_runtime *rt) {
    for (int i = 0; i < rt->nworkers; i++) {
        vx_worker *w = &rt->workers[i];
        w->rt = rt;
        w->id = i;
        w->rng = 0x9e3779b9u * (uint32_t)(i + 1);
        if (pthread_create(&w->thread, NULL, vx_worker_main, w) != 0) vx_fatal("cannot start worker thread");
    }
}

void vx_sched_stop(vx_runtime *rt) {
    atomic_store(&rt->stopping, 1);
    vx_lock_acquire(&rt->idle_lock);
    for (int i = 0; i < rt->nworkers; i++) {
        atomic_store(&rt->workers[i].park_word, 1);
        vx_futex_wake(&rt->workers[i].park_word, 1);
    }
    rt->n_idle_stack = 0;
    atomic_store(&rt->n_futex, 0);
    vx_lock_release(&rt->idle_lock);
    vxp_wake(&rt->poller);
    for (int i = 0; i < rt->nworkers; i++) pthread_join(rt->workers[i].thread, NULL);
}
#else /* VX_SIM */
void vx_sched_start(vx_runtime *rt) {
    for (int i = 0; i < rt->nworkers; i++) {
        rt->workers[i].rt = rt;
        rt->workers[i].id = i;
    }
    if (vx_sim_nrts == VX_SIM_MAX_RT) vx_fatal("sim: too many live runtimes");
    vx_sim_rts[vx_sim_nrts++] = rt;
}

void vx_sched_stop(vx_runtime *rt) {
    atomic_store(&rt->stopping, 1);
    /* its queued tasks are dropped by the shutdown that follows: forget them here, while they
     * are still alive to be looked at */
    size_t k = 0;
    for (size_t i = 0; i < vx_sim_len; i++)
        if (vx_sim_q[i]->rt != rt) vx_sim_q[k++] = vx_sim_q[i];
    vx_sim_len = k;
    for (int i = 0; i < vx_sim_nrts; i++) {
        if (vx_sim_rts[i] == rt) {
            vx_sim_rts[i] = vx_sim_rts[--vx_sim_nrts];
            break;
        }
    }
    if (vx_sim_len == 0) {
        free(vx_sim_q); /* no leak report at exit */
        vx_sim_q = NULL;
        vx_sim_cap = 0;
    }
}

static void vx_sim_fire_timers(void) {
    uint64_t now = atomic_load(&vx_sim_clock);
    for (int i = 0; i < vx_sim_nrts; i++) {
        uint64_t next = atomic_load(&vx_sim_rts[i]->wheel.next_ns);
        if (next != UINT64_MAX && now >= next) vx_wheel_fire(vx_sim_rts[i], now);
    }
}

/* Generated code must tolerate being polled when nothing it waits for happened (a select loser's
 * late wake, a wake racing with completion). With VX_SIM_SPURIOUS=1 the simulation wakes random
 * live tasks now and then to exercise exactly that. */
static void vx_sim_spurious_wake(void) {
    if (vx_sim_nrts == 0) return;
    vx_runtime *rt = vx_sim_rts[vx_sim_rand() % (uint64_t)vx_sim_nrts];
    vx_owned_shard *sh = &rt->owned[vx_sim_rand() % VX_OWNED_SHARDS];
    vx_task *t = sh->head; /* live: the owned list holds the runtime's reference */
    for (uint64_t k = vx_sim_rand() % 4; t && k > 0; k--) t = t->owned_next;
    if (t) vx_wake(t);
}

/* One scheduling decision. Returns false when nothing was runnable and no timer was pending. */
bool vx_sim_step(void) {
    if (vx_sim_in_step) {
        if (vx_sim_in_job) { /* a blocking job waits: as if its thread slept a little */
            atomic_fetch_add(&vx_sim_clock, 1000u);
            return true;
        }
        vx_fatal("sim: a task blocked its thread (blocking call inside a task)");
    }
    vx_sim_in_step = true;
    vx_sim_steps++;
    atomic_fetch_add(&vx_sim_clock, vx_sim_rand() % 2000u); /* time passes between decisions */
    vx_sim_fire_timers();
    if (vx_sim_spurious && vx_sim_rand() % 16 == 0) vx_sim_spurious_wake();
    bool progress = true;
    size_t jobs = vx_sim_job_count();
    if (vx_sim_len + jobs > 0 && vx_sim_rand() % (vx_sim_len + jobs) >= vx_sim_len) {
        /* a blocking-pool job: it runs in between task polls, as on a pool thread */
        vx_sim_in_job = true;
        vx_sim_run_job((size_t)(vx_sim_rand() % jobs));
        vx_sim_in_job = false;
        vx_sim_idle = 0;
    } else if (vx_sim_len > 0) {
        size_t i = (size_t)(vx_sim_rand() % vx_sim_len);
        vx_task *t = vx_sim_q[i];
        vx_sim_q[i] = vx_sim_q[--vx_sim_len];
        vx_runtime *rt = t->rt;
        /* a random worker identity: vx_runtime_current() and spawn placement see a worker */
        vx_worker *w = &rt->workers[vx_sim_rand() % (uint64_t)rt->nworkers];
        vx_worker *prev = vx_tl_worker;
        vx_tl_worker = w;
        vx_run_task(w, t);
        vx_tl_worker = prev;
        vx_sim_idle = 0;
    } else {
        uint64_t next = UINT64_MAX;
        for (int k = 0; k < vx_sim_nrts; k++) {
            uint64_t n = atomic_load(&vx_sim_rts[k]->wheel.next_ns);
            if (n < next) next = n;
        }
        if (next != UINT64_MAX) {
            if (next > atomic_load(&vx_sim_clock)) atomic_store(&vx_sim_clock, next);
            vx_sim_fire_timers();
        } else {
            /* idle: let a waiting caller's deadline pass (tests poll with timeouts) */
            atomic_fetch_add(&vx_sim_clock, 1000000u);
            progress = false;
        }
    }
    vx_sim_in_step = false;
    return progress;
}

int vx_sim_yield(void) {
    /* a spin-wait of the test thread; 1000 virtual seconds of idleness exceeds every test's own
     * timeout, so the caller is waiting for something that cannot happen */
    if (!vx_sim_step() && ++vx_sim_idle > 1000000) vx_fatal("sim: deadlock (spinning, nothing runnable, no timers)");
    return 0;
}

void vx_sim_sleep_ns(uint64_t ns) {
    if (vx_sim_in_job) { /* a blocking job sleeping: its (virtual) thread is simply busy */
        atomic_fetch_add(&vx_sim_clock, ns);
        return;
    }
    uint64_t end = atomic_load(&vx_sim_clock) + ns;
    while (atomic_load(&vx_sim_clock) < end) vx_sim_step();
}

int vx_sim_nanosleep(const struct timespec *req, struct timespec *rem) {
    if (rem) rem->tv_sec = 0, rem->tv_nsec = 0;
    vx_sim_sleep_ns((uint64_t)req->tv_sec * 1000000000u + (uint64_t)req->tv_nsec);
    return 0;
}

/* A thread "blocks" on a word: in the simulation that means running the simulation until the word
 * changes. A long stretch with nothing runnable and no timers is a deadlock: report it. */
void vx_sim_wait_word(_Atomic uint32_t *addr, uint32_t expected) {
    while (atomic_load(addr) == expected) {
        if (vx_sim_step()) continue;
        if (++vx_sim_idle > 100000) vx_fatal("sim: deadlock (a thread waits, nothing is runnable, no timers)");
    }
}
#endif
#endif
#if defined(__TINYC__)
typedef int vx_sched_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
