//! Stage timing for people working on the compiler's speed: with `VEX_TIME_PASSES=1` in the
//! environment, each front-end stage (and C emission) prints its wall time to stderr as
//! `vexc: time <stage> <ms> ms`. Off by default; the check is one cached environment read, so
//! the stages pay nothing measurable when it is off.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("VEX_TIME_PASSES").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// Runs `f`, reporting its wall time under `name` when stage timing is on.
pub fn stage<T>(name: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    eprintln!("vexc: time {name:<10} {:8.2} ms", start.elapsed().as_secs_f64() * 1e3);
    out
}
