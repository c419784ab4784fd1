//! Rust names for GraphQL and configuration names.

/// Rust's strict and reserved keywords (edition 2024).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Splits `camelCase`, `PascalCase`, `snake_case`, `SCREAMING_CASE` and `kebab-case` into
/// lowercase words (`nextToken` → `next`, `token`; `ModelIDInput` → `model`, `id`, `input`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// A valid identifier from `name`: a raw identifier for keywords, a `_` suffix where a raw one is
/// not allowed, a `_` prefix before a leading digit.
fn ident(name: String) -> String {
    let name = if name.is_empty() {
        "_".to_owned()
    } else {
        name
    };
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

/// `createdAt` → `created_at`.
pub(crate) fn snake(name: &str) -> String {
    ident(words(name).join("_"))
}

/// `data-api` → `DATA_API`.
pub(crate) fn screaming(name: &str) -> String {
    ident(words(name).join("_").to_ascii_uppercase())
}

/// `HIGH_PRIORITY` → `HighPriority`; names already in PascalCase are kept as they are
/// (`ModelIDInput`).
pub(crate) fn pascal(name: &str) -> String {
    let already = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.chars().any(|c| c.is_ascii_lowercase());
    if already {
        return ident(name.to_owned());
    }
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    ident(joined)
}

/// `Todo` → `todo` (the first letter lowercased), as Amplify names fields after models.
pub(crate) fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_lowercase().to_string() + chars.as_str()
    })
}

/// `todo` → `Todo`.
pub(crate) fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// Amplify's plural for list queries: `Todo` → `Todos`, `Category` → `Categories`,
/// `Address` → `Addresses`.
pub(crate) fn plural(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if let Some(stem) = name.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U'])
    {
        return format!("{stem}ies");
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|s| lower.ends_with(s))
    {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

/// The identifier without a raw prefix (`r#type` → `type`), for comparing with a wire name.
pub(crate) fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(snake("nextToken"), "next_token");
        assert_eq!(snake("postCommentsId"), "post_comments_id");
        assert_eq!(snake("ModelIDInput"), "model_id_input");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("in"), "r#in");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("todo_API_KEY"), "todo_api_key");
        assert_eq!(screaming("data"), "DATA");
        assert_eq!(screaming("todo_API_KEY"), "TODO_API_KEY");
        assert_eq!(screaming("my-rest-api"), "MY_REST_API");
        assert_eq!(pascal("HIGH_PRIORITY"), "HighPriority");
        assert_eq!(pascal("ModelIDInput"), "ModelIDInput");
        assert_eq!(pascal("low"), "Low");
        assert_eq!(plural("Todo"), "Todos");
        assert_eq!(plural("Category"), "Categories");
        assert_eq!(plural("Day"), "Days");
        assert_eq!(plural("Address"), "Addresses");
        assert_eq!(snake("1st"), "_1st");
        assert_eq!(unraw("r#type"), "type");
    }
}
