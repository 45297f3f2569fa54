//! Type expressions (`ast::Type`) to semantic types (`Ty`).

use super::Checker;
use crate::diag::Diagnostic;
use crate::resolve::did_you_mean;
use crate::syntax::ast::{self, TypeKind};
use crate::types::{FloatTy, IntTy, Ty};

impl Checker<'_> {
    pub fn lower_ty(&mut self, t: &ast::Type) -> Ty {
        match &t.kind {
            TypeKind::Named { name, args } => self.lower_named(name, args, t),
            TypeKind::Ref { inner, mutable } => {
                let inner = self.lower_ty(inner);
                if inner.is_error() {
                    Ty::Error
                } else {
                    Ty::Ref(Box::new(inner), *mutable)
                }
            }
            TypeKind::Ptr { inner, is_const } => {
                // `*void` is an opaque pointer; we model it as a pointer to `()`.
                if let TypeKind::Named { name, args } = &inner.kind {
                    if name.name == "void" && args.is_empty() {
                        return Ty::Ptr(Box::new(Ty::Unit), *is_const);
                    }
                }
                let inner = self.lower_ty(inner);
                if inner.is_error() {
                    Ty::Error
                } else {
                    Ty::Ptr(Box::new(inner), *is_const)
                }
            }
            TypeKind::Array { elem, len, .. } => {
                let elem = self.lower_ty(elem);
                if elem.is_error() {
                    Ty::Error
                } else {
                    Ty::Array(Box::new(elem), *len)
                }
            }
            TypeKind::Tuple(ts) if ts.is_empty() => Ty::Unit,
            TypeKind::Tuple(ts) => {
                let elems: Vec<Ty> = ts.iter().map(|e| self.lower_ty(e)).collect();
                if elems.iter().any(Ty::is_error) {
                    Ty::Error
                } else {
                    Ty::Tuple(elems)
                }
            }
            TypeKind::Slice { .. } => self.unsupported_ty("slice types `&[T]`", t),
            TypeKind::Fn { params, ret } => {
                let ps: Vec<Ty> = params.iter().map(|p| self.lower_ty(p)).collect();
                let r = self.lower_ty(ret);
                if ps.iter().any(Ty::is_error) || r.is_error() {
                    Ty::Error
                } else {
                    Ty::Fn(ps, Box::new(r))
                }
            }
            TypeKind::Never => Ty::Never,
        }
    }

    /// A struct or enum named in a type: a generic one needs type arguments (its instance is
    /// made by `instantiate`), a plain one takes none.
    #[allow(clippy::too_many_arguments)]
    fn nominal(
        &mut self,
        n: &str,
        kind: &str,
        template: bool,
        args: &[ast::Type],
        t: &ast::Type,
        instantiate: impl FnOnce(&mut Self, Vec<Ty>) -> Ty,
        plain: Ty,
    ) -> Ty {
        match (template, args.is_empty()) {
            (true, true) => {
                self.error(
                    Diagnostic::error("E0107", format!("missing type arguments for generic {kind} `{n}`"), t.span)
                        .help(format!("write `{n}<...>` with a type for each parameter")),
                );
                Ty::Error
            }
            (true, false) => {
                let targs: Vec<Ty> = args.iter().map(|a| self.lower_ty(a)).collect();
                if targs.iter().any(Ty::is_error) {
                    return Ty::Error;
                }
                instantiate(self, targs)
            }
            (false, false) => {
                self.error(
                    Diagnostic::error("E0107", format!("{kind} `{n}` takes no type arguments"), t.span).help(format!("write just `{n}`")),
                );
                Ty::Error
            }
            (false, true) => plain,
        }
    }

    /// Aliases are transparent (§4.7); a union `A | B` is, provisionally, its first member (§3.6).
    fn expand_alias(&mut self, n: &str, item: usize, args: &[ast::Type], t: &ast::Type) -> Ty {
        let ast::ItemKind::TypeAlias(alias) = &self.file.items[item].kind else { return Ty::Error };
        if !alias.type_params.is_empty() || !args.is_empty() {
            return self.unsupported_ty("generic type aliases", t);
        }
        if self.bad_aliases.contains(n) {
            return Ty::Error;
        }
        if let Some(pos) = self.alias_stack.iter().position(|a| a == n) {
            let cycle: Vec<String> = self.alias_stack[pos..].iter().map(|a| format!("`{a}`")).collect();
            self.bad_aliases.extend(self.alias_stack[pos..].iter().cloned());
            self.error(
                Diagnostic::error("E0391", format!("cycle detected when expanding type alias `{n}`"), alias.name.span)
                    .label("this alias refers to itself")
                    .note(format!("cycle: {} -> `{n}`", cycle.join(" -> ")))
                    .help("an alias must eventually name a real type"),
            );
            return Ty::Error;
        }
        let Some(first) = alias.alternatives.first() else { return Ty::Error };
        self.alias_stack.push(n.to_string());
        let ty = self.lower_ty(first);
        self.alias_stack.pop();
        ty
    }

    fn unsupported_ty(&mut self, what: &str, t: &ast::Type) -> Ty {
        self.not_yet(what, t.span);
        Ty::Error
    }

    /// Whether `n` names a type in the program (as opposed to being free for a type parameter).
    pub fn names_a_type(&self, at: crate::span::Span, n: &str) -> bool {
        matches!(n, "bool" | "string" | "String" | "str" | "f32" | "f64" | "i128" | "u128" | "f16" | "char" | "usize" | "isize" | "Self" | "void")
            || IntTy::from_name(n).is_some()
            || self.res.alias(at, n).is_some()
            || self.res.enum_id(at, n).is_some()
            || self.res.struct_id(at, n).is_some()
            || self.res.other_type(at, n)
            || crate::resolve::BUILTIN_TYPE_GENERICS.contains(&n)
    }

    fn lower_named(&mut self, name: &ast::Ident, args: &[ast::Type], t: &ast::Type) -> Ty {
        let n = name.name.as_str();
        if let Some(bound) = self.type_env.get(n) {
            if args.is_empty() {
                return bound.clone();
            }
        }
        let simple = match n {
            "bool" => Some(Ty::Bool),
            "string" | "String" | "str" => Some(Ty::Str),
            "f32" => Some(Ty::Float(FloatTy::F32)),
            "f64" => Some(Ty::Float(FloatTy::F64)),
            _ => IntTy::from_name(n).map(Ty::Int),
        };
        if let Some(ty) = simple {
            if !args.is_empty() {
                self.error(
                    Diagnostic::error("E0107", format!("type `{n}` takes no type arguments"), t.span)
                        .help(format!("write just `{n}`")),
                );
                return Ty::Error;
            }
            return ty;
        }
        if let Some(item) = self.res.alias(name.span, n) {
            return self.expand_alias(n, item, args, t);
        }
        if let Some(id) = self.res.enum_id(name.span, n) {
            let template = self.enums[id as usize].template;
            return self.nominal(n, "enum", template, args, t, |c, targs| c.instantiate_enum(id, targs, t.span), Ty::Enum(id));
        }
        if let Some(id) = self.res.struct_id(name.span, n) {
            let template = self.structs[id as usize].template;
            return self.nominal(n, "struct", template, args, t, |c, targs| c.instantiate_struct(id, targs, t.span), Ty::Struct(id));
        }
        if let Some(kind) = crate::types::LibTy::from_name(n) {
            if args.len() != kind.arity() {
                self.error(
                    Diagnostic::error("E0107", format!("`{n}` takes {} type argument(s) but {} were supplied", kind.arity(), args.len()), t.span)
                        .help(format!("write `{n}<T>`")),
                );
                return Ty::Error;
            }
            let targs: Vec<Ty> = args.iter().map(|a| self.lower_ty(a)).collect();
            if targs.iter().any(Ty::is_error) {
                return Ty::Error;
            }
            return Ty::Lib(kind, targs);
        }
        if matches!(n, "i128" | "u128" | "f16" | "char" | "usize" | "isize" | "Self" | "error")
            || self.res.other_type(name.span, n)
            || crate::resolve::BUILTIN_TYPE_GENERICS.contains(&n)
        {
            return self.unsupported_ty(&format!("the type `{n}`"), t);
        }
        let candidates = self
            .res
            .struct_ids
            .keys()
            .map(String::as_str)
            .chain(["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool", "string"]);
        let mut d = Diagnostic::error("E0412", format!("cannot find type `{n}` in this scope"), name.span)
            .label("not found in this scope");
        if let Some(h) = did_you_mean(n, candidates) {
            d = d.help(h);
        }
        self.error(d);
        Ty::Error
    }
}
