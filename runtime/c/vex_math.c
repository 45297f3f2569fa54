/* Float helpers that need <math.h> (linked with -lm). */
#include "vex_runtime.h"

#include <math.h>

double vex_fmod_f64(double a, double b) { return fmod(a, b); }
float vex_fmod_f32(float a, float b) { return fmodf(a, b); }
