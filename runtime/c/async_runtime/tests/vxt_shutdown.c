#if defined(VX_RT_TESTS)
#include "vxt.h"
const vxt_test vxt_shutdown_tests[] = {{NULL, NULL}};
#else
typedef int vxt_shutdown_unused;
#endif
