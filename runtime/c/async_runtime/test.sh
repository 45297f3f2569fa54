#!/usr/bin/env bash
# Builds and runs the async runtime's C test suite in every configuration CI needs:
#   1. each runtime file alone (-std=c11, no test macro: test files are empty units then, so a
#      build that takes every .c stays correct); also under tcc, where every file is an empty
#      unit (no C11 atomics there)
#   2. gcc and clang, -std=c11 -Wall -Wextra -Werror -pedantic -O2
#   3. ThreadSanitizer (clang x5, gcc x1)
#   4. AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer (gcc)
#   5. valgrind memcheck on the shutdown tests (if valgrind is installed)
#   6. the kqueue backend over tests/kqshim (epoll-based kqueue emulation): plain and TSan
#   7. compile-and-link of the suite for macOS (x86_64, arm64) and FreeBSD with the real
#      <sys/event.h>, via `python3 -m ziglang cc` (pip install ziglang; skipped if absent)
#   8. poller parity: every backend implements every vx_poller.h function
#   9. the portable fallbacks (-DVX_PORTABLE: condvar futex buckets, no-I/O poller), plain + TSan
#  10. Windows: every file alone and the whole suite (IOCP backend, TCP included) as one .exe with
#      mingw-w64 (or zig's x86_64-windows-gnu), run under wine (WINEDEBUG=-all, throwaway prefix)
#  11. the deterministic simulation (-DVX_SIM) over 50 seeds (+ ASan/UBSan over 8); failing seeds
#      are printed and replay with VX_SIM_SEED=<seed>
# Exits non-zero if anything fails; prints one summary line per configuration at the end.
# Usage: runtime/c/async_runtime/test.sh            (VXT_TSAN_RUNS=N to change the TSan repeat)
set -uo pipefail
cd "$(dirname "$0")"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
WARN="-std=c11 -Wall -Wextra -Werror -pedantic"
SRC="$(ls *.c) $(ls tests/*.c)"
KQSRC="$SRC $(ls tests/kqshim/*.c)"
declare -a SUMMARY
FAILED=0

record() { # name status detail
    SUMMARY+=("$(printf '%-28s %-4s %s' "$1" "$2" "$3")")
    [ "$2" = ok ] || FAILED=1
}

have() { command -v "$1" >/dev/null 2>&1; }

# -- 1. files alone, the way vexc compiles them ----------------------------------------------
ok=1
for cc in gcc clang; do
    have $cc || continue
    for f in $KQSRC; do
        if ! $cc $WARN -O2 -c "$f" -o "$OUT/alone.o" 2>"$OUT/alone.err"; then
            echo "--- $cc $f (without -DVX_RT_TESTS)"; cat "$OUT/alone.err"; ok=0
        fi
    done
done
# base names must be unique across runtime/c (vexc flattens the tree)
# tcc 0.9.27 (used by the compiler's run harness) has no <stdatomic.h>: every file must still
# compile there, as an empty unit
if have tcc; then
    for f in $KQSRC; do
        if ! tcc -std=c11 -Wall -Werror -I. -c "$f" -o "$OUT/alone.o" 2>"$OUT/alone.err"; then
            echo "--- tcc $f"; cat "$OUT/alone.err"; ok=0
        fi
    done
fi
dups=$(find .. -name '*.[ch]' -printf '%f\n' | sort | uniq -d)
if [ -n "$dups" ]; then echo "duplicate runtime base names: $dups"; ok=0; fi
record "standalone compile" $([ $ok = 1 ] && echo ok || echo FAIL) "every file, gcc+clang(+tcc), no test macro"

# build NAME CC FLAGS... ; run NAME ENV... ARGS
build() {
    local name=$1 cc=$2; shift 2
    if ! have "$cc"; then echo "$cc not installed"; return 1; fi
    $cc $WARN -DVX_RT_TESTS -I. -g "$@" $SRC -o "$OUT/$name" -lpthread 2>"$OUT/$name.build"
    local rc=$?
    if [ $rc -ne 0 ]; then echo "--- build $name failed"; cat "$OUT/$name.build"; fi
    return $rc
}
run() { # name label env...
    local name=$1 label=$2; shift 2
    echo "=== $label"
    env "$@" "$OUT/$name" $FILTER 2>&1 | tee "$OUT/$label.log" | grep -v '^ok ' ; local rc=${PIPESTATUS[0]}
    local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/$label.log" | tail -1)
    if grep -q 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' "$OUT/$label.log"; then
        rc=1; line="$line (sanitizer report)"
    fi
    record "$label" $([ $rc -eq 0 ] && echo ok || echo FAIL) "${line:-no summary (crash or timeout, exit $rc)}"
}
FILTER=${1:-}

