/* vx_io_iocp.c: operation-level TCP on Windows over an I/O completion port (vx_poller_iocp.c):
 * listen, AcceptEx, ConnectEx, WSARecv, WSASend, cancel, close. The public API and its errno
 * results are the same as vx_io.c's on the readiness backends.
 *
 * Life of an op (the OVERLAPPED is the first member of the frame-embedded vx_io_op):
 *  1. the first poll starts the overlapped call. Sockets are in FILE_SKIP_COMPLETION_PORT_ON_
 *     SUCCESS mode, so a call that finishes at once returns its result directly and queues no
 *     packet: the poll returns VX_READY / VX_ERROR right away.
 *  2. ERROR_IO_PENDING: the op is `armed`, the poll returns VX_PENDING. The kernel owns the
 *     OVERLAPPED and the buffer until the completion packet is dequeued, so the op holds a task
 *     reference (taken BEFORE the call: the packet may be dequeued and dispatched on another
 *     worker before the call even returns) and counts in rt->io_sources (here: overlapped calls
 *     in flight, which tells busy workers whether a non-blocking port poll can find anything).
 *  3. whichever thread dequeues the packet (vx_io_dispatch) sets op->done, wakes the task, and
 *     drops the reference. The next poll reads the status and byte count from the OVERLAPPED.
 *  4. vx_io_cancel (drop glue) calls CancelIoEx and then WAITS until the packet has been
 *     dispatched, pumping the port itself so that it cannot depend on another worker (there may
 *     be none: one-worker runtimes, shutdown after the workers are joined). Only then may the
 *     frame and buffer go away.
 *
 * A socket must be associated with the port once; a small table (socket -> runtime) remembers
 * which are. vx_close removes the entry, so sockets used with these functions must be closed with
 * vx_close, not closesocket (a reused handle value would otherwise look associated). */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#include "vx_rt_internal.h"
#if defined(VX_POLLER_IOCP)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* vx_rt.h mirrors OVERLAPPED so generated code need not include <windows.h> */
_Static_assert(sizeof(vx_overlapped) == sizeof(OVERLAPPED), "vx_overlapped != OVERLAPPED");
_Static_assert(offsetof(vx_overlapped, internal) == offsetof(OVERLAPPED, Internal), "Internal");
_Static_assert(offsetof(vx_overlapped, internal_high) == offsetof(OVERLAPPED, InternalHigh), "InternalHigh");
_Static_assert(offsetof(vx_overlapped, event) == offsetof(OVERLAPPED, hEvent), "hEvent");
_Static_assert(offsetof(vx_io_op, ov) == 0, "the OVERLAPPED must start the op");
_Static_assert(sizeof(((vx_io_op *)0)->addrs) >= 2 * (sizeof(struct sockaddr_in6) + 16), "AcceptEx buffer");

#define VX_ADDR_LEN ((DWORD)(sizeof(struct sockaddr_in6) + 16)) /* AcceptEx's per-address size */
#define VX_IO_KEY 1u /* completion key of every socket; the OVERLAPPED identifies the op */

/* ---- process-wide setup: Winsock, extension functions ------------------------------------------ */

static LPFN_ACCEPTEX vx_acceptex;
static LPFN_CONNECTEX vx_connectex;
static int vx_wsa_err;
static pthread_once_t vx_wsa_once = PTHREAD_ONCE_INIT;

static void vx_wsa_init(void) {
    WSADATA w;
    /* never WSACleanup'd: sockets may outlive every runtime, and process exit cleans up */
    if (WSAStartup(MAKEWORD(2, 2), &w) != 0) {
        vx_wsa_err = EIO;
        return;
    }
    /* AcceptEx/ConnectEx are provider extensions: fetched through any TCP socket */
    SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
        vx_wsa_err = EIO;
        return;
    }
    GUID ga = WSAID_ACCEPTEX, gc = WSAID_CONNECTEX;
    DWORD br;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &ga, sizeof ga, &vx_acceptex, sizeof vx_acceptex,
                 &br, NULL, NULL) != 0 ||
        WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &gc, sizeof gc, &vx_connectex,
                 sizeof vx_connectex, &br, NULL, NULL) != 0)
        vx_wsa_err = EIO;
    closesocket(s);
}

