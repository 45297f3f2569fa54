/* C twin of fannkuch_redux.vx: the Benchmarks Game pancake-flipping benchmark, n = 10, computed three times. */
#include <stdio.h>

typedef struct { int checksum, max_flips; } result;

static result fannkuch(int n) {
    int perm1[16] = {0}, perm[16] = {0}, count[16] = {0};
    for (int i = 0; i < n; i++) perm1[i] = i;
    int max_flips = 0, checksum = 0, perm_count = 0, r = n, done = 0;
    while (!done) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (int i = 0; i < n; i++) perm[i] = perm1[i];
        int flips = 0;
        int k = perm[0];
        while (k != 0) {
            int lo = 0, hi = k;
            while (lo < hi) {
                int t = perm[lo];
                perm[lo] = perm[hi];
                perm[hi] = t;
                lo++;
                hi--;
            }
            flips++;
            k = perm[0];
        }
        if (flips > max_flips) max_flips = flips;
        if (perm_count % 2 == 0) checksum += flips;
        else checksum -= flips;
        /* Next permutation (the Benchmarks Game's rotation order). */
        int more = 1;
        while (more) {
            if (r == n) {
                done = 1;
                more = 0;
            } else {
                int perm0 = perm1[0];
                for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
                perm1[r] = perm0;
                count[r]--;
                if (count[r] > 0) more = 0;
                else r++;
            }
        }
        perm_count++;
    }
    return (result){checksum, max_flips};
}

int main(void) {
    int total = 0;
    result res = {0, 0};
    for (int rep = 0; rep < 3; rep++) {
        res = fannkuch(10);
        total += res.checksum;
    }
    printf("%d\n", res.checksum);
    printf("Pfannkuchen(%d) = %d\n", 10, res.max_flips);
    printf("sum of checksums: %d\n", total);
    return 0;
}
