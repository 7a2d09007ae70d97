//! Lowering closures and function values.
//!
//! A function value is a closure object (docs/RUNTIME-ABI.md): a header, the
//! address of its code at offset 16, then the captured values. Its code takes the
//! object itself as a hidden first argument and reads its captures from it; a call
//! of a function value loads the code pointer and calls it with the object and the
//! arguments (`call_indirect`). A named function used as a value gets an *adapter*,
//! a function with the closure calling convention that calls it.
//!
//! A `var` that a closure captures (HIR `boxed`) lives in a *cell*, a one-field
//! object that the enclosing function and every closure share: its variable holds
//! the cell, reads and writes go through field 0.
//!
//! The array methods that take a function (`map`, `filter`, `fold`, `any`, `all`)
//! are loops here that call the function per element; `sort_by` is a runtime merge
//! sort that calls back a comparison function generated per element type.

use super::heap::elem_of;
use super::{mir_type, FnLower, Tables};
use crate::builder::FuncBuilder;
use crate::ir::*;
use kiln_sema::hir::{self, ExprId, FuncId, LocalId, Method};
use kiln_sema::ty::{FloatTy, Ty};
use kiln_syntax::Span;

/// Where a closure object keeps its code pointer (docs/RUNTIME-ABI.md).
const CODE_OFFSET: i32 = 16;

/// A function lowering must add after the HIR functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Extra {
    /// Calls a named function with the closure calling convention.
    Adapter(FuncId),
    /// `less(closure, a, b)` for `sort_by` over elements of a type.
    SortLess(Ty),
    /// The resume function of a generator (`lower/generator.rs`), which lowering
    /// builds whole with the generator and keeps in `Tables::resumes`. Its
    /// reference is known before then: a `for` over a call of the generator
    /// calls it directly.
    Resume(FuncId),
}

impl Tables {
    /// The descriptor of the closure objects made for the closure function `func`.
    pub(super) fn closure_type(&mut self, hir: &hir::Program, func: FuncId) -> TypeRef {
        if let Some(&r) = self.closure_types.get(&func) {
            return r;
        }
        let f = &hir.funcs[func.index()];
        let captures: Vec<TypeRef> = f
            .captures
            .iter()
            .flatten()
            .map(|&l| {
                let local = f.local(l);
                if local.boxed {
                    self.cell_type(local.ty)
                } else {
                    self.type_ref(local.ty)
                }
            })
            .collect();
        let r = TypeRef(self.types.len() as u32);
        self.types.push(TypeInfo::Closure {
            name: String::new(),
            captures,
        });
        self.closure_types.insert(func, r);
        r
    }

    /// The descriptor of the object a named function used as a value becomes.
    fn func_value_type(&mut self, hir: &hir::Program, func: FuncId) -> TypeRef {
        if let Some(&r) = self.func_value_types.get(&func) {
            return r;
        }
        let r = TypeRef(self.types.len() as u32);
        self.types.push(TypeInfo::Closure {
            name: hir.funcs[func.index()].name.clone(),
            captures: Vec::new(),
        });
        self.func_value_types.insert(func, r);
        r
    }

    /// The descriptor of the cell holding a captured `var` of type `ty`.
    pub(super) fn cell_type(&mut self, ty: Ty) -> TypeRef {
        if let Some(&r) = self.cell_types.get(&ty) {
            return r;
        }
        let field = self.type_ref(ty);
        let r = TypeRef(self.types.len() as u32);
        self.types.push(TypeInfo::Struct {
            name: "<cell>".into(),
            fields: vec![("value".into(), field)],
        });
        self.cell_types.insert(ty, r);
        r
    }

    /// The MIR function of an extra function, made on first use.
    pub(super) fn extra(&mut self, extra: Extra) -> FuncRef {
        if let Some(&r) = self.extras.get(&extra) {
            return r;
        }
        let r = FuncRef(self.next_func);
        self.next_func += 1;
        self.pending_extras.push(extra);
        self.extras.insert(extra, r);
        r
    }
}

