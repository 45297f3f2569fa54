//! The bounded fuzz job (README.md "Fuzzing"): runs on stable Rust as part of
//! `cargo test --workspace`, for `VEX_FUZZ_SECONDS` (default 120) seconds.
//!
//! Inputs come from a deterministic PRNG seeded with `VEX_FUZZ_SEED` (default fixed, printed;
//! `random` picks one from the clock): programs written by the grammar-based generator
//! (`fuzz/gen.rs`), token- and byte-level mutations of the corpus (every `.vx` file of
//! `examples/`, `compiler/tests/run/`, `compiler/tests/ui/` and `compiler/tests/fuzz_regressions/`,
//! each also checked unmodified first), and splices of both. Each input goes through the front
//! end and C emission in-process (`fuzz/oracle.rs`) on the compiler's own 512 MiB-stack thread;
//! `VEX_FUZZ_JOBS` workers (default: the CPUs, at most 4) run in parallel. A failure is an
//! internal compiler error (a panic), a malformed diagnostic, a stack overflow (the process
//! dies: the inputs in flight are left in `target/tmp/vex-fuzz/inflight-W.vx`, one per worker;
//! check each with `VEX_FUZZ_REPRO`), or an input running longer than `VEX_FUZZ_TIMEOUT`
//! seconds (default 5; a hang). The
//! failing input is delta-reduced and written to `target/tmp/vex-fuzz/`, and the job fails
//! naming the file; the fix's regression test is that file in `compiler/tests/fuzz_regressions/`.
//!
//! `VEX_FUZZ_REPRO=FILE` checks one file and prints its outcome (used to reduce hangs in a
//! child process that can be killed).

mod common;
#[path = "fuzz/gen.rs"]
mod gen;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/oracle.rs"]
mod oracle;
#[path = "fuzz/reduce.rs"]
mod reduce;

use common::repo_root;
use gen::Rng;
use oracle::Outcome;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const DEFAULT_SEED: u64 = 0x7665_785f_6675_7a7a; // "vex_fuzz"

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// A worker's input in flight, kept in one open file rewritten in place: creating and
/// truncating a file per input cost milliseconds on some file systems (a third of the inputs per
/// second here); a write at offset 0 and a length change cost microseconds.
struct InFlight(Option<std::fs::File>);

impl InFlight {
    fn open(path: &Path) -> InFlight {
        InFlight(std::fs::OpenOptions::new().create(true).write(true).truncate(true).open(path).ok())
    }

    fn set(&mut self, bytes: &[u8]) {
        use std::io::{Seek, SeekFrom, Write};
        if let Some(f) = &mut self.0 {
            let _ = f.seek(SeekFrom::Start(0)).and_then(|_| f.write_all(bytes)).and_then(|_| f.set_len(bytes.len() as u64));
        }
    }
}

fn out_dir() -> PathBuf {
    std::env::var_os("VEX_FUZZ_OUT").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("vex-fuzz"))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "vx") {
            out.push(p);
        }
    }
}

/// The corpus: (path used as the file name, text), sorted by path.
fn corpus() -> Vec<(String, String)> {
    let root = repo_root();
    let mut paths = Vec::new();
    for d in ["examples", "compiler/tests/run", "compiler/tests/ui", "compiler/tests/fuzz_regressions"] {
        collect(&root.join(d), &mut paths);
    }
    paths.sort();
    paths.into_iter().filter_map(|p| Some((p.to_string_lossy().into_owned(), std::fs::read_to_string(&p).ok()?))).collect()
}

/// Which way an input was made (for the statistics).
#[derive(Clone, Copy)]
enum Kind {
    Corpus,
    Generated,
    GeneratedMutated,
    Mutated,
    Spliced,
}
const KINDS: [&str; 5] = ["corpus as is", "generated", "generated+mutated", "corpus mutated", "corpus+generated spliced"];

struct Stats {
    runs: [AtomicU64; 5],
    compiled: [AtomicU64; 5],
}

/// What a worker is running now: since when, and the input.
type Current = Mutex<Option<(Instant, String, String)>>;

struct Failure {
    name: String,
    src: String,
    /// `None`: a hang.
    bug: Option<String>,
}

fn next_input(rng: &mut Rng, corpus: &[(String, String)], gen_name: &str) -> (Kind, String, String) {
    let pick = |rng: &mut Rng| &corpus[rng.below_usize(corpus.len())];
    match rng.below_usize(100) {
        0..=29 => (Kind::Generated, gen_name.to_string(), gen::program(rng)),
        30..=39 => {
            let g = gen::program(rng);
            let other = pick(rng).1.clone();
            (Kind::GeneratedMutated, gen_name.to_string(), mutate::mutate(rng, &g, &other))
        }
        40..=89 => {
            let (name, src) = pick(rng).clone();
            let other = pick(rng).1.clone();
            (Kind::Mutated, name, mutate::mutate(rng, &src, &other))
        }
        _ => {
            let (name, src) = pick(rng).clone();
            let g = gen::program(rng);
            (Kind::Spliced, name, mutate::mutate(rng, &src, &g))
        }
    }
}

