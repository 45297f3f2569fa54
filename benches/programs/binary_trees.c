/* C twin of binary_trees.vx: the Benchmarks Game allocation benchmark with one malloc per node
 * (the usual hand-written C without a pool allocator), max depth 17. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Node { struct Node *left, *right; } Node;

static Node *build(int depth) {
    Node *n = malloc(sizeof *n);
    if (depth == 0) {
        n->left = n->right = NULL;
    } else {
        n->left = build(depth - 1);
        n->right = build(depth - 1);
    }
    return n;
}

static int64_t check(const Node *n) {
    int64_t count = 1;
    if (n->left) count += check(n->left);
    if (n->right) count += check(n->right);
    return count;
}

static void release(Node *n) {
    if (n->left) release(n->left);
    if (n->right) release(n->right);
    free(n);
}

static int64_t build_and_check(int depth) {
    Node *t = build(depth);
    int64_t c = check(t);
    release(t);
    return c;
}

int main(void) {
    int max_depth = 17;
    int stretch = max_depth + 1;
    printf("stretch tree of depth %d\t check: %lld\n", stretch, (long long)build_and_check(stretch));
    Node *long_lived = build(max_depth);
    for (int d = 4; d <= max_depth; d += 2) {
        int iterations = 1 << (max_depth - d + 4);
        int64_t total = 0;
        for (int i = 0; i < iterations; i++) total += build_and_check(d);
        printf("%d\t trees of depth %d\t check: %lld\n", iterations, d, (long long)total);
    }
    printf("long lived tree of depth %d\t check: %lld\n", max_depth, (long long)check(long_lived));
    release(long_lived);
    return 0;
}
