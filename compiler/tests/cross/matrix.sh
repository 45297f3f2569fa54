#!/usr/bin/env bash
# The whole toolchain matrix (README.md, "Cross-compilation"): every run test program built with
# `vexc --target` for aarch64-linux (zig cc, run under qemu-aarch64), x86_64-windows-gnu (mingw-w64
# or zig cc, run in one wine session), x86_64-macos, aarch64-macos and x86_64-freebsd (zig cc,
# link only) -- compiler/tests/cross_matrix.rs with VEX_CROSS_FULL=1 -- and natively with gcc,
# clang and tcc (the run harness, compiler/tests/run_harness.rs). A missing tool is reported as
# skipped, by name.
#
#   compiler/tests/cross/matrix.sh [SUBSTRING...]     only programs whose path contains a substring
#   VEX_MATRIX_NATIVE=0 compiler/tests/cross/matrix.sh  the cross targets only
set -uo pipefail
cd "$(dirname "$0")/../../.."
status=0
VEX_CROSS_FULL=1 cargo test --release --test cross_matrix -- "$@" || status=1
if [ "${VEX_MATRIX_NATIVE:-1}" != 0 ]; then
    cargo test --release --test run_harness -- "$@" || status=1
fi
exit $status