static int vx_wsa(void) {
    pthread_once(&vx_wsa_once, vx_wsa_init);
    return vx_wsa_err;
}

static int vx_errno_of_wsa(int e) {
    switch (e) {
    case WSAECONNREFUSED: return ECONNREFUSED;
    case WSAECONNRESET: case WSAENETRESET: return ECONNRESET;
    case WSAECONNABORTED: return ECONNABORTED;
    case WSAENOTCONN: return ENOTCONN;
    case WSAESHUTDOWN: return EPIPE;
    case WSAENOTSOCK: case WSA_INVALID_HANDLE: return EBADF; /* == ERROR_INVALID_HANDLE */
    case WSAEADDRINUSE: return EADDRINUSE;
    case WSAEADDRNOTAVAIL: return EADDRNOTAVAIL;
    case WSAENETUNREACH: case WSAENETDOWN: return ENETUNREACH;
    case WSAEHOSTUNREACH: return EHOSTUNREACH;
    case WSAETIMEDOUT: return ETIMEDOUT;
    case WSAEINVAL: case WSA_INVALID_PARAMETER: return EINVAL;
    case WSAEMFILE: return EMFILE;
    case WSAENOBUFS: case WSA_NOT_ENOUGH_MEMORY: return ENOBUFS;
    case WSA_OPERATION_ABORTED: return ECANCELED;
    default: return EIO;
    }
}

/* NTSTATUS of a completed overlapped call (OVERLAPPED.Internal) -> errno. Read from the op itself
 * rather than through WSAGetOverlappedResult, which needs the socket: it may be closed by now. */
static int vx_errno_of_status(uintptr_t st) {
    switch ((uint32_t)st) {
    case 0xC0000236u: return ECONNREFUSED;   /* STATUS_CONNECTION_REFUSED */
    case 0xC000020Du: return ECONNRESET;     /* STATUS_CONNECTION_RESET */
    case 0xC000013Cu: return ECONNRESET;     /* STATUS_REMOTE_DISCONNECT */
    case 0xC000013Bu: return ECONNABORTED;   /* STATUS_LOCAL_DISCONNECT */
    case 0xC0000241u: return ECONNABORTED;   /* STATUS_CONNECTION_ABORTED */
    case 0xC0000120u: return ECANCELED;      /* STATUS_CANCELLED (CancelIoEx, closesocket) */
    case 0xC0000008u: return EBADF;          /* STATUS_INVALID_HANDLE */
    case 0xC00000B5u: return ETIMEDOUT;      /* STATUS_IO_TIMEOUT */
    case 0xC000023Cu: return ENETUNREACH;    /* STATUS_NETWORK_UNREACHABLE */
    case 0xC000023Du: return EHOSTUNREACH;   /* STATUS_HOST_UNREACHABLE */
    case 0xC000009Au: return ENOBUFS;        /* STATUS_INSUFFICIENT_RESOURCES */
    default: return EIO;
    }
}

/* ---- socket -> runtime association table ------------------------------------------------------- */

typedef struct vx_assoc {
    struct vx_assoc *next;
    SOCKET s;
    vx_runtime *rt;
} vx_assoc;
#define VX_ASSOC_BUCKETS 1024u
static vx_assoc *vx_assoc_tab[VX_ASSOC_BUCKETS];
static pthread_mutex_t vx_assoc_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned vx_assoc_hash(SOCKET s) { return (unsigned)(((uintptr_t)s >> 2) % VX_ASSOC_BUCKETS); }

