/* A C program using the Vex library mathlib (mathlib.vx) through its generated header.
 * Build: see the Makefile (it needs the sources `vexc mathlib.vx --lib --emit-c build` wrote). */
#include <stdio.h>
#include <string.h>

#include "mathlib.h"

int main(void) {
    mathlib_init();

    printf("gcd(84, 36) = %lld\n", (long long)mathlib_gcd(84, 36));
    printf("gcd(-12, 18) = %lld\n", (long long)mathlib_gcd(-12, 18));

    printf("primes below 30:");
    for (uint64_t n = 0; n < 30; n++) {
        if (mathlib_is_prime(n)) printf(" %llu", (unsigned long long)n);
    }
    printf("\n");
    printf("is_prime(2^31 - 1) = %s\n", mathlib_is_prime(UINT64_C(2147483647)) ? "true" : "false");

    printf("hypot(3, 4) = %.1f\n", mathlib_hypot(3.0, 4.0));

    /* String results belong to the caller: release each with mathlib_string_free. */
    const int32_t years[] = {1999, 2024, 3999, 0};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        mathlib_string r = mathlib_roman(years[i]);
        printf("roman(%d) = \"%s\" (%zu bytes)\n", (int)years[i], r.ptr, r.len);
        mathlib_string_free(r);
    }

    /* String arguments are (pointer, length): no NUL needed, the library copies the bytes. */
    const char *name = "C caller";
    mathlib_string g = mathlib_greet(name, strlen(name), 3);
    printf("%s\n", g.ptr);
    mathlib_string_free(g);
    mathlib_string h = mathlib_greet("Ada Lovelace", 3, 1); /* only the first 3 bytes */
    printf("%s\n", h.ptr);
    mathlib_string_free(h);

    /* Vex prints to the same stdout, in call order. */
    fflush(stdout);
    mathlib_banner("from Vex", strlen("from Vex"));
    printf("done\n");

    mathlib_shutdown();
    return 0;
}
