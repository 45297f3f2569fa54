/* vxt_io.c: TCP echo over loopback (1 and 100 connections), half-close and EOF, a socket with
 * one unread byte (wakes exactly once), cancellation during a pending read, connect errors. */
#if defined(VX_RT_TESTS)
#include "vxt.h" /* defines VX_POLLER_* */
#endif
#if defined(VX_RT_TESTS) && !defined(VX_POLLER_NONE)

#include <errno.h>
#include <sched.h>
#include <time.h>

/* The test thread plays a plain blocking peer over a connected pair (vxt.h): a Unix socketpair,
 * or on Windows a loopback TCP pair (sv[0] goes to the runtime, so it must be an overlapped
 * socket, which is what socket() makes there). */
#if defined(_WIN32)
#include <winsock2.h>
#define VXT_SHUT_WR SD_SEND
int vxt_pair(vxt_sock sv[2]) {
    WSADATA w;
    if (WSAStartup(MAKEWORD(2, 2), &w) != 0) return -1;
    SOCKET l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int al = (int)sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &al))
        return -1;
    SOCKET c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&a, sizeof a)) return -1;
    SOCKET s = accept(l, NULL, NULL);
    closesocket(l);
    sv[0] = (vxt_sock)s;
    sv[1] = (vxt_sock)c;
    return s == INVALID_SOCKET ? -1 : 0;
}
int vxt_send(vxt_sock s, const char *b, int n) { return send((SOCKET)s, b, n, 0); }
int vxt_recv(vxt_sock s, char *b, int n) { return recv((SOCKET)s, b, n, 0); }
void vxt_closesock(vxt_sock s) { closesocket((SOCKET)s); }
#else
#include <sys/socket.h>
#include <unistd.h>
#define VXT_SHUT_WR SHUT_WR
int vxt_pair(vxt_sock sv[2]) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return -1;
    sv[0] = (vxt_sock)fds[0];
    sv[1] = (vxt_sock)fds[1];
    return 0;
}
int vxt_send(vxt_sock s, const char *b, int n) { return (int)write((int)s, b, (size_t)n); }
int vxt_recv(vxt_sock s, char *b, int n) { return (int)read((int)s, b, (size_t)n); }
void vxt_closesock(vxt_sock s) { close((int)s); }
#endif

static void wait_task(vx_task *h) {
    while (!(atomic_load(&h->state) & VX_ST_DONE)) sched_yield();
}

