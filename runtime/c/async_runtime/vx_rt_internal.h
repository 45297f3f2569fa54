/* vx_rt_internal.h: structures shared by the runtime's .c files; never seen by generated code. */
#ifndef VX_RT_INTERNAL_H
#define VX_RT_INTERNAL_H

#include "vx_rt.h"
#include "vx_sync.h"
#include "vx_poller.h"

#include <pthread.h>
#include <stdbool.h>

#if defined(__GNUC__) || defined(__clang__)
#define VX_NORETURN_ATTR __attribute__((noreturn))
#else
#define VX_NORETURN_ATTR _Noreturn
#endif

#define VX_RING 256u            /* per-worker run queue slots (power of two) */
#define VX_RING_MASK (VX_RING - 1u)
#define VX_OWNED_SHARDS 64u     /* live-task list shards: spawn/complete rarely contend */
#define VX_EVENT_INTERVAL 61u   /* every N ticks: injector first, timers, non-blocking I/O poll */
#define VX_LIFO_MAX 3u          /* consecutive LIFO-slot runs before the ring gets a turn */
#define VX_WHEEL_LEVELS 6
#define VX_WHEEL_SLOTS 64

typedef struct vx_worker {
    /* SPMC ring (Go runqput/runqgrab): owner pushes at tail; owner and thieves CAS head. The
     * 64-bit head never wraps in practice, so ABA is impossible. */
    _Alignas(64) _Atomic uint64_t head;
    _Atomic uint64_t tail;
    _Atomic(vx_task *) buf[VX_RING];
    _Alignas(64) vx_task *lifo; /* owner-only: the most recently woken task */
    unsigned lifo_streak;
    unsigned tick;
    uint32_t rng;
    int id;
    bool searching;             /* counted in rt->n_searching */
    _Atomic uint32_t park_word; /* 1 = notified; futex of this worker */
    vx_runtime *rt;
    pthread_t thread;
} vx_worker;

typedef struct vx_owned_shard {
    _Alignas(64) vx_lock lock;
    vx_task *head;
} vx_owned_shard;

typedef struct vx_wheel {
    vx_lock lock;
    uint64_t start_ns, res_ns;
    uint64_t elapsed;           /* ticks processed so far */
    uint64_t occupied[VX_WHEEL_LEVELS];
    vx_timer_entry *slots[VX_WHEEL_LEVELS][VX_WHEEL_SLOTS];
    /* level 0: earliest exact deadline (ns) per slot; may be stale-early after a cancel, which
     * costs at most one spurious wake-up. Lets the driver sleep until the exact deadline. */
    uint64_t slot_min[VX_WHEEL_SLOTS];
    size_t count;
    /* earliest expiration in ns (UINT64_MAX: none); lets busy workers check timers lock-free */
    _Atomic uint64_t next_ns;
} vx_wheel;

typedef struct vx_blocking_pool vx_blocking_pool;

struct vx_runtime {
    vx_config cfg;
    int nworkers;
    vx_worker *workers;

    /* injector: spawns from outside, ring overflow, anything woken off-worker */
    _Alignas(64) vx_lock inj_lock;
    vx_task *inj_head, *inj_tail;
    _Atomic size_t inj_len;

    /* idle workers: a stack of futex-parked worker ids */
    _Alignas(64) vx_lock idle_lock;
    int *idle_stack;
    int n_idle_stack;
    _Atomic int n_futex;        /* workers parked on their futex */
    _Atomic int n_searching;    /* workers looking for work (stealing) */
    _Atomic uint64_t park_epoch; /* bumped (under idle_lock) by every park: deadlock detection */
    _Atomic int driver_token;   /* 1 = some worker owns the poller + timer driver */
    _Atomic int driver_parked;  /* the token holder is blocked in vxp_wait */
    _Atomic uint64_t driver_deadline; /* ns the driver sleeps until (0 = not sleeping) */

    _Atomic int closed;         /* no more spawns: new tasks are dropped immediately */
    _Atomic int stopping;       /* workers exit their loops */
    _Atomic int dead;           /* shutdown finished: inert until freed */
    int shut_down, freed;
    vx_runtime *reg_next, *reg_prev; /* the process-wide list of live runtimes (vx_runtime.c) */
    vx_idle_wait *idle_waiters; /* vx_runtime_idle_poll waiters, under vx_idle_mu (vx_task.c) */
    _Atomic int io_sources;     /* fds registered with this poller (skip useless polls) */

