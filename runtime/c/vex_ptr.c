/* Raw pointers made from references (`&x as *T`, LANGUAGE.md §6.3).
 *
 * The conversion is an out-of-line identity function on purpose: a Vex program may return the
 * address of a local as a raw pointer (it is never dereferenced), and C compilers reject that
 * pattern (-Wreturn-local-addr) when they can see it. */
#include "vex_runtime.h"

void *vex_ptr_from_ref(void *ref) { return ref; }
