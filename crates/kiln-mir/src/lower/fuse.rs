//! Fusing a `for` loop with the generator it walks.
//!
//! `for x in g(args) { body }`, where `g` is a small generator function with one
//! `yield`, is lowered without a generator object: the arguments are evaluated and
//! kept (owned, as temporaries of the loop's statement) for the length of the
//! loop, `g`'s body is lowered in place with its locals as fresh variables of
//! the enclosing function, and its `yield v` binds the
//! pattern to `v` and runs the loop's body right there. The loop's `continue` goes
//! on after that `yield`; its `break`, `g`'s `return` and the end of `g`'s body
//! leave the loop, releasing what `g`'s body owns at that point, exactly as
//! dropping an unfinished generator does. The body of `g` is lowered once, and so
//! is the loop's body (there is one `yield`), so fusing never duplicates code.
//!
//! A parameter of `g` that `g` only walks with a `for` (once: not inside a loop)
//! and that receives a call of another fusable generator (`squares(multiples(
//! count(n), 3))`) is *deferred*: that call's arguments are evaluated in their
//! place (so evaluation order is unchanged; making a generator object has no
//! other effect) and its `for` is fused in turn. A whole pipeline of generators
//! becomes one loop, in which the parameters are plain values the optimiser sees
//! (`x % k` with `k = 3` becomes a multiplication).
//!
//! The code of `g` carries an inline frame ([`InlineFrame`]) named `g` at the
//! `for`, so a panic inside it shows `g`'s frame in the stack trace as the
//! generator's own resume function would; the loop's body is the enclosing
//! function's code again. Fusing is part of optimisation: `kiln run --no-opt` and
//! the REPL (where `g` may be redefined later) keep the generator object.

use super::{mir_type, FnLower, LoopTargets};
use crate::ir::*;
use kiln_sema::hir::{self, ExprId, ExprKind, ForKind, Pat};
use kiln_sema::ty::Ty;
use kiln_syntax::Span;
use std::collections::HashMap;
use std::rc::Rc;

/// Generators with more HIR expressions than this are not fused.
const MAX_FUSED_SIZE: usize = 400;
/// At most this many fused generators are open inside one another.
const MAX_FUSED_DEPTH: usize = 8;

/// What fusing needs to know about a generator function, found once.
#[derive(Debug)]
pub(super) struct FuseInfo {
    /// For each parameter: whether its only use is the iterable of a `for` that
    /// runs at most once (so its argument may be deferred).
    deferrable: Vec<bool>,
}

/// Whether generator `g` can be fused, and how: `None` when it cannot.
pub(super) fn analyse(g: &hir::Function) -> Option<FuseInfo> {
    if !g.generator || g.captures.is_some() || g.exprs.len() > MAX_FUSED_SIZE {
        return None;
    }
    let params = &g.params;
    if params
        .iter()
        .any(|&p| g.local(p).mutable || g.local(p).boxed)
        || g.locals.iter().any(|l| l.boxed)
    {
        return None;
    }
    let mut yields = 0;
    // Uses of each parameter, and those that are a `for`'s iterable outside loops.
    let mut uses = vec![0usize; params.len()];
    let mut walked_once = vec![0usize; params.len()];
    let param_index = |e: ExprId| match g.expr(e).kind {
        ExprKind::Local(l) => params.iter().position(|&p| p == l),
        _ => None,
    };
    let mut stack: Vec<(ExprId, usize)> = vec![(g.body, 0)];
    while let Some((e, depth)) = stack.pop() {
        let kind = &g.expr(e).kind;
        match kind {
            ExprKind::Yield(_) => yields += 1,
            // A closure would capture locals of `g` from the enclosing
            // function's frame, and `?` returns a value `g` does not have.
            ExprKind::Closure { .. } | ExprKind::Try(_) => return None,
            ExprKind::Local(_) => {
                if let Some(i) = param_index(e) {
                    uses[i] += 1;
                }
            }
            ExprKind::ForEach {
                kind: ForKind::Gen,
                iter,
                ..
            } if depth == 0 => {
                if let Some(i) = param_index(*iter) {
                    walked_once[i] += 1;
                }
            }
            _ => {}
        }
        // Loop bodies (and a `while`'s condition) run any number of times.
        let looping: &[ExprId] = match kind {
            ExprKind::While { cond, body } => &[*cond, *body],
            ExprKind::Loop { body } | ExprKind::ForRange { body, .. } => &[*body],
            ExprKind::ForEach { body, .. } => &[*body],
            _ => &[],
        };
        kind.for_each_child(|c| {
            let d = if looping.contains(&c) {
                depth + 1
            } else {
                depth
            };
            stack.push((c, d));
        });
    }
    if yields != 1 {
        return None;
    }
    Some(FuseInfo {
        deferrable: uses
            .iter()
            .zip(&walked_once)
            .map(|(&u, &w)| u == 1 && w == 1)
            .collect(),
    })
}

