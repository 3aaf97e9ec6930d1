//! A small POSIX regular-expression engine for `grep`, `sed` and `[[ =~ ]]`: BRE and
//! ERE syntax (`. * + ? ^ $ [] () | {m,n}`, with GNU's `\+ \? \|` in BRE), compiled to a
//! Pike VM so matching is linear in the input (no catastrophic backtracking on hostile
//! patterns). Matches are leftmost with greedy quantifiers; back-references are not
//! supported. The engine keeps the web bundle free of the `regex` crate.

const MAX_PROG: usize = 20_000;
const MAX_REPEAT: u32 = 255;

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Start,
    End,
    WordB,
    Group(Box<Node>, usize),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    Named(String),
}

#[derive(Debug, Clone)]
enum Inst {
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Start,
    End,
    WordB,
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    Match,
}

/// A compiled regular expression.
#[derive(Debug, Clone)]
pub struct Regex {
    prog: Vec<Inst>,
    groups: usize,
    icase: bool,
}

struct Parser {
    s: Vec<char>,
    pos: usize,
    ere: bool,
    groups: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn at_alt(&self) -> bool {
        if self.ere {
            self.peek() == Some('|')
        } else {
            self.peek() == Some('\\') && self.s.get(self.pos + 1) == Some(&'|')
        }
    }

    fn at_close(&self) -> bool {
        if self.ere {
            self.peek() == Some(')')
        } else {
            self.peek() == Some('\\') && self.s.get(self.pos + 1) == Some(&')')
        }
    }

    fn alt(&mut self) -> Result<Node, String> {
        self.depth += 1;
        if self.depth > 50 {
            return Err("regular expression too complex".into());
        }
        let mut alts = vec![self.concat()?];
        while self.at_alt() {
            self.pos += if self.ere { 1 } else { 2 };
            alts.push(self.concat()?);
        }
        self.depth -= 1;
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Concat(vec![]))
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(&mut self) -> Result<Node, String> {
        let mut items: Vec<Node> = Vec::new();
        while self.peek().is_some() && !self.at_alt() && !self.at_close() {
            let atom = self.atom(items.is_empty())?;
            let atom = self.quantifiers(atom)?;
            items.push(atom);
        }
        Ok(Node::Concat(items))
    }

    fn quantifiers(&mut self, mut atom: Node) -> Result<Node, String> {
        loop {
            let c = self.peek();
            let next = self.s.get(self.pos + 1).copied();
            let (min, max, len) = match (c, next) {
                (Some('*'), _) => (0, None, 1),
                (Some('+'), _) if self.ere => (1, None, 1),
                (Some('?'), _) if self.ere => (0, Some(1), 1),
                (Some('\\'), Some('+')) if !self.ere => (1, None, 2),
                (Some('\\'), Some('?')) if !self.ere => (0, Some(1), 2),
                (Some('{'), _) if self.ere => match self.interval(1) {
                    Some(x) => x,
                    None => return Ok(atom),
                },
                (Some('\\'), Some('{')) if !self.ere => match self.interval(2) {
                    Some(x) => x,
                    None => return Err("invalid interval".into()),
                },
                _ => return Ok(atom),
            };
            self.pos += len;
            if matches!(atom, Node::Start) {
                atom = Node::Char('^');
            }
            atom = Node::Repeat(Box::new(atom), min, max);
        }
    }

    /// `{m}`, `{m,}`, `{m,n}` starting `skip` chars ahead: (min, max, length).
    fn interval(&self, skip: usize) -> Option<(u32, Option<u32>, usize)> {
        let mut i = self.pos + skip;
        let mut body = String::new();
        loop {
            let c = *self.s.get(i)?;
            if self.ere && c == '}' {
                i += 1;
                break;
            }
            if !self.ere && c == '\\' && self.s.get(i + 1) == Some(&'}') {
                i += 2;
                break;
            }
            body.push(c);
            i += 1;
        }
        let (a, b) = match body.split_once(',') {
            Some((a, b)) => (
                a.parse::<u32>().ok()?,
                if b.is_empty() {
                    None
                } else {
                    Some(b.parse::<u32>().ok()?)
                },
            ),
            None => {
                let n = body.parse::<u32>().ok()?;
                (n, Some(n))
            }
        };
        if a > MAX_REPEAT || b.is_some_and(|b| b > MAX_REPEAT || b < a) {
            return None;
        }
        Some((a, b, i - self.pos))
    }

