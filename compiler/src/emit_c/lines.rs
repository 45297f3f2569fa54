//! Removal of redundant `#line` directives.
//!
//! Statements get a `#line N "file.vx"` directive each (`func.rs`, `line_directive`). After a
//! directive the C compiler presumes the next physical line is line N of that file, the one
//! after it N+1, and so on (C11 6.10.4). A directive that names exactly the line and file the
//! compiler already presumes changes nothing, and most do: consecutive one-line statements on
//! consecutive Vex lines. [`prune`] drops those, so every C line keeps the same presumed
//! position (the debugger mapping is unchanged) with about a third of the directives.

/// `(N, "\"file\"")` of a `#line N "file"` line.
fn directive(line: &str) -> Option<(u64, &str)> {
    let rest = line.trim_start().strip_prefix("#line ")?;
    let (num, file) = rest.split_once(' ')?;
    let n = num.parse().ok()?;
    let file = file.trim_end_matches(['\n', '\r']);
    file.starts_with('"').then_some((n, file))
}

/// `c` without the `#line` directives that restate the presumed position.
pub(super) fn prune(c: &str) -> String {
    let mut out = String::with_capacity(c.len());
    // Line number and file the compiler presumes for the next physical line of `out`.
    let mut presumed: Option<(u64, &str)> = None;
    for line in c.split_inclusive('\n') {
        if let Some(d) = directive(line) {
            if presumed != Some(d) {
                out.push_str(line);
                presumed = Some(d);
            }
            continue;
        }
        out.push_str(line);
        if let Some((n, _)) = &mut presumed {
            *n += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The presumed `(line, file)` of every line that is not a `#line` directive (`None` before
    /// the first directive).
    fn positions(c: &str) -> Vec<(String, Option<(u64, String)>)> {
        let mut presumed: Option<(u64, String)> = None;
        let mut v = Vec::new();
        for line in c.split_inclusive('\n') {
            if let Some((n, f)) = directive(line) {
                presumed = Some((n, f.to_string()));
                continue;
            }
            v.push((line.to_string(), presumed.clone()));
            if let Some((n, _)) = &mut presumed {
                *n += 1;
            }
        }
        v
    }

    #[test]
    fn drops_exactly_the_redundant_directives() {
        let c = "int x;\n#line 3 \"a.vx\"\nvoid f(void) {\n#line 4 \"a.vx\"\n    s1();\n#line 4 \"a.vx\"\n    s2();\n#line 6 \"a.vx\"\n    s3();\n#line 7 \"b.vx\"\n    s4();\n}\n";
        let want = "int x;\n#line 3 \"a.vx\"\nvoid f(void) {\n    s1();\n#line 4 \"a.vx\"\n    s2();\n#line 6 \"a.vx\"\n    s3();\n#line 7 \"b.vx\"\n    s4();\n}\n";
        assert_eq!(prune(c), want);
        assert_eq!(positions(c), positions(want));
        assert_eq!(prune(want), want, "idempotent");
        // Repeated directives with nothing between them.
        assert_eq!(prune("#line 2 \"a.vx\"\n#line 2 \"a.vx\"\nx;\n"), "#line 2 \"a.vx\"\nx;\n");
    }

    /// Every example program: the pruned C maps every line to the same Vex position.
    #[test]
    fn examples_keep_their_line_mapping() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "vx") {
                continue;
            }
            let mut sources = crate::span::SourceMap::default();
            let text = std::fs::read_to_string(&path).unwrap();
            let id = sources.add(crate::span::SourceFile::new(path.to_string_lossy().into_owned(), text));
            let Ok((program, _)) = crate::check(&mut sources, id) else { continue };
            let full = super::super::emit_unpruned(&program, &sources, super::super::EmitOptions { line_directives: true });
            let pruned = prune(&full);
            assert_eq!(positions(&full), positions(&pruned), "{}", path.display());
            let count = |c: &str| c.lines().filter(|l| directive(l).is_some()).count();
            assert!(count(&pruned) < count(&full), "{}: nothing pruned", path.display());
            checked += 1;
        }
        assert!(checked >= 5, "only {checked} examples checked");
    }
}
