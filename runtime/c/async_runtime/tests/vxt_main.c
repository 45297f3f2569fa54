/* vxt_main.c: runs every runtime test, prints `N passed, M failed`, exits 1 on any failure.
 * Usage: vxt [substring-filter]. Each test has a 60 s alarm so a hang fails loudly. */
#if defined(VX_RT_TESTS)
#include "vxt.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

int vxt_failures;
int vxt_scale = 1;
static const char *vxt_current = "";

#if defined(SIGALRM)
static void vxt_on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "TIMEOUT in test ";
    ssize_t r = write(2, msg, sizeof msg - 1);
    r = write(2, vxt_current, strlen(vxt_current));
    r = write(2, "\n", 1);
    (void)r;
    _exit(2);
}
#endif

int main(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    const char *sc = getenv("VXT_SCALE");
    if (sc && atoi(sc) > 0) vxt_scale = atoi(sc);
#if defined(VX_SIM)
    const char *seed_env = getenv("VX_SIM_SEED");
    uint64_t sim_seed = seed_env ? strtoull(seed_env, NULL, 10) : 1;
    printf("sim seed %llu\n", (unsigned long long)sim_seed);
#endif
#if defined(SIGALRM)
    signal(SIGALRM, vxt_on_alarm);
#endif
#if defined(SIGPIPE)
    signal(SIGPIPE, SIG_IGN);
#endif
    const vxt_test *groups[] = {vxt_sched_tests, vxt_chan_tests, vxt_timer_tests, vxt_io_tests,
                                vxt_shutdown_tests, vxt_lifecycle_tests};
    int passed = 0, failed = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        for (const vxt_test *t = groups[g]; t->name; t++) {
            if (filter && !strstr(t->name, filter)) continue;
#if defined(VX_SIM)
            if (VXT_SIM_SKIP(t->name)) continue;
            /* per-test seeding: a filtered run replays the same interleaving as the full one */
            uint64_t h = sim_seed;
            for (const char *c = t->name; *c; c++) h = h * 1099511628211ull ^ (unsigned char)*c;
            vx_sim_reset(h);
#endif
            vxt_current = t->name;
            vxt_failures = 0;
#if defined(SIGALRM)
            alarm(60);
#endif
            uint64_t t0 = vx_now_ns();
            t->fn();
#if defined(SIGALRM)
            alarm(0);
#endif
            double ms = (double)(vx_now_ns() - t0) / 1e6;
            if (vxt_failures) {
                failed++;
                printf("FAIL %-40s %8.1f ms\n", t->name, ms);
            } else {
                passed++;
                printf("ok   %-40s %8.1f ms\n", t->name, ms);
            }
            fflush(stdout);
        }
    }
#if defined(VX_SIM)
    if (failed) printf("sim seed %llu FAILED (replay: VX_SIM_SEED=%llu)\n", (unsigned long long)sim_seed,
                       (unsigned long long)sim_seed);
#endif
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
#else
typedef int vxt_main_unused; /* only built by test.sh (-DVX_RT_TESTS) */
#endif
