//! The lexer: source text to [`Token`]s, with every lexical error as a diagnostic.
//!
//! Besides splitting text into tokens it decides which newlines end a statement
//! (LANGUAGE.md §1) and emits those, and only those, as [`TokenKind::Newline`].
//! String literals are split into text pieces and interpolations; an
//! interpolation's expression is left as a byte range that the parser lexes again
//! with [`lex_interpolation`], so every span stays absolute in the file. The lexer
//! must never panic and never stop early: unknown characters are reported and
//! skipped, unterminated literals and comments are reported at their start, and
//! the token list always ends with [`TokenKind::Eof`].

use crate::diagnostic::Diagnostic;
use crate::span::{FileId, SourceMap, Span};
use crate::token::{StrPiece, Token, TokenKind};
use std::fmt::Write;

/// Lexes a whole file.
pub fn lex(file: FileId, src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let lexer = Lexer::new(file, src, 0, src.len(), false);
    let (tokens, diags, _) = lexer.run();
    (tokens, diags)
}

/// Lexes the expression text of one string interpolation, `src[lo..hi]`, with
/// spans relative to the whole file. Newlines never end anything inside it.
pub(crate) fn lex_interpolation(
    file: FileId,
    src: &str,
    lo: u32,
    hi: u32,
) -> (Vec<Token>, Vec<Diagnostic>) {
    let hi = (hi as usize).min(src.len());
    let lo = (lo as usize).min(hi);
    let lexer = Lexer::new(file, src, lo, hi, true);
    let (tokens, diags, _) = lexer.run();
    (tokens, diags)
}

/// Whether `src` stops inside an open bracket, string or block comment, or after
/// a token that cannot end a line (a binary operator, `,`, `=`, `->`, `.`), so
/// that a REPL should read another line before compiling it.
pub fn is_incomplete(src: &str) -> bool {
    let mut lexer = Lexer::new(FileId(0), src, 0, src.len(), false);
    lexer.lex_to_end();
    lexer.ends_incomplete()
}

/// A REPL entry read a line at a time, and whether it is incomplete so far: the
/// decision [`is_incomplete`] makes on the whole text, made in time linear in the
/// entry's length. Lexing goes on from the start of the last line, with the
/// lexer's state there (open brackets, a newline still to be decided, a string or
/// block comment it is inside of), so each line is lexed about twice however long
/// the entry. (Only an interpolation `{...}` still open is scanned again from its
/// `{` with each new line.)
pub struct EntryLexer {
    text: String,
    /// The tokens before `resume`, for what the last ones say about a newline; a
    /// string lexed on from a line start holds only its text from there, so these
    /// tokens are not for parsing.
    tokens: Vec<Token>,
    /// Where lexing goes on; `None` before the first line break.
    resume: Option<LineStart>,
    incomplete: bool,
}

impl EntryLexer {
    /// An entry that starts with `line`.
    pub fn new(line: &str) -> EntryLexer {
        let mut entry = EntryLexer {
            text: line.to_string(),
            tokens: Vec::new(),
            resume: None,
            incomplete: false,
        };
        entry.lex();
        entry
    }

    /// Adds a line to the entry.
    pub fn push_line(&mut self, line: &str) {
        self.text.push('\n');
        self.text.push_str(line);
        self.lex();
    }

    /// Whether a REPL should read another line before compiling the entry.
    pub fn is_incomplete(&self) -> bool {
        self.incomplete
    }

    /// The entry's text: its lines joined by `\n`.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Lexes from `resume` to the end of the text, and moves `resume` to the start
    /// of the last line.
    fn lex(&mut self) {
        let mut lexer = Lexer::new(FileId(0), &self.text, 0, self.text.len(), false);
        lexer.keep_line_start = true;
        if let Some(at) = &self.resume {
            self.tokens.truncate(at.tokens);
            lexer.pos = at.pos;
            lexer.groups.clone_from(&at.groups);
            lexer.pending_newline = at.pending_newline;
            lexer.newline_in_group = at.newline_in_group;
        }
        lexer.tokens = std::mem::take(&mut self.tokens);
        match self.resume.as_ref().map_or(Inside::Code, |at| at.inside) {
            Inside::Code => {}
            Inside::Str { start } => {
                let kind = lexer.string_rest(start);
                let end = lexer.pos;
                lexer.push(kind, start, end);
            }
            Inside::Comment { start, depth } => lexer.block_comment_rest(start, depth, true),
        }
        lexer.lex_to_end();
        self.incomplete = lexer.ends_incomplete();
        if let Some(at) = lexer.line_start {
            self.resume = Some(at);
        }
        self.tokens = lexer.tokens;
    }
}

