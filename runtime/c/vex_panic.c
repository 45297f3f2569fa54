/* Run-time failures: flush what the program printed, report on stderr, abort (LANGUAGE.md §1.2). */
#include "vex_runtime.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* Every report starts after what the program printed and ends with the location. */
static void vex_report_begin(void) { fflush(stdout); }

VEX_NORETURN static void vex_report_end(const char *file, int32_t line) {
    fprintf(stderr, " at %s:%" PRId32 "\n", file, line);
    fflush(stderr);
    abort();
}

void vex_panic_at(const char *file, int32_t line, const char *msg) {
    vex_report_begin();
    fprintf(stderr, "panic: %s", msg);
    vex_report_end(file, line);
}

void vex_panic_index(const char *file, int32_t line, int64_t index, int64_t len) {
    vex_report_begin();
    fprintf(stderr, "panic: index out of bounds: the len is %" PRId64 " but the index is %" PRId64, len, index);
    vex_report_end(file, line);
}

void vex_panic_index_u(const char *file, int32_t line, uint64_t index, int64_t len) {
    vex_report_begin();
    fprintf(stderr, "panic: index out of bounds: the len is %" PRId64 " but the index is %" PRIu64, len, index);
    vex_report_end(file, line);
}

void vex_panic_msg(const char *file, int32_t line, vex_str msg) {
    vex_report_begin();
    fputs("panic: ", stderr);
    if (vex_str_len(msg) > 0) fwrite(msg.ptr, 1, (size_t)vex_str_len(msg), stderr);
    vex_report_end(file, line);
}

void vex_assert_failed(const char *file, int32_t line, vex_str msg, int has_msg) {
    vex_report_begin();
    fputs("assertion failed", stderr);
    if (has_msg) {
        fputs(": ", stderr);
        if (vex_str_len(msg) > 0) fwrite(msg.ptr, 1, (size_t)vex_str_len(msg), stderr);
    }
    vex_report_end(file, line);
}
