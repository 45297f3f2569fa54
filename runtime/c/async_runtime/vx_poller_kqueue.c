/* vx_poller_kqueue.c: the macOS / BSD poller. EVFILT_READ and EVFILT_WRITE with EV_CLEAR
 * (edge-triggered, like the epoll backend), registered once per fd with EV_RECEIPT so that each
 * registration's error is reported; wake-ups through EVFILT_USER + NOTE_TRIGGER; timespec
 * (nanosecond) timeouts. On Linux it is built against tests/kqshim, an epoll-based kqueue
 * emulation, so the suite exercises this file ("shim-tested": the real kernels are only
 * compile-and-link checked here). */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#include "vx_poller.h"
#if defined(VX_POLLER_KQUEUE)
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define VX_WAKE_IDENT 0x7678u /* EVFILT_USER idents are a namespace of their own */

int vxp_init(vxp *p) {
    p->kq = kqueue();
    if (p->kq < 0) return -errno;
    fcntl(p->kq, F_SETFD, FD_CLOEXEC);
    struct kevent ev;
    EV_SET(&ev, VX_WAKE_IDENT, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
    if (kevent(p->kq, &ev, 1, NULL, 0, NULL) < 0) {
        int e = errno;
        close(p->kq);
        return -e;
    }
    atomic_init(&p->wake_pending, 0);
    return 0;
}

void vxp_close(vxp *p) { close(p->kq); }

int vxp_register(vxp *p, uintptr_t fd, uint64_t token) {
    struct kevent ch[2], out[2];
    /* the token (fd | generation << 32) travels in udata; every target here is 64-bit */
    void *udata = (void *)(uintptr_t)token;
    EV_SET(&ch[0], (uintptr_t)fd, EVFILT_READ, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, udata);
    EV_SET(&ch[1], (uintptr_t)fd, EVFILT_WRITE, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, udata);
    int n = kevent(p->kq, ch, 2, out, 2, NULL);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++)
        if ((out[i].flags & EV_ERROR) && out[i].data != 0) return -(int)out[i].data;
    return 0;
}

int vxp_deregister(vxp *p, uintptr_t fd) {
    struct kevent ch[2];
    EV_SET(&ch[0], (uintptr_t)fd, EVFILT_READ, EV_DELETE, 0, 0, NULL);
    EV_SET(&ch[1], (uintptr_t)fd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
    /* errors (already gone) do not matter: close(2) removes the knotes anyway */
    return kevent(p->kq, ch, 2, NULL, 0, NULL) < 0 ? -errno : 0;
}

int vxp_wait(vxp *p, vx_event *out, int cap, int64_t timeout_ns) {
    struct kevent evs[256];
    if (cap > 256) cap = 256;
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000);
        ts.tv_nsec = (long)(timeout_ns % 1000000000);
        tp = &ts;
    }
    int n = kevent(p->kq, NULL, 0, evs, cap, tp);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (evs[i].filter == EVFILT_USER) {
            if (timeout_ns == 0) {
                /* EV_CLEAR consumed it, but non-blocking looks must leave wake-ups to the
                 * blocked driver: post it again */
                struct kevent t;
                EV_SET(&t, VX_WAKE_IDENT, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
                kevent(p->kq, &t, 1, NULL, 0, NULL);
            } else {
                atomic_store(&p->wake_pending, 0);
            }
            continue;
        }
        uint32_t r = 0;
        if (evs[i].filter == EVFILT_READ) r |= VX_IO_READ;
        if (evs[i].filter == EVFILT_WRITE) r |= VX_IO_WRITE;
        if (evs[i].flags & EV_EOF) r |= VX_IO_HUP;
        if (evs[i].flags & EV_ERROR) r |= VX_IO_ERR | VX_IO_READ | VX_IO_WRITE;
        out[k].token = (uint64_t)(uintptr_t)evs[i].udata;
        out[k].ready = r;
        k++;
    }
    return k;
}

void vxp_wake(vxp *p) {
    if (atomic_exchange(&p->wake_pending, 1)) return; /* coalesced */
    struct kevent t;
    EV_SET(&t, VX_WAKE_IDENT, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
    kevent(p->kq, &t, 1, NULL, 0, NULL);
}
#else
typedef int vx_poller_kqueue_unused; /* ISO C forbids an empty translation unit */
#endif
#endif
#if defined(__TINYC__)
typedef int vx_poller_kqueue_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