/// The lexer's state at the start of a line: all it needs to lex on from there.
struct LineStart {
    pos: usize,
    inside: Inside,
    /// How many tokens come before it.
    tokens: usize,
    groups: Vec<Group>,
    pending_newline: Option<usize>,
    newline_in_group: Option<usize>,
}

/// What a line starts inside of.
#[derive(Clone, Copy)]
enum Inside {
    Code,
    /// The text of a string literal that starts at `start` (not an interpolation).
    Str {
        start: usize,
    },
    /// A block comment that starts at `start`, `depth` comments deep.
    Comment {
        start: usize,
        depth: u32,
    },
}

/// Whether `line`, following a complete statement, continues it: it starts with
/// `.`, `..`, `&&`, `||` (but not a closure such as `|| { ... }`) or `else`, the
/// tokens before which a newline does not end a statement (LANGUAGE.md §1). A
/// REPL reading a file or a pipe joins such a line to the entry before it, as the
/// parser would in a file.
pub fn continues_previous_line(line: &str) -> bool {
    // Most lines start with none of these: they need no lexing.
    if !matches!(
        line.trim_start().as_bytes().first(),
        Some(b'.' | b'&' | b'|' | b'e')
    ) {
        return false;
    }
    let (tokens, _, _) = Lexer::new(FileId(0), line, 0, line.len(), false).run();
    let Some(first) = tokens
        .iter()
        .find(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Eof))
    else {
        return false;
    };
    Lexer::new(FileId(0), line, 0, line.len(), false)
        .continues_previous_line(&first.kind, first.span.hi as usize)
}

/// Prints one token per line as `line:col  KIND  text`, for `kiln emit --tokens`.
pub fn dump_tokens(sources: &SourceMap, tokens: &[Token]) -> String {
    let mut out = String::new();
    for token in tokens {
        let file = sources.get(token.span.file);
        let (line, col) = file.line_col(token.span.lo);
        let text = file
            .text
            .get(token.span.lo as usize..token.span.hi as usize)
            .unwrap_or("");
        let _ = writeln!(
            out,
            "{line}:{col}  {}  {}",
            token.kind.name(),
            escape_for_dump(text)
        );
    }
    out
}

fn escape_for_dump(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// The kind of an open bracket, for deciding whether newlines count.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Group {
    Paren,
    Bracket,
    Brace,
}

struct Lexer<'s> {
    file: FileId,
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
    end: usize,
    /// Lexing an interpolation: the whole text behaves as if inside `( )`.
    interp: bool,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
    groups: Vec<Group>,
    /// Where a statement-ending newline was seen since the last token.
    pending_newline: Option<usize>,
    /// Where a newline was seen inside `( )` or `[ ]` since the last token.
    newline_in_group: Option<usize>,
    /// A string or block comment ran to the end of the input.
    unterminated: bool,
    /// For an [`EntryLexer`]: keep the state at the start of the last line, in
    /// `line_start`.
    keep_line_start: bool,
    line_start: Option<LineStart>,
}

