/* vx_io.c: operation-level I/O on readiness pollers (epoll, kqueue): TCP listen, accept,
 * connect, read, write, cancel, close.
 *
 * Each fd has one vx_io_source (Go's pollDesc): a lock, a readiness `tick`, and one armed reader
 * op and one armed writer op. An op tries the syscall first; on EAGAIN it arms itself, unless
 * the tick moved since before the syscall (readiness arrived in between: retry). The poller
 * bumps the tick and wakes the armed ops, under the source lock, so vx_io_cancel (same lock) is
 * a complete barrier for drop glue. Edge-triggered registration happens once, lazily, on the
 * first EAGAIN.
 *
 * Sources live in a process-wide table indexed by fd and are never freed while the process runs
 * (Go does the same): an event already returned by epoll_wait for a closed fd finds a source
 * whose generation no longer matches the token and is ignored, instead of touching freed memory. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "vx_rt_internal.h"

#if (defined(__unix__) || defined(__APPLE__)) && !defined(VX_POLLER_NONE)
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct vx_io_source {
    vx_lock lock;
    uint32_t gen;            /* bumped when the fd is closed */
    _Atomic uint64_t tick;   /* bumped on every readiness event */
    vx_runtime *rt;          /* poller it is registered with; NULL = not registered */
    vx_io_op *reader, *writer;
} vx_io_source;

#define VX_FD_CHUNK 1024
#define VX_FD_CHUNKS 4096    /* 4M fds */
static _Atomic(vx_io_source *) vx_fd_chunks[VX_FD_CHUNKS];
static pthread_mutex_t vx_fd_mu = PTHREAD_MUTEX_INITIALIZER;

static vx_io_source *vx_source(int fd) {
    if (fd < 0 || fd / VX_FD_CHUNK >= VX_FD_CHUNKS) return NULL;
    _Atomic(vx_io_source *) *slot = &vx_fd_chunks[fd / VX_FD_CHUNK];
    vx_io_source *chunk = atomic_load_explicit(slot, memory_order_acquire);
    if (!chunk) {
        pthread_mutex_lock(&vx_fd_mu);
        chunk = atomic_load_explicit(slot, memory_order_relaxed);
        if (!chunk) {
            chunk = calloc(VX_FD_CHUNK, sizeof *chunk);
            if (!chunk) vx_fatal("out of memory allocating I/O sources");
            for (int i = 0; i < VX_FD_CHUNK; i++) vx_lock_init(&chunk[i].lock);
            atomic_store_explicit(slot, chunk, memory_order_release);
        }
        pthread_mutex_unlock(&vx_fd_mu);
    }
    return &chunk[fd % VX_FD_CHUNK];
}

static uint64_t vx_token(int fd, uint32_t gen) { return (uint64_t)(uint32_t)fd | (uint64_t)gen << 32; }

void vx_io_dispatch(const vx_event *ev, int n) {
    for (int i = 0; i < n; i++) {
        int fd = (int)(uint32_t)ev[i].token;
        vx_io_source *src = vx_source(fd);
        if (!src) continue;
        vx_lock_acquire(&src->lock);
        if (src->rt && src->gen == (uint32_t)(ev[i].token >> 32)) {
            atomic_fetch_add_explicit(&src->tick, 1, memory_order_acq_rel);
            uint32_t r = ev[i].ready;
            if ((r & (VX_IO_READ | VX_IO_HUP | VX_IO_ERR)) && src->reader) {
                vx_wake(src->reader->task);
                src->reader = NULL;
            }
            if ((r & (VX_IO_WRITE | VX_IO_HUP | VX_IO_ERR)) && src->writer) {
                vx_wake(src->writer->task);
                src->writer = NULL;
            }
        }
        vx_lock_release(&src->lock);
    }
}

/* Runtime teardown: forget registrations with its (closing) poller. */
void vx_io_forget_runtime(vx_runtime *rt) {
    for (int c = 0; c < VX_FD_CHUNKS; c++) {
        vx_io_source *chunk = atomic_load(&vx_fd_chunks[c]);
        if (!chunk) continue;
        for (int i = 0; i < VX_FD_CHUNK; i++) {
            vx_io_source *src = &chunk[i];
            vx_lock_acquire(&src->lock);
            if (src->rt == rt) {
                src->rt = NULL;
                src->gen++;
                src->reader = src->writer = NULL;
            }
            vx_lock_release(&src->lock);
        }
    }
}

