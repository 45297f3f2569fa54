//! On-disk cache of linked executables, so that rebuilding an unchanged program only costs the
//! front end and a file copy.
//!
//! The key extends the runtime objects' key ([`cache::runtime_key`]: vexc's version, the C
//! compiler's command, version, environment and target, the flags and the runtime sources) with
//! the program's C files (names and contents) and the link libraries. The front end is
//! deterministic (byte-identical C for the same sources and options), so the emitted C stands for
//! the Vex sources, every imported module and the emit options (`#line` directives included).
//!
//! Entries are single files `<root>/exe/<key>`, written atomically (temporary file + rename,
//! [`cache::publish`]). A hit refreshes the entry's modification time; after each store the
//! directory is trimmed to the [`MAX_ENTRIES`] most recently used entries and [`MAX_BYTES`].

use super::cache::{self, Fnv64};
use super::build::BuildReport;
use super::cc::CCompiler;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// At most this many executables are kept (least recently used ones are removed first).
pub const MAX_ENTRIES: usize = 64;
/// At most this many bytes of executables are kept.
pub const MAX_BYTES: u64 = 512 << 20;

/// The key of the executable built from `program` (C files) with `runtime`, `flags` and
/// `compiler`.
pub fn key(compiler: &CCompiler, flags: &[String], runtime: &[(&str, &str)], program: &[(&str, &str)]) -> Fnv64 {
    let mut key = cache::runtime_key(compiler, flags, runtime);
    key.update(b"executable");
    for lib in compiler.link_libs() {
        key.update(lib.as_bytes());
    }
    for (name, text) in program {
        key.update(name.as_bytes()).update(text.as_bytes());
    }
    key
}

fn dir(root: &Path) -> PathBuf {
    root.join("exe")
}

/// Copies the cached executable of `key` (hex, [`Fnv64::hex`]) to `out` and refreshes its time. False when there is
/// no entry (or it cannot be read: the caller builds as usual).
pub fn fetch(root: &Path, key: &str, out: &Path) -> bool {
    let entry = dir(root).join(key);
    if !entry.is_file() {
        return false;
    }
    if std::fs::copy(&entry, out).is_err() {
        let _ = std::fs::remove_file(out);
        return false;
    }
    if let Ok(f) = std::fs::File::options().write(true).open(&entry) {
        let _ = f.set_modified(SystemTime::now());
    }
    true
}

/// Stores the executable `built` under `key` (best effort: a cache that cannot be written only
/// means the next build links again), then trims the cache.
pub fn store(root: &Path, key: &Fnv64, built: &Path) {
    let d = dir(root);
    if std::fs::create_dir_all(&d).is_err() {
        return;
    }
    let entry = d.join(key.hex());
    let tmp = cache::temp_sibling(&entry);
    if std::fs::copy(built, &tmp).is_err() || cache::publish(&tmp, &entry).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return;
    }
    trim(&d, MAX_ENTRIES, MAX_BYTES);
}