impl<'s> Lexer<'s> {
    fn new(file: FileId, src: &'s str, lo: usize, hi: usize, interp: bool) -> Lexer<'s> {
        // A byte order mark some editors put first in a file is not source text.
        let bom = if lo == 0 && src.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        Lexer {
            file,
            src,
            bytes: src.as_bytes(),
            pos: lo + bom,
            end: hi,
            interp,
            tokens: Vec::new(),
            diags: Vec::new(),
            groups: Vec::new(),
            pending_newline: None,
            newline_in_group: None,
            unterminated: false,
            keep_line_start: false,
            line_start: None,
        }
    }

    /// Lexes everything; the flag says whether the input ended inside an open
    /// bracket, string or comment.
    fn run(mut self) -> (Vec<Token>, Vec<Diagnostic>, bool) {
        self.lex_to_end();
        if let Some(at) = self.pending_newline.take() {
            self.push_raw(TokenKind::Newline, at, at + 1);
        }
        let end = self.end;
        self.push_raw(TokenKind::Eof, end, end);
        let open = self.unterminated || !self.groups.is_empty();
        (self.tokens, self.diags, open)
    }

    fn lex_to_end(&mut self) {
        while self.pos < self.end {
            self.step();
        }
    }

    /// Whether the text lexed so far stops inside an open bracket, string or
    /// comment, or after a token that cannot end a line.
    fn ends_incomplete(&self) -> bool {
        let open = self.unterminated || !self.groups.is_empty();
        let last = self
            .tokens
            .iter()
            .rev()
            .find(|t| t.kind != TokenKind::Newline);
        open || last.is_some_and(|t| t.kind.continues_line())
    }

    fn span(&self, lo: usize, hi: usize) -> Span {
        Span::new(self.file, lo as u32, hi as u32)
    }

    fn error(&mut self, lo: usize, hi: usize, message: impl Into<String>, label: &str) {
        let d = Diagnostic::error(self.span(lo, hi), message).with_label(label);
        self.diags.push(d);
    }

    /// The byte at `at`, or 0 past the end of the lexed range.
    fn byte(&self, at: usize) -> u8 {
        if at < self.end {
            self.bytes[at]
        } else {
            0
        }
    }

    /// The char at the current position (the position is always a char boundary).
    fn current_char(&self) -> char {
        self.src
            .get(self.pos..self.end)
            .and_then(|s| s.chars().next())
            .unwrap_or('\0')
    }

    fn step(&mut self) {
        match self.byte(self.pos) {
            b'\n' => {
                self.newline(self.pos);
                self.pos += 1;
                self.record_line_start(Inside::Code);
            }
            b' ' | b'\t' | b'\r' | 0x0c => self.pos += 1,
            b'/' if self.byte(self.pos + 1) == b'/' => self.line_comment(),
            b'/' if self.byte(self.pos + 1) == b'*' => self.block_comment(),
            _ => self.token(),
        }
    }

    /// Keeps the state at the start of a line, for an [`EntryLexer`].
    fn record_line_start(&mut self, inside: Inside) {
        if self.keep_line_start {
            self.line_start = Some(LineStart {
                pos: self.pos,
                inside,
                tokens: self.tokens.len(),
                groups: self.groups.clone(),
                pending_newline: self.pending_newline,
                newline_in_group: self.newline_in_group,
            });
        }
    }

    fn in_group(&self) -> bool {
        match self.groups.last() {
            Some(Group::Paren | Group::Bracket) => true,
            Some(Group::Brace) => false,
            None => self.interp,
        }
    }

    /// Records a newline at `at` if it may end a statement.
    fn newline(&mut self, at: usize) {
        if self.in_group() {
            self.newline_in_group.get_or_insert(at);
            return;
        }
        let continues = self
            .tokens
            .last()
            .is_none_or(|t| t.kind == TokenKind::Newline || t.kind.continues_line());
        if !continues {
            self.pending_newline.get_or_insert(at);
        }
    }

    fn line_comment(&mut self) {
        while self.pos < self.end && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    /// Skips a nestable block comment. One that contains a newline acts as a newline.
    fn block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        self.block_comment_rest(start, 1, false);
    }

    /// Skips the rest of a block comment that starts at `start`, `depth` comments
    /// deep at the current position.
    fn block_comment_rest(&mut self, start: usize, mut depth: u32, mut saw_newline: bool) {
        while depth > 0 {
            if self.pos >= self.end {
                self.error(
                    start,
                    start + 2,
                    "unterminated block comment",
                    "comment starts here",
                );
                self.unterminated = true;
                break;
            }
            match (self.byte(self.pos), self.byte(self.pos + 1)) {
                (b'/', b'*') => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    self.pos += 2;
                }
                (b'\n', _) => {
                    saw_newline = true;
                    self.pos += 1;
                    self.record_line_start(Inside::Comment { start, depth });
                }
                _ => self.pos += 1,
            }
        }
        // Only whole comments are skipped; stopping mid-char is impossible because
        // the loop ends after `*/` or at the end of the range.
        if saw_newline {
            self.newline(start);
        }
    }

