/* The growth path of the `defer` stack (see vex_runtime.h). */
#include "vex_runtime.h"

void vex_defers_grow(vex_defers *d) {
    size_t cap = d->cap * 2;
    uint32_t *items = vex_mem_alloc(cap * sizeof *items, false);
    memcpy(items, d->items, d->len * sizeof *items);
    if (d->items != d->inline_items) vex_mem_free(d->items);
    d->items = items;
    d->cap = cap;
}

void vex_defers_free(vex_defers *d) {
    if (d->items != d->inline_items) vex_mem_free(d->items);
    d->items = d->inline_items;
    d->len = 0;
}