/* ---- echo connection: read, write back everything, until EOF ---- */
typedef struct { vx_task hdr; vx_handle fd; vx_io_op op; char buf[4096]; ptrdiff_t n, off, w; int ret; } econn_f;
static vx_poll_t econn_poll(vx_task *t) {
    econn_f *f = (econn_f *)t;
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
static void econn_drop(vx_task *t) {
    econn_f *f = (econn_f *)t;
    vx_io_cancel(&f->op);
    vx_close(f->fd);
}
VXT_VT(econn_vt, econn_f, econn_poll, econn_drop, ret);

/* ---- server: accept `n` connections, spawn an echo task for each ---- */
typedef struct { vx_task hdr; vx_handle l, c; int n, i; vx_io_op op; int ret; } server_f;
static vx_poll_t server_poll(vx_task *t) {
    server_f *f = (server_f *)t;
    vx_poll_t r;
    switch (t->resume) {
    case 0:
        for (f->i = 0; f->i < f->n; f->i++) {
            /* fallthrough */
        case 1:
            r = vx_tcp_accept_poll(f->l, &f->op, &f->c, t);
            if (r == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            if (r == VX_ERROR) {
                f->ret = -f->op.err;
                break;
            }
            vx_task *c = vx_task_alloc(&econn_vt);
            ((econn_f *)c)->fd = f->c;
            vx_spawn_detached(c);
        }
        vx_close(f->l);
    }
    return VX_READY;
}
static void server_drop(vx_task *t) {
    server_f *f = (server_f *)t;
    vx_io_cancel(&f->op);
    vx_close(f->l);
}
VXT_VT(server_vt, server_f, server_poll, server_drop, ret);

/* ---- client: connect, `rounds` x (write 64 B, read 64 B back, compare) ---- */
typedef struct {
    vx_task hdr; uint16_t port; int rounds, i, id; vx_handle fd; vx_io_op op;
    char out[64], in[64]; ptrdiff_t n, got, w; int bad; int ret;
} client_f;
static vx_poll_t client_poll(vx_task *t) {
    client_f *f = (client_f *)t;
    vx_poll_t r;
    switch (t->resume) {
    case 0:
        /* fallthrough */
    case 1:
        r = vx_tcp_connect_poll("127.0.0.1", f->port, &f->op, &f->fd, t);
        if (r == VX_PENDING) {
            t->resume = 1;
            return VX_PENDING;
        }
        if (r == VX_ERROR) {
            f->ret = -1;
            return VX_READY;
        }
        for (f->i = 0; f->i < f->rounds; f->i++) {
            for (int k = 0; k < 64; k++) f->out[k] = (char)(f->id * 31 + f->i + k);
            for (f->got = 0; f->got < 64; f->got += f->w) {
            case 2:
                r = vx_write_poll(f->fd, &f->op, f->out + f->got, (size_t)(64 - f->got), &f->w, t);
                if (r == VX_PENDING) {
                    t->resume = 2;
                    return VX_PENDING;
                }
                if (r == VX_ERROR) {
                    f->bad++;
                    goto done;
                }
            }
            for (f->got = 0; f->got < 64; f->got += f->n) {
            case 3:
                r = vx_read_poll(f->fd, &f->op, f->in + f->got, (size_t)(64 - f->got), &f->n, t);
                if (r == VX_PENDING) {
                    t->resume = 3;
                    return VX_PENDING;
                }
                if (r == VX_ERROR || f->n == 0) {
                    f->bad++;
                    goto done;
                }
            }
            if (memcmp(f->in, f->out, 64) != 0) f->bad++;
        }
    done:
        vx_close(f->fd);
        f->ret = f->bad;
    }
    return VX_READY;
}
VXT_VT(client_vt, client_f, client_poll, NULL, ret);

static void echo_test(int conns, int rounds) {
    vx_runtime *rt = vxt_rt(2);
    vx_handle l;
    CHECK_EQ(vx_tcp_listen("127.0.0.1", 0, 1024, &l), 0);
    int port = vx_tcp_local_port(l);
    CHECK(port > 0);
    vx_task *s = vx_task_alloc(&server_vt);
    ((server_f *)s)->l = l;
    ((server_f *)s)->n = conns;
    vx_task *sh = vx_spawn_on(rt, s);
    vx_task **cs = calloc((size_t)conns, sizeof *cs);
    for (int i = 0; i < conns; i++) {
        vx_task *c = vx_task_alloc(&client_vt);
        ((client_f *)c)->port = (uint16_t)port;
        ((client_f *)c)->rounds = rounds;
        ((client_f *)c)->id = i;
        cs[i] = vx_spawn_on(rt, c);
    }
    for (int i = 0; i < conns; i++) {
        wait_task(cs[i]);
        CHECK_EQ(((client_f *)cs[i])->ret, 0);
        vx_task_release(cs[i]);
    }
    wait_task(sh);
    CHECK_EQ(((server_f *)sh)->ret, 0);
    vx_task_release(sh);
    free(cs);
    vx_runtime_free(rt); /* echo tasks finish on EOF; any stragglers are dropped (closing fds) */
}
static void t_tcp_echo_1(void) { echo_test(1, (int)vxt_n(5000, 200)); }
static void t_tcp_echo_100(void) { echo_test(100, (int)vxt_n(200, 20)); }

/* ---- half-close: client sends, shuts down writing; server counts to EOF, replies, closes ---- */
typedef struct { vx_task hdr; vx_handle fd; vx_io_op op; char buf[256]; ptrdiff_t n, total, w; int ret; } hc_server_f;
static vx_poll_t hc_server_poll(vx_task *t) {
    hc_server_f *f = (hc_server_f *)t;
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
            if (r == VX_ERROR) {
                f->ret = -1;
                return VX_READY;
            }
            if (f->n == 0) break; /* EOF from the half-close */
            f->total += f->n;
        }
        f->buf[0] = (char)f->total;
        /* fallthrough */
    case 2:
        r = vx_write_poll(f->fd, &f->op, f->buf, 1, &f->w, t);
        if (r == VX_PENDING) {
            t->resume = 2;
            return VX_PENDING;
        }
        vx_close(f->fd);
        f->ret = (int)f->total;
    }
    return VX_READY;
}
VXT_VT(hc_server_vt, hc_server_f, hc_server_poll, NULL, ret);
static void t_half_close_eof(void) {
    vx_runtime *rt = vxt_rt(2);
    vxt_sock sv[2] = {0, 0};
    CHECK_EQ(vxt_pair(sv), 0);
    vx_set_nonblocking((vx_handle)sv[0]);
    vx_task *s = vx_task_alloc(&hc_server_vt);
    ((hc_server_f *)s)->fd = (vx_handle)sv[0];
    vx_task *h = vx_spawn_on(rt, s);
    /* this thread plays the (blocking) client */
    CHECK_EQ(vxt_send(sv[1], "hello", 5), 5);
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
    CHECK_EQ(vxt_send(sv[1], "world!", 6), 6);
    CHECK_EQ(shutdown(sv[1], VXT_SHUT_WR), 0);
    char c = 0;
    CHECK_EQ(vxt_recv(sv[1], &c, 1), 1);
    CHECK_EQ(c, 11);
    CHECK_EQ(vxt_recv(sv[1], &c, 1), 0); /* and EOF after the server closed */
    wait_task(h);
    CHECK_EQ(((hc_server_f *)h)->ret, 11);
    vx_task_release(h);
    vxt_closesock(sv[1]);
    vx_runtime_free(rt);
}

