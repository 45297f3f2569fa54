/* Strings: `{ptr, len}` UTF-8 byte slices. */
#include "vex_runtime.h"

#include <string.h>

bool vex_str_eq(vex_str a, vex_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}
