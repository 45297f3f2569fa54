/* vx_rt.h: the Vex async runtime, the one header generated code includes.
 *
 * Design: ../../../../shared/design/RUNTIME.md. Tasks are stackless: the compiler lowers every
 * function that can suspend into a frame struct whose FIRST member is a `vx_task` header, plus a
 * poll function that `switch`es on `hdr.resume`. The runtime only ever sees `vx_task *`.
 *
 *     typedef struct { vx_task hdr; int32_t n; vx_sleep s; int32_t ret; } my_frame;
 *     static vx_poll_t my_poll(vx_task *t) {
 *         my_frame *f = (my_frame *)t;
 *         switch (t->resume) {
 *         case 0: vx_sleep_init(&f->s);
 *         case 1: if (vx_sleep_poll(&f->s, deadline, t) == VX_PENDING) { t->resume = 1; return VX_PENDING; }
 *                 f->ret = f->n + 1; return VX_READY;
 *         }
 *         return VX_READY;
 *     }
 *     static void my_drop(vx_task *t) { vx_sleep_cancel(&((my_frame *)t)->s); }
 *     static const vx_task_vtable my_vt = { my_poll, my_drop, sizeof(my_frame),
 *                                           offsetof(my_frame, ret), sizeof(int32_t), "my" };
 *
 * Rules the generated code follows:
 *  - Frames are heap-allocated by vx_task_alloc (zeroed) and never move, so wait nodes
 *    (vx_chan_op, vx_sleep, vx_io_op) live inside the frame and suspending allocates nothing.
 *  - `resume` is written before returning VX_PENDING / VX_YIELD.
 *  - `drop` is called exactly once for a task that never returned VX_READY (abort, shutdown,
 *    spawn after shutdown), possibly before its first poll (`resume == 0`). It must cancel live
 *    ops (vx_chan_op_cancel, vx_sleep_cancel, vx_io_cancel, vx_join_cancel) and release owned
 *    values, but must NOT free the frame: the runtime owns the memory (reference counted).
 *    A task that returned VX_READY is never dropped: its result is moved out by vx_join_poll.
 *  - Every pointer handed to a *_poll function that the op keeps (send element, receive
 *    destination, I/O buffer) must point into the frame (or other memory that outlives the op).
 */
#ifndef VX_RT_H
#define VX_RT_H

#if defined(__TINYC__)
#error "the Vex async runtime needs C11 <stdatomic.h>, which tcc 0.9.27 lacks; build with gcc or clang"
#endif

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vx_task vx_task;
typedef struct vx_runtime vx_runtime;
typedef struct vx_chan vx_chan;
struct vx_io_source;

typedef enum {
    VX_PENDING = 0,   /* not done; the task is registered somewhere that will vx_wake it */
    VX_READY = 1,     /* done */
    VX_YIELD = 2,     /* (poll return only) still runnable, but let others run first */
    VX_CLOSED = 3,    /* channel op on a closed channel */
    VX_CANCELLED = 4, /* join: the child was aborted or dropped at shutdown */
    VX_ERROR = 5      /* I/O op failed; the errno value is in vx_io_op.err */
} vx_poll_t;

/* ---- lifecycle ------------------------------------------------------------------------------ */

typedef struct vx_config {
    int workers;          /* 0 = number of CPUs */
    int blocking_max;     /* blocking pool threads, 0 = max(4, 2*ncpu), capped at 512 */
    uint32_t budget;      /* ops / loop ticks (VX_LOOP_SPIN back edges each) per poll before a
                             task must yield; 0 = 128 */
    int timer_res_us;     /* timer wheel level-0 slot; 0 = 1000 */
    int no_deadlock_check; /* 1: block_on / vx_main never report "every task is blocked" (for
                              programs whose plain threads wake tasks: the runtime cannot see them) */
} vx_config;

