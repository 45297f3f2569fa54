/* vxt_lifecycle.c: deadlock detection in block_on / vx_main (reported in a child process, which
 * must abort with the panic line; never reported while a timer, a blocking job, an I/O op or
 * another runtime's busy worker can still make progress), and `runtime_create/run/destroy`:
 * spawn targets, waiting for a runtime to become idle, destroying a runtime from a task of
 * another one (dropping its tasks, waking its waiters), cancelling a wait. */
#if defined(VX_RT_TESTS)
#include "vxt.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#if !defined(_WIN32)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#define VXT_HAVE_FORK 1

/* Runs fn in a child process (stdout/stderr captured); returns the wait status. The child has a
 * 60 s alarm of its own, so a deadlock that is not detected fails as a TIMEOUT, not a hang (generous:
 * under TSan on a loaded 2-CPU machine, detection in the kqueue-shim build took over 20 s). */
static int in_child(void (*fn)(void), char *out, size_t outn, char *err, size_t errn) {
    int po[2], pe[2];
    if (pipe(po) != 0 || pipe(pe) != 0) return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        alarm(60);
        fn();
        fflush(stdout);
        _exit(0);
    }
    close(po[1]);
    close(pe[1]);
    int st = -1;
    waitpid(pid, &st, 0);
    /* the child writes a few lines at most: far below a pipe's capacity, so reading afterwards
     * cannot block it */
    ssize_t n = read(po[0], out, outn - 1);
    out[n > 0 ? n : 0] = 0;
    n = read(pe[0], err, errn - 1);
    err[n > 0 ? n : 0] = 0;
    close(po[0]);
    close(pe[0]);
    return st;
}

/* The child aborted (SIGABRT, like a Vex panic) printing `want` on stderr and `out_want` on stdout. */
static void expect_abort(void (*fn)(void), const char *want, const char *out_want) {
    char out[4096], err[4096];
    int st = in_child(fn, out, sizeof out, err, sizeof err);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    CHECK(strstr(err, want) != NULL);
    if (out_want) CHECK(strcmp(out, out_want) == 0);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT) || !strstr(err, want))
        fprintf(stderr, "  child status %d, stderr:\n%s\n  stdout:\n%s\n", st, err, out);
}
#endif

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- a task that receives from a channel (maybe forever), recording where it waits ---- */
typedef struct {
    vx_task hdr;
    vx_chan *c;
    vx_chan_op op;
    int32_t v;
    const char *file;
    uint32_t line;
    int32_t ret;
} recv_f;
static _Atomic int recv_drops;
static vx_poll_t recv_poll(vx_task *t) {
    recv_f *f = (recv_f *)t;
    switch (t->resume) {
    case 0:
        vx_chan_op_init(&f->op);
        /* fallthrough */
    case 1:
        if (vx_chan_recv_poll(f->c, &f->op, &f->v, t) == VX_PENDING) {
            t->resume = 1;
            t->wait_file = f->file; /* what generated code does on the root task */
            t->wait_line = f->line;
            return VX_PENDING;
        }
    }
    vx_chan_release(f->c);
    f->ret = f->v;
    return VX_READY;
}
static void recv_drop(vx_task *t) {
    recv_f *f = (recv_f *)t;
    vx_chan_op_cancel(&f->op);
    vx_chan_release(f->c);
    atomic_fetch_add(&recv_drops, 1);
}
VXT_VT(recv_vt, recv_f, recv_poll, recv_drop, ret);
/* consumes the caller's channel reference */
static vx_task *new_recv(vx_chan *c, const char *file, uint32_t line) {
    vx_task *t = vx_task_alloc(&recv_vt);
    ((recv_f *)t)->c = c;
    ((recv_f *)t)->file = file;
    ((recv_f *)t)->line = line;
    return t;
}

