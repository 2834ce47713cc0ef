//! The expression language of `evaluate`, conditions and logpoints: C-like operators over
//! source variables and raw wasm state.
//!
//! ```text
//! expr    := binary ("as" type)*
//! binary  := unary (op unary)*          precedence: || && == != < <= > >= + - * / %
//! unary   := ("-" | "!" | "*" | "&") unary | "(" type ")" unary | postfix
//! postfix := primary ("." name | "->" name | "[" expr "]")*
//! primary := number | 'c' | true | false | name | $localN | $globalN | $stackN
//!          | $u8(expr) … $f64(expr) | "(" expr ")"
//! ```

/// A scalar type expressions can cast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Signed integer of this many bytes.
    Signed(u8),
    /// Unsigned integer of this many bytes.
    Unsigned(u8),
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// Boolean.
    Bool,
}

impl Scalar {
    /// The scalar a type name denotes (Rust and C spellings).
    pub fn named(name: &str) -> Option<Scalar> {
        Some(match name {
            "i8" | "int8_t" | "char" | "signed char" => Scalar::Signed(1),
            "u8" | "uint8_t" | "unsigned char" => Scalar::Unsigned(1),
            "i16" | "int16_t" | "short" => Scalar::Signed(2),
            "u16" | "uint16_t" | "unsigned short" => Scalar::Unsigned(2),
            "i32" | "int32_t" | "int" | "long" | "isize" => Scalar::Signed(4),
            "u32" | "uint32_t" | "unsigned" | "unsigned int" | "unsigned long" | "usize" | "size_t" => {
                Scalar::Unsigned(4)
            }
            "i64" | "int64_t" | "long long" => Scalar::Signed(8),
            "u64" | "uint64_t" | "unsigned long long" => Scalar::Unsigned(8),
            "f32" | "float" => Scalar::F32,
            "f64" | "double" => Scalar::F64,
            "bool" | "_Bool" => Scalar::Bool,
            _ => return None,
        })
    }

    /// How it is written in results.
    pub fn name(self) -> &'static str {
        match self {
            Scalar::Signed(1) => "i8",
            Scalar::Signed(2) => "i16",
            Scalar::Signed(4) => "i32",
            Scalar::Signed(_) => "i64",
            Scalar::Unsigned(1) => "u8",
            Scalar::Unsigned(2) => "u16",
            Scalar::Unsigned(4) => "u32",
            Scalar::Unsigned(_) => "u64",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
            Scalar::Bool => "bool",
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `||`
    Or,
    /// `&&`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

/// Raw wasm state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw {
    /// `$localN`
    Local(u32),
    /// `$globalN`
    Global(u32),
    /// `$stackN`
    Stack(u32),
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// An integer literal.
    Int(i128),
    /// A float literal.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `"text"`: a map key (`map["key"]`).
    Str(String),
    /// A source variable.
    Name(String),
    /// Raw wasm state.
    Raw(Raw),
    /// `$u32(address)` and friends: a typed read of linear memory.
    Load(Scalar, Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `!x`
    Not(Box<Expr>),
    /// `*p`
    Deref(Box<Expr>),
    /// `&x`
    AddressOf(Box<Expr>),
    /// `(T) x` or `x as T`
    Cast(Scalar, Box<Expr>),
    /// `a.b` (also `p->b`, which derefs first)
    Field(Box<Expr>, String),
    /// `a[i]`
    Index(Box<Expr>, Box<Expr>),
    /// `a op b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
}

/// A parse error: what and where (a byte offset into the expression).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub offset: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at column {})", self.message, self.offset + 1)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Int(i128),
    Float(f64),
    Char(char),
    Str(String),
    Name(String),
    Dollar(String),
    Punct(&'static str),
}

const PUNCTUATION: &[&str] = &[
    "||", "&&", "==", "!=", "<=", ">=", "->", "<", ">", "+", "-", "*", "/", "%", "!", "&", "(", ")", "[", "]", ".",
];

fn lex(text: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let error = |message: &str, offset| ParseError {
        message: message.to_string(),
        offset,
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'_') {
                i += 1;
            }
            let raw: String = text[start..i].chars().filter(|c| *c != '_').collect();
            let token = if let Some(hex) = raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X")) {
                i128::from_str_radix(hex, 16).map(Token::Int).ok()
            } else if raw.contains('.') || raw.contains('e') {
                raw.parse().map(Token::Float).ok()
            } else {
                raw.parse().map(Token::Int).ok()
            };
            tokens.push((
                token.ok_or_else(|| error(&format!("`{raw}` is not a number"), start))?,
                start,
            ));
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            tokens.push((
                match word.strip_prefix('$') {
                    Some(rest) if !rest.is_empty() => Token::Dollar(rest.to_string()),
                    Some(_) => return Err(error("`$` needs a name, e.g. `$local0`", start)),
                    None => Token::Name(word.to_string()),
                },
                start,
            ));
        } else if c == b'\'' {
            let rest = &text[i + 1..];
            let mut chars = rest.chars();
            let value = match chars.next() {
                Some('\\') => match chars.next() {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('0') => '\0',
                    Some(other) => other,
                    None => return Err(error("unterminated character literal", start)),
                },
                Some(c) => c,
                None => return Err(error("unterminated character literal", start)),
            };
            if chars.next() != Some('\'') {
                return Err(error("unterminated character literal", start));
            }
            i = text.len() - chars.as_str().len();
            tokens.push((Token::Char(value), start));
        } else if c == b'"' {
            let (value, length) = string_literal(&text[i + 1..])
                .ok_or_else(|| error("unterminated string literal, or an escape Rust does not have", start))?;
            i += 1 + length;
            tokens.push((Token::Str(value), start));
        } else if let Some(p) = PUNCTUATION.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            tokens.push((Token::Punct(p), start));
        } else {
            let shown = text[i..].chars().next().unwrap_or('?');
            return Err(error(&format!("unexpected `{shown}`"), start));
        }
    }
    Ok(tokens)
}

