//! Budgets: a RUN that loops forever, forks endlessly, writes gigabytes or prints
//! without end is stopped with a message naming what ran out, and the engine stays
//! usable (the filesystem is returned as it was when the budget ran out).

use std::fmt;

/// The limits one RUN (or `docker exec`) works under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Interpreter operations (commands, loop iterations, expansions, lines processed).
    pub steps: u64,
    /// Simulated wall time, milliseconds.
    pub time_ms: u64,
    /// Bytes printed to stdout and stderr.
    pub output_bytes: u64,
    /// Growth of the filesystem's file bytes.
    pub fs_bytes: u64,
    /// Growth of the filesystem's regular-file count.
    pub fs_files: u64,
    /// Nesting of function calls, subshells, `sh -c`, `eval` and `.`.
    pub depth: u32,
    /// Bytes held at once in pipes, command substitutions and variables.
    pub memory_bytes: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            steps: 1_000_000,
            time_ms: 10 * 60 * 1000,
            output_bytes: 1 << 20,
            fs_bytes: 1 << 30,
            fs_files: 100_000,
            depth: 100,
            memory_bytes: 64 << 20,
        }
    }
}

/// Which budget stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    Steps,
    Time,
    Output,
    FsBytes,
    FsFiles,
    Depth,
    Memory,
}

impl Budget {
    /// The line printed when this budget stops a RUN.
    pub fn message(self, b: &Budgets) -> String {
        let what = match self {
            Budget::Steps => {
                format!(
                    "step budget of {} operations exceeded (infinite loop?)",
                    b.steps
                )
            }
            Budget::Time => format!(
                "time budget of {} of simulated time exceeded",
                duration(b.time_ms)
            ),
            Budget::Output => format!("output budget of {} exceeded", bytes(b.output_bytes)),
            Budget::FsBytes => {
                format!(
                    "filesystem budget of {} written exceeded",
                    bytes(b.fs_bytes)
                )
            }
            Budget::FsFiles => format!("file budget of {} new files exceeded", b.fs_files),
            Budget::Depth => format!(
                "recursion budget of {} nested calls exceeded (runaway recursion or fork bomb?)",
                b.depth
            ),
            Budget::Memory => format!("memory budget of {} exceeded", bytes(b.memory_bytes)),
        };
        format!("layerlab: RUN stopped: {what}")
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Budget::Steps => "steps",
            Budget::Time => "time",
            Budget::Output => "output",
            Budget::FsBytes => "filesystem bytes",
            Budget::FsFiles => "file count",
            Budget::Depth => "recursion depth",
            Budget::Memory => "memory",
        })
    }
}

fn bytes(n: u64) -> String {
    if n >= 1 << 30 && n % (1 << 30) == 0 {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

fn duration(ms: u64) -> String {
    if ms >= 60_000 && ms % 60_000 == 0 {
        let m = ms / 60_000;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    } else if ms >= 1000 && ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// What a run has used so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meter {
    pub steps: u64,
    /// Simulated time in microseconds.
    pub time_us: u64,
    pub output: u64,
}
