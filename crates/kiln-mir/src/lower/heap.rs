//! Lowering compound values: constructors, fields, indexing, slicing, `?`, methods
//! of strings, arrays, maps, options and results, and I/O.
//!
//! Objects are made and inspected through the runtime functions and layouts of
//! docs/RUNTIME-ABI.md. Array indexing (the hot path of numeric code) is inline: a
//! bounds check that branches to a cold panic, and a load from the data buffer.
//! Field access is symbolic in MIR (`get_field type.index`); the code generator turns
//! it into a load at the offset the runtime descriptor gives.

use super::{mir_type, FnLower, Tables};
use crate::ir::*;
use kiln_sema::hir::{AdtKind, ExprId, ExprKind, IoOp, Method};
use kiln_sema::ty::{FloatTy, HeapTy, IntTy, Ty};
use kiln_syntax::ast::BinOp;
use kiln_syntax::Span;

/// Offsets of docs/RUNTIME-ABI.md that compiled code reads inline.
const LEN_OFFSET: i32 = 16;
const DATA_OFFSET: i32 = 32;
const TAG_OFFSET: i32 = 16;

/// The ABI's scalar kind number of a type.
fn scalar_kind(ty: Ty) -> u32 {
    match ty {
        Ty::Bool => 1,
        Ty::Char => 2,
        Ty::Int(i) => match i {
            IntTy::I8 => 3,
            IntTy::I16 => 4,
            IntTy::I32 => 5,
            IntTy::I64 => 6,
            IntTy::U8 => 7,
            IntTy::U16 => 8,
            IntTy::U32 => 9,
            IntTy::U64 => 10,
        },
        Ty::Float(FloatTy::F32) => 11,
        Ty::Float(FloatTy::F64) => 12,
        _ => 0,
    }
}

/// Bytes a value of `ty` takes inside an object.
pub(super) fn value_size(ty: Ty) -> i64 {
    match mir_type(ty) {
        Some(t) => (t.bits() / 8) as i64,
        None => 0,
    }
}

impl Tables {
    /// The descriptor table entry of a type, made on first use.
    pub(super) fn type_ref(&mut self, ty: Ty) -> TypeRef {
        if let Some(&r) = self.type_ids.get(&ty) {
            return r;
        }
        let r = TypeRef(self.types.len() as u32);
        // Reserve the slot first: structs and enums may refer to themselves.
        self.types.push(TypeInfo::Scalar(0));
        self.type_ids.insert(ty, r);
        let info = match ty.heap() {
            None if ty == Ty::Str => TypeInfo::Str,
            None => TypeInfo::Scalar(scalar_kind(ty)),
            Some(HeapTy::Array(t)) => TypeInfo::Array(self.type_ref(t)),
            Some(HeapTy::Map(k, v)) => TypeInfo::Map(self.type_ref(k), self.type_ref(v)),
            Some(HeapTy::Tuple(ts)) => {
                TypeInfo::Tuple(ts.iter().map(|&t| self.type_ref(t)).collect())
            }
            Some(HeapTy::Option(t)) => TypeInfo::Enum {
                name: "Option".into(),
                variants: vec![
                    ("None".into(), false, vec![]),
                    (
                        "Some".into(),
                        false,
                        vec![(String::new(), self.type_ref(t))],
                    ),
                ],
            },
            Some(HeapTy::Result(t, e)) => TypeInfo::Enum {
                name: "Result".into(),
                variants: vec![
                    ("Ok".into(), false, vec![(String::new(), self.type_ref(t))]),
                    ("Err".into(), false, vec![(String::new(), self.type_ref(e))]),
                ],
            },
            Some(HeapTy::Adt(id, _, args)) => self.adt_info(id, &args),
            // Values of a function type are closure objects; each object's own
            // descriptor says what it holds.
            Some(HeapTy::Func(..)) => TypeInfo::Closure {
                name: String::new(),
                captures: Vec::new(),
            },
            // Likewise for generators: each generator function has its own.
            Some(HeapTy::Gen(_)) => TypeInfo::Generator {
                name: String::new(),
                params: Vec::new(),
                frame_slots: 0,
            },
        };
        self.types[r.index()] = info;
        r
    }