# -- 2. gcc and clang ---------------------------------------------------------------------------
for cc in gcc clang; do
    if build "$cc" "$cc" -O2; then run "$cc" "$cc -O2"; else record "$cc -O2" FAIL "build failed"; fi
done

# -- 3. ThreadSanitizer -------------------------------------------------------------------------
if build tsan clang -O1 -fsanitize=thread; then
    for i in $(seq 1 "${VXT_TSAN_RUNS:-5}"); do
        run tsan "tsan run $i" VXT_SCALE=10 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
    done
else record "tsan" FAIL "build failed"; fi
# gcc's TSan too (RUNTIME.md asks for gcc 12): different instrumentation, one run
if build tsan-gcc gcc -O1 -fsanitize=thread -Wno-tsan; then  # gcc warns that TSan does not model fences
    run tsan-gcc "tsan (gcc) run" VXT_SCALE=10 TSAN_OPTIONS="halt_on_error=1"
else record "tsan (gcc)" FAIL "build failed"; fi

# -- 4. ASan + UBSan + LSan ---------------------------------------------------------------------
if build asan gcc -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer; then
    run asan "asan+ubsan+lsan" VXT_SCALE=4 ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
else record "asan+ubsan+lsan" FAIL "build failed"; fi

# -- 5. valgrind on the shutdown paths ------------------------------------------------------------
if have valgrind; then
    echo "=== valgrind (shutdown tests)"
    if valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        env VXT_SCALE=20 "$OUT/gcc" shutdown/ >"$OUT/vg.log" 2>&1; then
        record "valgrind shutdown/" ok "$(grep -E 'passed, [0-9]+ failed' "$OUT/vg.log" | tail -1), no leaks"
    else
        cat "$OUT/vg.log" | tail -40
        record "valgrind shutdown/" FAIL "see log above"
    fi
else
    record "valgrind shutdown/" skip "valgrind not installed"
fi

# -- 6. kqueue backend over the epoll-based shim ------------------------------------------------
KQ="-DVX_POLLER_KQUEUE -DVX_KQUEUE_SHIM -Itests/kqshim"
SRC_SAVE=$SRC; SRC=$KQSRC
if build kqueue-shim gcc -O2 $KQ; then run kqueue-shim "kqueue (shim) gcc -O2"; else record "kqueue (shim)" FAIL "build failed"; fi
if build kqueue-shim-tsan clang -O1 -fsanitize=thread $KQ; then
    run kqueue-shim-tsan "kqueue (shim) tsan" VXT_SCALE=10 TSAN_OPTIONS="halt_on_error=1"
else record "kqueue (shim) tsan" FAIL "build failed"; fi
SRC=$SRC_SAVE

# -- 7. macOS / FreeBSD compile-and-link ---------------------------------------------------------
if python3 -m ziglang version >/dev/null 2>&1; then
    for tgt in x86_64-macos aarch64-macos x86_64-freebsd; do
        if python3 -m ziglang cc -target $tgt $WARN -O2 -DVX_RT_TESTS -I. $SRC -o "$OUT/vxt-$tgt" -lpthread \
            >"$OUT/$tgt.log" 2>&1; then
            record "link $tgt" ok "suite builds and links against the real kqueue (not run)"
        else
            cat "$OUT/$tgt.log" | head -30; record "link $tgt" FAIL "see log above"
        fi
    done
else
    record "link macos/freebsd" skip "ziglang not installed (pip install ziglang)"
fi

# -- 9. portable fallbacks on Linux ------------------------------------------------------------
if build portable gcc -O2 -DVX_PORTABLE; then run portable "portable (VX_PORTABLE) gcc"; else record "portable" FAIL "build failed"; fi
if build portable-tsan clang -O1 -fsanitize=thread -DVX_PORTABLE; then
    run portable-tsan "portable (VX_PORTABLE) tsan" VXT_SCALE=10 TSAN_OPTIONS="halt_on_error=1"
else record "portable tsan" FAIL "build failed"; fi

