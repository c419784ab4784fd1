use super::*;

#[test]
fn doc_links_are_reduced_to_their_text() {
    assert_eq!(
        strip_doc_links("see [`Foo::bar`](crate::Foo::bar) and [`Baz`]."),
        "see `Foo::bar` and `Baz`."
    );
    assert_eq!(strip_doc_links("no links [here"), "no links [here");
}

#[test]
fn arms_become_rows_with_nested_matches_guards_and_format() {
    let source = r#"
        enum E {
            /// A is bad.
            ///
            /// More text.
            A,
            /// B wraps [`Inner`](crate::Inner).
            B(Inner),
            C(u8),
        }
        impl E {
            fn recovery_suggestion(&self) -> Option<String> {
                let fix = "fix it";
                let text = match self {
                    E::A => "Do a.",
                    E::B(inner) => return inner.recovery_suggestion(),
                    E::C(n) if n.is_odd() => "Odd | one.",
                    E::C(k) => match k { 0 => "zero", _ => "other" },
                };
                Some(text.to_owned())
            }
        }
        macro_rules! kinds { ($($v:ident => $c:literal,)+) => { pub enum Other { $($v,)+ } } }
        kinds! {
            /// The x.
            X => "XException",
            Y => "YException",
        }
        impl Other {
            fn suggestion(self) -> &'static str {
                match self { Self::X => { "x" } Self::Y => format!("{fix} at {}", 1) }
            }
        }
    "#;
    let ast = syn::parse_file(source).expect("test source parses");
    let mut docs = VariantDocs::new();
    let mut macro_enums = BTreeMap::new();
    collect_macro_enums(&ast.items, &mut macro_enums);
    collect_variant_docs(&ast.items, &macro_enums, &mut docs);
    let mut tables = Vec::new();
    collect_tables("demo", &ast.items, &docs, &mut tables);
    assert_eq!(tables.len(), 2);
    let rows = triples(&tables[0]);
    assert_eq!(rows[0], ("E::A", "A is bad.", "Do a."));
    assert_eq!(rows[1].0, "E::B");
    assert_eq!(rows[1].1, "B wraps `Inner`.");
    assert_eq!(
        rows[1].2,
        "that of the value it wraps (`inner.recovery_suggestion()`)"
    );
    assert_eq!(rows[2].0, "E::C (if `n.is_odd()`)");
    assert_eq!(rows[3], ("E::C, 0", "", "zero"));
    assert_eq!(rows[4], ("E::C, any other", "", "other"));
    assert_eq!(tables[0].rows[0].meaning, "A is bad.");
    let other = triples(&tables[1]);
    assert_eq!(
        other,
        [
            ("Other::X", "The x. (`XException`)", "x"),
            ("Other::Y", "`YException`", "… at …")
        ]
    );
    assert_eq!(
        cell("see http://localhost:3000/ now."),
        "see `http://localhost:3000/` now."
    );
    assert_eq!(cell("`http://in.code`"), "`http://in.code`");
    let page = render(&tables);
    assert!(page.contains("| `E::C (if n.is_odd())` |  | Odd \\| one. |"));
}

fn triples(table: &Table) -> Vec<(&str, &str, &str)> {
    table
        .rows
        .iter()
        .map(|r| {
            (
                r.pattern.as_str(),
                r.meaning.as_str(),
                r.suggestion.as_str(),
            )
        })
        .collect()
}