    vx_owned_shard owned[VX_OWNED_SHARDS];
    _Atomic size_t owned_count;

    vx_wheel wheel;
    vxp poller;
    vx_blocking_pool *pool;
    vx_lock pool_lock;
};

extern _Thread_local vx_worker *vx_tl_worker;

/* scheduler (vx_sched.c) */
void vx_sched_start(vx_runtime *rt);
/* How a (SCHEDULED) task enters a queue: a wake goes to the LIFO slot; a spawn to the ring tail
 * and notifies; a re-queue of the task this worker just polled (yield, woken while running) to
 * the ring tail WITHOUT notifying, since it creates no new parallelism. */
typedef enum { VX_SCHED_WAKE, VX_SCHED_SPAWN, VX_SCHED_REQUEUE } vx_sched_how;
void vx_sched_schedule(vx_runtime *rt, vx_task *t, vx_sched_how how);
void vx_sched_stop(vx_runtime *rt);  /* wake everyone, join threads */
void vx_sched_notify(vx_runtime *rt);
void vx_inj_push(vx_runtime *rt, vx_task *t);
vx_task *vx_inj_pop(vx_runtime *rt);
void vx_task_complete(vx_task *t, bool cancelled);
void vx_driver_turn(vx_runtime *rt, int64_t timeout_ns);

/* deadlock detection (vx_runtime.c): I/O ops waiting for readiness or completion, all runtimes */
extern _Atomic long vx_io_waiting;
VX_NORETURN_ATTR void vx_deadlock_report(vx_task *root);

/* tasks (vx_task.c) */
void vx_owned_insert(vx_runtime *rt, vx_task *t);
void vx_owned_remove(vx_runtime *rt, vx_task *t);
void vx_owned_drop_all(vx_runtime *rt);
void vx_idle_wake_all(vx_runtime *rt); /* rt's live count reached zero: wake runtime_run waiters */
void vx_task_free(vx_task *t);

/* timers (vx_timer.c) */
void vx_wheel_init(vx_wheel *w, uint64_t res_ns);
void vx_wheel_destroy(vx_wheel *w);
/* Fires everything due at `now`; returns the number fired. */
size_t vx_wheel_fire(vx_runtime *rt, uint64_t now);
/* Inserts e (task already set) to fire at deadline_ns. */
void vx_timer_insert(vx_runtime *rt, vx_timer_entry *e, uint64_t deadline_ns);
/* Earliest expiration (ns, absolute) or UINT64_MAX. */
uint64_t vx_wheel_next(vx_runtime *rt);

/* I/O (vx_io.c) */
void vx_io_dispatch(const vx_event *ev, int n);
void vx_io_forget_runtime(vx_runtime *rt);

/* blocking pool (vx_blocking.c) */
void vx_blocking_shutdown(vx_runtime *rt);
bool vx_blocking_busy(vx_runtime *rt); /* a job queued or running */

#if defined(VX_SIM)
/* deterministic simulation (vx_sched.c): see the comment there */
#include <time.h>
extern _Atomic uint64_t vx_sim_clock;
void vx_sim_reset(uint64_t seed);         /* re-seed the random choices (test harness) */
uint64_t vx_sim_rand(void);
uint64_t vx_sim_step_count(void);
bool vx_sim_step(void);                   /* false: nothing runnable and no timer pending */
int vx_sim_yield(void);                   /* the harness's sched_yield */
int vx_sim_nanosleep(const struct timespec *req, struct timespec *rem);
void vx_sim_sleep_ns(uint64_t ns);
void vx_sim_wait_word(_Atomic uint32_t *addr, uint32_t expected);
size_t vx_sim_job_count(void);           /* blocking-pool jobs waiting to run (vx_blocking.c) */
void vx_sim_run_job(size_t i);
#endif

/* small helpers */
static inline uint32_t vx_rand(uint32_t *s) {
    uint32_t x = *s ? *s : 0x9e3779b9u; /* xorshift32: cheap victim / select-case choice */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}
void vx_fatal(const char *msg);

#endif