# -- 11. deterministic simulation (-DVX_SIM): one thread, virtual clock, seeded random choice of
# the next runnable task (odd seeds also inject spurious wake-ups). Every test that needs no real
# threads or sockets, over VXT_SIM_SEEDS seeds (default 50), 2 at a time; a failing seed is
# printed and replays exactly with VX_SIM_SEED=<seed>. Plus ASan+UBSan over the first 8 seeds.
sim_seeds() { # name label nseeds env...
    local name=$1 label=$2 nseeds=$3; shift 3
    echo "=== $label"
    mkdir -p "$OUT/$name.d"
    seq 1 "$nseeds" | xargs -P 2 -I{} sh -c "VX_SIM_SEED={} VX_SIM_SPURIOUS=\$(({} % 2)) VXT_SCALE=10 $* timeout 60 '$OUT/$name' $FILTER >'$OUT/$name.d/{}.log' 2>&1 || echo {} >>'$OUT/$name.d/failed'"
    if [ -s "$OUT/$name.d/failed" ]; then
        for sd in $(sort -n "$OUT/$name.d/failed"); do
            echo "--- seed $sd (replay: VX_SIM_SEED=$sd VX_SIM_SPURIOUS=$((sd % 2)) VXT_SCALE=10)"
            grep -v '^ok ' "$OUT/$name.d/$sd.log" | tail -8
        done
        record "$label" FAIL "failing seeds: $(sort -n "$OUT/$name.d/failed" | tr '\n' ' ')"
    else
        record "$label" ok "$nseeds seeds, each: $(grep -E '^[0-9]+ passed' "$OUT/$name.d/1.log")"
    fi
}
if build sim gcc -O2 -DVX_SIM; then sim_seeds sim "sim (VX_SIM) gcc" "${VXT_SIM_SEEDS:-50}"
else record "sim" FAIL "build failed"; fi
if build sim-asan gcc -O1 -DVX_SIM -fsanitize=address,undefined -fno-sanitize-recover=undefined; then
    sim_seeds sim-asan "sim (VX_SIM) asan+ubsan" 8 ASAN_OPTIONS=detect_leaks=1
else record "sim asan" FAIL "build failed"; fi

# -- 10. Windows: the full suite (IOCP backend, TCP tests included) as ONE bundled .exe -------------
# mingw-w64 gcc (else zig's x86_64-windows-gnu), statically linked so wine needs no DLLs, run
# under wine with a throwaway prefix (the first run creates it: ~8 s). Wine is not Windows, but it
# runs the real overlapped Winsock/IOCP calls. VXT_SCALE=2: loopback round trips cost ~0.7 ms
# under wine (wineserver), so the echo tests are halved.
WINCC=""
if have x86_64-w64-mingw32-gcc; then WINCC="x86_64-w64-mingw32-gcc"
elif python3 -m ziglang version >/dev/null 2>&1; then WINCC="python3 -m ziglang cc -target x86_64-windows-gnu"; fi
if [ -n "$WINCC" ]; then
    ok=1
    for f in $SRC; do # each file alone, as vexc would compile it for Windows
        $WINCC $WARN -O2 -c "$f" -o "$OUT/alone-win.o" 2>"$OUT/alone-win.err" || { echo "--- $WINCC $f"; cat "$OUT/alone-win.err"; ok=0; }
    done
    if [ $ok = 1 ] && $WINCC $WARN -O2 -g -DVX_RT_TESTS -I. $SRC -o "$OUT/vxt.exe" -static -lpthread -lws2_32 \
        >"$OUT/win.log" 2>&1; then
        WINE=""
        for w in wine wine64 /usr/lib/wine/wine64; do have "$w" && WINE=$w && break; done
        if [ -n "$WINE" ]; then
            echo "=== windows (IOCP, wine)"
            WP=$(mktemp -d)
            WINEDEBUG=-all WINEPREFIX="$WP" VXT_SCALE=2 timeout 300 "$WINE" "$OUT/vxt.exe" $FILTER >"$OUT/wine.log" 2>&1; rc=$?
            rm -rf "$WP"
            grep -v '^ok ' "$OUT/wine.log" | grep -v '^wine: \|^$'
            line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/wine.log" | tail -1 | tr -d '\r')
            record "windows IOCP (wine)" $([ $rc -eq 0 ] && echo ok || echo FAIL) "${line:-no summary (exit $rc)}"
        else
            record "windows link" ok "builds and links with $WINCC (wine not installed: not run)"
        fi
    else
        cat "$OUT/win.log" | head -30; record "windows build" FAIL "see log above"
    fi
else
    record "windows" skip "neither mingw-w64 nor ziglang installed"
fi

# -- 8. poller parity ------------------------------------------------------------------------------
if ./check_pollers.sh; then record "poller parity" ok "$(./check_pollers.sh | tail -1)"
else record "poller parity" FAIL "a backend misses a function"; fi

echo
echo "=== async runtime test summary"
for s in "${SUMMARY[@]}"; do echo "$s"; done
if [ $FAILED -ne 0 ]; then echo "RESULT: FAIL"; exit 1; fi
echo "RESULT: ok"
