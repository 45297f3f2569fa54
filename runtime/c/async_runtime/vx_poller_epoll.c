/* vx_poller_epoll.c: the Linux poller. Edge-triggered epoll (one registration per fd for both
 * directions, like mio/Tokio, so no re-arming per await), an eventfd for wake-ups, and
 * nanosecond timeouts through epoll_pwait2 when the kernel has it. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "vx_poller.h"
#if defined(VX_POLLER_EPOLL)

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define VX_WAKE_TOKEN UINT64_MAX

int vxp_init(vxp *p) {
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0) return -errno;
    p->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->evfd < 0) {
        int e = errno;
        close(p->epfd);
        return -e;
    }
    /* level-triggered: a wake written while the driver is busy stays pending until drained */
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = VX_WAKE_TOKEN};
    if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->evfd, &ev) < 0) {
        int e = errno;
        close(p->evfd);
        close(p->epfd);
        return -e;
    }
    atomic_init(&p->wake_pending, 0);
    atomic_init(&p->no_pwait2, 0);
    return 0;
}

void vxp_close(vxp *p) {
    close(p->evfd);
    close(p->epfd);
}

int vxp_register(vxp *p, uintptr_t fd, uint64_t token) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u64 = token};
    return epoll_ctl(p->epfd, EPOLL_CTL_ADD, (int)fd, &ev) < 0 ? -errno : 0;
}

int vxp_deregister(vxp *p, uintptr_t fd) {
    struct epoll_event ev = {0}; /* non-NULL for kernels before 2.6.9 */
    return epoll_ctl(p->epfd, EPOLL_CTL_DEL, (int)fd, &ev) < 0 ? -errno : 0;
}

static int vx_epoll_wait_ns(vxp *p, struct epoll_event *evs, int cap, int64_t timeout_ns) {
#if defined(SYS_epoll_pwait2)
    if (!atomic_load_explicit(&p->no_pwait2, memory_order_relaxed)) {
        struct timespec ts, *tp = NULL;
        if (timeout_ns >= 0) {
            ts.tv_sec = (time_t)(timeout_ns / 1000000000);
            ts.tv_nsec = (long)(timeout_ns % 1000000000);
            tp = &ts;
        }
        long r = syscall(SYS_epoll_pwait2, p->epfd, evs, cap, tp, NULL, (size_t)8);
        if (r >= 0 || errno != ENOSYS) return (int)r;
        atomic_store_explicit(&p->no_pwait2, 1, memory_order_relaxed);
    }
#endif
    /* milliseconds, rounded UP so a timer is never polled for before its deadline */
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    return epoll_wait(p->epfd, evs, cap, ms);
}

int vxp_wait(vxp *p, vx_event *out, int cap, int64_t timeout_ns) {
    struct epoll_event evs[256];
    if (cap > 256) cap = 256;
    int n = vx_epoll_wait_ns(p, evs, cap, timeout_ns);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (evs[i].data.u64 == VX_WAKE_TOKEN) {
            /* only a blocking wait (the parked driver) consumes wake-ups; the eventfd is
             * level-triggered, so a non-blocking look by a busy worker leaves it for the driver */
            if (timeout_ns == 0) continue;
            uint64_t v;
            /* drain first, then re-arm the flag: a wake racing with us is either drained here
             * (and the driver re-checks its queues after returning) or writes again */
            ssize_t r = read(p->evfd, &v, sizeof v);
            (void)r;
            atomic_store(&p->wake_pending, 0);
            continue;
        }
        uint32_t e = evs[i].events, r = 0;
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLPRI)) r |= VX_IO_READ;
        if (e & EPOLLOUT) r |= VX_IO_WRITE;
        if (e & (EPOLLHUP | EPOLLRDHUP)) r |= VX_IO_HUP;
        if (e & EPOLLERR) r |= VX_IO_ERR | VX_IO_READ | VX_IO_WRITE;
        if (e & EPOLLHUP) r |= VX_IO_READ | VX_IO_WRITE;
        out[k].token = evs[i].data.u64;
        out[k].ready = r;
        k++;
    }
    return k;
}

void vxp_wake(vxp *p) {
    if (atomic_exchange(&p->wake_pending, 1)) return; /* a wake is already on its way */
    uint64_t one = 1;
    ssize_t r = write(p->evfd, &one, sizeof one);
    (void)r; /* EAGAIN only if the counter is saturated, which still means "readable" */
}
#else
typedef int vx_poller_epoll_unused; /* ISO C forbids an empty translation unit */
#endif
#endif
#if defined(__TINYC__)
typedef int vx_poller_epoll_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