/* ---- sleeps ms, then sends 42 (if c), then returns ---- */
typedef struct { vx_task hdr; vx_chan *c; long ms; uint64_t dl; vx_sleep s; vx_chan_op op; int32_t v; int ret; } ssend_f;
static vx_poll_t ssend_poll(vx_task *t) {
    ssend_f *f = (ssend_f *)t;
    switch (t->resume) {
    case 0:
        vx_sleep_init(&f->s);
        vx_chan_op_init(&f->op);
        f->dl = vx_now_ns() + (uint64_t)f->ms * 1000000u;
        f->v = 42;
        /* fallthrough */
    case 1:
        if (vx_sleep_poll(&f->s, f->dl, t) == VX_PENDING) {
            t->resume = 1;
            return VX_PENDING;
        }
        if (!f->c) return VX_READY;
        /* fallthrough */
    case 2:
        if (vx_chan_send_poll(f->c, &f->op, &f->v, t) == VX_PENDING) {
            t->resume = 2;
            return VX_PENDING;
        }
        vx_chan_release(f->c);
    }
    return VX_READY;
}
static void ssend_drop(vx_task *t) {
    ssend_f *f = (ssend_f *)t;
    vx_sleep_cancel(&f->s);
    vx_chan_op_cancel(&f->op);
    if (f->c) vx_chan_release(f->c);
}
VXT_VT(ssend_vt, ssend_f, ssend_poll, ssend_drop, ret);
static vx_task *new_ssend(vx_chan *c, long ms) {
    vx_task *t = vx_task_alloc(&ssend_vt);
    ((ssend_f *)t)->c = c;
    ((ssend_f *)t)->ms = ms;
    return t;
}


/* ================================================================================ deadlocks */

#if defined(VXT_HAVE_FORK)
/* ---- spawns `child` (detached), then receives from c ---- */
typedef struct { vx_task hdr; vx_task *child; vx_chan *c; vx_chan_op op; int32_t v; int32_t ret; } spawnrecv_f;
static vx_poll_t spawnrecv_poll(vx_task *t) {
    spawnrecv_f *f = (spawnrecv_f *)t;
    switch (t->resume) {
    case 0:
        vx_spawn_detached(f->child);
        vx_chan_op_init(&f->op);
        /* fallthrough */
    case 1:
        if (vx_chan_recv_poll(f->c, &f->op, &f->v, t) == VX_PENDING) {
            t->resume = 1;
            t->wait_file = "cycle.vx";
            t->wait_line = 12;
            return VX_PENDING;
        }
    }
    f->ret = f->v;
    return VX_READY;
}
VXT_VT(spawnrecv_vt, spawnrecv_f, spawnrecv_poll, NULL, ret);

static void child_vx_main_recv(void) {
    printf("before"); /* no newline: the report must flush it first, as a Vex panic does */
    vx_config cfg = {0};
    cfg.workers = 2;
    vx_main(&cfg, new_recv(vx_chan_new(sizeof(int32_t), 0, NULL), "prog.vx", 7));
}
static void t_deadlock_vx_main(void) {
    expect_abort(child_vx_main_recv, "panic: deadlock: every task is blocked (main waits at prog.vx:7)\n", "before");
}

static void child_unknown_location(void) {
    vx_config cfg = {0};
    cfg.workers = 1;
    vx_main(&cfg, new_recv(vx_chan_new(sizeof(int32_t), 1, NULL), NULL, 0));
}
static void t_deadlock_unknown_location(void) {
    expect_abort(child_unknown_location, "panic: deadlock: every task is blocked (main waits at ?)\n", "");
}

/* main and a child task each wait on a channel only the other could serve */
static void child_two_tasks(void) {
    vx_runtime *rt = vxt_rt(4);
    vx_chan *c = vx_chan_new(sizeof(int32_t), 0, NULL);
    vx_task *m = vx_task_alloc(&spawnrecv_vt);
    spawnrecv_f *f = (spawnrecv_f *)m;
    f->child = new_recv(vx_chan_new(sizeof(int32_t), 0, NULL), "child.vx", 3);
    f->c = c;
    vx_runtime_block_on(rt, m, NULL);
}
static void t_deadlock_two_tasks(void) {
    expect_abort(child_two_tasks, "panic: deadlock: every task is blocked (main waits at cycle.vx:12)\n", NULL);
}

/* every runtime is looked at: a blocked task on a second, idle runtime changes nothing */
static void child_two_runtimes(void) {
    vx_runtime *a = vxt_rt(2), *b = vxt_rt(2);
    vx_spawn_detached_on(b, new_recv(vx_chan_new(sizeof(int32_t), 0, NULL), "b.vx", 1));
    vx_runtime_block_on(a, new_recv(vx_chan_new(sizeof(int32_t), 0, NULL), "a.vx", 2), NULL);
}
static void t_deadlock_two_runtimes(void) {
    expect_abort(child_two_runtimes, "panic: deadlock: every task is blocked (main waits at a.vx:2)\n", NULL);
}
#endif

