//! The property every fuzz input is checked against: the front end through C emission
//! (`vexc::compile_to_c_with`, or `vexc::compile_library` for sources that export something)
//! returns C or diagnostics, and the diagnostics are well formed. It runs the way `vexc` runs it:
//! on the compiler thread of `driver::guard::run_guarded` (512 MiB stack), where a panic becomes
//! an internal-compiler-error (ICE) diagnostic; an ICE is a failure.

use vexc::diag::Diagnostic;
use vexc::span::{SourceFile, SourceMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// C was emitted.
    Compiled,
    /// Compilation failed with at least one error diagnostic.
    Diagnosed,
    /// A bug: an ICE (a panic in the compiler) or malformed diagnostics. The text identifies
    /// the bug (message and panic location), so that reduction keeps the same bug.
    Bug(String),
}

impl Outcome {
    #[allow(dead_code)] // not used by the libFuzzer targets
    pub fn is_bug(&self) -> bool {
        matches!(self, Outcome::Bug(_))
    }
}

/// A diagnostic code is `E` or `W` and four digits.
fn code_ok(code: &str) -> bool {
    code.len() == 5 && (code.starts_with('E') || code.starts_with('W')) && code[1..].bytes().all(|b| b.is_ascii_digit())
}

fn judge(diags: &[Diagnostic], sources: &SourceMap) -> Option<String> {
    if let Some(ice) = diags.iter().find(|d| d.code == "ICE") {
        return Some(format!("{} [{}]", ice.message, ice.notes.first().cloned().unwrap_or_default()));
    }
    for d in diags {
        if !code_ok(d.code) {
            return Some(format!("diagnostic with a malformed code `{}`: {}", d.code, d.message));
        }
        for span in d.span.iter().chain(d.secondary.iter().map(|(s, _)| s)) {
            let ok = (span.file as usize) < sources.files.len() && {
                let text = &sources.get(span.file).text;
                (span.start as usize) <= (span.end as usize)
                    && (span.end as usize) <= text.len()
                    && text.is_char_boundary(span.start as usize)
                    && text.is_char_boundary(span.end as usize)
            };
            if !ok && span.file != vexc::PRELUDE_FILE {
                return Some(format!("{} `{}` has a span outside its file: {:?}", d.code, d.message, span));
            }
        }
    }
    None
}

/// Runs the front end and C emission on `src` (named `name`: relative imports resolve next to
/// it) and classifies the result.
pub fn check(name: &str, src: &str) -> Outcome {
    let (name, src) = (name.to_string(), src.to_string());
    let result = vexc::driver::guard::run_guarded(move || {
        let library = src.contains("export");
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new(name, src));
        let opts = vexc::emit_c::EmitOptions { line_directives: true };
        let result = if library {
            vexc::compile_library(&mut sources, file, opts).map(|l| l.c.warnings)
        } else {
            vexc::compile_to_c_with(&mut sources, file, opts).map(|c| c.warnings)
        };
        let (diags, failed) = match result {
            Ok(w) => (w, false),
            Err(d) => (d, true),
        };
        if let Some(bug) = judge(&diags, &sources) {
            return Outcome::Bug(bug);
        }
        // What `vexc` prints must render without trouble too.
        let _ = vexc::diag::render_plain(&diags, &sources);
        if !failed {
            Outcome::Compiled
        } else if diags.iter().any(Diagnostic::is_error) {
            Outcome::Diagnosed
        } else {
            Outcome::Bug("compilation failed without an error diagnostic".into())
        }
    });
    match result {
        Ok(outcome) => outcome,
        Err(ice) => Outcome::Bug(format!("{} [{}]", ice.message, ice.notes.first().cloned().unwrap_or_default())),
    }
}