/// A generator call whose object is never made: its function and arguments.
pub(super) struct Deferred {
    func: hir::FuncId,
    args: Vec<Arg>,
}

enum Arg {
    /// An evaluated argument (`None` for `()`), kept by the loop.
    Value(Option<Value>),
    /// A deferred generator call.
    Gen(Deferred),
}

/// Whose code is being lowered: swapped when lowering enters a fused generator's
/// body and when a `yield` there runs the loop's body.
pub(super) struct Context<'a> {
    func: &'a hir::Function,
    var_base: u32,
    inline_frame: Option<u32>,
    is_main: bool,
    precomputed: HashMap<u32, Option<Value>>,
}

/// A generator whose body is being lowered in place of a `for` loop over it.
pub(super) struct Fused<'a> {
    func: hir::FuncId,
    /// The loop's pattern and body, in the enclosing code.
    pat: &'a Pat,
    body: ExprId,
    span: Span,
    /// Where the loop ends, and the ownership depths outside the generator's body.
    exit: Block,
    frames: usize,
    scopes: usize,
    /// The enclosing code's context, while the generator's body is lowered.
    outer: Option<Context<'a>>,
    /// Parameters of the generator bound to deferred generator calls.
    deferred: HashMap<u32, Deferred>,
}

impl<'a> FnLower<'a> {
    fn swap_context(&mut self, cx: Context<'a>) -> Context<'a> {
        let old = Context {
            func: self.func,
            var_base: self.var_base,
            inline_frame: self.b.inline_frame,
            is_main: self.is_main,
            precomputed: std::mem::take(&mut self.precomputed),
        };
        self.func = cx.func;
        self.var_base = cx.var_base;
        self.b.inline_frame = cx.inline_frame;
        self.is_main = cx.is_main;
        self.precomputed = cx.precomputed;
        old
    }

    /// The fusing facts of generator `g`, when a `for` over a call of it may be
    /// fused here.
    fn fusable(&mut self, g: hir::FuncId) -> Option<Rc<FuseInfo>> {
        let hir: &'a hir::Program = self.hir;
        if !self.tables.fuse
            || self.fused.len() >= MAX_FUSED_DEPTH
            || self.fused.iter().any(|f| f.func == g)
        {
            return None;
        }
        self.tables
            .fuse_info
            .entry(g)
            .or_insert_with(|| analyse(&hir.funcs[g.index()]).map(Rc::new))
            .clone()
    }

    /// `for pat in iter { body }` over a generator, fused when `iter` calls a
    /// fusable generator or is a deferred parameter; `false` when it is not fused
    /// (and nothing was lowered).
    pub(super) fn fuse_for(
        &mut self,
        pat: &'a Pat,
        iter: ExprId,
        body: ExprId,
        span: Span,
    ) -> bool {
        let source = match &self.expr(iter).kind {
            ExprKind::Call { func, args } => {
                let Some(info) = self.fusable(*func) else {
                    return false;
                };
                if args.len() != info.deferrable.len() {
                    return false;
                }
                let depth = self.fused.len() + 1;
                match self.deferred_call(*func, &info, args, depth, span) {
                    Some(d) => d,
                    // An argument never produced its value: the loop is dead code.
                    None => return true,
                }
            }
            ExprKind::Local(l) => {
                let l = *l;
                match self.fused.last_mut().and_then(|f| f.deferred.remove(&l.0)) {
                    Some(d) => d,
                    None => return false,
                }
            }
            _ => return false,
        };
        self.fused_loop(source, pat, body, span);
        true
    }

    /// Evaluates the arguments of a call of generator `g` in order, deferring
    /// those that are fusable generator calls for parameters `g` walks once;
    /// `None` when one never produces its value (the rest is dead code).
    /// The loop keeps each reference argument (as the generator object would): it
    /// is a temporary of the statement the loop is, owned from the moment it is
    /// made, so an argument after it that leaves early (`return`, `?`) releases
    /// it. `depth` is how deep the
    /// fused generators will be nested once `g` is (at most
    /// [`MAX_FUSED_DEPTH`]: a long chain of calls stays objects past it).
    fn deferred_call(
        &mut self,
        g: hir::FuncId,
        info: &FuseInfo,
        args: &[ExprId],
        depth: usize,
        span: Span,
    ) -> Option<Deferred> {
        let mut out = Vec::with_capacity(args.len());
        for (i, &a) in args.iter().enumerate() {
            if info.deferrable.get(i) == Some(&true) && depth < MAX_FUSED_DEPTH {
                if let ExprKind::Call {
                    func: h,
                    args: inner,
                } = &self.expr(a).kind
                {
                    if let Some(hinfo) = self
                        .fusable(*h)
                        .filter(|i| i.deferrable.len() == inner.len())
                    {
                        let d = self.deferred_call(*h, &hinfo, inner, depth + 1, span)?;
                        out.push(Arg::Gen(d));
                        continue;
                    }
                }
            }
            let ty = self.expr(a).ty;
            let v = self.lower(a);
            if v.is_none() && (mir_type(ty).is_some() || ty == Ty::Never) {
                self.end_dead_block();
                return None;
            }
            // Owned until the statement ends: a temporary already is; a borrowed
            // value (a variable the loop's body may assign) is retained.
            let v = self.own_value(v, ty, span);
            if let Some(v) = v {
                if self.is_ref(ty) {
                    self.temp(v);
                }
            }
            out.push(Arg::Value(v));
        }
        Some(Deferred { func: g, args: out })
    }

    /// Lowers the body of the generator `source` calls in place of a loop over it.
    fn fused_loop(&mut self, source: Deferred, pat: &'a Pat, body: ExprId, span: Span) {
        let hir: &'a hir::Program = self.hir;
        let g: &'a hir::Function = &hir.funcs[source.func.index()];
        let exit = self.b.create_block();
        let parent = self.b.inline_frame;
        self.b.func.inlines.push(InlineFrame {
            func: g.name.clone(),
            call_span: span,
            parent,
        });
        let frame = self.b.func.inlines.len() as u32 - 1;
        let var_base = self.declare_locals(g);
        let outer = self.swap_context(Context {
            func: g,
            var_base,
            inline_frame: Some(frame),
            is_main: false,
            precomputed: HashMap::new(),
        });
        let mut fused = Fused {
            func: source.func,
            pat,
            body,
            span,
            exit,
            frames: self.own.frames.len(),
            scopes: self.own.scopes.len(),
            outer: Some(outer),
            deferred: HashMap::new(),
        };
        for (&p, arg) in g.params.iter().zip(source.args) {
            match arg {
                Arg::Value(Some(v)) => self.def_local(p, v),
                Arg::Value(None) => {}
                Arg::Gen(d) => {
                    fused.deferred.insert(p.0, d);
                }
            }
        }
        self.fused.push(fused);
        self.push_frame();
        self.push_scope();
        self.lower(g.body);
        self.pop_scope(g.span);
        self.pop_frame(g.span);
        if !self.b.is_terminated() {
            self.b.jump(exit, Vec::new());
        }
        let mut fused = self.fused.pop().expect("the fused generator is open");
        let outer = fused.outer.take().expect("its body is being lowered");
        self.swap_context(outer);
        self.b.seal(exit);
        self.b.switch_to(exit);
    }

    /// `yield value` in the body of a fused generator: runs the loop's body with
    /// the pattern bound to the value, then goes on after the `yield`.
    pub(super) fn fused_yield(&mut self, value: Option<ExprId>, span: Span) {
        let v = value.and_then(|e| self.lower_owned(e, span));
        if self.b.is_terminated() {
            return;
        }
        let mut f = self.fused.pop().expect("a fused generator is open");
        let inner = self.swap_context(f.outer.take().expect("its body is being lowered"));
        let span = f.span;
        let after = self.b.create_block();
        self.push_scope();
        self.push_frame();
        if let Some(v) = v {
            self.bind_yielded(f.pat, v, span);
        }
        let targets = LoopTargets {
            brk: f.exit,
            cont: after,
            value: None,
            frames: f.frames,
            scopes: f.scopes,
            cont_depth: Some((self.own.frames.len() - 1, self.own.scopes.len() - 1)),
        };
        self.lower_for_body(targets, f.body, after, span);
        f.outer = Some(self.swap_context(inner));
        self.fused.push(f);
    }

    /// `return` in the body of a fused generator: the loop ends.
    pub(super) fn fused_return(&mut self, span: Span) {
        if self.b.is_terminated() {
            return;
        }
        let f = self.fused.last().expect("a fused generator is open");
        let (exit, frames, scopes) = (f.exit, f.frames, f.scopes);
        self.release_above(frames, scopes, span);
        self.b.jump(exit, Vec::new());
    }
}