/* Associates s with rt's port unless it already is. 0 or an errno value. */
static int vx_associate(vx_runtime *rt, SOCKET s) {
    unsigned b = vx_assoc_hash(s);
    pthread_mutex_lock(&vx_assoc_mu);
    for (vx_assoc *a = vx_assoc_tab[b]; a; a = a->next) {
        if (a->s == s) {
            int r = a->rt == rt ? 0 : EINVAL; /* Windows: one port per handle, for good */
            pthread_mutex_unlock(&vx_assoc_mu);
            return r;
        }
    }
    int e = vxp_register(&rt->poller, (uintptr_t)s, VX_IO_KEY);
    if (e == 0) {
        vx_assoc *a = malloc(sizeof *a);
        if (!a) vx_fatal("out of memory associating a socket");
        a->s = s;
        a->rt = rt;
        a->next = vx_assoc_tab[b];
        vx_assoc_tab[b] = a;
    }
    pthread_mutex_unlock(&vx_assoc_mu);
    return e == 0 ? 0 : vx_errno_of_wsa(-e);
}

static void vx_dissociate(SOCKET s) {
    unsigned b = vx_assoc_hash(s);
    pthread_mutex_lock(&vx_assoc_mu);
    for (vx_assoc **p = &vx_assoc_tab[b]; *p; p = &(*p)->next) {
        if ((*p)->s == s) {
            vx_assoc *a = *p;
            *p = a->next;
            free(a);
            break;
        }
    }
    pthread_mutex_unlock(&vx_assoc_mu);
}

/* ---- completions ----------------------------------------------------------------------------------- */

void vx_io_dispatch(const vx_event *ev, int n) {
    for (int i = 0; i < n; i++) {
        vx_io_op *op = (vx_io_op *)(uintptr_t)ev[i].token;
        vx_task *t = op->task;
        atomic_fetch_sub_explicit(&t->rt->io_sources, 1, memory_order_relaxed);
        atomic_fetch_sub_explicit(&vx_io_waiting, 1, memory_order_relaxed);
        /* done BEFORE the wake: a poll that runs between the two must not see "not done" and go
         * back to sleep with the wake already spent. From here the owner may reuse or abandon the
         * op, so it is not touched again; our reference keeps the task (and frame) alive. */
        atomic_store_explicit(&op->done, 1, memory_order_release);
        vx_wake(t);
        vx_task_release(t);
    }
}

/* Runtime teardown: every task was dropped, and drop glue waits for its ops, so normally nothing
 * is in flight. An op abandoned without cancel (a task that returned with one pending) still owns
 * a task reference; reap its packet for a bounded time so that reference is not leaked. */
void vx_io_forget_runtime(vx_runtime *rt) {
    uint64_t end = vx_now_ns() + 1000000000u;
    while (atomic_load(&rt->io_sources) > 0 && vx_now_ns() < end) {
        vx_event evs[64];
        int n = vxp_wait(&rt->poller, evs, 64, 10000000);
        if (n > 0) vx_io_dispatch(evs, n);
    }
    pthread_mutex_lock(&vx_assoc_mu);
    for (unsigned b = 0; b < VX_ASSOC_BUCKETS; b++) {
        for (vx_assoc **p = &vx_assoc_tab[b]; *p;) {
            if ((*p)->rt == rt) { /* its port is closing; the socket cannot join another one */
                vx_assoc *a = *p;
                *p = a->next;
                free(a);
            } else {
                p = &(*p)->next;
            }
        }
    }
    pthread_mutex_unlock(&vx_assoc_mu);
}

/* ---- op protocol --------------------------------------------------------------------------------- */

static bool vx_io_budget_spent(vx_task *self) {
    if (self->budget == 0) {
        vx_wake(self);
        return true;
    }
    self->budget--;
    return false;
}

/* Before the overlapped call: reset the OVERLAPPED and account for a possible pending state. */
static void vx_op_begin(vx_io_op *op, vx_task *self, SOCKET s) {
    memset(&op->ov, 0, sizeof op->ov);
    atomic_store_explicit(&op->done, 0, memory_order_relaxed);
    op->task = self;
    op->fd = (intptr_t)s;
    op->armed = 1;
    vx_task_retain(self); /* released by vx_io_dispatch, or below if no packet will come */
    atomic_fetch_add_explicit(&self->rt->io_sources, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&vx_io_waiting, 1, memory_order_relaxed);
}

