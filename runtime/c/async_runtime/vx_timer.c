/* vx_timer.c: the hierarchical timing wheel (6 levels x 64 slots, level 0 = timer_res_us) and
 * sleep. Entries are intrusive nodes embedded in task frames, so insert and cancel are O(1) and
 * allocation-free.
 *
 * Never early (libuv #4773): an entry's tick is its deadline rounded UP to the slot size, and a
 * tick is processed only once floor(now) has reached it, so now >= tick * res >= deadline.
 * Precision: the level-0 slot of the current partial tick is also scanned, firing the entries
 * whose exact deadline has passed, and the driver sleeps until the exact earliest level-0
 * deadline (slot_min), so a sleep is late by wake-up latency rather than by up to one slot.
 *
 * Placement (Tokio's scheme): an entry with tick T goes to the level of the highest 6-bit digit
 * in which T differs from `elapsed`, at slot = that digit of T. Processing a level > 0 slot
 * re-inserts its entries relative to the new `elapsed`, cascading them down. Waking happens
 * under the wheel lock, which is what makes vx_sleep_cancel (also under the lock) a complete
 * barrier for the frame's drop glue. Lock order: wheel -> injector / idle (never reversed). */
#if !defined(__TINYC__) /* tcc 0.9.27 has no <stdatomic.h>: the async runtime needs C11 atomics */
#include "vx_rt_internal.h"

#include <string.h>

void vx_wheel_init(vx_wheel *w, uint64_t res_ns) {
    memset(w, 0, sizeof *w);
    vx_lock_init(&w->lock);
    for (int i = 0; i < VX_WHEEL_SLOTS; i++) w->slot_min[i] = UINT64_MAX;
    w->res_ns = res_ns ? res_ns : 1000000u;
    w->start_ns = vx_now_ns();
    atomic_init(&w->next_ns, UINT64_MAX);
}

void vx_wheel_destroy(vx_wheel *w) { vx_lock_destroy(&w->lock); }

static int vx_level_for(uint64_t elapsed, uint64_t tick) {
    uint64_t masked = (elapsed ^ tick) | (VX_WHEEL_SLOTS - 1); /* |63: level 0 when equal */
    int significant = 63 - __builtin_clzll(masked);
    int level = significant / 6;
    return level >= VX_WHEEL_LEVELS ? VX_WHEEL_LEVELS - 1 : level;
}

static void vx_wheel_link(vx_wheel *w, vx_timer_entry *e) {
    int level = vx_level_for(w->elapsed, e->tick);
    unsigned slot = (unsigned)(e->tick >> (6 * level)) % VX_WHEEL_SLOTS;
    if (level == VX_WHEEL_LEVELS - 1 && (e->tick - w->elapsed) >> (6 * VX_WHEEL_LEVELS)) {
        /* beyond the wheel's range (years at 1 ms): park in the top level's furthest slot and
         * let cascading bring it back around */
        slot = (unsigned)((w->elapsed >> (6 * level)) + VX_WHEEL_SLOTS - 1) % VX_WHEEL_SLOTS;
    }
    e->level = (uint8_t)level;
    e->slot = (uint8_t)slot;
    e->prev = NULL;
    e->next = w->slots[level][slot];
    if (e->next) e->next->prev = e;
    w->slots[level][slot] = e;
    w->occupied[level] |= 1ull << slot;
    if (level == 0 && e->deadline < w->slot_min[slot]) w->slot_min[slot] = e->deadline;
    e->linked = 1;
    w->count++;
}

static void vx_wheel_unlink(vx_wheel *w, vx_timer_entry *e) {
    if (e->prev) e->prev->next = e->next;
    else w->slots[e->level][e->slot] = e->next;
    if (e->next) e->next->prev = e->prev;
    if (!w->slots[e->level][e->slot]) {
        w->occupied[e->level] &= ~(1ull << e->slot);
        if (e->level == 0) w->slot_min[e->slot] = UINT64_MAX;
    }
    e->prev = e->next = NULL;
    e->linked = 0;
    w->count--;
}