/* Starts the worker threads immediately. cfg may be NULL (all defaults). */
vx_runtime *vx_runtime_new(const vx_config *cfg);
/* Spawns `t` (consuming the caller's reference) and blocks the calling (non-worker) thread until
 * it finishes. Copies the result to `out` (may be NULL). Returns VX_READY or VX_CANCELLED.
 * Deadlock detection (Go's "all goroutines are asleep"): while it waits, the thread checks every
 * 50 ms whether the whole process is quiescent: every worker of every runtime parked, no queued
 * task, no timer, no I/O op waiting, no blocking-pool job, and no worker parked or woken since
 * the previous check. Then nothing can ever wake `t`: it prints
 * `panic: deadlock: every task is blocked (main waits at FILE:LINE)` (t's wait_file/wait_line,
 * `?` if unset) on stderr and aborts, like a Vex panic. Off with cfg.no_deadlock_check. */
vx_poll_t vx_runtime_block_on(vx_runtime *rt, vx_task *t, void *out);
/* Stops accepting spawns, waits up to grace_ns for live tasks to finish, stops the workers and
 * drops every remaining task (running their drop glue). Idempotent. Call from a thread that is
 * not one of rt's own workers: a plain thread, or a task of ANOTHER runtime (its worker blocks
 * meanwhile, up to grace_ns + the running polls + rt's running blocking jobs). Blocking-pool
 * jobs still running are waited for (they cannot be interrupted). */
void vx_runtime_shutdown(vx_runtime *rt, uint64_t grace_ns);
/* Shuts down (grace 0) if needed and frees everything. */
void vx_runtime_free(vx_runtime *rt);
/* Program entry (Go semantics): creates a runtime, runs `main_task` (allocated by the caller with
 * vx_task_alloc, arguments already stored in its frame) to completion, drops every other task,
 * frees the runtime. Returns the main task's int32 result if result_size == 4, else 0; 1 if
 * main was cancelled. */
int vx_main(const vx_config *cfg, vx_task *main_task);
/* The runtime of the calling worker thread, else the most recently created live runtime. */
vx_runtime *vx_runtime_current(void);
/* The number of live (spawned, not finished) tasks of rt. */
size_t vx_runtime_live_tasks(vx_runtime *rt);

/* Waiting for a runtime to become idle (`runtime_run(rt)`): a frame-embedded wait node,
 * zero-initialised = idle (it is reset when the poll returns VX_READY, so it can be reused). */
typedef struct vx_idle_wait {
    vx_task *task;
    struct vx_idle_wait *next, *prev;
    vx_runtime *rt;               /* non-NULL while registered */
    _Atomic uint32_t done;        /* set (under rt's idle lock) when rt's live count hit zero */
} vx_idle_wait;
/* VX_READY when rt has no live task; else registers self to be woken when rt's live-task count
 * drops to zero, and returns VX_PENDING. Called from a task of another runtime (a task of rt
 * itself is live, so rt cannot become idle while it waits). */
vx_poll_t vx_runtime_idle_poll(vx_runtime *rt, vx_idle_wait *w, vx_task *self);
/* Drop glue of a task suspended in vx_runtime_idle_poll (a no-op when not registered). */
void vx_idle_cancel(vx_idle_wait *w);

/* ---- tasks ---------------------------------------------------------------------------------- */

typedef struct vx_task_vtable {
    vx_poll_t (*poll)(vx_task *self);
    void (*drop)(vx_task *self); /* may be NULL when the frame owns nothing */
    uint32_t frame_size;         /* sizeof the whole frame, header included */
    uint32_t result_off, result_size;
    const char *name;
} vx_task_vtable;

/* Task state bits (the `state` word). */
enum {
    VX_ST_SCHEDULED = 1u,  /* in exactly one run queue */
    VX_ST_RUNNING = 2u,    /* being polled by exactly one worker */
    VX_ST_NOTIFIED = 4u,   /* woken while running: re-queued when poll returns */
    VX_ST_DONE = 8u,       /* finished (result valid unless CANCELLED); never polled again */
    VX_ST_CANCELLED = 16u, /* abort requested / dropped */
    VX_ST_THREADWAIT = 32u /* a thread blocks in vx_runtime_block_on on this word */
};

