//! The same program built from two different directories (different absolute paths, different
//! working directories) gives byte-identical C: the program's files and the runtime's. Covers a
//! multi-module program (imports resolved relative to the importer), one with `#line`
//! directives (which name files by base name) and one that uses tasks (frames, vtables).

mod common;
use common::repo_root;
use std::path::Path;
use std::process::Command;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `vexc MAIN --emit-c out` run inside `dir`; the emitted files, sorted by name.
fn emit_in(dir: &Path, main: &str) -> Vec<(String, Vec<u8>)> {
    let out = Command::new(env!("CARGO_BIN_EXE_vexc")).current_dir(dir).arg(main).arg("--emit-c").arg("out").output().expect("run vexc");
    assert!(out.status.success(), "vexc failed in {}:\n{}", dir.display(), String::from_utf8_lossy(&out.stderr));
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("out"))
        .expect("out dir")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

fn same_c_from_two_directories(source_dir: &str, main: &str) {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    // Different depths too, so no path length or prefix can coincide.
    let b_dir = b.path().join("deeper").join("checkout");
    copy_tree(&repo_root().join(source_dir), a.path());
    copy_tree(&repo_root().join(source_dir), &b_dir);
    let first = emit_in(a.path(), main);
    let second = emit_in(&b_dir, main);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first), names(&second), "different file sets");
    for ((name, x), (_, y)) in first.iter().zip(&second) {
        assert!(x == y, "{source_dir}/{main}: `{name}` differs between the two directories");
    }
}

#[test]
fn multi_module_program() {
    same_c_from_two_directories("compiler/tests/run/modules/geometry", "main.vx");
}

#[test]
fn program_with_tasks() {
    same_c_from_two_directories("examples", "pipeline.vx");
}
