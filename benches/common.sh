# Sourced by the benchmark scripts (benches/programs/run.sh, checks.sh, benches/compile/run.sh):
# the vexc measured, the work directory with the measuring tool, medians.
# Environment: VEXC (default: target/release/vexc of this checkout), KEEP=1 keeps the work dir.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VEXC=${VEXC:-$REPO/target/release/vexc}

# bench_setup: checks that $VEXC exists, makes the work directory $OUT (removed at exit unless
# KEEP=1) and builds $OUT/measure (runs a command, prints its wall and CPU milliseconds and peak
# RSS; benches/programs/measure.c).
bench_setup() {
    [ -x "$VEXC" ] || { echo "no vexc at $VEXC (run ./build.sh, or set VEXC)" >&2; exit 2; }
    OUT=$(mktemp -d)
    if [ "${KEEP:-}" = 1 ]; then echo "work directory: $OUT"; else trap 'rm -rf "$OUT"' EXIT; fi
    cc -O2 "$REPO/benches/programs/measure.c" -o "$OUT/measure" || { echo "cannot build measure.c" >&2; exit 2; }
}

# The median of the numbers on stdin, one per line ("nan" for none).
median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