struct vx_task {
    const vx_task_vtable *vt;
    _Atomic uint32_t state;
    _Atomic uint32_t refs;       /* one for the runtime while live, one per join handle */
    uint32_t resume;             /* generated state-machine label; 0 on first poll */
    uint32_t budget;             /* remaining cooperative budget of the current poll */
    vx_runtime *rt;
    vx_task *q_next;             /* injector link */
    vx_task *owned_prev, *owned_next; /* the runtime's list of live tasks (shutdown drops them) */
    _Atomic(vx_task *) join_waiter;   /* holds a reference on the waiter while registered */
    /* Where the task waits, for the deadlock report: generated code sets these on the root task
     * (the one vx_main / block_on runs) before returning VX_PENDING. NULL/0 = unknown. */
    const char *wait_file;
    uint32_t wait_line;
    /* `runtime_create`: the runtime this task's `go` statements spawn onto (NULL = its own);
     * see vx_spawn_target. Owned by the generated code (set by runtime_create, cleared by
     * runtime_destroy). */
    vx_runtime *spawn_rt;
};

/* Zeroed frame of vt->frame_size bytes with the header initialised, refs = 1. */
vx_task *vx_task_alloc(const vx_task_vtable *vt);
/* Spawns on the current runtime (the worker's, else vx_runtime_current()). Consumes the caller's
 * reference and returns a join handle (a new reference) that must be released. */
vx_task *vx_spawn(vx_task *t);
vx_task *vx_spawn_on(vx_runtime *rt, vx_task *t);
/* Where a `go` in task `self` spawns: self->spawn_rt if set, else self's runtime (self NULL:
 * vx_runtime_current()). */
static inline vx_runtime *vx_spawn_target(vx_task *self) {
    if (!self) return vx_runtime_current();
    return self->spawn_rt ? self->spawn_rt : self->rt;
}
void vx_spawn_detached(vx_task *t);
void vx_spawn_detached_on(vx_runtime *rt, vx_task *t);
/* VX_READY: result copied to out (may be NULL). VX_CANCELLED: the child was dropped.
 * VX_PENDING: self will be woken when the child finishes. One joiner per child. */
vx_poll_t vx_join_poll(vx_task *child, void *out, vx_task *self);
/* Drop glue of a task suspended in vx_join_poll: unregisters self. */
void vx_join_cancel(vx_task *child, vx_task *self);
/* Cooperative: the task is dropped at its next poll boundary (never mid-poll). */
void vx_task_abort(vx_task *t);
void vx_task_retain(vx_task *t);
void vx_task_release(vx_task *t);
/* Thread-safe, idempotent, from any thread. The caller must guarantee `t` is alive (hold a
 * reference, or hold the lock that t's drop glue takes to unregister). */
void vx_wake(vx_task *t);
/* The task being polled on this thread, or NULL. */
vx_task *vx_current(void);

/* Compiler-inserted on loop back-edges: true => save state and `return VX_YIELD`. Generated
 * code calls it once per VX_LOOP_SPIN back edges, counted down in a local of the poll function:
 * a read-modify-write of `budget` (in memory, shared with nested frames and channel ops) on
 * every iteration was a loop-carried memory dependency that cost tight loops ~10%, and yielding
 * every 128 iterations another ~10%; 16 iterations per budget unit keeps a yield every ~2000
 * iterations of a tight loop. */
#define VX_LOOP_SPIN 16u
static inline int vx_coop_tick(vx_task *self) {
    if (self->budget > 0) {
        self->budget--;
        return 0;
    }
    return 1;
}

/* Runs fn(arg, out) on the blocking thread pool; the returned handle is joinable with
 * vx_join_poll (out_size result bytes). `arg` must stay valid until the job finishes. */
vx_task *vx_spawn_blocking(void (*fn)(void *arg, void *out), void *arg, size_t out_size);
vx_task *vx_spawn_blocking_on(vx_runtime *rt, void (*fn)(void *arg, void *out), void *arg, size_t out_size);

/* ---- time ----------------------------------------------------------------------------------- */

uint64_t vx_now_ns(void); /* monotonic */

