//! The shell's state: variables, functions, options, positional parameters, and the
//! open streams (pipes, here-documents, redirected files) of the running commands.

use super::ast::Command;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub value: String,
    pub exported: bool,
    pub readonly: bool,
}

/// `set` options.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Opts {
    pub errexit: bool,
    pub nounset: bool,
    pub xtrace: bool,
    pub pipefail: bool,
    pub noglob: bool,
    pub allexport: bool,
    pub noclobber: bool,
}

/// Everything a subshell copies and a child process rebuilds from its environment.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub vars: BTreeMap<String, Var>,
    pub funcs: BTreeMap<String, Rc<Command>>,
    pub cwd: String,
    pub opts: Opts,
    pub params: Vec<String>,
    pub arg0: String,
    pub status: i32,
    /// Saved variables of `local`, one frame per active function call.
    pub locals: Vec<Vec<(String, Option<Var>)>>,
    pub umask: u32,
    /// Active loops (for `break`/`continue`).
    pub loops: u32,
    /// Inside a function (for `return`) or a sourced file.
    pub in_func: u32,
    /// Status of the last command substitution of the current simple command.
    pub status_from_sub: Option<i32>,
    /// `trap ACTION EXIT`: run when this shell process exits (`None`: default).
    pub exit_trap: Option<String>,
    /// Streams replaced by `exec >file 2>&1 <in` for the rest of this shell.
    pub fds: Fds,
}

/// The shell's own standard streams after `exec` redirections (`None`: inherited).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fds {
    pub stdin: Option<Option<usize>>,
    pub out: Option<Sink>,
    pub err: Option<Sink>,
}

impl Fds {
    /// The streams a command of this shell starts with.
    pub fn apply(&self, io: Io) -> Io {
        Io {
            stdin: self.stdin.unwrap_or(io.stdin),
            out: self.out.unwrap_or(io.out),
            err: self.err.unwrap_or(io.err),
        }
    }
}

impl Env {
    pub fn new(cwd: &str, arg0: &str) -> Env {
        Env {
            vars: BTreeMap::new(),
            funcs: BTreeMap::new(),
            cwd: cwd.to_string(),
            opts: Opts::default(),
            params: Vec::new(),
            arg0: arg0.to_string(),
            status: 0,
            locals: Vec::new(),
            umask: 0o022,
            loops: 0,
            in_func: 0,
            status_from_sub: None,
            exit_trap: None,
            fds: Fds::default(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }

    /// The exported variables, as a process environment.
    pub fn exported(&self) -> Vec<(String, String)> {
        self.vars
            .iter()
            .filter(|(_, v)| v.exported)
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect()
    }

    /// `$-`: the single-letter options in effect.
    pub fn flags(&self) -> String {
        let o = &self.opts;
        let mut s = String::new();
        for (on, c) in [
            (o.allexport, 'a'),
            (o.errexit, 'e'),
            (o.noglob, 'f'),
            (o.nounset, 'u'),
            (o.xtrace, 'x'),
            (o.noclobber, 'C'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }
}

/// Where a file descriptor writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sink {
    Stdout,
    Stderr,
    Null,
    Closed,
    Pipe(usize),
    File(usize),
}

/// The standard streams of a running command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Io {
    /// `None`: stdin is `/dev/null` (RUN has no terminal).
    pub stdin: Option<usize>,
    pub out: Sink,
    pub err: Sink,
}

impl Io {
    pub fn top() -> Io {
        Io {
            stdin: None,
            out: Sink::Stdout,
            err: Sink::Stderr,
        }
    }

    pub fn sink(&self, fd: u32) -> Sink {
        match fd {
            1 => self.out,
            2 => self.err,
            _ => Sink::Closed,
        }
    }
}

/// Bytes a command can read from stdin, with a read position (`read` takes a line).
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    pub data: Vec<u8>,
    pub pos: usize,
}

/// A file opened by a redirection; writes are buffered and appended on flush.
#[derive(Debug, Clone)]
pub(crate) struct OpenFile {
    pub path: String,
    pub buf: Vec<u8>,
}

/// Open streams (pipes, inputs, redirected files) by id. Only a handful are open at once
/// and ids only grow, so a vector in id order does what a map would, searched from the
/// newest end, without a B-tree instantiation per stream type in the wasm.
#[derive(Debug)]
pub(crate) struct Streams<T>(Vec<(usize, T)>);

impl<T> Default for Streams<T> {
    fn default() -> Self {
        Streams(Vec::new())
    }
}

impl<T> Streams<T> {
    /// Adds a stream under a fresh id, larger than every id already open.
    pub fn insert(&mut self, id: usize, stream: T) {
        self.0.push((id, stream));
    }

    fn index(&self, id: usize) -> Option<usize> {
        self.0.iter().rposition(|(i, _)| *i == id)
    }

    pub fn get_mut(&mut self, id: usize) -> Option<&mut T> {
        let k = self.index(id)?;
        self.0.get_mut(k).map(|(_, s)| s)
    }

    pub fn remove(&mut self, id: usize) -> Option<T> {
        let k = self.index(id)?;
        Some(self.0.remove(k).1)
    }

    /// Open ids, oldest first.
    pub fn ids(&self) -> Vec<usize> {
        self.0.iter().map(|(i, _)| *i).collect()
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, s)| s)
    }
}