/* The earliest slot start (in ticks) holding entries, with its level and slot; false if empty. */
static bool vx_wheel_next_slot(vx_wheel *w, uint64_t *tick, int *level_out, unsigned *slot_out) {
    for (int level = 0; level < VX_WHEEL_LEVELS; level++) {
        uint64_t occ = w->occupied[level];
        if (!occ) continue;
        uint64_t slot_range = 1ull << (6 * level);
        uint64_t level_range = slot_range << 6;
        unsigned now_slot = (unsigned)(w->elapsed >> (6 * level)) % VX_WHEEL_SLOTS;
        uint64_t rot = now_slot ? (occ >> now_slot) | (occ << (64 - now_slot)) : occ;
        unsigned slot = (now_slot + (unsigned)__builtin_ctzll(rot)) % VX_WHEEL_SLOTS;
        uint64_t level_start = w->elapsed & ~(level_range - 1);
        uint64_t t = level_start + slot * slot_range;
        if (t < w->elapsed && slot < now_slot) t += level_range; /* wrapped to the next turn */
        if (t < w->elapsed) t = w->elapsed; /* the current slot itself */
        *tick = t;
        *level_out = level;
        *slot_out = slot;
        return true;
    }
    return false;
}

static void vx_wheel_update_next(vx_wheel *w, uint64_t now) {
    uint64_t tick;
    int level;
    unsigned slot;
    uint64_t next = UINT64_MAX;
    if (vx_wheel_next_slot(w, &tick, &level, &slot)) {
        next = w->start_ns + tick * w->res_ns;
        if (level == 0 && tick > 0) {
            /* exact, but never before the slot's start: a stale minimum there would otherwise
             * spin the driver until the slot becomes the partial one */
            uint64_t lo = w->start_ns + (tick - 1) * w->res_ns + 1;
            next = w->slot_min[slot] > lo ? w->slot_min[slot] : lo;
            /* ...and at most every res/8 after a firing pass: with thousands of timers in one
             * slot, chasing each distinct deadline would rescan the slot per timer */
            uint64_t gap = now + w->res_ns / 8;
            if (next < gap && w->start_ns + tick * w->res_ns > gap) next = gap;
        }
    }
    atomic_store_explicit(&w->next_ns, next, memory_order_release);
}

static void vx_fire_entry(vx_timer_entry *e) {
    vx_task *t = e->task;
    if (!t) {
        atomic_store_explicit(&e->fired, 1, memory_order_release);
        return;
    }
    /* as for channel ops: a concurrent (spurious) poll may see `fired`, finish and free the
     * frame before vx_wake runs, so hold a reference across */
    vx_task_retain(t);
    atomic_store_explicit(&e->fired, 1, memory_order_release);
    vx_wake(t);
    vx_task_release(t);
}

