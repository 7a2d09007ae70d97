//! Tokens: what the lexer produces and the parser consumes.
//!
//! A [`Token`] is a [`TokenKind`] plus the [`Span`] of its source text. Literal
//! tokens carry their decoded values; a string token carries its pieces, with each
//! interpolation kept as a byte range for the parser to lex and parse again. This
//! module only describes tokens: it must never look at source text beyond what a
//! caller hands it, and it must never decide grammar questions.

use crate::span::Span;

/// One token with its source span.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// One piece of a string literal token.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPiece {
    /// Literal text with escapes processed and `{{`/`}}` turned into braces.
    Text(String),
    /// `{expr}` or `{expr:spec}`. `expr` is the byte range of the expression text
    /// (between the `{` and the `:` or `}`), `spec` the text after the `:` as
    /// written, and `span` the whole interpolation including its braces.
    Interp {
        expr: Span,
        spec: Option<String>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    // Names and literals.
    Ident(String),
    Int(u64),
    Float(f64),
    Char(char),
    Str(Vec<StrPiece>),

    // Keywords.
    Fn,
    Let,
    Var,
    If,
    Else,
    While,
    For,
    In,
    Loop,
    Break,
    Continue,
    Return,
    Match,
    Struct,
    Enum,
    Impl,
    Import,
    Type,
    Yield,
    As,
    True,
    False,
    Test,

    // Delimiters and punctuation.
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Colon,
    Dot,
    DotDot,
    DotDotEq,
    Arrow,
    FatArrow,
    Question,

    // Operators.
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Amp,
    Pipe,
    Caret,
    Tilde,
    Bang,
    Shl,
    Shr,
    AmpAmp,
    PipePipe,
    EqEq,
    BangEq,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    PlusEq,
    MinusEq,
    StarEq,
    SlashEq,
    PercentEq,
    AmpEq,
    PipeEq,
    CaretEq,
    ShlEq,
    ShrEq,

    /// A newline that ends a statement (see LANGUAGE.md §1).
    Newline,
    /// Always the last token.
    Eof,
}

impl TokenKind {
    /// The keyword spelled `word`, if it is one.
    pub fn keyword(word: &str) -> Option<TokenKind> {
        use TokenKind::*;
        Some(match word {
            "fn" => Fn,
            "let" => Let,
            "var" => Var,
            "if" => If,
            "else" => Else,
            "while" => While,
            "for" => For,
            "in" => In,
            "loop" => Loop,
            "break" => Break,
            "continue" => Continue,
            "return" => Return,
            "match" => Match,
            "struct" => Struct,
            "enum" => Enum,
            "impl" => Impl,
            "import" => Import,
            "type" => Type,
            "yield" => Yield,
            "as" => As,
            "true" => True,
            "false" => False,
            "test" => Test,
            _ => return None,
        })
    }

