//! Rebuilds of unchanged sources without the front end: a manifest per (vexc, main file,
//! options, C compiler) names the executable-cache entry ([`super::exe_cache`]) built from them
//! and every source file the build read, with a hash of its contents.
//!
//! A lookup re-reads and re-hashes those files; if every one is unchanged (same contents, same
//! canonical identity) the build is the cached executable, and neither the front end nor the C
//! compiler runs. vexc's output is a function of the files it reads (module imports resolve to
//! exactly one path each; the standard modules are embedded), of its options and of vexc itself,
//! which is identified by its version and the size and time of its executable, so a rebuilt
//! vexc never reuses an older one's manifests.
//!
//! A build that printed warnings records no manifest (a hit would not print them again), and
//! `--keep-c` / `--emit-c` builds do not use manifests (they want the C).
//!
//! Manifests are small text files `<root>/src/<key>`; written atomically and trimmed like the
//! executables.

use super::build::BuildOptions;
use super::cache::{self, Fnv64};
use super::cc::CCompiler;
use crate::span::SourceMap;
use std::path::{Path, PathBuf};

const MAGIC: &str = "vexc-manifest 1";

/// Identity of the running vexc: version plus the size and modification time of its executable.
fn vexc_identity() -> String {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok());
    let (len, mtime) = match exe {
        Some(m) => (
            m.len(),
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        ),
        None => (0, 0),
    };
    format!("{} {len} {mtime}", env!("CARGO_PKG_VERSION"))
}

/// The manifest key of building `main_name` (its text `main_text`, named as on the command line
/// and resolved from the current directory) with these options.
pub fn key(compiler: &CCompiler, opts: &BuildOptions, emit: &str, main_name: &str, main_text: &str) -> Fnv64 {
    let mut key = cache::runtime_key(compiler, &opts.cflags(), &[]);
    key.update(b"sources").update(vexc_identity().as_bytes()).update(emit.as_bytes());
    key.update(opts.target.as_deref().unwrap_or("").as_bytes());
    let cwd = std::env::current_dir().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    key.update(cwd.as_bytes()).update(main_name.as_bytes()).update(main_text.as_bytes());
    key
}

fn dir(root: &Path) -> PathBuf {
    root.join("src")
}

fn content_hash(text: &[u8]) -> String {
    let mut h = Fnv64::new();
    h.update(text);
    h.hex()
}

fn identity(name: &str) -> String {
    std::fs::canonicalize(name).map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| name.to_string())
}

/// The executable-cache key recorded under `key`, if its manifest exists and every source file
/// it lists is unchanged.
pub fn lookup(root: &Path, key: &Fnv64) -> Option<String> {
    let text = std::fs::read_to_string(dir(root).join(key.hex())).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let exe = lines.next()?.strip_prefix("exe ")?.to_string();
    for line in lines {
        let mut f = line.splitn(3, '\t');
        let (hash, ident, name) = (f.next()?, f.next()?, f.next()?);
        let bytes = std::fs::read(name).ok()?;
        if content_hash(&bytes) != hash || identity(name) != ident {
            return None;
        }
    }
    Some(exe)
}

/// Records that the sources in `sources` (the files one build read) built the executable-cache
/// entry `exe_key`. Embedded files (`<stdlib>/...`, `<prelude>`) are part of vexc and are not
/// listed; a file whose name cannot be written on a line is a reason not to record.
pub fn record(root: &Path, key: &Fnv64, sources: &SourceMap, exe_key: &str) {
    let mut text = format!("{MAGIC}\nexe {exe_key}\n");
    for file in &sources.files {
        if file.name.starts_with('<') {
            continue;
        }
        if file.name.contains(['\t', '\n', '\r']) {
            return;
        }
        let ident = identity(&file.name);
        if ident.contains(['\t', '\n', '\r']) {
            return;
        }
        text.push_str(&format!("{}\t{ident}\t{}\n", content_hash(file.text.as_bytes()), file.name));
    }
    let d = dir(root);
    if std::fs::create_dir_all(&d).is_err() {
        return;
    }
    if cache::atomic_write(&d.join(key.hex()), text.as_bytes()).is_ok() {
        super::exe_cache::trim(&d, super::exe_cache::MAX_ENTRIES * 4, super::exe_cache::MAX_BYTES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::SourceFile;

    fn cc() -> CCompiler {
        CCompiler { program: "gcc".into(), args: vec![], env: vec![], version: "gcc 13".into(), target: "x86_64-linux-gnu".into() }
    }

    #[test]
    fn key_covers_sources_options_and_compiler() {
        let o = BuildOptions::default();
        let base = key(&cc(), &o, "lines", "a.vx", "fn main() {}").hex();
        assert_eq!(base, key(&cc(), &o, "lines", "a.vx", "fn main() {}").hex());
        assert_ne!(base, key(&cc(), &o, "lines", "a.vx", "fn main() { }").hex());
        assert_ne!(base, key(&cc(), &o, "lines", "b.vx", "fn main() {}").hex());
        assert_ne!(base, key(&cc(), &o, "no lines", "a.vx", "fn main() {}").hex());
        let release = BuildOptions { opt_level: 2, debug: false, ..o.clone() };
        assert_ne!(base, key(&cc(), &release, "lines", "a.vx", "fn main() {}").hex());
        let other = CCompiler { version: "gcc 14".into(), ..cc() };
        assert_ne!(base, key(&other, &o, "lines", "a.vx", "fn main() {}").hex());
        let target = BuildOptions { target: Some("aarch64-linux-gnu".into()), ..o };
        assert_ne!(base, key(&cc(), &target, "lines", "a.vx", "fn main() {}").hex());
    }

    #[test]
    fn a_changed_or_missing_source_invalidates_the_manifest() {
        let root = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let main = work.path().join("m.vx");
        let dep = work.path().join("d.vx");
        std::fs::write(&main, "main").unwrap();
        std::fs::write(&dep, "dep").unwrap();
        let mut sources = SourceMap::default();
        for p in [&main, &dep] {
            sources.add(SourceFile::new(p.to_string_lossy().into_owned(), std::fs::read_to_string(p).unwrap()));
        }
        sources.add(SourceFile::new("<stdlib>/strings.vx", "embedded"));
        let mut k = Fnv64::new();
        k.update(b"k");
        assert_eq!(lookup(root.path(), &k), None);
        record(root.path(), &k, &sources, "00112233");
        assert_eq!(lookup(root.path(), &k).as_deref(), Some("00112233"));
        std::fs::write(&dep, "dep changed").unwrap();
        assert_eq!(lookup(root.path(), &k), None);
        std::fs::write(&dep, "dep").unwrap();
        assert_eq!(lookup(root.path(), &k).as_deref(), Some("00112233"));
        std::fs::remove_file(&dep).unwrap();
        assert_eq!(lookup(root.path(), &k), None);
    }
}
