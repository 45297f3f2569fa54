#!/usr/bin/env python3
"""Prints the runtime benchmark table: our numbers beside Tokio's and Go's, with the RUNTIME.md
§3.10 target for each metric. Input: three files of concatenated benchmark output (one run after
another, the line formats of vx_bench.c / shared/bench/{tokio,go}); each metric is the median of
its runs (min-max shown for ours).

usage: compare.py OURS TOKIO GO [--tokio-label L] [--go-label L]"""
import re
import statistics
import sys

# metric -> (line regex, value regex group index, unit, lower_is_better)
PATTERNS = [
    ("spawn_join ns/task", r"^spawn_join .*?([\d.]+) ns/task", True),
    ("chained_spawn ns/spawn", r"^chained_spawn .*?([\d.]+) ns/spawn", True),
    ("spawn_outside ns/task", r"^spawn_outside .*?([\d.]+) ns/task", True),
    ("yield ns", r"^yield_many .*?([\d.]+) ns/yield", True),
    ("ping_pong cap1 ns/rt", r"^ping_pong\((?:chan1|mpsc)\) .*?([\d.]+) ns/round-trip", True),
    ("ping_pong unbuf ns/rt", r"^ping_pong\(unbuf\) .*?([\d.]+) ns/round-trip", True),
    ("chan 1->1 ns/msg", r"^chan 1P->1C .*?([\d.]+) ns/msg", True),
    ("chan 4->1 ns/msg", r"^chan 4P->1C .*?([\d.]+) ns/msg", True),
    ("select_fanin ns/msg", r"^select_fanin .*?([\d.]+) ns/msg", True),
    ("mem_per_task B", r"^mem_per_task .*?([\d.]+) B/task", True),
    ("timers_many total ms", r"^timers_many .*total +([\d.]+) ms", True),
    ("timers_many p99 late us", r"^timers_many .*p99=(\d+)us", True),
    ("sleep 1ms p50 late us", r"^sleep\(1ms\) .*p50=(\d+)us", True),
    ("sleep 1ms p99 late us", r"^sleep\(1ms\) .*p99=(\d+)us", True),
    ("timer_cancel ns/op", r"^timer_cancel .*?([\d.]+) ns/op", True),
    ("tcp_echo 1 conn req/s", r"^tcp_echo 1 conns .*?([\d.]+) req/s", False),
    ("tcp_echo 1 conn p99 us", r"^tcp_echo 1 conns .*p99=([\d.]+)us", True),
    ("tcp_echo 50 conns req/s", r"^tcp_echo 50 conns .*?([\d.]+) req/s", False),
    ("tcp_echo 50 conns p99 us", r"^tcp_echo 50 conns .*p99=([\d.]+)us", True),
    ("idle cpu %", r"^idle_cost .*cpu ([\d.]+)%", True),
    ("shutdown us", r"^shutdown_latency .*?([\d.]+) us", True),
]

# metric -> (baseline, how, limit): ours/baseline must be <= limit ("ratio"), >= limit ("ratio>="),
# or ours must be <= limit in absolute units ("abs")
TARGETS = {
    "spawn_join ns/task": ("tokio", "ratio", 0.5),
    "chained_spawn ns/spawn": ("go", "ratio", 1.0),
    "yield ns": ("tokio", "ratio", 0.5),
    "ping_pong cap1 ns/rt": ("go", "ratio", 1.0),
    "chan 1->1 ns/msg": ("go", "ratio", 1.25),
    "chan 4->1 ns/msg": ("go", "ratio", 1.5),
    "timers_many total ms": ("tokio", "ratio", 1.2),
    "timers_many p99 late us": (None, "abs", 5000),
    "sleep 1ms p50 late us": ("tokio", "ratio", 1.1),
    "tcp_echo 1 conn req/s": ("tokio", "ratio>=", 0.9),
    "tcp_echo 50 conns req/s": ("tokio", "ratio>=", 0.9),
    "tcp_echo 1 conn p99 us": ("tokio", "ratio", 1.2),
    "tcp_echo 50 conns p99 us": ("tokio", "ratio", 1.2),
    "idle cpu %": (None, "abs", 0.1),
    "shutdown us": (None, "abs", 1000),
}


def parse(path):
    vals = {}
    try:
        text = open(path).read()
    except OSError:
        return vals
    for line in text.splitlines():
        for name, rx, _ in PATTERNS:
            m = re.search(rx, line)
            if m:
                vals.setdefault(name, []).append(float(m.group(1)))
    return vals


def fmt(v):
    if v is None:
        return "-"
    if v >= 10000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}" if v >= 1 else f"{v:.3f}"


def main():
    args = sys.argv[1:]
    labels = {"tokio": "Tokio", "go": "Go"}
    for key in ("tokio", "go"):
        flag = f"--{key}-label"
        if flag in args:
            i = args.index(flag)
            labels[key] = args[i + 1]
            del args[i : i + 2]
    ours, tokio, go = (parse(p) for p in args[:3])
    med = lambda d, k: statistics.median(d[k]) if d.get(k) else None
    hdr = f"{'metric':<26} {'ours (median)':>14} {'ours min-max':>19} {labels['tokio']:>16} {labels['go']:>16} {'ours/tokio':>10} {'ours/go':>8}  target"
    print(hdr)
    print("-" * len(hdr))
    met = missed = 0
    for name, _, _ in PATTERNS:
        o, t, g = med(ours, name), med(tokio, name), med(go, name)
        if o is None and t is None and g is None:
            continue
        rng = f"{fmt(min(ours[name]))}-{fmt(max(ours[name]))}" if ours.get(name) else "-"
        rt = o / t if o is not None and t else None
        rg = o / g if o is not None and g else None
        target = ""
        if name in TARGETS and o is not None:
            base, how, lim = TARGETS[name]
            if how == "abs":
                ok = o <= lim
                target = f"<= {fmt(lim)}"
            else:
                r = rt if base == "tokio" else rg
                if r is None:
                    ok = None
                else:
                    ok = r >= lim if how == "ratio>=" else r <= lim
                target = f"{'>=' if how == 'ratio>=' else '<='} {lim} x {labels[base]}"
            if ok is not None:
                target += "  MET" if ok else "  MISSED"
                met += ok
                missed += not ok
        print(f"{name:<26} {fmt(o):>14} {rng:>19} {fmt(t):>16} {fmt(g):>16} "
              f"{(f'{rt:.2f}' if rt else '-'):>10} {(f'{rg:.2f}' if rg else '-'):>8}  {target}")
    print(f"\ntargets met: {met}, missed: {missed}")


if __name__ == "__main__":
    main()
