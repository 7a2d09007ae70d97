//! Lowering generators (LANGUAGE.md §5; the object layout is in
//! docs/RUNTIME-ABI.md).
//!
//! A generator function becomes two MIR functions. Its own [`FuncRef`] is the
//! *constructor* (named `NAME.new`): it allocates the generator object, stores the address of the
//! resume function and keeps the arguments (retained: the object owns them), and
//! returns the object without running any of the body. The body is lowered as a
//! function `resume(gen, mode)` that reads the parameters from the object
//! (borrowed, as parameters are) and ends each `yield` in a
//! [`Terminator::Yield`], under the generator's own name (stack traces show it);
//! the generator transform (`crate::generator`) then makes
//! it a state machine and says how many frame slots the object needs. The resume
//! function is an extra function ([`Tables::resume_function`]), so its reference
//! exists before the generator is lowered.
//!
//! `yield value` hands the value out owned. When the generator is abandoned at a
//! `yield` (dropped before it finished) its `cancel` path releases what the body
//! owns there, exactly as a `return` at that point would. `g.next()` and
//! `for x in g` call the resume function through the object's code pointer, so
//! any generator of a `Gen<T>` type can stand where another is expected; a `for`
//! over the result of calling a generator function knows which resume function
//! that object has, and calls it directly (which the inliner can then inline).

use super::{mir_type, FnLower, Tables};
use crate::builder::FuncBuilder;
use crate::ir::*;
use kiln_runtime::desc::{GEN_CODE_OFFSET, GEN_OUT_OFFSET};
use kiln_sema::hir::{self, ExprId};
use kiln_sema::ty::{HeapTy, Ty};
use kiln_syntax::Span;

impl Tables {
    /// The resume function of generator `id`, whether or not the generator has
    /// been lowered yet (it is in the unit being lowered or an earlier one).
    pub(super) fn resume_function(&mut self, id: hir::FuncId) -> FuncRef {
        self.extra(super::closures::Extra::Resume(id))
    }
}

/// Lowers the generator function `id`: returns its constructor, and adds its
/// resume function to the tables.
pub(super) fn lower_generator(
    hir: &hir::Program,
    id: hir::FuncId,
    func: &hir::Function,
    tables: &mut Tables,
) -> Func {
    // The parameters the object keeps: those with a value, in order.
    let kept: Vec<(hir::LocalId, Ty, Type)> = func
        .params
        .iter()
        .filter_map(|&p| {
            let ty = func.local(p).ty;
            mir_type(ty).map(|m| (p, ty, m))
        })
        .collect();
    let param_types: Vec<TypeRef> = kept.iter().map(|&(_, t, _)| tables.type_ref(t)).collect();
    let gen_type = TypeRef(tables.types.len() as u32);
    tables.types.push(TypeInfo::Generator {
        name: func.name.clone(),
        params: param_types,
        frame_slots: 0,
    });

    let body = lower_body(hir, id, func, tables, gen_type, &kept);
    let running = tables
        .running_mark
        .expect("a unit with a generator has the running mark");
    let (resume, frame_slots) = crate::generator::transform(body, running);
    if let TypeInfo::Generator { frame_slots: n, .. } = &mut tables.types[gen_type.index()] {
        *n = frame_slots;
    }
    tables.resumes.insert(id, resume);
    let resume = tables.resume_function(id);
    constructor(func, gen_type, resume, &kept)
}

/// The body as `resume(gen, mode)`, with its `yield`s still in place.
fn lower_body(
    hir: &hir::Program,
    _id: hir::FuncId,
    func: &hir::Function,
    tables: &mut Tables,
    gen_type: TypeRef,
    kept: &[(hir::LocalId, Ty, Type)],
) -> Func {
    let b = FuncBuilder::new(
        func.name.clone(),
        vec![Type::Ptr, Type::I8],
        None,
        func.span,
    );
    let mut cx = FnLower::new(hir, func, b, tables, false);
    let gen = cx.b.block_params(Func::ENTRY)[0];
    for (index, &(p, _, ty)) in kept.iter().enumerate() {
        let v = cx.b.ins1(
            InstKind::GetField {
                ty: gen_type,
                variant: None,
                index: index as u32,
                obj: gen,
            },
            ty,
            func.span,
        );
        cx.def_local(p, v);
    }
    cx.push_frame();
    cx.push_scope();
    cx.lower(func.body);
    if !cx.b.is_terminated() {
        cx.release_above(0, 0, func.span);
        cx.b.ret(None);
    }
    cx.b.finish()
}

