//! What a build reports as it goes. The same events drive the UI (steps appearing,
//! CACHED badges, miss reasons, new layers) and BuildKit's `--progress=plain` text.

use crate::engine::digest::Digest;

/// Why a filesystem step could not reuse a cached layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissReason {
    /// `--no-cache` was given.
    NoCache,
    /// This exact step has never run on this parent before.
    NotBuiltBefore,
    /// An earlier step was rebuilt, so this one runs on a different parent.
    ParentChanged,
    /// The files this COPY/ADD reads changed (paths relative to the source root).
    SourcesChanged(Vec<String>),
    /// Build arguments or environment variables the step sees changed.
    EnvironmentChanged(Vec<String>),
    /// `USER`, `WORKDIR` or `SHELL` in effect changed.
    SettingsChanged(String),
}

impl std::fmt::Display for MissReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MissReason::NoCache => write!(f, "--no-cache: every step runs"),
            MissReason::NotBuiltBefore => write!(f, "not built before with this instruction"),
            MissReason::ParentChanged => {
                write!(
                    f,
                    "a previous step was rebuilt, so every later step runs again"
                )
            }
            MissReason::SourcesChanged(files) => {
                let shown: Vec<&str> = files.iter().take(5).map(String::as_str).collect();
                let more = files.len().saturating_sub(shown.len());
                write!(f, "source files changed: {}", shown.join(", "))?;
                if more > 0 {
                    write!(f, " and {more} more")?;
                }
                Ok(())
            }
            MissReason::EnvironmentChanged(names) => {
                write!(
                    f,
                    "build arguments or environment changed: {}",
                    names.join(", ")
                )
            }
            MissReason::SettingsChanged(what) => write!(f, "{what} changed"),
        }
    }
}

/// Which step of which stage an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    /// Stage index (0-based) and the name BuildKit shows (`build`, `stage-1`, or none
    /// for a single-stage build).
    pub stage: usize,
    pub stage_label: Option<String>,
    /// 1-based position among the stage's vertices, and their count.
    pub index: usize,
    pub total: usize,
    /// The instruction as written (`RUN npm ci --omit=dev`).
    pub instruction: String,
    /// Dockerfile lines (1-based, inclusive).
    pub line: usize,
    pub end_line: usize,
}

impl StepRef {
    /// `[2/5] WORKDIR /app` or `[build 2/5] WORKDIR /app`.
    pub fn title(&self) -> String {
        match &self.stage_label {
            Some(label) => format!(
                "[{label} {}/{}] {}",
                self.index, self.total, self.instruction
            ),
            None => format!("[{}/{}] {}", self.index, self.total, self.instruction),
        }
    }
}

/// One thing that happened during a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    /// A `[internal]` vertex (load definition, metadata, context) or the export.
    Internal {
        vertex: u32,
        title: String,
        lines: Vec<String>,
        ms: u64,
    },
    /// A FROM/RUN/COPY/ADD/WORKDIR vertex starts.
    StepStarted { vertex: u32, step: StepRef },
    /// The step's layer came from the cache.
    CacheHit { vertex: u32, key: Digest },
    /// The step runs; why the cache could not answer.
    CacheMiss { vertex: u32, reason: MissReason },
    /// A line of process output (RUN), `at_ms` after the step started.
    Output {
        vertex: u32,
        at_ms: u64,
        stderr: bool,
        text: String,
    },
    /// The step produced a filesystem layer (or nothing: `empty`).
    LayerCreated {
        vertex: u32,
        diff_id: Digest,
        size: u64,
        changes: usize,
        empty: bool,
    },
    /// The step finished after `ms` of simulated time.
    StepDone { vertex: u32, ms: u64 },
    /// A metadata-only instruction changed the config (no vertex in BuildKit's log).
    ConfigChanged {
        line: usize,
        instruction: String,
        field: String,
        value: String,
    },
    /// The build failed at this step.
    StepFailed {
        vertex: u32,
        message: String,
        line: usize,
        end_line: usize,
    },
    /// The image was written (`writing image sha256:...`) and named.
    ImageWritten {
        vertex: u32,
        id: Digest,
        names: Vec<String>,
        ms: u64,
    },
}

/// `0.0s`, `1.2s`: BuildKit's step durations.
pub fn seconds(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

/// `156B`, `1.21kB`, `3.40MB`: go-units `HumanSize` as BuildKit prints transfer sizes.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let text = format!("{value:.4}");
    // %.4g: four significant digits, trailing zeros removed.
    let digits_before = text.find('.').unwrap_or(text.len());
    let keep = 4usize.saturating_sub(digits_before);
    let mut s = format!("{value:.keep$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{s}{}", UNITS[unit])
}