    fn token(&mut self) {
        let start = self.pos;
        let b = self.byte(start);
        let kind = if is_ident_start(b) {
            self.ident()
        } else if b.is_ascii_digit() {
            self.number()
        } else if b == b'"' {
            self.string()
        } else if b == b'\'' {
            self.char_literal()
        } else if let Some((kind, len)) = self.punct() {
            self.pos += len;
            kind
        } else {
            self.unknown_chars();
            return;
        };
        let end = self.pos;
        self.push(kind, start, end);
    }

    /// Pushes a real token, first emitting a pending statement-ending newline.
    fn push(&mut self, kind: TokenKind, lo: usize, hi: usize) {
        if let Some(at) = self.newline_in_group.take() {
            if !self.interp && self.starts_statement(&kind, hi) {
                self.close_open_groups(at);
            }
        }
        if let Some(at) = self.pending_newline.take() {
            if !self.continues_previous_line(&kind, hi) {
                self.push_raw(TokenKind::Newline, at, at + 1);
            }
        }
        self.track_group(&kind);
        self.push_raw(kind, lo, hi);
    }

    fn push_raw(&mut self, kind: TokenKind, lo: usize, hi: usize) {
        let span = self.span(lo, hi);
        self.tokens.push(Token { kind, span });
    }

    /// Whether a line starting with this token (ending at `hi`) continues the
    /// previous one. A `||` followed by `{` or `->` is a closure without
    /// parameters, which starts a new statement (`|| { n += 1; n }` as the value
    /// of a function), not a logical "or".
    fn continues_previous_line(&self, kind: &TokenKind, hi: usize) -> bool {
        if *kind != TokenKind::PipePipe {
            return kind.continues_previous_line();
        }
        let mut at = hi;
        while matches!(self.byte(at), b' ' | b'\t') {
            at += 1;
        }
        let closure = self.byte(at) == b'{' || (self.byte(at), self.byte(at + 1)) == (b'-', b'>');
        !closure
    }

    /// Whether a token at the start of a line can only begin a statement or an
    /// item, never continue an expression inside brackets.
    fn starts_statement(&self, kind: &TokenKind, hi: usize) -> bool {
        use TokenKind::*;
        match kind {
            Let | Var | Struct | Enum | Impl | Import | Type | Test => true,
            Fn => {
                let mut at = hi;
                while matches!(self.byte(at), b' ' | b'\t') {
                    at += 1;
                }
                is_ident_start(self.byte(at))
            }
            _ => false,
        }
    }

    /// A statement keyword started a line inside `( )` or `[ ]`: the brackets were
    /// never closed. Forget them so the rest of the file lexes normally, and end
    /// the statement there; the parser reports the missing bracket.
    fn close_open_groups(&mut self, at: usize) {
        while matches!(self.groups.last(), Some(Group::Paren | Group::Bracket)) {
            self.groups.pop();
        }
        if self
            .tokens
            .last()
            .is_some_and(|t| t.kind != TokenKind::Newline)
        {
            self.push_raw(TokenKind::Newline, at, at + 1);
        }
    }

    fn track_group(&mut self, kind: &TokenKind) {
        match kind {
            TokenKind::LParen => self.groups.push(Group::Paren),
            TokenKind::LBracket => self.groups.push(Group::Bracket),
            TokenKind::LBrace => self.groups.push(Group::Brace),
            TokenKind::RParen => self.close_group(Group::Paren),
            TokenKind::RBracket => self.close_group(Group::Bracket),
            TokenKind::RBrace => self.close_group(Group::Brace),
            _ => {}
        }
    }

    /// Closes the innermost open `group`, dropping unclosed brackets inside it. A
    /// `)` or `]` never closes anything outside the innermost `{ }`, and a closer
    /// with nothing to close is ignored (the parser reports it).
    fn close_group(&mut self, group: Group) {
        let found = self
            .groups
            .iter()
            .rev()
            .take_while(|g| group == Group::Brace || **g != Group::Brace)
            .any(|g| *g == group);
        if found {
            while let Some(g) = self.groups.pop() {
                if g == group {
                    break;
                }
            }
        }
    }

