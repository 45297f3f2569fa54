/* C twin of string_append.vx: 20,000 short lines appended to one growable buffer (capacity
 * doubling with realloc, amortised O(1) per append: the usual C). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t len = 0, cap = 64;
    char *doc = malloc(cap);
    char tmp[32];
    for (long i = 0; i < 20000; i++) {
        int n = snprintf(tmp, sizeof tmp, "line %ld\n", i);
        if (len + (size_t)n + 1 > cap) {
            while (len + (size_t)n + 1 > cap) cap *= 2;
            doc = realloc(doc, cap);
            if (!doc) abort();
        }
        memcpy(doc + len, tmp, (size_t)n + 1);
        len += (size_t)n;
    }
    printf("%zu\n", len);
    free(doc);
    return 0;
}
