//! Conversion of the pest parse tree into the AST.
//!
//! The grammar (vex.pest) guarantees the shape of every pair, so an unexpected shape is a bug in
//! vexc and is reported as an internal compiler error instead of a panic. Errors in the user's
//! program that the grammar lets through (bad escapes, oversized literals, rejected constructs)
//! are collected in `Builder::errors` and building goes on, so one run reports all of them.
//!
//! Expression chains are flat in the parse tree; precedence is applied here with an operator
//! stack, so a 100k-term chain needs no recursion. `depth` bounds the depth of the expression
//! tree being built (and hence the recursion of this builder and of every later stage).

use super::ast::*;
use super::errors;
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/vex.pest"]
pub struct VexParser;

type P<'i> = Pair<'i, Rule>;
/// Fatal builder errors (E0007, ICE); boxed to keep `Result`s and stack frames small.
type R<T> = Result<T, Box<Diagnostic>>;

/// Deepest expression/type/pattern tree the builder produces (E0007 beyond).
pub(crate) const MAX_TREE_DEPTH: u32 = 1000;

/// Punctuation and keyword tokens that carry no information once the rule matched.
fn is_noise(r: Rule) -> bool {
    use Rule::*;
    matches!(
        r,
        semi | item_semi
            | comma
            | colon
            | lbrace
            | rbrace
            | lparen
            | rparen
            | rbrack
            | fat_arrow
            | eq
            | arrow
            | kw_fn
            | kw_let
            | kw_const
            | kw_struct
            | kw_enum
            | kw_trait
            | kw_impl
            | kw_type
            | kw_extern
            | kw_policy
            | kw_with
            | kw_if
            | kw_elif
            | kw_else
            | kw_while
            | kw_for
            | kw_in
            | kw_break
            | kw_continue
            | kw_return
            | kw_switch
            | kw_case
            | kw_default
            | kw_match
            | kw_defer
            | kw_import
            | kw_from
            | kw_as
            | kw_go
            | kw_select
            | kw_unsafe
            | kw_loop
            | EOI
    )
}

/// Iterator over the meaningful children of a pair.
struct Kids<'i> {
    it: std::iter::Peekable<pest::iterators::Pairs<'i, Rule>>,
    parent: Rule,
}

impl<'i> Kids<'i> {
    fn new(p: &P<'i>) -> Kids<'i> {
        Kids { it: p.clone().into_inner().peekable(), parent: p.as_rule() }
    }

    fn skip_noise(&mut self) {
        while self.it.peek().is_some_and(|p| is_noise(p.as_rule())) {
            self.it.next();
        }
    }

    fn peek(&mut self) -> Option<Rule> {
        self.skip_noise();
        self.it.peek().map(|p| p.as_rule())
    }

    fn next(&mut self) -> Option<P<'i>> {
        self.skip_noise();
        self.it.next()
    }

    fn opt(&mut self, r: Rule) -> Option<P<'i>> {
        if self.peek() == Some(r) {
            self.next()
        } else {
            None
        }
    }

    fn want(&mut self, r: Rule) -> R<P<'i>> {
        match self.next() {
            Some(p) if p.as_rule() == r => Ok(p),
            other => Err(ice(format!("expected {:?} in {:?}, found {:?}", r, self.parent, other.map(|p| p.as_rule())))),
        }
    }

    fn any(&mut self) -> R<P<'i>> {
        let parent = self.parent;
        self.next().ok_or_else(|| ice(format!("missing child in {parent:?}")))
    }
}

fn ice(msg: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::ice("parser", msg))
}

/// Does `p` have a direct child (noise included) of rule `r`?
fn has(p: &P, r: Rule) -> bool {
    p.clone().into_inner().any(|c| c.as_rule() == r)
}

pub(crate) struct Builder {
    file: FileId,
    /// Offset of the text pest parsed within the file (non-zero inside f-strings).
    base: usize,
    pub(crate) next_id: u32,
    depth: u32,
    pub errors: Vec<Diagnostic>,
}

impl Builder {
    pub(crate) fn new(file: FileId) -> Builder {
        Builder { file, base: 0, next_id: 0, depth: 0, errors: Vec::new() }
    }

    fn id(&mut self) -> NodeId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn ident(&self, p: &P) -> Ident {
        Ident { name: p.as_str().to_string(), span: self.span(p) }
    }

    fn mk(&mut self, kind: ExprKind, span: Span) -> Expr {
        Expr { id: self.id(), kind, span }
    }

    /// Accounts for `n` more levels of tree depth; E0007 beyond MAX_TREE_DEPTH.
    fn enter(&mut self, n: usize, span: Span) -> R<()> {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        self.depth = self.depth.saturating_add(n);
        if self.depth > MAX_TREE_DEPTH {
            return Err(Box::new(
                Diagnostic::error(
                    "E0007",
                    format!("expression too deep: more than {MAX_TREE_DEPTH} nested operations"),
                    span,
                )
                .label("this expression is too deeply nested")
                .help("split the expression into several `let` bindings"),
            ));
        }
        Ok(())
    }

    /// As [`Builder::enter`], computing the span only when the limit is exceeded.
    fn enter_lazy(&mut self, n: usize, span: impl FnOnce(&Self) -> Span) -> R<()> {
        let n32 = u32::try_from(n).unwrap_or(u32::MAX);
        if self.depth.saturating_add(n32) > MAX_TREE_DEPTH {
            let span = span(self);
            return self.enter(n, span);
        }
        self.depth += n32;
        Ok(())
    }

    fn leave(&mut self, n: usize) {
        self.depth = self.depth.saturating_sub(u32::try_from(n).unwrap_or(u32::MAX));
    }

    // ------------------------------------------------------------------ file and items

    pub(crate) fn file(&mut self, p: P) -> R<File> {
        let mut items = Vec::new();
        let mut k = Kids::new(&p);
        while let Some(c) = k.next() {
            match c.as_rule() {
                Rule::import_decl => {
                    let span = self.span(&c);
                    let kind = ItemKind::Import(self.import(c)?);
                    items.push(Item { kind, exported: false, span });
                }
                Rule::export_list => {
                    let span = self.span(&c);
                    let names =
                        c.clone().into_inner().filter(|x| x.as_rule() == Rule::ident).map(|x| self.ident(&x)).collect();
                    items.push(Item { kind: ItemKind::ExportList(names), exported: false, span });
                }
                Rule::item => {
                    if let Some(item) = self.item(c)? {
                        items.push(item);
                    }
                }
                r => return Err(ice(format!("unexpected {r:?} at top level"))),
            }
        }
        Ok(File { items, node_count: self.next_id })
    }

    fn import(&mut self, p: P) -> R<Import> {
        let mut k = Kids::new(&p);
        let c = k.any()?;
        Ok(match c.as_rule() {
            Rule::string_lit => {
                let (module, module_span) = self.string(&c);
                Import::Module { module, module_span }
            }
            Rule::import_named => {
                let mut names = Vec::new();
                let mut module = None;
                for x in c.into_inner() {
                    match x.as_rule() {
                        Rule::ident => names.push(self.ident(&x)),
                        Rule::string_lit => module = Some(self.string(&x)),
                        _ => {}
                    }
                }
                let (module, module_span) = module.ok_or_else(|| ice("import without module".into()))?;
                Import::Named { names, module, module_span }
            }
            Rule::import_ns => {
                let mut kk = Kids::new(&c);
                let alias = self.ident(&kk.want(Rule::ident)?);
                let (module, module_span) = self.string(&kk.want(Rule::string_lit)?);
                Import::Namespace { alias, module, module_span }
            }
            r => return Err(ice(format!("unexpected {r:?} in import"))),
        })
    }

