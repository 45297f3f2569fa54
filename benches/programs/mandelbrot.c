/* C twin of mandelbrot.vx: the Benchmarks Game Mandelbrot set on a 3000 x 3000 grid, 50
 * iterations; prints the number of points in the set and a hash of the packed bytes. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
    const int size = 3000, iter = 50;
    const double limit = 4.0;
    uint64_t hash = 0;
    int64_t inside = 0;
    for (int y = 0; y < size; y++) {
        double ci = 2.0 * (double)y / (double)size - 1.0;
        int bits = 0, bit_num = 0;
        for (int x = 0; x < size; x++) {
            double cr = 2.0 * (double)x / (double)size - 1.5;
            double zr = 0.0, zi = 0.0, tr = 0.0, ti = 0.0;
            int i = 0;
            while (i < iter && tr + ti <= limit) {
                zi = 2.0 * zr * zi + ci;
                zr = tr - ti + cr;
                tr = zr * zr;
                ti = zi * zi;
                i++;
            }
            bits = bits << 1;
            if (tr + ti <= limit) {
                bits = bits | 1;
                inside++;
            }
            bit_num++;
            if (bit_num == 8) {
                hash = hash * 31 + (uint64_t)bits;
                bits = 0;
                bit_num = 0;
            }
        }
        if (bit_num != 0) {
            bits = bits << (8 - bit_num);
            hash = hash * 31 + (uint64_t)bits;
            bits = 0;
            bit_num = 0;
        }
    }
    printf("%" PRId64 " %" PRIu64 "\n", inside, hash);
    return 0;
}
