//! A recursive-descent parser for POSIX `sh` (XCU 2.10) with the bash extensions
//! Dockerfiles commonly use (`$'...'`, `&>`, `<<<`, `function f`, `${v/p/r}`, `${v:o:l}`).
//!
//! Shell tokenisation depends on context (reserved words only at command position,
//! here-document bodies after the next newline), so lexing and parsing are one pass over
//! the characters. Errors use BusyBox ash's wording, which is what `/bin/sh` prints in
//! alpine and busybox images: `syntax error: unexpected "fi"`.

use super::ast::{literal, AndOr, CmdKind, Command, Item, List, Param, ParamOp, Part, Pipeline};
use super::ast::{Redir, RedirOp, Word};
use std::cell::RefCell;
use std::rc::Rc;

/// Deepest nesting of compound commands, substitutions and `${...}` the parser accepts;
/// bounded so hostile input cannot overflow the stack.
const MAX_NESTING: usize = 100;

/// A syntax error; `Display` is the text after `sh: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error: {0}")]
pub struct SyntaxError(pub String);

type PResult<T> = Result<T, SyntaxError>;

struct PendingHeredoc {
    delim: String,
    strip_tabs: bool,
    quoted: bool,
    body: Rc<RefCell<Word>>,
}

pub struct Parser {
    src: Vec<char>,
    pos: usize,
    line: usize,
    depth: usize,
    pending: Vec<PendingHeredoc>,
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "{", "}", "!",
];

/// Parse a whole script.
pub fn parse(src: &str) -> PResult<List> {
    parse_nested(src, 0)
}

fn parse_nested(src: &str, depth: usize) -> PResult<List> {
    let mut p = Parser {
        src: src.chars().collect(),
        pos: 0,
        line: 1,
        depth,
        pending: Vec::new(),
    };
    let list = p.list(&[])?;
    p.skip_space();
    if let Some(tok) = p.peek_token() {
        return Err(unexpected(&tok));
    }
    p.read_heredocs()?;
    Ok(list)
}

fn unexpected(tok: &str) -> SyntaxError {
    if tok == "\n" {
        SyntaxError("unexpected newline".into())
    } else {
        SyntaxError(format!("unexpected \"{tok}\""))
    }
}

fn eof_expecting(what: &str) -> SyntaxError {
    SyntaxError(format!("unexpected end of file (expecting \"{what}\")"))
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')'
    )
}

pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src.get(self.pos + n).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(SyntaxError("nesting too deep".into()));
        }
        Ok(())
    }

    /// Skip blanks, line continuations and a comment (not the newline).
    fn skip_space(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => self.pos += 1,
                Some('\\') if self.peek_at(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                Some('#') => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn newline(&mut self) -> PResult<bool> {
        self.skip_space();
        if self.peek() == Some('\n') {
            self.bump();
            self.read_heredocs()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn linebreak(&mut self) -> PResult<()> {
        while self.newline()? {}
        Ok(())
    }

    /// The next token's text, without consuming it (operators or a plain word).
    fn peek_token(&self) -> Option<String> {
        let c = self.peek()?;
        for op in [";;", "&&", "||", ">>", "<<", "<&", ">&", "<>", ">|"] {
            if self.starts_with(op) {
                return Some(op.to_string());
            }
        }
        if is_meta(c) {
            return Some(c.to_string());
        }
        let mut s = String::new();
        let mut i = self.pos;
        while let Some(&c) = self.src.get(i) {
            if is_meta(c) {
                break;
            }
            s.push(c);
            i += 1;
        }
        Some(s)
    }

    /// The reserved word at the current position, if any (only plain words qualify).
    fn peek_reserved(&self) -> Option<&'static str> {
        let mut i = self.pos;
        let mut s = String::new();
        while let Some(&c) = self.src.get(i) {
            if is_meta(c) {
                break;
            }
            if matches!(c, '\'' | '"' | '\\' | '$' | '`') || s.len() > 6 {
                return None;
            }
            s.push(c);
            i += 1;
        }
        RESERVED.iter().copied().find(|r| *r == s)
    }

    fn eat_reserved(&mut self, word: &str) -> bool {
        self.skip_space();
        if self.peek_reserved() == Some(word) {
            self.pos += word.chars().count();
            true
        } else {
            false
        }
    }

    fn expect_reserved(&mut self, word: &str) -> PResult<()> {
        if self.eat_reserved(word) {
            return Ok(());
        }
        match self.peek_token() {
            None => Err(eof_expecting(word)),
            Some(t) => Err(unexpected(&t)),
        }
    }

    fn eat_op(&mut self, op: &str) -> bool {
        self.skip_space();
        if self.starts_with(op) {
            self.pos += op.len();
            true
        } else {
            false
        }
    }

    /// A compound list, stopping before any of `stops` (reserved words), `)`, `;;` or EOF.
    fn list(&mut self, stops: &[&str]) -> PResult<List> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.linebreak()?;
            self.skip_space();
            match self.peek() {
                None | Some(')') => break,
                Some(';') if self.peek_at(1) == Some(';') => break,
                _ => {}
            }
            if let Some(r) = self.peek_reserved() {
                if stops.contains(&r) {
                    break;
                }
                if matches!(
                    r,
                    "then" | "else" | "elif" | "fi" | "do" | "done" | "esac" | "}" | "in"
                ) {
                    return Err(unexpected(r));
                }
            }
            let mut item = self.and_or()?;
            self.skip_space();
            if self.peek() == Some('&') && self.peek_at(1) != Some('&') {
                self.pos += 1;
                item.background = true;
                items.push(item);
                continue;
            }
            items.push(item);
            if self.peek() == Some(';') && self.peek_at(1) != Some(';') {
                self.pos += 1;
                continue;
            }
            if self.peek() == Some('\n') {
                continue;
            }
            break;
        }
        self.depth -= 1;
        Ok(items)
    }

    fn and_or(&mut self) -> PResult<Item> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let op = if self.eat_op("&&") {
                AndOr::And
            } else if self.eat_op("||") {
                AndOr::Or
            } else {
                break;
            };
            self.linebreak()?;
            rest.push((op, self.pipeline()?));
        }
        Ok(Item {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> PResult<Pipeline> {
        let mut bang = false;
        while self.eat_reserved("!") {
            bang = !bang;
        }
        let mut cmds = vec![self.command()?];
        loop {
            self.skip_space();
            if self.peek() == Some('|') && self.peek_at(1) != Some('|') {
                self.pos += 1;
                self.linebreak()?;
                cmds.push(self.command()?);
            } else {
                break;
            }
        }
        Ok(Pipeline { bang, cmds })
    }

    fn command(&mut self) -> PResult<Command> {
        self.skip_space();
        let line = self.line;
        let kind = match self.peek_reserved() {
            Some("if") => Some(self.if_clause()?),
            Some("while") => Some(self.loop_clause(false)?),
            Some("until") => Some(self.loop_clause(true)?),
            Some("for") => Some(self.for_clause()?),
            Some("case") => Some(self.case_clause()?),
            Some("{") => {
                self.pos += 1;
                let body = self.list(&["}"])?;
                self.expect_reserved("}")?;
                Some(CmdKind::Group(body))
            }
            Some(r @ ("then" | "else" | "elif" | "fi" | "do" | "done" | "esac" | "}" | "in")) => {
                return Err(unexpected(r))
            }
            _ => None,
        };
        let kind = match kind {
            Some(k) => k,
            None if self.peek() == Some('(') => {
                self.pos += 1;
                let body = self.list(&[])?;
                if !self.eat_op(")") {
                    return Err(match self.peek_token() {
                        None => eof_expecting(")"),
                        Some(t) => unexpected(&t),
                    });
                }
                CmdKind::Subshell(body)
            }
            None => return self.simple_or_function(line),
        };
        let mut redirs = Vec::new();
        while let Some(r) = self.redirection()? {
            redirs.push(r);
        }
        Ok(Command { kind, redirs, line })
    }

    fn if_clause(&mut self) -> PResult<CmdKind> {
        self.expect_reserved("if")?;
        let mut arms = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.list(&["then"])?;
            self.expect_reserved("then")?;
            let body = self.list(&["elif", "else", "fi"])?;
            arms.push((cond, body));
            if self.eat_reserved("elif") {
                continue;
            }
            if self.eat_reserved("else") {
                otherwise = Some(self.list(&["fi"])?);
            }
            self.expect_reserved("fi")?;
            break;
        }
        Ok(CmdKind::If { arms, otherwise })
    }

    fn do_group(&mut self) -> PResult<List> {
        self.linebreak()?;
        self.expect_reserved("do")?;
        let body = self.list(&["done"])?;
        self.expect_reserved("done")?;
        Ok(body)
    }

    fn loop_clause(&mut self, until: bool) -> PResult<CmdKind> {
        // `while` and `until` are both five characters.
        let _ = until;
        self.pos += 5;
        let cond = self.list(&["do"])?;
        let body = self.do_group()?;
        Ok(CmdKind::Loop { until, cond, body })
    }

    fn for_clause(&mut self) -> PResult<CmdKind> {
        self.pos += 3;
        self.skip_space();
        let var = self.word()?.and_then(|w| literal(&w)).unwrap_or_default();
        if !is_name(&var) {
            return Err(SyntaxError("bad for loop variable".into()));
        }
        self.skip_space();
        let mut items = None;
        // `for v in a b c; do`, `for v; do`, `for v do`, with newlines allowed before `in`.
        let save = (self.pos, self.line);
        self.linebreak()?;
        if self.eat_reserved("in") {
            let mut ws = Vec::new();
            loop {
                self.skip_space();
                match self.peek() {
                    None | Some(';' | '\n') => break,
                    _ => {}
                }
                match self.word()? {
                    Some(w) => ws.push(w),
                    None => return Err(unexpected(&self.peek_token().unwrap_or_default())),
                }
            }
            items = Some(ws);
            self.eat_op(";");
        } else if self.pos == save.0 {
            self.eat_op(";");
        }
        let body = self.do_group()?;
        Ok(CmdKind::For { var, items, body })
    }

    fn case_clause(&mut self) -> PResult<CmdKind> {
        self.pos += 4;
        self.skip_space();
        let word = match self.word()? {
            Some(w) => w,
            None => return Err(unexpected(&self.peek_token().unwrap_or_default())),
        };
        self.linebreak()?;
        self.expect_reserved("in")?;
        let mut arms = Vec::new();
        loop {
            self.linebreak()?;
            if self.eat_reserved("esac") {
                break;
            }
            self.skip_space();
            if self.peek().is_none() {
                return Err(eof_expecting("esac"));
            }
            self.eat_op("(");
            let mut pats = Vec::new();
            loop {
                self.skip_space();
                match self.word()? {
                    Some(w) => pats.push(w),
                    None => return Err(unexpected(&self.peek_token().unwrap_or_default())),
                }
                self.skip_space();
                if self.peek() == Some('|') {
                    self.pos += 1;
                    continue;
                }
                break;
            }
            if !self.eat_op(")") {
                return Err(match self.peek_token() {
                    None => eof_expecting(")"),
                    Some(t) => unexpected(&t),
                });
            }
            let body = self.list(&["esac"])?;
            arms.push((pats, body));
            self.skip_space();
            if self.eat_op(";;") || self.eat_op(";&") {
                continue;
            }
            self.linebreak()?;
            self.expect_reserved("esac")?;
            break;
        }
        Ok(CmdKind::Case { word, arms })
    }

    fn simple_or_function(&mut self, line: usize) -> PResult<Command> {
        let mut assigns = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut redirs = Vec::new();
        loop {
            self.skip_space();
            if let Some(r) = self.redirection()? {
                redirs.push(r);
                continue;
            }
            let start = self.pos;
            let Some(w) = self.word()? else { break };
            if words.is_empty() {
                if let Some((name, value)) = split_assignment(&w) {
                    assigns.push((name, value));
                    continue;
                }
                let lit = literal(&w);
                // `name() compound` and bash's `function name [()] compound`.
                if assigns.is_empty() && redirs.is_empty() {
                    if lit.as_deref() == Some("function") {
                        self.skip_space();
                        if let Some(name) = self.word()?.and_then(|w| literal(&w)) {
                            self.skip_space();
                            if self.starts_with("()") {
                                self.pos += 2;
                            } else if self.eat_op("(") && !self.eat_op(")") {
                                return Err(unexpected("("));
                            }
                            return self.function_body(name, line);
                        }
                    }
                    self.skip_space();
                    if self.peek() == Some('(') {
                        let name = lit.unwrap_or_default();
                        self.pos += 1;
                        if !self.eat_op(")") || !is_func_name(&name) {
                            return Err(unexpected("("));
                        }
                        return self.function_body(name, line);
                    }
                }
                // `[[ ... ]]`: read words up to `]]`, with operators as plain words.
                if lit.as_deref() == Some("[[") && assigns.is_empty() {
                    words.push(w);
                    self.double_bracket(&mut words)?;
                    continue;
                }
                let _ = start;
            }
            words.push(w);
        }
        if words.is_empty() && assigns.is_empty() && redirs.is_empty() {
            return Err(match self.peek_token() {
                None => SyntaxError("unexpected end of file".into()),
                Some(t) => unexpected(&t),
            });
        }
        Ok(Command {
            kind: CmdKind::Simple { assigns, words },
            redirs,
            line,
        })
    }

    fn double_bracket(&mut self, words: &mut Vec<Word>) -> PResult<()> {
        loop {
            self.skip_space();
            let op = ["&&", "||", "(", ")", "<", ">", "!"]
                .into_iter()
                .find(|op| self.starts_with(op));
            if let Some(op) = op {
                self.pos += op.len();
                words.push(vec![Part::Quoted(op.to_string())]);
                continue;
            }
            match self.word()? {
                Some(w) => {
                    let end = literal(&w).as_deref() == Some("]]");
                    words.push(w);
                    if end {
                        return Ok(());
                    }
                }
                None => return Err(eof_expecting("]]")),
            }
        }
    }

    fn function_body(&mut self, name: String, line: usize) -> PResult<Command> {
        self.linebreak()?;
        let body = self.command()?;
        if matches!(body.kind, CmdKind::Simple { .. }) {
            return Err(unexpected(
                &self.peek_token().unwrap_or_else(|| "end of file".into()),
            ));
        }
        Ok(Command {
            kind: CmdKind::FuncDef {
                name,
                body: Rc::new(body),
            },
            redirs: Vec::new(),
            line,
        })
    }

    fn redirection(&mut self) -> PResult<Option<Redir>> {
        self.skip_space();
        let start = (self.pos, self.line);
        let mut fd = None;
        let mut digits = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            digits.push(c);
            self.pos += 1;
        }
        if !digits.is_empty() {
            if !matches!(self.peek(), Some('<' | '>')) {
                (self.pos, self.line) = start;
                return Ok(None);
            }
            fd = Some(digits.parse::<u32>().unwrap_or(u32::MAX));
        }
        let ops: [(&str, RedirOp); 12] = [
            ("&>>", RedirOp::AppendErr),
            ("&>", RedirOp::OutErr),
            ("<<<", RedirOp::HereString),
            ("<<-", RedirOp::HereDoc),
            ("<<", RedirOp::HereDoc),
            (">>", RedirOp::Append),
            (">&", RedirOp::Dup),
            ("<&", RedirOp::Dup),
            ("<>", RedirOp::ReadWrite),
            (">|", RedirOp::Out),
            (">", RedirOp::Out),
            ("<", RedirOp::In),
        ];
        let Some((text, op)) = ops.into_iter().find(|(t, _)| self.starts_with(t)) else {
            (self.pos, self.line) = start;
            return Ok(None);
        };
        if fd.is_some() && text.starts_with('&') {
            (self.pos, self.line) = start;
            return Ok(None);
        }
        self.pos += text.len();
        let fd = fd.or(match op {
            RedirOp::In | RedirOp::ReadWrite | RedirOp::HereDoc | RedirOp::HereString => Some(0),
            RedirOp::Dup if text == "<&" => Some(0),
            RedirOp::OutErr | RedirOp::AppendErr => None,
            _ => Some(1),
        });
        self.skip_space();
        let Some(target) = self.word()? else {
            return Err(match self.peek_token() {
                None => SyntaxError("unexpected end of file".into()),
                Some(t) => unexpected(&t),
            });
        };
        let mut heredoc = None;
        if op == RedirOp::HereDoc {
            let body = Rc::new(RefCell::new(Vec::new()));
            let quoted = target.iter().any(|p| !matches!(p, Part::Lit(_)));
            self.pending.push(PendingHeredoc {
                delim: unquoted_text(&target),
                strip_tabs: text == "<<-",
                quoted,
                body: body.clone(),
            });
            heredoc = Some(body);
        }
        Ok(Some(Redir {
            fd,
            op,
            target,
            heredoc,
        }))
    }

    /// Read the bodies of pending here-documents, starting at the current position
    /// (just after a newline).
    fn read_heredocs(&mut self) -> PResult<()> {
        let pending = std::mem::take(&mut self.pending);
        for h in pending {
            let mut body = String::new();
            loop {
                if self.peek().is_none() {
                    break;
                }
                let mut line = String::new();
                while let Some(c) = self.bump() {
                    if c == '\n' {
                        break;
                    }
                    line.push(c);
                }
                let check = if h.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line.as_str()
                };
                if check == h.delim || check.trim_end_matches('\r') == h.delim {
                    break;
                }
                body.push_str(check);
                body.push('\n');
            }
            let word = if h.quoted {
                vec![Part::Quoted(body)]
            } else {
                let mut sub = Parser {
                    src: body.chars().collect(),
                    pos: 0,
                    line: 1,
                    depth: self.depth,
                    pending: Vec::new(),
                };
                sub.dq_parts(None)?
            };
            *h.body.borrow_mut() = word;
        }
        Ok(())
    }

    /// One word at the current position, or `None` at an operator, newline or EOF.
    pub(crate) fn word(&mut self) -> PResult<Option<Word>> {
        let mut parts: Word = Vec::new();
        let mut lit = String::new();
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_meta(c) {
                break;
            }
            match c {
                '\\' => {
                    self.bump();
                    match self.bump() {
                        Some('\n') => {}
                        Some(e) => {
                            flush(&mut parts, &mut lit);
                            parts.push(Part::Quoted(e.to_string()));
                        }
                        None => lit.push('\\'),
                    }
                }
                '$' if self.peek_at(1) == Some('\'') => {
                    self.pos += 2;
                    flush(&mut parts, &mut lit);
                    parts.push(Part::Quoted(self.ansi_c()?));
                }
                _ => self.text(c, true, &mut parts, &mut lit)?,
            }
        }
        flush(&mut parts, &mut lit);
        if self.pos == start {
            return Ok(None);
        }
        Ok(Some(parts))
    }

    fn single_quoted(&mut self) -> PResult<String> {
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('\'') => return Ok(s),
                Some(c) => s.push(c),
                None => return Err(SyntaxError("unterminated quoted string".into())),
            }
        }
    }

    fn ansi_c(&mut self) -> PResult<String> {
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('\'') => return Ok(s),
                Some('\\') => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some('r') => s.push('\r'),
                    Some('e') => s.push('\u{1b}'),
                    Some('a') => s.push('\u{7}'),
                    Some('0') => s.push('\0'),
                    Some('x') => {
                        let mut v = 0u32;
                        for _ in 0..2 {
                            match self.peek().and_then(|c| c.to_digit(16)) {
                                Some(d) => {
                                    v = v * 16 + d;
                                    self.pos += 1;
                                }
                                None => break,
                            }
                        }
                        s.push(char::from_u32(v).unwrap_or('?'));
                    }
                    Some(c) => s.push(c),
                    None => return Err(SyntaxError("unterminated quoted string".into())),
                },
                Some(c) => s.push(c),
                None => return Err(SyntaxError("unterminated quoted string".into())),
            }
        }
    }

    /// Parts of a double-quoted string up to `end` (`None`: to EOF, with `"` literal,
    /// as in a here-document body).
    fn dq_parts(&mut self, end: Option<char>) -> PResult<Vec<Part>> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek() else {
                if end.is_some() {
                    return Err(SyntaxError("unterminated quoted string".into()));
                }
                break;
            };
            if Some(c) == end {
                self.bump();
                break;
            }
            match c {
                '\\' => {
                    self.bump();
                    match self.peek() {
                        Some('\n') => {
                            self.bump();
                        }
                        Some(e @ ('$' | '`' | '\\')) => {
                            self.bump();
                            lit.push(e);
                        }
                        Some('"') if end.is_some() => {
                            self.bump();
                            lit.push('"');
                        }
                        _ => lit.push('\\'),
                    }
                }
                _ => self.text(c, false, &mut parts, &mut lit)?,
            }
        }
        flush(&mut parts, &mut lit);
        Ok(parts)
    }

    /// One piece of word text at `c` (the current character), shared by unquoted words,
    /// `${name<op>word}` operands and double-quoted text: POSIX 2.3 recognises `$` and
    /// backquote expansions alike in all three, while quotes only open inside the first
    /// two (`quotes`); anything else is literal.
    fn text(&mut self, c: char, quotes: bool, parts: &mut Word, lit: &mut String) -> PResult<()> {
        self.bump();
        let part = match c {
            '\'' if quotes => Part::Quoted(self.single_quoted()?),
            '"' if quotes => Part::Double(self.dq_parts(Some('"'))?),
            '`' => self.backquote()?,
            '$' => match self.dollar()? {
                Some(p) => p,
                None => {
                    lit.push('$');
                    return Ok(());
                }
            },
            _ => {
                lit.push(c);
                return Ok(());
            }
        };
        flush(parts, lit);
        parts.push(part);
        Ok(())
    }

    fn backquote(&mut self) -> PResult<Part> {
        let mut inner = String::new();
        loop {
            match self.bump() {
                Some('`') => break,
                Some('\\') => match self.bump() {
                    Some(c @ ('$' | '`' | '\\')) => inner.push(c),
                    Some(c) => {
                        inner.push('\\');
                        inner.push(c);
                    }
                    None => return Err(SyntaxError("unterminated quoted string".into())),
                },
                Some(c) => inner.push(c),
                None => return Err(SyntaxError("unterminated quoted string".into())),
            }
        }
        if self.depth + 1 > MAX_NESTING {
            return Err(SyntaxError("nesting too deep".into()));
        }
        let list = parse_nested(&inner, self.depth + 1)?;
        Ok(Part::CmdSub(Rc::new(list)))
    }

    /// After a `$`: the expansion, or `None` when the `$` is literal.
    fn dollar(&mut self) -> PResult<Option<Part>> {
        match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.pos += 2;
                let start = self.pos;
                let mut depth = 0usize;
                loop {
                    match self.bump() {
                        Some('(') => depth += 1,
                        Some(')') if depth == 0 => {
                            if self.peek() == Some(')') {
                                self.bump();
                                break;
                            }
                            return Err(unexpected(")"));
                        }
                        Some(')') => depth -= 1,
                        Some(_) => {}
                        None => return Err(eof_expecting("))")),
                    }
                }
                let text: String = self.src[start..self.pos - 2].iter().collect();
                self.enter()?;
                let mut sub = Parser {
                    src: text.chars().collect(),
                    pos: 0,
                    line: 1,
                    depth: self.depth,
                    pending: Vec::new(),
                };
                let word = sub.dq_parts(None)?;
                self.depth -= 1;
                Ok(Some(Part::Arith(word)))
            }
            Some('(') => {
                self.pos += 1;
                let list = self.list(&[])?;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(match self.peek_token() {
                        None => eof_expecting(")"),
                        Some(t) => unexpected(&t),
                    });
                }
                self.pos += 1;
                Ok(Some(Part::CmdSub(Rc::new(list))))
            }
            Some('{') => {
                self.pos += 1;
                self.enter()?;
                let p = self.braced()?;
                self.depth -= 1;
                Ok(Some(Part::Param(Box::new(p))))
            }
            Some(c) if c.is_ascii_digit() || "@*#?-$!".contains(c) => {
                self.pos += 1;
                Ok(Some(Part::Param(Box::new(Param {
                    name: c.to_string(),
                    op: ParamOp::Plain,
                }))))
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(c) = self
                    .peek()
                    .filter(|c| *c == '_' || c.is_ascii_alphanumeric())
                {
                    name.push(c);
                    self.pos += 1;
                }
                Ok(Some(Part::Param(Box::new(Param {
                    name,
                    op: ParamOp::Plain,
                }))))
            }
            _ => Ok(None),
        }
    }

    fn braced(&mut self) -> PResult<Param> {
        let bad = || SyntaxError("bad substitution".into());
        // `${#}` is `$#`; `${#name}` is the length.
        let mut length = false;
        if self.peek() == Some('#') && !matches!(self.peek_at(1), Some('}')) {
            let next = self.peek_at(1);
            if next.is_some_and(|c| c == '_' || c.is_ascii_alphanumeric() || "@*?$!#-".contains(c))
            {
                // `${#-}`/`${##}` would be ambiguous; treat `#` followed by a name as length.
                length = true;
                self.pos += 1;
            }
        }
        let mut name = String::new();
        match self.peek() {
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                while let Some(c) = self
                    .peek()
                    .filter(|c| *c == '_' || c.is_ascii_alphanumeric())
                {
                    name.push(c);
                    self.pos += 1;
                }
            }
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                    name.push(c);
                    self.pos += 1;
                }
            }
            Some(c) if "@*#?-$!".contains(c) => {
                name.push(c);
                self.pos += 1;
            }
            _ => return Err(bad()),
        }
        if length {
            if self.bump() != Some('}') {
                return Err(bad());
            }
            return Ok(Param {
                name,
                op: ParamOp::Length,
            });
        }
        let op = match self.bump() {
            Some('}') => {
                return Ok(Param {
                    name,
                    op: ParamOp::Plain,
                })
            }
            Some(':') => match self.peek() {
                Some('-') => {
                    self.pos += 1;
                    ParamOp::Default(true, self.brace_word(&['}'])?)
                }
                Some('=') => {
                    self.pos += 1;
                    ParamOp::Assign(true, self.brace_word(&['}'])?)
                }
                Some('?') => {
                    self.pos += 1;
                    ParamOp::Error(true, self.brace_word(&['}'])?)
                }
                Some('+') => {
                    self.pos += 1;
                    ParamOp::Alt(true, self.brace_word(&['}'])?)
                }
                _ => {
                    let off = self.brace_word(&['}', ':'])?;
                    let len = if self.src.get(self.pos.wrapping_sub(1)) == Some(&':') {
                        Some(self.brace_word(&['}'])?)
                    } else {
                        None
                    };
                    ParamOp::Substring(off, len)
                }
            },
            Some('-') => ParamOp::Default(false, self.brace_word(&['}'])?),
            Some('=') => ParamOp::Assign(false, self.brace_word(&['}'])?),
            Some('?') => ParamOp::Error(false, self.brace_word(&['}'])?),
            Some('+') => ParamOp::Alt(false, self.brace_word(&['}'])?),
            Some('#') => {
                let long = self.peek() == Some('#');
                if long {
                    self.pos += 1;
                }
                ParamOp::TrimPrefix(long, self.brace_word(&['}'])?)
            }
            Some('%') => {
                let long = self.peek() == Some('%');
                if long {
                    self.pos += 1;
                }
                ParamOp::TrimSuffix(long, self.brace_word(&['}'])?)
            }
            Some('/') => {
                let all = self.peek() == Some('/');
                if all {
                    self.pos += 1;
                }
                let pat = self.brace_word(&['}', '/'])?;
                let rep = if self.src.get(self.pos.wrapping_sub(1)) == Some(&'/') {
                    self.brace_word(&['}'])?
                } else {
                    Vec::new()
                };
                ParamOp::Replace(all, pat, rep)
            }
            None => return Err(eof_expecting("}")),
            Some(_) => return Err(bad()),
        };
        Ok(Param { name, op })
    }

    /// The word inside `${name<op>...}` up to one of `stops` (consumed).
    fn brace_word(&mut self, stops: &[char]) -> PResult<Word> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(eof_expecting("}"));
            };
            if stops.contains(&c) {
                self.bump();
                break;
            }
            match c {
                '\\' => {
                    self.bump();
                    if let Some(e) = self.bump() {
                        if e != '\n' {
                            flush(&mut parts, &mut lit);
                            parts.push(Part::Quoted(e.to_string()));
                        }
                    }
                }
                _ => self.text(c, true, &mut parts, &mut lit)?,
            }
        }
        flush(&mut parts, &mut lit);
        Ok(parts)
    }
}

