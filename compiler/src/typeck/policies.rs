//! Policies (LANGUAGE.md §4.10): compile-time field metadata.
//!
//! A tag `` `json:"id" max:"40"` `` is parsed into `key -> value` pairs (malformed: E0765). A
//! policy resolves to `field -> pairs`: its parents first (listed order, depth first, each
//! ancestor applied once, at its first occurrence), then its own fields; later entries override
//! earlier ones key by key. A struct's metadata applies its policies left to right, then each
//! field's inline tag. Unknown policy names are E0412, `with` cycles E0391, a policy field
//! naming no field of the struct is warning W0009. Policy/type name clashes (E0428) are
//! reported by the resolver. Nothing of this reaches the generated C; the result is kept on
//! `hir::StructDef::metadata` for later reflection builtins.

use super::Checker;
use crate::diag::Diagnostic;
use crate::hir;
use crate::span::Span;
use crate::syntax::ast::{self, ItemKind};
use crate::types::StructId;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// The `key -> value` pairs of one field.
pub type TagMap = BTreeMap<String, String>;

/// Metadata of the declared (non-instance) structs, by `StructId`.
pub(crate) type StructMetadata = HashMap<StructId, Vec<(String, TagMap)>>;

/// A malformed tag: what is wrong, and the byte range (within the tag text) where.
#[derive(Debug, PartialEq)]
pub(crate) struct TagError {
    pub message: String,
    pub label: String,
    pub start: usize,
    pub end: usize,
}

/// Parses the text of a tag (without its backticks): blank-separated `key:"value"` pairs. A key
/// is a run of characters other than blanks, `:`, `"` and control characters; a value has no
/// escapes and cannot contain `"`. A key given twice keeps its last value.
pub(crate) fn parse_tag(text: &str) -> Result<TagMap, TagError> {
    let b = text.as_bytes();
    let err = |message: String, label: &str, start: usize, end: usize| {
        let mut end = end.max(start + 1).min(b.len().max(start + 1));
        // At least one whole character (`json:é`: the span must not end inside `é`).
        while end < b.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        Err(TagError { message, label: label.to_string(), start, end })
    };
    let mut map = TagMap::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Ok(map);
        }
        let key_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b':' && b[i] != b'"' && !b[i].is_ascii_control() {
            i += 1;
        }
        let key = &text[key_start..i];
        if key.is_empty() {
            let what = if b[i] == b':' { "`:` without a key" } else { "expected a key" };
            return err(format!("malformed tag: {what}"), "a key such as `json` must come here", i, i + 1);
        }
        if i >= b.len() || b[i] != b':' {
            return err(
                format!("malformed tag: expected `:` after the key `{key}`"),
                "write `key:\"value\"`",
                key_start,
                i,
            );
        }
        i += 1;
        if i >= b.len() || b[i] != b'"' {
            return err(
                format!("malformed tag: the value of `{key}` must be a quoted string"),
                "expected `\"` here",
                i,
                i + 1,
            );
        }
        let value_start = i + 1;
        let Some(len) = text[value_start..].find('"') else {
            return err(format!("malformed tag: unterminated value of `{key}`"), "this value has no closing `\"`", i, b.len());
        };
        let value = &text[value_start..value_start + len];
        i = value_start + len + 1;
        if i < b.len() && !b[i].is_ascii_whitespace() {
            return err(
                "malformed tag: pairs must be separated by blanks".to_string(),
                "expected a blank before this",
                i,
                i + 1,
            );
        }
        map.insert(key.to_string(), value.to_string());
    }
}

/// Applies `from` over `into`, key by key.
fn merge(into: &mut TagMap, from: &TagMap) {
    for (k, v) in from {
        into.insert(k.clone(), v.clone());
    }
}

/// A policy's resolved fields: field name -> (pairs, span of the policy field that last set it).
type PolicyFields = BTreeMap<String, (TagMap, Span)>;

