/* tests/kqshim/vxt_kqshim.c: kqueue(2)/kevent(2) emulated with epoll for testing the kqueue
 * backend on Linux (see sys/event.h). A kqueue is an epoll fd plus an eventfd for EVFILT_USER;
 * per-fd read/write registrations (with their udata) live in a table behind a mutex, and each
 * epoll event is translated into one kevent per registered, ready filter. */
#if defined(VX_RT_TESTS) && defined(VX_KQUEUE_SHIM)
#define _GNU_SOURCE
#include "sys/event.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define KQ_MAX 256
#define KQ_FDS 65536
#define KQ_USER_TOKEN UINT64_MAX

typedef struct kq_reg { unsigned char r, w; void *ur, *uw; } kq_reg;
typedef struct kq_obj {
    pthread_mutex_t mu;
    int epfd, evfd;
    int user_on;
    uintptr_t user_ident;
    void *user_udata;
    kq_reg *regs; /* KQ_FDS entries */
} kq_obj;

static kq_obj *kq_table[KQ_MAX];
static pthread_mutex_t kq_table_mu = PTHREAD_MUTEX_INITIALIZER;

static kq_obj *kq_get(int kq) {
    if (kq < 0 || kq >= KQ_MAX) return NULL;
    pthread_mutex_lock(&kq_table_mu);
    kq_obj *o = kq_table[kq];
    pthread_mutex_unlock(&kq_table_mu);
    return o;
}

int kqueue(void) {
    kq_obj *o = calloc(1, sizeof *o);
    if (!o) return -1;
    o->regs = calloc(KQ_FDS, sizeof *o->regs);
    o->epfd = epoll_create1(EPOLL_CLOEXEC);
    o->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!o->regs || o->epfd < 0 || o->evfd < 0 || o->epfd >= KQ_MAX) goto fail;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = KQ_USER_TOKEN};
    if (epoll_ctl(o->epfd, EPOLL_CTL_ADD, o->evfd, &ev) < 0) goto fail;
    pthread_mutex_init(&o->mu, NULL);
    pthread_mutex_lock(&kq_table_mu);
    kq_obj *stale = kq_table[o->epfd];
    kq_table[o->epfd] = o;
    pthread_mutex_unlock(&kq_table_mu);
    if (stale) { /* its epoll fd was closed (that is how a kqueue is closed) and reused */
        close(stale->evfd);
        free(stale->regs);
        pthread_mutex_destroy(&stale->mu);
        free(stale);
    }
    /* closing the kqueue fd is close(epfd); the shim object is reclaimed on the next kqueue()
     * that gets the same fd number (below), which keeps tests leak-free in steady state */
    return o->epfd;
fail:
    if (o->epfd >= 0) close(o->epfd);
    if (o->evfd >= 0) close(o->evfd);
    free(o->regs);
    free(o);
    errno = EMFILE;
    return -1;
}

/* At exit: releases the shim state still in the table (keeps LSan and valgrind quiet). */
__attribute__((destructor)) static void kq_cleanup(void) {
    for (int i = 0; i < KQ_MAX; i++) {
        kq_obj *o = kq_table[i];
        if (!o) continue;
        close(o->evfd);
        free(o->regs);
        pthread_mutex_destroy(&o->mu);
        free(o);
        kq_table[i] = NULL;
    }
}

