//! The runtime descriptors of a program's types, made from its [`TypeInfo`] table,
//! and the field offsets read from them.
//!
//! Both backends (the JIT and the interpreter) build descriptors here, so a type has
//! one layout whichever runs the program. Nothing here allocates objects; the
//! descriptors belong to the caller's [`DescArena`].

use crate::{TypeInfo, TypeRef};
use kiln_runtime::desc::{DescArena, TypeDesc, TypeKind, VariantDef};

/// Makes the runtime descriptors of the types `types[earlier.len()..]` in `arena`,
/// given those made before for the types in front of them (a session's earlier
/// units): first a placeholder for every new compound type (they may refer to each
/// other and to earlier ones), then their definitions. The result continues
/// `earlier`: together they are indexed by [`TypeRef`].
pub fn build(
    arena: &mut DescArena,
    types: &[TypeInfo],
    earlier: &[*const TypeDesc],
) -> Vec<*const TypeDesc> {
    let first = earlier.len();
    let types = &types[first..];
    let ptrs: Vec<*mut TypeDesc> = types
        .iter()
        .map(|t| match t {
            TypeInfo::Scalar(k) => {
                let kind = TypeKind::from_u32(*k).unwrap_or(TypeKind::Unit);
                arena.scalar(kind) as *mut TypeDesc
            }
            TypeInfo::Str => arena.str() as *mut TypeDesc,
            _ => arena.declare(),
        })
        .collect();
    let at = |r: &TypeRef| match r.index().checked_sub(first) {
        Some(k) => ptrs[k] as *const TypeDesc,
        None => earlier[r.index()],
    };
    for (t, &p) in types.iter().zip(&ptrs) {
        match t {
            TypeInfo::Scalar(_) | TypeInfo::Str => {}
            TypeInfo::Array(e) => arena.define_array(p, at(e)),
            TypeInfo::Map(k, v) => arena.define_map(p, at(k), at(v)),
            TypeInfo::Tuple(fs) => {
                let fs: Vec<*const TypeDesc> = fs.iter().map(at).collect();
                arena.define_tuple(p, &fs);
            }
            TypeInfo::Struct { name, fields } => {
                let fs: Vec<(&str, *const TypeDesc)> =
                    fields.iter().map(|(n, t)| (n.as_str(), at(t))).collect();
                arena.define_struct(p, name, &fs);
            }
            TypeInfo::Enum { name, variants } => {
                let fields: Vec<Vec<(&str, *const TypeDesc)>> = variants
                    .iter()
                    .map(|(_, _, fs)| fs.iter().map(|(n, t)| (n.as_str(), at(t))).collect())
                    .collect();
                let vs: Vec<VariantDef> = variants
                    .iter()
                    .zip(&fields)
                    .map(|((n, labelled, _), fs)| (n.as_str(), *labelled, fs.as_slice()))
                    .collect();
                arena.define_enum(p, name, &vs);
            }
            TypeInfo::Closure { name, captures } => {
                let cs: Vec<*const TypeDesc> = captures.iter().map(at).collect();
                arena.define_closure(p, name, &cs);
            }
            TypeInfo::Generator {
                name,
                params,
                frame_slots,
            } => {
                let ps: Vec<*const TypeDesc> = params.iter().map(at).collect();
                arena.define_generator(p, name, &ps, *frame_slots);
            }
        }
    }
    ptrs.into_iter().map(|p| p as *const TypeDesc).collect()
}

/// The byte offset of field `index` (of `variant`, for an enum) of the type `ty`,
/// read from its descriptor in `descs` (as made by [`build`]).
///
/// # Safety
/// `descs` must be live descriptors made by [`build`] for the table the MIR
/// referring to `ty` was verified against, so the variant and field exist.
pub unsafe fn field_offset(
    descs: &[*const TypeDesc],
    ty: TypeRef,
    variant: Option<u32>,
    index: u32,
) -> i32 {
    // SAFETY: the descriptor is live and has this variant and field (the caller's
    // contract).
    unsafe {
        let d = &*descs[ty.index()];
        let fields = match variant {
            Some(v) => d.variants()[v as usize].fields(),
            None => d.fields(),
        };
        fields[index as usize].offset as i32
    }
}
