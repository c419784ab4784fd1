//! `cargo xtask docs troubleshooting [--check]`: writes `docs/troubleshooting.md` from the
//! recovery suggestions in the crates' source.
//!
//! Every amplify-rs error says how to recover through `AmplifyError::recovery_suggestion` (or an
//! inherent `recovery_suggestion` / `suggestion` on an error or reason enum). Those functions
//! are one `match` over the variants with a string per arm, so the page is read from the source
//! with `syn`, not written by hand:
//!
//! * every function named `recovery_suggestion` or `suggestion` in an `impl` block of a file
//!   under `crates/*/src` is a table, titled with the `impl`'s type;
//! * each arm of its outermost `match` is a row: the pattern (guards included), the variant's
//!   doc comment (found in the enum of the pattern's path, or of the `impl`'s type for `Self::`)
//!   and the arm's text. A string literal, `format!` (placeholders become `…`, names bound by a
//!   `let` to a literal are filled in) and `.to_owned()` give text; a nested `match` gives one
//!   row per inner arm; anything else (a call to another suggestion) says it delegates.
//!
//! `--check` compares instead of writing and fails when the committed page is out of date (CI
//! runs it in `crates/amplify-core/ci/docs.sh`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use quote::ToTokens;
use syn::{Expr, ImplItem, Item, Lit, Pat};

/// Where the page goes, relative to the workspace root.
pub(crate) const PAGE: &str = "docs/troubleshooting.md";

/// The crates in the order their tables appear (lower layers first).
const CRATES: [&str; 7] = [
    "amplify-core",
    "amplify-config",
    "amplify-secure-storage",
    "amplify-auth-cognito",
    "amplify-api",
    "amplify-codegen",
    "amplify-emulator",
];

/// Runs `docs troubleshooting [--check]`.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<String, String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("usage: cargo xtask docs troubleshooting [--check]".to_owned()),
    };
    let page = generate(root)?;
    let path = root.join(PAGE);
    if check {
        let committed = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if committed != page {
            return Err(format!(
                "{PAGE} is out of date with the recovery suggestions in the source: run `cargo xtask docs troubleshooting` and commit it"
            ));
        }
        return Ok(format!("{PAGE} is up to date"));
    }
    std::fs::write(&path, &page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(format!("wrote {PAGE}"))
}

/// One table: the suggestions of one type.
struct Table {
    crate_name: &'static str,
    type_name: String,
    rows: Vec<Row>,
}

struct Row {
    pattern: String,
    meaning: String,
    suggestion: String,
}

/// The documentation of every enum variant of a crate: enum name → variant → first paragraph.
type VariantDocs = BTreeMap<String, BTreeMap<String, String>>;

/// Builds the page.
pub(crate) fn generate(root: &Path) -> Result<String, String> {
    let mut tables = Vec::new();
    for crate_name in CRATES {
        let files = crate::layout::rust_files(&root.join("crates").join(crate_name).join("src"))?;
        let mut parsed = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let ast = syn::parse_file(&text)
                .map_err(|e| format!("cannot parse {}: {e}", file.display()))?;
            parsed.push(ast);
        }
        let mut docs = VariantDocs::new();
        let mut macro_enums = BTreeMap::new();
        for ast in &parsed {
            collect_macro_enums(&ast.items, &mut macro_enums);
        }
        for ast in &parsed {
            collect_variant_docs(&ast.items, &macro_enums, &mut docs);
        }
        for ast in &parsed {
            collect_tables(crate_name, &ast.items, &docs, &mut tables);
        }
    }
    if tables.is_empty() {
        return Err("no recovery suggestions found: has the source changed shape?".to_owned());
    }
    Ok(render(&tables))
}

/// `macro_rules! name { ... enum Name ... }`: macro name → the enum it declares.
fn collect_macro_enums(items: &[Item], out: &mut BTreeMap<String, String>) {
    for item in items {
        if let Item::Macro(m) = item
            && m.mac.path.is_ident("macro_rules")
            && let Some(name) = &m.ident
        {
            let body = m.mac.tokens.to_string();
            let declared = body
                .split("enum ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next());
            if let Some(declared) = declared {
                out.insert(name.to_string(), declared.to_owned());
            }
        }
    }
}

/// The variants of an invocation `name! { /// doc  Variant => "Code", ... }` of a macro that
/// declares an enum: each variant's doc and wire code.
fn macro_variants(mac: &syn::Macro) -> Option<Vec<(String, String)>> {
    let parser = |input: syn::parse::ParseStream<'_>| {
        let mut out = Vec::new();
        while !input.is_empty() {
            let attrs = input.call(syn::Attribute::parse_outer)?;
            let ident: syn::Ident = input.parse()?;
            input.parse::<syn::Token![=>]>()?;
            let code: syn::LitStr = input.parse()?;
            if !input.is_empty() {
                input.parse::<syn::Token![,]>()?;
            }
            let doc = first_paragraph(&attrs);
            let meaning = if doc.is_empty() {
                format!("`{}`", code.value())
            } else {
                format!("{doc} (`{}`)", code.value())
            };
            out.push((ident.to_string(), meaning));
        }
        Ok(out)
    };
    mac.parse_body_with(parser).ok()
}