/* no report while a timer is armed: main waits 300 ms for a sleeper's message */
static void t_no_deadlock_timer(void) {
    vx_runtime *rt = vxt_rt(2);
    vx_chan *c = vx_chan_new(sizeof(int32_t), 0, NULL);
    vx_chan_retain(c);
    vx_spawn_detached_on(rt, new_ssend(c, 300));
    int32_t v = 0;
    CHECK_EQ(vx_runtime_block_on(rt, new_recv(c, "t.vx", 1), &v), VX_READY);
    CHECK_EQ(v, 42);
    vx_runtime_free(rt);
}

/* ...nor while another runtime has a timer (its task then wakes ours across runtimes) */
static void t_no_deadlock_other_runtime(void) {
    vx_runtime *a = vxt_rt(2), *b = vxt_rt(1);
    vx_chan *c = vx_chan_new(sizeof(int32_t), 0, NULL);
    vx_chan_retain(c);
    vx_spawn_detached_on(b, new_ssend(c, 300));
    int32_t v = 0;
    CHECK_EQ(vx_runtime_block_on(a, new_recv(c, "t.vx", 1), &v), VX_READY);
    CHECK_EQ(v, 42);
    vx_runtime_free(b);
    vx_runtime_free(a);
}

/* ...nor while a blocking-pool job runs (it really blocks its thread for 300 ms) */
static void blocking_sleep_job(void *arg, void *out) {
    (void)arg;
    sleep_ms(300);
    *(int32_t *)out = 5;
}
typedef struct { vx_task hdr; vx_task *h; int32_t v; int32_t ret; } joinjob_f;
static vx_poll_t joinjob_poll(vx_task *t) {
    joinjob_f *f = (joinjob_f *)t;
    if (t->resume == 0) {
        f->h = vx_spawn_blocking(blocking_sleep_job, NULL, sizeof(int32_t));
        t->resume = 1;
    }
    if (vx_join_poll(f->h, &f->v, t) == VX_PENDING) return VX_PENDING;
    vx_task_release(f->h);
    f->ret = f->v;
    return VX_READY;
}
VXT_VT(joinjob_vt, joinjob_f, joinjob_poll, NULL, ret);
static void t_no_deadlock_blocking_job(void) {
    vx_runtime *rt = vxt_rt(2);
    int32_t v = 0;
    CHECK_EQ(vx_runtime_block_on(rt, vx_task_alloc(&joinjob_vt), &v), VX_READY);
    CHECK_EQ(v, 5);
    vx_runtime_free(rt);
}

#if !defined(VX_POLLER_NONE)
/* ...nor while an I/O op waits: a plain thread writes to the socket after 300 ms */
typedef struct { vx_task hdr; vx_handle fd; vx_io_op op; char buf[8]; ptrdiff_t n; int32_t ret; } rd_f;
static vx_poll_t rd_poll(vx_task *t) {
    rd_f *f = (rd_f *)t;
    vx_poll_t r = vx_read_poll(f->fd, &f->op, f->buf, sizeof f->buf, &f->n, t);
    if (r == VX_PENDING) return VX_PENDING;
    f->ret = r == VX_READY ? (int32_t)f->n : -1;
    return VX_READY;
}
VXT_VT(rd_vt, rd_f, rd_poll, NULL, ret);
static void *late_writer(void *arg) {
    sleep_ms(300);
    vxt_send(*(vxt_sock *)arg, "hey", 3);
    return NULL;
}
static void t_no_deadlock_io(void) {
    vx_runtime *rt = vxt_rt(2);
    vxt_sock sv[2];
    CHECK_EQ(vxt_pair(sv), 0);
    vx_set_nonblocking((vx_handle)sv[0]);
    pthread_t th;
    pthread_create(&th, NULL, late_writer, &sv[1]);
    vx_task *t = vx_task_alloc(&rd_vt);
    ((rd_f *)t)->fd = (vx_handle)sv[0];
    int32_t n = 0;
    CHECK_EQ(vx_runtime_block_on(rt, t, &n), VX_READY);
    CHECK_EQ(n, 3);
    pthread_join(th, NULL);
    vx_close((vx_handle)sv[0]);
    vxt_closesock(sv[1]);
    vx_runtime_free(rt);
}
#endif

