/* vx_poller_iocp.c: the Windows poller, an I/O completion port.
 *
 * IOCP reports completed operations, not readiness: vx_io_iocp.c starts overlapped calls whose
 * OVERLAPPED is embedded in the frame's vx_io_op, and vxp_wait hands back the OVERLAPPED address
 * of each completion as the event token. Wake-ups are PostQueuedCompletionStatus packets with a
 * reserved key and no OVERLAPPED; timeouts are GetQueuedCompletionStatusEx milliseconds, rounded
 * up so a timer is never polled for before its deadline (the wheel then fires it on time or
 * slightly late, never early).
 *
 * Short timeouts: the millisecond wait is quantised to the system tick (15.6 ms unless someone
 * raised the timer resolution), far too coarse for a 1 ms sleep. Below 16 ms the driver also arms
 * a high-resolution waitable timer (Windows 10 1803+) with a no-op APC and waits alertably: the
 * APC ends the wait at the exact deadline. Only the driver (the one thread that blocks in the
 * port) uses it, so one timer per port suffices. Without the high-resolution flag (older Windows)
 * the plain millisecond wait is used. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#include "vx_poller.h"
#if defined(VX_POLLER_IOCP)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <windows.h>

#include <limits.h>

#define VX_WAKE_KEY ((ULONG_PTR)0x7778616bu) /* "wake": no socket is associated with this key */
#ifndef CREATE_WAITABLE_TIMER_HIGH_RESOLUTION
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002
#endif
#define VX_HR_BELOW_NS 16000000 /* timeouts shorter than one default system tick */

int vxp_init(vxp *p) {
    /* concurrency 0 = number of CPUs; only one worker ever blocks in the port anyway */
    HANDLE h = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (!h) return -(int)GetLastError();
    p->port = h;
    p->timer = CreateWaitableTimerExW(NULL, NULL, CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, TIMER_ALL_ACCESS);
    atomic_init(&p->wake_pending, 0);
    return 0;
}

void vxp_close(vxp *p) {
    if (p->timer) CloseHandle((HANDLE)p->timer);
    CloseHandle((HANDLE)p->port);
}

/* The timer's APC: its only job is to end the alertable wait. */
static void CALLBACK vx_timer_apc(LPVOID arg, DWORD lo, DWORD hi) {
    (void)arg;
    (void)lo;
    (void)hi;
}

int vxp_register(vxp *p, uintptr_t fd, uint64_t token) {
    if (!CreateIoCompletionPort((HANDLE)fd, (HANDLE)p->port, (ULONG_PTR)token, 0)) return -(int)GetLastError();
    /* An overlapped call that completes at once then reports its result directly and queues no
     * packet: one port round trip saved per operation that did not have to wait (loopback reads
     * with data already buffered, most writes). vx_io_iocp.c relies on this: a packet arrives iff
     * the call returned ERROR_IO_PENDING. */
    if (!SetFileCompletionNotificationModes((HANDLE)fd, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
                                                            FILE_SKIP_SET_EVENT_ON_HANDLE))
        return -(int)GetLastError();
    return 0;
}

/* A socket stays associated with its port until closesocket(); there is nothing to undo. */
int vxp_deregister(vxp *p, uintptr_t fd) {
    (void)p;
    (void)fd;
    return 0;
}

int vxp_wait(vxp *p, vx_event *out, int cap, int64_t timeout_ns) {
    OVERLAPPED_ENTRY ents[128];
    if (cap > 128) cap = 128;
    DWORD ms;
    if (timeout_ns < 0) ms = INFINITE;
    else if (timeout_ns >= (int64_t)(INFINITE - 1) * 1000000) ms = INFINITE - 1;
    else ms = (DWORD)((timeout_ns + 999999) / 1000000); /* up: never wake before a deadline */
    BOOL hr = p->timer && timeout_ns > 0 && timeout_ns < VX_HR_BELOW_NS;
    if (hr) {
        LARGE_INTEGER due; /* negative = relative, in 100 ns units, rounded up: never early */
        due.QuadPart = -(LONGLONG)((timeout_ns + 99) / 100);
        hr = SetWaitableTimer((HANDLE)p->timer, &due, 0, vx_timer_apc, NULL, FALSE);
        if (hr) ms += 1; /* the millisecond timeout is only a backstop now */
    }
    ULONG n = 0;
    BOOL ok = GetQueuedCompletionStatusEx((HANDLE)p->port, ents, (ULONG)cap, &n, ms, hr);
    /* woken by I/O first: disarm, so the APC does not cut the next wait short (if it is already
     * queued it still will; the driver then just re-computes its timeout) */
    if (hr) CancelWaitableTimer((HANDLE)p->timer);
    if (!ok) return 0; /* WAIT_TIMEOUT, WAIT_IO_COMPLETION (our APC), or the port closing */
    int k = 0, rewake = 0;
    for (ULONG i = 0; i < n; i++) {
        if (!ents[i].lpOverlapped) {
            if (ents[i].lpCompletionKey != VX_WAKE_KEY) continue;
            /* Only a blocking wait (the parked driver) consumes a wake-up. A non-blocking turn by
             * a busy worker that happens to dequeue the packet puts it back, or the driver, which
             * may be about to block, would sleep through it. */
            if (timeout_ns == 0) rewake = 1;
            else atomic_store(&p->wake_pending, 0);
            continue;
        }
        out[k].token = (uint64_t)(uintptr_t)ents[i].lpOverlapped;
        out[k].ready = 0;
        k++;
    }
    if (rewake) PostQueuedCompletionStatus((HANDLE)p->port, 0, VX_WAKE_KEY, NULL);
    return k;
}

void vxp_wake(vxp *p) {
    if (atomic_exchange(&p->wake_pending, 1)) return; /* a wake is already on its way */
    PostQueuedCompletionStatus((HANDLE)p->port, 0, VX_WAKE_KEY, NULL);
}
#else
typedef int vx_poller_iocp_unused; /* ISO C forbids an empty translation unit */
#endif
#endif
#if defined(__TINYC__)
typedef int vx_poller_iocp_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