/* After the call. ok: it completed at once (no packet, thanks to the skip mode). Returns
 * VX_READY (synchronous success), VX_PENDING (a packet will come) or VX_ERROR (op->err set). */
static vx_poll_t vx_op_started(vx_io_op *op, vx_task *self, bool ok) {
    int e = ok ? 0 : WSAGetLastError();
    if (e == WSA_IO_PENDING) return VX_PENDING;
    op->armed = 0;
    atomic_fetch_sub_explicit(&self->rt->io_sources, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&vx_io_waiting, 1, memory_order_relaxed);
    vx_task_release(self); /* never the last reference: the runtime holds one while we run */
    if (ok) return VX_READY;
    op->err = vx_errno_of_wsa(e);
    return VX_ERROR;
}

/* A poll of an armed op: VX_PENDING until its packet was dispatched, then the call's outcome. */
static vx_poll_t vx_op_result(vx_io_op *op, DWORD *bytes) {
    if (!atomic_load_explicit(&op->done, memory_order_acquire)) return VX_PENDING;
    op->armed = 0;
    *bytes = (DWORD)op->ov.internal_high;
    if (op->ov.internal == 0) return VX_READY;
    op->err = vx_errno_of_status(op->ov.internal);
    return VX_ERROR;
}

void vx_io_cancel(vx_io_op *op) {
    if (op->armed) {
        vx_runtime *rt = op->task->rt; /* alive: the op holds a reference on its task */
        /* ERROR_NOT_FOUND means it completed meanwhile: its packet is queued, wait for it too */
        CancelIoEx((HANDLE)(uintptr_t)op->fd, (LPOVERLAPPED)(void *)&op->ov);
        while (!atomic_load_explicit(&op->done, memory_order_acquire)) {
            /* Reap packets ourselves (non-blocking: wake-ups are left for the driver). Another
             * thread that dequeued ours is between GetQueuedCompletionStatusEx and the `done`
             * store: a short yield is enough then. */
            vx_event evs[64];
            int n = vxp_wait(&rt->poller, evs, 64, 0);
            if (n > 0) vx_io_dispatch(evs, n);
            else SwitchToThread();
        }
        op->armed = 0;
    }
    if (op->stage == 1) { /* a connect in progress owns its socket */
        vx_close((vx_handle)op->fd);
        op->stage = 0;
    } else if (op->stage == 2) { /* an accept owns the socket made for the connection */
        closesocket((SOCKET)op->accepted);
        op->stage = 0;
    }
}

/* ---- operations ------------------------------------------------------------------------------------ */

static ULONG vx_io_len(size_t len) { return len > (1u << 30) ? (1u << 30) : (ULONG)len; }

vx_poll_t vx_read_poll(vx_handle h, vx_io_op *op, void *buf, size_t len, ptrdiff_t *n, vx_task *self) {
    SOCKET s = (SOCKET)h;
    DWORD got = 0, flags = 0;
    if (op->armed) {
        vx_poll_t r = vx_op_result(op, &got);
        if (r == VX_READY) *n = (ptrdiff_t)got;
        return r;
    }
    if (vx_io_budget_spent(self)) return VX_PENDING;
    int e = vx_associate(self->rt, s);
    if (e) {
        op->err = e;
        return VX_ERROR;
    }
    /* the WSABUF array is captured by the call, so it may live on the stack */
    WSABUF wb = {vx_io_len(len), (char *)buf};
    vx_op_begin(op, self, s);
    int rc = WSARecv(s, &wb, 1, &got, &flags, (LPWSAOVERLAPPED)(void *)&op->ov, NULL);
    vx_poll_t r = vx_op_started(op, self, rc == 0);
    if (r == VX_READY) *n = (ptrdiff_t)got;
    return r;
}