impl FnLower<'_> {
    /// Binds the captures of a closure body from its closure object (the hidden
    /// first parameter). Like parameters, they are borrowed.
    pub(super) fn bind_captures(&mut self, env: Value, func_id: FuncId, span: Span) {
        let Some(captures) = &self.func.captures else {
            return;
        };
        let r = self.tables.closure_type(self.hir, func_id);
        for (index, &l) in captures.iter().enumerate() {
            let local = self.func.local(l);
            let t = if local.boxed {
                Type::Ptr
            } else {
                match mir_type(local.ty) {
                    Some(t) => t,
                    None => continue,
                }
            };
            let v = self.b.ins1(
                InstKind::GetField {
                    ty: r,
                    variant: None,
                    index: index as u32,
                    obj: env,
                },
                t,
                span,
            );
            if local.boxed || local.mutable {
                self.b.def_var(self.var(l), v);
            } else {
                self.fixed.insert(self.var(l).0, v);
            }
        }
    }

    /// `Closure`, `FuncValue` and `CallValue` expressions.
    pub(super) fn lower_function_value(&mut self, id: ExprId) -> Option<Value> {
        let e = self.expr(id);
        let (ty, span) = (e.ty, e.span);
        match &e.kind {
            hir::ExprKind::Closure { func, captures } => {
                let r = self.tables.closure_type(self.hir, *func);
                let code = self.b.ins1(
                    InstKind::FuncAddr(self.tables.func_ref(*func)),
                    Type::Ptr,
                    span,
                );
                let obj = self.new_closure(r, code, span);
                for (index, &l) in captures.iter().enumerate() {
                    let local = self.func.local(l);
                    let (boxed, lty) = (local.boxed, local.ty);
                    if !boxed && mir_type(lty).is_none() {
                        continue;
                    }
                    let v = self.local_value(l, span);
                    if boxed || self.is_ref(lty) {
                        self.retain(v, span);
                    }
                    self.b.ins(
                        InstKind::SetField {
                            ty: r,
                            variant: None,
                            index: index as u32,
                            obj,
                            value: v,
                        },
                        &[],
                        span,
                    );
                }
                self.produced(Some(obj), ty)
            }
            hir::ExprKind::FuncValue(func) => {
                let r = self.tables.func_value_type(self.hir, *func);
                let adapter = self.tables.extra(Extra::Adapter(*func));
                let code = self.b.ins1(InstKind::FuncAddr(adapter), Type::Ptr, span);
                let obj = self.new_closure(r, code, span);
                self.produced(Some(obj), ty)
            }
            hir::ExprKind::CallValue { callee, args } => {
                let f = self.lower(*callee)?;
                let mut vals = vec![f];
                vals.extend(args.iter().filter_map(|&a| self.lower(a)));
                let r = self.call_closure(f, vals[1..].to_vec(), ty, span);
                self.produced(r, ty)
            }
            _ => unreachable!("not a function value expression"),
        }
    }

    fn new_closure(&mut self, r: TypeRef, code: Value, span: Span) -> Value {
        let d = self.b.ins1(InstKind::Desc(r), Type::Ptr, span);
        let obj = self
            .runtime("kiln_alloc", vec![d], Some(Type::Ptr), span)
            .expect("kiln_alloc returns the object");
        self.b.ins(
            InstKind::Store {
                base: obj,
                offset: CODE_OFFSET,
                value: code,
            },
            &[],
            span,
        );
        obj
    }

    /// Calls the function value `f` (borrowed) with `args`; the result is owned.
    fn call_closure(&mut self, f: Value, args: Vec<Value>, ret: Ty, span: Span) -> Option<Value> {
        let code = self.b.ins1(
            InstKind::Load {
                base: f,
                offset: CODE_OFFSET,
            },
            Type::Ptr,
            span,
        );
        let mut all = vec![f];
        all.extend(args);
        let results: Vec<Type> = mir_type(ret).into_iter().collect();
        self.b
            .ins(InstKind::CallIndirect { code, args: all }, &results, span)
            .first()
            .copied()
    }

    // ---- captured variables ------------------------------------------------------

    /// `let`/`var` of a boxed local: a new cell holding the value.
    pub(super) fn let_boxed(&mut self, local: LocalId, init: ExprId, span: Span) {
        let ty = self.func.local(local).ty;
        let v = self.lower(init);
        let v = self.own_value(v, ty, span);
        let r = self.tables.cell_type(ty);
        let d = self.b.ins1(InstKind::Desc(r), Type::Ptr, span);
        let cell = self
            .runtime("kiln_alloc", vec![d], Some(Type::Ptr), span)
            .expect("kiln_alloc returns the object");
        if let Some(v) = v {
            self.set_cell(cell, r, v, span);
        }
        self.b.def_var(self.var(local), cell);
        self.own_local(local);
    }

    fn set_cell(&mut self, cell: Value, r: TypeRef, v: Value, span: Span) {
        self.b.ins(
            InstKind::SetField {
                ty: r,
                variant: None,
                index: 0,
                obj: cell,
                value: v,
            },
            &[],
            span,
        );
    }

    fn cell_get(&mut self, cell: Value, ty: Ty, span: Span) -> Option<Value> {
        let t = mir_type(ty)?;
        let r = self.tables.cell_type(ty);
        Some(self.b.ins1(
            InstKind::GetField {
                ty: r,
                variant: None,
                index: 0,
                obj: cell,
            },
            t,
            span,
        ))
    }

    /// Reads a boxed local: like a load from a container, a reference is retained
    /// at once.
    pub(super) fn read_boxed(&mut self, local: LocalId, span: Span) -> Option<Value> {
        let ty = self.func.local(local).ty;
        let cell = self.b.use_var(self.var(local), span);
        let v = self.cell_get(cell, ty, span)?;
        if self.is_ref(ty) {
            self.retain(v, span);
            self.temp(v);
        }
        Some(v)
    }

    /// Assigns a boxed local, releasing the value it held.
    pub(super) fn set_boxed(&mut self, local: LocalId, value: ExprId, span: Span) {
        let ty = self.func.local(local).ty;
        let v = self.lower(value);
        let Some(v) = self.own_value(v, ty, span) else {
            return;
        };
        let cell = self.b.use_var(self.var(local), span);
        let old = if self.is_ref(ty) {
            self.cell_get(cell, ty, span)
        } else {
            None
        };
        let r = self.tables.cell_type(ty);
        self.set_cell(cell, r, v, span);
        if let Some(old) = old {
            self.release(old, span);
        }
    }

    // ---- array methods that take a function ------------------------------------

    pub(super) fn function_method(
        &mut self,
        m: Method,
        args: &[ExprId],
        ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let rty = self.expr(args[0]).ty;
        let elem = elem_of(rty);
        let arr = self.lower(args[0])?;
        let init = if m == Method::Fold {
            let ity = self.expr(args[1]).ty;
            let v = self.lower(args[1]);
            Some((self.own_value(v, ity, span), ity))
        } else {
            None
        };
        let f_id = *args.last().expect("the function argument");
        let f = self.lower(f_id)?;
        // The loop keeps the array and the function alive whatever the function
        // does to the variables that hold them.
        self.retain(arr, span);
        self.retain(f, span);
        if m == Method::SortBy {
            let less = self.tables.extra(Extra::SortLess(elem));
            let code = self.b.ins1(InstKind::FuncAddr(less), Type::Ptr, span);
            self.runtime("kiln_array_sort_by", vec![arr, f, code], None, span);
            self.release(f, span);
            self.release(arr, span);
            return None;
        }
        let out = match m {
            Method::Map | Method::Filter => {
                let d = self.desc(ty, span);
                let n = if m == Method::Map {
                    self.len_field(arr, span)
                } else {
                    self.b.iconst(Type::I64, 0, span)
                };
                self.runtime("kiln_array_new", vec![d, n], Some(Type::Ptr), span)
            }
            _ => None,
        };
        let acc = init.and_then(|(v, ity)| {
            let t = mir_type(ity)?;
            let var = self.fresh_var(t);
            self.b.def_var(var, v?);
            Some((var, ity))
        });
        let found = matches!(m, Method::Any | Method::All).then(|| {
            let var = self.fresh_var(Type::I8);
            let start = self.b.iconst(Type::I8, (m == Method::All) as i64, span);
            self.b.def_var(var, start);
            var
        });
        let fty = self.expr(f_id).ty;
        let ret = fty.as_func().map_or(Ty::Unit, |(_, r)| r);
        // for i in 0..len (the length is read again at each step).
        let pos = self.fresh_var(Type::I64);
        let zero = self.b.iconst(Type::I64, 0, span);
        self.b.def_var(pos, zero);
        let header = self.b.create_block();
        let body = self.b.create_block();
        let exit = self.b.create_block();
        self.b.jump(header, Vec::new());
        self.b.switch_to(header);
        let i = self.b.use_var(pos, span);
        let len = self.len_field(arr, span);
        let more = self.icmp(IntCC::Slt, i, len, span);
        self.b.branch(more, body, exit);
        self.b.seal(body);
        self.b.switch_to(body);
        let x = self.array_element(arr, i, elem, span);
        if let Some(x) = x.filter(|_| self.is_ref(elem)) {
            self.retain(x, span);
        }
        let mut call_args: Vec<Value> = Vec::new();
        if let Some((var, _)) = acc {
            call_args.push(self.b.use_var(var, span));
        }
        call_args.extend(x);
        let r = self.call_closure(f, call_args, ret, span);
        match m {
            Method::Map => {
                // A result of type `()` has no value, but is an element all the same.
                if let Some(out) = out {
                    self.push_slot(out, r, ret, span);
                }
            }
            Method::Filter => {
                let keep = self.b.create_block();
                let next = self.b.create_block();
                self.b.branch(r.expect("a bool"), keep, next);
                self.b.seal(keep);
                self.b.switch_to(keep);
                if let Some(out) = out {
                    if let Some(x) = x.filter(|_| self.is_ref(elem)) {
                        self.retain(x, span);
                    }
                    self.push_slot(out, x, elem, span);
                }
                self.b.jump(next, Vec::new());
                self.b.seal(next);
                self.b.switch_to(next);
            }
            Method::Fold => {
                if let (Some((var, aty)), Some(r)) = (acc, r) {
                    let old = self.b.use_var(var, span);
                    self.b.def_var(var, r);
                    if self.is_ref(aty) {
                        self.release(old, span);
                    }
                }
            }
            _ => {
                // any: stop at the first true; all: at the first false.
                let var = found.expect("any/all keep a result");
                let stop_on = (m == Method::Any) as i64;
                let r = r.expect("a bool");
                let want = self.b.iconst(Type::I8, stop_on, span);
                let stop = self.icmp(IntCC::Eq, r, want, span);
                let done = self.b.create_block();
                let next = self.b.create_block();
                self.b.branch(stop, done, next);
                self.b.seal(done);
                self.b.switch_to(done);
                self.b.def_var(var, want);
                if let Some(x) = x.filter(|_| self.is_ref(elem)) {
                    self.release(x, span);
                }
                self.b.jump(exit, Vec::new());
                self.b.seal(next);
                self.b.switch_to(next);
            }
        }
        if let Some(x) = x.filter(|_| self.is_ref(elem)) {
            self.release(x, span);
        }
        let one = self.b.iconst(Type::I64, 1, span);
        let i = self.b.use_var(pos, span);
        let next = self
            .b
            .ins1(InstKind::Binary(BinaryOp::Iadd, i, one), Type::I64, span);
        self.b.def_var(pos, next);
        self.b.jump(header, Vec::new());
        self.b.seal(header);
        self.b.seal(exit);
        self.b.switch_to(exit);
        self.release(f, span);
        self.release(arr, span);
        match m {
            Method::Map | Method::Filter => self.produced(out, ty),
            Method::Fold => {
                let (var, aty) = acc?;
                let v = self.b.use_var(var, span);
                self.produced(Some(v), aty)
            }
            _ => found.map(|var| self.b.use_var(var, span)),
        }
    }

    /// Pushes an owned value onto an array (which takes it); `None` is a value of
    /// type `()`, which has no representation but is an element all the same.
    fn push_slot(&mut self, arr: Value, v: Option<Value>, ty: Ty, span: Span) {
        let s = self.slot_of(v, ty, span);
        self.runtime("kiln_array_push", vec![arr, s], None, span);
    }
}

