/* C twin of spectral_norm.vx: the Benchmarks Game spectral norm, 10 iterations at N = 4000. */
#include <math.h>
#include <stdio.h>

#define N 4000

static double a(int i, int j) { return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1); }

static void mul_av(const double *v, double *out) {
    for (int i = 0; i < N; i++) {
        double sum = 0.0;
        for (int j = 0; j < N; j++) sum += a(i, j) * v[j];
        out[i] = sum;
    }
}

static void mul_atv(const double *v, double *out) {
    for (int i = 0; i < N; i++) {
        double sum = 0.0;
        for (int j = 0; j < N; j++) sum += a(j, i) * v[j];
        out[i] = sum;
    }
}

static void mul_atav(const double *v, double *out, double *tmp) {
    mul_av(v, tmp);
    mul_atv(tmp, out);
}

int main(void) {
    double u[N], v[N], tmp[N];
    for (int i = 0; i < N; i++) { u[i] = 1.0; v[i] = 0.0; tmp[i] = 0.0; }
    for (int k = 0; k < 10; k++) {
        mul_atav(u, v, tmp);
        mul_atav(v, u, tmp);
    }
    double vbv = 0.0, vv = 0.0;
    for (int i = 0; i < N; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    printf("%.9f\n", sqrt(vbv / vv));
    return 0;
}
