//! The interpreter: runs the syntax tree over the in-memory filesystem.
//!
//! Processes are simulated sequentially: a pipeline runs its stages one after the other,
//! each stage's output becoming the next one's input, each in a subshell environment
//! (as ash and bash without `lastpipe` do). Subshells copy the shell state and share
//! the filesystem, exactly what `fork()` gives a container's processes.

use super::ast::{AndOr, CmdKind, Command, Item, List, Pipeline, Redir, RedirOp};
use super::budget::{Budget, Budgets, Meter};
use super::state::{Env, Input, Io, OpenFile, Sink, Streams, Var};
use super::{OutputLine, Stream};
use crate::engine::fs::{join, FileType, Fs, Metadata};
use std::rc::Rc;

/// Non-local control flow out of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Exit(i32),
    Return(i32),
    Break(u32),
    Continue(u32),
    /// A budget ran out; `Shell::stopped` says which.
    Stop,
}

pub(crate) type Res = Result<i32, Flow>;

/// Buffered file output is appended to the filesystem past this size.
const FILE_FLUSH: usize = 64 * 1024;

pub(crate) struct Shell {
    pub fs: Fs,
    /// The filesystem the RUN started from: the overlayfs lower layers, to tell a
    /// copy-up (see `perm`) from a change of a file this RUN created.
    pub lower: Fs,
    pub env: Env,
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups of the user (from `/etc/group`), for permission checks.
    pub groups: Vec<u32>,
    pub user: String,
    pub hostname: String,
    pub mtime: i64,
    pub limits: Budgets,
    pub meter: Meter,
    pub stopped: Option<Budget>,
    pub lines: Vec<OutputLine>,
    partial: [Vec<u8>; 2],
    pub pipes: Streams<Vec<u8>>,
    pub inputs: Streams<Input>,
    pub files: Streams<OpenFile>,
    next_id: usize,
    pub depth: u32,
    held_bytes: u64,
    base_bytes: u64,
    base_files: u64,
    /// Conditions (if/while tests, `&&`/`||` left sides, `!`) where `set -e` is off.
    pub errexit_off: u32,
}

impl Shell {
    pub fn new(fs: Fs, env: Env, limits: Budgets) -> Shell {
        let base_bytes = fs.total_size();
        let base_files = fs.file_count();
        Shell {
            lower: fs.clone(),
            fs,
            env,
            uid: 0,
            gid: 0,
            groups: Vec::new(),
            user: "root".into(),
            hostname: "buildkitsandbox".into(),
            mtime: 0,
            limits,
            meter: Meter::default(),
            stopped: None,
            lines: Vec::new(),
            partial: [Vec::new(), Vec::new()],
            pipes: Streams::default(),
            inputs: Streams::default(),
            files: Streams::default(),
            next_id: 0,
            depth: 0,
            held_bytes: 0,
            base_bytes,
            base_files,
            errexit_off: 0,
        }
    }

    // ----- budgets ----------------------------------------------------------------

    pub fn stop(&mut self, b: Budget) -> Flow {
        if self.stopped.is_none() {
            self.stopped = Some(b);
        }
        Flow::Stop
    }

    pub fn step(&mut self, n: u64) -> Result<(), Flow> {
        if self.stopped.is_some() {
            return Err(Flow::Stop);
        }
        self.meter.steps = self.meter.steps.saturating_add(n);
        if self.meter.steps > self.limits.steps {
            return Err(self.stop(Budget::Steps));
        }
        Ok(())
    }

    /// Advance the simulated clock by `us` microseconds.
    pub fn spend_us(&mut self, us: u64) -> Result<(), Flow> {
        self.meter.time_us = self.meter.time_us.saturating_add(us);
        if self.meter.time_us / 1000 > self.limits.time_ms {
            self.meter.time_us = self.limits.time_ms.saturating_mul(1000);
            return Err(self.stop(Budget::Time));
        }
        Ok(())
    }

    pub fn check_fs(&mut self) -> Result<(), Flow> {
        let pending: u64 = self.files.values().map(|f| f.buf.len() as u64).sum();
        let bytes = (self.fs.total_size() + pending).saturating_sub(self.base_bytes);
        if bytes > self.limits.fs_bytes {
            return Err(self.stop(Budget::FsBytes));
        }
        if self.fs.file_count().saturating_sub(self.base_files) > self.limits.fs_files {
            return Err(self.stop(Budget::FsFiles));
        }
        Ok(())
    }