/* a plain thread wakes the main task after 300 ms: invisible to the runtime, so the check must
 * be turned off (cfg.no_deadlock_check) */
typedef struct { vx_task hdr; _Atomic int armed; int32_t ret; } once_f;
static vx_poll_t once_poll(vx_task *t) {
    once_f *f = (once_f *)t;
    if (t->resume == 0) {
        t->resume = 1;
        atomic_store(&f->armed, 1);
        return VX_PENDING;
    }
    f->ret = 9;
    return VX_READY;
}
VXT_VT(once_vt, once_f, once_poll, NULL, ret);
static void *late_waker(void *arg) {
    vx_task *t = arg;
    while (!atomic_load(&((once_f *)t)->armed)) sched_yield();
    sleep_ms(300);
    vx_wake(t);
    vx_task_release(t);
    return NULL;
}
static void t_no_check_foreign_waker(void) {
    vx_config cfg = {0};
    cfg.workers = 2;
    cfg.no_deadlock_check = 1;
    vx_runtime *rt = vx_runtime_new(&cfg);
    vx_task *t = vx_task_alloc(&once_vt);
    vx_task_retain(t); /* the waker's */
    pthread_t th;
    pthread_create(&th, NULL, late_waker, t);
    int32_t v = 0;
    CHECK_EQ(vx_runtime_block_on(rt, t, &v), VX_READY);
    CHECK_EQ(v, 9);
    pthread_join(th, NULL);
    vx_runtime_free(rt);
}

/* ======================================================= runtime_create / run / destroy */

/* a task of the created runtime: sleeps i % 3 ms, then counts itself if it runs where expected */
static _Atomic int rt_count, rt_wrong;
typedef struct { vx_task hdr; vx_runtime *want; long ms; uint64_t dl; vx_sleep s; int ret; } rtchild_f;
static vx_poll_t rtchild_poll(vx_task *t) {
    rtchild_f *f = (rtchild_f *)t;
    if (t->resume == 0) {
        vx_sleep_init(&f->s);
        f->dl = vx_now_ns() + (uint64_t)f->ms * 1000000u;
        t->resume = 1;
    }
    if (vx_runtime_current() != f->want || t->rt != f->want) atomic_fetch_add(&rt_wrong, 1);
    if (vx_sleep_poll(&f->s, f->dl, t) == VX_PENDING) return VX_PENDING;
    atomic_fetch_add(&rt_count, 1);
    return VX_READY;
}
static void rtchild_drop(vx_task *t) { vx_sleep_cancel(&((rtchild_f *)t)->s); }
VXT_VT(rtchild_vt, rtchild_f, rtchild_poll, rtchild_drop, ret);

/* main: runtime_create(2); go x n; runtime_run; runtime_run again (idle: at once, node reused);
 * runtime_destroy; a go after that lands on main's own runtime */
