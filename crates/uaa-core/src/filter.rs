//! UAA's SCIM 1.1 filter language (`?filter=` on `/oauth/clients`, `/Users`, `/Groups`, …).
//!
//! UAA parses filters with the UnboundID SCIM SDK's `FilterParser` (scim-sdk 1.8.26) inside
//! `SimpleSearchQueryConverter`. No crate accepts exactly that language and reports its errors,
//! so this module is a small hand-written lexer and recursive-descent parser that accepts the
//! same filters and reuses the SDK's error details. Translation to SQL lives in the store
//! (`uaa-store::filter_sql`); this module knows nothing about SQL.
//!
//! The language (reference §4.5):
//!
//! ```text
//! filter     := or-expr
//! or-expr    := and-expr ( "or" and-expr )*          -- "and" binds tighter than "or"
//! and-expr   := primary ( "and" primary )*
//! primary    := "(" or-expr ")" | attr "pr" | attr op value
//! op         := "eq" | "co" | "sw" | "gt" | "ge" | "lt" | "le"   -- case-insensitive
//! value      := "\"" JSON-escaped string "\"" | true | false | null | number
//! ```
//!
//! As in the SDK, only the space character separates words, a word ends at a space or a
//! parenthesis, and an attribute may carry a schema prefix (`urn:scim:schemas:core:1.0:userName`).
//! There is no `not`. If a filter does not parse, it is parsed once more with every `'` replaced
//! by `"` (UAA's legacy retry, `SimpleSearchQueryConverter.scimFilter`).
//!
//! Deliberate differences from the SDK: the SDK's shunting-yard parser also accepts postfix
//! oddities such as `a pr b pr and`, which this grammar rejects; an unquoted `null` is accepted
//! here (the SDK rejects it, although UAA's SQL converter has an `IS NULL` branch for it);
//! hexadecimal numbers (`0x1F`) are not accepted. Input is capped at [`MAX_FILTER_CHARS`]
//! characters and [`MAX_FILTER_DEPTH`] nested parentheses, so no input can exhaust the stack.

use std::fmt;

/// The longest filter (in characters) [`parse`] accepts.
pub const MAX_FILTER_CHARS: usize = 4096;

/// The deepest parenthesis nesting [`parse`] accepts.
pub const MAX_FILTER_DEPTH: usize = 32;

/// The attribute names UAA's list endpoints accept in a filter, compared case-insensitively
/// (`SimpleSearchQueryConverter.VALID_ATTRIBUTE_NAMES`, UAA 13dc87a60e, lower case).
pub const UAA_FILTER_ATTRIBUTES: &[&str] = &[
    "id",
    "created",
    "lastmodified",
    "version",
    "username",
    "password",
    "email",
    "givenname",
    "familyname",
    "name.familyname",
    "name.givenname",
    "active",
    "phonenumber",
    "verified",
    "origin",
    "identity_zone_id",
    "passwd_lastmodified",
    "passwd_change_required",
    "last_logon_success_time",
    "previous_logon_success_time",
    "displayname",
    "scope",
    "group_id",
    "member_id",
    "member_type",
    "description",
    "client_id",
    "authorized_grant_types",
    "web_server_redirect_uri",
    "redirect_uri",
    "access_token_validity",
    "refresh_token_validity",
    "autoapprove",
    "show_on_home_page",
    "created_by",
    "required_user_groups",
    "user_id",
    "meta.lastmodified",
    "meta.created",
    "meta.location",
    "meta.resourcetype",
    "meta.version",
    "emails.value",
    "groups.display",
    "phonenumbers.value",
    "gm.external_group",
    "gm.origin",
    "g.displayname",
    "g.id",
    "external_id",
];

/// A parsed filter. `attr` is the attribute exactly as written, schema prefix included; use
/// [`attribute_name`] for the name UAA validates and maps to a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Compare {
        attr: String,
        op: CompareOp,
        value: Value,
    },
    Present {
        attr: String,
    },
}

/// An attribute operator other than `pr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Co,
    Sw,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A comparison value. Quoted values are [`Value::Str`]; everything else was unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    /// The number as written (`42`, `-1.5`, `2e3`); it always matches the number grammar when
    /// it comes from [`parse`].
    Number(String),
    Bool(bool),
    Null,
}