    fn item(&mut self, p: P) -> R<Option<Item>> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let exported = k.opt(Rule::kw_export).is_some();
        let c = k.any()?;
        let kind = match c.as_rule() {
            Rule::fn_decl => ItemKind::Fn(self.fn_decl(c)?),
            Rule::struct_decl => ItemKind::Struct(self.struct_decl(c)?),
            Rule::enum_decl => ItemKind::Enum(self.enum_decl(c)?),
            Rule::trait_decl => ItemKind::Trait(self.trait_decl(c)?),
            Rule::const_decl => ItemKind::Const(self.const_decl(c)?),
            Rule::type_alias => ItemKind::TypeAlias(self.type_alias(c)?),
            Rule::policy_decl => ItemKind::Policy(self.policy(c)?),
            Rule::extern_block => ItemKind::Extern(self.extern_block(c)?),
            Rule::impl_rejected => {
                self.errors.push(self.impl_error(&c));
                return Ok(None);
            }
            Rule::interface_rejected => {
                let head = self.head_span(&c);
                self.errors.push(
                    Diagnostic::error("E0001", "`interface` is not a Vex declaration", head)
                        .label("`interface` is reserved but not used")
                        .help("use `trait`, as in `trait Name { fn method(): i32; }`"),
                );
                return Ok(None);
            }
            r => return Err(ice(format!("unexpected {r:?} in item"))),
        };
        Ok(Some(Item { kind, exported, span }))
    }

    /// Span of a rejected block's header: from its start to just before its `{`.
    fn head_span(&self, p: &P) -> Span {
        let text = p.as_str();
        let head_len = text.find('{').unwrap_or(text.len());
        let start = self.base + p.as_span().start();
        Span::new(self.file, start, start + text[..head_len].trim_end().len())
    }

    fn impl_error(&self, p: &P) -> Diagnostic {
        let text = p.as_str();
        let head = text[..text.find('{').unwrap_or(text.len())].trim();
        // "impl Trait for Type" / "impl Type" / "impl<T> Trait<T> for Type<T>"
        let words: Vec<&str> = head.split_whitespace().collect();
        let simple = |w: &str| w.split(['<', '(']).next().unwrap_or(w).to_string();
        let (trait_name, type_name) = match words.iter().position(|w| *w == "for") {
            Some(i) => {
                (words.get(1..i).and_then(|ws| ws.last()).map(|w| simple(w)), words.get(i + 1).map(|w| simple(w)))
            }
            None => (None, words.last().filter(|w| **w != "impl").map(|w| simple(w))),
        };
        let ty = type_name.unwrap_or_else(|| "X".into());
        let help = match trait_name {
            Some(t) => format!("write `struct {ty} impl {t} {{ ... }}` and put the methods inside the struct body"),
            None => format!("write `struct {ty} {{ ... }}` and put the methods inside the struct body"),
        };
        Diagnostic::error("E0001", "`impl` blocks are not supported", self.head_span(p))
            .label("`impl` block here")
            .help(help)
    }

    fn fn_decl(&mut self, p: P) -> R<FnDecl> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let is_async = k.opt(Rule::kw_async).is_some();
        let receiver = match k.opt(Rule::receiver) {
            Some(r) => {
                let rspan = self.span(&r);
                let mut rk = Kids::new(&r);
                let name = self.ident(&rk.want(Rule::ident)?);
                let ty = self.ty(rk.want(Rule::r#type)?)?;
                Some(Param { id: self.id(), name, ty, span: rspan })
            }
            None => None,
        };
        let name = self.ident(&k.want(Rule::ident)?);
        let type_params = self.opt_type_params(&mut k)?;
        let params = self.params(k.want(Rule::params)?)?;
        let mutating = k.opt(Rule::mut_marker).map(|m| self.span(&m));
        let ret = match k.opt(Rule::ret_type) {
            Some(r) => Some(self.ty(Kids::new(&r).want(Rule::r#type)?)?),
            None => None,
        };
        let body = match k.opt(Rule::block) {
            Some(b) => Some(self.block(b)?),
            None => None,
        };
        Ok(FnDecl { is_async, name, receiver, type_params, params, mutating, ret, body, span })
    }

    fn params(&mut self, p: P) -> R<Vec<Param>> {
        let mut out = Vec::new();
        for c in p.into_inner().filter(|c| c.as_rule() == Rule::param || c.as_rule() == Rule::closure_param) {
            out.push(self.param(c)?);
        }
        Ok(out)
    }

    fn param(&mut self, p: P) -> R<Param> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let name = self.ident(&k.want(Rule::ident)?);
        let ty = self.ty(k.want(Rule::r#type)?)?;
        Ok(Param { id: self.id(), name, ty, span })
    }

    /// The `<T, U: Bound>` list if the next child is one, else no type parameters.
    fn opt_type_params(&mut self, k: &mut Kids) -> R<Vec<TypeParam>> {
        match k.opt(Rule::type_params) {
            Some(tp) => self.type_params(tp),
            None => Ok(Vec::new()),
        }
    }

    fn type_params(&mut self, p: P) -> R<Vec<TypeParam>> {
        let mut out = Vec::new();
        for tp in p.into_inner().filter(|c| c.as_rule() == Rule::type_param) {
            let span = self.span(&tp);
            let mut k = Kids::new(&tp);
            let name = self.ident(&k.want(Rule::ident)?);
            let mut bounds = Vec::new();
            while let Some(b) = k.next() {
                let inner = Kids::new(&b).any()?;
                bounds.push(match inner.as_rule() {
                    Rule::trait_bound => {
                        let mut bk = Kids::new(&inner);
                        let name = self.ident(&bk.want(Rule::ident)?);
                        let args = match bk.opt(Rule::type_args) {
                            Some(a) => self.type_list(a)?,
                            None => Vec::new(),
                        };
                        Bound::Trait(name, args)
                    }
                    Rule::callable_bound => {
                        let mut bk = Kids::new(&inner);
                        let kind = self.ident(&bk.want(Rule::callable_kind)?);
                        let mut types = self.type_list(inner)?;
                        let ret = types.pop().ok_or_else(|| ice("callable bound without return type".into()))?;
                        Bound::Callable { kind, params: types, ret }
                    }
                    r => return Err(ice(format!("unexpected {r:?} in bound"))),
                });
            }
            out.push(TypeParam { name, bounds, span });
        }
        Ok(out)
    }

    /// All direct `type` children of `p`, in order.
    fn type_list(&mut self, p: P) -> R<Vec<Type>> {
        let mut out = Vec::new();
        for c in p.into_inner().filter(|c| c.as_rule() == Rule::r#type) {
            out.push(self.ty(c)?);
        }
        Ok(out)
    }

    fn struct_decl(&mut self, p: P) -> R<StructDecl> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let name = self.ident(&k.want(Rule::ident)?);
        let type_params = self.opt_type_params(&mut k)?;
        let policies = match k.opt(Rule::struct_with) {
            Some(w) => w.into_inner().filter(|c| c.as_rule() == Rule::ident).map(|c| self.ident(&c)).collect(),
            None => Vec::new(),
        };
        let mut impls = Vec::new();
        if let Some(im) = k.opt(Rule::struct_impls) {
            for tr in im.into_inner().filter(|c| c.as_rule() == Rule::trait_ref) {
                let tspan = self.span(&tr);
                let mut tk = Kids::new(&tr);
                let name = self.ident(&tk.want(Rule::ident)?);
                let args = match tk.opt(Rule::type_args) {
                    Some(a) => self.type_list(a)?,
                    None => Vec::new(),
                };
                impls.push(TraitRef { name, args, span: tspan });
            }
        }
        let (mut fields, mut methods, mut assoc_types) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(m) = k.next() {
            match m.as_rule() {
                Rule::fn_decl => methods.push(self.fn_decl(m)?),
                Rule::assoc_type_def => {
                    let mut mk = Kids::new(&m);
                    let n = self.ident(&mk.want(Rule::ident)?);
                    let t = self.ty(mk.want(Rule::r#type)?)?;
                    assoc_types.push((n, t));
                }
                Rule::field => {
                    let fspan = self.span(&m);
                    let mut fk = Kids::new(&m);
                    let n = self.ident(&fk.want(Rule::ident)?);
                    let ty = self.ty(fk.want(Rule::r#type)?)?;
                    let tag = fk.opt(Rule::tag).map(|t| self.tag(&t));
                    fields.push(Field { name: n, ty, tag, span: fspan });
                }
                r => return Err(ice(format!("unexpected {r:?} in struct body"))),
            }
        }
        Ok(StructDecl { name, type_params, policies, impls, fields, methods, assoc_types, span })
    }

    fn tag(&self, p: &P) -> (String, Span) {
        let s = p.as_str();
        let inner = s.get(1..s.len().saturating_sub(1)).unwrap_or("");
        (inner.to_string(), self.span(p))
    }

    fn enum_decl(&mut self, p: P) -> R<EnumDecl> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let name = self.ident(&k.want(Rule::ident)?);
        let type_params = self.opt_type_params(&mut k)?;
        let mut variants = Vec::new();
        while let Some(v) = k.next() {
            let vspan = self.span(&v);
            let mut vk = Kids::new(&v);
            let vname = self.ident(&vk.want(Rule::ident)?);
            let payload = match vk.opt(Rule::r#type) {
                Some(t) => Some(self.ty(t)?),
                None => None,
            };
            variants.push(Variant { name: vname, payload, span: vspan });
        }
        Ok(EnumDecl { name, type_params, variants, span })
    }

    fn trait_decl(&mut self, p: P) -> R<TraitDecl> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let name = self.ident(&k.want(Rule::ident)?);
        let type_params = self.opt_type_params(&mut k)?;
        let (mut methods, mut assoc_types) = (Vec::new(), Vec::new());
        while let Some(m) = k.next() {
            match m.as_rule() {
                Rule::trait_method => {
                    let f = self.fn_decl(m)?;
                    if let Some(body) = &f.body {
                        self.errors.push(
                            Diagnostic::error("E0001", "trait methods cannot have a body", body.span)
                                .label("method body not allowed here")
                                .help(format!(
                                    "end the signature with `;` and write the body in each struct that lists `impl {}`",
                                    name.name
                                )),
                        );
                    }
                    methods.push(f);
                }
                Rule::assoc_type_decl => assoc_types.push(self.ident(&Kids::new(&m).want(Rule::ident)?)),
                r => return Err(ice(format!("unexpected {r:?} in trait body"))),
            }
        }
        Ok(TraitDecl { name, type_params, methods, assoc_types, span })
    }

    fn const_decl(&mut self, p: P) -> R<ConstDecl> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let name = self.ident(&k.want(Rule::ident)?);
        let ty = self.ty(k.want(Rule::r#type)?)?;
        let value = self.expr(k.want(Rule::expr)?)?;
        Ok(ConstDecl { name, ty, value, span })
    }

    fn type_alias(&mut self, p: P) -> R<TypeAlias> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let name = self.ident(&k.want(Rule::ident)?);
        let type_params = self.opt_type_params(&mut k)?;
        let alternatives = self.type_list(p)?;
        Ok(TypeAlias { name, type_params, alternatives, span })
    }

    fn policy(&mut self, p: P) -> R<PolicyDecl> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let name = self.ident(&k.want(Rule::ident)?);
        let parents = match k.opt(Rule::policy_parents) {
            Some(w) => w.into_inner().filter(|c| c.as_rule() == Rule::ident).map(|c| self.ident(&c)).collect(),
            None => Vec::new(),
        };
        let mut fields = Vec::new();
        while let Some(f) = k.next() {
            let mut fk = Kids::new(&f);
            let n = self.ident(&fk.want(Rule::ident)?);
            let (text, tspan) = self.tag(&fk.want(Rule::tag)?);
            fields.push((n, text, tspan));
        }
        Ok(PolicyDecl { name, parents, fields, span })
    }

    fn extern_block(&mut self, p: P) -> R<ExternBlock> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let abi = k.opt(Rule::string_lit).map(|s| self.string(&s).0);
        let mut fns = Vec::new();
        while let Some(f) = k.next() {
            let fspan = self.span(&f);
            let mut fk = Kids::new(&f);
            let name = self.ident(&fk.want(Rule::ident)?);
            let (mut params, mut variadic, mut ret) = (Vec::new(), false, None);
            while let Some(c) = fk.next() {
                match c.as_rule() {
                    Rule::param => params.push(self.param(c)?),
                    Rule::variadic => variadic = true,
                    Rule::r#type => ret = Some(self.ty(c)?),
                    r => return Err(ice(format!("unexpected {r:?} in extern fn"))),
                }
            }
            fns.push(ExternFn { name, params, variadic, ret, span: fspan });
        }
        Ok(ExternBlock { abi, fns, span })
    }

    // ------------------------------------------------------------------ types

    fn ty(&mut self, p: P) -> R<Type> {
        let span = self.span(&p);
        self.enter(1, span)?;
        let t = self.ty_inner(p, span);
        self.leave(1);
        t
    }

    fn ty_inner(&mut self, p: P, span: Span) -> R<Type> {
        let c = Kids::new(&p).any()?;
        let kind = match c.as_rule() {
            Rule::never_type => TypeKind::Never,
            Rule::ptr_type => {
                let is_const = has(&c, Rule::kw_const);
                let inner = self.ty(Kids::new(&c).want(Rule::r#type)?)?;
                TypeKind::Ptr { inner: Box::new(inner), is_const }
            }
            Rule::fn_type => {
                let mut types = self.type_list(c)?;
                let ret = types.pop().ok_or_else(|| ice("fn type without return type".into()))?;
                TypeKind::Fn { params: types, ret: Box::new(ret) }
            }
            Rule::ref_type => {
                let mutable = has(&c, Rule::type_bang);
                let inner = Kids::new(&c).want(Rule::r#type)?;
                // `&[T]` is a slice; `&[T; N]` a reference to an array (one grammar rule, §3.1).
                let first = Kids::new(&inner).any()?;
                if first.as_rule() == Rule::array_type && !has(&first, Rule::array_len) {
                    let elem = self.ty(Kids::new(&first).want(Rule::r#type)?)?;
                    TypeKind::Slice { inner: Box::new(elem), mutable }
                } else {
                    TypeKind::Ref { inner: Box::new(self.ty(inner)?), mutable }
                }
            }
            Rule::tuple_type => {
                let trailing_comma = has(&c, Rule::comma);
                let mut types = self.type_list(c)?;
                if types.len() == 1 && !trailing_comma {
                    // `(T)` is just `T`.
                    return types.pop().ok_or_else(|| ice("tuple type".into()));
                }
                TypeKind::Tuple(types)
            }
            Rule::array_type => {
                let mut k = Kids::new(&c);
                let elem = self.ty(k.want(Rule::r#type)?)?;
                match k.opt(Rule::array_len) {
                    Some(l) => {
                        let lit = Kids::new(&l).want(Rule::int_lit)?;
                        let len_span = self.span(&lit);
                        let len = match lit.as_str().parse::<u64>() {
                            Ok(n) => n,
                            Err(_) => {
                                self.errors.push(
                                    Diagnostic::error("E0004", "array length is too large", len_span)
                                        .label("does not fit in 64 bits"),
                                );
                                0
                            }
                        };
                        TypeKind::Array { elem: Box::new(elem), len, len_span }
                    }
                    None => {
                        self.errors.push(
                            Diagnostic::error("E0001", "missing array length", span)
                                .label("expected `[T; N]`")
                                .help("write `[T; N]` for an array of N elements, or `&[T]` for a slice"),
                        );
                        TypeKind::Array { elem: Box::new(elem), len: 0, len_span: span }
                    }
                }
            }
            Rule::named_type => {
                let mut k = Kids::new(&c);
                let name = self.ident(&k.any()?);
                let args = match k.opt(Rule::type_args) {
                    Some(a) => self.type_list(a)?,
                    None => Vec::new(),
                };
                TypeKind::Named { name, args }
            }
            r => return Err(ice(format!("unexpected {r:?} in type"))),
        };
        Ok(Type { kind, span })
    }

    // ------------------------------------------------------------------ statements

    fn block(&mut self, p: P) -> R<Block> {
        let span = self.span(&p);
        let mut stmts = Vec::new();
        for s in p.into_inner().filter(|c| c.as_rule() == Rule::statement) {
            stmts.push(self.statement(s)?);
        }
        Ok(Block { stmts, span })
    }

    fn statement(&mut self, p: P) -> R<Stmt> {
        let inner = Kids::new(&p).any()?;
        self.stmt(inner)
    }

    fn stmt(&mut self, p: P) -> R<Stmt> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let kind = match p.as_rule() {
            Rule::let_stmt => StmtKind::Let(self.let_stmt(p)?),
            Rule::let_destructure => {
                let _ = k.opt(Rule::let_mut);
                let pattern = self.single_pattern(k.any()?)?;
                let _ = k.opt(Rule::r#type);
                StmtKind::DestructuringLet { pattern, value: self.expr(k.want(Rule::expr)?)? }
            }
            Rule::return_stmt => StmtKind::Return(match k.opt(Rule::expr) {
                Some(e) => Some(self.expr(e)?),
                None => None,
            }),
            Rule::break_stmt => StmtKind::Break,
            Rule::continue_stmt => StmtKind::Continue,
            Rule::defer_stmt => StmtKind::Defer(self.body_expr(k.any()?)?),
            Rule::go_stmt => StmtKind::Go(self.body_expr(k.any()?)?),
            Rule::if_stmt => self.if_stmt(p)?,
            Rule::while_stmt => {
                let cond = self.expr(k.want(Rule::cond_expr)?)?;
                let body = self.block(k.want(Rule::block)?)?;
                StmtKind::While { cond, body }
            }
            Rule::for_in_stmt => {
                let var = self.ident(&k.want(Rule::ident)?);
                let var_id = self.id();
                let iter = self.expr(k.want(Rule::cond_expr)?)?;
                let body = self.block(k.want(Rule::block)?)?;
                StmtKind::ForIn { var, var_id, iter, body }
            }
            Rule::for_stmt => {
                let init = self.for_init(k.want(Rule::for_init)?)?;
                let cond = match Kids::new(&k.want(Rule::for_cond)?).next() {
                    Some(c) => Some(self.expr(c)?),
                    None => None,
                };
                let post_pair = k.want(Rule::for_post)?;
                let post = if Kids::new(&post_pair).peek().is_some() {
                    Some(Box::new(self.expr_or_assign(post_pair)?.0))
                } else {
                    None
                };
                let body = self.block(k.want(Rule::block)?)?;
                StmtKind::For { init, cond, post, body }
            }
            Rule::switch_stmt => self.switch(p)?,
            Rule::unsafe_stmt => StmtKind::Unsupported("`unsafe` blocks"),
            Rule::loop_stmt => StmtKind::Unsupported("`loop` statements"),
            Rule::select_stmt => {
                let mut arms = Vec::new();
                for arm in p.into_inner().filter(|c| c.as_rule() == Rule::select_arm) {
                    let span = self.span(&arm);
                    let mut a = Kids::new(&arm);
                    let head = a.any()?;
                    let (bind, op) = match head.as_rule() {
                        Rule::wildcard_pat => (None, None),
                        Rule::select_bind => {
                            let mut b = Kids::new(&head);
                            let name = self.ident(&b.want(Rule::ident)?);
                            let id = self.id();
                            (Some((id, name)), Some(self.expr(b.want(Rule::cond_expr)?)?))
                        }
                        _ => (None, Some(self.expr(head)?)),
                    };
                    let body = self.block(a.want(Rule::block)?)?;
                    arms.push(SelectArm { bind, op, body, span });
                }
                StmtKind::Select(arms)
            }
            Rule::const_stmt => StmtKind::Unsupported("`const` inside a function"),
            Rule::bare_block => StmtKind::Unsupported("block statements"),
            Rule::expr_stmt => return Ok(self.expr_or_assign(p)?.0),
            r => return Err(ice(format!("unexpected {r:?} as statement"))),
        };
        Ok(Stmt { kind, span })
    }

    fn let_stmt(&mut self, p: P) -> R<LetStmt> {
        let mut k = Kids::new(&p);
        let mutable = k.opt(Rule::let_mut).is_some();
        let name = self.ident(&k.want(Rule::ident)?);
        let ty = match k.opt(Rule::r#type) {
            Some(t) => Some(self.ty(t)?),
            None => None,
        };
        let value = self.expr(k.want(Rule::expr)?)?;
        Ok(LetStmt { id: self.id(), mutable, name, ty, value })
    }

    /// `expr [assign_op expr] [;]` (expr_stmt, expr_item, for_init, for_post). Returns the
    /// statement and whether it ended with `;`.
    fn expr_or_assign(&mut self, p: P) -> R<(Stmt, bool)> {
        let span = self.span(&p);
        let has_semi = has(&p, Rule::semi);
        let mut k = Kids::new(&p);
        let lhs = self.expr(k.any()?)?;
        let kind = match k.opt(Rule::assign_op) {
            Some(op) => {
                let value = self.expr(k.any()?)?;
                let op = match op.as_str() {
                    "=" => AssignOp::Assign,
                    "+=" => AssignOp::Add,
                    "-=" => AssignOp::Sub,
                    "*=" => AssignOp::Mul,
                    "/=" => AssignOp::Div,
                    other => {
                        let bin = other.trim_end_matches('=');
                        self.errors.push(
                            Diagnostic::error(
                                "E0658",
                                format!("compound assignment `{other}` is not yet implemented"),
                                self.span(&op),
                            )
                            .label("not supported")
                            .help(format!("write `x = x {bin} y`")),
                        );
                        AssignOp::Assign
                    }
                };
                StmtKind::Assign { place: lhs, op, value }
            }
            None => StmtKind::Expr(lhs),
        };
        Ok((Stmt { kind, span }, has_semi))
    }

    fn for_init(&mut self, p: P) -> R<Option<Box<Stmt>>> {
        let mut k = Kids::new(&p);
        match k.peek() {
            None => Ok(None),
            Some(Rule::let_stmt) => {
                let l = k.any()?;
                Ok(Some(Box::new(self.stmt(l)?)))
            }
            Some(_) => Ok(Some(Box::new(self.expr_or_assign(p)?.0))),
        }
    }

    fn if_stmt(&mut self, p: P) -> R<StmtKind> {
        let mut k = Kids::new(&p);
        let mut branches = Vec::new();
        let cond = self.expr(k.want(Rule::cond_expr)?)?;
        let body = self.block(k.want(Rule::block)?)?;
        branches.push((cond, body));
        let mut else_block = None;
        while let Some(c) = k.next() {
            match c.as_rule() {
                Rule::elif_clause => {
                    let mut ck = Kids::new(&c);
                    let cond = self.expr(ck.want(Rule::cond_expr)?)?;
                    let body = self.block(ck.want(Rule::block)?)?;
                    branches.push((cond, body));
                }
                Rule::else_clause => {
                    let inner = Kids::new(&c).any()?;
                    match inner.as_rule() {
                        Rule::block => else_block = Some(self.block(inner)?),
                        Rule::else_if => {
                            // `else if`: report, but keep building to find further errors.
                            let start = self.base + c.as_span().start();
                            let if_end = self.base + inner.as_span().start() + 2;
                            self.errors.push(
                                Diagnostic::error(
                                    "E0001",
                                    "`else if` is not Vex syntax",
                                    Span::new(self.file, start, if_end),
                                )
                                .label("expected `{` after `else`")
                                .help("use `elif`: `if a { ... } elif b { ... } else { ... }`"),
                            );
                            let nested = Kids::new(&inner).want(Rule::if_stmt)?;
                            let _ = self.if_stmt(nested)?;
                        }
                        r => return Err(ice(format!("unexpected {r:?} after else"))),
                    }
                }
                r => return Err(ice(format!("unexpected {r:?} in if"))),
            }
        }
        Ok(StmtKind::If { branches, else_block })
    }

    fn switch(&mut self, p: P) -> R<StmtKind> {
        let mut k = Kids::new(&p);
        let scrutinee = self.expr(k.want(Rule::cond_expr)?)?;
        let mut cases = Vec::new();
        let mut default: Option<(Vec<Stmt>, Span)> = None;
        while let Some(c) = k.next() {
            let cspan = self.span(&c);
            let (mut values, mut body) = (Vec::new(), Vec::new());
            for x in c.clone().into_inner() {
                match x.as_rule() {
                    Rule::expr => values.push(self.expr(x)?),
                    Rule::statement => body.push(self.statement(x)?),
                    _ => {}
                }
            }
            if c.as_rule() == Rule::default_clause {
                if let Some((_, first)) = &default {
                    self.errors.push(
                        Diagnostic::error("E0001", "a `switch` can have only one `default`", cspan)
                            .label("second `default`")
                            .secondary(*first, "first `default` here"),
                    );
                }
                default = Some((body, cspan));
            } else {
                cases.push(SwitchCase { values, body, span: cspan });
            }
        }
        Ok(StmtKind::Switch { scrutinee, cases, default })
    }

    /// The body of `go`/`defer`/closures/match arms: a block expression or an expression.
    fn body_expr(&mut self, p: P) -> R<Expr> {
        match p.as_rule() {
            Rule::block_expr => self.block_expr(p),
            _ => self.expr(p),
        }
    }

    fn block_expr(&mut self, p: P) -> R<Expr> {
        let span = self.span(&p);
        self.enter(1, span)?;
        let mut stmts = Vec::new();
        let mut tail: Option<Expr> = None;
        let items: Vec<P> =
            p.into_inner().filter(|c| matches!(c.as_rule(), Rule::block_stmt | Rule::expr_item)).collect();
        let n = items.len();
        for (i, item) in items.into_iter().enumerate() {
            if item.as_rule() == Rule::block_stmt {
                stmts.push(self.statement(item)?);
                continue;
            }
            let (stmt, has_semi) = self.expr_or_assign(item)?;
            if has_semi {
                stmts.push(stmt);
                continue;
            }
            match stmt.kind {
                StmtKind::Expr(e) if i + 1 == n => tail = Some(e),
                kind => {
                    let end = stmt.span.end as usize;
                    self.errors.push(
                        Diagnostic::error("E0001", "expected `;`", Span::new(self.file, end, end))
                            .label("expected `;` here")
                            .help("add `;` at the end of the statement"),
                    );
                    stmts.push(Stmt { kind, span: stmt.span });
                }
            }
        }
        self.leave(1);
        Ok(self.mk(ExprKind::Block(BlockExpr { stmts, tail: tail.map(Box::new), span }), span))
    }

    // ------------------------------------------------------------------ expressions

    /// `expr` or `cond_expr`: a binary chain with an optional range.
    ///
    /// The grammar's chain and unary rules are silent (each was a pest rule call per operand),
    /// so the children are the operands separated by `infix_op`, and the two chains of a range
    /// separated by `range_op`.
    fn expr(&mut self, p: P) -> R<Expr> {
        let span = self.span(&p);
        self.enter(1, span)?;
        let mut inner = p.into_inner();
        if inner.len() == 1 {
            // A lone operand (most expressions): no operator stack, no vectors.
            let e = self.operand(inner.next().ok_or_else(|| ice("empty expression".into()))?);
            self.leave(1);
            return e;
        }
        let kids: Vec<P> = inner.collect();
        let e = match kids.iter().position(|k| k.as_rule() == Rule::range_op) {
            Some(i) => {
                let start = self.chain(&kids[..i], None)?;
                let inclusive = kids[i].as_str() == "..=";
                let end = self.chain(&kids[i + 1..], None)?;
                let sp = start.span.to(end.span);
                self.mk(ExprKind::Range { start: Box::new(start), end: Box::new(end), inclusive }, sp)
            }
            None => self.chain(&kids, None)?,
        };
        self.leave(1);
        Ok(e)
    }

    /// Span from the start of `kids` to `end` (a byte offset in the parsed text).
    fn span_to(&self, kids: &[P], end: usize) -> Span {
        let start = kids.first().map_or(end, |k| k.as_span().start());
        Span::new(self.file, self.base + start, self.base + end)
    }

    /// `operand (op operand)*` with the §2.7 precedence table, built with an operator stack.
    /// `whole` is the chain's own pair when it has one (`array_elem`); otherwise its span is
    /// the one the former `bin_chain` rule had.
    fn chain(&mut self, kids: &[P], whole: Option<&P>) -> R<Expr> {
        let n_ops = kids.len() / 2;
        self.enter_lazy(n_ops, |b| match whole {
            Some(p) => b.span(p),
            None => {
                // The last operand's end; for a lone operand, after the blanks that follow it
                // (pest skipped them before trying the `(op operand)*` that matched nothing).
                let end = kids.last().map_or(0, |k| k.as_span().end());
                b.span_to(kids, if n_ops == 0 { skip_blanks(kids, end) } else { end })
            }
        })?;
        let mut operands: Vec<Expr> = Vec::with_capacity(n_ops + 1);
        let mut ops: Vec<(BinOp, u8)> = Vec::new();
        let mut it = kids.iter();
        let first = it.next().ok_or_else(|| ice("empty chain".into()))?;
        operands.push(self.operand(first.clone())?);
        while let Some(op_pair) = it.next() {
            let op = bin_op(op_pair.as_str()).ok_or_else(|| ice(format!("unknown operator {:?}", op_pair.as_str())))?;
            let prec = precedence(op);
            while let Some(&(top, top_prec)) = ops.last() {
                if top_prec < prec {
                    break;
                }
                ops.pop();
                self.reduce(&mut operands, top)?;
            }
            ops.push((op, prec));
            let rhs = it.next().ok_or_else(|| ice("operator without operand".into()))?;
            operands.push(self.operand(rhs.clone())?);
        }
        while let Some((op, _)) = ops.pop() {
            self.reduce(&mut operands, op)?;
        }
        self.leave(n_ops);
        let e = operands.pop().ok_or_else(|| ice("chain produced nothing".into()))?;
        if operands.is_empty() {
            Ok(e)
        } else {
            Err(ice("unbalanced chain".into()))
        }
    }

    fn reduce(&mut self, operands: &mut Vec<Expr>, op: BinOp) -> R<()> {
        let rhs = operands.pop().ok_or_else(|| ice("missing rhs".into()))?;
        let lhs = operands.pop().ok_or_else(|| ice("missing lhs".into()))?;
        let span = lhs.span.to(rhs.span);
        let e = self.mk(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span);
        operands.push(e);
        Ok(())
    }

    /// `unary (as type)*`; the unary's parts are children of the operand (its rule is silent),
    /// the casts are the `type` children after the first `kw_as`.
    fn operand(&mut self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        if inner.len() == 1 {
            // Neither prefix operators, `!`s nor casts (most operands): just the postfix chain.
            let base = inner.next().ok_or_else(|| ice("empty operand".into()))?;
            if !matches!(base.as_rule(), Rule::postfix_expr | Rule::c_postfix) {
                return Err(ice(format!("unexpected {:?} in unary", base.as_rule())));
            }
            return self.postfix(base);
        }
        let kids: Vec<P> = inner.collect();
        let unary_len = kids.iter().position(|k| k.as_rule() == Rule::kw_as).unwrap_or(kids.len());
        let (unary, casts) = kids.split_at(unary_len);
        let n = casts.iter().filter(|c| c.as_rule() == Rule::r#type).count();
        self.enter(n, span)?;
        let mut e = self.unary(unary)?;
        for t in casts.iter().filter(|c| c.as_rule() == Rule::r#type) {
            let ty = self.ty(t.clone())?;
            let sp = e.span.to(ty.span);
            e = self.mk(ExprKind::Cast { expr: Box::new(e), ty }, sp);
        }
        self.leave(n);
        Ok(e)
    }

    /// `prefix_op* postfix borrow_bang*`
    fn unary(&mut self, kids: &[P]) -> R<Expr> {
        let n_pre = kids.iter().take_while(|c| c.as_rule() == Rule::prefix_op).count();
        let (prefixes, rest) = kids.split_at(n_pre);
        let (base, bang_pairs) = rest.split_first().ok_or_else(|| ice("unary without operand".into()))?;
        if !matches!(base.as_rule(), Rule::postfix_expr | Rule::c_postfix)
            || bang_pairs.iter().any(|c| c.as_rule() != Rule::borrow_bang)
        {
            return Err(ice(format!("unexpected {:?} in unary", base.as_rule())));
        }
        self.enter_lazy(prefixes.len(), |b| {
            // Without `!`s, pest's former unary rule also took the blanks after the operand.
            let end = match bang_pairs.last() {
                Some(bang) => bang.as_span().end(),
                None => skip_blanks(kids, base.as_span().end()),
            };
            b.span_to(kids, end)
        })?;
        let mut e = self.postfix(base.clone())?;
        // `&x!`: each `!` after the operand belongs to the innermost `&` still without one.
        let bang_spans: Vec<Span> = bang_pairs.iter().map(|c| self.span(c)).collect();
        let mut bangs = bang_spans.into_iter();
        for op in prefixes.iter().rev() {
            let op_span = self.span(op);
            let kind = match op.as_str() {
                "-" => ExprKind::Unary { op: UnaryOp::Neg, operand: Box::new(e) },
                "!" => ExprKind::Unary { op: UnaryOp::Not, operand: Box::new(e) },
                "*" => ExprKind::Deref(Box::new(e)),
                "&" => {
                    let bang = bangs.next();
                    let end = bang.map(|b| b.end).unwrap_or(e.span.end);
                    let sp = Span { end, ..op_span.to(e.span) };
                    e = self.mk(ExprKind::AddrOf { operand: Box::new(e), mutable: bang.is_some() }, sp);
                    continue;
                }
                "await" => ExprKind::Await(Box::new(e)),
                other => return Err(ice(format!("unknown prefix operator {other:?}"))),
            };
            let sp = match &kind {
                ExprKind::Unary { operand, .. } | ExprKind::Deref(operand) | ExprKind::Await(operand) => {
                    op_span.to(operand.span)
                }
                _ => op_span,
            };
            e = self.mk(kind, sp);
        }
        self.leave(prefixes.len());
        if let Some(extra) = bangs.next() {
            self.errors.push(
                Diagnostic::error("E0001", "unexpected `!` after an expression", extra)
                    .label("`!` is not a postfix operator")
                    .help("`!` after an operand only marks a mutable borrow `&x!` or a mutating call `x.m()!`"),
            );
        }
        Ok(e)
    }

    /// `primary postfix_op*`
    fn postfix(&mut self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let prim = it.next().ok_or_else(|| ice("postfix without primary".into()))?;
        let ops: Vec<P> = it.collect();
        let n_ops = ops.len();
        self.enter(n_ops, span)?;
        let (mut e, mut pending_targs) = match prim.as_rule() {
            Rule::name_expr | Rule::c_name_expr => self.name_expr(prim)?,
            _ => (self.primary(prim)?, None),
        };
        for op in ops {
            let op_span = self.span(&op);
            let sp = e.span.to(op_span);
            let kind = match op.as_rule() {
                Rule::call_args => {
                    let args = self.args(op)?;
                    let type_args = pending_targs.take().unwrap_or_default();
                    ExprKind::Call { callee: Box::new(e), type_args, args }
                }
                Rule::method_call => {
                    let mut k = Kids::new(&op);
                    let name = self.ident(&k.want(Rule::member_name)?);
                    let args = self.args(k.want(Rule::call_args)?)?;
                    let bang = k.opt(Rule::mut_bang).map(|b| self.span(&b));
                    ExprKind::MethodCall { receiver: Box::new(e), name, args, bang }
                }
                Rule::field_access => {
                    let name = self.ident(&Kids::new(&op).want(Rule::member_name)?);
                    ExprKind::Field { base: Box::new(e), name }
                }
                Rule::tuple_index => {
                    let lit = Kids::new(&op).want(Rule::int_lit)?;
                    let index_span = self.span(&lit);
                    let index = lit.as_str().parse::<u32>().unwrap_or_else(|_| {
                        self.errors.push(Diagnostic::error("E0004", "tuple index is too large", index_span));
                        0
                    });
                    ExprKind::TupleField { base: Box::new(e), index, index_span }
                }
                Rule::index => {
                    let idx = self.expr(Kids::new(&op).want(Rule::expr)?)?;
                    ExprKind::Index { base: Box::new(e), index: Box::new(idx) }
                }
                Rule::try_op => ExprKind::Try(Box::new(e)),
                Rule::inc_dec => ExprKind::PostIncDec { operand: Box::new(e), increment: op.as_str() == "++" },
                r => return Err(ice(format!("unexpected {r:?} in postfix chain"))),
            };
            e = self.mk(kind, sp);
        }
        if pending_targs.is_some() {
            return Err(ice("generic arguments without call".into()));
        }
        self.leave(n_ops);
        Ok(e)
    }

    fn args(&mut self, p: P) -> R<Vec<Expr>> {
        let mut out = Vec::new();
        for a in p.into_inner().filter(|c| c.as_rule() == Rule::expr) {
            out.push(self.expr(a)?);
        }
        Ok(out)
    }

    /// Dispatches on the primary's rule. Every case is its own function: in debug builds a
    /// frame holds the locals of all match arms, and this function is on the recursion path of
    /// every bracket level, so it must stay tiny.
    fn primary(&mut self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::int_lit => ExprKind::Int(self.int(&p)),
            Rule::float_lit => ExprKind::Float(self.float(&p)),
            Rule::string_lit => ExprKind::Str(self.string(&p).0),
            Rule::fstring => ExprKind::FString(self.fstring(&p)?),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_nil => ExprKind::Nil,
            Rule::ident => ExprKind::Ident(self.ident(&p)),
            Rule::closure => self.closure(p)?,
            Rule::match_expr => self.match_expr(p)?,
            Rule::array_lit => self.array_lit(p)?,
            Rule::map_lit => self.map_lit(p)?,
            Rule::paren_expr => return self.paren_expr(p, span),
            Rule::collection_ctor => self.collection_ctor(p)?,
            r => return Err(ice(format!("unexpected {r:?} as primary expression"))),
        };
        Ok(self.mk(kind, span))
    }

    fn closure(&mut self, p: P) -> R<ExprKind> {
        let mut params = Vec::new();
        let (mut ret, mut body) = (None, None);
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::closure_param => params.push(self.param(c)?),
                Rule::ret_type => ret = Some(self.ty(Kids::new(&c).want(Rule::r#type)?)?),
                Rule::block_expr | Rule::expr => body = Some(self.body_expr(c)?),
                _ => {}
            }
        }
        let body = body.ok_or_else(|| ice("closure without body".into()))?;
        Ok(ExprKind::Closure(Closure { params, ret, body: Box::new(body) }))
    }

    fn match_expr(&mut self, p: P) -> R<ExprKind> {
        let mut k = Kids::new(&p);
        let scrutinee = self.expr(k.want(Rule::cond_expr)?)?;
        let mut arms = Vec::new();
        while let Some(a) = k.next() {
            let aspan = self.span(&a);
            let mut ak = Kids::new(&a);
            let pattern = self.pattern(ak.want(Rule::pattern)?)?;
            let guard = match ak.opt(Rule::guard) {
                Some(g) => Some(self.expr(Kids::new(&g).want(Rule::expr)?)?),
                None => None,
            };
            let body = self.body_expr(ak.any()?)?;
            arms.push(MatchArm { pattern, guard, body, span: aspan });
        }
        Ok(ExprKind::Match { scrutinee: Box::new(scrutinee), arms })
    }

    fn array_lit(&mut self, p: P) -> R<ExprKind> {
        let repeat = has(&p, Rule::repeat_semi);
        let mut elems = Vec::new();
        for c in p.into_inner().filter(|c| c.as_rule() == Rule::array_elem) {
            let kids: Vec<P> = c.clone().into_inner().collect();
            elems.push(self.chain(&kids, Some(&c))?);
        }
        if repeat {
            let count = elems.pop().ok_or_else(|| ice("repeat without count".into()))?;
            let value = elems.pop().ok_or_else(|| ice("repeat without value".into()))?;
            Ok(ExprKind::ArrayRepeat { value: Box::new(value), count: Box::new(count) })
        } else {
            Ok(ExprKind::ArrayLit(elems))
        }
    }

    fn map_lit(&mut self, p: P) -> R<ExprKind> {
        let mut entries = Vec::new();
        for en in p.into_inner().filter(|c| c.as_rule() == Rule::map_entry) {
            let mut k = Kids::new(&en);
            let key = self.expr(k.want(Rule::expr)?)?;
            let value = self.expr(k.want(Rule::expr)?)?;
            entries.push((key, value));
        }
        Ok(ExprKind::MapLit(entries))
    }

    fn collection_ctor(&mut self, p: P) -> R<ExprKind> {
        let mut k = Kids::new(&p);
        let name = self.ident(&k.any()?);
        let type_args = match k.opt(Rule::type_args) {
            Some(a) => self.type_list(a)?,
            None => Vec::new(),
        };
        let args = self.args(k.want(Rule::call_args)?)?;
        Ok(ExprKind::CollectionCtor { name, type_args, args })
    }

    /// `name`, `Name { f: e }`, `Name<T> { .. }` or `name<T>` (whose call follows as a postfix
    /// operator: the type arguments are returned so that the call takes them).
    fn name_expr(&mut self, p: P) -> R<(Expr, Option<Vec<Type>>)> {
        let span = self.span(&p);
        let mut k = Kids::new(&p);
        let id = k.want(Rule::ident)?;
        let name = self.ident(&id);
        let type_args = match k.opt(Rule::type_args) {
            Some(a) => Some(self.type_list(a)?),
            None => None,
        };
        let Some(body) = k.opt(Rule::struct_body) else {
            let id_span = self.span(&id);
            return Ok((self.mk(ExprKind::Ident(name), id_span), type_args));
        };
        let mut fields = Vec::new();
        for f in body.into_inner().filter(|c| c.as_rule() == Rule::field_init) {
            let fspan = self.span(&f);
            let mut fk = Kids::new(&f);
            let fname = self.ident(&fk.want(Rule::ident)?);
            let value = self.expr(fk.want(Rule::expr)?)?;
            fields.push(FieldInit { name: fname, value, span: fspan });
        }
        let kind = ExprKind::StructLit { name, type_args: type_args.unwrap_or_default(), fields };
        Ok((self.mk(kind, span), None))
    }

    fn paren_expr(&mut self, p: P, span: Span) -> R<Expr> {
        let comma = has(&p, Rule::comma);
        let mut elems = self.args(p)?;
        if elems.len() == 1 && !comma {
            // `(e)`: the same node, its span widened to the parentheses.
            let mut e = elems.pop().ok_or_else(|| ice("paren".into()))?;
            e.span = span;
            return Ok(e);
        }
        Ok(self.mk(ExprKind::Tuple(elems), span))
    }

    // ------------------------------------------------------------------ literals

    fn int(&mut self, p: &P) -> u128 {
        let mut v: u128 = 0;
        for b in p.as_str().bytes() {
            match v.checked_mul(10).and_then(|x| x.checked_add(u128::from(b - b'0'))) {
                Some(x) => v = x,
                None => {
                    self.errors.push(
                        Diagnostic::error("E0004", "integer literal is too large", self.span(p))
                            .label("this literal does not fit in 128 bits"),
                    );
                    return 0;
                }
            }
        }
        v
    }

    /// A float literal's value; one beyond `f64` (infinite) is E0004.
    fn float(&mut self, p: &P) -> f64 {
        let v = p.as_str().parse::<f64>().unwrap_or(0.0);
        if v.is_finite() {
            return v;
        }
        self.errors.push(
            Diagnostic::error("E0004", "float literal is too large", self.span(p))
                .label("this literal is beyond the range of `f64` (about 1.8e308)"),
        );
        0.0
    }

    /// Decodes a string literal (with its quotes); reports bad escapes (E0005).
    fn string(&mut self, p: &P) -> (String, Span) {
        let text = p.as_str();
        let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
        let at = self.base + p.as_span().start() + 1;
        (self.decode(inner, at), self.span(p))
    }

    /// Decodes escapes in `s`, which starts at file offset `at`.
    fn decode(&mut self, s: &str, at: usize) -> String {
        let mut out = String::with_capacity(s.len());
        let mut chars = s.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else {
                break;
            };
            match unescape(e) {
                Some(ch) => out.push(ch),
                None => {
                    let sp = Span::new(self.file, at + i, at + i + 1 + e.len_utf8());
                    self.errors.push(
                        Diagnostic::error("E0005", format!("unknown character escape: `\\{}`", e.escape_debug()), sp)
                            .label("unknown escape")
                            .help("the escapes are `\\\"` `\\\\` `\\n` `\\t` `\\r` `\\b` `\\f` `\\0`"),
                    );
                }
            }
        }
        out
    }

    /// Splits `f"..."` into literal pieces and interpolated expressions (parsed as Vex).
    fn fstring(&mut self, p: &P) -> R<Vec<FStringPart>> {
        let text = p.as_str();
        let inner = text.get(2..text.len().saturating_sub(1)).unwrap_or("");
        let at = self.base + p.as_span().start() + 2;
        let bytes = inner.as_bytes();
        let mut parts = Vec::new();
        let mut lit_start = 0;
        let mut lit = String::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => {
                    // Escapes are decoded with the literal text; skip the escaped character.
                    i += 1 + inner[i + 1..].chars().next().map_or(0, char::len_utf8);
                }
                b'{' if bytes.get(i + 1) == Some(&b'{') => {
                    lit.push_str(&self.decode(&inner[lit_start..i], at + lit_start));
                    lit.push('{');
                    i += 2;
                    lit_start = i;
                }
                b'}' if bytes.get(i + 1) == Some(&b'}') => {
                    lit.push_str(&self.decode(&inner[lit_start..i], at + lit_start));
                    lit.push('}');
                    i += 2;
                    lit_start = i;
                }
                b'}' => {
                    self.errors.push(
                        Diagnostic::error(
                            "E0001",
                            "unmatched `}` in format string",
                            Span::new(self.file, at + i, at + i + 1),
                        )
                        .label("unmatched `}`")
                        .help("write `}}` for a literal `}`"),
                    );
                    i += 1;
                }
                b'{' => {
                    lit.push_str(&self.decode(&inner[lit_start..i], at + lit_start));
                    // Find the matching `}` (the expression may contain braces of its own).
                    let mut depth = 0usize;
                    let mut j = i + 1;
                    let mut close = None;
                    while j < bytes.len() {
                        match bytes[j] {
                            b'{' => depth += 1,
                            b'}' if depth == 0 => {
                                close = Some(j);
                                break;
                            }
                            b'}' => depth -= 1,
                            _ => {}
                        }
                        j += 1;
                    }
                    let Some(close) = close else {
                        self.errors.push(
                            Diagnostic::error(
                                "E0001",
                                "unclosed `{` in format string",
                                Span::new(self.file, at + i, at + i + 1),
                            )
                            .label("this `{` is never closed")
                            .help("close the interpolation with `}`, or write `{{` for a literal `{`"),
                        );
                        return Ok(parts);
                    };
                    if !lit.is_empty() {
                        parts.push(FStringPart::Lit(std::mem::take(&mut lit)));
                    }
                    let src = &inner[i + 1..close];
                    let src_at = at + i + 1;
                    if src.trim().is_empty() {
                        self.errors.push(
                            Diagnostic::error(
                                "E0001",
                                "empty interpolation in format string",
                                Span::new(self.file, at + i, at + close + 1),
                            )
                            .label("expected an expression inside `{}`")
                            .help("write `{{}}` for literal braces"),
                        );
                    } else if let Some(e) = self.interpolation(src, src_at)? {
                        parts.push(FStringPart::Expr(e));
                    }
                    i = close + 1;
                    lit_start = i;
                }
                _ => i += 1,
            }
        }
        lit.push_str(&self.decode(&inner[lit_start..], at + lit_start));
        if !lit.is_empty() {
            parts.push(FStringPart::Lit(lit));
        }
        Ok(parts)
    }

    /// Parses the expression of an f-string interpolation located at file offset `at`.
    fn interpolation(&mut self, src: &str, at: usize) -> R<Option<Expr>> {
        errors::prescan(src, self.file, at)?;
        match VexParser::parse(Rule::fstring_expr, src) {
            Err(e) => {
                let mut d = errors::from_pest(e, src, self.file, at);
                if d.message == "unexpected end of file" {
                    d.message = "unexpected end of the interpolated expression".into();
                }
                self.errors.push(d);
                Ok(None)
            }
            Ok(mut pairs) => {
                let top = pairs.next().ok_or_else(|| ice("empty f-string parse".into()))?;
                let e = Kids::new(&top).want(Rule::expr)?;
                let saved = self.base;
                self.base = at;
                let r = self.expr(e);
                self.base = saved;
                r.map(Some)
            }
        }
    }

    // ------------------------------------------------------------------ patterns

    fn pattern(&mut self, p: P) -> R<Pattern> {
        let span = self.span(&p);
        self.enter(1, span)?;
        let mut alts = Vec::new();
        for c in p.into_inner() {
            alts.push(self.single_pattern(c)?);
        }
        self.leave(1);
        if alts.len() == 1 {
            return alts.pop().ok_or_else(|| ice("pattern".into()));
        }
        Ok(Pattern { id: self.id(), kind: PatternKind::Or(alts), span })
    }

    fn single_pattern(&mut self, p: P) -> R<Pattern> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::wildcard_pat => PatternKind::Wildcard,
            Rule::binding_pat => PatternKind::Binding(self.ident(&Kids::new(&p).want(Rule::ident)?)),
            Rule::lit_pat => return self.lit_pattern(p),
            Rule::range_pat => {
                let mut k = Kids::new(&p);
                let start = self.lit_pattern(k.want(Rule::lit_pat)?)?;
                let inclusive = k.want(Rule::range_op)?.as_str() == "..=";
                let end = self.lit_pattern(k.want(Rule::lit_pat)?)?;
                PatternKind::Range { start: Box::new(start), end: Box::new(end), inclusive }
            }
            Rule::tuple_pat => {
                let comma = has(&p, Rule::comma);
                let mut elems = Vec::new();
                for c in p.into_inner().filter(|c| c.as_rule() == Rule::pattern) {
                    elems.push(self.pattern(c)?);
                }
                if elems.len() == 1 && !comma {
                    let mut e = elems.pop().ok_or_else(|| ice("paren pattern".into()))?;
                    e.span = span;
                    return Ok(e);
                }
                PatternKind::Tuple(elems)
            }
            Rule::variant_pat | Rule::call_pat => {
                let mut k = Kids::new(&p);
                let first = self.ident(&k.want(Rule::ident)?);
                let (enum_name, variant) = match k.opt(Rule::member_name) {
                    Some(v) => (Some(first), self.ident(&v)),
                    None => (None, first),
                };
                let (payload, has_parens) = match k.opt(Rule::pat_args) {
                    Some(a) => match Kids::new(&a).opt(Rule::pattern) {
                        Some(inner) => (Some(Box::new(self.pattern(inner)?)), true),
                        None => (None, true),
                    },
                    None => (None, false),
                };
                PatternKind::Variant { enum_name, variant, payload, has_parens }
            }
            Rule::struct_pat => {
                let mut k = Kids::new(&p);
                let name = self.ident(&k.want(Rule::ident)?);
                let mut fields = Vec::new();
                while let Some(f) = k.next() {
                    let mut fk = Kids::new(&f);
                    let fname = self.ident(&fk.want(Rule::ident)?);
                    let sub = match fk.opt(Rule::pattern) {
                        Some(sp) => Some(self.pattern(sp)?),
                        None => None,
                    };
                    fields.push((fname, sub));
                }
                PatternKind::Struct { name, fields }
            }
            r => return Err(ice(format!("unexpected {r:?} in pattern"))),
        };
        Ok(Pattern { id: self.id(), kind, span })
    }

    fn lit_pattern(&mut self, p: P) -> R<Pattern> {
        let span = self.span(&p);
        let negative = has(&p, Rule::neg);
        let lit =
            Kids::new(&p).it.find(|c| c.as_rule() != Rule::neg).ok_or_else(|| ice("empty literal pattern".into()))?;
        let kind = match lit.as_rule() {
            Rule::int_lit => PatternKind::Int { value: self.int(&lit), negative },
            Rule::float_lit => {
                let v = self.float(&lit);
                PatternKind::Float(if negative { -v } else { v })
            }
            Rule::string_lit => PatternKind::Str(self.string(&lit).0),
            Rule::kw_true => PatternKind::Bool(true),
            Rule::kw_false => PatternKind::Bool(false),
            r => return Err(ice(format!("unexpected {r:?} in literal pattern"))),
        };
        Ok(Pattern { id: self.id(), kind, span })
    }
}

fn unescape(c: char) -> Option<char> {
    Some(match c {
        '"' => '"',
        '\\' => '\\',
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'b' => '\u{8}',
        'f' => '\u{c}',
        '0' => '\0',
        _ => return None,
    })
}

fn bin_op(s: &str) -> Option<BinOp> {
    use BinOp::*;
    Some(match s {
        "+" => Add,
        "-" => Sub,
        "*" => Mul,
        "/" => Div,
        "%" => Rem,
        "==" => Eq,
        "!=" => Ne,
        "<" => Lt,
        "<=" => Le,
        ">" => Gt,
        ">=" => Ge,
        "&&" => And,
        "||" => Or,
        "&" => BitAnd,
        "|" => BitOr,
        "^" => BitXor,
        "<<" => Shl,
        ">>" => Shr,
        _ => return None,
    })
}

/// Binding power of binary operators, LANGUAGE.md §2.7 (higher binds tighter).
fn precedence(op: BinOp) -> u8 {
    use BinOp::*;
    match op {
        Or => 2,
        And => 3,
        BitOr => 4,
        BitXor => 5,
        BitAnd => 6,
        Eq | Ne | Lt | Le | Gt | Ge => 7,
        Shl | Shr => 8,
        Add | Sub => 9,
        Mul | Div | Rem => 10,
    }
}

/// `pos` moved past the blanks and comments that pest's implicit WHITESPACE would skip there,
/// in the text `kids` were parsed from.
fn skip_blanks(kids: &[P], pos: usize) -> usize {
    let Some(first) = kids.first() else { return pos };
    let b = first.as_span().get_input().as_bytes();
    let mut i = pos;
    loop {
        match b.get(i) {
            Some(b' ' | b'\t' | b'\n' | 0x0C | b'\r') => i += 1,
            Some(b'/') if b.get(i + 1) == Some(&b'/') => {
                i += 2;
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            Some(b'/') if b.get(i + 1) == Some(&b'*') => {
                let Some(k) = b[i + 2..].windows(2).position(|w| w == b"*/") else { return i };
                i += 2 + k + 2;
            }
            _ => return i,
        }
    }
}
