#!/usr/bin/env bash
# Poller parity check: every backend (vx_poller_*.c) must define every function declared in
# vx_poller.h. Exits non-zero, naming the missing functions, if one does not.
set -uo pipefail
cd "$(dirname "$0")"
fns=$(grep -oE '^(int|void) +vxp_[a-z_]+\(' vx_poller.h | sed -E 's/^(int|void) +//; s/\($//' | sort -u)
status=0
for f in vx_poller_*.c; do
    for fn in $fns; do
        if ! grep -qE "^(int|void) +$fn\(" "$f"; then
            echo "$f: missing $fn"; status=1
        fi
    done
done
[ $status -eq 0 ] && echo "poller parity: $(ls vx_poller_*.c | wc -l) backends x $(echo $fns | wc -w) functions ok"
exit $status
