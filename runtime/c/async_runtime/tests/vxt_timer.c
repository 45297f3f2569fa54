#if defined(VX_RT_TESTS)
#include "vxt.h"
const vxt_test vxt_timer_tests[] = {{NULL, NULL}};
#else
typedef int vxt_timer_unused;
#endif
