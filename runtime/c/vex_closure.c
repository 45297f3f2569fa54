/* Closure environments (see vex_runtime.h): one heap block per closure value, reference
 * counted so that copies of a `fn` value share it and the last owner frees it. */
#include "vex_runtime.h"

void *vex_env_new(size_t size, void (*drop)(vex_env *env)) {
    vex_env *env = vex_mem_alloc(size, true);
    vex_rc_init(&env->refs, 1);
    env->drop = drop;
    return env;
}

void vex_env_release(vex_env *env) {
    if (!vex_rc_dec(&env->refs)) return;
    if (env->drop) env->drop(env);
    vex_mem_free(env);
}