impl Checker<'_> {
    /// Checks every policy and every `with` list, and returns the metadata of each declared
    /// struct (instances of generic structs take their template's, see `attach_metadata`).
    pub fn check_policies(&mut self) -> StructMetadata {
        let file = self.file;
        // Own fields of every policy, tags parsed (all policies, duplicates and unused ones too).
        let mut own: HashMap<usize, Vec<(String, TagMap, Span)>> = HashMap::default();
        for (i, item) in file.items.iter().enumerate() {
            let ItemKind::Policy(p) = &item.kind else { continue };
            let fields = p
                .fields
                .iter()
                .map(|(name, text, span)| (name.name.clone(), self.tag_map(text, *span), name.span))
                .collect();
            own.insert(i, fields);
            for parent in &p.parents {
                self.policy_item(parent);
            }
        }
        self.check_policy_cycles();

        let mut out = StructMetadata::default();
        for (i, item) in file.items.iter().enumerate() {
            let ItemKind::Struct(s) = &item.kind else { continue };
            let meta = self.struct_metadata(s, &own);
            if let Some(&id) = self.res.struct_ids.get(&s.name.name) {
                if self.res.structs[id as usize].item == i {
                    out.insert(id, meta);
                }
            }
        }
        out
    }

    /// Parses a tag (span includes the backticks); a malformed one is E0765 and counts as empty.
    fn tag_map(&mut self, text: &str, span: Span) -> TagMap {
        match parse_tag(text) {
            Ok(map) => map,
            Err(e) => {
                let inner = span.start as usize + 1;
                let at = Span::new(span.file, inner + e.start, inner + e.end);
                self.error(
                    Diagnostic::error("E0765", e.message, at)
                        .label(e.label)
                        .help("a tag is a blank-separated list of `key:\"value\"` pairs, e.g. `json:\"id\" db:\"pk\"`"),
                );
                TagMap::new()
            }
        }
    }

    /// The item index of the policy `name` refers to; E0412 if there is none.
    fn policy_item(&mut self, name: &ast::Ident) -> Option<usize> {
        if let Some(&i) = self.res.policies.get(&name.name) {
            return Some(i);
        }
        let what = if self.res.struct_ids.contains_key(&name.name) {
            Some("a struct")
        } else if self.res.traits.contains_key(&name.name) {
            Some("a trait")
        } else if self.res.enum_ids.contains_key(&name.name) {
            Some("an enum")
        } else if self.res.aliases.contains_key(&name.name) {
            Some("a type alias")
        } else {
            None
        };
        let mut d = Diagnostic::error("E0412", format!("cannot find policy `{}` in this scope", name.name), name.span);
        d = match what {
            Some(what) => d.label(format!("`{}` is {what}, not a policy", name.name)),
            None => d.label("not found in this scope"),
        };
        let mut known: Vec<&String> = self.res.policies.keys().collect();
        known.sort();
        if let Some(best) = known.iter().find(|k| close(k, &name.name)) {
            d = d.help(format!("a policy with a similar name exists: `{best}`"));
        }
        self.error(d);
        None
    }

    /// E0391 for every cycle of `with` edges, once per cycle, with the chain in a note.
    fn check_policy_cycles(&mut self) {
        let file = self.file;
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Active,
            Done,
        }
        let mut marks: HashMap<usize, Mark> = HashMap::default();
        let mut roots: Vec<usize> = self.res.policies.values().copied().collect();
        roots.sort();
        for root in roots {
            if marks.contains_key(&root) {
                continue;
            }
            // Iterative depth-first search: (policy, index of the next parent to visit).
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            marks.insert(root, Mark::Active);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let parents = &policy_decl(file, node).parents;
                if *next >= parents.len() {
                    marks.insert(node, Mark::Done);
                    stack.pop();
                    continue;
                }
                let parent = &parents[*next];
                *next += 1;
                let Some(&target) = self.res.policies.get(&parent.name) else { continue };
                match marks.get(&target) {
                    Some(Mark::Done) => {}
                    Some(Mark::Active) => {
                        let from = stack.iter().position(|&(n, _)| n == target).unwrap_or(0);
                        let mut chain: Vec<String> =
                            stack[from..].iter().map(|&(n, _)| policy_decl(file, n).name.name.clone()).collect();
                        chain.push(policy_decl(file, target).name.name.clone());
                        let head = &policy_decl(file, target).name;
                        let d = if chain.len() == 2 {
                            Diagnostic::error("E0391", format!("policy `{}` inherits from itself", head.name), parent.span)
                                .label("the policy names itself in its `with` list")
                        } else {
                            Diagnostic::error("E0391", format!("circular policy dependency involving `{}`", head.name), parent.span)
                                .label("this `with` closes the cycle")
                                .secondary(head.span, format!("`{}` declared here", head.name))
                        };
                        self.error(d.note(format!("cycle: {}", chain.join(" -> "))).help("remove one of the `with` entries of the cycle"));
                    }
                    None => {
                        marks.insert(target, Mark::Active);
                        stack.push((target, 0));
                    }
                }
            }
        }
    }

    /// Resolves the policy at `item`: its ancestors depth first in listed order, each once, then
    /// itself; later policies override earlier ones key by key. Cycles terminate (and were
    /// reported by `check_policy_cycles`).
    fn resolve_policy(&self, item: usize, own: &HashMap<usize, Vec<(String, TagMap, Span)>>) -> PolicyFields {
        let file = self.file;
        let mut order: Vec<usize> = Vec::new();
        let mut seen: HashSet<usize> = HashSet::default();
        let mut stack: Vec<(usize, usize)> = vec![(item, 0)];
        seen.insert(item);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let parents = &policy_decl(file, node).parents;
            if *next >= parents.len() {
                order.push(node);
                stack.pop();
                continue;
            }
            let parent = &parents[*next];
            *next += 1;
            if let Some(&target) = self.res.policies.get(&parent.name) {
                if seen.insert(target) {
                    stack.push((target, 0));
                }
            }
        }
        let mut fields = PolicyFields::new();
        for p in order {
            for (name, map, span) in own.get(&p).map(Vec::as_slice).unwrap_or(&[]) {
                let entry = fields.entry(name.clone()).or_insert_with(|| (TagMap::new(), *span));
                merge(&mut entry.0, map);
                entry.1 = *span;
            }
        }
        fields
    }

    /// A struct's metadata (one entry per distinct field name, in declaration order); also
    /// checks its `with` list and field tags.
    fn struct_metadata(&mut self, s: &ast::StructDecl, own: &HashMap<usize, Vec<(String, TagMap, Span)>>) -> Vec<(String, TagMap)> {
        let mut meta: Vec<(String, TagMap)> = Vec::new();
        for f in &s.fields {
            if !meta.iter().any(|(n, _)| *n == f.name.name) {
                meta.push((f.name.name.clone(), TagMap::new()));
            }
        }
        let mut warned: HashSet<String> = HashSet::default();
        for pname in &s.policies {
            let Some(item) = self.policy_item(pname) else { continue };
            for (field, (map, decl_span)) in self.resolve_policy(item, own) {
                match meta.iter_mut().find(|(n, _)| *n == field) {
                    Some((_, m)) => merge(m, &map),
                    None => {
                        if warned.insert(field.clone()) {
                            self.error(
                                Diagnostic::warning(
                                    "W0009",
                                    format!("policy `{}` gives metadata for `{field}`, which is not a field of `{}`", pname.name, s.name.name),
                                    pname.span,
                                )
                                .label(format!("`{}` has no field `{field}`", s.name.name))
                                .secondary(decl_span, format!("metadata for `{field}` declared here"))
                                .note("the metadata is ignored for this struct"),
                            );
                        }
                    }
                }
            }
        }
        for f in &s.fields {
            let Some((text, span)) = &f.tag else { continue };
            let map = self.tag_map(text, *span);
            if let Some((_, m)) = meta.iter_mut().find(|(n, _)| *n == f.name.name) {
                merge(m, &map);
            }
        }
        meta
    }
}

