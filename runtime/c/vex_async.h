/* vex_async.h: what generated task code needs beyond vx_rt.h (included after it by programs
 * that use tasks or channels; see compiler/src/emit_c/tasks.rs). */
#ifndef VEX_ASYNC_H
#define VEX_ASYNC_H

#include <stdlib.h>
#include <string.h>

/* A frame waits on one thing at a time, so one slot serves every wait of the function. */
typedef union vex_wait {
    vx_chan_op chan;
    vx_sleep sleep;
    vx_idle_wait idle;
} vex_wait;

/* The op finished (the element moved) before it was cancelled. */
static inline int vex_chan_op_completed(vx_chan_op *op) {
    return atomic_load_explicit(&op->done, memory_order_acquire) == 1;
}

/* `sleep(ms)`: the deadline, saturating; ms <= 0 means now (the task still yields once). */
static inline uint64_t vex_deadline_after_ms(int64_t ms) {
    uint64_t now = vx_now_ns();
    if (ms <= 0) return now;
    if ((uint64_t)ms > (UINT64_MAX - now) / UINT64_C(1000000)) return UINT64_MAX;
    return now + (uint64_t)ms * UINT64_C(1000000);
}

/* The program's runtime: VEX_WORKERS worker threads if set (1..1024), else one per CPU. */
static inline vx_config vex_runtime_config(void) {
    vx_config c;
    memset(&c, 0, sizeof c);
    const char *w = getenv("VEX_WORKERS");
    if (w && *w) {
        long n = strtol(w, NULL, 10);
        if (n > 0 && n <= 1024) c.workers = (int)n;
    }
    return c;
}

/* `runtime_create(n)`: a runtime with n workers (n <= 0: one per CPU) that becomes the target of
 * the calling task's `go` statements until it is destroyed. */
static inline vx_runtime *vex_runtime_create(int32_t n, vx_task *self) {
    vx_config c;
    memset(&c, 0, sizeof c);
    c.workers = n > 0 ? n : 0;
    vx_runtime *rt = vx_runtime_new(&c);
    if (self) self->spawn_rt = rt;
    return rt;
}

/* `runtime_destroy(rt)`: drops its remaining tasks, stops and frees it. */
static inline void vex_runtime_destroy(vx_runtime *rt, vx_task *self, const char *file, int32_t line) {
    if (self && self->rt == rt) vex_panic_at(file, line, "runtime_destroy: a task cannot destroy the runtime it runs on");
    if (self && self->spawn_rt == rt) self->spawn_rt = NULL;
    vx_runtime_free(rt);
}

#endif
