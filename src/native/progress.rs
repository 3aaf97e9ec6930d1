//! Progress bars on stderr for long work: blob transfers of `push`/`pull` (docker's
//! `a1b2c3d4e5f6: Pushing [==>   ] 1.2 MB/3.4 MB` rows) and the RUN steps of
//! `build --exec=linux` (BuildKit's `[+] Building 3.2s` header with a row per running
//! step and its latest output line).
//!
//! Bars are drawn only when stderr is a terminal, as docker and BuildKit switch to
//! plain output (`--progress=plain`) when it is not; they are cleared when the work
//! ends, so the lines that follow (docker's own wording, printed exactly as without a
//! terminal) are the lasting record. Tests and pipes therefore see only plain lines.

use super::exec::RuncExecutor;
use super::registry::TransferObserver;
use crate::engine::build::executor::{Executor, RunRequest, RunResult};
use crate::engine::fs::Fs;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

/// Longest output line shown under a running step (characters).
const MAX_LINE: usize = 72;

/// Whether bars are drawn: stderr is a terminal and `TERM` is not `dumb`.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

fn target() -> ProgressDrawTarget {
    if stderr_is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// A style from `template`; `{secs}` is elapsed time as BuildKit prints it (`3.2s`).
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
        .with_key(
            "secs",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1}s", state.elapsed().as_secs_f64());
            },
        )
}

/// docker's per-layer rows for `push` and `pull`.
pub struct TransferBars {
    multi: MultiProgress,
    bars: BTreeMap<String, ProgressBar>,
}

impl TransferBars {
    /// Bars on stderr when it is a terminal, hidden otherwise.
    pub fn for_stderr() -> TransferBars {
        TransferBars {
            multi: MultiProgress::with_draw_target(target()),
            bars: BTreeMap::new(),
        }
    }

    /// Removes every row (the plain lines are printed next).
    pub fn clear(self) {
        for bar in self.bars.values() {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

impl TransferObserver for TransferBars {
    fn start(&mut self, id: &str, action: &str, total: u64) {
        // docker's jsonmessage: `<id>: <status> [====>   ] <current>/<total>`.
        let bar = ProgressBar::new(total)
            .with_style(style(
                "{prefix}: {msg} [{bar:50}] {decimal_bytes}/{decimal_total_bytes}",
            ))
            .with_prefix(id.to_string())
            .with_message(action.to_string());
        let bar = self.multi.add(bar);
        self.bars.insert(id.to_string(), bar);
    }

    fn advance(&mut self, id: &str, bytes: u64) {
        if let Some(bar) = self.bars.get(id) {
            bar.inc(bytes);
        }
    }

    fn done(&mut self, id: &str, status: &str) {
        if let Some(bar) = self.bars.get(id) {
            bar.set_style(style("{prefix}: {msg}"));
            bar.finish_with_message(status.to_string());
        }
    }
}

/// The RUN steps of a real build: an [`Executor`] around [`RuncExecutor`] that shows
/// each step while it runs.
pub struct BuildBars<'a> {
    inner: &'a mut RuncExecutor,
    multi: MultiProgress,
    header: ProgressBar,
    steps: u64,
}

impl<'a> BuildBars<'a> {
    /// Wraps `inner`; bars on stderr when it is a terminal.
    pub fn for_stderr(inner: &'a mut RuncExecutor) -> BuildBars<'a> {
        let multi = MultiProgress::with_draw_target(target());
        let header = multi.add(ProgressBar::new_spinner());
        header.set_style(style("[+] Building {secs} {msg}"));
        header.enable_steady_tick(Duration::from_millis(100));
        BuildBars {
            inner,
            multi,
            header,
            steps: 0,
        }
    }

    /// Removes the bars (the plain BuildKit log is printed next).
    pub fn clear(self) {
        self.header.finish_and_clear();
        let _ = self.multi.clear();
    }
}

/// The first `MAX_LINE` characters of `s`, on char boundaries.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_LINE).collect();
    if s.chars().count() > MAX_LINE {
        out.push('…');
    }
    out
}

impl Executor for BuildBars<'_> {
    fn run(&mut self, rootfs: Fs, req: &RunRequest) -> RunResult {
        let step = self.multi.add(ProgressBar::new_spinner());
        step.set_style(style(" => {spinner} RUN {prefix} {secs}\n    {msg}"));
        step.set_prefix(clip(&req.command.display()));
        step.enable_steady_tick(Duration::from_millis(100));
        let shown = step.clone();
        self.inner.observe_output(Some(Box::new(move |line| {
            shown.set_message(clip(&line.text));
        })));
        let result = self.inner.run(rootfs, req);
        self.inner.observe_output(None);
        step.finish_and_clear();
        self.steps += 1;
        self.header.set_message(format!(
            "({} RUN step{} done)",
            self.steps,
            if self.steps == 1 { "" } else { "s" }
        ));
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_on_char_boundaries() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(clip(&long), format!("{}…", "é".repeat(MAX_LINE)));
    }

    #[test]
    fn hidden_bars_accept_every_event() {
        // Not a terminal under `cargo test`: nothing is drawn, nothing panics.
        let mut bars = TransferBars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
            bars: BTreeMap::new(),
        };
        bars.start("abc", "Pushing", 10);
        bars.advance("abc", 4);
        bars.advance("unknown", 4);
        assert_eq!(bars.bars["abc"].position(), 4);
        bars.done("abc", "Pushed");
        bars.done("never-started", "Layer already exists");
        assert!(bars.bars["abc"].is_finished());
        bars.clear();
    }
}
