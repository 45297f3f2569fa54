//! Delta reduction of a failing input: removes chunks of lines, then of tokens, then of
//! characters, keeping each removal after which `still_fails` holds, until nothing more goes
//! (or the time budget runs out).

use std::time::{Duration, Instant};

fn pass(units: Vec<String>, still_fails: &mut dyn FnMut(&str) -> bool, deadline: Instant) -> Vec<String> {
    let mut units = units;
    let mut chunk = (units.len() / 2).max(1);
    loop {
        let mut i = 0;
        let mut removed_any = false;
        while i < units.len() {
            if Instant::now() > deadline {
                return units;
            }
            let end = (i + chunk).min(units.len());
            let candidate: String = units[..i].iter().chain(&units[end..]).map(String::as_str).collect();
            if still_fails(&candidate) {
                units.drain(i..end);
                removed_any = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !removed_any {
            return units;
        }
        if !removed_any || chunk > 1 {
            chunk = (chunk / 2).max(1);
        }
    }
}

/// The smallest input found that still fails, starting from `input` (which must fail).
pub fn reduce(input: &str, still_fails: &mut dyn FnMut(&str) -> bool, budget: Duration) -> String {
    let deadline = Instant::now() + budget;
    let lines: Vec<String> = input.split_inclusive('\n').map(str::to_string).collect();
    let text: String = pass(lines, still_fails, deadline).concat();
    let toks: Vec<String> = super::mutate::tokens(&text).into_iter().map(str::to_string).collect();
    let text: String = pass(toks, still_fails, deadline).concat();
    let chars: Vec<String> = text.chars().map(String::from).collect();
    pass(chars, still_fails, deadline).concat()
}