/// Why a filter was refused. Every variant becomes a 400 at the HTTP layer, whose body text is
/// [`invalid_filter_expression`] (UAA never shows these details to the caller; they are for logs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The filter does not parse. Display is the SDK's `FilterParser.parse` message,
    /// `Invalid filter '<filter>': <detail>`, with the SDK's detail texts where it has one.
    #[error("Invalid filter '{filter}': {detail}")]
    Syntax { filter: String, detail: String },
    /// The filter is longer than [`MAX_FILTER_CHARS`].
    #[error("Invalid filter: longer than {max} characters")]
    TooLong { max: usize },
    /// Attributes outside the allow-list, as written (schema prefix removed), in order of
    /// appearance: UAA's `Invalid filter attributes:a,b` (`SimpleSearchQueryConverter`).
    #[error("Invalid filter attributes:{}", .0.join(","))]
    InvalidAttributes(Vec<String>),
    /// A value that cannot be used with its attribute or operator (UAA's
    /// `Invalid non quoted value [attr : value]`), raised when translating to a query.
    #[error("Invalid non quoted value [{attr} : {value}]")]
    InvalidValue { attr: String, value: String },
}

/// The 400 description UAA's list endpoints give for any filter failure:
/// `Invalid filter expression: [<filter>]`, followed by ` [<sortBy>]` when `sort_by` has text.
///
/// `ClientAdminEndpoints.listClientDetails` (GET `/oauth/clients`) and
/// `ScimUserEndpoints.findUsers` (GET `/Users`) append the sort key; `/Users` also HTML-escapes
/// the whole text. `ScimGroupEndpoints.listGroups` (GET `/Groups`) uses no sort key and escapes
/// only the filter. The escaping is left to the HTTP layer.
pub fn invalid_filter_expression(filter: &str, sort_by: Option<&str>) -> String {
    let mut msg = format!("Invalid filter expression: [{filter}]");
    if let Some(sort_by) = sort_by.filter(|s| !s.trim().is_empty()) {
        msg.push_str(" [");
        msg.push_str(sort_by);
        msg.push(']');
    }
    msg
}

/// Parses a filter, retrying once with `'` replaced by `"` as UAA does.
///
/// A blank filter is an error here ("Empty filter expression"); UAA's converter treats a blank
/// `filter` parameter as "no filter" (`hasText(filter)`), so callers should check that first.
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    if input.chars().count() > MAX_FILTER_CHARS {
        return Err(FilterError::TooLong {
            max: MAX_FILTER_CHARS,
        });
    }
    match Parser::new(input).parse_filter() {
        Ok(filter) => Ok(filter),
        // UAA: "Attempting legacy scim filter conversion" – the retry's error is the one reported.
        Err(_) if input.contains('\'') => Parser::new(&input.replace('\'', "\"")).parse_filter(),
        Err(e) => Err(e),
    }
}

/// The attribute name UAA validates and maps: `attr` without its `schema:` prefix, following the
/// SDK's `AttributePath` pattern `^((.+):)?([^.]+)(\.(.+))?$`. Returns `attr` unchanged if it has
/// no (valid) prefix.
pub fn attribute_name(attr: &str) -> &str {
    split_attribute_path(attr).unwrap_or(attr)
}

/// Fails with `Invalid filter attributes:…` listing every attribute (as written, without schema
/// prefix) whose name is not in `allowed`, compared case-insensitively.
pub fn check_attributes(filter: &Filter, allowed: &[&str]) -> Result<(), FilterError> {
    let invalid: Vec<String> = filter
        .attributes()
        .into_iter()
        .map(attribute_name)
        .filter(|name| {
            let lower = name.to_lowercase();
            !allowed.iter().any(|a| a.to_lowercase() == lower)
        })
        .map(str::to_owned)
        .collect();
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(FilterError::InvalidAttributes(invalid))
    }
}

impl Filter {
    /// Every attribute as written, in order of appearance (duplicates kept).
    pub fn attributes(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_attributes(&mut out);
        out
    }

    fn collect_attributes<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Filter::And(l, r) | Filter::Or(l, r) => {
                l.collect_attributes(out);
                r.collect_attributes(out);
            }
            Filter::Compare { attr, .. } | Filter::Present { attr } => out.push(attr),
        }
    }
}

