/* tests/kqshim/sys/event.h: the subset of FreeBSD's <sys/event.h> that vx_poller_kqueue.c uses,
 * emulated on Linux with epoll + eventfd (vxt_kqshim.c), so the kqueue backend runs the whole
 * test suite here. Semantics follow kqueue(2): EV_CLEAR edge-triggered read/write filters,
 * EV_EOF on hang-up, EV_RECEIPT returning one EV_ERROR entry per change, EVFILT_USER with
 * NOTE_TRIGGER. Only EV_CLEAR registrations are supported (all the backend uses). */
#ifndef VXT_KQSHIM_EVENT_H
#define VXT_KQSHIM_EVENT_H
#include <stdint.h>
#include <time.h>

struct kevent {
    uintptr_t ident;
    int16_t filter;
    uint16_t flags;
    uint32_t fflags;
    int64_t data;
    void *udata;
};

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_USER (-11)

#define EV_ADD 0x0001u
#define EV_DELETE 0x0002u
#define EV_ENABLE 0x0004u
#define EV_DISABLE 0x0008u
#define EV_ONESHOT 0x0010u
#define EV_CLEAR 0x0020u
#define EV_RECEIPT 0x0040u
#define EV_EOF 0x8000u
#define EV_ERROR 0x4000u

#define NOTE_TRIGGER 0x01000000u

#define EV_SET(kevp, a, b, c, d, e, f)                                                             \
    do {                                                                                           \
        struct kevent *kev_ = (kevp);                                                              \
        kev_->ident = (a);                                                                         \
        kev_->filter = (int16_t)(b);                                                               \
        kev_->flags = (uint16_t)(c);                                                               \
        kev_->fflags = (uint32_t)(d);                                                              \
        kev_->data = (int64_t)(e);                                                                 \
        kev_->udata = (f);                                                                         \
    } while (0)

int kqueue(void);
int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist,
           int nevents, const struct timespec *timeout);
#endif
