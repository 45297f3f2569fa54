//! C types for Vex types, and the type definitions a program needs, in dependency order.
//! Arrays `[T; N]` become wrapper structs (`vx_arr_N_T`) so they have value semantics.

use super::names::{safe_ident, Names};
use crate::hir::{self, FnId};
use crate::types::{FloatTy, IntTy, Ty};
use std::collections::BTreeMap;
use std::fmt::Write;

pub struct Layouts {
    /// `typedef`s and struct definitions, ready to paste into the output.
    pub definitions: String,
    struct_names: Vec<String>,
    /// C names of data enums (`None` for unit-only enums, which are `int32_t`).
    enum_names: Vec<Option<String>>,
    field_names: Vec<Vec<String>>,
}

pub fn int_c(i: IntTy) -> &'static str {
    match i {
        IntTy::I8 => "int8_t",
        IntTy::I16 => "int16_t",
        IntTy::I32 => "int32_t",
        IntTy::I64 => "int64_t",
        IntTy::U8 => "uint8_t",
        IntTy::U16 => "uint16_t",
        IntTy::U32 => "uint32_t",
        IntTy::U64 => "uint64_t",
    }
}

/// A name fragment for a type, used in array type names.
fn mangle(ty: &Ty, structs: &[hir::StructDef]) -> String {
    match ty {
        Ty::Int(i) => i.name().to_string(),
        Ty::Float(f) => f.name().to_string(),
        Ty::Bool => "bool".into(),
        Ty::Str => "str".into(),
        Ty::Struct(id) => structs.get(*id as usize).map(|s| crate::types::ident_fragment(&s.name)).unwrap_or_default(),
        Ty::Enum(id) => format!("enum{id}"),
        Ty::Array(e, n) => format!("arr_{n}_{}", mangle(e, structs)),
        Ty::Tuple(ts) => {
            let parts: Vec<String> = ts.iter().map(|t| mangle(t, structs)).collect();
            format!("tup{}_{}", ts.len(), parts.join("_"))
        }
        Ty::Ref(t, _) => format!("ref_{}", mangle(t, structs)),
        Ty::Ptr(t, _) => format!("ptr_{}", mangle(t, structs)),
        Ty::Fn(..) => "fn".into(),
        Ty::Lib(k, args) => {
            let parts: Vec<String> = args.iter().map(|t| mangle(t, structs)).collect();
            format!("{}_{}", k.name(), parts.join("_"))
        }
        _ => "unit".into(),
    }
}