/// The function callers call: makes the object, keeps the arguments.
fn constructor(
    func: &hir::Function,
    gen_type: TypeRef,
    resume: FuncRef,
    kept: &[(hir::LocalId, Ty, Type)],
) -> Func {
    let span = func.span;
    let params: Vec<Type> = kept.iter().map(|&(_, _, m)| m).collect();
    // The resume function has the generator's name, which stack traces show.
    let name = format!("{}.new", func.name);
    let mut b = FuncBuilder::new(name, params, Some(Type::Ptr), span);
    let args = b.block_params(Func::ENTRY).to_vec();
    let desc = b.ins1(InstKind::Desc(gen_type), Type::Ptr, span);
    let obj = b.ins1(
        InstKind::CallRuntime {
            symbol: "kiln_alloc",
            args: vec![desc],
            site: false,
        },
        Type::Ptr,
        span,
    );
    let code = b.ins1(InstKind::FuncAddr(resume), Type::Ptr, span);
    b.ins(
        InstKind::Store {
            base: obj,
            offset: GEN_CODE_OFFSET as i32,
            value: code,
        },
        &[],
        span,
    );
    for (index, (&v, &(_, ty, _))) in args.iter().zip(kept).enumerate() {
        if ty.is_ref() {
            b.ins(InstKind::Retain(v), &[], span);
        }
        b.ins(
            InstKind::SetField {
                ty: gen_type,
                variant: None,
                index: index as u32,
                obj,
                value: v,
            },
            &[],
            span,
        );
    }
    b.ret(Some(obj));
    b.finish()
}

impl FnLower<'_> {
    /// `yield value`: hands out an owned value and suspends; the code after it
    /// runs when the generator is resumed. The cancel path releases everything
    /// the body owns here and ends the body.
    pub(super) fn lower_yield(&mut self, value: Option<ExprId>, span: Span) {
        let v = value.and_then(|e| self.lower_owned(e, span));
        if self.b.is_terminated() {
            return;
        }
        let resume = self.b.create_block();
        let cancel = self.b.create_block();
        self.b.suspend(v, resume, cancel);
        self.b.seal(resume);
        self.b.seal(cancel);
        self.b.switch_to(cancel);
        self.release_above(0, 0, span);
        self.b.ret(None);
        self.b.switch_to(resume);
    }

    /// Resumes generator `g` for its next value: 1 when it yielded one (then in
    /// its out slot, owned by whoever takes it), 0 when it finished. `direct` is
    /// its resume function when the caller knows which generator made `g`.
    pub(super) fn resume_generator(
        &mut self,
        g: Value,
        direct: Option<FuncRef>,
        span: Span,
    ) -> Value {
        let mode = self.b.iconst(Type::I8, 0, span);
        if let Some(resume) = direct {
            return self
                .b
                .ins1(InstKind::Call(resume, vec![g, mode]), Type::I8, span);
        }
        let code = self.b.ins1(
            InstKind::Load {
                base: g,
                offset: GEN_CODE_OFFSET as i32,
            },
            Type::Ptr,
            span,
        );
        self.b.ins1(
            InstKind::CallIndirect {
                code,
                args: vec![g, mode],
            },
            Type::I8,
            span,
        )
    }

    /// The resume function of the generator object `iter` evaluates to, when
    /// `iter` calls a generator function (so the object is a fresh one of it).
    pub(super) fn known_resume(&mut self, iter: ExprId) -> Option<FuncRef> {
        match self.expr(iter).kind {
            hir::ExprKind::Call { func, .. } if self.hir.funcs[func.index()].generator => {
                Some(self.tables.resume_function(func))
            }
            _ => None,
        }
    }

    /// The value a generator just yielded (owned); `None` for `()`.
    pub(super) fn yielded_value(&mut self, g: Value, elem: Ty, span: Span) -> Option<Value> {
        let ty = mir_type(elem)?;
        Some(self.b.ins1(
            InstKind::Load {
                base: g,
                offset: GEN_OUT_OFFSET as i32,
            },
            ty,
            span,
        ))
    }

    /// `g.next()`: `Some(value)` while the generator yields, then `None`.
    pub(super) fn generator_next(&mut self, g: Value, opt: Ty, span: Span) -> Option<Value> {
        let elem = match opt.heap() {
            Some(HeapTy::Option(t)) => t,
            _ => Ty::Unit,
        };
        let more = self.resume_generator(g, None, span);
        let some = self.b.create_block();
        let none = self.b.create_block();
        let join = self.b.create_block();
        let out = self.b.add_block_param(join, Type::Ptr);
        self.b.branch(more, some, none);
        self.b.seal(some);
        self.b.seal(none);

        self.b.switch_to(some);
        let v = self.yielded_value(g, elem, span);
        let d = self.desc(opt, span);
        let tag = self.b.iconst(Type::I32, 1, span);
        let obj = self.runtime("kiln_alloc_variant", vec![d, tag], Some(Type::Ptr), span)?;
        if let Some(v) = v {
            self.set_field(obj, opt, Some(1), 0, v, span);
        }
        self.b.jump(join, vec![obj]);

        self.b.switch_to(none);
        let d = self.desc(opt, span);
        let tag = self.b.iconst(Type::I32, 0, span);
        let obj = self.runtime("kiln_alloc_variant", vec![d, tag], Some(Type::Ptr), span)?;
        self.b.jump(join, vec![obj]);

        self.b.seal(join);
        self.b.switch_to(join);
        Some(self.temp(out))
    }
}