static int kq_apply(kq_obj *o, const struct kevent *c) {
    if (c->filter == EVFILT_USER) {
        if (c->flags & EV_ADD) {
            o->user_on = 1;
            o->user_ident = c->ident;
            o->user_udata = c->udata;
        }
        if (c->flags & EV_DELETE) o->user_on = 0;
        if (c->fflags & NOTE_TRIGGER) {
            if (!o->user_on || c->ident != o->user_ident) return ENOENT;
            uint64_t one = 1;
            if (write(o->evfd, &one, sizeof one) < 0 && errno != EAGAIN) return errno;
        }
        return 0;
    }
    if (c->filter != EVFILT_READ && c->filter != EVFILT_WRITE) return EINVAL;
    if (c->ident >= KQ_FDS) return EBADF;
    int fd = (int)c->ident;
    kq_reg *r = &o->regs[fd];
    int had = r->r || r->w;
    if (c->flags & EV_ADD) {
        if (!(c->flags & EV_CLEAR)) return EINVAL; /* level-triggered kevents are not emulated */
        if (c->filter == EVFILT_READ) r->r = 1, r->ur = c->udata;
        else r->w = 1, r->uw = c->udata;
    } else if (c->flags & EV_DELETE) {
        if (c->filter == EVFILT_READ ? !r->r : !r->w) return ENOENT;
        if (c->filter == EVFILT_READ) r->r = 0;
        else r->w = 0;
    }
    struct epoll_event ev = {.events = EPOLLET | (r->r ? EPOLLIN | EPOLLRDHUP : 0u) | (r->w ? EPOLLOUT : 0u),
                             .data.u64 = (uint64_t)fd};
    int rc;
    if (!(r->r || r->w)) rc = epoll_ctl(o->epfd, EPOLL_CTL_DEL, fd, &ev);
    else rc = epoll_ctl(o->epfd, had ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0 && errno == EEXIST) rc = epoll_ctl(o->epfd, EPOLL_CTL_MOD, fd, &ev); /* fd reused */
    if (rc < 0 && errno == ENOENT && (r->r || r->w)) rc = epoll_ctl(o->epfd, EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0) {
        int e = errno;
        if (c->flags & EV_ADD) r->r = r->w = 0;
        return e;
    }
    return 0;
}

int kevent(int kq, const struct kevent *changes, int nchanges, struct kevent *events, int nevents,
           const struct timespec *timeout) {
    kq_obj *o = kq_get(kq);
    if (!o) {
        errno = EBADF;
        return -1;
    }
    int out = 0;
    pthread_mutex_lock(&o->mu);
    for (int i = 0; i < nchanges; i++) {
        int e = kq_apply(o, &changes[i]);
        if ((changes[i].flags & EV_RECEIPT) || e) {
            if (out < nevents) {
                events[out] = changes[i];
                events[out].flags = EV_ERROR;
                events[out].data = e;
                out++;
            } else if (e) {
                pthread_mutex_unlock(&o->mu);
                errno = e;
                return -1;
            }
        }
    }
    pthread_mutex_unlock(&o->mu);
    if (out > 0 || nevents == 0) return out; /* receipts: no pending events are drained */

    struct epoll_event evs[128];
    int cap = nevents / 2 > 0 ? nevents / 2 : 1; /* each epoll event may become two kevents */
    if (cap > 128) cap = 128;
    int ms = -1;
    if (timeout) /* rounded up: never return before the timeout */
        ms = (int)(timeout->tv_sec * 1000 + (timeout->tv_nsec + 999999) / 1000000);
    int n = epoll_wait(o->epfd, evs, cap, ms);
    if (n < 0) return -1;
    pthread_mutex_lock(&o->mu);
    for (int i = 0; i < n && out < nevents; i++) {
        if (evs[i].data.u64 == KQ_USER_TOKEN) {
            uint64_t v;
            if (read(o->evfd, &v, sizeof v) == (ssize_t)sizeof v && o->user_on) /* EV_CLEAR */
                EV_SET(&events[out++], o->user_ident, EVFILT_USER, 0, NOTE_TRIGGER, 0, o->user_udata);
            continue;
        }
        int fd = (int)evs[i].data.u64;
        kq_reg *r = &o->regs[fd];
        uint32_t e = evs[i].events;
        uint16_t eof = (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
        if (r->r && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && out < nevents)
            EV_SET(&events[out++], (uintptr_t)fd, EVFILT_READ, EV_CLEAR | eof, 0, 0, r->ur);
        if (r->w && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && out < nevents)
            EV_SET(&events[out++], (uintptr_t)fd, EVFILT_WRITE, EV_CLEAR | eof, 0, 0, r->uw);
    }
    pthread_mutex_unlock(&o->mu);
    return out;
}
#else
typedef int vxt_kqshim_unused; /* only built for the kqueue-on-Linux test run */
#endif
