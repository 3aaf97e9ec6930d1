//! Arithmetic expansion `$((...))` (XCU 2.6.4): signed 64-bit integers with C's
//! operators and precedence, wrapping on overflow as dash and ash do.

/// Variables seen by an arithmetic expression.
pub trait ArithVars {
    fn get(&self, name: &str) -> Option<String>;
    fn set(&mut self, name: &str, value: i64) -> Result<(), String>;
}

const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "<<=", ">>=", "**", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "&=", "^=", "|=", "+", "-", "*", "/", "%", "<", ">", "=", "!", "~", "&", "^",
    "|", "?", ":", "(", ")",
];

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '#') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(parse_number(&text).ok_or_else(|| syntax(s))?));
        } else if c == '_' || c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i] == '_' || chars[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            out.push(Tok::Name(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let op = OPS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| syntax(s))?;
            out.push(Tok::Op(op));
            i += op.len();
        }
    }
    Ok(out)
}

fn syntax(s: &str) -> String {
    format!("arithmetic syntax error: \"{}\"", s.trim())
}

/// A shell integer constant: decimal, `0x` hex, leading-`0` octal or `base#digits`.
pub fn parse_number(t: &str) -> Option<i64> {
    let t = t.trim();
    if let Some((base, digits)) = t.split_once('#') {
        let b: u32 = base.parse().ok()?;
        if !(2..=36).contains(&b) {
            return None;
        }
        return i64::from_str_radix(digits, b).ok();
    }
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok().map(|v| v as i64);
    }
    if t.len() > 1 && t.starts_with('0') {
        return u64::from_str_radix(&t[1..], 8).ok().map(|v| v as i64);
    }
    t.parse::<u64>().ok().map(|v| v as i64)
}

/// Evaluate `expr`; errors carry the message `sh` prints after its name.
pub fn eval(expr: &str, vars: &mut dyn ArithVars) -> Result<i64, String> {
    let toks = lex(expr)?;
    if toks.is_empty() {
        return Ok(0);
    }
    let mut p = P {
        toks,
        pos: 0,
        vars,
        src: expr,
        depth: 0,
    };
    let v = p.assign(true)?;
    if p.pos != p.toks.len() {
        return Err(syntax(expr));
    }
    Ok(v)
}

struct P<'a> {
    toks: Vec<Tok>,
    pos: usize,
    vars: &'a mut dyn ArithVars,
    src: &'a str,
    depth: usize,
}

