/* vx_poller_none.c: the fallback poller for platforms without a native backend here yet. It
 * supports wake-ups and timeouts (so the scheduler and timers work everywhere) but no I/O:
 * vxp_register fails with -ENOSYS-like -1. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#endif
#include "vx_poller.h"
#if defined(VX_POLLER_NONE)
#include <stdint.h>
#include <time.h>

int vxp_init(vxp *p) {
    pthread_mutex_init(&p->m, NULL);
    pthread_cond_init(&p->c, NULL);
    p->woken = 0;
    return 0;
}
void vxp_close(vxp *p) {
    pthread_cond_destroy(&p->c);
    pthread_mutex_destroy(&p->m);
}
int vxp_register(vxp *p, uintptr_t fd, uint64_t token) { (void)p; (void)fd; (void)token; return -38; }
int vxp_deregister(vxp *p, uintptr_t fd) { (void)p; (void)fd; return 0; }
int vxp_wait(vxp *p, vx_event *out, int cap, int64_t timeout_ns) {
    (void)out; (void)cap;
    pthread_mutex_lock(&p->m);
    if (!p->woken && timeout_ns != 0) {
        if (timeout_ns < 0) {
            pthread_cond_wait(&p->c, &p->m);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = (int64_t)ts.tv_nsec + timeout_ns % 1000000000 + 999; /* never early */
            ts.tv_sec += (time_t)(timeout_ns / 1000000000 + ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&p->c, &p->m, &ts);
        }
    }
    p->woken = 0;
    pthread_mutex_unlock(&p->m);
    return 0;
}
void vxp_wake(vxp *p) {
    pthread_mutex_lock(&p->m);
    p->woken = 1;
    pthread_cond_signal(&p->c);
    pthread_mutex_unlock(&p->m);
}
#else
typedef int vx_poller_none_unused; /* ISO C forbids an empty translation unit */
#endif
#endif
#if defined(__TINYC__)
typedef int vx_poller_none_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
