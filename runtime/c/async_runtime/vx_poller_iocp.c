/* vx_poller_iocp.c: the Windows poller, an I/O completion port.
 *
 * IOCP reports completed operations, not readiness: vx_io_iocp.c starts overlapped calls whose
 * OVERLAPPED is embedded in the frame's vx_io_op, and vxp_wait hands back the OVERLAPPED address
 * of each completion as the event token. Wake-ups are PostQueuedCompletionStatus packets with a
 * reserved key and no OVERLAPPED; timeouts are GetQueuedCompletionStatusEx milliseconds, rounded
 * up so a timer is never polled for before its deadline (the wheel then fires it on time or
 * slightly late, never early). */
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

int vxp_init(vxp *p) {
    /* concurrency 0 = number of CPUs; only one worker ever blocks in the port anyway */
    HANDLE h = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (!h) return -(int)GetLastError();
    p->port = h;
    atomic_init(&p->wake_pending, 0);
    return 0;
}

void vxp_close(vxp *p) { CloseHandle((HANDLE)p->port); }

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
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx((HANDLE)p->port, ents, (ULONG)cap, &n, ms, FALSE))
        return 0; /* WAIT_TIMEOUT (or the port closing under a shutdown): no events */
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