impl Layouts {
    pub fn collect(program: &hir::Program, names: &Names, reachable: &[FnId]) -> Layouts {
        let struct_names: Vec<String> = (0..program.structs.len() as u32).map(|i| names.strukt(i).to_string()).collect();
        let field_names = program.structs.iter().map(|s| s.fields.iter().map(|f| safe_ident(&f.name)).collect()).collect();
        let enum_names = program
            .enums
            .iter()
            .enumerate()
            .map(|(i, e)| if e.unit_only() || e.template { None } else { Some(names.enumeration(i as u32).to_string()) })
            .collect();
        let mut l = Layouts { definitions: String::new(), struct_names, enum_names, field_names };

        // Every array and tuple type the program mentions, keyed by its C name (sorted: deterministic).
        let mut arrays: BTreeMap<String, Ty> = BTreeMap::new();
        let mut note = |t: &Ty| note_arrays(t, program, &mut arrays);
        for s in program.structs.iter().filter(|s| !s.template) {
            for f in &s.fields {
                note(&f.ty);
            }
        }
        for e in &program.enums {
            for v in &e.variants {
                if let Some(t) = &v.payload {
                    note(t);
                }
            }
        }
        for &id in reachable {
            let f = &program.functions[id as usize];
            note(&f.ret);
            for local in &f.locals {
                note(&local.ty);
            }
            super::hir::visit_block_exprs(&f.body, &mut |e| note(&e.ty));
        }

        let mut defs = String::new();
        let real_structs = l.struct_names.iter().zip(&program.structs).filter(|(_, s)| !s.template).map(|(n, _)| n);
        for name in real_structs.chain(l.enum_names.iter().flatten()) {
            let _ = writeln!(defs, "typedef struct {name} {name};");
        }
        for name in arrays.keys() {
            let _ = writeln!(defs, "typedef struct {name} {name};");
        }
        if !defs.is_empty() {
            defs.push('\n');
        }
        // Definitions: each after the types it contains by value.
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
        enum Node {
            Struct(u32),
            Enum(u32),
            Array(String),
        }
        let deps = |n: &Node| -> Vec<Node> {
            let by_value = |t: &Ty| match t {
                Ty::Struct(id) => Some(Node::Struct(*id)),
                Ty::Enum(id) if !program.enums[*id as usize].unit_only() => Some(Node::Enum(*id)),
                Ty::Array(..) | Ty::Tuple(_) | Ty::Lib(..) => Some(Node::Array(l.c_type_static(t, program))),
                _ => None,
            };
            match n {
                Node::Struct(id) => program.structs[*id as usize].fields.iter().filter_map(|f| by_value(&f.ty)).collect(),
                Node::Enum(id) => program.enums[*id as usize].variants.iter().filter_map(|v| v.payload.as_ref().and_then(by_value)).collect(),
                Node::Array(name) => match arrays.get(name) {
                    Some(Ty::Array(e, _)) => by_value(e).into_iter().collect(),
                    Some(Ty::Tuple(ts)) => ts.iter().filter_map(by_value).collect(),
                    _ => Vec::new(),
                },
            }
        };
        let mut order: Vec<Node> = Vec::new();
        let mut done = std::collections::BTreeSet::new();
        let roots: Vec<Node> = (0..program.structs.len() as u32)
            .filter(|i| !program.structs[*i as usize].template)
            .map(Node::Struct)
            .chain(
                (0..program.enums.len() as u32)
                    .filter(|i| !program.enums[*i as usize].unit_only() && !program.enums[*i as usize].template)
                    .map(Node::Enum),
            )
            .chain(arrays.keys().cloned().map(Node::Array))
            .collect();
        for root in roots {
            // Iterative post-order DFS (cycles were rejected by the type checker).
            let mut stack = vec![(root, false)];
            while let Some((n, expanded)) = stack.pop() {
                if done.contains(&n) {
                    continue;
                }
                if expanded {
                    done.insert(n.clone());
                    order.push(n);
                } else {
                    stack.push((n.clone(), true));
                    for d in deps(&n).into_iter().rev() {
                        if !done.contains(&d) {
                            stack.push((d, false));
                        }
                    }
                }
            }
        }
        for n in order {
            match n {
                Node::Struct(id) => {
                    let name = &l.struct_names[id as usize];
                    let _ = writeln!(defs, "struct {name} {{");
                    let s = &program.structs[id as usize];
                    if s.fields.is_empty() {
                        defs.push_str("    char vx_unused; /* C structs cannot be empty */\n");
                    }
                    for (i, f) in s.fields.iter().enumerate() {
                        let _ = writeln!(defs, "    {} {};", l.c_type_static(&f.ty, program), l.field_names[id as usize][i]);
                    }
                    defs.push_str("};\n\n");
                }
                Node::Enum(id) => {
                    let Some(name) = l.enum_names[id as usize].clone() else { continue };
                    if niche(program, id).is_some() {
                        // The null-pointer niche: no tag, a null box is the empty variant.
                        let _ = writeln!(defs, "struct {name} {{\n    union {{");
                    } else {
                        let _ = writeln!(defs, "struct {name} {{\n    int32_t tag;\n    union {{");
                    }
                    for (i, v) in program.enums[id as usize].variants.iter().enumerate() {
                        if let Some(t) = &v.payload {
                            let _ = writeln!(defs, "        {} v{i}; /* {} */", l.c_type_static(t, program), v.name);
                        }
                    }
                    defs.push_str("    } u;\n};\n\n");
                }
                Node::Array(name) => match arrays.get(&name) {
                    Some(Ty::Array(elem, len)) => {
                        let _ = writeln!(
                            defs,
                            "struct {name} {{\n    {} a[{}];\n}};\n",
                            l.c_type_static(elem, program),
                            (*len).max(1)
                        );
                    }
                    Some(Ty::Tuple(ts)) => {
                        let _ = writeln!(defs, "struct {name} {{");
                        for (i, t) in ts.iter().enumerate() {
                            let _ = writeln!(defs, "    {} f{i};", l.c_type_static(t, program));
                        }
                        defs.push_str("};\n\n");
                    }
                    Some(Ty::Lib(kind, _)) => defs.push_str(&super::collections::handle_definition(&name, *kind)),
                    _ => {}
                },
            }
        }
        // The library types' heap blocks and helpers need every element type complete; their
        // retain/release (which other types' glue calls) are declared first.
        for (name, ty) in &arrays {
            // (A runtime handle owns nothing: it has no glue.)
            if matches!(ty, Ty::Lib(k, _) if *k != crate::types::LibTy::Runtime) {
                let _ = writeln!(defs, "VEX_HELPER {name} {name}_retain({name} v);\nVEX_HELPER void {name}_release({name} v);");
            }
        }
        for (name, ty) in &arrays {
            if let Ty::Lib(..) = ty {
                defs.push_str(&super::collections::helpers(name, ty, &l, program));
            }
        }
        l.definitions = defs;
        l
    }