    /// Account for `n` more bytes held in memory (pipes, substitutions, reads).
    pub fn hold(&mut self, n: u64) -> bool {
        self.held_bytes = self.held_bytes.saturating_add(n);
        if self.held_bytes > self.limits.memory_bytes {
            self.stop(Budget::Memory);
            return false;
        }
        true
    }

    pub fn release(&mut self, n: u64) {
        self.held_bytes = self.held_bytes.saturating_sub(n);
    }

    pub fn enter(&mut self) -> Result<(), Flow> {
        self.depth += 1;
        if self.depth > self.limits.depth {
            self.depth -= 1;
            return Err(self.stop(Budget::Depth));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ----- streams ----------------------------------------------------------------

    fn id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    pub fn new_pipe(&mut self) -> usize {
        let id = self.id();
        self.pipes.insert(id, Vec::new());
        id
    }

    pub fn take_pipe(&mut self, id: usize) -> Vec<u8> {
        let data = self.pipes.remove(id).unwrap_or_default();
        self.release(data.len() as u64);
        data
    }

    pub fn new_input(&mut self, data: Vec<u8>) -> usize {
        let id = self.id();
        self.hold(data.len() as u64);
        self.inputs.insert(id, Input { data, pos: 0 });
        id
    }

    pub fn drop_input(&mut self, id: usize) {
        if let Some(i) = self.inputs.remove(id) {
            self.release(i.data.len() as u64);
        }
    }

    /// Everything left on stdin.
    pub fn read_all(&mut self, stdin: Option<usize>) -> Vec<u8> {
        let Some(inp) = stdin.and_then(|id| self.inputs.get_mut(id)) else {
            return Vec::new();
        };
        let start = inp.pos.min(inp.data.len());
        inp.pos = inp.data.len();
        inp.data[start..].to_vec()
    }

    /// One line from stdin (without the newline); `None` at end of input.
    pub fn read_line(&mut self, stdin: Option<usize>) -> Option<(Vec<u8>, bool)> {
        let inp = stdin.and_then(|id| self.inputs.get_mut(id))?;
        if inp.pos >= inp.data.len() {
            return None;
        }
        let rest = &inp.data[inp.pos..];
        match rest.iter().position(|&b| b == b'\n') {
            Some(n) => {
                let line = rest[..n].to_vec();
                inp.pos += n + 1;
                Some((line, true))
            }
            None => {
                let line = rest.to_vec();
                inp.pos = inp.data.len();
                Some((line, false))
            }
        }
    }

    pub fn open_file(&mut self, path: String) -> usize {
        let id = self.id();
        self.files.insert(
            id,
            OpenFile {
                path,
                buf: Vec::new(),
            },
        );
        id
    }

    pub fn flush_file(&mut self, id: usize) {
        let meta = self.new_file_meta(0o666);
        if let Some(f) = self.files.get_mut(id) {
            if !f.buf.is_empty() {
                let buf = std::mem::take(&mut f.buf);
                let path = f.path.clone();
                let _ = self.fs.append(&path, &buf, meta);
            }
        }
    }

    pub fn close_file(&mut self, id: usize) {
        self.flush_file(id);
        self.files.remove(id);
    }

    pub fn flush_files(&mut self) {
        let ids = self.files.ids();
        for id in ids {
            self.flush_file(id);
        }
    }

    /// Write to a stream; false once a budget has stopped the run.
    pub fn write(&mut self, sink: Sink, bytes: &[u8]) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        if bytes.is_empty() {
            return true;
        }
        match sink {
            Sink::Stdout | Sink::Stderr => {
                self.meter.output = self.meter.output.saturating_add(bytes.len() as u64);
                if self.meter.output > self.limits.output_bytes {
                    self.stop(Budget::Output);
                    return false;
                }
                let k = usize::from(sink == Sink::Stderr);
                let stream = if k == 1 {
                    Stream::Stderr
                } else {
                    Stream::Stdout
                };
                for &b in bytes {
                    if b == b'\n' {
                        let line = std::mem::take(&mut self.partial[k]);
                        self.lines.push(OutputLine {
                            stream,
                            text: String::from_utf8_lossy(&line).into_owned(),
                        });
                    } else {
                        self.partial[k].push(b);
                    }
                }
                true
            }
            Sink::Null | Sink::Closed => true,
            Sink::Pipe(id) => {
                if !self.hold(bytes.len() as u64) {
                    return false;
                }
                if let Some(p) = self.pipes.get_mut(id) {
                    p.extend_from_slice(bytes);
                }
                true
            }
            Sink::File(id) => {
                let Some(f) = self.files.get_mut(id) else {
                    return true;
                };
                f.buf.extend_from_slice(bytes);
                let big = f.buf.len() > FILE_FLUSH;
                if big {
                    self.flush_file(id);
                    if self.check_fs().is_err() {
                        return false;
                    }
                }
                true
            }
        }
    }

    pub fn finish_output(&mut self) {
        for (k, stream) in [(0, Stream::Stdout), (1, Stream::Stderr)] {
            if !self.partial[k].is_empty() {
                let line = std::mem::take(&mut self.partial[k]);
                self.lines.push(OutputLine {
                    stream,
                    text: String::from_utf8_lossy(&line).into_owned(),
                });
            }
        }
    }

    /// `sh: <msg>` on the given stderr, as ash reports its own errors.
    pub fn sh_error(&mut self, err: Sink, msg: &str) {
        let text = format!("{}: {msg}\n", self.env.arg0);
        self.write(err, text.as_bytes());
    }

    /// Metadata for a file this shell creates: `mode & ~umask`, the running user.
    pub fn new_file_meta(&self, mode: u32) -> Metadata {
        Metadata::new(mode & !self.env.umask, self.uid, self.gid, self.mtime)
    }

    pub fn abs(&self, path: &str) -> String {
        join(&self.env.cwd, path)
    }

    /// Run the `EXIT` trap of this shell process, if any: `$?` is the exit status,
    /// which stays the process's status unless the trap calls `exit`.
    pub fn run_exit_trap(&mut self, status: i32, io: Io) -> Res {
        let Some(action) = self.env.exit_trap.take() else {
            return Ok(status);
        };
        self.env.status = status;
        let io = self.env.fds.apply(io);
        let saved = self.errexit_off;
        match self.eval_string(&action, io) {
            Ok(_) | Err(Flow::Return(_) | Flow::Break(_) | Flow::Continue(_)) => {
                self.errexit_off = saved;
                Ok(status)
            }
            Err(Flow::Exit(s)) => Ok(s),
            Err(Flow::Stop) => Err(Flow::Stop),
        }
    }

    // ----- variables --------------------------------------------------------------

    pub fn get_var(&self, name: &str) -> Option<String> {
        self.env.get(name).map(str::to_string)
    }

    /// Assign a variable; an error message if it is readonly.
    pub fn set_var(&mut self, name: &str, value: String) -> Result<(), String> {
        let allexport = self.env.opts.allexport;
        let old_len = match self.env.vars.get(name) {
            Some(v) if v.readonly => return Err(format!("{name}: is read only")),
            Some(v) => v.value.len() as u64,
            None => 0,
        };
        if !self.hold(value.len() as u64) {
            return Ok(());
        }
        self.release(old_len);
        match self.env.vars.get_mut(name) {
            Some(v) => {
                v.value = value;
                v.exported |= allexport;
            }
            None => {
                self.env.vars.insert(
                    name.to_string(),
                    Var {
                        value,
                        exported: allexport,
                        readonly: false,
                    },
                );
            }
        }
        Ok(())
    }

    // ----- execution --------------------------------------------------------------

    pub fn run_list(&mut self, list: &List, io: Io) -> Res {
        let mut status = 0;
        for item in list {
            status = self.run_item(item, io)?;
        }
        Ok(status)
    }

    fn run_item(&mut self, item: &Item, io: Io) -> Res {
        let has_rest = !item.rest.is_empty();
        if has_rest {
            self.errexit_off += 1;
        }
        let first = self.run_pipeline(&item.first, io);
        if has_rest {
            self.errexit_off -= 1;
        }
        let mut status = first?;
        let mut last_ran = !has_rest;
        let mut bang = item.first.bang;
        for (k, (op, p)) in item.rest.iter().enumerate() {
            let run = match op {
                AndOr::And => status == 0,
                AndOr::Or => status != 0,
            };
            if !run {
                continue;
            }
            let is_last = k + 1 == item.rest.len();
            if !is_last {
                self.errexit_off += 1;
            }
            let r = self.run_pipeline(p, io);
            if !is_last {
                self.errexit_off -= 1;
            }
            status = r?;
            last_ran = is_last;
            bang = p.bang;
        }
        if item.background {
            self.env.status = 0;
            return Ok(0);
        }
        if status != 0 && last_ran && !bang && self.env.opts.errexit && self.errexit_off == 0 {
            return Err(Flow::Exit(status));
        }
        Ok(status)
    }

    fn run_pipeline(&mut self, p: &Pipeline, io: Io) -> Res {
        if p.bang {
            self.errexit_off += 1;
        }
        let r = self.run_pipeline_inner(p, io);
        if p.bang {
            self.errexit_off -= 1;
        }
        let status = r?;
        let status = if p.bang {
            i32::from(status == 0)
        } else {
            status
        };
        self.env.status = status;
        Ok(status)
    }

    fn run_pipeline_inner(&mut self, p: &Pipeline, io: Io) -> Res {
        if p.cmds.len() == 1 {
            return self.run_command(&p.cmds[0], io);
        }
        let mut input = io.stdin;
        let mut owned_input: Option<usize> = None;
        let mut statuses = Vec::with_capacity(p.cmds.len());
        let n = p.cmds.len();
        for (i, cmd) in p.cmds.iter().enumerate() {
            let pipe = (i + 1 < n).then(|| self.new_pipe());
            let cio = Io {
                stdin: input,
                out: pipe.map_or(io.out, Sink::Pipe),
                err: io.err,
            };
            let r = self.subshell(|sh| sh.run_command(cmd, cio));
            if let Some(id) = owned_input.take() {
                self.drop_input(id);
            }
            let st = r?;
            statuses.push(st);
            if let Some(pid) = pipe {
                let data = self.take_pipe(pid);
                let id = self.new_input(data);
                owned_input = Some(id);
                input = Some(id);
            }
        }
        if let Some(id) = owned_input {
            self.drop_input(id);
        }
        let last = statuses.last().copied().unwrap_or(0);
        if self.env.opts.pipefail {
            return Ok(statuses
                .iter()
                .rev()
                .find(|s| **s != 0)
                .copied()
                .unwrap_or(0));
        }
        Ok(last)
    }

    /// Run `f` in a subshell: a copy of the shell state; `exit` ends only the subshell.
    pub fn subshell(&mut self, f: impl FnOnce(&mut Shell) -> Res) -> Res {
        self.enter()?;
        let saved = self.env.clone();
        let saved_off = self.errexit_off;
        // The subshell starts from the streams it was given (already including the
        // parent's `exec` redirections); traps are reset in a subshell (POSIX).
        self.env.fds = Default::default();
        self.env.exit_trap = None;
        let r = f(self);
        self.env = saved;
        self.errexit_off = saved_off;
        self.leave();
        match r {
            Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) => Ok(s),
            Err(Flow::Break(_) | Flow::Continue(_)) => Ok(0),
            Err(Flow::Stop) => Err(Flow::Stop),
        }
    }