fn collect_variant_docs(
    items: &[Item],
    macro_enums: &BTreeMap<String, String>,
    docs: &mut VariantDocs,
) {
    for item in items {
        match item {
            Item::Macro(m) => {
                let enum_name = m
                    .mac
                    .path
                    .get_ident()
                    .and_then(|name| macro_enums.get(&name.to_string()));
                if let Some(enum_name) = enum_name
                    && let Some(variants) = macro_variants(&m.mac)
                {
                    docs.entry(enum_name.clone()).or_default().extend(variants);
                }
            }
            Item::Enum(e) => {
                let variants = docs.entry(e.ident.to_string()).or_default();
                for v in &e.variants {
                    variants.insert(v.ident.to_string(), first_paragraph(&v.attrs));
                }
            }
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_variant_docs(items, macro_enums, docs);
                }
            }
            _ => {}
        }
    }
}

/// The first paragraph of an item's doc comment, on one line, with rustdoc links reduced to
/// their text (they do not resolve outside the crate).
fn first_paragraph(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(lit) = &nv.value
            && let Lit::Str(s) = &lit.lit
        {
            let line = s.value();
            if line.trim().is_empty() {
                if !lines.is_empty() {
                    break;
                }
                continue;
            }
            lines.push(line.trim().to_owned());
        }
    }
    strip_doc_links(&lines.join(" "))
}

/// `[text](target)` → `text`, `[`Name`]` → `` `Name` ``.
fn strip_doc_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        let tail = &after[close + 1..];
        out.push_str(inner);
        rest = match tail
            .strip_prefix('(')
            .and_then(|t| t.find(')').map(|end| &t[end + 1..]))
        {
            Some(after_target) => after_target,
            None => tail,
        };
    }
    out.push_str(rest);
    out
}

fn collect_tables(
    crate_name: &'static str,
    items: &[Item],
    docs: &VariantDocs,
    tables: &mut Vec<Table>,
) {
    for item in items {
        match item {
            Item::Impl(block) => {
                let Some(type_name) = type_name(&block.self_ty) else {
                    continue;
                };
                for impl_item in &block.items {
                    let ImplItem::Fn(f) = impl_item else { continue };
                    let name = f.sig.ident.to_string();
                    if name != "recovery_suggestion" && name != "suggestion" {
                        continue;
                    }
                    let mut cx = Context {
                        self_type: type_name.clone(),
                        docs,
                        lets: BTreeMap::new(),
                        rows: Vec::new(),
                    };
                    cx.collect_lets(&f.block.stmts);
                    if let Some(m) = find_match(&f.block.stmts) {
                        cx.arms(m, "", "");
                    }
                    if !cx.rows.is_empty() {
                        tables.push(Table {
                            crate_name,
                            type_name: type_name.clone(),
                            rows: cx.rows,
                        });
                    }
                }
            }
            Item::Mod(m) if !is_test_module(m) => {
                if let Some((_, items)) = &m.content {
                    collect_tables(crate_name, items, docs, tables);
                }
            }
            _ => {}
        }
    }
}

fn is_test_module(m: &syn::ItemMod) -> bool {
    m.ident == "tests"
        || m.attrs
            .iter()
            .any(|a| a.to_token_stream().to_string().contains("test"))
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The first `match` in a function body, looking through `let x = match ..`, `Some(match ..)`,
/// method calls and blocks.
fn find_match(stmts: &[syn::Stmt]) -> Option<&syn::ExprMatch> {
    stmts.iter().find_map(|stmt| match stmt {
        syn::Stmt::Local(local) => local.init.as_ref().and_then(|i| match_in(&i.expr)),
        syn::Stmt::Expr(e, _) => match_in(e),
        _ => None,
    })
}

fn match_in(expr: &Expr) -> Option<&syn::ExprMatch> {
    match expr {
        Expr::Match(m) => Some(m),
        Expr::Call(c) => c.args.iter().find_map(match_in),
        Expr::MethodCall(m) => match_in(&m.receiver),
        Expr::Paren(p) => match_in(&p.expr),
        Expr::Block(b) => find_match(&b.block.stmts),
        _ => None,
    }
}

struct Context<'a> {
    self_type: String,
    docs: &'a VariantDocs,
    /// `let name = "literal";` in the function, for `format!("{name}")`.
    lets: BTreeMap<String, String>,
    rows: Vec<Row>,
}

