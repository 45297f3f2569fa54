/* The print family's value formatting (LANGUAGE.md §13.3): stdio-buffered; stderr output first
 * flushes stdout so the two streams interleave in program order on a terminal. */
/* flockfile, for threaded programs; defined whether or not VEX_THREADS is set yet, since
 * vex_runtime.h may only turn it on below (when vx_rt.h sits next to it, as in an `--emit-c`
 * directory compiled with a plain `cc -std=c11`). */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "vex_runtime.h"

#include <inttypes.h>
#include <stdio.h>

#ifdef VEX_THREADS
/* One print statement of a threaded program holds its stream, so lines from concurrent tasks
 * never interleave within a statement. */
void vex_print_lock(int err) {
#if defined(_WIN32)
    _lock_file(err ? stderr : stdout);
#else
    flockfile(err ? stderr : stdout);
#endif
}

void vex_print_unlock(int err) {
#if defined(_WIN32)
    _unlock_file(err ? stderr : stdout);
#else
    funlockfile(err ? stderr : stdout);
#endif
}
#endif

static FILE *vex_stream(int err) {
    if (err) {
        fflush(stdout);
        return stderr;
    }
    return stdout;
}

void vex_print_text(int err, const char *text, int64_t len) {
    if (len > 0) fwrite(text, 1, (size_t)len, vex_stream(err));
}

void vex_print_str(int err, vex_str s) { vex_print_text(err, s.ptr, vex_str_len(s)); }

void vex_print_i64(int err, int64_t v) { fprintf(vex_stream(err), "%" PRId64, v); }

void vex_print_u64(int err, uint64_t v) { fprintf(vex_stream(err), "%" PRIu64, v); }

void vex_print_f64(int err, double v) { fprintf(vex_stream(err), "%g", vex_nan_unsigned(v)); }

void vex_print_bool(int err, bool v) { fputs(v ? "true" : "false", vex_stream(err)); }

void vex_print_debug_i64(int err, const char *type_name, int64_t v) {
    fprintf(vex_stream(err), "%s(%" PRId64 ")", type_name, v);
}

void vex_print_debug_u64(int err, const char *type_name, uint64_t v) {
    fprintf(vex_stream(err), "%s(%" PRIu64 ")", type_name, v);
}

void vex_print_debug_f64(int err, double v) { fprintf(vex_stream(err), "f64(%g)", vex_nan_unsigned(v)); }

void vex_print_debug_bool(int err, bool v) { fputs(v ? "bool(true)" : "bool(false)", vex_stream(err)); }

void vex_print_debug_str(int err, vex_str s) {
    FILE *f = vex_stream(err);
    fputc('"', f);
    if (vex_str_len(s) > 0) fwrite(s.ptr, 1, (size_t)vex_str_len(s), f);
    fputc('"', f);
}

void vex_print_hex(int err, uint64_t bits) { fprintf(vex_stream(err), "%" PRIx64, bits); }

void vex_print_fixed(int err, double v, int32_t decimals) { fprintf(vex_stream(err), "%.*f", (int)decimals, vex_nan_unsigned(v)); }
