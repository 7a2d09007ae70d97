//! Lowering `match`, `if let`, destructuring `let`, and `for` over arrays, maps and
//! strings.
//!
//! A `match` tests its arms in order. Each arm's pattern is compiled to a chain of
//! branches that leave for the next arm on the first mismatch; on success the
//! bindings are made (retaining what they hold), the guard is tested, and the body
//! runs in its own ownership frame and scope. A run of integer or character literal
//! arms without guards is one binary search over the literals instead, which picks
//! the same arm.

use super::heap::elem_of;
use super::{mir_type, ChainExit, FnLower, LoopTargets};
use crate::builder::Var;
use crate::ir::*;
use kiln_sema::hir::{Arm, Const, ExprId, ForKind, Pat, PatKind};
use kiln_sema::ty::{HeapTy, Ty};
use kiln_syntax::Span;

/// Runs of at least this many literal arms are searched by binary search.
const MIN_SEARCHED_ARMS: usize = 8;

/// How many arms at the start of `arms` are integer or character literals without
/// a guard.
fn literal_run(arms: &[Arm]) -> usize {
    arms.iter()
        .take_while(|a| a.guard.is_none() && literal_key(&a.pat).is_some())
        .count()
}

/// The order of an integer or character literal pattern among the values of its
/// type (`Const::Int` holds the bits sign-extended, so unsigned values are masked
/// back to their width).
fn literal_key(pat: &Pat) -> Option<i128> {
    match (&pat.kind, pat.ty) {
        (PatKind::Lit(Const::Int(n)), Ty::Int(i)) if i.signed() => Some(*n as i128),
        (PatKind::Lit(Const::Int(n)), Ty::Int(i)) => {
            let mask = if i.bits() == 64 {
                u64::MAX
            } else {
                (1u64 << i.bits()) - 1
            };
            Some((*n as u64 & mask) as i128)
        }
        (PatKind::Lit(Const::Char(c)), Ty::Char) => Some(*c as i128),
        _ => None,
    }
}

impl<'a> FnLower<'a> {
    pub(super) fn lower_match(
        &mut self,
        scrutinee: ExprId,
        arms: &[Arm],
        ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let stable = self.is_stable(scrutinee);
        let v = self.lower(scrutinee);
        let join = self.b.create_block();
        let result_ty = mir_type(ty);
        let result = result_ty.map(|t| self.b.add_block_param(join, t));
        let mut rest = arms;
        while let Some(arm) = rest.first() {
            if let Some(v) = v {
                let run = literal_run(rest);
                if run >= MIN_SEARCHED_ARMS {
                    self.lower_literal_arms(&rest[..run], v, join, result_ty, ty, span);
                    rest = &rest[run..];
                    continue;
                }
            }
            rest = &rest[1..];
            let next = self.b.create_block();
            if let Some(v) = v {
                self.test_pat(&arm.pat, v, next, span);
            } else if !matches!(arm.pat.kind, PatKind::Wild | PatKind::Bind(_))
                && arm.pat.ty != Ty::Unit
            {
                self.b.jump(next, Vec::new());
            }
            self.push_scope();
            self.push_frame();
            if let Some(v) = v {
                self.bind_pat_in(&arm.pat, v, stable, span);
            }
            if let Some(g) = arm.guard {
                let c = self.lower(g);
                if let Some(c) = c {
                    let pass = self.b.create_block();
                    let reject = self.b.create_block();
                    self.b.branch(c, pass, reject);
                    self.b.seal(pass);
                    self.b.seal(reject);
                    self.b.switch_to(reject);
                    let (frames, scopes) = (self.own.frames.len() - 1, self.own.scopes.len() - 1);
                    self.release_above(frames, scopes, span);
                    self.b.jump(next, Vec::new());
                    self.b.switch_to(pass);
                }
            }
            self.arm_body(arm, join, result_ty, ty, span);
            self.b.seal(next);
            self.b.switch_to(next);
        }
        // No arm matched: exhaustiveness checking makes this unreachable.
        self.b.unreachable();
        self.b.seal(join);
        self.b.switch_to(join);
        self.produced(result, ty)
    }