    pub fn run_command(&mut self, cmd: &Command, io: Io) -> Res {
        self.step(1)?;
        let io = self.env.fds.apply(io);
        if let CmdKind::Simple { assigns, words } = &cmd.kind {
            return self.run_simple(cmd, assigns, words, io);
        }
        if let CmdKind::FuncDef { name, body } = &cmd.kind {
            self.env.funcs.insert(name.clone(), Rc::clone(body));
            return Ok(0);
        }
        let (cio, opened) = match self.apply_redirs(&cmd.redirs, io) {
            Ok(x) => x,
            Err(Ok(status)) => return Ok(status),
            Err(Err(flow)) => return Err(flow),
        };
        let r = self.run_compound(&cmd.kind, cio);
        self.close_redirs(opened);
        let status = r?;
        self.env.status = status;
        Ok(status)
    }

    fn run_compound(&mut self, kind: &CmdKind, io: Io) -> Res {
        match kind {
            CmdKind::Group(list) => self.run_list(list, io),
            CmdKind::Subshell(list) => self.subshell(|sh| sh.run_list(list, io)),
            CmdKind::If { arms, otherwise } => {
                for (cond, body) in arms {
                    self.errexit_off += 1;
                    let c = self.run_list(cond, io);
                    self.errexit_off -= 1;
                    if c? == 0 {
                        return self.run_list(body, io);
                    }
                }
                match otherwise {
                    Some(list) => self.run_list(list, io),
                    None => Ok(0),
                }
            }
            CmdKind::Loop { until, cond, body } => {
                let mut status = 0;
                self.env.loops += 1;
                let r = loop {
                    if let Err(f) = self.step(1) {
                        break Err(f);
                    }
                    self.errexit_off += 1;
                    let c = self.run_list(cond, io);
                    self.errexit_off -= 1;
                    let c = match c {
                        Ok(c) => c,
                        Err(f) => break Err(f),
                    };
                    if (c == 0) == *until {
                        break Ok(status);
                    }
                    match self.loop_body(body, io, &mut status) {
                        Ok(true) => {}
                        Ok(false) => break Ok(status),
                        Err(f) => break Err(f),
                    }
                };
                self.env.loops -= 1;
                r
            }
            CmdKind::For { var, items, body } => {
                let values = match items {
                    Some(words) => {
                        let mut v = Vec::new();
                        for w in words {
                            v.extend(self.expand_fields(w, io)?);
                        }
                        v
                    }
                    None => self.env.params.clone(),
                };
                let mut status = 0;
                self.env.loops += 1;
                let mut r = Ok(());
                for value in values {
                    if let Err(f) = self.step(1) {
                        r = Err(f);
                        break;
                    }
                    if let Err(msg) = self.set_var(var, value) {
                        self.sh_error(io.err, &msg);
                        status = 1;
                        break;
                    }
                    match self.loop_body(body, io, &mut status) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(f) => {
                            r = Err(f);
                            break;
                        }
                    }
                }
                self.env.loops -= 1;
                r.map(|_| status)
            }
            CmdKind::Case { word, arms } => {
                let value = self.expand_string(word, io)?;
                for (pats, body) in arms {
                    for p in pats {
                        let pat = self.expand_pattern(p, io)?;
                        if super::glob::matches(&pat, &value) {
                            return self.run_list(body, io);
                        }
                    }
                }
                Ok(0)
            }
            CmdKind::Simple { .. } | CmdKind::FuncDef { .. } => Ok(0),
        }
    }

    /// One pass through a `while`/`until`/`for` body (XCU 2.9.4.2-4), keeping its status in
    /// `status`. `Ok(false)`: a `break` ends this loop (status 0). `Err`: `break N` or
    /// `continue N` for an outer loop (one level used up here), or another flow.
    fn loop_body(&mut self, body: &List, io: Io, status: &mut i32) -> Result<bool, Flow> {
        match self.run_list(body, io) {
            Ok(s) => *status = s,
            Err(Flow::Break(n)) if n > 1 => return Err(Flow::Break(n - 1)),
            Err(Flow::Break(_)) => {
                *status = 0;
                return Ok(false);
            }
            Err(Flow::Continue(n)) if n > 1 => return Err(Flow::Continue(n - 1)),
            Err(Flow::Continue(_)) => {}
            Err(f) => return Err(f),
        }
        Ok(true)
    }

    fn run_simple(
        &mut self,
        cmd: &Command,
        assigns: &[(String, super::ast::Word)],
        words: &[super::ast::Word],
        io: Io,
    ) -> Res {
        self.env.status_from_sub = None;
        let mut argv = Vec::new();
        for w in words {
            argv.extend(self.expand_fields(w, io)?);
        }
        let mut values = Vec::with_capacity(assigns.len());
        for (name, w) in assigns {
            let v = self.expand_string(w, io)?;
            values.push((name.clone(), v));
        }
        if self.env.opts.xtrace {
            let mut line = String::from("+");
            for (n, v) in &values {
                line.push(' ');
                line.push_str(&format!("{n}={}", super::builtins::quote(v)));
            }
            for a in &argv {
                line.push(' ');
                line.push_str(&super::builtins::quote(a));
            }
            line.push('\n');
            self.write(io.err, line.as_bytes());
        }
        let (cio, opened) = match self.apply_redirs(&cmd.redirs, io) {
            Ok(x) => x,
            Err(Ok(status)) => {
                self.env.status = status;
                return Ok(status);
            }
            Err(Err(flow)) => return Err(flow),
        };
        if argv.len() == 1 && argv[0] == "exec" && !cmd.redirs.is_empty() {
            // `exec` with only redirections: they stay in effect for the rest of the
            // shell (the files stay open until it exits).
            let fds = &mut self.env.fds;
            if cio.stdin != io.stdin {
                fds.stdin = Some(cio.stdin);
            }
            if cio.out != io.out {
                fds.out = Some(cio.out);
            }
            if cio.err != io.err {
                fds.err = Some(cio.err);
            }
            for o in opened {
                if let Opened::Input(id) = o {
                    if Some(id) != cio.stdin {
                        self.drop_input(id);
                    }
                }
            }
            self.env.status = 0;
            return Ok(0);
        }
        let r = if argv.is_empty() {
            let status = self.env.status_from_sub.unwrap_or(0);
            for (name, v) in values {
                if let Err(msg) = self.set_var(&name, v) {
                    self.sh_error(cio.err, &msg);
                    self.close_redirs(opened);
                    let _ = status;
                    return Err(Flow::Exit(2));
                }
            }
            Ok(status)
        } else {
            self.run_argv(argv, values, cio)
        };
        self.close_redirs(opened);
        let status = r?;
        if self.stopped.is_some() {
            return Err(Flow::Stop);
        }
        self.check_fs()?;
        self.env.status = status;
        Ok(status)
    }

    /// Open the redirections of a command. `Err(Ok(status))`: a redirection failed
    /// (the command does not run); `Err(Err(flow))`: a budget ran out.
    #[allow(clippy::type_complexity)]
    fn apply_redirs(
        &mut self,
        redirs: &[Redir],
        io: Io,
    ) -> Result<(Io, Vec<Opened>), Result<i32, Flow>> {
        let mut io = io;
        let mut opened = Vec::new();
        for r in redirs {
            match self.apply_redir(r, &mut io, &mut opened) {
                Ok(None) => {}
                Ok(Some(status)) => {
                    self.close_redirs(opened);
                    return Err(Ok(status));
                }
                Err(flow) => {
                    self.close_redirs(opened);
                    return Err(Err(flow));
                }
            }
        }
        Ok((io, opened))
    }

    fn apply_redir(
        &mut self,
        r: &Redir,
        io: &mut Io,
        opened: &mut Vec<Opened>,
    ) -> Result<Option<i32>, Flow> {
        let fd = r.fd.unwrap_or(1);
        match r.op {
            RedirOp::HereDoc => {
                let body = r
                    .heredoc
                    .as_ref()
                    .map(|b| b.borrow().clone())
                    .unwrap_or_default();
                let text = self.expand_string(&body, *io)?;
                let id = self.new_input(text.into_bytes());
                opened.push(Opened::Input(id));
                if fd == 0 {
                    io.stdin = Some(id);
                }
                return Ok(None);
            }
            RedirOp::HereString => {
                let mut text = self.expand_string(&r.target, *io)?;
                text.push('\n');
                let id = self.new_input(text.into_bytes());
                opened.push(Opened::Input(id));
                if fd == 0 {
                    io.stdin = Some(id);
                }
                return Ok(None);
            }
            _ => {}
        }
        let target = self.expand_string(&r.target, *io)?;
        match r.op {
            RedirOp::Dup => {
                if target == "-" {
                    set_fd(io, fd, Sink::Closed);
                    if fd == 0 {
                        io.stdin = None;
                    }
                    return Ok(None);
                }
                match target.parse::<u32>() {
                    Ok(0) if fd == 0 => {}
                    Ok(src @ (1 | 2)) if fd != 0 => {
                        let s = io.sink(src);
                        set_fd(io, fd, s);
                    }
                    Ok(_) if fd > 2 => {}
                    Ok(n) => {
                        self.sh_error(io.err, &format!("{n}: Bad file descriptor"));
                        return Ok(Some(1));
                    }
                    Err(_) => {
                        // bash: `>&file` is `&>file`
                        if fd == 1 {
                            return self.open_out(&target, true, false, io, opened, &[1, 2]);
                        }
                        self.sh_error(io.err, &format!("{target}: bad number"));
                        return Ok(Some(2));
                    }
                }
                Ok(None)
            }
            RedirOp::In | RedirOp::ReadWrite => {
                let path = self.abs(&target);
                if r.op == RedirOp::ReadWrite && !self.fs.exists(&path) {
                    let meta = self.new_file_meta(0o666);
                    let _ = self.write_file(&path, Vec::new(), meta);
                }
                self.flush_files();
                match self.read_bytes(&path) {
                    Ok(data) => {
                        let id = self.new_input(data);
                        opened.push(Opened::Input(id));
                        if fd == 0 {
                            io.stdin = Some(id);
                        }
                        Ok(None)
                    }
                    Err(Some(e)) => {
                        self.sh_error(io.err, &format!("can't open '{target}': {e}"));
                        Ok(Some(1))
                    }
                    Err(None) => Err(Flow::Stop),
                }
            }
            RedirOp::Out => self.open_out(&target, true, false, io, opened, &[fd]),
            RedirOp::Append => self.open_out(&target, false, true, io, opened, &[fd]),
            RedirOp::OutErr => self.open_out(&target, true, false, io, opened, &[1, 2]),
            RedirOp::AppendErr => self.open_out(&target, false, true, io, opened, &[1, 2]),
            RedirOp::HereDoc | RedirOp::HereString => Ok(None),
        }
    }

    fn open_out(
        &mut self,
        target: &str,
        truncate: bool,
        append: bool,
        io: &mut Io,
        opened: &mut Vec<Opened>,
        fds: &[u32],
    ) -> Result<Option<i32>, Flow> {
        let _ = append;
        let sink = match target {
            "/dev/null" => Sink::Null,
            "/dev/stdout" | "/proc/self/fd/1" => io.out,
            "/dev/stderr" | "/proc/self/fd/2" => io.err,
            _ => {
                let path = self.abs(target);
                let meta = self.new_file_meta(0o666);
                // Opening for writing copies a lower file up even if nothing is
                // written (see `perm`), and needs write (or create) permission.
                let res = match self.fs.stat(&path) {
                    Ok(s) if s.file_type == FileType::Dir => Err("Is a directory".to_string()),
                    Ok(s) if s.file_type != FileType::File || !truncate => {
                        let r = self.check_access(&path, super::perm::WRITE);
                        if r.is_ok() {
                            self.copy_up(&path);
                        }
                        r.map_err(|e| e.to_string())
                    }
                    _ => self
                        .write_file(&path, Vec::new(), meta)
                        .map_err(|e| e.to_string()),
                };
                if let Err(e) = res {
                    self.sh_error(io.err, &format!("can't create {target}: {e}"));
                    return Ok(Some(1));
                }
                if self
                    .fs
                    .stat(&path)
                    .is_ok_and(|s| s.file_type != FileType::File)
                {
                    Sink::Null
                } else {
                    let id = self.open_file(path);
                    opened.push(Opened::File(id));
                    Sink::File(id)
                }
            }
        };
        for &fd in fds {
            set_fd(io, fd, sink);
        }
        Ok(None)
    }

    fn close_redirs(&mut self, opened: Vec<Opened>) {
        for o in opened {
            match o {
                Opened::Input(id) => self.drop_input(id),
                Opened::File(id) => self.close_file(id),
            }
        }
    }

    /// The bytes of a file, bounded by the memory budget. `Err(None)`: budget ran out.
    pub fn read_bytes(&mut self, path: &str) -> Result<Vec<u8>, Option<super::perm::OpError>> {
        self.check_access(path, super::perm::READ).map_err(Some)?;
        let c = self.fs.read_file(path).map_err(|e| Some(e.into()))?;
        if c.len() > self.limits.memory_bytes {
            self.stop(Budget::Memory);
            return Err(None);
        }
        Ok(c.read_range(0, c.len()))
    }

    /// Call a shell function with `args` as positional parameters.
    pub fn call_function(&mut self, body: &Command, args: Vec<String>, io: Io) -> Res {
        self.enter()?;
        let saved_params = std::mem::replace(&mut self.env.params, args);
        self.env.locals.push(Vec::new());
        self.env.in_func += 1;
        let saved_loops = std::mem::replace(&mut self.env.loops, 0);
        let r = self.run_command(body, io);
        self.env.loops = saved_loops;
        self.env.in_func -= 1;
        if let Some(frame) = self.env.locals.pop() {
            for (name, old) in frame.into_iter().rev() {
                match old {
                    Some(v) => {
                        self.env.vars.insert(name, v);
                    }
                    None => {
                        self.env.vars.remove(&name);
                    }
                }
            }
        }
        self.env.params = saved_params;
        self.leave();
        match r {
            Err(Flow::Return(s)) => Ok(s),
            other => other,
        }
    }
}

/// What a redirection opened, to close when the command ends.
pub(crate) enum Opened {
    Input(usize),
    File(usize),
}

fn set_fd(io: &mut Io, fd: u32, sink: Sink) {
    match fd {
        1 => io.out = sink,
        2 => io.err = sink,
        _ => {}
    }
}
