/* vxt.h: the runtime test harness (compiled only with -DVX_RT_TESTS; the compiler embeds every
 * .c under runtime/c into programs, so test files must be empty units otherwise). */
#ifndef VXT_H
#define VXT_H
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "vx_rt.h"
#include "vx_rt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(VX_SIM)
/* Deterministic simulation: the test thread's waits drive the simulated scheduler. Included
 * first, so the later includes of these headers are no-ops and only the calls are renamed. */
#include <sched.h>
#include <time.h>
#define sched_yield vx_sim_yield
#define nanosleep vx_sim_nanosleep
/* tests that need real threads or real sockets: outside the simulation */
#define VXT_SIM_SKIP(name)                                                                     \
    (strncmp(name, "io/", 3) == 0 || strcmp(name, "sched/wake_foreign_thread") == 0 ||          \
     strcmp(name, "sched/wake_dedup") == 0 || strcmp(name, "chan/thread_blocking_ops") == 0 ||  \
     strstr(name, "foreign") != NULL)
#endif

extern int vxt_failures;   /* checks failed in the current test */
extern int vxt_scale;      /* VXT_SCALE: 1 = full sizes, larger divides them (sanitizers) */

/* A latency expectation: measured, reported when missed, but a failure only with
 * VXT_STRICT_TIMING=1 (tests must not fail because a CI machine was loaded; the benchmarks
 * measure latency properly). */
#define CHECK_TIMING(cond)                                                                     \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            const char *strict_ = getenv("VXT_STRICT_TIMING");                                 \
            fprintf(stderr, "  timing %s %s:%d: %s\n", (strict_ && strict_[0] == '1') ? "FAILED" : "missed (not fatal)", \
                    __FILE__, __LINE__, #cond);                                                \
            if (strict_ && strict_[0] == '1') vxt_failures++;                                  \
        }                                                                                      \
    } while (0)

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            vxt_failures++;                                                                    \
            fprintf(stderr, "  CHECK failed %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
        }                                                                                      \
    } while (0)
#define CHECK_EQ(a, b)                                                                         \
    do {                                                                                       \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                  \
        if (va_ != vb_) {                                                                      \
            vxt_failures++;                                                                    \
            fprintf(stderr, "  CHECK_EQ failed %s:%d: %s == %lld, %s == %lld\n", __FILE__,     \
                    __LINE__, #a, va_, #b, vb_);                                               \
        }                                                                                      \
    } while (0)

/* n scaled down under sanitizers, never below lo */
static inline long vxt_n(long n, long lo) {
    long v = n / vxt_scale;
    return v < lo ? lo : v;
}

static inline vx_runtime *vxt_rt(int workers) {
    vx_config cfg = {0};
    cfg.workers = workers;
    return vx_runtime_new(&cfg);
}

typedef struct vxt_test { const char *name; void (*fn)(void); } vxt_test;

/* A generated-code-style frame header shortcut */
#define VXT_VT(name, frame, poll, drop, res_field)                                             \
    static const vx_task_vtable name = {poll, drop, sizeof(frame), offsetof(frame, res_field), \
                                        sizeof(((frame *)0)->res_field), #name}

#if !defined(VX_POLLER_NONE)
/* A connected stream pair for tests (vxt_io.c): sv[0] for the runtime's I/O ops, sv[1] for the
 * test thread's plain blocking calls. Unix socketpair, loopback TCP on Windows. */
typedef uintptr_t vxt_sock;
int vxt_pair(vxt_sock sv[2]);
int vxt_send(vxt_sock s, const char *b, int n);
int vxt_recv(vxt_sock s, char *b, int n);
void vxt_closesock(vxt_sock s);
#endif

/* tests of each area */
extern const vxt_test vxt_sched_tests[], vxt_chan_tests[], vxt_timer_tests[], vxt_io_tests[],
    vxt_shutdown_tests[], vxt_lifecycle_tests[];
#endif