/* ---- one unread byte: exactly one wake per edge, no wake storm ---- */
typedef struct { vx_task hdr; vx_handle fd; vx_io_op op; char b; ptrdiff_t n; _Atomic int polls; int got; int ret; } onebyte_f;
static vx_poll_t onebyte_poll(vx_task *t) {
    onebyte_f *f = (onebyte_f *)t;
    vx_poll_t r;
    atomic_fetch_add(&f->polls, 1);
    for (;;) {
        r = vx_read_poll(f->fd, &f->op, &f->b, 1, &f->n, t);
        if (r == VX_PENDING) return VX_PENDING;
        if (r == VX_ERROR || f->n == 0) return VX_READY;
        f->got++;
    }
}
static void onebyte_drop(vx_task *t) { vx_io_cancel(&((onebyte_f *)t)->op); }
VXT_VT(onebyte_vt, onebyte_f, onebyte_poll, onebyte_drop, ret);
static void t_one_byte_unread(void) {
    vx_runtime *rt = vxt_rt(2);
    vxt_sock sv[2] = {0, 0};
    CHECK_EQ(vxt_pair(sv), 0);
    vx_set_nonblocking((vx_handle)sv[0]);
    vx_task *t = vx_task_alloc(&onebyte_vt);
    onebyte_f *f = (onebyte_f *)t;
    f->fd = (vx_handle)sv[0];
    vx_task *h = vx_spawn_on(rt, t);
    /* Wait for each poll instead of sleeping a fixed time (a loaded machine or wine can
       take longer than any fixed nap), then settle: a spurious extra wake-up would show. */
    struct timespec ts = {0, 20000000};
    while (atomic_load(&f->polls) < 1 || (atomic_load(&h->state) & VX_ST_RUNNING)) sched_yield();
    nanosleep(&ts, NULL);
    CHECK_EQ(atomic_load(&f->polls), 1);
    CHECK_EQ(vxt_send(sv[1], "x", 1), 1);
    while (atomic_load(&f->polls) < 2 || (atomic_load(&h->state) & VX_ST_RUNNING)) sched_yield();
    nanosleep(&ts, NULL);
    nanosleep(&ts, NULL);
    CHECK_EQ(atomic_load(&f->polls), 2); /* woken exactly once for the byte */
    vxt_closesock(sv[1]);
    wait_task(h);
    CHECK_EQ(atomic_load(&f->polls), 3); /* and once more for EOF */
    CHECK_EQ(f->got, 1);
    vx_task_release(h);
    vx_close((vx_handle)sv[0]);
    vx_runtime_free(rt);
}

