/* `Channel<T>` before `go` exists (LANGUAGE.md §12.8): a bounded FIFO ring of elements laid out
 * by the generated code, shared by reference counting (a channel value is a Copy handle).
 * With a single thread of execution, an operation that would block can never be completed by
 * anyone else, so it aborts naming the deadlock, as Go does ("all goroutines are asleep").
 * The concurrency work replaces this with the async runtime's channels. */
#include "vex_runtime.h"

struct vex_chanbuf {
    vex_rc refs;
    int64_t cap;
    int64_t len;
    int64_t head;
    size_t elem_size;
    void (*release_elem)(void *elem);
    unsigned char items[];
};

vex_chan vex_chan_new(int64_t cap, size_t elem_size, void (*release_elem)(void *elem), const char *file, int32_t line) {
    if (cap < 1) vex_panic_at(file, line, "channel capacity must be at least 1");
    if ((uint64_t)cap > (SIZE_MAX - sizeof(struct vex_chanbuf)) / (elem_size ? elem_size : 1)) vex_panic_at(file, line, "channel too large");
    struct vex_chanbuf *b = vex_mem_alloc(sizeof *b + (size_t)cap * elem_size, false);
    vex_rc_init(&b->refs, 1);
    b->cap = cap;
    b->len = 0;
    b->head = 0;
    b->elem_size = elem_size;
    b->release_elem = release_elem;
    vex_chan c = {b};
    return c;
}

void vex_chan_send(vex_chan c, const void *elem, const char *file, int32_t line) {
    struct vex_chanbuf *b = c.buf;
    if (b->len == b->cap) vex_panic_at(file, line, "deadlock: send on a full channel that nothing else can receive from");
    int64_t at = (b->head + b->len) % b->cap;
    memcpy(b->items + (size_t)at * b->elem_size, elem, b->elem_size);
    b->len++;
}

void vex_chan_recv(vex_chan c, void *out, const char *file, int32_t line) {
    struct vex_chanbuf *b = c.buf;
    if (b->len == 0) vex_panic_at(file, line, "deadlock: receive from an empty channel that nothing else can send to");
    memcpy(out, b->items + (size_t)b->head * b->elem_size, b->elem_size);
    b->head = (b->head + 1) % b->cap;
    b->len--;
}

int64_t vex_chan_len(vex_chan c) { return c.buf->len; }

vex_chan vex_chan_retain(vex_chan c) {
    if (c.buf) vex_rc_inc(&c.buf->refs);
    return c;
}

void vex_chan_release(vex_chan c) {
    struct vex_chanbuf *b = c.buf;
    if (!b || !vex_rc_dec(&b->refs)) return;
    if (b->release_elem) {
        for (int64_t i = 0; i < b->len; i++) b->release_elem(b->items + (size_t)((b->head + i) % b->cap) * b->elem_size);
    }
    vex_mem_free(b);
}
