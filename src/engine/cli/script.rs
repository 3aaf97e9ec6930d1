//! Transcripts: a file of `docker ...` lines run one by one against a fresh world,
//! printing each as `$ docker ...` followed by its output — deterministic, so golden
//! tests and documentation can be generated from them.
//!
//! Lines starting with `#` are comments (not printed); blank lines are skipped.
//! `!someone-pushes REF` is the lessons' action "someone else pushes a new image under
//! this tag"; `!advance SECONDS` lets simulated time pass silently.

use super::{run_with, CommandOutput};
use crate::engine::build::executor::Executor;
use crate::engine::world::World;

/// Runs `text` against `world`; returns the transcript.
pub fn run_script(world: &mut World, text: &str, exec: &mut dyn Executor) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(r) = line.strip_prefix("!someone-pushes ") {
            out.push_str(&format!("# someone else pushes {}\n", r.trim()));
            match world.someone_else_pushes(r.trim()) {
                Ok(d) => out.push_str(&format!("# new digest: {d}\n")),
                Err(e) => out.push_str(&format!("# failed: {e}\n")),
            }
            continue;
        }
        if let Some(secs) = line.strip_prefix("!advance ") {
            world.advance(secs.trim().parse().unwrap_or(0));
            continue;
        }
        out.push_str(&format!("$ {line}\n"));
        let o: CommandOutput = run_with(world, line, exec);
        out.push_str(&o.stdout);
        out.push_str(&o.stderr);
        if o.exit_code != 0 {
            out.push_str(&format!("[exit {}]\n", o.exit_code));
        }
    }
    out
}