/* Budget, as for channel ops: PENDING with a self-wake when spent. */
static bool vx_io_budget_spent(vx_task *self) {
    if (self->budget == 0) {
        vx_wake(self);
        return true;
    }
    self->budget--;
    return false;
}

static void vx_io_disarm(vx_io_op *op) {
    if (!op->armed) return;
    vx_io_source *src = op->src;
    vx_lock_acquire(&src->lock);
    if (src->reader == op) src->reader = NULL;
    if (src->writer == op) src->writer = NULL;
    vx_lock_release(&src->lock);
    op->armed = 0;
    atomic_fetch_sub_explicit(&vx_io_waiting, 1, memory_order_relaxed);
}

/* An op armed on an fd that was closed since (vx_close bumped the generation and woke it) must
 * not retry its syscall: the woken task may run before close(2) itself, see EAGAIN and re-arm on
 * an fd about to vanish (it would then sleep forever), or run after the number was reused by a
 * new file. It fails with EBADF instead, without touching the fd. */
static bool vx_io_stale(vx_io_op *op) {
    if (!op->armed) return false;
    vx_io_source *src = op->src;
    vx_lock_acquire(&src->lock);
    bool stale = src->gen != op->gen;
    if (stale) {
        if (src->reader == op) src->reader = NULL;
        if (src->writer == op) src->writer = NULL;
    }
    vx_lock_release(&src->lock);
    if (stale) {
        op->armed = 0;
        atomic_fetch_sub_explicit(&vx_io_waiting, 1, memory_order_relaxed);
        op->err = EBADF;
    }
    return stale;
}

/* EAGAIN path: arm `op` for direction `write`. Returns VX_PENDING, VX_ERROR, or VX_READY meaning
 * "readiness arrived meanwhile: retry the syscall". */
static vx_poll_t vx_io_arm(int fd, vx_io_source *src, uint64_t tick0, vx_io_op *op, bool write,
                           vx_task *self) {
    vx_lock_acquire(&src->lock);
    if (!src->rt) {
        vx_runtime *rt = self->rt;
        int e = vxp_register(&rt->poller, (uintptr_t)fd, vx_token(fd, src->gen));
        if (e != 0) {
            vx_lock_release(&src->lock);
            op->err = -e;
            return VX_ERROR;
        }
        src->rt = rt;
        atomic_fetch_add(&rt->io_sources, 1);
        /* registration reports current readiness as an edge, so retry once right away */
        vx_lock_release(&src->lock);
        return VX_READY;
    }
    if (atomic_load_explicit(&src->tick, memory_order_acquire) != tick0) {
        vx_lock_release(&src->lock);
        return VX_READY;
    }
    op->task = self;
    op->src = src;
    op->gen = src->gen;
    op->armed = 1;
    atomic_fetch_add_explicit(&vx_io_waiting, 1, memory_order_relaxed);
    if (write) src->writer = op;
    else src->reader = op;
    vx_lock_release(&src->lock);
    return VX_PENDING;
}

static bool vx_would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

static ssize_t vx_send(int fd, const void *buf, size_t len) {
#if defined(MSG_NOSIGNAL)
    /* never SIGPIPE the process on a peer reset; fall back to write(2) for pipes */
    ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);
    if (r >= 0 || errno != ENOTSOCK) return r;
#endif
    return write(fd, buf, len);
}

/* One read or write attempt loop: done, failed, or armed for readiness (then retried). */
static vx_poll_t vx_transfer_poll(vx_handle h, vx_io_op *op, void *rbuf, const void *wbuf, size_t len, ptrdiff_t *n,
                                  bool writing, vx_task *self) {
    if (vx_io_stale(op)) return VX_ERROR;
    if (vx_io_budget_spent(self)) return VX_PENDING;
    int fd = (int)h;
    vx_io_source *src = vx_source(fd);
    if (!src) {
        op->err = EBADF;
        return VX_ERROR;
    }
    for (;;) {
        uint64_t tick0 = atomic_load_explicit(&src->tick, memory_order_acquire);
        ssize_t r = writing ? vx_send(fd, wbuf, len) : read(fd, rbuf, len);
        if (r >= 0) {
            vx_io_disarm(op);
            *n = (ptrdiff_t)r;
            return VX_READY;
        }
        int e = errno;
        if (e == EINTR) continue;
        if (!vx_would_block(e)) {
            vx_io_disarm(op);
            op->err = e;
            return VX_ERROR;
        }
        vx_poll_t a = vx_io_arm(fd, src, tick0, op, writing, self);
        if (a != VX_READY) return a;
    }
}