impl Context<'_> {
    fn collect_lets(&mut self, stmts: &[syn::Stmt]) {
        for stmt in stmts {
            if let syn::Stmt::Local(local) = stmt
                && let Pat::Ident(ident) = &local.pat
                && let Some(init) = &local.init
                && let Some(text) = literal(&init.expr)
            {
                self.lets.insert(ident.ident.to_string(), text);
            }
        }
    }

    fn arms(&mut self, m: &syn::ExprMatch, prefix: &str, outer_meaning: &str) {
        for arm in &m.arms {
            let mut meaning = self.meaning(&arm.pat);
            if meaning.is_empty() {
                meaning = outer_meaning.to_owned();
            }
            let mut pattern = pattern_text(&arm.pat)
                .split(" / ")
                .map(|case| match case.strip_prefix("Self::") {
                    Some(variant) => format!("{}::{variant}", self.self_type),
                    None => case.to_owned(),
                })
                .collect::<Vec<_>>()
                .join(" / ");
            if let Some((_, guard)) = &arm.guard {
                let _ = write!(
                    pattern,
                    " (if `{}`)",
                    tidy(&guard.to_token_stream().to_string())
                );
            }
            let full = if prefix.is_empty() {
                pattern.clone()
            } else {
                format!("{prefix}, {pattern}")
            };
            if let Some(inner) = nested_match(&arm.body) {
                self.arms(inner, &full, &meaning);
                continue;
            }
            let suggestion = match self.text(&arm.body) {
                Some(text) => text,
                None => delegation(&arm.body),
            };
            self.rows.push(Row {
                pattern: full,
                meaning,
                suggestion,
            });
        }
    }

    /// The text an arm evaluates to, when it is a literal or a `format!` of one.
    fn text(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Lit(_) => literal(expr),
            Expr::Macro(m) if m.mac.path.is_ident("format") => {
                let tokens: syn::punctuated::Punctuated<Expr, syn::Token![,]> = m
                    .mac
                    .parse_body_with(syn::punctuated::Punctuated::parse_terminated)
                    .ok()?;
                let template = literal(tokens.first()?)?;
                Some(self.fill(&template))
            }
            Expr::MethodCall(call) if call.method == "to_owned" || call.method == "into" => {
                self.text(&call.receiver)
            }
            Expr::Paren(p) => self.text(&p.expr),
            Expr::Call(call) if is_some(&call.func) && call.args.len() == 1 => {
                call.args.first().and_then(|arg| self.text(arg))
            }
            Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(e, None)) => self.text(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// `{name}` from the function's literal `let`s, other placeholders as `…`.
    fn fill(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &rest[open + 1..open + close];
            let name = name.split(':').next().unwrap_or_default();
            match self.lets.get(name) {
                Some(value) => out.push_str(value),
                None => out.push('…'),
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The doc comment of the variant a pattern names.
    fn meaning(&self, pat: &Pat) -> String {
        if let Pat::Or(or) = pat {
            return or
                .cases
                .first()
                .map(|p| self.meaning(p))
                .unwrap_or_default();
        }
        let path = match pat {
            Pat::Path(p) => Some(&p.path),
            Pat::TupleStruct(p) => Some(&p.path),
            Pat::Struct(p) => Some(&p.path),
            _ => None,
        };
        let Some(path) = path else {
            return String::new();
        };
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let (enum_name, variant) = match segments.as_slice() {
            [.., e, v] if e == "Self" => (self.self_type.clone(), v.clone()),
            [.., e, v] => (e.clone(), v.clone()),
            _ => return String::new(),
        };
        self.docs
            .get(&enum_name)
            .and_then(|variants| variants.get(&variant))
            .cloned()
            .unwrap_or_default()
    }
}

/// What an arm that calls another suggestion says: the call, and a literal fallback if any.
fn delegation(expr: &Expr) -> String {
    let mut expr = expr;
    loop {
        expr = match expr {
            Expr::Return(r) => match &r.expr {
                Some(inner) => inner,
                None => break,
            },
            Expr::Block(b) if b.block.stmts.len() == 1 => match b.block.stmts.first() {
                Some(syn::Stmt::Expr(e, _)) => e,
                _ => break,
            },
            _ => break,
        };
    }
    if let Expr::Path(p) = expr
        && p.path.is_ident("None")
    {
        return "none of its own: the error's message says more".to_owned();
    }
    let (call, fallback) = match expr {
        Expr::MethodCall(m) if m.method == "or_else" || m.method == "or" => {
            (&*m.receiver, m.args.first().and_then(first_literal))
        }
        other => (other, None),
    };
    let mut text = format!(
        "that of the value it wraps (`{}`)",
        tidy(&call.to_token_stream().to_string())
    );
    if let Some(fallback) = fallback {
        let _ = write!(text, ", else: {fallback}");
    }
    text
}

/// The first string literal inside an expression (a closure's `Some("...")`, ...).
fn first_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(_) => literal(expr),
        Expr::Closure(c) => first_literal(&c.body),
        Expr::Call(c) => c.args.iter().find_map(first_literal),
        Expr::MethodCall(m) => {
            first_literal(&m.receiver).or_else(|| m.args.iter().find_map(first_literal))
        }
        Expr::Paren(p) => first_literal(&p.expr),
        _ => None,
    }
}