/// Builds an extra function (see [`Extra`]).
pub(super) fn build_extra(hir: &hir::Program, extra: Extra, tables: &Tables) -> Func {
    match extra {
        Extra::Adapter(func) => build_adapter(hir, func, tables.func_ref(func)),
        Extra::SortLess(elem) => build_sort_less(elem),
        Extra::Resume(_) => unreachable!("a resume function is taken, not built"),
    }
}

/// `adapter(closure, args...) = func(args...)`.
fn build_adapter(hir: &hir::Program, func: FuncId, callee: FuncRef) -> Func {
    let f = &hir.funcs[func.index()];
    let mut params = vec![Type::Ptr];
    params.extend(f.params.iter().filter_map(|&p| mir_type(f.local(p).ty)));
    let ret = mir_type(f.ret);
    // The adapter has no source of its own: a trace shows the function it calls,
    // once (`kiln::report::Frame::push_to`).
    let mut b = FuncBuilder::new(f.name.clone(), params, ret, Span::GENERATED);
    let args = b.block_params(Func::ENTRY)[1..].to_vec();
    let results: Vec<Type> = ret.into_iter().collect();
    let r = b
        .ins(InstKind::Call(callee, args), &results, Span::GENERATED)
        .first()
        .copied();
    b.ret(r);
    b.finish()
}

