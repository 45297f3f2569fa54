/* vx_blocking.c: the blocking thread pool (file I/O, DNS, `#[blocking]` functions).
 *
 * A job is a task object that is never scheduled on a worker: its state word stays RUNNING
 * until the pool thread finishes, so stray vx_wake calls only set NOTIFIED. Its join handle works
 * with vx_join_poll like any task's. Threads are started on demand up to cfg.blocking_max and
 * live until shutdown, which waits for running jobs (a blocking call cannot be interrupted) and
 * cancels queued ones. No idle timeout yet. In the simulation build (VX_SIM) jobs run on the
 * simulation thread, chosen at random among the runnable tasks. */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#include "vx_rt_internal.h"

#include <stdlib.h>
#include <string.h>

struct vx_blocking_pool {
    pthread_mutex_t m;
    pthread_cond_t c;
    vx_task *head, *tail;       /* queued jobs, linked through q_next */
    int n_threads, n_idle, stop;
    pthread_t *threads;
    vx_runtime *rt;
};

typedef struct vx_blocking_job {
    vx_task hdr;
    void (*fn)(void *arg, void *out);
    void *arg;
    _Alignas(16) unsigned char out[]; /* out_size bytes: the job's result */
} vx_blocking_job;

static vx_poll_t vx_blocking_never_polled(vx_task *t) {
    (void)t;
    vx_fatal("a blocking job was polled");
    return VX_READY;
}

static void vx_blocking_finish(vx_task *t, bool cancelled) {
    uint32_t s = atomic_load(&t->state), ns;
    do {
        ns = (s & ~(VX_ST_RUNNING | VX_ST_NOTIFIED)) | VX_ST_DONE | (cancelled ? VX_ST_CANCELLED : 0u);
    } while (!atomic_compare_exchange_weak(&t->state, &s, ns));
    if (s & VX_ST_THREADWAIT) vx_futex_wake(&t->state, -1);
    vx_task *j = atomic_exchange(&t->join_waiter, NULL);
    if (j) {
        vx_wake(j);
        vx_task_release(j);
    }
    vx_task_release(t);
}

#if !defined(VX_SIM)
static void *vx_blocking_main(void *arg) {
    vx_blocking_pool *p = arg;
    pthread_mutex_lock(&p->m);
    for (;;) {
        while (!p->head && !p->stop) {
            p->n_idle++;
            pthread_cond_wait(&p->c, &p->m);
            p->n_idle--;
        }
        if (!p->head) break; /* stopping and drained */
        vx_task *t = p->head;
        p->head = t->q_next;
        if (!p->head) p->tail = NULL;
        bool stop = p->stop;
        pthread_mutex_unlock(&p->m);
        vx_blocking_job *j = (vx_blocking_job *)t;
        if (!stop) j->fn(j->arg, j->out);
        vx_blocking_finish(t, stop);
        pthread_mutex_lock(&p->m);
    }
    pthread_mutex_unlock(&p->m);
    return NULL;
}
#else
/* Simulation: no pool threads. Queued jobs join the simulated scheduler's random choice
 * (vx_sim_step calls vx_sim_run_job), running on the simulation thread; a job that "blocks"
 * (sleeps) just advances the virtual clock. */
static vx_task **vx_sim_jobs;
static size_t vx_sim_njobs, vx_sim_jobs_cap;

size_t vx_sim_job_count(void) { return vx_sim_njobs; }

void vx_sim_run_job(size_t i) {
    vx_task *t = vx_sim_jobs[i];
    vx_sim_jobs[i] = vx_sim_jobs[--vx_sim_njobs];
    vx_blocking_job *j = (vx_blocking_job *)t;
    j->fn(j->arg, j->out);
    vx_blocking_finish(t, false);
}

static void vx_sim_job_push(vx_task *t) {
    if (vx_sim_njobs == vx_sim_jobs_cap) {
        vx_sim_jobs_cap = vx_sim_jobs_cap ? 2 * vx_sim_jobs_cap : 64;
        vx_sim_jobs = realloc(vx_sim_jobs, vx_sim_jobs_cap * sizeof *vx_sim_jobs);
        if (!vx_sim_jobs) vx_fatal("out of memory (sim blocking jobs)");
    }
    vx_sim_jobs[vx_sim_njobs++] = t;
}
#endif

static void vx_blocking_job_free_vt(vx_task *t) { (void)t; }