impl Rng {
    fn below_usize(&mut self, n: usize) -> usize {
        gen::Choices::below(self, n)
    }
}

/// Runs `src` in a child process (`VEX_FUZZ_REPRO`), killed after `timeout`: true if it did not
/// finish in time.
fn hangs_in_child(dir: &Path, name: &str, src: &str, timeout: Duration) -> bool {
    let file = dir.join("reduce-candidate.vx");
    std::fs::write(&file, src).expect("write candidate");
    let mut child = Command::new(std::env::current_exe().expect("current exe"))
        .env("VEX_FUZZ_REPRO", &file)
        .env("VEX_FUZZ_NAME", name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn repro child");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `oracle::check` on a thread of its own, given up after `timeout` (`None`).
fn check_with_timeout(name: &str, src: &str, timeout: Duration) -> Option<Outcome> {
    let (tx, rx) = mpsc::channel();
    let (name, src) = (name.to_string(), src.to_string());
    std::thread::spawn(move || {
        let _ = tx.send(oracle::check(&name, &src));
    });
    rx.recv_timeout(timeout).ok()
}

fn report(f: &Failure, seed: u64, timeout: Duration) -> ! {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).expect("create the fuzz output directory");
    let stem = format!("{}-{seed:x}", if f.bug.is_some() { "crash" } else { "hang" });
    let orig = dir.join(format!("{stem}.orig.vx"));
    std::fs::write(&orig, &f.src).expect("write the failing input");
    let what = match &f.bug {
        Some(b) => format!("the front end failed: {b}"),
        None => format!("the front end ran longer than {}s (a hang)", timeout.as_secs_f64()),
    };
    eprintln!("\nvex-fuzz: FAILURE (seed {seed:#x}): {what}\nvex-fuzz: input (as `{}`) written to {}", f.name, orig.display());
    let budget = Duration::from_secs(env_num("VEX_FUZZ_REDUCE_SECONDS", 120));
    eprintln!("vex-fuzz: reducing (at most {}s) ...", budget.as_secs());
    let reduced = match &f.bug {
        Some(bug) => {
            let mut still = |s: &str| matches!(check_with_timeout(&f.name, s, timeout), Some(Outcome::Bug(b)) if &b == bug);
            reduce::reduce(&f.src, &mut still, budget)
        }
        None => {
            let mut still = |s: &str| hangs_in_child(&dir, &f.name, s, timeout);
            reduce::reduce(&f.src, &mut still, budget)
        }
    };
    let min = dir.join(format!("{stem}.vx"));
    std::fs::write(&min, &reduced).expect("write the reduced input");
    eprintln!("vex-fuzz: reduced input ({} bytes) written to {}", reduced.len(), min.display());
    if reduced.len() <= 4000 {
        eprintln!("----- reduced input -----\n{reduced}\n-------------------------");
    }
    eprintln!(
        "vex-fuzz: reproduce with `VEX_FUZZ_REPRO={} cargo test --release --test fuzz`; after fixing, add the file to \
         compiler/tests/fuzz_regressions/ (with its `// fuzz-expect:` header)",
        min.display()
    );
    std::process::exit(1);
}

fn repro(file: &str) {
    let src = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    let name = std::env::var("VEX_FUZZ_NAME").unwrap_or_else(|_| file.to_string());
    let outcome = oracle::check(&name, &src);
    println!("{outcome:?}");
    std::process::exit(if outcome.is_bug() { 101 } else { 0 });
}

fn main() {
    if let Ok(file) = std::env::var("VEX_FUZZ_REPRO") {
        repro(&file);
    }
    // `VEX_FUZZ_GEN_DUMP=DIR`: write 100 generated programs into DIR (to see what the generator writes).
    if let Some(dir) = std::env::var_os("VEX_FUZZ_GEN_DUMP") {
        std::fs::create_dir_all(&dir).expect("create the dump directory");
        let mut rng = Rng(env_num("VEX_FUZZ_SEED", DEFAULT_SEED));
        for i in 0..100 {
            std::fs::write(Path::new(&dir).join(format!("gen{i:03}.vx")), gen::program(&mut rng)).expect("write");
        }
        return;
    }
    // `cargo test FILTER` passes the filter on: run only when it selects this job.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if let Some(filter) = args.iter().find(|a| !a.starts_with('-')) {
        if !"fuzz".contains(filter.as_str()) {
            return;
        }
    }
    let seconds = env_num("VEX_FUZZ_SECONDS", 120);
    let seed = match std::env::var("VEX_FUZZ_SEED") {
        Ok(s) if s == "random" => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1),
        Ok(s) => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("VEX_FUZZ_SEED={s:?} is not a number (decimal, 0x hex, or `random`)"))
        }
        Err(_) => DEFAULT_SEED,
    };
    let timeout = Duration::from_secs(env_num("VEX_FUZZ_TIMEOUT", 5));
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let jobs = env_num("VEX_FUZZ_JOBS", cpus.min(4) as u64).max(1) as usize;
    let corpus = Arc::new(corpus());
    assert!(corpus.len() > 100, "the fuzz corpus is missing: found {} .vx files under {}", corpus.len(), repo_root().display());
    println!(
        "vex-fuzz: seed {seed:#x} (VEX_FUZZ_SEED), {seconds}s (VEX_FUZZ_SECONDS), {jobs} job(s) (VEX_FUZZ_JOBS), \
         per-input timeout {}s (VEX_FUZZ_TIMEOUT), corpus {} files",
        timeout.as_secs(),
        corpus.len()
    );
    let gen_name = out_dir().join("generated.vx").to_string_lossy().into_owned();
    std::fs::create_dir_all(out_dir()).expect("create the fuzz output directory");

    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    // `stop`: the time is up (the corpus pass still finishes); `failed`: stop at once.
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(Stats { runs: Default::default(), compiled: Default::default() });
    let (fail_tx, fail_rx) = mpsc::channel::<Failure>();
    let mut currents = Vec::new();
    let mut workers = Vec::new();
    for w in 0..jobs {
        let current: Arc<Current> = Arc::new(Mutex::new(None));
        currents.push(current.clone());
        let (corpus, stop, failed, stats, fail_tx, gen_name) =
            (corpus.clone(), stop.clone(), failed.clone(), stats.clone(), fail_tx.clone(), gen_name.clone());
        workers.push(std::thread::spawn(move || {
            let mut rng = Rng(seed ^ (w as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            let mut inflight = InFlight::open(&out_dir().join(format!("inflight-{w}.vx")));
            // First every corpus file as it is (split between the workers), then mutations.
            let mut as_is = (w..corpus.len()).step_by(jobs);
            while !failed.load(Ordering::Relaxed) {
                let (kind, name, src) = match as_is.next() {
                    Some(i) => (Kind::Corpus, corpus[i].0.clone(), corpus[i].1.clone()),
                    None if stop.load(Ordering::Relaxed) => break,
                    None => next_input(&mut rng, &corpus, &gen_name),
                };
                *current.lock().unwrap() = Some((Instant::now(), name.clone(), src.clone()));
                // A stack overflow kills the whole process before anything can be reported:
                // the input in flight stays on disk for that case.
                inflight.set(src.as_bytes());
                let outcome = oracle::check(&name, &src);
                *current.lock().unwrap() = None;
                stats.runs[kind as usize].fetch_add(1, Ordering::Relaxed);
                match outcome {
                    Outcome::Compiled => {
                        stats.compiled[kind as usize].fetch_add(1, Ordering::Relaxed);
                    }
                    Outcome::Diagnosed => {}
                    Outcome::Bug(bug) => {
                        let _ = fail_tx.send(Failure { name, src, bug: Some(bug) });
                        break;
                    }
                }
            }
        }));
    }
    drop(fail_tx);
    let mut last_progress = Instant::now();
    loop {
        if let Ok(f) = fail_rx.recv_timeout(Duration::from_millis(50)) {
            failed.store(true, Ordering::SeqCst);
            report(&f, seed, timeout);
        }
        for c in &currents {
            let hung = c.lock().unwrap().as_ref().filter(|(t, _, _)| t.elapsed() > timeout).map(|(_, n, s)| (n.clone(), s.clone()));
            if let Some((name, src)) = hung {
                failed.store(true, Ordering::SeqCst);
                report(&Failure { name, src, bug: None }, seed, timeout);
            }
        }
        if Instant::now() >= deadline {
            stop.store(true, Ordering::SeqCst);
        }
        if workers.iter().all(|w| w.is_finished()) {
            break;
        }
        if last_progress.elapsed() > Duration::from_secs(30) {
            last_progress = Instant::now();
            let n: u64 = stats.runs.iter().map(|r| r.load(Ordering::Relaxed)).sum();
            println!("vex-fuzz: {:>4}s {n} inputs", start.elapsed().as_secs());
        }
    }
    for (w, worker) in workers.into_iter().enumerate() {
        let _ = std::fs::remove_file(out_dir().join(format!("inflight-{w}.vx")));
        if worker.join().is_err() {
            eprintln!("vex-fuzz: a worker of the fuzz driver itself panicked (a bug in compiler/tests/fuzz*)");
            std::process::exit(1);
        }
    }
    let total: u64 = stats.runs.iter().map(|r| r.load(Ordering::Relaxed)).sum();
    let secs = start.elapsed().as_secs_f64();
    println!("vex-fuzz: no failure in {total} inputs, {secs:.1}s ({:.0}/s)", total as f64 / secs.max(0.001));
    for (i, k) in KINDS.iter().enumerate() {
        let (r, c) = (stats.runs[i].load(Ordering::Relaxed), stats.compiled[i].load(Ordering::Relaxed));
        println!("vex-fuzz:   {k:<26} {r:>8} inputs, {:>5.1}% compiled to C", if r == 0 { 0.0 } else { 100.0 * c as f64 / r as f64 });
    }
}
