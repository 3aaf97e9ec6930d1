//! Shell builtins (XCU 2.14 special builtins plus ash's regular builtins): the commands
//! that change the shell itself, so they never go through `PATH`.

use super::commands::{self, Ctx};
use super::interp::{Flow, Res, Shell};
use super::parser::{self, is_name};
use super::state::{Io, Var};

/// POSIX special builtins: assignments before them persist, errors exit the shell.
const SPECIAL: &[&str] = &[
    ":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set",
    "shift", "times", "trap", "unset", "source", "local",
];

/// Regular builtins of ash that need no file in `PATH`.
const REGULAR: &[&str] = &[
    "true", "false", "echo", "printf", "test", "[", "[[", "pwd", "cd", "umask", "type", "command",
    "read", "wait", "kill", "hash", "alias", "unalias", "ulimit", "let", "getopts", "jobs", "fg",
    "bg",
];

/// `set -o` options ash or bash accept that change nothing in a RUN (no job control,
/// history or editing), kept as one string rather than a `match` of literals.
const ACCEPTED_LONG: &str = "posix verbose noexec monitor vi emacs braceexpand hashall \
    interactive-comments errtrace functrace nolog ignoreeof history histexpand physical \
    keyword notify onecmd privileged";

pub(crate) fn is_builtin(name: &str) -> bool {
    SPECIAL.contains(&name) || REGULAR.contains(&name)
}

/// Quote a word for `set -x` output as ash does (`'a b'`).
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%^".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

impl Shell {
    /// Run an expanded command line: special builtin, function, builtin or program.
    pub fn run_argv(&mut self, argv: Vec<String>, assigns: Vec<(String, String)>, io: Io) -> Res {
        let name = argv[0].clone();
        // Functions first (bash's order, which makes `:(){ :|:& };:` the fork bomb it is).
        if let Some(body) = self.env.funcs.get(&name).cloned() {
            return self.with_temp_vars(assigns, |sh| {
                sh.call_function(&body, argv[1..].to_vec(), io)
            });
        }
        if SPECIAL.contains(&name.as_str()) {
            for (k, v) in assigns {
                if let Err(msg) = self.set_var(&k, v) {
                    self.sh_error(io.err, &msg);
                    return Err(Flow::Exit(2));
                }
            }
            self.spend_us(10)?;
            return self.special(&name, argv, io);
        }
        if REGULAR.contains(&name.as_str()) {
            self.spend_us(10)?;
            return self.with_temp_vars(assigns, |sh| sh.regular(&name, argv, io));
        }
        let mut env = self.env.exported();
        for (k, v) in assigns {
            env.retain(|(n, _)| *n != k);
            env.push((k, v));
        }
        self.run_program(argv, env, io)
    }

    fn with_temp_vars(
        &mut self,
        assigns: Vec<(String, String)>,
        f: impl FnOnce(&mut Shell) -> Res,
    ) -> Res {
        if assigns.is_empty() {
            return f(self);
        }
        let mut saved = Vec::new();
        for (k, v) in assigns {
            saved.push((k.clone(), self.env.vars.get(&k).cloned()));
            let _ = self.set_var(&k, v);
            if let Some(var) = self.env.vars.get_mut(&k) {
                var.exported = true;
            }
        }
        let r = f(self);
        for (k, old) in saved.into_iter().rev() {
            match old {
                Some(v) => {
                    self.env.vars.insert(k, v);
                }
                None => {
                    self.env.vars.remove(&k);
                }
            }
        }
        r
    }