/// Removes the least recently used entries of `d` until at most `max_entries` entries and
/// `max_bytes` bytes remain (temporary files of concurrent writers are left alone).
pub fn trim(d: &Path, max_entries: usize, max_bytes: u64) {
    let Ok(read) = std::fs::read_dir(d) else { return };
    let mut entries: Vec<(SystemTime, u64, PathBuf)> = read
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file().then(|| (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), e.path()))
        })
        .collect();
    // Newest first; ties broken by name so the outcome does not depend on directory order.
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    let mut total = 0u64;
    for (i, (_, len, path)) in entries.iter().enumerate() {
        total = total.saturating_add(*len);
        if i >= max_entries || (i > 0 && total > max_bytes) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The report of a build served from the cache: every runtime object counts as cached (the
/// objects that linked the executable), and the link command is the one that would have run.
#[allow(clippy::too_many_arguments)]
pub(super) fn hit_report(
    mut report: BuildReport,
    compiler: &CCompiler,
    program: &[(&str, &str)],
    runtime: &[(&str, &str)],
    flags: &[String],
    root: &Path,
    build_dir: &Path,
    out: &Path,
    key: &Fnv64,
) -> BuildReport {
    let object_dir = root.join(format!("rt-{}", cache::runtime_key(compiler, flags, runtime).hex()));
    let objects: Vec<PathBuf> = runtime
        .iter()
        .filter_map(|(n, _)| n.strip_suffix(".c"))
        .map(|stem| object_dir.join(format!("{stem}.o")))
        .collect();
    let mut cmd = compiler.command();
    cmd.args(flags).arg("-I").arg(build_dir);
    for (name, _) in program {
        cmd.arg(build_dir.join(name));
    }
    cmd.args(&objects).arg("-o").arg(out).args(compiler.link_libs());
    report.link_command = super::build::command_line(&cmd);
    report.runtime_cached = objects.len();
    report.runtime_compiled = 0;
    report.object_dir = object_dir;
    report.exe_cached = true;
    report.exe_key = key.hex();
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn cc(version: &str) -> CCompiler {
        CCompiler { program: "gcc".into(), args: vec![], env: vec![], version: version.into(), target: "x86_64-linux-gnu".into() }
    }

    #[test]
    fn key_covers_program_flags_compiler_and_runtime() {
        let flags = ["-std=c11".to_string(), "-O0".to_string()];
        let rt = [("r.c", "int r;")];
        let base = key(&cc("gcc 13"), &flags, &rt, &[("p.c", "int main(void){return 0;}")]).hex();
        assert_eq!(base, key(&cc("gcc 13"), &flags, &rt, &[("p.c", "int main(void){return 0;}")]).hex());
        assert_ne!(base, key(&cc("gcc 13"), &flags, &rt, &[("p.c", "int main(void){return 1;}")]).hex());
        assert_ne!(base, key(&cc("gcc 13"), &flags, &rt, &[("q.c", "int main(void){return 0;}")]).hex());
        let o2 = ["-std=c11".to_string(), "-O2".to_string()];
        assert_ne!(base, key(&cc("gcc 13"), &o2, &rt, &[("p.c", "int main(void){return 0;}")]).hex());
        assert_ne!(base, key(&cc("gcc 14"), &flags, &rt, &[("p.c", "int main(void){return 0;}")]).hex());
        assert_ne!(base, key(&cc("gcc 13"), &flags, &[("r.c", "int r2;")], &[("p.c", "int main(void){return 0;}")]).hex());
        // Not the runtime objects' key.
        assert_ne!(base, cache::runtime_key(&cc("gcc 13"), &flags, &rt).hex());
    }

    #[test]
    fn store_fetch_and_miss() {
        let root = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let built = work.path().join("built");
        std::fs::write(&built, b"exe bytes").unwrap();
        let mut k = Fnv64::new();
        k.update(b"one");
        let out = work.path().join("out");
        assert!(!fetch(root.path(), &k.hex(), &out));
        assert!(!out.exists());
        store(root.path(), &k, &built);
        assert!(fetch(root.path(), &k.hex(), &out));
        assert_eq!(std::fs::read(&out).unwrap(), b"exe bytes");
        let mut other = Fnv64::new();
        other.update(b"two");
        assert!(!fetch(root.path(), &other.hex(), &work.path().join("out2")));
        let names: Vec<String> =
            std::fs::read_dir(dir(root.path())).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(names, vec![k.hex()], "one entry, no temporaries");
    }

    #[test]
    fn trim_keeps_the_most_recently_used() {
        let d = tempfile::tempdir().unwrap();
        let t0 = SystemTime::now() - Duration::from_secs(1000);
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            let p = d.path().join(name);
            std::fs::write(&p, vec![0u8; 10]).unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(t0 + Duration::from_secs(10 * i as u64)).unwrap();
        }
        std::fs::write(d.path().join(".x.tmp-1"), b"partial").unwrap();
        let left = |d: &Path| {
            let mut v: Vec<String> =
                std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
            v.sort();
            v
        };
        trim(d.path(), 3, 1 << 20);
        assert_eq!(left(d.path()), vec![".x.tmp-1", "b", "c", "d"]);
        trim(d.path(), 10, 25);
        assert_eq!(left(d.path()), vec![".x.tmp-1", "c", "d"]);
        // The newest entry stays even when it alone exceeds the byte limit.
        trim(d.path(), 10, 5);
        assert_eq!(left(d.path()), vec![".x.tmp-1", "d"]);
    }
}
