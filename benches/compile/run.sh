#!/usr/bin/env bash
# Compile-speed benchmark (issue 9): generates Vex programs of LINES lines with gen.py (default
# 20000 and 10000), checks that each builds and prints the expected sum, and times (median of
# RUNS runs, default 5):
#   check        `vexc check P`                       front end only
#   emit-c       `vexc --emit-c DIR P`                front end + C emission (+ writing the
#                                                     runtime's files), with #line directives
#   tcc          `vexc --cc tcc P`                    full build, default flags (-O0 -g)
#   gcc -O0      `vexc --cc gcc P`                    full build, default flags (-O0 -g)
#   gcc -O2      `vexc --cc gcc --release P`          full build, -O2
# Full builds run three times: "cold" with an empty cache (VEXC_CACHE_DIR), "rebuild" of the
# unchanged program with the cache filled (the sources-keyed cache: no front end, no C compiler),
# and "edit" (a comment appended to the program before each run: the front end runs, the emitted
# C is unchanged, so the executable comes from the executable cache).
# Last, the unchanged rebuild of examples/hello.vx shows the fixed cost of a build.
# Prints Vex lines per second of the front end (CPU time of `vexc check`, one thread), C lines
# emitted per Vex line (all lines, and without #line directives), and the targets of issue 9.
#
# Usage: benches/compile/run.sh [-n RUNS] [LINES...]
# Environment: VEXC (default: target/dist/vexc of this checkout, the shipped build of ./build.sh), KEEP=1 keeps the work dir.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# The vexc whose speed is measured: the shipped (LTO) build, not the tests' release build.
VEXC=${VEXC:-$(cd "$HERE/../.." && pwd)/target/dist/vexc}
. "$HERE/../common.sh"
RUNS=5
while getopts "n:" opt; do
    case $opt in
        n) RUNS=$OPTARG ;;
        *) sed -n '2,20p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
SIZES=${*:-20000 10000}

bench_setup
have() { command -v "$1" >/dev/null; }

# time_it NAME CMD...: runs CMD RUNS times (in $OUT/w), appends "NAME wall cpu" medians to $RES.
# A command's name may start with "cold:" (a fresh, empty VEXC_CACHE_DIR per run) or "warm:"
# (the cache dir $OUT/cache-NAME, filled by one untimed build first).
time_it() {
    local name=$1; shift
    local mode=plain
    case $name in cold:*) mode=cold ;; warm:*) mode=warm ;; edit:*) mode=edit ;; esac
    : >"$OUT/runs"
    if [ $mode = warm ] || [ $mode = edit ]; then VEXC_CACHE_DIR="$OUT/cache-$name" "$@" >/dev/null 2>&1; fi
    for i in $(seq "$RUNS"); do
        local cache="$OUT/cache-$name"
        [ $mode = cold ] && { rm -rf "$OUT/cold"; cache="$OUT/cold"; }
        [ $mode = edit ] && echo "// edit $i" >>"$EDIT_FILE"
        rm -rf "$OUT/emit"
        if ! VEXC_CACHE_DIR="$cache" "$OUT/measure" "$OUT/stdout" "$@" >>"$OUT/runs" 2>"$OUT/stderr"; then
            echo "  $name: FAILED: $*"; head -5 "$OUT/stderr"; STATUS=1; return
        fi
    done
    echo "$name $(awk '{print $1}' "$OUT/runs" | median) $(awk '{print $2}' "$OUT/runs" | median)" >>"$RES"
}

# The full builds measured, and compiler_args NAME setting `args` to the vexc options of one.
COMPILERS=""
have tcc && COMPILERS="tcc"
have gcc && COMPILERS="$COMPILERS gcc-O0 gcc-O2"
compiler_args() {
    case $1 in
        tcc) args=(--cc tcc) ;;
        gcc-O0) args=(--cc gcc) ;;
        gcc-O2) args=(--cc gcc --release) ;;
    esac
}