    /// The descriptor of a struct or enum; a generic one with `args` put in (each
    /// instance has its own descriptor, as its fields differ).
    fn adt_info(&mut self, id: kiln_sema::ty::AdtId, args: &[Ty]) -> TypeInfo {
        let Some(adt) = self
            .adts
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.instantiate(args))
        else {
            return TypeInfo::Scalar(0);
        };
        match &adt.kind {
            AdtKind::Struct(fields) => TypeInfo::Struct {
                name: adt.name.clone(),
                fields: fields
                    .iter()
                    .map(|(n, t)| (n.clone(), self.type_ref(*t)))
                    .collect(),
            },
            AdtKind::Enum(variants) => TypeInfo::Enum {
                name: adt.name.clone(),
                variants: variants
                    .iter()
                    .map(|v| {
                        let fields = v
                            .fields
                            .iter()
                            .enumerate()
                            .map(|(i, &t)| {
                                let name = v
                                    .labels
                                    .as_ref()
                                    .and_then(|l| l.get(i))
                                    .cloned()
                                    .unwrap_or_default();
                                (name, self.type_ref(t))
                            })
                            .collect();
                        (v.name.clone(), v.labels.is_some(), fields)
                    })
                    .collect(),
            },
        }
    }
}

impl FnLower<'_> {
    pub(super) fn desc(&mut self, ty: Ty, span: Span) -> Value {
        let r = self.tables.type_ref(ty);
        self.b.ins1(InstKind::Desc(r), Type::Ptr, span)
    }

    /// Calls a runtime function whose result is a new object of type `ty`.
    fn make(
        &mut self,
        symbol: &'static str,
        args: Vec<Value>,
        ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let v = self.runtime(symbol, args, Some(Type::Ptr), span);
        self.produced(v, ty)
    }

    fn make_site(
        &mut self,
        symbol: &'static str,
        args: Vec<Value>,
        ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let v = self.runtime_site(symbol, args, Some(Type::Ptr), span);
        self.produced(v, ty)
    }

    /// Releases a global's old value, which is null before its first assignment.
    pub(super) fn release_if_set(&mut self, v: Value, span: Span) {
        let set = self.b.create_block();
        let done = self.b.create_block();
        let null = self.b.ins1(InstKind::Null, Type::Ptr, span);
        let is_null = self.icmp(IntCC::Eq, v, null, span);
        self.b.branch(is_null, done, set);
        self.b.seal(set);
        self.b.switch_to(set);
        self.release(v, span);
        self.b.jump(done, Vec::new());
        self.b.seal(done);
        self.b.switch_to(done);
    }

    /// The `len` field of a string or an array (both keep it at offset 16).
    pub(super) fn len_field(&mut self, s: Value, span: Span) -> Value {
        self.b.ins1(
            InstKind::Load {
                base: s,
                offset: LEN_OFFSET,
            },
            Type::I64,
            span,
        )
    }

    /// A value as a 64-bit slot (docs/RUNTIME-ABI.md).
    pub(super) fn slot_of(&mut self, v: Option<Value>, ty: Ty, span: Span) -> Value {
        let Some(v) = v else {
            return self.b.iconst(Type::I64, 0, span);
        };
        match ty {
            Ty::Int(i) if i.bits() < 64 => {
                let op = if i.signed() {
                    ConvertOp::Sext
                } else {
                    ConvertOp::Uext
                };
                self.b.ins1(InstKind::Convert(op, v), Type::I64, span)
            }
            Ty::Bool | Ty::Char => {
                self.b
                    .ins1(InstKind::Convert(ConvertOp::Uext, v), Type::I64, span)
            }
            Ty::Float(FloatTy::F64) => {
                self.b
                    .ins1(InstKind::Convert(ConvertOp::Bitcast, v), Type::I64, span)
            }
            Ty::Float(FloatTy::F32) => {
                let bits = self
                    .b
                    .ins1(InstKind::Convert(ConvertOp::Bitcast, v), Type::I32, span);
                self.b
                    .ins1(InstKind::Convert(ConvertOp::Uext, bits), Type::I64, span)
            }
            _ => v,
        }
    }

    /// A value of type `ty` from a 64-bit slot.
    pub(super) fn value_of_slot(&mut self, s: Value, ty: Ty, span: Span) -> Option<Value> {
        let t = mir_type(ty)?;
        Some(match ty {
            Ty::Float(FloatTy::F64) => {
                self.b
                    .ins1(InstKind::Convert(ConvertOp::Bitcast, s), t, span)
            }
            Ty::Float(FloatTy::F32) => {
                let bits = self
                    .b
                    .ins1(InstKind::Convert(ConvertOp::Trunc, s), Type::I32, span);
                self.b
                    .ins1(InstKind::Convert(ConvertOp::Bitcast, bits), t, span)
            }
            _ if t == Type::Ptr => self
                .b
                .ins1(InstKind::Convert(ConvertOp::Bitcast, s), t, span),
            _ if t == Type::I64 => s,
            _ => self.b.ins1(InstKind::Convert(ConvertOp::Trunc, s), t, span),
        })
    }

    /// A field load; a reference is retained and becomes a temporary, so it stays
    /// valid even if the object is changed while it is in use.
    pub(super) fn get_field(
        &mut self,
        obj: Value,
        obj_ty: Ty,
        variant: Option<u32>,
        index: u32,
        field_ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let v = self.peek_field(obj, obj_ty, variant, index, field_ty, span)?;
        if self.is_ref(field_ty) {
            self.retain(v, span);
            self.temp(v);
        }
        Some(v)
    }

    /// A field load without retaining (for pattern tests, which only look).
    pub(super) fn peek_field(
        &mut self,
        obj: Value,
        obj_ty: Ty,
        variant: Option<u32>,
        index: u32,
        field_ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let t = mir_type(field_ty)?;
        let r = self.tables.type_ref(obj_ty);
        Some(self.b.ins1(
            InstKind::GetField {
                ty: r,
                variant,
                index,
                obj,
            },
            t,
            span,
        ))
    }

    pub(super) fn set_field(
        &mut self,
        obj: Value,
        obj_ty: Ty,
        variant: Option<u32>,
        index: u32,
        value: Value,
        span: Span,
    ) {
        let r = self.tables.type_ref(obj_ty);
        self.b.ins(
            InstKind::SetField {
                ty: r,
                variant,
                index,
                obj,
                value,
            },
            &[],
            span,
        );
    }

    pub(super) fn tag(&mut self, obj: Value, span: Span) -> Value {
        self.b.ins1(
            InstKind::Load {
                base: obj,
                offset: TAG_OFFSET,
            },
            Type::I32,
            span,
        )
    }

    pub(super) fn tag_is(&mut self, obj: Value, tag: u32, span: Span) -> Value {
        let t = self.tag(obj, span);
        let want = self.b.iconst(Type::I32, tag as i64, span);
        self.icmp(IntCC::Eq, t, want, span)
    }

    /// The address of element `i` of an array, after a bounds check.
    fn element_addr(&mut self, arr: Value, i: Value, elem: Ty, span: Span) -> Value {
        let len = self.b.ins1(
            InstKind::Load {
                base: arr,
                offset: LEN_OFFSET,
            },
            Type::I64,
            span,
        );
        // Unsigned: a negative index is a huge number.
        let bad = self.icmp(IntCC::Uge, i, len, span);
        let fail = self.b.create_cold_block();
        let ok = self.b.create_block();
        self.b.branch(bad, fail, ok);
        self.b.seal(fail);
        self.b.seal(ok);
        self.b.switch_to(fail);
        self.runtime_site("kiln_index_oob", vec![i, len], None, span);
        self.b.unreachable();
        self.b.switch_to(ok);
        self.unchecked_element_addr(arr, i, elem, span)
    }

    /// The address of element `i` of an array, without a bounds check (for callers
    /// that know `i` is in bounds).
    pub(super) fn unchecked_element_addr(
        &mut self,
        arr: Value,
        i: Value,
        elem: Ty,
        span: Span,
    ) -> Value {
        let data = self.b.ins1(
            InstKind::Load {
                base: arr,
                offset: DATA_OFFSET,
            },
            Type::Ptr,
            span,
        );
        let size = value_size(elem);
        if size == 0 {
            return data;
        }
        let sz = self.b.iconst(Type::I64, size, span);
        let off = self
            .b
            .ins1(InstKind::Binary(BinaryOp::Imul, i, sz), Type::I64, span);
        self.b
            .ins1(InstKind::Binary(BinaryOp::Iadd, data, off), Type::Ptr, span)
    }

    fn array_get(&mut self, arr: Value, i: Value, elem: Ty, span: Span) -> Option<Value> {
        let addr = self.element_addr(arr, i, elem, span);
        let t = mir_type(elem)?;
        let v = self.b.ins1(
            InstKind::Load {
                base: addr,
                offset: 0,
            },
            t,
            span,
        );
        if self.is_ref(elem) {
            self.retain(v, span);
            self.temp(v);
        }
        Some(v)
    }

    fn array_set(&mut self, arr: Value, i: Value, elem: Ty, value: Option<Value>, span: Span) {
        let addr = self.element_addr(arr, i, elem, span);
        let Some(v) = value else { return };
        let old = self.is_ref(elem).then(|| {
            self.b.ins1(
                InstKind::Load {
                    base: addr,
                    offset: 0,
                },
                Type::Ptr,
                span,
            )
        });
        self.b.ins(
            InstKind::Store {
                base: addr,
                offset: 0,
                value: v,
            },
            &[],
            span,
        );
        if let Some(old) = old {
            self.release(old, span);
        }
    }

    pub(super) fn heap_binary(
        &mut self,
        op: BinOp,
        ty: Ty,
        l: Value,
        r: Value,
        span: Span,
    ) -> Value {
        let d = self.desc(ty, span);
        match op {
            BinOp::Add => self
                .make("kiln_array_concat", vec![l, r], ty, span)
                .unwrap_or(l),
            _ => self.compare_with(op, "kiln_value_eq", "kiln_value_cmp", vec![l, r, d], span),
        }
    }

    /// Lowers the expressions of compound values; anything else is reported as not
    /// available yet.
    pub(super) fn lower_heap(&mut self, id: ExprId) -> Option<Value> {
        let e = self.expr(id);
        let (ty, span) = (e.ty, e.span);
        match &e.kind {
            ExprKind::Array(items) => {
                let d = self.desc(ty, span);
                let n = self.b.iconst(Type::I64, items.len() as i64, span);
                let arr = self.make("kiln_array_new", vec![d, n], ty, span)?;
                let elem = elem_of(ty);
                // The array is made with room for every element, and nothing else
                // can reach it before it is complete, so each element is written in
                // place and the length raised after it, as `push` would (a call per
                // element was most of an array literal's code and compile time).
                let size = value_size(elem);
                let data = (!items.is_empty() && size > 0).then(|| {
                    self.b.ins1(
                        InstKind::Load {
                            base: arr,
                            offset: DATA_OFFSET,
                        },
                        Type::Ptr,
                        span,
                    )
                });
                for (i, &item) in items.iter().enumerate() {
                    let v = self.lower(item);
                    let v = self.own_value(v, elem, span);
                    if let (Some(v), Some(data)) = (v, data) {
                        let (base, offset) = match i32::try_from(i as i64 * size) {
                            Ok(offset) => (data, offset),
                            Err(_) => {
                                let k = self.b.iconst(Type::I64, i as i64, span);
                                (self.unchecked_element_addr(arr, k, elem, span), 0)
                            }
                        };
                        self.b.ins(
                            InstKind::Store {
                                base,
                                offset,
                                value: v,
                            },
                            &[],
                            span,
                        );
                    }
                    let len = self.b.iconst(Type::I64, i as i64 + 1, span);
                    self.b.ins(
                        InstKind::Store {
                            base: arr,
                            offset: LEN_OFFSET,
                            value: len,
                        },
                        &[],
                        span,
                    );
                }
                Some(arr)
            }
            ExprKind::ArrayRepeat { value, count } => {
                let elem = elem_of(ty);
                let v = self.lower(*value);
                let n = self.lower(*count)?;
                let slot = self.slot_of(v, elem, span);
                let d = self.desc(ty, span);
                self.make_site("kiln_array_repeat", vec![d, slot, n], ty, span)
            }
            ExprKind::Map(entries) => {
                let (kt, vt) = match ty.heap() {
                    Some(HeapTy::Map(k, v)) => (k, v),
                    _ => return None,
                };
                let d = self.desc(ty, span);
                let m = self.make("kiln_map_new", vec![d], ty, span)?;
                for &(k, v) in entries {
                    let kv = self.lower(k);
                    let kv = self.own_value(kv, kt, span);
                    let vv = self.lower(v);
                    let vv = self.own_value(vv, vt, span);
                    let ks = self.slot_of(kv, kt, span);
                    let vs = self.slot_of(vv, vt, span);
                    self.runtime("kiln_map_set", vec![m, ks, vs], None, span);
                }
                Some(m)
            }
            ExprKind::Record(fields) => {
                let d = self.desc(ty, span);
                let obj = self.make("kiln_alloc", vec![d], ty, span)?;
                let tys = self.field_types(ty, None);
                for (i, &f) in fields.iter().enumerate() {
                    let fty = tys.get(i).copied().unwrap_or(Ty::Unit);
                    let v = self.lower(f);
                    if let Some(v) = self.own_value(v, fty, span) {
                        self.set_field(obj, ty, None, i as u32, v, span);
                    }
                }
                Some(obj)
            }
            ExprKind::Variant { tag, fields } => {
                let d = self.desc(ty, span);
                let t = self.b.iconst(Type::I32, *tag as i64, span);
                let obj = self.make("kiln_alloc_variant", vec![d, t], ty, span)?;
                let tys = self.field_types(ty, Some(*tag));
                for (i, &f) in fields.iter().enumerate() {
                    let fty = tys.get(i).copied().unwrap_or(Ty::Unit);
                    let v = self.lower(f);
                    if let Some(v) = self.own_value(v, fty, span) {
                        self.set_field(obj, ty, Some(*tag), i as u32, v, span);
                    }
                }
                Some(obj)
            }
            ExprKind::Field { base, index } => {
                let bty = self.expr(*base).ty;
                let b = self.lower(*base)?;
                self.get_field(b, bty, None, *index, ty, span)
            }
            ExprKind::SetField { base, index, value } => {
                let bty = self.expr(*base).ty;
                let b = self.lower(*base)?;
                self.precomputed.insert(base.0, Some(b));
                let fty = self
                    .field_types(bty, None)
                    .get(*index as usize)
                    .copied()
                    .unwrap_or(Ty::Unit);
                let v = self.lower(*value);
                self.precomputed.remove(&base.0);
                let v = self.own_value(v, fty, span)?;
                let old = self
                    .is_ref(fty)
                    .then(|| self.peek_field(b, bty, None, *index, fty, span))
                    .flatten();
                self.set_field(b, bty, None, *index, v, span);
                if let Some(old) = old {
                    self.release(old, span);
                }
                None
            }
            ExprKind::Index { base, index } => {
                let bty = self.expr(*base).ty;
                let b = self.lower(*base)?;
                let i = self.lower(*index);
                match bty.heap() {
                    Some(HeapTy::Array(t)) => self.array_get(b, i?, t, span),
                    Some(HeapTy::Map(k, _)) => {
                        let ks = self.slot_of(i, k, span);
                        let s = self.runtime_site(
                            "kiln_map_index",
                            vec![b, ks],
                            Some(Type::I64),
                            span,
                        )?;
                        let v = self.value_of_slot(s, ty, span);
                        self.produced(v, ty)
                    }
                    _ => unreachable!("the checker lets only arrays and maps be indexed"),
                }
            }
            ExprKind::SetIndex { base, index, value } => {
                let bty = self.expr(*base).ty;
                let b = self.lower(*base)?;
                let i = self.lower(*index);
                self.precomputed.insert(base.0, Some(b));
                self.precomputed.insert(index.0, i);
                let v = self.lower(*value);
                self.precomputed.remove(&base.0);
                self.precomputed.remove(&index.0);
                match bty.heap() {
                    Some(HeapTy::Array(t)) => {
                        let v = self.own_value(v, t, span);
                        self.array_set(b, i?, t, v, span);
                    }
                    Some(HeapTy::Map(k, vt)) => {
                        let k_owned = self.own_value(i, k, span);
                        let v = self.own_value(v, vt, span);
                        let ks = self.slot_of(k_owned, k, span);
                        let vs = self.slot_of(v, vt, span);
                        self.runtime("kiln_map_set", vec![b, ks, vs], None, span);
                    }
                    _ => unreachable!("the checker lets only arrays and maps be indexed"),
                }
                None
            }
            ExprKind::Slice { base, lo, hi } => {
                let b = self.lower(*base)?;
                let lo = match lo {
                    Some(l) => self.lower(*l)?,
                    None => self.b.iconst(Type::I64, 0, span),
                };
                let hi = match hi {
                    Some(h) => self.lower(*h)?,
                    None => self.len_field(b, span),
                };
                let symbol = if ty == Ty::Str {
                    "kiln_str_slice"
                } else {
                    "kiln_array_slice"
                };
                self.make_site(symbol, vec![b, lo, hi], ty, span)
            }
            ExprKind::Try(value) => self.try_value(*value, ty, span),
            ExprKind::MethodCall { method, args } => self.method(*method, args, ty, span),
            ExprKind::Io { op, args } => {
                let vals: Vec<Value> = args.iter().filter_map(|&a| self.lower(a)).collect();
                let d = self.desc(ty, span);
                let symbol = match op {
                    IoOp::ReadLine => "kiln_read_line",
                    IoOp::ReadFile => "kiln_read_file",
                    IoOp::WriteFile => "kiln_write_file",
                    IoOp::Args => "kiln_args",
                };
                let mut all = vals;
                all.push(d);
                self.make(symbol, all, ty, span)
            }
            ExprKind::Match { scrutinee, arms } => self.lower_match(*scrutinee, arms, ty, span),
            ExprKind::LetPat { pat, init } => {
                self.let_pattern(pat, *init, span);
                None
            }
            ExprKind::ForEach {
                kind,
                pat,
                iter,
                body,
            } => {
                self.for_each(*kind, pat, *iter, *body, span);
                None
            }
            ExprKind::Const(_)
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::Let { .. }
            | ExprKind::SetLocal { .. }
            | ExprKind::SetGlobal { .. }
            | ExprKind::Block { .. }
            | ExprKind::Unary { .. }
            | ExprKind::Binary { .. }
            | ExprKind::Logical { .. }
            | ExprKind::Cast { .. }
            | ExprKind::Call { .. }
            | ExprKind::CallExtern { .. }
            | ExprKind::CallValue { .. }
            | ExprKind::FuncValue(_)
            | ExprKind::Closure { .. }
            | ExprKind::Builtin { .. }
            | ExprKind::Interp(_)
            | ExprKind::If { .. }
            | ExprKind::While { .. }
            | ExprKind::Loop { .. }
            | ExprKind::ForRange { .. }
            | ExprKind::Break(_)
            | ExprKind::Continue
            | ExprKind::Return(_)
            | ExprKind::Yield(_) => unreachable!("`lower` lowers {:?} itself", e.kind),
        }
    }

    /// The field types of a tuple or struct (`variant: None`) or of an enum variant.
    pub(super) fn field_types(&self, ty: Ty, variant: Option<u32>) -> Vec<Ty> {
        match (ty.heap(), variant) {
            (Some(HeapTy::Tuple(ts)), None) => ts,
            (Some(HeapTy::Option(t)), Some(1)) => vec![t],
            (Some(HeapTy::Result(t, _)), Some(0)) => vec![t],
            (Some(HeapTy::Result(_, e)), Some(1)) => vec![e],
            (Some(HeapTy::Adt(id, _, args)), v) => {
                let Some(adt) = self.tables.adts.iter().find(|a| a.id == id) else {
                    return Vec::new();
                };
                let adt = adt.instantiate(&args);
                match (&adt.kind, v) {
                    (AdtKind::Struct(fs), None) => fs.iter().map(|(_, t)| *t).collect(),
                    (AdtKind::Enum(vs), Some(tag)) => vs
                        .get(tag as usize)
                        .map(|v| v.fields.clone())
                        .unwrap_or_default(),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// `value?`: the payload of `Some`/`Ok`, or an early return of `None`/`Err`.
    fn try_value(&mut self, value: ExprId, ty: Ty, span: Span) -> Option<Value> {
        let vty = self.expr(value).ty;
        let v = self.lower(value)?;
        let is_result = matches!(vty.heap(), Some(HeapTy::Result(..)));
        let (fail_tag, ok_tag) = if is_result { (1, 0) } else { (0, 1) };
        let failed = self.tag_is(v, fail_tag, span);
        let fail = self.b.create_block();
        let ok = self.b.create_block();
        self.b.branch(failed, fail, ok);
        self.b.seal(fail);
        self.b.seal(ok);
        self.b.switch_to(fail);
        let ret_ty = self.func.ret;
        let d = self.desc(ret_ty, span);
        let t = self.b.iconst(Type::I32, fail_tag as i64, span);
        let out = self.runtime("kiln_alloc_variant", vec![d, t], Some(Type::Ptr), span)?;
        if is_result {
            let ety = self
                .field_types(vty, Some(1))
                .first()
                .copied()
                .unwrap_or(Ty::Unit);
            if let Some(err) = self.peek_field(v, vty, Some(1), 0, ety, span) {
                if self.is_ref(ety) {
                    self.retain(err, span);
                }
                self.set_field(out, ret_ty, Some(1), 0, err, span);
            }
        }
        self.release_above(0, 0, span);
        self.b.ret(Some(out));
        self.b.switch_to(ok);
        self.get_field(v, vty, Some(ok_tag), 0, ty, span)
    }

    fn method(&mut self, m: Method, args: &[ExprId], ty: Ty, span: Span) -> Option<Value> {
        if matches!(
            m,
            Method::Map
                | Method::Filter
                | Method::Fold
                | Method::Any
                | Method::All
                | Method::SortBy
        ) {
            return self.function_method(m, args, ty, span);
        }
        let rty = self.expr(args[0]).ty;
        let arg_tys: Vec<Ty> = args.iter().map(|&a| self.expr(a).ty).collect();
        let mut vals: Vec<Option<Value>> = Vec::new();
        for &a in args {
            vals.push(self.lower(a));
        }
        let recv = vals[0]?;
        let arg = |i: usize| vals.get(i).copied().flatten();
        let elem = elem_of(rty);
        use Method as M;
        match m {
            M::Len if matches!(rty.heap(), Some(HeapTy::Map(..))) => {
                self.runtime("kiln_map_len", vec![recv], Some(Type::I64), span)
            }
            M::Len => Some(self.len_field(recv, span)),
            M::IsEmpty => {
                let len = if matches!(rty.heap(), Some(HeapTy::Map(..))) {
                    self.runtime("kiln_map_len", vec![recv], Some(Type::I64), span)?
                } else {
                    self.len_field(recv, span)
                };
                let zero = self.b.iconst(Type::I64, 0, span);
                Some(self.icmp(IntCC::Eq, len, zero, span))
            }
            M::Clone => self.make("kiln_clone", vec![recv], ty, span),
            M::Chars | M::Bytes | M::Split | M::Lines | M::Find | M::ParseInt | M::ParseFloat => {
                let symbol = match m {
                    M::Chars => "kiln_str_chars",
                    M::Bytes => "kiln_str_bytes",
                    M::Split => "kiln_str_split",
                    M::Lines => "kiln_str_lines",
                    M::Find => "kiln_str_find",
                    M::ParseInt => "kiln_str_parse_int",
                    _ => "kiln_str_parse_float",
                };
                let d = self.desc(ty, span);
                let mut all: Vec<Value> = vals.iter().flatten().copied().collect();
                all.push(d);
                self.make(symbol, all, ty, span)
            }
            M::Contains if rty == Ty::Str => self.runtime(
                "kiln_str_contains",
                vec![recv, arg(1)?],
                Some(Type::I8),
                span,
            ),
            M::StartsWith => self.runtime(
                "kiln_str_starts_with",
                vec![recv, arg(1)?],
                Some(Type::I8),
                span,
            ),
            M::EndsWith => self.runtime(
                "kiln_str_ends_with",
                vec![recv, arg(1)?],
                Some(Type::I8),
                span,
            ),
            M::Trim => self.make("kiln_str_trim", vec![recv], ty, span),
            M::ToUpper => self.make("kiln_str_to_upper", vec![recv], ty, span),
            M::ToLower => self.make("kiln_str_to_lower", vec![recv], ty, span),
            M::Replace => self.make("kiln_str_replace", vec![recv, arg(1)?, arg(2)?], ty, span),
            M::Repeat => self.make_site("kiln_str_repeat", vec![recv, arg(1)?], ty, span),
            M::Join => self.make("kiln_str_join", vec![recv, arg(1)?], ty, span),
            M::Push => {
                let v = self.own_value(arg(1), elem, span);
                let s = self.slot_of(v, elem, span);
                self.runtime("kiln_array_push", vec![recv, s], None, span);
                None
            }
            M::Next => self.generator_next(recv, ty, span),
            M::Pop | M::ArrayMin | M::ArrayMax | M::Enumerate => {
                let symbol = match m {
                    M::Pop => "kiln_array_pop",
                    M::ArrayMin => "kiln_array_min",
                    M::ArrayMax => "kiln_array_max",
                    _ => "kiln_array_enumerate",
                };
                let d = self.desc(ty, span);
                self.make(symbol, vec![recv, d], ty, span)
            }
            M::Insert => {
                let v = self.own_value(arg(2), elem, span);
                let s = self.slot_of(v, elem, span);
                self.runtime_site("kiln_array_insert", vec![recv, arg(1)?, s], None, span);
                None
            }
            M::Remove => {
                let s = self.runtime_site(
                    "kiln_array_remove",
                    vec![recv, arg(1)?],
                    Some(Type::I64),
                    span,
                )?;
                let v = self.value_of_slot(s, ty, span);
                self.produced(v, ty)
            }
            M::Contains => {
                let s = self.slot_of(arg(1), elem, span);
                self.runtime("kiln_array_contains", vec![recv, s], Some(Type::I8), span)
            }
            M::IndexOf => {
                let s = self.slot_of(arg(1), elem, span);
                let d = self.desc(ty, span);
                self.make("kiln_array_index_of", vec![recv, s, d], ty, span)
            }
            M::Sort => self.runtime("kiln_array_sort", vec![recv], None, span),
            M::Reverse => self.runtime("kiln_array_reverse", vec![recv], None, span),
            M::Clear if matches!(rty.heap(), Some(HeapTy::Map(..))) => {
                self.runtime("kiln_map_clear", vec![recv], None, span)
            }
            M::Clear => self.runtime("kiln_array_clear", vec![recv], None, span),
            M::Extend => self.runtime("kiln_array_extend", vec![recv, arg(1)?], None, span),
            M::Sum => {
                let s = self.runtime_site("kiln_array_sum", vec![recv], Some(Type::I64), span)?;
                self.value_of_slot(s, ty, span)
            }
            M::Get | M::MapRemove => {
                let kt = arg_tys[1];
                let ks = self.slot_of(arg(1), kt, span);
                let d = self.desc(ty, span);
                let symbol = if m == M::Get {
                    "kiln_map_get"
                } else {
                    "kiln_map_remove"
                };
                self.make(symbol, vec![recv, ks, d], ty, span)
            }
            M::ContainsKey => {
                let ks = self.slot_of(arg(1), arg_tys[1], span);
                self.runtime(
                    "kiln_map_contains_key",
                    vec![recv, ks],
                    Some(Type::I8),
                    span,
                )
            }
            M::Keys | M::Values => {
                let d = self.desc(ty, span);
                let symbol = if m == M::Keys {
                    "kiln_map_keys"
                } else {
                    "kiln_map_values"
                };
                self.make(symbol, vec![recv, d], ty, span)
            }
            M::IsSome | M::IsOk => {
                Some(self.tag_is(recv, if m == M::IsSome { 1 } else { 0 }, span))
            }
            M::IsNone | M::IsErr => {
                Some(self.tag_is(recv, if m == M::IsNone { 0 } else { 1 }, span))
            }
            M::Unwrap => self.unwrap(recv, rty, ty, span),
            M::UnwrapOr => self.unwrap_or(recv, rty, arg(1), ty, span),
            M::Map | M::Filter | M::Fold | M::Any | M::All | M::SortBy => {
                unreachable!("methods taking a function are lowered by function_method")
            }
        }
    }

    fn unwrap(&mut self, v: Value, vty: Ty, ty: Ty, span: Span) -> Option<Value> {
        let is_result = matches!(vty.heap(), Some(HeapTy::Result(..)));
        let (fail_tag, ok_tag) = if is_result { (1, 0) } else { (0, 1) };
        let failed = self.tag_is(v, fail_tag, span);
        let fail = self.b.create_cold_block();
        let ok = self.b.create_block();
        self.b.branch(failed, fail, ok);
        self.b.seal(fail);
        self.b.seal(ok);
        self.b.switch_to(fail);
        if is_result {
            let ety = self
                .field_types(vty, Some(1))
                .first()
                .copied()
                .unwrap_or(Ty::Unit);
            let err = self.peek_field(v, vty, Some(1), 0, ety, span);
            let s = self.slot_of(err, ety, span);
            let d = self.desc(ety, span);
            self.runtime_site("kiln_unwrap_err", vec![s, d], None, span);
        } else {
            self.runtime_site("kiln_unwrap_none", vec![], None, span);
        }
        self.b.unreachable();
        self.b.switch_to(ok);
        self.get_field(v, vty, Some(ok_tag), 0, ty, span)
    }

    fn unwrap_or(
        &mut self,
        v: Value,
        vty: Ty,
        default: Option<Value>,
        ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let is_result = matches!(vty.heap(), Some(HeapTy::Result(..)));
        let ok_tag = if is_result { 0 } else { 1 };
        let has = self.tag_is(v, ok_tag, span);
        let t = mir_type(ty)?;
        let some = self.b.create_block();
        let none = self.b.create_block();
        let join = self.b.create_block();
        let result = self.b.add_block_param(join, t);
        self.b.branch(has, some, none);
        self.b.seal(some);
        self.b.seal(none);
        self.b.switch_to(some);
        let payload = self.peek_field(v, vty, Some(ok_tag), 0, ty, span)?;
        if self.is_ref(ty) {
            self.retain(payload, span);
        }
        self.b.jump(join, vec![payload]);
        self.b.switch_to(none);
        let d = default?;
        if self.is_ref(ty) {
            self.retain(d, span);
        }
        self.b.jump(join, vec![d]);
        self.b.seal(join);
        self.b.switch_to(join);
        self.produced(Some(result), ty)
    }
}

/// The element type of an array type.
pub(super) fn elem_of(ty: Ty) -> Ty {
    match ty.heap() {
        Some(HeapTy::Array(t)) => t,
        _ => Ty::Unit,
    }
}
