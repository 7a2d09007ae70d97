//! Reading the text form of MIR (the one [`crate::print`] writes) back into a
//! [`Program`], for the MIR file tests (`tests/mir/*.mir`) and for checking that
//! the text form is complete.
//!
//! `print(parse(print(p))) == print(p)` for every program (tested over every test
//! program). What the text leaves out is what only stack traces use: source spans
//! and the origins of inlined code; parsed MIR has default spans and no inline
//! frames. A `;` starts a comment that runs to the end of the line.
//!
//! The parser checks the syntax only: malformed MIR that is well-formed text (a
//! value defined twice or never, a branch with the wrong arguments, a block left
//! `<open>`) parses, so the verifier can be tested on it. It never panics; an error
//! is one [`ParseError`] at a line and column, `expected ...`. It runs in time
//! linear in the text: one pass of a lexer, one of a recursive-descent parser
//! without backtracking, and value tables whose total size is bounded by a
//! multiple of the text's length.

use crate::ir::*;
use crate::print::{
    binary_name, convert_name, float_cc_name, int_cc_name, overflow_name, unary_name,
};
use kiln_syntax::Span;
use std::collections::HashMap;
use std::fmt;

/// Why a text is not MIR: the position (1-based line and column, in characters)
/// and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a whole program: `main = fnN`, then globals, externs, strings, specs and
/// types (each numbered from 0 in order), then functions, whose [`FuncRef`]s are
/// their positions.
pub fn parse_program(text: &str) -> Result<Program, ParseError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        // Enough for printed MIR (whose value numbers stay below a small multiple
        // of its length, dead values included), and a bound on the work.
        value_budget: text.len().saturating_mul(64).saturating_add(1 << 16),
        runtime: kiln_runtime::symbols()
            .into_iter()
            .map(|s| (s.name, s.name))
            .collect(),
    };
    p.program()
}

// ---------------------------------------------------------------------------
// Tokens

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// `v3`, `block2`, `iconst`, `i64`, `NaN`, a runtime symbol.
    Ident,
    /// `12`, `-3`, `1.5e-7`, `0x7ff8000000000000`, `-inf`, `0.1` (a field path).
    Number,
    /// A quoted string, with its escapes decoded.
    Str(String),
    Punct(char),
    /// `->`
    Arrow,
    /// `<open>`, an unterminated block's terminator.
    Open,
    Eof,
}

#[derive(Clone, Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    line: u32,
    col: u32,
}