/* ---- cancel a pending read: abort -> drop glue -> vx_io_cancel; later data wakes nobody ---- */
static void t_cancel_pending_read(void) {
    vx_runtime *rt = vxt_rt(2);
    vxt_sock sv[2] = {0, 0};
    CHECK_EQ(vxt_pair(sv), 0);
    vx_set_nonblocking((vx_handle)sv[0]);
    vx_task *t = vx_task_alloc(&onebyte_vt);
    onebyte_f *f = (onebyte_f *)t;
    f->fd = (vx_handle)sv[0];
    vx_task *h = vx_spawn_on(rt, t);
    while (atomic_load(&f->polls) < 1 || (atomic_load(&h->state) & VX_ST_RUNNING)) sched_yield();
    vx_task_abort(h);
    wait_task(h);
    CHECK(atomic_load(&h->state) & VX_ST_CANCELLED);
    CHECK_EQ(f->op.armed, 0);
    CHECK_EQ(vxt_send(sv[1], "y", 1), 1); /* the edge arrives after cancel: must touch nothing */
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
    CHECK_EQ(atomic_load(&f->polls), 1);
    vx_task_release(h);
    vxt_closesock(sv[1]);
    vx_close((vx_handle)sv[0]);
    vx_runtime_free(rt);
}

/* ---- connect to a closed port: VX_ERROR with ECONNREFUSED ---- */
static void t_connect_refused(void) {
    vx_runtime *rt = vxt_rt(1);
    vx_handle l;
    CHECK_EQ(vx_tcp_listen("127.0.0.1", 0, 1, &l), 0);
    int port = vx_tcp_local_port(l);
    vx_close(l); /* nobody listens there now */
    vx_task *c = vx_task_alloc(&client_vt);
    ((client_f *)c)->port = (uint16_t)port;
    ((client_f *)c)->rounds = 1;
    vx_task *h = vx_spawn_on(rt, c);
    wait_task(h);
    CHECK_EQ(((client_f *)h)->ret, -1);
    CHECK_EQ(((client_f *)h)->op.err, ECONNREFUSED);
    vx_task_release(h);
    vx_runtime_free(rt);
}

/* ---- cancel a pending accept: the drop glue returns only once the listener no longer refers to
 * the op (IOCP: CancelIoEx + waiting for the packet; the pre-made socket is closed) ---- */
static void t_cancel_pending_accept(void) {
    vx_runtime *rt = vxt_rt(1);
    vx_handle l;
    CHECK_EQ(vx_tcp_listen("127.0.0.1", 0, 16, &l), 0);
    vx_task *s = vx_task_alloc(&server_vt);
    ((server_f *)s)->l = l;
    ((server_f *)s)->n = 1;
    vx_task *h = vx_spawn_on(rt, s);
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL); /* parked in accept */
    vx_task_abort(h);
    wait_task(h);
    CHECK(atomic_load(&h->state) & VX_ST_CANCELLED);
    CHECK_EQ(((server_f *)h)->op.armed, 0);
    vx_task_release(h); /* the drop glue closed the listener */
    vx_runtime_free(rt);
}

/* ---- closing a socket under a pending read fails the read (Unix: woken, EBADF; IOCP: the
 * overlapped call completes cancelled/aborted), and the task finishes normally ---- */