vx_poll_t vx_read_poll(vx_handle h, vx_io_op *op, void *buf, size_t len, ptrdiff_t *n, vx_task *self) {
    return vx_transfer_poll(h, op, buf, NULL, len, n, false, self);
}

vx_poll_t vx_write_poll(vx_handle h, vx_io_op *op, const void *buf, size_t len, ptrdiff_t *n,
                        vx_task *self) {
    return vx_transfer_poll(h, op, NULL, buf, len, n, true, self);
}

int vx_set_nonblocking(vx_handle h) {
    int fd = (int)h;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
    return 0;
}

static int vx_socket(int family) {
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd >= 0) {
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        vx_set_nonblocking((vx_handle)fd);
    }
    return fd;
#endif
}

static int vx_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *ss, socklen_t *len) {
    if (!addr) addr = "127.0.0.1";
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        *len = sizeof *a4;
        return AF_INET;
    }
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        *len = sizeof *a6;
        return AF_INET6;
    }
    return -1;
}

int vx_tcp_listen(const char *addr, uint16_t port, int backlog, vx_handle *out) {
    struct sockaddr_storage ss;
    socklen_t len;
    int family = vx_sockaddr(addr, port, &ss, &len);
    if (family < 0) return -EINVAL;
    int fd = vx_socket(family);
    if (fd < 0) return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog > 0 ? backlog : 1024) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    *out = (vx_handle)fd;
    return 0;
}