/// Renders events as `docker build --progress=plain` prints them.
pub fn plain_progress(events: &[BuildEvent]) -> String {
    let mut out = String::new();
    let mut current_step: Option<(u32, StepRef)> = None;
    for event in events {
        match event {
            BuildEvent::Internal {
                vertex,
                title,
                lines,
                ms,
            } => {
                out.push_str(&format!("#{vertex} {title}\n"));
                for l in lines {
                    out.push_str(&format!("#{vertex} {l}\n"));
                }
                out.push_str(&format!("#{vertex} DONE {}\n\n", seconds(*ms)));
            }
            BuildEvent::StepStarted { vertex, step } => {
                out.push_str(&format!("#{vertex} {}\n", step.title()));
                current_step = Some((*vertex, step.clone()));
            }
            BuildEvent::CacheHit { vertex, .. } => out.push_str(&format!("#{vertex} CACHED\n\n")),
            BuildEvent::CacheMiss { .. } | BuildEvent::LayerCreated { .. } => {}
            BuildEvent::Output {
                vertex,
                at_ms,
                text,
                ..
            } => out.push_str(&format!("#{vertex} {:.3} {text}\n", *at_ms as f64 / 1000.0)),
            BuildEvent::StepDone { vertex, ms } => {
                out.push_str(&format!("#{vertex} DONE {}\n\n", seconds(*ms)))
            }
            BuildEvent::ConfigChanged { .. } => {}
            BuildEvent::StepFailed {
                vertex, message, ..
            } => {
                if current_step.as_ref().is_some_and(|(v, _)| v == vertex) {
                    // The solver adds this prefix to the vertex's own error.
                    let own = message
                        .strip_prefix("failed to compute cache key: ")
                        .unwrap_or(message);
                    out.push_str(&format!("#{vertex} ERROR: {own}\n"));
                }
            }
            BuildEvent::ImageWritten {
                vertex,
                id,
                names,
                ms,
            } => {
                out.push_str(&format!("#{vertex} exporting to image\n"));
                out.push_str(&format!(
                    "#{vertex} exporting layers {} done\n",
                    seconds(*ms)
                ));
                out.push_str(&format!("#{vertex} writing image {id} done\n"));
                for n in names {
                    out.push_str(&format!("#{vertex} naming to {n} done\n"));
                }
                out.push_str(&format!("#{vertex} DONE {}\n", seconds(*ms)));
            }
        }
    }
    out
}

/// The error block BuildKit prints after a failed build: the step's last output
/// lines, the Dockerfile excerpt with `>>>` at the failing lines, and the message.
pub fn failure_report(
    events: &[BuildEvent],
    dockerfile_name: &str,
    dockerfile: &str,
) -> Option<String> {
    let (vertex, message, line, end_line) = events.iter().find_map(|e| match e {
        BuildEvent::StepFailed {
            vertex,
            message,
            line,
            end_line,
        } => Some((*vertex, message.clone(), *line, *end_line)),
        _ => None,
    })?;
    let mut out = String::new();
    let step = events.iter().find_map(|e| match e {
        BuildEvent::StepStarted { vertex: v, step } if *v == vertex => Some(step.clone()),
        _ => None,
    });
    if let Some(step) = &step {
        let output: Vec<String> = events
            .iter()
            .filter_map(|e| match e {
                BuildEvent::Output {
                    vertex: v,
                    at_ms,
                    text,
                    ..
                } if *v == vertex => Some(format!("{:.3} {text}", *at_ms as f64 / 1000.0)),
                _ => None,
            })
            .collect();
        out.push_str("------\n");
        out.push_str(&format!(" > {}:\n", step.title()));
        let tail = output.len().saturating_sub(10);
        for l in &output[tail..] {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str("------\n");
    }
    if line > 0 {
        let lines: Vec<&str> = dockerfile.lines().collect();
        out.push_str(&format!("{dockerfile_name}:{line}\n"));
        out.push_str("--------------------\n");
        let first = line.saturating_sub(3).max(1);
        let last = (end_line.max(line) + 2).min(lines.len());
        for n in first..=last {
            let text = lines.get(n - 1).copied().unwrap_or("");
            let marker = if n >= line && n <= end_line.max(line) {
                ">>>"
            } else {
                "   "
            };
            out.push_str(&format!(" {n:>3} | {marker} {text}\n"));
        }
        out.push_str("--------------------\n");
    }
    out.push_str(&format!("ERROR: failed to solve: {message}\n"));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_go_units() {
        assert_eq!(human_size(2), "2B");
        assert_eq!(human_size(156), "156B");
        assert_eq!(human_size(1210), "1.21kB");
        assert_eq!(human_size(3_400_000), "3.4MB");
        assert_eq!(human_size(123_456_789), "123.5MB");
    }

    #[test]
    fn step_titles() {
        let mut s = StepRef {
            stage: 0,
            stage_label: None,
            index: 2,
            total: 5,
            instruction: "WORKDIR /app".into(),
            line: 2,
            end_line: 2,
        };
        assert_eq!(s.title(), "[2/5] WORKDIR /app");
        s.stage_label = Some("build".into());
        assert_eq!(s.title(), "[build 2/5] WORKDIR /app");
    }
}
