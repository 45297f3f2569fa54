#if defined(VX_RT_TESTS)
#include "vxt.h"
const vxt_test vxt_io_tests[] = {{NULL, NULL}};
#else
typedef int vxt_io_unused;
#endif
