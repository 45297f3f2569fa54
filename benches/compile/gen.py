#!/usr/bin/env python3
"""Generates a Vex program of about LINES lines for the compile-speed benchmark (run.sh).

The program is a sequence of independent units (about 110 lines each), every one with:
a struct with inline methods (one mutating) and a Go-style method, a generic struct with
methods instantiated at three types, generic functions used at several types, a trait with an
implementing struct and a bounded generic function, a data enum matched by a `match`
expression, `match` on integers with or-patterns, `for`/`while` loops with `if`/`else`,
`break`/`continue`, a fixed array, a `Vec`, a `Map`, strings (concatenation and f-strings), and
an entry function that uses all of it. `main` calls every unit's entry function and prints the
sum, so every function is reachable and emitted (vexc emits only what `main` reaches), and the
output can be checked: the sum is computed here as well (see `expected`).

Usage: gen.py LINES [OUT.vx]   (prints the expected output line on stderr)
"""
import sys

UNIT = """\
// ---- unit {k} ----
struct Point{k} {{
    x: i64,
    y: i64,

    fn norm1(): i64 {{ return abs{k}(self.x) + abs{k}(self.y); }}

    fn shift(dx: i64, dy: i64)! {{
        self.x += dx;
        self.y += dy;
    }}
}}

fn (p: &Point{k}) dot(q: &Point{k}): i64 {{
    return p.x * q.x + p.y * q.y;
}}

fn abs{k}(v: i64): i64 {{
    if v < 0 {{ return -v; }}
    return v;
}}

struct Cell{k}<T> {{
    value: T,
    count: i64,

    fn get(): T {{ return self.value; }}

    fn put(v: T)! {{
        self.value = v;
        self.count += 1;
    }}
}}

fn pick{k}<T>(first: bool, a: T, b: T): T {{
    if first {{ return a; }}
    return b;
}}

fn larger{k}<T>(a: T, b: T): T {{
    if a > b {{ return a; }}
    return b;
}}

trait Weigh{k} {{ fn weight(): i64; }}

struct Crate{k} impl Weigh{k} {{
    kilos: i64,
    fn weight(): i64 {{ return self.kilos * {m}; }}
}}

fn total_weight{k}<T: Weigh{k}>(a: T, b: T): i64 {{ return a.weight() + b.weight(); }}

enum Shape{k} {{ Circle(i64), Square(i64), Label(string), Empty }}

fn area{k}(s: Shape{k}): i64 {{
    return match s {{
        Shape{k}.Circle(r) => 3 * r * r,
        Shape{k}.Square(a) => a * a,
        Shape{k}.Label(t) => t.len(),
        Shape{k}.Empty => 0,
    }};
}}

fn classify{k}(n: i64): string {{
    return match n % 5 {{
        0 => "zero",
        1 | 2 => "small",
        3 => "three",
        _ => "other",
    }};
}}

fn loops{k}(n: i64): i64 {{
    let! acc: i64 = 0;
    for let! i: i64 = 0; i < n; i += 1 {{
        if i % 3 == 0 {{
            acc += i;
        }} elif i % 3 == 1 {{
            continue;
        }} else {{
            acc -= 1;
        }}
    }}
    let! j = 0;
    while true {{
        if j >= {m} {{ break; }}
        acc += j as i64;
        j += 1;
    }}
    let! arr = [0; 8];
    for let! i = 0; i < 8; i += 1 {{ arr[i] = i * {m}; }}
    return acc + (arr[7] as i64);
}}

fn collections{k}(n: i64): i64 {{
    let v: Vec<i64> = Vec();
    for let! i: i64 = 0; i < n; i += 1 {{ v.push(i * {m}); }}
    let m: Map<i64, string> = Map();
    m.insert(1, "one" + "!");
    m.insert(2, f"two {k}");
    return v.get(n - 1) + v.len() + m[2].len() + m.len();
}}

fn unit{k}(): i64 {{
    let! p = Point{k} {{ x: 3, y: -4 }};
    p.shift(1, 2)!;
    let q = Point{k} {{ x: 1, y: {m} }};
    let! total = p.norm1() + p.dot(&q);
    let! ci = Cell{k} {{ value: 1, count: 0 }};
    ci.put(ci.get() + {m})!;
    let! cs = Cell{k} {{ value: "a", count: 0 }};
    cs.put(cs.get() + "bc")!;
    let! cf = Cell{k} {{ value: 0.5, count: 0 }};
    cf.put(cf.get() * 4.0)!;
    total += ci.get() as i64 + ci.count + cs.get().len() + (cf.get() as i64);
    total += pick{k}(true, 5, 6) as i64 + (pick{k}(false, 1.5, 2.5) as i64) + pick{k}(true, "ab", "c").len();
    total += larger{k}(3, {m}) as i64 + larger{k}(7 as i64, 2 as i64) + (larger{k}(0.25, 0.75) * 4.0) as i64;
    total += total_weight{k}(Crate{k} {{ kilos: 2 }}, Crate{k} {{ kilos: 3 }});
    total += area{k}(Shape{k}.Circle(2)) + area{k}(Shape{k}.Square({m})) + area{k}(Shape{k}.Label("xyz")) + area{k}(Shape{k}.Empty);
    total += loops{k}(20) + collections{k}(5) + classify{k}(total).len();
    let msg = f"unit {k}: {{total}}";
    return total + msg.len();
}}

"""


def unit_value(k):
    """What unit{k}() returns (mirrors the Vex code above)."""
    m = k % 7 + 2
    px, py = 3 + 1, -4 + 2
    total = abs(px) + abs(py) + (px * 1 + py * m)
    ci_value, ci_count = 1 + m, 1
    cs_len = 3
    cf = 2
    total += ci_value + ci_count + cs_len + cf
    total += 5 + 2 + 2
    total += max(3, m) + 7 + 3
    total += (2 + 3) * m
    total += 3 * 2 * 2 + m * m + 3 + 0
    acc = sum(i for i in range(20) if i % 3 == 0) - sum(1 for i in range(20) if i % 3 == 2)
    acc += sum(range(m)) + 7 * m
    coll = (5 - 1) * m + 5 + len(f"two {k}") + 2
    r = total % 5
    cls = {0: "zero", 1: "small", 2: "small", 3: "three"}.get(r, "other")
    total += acc + coll + len(cls)
    return total + len(f"unit {k}: {total}")


def generate(lines):
    units = []
    k = 0
    count = 12
    while count < lines:
        text = UNIT.format(k=k, m=k % 7 + 2)
        units.append(text)
        count += text.count("\n")
        k += 1
    out = ["// Generated by benches/compile/gen.py: {} units for the compile-speed benchmark.\n".format(k)]
    out.extend(units)
    out.append("fn main() {\n    let! total: i64 = 0;\n")
    for i in range(k):
        out.append("    total += unit{}();\n".format(i))
    out.append("    println(total);\n}\n")
    return "".join(out), sum(unit_value(i) for i in range(k))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    text, expected = generate(int(sys.argv[1]))
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    print(expected, file=sys.stderr)


if __name__ == "__main__":
    main()