typedef struct vx_timer_entry {   /* intrusive timer-wheel node; all fields are runtime-private */
    struct vx_timer_entry *prev, *next;
    vx_task *task;
    vx_runtime *rt;               /* non-NULL once inserted */
    uint64_t deadline, tick;
    _Atomic uint32_t fired;
    uint8_t linked, level, slot;
} vx_timer_entry;
typedef struct vx_sleep { vx_timer_entry e; } vx_sleep;

void vx_sleep_init(vx_sleep *s);
/* VX_READY once vx_now_ns() >= deadline_ns (never early). */
vx_poll_t vx_sleep_poll(vx_sleep *s, uint64_t deadline_ns, vx_task *self);
void vx_sleep_cancel(vx_sleep *s);

/* ---- channels ------------------------------------------------------------------------------- */

/* Elements are copied by value (elem_size bytes). elem_drop (may be NULL) runs on elements still
 * buffered when the channel is freed. cap 0 = unbuffered (rendezvous). refs = 1. */
vx_chan *vx_chan_new(uint32_t elem_size, uint32_t cap, void (*elem_drop)(void *));
void vx_chan_retain(vx_chan *c);
void vx_chan_release(vx_chan *c);

typedef struct vx_chan_op {       /* frame-embedded wait node; zero-initialised = idle */
    vx_task *task;                /* NULL: a plain thread waiting in a *_blocking call */
    struct vx_chan_op *next, *prev;
    void *elem;                   /* send: source, recv: destination */
    vx_chan *chan;
    _Atomic uint32_t *sel_won;    /* select: shared winner word; NULL for a single op */
    _Atomic uint32_t done;        /* 0 waiting, 1 completed, 2 closed */
    int sel_idx;
    uint8_t is_send;
    uint8_t queued;               /* linked in a wait queue (guarded by the channel lock) */
    uint8_t waiting;              /* owner-private: a previous poll returned PENDING */
} vx_chan_op;

void vx_chan_op_init(vx_chan_op *op);
/* VX_READY | VX_PENDING | VX_CLOSED (send on a closed channel: the caller decides to panic). */
vx_poll_t vx_chan_send_poll(vx_chan *c, vx_chan_op *op, const void *elem, vx_task *self);
/* VX_READY | VX_PENDING | VX_CLOSED (closed and drained). */
vx_poll_t vx_chan_recv_poll(vx_chan *c, vx_chan_op *op, void *out, vx_task *self);
/* Drop glue for a task suspended in a send/recv poll. */
void vx_chan_op_cancel(vx_chan_op *op);
/* 1 = done, 0 = would block, -1 = closed. */
int vx_chan_try_send(vx_chan *c, const void *elem);
int vx_chan_try_recv(vx_chan *c, void *out);
/* For plain (non-task) threads: block the OS thread. VX_READY or VX_CLOSED. */
vx_poll_t vx_chan_send_blocking(vx_chan *c, const void *elem);
vx_poll_t vx_chan_recv_blocking(vx_chan *c, void *out);
void vx_chan_close(vx_chan *c);   /* wakes every waiter; closing twice is a no-op */
uint32_t vx_chan_len(vx_chan *c);

#define VX_SELECT_MAX 64
typedef struct vx_select_case {
    vx_chan *ch;                  /* NULL: a nil channel, never ready (Go's way to disable a case) */
    int is_send;
    void *elem;                   /* send: source, recv: destination (in the frame) */
} vx_select_case;
typedef struct vx_select {        /* frame-embedded, next to `vx_chan_op ops[n]` */
    _Atomic uint32_t won;         /* 0 = undecided, else index + 1 of the winning case */
    uint32_t waiting;
} vx_select;
void vx_select_init(vx_select *s, vx_chan_op *ops, uint32_t n);
/* Picks a ready case (random start for fairness), else default (*chosen = -1) if has_default,
 * else enqueues on every case and returns VX_PENDING. On completion *chosen is the case index and
 * the result is VX_READY, or VX_CLOSED if that case's channel was closed (a recv on a closed
 * channel is ready, as in Go). */
