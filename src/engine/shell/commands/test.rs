//! `test`, `[` and bash's `[[` (XCU `test`: unary file tests, string and integer
//! comparisons, `!`, `-a`, `-o`, parentheses).

use super::Ctx;
use crate::engine::fs::FileType;
use crate::engine::shell::glob;

struct T<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    args: Vec<String>,
    pos: usize,
    bash: bool,
    depth: usize,
}

/// Exit 0 (true), 1 (false) or 2 (usage error).
pub(crate) fn test(ctx: &mut Ctx<'_>) -> i32 {
    let name = ctx.name();
    let mut args = ctx.args();
    if name == "[" || name == "[[" {
        let close = if name == "[" { "]" } else { "]]" };
        if args.last().map(String::as_str) != Some(close) {
            ctx.err(format!("{name}: missing {close}\n"));
            return 2;
        }
        args.pop();
    }
    if args.is_empty() {
        return 1;
    }
    let mut t = T {
        ctx,
        args,
        pos: 0,
        bash: name == "[[",
        depth: 0,
    };
    match t.or() {
        Ok(v) if t.pos == t.args.len() => i32::from(!v),
        Ok(_) => {
            let extra = t.args[t.pos].clone();
            t.ctx.err(format!("{name}: {extra}: unexpected operator\n"));
            2
        }
        Err(msg) => {
            t.ctx.err(format!("{name}: {msg}\n"));
            2
        }
    }
}

const UNARY: &[&str] = &[
    "-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-n", "-z", "-b", "-c", "-p", "-S", "-g",
    "-u", "-k", "-t", "-O", "-G",
];
const BINARY: &[&str] = &[
    "=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "<", ">", "=~",
];

impl T<'_, '_> {
    fn peek(&self) -> Option<&str> {
        self.args.get(self.pos).map(String::as_str)
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while matches!(self.peek(), Some("-o" | "||")) {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.not()?;
        while matches!(self.peek(), Some("-a" | "&&")) {
            self.pos += 1;
            let r = self.not()?;
            v = v && r;
        }
        Ok(v)
    }

    fn not(&mut self) -> Result<bool, String> {
        self.depth += 1;
        if self.depth > 200 {
            return Err("expression too complex".into());
        }
        let remaining = self.args.len() - self.pos;
        let r = if self.peek() == Some("!") && remaining > 1 {
            self.pos += 1;
            self.not().map(|v| !v)
        } else {
            self.primary()
        };
        self.depth -= 1;
        r
    }

    fn primary(&mut self) -> Result<bool, String> {
        let Some(a) = self.peek().map(str::to_string) else {
            return Err("argument expected".into());
        };
        let remaining = self.args.len() - self.pos;
        // A binary operator in second position wins (`[ -n = x ]`, `[ "(" = "(" ]`).
        if remaining >= 3 && BINARY.contains(&self.args[self.pos + 1].as_str()) {
            let op = self.args[self.pos + 1].clone();
            let b = self.args[self.pos + 2].clone();
            self.pos += 3;
            return self.binary(&a, &op, &b);
        }
        if a == "(" && remaining >= 2 {
            self.pos += 1;
            let v = self.or()?;
            if self.peek() != Some(")") {
                return Err("missing )".into());
            }
            self.pos += 1;
            return Ok(v);
        }
        if UNARY.contains(&a.as_str()) && remaining >= 2 {
            let b = self.args[self.pos + 1].clone();
            self.pos += 2;
            return Ok(self.unary(&a, &b));
        }
        self.pos += 1;
        Ok(!a.is_empty())
    }

    fn int(&self, s: &str) -> Result<i64, String> {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("{s}: bad number"))
    }

    fn binary(&mut self, a: &str, op: &str, b: &str) -> Result<bool, String> {
        Ok(match op {
            "=" | "==" if self.bash => glob::matches(b, a),
            "!=" if self.bash => !glob::matches(b, a),
            "=" | "==" => a == b,
            "!=" => a != b,
            "<" => a < b,
            ">" => a > b,
            "=~" => crate::engine::shell::regex::Regex::new(b, true)
                .map(|r| r.is_match(a))
                .unwrap_or(false),
            "-eq" => self.int(a)? == self.int(b)?,
            "-ne" => self.int(a)? != self.int(b)?,
            "-lt" => self.int(a)? < self.int(b)?,
            "-le" => self.int(a)? <= self.int(b)?,
            "-gt" => self.int(a)? > self.int(b)?,
            "-ge" => self.int(a)? >= self.int(b)?,
            "-nt" | "-ot" | "-ef" => {
                let fs = &self.ctx.sh.fs;
                let sa = fs.stat(&self.ctx.path(a));
                let sb = fs.stat(&self.ctx.path(b));
                match (sa, sb) {
                    (Ok(x), Ok(y)) => match op {
                        "-nt" => x.meta.mtime > y.meta.mtime,
                        "-ot" => x.meta.mtime < y.meta.mtime,
                        _ => x.ino == y.ino,
                    },
                    (Ok(_), Err(_)) => op == "-nt",
                    (Err(_), Ok(_)) => op == "-ot",
                    _ => false,
                }
            }
            _ => return Err(format!("{op}: unknown operand")),
        })
    }

    fn unary(&mut self, op: &str, arg: &str) -> bool {
        match op {
            "-n" => return !arg.is_empty(),
            "-z" => return arg.is_empty(),
            "-t" => return false,
            _ => {}
        }
        let path = self.ctx.path(arg);
        if arg.is_empty() {
            return false;
        }
        let fs = &self.ctx.sh.fs;
        if matches!(op, "-L" | "-h") {
            return fs
                .lstat(&path)
                .is_ok_and(|s| s.file_type == FileType::Symlink);
        }
        let Ok(s) = fs.stat(&path) else { return false };
        let uid = self.ctx.sh.uid;
        let gid = self.ctx.sh.gid;
        let mode = s.meta.mode;
        let perm = |bit: u32| -> bool {
            if uid == 0 {
                return bit != 0o1 || mode & 0o111 != 0 || s.file_type == FileType::Dir;
            }
            let shift = if s.meta.uid == uid {
                6
            } else if s.meta.gid == gid {
                3
            } else {
                0
            };
            mode & (bit << shift) != 0
        };
        match op {
            "-e" => true,
            "-f" => s.file_type == FileType::File,
            "-d" => s.file_type == FileType::Dir,
            "-s" => s.size > 0,
            "-b" => s.file_type == FileType::BlockDevice,
            "-c" => s.file_type == FileType::CharDevice,
            "-p" => s.file_type == FileType::Fifo,
            "-S" => false,
            "-g" => mode & 0o2000 != 0,
            "-u" => mode & 0o4000 != 0,
            "-k" => mode & 0o1000 != 0,
            "-r" => perm(0o4),
            "-w" => perm(0o2),
            "-x" => perm(0o1),
            "-O" => s.meta.uid == uid,
            "-G" => s.meta.gid == gid,
            _ => false,
        }
    }
}
