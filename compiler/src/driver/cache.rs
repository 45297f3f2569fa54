//! On-disk cache for compiled runtime objects.
//!
//! Keys are FNV-1a 64 hashes (stable across runs and hosts, unlike `std`'s `DefaultHasher`).
//! Every write goes to a unique temporary file in the destination directory and is then renamed
//! into place, so concurrent vexc processes never see a half-written object.

use super::cc::CCompiler;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// FNV-1a, 64 bit. Each `update` is length-prefixed so that ("ab","c") and ("a","bc") differ.
#[derive(Debug, Clone)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn new() -> Fnv64 {
        Fnv64::default()
    }

    fn bytes(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn update(&mut self, data: &[u8]) -> &mut Fnv64 {
        self.bytes(&(data.len() as u64).to_le_bytes());
        self.bytes(data);
        self
    }

    pub fn finish(&self) -> u64 {
        self.0
    }

    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The cache key of a runtime's objects: vexc's version, the compiler (command, `--version`,
/// environment), its target (`--target`'s canonical name, else `-dumpmachine`: one entry per
/// target), the flags and the runtime sources.
pub fn runtime_key(compiler: &CCompiler, flags: &[String], runtime: &[(&str, &str)]) -> Fnv64 {
    let mut key = Fnv64::new();
    key.update(env!("CARGO_PKG_VERSION").as_bytes())
        .update(compiler.display().as_bytes())
        .update(compiler.version.as_bytes())
        .update(compiler.target.as_bytes());
    for (k, v) in &compiler.env {
        key.update(k.to_string_lossy().as_bytes()).update(v.to_string_lossy().as_bytes());
    }
    for f in flags {
        key.update(f.as_bytes());
    }
    for (name, text) in runtime {
        key.update(name.as_bytes()).update(text.as_bytes());
    }
    key
}

/// The cache root: `$VEXC_CACHE_DIR`, else `$XDG_CACHE_HOME/vexc`, else `~/.cache/vexc`
/// (`%LOCALAPPDATA%\vexc` on Windows), else `<temp>/vexc-cache`.
pub fn cache_root() -> PathBuf {
    let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = nonempty("VEXC_CACHE_DIR") {
        return dir;
    }
    if let Some(dir) = nonempty("XDG_CACHE_HOME") {
        return dir.join("vexc");
    }
    if cfg!(windows) {
        if let Some(dir) = nonempty("LOCALAPPDATA") {
            return dir.join("vexc");
        }
    }
    if let Some(home) = nonempty("HOME") {
        return home.join(".cache").join("vexc");
    }
    std::env::temp_dir().join("vexc-cache")
}

/// A path next to `dest` that no other process or thread uses.
pub fn temp_sibling(dest: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.tmp-{}-{n}-{nanos}", std::process::id()))
}

/// Moves `tmp` to `dest` atomically. If another process won the race, its file is kept.
pub fn publish(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    match std::fs::rename(tmp, dest) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(tmp);
            if dest.exists() {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

/// Writes `bytes` to `dest` atomically (temporary file + rename).
pub fn atomic_write(dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_sibling(dest);
    std::fs::write(&tmp, bytes)?;
    publish(&tmp, dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable_and_length_prefixed() {
        // Known FNV-1a 64 value of the empty input.
        assert_eq!(Fnv64::new().finish(), 0xcbf2_9ce4_8422_2325);
        let mut a = Fnv64::new();
        a.update(b"ab").update(b"c");
        let mut b = Fnv64::new();
        b.update(b"a").update(b"bc");
        assert_ne!(a.finish(), b.finish());
        let mut c = Fnv64::new();
        c.update(b"ab").update(b"c");
        assert_eq!(a.finish(), c.finish());
    }

    #[test]
    fn runtime_key_includes_the_target() {
        let cc = CCompiler {
            program: "zig".into(),
            args: vec![],
            env: vec![],
            version: "clang version 19".into(),
            target: "aarch64-linux-musl".into(),
        };
        let flags = ["-std=c11".to_string()];
        let rt = [("a.c", "int x;")];
        let other = CCompiler { target: "x86_64-windows-gnu".into(), ..cc.clone() };
        assert_ne!(runtime_key(&cc, &flags, &rt).hex(), runtime_key(&other, &flags, &rt).hex());
        assert_eq!(runtime_key(&cc, &flags, &rt).hex(), runtime_key(&cc.clone(), &flags, &rt).hex());
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.o");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporaries left behind");
    }
}