/// The text of a string literal whose opening quote came just before `rest`, and how many
/// bytes of `rest` it takes with its closing quote. Escapes as in Rust: `\"`, `\\`, `\n`,
/// `\t`, `\r`, `\0`, `\u{...}`.
fn string_literal(rest: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = rest.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, at + 1)),
            '\\' => value.push(match chars.next()?.1 {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                'u' => {
                    if chars.next()?.1 != '{' {
                        return None;
                    }
                    let mut code = String::new();
                    loop {
                        match chars.next()?.1 {
                            '}' => break,
                            digit if code.len() < 6 => code.push(digit),
                            _ => return None,
                        }
                    }
                    char::from_u32(u32::from_str_radix(&code, 16).ok()?)?
                }
                other => other,
            }),
            c => value.push(c),
        }
    }
    None
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    position: usize,
    end: usize,
}

/// Deepest nesting accepted (keeps recursion bounded on hostile input).
const MAX_DEPTH: usize = 64;

/// Most tokens in one expression. Operator chains (`1+1+…`, `a.b.c…`, `x as u8 as u8…`) build
/// trees as deep as they are long, and evaluating or dropping one recurses that deep.
pub const MAX_TOKENS: usize = 1024;

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.position).map_or(self.end, |(_, o)| *o)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            message: message.into(),
            offset: self.offset(),
        })
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Token::Punct(p)) if *p == punct) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, punct: &str) -> Result<(), ParseError> {
        if self.eat(punct) {
            Ok(())
        } else {
            self.error(format!("expected `{punct}`"))
        }
    }

    fn expression(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth > MAX_DEPTH {
            return self.error("the expression nests too deeply");
        }
        let mut expr = self.binary(0, depth)?;
        while matches!(self.peek(), Some(Token::Name(n)) if n == "as") {
            self.position += 1;
            let scalar = self.type_name()?;
            expr = Expr::Cast(scalar, Box::new(expr));
        }
        Ok(expr)
    }

    fn type_name(&mut self) -> Result<Scalar, ParseError> {
        // Multi-word C names: `unsigned int`, `long long`.
        let start = self.position;
        let mut words = Vec::new();
        while let Some(Token::Name(word)) = self.peek() {
            words.push(word.clone());
            self.position += 1;
            if words.len() == 3 {
                break;
            }
        }
        while !words.is_empty() {
            if let Some(scalar) = Scalar::named(&words.join(" ")) {
                self.position = start + words.len();
                return Ok(scalar);
            }
            words.pop();
        }
        self.position = start;
        self.error("expected a type such as `u32`, `int` or `f64`")
    }

    fn binary(&mut self, level: usize, depth: usize) -> Result<Expr, ParseError> {
        const LEVELS: &[&[(&str, BinaryOp)]] = &[
            &[("||", BinaryOp::Or)],
            &[("&&", BinaryOp::And)],
            &[("==", BinaryOp::Eq), ("!=", BinaryOp::Ne)],
            &[
                ("<=", BinaryOp::Le),
                (">=", BinaryOp::Ge),
                ("<", BinaryOp::Lt),
                (">", BinaryOp::Gt),
            ],
            &[("+", BinaryOp::Add), ("-", BinaryOp::Sub)],
            &[("*", BinaryOp::Mul), ("/", BinaryOp::Div), ("%", BinaryOp::Rem)],
        ];
        let Some(operators) = LEVELS.get(level) else {
            return self.unary(depth);
        };
        let mut left = self.binary(level + 1, depth)?;
        'outer: loop {
            for (text, op) in *operators {
                if self.eat(text) {
                    let right = self.binary(level + 1, depth)?;
                    left = Expr::Binary(*op, Box::new(left), Box::new(right));
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth > MAX_DEPTH {
            return self.error("the expression nests too deeply");
        }
        let depth = depth + 1;
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary(depth)?)));
        }
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary(depth)?)));
        }
        if self.eat("*") {
            return Ok(Expr::Deref(Box::new(self.unary(depth)?)));
        }
        if self.eat("&") {
            return Ok(Expr::AddressOf(Box::new(self.unary(depth)?)));
        }
        // `(type) x` when what follows `(` is a type name and then `)`.
        if matches!(self.peek(), Some(Token::Punct("("))) {
            let save = self.position;
            self.position += 1;
            if let Ok(scalar) = self.type_name()
                && self.eat(")")
            {
                return Ok(Expr::Cast(scalar, Box::new(self.unary(depth)?)));
            }
            self.position = save;
        }
        self.postfix(depth)
    }

    fn postfix(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut expr = self.primary(depth)?;
        loop {
            if self.eat(".") {
                expr = Expr::Field(Box::new(expr), self.name()?);
            } else if self.eat("->") {
                expr = Expr::Field(Box::new(Expr::Deref(Box::new(expr))), self.name()?);
            } else if self.eat("[") {
                let index = self.expression(depth + 1)?;
                self.expect("]")?;
                expr = Expr::Index(Box::new(expr), Box::new(index));
            } else {
                return Ok(expr);
            }
        }
    }

    fn name(&mut self) -> Result<String, ParseError> {
        match self.peek().cloned() {
            Some(Token::Name(name)) => {
                self.position += 1;
                Ok(name)
            }
            // Tuple fields: `pair.0` is the DWARF member `__0`.
            Some(Token::Int(index)) => {
                self.position += 1;
                Ok(format!("__{index}"))
            }
            _ => self.error("expected a field name"),
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let Some(token) = self.peek().cloned() else {
            return self.error("expected a value");
        };
        self.position += 1;
        match token {
            Token::Int(value) => Ok(Expr::Int(value)),
            Token::Float(value) => Ok(Expr::Float(value)),
            Token::Char(value) => Ok(Expr::Int(i128::from(u32::from(value)))),
            Token::Str(value) => Ok(Expr::Str(value)),
            Token::Name(name) if name == "true" => Ok(Expr::Bool(true)),
            Token::Name(name) if name == "false" => Ok(Expr::Bool(false)),
            Token::Name(name) => Ok(Expr::Name(name)),
            Token::Dollar(name) => self.dollar(&name, depth),
            Token::Punct("(") => {
                let inner = self.expression(depth + 1)?;
                self.expect(")")?;
                Ok(inner)
            }
            Token::Punct(p) => {
                self.position -= 1;
                self.error(format!("unexpected `{p}`"))
            }
        }
    }

    fn dollar(&mut self, name: &str, depth: usize) -> Result<Expr, ParseError> {
        let numbered = |prefix: &str| name.strip_prefix(prefix).and_then(|n| n.parse::<u32>().ok());
        if let Some(index) = numbered("local") {
            return Ok(Expr::Raw(Raw::Local(index)));
        }
        if let Some(index) = numbered("global") {
            return Ok(Expr::Raw(Raw::Global(index)));
        }
        if let Some(index) = numbered("stack") {
            return Ok(Expr::Raw(Raw::Stack(index)));
        }
        if let Some(scalar) = Scalar::named(name).filter(|s| *s != Scalar::Bool) {
            self.expect("(")?;
            let address = self.expression(depth + 1)?;
            self.expect(")")?;
            return Ok(Expr::Load(scalar, Box::new(address)));
        }
        self.position -= 1;
        self.error(format!(
            "unknown `${name}`: use $localN, $globalN, $stackN or a memory read such as $u32(address)"
        ))
    }
}