impl CompareOp {
    /// The operator as UAA writes it (lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        [
            CompareOp::Eq,
            CompareOp::Co,
            CompareOp::Sw,
            CompareOp::Gt,
            CompareOp::Ge,
            CompareOp::Lt,
            CompareOp::Le,
        ]
        .into_iter()
        .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Value {
    /// Strings are double-quoted with JSON-style escapes, so the output re-parses to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        '\u{8}' => f.write_str("\\b")?,
                        '\u{c}' => f.write_str("\\f")?,
                        c if c.is_control() => {
                            let mut units = [0u16; 2];
                            for unit in c.encode_utf16(&mut units) {
                                write!(f, "\\u{unit:04x}")?;
                            }
                        }
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
            Value::Number(n) => f.write_str(n),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Null => f.write_str("null"),
        }
    }
}

impl fmt::Display for Filter {
    /// A canonical filter (lower-case keywords, minimal parentheses) that [`parse`] turns back
    /// into an equal `Filter`, provided every `attr` is a valid attribute word.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn operand(f: &mut fmt::Formatter<'_>, filter: &Filter, paren: bool) -> fmt::Result {
            if paren {
                write!(f, "({filter})")
            } else {
                write!(f, "{filter}")
            }
        }
        match self {
            Filter::Present { attr } => write!(f, "{attr} pr"),
            Filter::Compare { attr, op, value } => write!(f, "{attr} {op} {value}"),
            // Both operators are left-associative and `and` binds tighter than `or`.
            Filter::And(l, r) => {
                operand(f, l, matches!(**l, Filter::Or(..)))?;
                f.write_str(" and ")?;
                operand(f, r, matches!(**r, Filter::Or(..) | Filter::And(..)))
            }
            Filter::Or(l, r) => {
                operand(f, l, false)?;
                f.write_str(" or ")?;
                operand(f, r, matches!(**r, Filter::Or(..)))
            }
        }
    }
}

/// Splits off the SDK's `schema:` prefix: the greedy `(.+):` takes the last colon after which
/// the rest is `attr[.sub]`. `None` if `word` is not an attribute path at all.
fn split_attribute_path(word: &str) -> Option<&str> {
    fn is_name(rest: &str) -> bool {
        // [^.]+(\..+)?
        match rest.find('.') {
            None => !rest.is_empty(),
            Some(dot) => dot > 0 && dot + 1 < rest.len(),
        }
    }
    let with_schema = word
        .char_indices()
        .rev()
        .filter(|&(i, c)| c == ':' && i > 0)
        .map(|(i, _)| &word[i + 1..])
        .find(|rest| is_name(rest));
    with_schema.or_else(|| is_name(word).then_some(word))
}

/// A lexeme of the word layer: a single parenthesis, or a run of characters up to a space or a
/// parenthesis (the SDK's `readWord`). Positions are character indices into the filter.
#[derive(Debug)]
enum Word {
    Open(usize),
    Close(usize),
    Text(usize, String),
}