/// An arm whose value is itself a `match` (directly or as a block's value).
fn nested_match(expr: &Expr) -> Option<&syn::ExprMatch> {
    match expr {
        Expr::Match(m) => Some(m),
        Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => nested_match(e),
            _ => None,
        },
        _ => None,
    }
}

fn is_some(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.path.is_ident("Some"))
}

/// The value of a string literal, line continuations and escapes resolved by `syn`.
fn literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// A pattern without its bindings: `AuthError::Service(e)` → `AuthError::Service`.
fn pattern_text(pat: &Pat) -> String {
    let path_text = |path: &syn::Path| {
        path.segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::")
    };
    match pat {
        Pat::Path(p) => path_text(&p.path),
        Pat::TupleStruct(p) => path_text(&p.path),
        Pat::Struct(p) => path_text(&p.path),
        Pat::Or(or) => or
            .cases
            .iter()
            .map(pattern_text)
            .collect::<Vec<_>>()
            .join(" / "),
        Pat::Wild(_) => "any other".to_owned(),
        other => tidy(&other.to_token_stream().to_string()),
    }
}

/// Token-stream spacing made readable: `f . reason ()` → `f.reason()`.
fn tidy(text: &str) -> String {
    let mut out = text.to_owned();
    for (from, to) in [
        (" :: ", "::"),
        (" . ", "."),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ,", ","),
        ("& ", "&"),
        ("! ", "!"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// A table cell: no pipes or newlines, and bare URLs in code spans (rustdoc warns about bare
/// URLs, and the page is part of amplify-core's documentation).
fn cell(text: &str) -> String {
    let text = text.replace('|', "\\|").replace('\n', " ");
    let mut words = Vec::new();
    let mut in_code = false;
    for word in text.split(' ') {
        let ticks = word.matches('`').count();
        if !in_code && (word.starts_with("http://") || word.starts_with("https://")) {
            let url = word.trim_end_matches(['.', ',', ';', ')']);
            words.push(format!("`{url}`{}", &word[url.len()..]));
        } else {
            words.push(word.to_owned());
        }
        if ticks % 2 == 1 {
            in_code = !in_code;
        }
    }
    words.join(" ")
}

fn render(tables: &[Table]) -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Generated by `cargo xtask docs troubleshooting` from the recovery suggestions in the\n\
         crates' source; CI fails when it is out of date. Do not edit by hand. -->\n\n\
         # Troubleshooting\n\n\
         Every amplify-rs error says how to recover from it: `AmplifyError::recovery_suggestion()` on\n\
         `AuthError`, `ApiError`, `StorageError`, `CoreError` and `ProviderError` (from `amplify_core`),\n\
         and an inherent `recovery_suggestion()` on `ConfigError` and `CodegenError`. Print it next to\n\
         the error and its chain:\n\n\
         ```text\n\
         eprintln!(\"error: {}\", amplify_core::DisplayErrorContext(&error));\n\
         if let Some(hint) = error.recovery_suggestion() { eprintln!(\"hint: {hint}\"); }\n\
         ```\n\n\
         The tables below list every suggestion, per error type, as the code gives it (`…` stands\n\
         for a value filled in at run time: a JSON path, a file name). A row that delegates takes\n\
         the suggestion of the error or reason it wraps, which has its own table.\n",
    );
    let mut current_crate = "";
    for table in tables {
        if table.crate_name != current_crate {
            current_crate = table.crate_name;
            let _ = write!(out, "\n## {current_crate}\n");
        }
        let _ = write!(
            out,
            "\n### `{}`\n\n| variant | what happened | what to do |\n|---|---|---|\n",
            table.type_name
        );
        for row in &table.rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                cell(&row.pattern).replace('`', ""),
                cell(&row.meaning),
                cell(&row.suggestion)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