static void t_close_under_pending_read(void) {
    vx_runtime *rt = vxt_rt(2);
    vxt_sock sv[2] = {0, 0};
    CHECK_EQ(vxt_pair(sv), 0);
    vx_set_nonblocking((vx_handle)sv[0]);
    vx_task *t = vx_task_alloc(&onebyte_vt);
    onebyte_f *f = (onebyte_f *)t;
    f->fd = (vx_handle)sv[0];
    vx_task *h = vx_spawn_on(rt, t);
    while (atomic_load(&f->polls) < 1 || (atomic_load(&h->state) & VX_ST_RUNNING)) sched_yield();
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
    vx_close((vx_handle)sv[0]);
    wait_task(h);
    CHECK(!(atomic_load(&h->state) & VX_ST_CANCELLED));
    CHECK(f->op.err != 0); /* VX_ERROR, not EOF */
    CHECK_EQ(f->got, 0);
    CHECK_EQ(f->op.armed, 0);
    vx_task_release(h);
    vxt_closesock(sv[1]);
    vx_runtime_free(rt);
}

/* ---- a write larger than the socket buffers stays pending until the peer reads ---- */
enum { BIG = 4 << 20 };
typedef struct { vx_task hdr; vx_handle fd; vx_io_op op; char *buf; ptrdiff_t off, w; int ret; } bigw_f;
static vx_poll_t bigw_poll(vx_task *t) {
    bigw_f *f = (bigw_f *)t;
    vx_poll_t r;
    switch (t->resume) {
    case 0:
        for (f->off = 0; f->off < BIG; f->off += f->w) {
            /* fallthrough */
        case 1:
            r = vx_write_poll(f->fd, &f->op, f->buf + f->off, (size_t)(BIG - f->off), &f->w, t);
            if (r == VX_PENDING) {
                t->resume = 1;
                return VX_PENDING;
            }
            if (r == VX_ERROR) {
                f->ret = -1;
                return VX_READY;
            }
        }
        vx_shutdown_write(f->fd);
    }
    return VX_READY;
}
static void bigw_drop(vx_task *t) { vx_io_cancel(&((bigw_f *)t)->op); }
VXT_VT(bigw_vt, bigw_f, bigw_poll, bigw_drop, ret);
static void t_big_write_backpressure(void) {
    vx_runtime *rt = vxt_rt(2);
    vxt_sock sv[2] = {0, 0};
    CHECK_EQ(vxt_pair(sv), 0);
    vx_set_nonblocking((vx_handle)sv[0]);
    char *buf = malloc(BIG), *in = malloc(65536);
    for (int i = 0; i < BIG; i++) buf[i] = (char)(i * 7 + i / 4096);
    vx_task *t = vx_task_alloc(&bigw_vt);
    ((bigw_f *)t)->fd = (vx_handle)sv[0];
    ((bigw_f *)t)->buf = buf;
    vx_task *h = vx_spawn_on(rt, t);
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL); /* the writer fills the buffers and waits */
    long got = 0, bad = 0;
    for (;;) {
        int n = vxt_recv(sv[1], in, 65536);
        if (n <= 0) break;
        for (int i = 0; i < n; i++) bad += in[i] != buf[got + i];
        got += n;
    }
    CHECK_EQ(got, BIG);
    CHECK_EQ(bad, 0);
    wait_task(h);
    CHECK_EQ(((bigw_f *)h)->ret, 0);
    vx_task_release(h);
    vx_close((vx_handle)sv[0]);
    vxt_closesock(sv[1]);
    free(buf);
    free(in);
    vx_runtime_free(rt);
}

const vxt_test vxt_io_tests[] = {
    {"io/tcp_echo_1_conn", t_tcp_echo_1},
    {"io/tcp_echo_100_conns", t_tcp_echo_100},
    {"io/half_close_eof", t_half_close_eof},
    {"io/one_byte_unread_wakes_once", t_one_byte_unread},
    {"io/cancel_pending_read", t_cancel_pending_read},
    {"io/connect_refused", t_connect_refused},
    {"io/cancel_pending_accept", t_cancel_pending_accept},
    {"io/close_under_pending_read", t_close_under_pending_read},
    {"io/big_write_backpressure", t_big_write_backpressure},
    {NULL, NULL},
};
#elif defined(VX_RT_TESTS)
const vxt_test vxt_io_tests[] = {{NULL, NULL}}; /* no I/O backend on this platform */
#else
typedef int vxt_io_unused;
#endif