/// Parses an expression.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let tokens = lex(text)?;
    if let Some((_, offset)) = tokens.get(MAX_TOKENS) {
        return Err(ParseError {
            message: format!("the expression is too long (more than {MAX_TOKENS} tokens)"),
            offset: *offset,
        });
    }
    if tokens.is_empty() {
        return Err(ParseError {
            message: "the expression is empty".into(),
            offset: 0,
        });
    }
    let mut parser = Parser {
        tokens,
        position: 0,
        end: text.len(),
    };
    let expr = parser.expression(0)?;
    if parser.position < parser.tokens.len() {
        return parser.error("unexpected text after the expression");
    }
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(expr: &Expr) -> String {
        match expr {
            Expr::Int(v) => v.to_string(),
            Expr::Float(v) => format!("{v:?}"),
            Expr::Bool(v) => v.to_string(),
            Expr::Str(v) => format!("{v:?}"),
            Expr::Name(n) => n.clone(),
            Expr::Raw(r) => format!("{r:?}"),
            Expr::Load(s, e) => format!("${}({})", s.name(), show(e)),
            Expr::Neg(e) => format!("(-{})", show(e)),
            Expr::Not(e) => format!("(!{})", show(e)),
            Expr::Deref(e) => format!("(*{})", show(e)),
            Expr::AddressOf(e) => format!("(&{})", show(e)),
            Expr::Cast(s, e) => format!("({} as {})", show(e), s.name()),
            Expr::Field(e, f) => format!("{}.{f}", show(e)),
            Expr::Index(e, i) => format!("{}[{}]", show(e), show(i)),
            Expr::Binary(op, a, b) => format!("({} {op:?} {})", show(a), show(b)),
        }
    }

    fn parsed(text: &str) -> String {
        show(&parse(text).unwrap_or_else(|e| panic!("{text}: {e}")))
    }

    #[test]
    fn string_literals_index_maps() {
        assert_eq!(parsed(r#"map["apple"]"#), r#"map["apple"]"#);
        assert_eq!(parsed(r#"m["say \"hi\"\n"]"#), r#"m["say \"hi\"\n"]"#);
        assert_eq!(parsed(r#"m["caf\u{e9} 日本"]"#), r#"m["café 日本"]"#);
        assert!(parse(r#"m["open]"#).is_err());
        assert!(parse(r#"m["\u{110000}"]"#).is_err());
        assert!(parse(r#"m["\u{1234567}"]"#).is_err());
    }

    #[test]
    fn precedence_postfix_and_casts() {
        assert_eq!(
            parsed("a + b * 2 == 7 && !done"),
            "(((a Add (b Mul 2)) Eq 7) And (!done))"
        );
        assert_eq!(parsed("p->corner.x + grid[1][2]"), "((*p).corner.x Add grid[1][2])");
        assert_eq!(parsed("(unsigned int) -1"), "((-1) as u32)");
        assert_eq!(parsed("(a + 1) as u8"), "((a Add 1) as u8)");
        assert_eq!(parsed("*&x"), "(*(&x))");
        assert_eq!(parsed("pair.0 + 0x10 + 'A'"), "((pair.__0 Add 16) Add 65)");
        assert_eq!(
            parsed("$local3 + $global0 - $u32($local0 + 8)"),
            "((Local(3) Add Global(0)) Sub $u32((Local(0) Add 8)))"
        );
        assert_eq!(parsed("1.5e2 >= 150"), "(150.0 Ge 150)");
    }

    #[test]
    fn errors_say_what_and_where() {
        let error = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(error(""), "the expression is empty (at column 1)");
        assert_eq!(error("a +"), "expected a value (at column 4)");
        assert_eq!(error("a b"), "unexpected text after the expression (at column 3)");
        assert_eq!(error("(a"), "expected `)` (at column 3)");
        assert_eq!(error("a # b"), "unexpected `#` (at column 3)");
        assert_eq!(
            error("x as thing"),
            "expected a type such as `u32`, `int` or `f64` (at column 6)"
        );
        assert!(error("$nope").starts_with("unknown `$nope`"));
        assert_eq!(error("'ab'"), "unterminated character literal (at column 1)");
        let deep = "(".repeat(200) + "1" + &")".repeat(200);
        assert!(error(&deep).contains("nests too deeply"));
    }

    #[test]
    fn long_operator_chains_are_refused_not_overflowed() {
        let sum = vec!["1"; 200_000].join("+");
        assert!(parse(&sum).unwrap_err().message.contains("too long"));
        let fields = "a".to_string() + &".b".repeat(100_000);
        assert!(parse(&fields).unwrap_err().message.contains("too long"));
        let casts = "x".to_string() + &" as u8".repeat(100_000);
        assert!(parse(&casts).unwrap_err().message.contains("too long"));
        // The longest accepted chain still parses.
        let longest = vec!["1"; MAX_TOKENS / 2].join("+");
        assert!(parse(&longest).is_ok());
    }
}
