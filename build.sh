#!/usr/bin/env bash
# One-shot build of vexc (the C runtime is embedded in the binary at build time).
# Usage: ./build.sh            -> target/dist/vexc (the `dist` profile: release + fat LTO, Cargo.toml)
set -euo pipefail
cd "$(dirname "$0")"

# vexc needs a C compiler at run time (to build your programs) and the tests need one too.
find_cc() {
    if [ -n "${CC:-}" ]; then
        # CC may carry arguments ("zig cc"); check its first word.
        if command -v "${CC%% *}" >/dev/null 2>&1; then echo "$CC"; return 0; fi
        echo "build.sh: CC is set to '$CC' but '${CC%% *}' is not on PATH" >&2
        return 1
    fi
    for c in cc gcc clang; do
        if command -v "$c" >/dev/null 2>&1; then echo "$c"; return 0; fi
    done
    return 1
}

if ! cc_cmd=$(find_cc); then
    cat >&2 <<'MSG'
build.sh: no C compiler found.
vexc translates Vex to C and needs a C compiler to build programs. Install one, e.g.
    sudo apt-get install gcc        (Debian/Ubuntu; or: clang)
or point CC at one:  CC=/path/to/cc ./build.sh
MSG
    exit 1
fi
echo "build.sh: C compiler: $cc_cmd ($($cc_cmd --version 2>/dev/null | head -n1))"

if ! command -v cargo >/dev/null 2>&1; then
    echo "build.sh: cargo not found; install Rust from your distribution (apt-get install cargo) or rustup" >&2
    exit 1
fi

cargo build --profile dist
echo
echo "build.sh: vexc is at $(pwd)/target/dist/vexc"
echo "          try: ./target/dist/vexc run examples/hello.vx"
