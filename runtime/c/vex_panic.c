/* Run-time failures: flush what the program printed, report on stderr, abort (LANGUAGE.md §1.2). */
#include "vex_runtime.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

void vex_panic_at(const char *file, int32_t line, const char *msg) {
    fflush(stdout);
    fprintf(stderr, "panic: %s at %s:%" PRId32 "\n", msg, file, line);
    fflush(stderr);
    abort();
}

void vex_panic_index(const char *file, int32_t line, int64_t index, int64_t len) {
    fflush(stdout);
    fprintf(stderr, "panic: index out of bounds: the len is %" PRId64 " but the index is %" PRId64 " at %s:%" PRId32 "\n",
            len, index, file, line);
    fflush(stderr);
    abort();
}

void vex_panic_index_u(const char *file, int32_t line, uint64_t index, int64_t len) {
    fflush(stdout);
    fprintf(stderr, "panic: index out of bounds: the len is %" PRId64 " but the index is %" PRIu64 " at %s:%" PRId32 "\n",
            len, index, file, line);
    fflush(stderr);
    abort();
}

void vex_panic_msg(const char *file, int32_t line, vex_str msg) {
    fflush(stdout);
    fputs("panic: ", stderr);
    if (msg.len > 0) fwrite(msg.ptr, 1, (size_t)msg.len, stderr);
    fprintf(stderr, " at %s:%" PRId32 "\n", file, line);
    fflush(stderr);
    abort();
}

void vex_assert_failed(const char *file, int32_t line, vex_str msg, int has_msg) {
    fflush(stdout);
    fputs("assertion failed", stderr);
    if (has_msg) {
        fputs(": ", stderr);
        if (msg.len > 0) fwrite(msg.ptr, 1, (size_t)msg.len, stderr);
    }
    fprintf(stderr, " at %s:%" PRId32 "\n", file, line);
    fflush(stderr);
    abort();
}
