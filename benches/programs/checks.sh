#!/usr/bin/env bash
# What the safety checks cost: for each program, writes its C with `vexc --emit-c` and builds it
# (with CC -std=c11 -O2, every .c of the directory, as vexc --release does) four ways, by editing
# a copy of the emitted C; the compiler is not changed:
#   as emitted   the C vexc writes
#   no bounds    vex_check_index / vex_check_index_u return the index, and the per-type
#                Vec `get` helpers lose their range check
#   no wrap      the wrapping integer helpers vex_add/sub/mul_* become plain C `+ - *` (signed
#                overflow is then undefined, as in the C twin: the compiler may widen indexes)
#   neither      both edits
# then runs each variant and the C twin interleaved RUNS times and prints median CPU times
# (user + sys) and each variant / C. Outputs are compared with the C twin's.
#
# Usage: benches/programs/checks.sh [-n RUNS] [-c CC] [NAME...]   (default: 5 runs, gcc, all)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../common.sh"
RUNS=5
CC=gcc
while getopts "n:c:" opt; do
    case $opt in
        n) RUNS=$OPTARG ;;
        c) CC=$OPTARG ;;
        *) sed -n '2,16p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
NAMES=${*:-fib nbody spectral_norm mandelbrot fannkuch_redux binary_trees map_ints map_strings vec_sum string_build}
bench_setup

# The edits (sed expressions on vex_runtime.h and on the program's C).
NOBOUNDS_H='s/if (VEX_LIKELY((uint64_t)i < (uint64_t)len)) return i;/return i;/; s/if (VEX_LIKELY(i < (uint64_t)len)) return (int64_t)i;/return (int64_t)i;/'
NOBOUNDS_C='s/if (i < 0 || i >= len) vex_panic_index(file, line, i, len);//'
NOWRAP_H='s/return (T)(U)((W)(U)a \([-+*]\) (W)(U)b);/return (T)(a \1 b);/'

status=0
echo "== $($CC --version | head -1), -std=c11 -O2; CPU ms (user + sys), median of $RUNS; ratios to the C twin"
printf '%-15s %12s %12s %12s %12s %9s\n' benchmark "as emitted" "no bounds" "no wrap" "neither" "C"
for name in $NAMES; do
    D="$OUT/$name"
    mkdir -p "$D"
    "$VEXC" --emit-c "$D/base" --no-line-directives "$HERE/$name.vx" >/dev/null || { echo "$name: vexc failed"; status=1; continue; }
    $CC -std=c11 -O2 "$HERE/$name.c" -o "$D/c" -lm || { status=1; continue; }
    variants="base nobounds nowrap neither"
    for v in nobounds nowrap neither; do cp -r "$D/base" "$D/$v"; done
    sed -i "$NOBOUNDS_H" "$D/nobounds/vex_runtime.h" "$D/neither/vex_runtime.h"
    sed -i "$NOBOUNDS_C" "$D/nobounds/$name.c" "$D/neither/$name.c"
    sed -i "$NOWRAP_H" "$D/nowrap/vex_runtime.h" "$D/neither/vex_runtime.h"
    # The edits must have applied (the runtime header may have changed since this was written).
    if grep -q '(uint64_t)i < (uint64_t)len)) return i;' "$D/nobounds/vex_runtime.h" || grep -q '(W)(U)a + (W)(U)b' "$D/nowrap/vex_runtime.h"; then
        echo "$name: the runtime header no longer matches the edits in checks.sh"; status=1; continue
    fi
    for v in $variants; do
        $CC -std=c11 -O2 -I"$D/$v" "$D/$v"/*.c -o "$D/$v.exe" -lm -lpthread || { echo "$name: $v does not build"; status=1; continue 2; }
        : >"$D/$v.runs"
    done
    : >"$D/c.runs"
    for _ in $(seq "$RUNS"); do
        for v in $variants; do
            "$OUT/measure" "$D/$v.out" "$D/$v.exe" >>"$D/$v.runs" || status=1
        done
        "$OUT/measure" "$D/c.out" "$D/c" >>"$D/c.runs" || status=1
    done
    for v in $variants; do
        cmp -s "$D/$v.out" "$D/c.out" || { echo "$name: output of $v differs from the C twin"; status=1; }
    done
    c=$(awk '{print $2}' "$D/c.runs" | median)
    row=$(printf '%-15s' "$name")
    for v in $variants; do
        t=$(awk '{print $2}' "$D/$v.runs" | median)
        row="$row $(awk -v t="$t" -v c="$c" 'BEGIN { printf "%6.0f %5.2f", t, (c > 0) ? t / c : 0 }')"
    done
    printf '%s %9.0f\n' "$row" "$c"
done
exit $status