    fn ident(&mut self) -> TokenKind {
        let start = self.pos;
        while is_ident_continue(self.byte(self.pos)) {
            self.pos += 1;
        }
        let word = &self.src[start..self.pos];
        TokenKind::keyword(word).unwrap_or_else(|| TokenKind::Ident(word.to_string()))
    }

    fn unknown_chars(&mut self) {
        let start = self.pos;
        loop {
            let c = self.current_char();
            self.pos += c.len_utf8().max(1);
            if self.pos >= self.end || starts_token(self.current_char()) {
                break;
            }
        }
        // Quoted escaped: these may be control characters.
        let text = crate::diagnostic::escape_invisible(&self.src[start..self.pos]);
        let message = if self.src[start..self.pos].chars().count() == 1 {
            format!("unexpected character `{text}`")
        } else {
            format!("unexpected characters `{text}`")
        };
        self.error(start, self.pos, message, "not valid here");
    }

    fn punct(&self) -> Option<(TokenKind, usize)> {
        use TokenKind::*;
        let (b0, b1, b2) = (
            self.byte(self.pos),
            self.byte(self.pos + 1),
            self.byte(self.pos + 2),
        );
        Some(match (b0, b1, b2) {
            (b'.', b'.', b'=') => (DotDotEq, 3),
            (b'.', b'.', _) => (DotDot, 2),
            (b'.', _, _) => (Dot, 1),
            (b'<', b'<', b'=') => (ShlEq, 3),
            (b'<', b'<', _) => (Shl, 2),
            (b'<', b'=', _) => (Le, 2),
            (b'<', _, _) => (Lt, 1),
            (b'>', b'>', b'=') => (ShrEq, 3),
            (b'>', b'>', _) => (Shr, 2),
            (b'>', b'=', _) => (Ge, 2),
            (b'>', _, _) => (Gt, 1),
            (b'-', b'>', _) => (Arrow, 2),
            (b'=', b'>', _) => (FatArrow, 2),
            (b'=', b'=', _) => (EqEq, 2),
            (b'!', b'=', _) => (BangEq, 2),
            (b'&', b'&', _) => (AmpAmp, 2),
            (b'|', b'|', _) => (PipePipe, 2),
            (b, b'=', _) => match compound_assign(b) {
                Some(kind) => (kind, 2),
                None => (single_punct(b)?, 1),
            },
            (b, _, _) => (single_punct(b)?, 1),
        })
    }

    // ---- numbers ----

    fn number(&mut self) -> TokenKind {
        let radix = match (self.byte(self.pos), self.byte(self.pos + 1)) {
            (b'0', b'x') => 16,
            (b'0', b'o') => 8,
            (b'0', b'b') => 2,
            _ => 10,
        };
        if radix == 10 {
            self.decimal_number()
        } else {
            self.radix_number(radix)
        }
    }

    fn radix_number(&mut self, radix: u32) -> TokenKind {
        let start = self.pos;
        self.pos += 2;
        let digits_start = self.pos;
        while is_ident_continue(self.byte(self.pos)) {
            self.pos += 1;
        }
        let mut value: u64 = 0;
        let mut overflow = false;
        let mut any = false;
        for (i, b) in self.bytes[digits_start..self.pos].iter().enumerate() {
            if *b == b'_' {
                continue;
            }
            let Some(d) = (*b as char).to_digit(radix) else {
                let at = digits_start + i;
                let message = format!("invalid digit `{}` in a base-{radix} literal", *b as char);
                self.error(at, at + 1, message, "not a digit of this base");
                return TokenKind::Int(0);
            };
            any = true;
            match value
                .checked_mul(radix as u64)
                .and_then(|v| v.checked_add(d as u64))
            {
                Some(v) => value = v,
                None => overflow = true,
            }
        }
        let prefix = &self.src[start..start + 2];
        if !any {
            let message = format!("missing digits after `{prefix}`");
            self.error(start, self.pos, message, "expected digits");
        } else if overflow {
            self.too_large(start);
            value = 0;
        }
        TokenKind::Int(value)
    }