fn policy_decl(file: &ast::File, item: usize) -> &ast::PolicyDecl {
    match &file.items[item].kind {
        ItemKind::Policy(p) => p,
        _ => unreachable!("policy table points at a non-policy item"),
    }
}

/// Edit distance at most 2 (for "a policy with a similar name exists").
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 || b.len() > 64 {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()] <= 2 && prev[b.len()] < a.len().max(b.len())
}

/// Stores the metadata on the declared structs and copies each template's onto its instances.
pub(crate) fn attach_metadata(
    structs: &mut [hir::StructDef],
    template_of: &HashMap<StructId, (StructId, Vec<crate::types::Ty>)>,
    metadata: &StructMetadata,
) {
    for (id, def) in structs.iter_mut().enumerate() {
        let id = id as StructId;
        let source = template_of.get(&id).map(|(t, _)| *t).unwrap_or(id);
        if let Some(meta) = metadata.get(&source) {
            def.metadata = meta.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> TagMap {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn tags() {
        assert_eq!(parse_tag(r#"json:"id""#), Ok(map(&[("json", "id")])));
        assert_eq!(parse_tag(r#"  json:"label"   max:"40" "#), Ok(map(&[("json", "label"), ("max", "40")])));
        assert_eq!(parse_tag(""), Ok(TagMap::new()));
        assert_eq!(parse_tag(r#"a:"1" a:"2""#), Ok(map(&[("a", "2")])));
        assert_eq!(parse_tag(r#"a:"x y,z""#), Ok(map(&[("a", "x y,z")])));
        assert_eq!(parse_tag(r#"a:"""#), Ok(map(&[("a", "")])));
        for bad in [r#"json"#, r#"json:id"#, r#"json:"id"#, r#":"id""#, r#"a:"1"b:"2""#, r#""x""#, r#"a :"1""#] {
            assert!(parse_tag(bad).is_err(), "{bad} should be malformed");
        }
        let e = parse_tag(r#"a:"1" b:2"#).unwrap_err();
        assert_eq!((e.start, e.end), (8, 9));
        // The span covers the whole character (found by fuzzing: it ended inside `é`).
        let e = parse_tag("json:é").unwrap_err();
        assert_eq!((e.start, e.end), (5, 7));
    }

    #[test]
    fn spec_example_metadata() {
        let src = r#"
policy Wire { id `json:"id"`, label `json:"label" max:"40"` }
policy Stored with Wire { id `db:"pk"` }
struct Item with Stored { id: i64 `json:"item_id"`, label: string }
fn main() {}
"#;
        let mut sources = crate::span::SourceMap::default();
        let id = sources.add(crate::span::SourceFile::new("t.vx", src));
        let (program, warnings) = crate::check(&mut sources, id).expect("the spec's example compiles");
        assert!(warnings.is_empty());
        let item = program.structs.iter().find(|s| s.name == "Item").unwrap();
        assert_eq!(
            item.metadata,
            vec![
                ("id".to_string(), map(&[("json", "item_id"), ("db", "pk")])),
                ("label".to_string(), map(&[("json", "label"), ("max", "40")])),
            ]
        );
    }

    #[test]
    fn diamond_and_order() {
        // Base is applied once, at its first occurrence (through Left), so Right's `k`
        // overrides it; the struct's later policy `Last` overrides `Both`; the tag wins.
        let src = r#"
policy Base { f `k:"base" b:"1"` }
policy Left with Base { f `l:"1"` }
policy Right with Base { f `k:"right"` }
policy Both with Left, Right, Base { g `x:"1"` }
policy Last { f `l:"last"` g `x:"2"` }
struct S<T> with Both, Last { f: T, g: i32 `y:"tag" x:"3"` }
fn main() { let s = S { f: 1, g: 2 }; println(s.g); }
"#;
        let mut sources = crate::span::SourceMap::default();
        let id = sources.add(crate::span::SourceFile::new("t.vx", src));
        let (program, _) = crate::check(&mut sources, id).expect("compiles");
        let want = vec![
            ("f".to_string(), map(&[("k", "right"), ("b", "1"), ("l", "last")])),
            ("g".to_string(), map(&[("x", "3"), ("y", "tag")])),
        ];
        for s in program.structs.iter().filter(|s| s.name.starts_with('S')) {
            assert_eq!(s.metadata, want, "{}", s.name);
        }
    }
}