size_t vx_wheel_fire(vx_runtime *rt, uint64_t now) {
    vx_wheel *w = &rt->wheel;
    size_t fired = 0;
    vx_lock_acquire(&w->lock);
    uint64_t now_tick = now > w->start_ns ? (now - w->start_ns) / w->res_ns : 0;
    uint64_t tick;
    int level;
    unsigned slot;
    while (vx_wheel_next_slot(w, &tick, &level, &slot) && tick <= now_tick) {
        vx_timer_entry *list = w->slots[level][slot];
        w->slots[level][slot] = NULL;
        w->occupied[level] &= ~(1ull << slot);
        if (level == 0) w->slot_min[slot] = UINT64_MAX;
        w->elapsed = tick;
        while (list) {
            vx_timer_entry *e = list;
            list = e->next;
            e->prev = e->next = NULL;
            e->linked = 0;
            w->count--;
            if (e->tick <= now_tick) {
                vx_fire_entry(e);
                fired++;
            } else {
                vx_wheel_link(w, e); /* cascade to a lower level */
            }
        }
    }
    if (now_tick > w->elapsed) w->elapsed = now_tick;
    /* the partial tick: entries of tick now_tick + 1 whose exact deadline already passed */
    uint64_t pt = now_tick + 1;
    unsigned ps = (unsigned)(pt % VX_WHEEL_SLOTS);
    if (vx_level_for(w->elapsed, pt) == 0 && (w->occupied[0] >> ps & 1u) && w->slot_min[ps] <= now) {
        uint64_t min = UINT64_MAX;
        for (vx_timer_entry *e = w->slots[0][ps], *nx; e; e = nx) {
            nx = e->next;
            if (e->deadline <= now) {
                vx_wheel_unlink(w, e);
                vx_fire_entry(e);
                fired++;
            } else if (e->deadline < min) {
                min = e->deadline;
            }
        }
        if (w->slots[0][ps]) w->slot_min[ps] = min;
    }
    vx_wheel_update_next(w, now);
    vx_lock_release(&w->lock);
    return fired;
}

uint64_t vx_wheel_next(vx_runtime *rt) { return atomic_load(&rt->wheel.next_ns); }

/* ---- sleep ------------------------------------------------------------------------------------ */

void vx_sleep_init(vx_sleep *s) {
    memset(s, 0, sizeof *s);
    atomic_init(&s->e.fired, 0);
}

vx_poll_t vx_sleep_poll(vx_sleep *s, uint64_t deadline_ns, vx_task *self) {
    vx_timer_entry *e = &s->e;
    if (atomic_load_explicit(&e->fired, memory_order_acquire)) return VX_READY;
    uint64_t now = vx_now_ns();
    if (e->rt) { /* already in the wheel: this is a spurious poll */
        if (now >= deadline_ns) {
            vx_sleep_cancel(s);
            return VX_READY;
        }
        return VX_PENDING;
    }
    if (now >= deadline_ns) return VX_READY;
    vx_runtime *rt = self && self->rt ? self->rt : vx_runtime_current();
    if (!rt) vx_fatal("vx_sleep_poll outside any runtime");
    e->task = self;
    vx_timer_insert(rt, e, deadline_ns);
    return VX_PENDING;
}

void vx_timer_insert(vx_runtime *rt, vx_timer_entry *e, uint64_t deadline_ns) {
    vx_wheel *w = &rt->wheel;
    e->deadline = deadline_ns;
    uint64_t rel = deadline_ns > w->start_ns ? deadline_ns - w->start_ns : 0;
    e->tick = (rel + w->res_ns - 1) / w->res_ns; /* rounded up: never early */
    vx_lock_acquire(&w->lock);
    e->rt = rt;
    if (e->tick < w->elapsed) e->tick = w->elapsed; /* already due: fires on the next turn */
    vx_wheel_link(w, e);
    uint64_t at = e->level == 0 ? e->deadline : w->start_ns + e->tick * w->res_ns;
    if (at < atomic_load_explicit(&w->next_ns, memory_order_relaxed))
        atomic_store_explicit(&w->next_ns, at, memory_order_release);
    /* a driver asleep with a later timeout must recompute it */
    bool kick = at < atomic_load(&rt->driver_deadline);
    vx_lock_release(&w->lock);
    if (kick) vxp_wake(&rt->poller);
}

void vx_sleep_cancel(vx_sleep *s) {
    vx_timer_entry *e = &s->e;
    vx_runtime *rt = e->rt;
    if (!rt) return;
    vx_lock_acquire(&rt->wheel.lock);
    if (e->linked) vx_wheel_unlink(&rt->wheel, e);
    vx_lock_release(&rt->wheel.lock);
    /* next_ns may now be early; a spurious driver wake-up is harmless and cheaper than a scan */
}
#endif
#if defined(__TINYC__)
typedef int vx_timer_tcc_unused; /* ISO C forbids an empty translation unit */
#endif
