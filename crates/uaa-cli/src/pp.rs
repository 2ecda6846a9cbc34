//! uaac's output: the `pp` printer of `Topic` (base.rb), which every command uses. Hashes print
//! their keys indented by two per level, lists of scalars print space-joined on one line, lists
//! of hashes print each under `-`, and `nil` prints nothing. Lines wrap at the terminal width
//! only when standard output is a terminal (uaac's `terminal_columns` is 0 otherwise).

use std::fmt::Write as _;

use serde_json::Value;

/// Renders `v` as uaac's `pp(obj)` does, with `wrap` columns (0 = never wrap).
pub fn pp(v: &Value, wrap: usize) -> String {
    let mut out = String::new();
    pp_into(&mut out, v, 0, wrap, None);
    out
}

/// `pp(obj, indent, wrap, label)`.
pub fn pp_into(out: &mut String, v: &Value, indent: usize, wrap: usize, label: Option<&str>) {
    match v {
        Value::Array(items) => {
            if items.is_empty() || !matches!(items[0], Value::Object(_) | Value::Array(_)) {
                let text = strlist(items);
                let term = label.map(|l| format!("{l}: "));
                say_definition(out, indent, term.as_deref(), Some(&text), wrap);
            } else {
                if let Some(l) = label {
                    say_definition(out, indent, Some(&format!("{l}: ")), None, wrap);
                }
                for item in items {
                    pp_into(out, item, indent, wrap, Some("-"));
                }
            }
        }
        Value::Object(map) => {
            if let Some(l) = label {
                say_definition(out, indent, Some(l), None, wrap);
            }
            for (k, item) in map {
                pp_into(out, item, indent + 2, wrap, Some(k));
            }
        }
        Value::Null => {}
        scalar => {
            let term = label.map(|l| format!("{l}: "));
            say_definition(out, indent, term.as_deref(), Some(&to_s(scalar)), wrap);
        }
    }
}

/// Ruby's `to_s` of a JSON scalar.
pub fn to_s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `Util.strlist`: list items joined by spaces (nested values as Ruby would print them).
fn strlist(items: &[Value]) -> String {
    items.iter().map(to_s).collect::<Vec<_>>().join(" ")
}

/// `say_definition(indent, term, text, nil, wrap)` as pp calls it (no help column).
fn say_definition(
    out: &mut String,
    indent: usize,
    term: Option<&str>,
    text: Option<&str>,
    wrap: usize,
) {
    let term = term.unwrap_or("");
    let mut cur = indent + term.chars().count();
    let _ = write!(out, "{}{term}", " ".repeat(indent));
    let mut start = indent + 4;
    if start > wrap {
        start = 2;
    }
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        out.push('\n');
        return;
    };
    for raw in text.split_inclusive('\n') {
        let mut width = if wrap == 0 {
            4096
        } else {
            wrap.saturating_sub(cur)
        };
        let mut line: String = raw.trim_end_matches(['\n', '\r']).to_owned();
        while line.chars().count() > width {
            let chars: Vec<char> = line.chars().collect();
            let cut = chars[..=width.min(chars.len() - 1)]
                .iter()
                .rposition(|c| *c == ' ')
                .filter(|i| *i > 0)
                .unwrap_or(width);
            let head: String = chars[..cut].iter().collect();
            let _ = write!(out, "{head}\n{}", " ".repeat(start));
            width = if wrap == 0 {
                4096
            } else {
                wrap.saturating_sub(start)
            };
            line = chars[cut..].iter().collect::<String>().trim().to_owned();
        }
        let _ = writeln!(out, "{line}");
        cur = start;
    }
    let _ = cur;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hashes_indent_their_keys_by_two_and_lists_join_with_spaces() {
        let v = json!({"scope": ["a", "b"], "client_id": "x", "access_token_validity": 600, "nothing": null,
            "prompts": {"username": ["text", "Email"]}});
        assert_eq!(
            pp(&v, 0),
            "  scope: a b\n  client_id: x\n  access_token_validity: 600\n  prompts\n    username: text Email\n"
        );
    }

    #[test]
    fn lists_of_hashes_print_each_under_a_dash() {
        let v = json!({"resources": [{"a": 1}, {"a": 2}]});
        assert_eq!(pp(&v, 0), "  resources: \n  -\n    a: 1\n  -\n    a: 2\n");
    }

    #[test]
    fn a_plain_string_prints_alone() {
        assert_eq!(
            pp(&json!("client secret successfully set"), 0),
            "client secret successfully set\n"
        );
    }

    #[test]
    fn long_lines_wrap_at_spaces_on_a_terminal() {
        let v = json!({"scope": ["aaaa", "bbbb", "cccc", "dddd"]});
        assert_eq!(pp(&v, 20), "  scope: aaaa bbbb\n      cccc dddd\n");
    }
}