vx_task *vx_spawn_blocking_on(vx_runtime *rt, void (*fn)(void *arg, void *out), void *arg, size_t out_size) {
    if (!rt) vx_fatal("vx_spawn_blocking outside any runtime");
    /* one allocation: header, fn/arg, the result (rounded to 16), then this job's vtable
     * (result_size differs per job) */
    size_t out_round = (out_size + 15) / 16 * 16;
    vx_blocking_job *j = calloc(1, sizeof(vx_blocking_job) + out_round + sizeof(vx_task_vtable));
    if (!j) vx_fatal("out of memory allocating a blocking job");
    vx_task_vtable *vt = (vx_task_vtable *)(void *)(j->out + out_round);
    vt->poll = vx_blocking_never_polled;
    vt->drop = vx_blocking_job_free_vt;
    vt->frame_size = (uint32_t)sizeof(vx_blocking_job);
    vt->result_off = (uint32_t)offsetof(vx_blocking_job, out);
    vt->result_size = (uint32_t)out_size;
    vt->name = "blocking";
    vx_task *t = &j->hdr;
    t->vt = vt;
    t->rt = rt;
    atomic_init(&t->refs, 2); /* the pool's and the returned handle's */
    atomic_init(&t->state, VX_ST_RUNNING);
    atomic_init(&t->join_waiter, NULL);
    j->fn = fn;
    j->arg = arg;

    if (atomic_load(&rt->closed)) { /* shutting down: do not (re)create a pool */
        vx_blocking_finish(t, true);
        return t;
    }
    vx_lock_acquire(&rt->pool_lock);
    if (!rt->pool) {
        vx_blocking_pool *p = calloc(1, sizeof *p);
        if (!p) vx_fatal("out of memory creating the blocking pool");
        p->threads = calloc((size_t)rt->cfg.blocking_max, sizeof(pthread_t));
        if (!p->threads) vx_fatal("out of memory creating the blocking pool");
        pthread_mutex_init(&p->m, NULL);
        pthread_cond_init(&p->c, NULL);
        p->rt = rt;
        rt->pool = p;
    }
    vx_blocking_pool *p = rt->pool;
    vx_lock_release(&rt->pool_lock);

    pthread_mutex_lock(&p->m);
    if (p->stop || atomic_load(&rt->closed)) {
        pthread_mutex_unlock(&p->m);
        vx_blocking_finish(t, true);
        return t;
    }
#if defined(VX_SIM)
    vx_sim_job_push(t);
#else
    t->q_next = NULL;
    if (p->tail) p->tail->q_next = t;
    else p->head = t;
    p->tail = t;
    if (p->n_idle == 0 && p->n_threads < rt->cfg.blocking_max) {
        if (pthread_create(&p->threads[p->n_threads], NULL, vx_blocking_main, p) == 0) p->n_threads++;
        else if (p->n_threads == 0) vx_fatal("cannot start a blocking-pool thread");
    } else {
        pthread_cond_signal(&p->c);
    }
#endif
    pthread_mutex_unlock(&p->m);
    return t;
}

vx_task *vx_spawn_blocking(void (*fn)(void *arg, void *out), void *arg, size_t out_size) {
    return vx_spawn_blocking_on(vx_runtime_current(), fn, arg, out_size);
}

void vx_blocking_shutdown(vx_runtime *rt) {
    vx_blocking_pool *p = rt->pool;
    if (!p) return;
#if defined(VX_SIM)
    /* queued jobs of this runtime are cancelled, as the pool threads do once stopping */
    for (size_t i = 0; i < vx_sim_njobs;) {
        vx_task *t = vx_sim_jobs[i];
        if (t->rt == rt) {
            vx_sim_jobs[i] = vx_sim_jobs[--vx_sim_njobs];
            vx_blocking_finish(t, true);
        } else {
            i++;
        }
    }
    if (vx_sim_njobs == 0) {
        free(vx_sim_jobs);
        vx_sim_jobs = NULL;
        vx_sim_jobs_cap = 0;
    }
#endif
    pthread_mutex_lock(&p->m);
    p->stop = 1;
    pthread_cond_broadcast(&p->c);
    int n = p->n_threads;
    pthread_mutex_unlock(&p->m);
    for (int i = 0; i < n; i++) pthread_join(p->threads[i], NULL);
    /* jobs queued after the threads drained (none can be: stop is set) */
    /* detached under pool_lock: vx_blocking_busy may be looking at it */
    vx_lock_acquire(&rt->pool_lock);
    rt->pool = NULL;
    vx_lock_release(&rt->pool_lock);
    pthread_cond_destroy(&p->c);
    pthread_mutex_destroy(&p->m);
    free(p->threads);
    free(p);
}

bool vx_blocking_busy(vx_runtime *rt) {
    bool busy = false;
    vx_lock_acquire(&rt->pool_lock);
    vx_blocking_pool *p = rt->pool;
    if (p) {
        pthread_mutex_lock(&p->m);
#if defined(VX_SIM)
        busy = vx_sim_njobs > 0;
#else
        busy = p->head != NULL || p->n_idle < p->n_threads;
#endif
        pthread_mutex_unlock(&p->m);
    }
    vx_lock_release(&rt->pool_lock);
    return busy;
}
#endif
#if defined(__TINYC__)
typedef int vx_blocking_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