    fn decimal_number(&mut self) -> TokenKind {
        let start = self.pos;
        self.skip_digits();
        let mut is_float = false;
        if self.byte(self.pos) == b'.' && self.byte(self.pos + 1).is_ascii_digit() {
            is_float = true;
            self.pos += 1;
            self.skip_digits();
        }
        if matches!(self.byte(self.pos), b'e' | b'E') {
            let mut at = self.pos + 1;
            if matches!(self.byte(at), b'+' | b'-') {
                at += 1;
            }
            if self.byte(at).is_ascii_digit() {
                is_float = true;
                self.pos = at;
                self.skip_digits();
            }
        }
        let text: String = self.src[start..self.pos]
            .chars()
            .filter(|c| *c != '_')
            .collect();
        self.number_suffix();
        if is_float {
            return TokenKind::Float(text.parse().unwrap_or(0.0));
        }
        match text.parse::<u64>() {
            Ok(v) => TokenKind::Int(v),
            Err(_) => {
                self.too_large(start);
                TokenKind::Int(0)
            }
        }
    }

    fn skip_digits(&mut self) {
        while self.byte(self.pos).is_ascii_digit() || self.byte(self.pos) == b'_' {
            self.pos += 1;
        }
    }

    /// Letters glued to a number (`12abc`) are an error; they are consumed with it.
    fn number_suffix(&mut self) {
        let start = self.pos;
        while is_ident_continue(self.byte(self.pos)) {
            self.pos += 1;
        }
        if self.pos > start {
            let message = format!(
                "invalid suffix `{}` on a number",
                &self.src[start..self.pos]
            );
            self.error(start, self.pos, message, "not part of a number");
        }
    }

    fn too_large(&mut self, start: usize) {
        self.error(
            start,
            self.pos,
            "integer literal is too large",
            "does not fit in 64 bits",
        );
    }

    // ---- chars and strings ----

    fn char_literal(&mut self) -> TokenKind {
        let start = self.pos;
        self.pos += 1;
        match self.byte(self.pos) {
            _ if self.pos >= self.end => {
                self.unterminated_char(start);
                return TokenKind::Char('\0');
            }
            b'\n' => {
                self.unterminated_char(start);
                return TokenKind::Char('\0');
            }
            b'\'' => {
                self.pos += 1;
                self.error(start, self.pos, "empty char literal", "needs one character");
                return TokenKind::Char('\0');
            }
            _ => {}
        }
        let errors_before = self.diags.len();
        let c = if self.byte(self.pos) == b'\\' {
            self.escape().unwrap_or('\0')
        } else {
            let c = self.current_char();
            self.pos += c.len_utf8();
            c
        };
        if self.byte(self.pos) == b'\'' {
            self.pos += 1;
        } else {
            let quiet = self.diags.len() > errors_before;
            self.char_literal_tail(start, quiet);
        }
        TokenKind::Char(c)
    }

    /// After the first character of a char literal came something other than `'`.
    /// `quiet` when a broken escape was already reported for this literal.
    fn char_literal_tail(&mut self, start: usize, quiet: bool) {
        let rest = &self.src[self.pos..self.end];
        match rest
            .find(['\'', '\n'])
            .filter(|k| rest.as_bytes()[*k] == b'\'')
        {
            Some(k) => {
                self.pos += k + 1;
                if quiet {
                    return;
                }
                self.error(
                    start,
                    self.pos,
                    "char literal holds more than one character",
                    "use a string for text: \"...\"",
                );
            }
            None if quiet => {}
            None => self.unterminated_char(start),
        }
    }

    fn unterminated_char(&mut self, start: usize) {
        self.error(
            start,
            self.pos,
            "unterminated char literal",
            "expected a closing `'`",
        );
    }

