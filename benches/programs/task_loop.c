/* C twin of task_loop.vx: the same loop in a plain C function (no task, no channel). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#define N 4096

static void worker(int32_t rounds, int64_t *isum_out, double *fsum_out) {
    int64_t a[N];
    for (int32_t i = 0; i < N; i++) a[i] = (int64_t)(i * 7919 % N);
    int64_t isum = 0;
    double fsum = 0.0;
    for (int32_t r = 0; r < rounds; r++) {
        int64_t k = (int64_t)(r % 7 + 1);
        for (int32_t i = 0; i < N; i++) {
            int64_t v = a[i];
            isum += v * k;
            fsum += (double)v * 0.25;
            a[i] = (v * 5 + (int64_t)r) % 4093;
        }
    }
    *isum_out = isum;
    *fsum_out = fsum;
}

int main(void) {
    int64_t isum;
    double fsum;
    worker(100000, &isum, &fsum);
    printf("%" PRId64 " %g\n", isum, fsum);
    return 0;
}
