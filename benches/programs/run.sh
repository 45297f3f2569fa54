#!/usr/bin/env bash
# Vex programs beside their hand-written C twins (see README.md here). For each C compiler, builds
# every `NAME.vx` with `vexc --release --cc CC` and `NAME.c` with `CC -std=c11 -O2` (the flags
# vexc passes at --release), checks that both print the same checksum, runs them interleaved
# (Vex, C, Vex, C, ...) RUNS times, and prints the medians, the ratio Vex / C, the peak RSS of
# each and its ratio, and the geomean of the numeric programs' ratios, beside the targets of
# issue 9. Timing never fails the script; a checksum mismatch or a failed build does (exit 1).
#
# Code layout. Where a hot function lands in .text moves a tight loop's time by up to ~7% on
# this machine (fib with gcc: the same code 64-byte aligned runs 0.28 s, 16 bytes further
# 0.29 s; the C twin's luck differs), and any change in the size of the runtime moves it. So
# both sides are built in several layouts and the runs rotate through them: `d` is the plain
# build (`-O2`, what users get); `K` adds `-falign-functions=64` and K bytes of padding before
# every function (`-fpatchable-function-entry=K,K`, never executed), so the hot functions of
# both sides sit at the same offset K within a 64-byte line. The ratio is that of the medians
# over all runs; the `layouts` column shows the lowest and highest per-layout ratio, and the
# `d` column the plain build's.
#
# Usage: benches/programs/run.sh [-n RUNS] [-c CC1,CC2] [-l LAYOUTS] [NAME...]
#   -n RUNS      runs per program and side, spread over the layouts (default 10)
#   -c CCS       comma-separated C compilers (default gcc,clang; missing ones are skipped)
#   -l LAYOUTS   comma-separated layouts (default d,0,16,32,48; `-l d` is the plain build only)
#   NAME...      only these programs (default: every *.vx here)
# Environment: VEXC (default: target/release/vexc of this checkout), KEEP=1 keeps the build dir.
# Times are CPU time (user + sys) of the process, from wait4's rusage: on a machine where other
# jobs run, CPU time moves less than wall time. The wall-clock ratio is printed too.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../common.sh"
RUNS=10
CCS=gcc,clang
LAYOUTS=d,0,16,32,48
while getopts "n:c:l:" opt; do
    case $opt in
        n) RUNS=$OPTARG ;;
        c) CCS=$OPTARG ;;
        l) LAYOUTS=$OPTARG ;;
        *) sed -n '2,27p' "$0" >&2; exit 2 ;;
    esac
done
IFS=, read -r -a layouts <<<"$LAYOUTS"
# The C compiler flags of a layout (see the top of this file).
layout_flags() {
    case $1 in
        d) ;;
        0) echo "-falign-functions=64" ;;
        *) echo "-falign-functions=64 -fpatchable-function-entry=$1,$1" ;;
    esac
}
shift $((OPTIND - 1))