int vx_tcp_local_port(vx_handle h) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname((int)h, (struct sockaddr *)&ss, &len) < 0) return -errno;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void vx_nodelay(int fd) {
    int one = 1; /* request/response latency over throughput, like Go's default */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

vx_poll_t vx_tcp_accept_poll(vx_handle l, vx_io_op *op, vx_handle *out, vx_task *self) {
    if (vx_io_stale(op)) return VX_ERROR;
    if (vx_io_budget_spent(self)) return VX_PENDING;
    int fd = (int)l;
    vx_io_source *src = vx_source(fd);
    if (!src) {
        op->err = EBADF;
        return VX_ERROR;
    }
    for (;;) {
        uint64_t tick0 = atomic_load_explicit(&src->tick, memory_order_acquire);
#if defined(__linux__)
        int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        int c = accept(fd, NULL, NULL);
        if (c >= 0) {
            fcntl(c, F_SETFD, FD_CLOEXEC);
            vx_set_nonblocking((vx_handle)c);
        }
#endif
        if (c >= 0) {
            vx_io_disarm(op);
            vx_nodelay(c);
            *out = (vx_handle)c;
            return VX_READY;
        }
        int e = errno;
        if (e == EINTR || e == ECONNABORTED) continue;
        if (!vx_would_block(e)) {
            vx_io_disarm(op);
            op->err = e;
            return VX_ERROR;
        }
        vx_poll_t a = vx_io_arm(fd, src, tick0, op, false, self);
        if (a != VX_READY) return a;
    }
}

vx_poll_t vx_tcp_connect_poll(const char *addr, uint16_t port, vx_io_op *op, vx_handle *out,
                              vx_task *self) {
    if (vx_io_stale(op)) { /* someone closed the socket being connected: it is gone */
        op->stage = 0;
        return VX_ERROR;
    }
    if (vx_io_budget_spent(self)) return VX_PENDING;
    struct sockaddr_storage ss;
    socklen_t len;
    int family = vx_sockaddr(addr, port, &ss, &len);
    if (family < 0) {
        op->err = EINVAL;
        return VX_ERROR;
    }
    if (op->stage == 0) {
        int fd = vx_socket(family);
        if (fd < 0) {
            op->err = errno;
            return VX_ERROR;
        }
        op->fd = fd;
        op->stage = 1;
    }
    int fd = (int)op->fd;
    vx_io_source *src = vx_source(fd);
    for (;;) {
        uint64_t tick0 = atomic_load_explicit(&src->tick, memory_order_acquire);
        /* connect(2) again reports progress: EISCONN once done (the usual non-blocking idiom) */
        int r = connect(fd, (struct sockaddr *)&ss, len);
        int e = r == 0 ? EISCONN : errno;
        if (e == EINTR) continue;
        if (e == EISCONN) {
            vx_io_disarm(op);
            vx_nodelay(fd);
            op->stage = 0;
            *out = (vx_handle)fd;
            return VX_READY;
        }
        if (e != EINPROGRESS && e != EALREADY && !vx_would_block(e)) {
            vx_io_disarm(op);
            vx_close((vx_handle)fd);
            op->stage = 0;
            op->err = e;
            return VX_ERROR;
        }
        vx_poll_t a = vx_io_arm(fd, src, tick0, op, true, self);
        if (a == VX_ERROR) {
            vx_close((vx_handle)fd);
            op->stage = 0;
        }
        if (a != VX_READY) return a;
    }
}

vx_poll_t vx_shutdown_write(vx_handle h) { return shutdown((int)h, SHUT_WR) == 0 ? VX_READY : VX_ERROR; }

void vx_io_cancel(vx_io_op *op) {
    vx_io_disarm(op);
    if (op->stage == 1) { /* a connect in progress owns its socket */
        vx_close((vx_handle)op->fd);
        op->stage = 0;
    }
}

int vx_close(vx_handle h) {
    int fd = (int)h;
    vx_io_source *src = vx_source(fd);
    if (src) {
        vx_lock_acquire(&src->lock);
        if (src->rt) {
            vxp_deregister(&src->rt->poller, (uintptr_t)fd);
            atomic_fetch_sub(&src->rt->io_sources, 1);
            src->rt = NULL;
        }
        src->gen++;
        /* ops still armed retry and see EBADF (the caller closed under them) */
        if (src->reader) vx_wake(src->reader->task);
        if (src->writer) vx_wake(src->writer->task);
        src->reader = src->writer = NULL;
        atomic_fetch_add(&src->tick, 1);
        vx_lock_release(&src->lock);
    }
    return close(fd) == 0 ? 0 : -errno;
}

#elif !defined(VX_POLLER_IOCP) /* Windows: vx_io_iocp.c */
/* No I/O backend on this platform: the runtime links and runs timers, channels and tasks;
 * every I/O operation fails with VX_ERROR / ENOSYS. */
#include <errno.h>
#ifndef ENOSYS
#define ENOSYS 38
#endif
void vx_io_dispatch(const vx_event *ev, int n) { (void)ev; (void)n; }
void vx_io_forget_runtime(vx_runtime *rt) { (void)rt; }
static vx_poll_t vx_io_unsupported(vx_io_op *op) {
    op->err = ENOSYS;
    return VX_ERROR;
}
int vx_tcp_listen(const char *addr, uint16_t port, int backlog, vx_handle *out) {
    (void)addr, (void)port, (void)backlog, (void)out;
    return -ENOSYS;
}
int vx_tcp_local_port(vx_handle h) { (void)h; return -ENOSYS; }
vx_poll_t vx_tcp_accept_poll(vx_handle l, vx_io_op *op, vx_handle *out, vx_task *self) {
    (void)l, (void)out, (void)self;
    return vx_io_unsupported(op);
}
vx_poll_t vx_tcp_connect_poll(const char *addr, uint16_t port, vx_io_op *op, vx_handle *out, vx_task *self) {
    (void)addr, (void)port, (void)out, (void)self;
    return vx_io_unsupported(op);
}
vx_poll_t vx_read_poll(vx_handle h, vx_io_op *op, void *buf, size_t len, ptrdiff_t *n, vx_task *self) {
    (void)h, (void)buf, (void)len, (void)n, (void)self;
    return vx_io_unsupported(op);
}
vx_poll_t vx_write_poll(vx_handle h, vx_io_op *op, const void *buf, size_t len, ptrdiff_t *n, vx_task *self) {
    (void)h, (void)buf, (void)len, (void)n, (void)self;
    return vx_io_unsupported(op);
}
vx_poll_t vx_shutdown_write(vx_handle h) { (void)h; return VX_ERROR; }
void vx_io_cancel(vx_io_op *op) { (void)op; }
int vx_set_nonblocking(vx_handle h) { (void)h; return -ENOSYS; }
int vx_close(vx_handle h) { (void)h; return -ENOSYS; }
#endif
#endif
#if defined(__TINYC__)
typedef int vx_io_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