struct Parser<'a> {
    source: &'a str,
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str) -> Self {
        Self {
            source,
            chars: source.chars().collect(),
            pos: 0,
            depth: 0,
        }
    }

    fn error(&self, detail: impl Into<String>) -> FilterError {
        FilterError::Syntax {
            filter: self.source.to_owned(),
            detail: detail.into(),
        }
    }

    fn skip_spaces(&mut self) {
        while self.chars.get(self.pos) == Some(&' ') {
            self.pos += 1;
        }
    }

    fn next_word(&mut self) -> Option<Word> {
        self.skip_spaces();
        let start = self.pos;
        let word = match *self.chars.get(start)? {
            '(' => {
                self.pos += 1;
                Word::Open(start)
            }
            ')' => {
                self.pos += 1;
                Word::Close(start)
            }
            _ => {
                while let Some(&c) = self.chars.get(self.pos) {
                    if matches!(c, ' ' | '(' | ')') {
                        break;
                    }
                    self.pos += 1;
                }
                Word::Text(start, self.chars[start..self.pos].iter().collect())
            }
        };
        self.skip_spaces();
        Some(word)
    }

    fn peek_word(&mut self) -> Option<Word> {
        let saved = self.pos;
        let word = self.next_word();
        self.pos = saved;
        word
    }

    fn peek_keyword(&mut self, keyword: &str) -> bool {
        matches!(self.peek_word(), Some(Word::Text(_, w)) if w.eq_ignore_ascii_case(keyword))
    }

    fn parse_filter(mut self) -> Result<Filter, FilterError> {
        self.skip_spaces();
        if self.pos == self.chars.len() {
            return Err(self.error("Empty filter expression"));
        }
        let filter = self.parse_or()?;
        match self.next_word() {
            None => Ok(filter),
            Some(Word::Close(p)) => Err(self.error(format!(
                "No opening parenthesis matching closing parenthesis at position {p}"
            ))),
            Some(Word::Open(p) | Word::Text(p, _)) => {
                Err(self.error(format!("Unexpected characters at position {p}")))
            }
        }
    }

    fn parse_or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_and()?;
        while self.peek_keyword("or") {
            self.next_word();
            let right = self.parse_and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_primary()?;
        while self.peek_keyword("and") {
            self.next_word();
            let right = self.parse_primary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_primary(&mut self) -> Result<Filter, FilterError> {
        match self.next_word() {
            None => Err(self.error(format!(
                "End of input at position {} but expected a filter expression",
                self.pos
            ))),
            Some(Word::Open(open)) => {
                if self.depth == MAX_FILTER_DEPTH {
                    return Err(self.error(format!(
                        "Parentheses nested deeper than {MAX_FILTER_DEPTH} at position {open}"
                    )));
                }
                if matches!(self.peek_word(), Some(Word::Close(_))) {
                    return Err(self.error("Empty filter expression"));
                }
                self.depth += 1;
                let inner = self.parse_or()?;
                self.depth -= 1;
                match self.next_word() {
                    Some(Word::Close(_)) => Ok(inner),
                    None => Err(self.error(format!(
                        "No closing parenthesis matching opening parenthesis at position {open}"
                    ))),
                    Some(Word::Open(p) | Word::Text(p, _)) => {
                        Err(self.error(format!("Unexpected characters at position {p}")))
                    }
                }
            }
            Some(Word::Close(p)) => {
                Err(self.error(format!("Unexpected characters at position {p}")))
            }
            Some(Word::Text(p, word))
                if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") =>
            {
                Err(self.error(format!("Unexpected characters at position {p}")))
            }
            Some(Word::Text(p, attr)) => self.parse_comparison(p, attr),
        }
    }

    /// `attr op [value]`, the SDK's `readFilterComponent`.
    fn parse_comparison(&mut self, attr_pos: usize, attr: String) -> Result<Filter, FilterError> {
        if split_attribute_path(&attr).is_none() {
            return Err(self.error(format!(
                "Expected an attribute reference at position {attr_pos}: \
                 '{attr}' does not match '[schema:]attr[.sub-attr]' format"
            )));
        }
        let (op_pos, op) = match self.next_word() {
            None => {
                return Err(self.error(format!(
                    "End of input at position {} but expected an attribute operator",
                    self.pos
                )));
            }
            Some(Word::Open(p)) => (p, "(".to_owned()),
            Some(Word::Close(p)) => (p, ")".to_owned()),
            Some(Word::Text(p, w)) => (p, w),
        };
        if op.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present { attr });
        }
        let Some(compare) = CompareOp::from_word(&op) else {
            return Err(self.error(format!(
                "Unrecognized attribute operator '{op}' at position {op_pos}. \
                 Expected: eq,co,sw,pr,gt,ge,lt,le"
            )));
        };
        let value = self.parse_value(&op)?;
        Ok(Filter::Compare {
            attr,
            op: compare,
            value,
        })
    }

    /// The SDK's `readValue`: a JSON-style quoted string, or an unquoted boolean, null or number.
    fn parse_value(&mut self, op: &str) -> Result<Value, FilterError> {
        self.skip_spaces();
        let start = self.pos;
        let Some(&first) = self.chars.get(start) else {
            return Err(self.error(format!(
                "End of input at position {start} while expecting a value for operator {op}"
            )));
        };
        if first == '"' {
            self.pos += 1;
            let s = self.parse_string_body(start)?;
            self.skip_spaces();
            return Ok(Value::Str(s));
        }
        while let Some(&c) = self.chars.get(self.pos) {
            match c {
                ' ' | '(' | ')' => break,
                '+' | '-' | '.' | '0'..='9' | 'A'..='Z' | 'a'..='z' => self.pos += 1,
                _ => {
                    return Err(self.error(format!(
                        "Invalid character '{c}' in a number or boolean value at position {}",
                        self.pos
                    )));
                }
            }
        }
        let raw: String = self.chars[start..self.pos].iter().collect();
        self.skip_spaces();
        if raw.eq_ignore_ascii_case("true") {
            Ok(Value::Bool(true))
        } else if raw.eq_ignore_ascii_case("false") {
            Ok(Value::Bool(false))
        } else if raw.eq_ignore_ascii_case("null") {
            Ok(Value::Null)
        } else if is_number(&raw) {
            Ok(Value::Number(raw))
        } else {
            Err(self.error(format!(
                "Invalid filter value beginning at position {start}"
            )))
        }
    }

    /// The rest of a string literal whose opening quote was at `start`.
    fn parse_string_body(&mut self, start: usize) -> Result<String, FilterError> {
        let unterminated = |p: &Self| {
            p.error(format!(
                "End of input in a string value that began at position {start}"
            ))
        };
        let mut out = String::new();
        loop {
            let Some(&c) = self.chars.get(self.pos) else {
                return Err(unterminated(self));
            };
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let escape_pos = self.pos - 1;
                    let Some(&e) = self.chars.get(self.pos) else {
                        return Err(unterminated(self));
                    };
                    self.pos += 1;
                    match e {
                        '"' | '/' | '\'' | '\\' => out.push(e),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let c = self.parse_unicode_escape(escape_pos, &unterminated)?;
                            out.push(c);
                        }
                        other => {
                            return Err(self.error(format!(
                                "Unrecognized escape sequence '\\{other}' in a string value \
                                 at position {escape_pos}"
                            )));
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }

    /// `\uXXXX` after the `u`, combining a UTF-16 surrogate pair written as two escapes.
    fn parse_unicode_escape(
        &mut self,
        escape_pos: usize,
        unterminated: &dyn Fn(&Self) -> FilterError,
    ) -> Result<char, FilterError> {
        let invalid = |p: &Self| {
            p.error(format!(
                "Invalid unicode escape in a string value at position {escape_pos}"
            ))
        };
        let hex4 = |p: &mut Self| -> Result<u32, FilterError> {
            if p.pos + 4 > p.chars.len() {
                return Err(unterminated(p));
            }
            let digits: String = p.chars[p.pos..p.pos + 4].iter().collect();
            p.pos += 4;
            if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(invalid(p));
            }
            u32::from_str_radix(&digits, 16).map_err(|_| invalid(p))
        };
        let unit = hex4(self)?;
        let code = if (0xD800..0xDC00).contains(&unit) {
            if self.chars.get(self.pos) != Some(&'\\') || self.chars.get(self.pos + 1) != Some(&'u')
            {
                return Err(invalid(self));
            }
            self.pos += 2;
            let low = hex4(self)?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(invalid(self));
            }
            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        } else {
            unit
        };
        char::from_u32(code).ok_or_else(|| invalid(self))
    }
}