    /// Decodes an escape at the current `\`. Returns `None` where the escape was
    /// so broken that no character can stand for it (an error was reported).
    fn escape(&mut self) -> Option<char> {
        let start = self.pos;
        self.pos += 1;
        if self.pos >= self.end {
            self.error(
                start,
                self.pos,
                "unterminated escape",
                "expected a character",
            );
            return None;
        }
        let c = self.current_char();
        self.pos += c.len_utf8();
        Some(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            '\\' | '"' | '\'' | '{' | '}' => c,
            'u' => return self.unicode_escape(start),
            _ => {
                let message = format!("unknown escape `\\{}`", c.escape_debug());
                self.error(start, self.pos, message, "not an escape");
                c
            }
        })
    }

    /// `\u{XXXX}`; the `\u` is already consumed.
    fn unicode_escape(&mut self, start: usize) -> Option<char> {
        if self.byte(self.pos) != b'{' {
            self.error(
                start,
                self.pos,
                "expected `{` after `\\u`",
                "write `\\u{XXXX}`",
            );
            return None;
        }
        self.pos += 1;
        let digits_start = self.pos;
        while self.byte(self.pos).is_ascii_hexdigit() {
            self.pos += 1;
        }
        let digits = &self.src[digits_start..self.pos];
        if self.byte(self.pos) != b'}' {
            self.error(
                start,
                self.pos,
                "unterminated unicode escape",
                "expected `}`",
            );
            return None;
        }
        self.pos += 1;
        let value = if digits.is_empty() || digits.len() > 6 {
            None
        } else {
            u32::from_str_radix(digits, 16).ok()
        };
        let c = value.and_then(char::from_u32);
        if c.is_none() {
            self.error(
                start,
                self.pos,
                "invalid unicode escape",
                "not a Unicode scalar value",
            );
        }
        c
    }

    fn string(&mut self) -> TokenKind {
        let start = self.pos;
        self.pos += 1;
        self.string_rest(start)
    }

    /// Lexes the rest of a string literal that starts at `start`, from the current
    /// position (in its text, not in an interpolation).
    fn string_rest(&mut self, start: usize) -> TokenKind {
        let mut pieces = Vec::new();
        let mut text = String::new();
        loop {
            if self.pos >= self.end {
                self.error(
                    start,
                    start + 1,
                    "unterminated string",
                    "string starts here",
                );
                self.unterminated = true;
                break;
            }
            match (self.byte(self.pos), self.byte(self.pos + 1)) {
                (b'"', _) => {
                    self.pos += 1;
                    break;
                }
                (b'\\', _) => text.extend(self.escape()),
                (b'{', b'{') | (b'}', b'}') => {
                    text.push(self.byte(self.pos) as char);
                    self.pos += 2;
                }
                (b'{', _) => {
                    if !self.interpolation(&mut pieces, &mut text) {
                        break;
                    }
                }
                (b'}', _) => {
                    self.error(
                        self.pos,
                        self.pos + 1,
                        "unmatched `}` in string",
                        "write `}}` for a literal brace",
                    );
                    text.push('}');
                    self.pos += 1;
                }
                _ => {
                    let c = self.current_char();
                    text.push(c);
                    self.pos += c.len_utf8();
                    if c == '\n' {
                        self.record_line_start(Inside::Str { start });
                    }
                }
            }
        }
        flush_text(&mut pieces, &mut text);
        TokenKind::Str(pieces)
    }

    /// Adds the interpolation starting at the current `{`. Returns false when it
    /// never closes (reported; the rest of the input is consumed).
    fn interpolation(&mut self, pieces: &mut Vec<StrPiece>, text: &mut String) -> bool {
        let open = self.pos;
        let Some(found) = scan_interpolation(self.bytes, open + 1, self.end) else {
            self.error(
                open,
                open + 1,
                "unterminated interpolation",
                "this `{` is never closed",
            );
            if let Some(d) = self.diags.last_mut() {
                d.notes.push("write `{{` for a literal brace".to_string());
            }
            self.unterminated = true;
            self.pos = self.end;
            return false;
        };
        flush_text(pieces, text);
        let spec = found
            .spec
            .map(|(lo, hi)| self.src.get(lo..hi).unwrap_or("").to_string());
        pieces.push(StrPiece::Interp {
            expr: self.span(open + 1, found.expr_end),
            spec,
            span: self.span(open, found.close + 1),
        });
        self.pos = found.close + 1;
        true
    }
}

fn flush_text(pieces: &mut Vec<StrPiece>, text: &mut String) {
    if !text.is_empty() {
        pieces.push(StrPiece::Text(std::mem::take(text)));
    }
}