    /// A short upper-case name for token dumps: `IDENT`, `INT`, `LPAREN`, `FN`, ...
    pub fn name(&self) -> &'static str {
        use TokenKind::*;
        match self {
            Ident(_) => "IDENT",
            Int(_) => "INT",
            Float(_) => "FLOAT",
            Char(_) => "CHAR",
            Str(_) => "STR",
            Fn => "FN",
            Let => "LET",
            Var => "VAR",
            If => "IF",
            Else => "ELSE",
            While => "WHILE",
            For => "FOR",
            In => "IN",
            Loop => "LOOP",
            Break => "BREAK",
            Continue => "CONTINUE",
            Return => "RETURN",
            Match => "MATCH",
            Struct => "STRUCT",
            Enum => "ENUM",
            Impl => "IMPL",
            Import => "IMPORT",
            Type => "TYPE",
            Yield => "YIELD",
            As => "AS",
            True => "TRUE",
            False => "FALSE",
            Test => "TEST",
            LParen => "LPAREN",
            RParen => "RPAREN",
            LBracket => "LBRACKET",
            RBracket => "RBRACKET",
            LBrace => "LBRACE",
            RBrace => "RBRACE",
            Comma => "COMMA",
            Semi => "SEMI",
            Colon => "COLON",
            Dot => "DOT",
            DotDot => "DOTDOT",
            DotDotEq => "DOTDOTEQ",
            Arrow => "ARROW",
            FatArrow => "FATARROW",
            Question => "QUESTION",
            Plus => "PLUS",
            Minus => "MINUS",
            Star => "STAR",
            Slash => "SLASH",
            Percent => "PERCENT",
            Amp => "AMP",
            Pipe => "PIPE",
            Caret => "CARET",
            Tilde => "TILDE",
            Bang => "BANG",
            Shl => "SHL",
            Shr => "SHR",
            AmpAmp => "AMPAMP",
            PipePipe => "PIPEPIPE",
            EqEq => "EQEQ",
            BangEq => "BANGEQ",
            Lt => "LT",
            Le => "LE",
            Gt => "GT",
            Ge => "GE",
            Eq => "EQ",
            PlusEq => "PLUSEQ",
            MinusEq => "MINUSEQ",
            StarEq => "STAREQ",
            SlashEq => "SLASHEQ",
            PercentEq => "PERCENTEQ",
            AmpEq => "AMPEQ",
            PipeEq => "PIPEEQ",
            CaretEq => "CARETEQ",
            ShlEq => "SHLEQ",
            ShrEq => "SHREQ",
            Newline => "NEWLINE",
            Eof => "EOF",
        }
    }

    /// The fixed spelling of a keyword or punctuation token; `None` for names,
    /// literals, newlines and the end of input.
    pub fn spelling(&self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            Ident(_) | Int(_) | Float(_) | Char(_) | Str(_) | Newline | Eof => return None,
            Fn => "fn",
            Let => "let",
            Var => "var",
            If => "if",
            Else => "else",
            While => "while",
            For => "for",
            In => "in",
            Loop => "loop",
            Break => "break",
            Continue => "continue",
            Return => "return",
            Match => "match",
            Struct => "struct",
            Enum => "enum",
            Impl => "impl",
            Import => "import",
            Type => "type",
            Yield => "yield",
            As => "as",
            True => "true",
            False => "false",
            Test => "test",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            Comma => ",",
            Semi => ";",
            Colon => ":",
            Dot => ".",
            DotDot => "..",
            DotDotEq => "..=",
            Arrow => "->",
            FatArrow => "=>",
            Question => "?",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            Amp => "&",
            Pipe => "|",
            Caret => "^",
            Tilde => "~",
            Bang => "!",
            Shl => "<<",
            Shr => ">>",
            AmpAmp => "&&",
            PipePipe => "||",
            EqEq => "==",
            BangEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Eq => "=",
            PlusEq => "+=",
            MinusEq => "-=",
            StarEq => "*=",
            SlashEq => "/=",
            PercentEq => "%=",
            AmpEq => "&=",
            PipeEq => "|=",
            CaretEq => "^=",
            ShlEq => "<<=",
            ShrEq => ">>=",
        })
    }

    /// Whether a line ending in this token continues on the next line, so that
    /// the newline after it is not a statement end.
    ///
    /// `>` and `>>` are left out on purpose: they also close generic argument
    /// lists (`type P = Pair<int, int>`), where the line really does end. The
    /// parser skips newlines after any binary operator, so `a >` at the end of a
    /// line still continues.
    pub fn continues_line(&self) -> bool {
        use TokenKind::*;
        matches!(
            self,
            Plus | Minus
                | Star
                | Slash
                | Percent
                | Amp
                | Pipe
                | Caret
                | Shl
                | AmpAmp
                | PipePipe
                | EqEq
                | BangEq
                | Lt
                | Le
                | Ge
                | DotDot
                | DotDotEq
                | As
                | Comma
                | LParen
                | LBracket
                | LBrace
                | Eq
                | PlusEq
                | MinusEq
                | StarEq
                | SlashEq
                | PercentEq
                | AmpEq
                | PipeEq
                | CaretEq
                | ShlEq
                | ShrEq
                | Arrow
                | FatArrow
                | Dot
        )
    }

    /// Whether a line starting with this token continues the previous line.
    pub fn continues_previous_line(&self) -> bool {
        use TokenKind::*;
        matches!(self, Dot | DotDot | DotDotEq | AmpAmp | PipePipe | Else)
    }
}