    fn special(&mut self, name: &str, argv: Vec<String>, io: Io) -> Res {
        let args = &argv[1..];
        match name {
            ":" => Ok(0),
            "exit" => {
                let code = match args.first() {
                    None => self.env.status,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) => (n & 0xff) as i32,
                        Err(_) => {
                            self.sh_error(io.err, &format!("exit: Illegal number: {a}"));
                            2
                        }
                    },
                };
                Err(Flow::Exit(code))
            }
            "return" => {
                let code = args
                    .first()
                    .and_then(|a| a.parse::<i64>().ok())
                    .map_or(self.env.status, |n| (n & 0xff) as i32);
                if self.env.in_func == 0 {
                    return Err(Flow::Exit(code));
                }
                Err(Flow::Return(code))
            }
            "break" | "continue" => {
                let n = args
                    .first()
                    .and_then(|a| a.parse::<u32>().ok())
                    .unwrap_or(1)
                    .max(1);
                if self.env.loops == 0 {
                    return Ok(0);
                }
                let n = n.min(self.env.loops);
                Err(if name == "break" {
                    Flow::Break(n)
                } else {
                    Flow::Continue(n)
                })
            }
            "shift" => {
                let n = args
                    .first()
                    .and_then(|a| a.parse::<usize>().ok())
                    .unwrap_or(1);
                if n > self.env.params.len() {
                    self.sh_error(io.err, "shift: can't shift that many");
                    return Ok(1);
                }
                self.env.params.drain(..n);
                Ok(0)
            }
            "export" | "readonly" | "local" => self.declare(name, args, io),
            "unset" => {
                let mut funcs = false;
                let mut status = 0;
                for a in args {
                    match a.as_str() {
                        "-f" => funcs = true,
                        "-v" => funcs = false,
                        _ if funcs => {
                            self.env.funcs.remove(a);
                        }
                        _ => {
                            if self.env.vars.get(a).is_some_and(|v| v.readonly) {
                                self.sh_error(io.err, &format!("unset: {a}: is read only"));
                                status = 1;
                            } else if let Some(v) = self.env.vars.remove(a) {
                                self.release(v.value.len() as u64);
                            } else {
                                self.env.funcs.remove(a);
                            }
                        }
                    }
                }
                Ok(status)
            }
            "set" => self.set_builtin(args, io),
            "eval" => {
                let src = args.join(" ");
                self.eval_string(&src, io)
            }
            "." | "source" => {
                let Some(file) = args.first() else {
                    self.sh_error(io.err, ".: filename argument required");
                    return Ok(2);
                };
                let path = if file.contains('/') {
                    Some(self.abs(file))
                } else {
                    self.find_in_path(file, false).or_else(|| {
                        let p = self.abs(file);
                        self.fs.exists(&p).then_some(p)
                    })
                };
                let src = path.and_then(|p| self.read_bytes(&p).ok());
                let Some(src) = src else {
                    if self.stopped.is_some() {
                        return Err(Flow::Stop);
                    }
                    self.sh_error(
                        io.err,
                        &format!(".: can't open '{file}': No such file or directory"),
                    );
                    return Err(Flow::Exit(2));
                };
                let src = String::from_utf8_lossy(&src).into_owned();
                let saved = (args.len() > 1)
                    .then(|| std::mem::replace(&mut self.env.params, args[1..].to_vec()));
                self.env.in_func += 1;
                let r = self.eval_string(&src, io);
                self.env.in_func -= 1;
                if let Some(p) = saved {
                    self.env.params = p;
                }
                match r {
                    Err(Flow::Return(s)) => Ok(s),
                    other => other,
                }
            }
            "exec" => {
                let mut rest = args.to_vec();
                while rest
                    .first()
                    .is_some_and(|a| a.starts_with('-') && a != "--")
                {
                    rest.remove(0);
                }
                if rest.first().is_some_and(|a| a == "--") {
                    rest.remove(0);
                }
                if rest.is_empty() {
                    return Ok(0);
                }
                let env = self.env.exported();
                let status = self.run_program(rest, env, io)?;
                Err(Flow::Exit(status))
            }
            "trap" => Ok(self.trap(args, io)),
            "times" => Ok(0),
            _ => Ok(0),
        }
    }

    /// `trap [ACTION] CONDITION...`: `EXIT` (or `0`) runs at exit; the simulation
    /// delivers no signals, so other conditions are accepted and never fire. `-` or
    /// a lone condition resets; no arguments (or `-p`) lists the `EXIT` trap.
    fn trap(&mut self, args: &[String], io: Io) -> i32 {
        let args: Vec<&String> = args.iter().filter(|a| *a != "--").collect();
        if args.is_empty() || args[0] == "-p" {
            if let Some(t) = &self.env.exit_trap {
                let line = format!("trap -- {} EXIT\n", quote(t));
                self.write(io.out, line.as_bytes());
            }
            return 0;
        }
        if args[0] == "-l" {
            self.write(
                io.out,
                b" 0) EXIT\n 1) HUP\n 2) INT\n 3) QUIT\n 9) KILL\n15) TERM\n",
            );
            return 0;
        }
        let (action, conds) = if args.len() == 1 || args[0].parse::<u32>().is_ok() {
            (None, &args[..])
        } else {
            let a = args[0].as_str();
            ((a != "-").then(|| a.to_string()), &args[1..])
        };
        let mut status = 0;
        for c in conds {
            let name = c.trim_start_matches("SIG").to_ascii_uppercase();
            match name.as_str() {
                "EXIT" | "0" => self.env.exit_trap = action.clone(),
                "HUP" | "INT" | "QUIT" | "TERM" | "KILL" | "USR1" | "USR2" | "CHLD" | "PIPE"
                | "ALRM" | "ERR" | "DEBUG" | "RETURN" => {}
                _ if name.parse::<u32>().is_ok_and(|n| n < 65) => {}
                _ => {
                    self.sh_error(io.err, &format!("trap: {c}: bad trap"));
                    status = 1;
                }
            }
        }
        status
    }

    /// Parse and run `src` in the current shell (`eval`, `.`).
    pub fn eval_string(&mut self, src: &str, io: Io) -> Res {
        self.enter()?;
        let r = match parser::parse(src) {
            Ok(list) => self.run_list(&list, io),
            Err(e) => {
                self.sh_error(io.err, &e.to_string());
                Err(Flow::Exit(2))
            }
        };
        self.leave();
        r
    }

    fn declare(&mut self, name: &str, args: &[String], io: Io) -> Res {
        let mut status = 0;
        let list = args.iter().all(|a| a.starts_with('-'));
        if list && name != "local" {
            let mut out = String::new();
            for (k, v) in &self.env.vars {
                if (name == "export" && v.exported) || (name == "readonly" && v.readonly) {
                    out.push_str(&format!("{name} {k}={}\n", quote(&v.value)));
                }
            }
            self.write(io.out, out.as_bytes());
            return Ok(0);
        }
        if name == "local" && self.env.in_func == 0 {
            self.sh_error(io.err, "local: not in a function");
            return Ok(2);
        }
        for a in args {
            if a.starts_with('-') {
                continue;
            }
            let (k, v) = match a.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (a.clone(), None),
            };
            if !is_name(&k) {
                self.sh_error(io.err, &format!("{name}: {k}: bad variable name"));
                status = 1;
                continue;
            }
            if name == "local" {
                let old = self.env.vars.get(&k).cloned();
                if let Some(frame) = self.env.locals.last_mut() {
                    if !frame.iter().any(|(n, _)| *n == k) {
                        frame.push((k.clone(), old));
                    }
                }
                if v.is_none() && !self.env.vars.contains_key(&k) {
                    continue;
                }
            }
            if let Some(v) = v {
                if let Err(msg) = self.set_var(&k, v) {
                    self.sh_error(io.err, &msg);
                    return Err(Flow::Exit(2));
                }
            }
            let var = self.env.vars.entry(k).or_insert(Var {
                value: String::new(),
                exported: false,
                readonly: false,
            });
            match name {
                "export" => var.exported = true,
                "readonly" => var.readonly = true,
                _ => {}
            }
        }
        Ok(status)
    }

    fn set_builtin(&mut self, args: &[String], io: Io) -> Res {
        if args.is_empty() {
            let mut out = String::new();
            for (k, v) in &self.env.vars {
                out.push_str(&format!("{k}={}\n", quote(&v.value)));
            }
            self.write(io.out, out.as_bytes());
            return Ok(0);
        }
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                self.env.params = args[i + 1..].to_vec();
                return Ok(0);
            }
            let (on, flags) = match a.chars().next() {
                Some('-') => (true, &a[1..]),
                Some('+') => (false, &a[1..]),
                _ => {
                    self.env.params = args[i..].to_vec();
                    return Ok(0);
                }
            };
            if flags.is_empty() {
                i += 1;
                continue;
            }
            for c in flags.chars() {
                if c == 'o' {
                    i += 1;
                    let Some(opt) = args.get(i) else {
                        let o = self.env.opts;
                        let mut out = String::new();
                        for (n, v) in [
                            ("errexit", o.errexit),
                            ("noglob", o.noglob),
                            ("nounset", o.nounset),
                            ("pipefail", o.pipefail),
                            ("xtrace", o.xtrace),
                        ] {
                            out.push_str(&format!("{n:<16}{}\n", if v { "on" } else { "off" }));
                        }
                        self.write(io.out, out.as_bytes());
                        return Ok(0);
                    };
                    if !self.set_long_option(opt, on) {
                        self.sh_error(io.err, &format!("set: illegal option -o {opt}"));
                        return Err(Flow::Exit(2));
                    }
                } else if !self.set_short_option(c, on) {
                    self.sh_error(io.err, &format!("set: illegal option -{c}"));
                    return Err(Flow::Exit(2));
                }
            }
            i += 1;
        }
        Ok(0)
    }

    pub fn set_short_option(&mut self, c: char, on: bool) -> bool {
        let o = &mut self.env.opts;
        match c {
            'e' => o.errexit = on,
            'u' => o.nounset = on,
            'x' => o.xtrace = on,
            'f' => o.noglob = on,
            'a' => o.allexport = on,
            'C' => o.noclobber = on,
            'v' | 'h' | 'm' | 'b' | 'n' | 'B' | 'H' | 'T' | 'E' | 'P' | 'k' | 't' => {}
            _ => return false,
        }
        true
    }

    pub fn set_long_option(&mut self, name: &str, on: bool) -> bool {
        let o = &mut self.env.opts;
        match name {
            "errexit" => o.errexit = on,
            "nounset" => o.nounset = on,
            "xtrace" => o.xtrace = on,
            "pipefail" => o.pipefail = on,
            "noglob" => o.noglob = on,
            "allexport" => o.allexport = on,
            "noclobber" => o.noclobber = on,
            _ if ACCEPTED_LONG.split(' ').any(|n| n == name) => {}
            _ => return false,
        }
        true
    }

    fn regular(&mut self, name: &str, argv: Vec<String>, io: Io) -> Res {
        match name {
            "cd" => Ok(self.cd(&argv[1..], io)),
            "umask" => {
                match argv.get(1) {
                    None => {
                        let s = format!("{:04o}\n", self.env.umask);
                        self.write(io.out, s.as_bytes());
                    }
                    Some(m) => match u32::from_str_radix(m, 8) {
                        Ok(v) => self.env.umask = v & 0o777,
                        Err(_) => {
                            self.sh_error(io.err, &format!("umask: Illegal mode: {m}"));
                            return Ok(1);
                        }
                    },
                }
                Ok(0)
            }
            "type" | "command" => self.type_builtin(name, &argv[1..], io),
            "read" => Ok(self.read_builtin(&argv[1..], io)),
            "let" => {
                let mut v = 0;
                for a in &argv[1..] {
                    v = self.arith(a, io)?;
                }
                Ok(i32::from(v == 0))
            }
            "wait" | "kill" | "hash" | "alias" | "unalias" | "ulimit" | "jobs" | "fg" | "bg" => {
                Ok(0)
            }
            "getopts" => Ok(self.getopts(&argv[1..], io)),
            _ => {
                let f = commands::lookup(name).unwrap_or(commands::fallback);
                let env = self.env.exported();
                let mut ctx = Ctx::new(self, io, argv, env);
                let status = f(&mut ctx);
                if self.stopped.is_some() {
                    return Err(Flow::Stop);
                }
                Ok(status)
            }
        }
    }

    fn cd(&mut self, args: &[String], io: Io) -> i32 {
        let args: Vec<&String> = args
            .iter()
            .filter(|a| !matches!(a.as_str(), "-P" | "-L"))
            .collect();
        let target = match args.first().map(|s| s.as_str()) {
            None => self.get_var("HOME").unwrap_or_else(|| "/".into()),
            Some("-") => {
                let old = self
                    .get_var("OLDPWD")
                    .unwrap_or_else(|| self.env.cwd.clone());
                self.write(io.out, format!("{old}\n").as_bytes());
                old
            }
            Some(t) => t.to_string(),
        };
        let path = self.abs(&target);
        match self.fs.stat(&path) {
            Ok(s)
                if s.file_type == crate::engine::fs::FileType::Dir
                    && self.check_access(&path, super::perm::EXEC).is_err() =>
            {
                self.sh_error(
                    io.err,
                    &format!("cd: can't cd to {target}: Permission denied"),
                );
                2
            }
            Ok(s) if s.file_type == crate::engine::fs::FileType::Dir => {
                let old = std::mem::replace(&mut self.env.cwd, path.clone());
                let _ = self.set_var("OLDPWD", old);
                let _ = self.set_var("PWD", path);
                0
            }
            Ok(_) => {
                self.sh_error(
                    io.err,
                    &format!("cd: can't cd to {target}: Not a directory"),
                );
                2
            }
            Err(_) => {
                self.sh_error(
                    io.err,
                    &format!("cd: can't cd to {target}: No such file or directory"),
                );
                2
            }
        }
    }

    fn type_builtin(&mut self, name: &str, args: &[String], io: Io) -> Res {
        let mut args = args.to_vec();
        let mut mode = if name == "type" { 'V' } else { 'x' };
        while let Some(a) = args.first().cloned() {
            match a.as_str() {
                "-v" => mode = 'v',
                "-V" => mode = 'V',
                "-p" => {}
                "--" => {
                    args.remove(0);
                    break;
                }
                _ => break,
            }
            args.remove(0);
        }
        if mode == 'x' {
            if args.is_empty() {
                return Ok(0);
            }
            // `command name args`: skip functions.
            let n = args[0].clone();
            if is_builtin(&n) {
                return if SPECIAL.contains(&n.as_str()) {
                    self.special(&n, args, io)
                } else {
                    self.regular(&n, args, io)
                };
            }
            let env = self.env.exported();
            return self.run_program(args, env, io);
        }
        let mut status = 0;
        for a in &args {
            let line = if self.env.funcs.contains_key(a) {
                if mode == 'v' {
                    a.clone()
                } else {
                    format!("{a} is a function")
                }
            } else if is_builtin(a) {
                let special = SPECIAL.contains(&a.as_str());
                if mode == 'v' {
                    a.clone()
                } else if special {
                    format!("{a} is a special shell builtin")
                } else {
                    format!("{a} is a shell builtin")
                }
            } else if let Some(p) = self.find_in_path(a, true) {
                if mode == 'v' {
                    p
                } else {
                    format!("{a} is {p}")
                }
            } else {
                status = 127;
                if mode == 'V' {
                    self.write(io.err, format!("{a}: not found\n").as_bytes());
                }
                continue;
            };
            self.write(io.out, format!("{line}\n").as_bytes());
        }
        Ok(if mode == 'v' && status != 0 {
            1
        } else {
            status
        })
    }

    fn read_builtin(&mut self, args: &[String], io: Io) -> i32 {
        let mut raw = false;
        let mut names = Vec::new();
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-r" => raw = true,
                "-p" | "-t" | "-n" | "-d" | "-u" => i += 1,
                "-s" => {}
                a => names.push(a.to_string()),
            }
            i += 1;
        }
        if names.is_empty() {
            names.push("REPLY".into());
        }
        let Some((bytes, had_nl)) = self.read_line(io.stdin) else {
            for n in &names {
                let _ = self.set_var(n, String::new());
            }
            return 1;
        };
        let mut line = String::from_utf8_lossy(&bytes).into_owned();
        if !raw {
            // Backslash-newline continues the line; other backslashes escape.
            while line.ends_with('\\') {
                line.pop();
                match self.read_line(io.stdin) {
                    Some((more, _)) => line.push_str(&String::from_utf8_lossy(&more)),
                    None => break,
                }
            }
            let mut out = String::new();
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            line = out;
        }
        let ifs = self.get_var("IFS").unwrap_or_else(|| " \t\n".into());
        let ws: Vec<char> = ifs.chars().filter(|c| c.is_whitespace()).collect();
        let mut rest = line.trim_matches(|c| ws.contains(&c)).to_string();
        for (k, n) in names.iter().enumerate() {
            let value = if k + 1 == names.len() {
                std::mem::take(&mut rest)
            } else {
                let end = rest.find(|c| ifs.contains(c)).unwrap_or(rest.len());
                let field = rest[..end].to_string();
                rest = rest[end..]
                    .trim_start_matches(|c| ws.contains(&c))
                    .to_string();
                if let Some(r) = rest.strip_prefix(|c: char| ifs.contains(c) && !c.is_whitespace())
                {
                    rest = r.trim_start_matches(|c| ws.contains(&c)).to_string();
                }
                field
            };
            let _ = self.set_var(n, value);
        }
        i32::from(!had_nl)
    }

    fn getopts(&mut self, args: &[String], io: Io) -> i32 {
        let (Some(spec), Some(var)) = (args.first(), args.get(1)) else {
            self.sh_error(io.err, "getopts: usage: getopts optstring var [arg]");
            return 2;
        };
        let params = if args.len() > 2 {
            args[2..].to_vec()
        } else {
            self.env.params.clone()
        };
        let optind: usize = self
            .get_var("OPTIND")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .max(1);
        let Some(arg) = params.get(optind - 1) else {
            let _ = self.set_var(var, "?".into());
            return 1;
        };
        if !arg.starts_with('-') || arg == "-" || arg == "--" {
            if arg == "--" {
                let _ = self.set_var("OPTIND", (optind + 1).to_string());
            }
            let _ = self.set_var(var, "?".into());
            return 1;
        }
        let c = arg.chars().nth(1).unwrap_or('?');
        let pos = spec.find(c);
        let _ = self.set_var("OPTIND", (optind + 1).to_string());
        match pos {
            Some(p) if spec[p + c.len_utf8()..].starts_with(':') => {
                let value = if arg.chars().count() > 2 {
                    arg.chars().skip(2).collect()
                } else {
                    let _ = self.set_var("OPTIND", (optind + 2).to_string());
                    params.get(optind).cloned().unwrap_or_default()
                };
                let _ = self.set_var("OPTARG", value);
                let _ = self.set_var(var, c.to_string());
            }
            Some(_) => {
                let _ = self.set_var(var, c.to_string());
            }
            None => {
                self.sh_error(io.err, &format!("illegal option -{c}"));
                let _ = self.set_var(var, "?".into());
            }
        }
        0
    }
}
