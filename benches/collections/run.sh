#!/usr/bin/env bash
# Collections benchmark: each Vex program beside its hand-written C twin, both built with the
# same C compiler and -O2, run interleaved N times (default 5); prints medians and Vex / C.
# Usage: benches/collections/run.sh [N]   (needs target/release/vexc: ./build.sh or cargo build --release)
set -euo pipefail
cd "$(dirname "$0")"
N=${1:-5}
VEXC=../../target/release/vexc
CC=${CC:-cc}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s%N; }
printf '%-14s %12s %12s %8s\n' benchmark "vex (ms)" "C (ms)" "vex/C"
for prog in *.vx; do
    name=${prog%.vx}
    "$VEXC" --release --cc "$CC" "$prog" -o "$OUT/$name-vex" >/dev/null
    "$CC" -O2 "$name.c" -o "$OUT/$name-c"
    [ "$("$OUT/$name-vex")" = "$("$OUT/$name-c")" ] || { echo "$name: outputs differ" >&2; exit 1; }
    : > "$OUT/v"; : > "$OUT/c"
    for _ in $(seq "$N"); do
        t0=$(now); "$OUT/$name-vex" >/dev/null; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >> "$OUT/v"
        t0=$(now); "$OUT/$name-c" >/dev/null; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >> "$OUT/c"
    done
    v=$(median < "$OUT/v"); c=$(median < "$OUT/c")
    printf '%-14s %12s %12s %8s\n' "$name" "$v" "$c" "$(awk -v v="$v" -v c="$c" 'BEGIN { if (c > 0) printf "%.2f", v / c; else print "-" }')"
done