vx_poll_t vx_write_poll(vx_handle h, vx_io_op *op, const void *buf, size_t len, ptrdiff_t *n,
                        vx_task *self) {
    SOCKET s = (SOCKET)h;
    DWORD sent = 0;
    if (op->armed) {
        vx_poll_t r = vx_op_result(op, &sent);
        if (r == VX_READY) *n = (ptrdiff_t)sent;
        return r;
    }
    if (vx_io_budget_spent(self)) return VX_PENDING;
    int e = vx_associate(self->rt, s);
    if (e) {
        op->err = e;
        return VX_ERROR;
    }
    WSABUF wb = {vx_io_len(len), (char *)(uintptr_t)buf}; /* WSABUF is not const-correct */
    vx_op_begin(op, self, s);
    int rc = WSASend(s, &wb, 1, &sent, 0, (LPWSAOVERLAPPED)(void *)&op->ov, NULL);
    vx_poll_t r = vx_op_started(op, self, rc == 0);
    if (r == VX_READY) *n = (ptrdiff_t)sent;
    return r;
}

static SOCKET vx_socket(int family) {
    return WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                      WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

static int vx_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *ss, int *len) {
    if (!addr) addr = "127.0.0.1";
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        *len = (int)sizeof *a4;
        return AF_INET;
    }
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        *len = (int)sizeof *a6;
        return AF_INET6;
    }
    return -1;
}

static void vx_nodelay(SOCKET s) {
    BOOL one = TRUE; /* request/response latency over throughput, like Go's default */
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
}

int vx_tcp_listen(const char *addr, uint16_t port, int backlog, vx_handle *out) {
    int e = vx_wsa();
    if (e) return -e;
    struct sockaddr_storage ss;
    int len;
    int family = vx_sockaddr(addr, port, &ss, &len);
    if (family < 0) return -EINVAL;
    SOCKET s = vx_socket(family);
    if (s == INVALID_SOCKET) return -vx_errno_of_wsa(WSAGetLastError());
    /* no SO_REUSEADDR: on Windows it lets another socket steal the port; the TIME_WAIT problem it
     * solves on Unix does not exist here. Exclusive use is the safe default. */
    BOOL one = TRUE;
    setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&one, sizeof one);
    if (bind(s, (struct sockaddr *)&ss, len) != 0 || listen(s, backlog > 0 ? backlog : SOMAXCONN) != 0) {
        e = vx_errno_of_wsa(WSAGetLastError());
        closesocket(s);
        return -e;
    }
    /* associated with a port lazily, by the first accept: the runtime is known only then */
    *out = (vx_handle)s;
    return 0;
}

