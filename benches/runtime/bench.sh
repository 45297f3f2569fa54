#!/usr/bin/env bash
# Runs the runtime benchmarks (RUNTIME.md §3.10) for our C runtime, Tokio and Go on this machine
# and prints one table with the ratios and targets (compare.py).
#
#   benches/runtime/bench.sh [RUNS]     RUNS per implementation, default 5 (median reported)
#
# Tokio and Go are built from ../shared/bench/{tokio,go} (copied to a temp dir, nothing is written
# there). Without cargo or go (apt-get install golang-go), the recorded results-baseline.txt of
# that implementation is used instead and the table header says so.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RT="$REPO/runtime/c/async_runtime"
SHARED=""
for d in "$REPO/../shared" /work/shared; do [ -d "$d/bench" ] && SHARED=$(cd "$d" && pwd) && break; done
RUNS=${1:-5}
OUT=${BENCH_OUT:-$(mktemp -d)}
mkdir -p "$OUT"
CC=${CC:-gcc}

echo "building ours ($CC -O2)"
$CC -std=c11 -O2 -I"$RT" "$HERE/vx_bench.c" "$RT"/*.c -o "$OUT/vx_bench" -lpthread || exit 1

TOKIO_LABEL="Tokio"; GO_LABEL="Go"
TOKIO_BIN=""; GO_BIN=""
if [ -n "$SHARED" ] && command -v cargo >/dev/null; then
    echo "building Tokio baseline (cargo, release)"
    mkdir -p "$OUT/tokio/src"
    cp "$SHARED/bench/tokio/Cargo.toml" "$OUT/tokio/"
    cp "$SHARED/bench/tokio/main.rs" "$OUT/tokio/src/main.rs"
    [ -f "$SHARED/bench/tokio/Cargo.lock" ] && cp "$SHARED/bench/tokio/Cargo.lock" "$OUT/tokio/"
    if (cd "$OUT/tokio" && CARGO_TARGET_DIR="${TOKIO_TARGET_DIR:-$OUT/tokio/target}" cargo build --release -q); then
        TOKIO_BIN="${TOKIO_TARGET_DIR:-$OUT/tokio/target}/release/tokio_bench"
    fi
fi
if [ -n "$SHARED" ] && command -v go >/dev/null; then
    echo "building Go baseline"
    mkdir -p "$OUT/go"
    cp "$SHARED/bench/go/go.mod" "$SHARED/bench/go/main.go" "$OUT/go/"
    if (cd "$OUT/go" && GOFLAGS=-mod=mod go build -o "$OUT/go_bench" . ); then GO_BIN="$OUT/go_bench"; fi
fi

: >"$OUT/ours.txt"; : >"$OUT/tokio.txt"; : >"$OUT/go.txt"
for i in $(seq 1 "$RUNS"); do
    echo "run $i/$RUNS: ours"
    "$OUT/vx_bench" >>"$OUT/ours.txt"
    if [ -n "$TOKIO_BIN" ]; then echo "run $i/$RUNS: tokio"; "$TOKIO_BIN" >>"$OUT/tokio.txt"; fi
    if [ -n "$GO_BIN" ]; then echo "run $i/$RUNS: go"; GOMAXPROCS=2 "$GO_BIN" >>"$OUT/go.txt"; fi
done
if [ -z "$TOKIO_BIN" ] && [ -n "$SHARED" ]; then
    cp "$SHARED/bench/tokio/results-baseline.txt" "$OUT/tokio.txt"; TOKIO_LABEL="Tokio(recorded)"
fi
if [ -z "$GO_BIN" ] && [ -n "$SHARED" ]; then
    cp "$SHARED/bench/go/results-baseline.txt" "$OUT/go.txt"; GO_LABEL="Go(recorded)"
fi

echo
echo "== $(nproc) CPUs, 2 workers everywhere, $RUNS runs each (raw output in $OUT)"
python3 "$HERE/compare.py" "$OUT/ours.txt" "$OUT/tokio.txt" "$OUT/go.txt" \
    --tokio-label "$TOKIO_LABEL" --go-label "$GO_LABEL"