/// `less(closure, a, b)`: the slots `a` and `b` as values of `elem`, passed to the
/// closure; its `bool` as the result.
fn build_sort_less(elem: Ty) -> Func {
    // One helper serves every `sort_by` of this element type: it has no source
    // of its own, and traces show it as `at <sort_by>`.
    let span = Span::GENERATED;
    let params = vec![Type::Ptr, Type::I64, Type::I64];
    let mut b = FuncBuilder::new("<sort_by>", params, Some(Type::I8), span);
    let entry = b.block_params(Func::ENTRY).to_vec();
    let (closure, a, bb) = (entry[0], entry[1], entry[2]);
    let mut args = vec![closure];
    for slot in [a, bb] {
        if let Some(v) = value_of_slot(&mut b, slot, elem, span) {
            args.push(v);
        }
    }
    let code = b.ins1(
        InstKind::Load {
            base: closure,
            offset: CODE_OFFSET,
        },
        Type::Ptr,
        span,
    );
    let r = b.ins1(InstKind::CallIndirect { code, args }, Type::I8, span);
    b.ret(Some(r));
    b.finish()
}

/// A value of type `ty` from a 64-bit slot (docs/RUNTIME-ABI.md).
fn value_of_slot(b: &mut FuncBuilder, s: Value, ty: Ty, span: Span) -> Option<Value> {
    let t = mir_type(ty)?;
    Some(match (ty, t) {
        (Ty::Float(FloatTy::F64), _) => b.ins1(InstKind::Convert(ConvertOp::Bitcast, s), t, span),
        (Ty::Float(FloatTy::F32), _) => {
            let bits = b.ins1(InstKind::Convert(ConvertOp::Trunc, s), Type::I32, span);
            b.ins1(InstKind::Convert(ConvertOp::Bitcast, bits), t, span)
        }
        (_, Type::I64 | Type::Ptr) => s,
        _ => b.ins1(InstKind::Convert(ConvertOp::Trunc, s), t, span),
    })
}