fn flush(parts: &mut Word, lit: &mut String) {
    if !lit.is_empty() {
        parts.push(Part::Lit(std::mem::take(lit)));
    }
}

fn is_func_name(s: &str) -> bool {
    !s.is_empty() && !s.contains(['$', '`', '\'', '"', '=', '/']) && !RESERVED.contains(&s)
}

/// Text of a word with quotes removed and no expansion (a here-doc delimiter).
fn unquoted_text(word: &Word) -> String {
    let mut s = String::new();
    for p in word {
        match p {
            Part::Lit(t) | Part::Quoted(t) => s.push_str(t),
            Part::Double(inner) => s.push_str(&unquoted_text(inner)),
            Part::Param(p) => {
                s.push('$');
                s.push_str(&p.name);
            }
            _ => {}
        }
    }
    s
}

/// `NAME=value` at the start of a word: the name and the value word.
fn split_assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(first)) = word.first() else {
        return None;
    };
    let eq = first.find('=')?;
    let name = &first[..eq];
    if !is_name(name) {
        return None;
    }
    let mut value = Vec::new();
    let rest = &first[eq + 1..];
    if !rest.is_empty() {
        value.push(Part::Lit(rest.to_string()));
    }
    value.extend(word[1..].iter().cloned());
    Some((name.to_string(), value))
}