impl Token<'_> {
    fn describe(&self) -> String {
        match self.kind {
            Kind::Eof => "the end of the text".to_string(),
            _ => format!("`{}`", self.text),
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    at: usize,
    line: u32,
    col: u32,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut cs = self.text[self.at..].chars();
        cs.next();
        cs.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn error(&self, message: String) -> ParseError {
        ParseError {
            line: self.line,
            col: self.col,
            message,
        }
    }

    fn skip_blanks(&mut self) {
        while let Some(c) = self.peek() {
            if c == ';' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else if c.is_whitespace() {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn token(&mut self) -> Result<Token<'a>, ParseError> {
        self.skip_blanks();
        let (start, line, col) = (self.at, self.line, self.col);
        let kind = match self.peek() {
            None => Kind::Eof,
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                self.eat_while(|c| c.is_ascii_alphanumeric() || c == '_');
                Kind::Ident
            }
            Some('-') if self.peek2() == Some('>') => {
                self.bump();
                self.bump();
                Kind::Arrow
            }
            Some(c)
                if c.is_ascii_digit()
                    || (c == '-' && self.peek2().is_some_and(|d| d.is_ascii_alphanumeric())) =>
            {
                self.number();
                Kind::Number
            }
            Some('"') => Kind::Str(self.string()?),
            Some('<') if self.text[self.at..].starts_with("<open>") => {
                for _ in 0..6 {
                    self.bump();
                }
                Kind::Open
            }
            Some(c) if "(){}:,=.+".contains(c) => {
                self.bump();
                Kind::Punct(c)
            }
            Some(c) => return Err(self.error(format!("expected a token, found `{c}`"))),
        };
        Ok(Token {
            kind,
            text: &self.text[start..self.at],
            line,
            col,
        })
    }

    fn eat_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.bump();
        }
    }

    /// A number's characters; its meaning depends on where it stands. An exponent
    /// may have a sign (`1e-7`); a hexadecimal number has no exponent.
    fn number(&mut self) {
        let start = self.at;
        self.bump();
        loop {
            match self.peek() {
                Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                    self.bump();
                }
                Some('+' | '-') => {
                    let so_far = &self.text[start..self.at];
                    let hex = so_far.trim_start_matches('-').starts_with("0x");
                    if !hex && so_far.ends_with(['e', 'E']) {
                        self.bump();
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
    }

    /// A quoted string with Rust's `Debug` escapes, decoded.
    fn string(&mut self) -> Result<String, ParseError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => {
                    return Err(self.error("expected `\"` to end the string".to_string()))
                }
                Some('"') => return Ok(out),
                Some('\\') => out.push(self.escape()?),
                Some(c) => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, ParseError> {
        let c = match self.bump() {
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('0') => '\0',
            Some(c @ ('\\' | '"' | '\'')) => c,
            Some('u') if self.peek() == Some('{') => {
                self.bump();
                let start = self.at;
                self.eat_while(|c| c.is_ascii_hexdigit());
                let digits = &self.text[start..self.at];
                let code = u32::from_str_radix(digits, 16).ok().and_then(char::from_u32);
                match (code, self.bump()) {
                    (Some(c), Some('}')) => c,
                    _ => return Err(self.error("expected a `\\u{...}` character".to_string())),
                }
            }
            _ => {
                return Err(self.error(
                    "expected an escape (`\\n`, `\\r`, `\\t`, `\\0`, `\\\\`, `\\\"`, `\\'`, `\\u{...}`)"
                        .to_string(),
                ))
            }
        };
        Ok(c)
    }
}

fn lex(text: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let mut lexer = Lexer {
        text,
        at: 0,
        line: 1,
        col: 1,
    };
    let mut tokens = Vec::new();
    loop {
        let t = lexer.token()?;
        let end = t.kind == Kind::Eof;
        tokens.push(t);
        if end {
            return Ok(tokens);
        }
    }
}

// ---------------------------------------------------------------------------
// The parser

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    /// How many more value slots the functions still to come may use.
    value_budget: usize,
    /// The runtime's symbols, for the `&'static str` of `call_runtime`.
    runtime: HashMap<&'static str, &'static str>,
}

type Result<T, E = ParseError> = std::result::Result<T, E>;

/// A function's values while it is read: the type of each definition seen.
#[derive(Default)]
struct Values {
    types: Vec<Option<Type>>,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token<'a> {
        &self.tokens[self.pos]
    }

    fn next(&mut self) -> Token<'a> {
        let t = self.tokens[self.pos].clone();
        if t.kind != Kind::Eof {
            self.pos += 1;
        }
        t
    }

    fn error_at(&self, t: &Token<'_>, expected: &str) -> ParseError {
        ParseError {
            line: t.line,
            col: t.col,
            message: format!("expected {expected}, found {}", t.describe()),
        }
    }

    fn fail<T>(&self, expected: &str) -> Result<T> {
        Err(self.error_at(self.peek(), expected))
    }

    fn is_punct(&self, c: char) -> bool {
        self.peek().kind == Kind::Punct(c)
    }

    fn eat_punct(&mut self, c: char) -> bool {
        let found = self.is_punct(c);
        if found {
            self.next();
        }
        found
    }

    fn punct(&mut self, c: char) -> Result<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            self.fail(&format!("`{c}`"))
        }
    }

    fn is_word(&self, w: &str) -> bool {
        let t = self.peek();
        t.kind == Kind::Ident && t.text == w
    }

    fn eat_word(&mut self, w: &str) -> bool {
        let found = self.is_word(w);
        if found {
            self.next();
        }
        found
    }

    fn word(&mut self, w: &str) -> Result<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            self.fail(&format!("`{w}`"))
        }
    }

    fn ident(&mut self, what: &str) -> Result<&'a str> {
        match self.peek().kind {
            Kind::Ident => Ok(self.next().text),
            _ => self.fail(what),
        }
    }

    /// Whether the next token has the shape of an entity reference such as `v3`
    /// or `block2`.
    fn is_numbered(&self, prefix: &str) -> bool {
        let t = self.peek();
        let Some(digits) = t.text.strip_prefix(prefix) else {
            return false;
        };
        let canonical = digits == "0" || !digits.starts_with('0');
        t.kind == Kind::Ident
            && !digits.is_empty()
            && canonical
            && digits.bytes().all(|b| b.is_ascii_digit())
    }

    /// The number of the entity reference next, if it is one with this prefix.
    fn numbered(&self, prefix: &str) -> Option<u32> {
        match self.is_numbered(prefix) {
            true => self.peek().text[prefix.len()..].parse().ok(),
            false => None,
        }
    }

    fn entity(&mut self, prefix: &str) -> Result<u32> {
        match self.numbered(prefix) {
            Some(n) => {
                self.next();
                Ok(n)
            }
            None if self.is_numbered(prefix) => {
                self.fail(&format!("`{prefix}N` with `N` below 2^32"))
            }
            None => self.fail(&format!("`{prefix}N`")),
        }
    }

    /// `prefixN` where `N` must be `count` (declarations come in order).
    fn declared(&mut self, prefix: &str, count: usize) -> Result<()> {
        match self.numbered(prefix) {
            Some(n) if n as usize == count => {
                self.next();
                Ok(())
            }
            _ => self.fail(&format!("`{prefix}{count}`")),
        }
    }

    fn number<T: std::str::FromStr>(&mut self, what: &str) -> Result<T> {
        let t = self.peek();
        match t.kind {
            Kind::Number => match t.text.parse() {
                Ok(n) => {
                    self.next();
                    Ok(n)
                }
                Err(_) => self.fail(what),
            },
            _ => self.fail(what),
        }
    }

    fn string(&mut self, what: &str) -> Result<String> {
        match &self.peek().kind {
            Kind::Str(s) => {
                let s = s.clone();
                self.next();
                Ok(s)
            }
            _ => self.fail(what),
        }
    }

    /// A name in a descriptor: an identifier, or a quoted string.
    fn name(&mut self) -> Result<String> {
        match &self.peek().kind {
            Kind::Ident => Ok(self.next().text.to_string()),
            Kind::Str(_) => self.string("a name"),
            _ => self.fail("a name"),
        }
    }

    fn ty(&mut self) -> Result<Type> {
        let t = match self.peek().text {
            "i8" => Type::I8,
            "i16" => Type::I16,
            "i32" => Type::I32,
            "i64" => Type::I64,
            "f32" => Type::F32,
            "f64" => Type::F64,
            "ptr" => Type::Ptr,
            _ => return self.fail("a type (`i8`, `i16`, `i32`, `i64`, `f32`, `f64`, `ptr`)"),
        };
        if self.peek().kind != Kind::Ident {
            return self.fail("a type");
        }
        self.next();
        Ok(t)
    }

    /// `(i64, f64) -> i8`, the arrow and result optional.
    fn signature(&mut self) -> Result<(Vec<Type>, Option<Type>)> {
        self.punct('(')?;
        let params = self.list(')', Self::ty)?;
        let ret = match self.peek().kind {
            Kind::Arrow => {
                self.next();
                Some(self.ty()?)
            }
            _ => None,
        };
        Ok((params, ret))
    }

    /// Items separated by commas up to `close` (which it consumes), the opening
    /// bracket already read.
    fn list<T>(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut items = Vec::new();
        if self.eat_punct(close) {
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            if self.eat_punct(close) {
                return Ok(items);
            }
            if !self.eat_punct(',') {
                return self.fail(&format!("`,` or `{close}`"));
            }
        }
    }

    // --- the program ---

    fn program(&mut self) -> Result<Program> {
        let mut p = Program::default();
        if self.eat_word("main") {
            self.punct('=')?;
            p.main = Some(FuncRef(self.entity("fn")?));
        }
        loop {
            let t = self.peek();
            if t.kind == Kind::Eof {
                return Ok(p);
            }
            if self.eat_word("global") {
                let g = self.global(p.globals.len())?;
                p.globals.push(g);
            } else if self.eat_word("extern") {
                let e = self.extern_decl(p.externs.len())?;
                p.externs.push(e);
            } else if self.is_numbered("str") {
                self.declared("str", p.strings.len())?;
                self.punct('=')?;
                p.strings.push(self.string("a string")?);
            } else if self.is_numbered("spec") {
                self.declared("spec", p.specs.len())?;
                self.punct('=')?;
                p.specs.push(self.string("a format spec string")?);
            } else if self.is_numbered("type") {
                self.declared("type", p.types.len())?;
                self.punct('=')?;
                p.types.push(self.type_info()?);
            } else if self.eat_word("fn") {
                p.funcs.push(self.func()?);
            } else {
                return self.fail(
                    "`main`, `global`, `extern`, `strN`, `specN`, `typeN` or `fn` at the top level",
                );
            }
        }
    }

    /// `g0 "name": i64 = 5` (the bits of a float as hex: `= 0x3ff0000000000000`).
    fn global(&mut self, count: usize) -> Result<Global> {
        self.declared("g", count)?;
        let name = self.string("the global's name, quoted")?;
        self.punct(':')?;
        let ty = self.ty()?;
        let mut init = 0;
        if self.eat_punct('=') {
            let t = self.peek();
            let hex = t
                .text
                .strip_prefix("0x")
                .map(|h| u64::from_str_radix(h, 16));
            init = match (t.kind.clone(), hex) {
                (Kind::Number, Some(Ok(bits))) => bits,
                (Kind::Number, None) => match t.text.parse::<i64>() {
                    Ok(n) => n as u64,
                    Err(_) => return self.fail("the global's initial bits"),
                },
                _ => return self.fail("the global's initial bits"),
            };
            self.next();
        }
        Ok(Global { name, ty, init })
    }

    /// `ext0 = symbol(i64) -> i64`
    fn extern_decl(&mut self, count: usize) -> Result<Extern> {
        self.declared("ext", count)?;
        self.punct('=')?;
        let symbol = self.ident("the C function's name")?.to_string();
        let (params, ret) = self.signature()?;
        Ok(Extern {
            symbol,
            params,
            ret,
            span: Span::default(),
        })
    }

    fn type_ref(&mut self) -> Result<TypeRef> {
        Ok(TypeRef(self.entity("type")?))
    }

    /// A descriptor's type, in the form `print::type_info` writes.
    fn type_info(&mut self) -> Result<TypeInfo> {
        let kind = self.ident("a kind of type")?;
        let info = match kind {
            "scalar" => TypeInfo::Scalar(self.number("a scalar kind number")?),
            "str" => TypeInfo::Str,
            "array" => TypeInfo::Array(self.type_ref()?),
            "map" => {
                let k = self.type_ref()?;
                self.punct(',')?;
                TypeInfo::Map(k, self.type_ref()?)
            }
            "tuple" => {
                self.punct('(')?;
                TypeInfo::Tuple(self.list(')', Self::type_ref)?)
            }
            "struct" => {
                let name = self.name()?;
                self.punct('{')?;
                let fields = self.list('}', Self::field)?;
                TypeInfo::Struct { name, fields }
            }
            "enum" => {
                let name = self.name()?;
                self.punct('{')?;
                let variants = self.list('}', Self::variant)?;
                TypeInfo::Enum { name, variants }
            }
            "closure" => {
                let name = self.name()?;
                self.punct('(')?;
                let captures = self.list(')', Self::type_ref)?;
                TypeInfo::Closure { name, captures }
            }
            "generator" => {
                let name = self.name()?;
                self.punct('(')?;
                let params = self.list(')', Self::type_ref)?;
                self.word("frame")?;
                let frame_slots = self.number("the number of frame slots")?;
                TypeInfo::Generator {
                    name,
                    params,
                    frame_slots,
                }
            }
            _ => {
                self.pos -= 1;
                return self.fail(
                    "`scalar`, `str`, `array`, `map`, `tuple`, `struct`, `enum`, `closure` or `generator`",
                );
            }
        };
        Ok(info)
    }

    /// `name: typeN`, or `typeN` for a positional field.
    fn field(&mut self) -> Result<(String, TypeRef)> {
        let t = self.peek();
        let colon_next =
            |p: &Self| p.tokens.get(p.pos + 1).map(|t| &t.kind) == Some(&Kind::Punct(':'));
        let named = matches!(t.kind, Kind::Str(_)) || (t.kind == Kind::Ident && colon_next(self));
        if named {
            let name = self.name()?;
            self.punct(':')?;
            Ok((name, self.type_ref()?))
        } else {
            Ok((String::new(), self.type_ref()?))
        }
    }

    /// `Name`, `Name(fields)` or, printing labelled, `Name{fields}`.
    fn variant(&mut self) -> Result<VariantInfo> {
        let name = self.name()?;
        if self.eat_punct('{') {
            Ok((name, true, self.list('}', Self::field)?))
        } else if self.eat_punct('(') {
            Ok((name, false, self.list(')', Self::field)?))
        } else {
            Ok((name, false, Vec::new()))
        }
    }

    // --- functions ---

    /// `fn "name"(i64) -> i64 { blocks }`, the `fn` already read.
    fn func(&mut self) -> Result<Func> {
        let name = self.string("the function's name, quoted")?;
        let (params, ret) = self.signature()?;
        self.punct('{')?;
        let mut values = Values::default();
        let mut blocks = Vec::new();
        while !self.eat_punct('}') {
            blocks.push(self.block(blocks.len(), &mut values)?);
        }
        if blocks.is_empty() {
            self.pos -= 1;
            return self.fail("`block0`");
        }
        Ok(Func {
            name,
            params,
            ret,
            blocks,
            // A value used but never defined is given a type so that the verifier
            // can report it rather than anything indexing out of bounds.
            values: values
                .types
                .into_iter()
                .map(|t| t.unwrap_or(Type::I64))
                .collect(),
            span: Span::default(),
            inlines: Vec::new(),
        })
    }

    /// `blockN(v0: i64) cold:` (or `blockN:`) and its instructions, up to its terminator.
    fn block(&mut self, count: usize, values: &mut Values) -> Result<BlockData> {
        self.declared("block", count)?;
        // The printer always writes the parentheses; a test may leave them out.
        let params = match self.eat_punct('(') {
            true => self.list(')', |p| p.typed_value(values))?,
            false => Vec::new(),
        };
        let cold = self.eat_word("cold");
        self.punct(':')?;
        let mut insts = Vec::new();
        loop {
            if let Some(term) = self.terminator(values)? {
                return Ok(BlockData {
                    params,
                    insts,
                    term,
                    cold,
                });
            }
            insts.push(self.inst(values)?);
        }
    }

    /// `v3: i64`, a definition.
    fn typed_value(&mut self, values: &mut Values) -> Result<Value> {
        let v = self.value(values)?;
        self.punct(':')?;
        let ty = self.ty()?;
        let slot = &mut values.types[v.index()];
        slot.get_or_insert(ty);
        Ok(v)
    }

    /// `v3`, a use or a definition: makes room for it in the function's values.
    fn value(&mut self, values: &mut Values) -> Result<Value> {
        let start = self.pos;
        let n = self.entity("v")?;
        let need = n as usize + 1;
        if need > values.types.len() {
            let more = need - values.types.len();
            if more > self.value_budget {
                self.pos = start;
                return self.fail("a value number no larger than a text this long uses");
            }
            self.value_budget -= more;
            values.types.resize(need, None);
        }
        Ok(Value(n))
    }

    fn args(&mut self, values: &mut Values) -> Result<Vec<Value>> {
        self.punct('(')?;
        self.list(')', |p| p.value(values))
    }

    fn two(&mut self, values: &mut Values) -> Result<(Value, Value)> {
        let a = self.value(values)?;
        self.punct(',')?;
        Ok((a, self.value(values)?))
    }

    /// `blockN` with its arguments, if any: `block2(v1, v3)`.
    fn target(&mut self, values: &mut Values) -> Result<Target> {
        let block = Block(self.entity("block")?);
        let args = if self.is_punct('(') {
            self.args(values)?
        } else {
            Vec::new()
        };
        Ok(Target { block, args })
    }

    /// The block's terminator, if that is what comes next.
    fn terminator(&mut self, values: &mut Values) -> Result<Option<Terminator>> {
        if self.peek().kind == Kind::Open {
            self.next();
            return Ok(Some(Terminator::Open));
        }
        if self.peek().kind != Kind::Ident {
            return Ok(None);
        }
        let term = match self.peek().text {
            "jump" => {
                self.next();
                Terminator::Jump(self.target(values)?)
            }
            "brif" => {
                self.next();
                let cond = self.value(values)?;
                self.punct(',')?;
                let then = self.target(values)?;
                self.punct(',')?;
                let otherwise = self.target(values)?;
                Terminator::Branch {
                    cond,
                    then,
                    otherwise,
                }
            }
            "return" => {
                self.next();
                match self.is_numbered("v") {
                    true => Terminator::Return(Some(self.value(values)?)),
                    false => Terminator::Return(None),
                }
            }
            "panic" => {
                self.next();
                Terminator::Panic {
                    kind: self.number("a panic kind number")?,
                    span: Span::default(),
                    inlined: None,
                }
            }
            "unreachable" => {
                self.next();
                Terminator::Unreachable
            }
            "yield" => {
                self.next();
                let value = match self.is_punct(',') {
                    true => None,
                    false => Some(self.value(values)?),
                };
                self.punct(',')?;
                let resume = self.target(values)?;
                self.punct(',')?;
                let cancel = self.target(values)?;
                Terminator::Yield {
                    value,
                    resume,
                    cancel,
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(term))
    }

    /// `v1: i64, v2: i8 = op operands`, or an instruction without results.
    fn inst(&mut self, values: &mut Values) -> Result<Inst> {
        let mut results = Vec::new();
        if self.is_numbered("v") {
            loop {
                results.push(self.typed_value(values)?);
                if !self.eat_punct(',') {
                    break;
                }
            }
            self.punct('=')?;
        }
        let kind = self.inst_kind(values)?;
        Ok(Inst {
            kind,
            results,
            span: Span::default(),
            inlined: None,
        })
    }

    fn inst_kind(&mut self, values: &mut Values) -> Result<InstKind> {
        let op = match self.peek().kind {
            Kind::Ident => self.next().text,
            _ => return self.fail("an instruction or a terminator"),
        };
        if let Some(op) = find(&BINARY_OPS, binary_name, op) {
            let (a, b) = self.two(values)?;
            return Ok(InstKind::Binary(op, a, b));
        }
        if let Some(op) = find(&OVERFLOW_OPS, overflow_name, op) {
            let (a, b) = self.two(values)?;
            return Ok(InstKind::Overflow(op, a, b));
        }
        if let Some(op) = find(&UNARY_OPS, unary_name, op) {
            return Ok(InstKind::Unary(op, self.value(values)?));
        }
        if let Some(op) = find(&CONVERT_OPS, convert_name, op) {
            return Ok(InstKind::Convert(op, self.value(values)?));
        }
        let kind = match op {
            "iconst" => InstKind::Iconst(self.number("an integer")?),
            "fconst" => InstKind::Fconst(self.float()?),
            "str" => InstKind::Str(StrRef(self.entity("str")?)),
            "spec" => InstKind::Spec(SpecRef(self.entity("spec")?)),
            "null" => InstKind::Null,
            "icmp" => {
                let cc = self.ident("a condition")?;
                let Some(cc) = find(&INT_CCS, int_cc_name, cc) else {
                    self.pos -= 1;
                    return self.fail("an integer condition (`eq`, `ne`, `slt`, ..., `uge`)");
                };
                let (a, b) = self.two(values)?;
                InstKind::Icmp(cc, a, b)
            }
            "fcmp" => {
                let cc = self.ident("a condition")?;
                let Some(cc) = find(&FLOAT_CCS, float_cc_name, cc) else {
                    self.pos -= 1;
                    return self
                        .fail("a float condition (`eq`, `ne`, `lt`, `le`, `gt`, `ge`, `uno`)");
                };
                let (a, b) = self.two(values)?;
                InstKind::Fcmp(cc, a, b)
            }
            "select" => {
                let c = self.value(values)?;
                self.punct(',')?;
                let (a, b) = self.two(values)?;
                InstKind::Select(c, a, b)
            }
            "call" => {
                let f = FuncRef(self.entity("fn")?);
                InstKind::Call(f, self.args(values)?)
            }
            "call_indirect" => {
                let code = self.value(values)?;
                InstKind::CallIndirect {
                    code,
                    args: self.args(values)?,
                }
            }
            "func_addr" => InstKind::FuncAddr(FuncRef(self.entity("fn")?)),
            "call_runtime" => {
                let name = self.ident("a runtime function")?;
                let Some(&symbol) = self.runtime.get(name) else {
                    self.pos -= 1;
                    return self.fail("a runtime function");
                };
                let args = self.args(values)?;
                let site = self.eat_word("with");
                if site {
                    self.word("site")?;
                }
                InstKind::CallRuntime { symbol, args, site }
            }
            "call_extern" => {
                let e = ExternRef(self.entity("ext")?);
                InstKind::CallExtern(e, self.args(values)?)
            }
            "global_load" => InstKind::GlobalLoad(GlobalRef(self.entity("g")?)),
            "global_store" => {
                let g = GlobalRef(self.entity("g")?);
                self.punct(',')?;
                InstKind::GlobalStore(g, self.value(values)?)
            }
            "desc" => InstKind::Desc(self.type_ref()?),
            "get_field" => {
                let (ty, variant, index) = self.field_path()?;
                let obj = self.value(values)?;
                InstKind::GetField {
                    ty,
                    variant,
                    index,
                    obj,
                }
            }
            "set_field" => {
                let (ty, variant, index) = self.field_path()?;
                let (obj, value) = self.two(values)?;
                InstKind::SetField {
                    ty,
                    variant,
                    index,
                    obj,
                    value,
                }
            }
            "load" => {
                let (base, offset) = self.address(values)?;
                InstKind::Load { base, offset }
            }
            "store" => {
                let (base, offset) = self.address(values)?;
                self.punct(',')?;
                let value = self.value(values)?;
                InstKind::Store {
                    base,
                    offset,
                    value,
                }
            }
            "retain" => InstKind::Retain(self.value(values)?),
            "release" => InstKind::Release(self.value(values)?),
            _ => {
                self.pos -= 1;
                return self.fail("an instruction or a terminator");
            }
        };
        Ok(kind)
    }

    /// A float constant as `print` writes it: Rust's text of an `f64` (`1.5`,
    /// `-0.0`, `1e-7`, `inf`, `NaN`), or `NaN:0x...` for a NaN with other bits.
    fn float(&mut self) -> Result<f64> {
        let t = self.peek().clone();
        if t.kind == Kind::Ident
            && t.text == "NaN"
            && self.tokens[self.pos + 1].kind == Kind::Punct(':')
        {
            self.next();
            self.next();
            let t = self.peek();
            let bits = t
                .text
                .strip_prefix("0x")
                .map(|h| u64::from_str_radix(h, 16));
            return match bits {
                Some(Ok(bits)) if t.kind == Kind::Number => {
                    self.next();
                    Ok(f64::from_bits(bits))
                }
                _ => self.fail("the bits of a NaN (`0x...`)"),
            };
        }
        let is_word = t.kind == Kind::Ident && matches!(t.text, "NaN" | "inf");
        let parsed = match (t.kind == Kind::Number || is_word, t.text.parse::<f64>()) {
            (true, Ok(x)) if !t.text.starts_with("0x") => x,
            _ => return self.fail("a float"),
        };
        self.next();
        Ok(parsed)
    }

    /// `type3.1` (field 1) or `type3.0.2` (field 2 of variant 0).
    fn field_path(&mut self) -> Result<(TypeRef, Option<u32>, u32)> {
        let ty = self.type_ref()?;
        self.punct('.')?;
        let t = self.peek();
        let parts: Vec<Option<u32>> = t.text.split('.').map(|p| p.parse().ok()).collect();
        let path = match (&t.kind, parts.as_slice()) {
            (Kind::Number, [Some(i)]) => (ty, None, *i),
            (Kind::Number, [Some(v), Some(i)]) => (ty, Some(*v), *i),
            _ => return self.fail("a field number, or a variant and field number (`0.2`)"),
        };
        self.next();
        Ok(path)
    }

    /// `v3+16`, `v3+-8`.
    fn address(&mut self, values: &mut Values) -> Result<(Value, i32)> {
        let base = self.value(values)?;
        self.punct('+')?;
        Ok((base, self.number("an offset")?))
    }
}

/// The operator whose printed name is `name`.
fn find<T: Copy>(all: &[T], name_of: fn(T) -> &'static str, name: &str) -> Option<T> {
    all.iter().copied().find(|&op| name_of(op) == name)
}

const BINARY_OPS: [BinaryOp; 19] = {
    use BinaryOp::*;
    [
        Iadd, Isub, Imul, Sdiv, Udiv, Srem, Urem, Band, Bor, Bxor, Ishl, Sshr, Ushr, Fadd, Fsub,
        Fmul, Fdiv, Fmin, Fmax,
    ]
};

const OVERFLOW_OPS: [OverflowOp; 6] = {
    use OverflowOp::*;
    [Sadd, Uadd, Ssub, Usub, Smul, Umul]
};

const UNARY_OPS: [UnaryOp; 8] = {
    use UnaryOp::*;
    [Ineg, Fneg, Bnot, Fabs, Sqrt, Floor, Ceil, Trunc]
};

const CONVERT_OPS: [ConvertOp; 9] = {
    use ConvertOp::*;
    [
        Sext, Uext, Trunc, FtoSsat, FtoUsat, StoF, UtoF, Fconv, Bitcast,
    ]
};

const INT_CCS: [IntCC; 10] = {
    use IntCC::*;
    [Eq, Ne, Slt, Sle, Sgt, Sge, Ult, Ule, Ugt, Uge]
};

const FLOAT_CCS: [FloatCC; 7] = {
    use FloatCC::*;
    [Eq, Ne, Lt, Le, Gt, Ge, Uno]
};

#[cfg(test)]
mod tests {
    use super::parse_program;
    use crate::print::print_program;

    /// Every instruction and terminator, every operator, condition and type.
    const EVERY_FORM: &str = r#"main = fn0
global g0 "count": i64 = -1
global g1 "pi": f64 = 0x400921fb54442d18
global g2 "<result>": ptr
extern ext0 = hypot(f64, f64) -> f64
extern ext1 = srand(i32)
str0 = "a \"quoted\" line\n\ttab \\ \u{1b} ü"
spec0 = ">8.2"
type0 = scalar 5
type1 = str
type2 = array type0
type3 = map type1, type2
type4 = tuple(type0, type1)
type5 = struct Point {x: type0, y: type0}
type6 = enum "Shape<int>" {Circle(type0), Rect{w: type0, "h x": type0}, Empty, Pair(type0, type1)}
type7 = closure ""(type0, type1)
type8 = generator counter(type0) frame 3
type9 = struct Unit {}

fn "<main>"() {
block0():
    return
}

fn "every"(i64, f64, ptr) -> i64 {
block0(v0: i64, v1: f64, v2: ptr):
    v3: i64 = iconst -9223372036854775808
    v4: f64 = fconst -0.0
    v5: f64 = fconst 1e-7
    v6: f64 = fconst inf
    v7: f64 = fconst -inf
    v8: f64 = fconst NaN
    v9: f64 = fconst NaN:0xfff8000000000001
    v10: f32 = fconst 1.5
    v11: ptr = str str0
    v12: ptr = spec spec0
    v13: ptr = null
    v14: i64 = iadd v0, v3
    v15: i64 = isub v0, v3
    v16: i64 = imul v0, v3
    v17: i64 = sdiv v0, v3
    v18: i64 = udiv v0, v3
    v19: i64 = srem v0, v3
    v20: i64 = urem v0, v3
    v21: i64 = band v0, v3
    v22: i64 = bor v0, v3
    v23: i64 = bxor v0, v3
    v24: i64 = ishl v0, v3
    v25: i64 = sshr v0, v3
    v26: i64 = ushr v0, v3
    v27: f64 = fadd v1, v4
    v28: f64 = fsub v1, v4
    v29: f64 = fmul v1, v4
    v30: f64 = fdiv v1, v4
    v31: f64 = fmin v1, v4
    v32: f64 = fmax v1, v4
    v33: i64, v34: i8 = sadd_overflow v0, v3
    v35: i64, v36: i8 = uadd_overflow v0, v3
    v37: i64, v38: i8 = ssub_overflow v0, v3
    v39: i64, v40: i8 = usub_overflow v0, v3
    v41: i64, v42: i8 = smul_overflow v0, v3
    v43: i64, v44: i8 = umul_overflow v0, v3
    v45: i64 = ineg v0
    v46: f64 = fneg v1
    v47: i64 = bnot v0
    v48: f64 = fabs v1
    v49: f64 = sqrt v1
    v50: f64 = floor v1
    v51: f64 = ceil v1
    v52: f64 = trunc v1
    v53: i8 = icmp eq v0, v3
    v54: i8 = icmp ne v0, v3
    v55: i8 = icmp slt v0, v3
    v56: i8 = icmp sle v0, v3
    v57: i8 = icmp sgt v0, v3
    v58: i8 = icmp sge v0, v3
    v59: i8 = icmp ult v0, v3
    v60: i8 = icmp ule v0, v3
    v61: i8 = icmp ugt v0, v3
    v62: i8 = icmp uge v0, v3
    v63: i8 = fcmp eq v1, v4
    v64: i8 = fcmp ne v1, v4
    v65: i8 = fcmp lt v1, v4
    v66: i8 = fcmp le v1, v4
    v67: i8 = fcmp gt v1, v4
    v68: i8 = fcmp ge v1, v4
    v69: i8 = fcmp uno v1, v4
    v70: i32 = ireduce v0
    v71: i64 = sext v70
    v72: i64 = uext v70
    v73: i64 = ftossat v1
    v74: i64 = ftousat v1
    v75: f64 = stof v0
    v76: f64 = utof v0
    v77: f32 = fconv v1
    v78: i64 = bitcast v1
    v79: i64 = select v53, v0, v3
    v80: i64 = call fn1(v0, v1, v2)
    v81: ptr = func_addr fn1
    v82: i64 = call_indirect v81(v0, v1, v2)
    v83: i64 = call_runtime kiln_str_len(v11)
    v84: ptr = call_runtime kiln_str_concat(v11, v11) with site
    v85: f64 = call_extern ext0(v1, v1)
    call_extern ext1(v70)
    v86: i64 = global_load g0
    global_store g0, v86
    v87: ptr = desc type5
    v88: i64 = get_field type5.1 v2
    v89: i64 = get_field type6.1.0 v2
    set_field type5.0 v2, v0
    set_field type6.0.0 v2, v0
    v90: i64 = load v2+16
    store v2+-8, v0
    retain v2
    release v2
    brif v53, block1(v0), block2
block1(v91: i64):
    jump block3(v91, v1)
block2() cold:
    panic 3
block3(v92: i64, v93: f64):
    return v92
block4() cold:
    unreachable
block5():
    yield v0, block1(v0), block2
block6():
    yield, block3(v0, v1), block2
block7():
    <open>
}
"#;

    #[test]
    fn every_form_reads_back_as_it_was_written() {
        let p = parse_program(EVERY_FORM).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(print_program(&p), EVERY_FORM);
    }

    fn error(text: &str) -> String {
        match parse_program(text) {
            Ok(_) => panic!("parsed: {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        assert_eq!(
            error("fn \"f\"() {\nblock0:\n    v1: i64 = iadd v0\n    return\n}\n"),
            "4:5: expected `,`, found `return`"
        );
        assert_eq!(
            error("fn \"f\"() {\nblock0:\n    v1: i65 = iconst 1\n}"),
            "3:9: expected a type (`i8`, `i16`, `i32`, `i64`, `f32`, `f64`, `ptr`), found `i65`"
        );
        assert_eq!(
            error("fn \"f\"() {\nblock1:\n    return\n}"),
            "2:1: expected `block0`, found `block1`"
        );
        assert_eq!(
            error("fn \"f\"() {\nblock0:\n    frob v1\n}"),
            "3:5: expected an instruction or a terminator, found `frob`"
        );
        assert_eq!(
            error("fn \"f\"() {\nblock0:\n    v1: i64 = iconst 1"),
            "3:23: expected an instruction or a terminator, found the end of the text"
        );
        assert_eq!(
            error("str0 = \"abc"),
            "1:12: expected `\"` to end the string"
        );
        assert_eq!(
            error("global g1 \"x\": i64"),
            "1:8: expected `g0`, found `g1`"
        );
        assert_eq!(
            error("fn \"f\"() {\nblock0:\n    call_runtime no_such(v1)\n    return\n}"),
            "3:18: expected a runtime function, found `no_such`"
        );
        assert_eq!(
            error("fn \"f\"() {\nblock0:\n    v99999999999: i64 = iconst 1\n}"),
            "3:5: expected `vN` with `N` below 2^32, found `v99999999999`"
        );
        assert_eq!(
            error("fn \"f\"() {\nblock0:\n    v4000000000: i64 = iconst 1\n}"),
            "3:5: expected a value number no larger than a text this long uses, found `v4000000000`"
        );
    }

    #[test]
    fn malformed_mir_in_well_formed_text_parses() {
        let text = "fn \"f\"(i64) -> i64 {\nblock0(v0: i64, v0: i8):\n    v1: i64 = iadd v5, v0\n    jump block9(v1)\nblock1:\n    <open>\n}\n";
        let p = parse_program(text).unwrap_or_else(|e| panic!("{e}"));
        let printed = text
            .replace("v0: i8", "v0: i64")
            .replace("block1:", "block1():");
        assert_eq!(print_program(&p), printed);
    }

    #[test]
    fn no_prefix_of_a_program_panics() {
        for end in (0..EVERY_FORM.len()).filter(|&i| EVERY_FORM.is_char_boundary(i)) {
            let _ = parse_program(&EVERY_FORM[..end]);
        }
    }
}