# Numeric programs (target: <= 1.05 x C each, geomean <= 1.02); task programs (CPU work inside
# a suspending function, against the same loop in a plain C function; target <= 1.10 x C, not in
# issue 9's list); the rest are memory/ownership programs (target: <= 1.10 x C in time, <= 1.2 x
# C in peak memory).
NUMERIC="fib nbody spectral_norm mandelbrot fannkuch_redux"
TASK="task_loop"
ORDER="fib nbody spectral_norm mandelbrot fannkuch_redux binary_trees map_ints map_strings vec_sum string_build string_append task_loop"
if [ $# -gt 0 ]; then
    NAMES="$*"
else
    NAMES=$ORDER
    for f in "$HERE"/*.vx; do
        n=$(basename "$f" .vx)
        case " $ORDER " in *" $n "*) ;; *) NAMES="$NAMES $n" ;; esac
    done
fi

bench_setup

status=0

IFS=, read -r -a compilers <<<"$CCS"
for CC in "${compilers[@]}"; do
    if ! command -v "${CC%% *}" >/dev/null; then echo "== $CC: not found, skipped"; continue; fi
    D="$OUT/$CC"
    mkdir -p "$D"
    echo
    echo "== $($CC --version 2>/dev/null | head -1): vexc --release --cc $CC  vs  $CC -std=c11 -O2; $RUNS runs each, interleaved, layouts $LAYOUTS"
    echo "   $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-15s %-8s %9s %9s %7s %11s %6s %7s %9s %9s %6s  %s\n' benchmark kind "vex ms" "C ms" vex/C layouts d wall "vex MiB" "C MiB" mem target
    logsum=0; nnum=0
    for name in $NAMES; do
        kind=memory
        case " $NUMERIC " in *" $name "*) kind=numeric ;; esac
        case " $TASK " in *" $name "*) kind=task ;; esac
        built=1
        for l in "${layouts[@]}"; do
            flags=$(layout_flags "$l")
            if ! "$VEXC" --release --cc "$CC $flags" "$HERE/$name.vx" -o "$D/$name-vex-$l" >"$D/$name.build" 2>&1; then
                printf '%-15s %-8s vexc failed: %s\n' "$name" "$kind" "$(grep -m1 -E 'error|ICE' "$D/$name.build")"
                built=0; break
            fi
            # shellcheck disable=SC2086 # the flags are words
            if ! $CC -std=c11 -O2 $flags "$HERE/$name.c" -o "$D/$name-c-$l" -lm >"$D/$name.build" 2>&1; then
                printf '%-15s %-8s C build failed: %s\n' "$name" "$kind" "$(head -1 "$D/$name.build")"
                built=0; break
            fi
        done
        if [ $built = 0 ]; then status=1; continue; fi
        # One line per run: wall ms, CPU ms, peak KiB, layout. A first, unmeasured run of each
        # side: the first process after the builds pays for a cold start (map_ints: up to 1.2x).
        "$OUT/measure" /dev/null "$D/$name-vex-${layouts[0]}" >/dev/null 2>&1
        "$OUT/measure" /dev/null "$D/$name-c-${layouts[0]}" >/dev/null 2>&1
        : >"$D/$name.vex.runs"; : >"$D/$name.c.runs"
        ok=1
        for r in $(seq "$RUNS"); do
            l=${layouts[$(((r - 1) % ${#layouts[@]}))]}
            m=$("$OUT/measure" "$D/$name.vex.out" "$D/$name-vex-$l") || ok=0
            echo "$m $l" >>"$D/$name.vex.runs"
            m=$("$OUT/measure" "$D/$name.c.out" "$D/$name-c-$l") || ok=0
            echo "$m $l" >>"$D/$name.c.runs"
            if ! cmp -s "$D/$name.vex.out" "$D/$name.c.out"; then ok=2; break; fi
        done
        if [ $ok = 0 ]; then
            printf '%-15s %-8s a program failed (non-zero exit status)\n' "$name" "$kind"; status=1; continue
        elif [ $ok = 2 ]; then
            printf '%-15s %-8s CHECKSUM MISMATCH: vex printed %s, C printed %s\n' "$name" "$kind" \
                "$(head -c 200 "$D/$name.vex.out" | tr '\n' '|')" "$(head -c 200 "$D/$name.c.out" | tr '\n' '|')"
            status=1; continue
        fi
        vw=$(awk '{print $1}' "$D/$name.vex.runs" | median); cw=$(awk '{print $1}' "$D/$name.c.runs" | median)
        vc=$(awk '{print $2}' "$D/$name.vex.runs" | median); cc_=$(awk '{print $2}' "$D/$name.c.runs" | median)
        vm=$(awk '{print $3}' "$D/$name.vex.runs" | median); cm=$(awk '{print $3}' "$D/$name.c.runs" | median)
        # The ratio of each layout's medians: the lowest, the highest, and the plain build's.
        lo=""; hi=""; plain="-"
        for l in "${layouts[@]}"; do
            lr=$(awk -v a="$(awk -v l="$l" '$4 == l {print $2}' "$D/$name.vex.runs" | median)" \
                     -v b="$(awk -v l="$l" '$4 == l {print $2}' "$D/$name.c.runs" | median)" \
                     'BEGIN { if (a == "nan" || b == "nan" || b <= 0) print "nan"; else printf "%.2f", a / b }')
            [ "$lr" = nan ] && continue
            [ "$l" = d ] && plain=$lr
            if [ -z "$lo" ] || awk -v a="$lr" -v b="$lo" 'BEGIN { exit !(a < b) }'; then lo=$lr; fi
            if [ -z "$hi" ] || awk -v a="$lr" -v b="$hi" 'BEGIN { exit !(a > b) }'; then hi=$lr; fi
        done
        spread="${lo:--}-${hi:--}"
        line=$(awk -v n="$name" -v k="$kind" -v vw="$vw" -v cw="$cw" -v vc="$vc" -v cc="$cc_" -v vm="$vm" -v cm="$cm" -v sp="$spread" -v pl="$plain" 'BEGIN {
            r = (cc > 0) ? vc / cc : 0; w = (cw > 0) ? vw / cw : 0; m = (cm > 0) ? vm / cm : 0
            if (k == "numeric") t = (r <= 1.05) ? "met (<= 1.05)" : "MISSED (<= 1.05)"
            else if (k == "task") t = (r <= 1.10) ? "met (<= 1.10)" : "MISSED (<= 1.10)"
            else t = (r <= 1.10 && m <= 1.2) ? "met (<= 1.10, mem <= 1.2)" : "MISSED (<= 1.10, mem <= 1.2)"
            printf "%-15s %-8s %9.0f %9.0f %7.3f %11s %6s %7.3f %9.1f %9.1f %6.2f  %s|%.6f", n, k, vc, cc, r, sp, pl, w, vm / 1024, cm / 1024, m, t, r
        }')
        printf '%s\n' "${line%|*}"
        if [ "$kind" = numeric ]; then
            logsum=$(awk -v s="$logsum" -v r="${line##*|}" 'BEGIN { printf "%.9f", s + log(r) }'); nnum=$((nnum + 1))
        fi
    done
    if [ $nnum -gt 0 ]; then
        awk -v s="$logsum" -v n="$nnum" 'BEGIN { g = exp(s / n); printf "geomean vex/C of the %d numeric programs: %.3f  (target <= 1.02: %s)\n", n, g, (g <= 1.02) ? "met" : "MISSED" }'
    fi
done
exit $status