    /// The body of an arm whose pattern matched and whose scope and frame are open:
    /// closes them and jumps to `join` with the arm's value.
    fn arm_body(&mut self, arm: &Arm, join: Block, result_ty: Option<Type>, ty: Ty, span: Span) {
        let out = self.lower(arm.body);
        let out = self.escape(out, ty, span);
        self.pop_frame(span);
        self.pop_scope(span);
        if !self.b.is_terminated() {
            let args = match (result_ty, out) {
                (Some(_), Some(o)) => vec![o],
                (Some(t), None) => vec![self.b.zero(t, span)],
                _ => Vec::new(),
            };
            self.b.jump(join, args);
        }
    }

    /// Consecutive arms that are integer or character literals without guards,
    /// found by binary search instead of one test after another: a `match` of
    /// thousands of literal arms (generated code makes them) then takes a
    /// logarithmic number of comparisons, and the control flow stays shallow (a
    /// chain of 100,000 tests made the register allocator's dominator computation
    /// quadratic). On a miss, the search continues in a new current block with the
    /// arms after these. The first of several arms with the same literal wins.
    fn lower_literal_arms(
        &mut self,
        arms: &[Arm],
        v: Value,
        join: Block,
        result_ty: Option<Type>,
        ty: Ty,
        span: Span,
    ) {
        let pat_ty = arms[0].pat.ty;
        let mut keys: Vec<(i128, usize)> = arms
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((literal_key(&a.pat)?, i)))
            .collect();
        keys.sort_by_key(|&(k, _)| k);
        keys.dedup_by_key(|&mut (k, _)| k);
        let bodies: Vec<Block> = arms.iter().map(|_| self.b.create_block()).collect();
        let miss = self.b.create_block();
        let less = match pat_ty {
            Ty::Int(i) if i.signed() => IntCC::Slt,
            _ => IntCC::Ult,
        };
        // Each task searches `keys[lo..hi]` from the start of a block.
        let start = self.b.current_block();
        let mut tasks = vec![(0, keys.len(), start)];
        while let Some((lo, hi, block)) = tasks.pop() {
            self.b.switch_to(block);
            if hi - lo <= 3 {
                for (k, &(_, arm)) in keys[lo..hi].iter().enumerate() {
                    let PatKind::Lit(c) = &arms[arm].pat.kind else {
                        continue;
                    };
                    let lit = self.constant(c, pat_ty, span).unwrap_or(v);
                    let ok = self.icmp(IntCC::Eq, v, lit, span);
                    let next = if lo + k + 1 == hi {
                        miss
                    } else {
                        self.b.create_block()
                    };
                    self.b.branch(ok, bodies[arm], next);
                    if next != miss {
                        self.b.seal(next);
                        self.b.switch_to(next);
                    }
                }
                if lo == hi {
                    self.b.jump(miss, Vec::new());
                }
                continue;
            }
            let mid = (lo + hi) / 2;
            let PatKind::Lit(c) = &arms[keys[mid].1].pat.kind else {
                continue;
            };
            let pivot = self.constant(c, pat_ty, span).unwrap_or(v);
            let below = self.icmp(less, v, pivot, span);
            let (left, right) = (self.b.create_block(), self.b.create_block());
            self.b.branch(below, left, right);
            self.b.seal(left);
            self.b.seal(right);
            tasks.push((mid, hi, right));
            tasks.push((lo, mid, left));
        }
        self.b.seal(miss);
        for (arm, &body) in arms.iter().zip(&bodies) {
            self.b.seal(body);
            self.b.switch_to(body);
            self.push_scope();
            self.push_frame();
            self.arm_body(arm, join, result_ty, ty, span);
        }
        self.b.switch_to(miss);
    }

    /// Emits the tests of a pattern against `v`, jumping to `fail` on a mismatch and
    /// continuing in a fresh block on a match. Binds nothing.
    fn test_pat(&mut self, pat: &Pat, v: Value, fail: Block, span: Span) {
        match &pat.kind {
            PatKind::Wild | PatKind::Bind(_) => {}
            PatKind::Lit(c) => {
                let ok = self.lit_equal(c, pat.ty, v, span);
                self.branch_or_fail(ok, fail);
            }
            PatKind::Range { lo, hi, inclusive } => {
                let signed =
                    !matches!(pat.ty, Ty::Char) && matches!(pat.ty, Ty::Int(i) if i.signed());
                let (ge, le, lt) = if signed {
                    (IntCC::Sge, IntCC::Sle, IntCC::Slt)
                } else {
                    (IntCC::Uge, IntCC::Ule, IntCC::Ult)
                };
                let Some(lo_v) = self.constant(lo, pat.ty, span) else {
                    return;
                };
                let Some(hi_v) = self.constant(hi, pat.ty, span) else {
                    return;
                };
                let a = self.icmp(ge, v, lo_v, span);
                let b = self.icmp(if *inclusive { le } else { lt }, v, hi_v, span);
                let both = self
                    .b
                    .ins1(InstKind::Binary(BinaryOp::Band, a, b), Type::I8, span);
                self.branch_or_fail(both, fail);
            }
            PatKind::Fields(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    if is_irrefutable(p) {
                        continue;
                    }
                    if let Some(f) = self.peek_field(v, pat.ty, None, i as u32, p.ty, span) {
                        self.test_pat(p, f, fail, span);
                    }
                }
            }
            PatKind::Variant { tag, fields } => {
                let ok = self.tag_is(v, *tag, span);
                self.branch_or_fail(ok, fail);
                for (i, p) in fields.iter().enumerate() {
                    if is_irrefutable(p) {
                        continue;
                    }
                    if let Some(f) = self.peek_field(v, pat.ty, Some(*tag), i as u32, p.ty, span) {
                        self.test_pat(p, f, fail, span);
                    }
                }
            }
            PatKind::Or(alts) => {
                let matched = self.b.create_block();
                for alt in alts {
                    let next = self.b.create_block();
                    self.test_pat(alt, v, next, span);
                    self.b.jump(matched, Vec::new());
                    self.b.seal(next);
                    self.b.switch_to(next);
                }
                self.b.jump(fail, Vec::new());
                self.b.seal(matched);
                self.b.switch_to(matched);
            }
        }
    }

    /// A link `if let pat = scrutinee { then }` of an `if` chain: leaves the
    /// builder where the pattern does not match. Returns false when the scrutinee
    /// never produces a value.
    pub(super) fn let_link(
        &mut self,
        scrutinee: ExprId,
        pat: &Pat,
        then: ExprId,
        exit: &mut ChainExit,
    ) -> bool {
        let span = exit.span;
        let stable = self.is_stable(scrutinee);
        // The scrutinee's temporaries live while the branch runs, and are released
        // on both ways out of the link.
        self.push_frame();
        let link_frame = self.own.frames.len() - 1;
        let v = self.lower(scrutinee);
        if v.is_none() && self.b.is_terminated() {
            self.pop_frame(span);
            return false;
        }
        self.chain_join(exit);
        let miss = self.b.create_block();
        // Without a value (`()`), every pattern matches.
        if let Some(v) = v {
            self.test_pat(pat, v, miss, span);
        }
        self.push_scope();
        self.push_frame();
        if let Some(v) = v {
            self.bind_pat_in(pat, v, stable, span);
        }
        let out = self.lower(then);
        let out = self.escape(out, exit.ty, span);
        self.pop_frame(span);
        self.pop_scope(span);
        if !self.b.is_terminated() {
            let scopes = self.own.scopes.len();
            self.release_above(link_frame, scopes, span);
        }
        self.jump_to_join(out, exit);
        self.b.seal(miss);
        self.b.switch_to(miss);
        self.pop_frame(span);
        true
    }

    fn branch_or_fail(&mut self, ok: Value, fail: Block) {
        let cont = self.b.create_block();
        self.b.branch(ok, cont, fail);
        self.b.seal(cont);
        self.b.switch_to(cont);
    }

    fn lit_equal(&mut self, c: &Const, ty: Ty, v: Value, span: Span) -> Value {
        if let Const::Str(_) = c {
            let s = self.constant(c, ty, span).unwrap_or(v);
            return self
                .runtime("kiln_str_eq", vec![v, s], Some(Type::I8), span)
                .unwrap_or(v);
        }
        let Some(k) = self.constant(c, ty, span) else {
            return self.b.iconst(Type::I8, 1, span);
        };
        if ty.is_float() {
            self.b
                .ins1(InstKind::Fcmp(FloatCC::Eq, v, k), Type::I8, span)
        } else {
            self.icmp(IntCC::Eq, v, k, span)
        }
    }

    /// Makes the bindings of a pattern known to match `v`: each bound value is
    /// retained and owned by the current scope.
    /// Binds a `for` pattern to a value a generator yielded, which comes out
    /// owned: the body's frame releases it.
    pub(super) fn bind_yielded(&mut self, pat: &Pat, v: Value, span: Span) {
        if self.is_ref(pat.ty) {
            self.temp(v);
        }
        self.bind_pat(pat, v, span);
    }

    /// Lowers a `for` body under `targets`, in the frame and scope the caller
    /// pushed (and bound the pattern in); then releases them and goes on at
    /// `next`, where `continue` goes too.
    pub(super) fn lower_for_body(
        &mut self,
        targets: LoopTargets,
        body: ExprId,
        next: Block,
        span: Span,
    ) {
        self.loops.push(targets);
        self.lower(body);
        self.loops.pop();
        self.pop_frame(span);
        self.pop_scope(span);
        if !self.b.is_terminated() {
            self.b.jump(next, Vec::new());
        }
        self.b.seal(next);
        self.b.switch_to(next);
    }

    pub(super) fn bind_pat(&mut self, pat: &Pat, v: Value, span: Span) {
        self.bind_pat_in(pat, v, false, span);
    }

    /// Whether the value of `e` stays alive, unchanged, for as long as a `match` on
    /// it runs: anything but a variable the arms could assign (temporaries live to
    /// the end of the statement; immutable locals cannot be reassigned).
    fn is_stable(&self, e: ExprId) -> bool {
        match &self.expr(e).kind {
            kiln_sema::hir::ExprKind::Local(l) => !self.func.local(*l).mutable,
            kiln_sema::hir::ExprKind::Global(g) => {
                !self.tables.promoted[g.index()] || !self.hir.globals[g.index()].mutable
            }
            _ => true,
        }
    }

    /// `bind_pat`, where `frozen` says that `v` stays alive and unchanged while the
    /// bindings are in scope. Then what is reached through enum payloads and tuple
    /// elements (which never change) is borrowed, not retained; struct fields can
    /// change, so below them bindings are retained again.
    fn bind_pat_in(&mut self, pat: &Pat, v: Value, frozen: bool, span: Span) {
        match &pat.kind {
            PatKind::Bind(l) => {
                let ty = self.func.local(*l).ty;
                let owned = self.is_ref(ty) && !frozen;
                if owned {
                    self.retain(v, span);
                }
                self.def_local(*l, v);
                if owned {
                    self.own_local(*l);
                }
            }
            PatKind::Fields(ps) => {
                let is_tuple = matches!(pat.ty.heap(), Some(HeapTy::Tuple(_)));
                for (i, p) in ps.iter().enumerate() {
                    if has_bindings(p) {
                        if let Some(f) = self.peek_field(v, pat.ty, None, i as u32, p.ty, span) {
                            self.bind_pat_in(p, f, frozen && is_tuple, span);
                        }
                    }
                }
            }
            PatKind::Variant { tag, fields } => {
                for (i, p) in fields.iter().enumerate() {
                    if has_bindings(p) {
                        if let Some(f) =
                            self.peek_field(v, pat.ty, Some(*tag), i as u32, p.ty, span)
                        {
                            self.bind_pat_in(p, f, frozen, span);
                        }
                    }
                }
            }
            PatKind::Or(alts) if has_bindings(pat) => self.bind_or(alts, v, span),
            PatKind::Or(_) | PatKind::Wild | PatKind::Lit(_) | PatKind::Range { .. } => {}
        }
    }

    /// Bindings of an `|` pattern: the alternative that matched decides which
    /// values they take, so they are SSA variables joined after the alternatives.
    fn bind_or(&mut self, alts: &[Pat], v: Value, span: Span) {
        let done = self.b.create_block();
        let mut owned = Vec::new();
        for alt in alts {
            let next = self.b.create_block();
            self.test_pat(alt, v, next, span);
            self.bind_or_alt(alt, v, span, &mut owned);
            self.b.jump(done, Vec::new());
            self.b.seal(next);
            self.b.switch_to(next);
        }
        self.b.unreachable();
        self.b.seal(done);
        self.b.switch_to(done);
        owned.sort_by_key(|l: &kiln_sema::hir::LocalId| l.0);
        owned.dedup();
        for l in owned {
            self.own_local(l);
        }
    }

    fn bind_or_alt(
        &mut self,
        pat: &Pat,
        v: Value,
        span: Span,
        owned: &mut Vec<kiln_sema::hir::LocalId>,
    ) {
        match &pat.kind {
            PatKind::Bind(l) => {
                let ty = self.func.local(*l).ty;
                if self.is_ref(ty) {
                    self.retain(v, span);
                    owned.push(*l);
                }
                self.b.def_var(self.var(*l), v);
            }
            PatKind::Fields(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    if let Some(f) = self.peek_field(v, pat.ty, None, i as u32, p.ty, span) {
                        self.bind_or_alt(p, f, span, owned);
                    }
                }
            }
            PatKind::Variant { tag, fields } => {
                for (i, p) in fields.iter().enumerate() {
                    if let Some(f) = self.peek_field(v, pat.ty, Some(*tag), i as u32, p.ty, span) {
                        self.bind_or_alt(p, f, span, owned);
                    }
                }
            }
            PatKind::Or(alts) => self.bind_or(alts, v, span),
            PatKind::Wild | PatKind::Lit(_) | PatKind::Range { .. } => {}
        }
    }

    /// `let (a, b) = value`.
    pub(super) fn let_pattern(&mut self, pat: &Pat, init: ExprId, span: Span) {
        if let Some(v) = self.lower(init) {
            self.bind_pat(pat, v, span);
        }
    }

    /// `for PAT in collection { body }`.
    pub(super) fn for_each(
        &mut self,
        kind: ForKind,
        pat: &'a Pat,
        iter: ExprId,
        body: ExprId,
        span: Span,
    ) {
        if kind == ForKind::Gen && self.fuse_for(pat, iter, body, span) {
            return;
        }
        let ity = self.expr(iter).ty;
        let resume = (kind == ForKind::Gen)
            .then(|| self.known_resume(iter))
            .flatten();
        let Some(coll) = self.lower(iter) else { return };
        // The loop keeps the collection alive even if the body drops other
        // references to it; the frame releases it on every way out.
        self.retain(coll, span);
        self.push_frame();
        self.temp(coll);
        // The position in the collection; a generator keeps its own.
        let pos = (kind != ForKind::Gen).then(|| {
            let pos = self.fresh_var(Type::I64);
            let zero = self.b.iconst(Type::I64, 0, span);
            self.b.def_var(pos, zero);
            pos
        });
        let version = (kind == ForKind::Map)
            .then(|| self.runtime("kiln_map_version", vec![coll], Some(Type::I64), span))
            .flatten();
        let header = self.b.create_block();
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        self.b.jump(header, Vec::new());
        self.b.switch_to(header);
        let i = match pos {
            Some(pos) => self.b.use_var(pos, span),
            // Read by no arm below: a generator keeps its own position.
            None => self.b.iconst(Type::I64, 0, span),
        };
        let (more, next_pos) = match kind {
            ForKind::Array => {
                let len = self.len_field(coll, span);
                (self.icmp(IntCC::Slt, i, len, span), None)
            }
            ForKind::Map => {
                if let Some(ver) = version {
                    self.runtime_site("kiln_map_check", vec![coll, ver], None, span);
                }
                let len = self
                    .runtime("kiln_map_len", vec![coll], Some(Type::I64), span)
                    .unwrap_or(i);
                (self.icmp(IntCC::Slt, i, len, span), None)
            }
            ForKind::Str => {
                let r = self
                    .runtime("kiln_str_next_char", vec![coll, i], Some(Type::I64), span)
                    .unwrap_or(i);
                let end = self.b.iconst(Type::I64, -1, span);
                (self.icmp(IntCC::Ne, r, end, span), Some(r))
            }
            ForKind::Gen => (self.resume_generator(coll, resume, span), None),
        };
        self.b.branch(more, body_block, exit);
        self.b.seal(body_block);
        self.b.switch_to(body_block);
        self.push_scope();
        self.push_frame();
        let elem_ty = pat.ty;
        match kind {
            ForKind::Array => {
                let elem = elem_of(ity);
                let v = self.array_element(coll, i, elem, span);
                if let Some(v) = v {
                    self.bind_pat(pat, v, span);
                }
            }
            ForKind::Map => {
                let (kt, vt) = match ity.heap() {
                    Some(HeapTy::Map(k, v)) => (k, v),
                    _ => (Ty::Unit, Ty::Unit),
                };
                let ks = self
                    .runtime("kiln_map_key_at", vec![coll, i], Some(Type::I64), span)
                    .unwrap_or(i);
                let vs = self
                    .runtime("kiln_map_value_at", vec![coll, i], Some(Type::I64), span)
                    .unwrap_or(i);
                let k = self.value_of_slot(ks, kt, span);
                let v = self.value_of_slot(vs, vt, span);
                match &pat.kind {
                    PatKind::Fields(ps) if ps.len() == 2 => {
                        if let Some(k) = k {
                            self.bind_pat(&ps[0], k, span);
                        }
                        if let Some(v) = v {
                            self.bind_pat(&ps[1], v, span);
                        }
                    }
                    _ => {
                        // Bind the entry as a `(key, value)` tuple.
                        let d = self.desc(elem_ty, span);
                        if let Some(t) = self.runtime("kiln_alloc", vec![d], Some(Type::Ptr), span)
                        {
                            let tref = self.tables.type_ref(elem_ty);
                            for (idx, (x, xt)) in [(k, kt), (v, vt)].into_iter().enumerate() {
                                if let Some(x) = x {
                                    if self.is_ref(xt) {
                                        self.retain(x, span);
                                    }
                                    self.b.ins(
                                        InstKind::SetField {
                                            ty: tref,
                                            variant: None,
                                            index: idx as u32,
                                            obj: t,
                                            value: x,
                                        },
                                        &[],
                                        span,
                                    );
                                }
                            }
                            self.temp(t);
                            self.bind_pat(pat, t, span);
                        }
                    }
                }
            }
            ForKind::Gen => {
                if let Some(v) = self.yielded_value(coll, elem_ty, span) {
                    self.bind_yielded(pat, v, span);
                }
            }
            ForKind::Str => {
                if let Some(r) = next_pos {
                    let c = self
                        .b
                        .ins1(InstKind::Convert(ConvertOp::Trunc, r), Type::I32, span);
                    self.bind_pat(pat, c, span);
                }
            }
        }
        let targets = LoopTargets {
            brk: exit,
            cont: latch,
            value: None,
            frames: self.own.frames.len() - 1,
            scopes: self.own.scopes.len() - 1,
            cont_depth: None,
        };
        self.lower_for_body(targets, body, latch, span);
        if let Some(pos) = pos {
            self.advance(pos, next_pos, span);
        }
        self.b.jump(header, Vec::new());
        self.b.seal(header);
        self.b.seal(exit);
        self.b.switch_to(exit);
        self.pop_frame(span);
    }

    /// The latch of a `for` over an array, a map or a string: the next position,
    /// which is `next_pos` shifted for a string and one more otherwise.
    fn advance(&mut self, pos: Var, next_pos: Option<Value>, span: Span) {
        let cur = self.b.use_var(pos, span);
        let next = match next_pos {
            Some(r) => {
                let shift = self.b.iconst(Type::I64, 32, span);
                self.b
                    .ins1(InstKind::Binary(BinaryOp::Ushr, r, shift), Type::I64, span)
            }
            None => {
                let one = self.b.iconst(Type::I64, 1, span);
                self.b
                    .ins1(InstKind::Binary(BinaryOp::Iadd, cur, one), Type::I64, span)
            }
        };
        self.b.def_var(pos, next);
    }

    /// Element `i` of an array known to be in bounds (a `for` loop re-reads the
    /// length each step), not retained.
    pub(super) fn array_element(
        &mut self,
        arr: Value,
        i: Value,
        elem: Ty,
        span: Span,
    ) -> Option<Value> {
        let t = mir_type(elem)?;
        let addr = self.unchecked_element_addr(arr, i, elem, span);
        Some(self.b.ins1(
            InstKind::Load {
                base: addr,
                offset: 0,
            },
            t,
            span,
        ))
    }
}

/// Whether a pattern matches every value of its type without testing anything.
fn is_irrefutable(p: &Pat) -> bool {
    match &p.kind {
        PatKind::Wild | PatKind::Bind(_) => true,
        PatKind::Fields(ps) => ps.iter().all(is_irrefutable),
        PatKind::Lit(_) | PatKind::Range { .. } | PatKind::Variant { .. } | PatKind::Or(_) => false,
    }
}

fn has_bindings(p: &Pat) -> bool {
    match &p.kind {
        PatKind::Bind(_) => true,
        PatKind::Fields(ps) | PatKind::Variant { fields: ps, .. } | PatKind::Or(ps) => {
            ps.iter().any(has_bindings)
        }
        PatKind::Wild | PatKind::Lit(_) | PatKind::Range { .. } => false,
    }
}