impl P<'_> {
    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(o)) => Some(o),
            _ => None,
        }
    }

    fn err(&self) -> String {
        syntax(self.src)
    }

    fn var(&mut self, name: &str) -> Result<i64, String> {
        match self.vars.get(name) {
            None => Ok(0),
            Some(v) if v.trim().is_empty() => Ok(0),
            Some(v) => {
                if let Some(n) = parse_number(&v) {
                    return Ok(n);
                }
                if let Some(n) = v.trim().strip_prefix('-').and_then(parse_number) {
                    return Ok(n.wrapping_neg());
                }
                if self.depth > MAX_DEPTH {
                    return Err(self.err());
                }
                self.depth += 1;
                let r = eval(&v, self.vars);
                self.depth -= 1;
                r
            }
        }
    }

    fn assign(&mut self, ev: bool) -> Result<i64, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err());
        }
        let r = self.assign_inner(ev);
        self.depth -= 1;
        r
    }

    fn assign_inner(&mut self, ev: bool) -> Result<i64, String> {
        if let (Some(Tok::Name(n)), Some(Tok::Op(op))) = (
            self.toks.get(self.pos).cloned(),
            self.toks.get(self.pos + 1).cloned(),
        ) {
            if op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">=") {
                self.pos += 2;
                let rhs = self.assign(ev)?;
                if !ev {
                    return Ok(0);
                }
                let cur = if op == "=" { 0 } else { self.var(&n)? };
                let v = binop(&op[..op.len() - 1], cur, rhs).map_err(|e| e.to_string())?;
                let v = if op == "=" { rhs } else { v };
                self.vars.set(&n, v)?;
                return Ok(v);
            }
        }
        self.ternary(ev)
    }

    fn ternary(&mut self, ev: bool) -> Result<i64, String> {
        let c = self.binary(0, ev)?;
        if self.peek_op() == Some("?") {
            self.pos += 1;
            let a = self.assign(ev && c != 0)?;
            if self.peek_op() != Some(":") {
                return Err(self.err());
            }
            self.pos += 1;
            let b = self.assign(ev && c == 0)?;
            return Ok(if c != 0 { a } else { b });
        }
        Ok(c)
    }

    fn binary(&mut self, min: u8, ev: bool) -> Result<i64, String> {
        let mut lhs = self.unary(ev)?;
        while let Some(op) = self.peek_op() {
            let Some(prec) = precedence(op) else { break };
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs_ev = match op {
                "&&" => ev && lhs != 0,
                "||" => ev && lhs == 0,
                _ => ev,
            };
            let rhs = self.binary(prec + 1, rhs_ev)?;
            lhs = match op {
                "&&" => i64::from(lhs != 0 && rhs != 0),
                "||" => i64::from(lhs != 0 || rhs != 0),
                _ if !ev => 0,
                _ => binop(op, lhs, rhs).map_err(|e| e.to_string())?,
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self, ev: bool) -> Result<i64, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err());
        }
        let r = self.unary_inner(ev);
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self, ev: bool) -> Result<i64, String> {
        let tok = self.toks.get(self.pos).cloned().ok_or_else(|| self.err())?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(n),
            Tok::Name(n) => {
                let v = if ev { self.var(&n)? } else { 0 };
                if let Some(op @ ("++" | "--")) = self.peek_op() {
                    self.pos += 1;
                    if ev {
                        let nv = if op == "++" {
                            v.wrapping_add(1)
                        } else {
                            v.wrapping_sub(1)
                        };
                        self.vars.set(&n, nv)?;
                    }
                }
                Ok(v)
            }
            Tok::Op("(") => {
                let v = self.assign(ev)?;
                if self.peek_op() != Some(")") {
                    return Err(self.err());
                }
                self.pos += 1;
                Ok(v)
            }
            Tok::Op(op @ ("++" | "--")) => {
                let Some(Tok::Name(n)) = self.toks.get(self.pos).cloned() else {
                    return Err(self.err());
                };
                self.pos += 1;
                if !ev {
                    return Ok(0);
                }
                let v = self.var(&n)?;
                let nv = if op == "++" {
                    v.wrapping_add(1)
                } else {
                    v.wrapping_sub(1)
                };
                self.vars.set(&n, nv)?;
                Ok(nv)
            }
            Tok::Op("-") => Ok(self.unary(ev)?.wrapping_neg()),
            Tok::Op("+") => self.unary(ev),
            Tok::Op("!") => Ok(i64::from(self.unary(ev)? == 0)),
            Tok::Op("~") => Ok(!self.unary(ev)?),
            Tok::Op(_) => Err(self.err()),
        }
    }
}

fn precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" => 6,
        "<" | ">" | "<=" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        "**" => 11,
        _ => return None,
    })
}

fn binop(op: &str, a: i64, b: i64) -> Result<i64, &'static str> {
    Ok(match op {
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" | "%" if b == 0 => return Err("division by zero"),
        "/" => a.wrapping_div(b),
        "%" => a.wrapping_rem(b),
        "**" => {
            if b < 0 {
                return Err("exponent less than 0");
            }
            a.wrapping_pow(u32::try_from(b).unwrap_or(u32::MAX))
        }
        "<<" => a.wrapping_shl((b & 63) as u32),
        ">>" => a.wrapping_shr((b & 63) as u32),
        "<" => i64::from(a < b),
        ">" => i64::from(a > b),
        "<=" => i64::from(a <= b),
        ">=" => i64::from(a >= b),
        "==" => i64::from(a == b),
        "!=" => i64::from(a != b),
        "&" => a & b,
        "^" => a ^ b,
        "|" => a | b,
        _ => return Err("arithmetic syntax error"),
    })
}