STATUS=0
echo "== vexc compile speed: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg); median of $RUNS runs"
for lines in $SIZES; do
    P="$OUT/gen$lines.vx"
    expected=$(python3 "$HERE/gen.py" "$lines" "$P" 2>&1 >/dev/null) || { echo "gen.py failed" >&2; exit 2; }
    vlines=$(wc -l <"$P")
    # Correctness first: the program builds and prints the sum gen.py computed.
    if ! "$VEXC" "$P" -o "$OUT/prog" >"$OUT/build.log" 2>&1; then
        echo "gen$lines.vx does not build:"; head -20 "$OUT/build.log"; STATUS=1; continue
    fi
    got=$("$OUT/prog")
    [ "$got" = "$expected" ] || { echo "gen$lines.vx printed $got, expected $expected"; STATUS=1; }
    "$VEXC" --emit-c "$OUT/emitted" "$P" >/dev/null
    clines=$(wc -l <"$OUT/emitted/gen$lines.c")
    cnoline=$(grep -vc '^[[:space:]]*#line ' "$OUT/emitted/gen$lines.c")
    rm -rf "$OUT/emitted"

    RES="$OUT/res$lines"; : >"$RES"
    time_it check "$VEXC" check "$P"
    time_it emit-c "$VEXC" --emit-c "$OUT/emit" "$P"
    for c in $COMPILERS; do
        compiler_args "$c"
        time_it "cold:$c" "$VEXC" "${args[@]}" "$P" -o "$OUT/prog"
        time_it "warm:$c" "$VEXC" "${args[@]}" "$P" -o "$OUT/prog"
        # Same base name in another directory: the #line directives (and so the C) are the same.
        mkdir -p "$OUT/edit"; EDIT_FILE="$OUT/edit/$(basename "$P")"; cp "$P" "$EDIT_FILE"
        time_it "edit:$c" "$VEXC" "${args[@]}" "$EDIT_FILE" -o "$OUT/prog"
    done
    have tcc || echo "  (tcc not found: no tcc builds)"

    echo
    echo "-- gen.py $lines: $vlines Vex lines; emitted C: $clines lines ($cnoline without #line directives)"
    printf '%-32s %10s %10s %18s\n' step "wall ms" "cpu ms" "Vex lines/s (cpu)"
    while read -r name wall cpu; do
        label=$name
        case $name in
            cold:*) label="build ${name#cold:} (cold cache)" ;;
            warm:*) label="rebuild ${name#warm:} (unchanged)" ;;
            edit:*) label="rebuild ${name#edit:} (comment added)" ;;
        esac
        printf '%-32s %10.0f %10.0f %18s\n' "$label" "$wall" "$cpu" \
            "$(awk -v l="$vlines" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", l / (c / 1000); else print "-" }')"
    done <"$RES"
    get() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$RES"; }
    verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { if (v == "") print "n/a"; else if ((dir == "ge" && v >= t) || (dir == "le" && v <= t)) print "met"; else print "MISSED" }'; }
    fe=$(awk -v l="$vlines" -v c="$(get check 3)" 'BEGIN { if (c > 0) printf "%.0f", l / (c / 1000) }')
    ratio=$(awk -v c="$clines" -v v="$vlines" 'BEGIN { printf "%.2f", c / v }')
    ratio2=$(awk -v c="$cnoline" -v v="$vlines" 'BEGIN { printf "%.2f", c / v }')
    echo "targets:"
    echo "  front end (vexc check) >= 200,000 Vex lines/s: $fe  $(verdict "$fe" 200000 ge)"
    echo "  emitted C <= 3 lines per Vex line: $ratio ($ratio2 without #line)  $(verdict "$ratio" 3 le)"
    if [ "$lines" -le 10000 ] && have tcc; then
        t=$(get cold:tcc 2); w=$(get warm:tcc 2)
        echo "  $vlines-line program builds with tcc <= 500 ms: cold ${t%.*} ms $(verdict "$t" 500 le), rebuild ${w%.*} ms $(verdict "$w" 500 le)"
    fi
    for c in $COMPILERS; do
        w=$(get "warm:$c" 2)
        echo "  unchanged rebuild <= 50 ms ($c): ${w%.*} ms  $(verdict "$w" 50 le)"
    done
done

# The fixed cost: an unchanged rebuild of a one-line program (examples/hello.vx).
RES="$OUT/res-hello"; : >"$RES"
for c in $COMPILERS; do
    compiler_args "$c"
    time_it "warm:$c" "$VEXC" "${args[@]}" "$REPO/examples/hello.vx" -o "$OUT/hello"
done
echo
echo "-- examples/hello.vx (1 line): unchanged rebuild"
while read -r name wall cpu; do
    printf '%-28s %10.0f %10.0f   target <= 50 ms: %s\n' "rebuild ${name#warm:}" "$wall" "$cpu" \
        "$(awk -v v="$wall" 'BEGIN { print (v <= 50) ? "met" : "MISSED" }')"
done <"$RES"
exit $STATUS