typedef struct { vx_task hdr; vx_runtime *own, *b; vx_idle_wait iw; int n; int32_t ret; } rtmain_f;
static vx_poll_t rtmain_poll(vx_task *t) {
    rtmain_f *f = (rtmain_f *)t;
    switch (t->resume) {
    case 0: {
        vx_config cfg = {0};
        cfg.workers = 2;
        f->own = t->rt;
        f->b = vx_runtime_new(&cfg); /* runtime_create(2) */
        t->spawn_rt = f->b;
        if (vx_spawn_target(t) != f->b) atomic_fetch_add(&rt_wrong, 1);
        for (int i = 0; i < f->n; i++) {
            vx_task *c = vx_task_alloc(&rtchild_vt);
            ((rtchild_f *)c)->want = f->b;
            ((rtchild_f *)c)->ms = i % 3;
            vx_spawn_detached_on(vx_spawn_target(t), c); /* `go` */
        }
    }
        /* fallthrough */
    case 1:
        if (vx_runtime_idle_poll(f->b, &f->iw, t) == VX_PENDING) { /* runtime_run(b) */
            t->resume = 1;
            return VX_PENDING;
        }
        if (atomic_load(&rt_count) != f->n) atomic_fetch_add(&rt_wrong, 1);
        if (vx_runtime_live_tasks(f->b) != 0) atomic_fetch_add(&rt_wrong, 1);
        /* idle already: ready at once, with the same (reset) node */
        if (vx_runtime_idle_poll(f->b, &f->iw, t) != VX_READY) atomic_fetch_add(&rt_wrong, 1);
        vx_runtime_free(f->b); /* runtime_destroy, from a worker of another runtime */
        t->spawn_rt = NULL;
        if (vx_spawn_target(t) != f->own) atomic_fetch_add(&rt_wrong, 1);
        f->ret = atomic_load(&rt_count);
        {
            vx_task *c = vx_task_alloc(&rtchild_vt);
            ((rtchild_f *)c)->want = f->own;
            vx_spawn_detached_on(vx_spawn_target(t), c);
        }
    }
    return VX_READY;
}
VXT_VT(rtmain_vt, rtmain_f, rtmain_poll, NULL, ret);
static void t_rt_create_run_destroy(void) {
    atomic_store(&rt_count, 0);
    atomic_store(&rt_wrong, 0);
    vx_runtime *rt = vxt_rt(2);
    vx_task *m = vx_task_alloc(&rtmain_vt);
    int n = (int)vxt_n(2000, 200);
    ((rtmain_f *)m)->n = n;
    int32_t got = 0;
    CHECK_EQ(vx_runtime_block_on(rt, m, &got), VX_READY);
    CHECK_EQ(got, n);
    CHECK_EQ(atomic_load(&rt_wrong), 0);
    vx_runtime_free(rt);
}

/* a task waiting in runtime_run(b) wakes (READY) when another task destroys b, which drops b's
 * blocked tasks (drop glue once each); or, aborted, its drop glue unregisters it */
typedef struct { vx_task hdr; vx_runtime *b; vx_idle_wait iw; _Atomic int registered; int32_t ret; } idlew_f;
static vx_poll_t idlew_poll(vx_task *t) {
    idlew_f *f = (idlew_f *)t;
    if (vx_runtime_idle_poll(f->b, &f->iw, t) == VX_PENDING) {
        atomic_store(&f->registered, 1);
        return VX_PENDING;
    }
    f->ret = 1;
    return VX_READY;
}
static void idlew_drop(vx_task *t) { vx_idle_cancel(&((idlew_f *)t)->iw); }
VXT_VT(idlew_vt, idlew_f, idlew_poll, idlew_drop, ret);

typedef struct { vx_task hdr; vx_runtime *b; vx_task *w; int abort_it, k; int32_t r; int32_t ret; } destroyer_f;
static vx_poll_t destroyer_poll(vx_task *t) {
    destroyer_f *f = (destroyer_f *)t;
    switch (t->resume) {
    case 0: {
        vx_config cfg = {0};
        cfg.workers = 2;
        f->b = vx_runtime_new(&cfg);
        for (int i = 0; i < f->k; i++) vx_spawn_detached_on(f->b, new_recv(vx_chan_new(sizeof(int32_t), 0, NULL), NULL, 0));
        vx_task *w = vx_task_alloc(&idlew_vt);
        ((idlew_f *)w)->b = f->b;
        f->w = vx_spawn(w);
        t->resume = 1;
    }
        /* fallthrough */
    case 1:
        if (!atomic_load(&((idlew_f *)f->w)->registered)) return VX_YIELD; /* let it register */
        if (f->abort_it) {
            vx_task_abort(f->w);
        } else {
            vx_runtime_free(f->b); /* runtime_destroy: drops b's tasks, wakes the waiter */
            f->b = NULL;
        }
        /* fallthrough */
    case 2:
        if ((f->r = vx_join_poll(f->w, NULL, t)) == VX_PENDING) {
            t->resume = 2;
            return VX_PENDING;
        }
        vx_task_release(f->w);
        if (f->b) vx_runtime_free(f->b);
        f->ret = f->r;
    }
    return VX_READY;
}
VXT_VT(destroyer_vt, destroyer_f, destroyer_poll, NULL, ret);
static void destroy_case(int abort_it) {
    atomic_store(&recv_drops, 0);
    vx_runtime *rt = vxt_rt(2);
    vx_task *m = vx_task_alloc(&destroyer_vt);
    ((destroyer_f *)m)->abort_it = abort_it;
    ((destroyer_f *)m)->k = 50;
    int32_t r = -1;
    CHECK_EQ(vx_runtime_block_on(rt, m, &r), VX_READY);
    CHECK_EQ(r, abort_it ? VX_CANCELLED : VX_READY);
    CHECK_EQ(atomic_load(&recv_drops), 50);
    vx_runtime_free(rt);
}
static void t_rt_destroy_wakes_waiter(void) { destroy_case(0); }
static void t_rt_cancel_idle_wait(void) { destroy_case(1); }