/// Where an interpolation that starts at `i` (just after its `{`) ends.
struct InterpEnd {
    /// Where the expression text ends: at the spec's `:` or the closing `}`.
    expr_end: usize,
    /// The spec's byte range, without the `:`.
    spec: Option<(usize, usize)>,
    /// The position of the closing `}`.
    close: usize,
}

/// What the interpolation scanner is inside of.
enum Frame {
    /// Expression text, with its bracket depth.
    Code(u32),
    /// A string literal nested in the expression.
    Str,
}

/// Finds the end of an interpolation, skipping brackets, nested string literals
/// (which may hold interpolations of their own) and char literals. Iterative, so
/// deep nesting cannot overflow the stack. `None` when it never closes.
fn scan_interpolation(bytes: &[u8], mut i: usize, end: usize) -> Option<InterpEnd> {
    let mut stack = vec![Frame::Code(0)];
    while i < end {
        let b = bytes[i];
        let top = stack.len() == 1;
        match stack.last_mut()? {
            Frame::Str => match b {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'{' if bytes.get(i + 1) == Some(&b'{') => i += 1,
                b'{' => stack.push(Frame::Code(0)),
                _ => {}
            },
            Frame::Code(depth) => match b {
                b'"' => stack.push(Frame::Str),
                b'\'' => {
                    i = skip_char_literal(bytes, i, end);
                    continue;
                }
                b'(' | b'[' | b'{' => *depth += 1,
                b')' | b']' => *depth = depth.saturating_sub(1),
                b'}' if *depth > 0 => *depth -= 1,
                b'}' if top => {
                    return Some(InterpEnd {
                        expr_end: i,
                        spec: None,
                        close: i,
                    })
                }
                b'}' => {
                    stack.pop();
                }
                b':' if *depth == 0 && top => {
                    let close = i + 1 + bytes[i + 1..end].iter().position(|b| *b == b'}')?;
                    return Some(InterpEnd {
                        expr_end: i,
                        spec: Some((i + 1, close)),
                        close,
                    });
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// Skips a char literal starting at the `'` at `i`; returns the position after it.
fn skip_char_literal(bytes: &[u8], i: usize, end: usize) -> usize {
    let mut j = i + 1;
    if j < end && bytes[j] == b'\\' {
        j += 2;
        while j < end && bytes[j] != b'\'' && bytes[j] != b'\n' {
            j += 1;
        }
    } else {
        // Skip one UTF-8 encoded char: a lead byte and its continuation bytes.
        j += 1;
        while j < end && (bytes[j] & 0xc0) == 0x80 {
            j += 1;
        }
    }
    if j < end && bytes[j] == b'\'' {
        j += 1;
    }
    j.min(end)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `c` can begin a token, whitespace or a comment.
fn starts_token(c: char) -> bool {
    if !c.is_ascii() {
        return false;
    }
    let b = c as u8;
    is_ident_start(b)
        || b.is_ascii_digit()
        || matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c | b'"' | b'\'' | b'/')
        || single_punct(b).is_some()
        || matches!(b, b'.' | b'<' | b'>' | b'-' | b'=' | b'!' | b'&' | b'|')
}

fn compound_assign(b: u8) -> Option<TokenKind> {
    use TokenKind::*;
    Some(match b {
        b'+' => PlusEq,
        b'-' => MinusEq,
        b'*' => StarEq,
        b'/' => SlashEq,
        b'%' => PercentEq,
        b'&' => AmpEq,
        b'|' => PipeEq,
        b'^' => CaretEq,
        _ => return None,
    })
}

fn single_punct(b: u8) -> Option<TokenKind> {
    use TokenKind::*;
    Some(match b {
        b'(' => LParen,
        b')' => RParen,
        b'[' => LBracket,
        b']' => RBracket,
        b'{' => LBrace,
        b'}' => RBrace,
        b',' => Comma,
        b';' => Semi,
        b':' => Colon,
        b'?' => Question,
        b'+' => Plus,
        b'-' => Minus,
        b'*' => Star,
        b'/' => Slash,
        b'%' => Percent,
        b'&' => Amp,
        b'|' => Pipe,
        b'^' => Caret,
        b'~' => Tilde,
        b'!' => Bang,
        b'<' => Lt,
        b'>' => Gt,
        b'=' => Eq,
        b'.' => Dot,
        _ => return None,
    })
}