/// `[+-]?(digits(.digits?)? | .digits)([eE][+-]?digits)?` – what the SDK's JSON `stringToValue`
/// turns into a number (hexadecimal excepted).
fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = digits(&mut i);
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = digits(&mut i);
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cmp(attr: &str, op: CompareOp, value: Value) -> Filter {
        Filter::Compare {
            attr: attr.to_owned(),
            op,
            value,
        }
    }

    fn s(v: &str) -> Value {
        Value::Str(v.to_owned())
    }

    fn pr(attr: &str) -> Filter {
        Filter::Present {
            attr: attr.to_owned(),
        }
    }

    fn and(l: Filter, r: Filter) -> Filter {
        Filter::And(Box::new(l), Box::new(r))
    }

    fn or(l: Filter, r: Filter) -> Filter {
        Filter::Or(Box::new(l), Box::new(r))
    }

    fn detail(input: &str) -> String {
        match parse(input) {
            Err(FilterError::Syntax { detail, .. }) => detail,
            other => panic!("expected a syntax error for {input:?}, got {other:?}"),
        }
    }

    #[test]
    fn every_comparison_operator_parses() {
        for (word, op) in [
            ("eq", CompareOp::Eq),
            ("co", CompareOp::Co),
            ("sw", CompareOp::Sw),
            ("gt", CompareOp::Gt),
            ("ge", CompareOp::Ge),
            ("lt", CompareOp::Lt),
            ("le", CompareOp::Le),
        ] {
            let f = parse(&format!("userName {word} \"bob\"")).unwrap();
            assert_eq!(f, cmp("userName", op, s("bob")));
        }
    }

    #[test]
    fn presence_takes_no_value() {
        assert_eq!(parse("client_id pr").unwrap(), pr("client_id"));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(
            parse("a pr or b pr and c pr").unwrap(),
            or(pr("a"), and(pr("b"), pr("c")))
        );
        assert_eq!(
            parse("a pr and b pr or c pr").unwrap(),
            or(and(pr("a"), pr("b")), pr("c"))
        );
    }

    #[test]
    fn chains_of_one_operator_associate_to_the_left() {
        assert_eq!(
            parse("a pr and b pr and c pr").unwrap(),
            and(and(pr("a"), pr("b")), pr("c"))
        );
    }

    #[test]
    fn parentheses_override_precedence() {
        assert_eq!(
            parse("(a pr or b pr) and c pr").unwrap(),
            and(or(pr("a"), pr("b")), pr("c"))
        );
        assert_eq!(
            parse("((a eq 1))and(b eq 2)").unwrap(),
            and(
                cmp("a", CompareOp::Eq, Value::Number("1".into())),
                cmp("b", CompareOp::Eq, Value::Number("2".into()))
            )
        );
    }

    #[test]
    fn quoted_strings_keep_spaces_parentheses_and_escapes() {
        assert_eq!(
            parse(r#"name eq "a (b) \"c\" \\ d \/ \n \u00e9""#).unwrap(),
            cmp("name", CompareOp::Eq, s("a (b) \"c\" \\ d / \n é"))
        );
    }

    #[test]
    fn unicode_escapes_combine_surrogate_pairs() {
        assert_eq!(
            parse(r#"x eq "\ud83d\ude00""#).unwrap(),
            cmp("x", CompareOp::Eq, s("😀"))
        );
        assert!(parse(r#"x eq "\ud83d""#).is_err());
        assert!(parse(r#"x eq "\uzzzz""#).is_err());
    }

    #[test]
    fn single_quoted_strings_are_accepted_by_the_legacy_retry() {
        assert_eq!(
            parse("userName eq 'marissa' and origin eq 'uaa'").unwrap(),
            and(
                cmp("userName", CompareOp::Eq, s("marissa")),
                cmp("origin", CompareOp::Eq, s("uaa"))
            )
        );
    }

    #[test]
    fn the_retry_reports_the_error_of_the_rewritten_filter() {
        match parse("userName eq 'bob") {
            Err(FilterError::Syntax { filter, detail }) => {
                assert_eq!(filter, "userName eq \"bob");
                assert_eq!(
                    detail,
                    "End of input in a string value that began at position 12"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_single_quote_inside_a_double_quoted_string_is_kept() {
        assert_eq!(
            parse(r#"userName eq "o'hara""#).unwrap(),
            cmp("userName", CompareOp::Eq, s("o'hara"))
        );
    }

    #[test]
    fn keywords_and_operators_are_case_insensitive() {
        assert_eq!(
            parse("a PR AnD b Eq TRUE oR c Co \"x\"").unwrap(),
            or(
                and(pr("a"), cmp("b", CompareOp::Eq, Value::Bool(true))),
                cmp("c", CompareOp::Co, s("x"))
            )
        );
    }

    #[test]
    fn unquoted_booleans_null_and_numbers_are_values() {
        assert_eq!(
            parse("active eq false").unwrap(),
            cmp("active", CompareOp::Eq, Value::Bool(false))
        );
        assert_eq!(
            parse("externalId eq NULL").unwrap(),
            cmp("externalId", CompareOp::Eq, Value::Null)
        );
        for n in ["0", "-12", "+3", "1.5", ".5", "1.", "2e10", "-1.5E-3"] {
            assert_eq!(
                parse(&format!("version gt {n}")).unwrap(),
                cmp("version", CompareOp::Gt, Value::Number(n.into())),
                "{n}"
            );
        }
    }

    #[test]
    fn attributes_keep_their_schema_prefix_and_sub_attribute() {
        let f = parse("urn:scim:schemas:core:1.0:name.familyName eq \"x\"").unwrap();
        assert_eq!(
            f,
            cmp(
                "urn:scim:schemas:core:1.0:name.familyName",
                CompareOp::Eq,
                s("x")
            )
        );
        assert_eq!(attribute_name(f.attributes()[0]), "name.familyName");
        assert_eq!(attribute_name("emails.value"), "emails.value");
        assert_eq!(attribute_name("userName"), "userName");
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(
            detail("%%%"),
            "End of input at position 3 but expected an attribute operator"
        );
        assert_eq!(detail("   "), "Empty filter expression");
        assert_eq!(detail("()"), "Empty filter expression");
        assert_eq!(detail("and a pr"), "Unexpected characters at position 0");
        assert_eq!(detail("a pr b pr"), "Unexpected characters at position 5");
        assert_eq!(
            detail("a pr and"),
            "End of input at position 8 but expected a filter expression"
        );
    }

    #[test]
    fn unbalanced_parentheses_are_refused() {
        assert_eq!(
            detail("(a pr"),
            "No closing parenthesis matching opening parenthesis at position 0"
        );
        assert_eq!(
            detail("a pr)"),
            "No opening parenthesis matching closing parenthesis at position 4"
        );
        assert_eq!(detail("(a pr b pr)"), "Unexpected characters at position 6");
    }

    #[test]
    fn a_missing_value_is_refused() {
        assert_eq!(
            detail("userName eq"),
            "End of input at position 11 while expecting a value for operator eq"
        );
        assert_eq!(
            detail("userName eq )"),
            "Invalid filter value beginning at position 12"
        );
    }

    #[test]
    fn an_unknown_operator_is_refused() {
        assert_eq!(
            detail("userName ne \"x\""),
            "Unrecognized attribute operator 'ne' at position 9. Expected: eq,co,sw,pr,gt,ge,lt,le"
        );
        assert!(parse("not (a pr)").is_err());
    }

    #[test]
    fn an_unterminated_string_is_refused() {
        assert_eq!(
            detail(r#"userName eq "bob"#),
            "End of input in a string value that began at position 12"
        );
        assert_eq!(
            detail(r#"userName eq "bob\"#),
            "End of input in a string value that began at position 12"
        );
    }

    #[test]
    fn bad_unquoted_values_and_escapes_are_refused() {
        assert_eq!(
            detail("userName eq bob"),
            "Invalid filter value beginning at position 12"
        );
        assert_eq!(
            detail("userName eq b_b"),
            "Invalid character '_' in a number or boolean value at position 13"
        );
        assert_eq!(
            detail(r#"userName eq "\x""#),
            "Unrecognized escape sequence '\\x' in a string value at position 13"
        );
        assert_eq!(
            detail(".x pr"),
            "Expected an attribute reference at position 0: '.x' does not match \
             '[schema:]attr[.sub-attr]' format"
        );
    }

    #[test]
    fn a_syntax_error_displays_like_the_scim_sdk() {
        assert_eq!(
            parse("userName eq").unwrap_err().to_string(),
            "Invalid filter 'userName eq': End of input at position 11 while expecting a value \
             for operator eq"
        );
    }

    #[test]
    fn overlong_and_overdeep_filters_are_refused_without_overflowing() {
        let long = format!("userName eq \"{}\"", "x".repeat(MAX_FILTER_CHARS));
        assert_eq!(
            parse(&long),
            Err(FilterError::TooLong {
                max: MAX_FILTER_CHARS
            })
        );
        let ok = format!(
            "{}a pr{}",
            "(".repeat(MAX_FILTER_DEPTH),
            ")".repeat(MAX_FILTER_DEPTH)
        );
        assert!(parse(&ok).is_ok());
        let deep = format!(
            "{}a pr{}",
            "(".repeat(MAX_FILTER_DEPTH + 1),
            ")".repeat(MAX_FILTER_DEPTH + 1)
        );
        assert!(detail(&deep).starts_with("Parentheses nested deeper than 32"));
        assert!(parse(&"(".repeat(100_000)).is_err());
        // A long flat chain is fine: it nests no parentheses.
        let chain = vec!["a pr"; 400].join(" and ");
        let parsed = parse(&chain).unwrap();
        assert_eq!(parse(&parsed.to_string()), Ok(parsed));
    }

    #[test]
    fn check_attributes_lists_every_bad_attribute_as_written() {
        let f = parse("userName eq \"a\" and externalGroup pr or FOO eq 1 or bar pr").unwrap();
        assert_eq!(
            check_attributes(&f, UAA_FILTER_ATTRIBUTES)
                .unwrap_err()
                .to_string(),
            "Invalid filter attributes:externalGroup,FOO,bar"
        );
        let ok =
            parse("USERNAME eq \"a\" and Meta.LastModified gt \"x\" and emails.VALUE pr").unwrap();
        assert_eq!(check_attributes(&ok, UAA_FILTER_ATTRIBUTES), Ok(()));
        let schema = parse("urn:scim:schemas:core:1.0:nope pr").unwrap();
        assert_eq!(
            check_attributes(&schema, UAA_FILTER_ATTRIBUTES),
            Err(FilterError::InvalidAttributes(vec!["nope".into()]))
        );
    }

    #[test]
    fn invalid_filter_expression_matches_the_list_endpoints() {
        assert_eq!(
            invalid_filter_expression("x eq", Some("client_id")),
            "Invalid filter expression: [x eq] [client_id]"
        );
        assert_eq!(
            invalid_filter_expression("x eq", Some(" ")),
            "Invalid filter expression: [x eq]"
        );
        assert_eq!(
            invalid_filter_expression("x eq", None),
            "Invalid filter expression: [x eq]"
        );
    }

    #[test]
    fn display_prints_a_canonical_filter() {
        let f = parse("(A PR  or b eq 'x') AND (c pr and d pr)").unwrap();
        assert_eq!(f.to_string(), r#"(A pr or b eq "x") and (c pr and d pr)"#);
        assert_eq!(
            parse(r#"x eq "q\"b\\s""#).unwrap().to_string(),
            r#"x eq "q\"b\\s""#
        );
    }

    fn arb_attr() -> impl Strategy<Value = String> {
        (
            proptest::option::of(Just("urn:scim:schemas:core:1.0:".to_owned())),
            "[a-zA-Z][a-zA-Z0-9_]{0,6}(\\.[a-zA-Z_][a-zA-Z0-9_]{0,6})?",
        )
            .prop_filter("keywords are not attributes", |(_, a)| {
                !a.eq_ignore_ascii_case("and") && !a.eq_ignore_ascii_case("or")
            })
            .prop_map(|(schema, a)| format!("{}{a}", schema.unwrap_or_default()))
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<String>().prop_map(Value::Str),
            "[+-]?([0-9]{1,5}(\\.[0-9]{0,3})?|\\.[0-9]{1,3})([eE][+-]?[0-9]{1,2})?"
                .prop_map(Value::Number),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ]
    }

    fn arb_op() -> impl Strategy<Value = CompareOp> {
        prop_oneof![
            Just(CompareOp::Eq),
            Just(CompareOp::Co),
            Just(CompareOp::Sw),
            Just(CompareOp::Gt),
            Just(CompareOp::Ge),
            Just(CompareOp::Lt),
            Just(CompareOp::Le),
        ]
    }

    fn arb_filter() -> impl Strategy<Value = Filter> {
        let leaf = prop_oneof![
            arb_attr().prop_map(|attr| Filter::Present { attr }),
            (arb_attr(), arb_op(), arb_value()).prop_map(|(attr, op, value)| Filter::Compare {
                attr,
                op,
                value
            }),
        ];
        leaf.prop_recursive(6, 48, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(l, r)| and(l, r)),
                (inner.clone(), inner).prop_map(|(l, r)| or(l, r)),
            ]
        })
    }

    proptest! {
        #[test]
        fn printed_filters_parse_back_to_the_same_tree(f in arb_filter()) {
            let printed = f.to_string();
            prop_assert_eq!(parse(&printed), Ok(f), "{}", printed);
        }

        #[test]
        fn arbitrary_strings_never_panic(input in "\\PC{0,200}") {
            let _ = parse(&input);
        }

        #[test]
        fn filter_shaped_strings_never_panic(
            input in "[ ()a-zA-Z0-9\"'\\\\.:_+-]{0,120}"
        ) {
            if let Ok(f) = parse(&input) {
                // Whatever parses prints to something that parses to the same tree.
                prop_assert_eq!(parse(&f.to_string()), Ok(f));
            }
        }
    }
}
