//! Parse-only timing for the front end's first stage: `cargo run --release --example parse_bench
//! -- FILE [N]` parses FILE N times (default 1) and prints the time per parse. Run it under
//! `valgrind --tool=callgrind` for instruction counts that a loaded machine does not disturb.

use vexc::span::SourceFile;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_bench FILE [N]");
    let n: u32 = args.next().map_or(1, |s| s.parse().expect("N must be a number"));
    let text = std::fs::read_to_string(&path).expect("cannot read FILE");
    let lines = text.lines().count();
    let source = SourceFile::new(path, text);
    let start = std::time::Instant::now();
    for _ in 0..n {
        match vexc::syntax::parse(0, &source) {
            Ok(ast) => std::hint::black_box(ast),
            Err(d) => panic!("parse failed: {:?}", d.first().map(|d| &d.message)),
        };
    }
    let per = start.elapsed() / n;
    println!("{lines} lines: {per:?} per parse, {:.0} lines/s", lines as f64 / per.as_secs_f64());
}