#if defined(VXT_HAVE_FORK)
/* main waits in runtime_run(b) while b's only task is blocked forever: a deadlock too */
typedef struct { vx_task hdr; vx_runtime *b; vx_idle_wait iw; int32_t ret; } runwait_f;
static vx_poll_t runwait_poll(vx_task *t) {
    runwait_f *f = (runwait_f *)t;
    if (t->resume == 0) {
        vx_config cfg = {0};
        cfg.workers = 1;
        f->b = vx_runtime_new(&cfg);
        vx_spawn_detached_on(f->b, new_recv(vx_chan_new(sizeof(int32_t), 0, NULL), NULL, 0));
        t->resume = 1;
    }
    if (vx_runtime_idle_poll(f->b, &f->iw, t) == VX_PENDING) {
        t->wait_file = "run.vx";
        t->wait_line = 4;
        return VX_PENDING;
    }
    return VX_READY;
}
VXT_VT(runwait_vt, runwait_f, runwait_poll, NULL, ret);
static void child_run_blocked(void) {
    vx_config cfg = {0};
    cfg.workers = 2;
    vx_main(&cfg, vx_task_alloc(&runwait_vt));
}
static void t_deadlock_in_runtime_run(void) {
    expect_abort(child_run_blocked, "panic: deadlock: every task is blocked (main waits at run.vx:4)\n", NULL);
}

/* shutting a runtime down from one of its own workers is refused (it would join itself) */
typedef struct { vx_task hdr; int32_t ret; } selfshut_f;
static vx_poll_t selfshut_poll(vx_task *t) {
    vx_runtime_shutdown(t->rt, 0);
    return VX_READY;
}
VXT_VT(selfshut_vt, selfshut_f, selfshut_poll, NULL, ret);
static void child_self_shutdown(void) {
    vx_main(NULL, vx_task_alloc(&selfshut_vt));
}
static void t_rt_shutdown_own_worker_refused(void) {
    expect_abort(child_self_shutdown, "vx_runtime_shutdown called on one of its own workers", NULL);
}
#endif

const vxt_test vxt_lifecycle_tests[] = {
#if defined(VXT_HAVE_FORK)
    {"deadlock/vx_main_recv", t_deadlock_vx_main},
    {"deadlock/unknown_location", t_deadlock_unknown_location},
    {"deadlock/two_tasks", t_deadlock_two_tasks},
    {"deadlock/two_runtimes", t_deadlock_two_runtimes},
    {"deadlock/in_runtime_run", t_deadlock_in_runtime_run},
#endif
    {"deadlock/not_while_timer", t_no_deadlock_timer},
    {"deadlock/not_while_other_runtime_timer", t_no_deadlock_other_runtime},
    {"deadlock/not_while_blocking_job", t_no_deadlock_blocking_job},
#if !defined(VX_POLLER_NONE)
    {"deadlock/not_while_io_foreign", t_no_deadlock_io},
#endif
    {"deadlock/off_foreign_waker", t_no_check_foreign_waker},
    {"rt/create_run_destroy", t_rt_create_run_destroy},
    {"rt/destroy_wakes_waiter", t_rt_destroy_wakes_waiter},
    {"rt/cancel_idle_wait", t_rt_cancel_idle_wait},
#if defined(VXT_HAVE_FORK)
    {"rt/shutdown_own_worker_refused", t_rt_shutdown_own_worker_refused},
#endif
    {NULL, NULL},
};
#else
typedef int vxt_lifecycle_unused;
#endif
