#if defined(VX_RT_TESTS)
#include "vxt.h"
const vxt_test vxt_chan_tests[] = {{NULL, NULL}};
#else
typedef int vxt_chan_unused;
#endif
