/* vx_poller.h: the internal poller interface every backend implements (never seen by generated
 * code). A backend turns OS readiness into vx_event records; vx_io.c maps tokens to sources.
 *
 *   vxp_init / vxp_close      one poller per runtime
 *   vxp_register(fd, token)   once per fd, edge-triggered, both directions
 *   vxp_deregister(fd)        before close(fd)
 *   vxp_wait                  blocks up to timeout_ns (< 0: forever, 0: poll); returns the number
 *                             of I/O events written to out. Several threads may call it at once
 *                             (only one ever blocks: the driver token holder); wake-ups are
 *                             consumed only by a blocking call, never by timeout 0.
 *   vxp_wake                  thread-safe, coalesced through an atomic flag
 *
 * Backends: vx_poller_epoll.c (Linux), vx_poller_kqueue.c (macOS/BSD; shim-tested on Linux),
 * vx_poller_iocp.c (Windows; run under wine), vx_poller_none.c (elsewhere: timers and wake-ups
 * only, no I/O). Each backend compiles to an empty unit on the other platforms;
 * check_pollers.sh verifies each implements every function.
 *
 * IOCP is a completion API, so there "register" means associating a socket with the port, and
 * vxp_wait returns completions: an event's token is the address of the finished OVERLAPPED
 * (the first member of a frame-embedded vx_io_op), `ready` is unused. vx_io_iocp.c maps them
 * back to ops; vx_io.c does the same job for the readiness backends. */
#ifndef VX_POLLER_H
#define VX_POLLER_H

#include <stdatomic.h>
#include <stdint.h>

enum { VX_IO_READ = 1u, VX_IO_WRITE = 2u, VX_IO_HUP = 4u, VX_IO_ERR = 8u };

typedef struct vx_event {
    uint64_t token;
    uint32_t ready; /* VX_IO_* */
} vx_event;

#if defined(VX_POLLER_KQUEUE) || defined(__APPLE__) || defined(__FreeBSD__) || \
    defined(__NetBSD__) || defined(__OpenBSD__) || defined(__DragonFly__)
/* (-DVX_POLLER_KQUEUE on Linux selects kqueue over the test shim in tests/kqshim;
 *  -DVX_PORTABLE selects the no-I/O fallback, to test it on Linux) */
#undef VX_POLLER_KQUEUE
#define VX_POLLER_KQUEUE 1
typedef struct vxp {
    int kq;
    _Atomic int wake_pending;
} vxp;
#elif defined(__linux__) && !defined(VX_PORTABLE)
#define VX_POLLER_EPOLL 1
typedef struct vxp {
    int epfd, evfd;
    _Atomic int wake_pending;
    _Atomic int no_pwait2; /* epoll_pwait2 returned ENOSYS: fall back to ms timeouts */
} vxp;
#elif defined(_WIN32) && !defined(VX_PORTABLE)
#define VX_POLLER_IOCP 1
typedef struct vxp {
    void *port;                /* HANDLE of the completion port (no <windows.h> here) */
    void *timer;               /* high-resolution waitable timer for short timeouts, or NULL */
    _Atomic int wake_pending;  /* a wake packet is queued and not yet consumed by the driver */
} vxp;
#else
#define VX_POLLER_NONE 1
#include <pthread.h>
typedef struct vxp {
    pthread_mutex_t m;
    pthread_cond_t c;
    int woken;
} vxp;
#endif

int vxp_init(vxp *p);
void vxp_close(vxp *p);
/* fd: a file descriptor, or a SOCKET on Windows (hence uintptr_t, as vx_handle) */
int vxp_register(vxp *p, uintptr_t fd, uint64_t token);
int vxp_deregister(vxp *p, uintptr_t fd);
int vxp_wait(vxp *p, vx_event *out, int cap, int64_t timeout_ns);
void vxp_wake(vxp *p);

#endif