int vx_tcp_local_port(vx_handle h) {
    struct sockaddr_storage ss;
    int len = (int)sizeof ss;
    if (getsockname((SOCKET)h, (struct sockaddr *)&ss, &len) != 0) return -vx_errno_of_wsa(WSAGetLastError());
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* The accepted socket becomes a normal one (getpeername, shutdown work) once it inherits the
 * listener's context; then it joins the port. */
static int vx_accept_finish(vx_runtime *rt, SOCKET l, SOCKET c) {
    if (setsockopt(c, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (const char *)&l, sizeof l) != 0)
        return vx_errno_of_wsa(WSAGetLastError());
    vx_nodelay(c);
    return vx_associate(rt, c);
}

vx_poll_t vx_tcp_accept_poll(vx_handle lh, vx_io_op *op, vx_handle *out, vx_task *self) {
    SOCKET l = (SOCKET)lh;
    for (;;) {
        vx_poll_t r;
        if (op->armed) {
            DWORD bytes;
            r = vx_op_result(op, &bytes);
            if (r == VX_PENDING) return r;
        } else {
            if (vx_io_budget_spent(self)) return VX_PENDING;
            int e = vx_wsa();
            if (!e) e = vx_associate(self->rt, l);
            struct sockaddr_storage ss;
            int len = (int)sizeof ss;
            if (!e && getsockname(l, (struct sockaddr *)&ss, &len) != 0) e = vx_errno_of_wsa(WSAGetLastError());
            SOCKET c = INVALID_SOCKET;
            if (!e && (c = vx_socket(ss.ss_family)) == INVALID_SOCKET) e = vx_errno_of_wsa(WSAGetLastError());
            if (e) {
                op->err = e;
                return VX_ERROR;
            }
            op->accepted = (uintptr_t)c;
            op->stage = 2;
            DWORD bytes = 0;
            vx_op_begin(op, self, l);
            BOOL ok = vx_acceptex(l, c, op->addrs, 0, VX_ADDR_LEN, VX_ADDR_LEN, &bytes,
                                  (LPOVERLAPPED)(void *)&op->ov);
            r = vx_op_started(op, self, ok != FALSE);
            if (r == VX_PENDING) return r;
        }
        SOCKET c = (SOCKET)op->accepted;
        op->stage = 0;
        if (r == VX_READY) {
            int e = vx_accept_finish(self->rt, l, c);
            if (e == 0) {
                *out = (vx_handle)c;
                return VX_READY;
            }
            op->err = e;
        }
        closesocket(c);
        /* a connection reset before we took it is not the listener's failure: take the next */
        if (op->err != ECONNRESET && op->err != ECONNABORTED) return VX_ERROR;
    }
}

vx_poll_t vx_tcp_connect_poll(const char *addr, uint16_t port, vx_io_op *op, vx_handle *out,
                              vx_task *self) {
    vx_poll_t r;
    if (op->armed) {
        DWORD bytes;
        r = vx_op_result(op, &bytes);
        if (r == VX_PENDING) return r;
    } else {
        if (vx_io_budget_spent(self)) return VX_PENDING;
        int e = vx_wsa();
        struct sockaddr_storage ss, any;
        int len, family = -1;
        if (!e) family = vx_sockaddr(addr, port, &ss, &len);
        if (!e && family < 0) e = EINVAL;
        SOCKET s = INVALID_SOCKET;
        if (!e && (s = vx_socket(family)) == INVALID_SOCKET) e = vx_errno_of_wsa(WSAGetLastError());
        if (e) {
            op->err = e;
            return VX_ERROR;
        }
        op->fd = (intptr_t)s;
        op->stage = 1;
        /* ConnectEx wants a bound socket: the wildcard address, an ephemeral port */
        memset(&any, 0, sizeof any);
        any.ss_family = (ADDRESS_FAMILY)family;
        if (bind(s, (struct sockaddr *)&any, len) != 0) e = vx_errno_of_wsa(WSAGetLastError());
        if (!e) e = vx_associate(self->rt, s);
        if (e) {
            op->err = e;
            vx_close((vx_handle)s);
            op->stage = 0;
            return VX_ERROR;
        }
        vx_op_begin(op, self, s);
        BOOL ok = vx_connectex(s, (struct sockaddr *)&ss, len, NULL, 0, NULL, (LPOVERLAPPED)(void *)&op->ov);
        r = vx_op_started(op, self, ok != FALSE);
        if (r == VX_PENDING) return r;
    }
    SOCKET s = (SOCKET)op->fd;
    op->stage = 0;
    if (r == VX_READY) {
        /* makes getpeername/shutdown work on a ConnectEx socket */
        if (setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0) != 0) {
            op->err = vx_errno_of_wsa(WSAGetLastError());
        } else {
            vx_nodelay(s);
            *out = (vx_handle)s;
            return VX_READY;
        }
    }
    vx_close((vx_handle)s);
    return VX_ERROR;
}

vx_poll_t vx_shutdown_write(vx_handle h) { return shutdown((SOCKET)h, SD_SEND) == 0 ? VX_READY : VX_ERROR; }

/* Overlapped sockets need no non-blocking mode: the calls never block the thread. */
int vx_set_nonblocking(vx_handle h) {
    (void)h;
    return 0;
}

int vx_close(vx_handle h) {
    SOCKET s = (SOCKET)h;
    vx_dissociate(s);
    /* pending calls on s complete with STATUS_CANCELLED / LOCAL_DISCONNECT: their tasks wake and
     * see an error, like EBADF after a close under an armed op on Unix */
    return closesocket(s) == 0 ? 0 : -vx_errno_of_wsa(WSAGetLastError());
}
#else
typedef int vx_io_iocp_unused; /* ISO C forbids an empty translation unit */
#endif
#endif
#if defined(__TINYC__)
typedef int vx_io_iocp_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