    fn atom(&mut self, first: bool) -> Result<Node, String> {
        let c = self.peek().ok_or("unexpected end")?;
        self.pos += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' if first || self.ere => Node::Start,
            '$' if self.ere || self.peek().is_none() || self.at_close() || self.at_alt() => {
                Node::End
            }
            '[' => self.class()?,
            '*' if first && !self.ere => Node::Char('*'),
            '(' if self.ere => self.group()?,
            '\\' => {
                let e = self.peek().ok_or("trailing backslash")?;
                self.pos += 1;
                match e {
                    '(' if !self.ere => self.group()?,
                    'n' => Node::Char('\n'),
                    't' => Node::Char('\t'),
                    'w' => Node::Class(
                        vec![ClassItem::Named("alnum".into()), ClassItem::Range('_', '_')],
                        false,
                    ),
                    'W' => Node::Class(
                        vec![ClassItem::Named("alnum".into()), ClassItem::Range('_', '_')],
                        true,
                    ),
                    's' => Node::Class(vec![ClassItem::Named("space".into())], false),
                    'S' => Node::Class(vec![ClassItem::Named("space".into())], true),
                    'd' => Node::Class(vec![ClassItem::Named("digit".into())], false),
                    'b' | '<' | '>' => Node::WordB,
                    c if c.is_ascii_digit() && c != '0' => {
                        return Err("back-references are not supported".into())
                    }
                    c => Node::Char(c),
                }
            }
            c => Node::Char(c),
        })
    }

    fn group(&mut self) -> Result<Node, String> {
        self.groups += 1;
        let idx = self.groups;
        let inner = self.alt()?;
        if !self.at_close() {
            return Err("unmatched ( or \\(".into());
        }
        self.pos += if self.ere { 1 } else { 2 };
        Ok(Node::Group(Box::new(inner), idx))
    }

    fn class(&mut self) -> Result<Node, String> {
        let mut items = Vec::new();
        let neg = self.peek() == Some('^');
        if neg {
            self.pos += 1;
        }
        let mut first = true;
        loop {
            let c = self.peek().ok_or("unmatched [, [^, [:, [., or [=")?;
            self.pos += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                let rest: String = self.s[self.pos + 1..].iter().take(12).collect();
                if let Some(end) = rest.find(":]") {
                    items.push(ClassItem::Named(rest[..end].to_string()));
                    self.pos += 1 + end + 2;
                    continue;
                }
            }
            if self.peek() == Some('-') && self.s.get(self.pos + 1).is_some_and(|&n| n != ']') {
                let hi = self.s[self.pos + 1];
                self.pos += 2;
                items.push(ClassItem::Range(c, hi));
            } else {
                items.push(ClassItem::Range(c, c));
            }
        }
        Ok(Node::Class(items, neg))
    }
}