    fn c_type_static(&self, ty: &Ty, program: &hir::Program) -> String {
        match ty {
            Ty::Int(i) => int_c(*i).into(),
            Ty::Float(FloatTy::F32) => "float".into(),
            Ty::Float(FloatTy::F64) => "double".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "vex_str".into(),
            Ty::Fn(..) => "vex_fn".into(),
            Ty::Struct(id) => self.struct_names[*id as usize].clone(),
            Ty::Enum(id) => self.enum_names[*id as usize].clone().unwrap_or_else(|| "int32_t".to_string()),
            Ty::Array(..) | Ty::Tuple(_) | Ty::Lib(..) => format!("vx_{}", mangle(ty, &program.structs)),
            Ty::Ref(t, _) => format!("{}*", self.c_type_static(t, program)),
            Ty::Ptr(t, is_const) => {
                let inner = if **t == Ty::Unit { "void".to_string() } else { self.c_type_static(t, program) };
                if *is_const {
                    format!("const {inner}*")
                } else {
                    format!("{inner}*")
                }
            }
            _ => "vex_unit".into(),
        }
    }

    pub fn c_type(&self, ty: &Ty, program: &hir::Program) -> String {
        self.c_type_static(ty, program)
    }

    /// The C function-pointer type a `fn(P..): R` value's code has (environment first).
    pub fn fn_code_type(&self, params: &[Ty], ret: &Ty, program: &hir::Program) -> String {
        let r = if matches!(ret, Ty::Unit | Ty::Never) { "void".to_string() } else { self.c_type(ret, program) };
        let mut ps = vec!["vex_env *".to_string()];
        ps.extend(params.iter().map(|p| self.c_type(p, program)));
        format!("{r} (*)({})", ps.join(", "))
    }

    pub fn field(&self, strukt: u32, field: u32) -> &str {
        &self.field_names[strukt as usize][field as usize]
    }

    /// The C member for field `field` of a value of type `base` (struct or tuple).
    pub fn member(&self, base: &Ty, field: u32) -> String {
        match base {
            Ty::Struct(s) => self.field(*s, field).to_string(),
            _ => format!("f{field}"),
        }
    }
}

/// Whether enum `id` is stored as one non-null pointer (the null-pointer niche): two variants,
/// one without payload and one whose payload is a `Box` (a handle that is never null once
/// constructed). Then the C struct has no tag, only the union with the box, and the empty
/// variant is the null box. Returns (payload variant, empty variant). An enum whose payload is
/// itself such an enum (`Option<Option<Box<T>>>`) keeps its tag: its payload is not a `Box`.
pub fn niche(program: &hir::Program, id: u32) -> Option<(u32, u32)> {
    let e = program.enums.get(id as usize)?;
    if e.template || e.variants.len() != 2 {
        return None;
    }
    let is_box = |t: &Option<Ty>| matches!(t, Some(Ty::Lib(crate::types::LibTy::Box, _)));
    match (&e.variants[0].payload, &e.variants[1].payload) {
        (None, p) if is_box(p) => Some((1, 0)),
        (p, None) if is_box(p) => Some((0, 1)),
        _ => None,
    }
}

/// A C condition: the data enum `id` stored at `place` (an lvalue) is variant `k`.
pub fn variant_test(program: &hir::Program, id: u32, place: &str, k: u32) -> String {
    match niche(program, id) {
        Some((some, _)) if k == some => format!("{place}.u.v{some}.cell != NULL"),
        Some((some, _)) => format!("{place}.u.v{some}.cell == NULL"),
        None => format!("{place}.tag == {k}"),
    }
}

/// A C compound literal of the data enum `id` (C type `cty`): variant `k` with `payload`.
pub fn variant_value(program: &hir::Program, id: u32, cty: &str, k: u32, payload: Option<&str>) -> String {
    match (niche(program, id), payload) {
        (Some((some, _)), Some(p)) => format!("(({cty}){{.u.v{some} = {p}}})"),
        (Some((some, _)), None) => format!("(({cty}){{.u.v{some}.cell = NULL}})"),
        (None, Some(p)) => format!("(({cty}){{.tag = {k}, .u.v{k} = {p}}})"),
        (None, None) => format!("(({cty}){{.tag = {k}}})"),
    }
}

fn note_arrays(t: &Ty, program: &hir::Program, out: &mut BTreeMap<String, Ty>) {
    match t {
        Ty::Array(e, _) => {
            note_arrays(e, program, out);
            out.insert(format!("vx_{}", mangle(t, &program.structs)), t.clone());
        }
        Ty::Tuple(ts) => {
            ts.iter().for_each(|e| note_arrays(e, program, out));
            out.insert(format!("vx_{}", mangle(t, &program.structs)), t.clone());
        }
        Ty::Ref(t, _) | Ty::Ptr(t, _) => note_arrays(t, program, out),
        Ty::Lib(_, args) => {
            args.iter().for_each(|e| note_arrays(e, program, out));
            out.insert(format!("vx_{}", mangle(t, &program.structs)), t.clone());
        }
        Ty::Struct(id) => {
            // Arrays inside struct fields are noted with the structs themselves.
            let _ = id;
        }
        _ => {}
    }
}
