//! Never panic at the user: run a compilation on a thread with a big stack and turn a panic into
//! an internal-compiler-error diagnostic that names the stage it happened in.
//!
//! The stage is found from the panic's source location (`src/<stage>/...`), else from the
//! innermost `vexc::<stage>::` frame of a backtrace, else from [`set_stage`].

use crate::diag::Diagnostic;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// Stack size of the compilation thread (deeply nested input recurses deeply).
pub const STACK_SIZE: usize = 512 * 1024 * 1024;

/// What the panic hook records: message, location, stage derived from location/backtrace.
type PanicRecord = (String, Option<String>, Option<&'static str>);

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    static STAGE: Cell<&'static str> = const { Cell::new("driver") };
    static PANIC: RefCell<Option<PanicRecord>> = const { RefCell::new(None) };
}

/// Records the stage the current thread is in (a fallback for naming ICEs).
pub fn set_stage(stage: &'static str) {
    STAGE.with(|s| s.set(stage));
}

/// Maps module directories to stage names.
const STAGES: &[(&str, &str)] = &[
    ("syntax", "parse"),
    ("resolve", "resolve"),
    ("typeck", "typeck"),
    ("borrowck", "borrowck"),
    ("lower", "lower"),
    ("emit_c", "emit_c"),
    ("driver", "driver"),
];

fn stage_from_path(file: &str) -> Option<&'static str> {
    let file = file.replace('\\', "/");
    STAGES.iter().find(|(dir, _)| file.contains(&format!("src/{dir}/"))).map(|(_, s)| *s)
}

fn stage_from_backtrace(bt: &str) -> Option<&'static str> {
    // Frames are listed innermost first; take the first one inside a stage module.
    for line in bt.lines() {
        if !line.contains("vexc::") || line.contains("vexc::driver::guard") {
            continue;
        }
        if let Some((_, s)) = STAGES.iter().find(|(dir, _)| line.contains(&format!("vexc::{dir}::"))) {
            return Some(s);
        }
    }
    None
}

fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                default(info);
                return;
            }
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic with a non-string payload".to_string());
            let loc = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            let stage = info.location().and_then(|l| stage_from_path(l.file())).or_else(|| {
                stage_from_backtrace(&std::backtrace::Backtrace::force_capture().to_string())
            });
            PANIC.with(|p| *p.borrow_mut() = Some((msg, loc, stage)));
        }));
    });
}

/// Runs `f` on a fresh thread with a [`STACK_SIZE`] stack. A panic inside `f` (that `f` does not
/// catch itself) comes back as `Err(ICE diagnostic)`; the default panic message is suppressed.
pub fn run_guarded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Diagnostic> {
    install_hook();
    let handle = std::thread::Builder::new()
        .name("vexc".into())
        .stack_size(STACK_SIZE)
        .spawn(move || {
            GUARDED.with(|g| g.set(true));
            match panic::catch_unwind(AssertUnwindSafe(f)) {
                Ok(v) => Ok(v),
                Err(_) => {
                    let (msg, loc, stage) = PANIC
                        .with(|p| p.borrow_mut().take())
                        .unwrap_or_else(|| ("unknown panic".into(), None, None));
                    let stage = stage.unwrap_or_else(|| STAGE.with(|s| s.get()));
                    let mut d = Diagnostic::ice(stage, msg);
                    if let Some(loc) = loc {
                        d.notes.insert(0, format!("panicked at {loc}"));
                    }
                    Err(d)
                }
            }
        })
        .map_err(|e| Diagnostic::ice("driver", format!("cannot start the compiler thread: {e}")))?;
    handle.join().unwrap_or_else(|_| Err(Diagnostic::ice("driver", "the compiler thread died")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_becomes_ice_naming_the_stage() {
        let err = run_guarded(|| -> u32 {
            set_stage("typeck");
            let v: Vec<u32> = Vec::new();
            v[3] // panics in the standard library; the stage comes from the backtrace or set_stage
        })
        .unwrap_err();
        assert_eq!(err.code, "ICE");
        assert!(err.message.starts_with("internal compiler error in "), "{}", err.message);
        assert!(err.message.contains("index out of bounds"), "{}", err.message);

        let err = run_guarded(|| -> () { panic!("boom") }).unwrap_err();
        // Location is this file, src/driver/guard.rs.
        assert_eq!(err.message, "internal compiler error in driver: boom");
        assert!(err.notes[0].starts_with("panicked at "), "{:?}", err.notes);
    }

    #[test]
    fn value_passes_through_and_stack_is_big() {
        fn depth(n: u64) -> u64 {
            let pad = [n; 64];
            if n == 0 {
                0
            } else {
                std::hint::black_box(pad)[0] % 2 + depth(n - 1)
            }
        }
        // ~200k frames of >512 bytes: far beyond a default 8 MiB stack.
        assert_eq!(run_guarded(|| depth(200_000)).unwrap(), 100_000);
    }

    #[test]
    fn stage_names() {
        assert_eq!(stage_from_path("compiler/src/syntax/mod.rs"), Some("parse"));
        assert_eq!(stage_from_path("src\\emit_c\\expr.rs"), Some("emit_c"));
        assert_eq!(stage_from_path("src/span.rs"), None);
        assert_eq!(stage_from_backtrace("  3: vexc::span::x\n  4: vexc::borrowck::check\n"), Some("borrowck"));
    }
}