fn compile(node: &Node, prog: &mut Vec<Inst>) -> Result<(), String> {
    if prog.len() > MAX_PROG {
        return Err("regular expression too big".into());
    }
    match node {
        Node::Char(c) => prog.push(Inst::Char(*c)),
        Node::Any => prog.push(Inst::Any),
        Node::Class(items, neg) => prog.push(Inst::Class(items.clone(), *neg)),
        Node::Start => prog.push(Inst::Start),
        Node::End => prog.push(Inst::End),
        Node::WordB => prog.push(Inst::WordB),
        Node::Group(inner, idx) => {
            prog.push(Inst::Save(idx * 2));
            compile(inner, prog)?;
            prog.push(Inst::Save(idx * 2 + 1));
        }
        Node::Concat(items) => {
            for n in items {
                compile(n, prog)?;
            }
        }
        Node::Alt(alts) => {
            let mut jumps = Vec::new();
            for (i, a) in alts.iter().enumerate() {
                if i + 1 < alts.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(a, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    compile(a, prog)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                compile(inner, prog)?;
            }
            match max {
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(inner, prog)?;
                    prog.push(Inst::Jmp(split));
                    let end = prog.len();
                    prog[split] = Inst::Split(split + 1, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(prog.len() + 1, 0));
                        compile(inner, prog)?;
                    }
                    let end = prog.len();
                    for s in splits {
                        prog[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    Ok(())
}

fn class_has(items: &[ClassItem], c: char, icase: bool) -> bool {
    let test = |c: char| {
        items.iter().any(|it| match it {
            ClassItem::Range(lo, hi) => *lo <= c && c <= *hi,
            ClassItem::Named(n) => super::glob::class_matches(n, c),
        })
    };
    test(c) || (icase && (test(c.to_ascii_lowercase()) || test(c.to_ascii_uppercase())))
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Capture positions (char indices) of a match: slot 0 is the whole match.
pub type Captures = Vec<Option<(usize, usize)>>;

impl Regex {
    /// Compile `pat` as an ERE (`extended`) or BRE.
    pub fn new(pat: &str, extended: bool) -> Result<Regex, String> {
        Regex::with_case(pat, extended, false)
    }

    pub fn with_case(pat: &str, extended: bool, icase: bool) -> Result<Regex, String> {
        let mut p = Parser {
            s: pat.chars().collect(),
            pos: 0,
            ere: extended,
            groups: 0,
            depth: 0,
        };
        let node = p.alt()?;
        if p.pos < p.s.len() {
            return Err("unmatched ) or \\)".into());
        }
        let mut prog = vec![Inst::Save(0)];
        compile(&node, &mut prog)?;
        prog.push(Inst::Save(1));
        prog.push(Inst::Match);
        Ok(Regex {
            prog,
            groups: p.groups,
            icase,
        })
    }

    /// A regex matching `s` literally (`grep -F`).
    pub fn literal(s: &str, icase: bool) -> Regex {
        let mut prog = vec![Inst::Save(0)];
        prog.extend(s.chars().map(Inst::Char));
        prog.push(Inst::Save(1));
        prog.push(Inst::Match);
        Regex {
            prog,
            groups: 0,
            icase,
        }
    }

    pub fn is_match(&self, s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        self.find_at(&chars, 0).is_some()
    }

    /// The leftmost match starting at or after `start`.
    pub fn find_at(&self, text: &[char], start: usize) -> Option<Captures> {
        let nslots = (self.groups + 1) * 2;
        let n = self.prog.len();
        let mut clist: Vec<(usize, Vec<Option<usize>>)> = Vec::new();
        let mut nlist: Vec<(usize, Vec<Option<usize>>)> = Vec::new();
        let mut seen = vec![usize::MAX; n];
        let mut matched: Option<Vec<Option<usize>>> = None;
        let mut pos = start;
        loop {
            if matched.is_none() {
                self.add(&mut clist, &mut seen, 0, vec![None; nslots], text, pos);
            }
            if clist.is_empty() {
                break;
            }
            let c = text.get(pos).copied();
            for (pc, caps) in std::mem::take(&mut clist) {
                match &self.prog[pc] {
                    Inst::Match => {
                        matched = Some(caps);
                        break;
                    }
                    inst => {
                        let ok = match (inst, c) {
                            (Inst::Char(x), Some(c)) => {
                                *x == c || (self.icase && x.eq_ignore_ascii_case(&c))
                            }
                            (Inst::Any, Some(_)) => true,
                            (Inst::Class(items, neg), Some(c)) => {
                                class_has(items, c, self.icase) != *neg
                            }
                            _ => false,
                        };
                        if ok {
                            self.add(&mut nlist, &mut seen, pc + 1, caps, text, pos + 1);
                        }
                    }
                }
            }
            if pos >= text.len() {
                // Threads waiting at the end that reach Match were handled above.
                if matched.is_none() {
                    std::mem::swap(&mut clist, &mut nlist);
                    nlist.clear();
                    if let Some((_, caps)) = clist
                        .iter()
                        .find(|(pc, _)| matches!(self.prog[*pc], Inst::Match))
                    {
                        matched = Some(caps.clone());
                    }
                }
                break;
            }
            std::mem::swap(&mut clist, &mut nlist);
            nlist.clear();
            pos += 1;
        }
        let caps = matched?;
        Some(
            (0..=self.groups)
                .map(|g| match (caps[g * 2], caps[g * 2 + 1]) {
                    (Some(a), Some(b)) => Some((a, b)),
                    _ => None,
                })
                .collect(),
        )
    }

    /// Follow empty transitions from `pc` at `pos`, adding runnable threads in priority order.
    fn add(
        &self,
        list: &mut Vec<(usize, Vec<Option<usize>>)>,
        seen: &mut [usize],
        pc: usize,
        caps: Vec<Option<usize>>,
        text: &[char],
        pos: usize,
    ) {
        let mut stack = vec![(pc, caps)];
        while let Some((pc, mut caps)) = stack.pop() {
            if pc >= self.prog.len() || seen[pc] == pos {
                continue;
            }
            seen[pc] = pos;
            match &self.prog[pc] {
                Inst::Jmp(t) => stack.push((*t, caps)),
                Inst::Split(a, b) => {
                    stack.push((*b, caps.clone()));
                    stack.push((*a, caps));
                }
                Inst::Save(slot) => {
                    if let Some(s) = caps.get_mut(*slot) {
                        *s = Some(pos);
                    }
                    stack.push((pc + 1, caps));
                }
                Inst::Start => {
                    if pos == 0 {
                        stack.push((pc + 1, caps));
                    }
                }
                Inst::End => {
                    if pos == text.len() {
                        stack.push((pc + 1, caps));
                    }
                }
                Inst::WordB => {
                    let before = pos.checked_sub(1).and_then(|p| text.get(p));
                    if is_word(before) != is_word(text.get(pos)) {
                        stack.push((pc + 1, caps));
                    }
                }
                _ => list.push((pc, caps)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, ere: bool, s: &str) -> Option<(usize, usize)> {
        let chars: Vec<char> = s.chars().collect();
        Regex::new(p, ere)
            .ok()?
            .find_at(&chars, 0)
            .and_then(|c| c[0])
    }

    #[test]
    fn basics() {
        assert_eq!(m("b+", true, "abbbc"), Some((1, 4)));
        assert_eq!(m("b\\+", false, "abbbc"), Some((1, 4)));
        assert_eq!(m("^a.c$", false, "abc"), Some((0, 3)));
        assert_eq!(m("x*", false, "abc"), Some((0, 0)));
        assert_eq!(m("(foo|bar)baz", true, "xbarbaz"), Some((1, 7)));
        assert_eq!(m("[0-9]\\{2,3\\}", false, "a12345"), Some((1, 4)));
        assert_eq!(m("[[:upper:]]+", true, "abCDe"), Some((2, 4)));
        assert_eq!(m("a$", false, "ab"), None);
        assert!(Regex::new("(a", true).is_err());
        assert_eq!(m("(a*)*b", true, &"a".repeat(50)), None);
    }
}