vx_poll_t vx_select_poll(vx_select *s, vx_chan_op *ops, const vx_select_case *cases, uint32_t n,
                         int has_default, int *chosen, vx_task *self);
void vx_select_cancel(vx_select *s, vx_chan_op *ops, uint32_t n);

/* ---- I/O: operation level (completion semantics on every OS) -------------------------------- */
/* The *_poll I/O functions must be called from a task (self != NULL): plain threads use ordinary
 * blocking syscalls, or vx_spawn_blocking. Linux (epoll), macOS/BSD (kqueue) and Windows (IOCP);
 * elsewhere they fail with VX_ERROR / ENOSYS. Errors are errno values everywhere (Winsock
 * errors are mapped: WSAECONNREFUSED -> ECONNREFUSED, ...).
 * Windows: a vx_io_op must stay in its frame until the op completes or vx_io_cancel returns
 * (generated code guarantees this: drop glue cancels live ops); one op per vx_io_op at a time. */

typedef uintptr_t vx_handle;      /* fd | SOCKET | HANDLE */
#if defined(_WIN32)
/* The layout of Windows' OVERLAPPED (checked by static asserts in vx_io_iocp.c), declared here so
 * generated code need not include <windows.h>. The kernel writes the status and byte count into
 * it when the operation completes. */
typedef struct vx_overlapped {
    uintptr_t internal, internal_high;
    uint32_t offset, offset_high;
    void *event;
} vx_overlapped;
#endif
typedef struct vx_io_op {         /* frame-embedded; zero-initialised = idle */
#if defined(_WIN32)
    /* IOCP (vx_io_iocp.c): first member, so a completion's OVERLAPPED* is the op's address. An
     * op with `armed` set has an overlapped call in flight: the frame holds a task reference for
     * it, and vx_io_cancel waits for its completion packet before returning. */
    vx_overlapped ov;
    _Atomic uint32_t done;        /* set (release) by whoever dequeues the completion packet */
    uintptr_t accepted;           /* AcceptEx: the socket created for the incoming connection */
    unsigned char addrs[2 * (28 + 16)]; /* AcceptEx: local + remote address, sockaddr_in6 + 16 each */
#endif
    vx_task *task;
    struct vx_io_source *src;     /* the source this op is armed on, if armed */
    intptr_t fd;                  /* connect: the socket being connected */
    int err;                      /* errno of a VX_ERROR result */
    uint32_t gen;                 /* Unix: the source's generation when armed (close bumps it) */
    uint8_t armed, stage;
} vx_io_op;

/* addr: numeric IPv4/IPv6 (NULL = "127.0.0.1"); port 0 = ephemeral. 0 or -errno. */
int vx_tcp_listen(const char *addr, uint16_t port, int backlog, vx_handle *out);
int vx_tcp_local_port(vx_handle h); /* port number or -errno */
vx_poll_t vx_tcp_accept_poll(vx_handle l, vx_io_op *op, vx_handle *out, vx_task *self);
vx_poll_t vx_tcp_connect_poll(const char *addr, uint16_t port, vx_io_op *op, vx_handle *out, vx_task *self);
/* *n = bytes transferred (read: 0 = EOF). One syscall's worth, like read(2)/write(2). */
vx_poll_t vx_read_poll(vx_handle h, vx_io_op *op, void *buf, size_t len, ptrdiff_t *n, vx_task *self);
vx_poll_t vx_write_poll(vx_handle h, vx_io_op *op, const void *buf, size_t len, ptrdiff_t *n, vx_task *self);
vx_poll_t vx_shutdown_write(vx_handle h); /* half-close; VX_READY or VX_ERROR */
/* Synchronous w.r.t. buffer ownership: after it returns the op no longer touches the buffer. */
void vx_io_cancel(vx_io_op *op);
/* Sets O_NONBLOCK on an fd created elsewhere (pipes) so the *_poll functions can use it. */
int vx_set_nonblocking(vx_handle h);
int vx_close(vx_handle h);        /* 0 or -errno; wakes ops still armed on h */

#ifdef __cplusplus
}
#endif
#endif
