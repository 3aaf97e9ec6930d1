//! The syntax tree of a POSIX `sh` script (the grammar of XCU 2.10 "Shell Grammar").

use std::cell::RefCell;
use std::rc::Rc;

/// A list of and-or lists separated by `;`, `&` or newlines.
pub type List = Vec<Item>;

/// One and-or list; `background` when it ended with `&` (run in the foreground here).
#[derive(Debug, Clone)]
pub struct Item {
    pub first: Pipeline,
    pub rest: Vec<(AndOr, Pipeline)>,
    pub background: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AndOr {
    And,
    Or,
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub bang: bool,
    pub cmds: Vec<Command>,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub kind: CmdKind,
    pub redirs: Vec<Redir>,
    /// 1-based line the command starts on.
    #[allow(dead_code)]
    pub line: usize,
}

#[derive(Debug, Clone)]
pub enum CmdKind {
    Simple {
        assigns: Vec<(String, Word)>,
        words: Vec<Word>,
    },
    Group(List),
    Subshell(List),
    If {
        arms: Vec<(List, List)>,
        otherwise: Option<List>,
    },
    For {
        var: String,
        items: Option<Vec<Word>>,
        body: List,
    },
    Loop {
        until: bool,
        cond: List,
        body: List,
    },
    Case {
        word: Word,
        arms: Vec<(Vec<Word>, List)>,
    },
    FuncDef {
        name: String,
        body: Rc<Command>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    In,
    /// `>` and `>|`
    Out,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `>&` / `<&` (duplicate or close with `-`)
    Dup,
    /// `&>` (bash: stdout and stderr to a file)
    OutErr,
    /// `&>>`
    AppendErr,
    /// `<<` and `<<-`
    HereDoc,
    /// `<<<` (bash here-string)
    HereString,
}

#[derive(Debug, Clone)]
pub struct Redir {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Word,
    /// The body of a here-document, filled when the parser reaches the next newline.
    pub heredoc: Option<Rc<RefCell<Word>>>,
}

/// A word: the concatenation of its parts.
pub type Word = Vec<Part>;

#[derive(Debug, Clone)]
pub enum Part {
    /// Unquoted text (subject to field splitting of nothing, but to globbing and tilde).
    Lit(String),
    /// Single-quoted or backslash-escaped text.
    Quoted(String),
    /// A double-quoted string.
    Double(Vec<Part>),
    Param(Box<Param>),
    CmdSub(Rc<List>),
    /// `$((...))`: the expression, itself expanded before evaluation.
    Arith(Word),
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub op: ParamOp,
}

#[derive(Debug, Clone)]
pub enum ParamOp {
    Plain,
    /// `${#v}`
    Length,
    /// `${v-w}` / `${v:-w}`
    Default(bool, Word),
    /// `${v=w}` / `${v:=w}`
    Assign(bool, Word),
    /// `${v?w}` / `${v:?w}`
    Error(bool, Word),
    /// `${v+w}` / `${v:+w}`
    Alt(bool, Word),
    /// `${v#p}` (false) / `${v##p}` (true)
    TrimPrefix(bool, Word),
    /// `${v%p}` (false) / `${v%%p}` (true)
    TrimSuffix(bool, Word),
    /// bash `${v/p/r}` (false) / `${v//p/r}` (true)
    Replace(bool, Word, Word),
    /// bash `${v:off}` / `${v:off:len}`
    Substring(Word, Option<Word>),
}

/// The plain text of a word made only of literal parts (for keywords, names).
pub fn literal(word: &Word) -> Option<String> {
    let mut s = String::new();
    for p in word {
        match p {
            Part::Lit(t) => s.push_str(t),
            _ => return None,
        }
    }
    Some(s)
}
