//! The interpreter's frame stack and the execution of instructions.
//!
//! **Frames.** A Kiln call pushes a [`Frame`] instead of recursing in Rust: the
//! frame names its function, where its values start in [`Stack::values`] (one `u64`
//! per MIR value of the function, in the form of [`crate::ops`]), and the
//! instruction it is at. A frame that called another stays at its call instruction
//! until the callee returns, so at any moment the stack says where every active
//! call is: that is what stack traces are made of ([`crate::trace`]).
//!
//! **Stack overflow.** A call that would make the frames take more than
//! [`STACK_BUDGET`] bytes raises the runtime's `stack overflow` panic as compiled
//! code's prologue does, at the entry of the function being called. The depth this
//! allows is not the JIT's (its frames have other sizes), so the number of frames a
//! trace leaves out differs between the backends; the frames shown do not.
//!
//! **Callbacks.** `kiln_array_sort_by` calls a comparison function by address. The
//! interpreter passes it [`sort_less`], a native function that finds the MIR
//! function the code token stood for and runs it in a nested *activation*: a run
//! of the interpreter loop that ends when the frame it pushed returns. Its frames
//! go on the same stack as the others, so a trace goes on through the runtime's
//! sort to the frames beyond it, as the JIT's walk does. Nested activations use
//! native stack, so a new one checks the stack limit as a compiled prologue does.
//!
//! Nothing here holds a borrow of the stack while native code runs, since native
//! code may call back into the interpreter.

use crate::native;
use crate::ops::{self, mask};
use crate::Interpreter;
use kiln_mir::{Block, Func, FuncRef, Inst, InstKind, Target, Terminator, Type, Value};
use std::cell::RefCell;

/// The most memory the frames of one run may take (values and frame records): half
/// the native stack compiled code gets (kiln's `STACK_SIZE`), since the
/// interpreter's frames are larger than compiled ones and live on the heap.
pub const STACK_BUDGET: usize = 128 << 20;

/// One active call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    pub func: FuncRef,
    /// Where this frame's values start in [`Stack::values`].
    pub base: usize,
    pub block: Block,
    /// The instruction being executed: an index into the block's instructions, or
    /// their number for the terminator.
    pub inst: usize,
}

#[derive(Default)]
pub(crate) struct Stack {
    pub frames: Vec<Frame>,
    pub values: Vec<u64>,
    /// The function whose entry ran out of stack, when that is why the program
    /// stopped.
    pub entering: Option<FuncRef>,
}

enum Flow {
    Next,
    Return(Option<u64>),
}

thread_local! {
    /// The comparison functions of the `sort_by` calls in progress, innermost last,
    /// with the interpreter running them.
    static CALLBACKS: RefCell<Vec<(*const Interpreter, FuncRef)>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    /// The interpreter running on this thread, for the runtime's callbacks that are
    /// not tied to one runtime call: resuming an abandoned generator.
    static CURRENT: std::cell::Cell<*const Interpreter> = const { std::cell::Cell::new(std::ptr::null()) };
}

/// While alive: `interp` is the current interpreter of this thread, and the
/// runtime resumes abandoned generators through it ([`resume_by_token`]). Restores
/// what was there before when dropped, also by a panic.
pub(crate) struct Current {
    previous: *const Interpreter,
    hook: Option<kiln_runtime::object::GenResumeHook>,
}

impl Current {
    pub(crate) fn enter(interp: &Interpreter) -> Current {
        let previous = CURRENT.with(|c| c.replace(interp as *const Interpreter));
        let hook = kiln_runtime::object::set_generator_resume_hook(Some(resume_by_token));
        Current { previous, hook }
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
        kiln_runtime::object::set_generator_resume_hook(self.hook);
    }
}

/// Resumes a generator whose "code" is a token of the current interpreter (the
/// runtime does this when a suspended generator is dropped: mode 1 releases its
/// frame).
///
/// # Safety
/// Called by the runtime with a live generator object made by the current
/// interpreter's code.
unsafe fn resume_by_token(obj: *mut u8, code: *const u8, mode: i8) -> i8 {
    let interp = CURRENT.with(|c| c.get());
    assert!(
        !interp.is_null(),
        "a generator resumed with no interpreter running"
    );
    // SAFETY: `CURRENT` is set only while a `Current` guard holds a borrow of the
    // interpreter, which outlives the runtime call that got here.
    let interp = unsafe { &*interp };
    let f = interp.func_of_token(code as u64);
    interp.run(f, &[obj as u64, mode as u8 as u64]).unwrap_or(0) as i8
}

/// Pops [`CALLBACKS`] when a `sort_by` call ends, normally or by a panic.
struct CallbackGuard;

impl Drop for CallbackGuard {
    fn drop(&mut self) {
        CALLBACKS.with(|c| c.borrow_mut().pop());
    }
}

/// The comparison `kiln_array_sort_by` calls (`kiln_runtime::array::LessFn`): runs
/// the MIR function of the innermost `sort_by` in progress.
unsafe extern "C-unwind" fn sort_less(closure: *mut u8, a: u64, b: u64) -> i8 {
    let (interp, less) = CALLBACKS.with(|c| {
        *c.borrow()
            .last()
            .expect("a comparison called outside sort_by")
    });
    // SAFETY: the entry was pushed by `call_runtime` from `&Interpreter`, which stays
    // borrowed until the `sort_by` call that calls this returns.
    let interp = unsafe { &*interp };
    interp.run(less, &[closure as u64, a, b]).unwrap_or(0) as i8
}

impl Interpreter {
    /// Runs `f` with `args` in a new activation and returns its result.
    pub(crate) fn run(&self, f: FuncRef, args: &[u64]) -> Option<u64> {
        let depth = self.stack.borrow().frames.len();
        if native_stack_low() {
            self.stack_overflow(f);
        }
        self.enter(f, args);
        loop {
            if let Flow::Return(v) = self.step(depth) {
                return v;
            }
        }
    }

    /// Executes the instruction or terminator the innermost frame is at.
    fn step(&self, depth: usize) -> Flow {
        let frame = self.top();
        let func = self.program.func(frame.func);
        let block = func.block(frame.block);
        match block.insts.get(frame.inst) {
            Some(inst) => {
                self.exec(func, inst);
                Flow::Next
            }
            None => self.terminate(func, &block.term, depth),
        }
    }

    fn top(&self) -> Frame {
        *self.stack.borrow().frames.last().expect("a frame")
    }

    fn get(&self, v: Value) -> u64 {
        let s = self.stack.borrow();
        let base = s.frames.last().expect("a frame").base;
        s.values[base + v.index()]
    }

    fn set(&self, v: Value, bits: u64) {
        let mut s = self.stack.borrow_mut();
        let base = s.frames.last().expect("a frame").base;
        s.values[base + v.index()] = bits;
    }

    fn args(&self, args: &[Value]) -> Vec<u64> {
        args.iter().map(|&a| self.get(a)).collect()
    }

    /// Pushes a frame for `f`, its entry block's parameters set to `args`.
    fn enter(&self, f: FuncRef, args: &[u64]) {
        let func = self.program.func(f);
        let mut s = self.stack.borrow_mut();
        let bytes = (s.values.len() + func.values.len()) * 8
            + (s.frames.len() + 1) * std::mem::size_of::<Frame>();
        if bytes > STACK_BUDGET {
            drop(s);
            self.stack_overflow(f);
        }
        let base = s.values.len();
        s.values.resize(base + func.values.len(), 0);
        let params = &func.block(Func::ENTRY).params;
        assert_eq!(
            params.len(),
            args.len(),
            "arguments of a call to `{}`",
            func.name
        );
        for (&p, &a) in params.iter().zip(args) {
            s.values[base + p.index()] = mask(func.value_type(p), a);
        }
        s.frames.push(Frame {
            func: f,
            base,
            block: Func::ENTRY,
            inst: 0,
        });
    }

    /// Raises `stack overflow` at the entry of `f`.
    fn stack_overflow(&self, f: FuncRef) -> ! {
        self.stack.borrow_mut().entering = Some(f);
        // SAFETY: a null frame pointer is always allowed (the frame-pointer contract);
        // the trace comes from the interpreter's frames.
        unsafe { kiln_runtime::panic::kiln_stack_overflow(std::ptr::null(), 0) };
        unreachable!("kiln_stack_overflow returned")
    }

    /// Stores the result of `inst` (if it has one) and moves to the next instruction.
    fn finish(&self, inst: &Inst, result: Option<u64>) {
        if let (Some(&r), Some(bits)) = (inst.results.first(), result) {
            self.set(r, bits);
        }
        let mut s = self.stack.borrow_mut();
        s.frames.last_mut().expect("a frame").inst += 1;
    }

    fn exec(&self, func: &Func, inst: &Inst) {
        let ty = |v: Value| func.value_type(v);
        let result_ty = inst.results.first().map(|&r| ty(r));
        let out = || result_ty.expect("an instruction with a result");
        let result = match &inst.kind {
            InstKind::Call(f, args) => {
                let args = self.args(args);
                return self.enter(*f, &args);
            }
            InstKind::CallIndirect { code, args } => {
                let f = self.func_of_token(self.get(*code));
                let args = self.args(args);
                return self.enter(f, &args);
            }
            InstKind::CallRuntime { symbol, args, site } => {
                self.call_runtime(func, symbol, args, *site)
            }
            InstKind::CallExtern(e, args) => {
                let ext = &self.program.externs[e.index()];
                let args: Vec<(Type, u64)> = args.iter().map(|&a| (ty(a), self.get(a))).collect();
                // SAFETY: the symbol was declared by the program with these
                // parameter and result types, and `Interpreter::new` checked that
                // they fit a native call.
                let r = unsafe { native::call(self.externs[e.index()], &args, ext.ret) };
                ext.ret.map(|_| r)
            }
            InstKind::Overflow(op, x, y) => {
                let (v, over) = ops::overflow(*op, ty(*x), self.get(*x), self.get(*y));
                self.set(inst.results[1], over as u64);
                Some(v)
            }
            InstKind::Iconst(n) => Some(mask(out(), *n as u64)),
            InstKind::Fconst(x) if out() == Type::F32 => Some((*x as f32).to_bits() as u64),
            InstKind::Fconst(x) => Some(x.to_bits()),
            InstKind::Str(s) => Some(self.strings[s.index()] as u64),
            InstKind::Spec(s) => Some(self.spec_addr(*s)),
            InstKind::Null => Some(0),
            InstKind::Binary(op, x, y) => Some(ops::binary(*op, out(), self.get(*x), self.get(*y))),
            InstKind::Unary(op, x) => Some(ops::unary(*op, out(), self.get(*x))),
            InstKind::Icmp(cc, x, y) => Some(ops::icmp(*cc, ty(*x), self.get(*x), self.get(*y))),
            InstKind::Fcmp(cc, x, y) => Some(ops::fcmp(*cc, ty(*x), self.get(*x), self.get(*y))),
            InstKind::Convert(op, x) => Some(ops::convert(*op, ty(*x), out(), self.get(*x))),
            InstKind::Select(c, x, y) => {
                let pick = if self.get(*c) != 0 { x } else { y };
                Some(self.get(*pick))
            }
            InstKind::FuncAddr(f) => Some(self.token(*f)),
            InstKind::GlobalLoad(g) => Some(mask(out(), self.globals[g.index()].get())),
            InstKind::GlobalStore(g, v) => {
                self.globals[g.index()].set(self.get(*v));
                None
            }
            InstKind::Desc(t) => Some(self.descs[t.index()] as u64),
            InstKind::GetField {
                ty: t,
                variant,
                index,
                obj,
            } => {
                // SAFETY: the descriptors were built for this program's type table,
                // which the MIR was verified against.
                let offset =
                    unsafe { kiln_mir::descs::field_offset(&self.descs, *t, *variant, *index) };
                // SAFETY: verified MIR reads a field of a live object of type `t`.
                Some(unsafe { load(out(), self.get(*obj), offset) })
            }
            InstKind::SetField {
                ty: t,
                variant,
                index,
                obj,
                value,
            } => {
                // SAFETY: as for `GetField`.
                let offset =
                    unsafe { kiln_mir::descs::field_offset(&self.descs, *t, *variant, *index) };
                // SAFETY: verified MIR writes a field of a live object of type `t`.
                unsafe { store(ty(*value), self.get(*obj), offset, self.get(*value)) };
                None
            }
            InstKind::Load { base, offset } => {
                // SAFETY: MIR loads only from object headers and data it owns.
                Some(unsafe { load(out(), self.get(*base), *offset) })
            }
            InstKind::Store {
                base,
                offset,
                value,
            } => {
                // SAFETY: MIR stores only into object headers and data it owns.
                unsafe { store(ty(*value), self.get(*base), *offset, self.get(*value)) };
                None
            }
            InstKind::Retain(v) => {
                let obj = self.get(*v);
                // SAFETY: MIR retains only live objects; the count is the header's
                // first field, as the code generator's inline retain assumes.
                unsafe {
                    let rc = load(Type::I32, obj, kiln_runtime::RC_OFFSET);
                    store(Type::I32, obj, kiln_runtime::RC_OFFSET, rc.wrapping_add(1));
                }
                None
            }
            InstKind::Release(v) => {
                let obj = self.get(*v);
                // SAFETY: as for `Retain`; at zero the object is dropped, as the
                // code generator's inline release does.
                unsafe {
                    let rc = load(Type::I32, obj, kiln_runtime::RC_OFFSET);
                    let rc = mask(Type::I32, rc.wrapping_sub(1));
                    store(Type::I32, obj, kiln_runtime::RC_OFFSET, rc);
                    if rc == 0 {
                        kiln_runtime::object::kiln_drop(obj as *mut u8);
                    }
                }
                None
            }
        };
        self.finish(inst, result);
    }

    /// Calls a runtime function through its entry in the runtime's table. Those
    /// taking a site get a null frame pointer and site 0: the interpreter knows
    /// where it is from its frames.
    fn call_runtime(&self, func: &Func, symbol: &str, args: &[Value], site: bool) -> Option<u64> {
        let s = self
            .runtime
            .get(symbol)
            .unwrap_or_else(|| panic!("no runtime function `{symbol}`"));
        assert_eq!(
            s.site, site,
            "`{symbol}` called with site={site} in `{}`",
            func.name
        );
        let skip = if site { 2 } else { 0 };
        assert_eq!(
            s.params.len(),
            args.len() + skip,
            "arguments of `{symbol}` in `{}`",
            func.name
        );
        let mut typed: Vec<(Type, u64)> = Vec::with_capacity(s.params.len());
        if site {
            typed.push((Type::Ptr, 0));
            typed.push((Type::I32, 0));
        }
        for (&a, &abi) in args.iter().zip(&s.params[skip..]) {
            let (want, have) = (Type::of_abi(abi), func.value_type(a));
            assert!(
                want.bits() == have.bits() && want.is_float() == have.is_float(),
                "argument of `{symbol}` in `{}`: {have} where the runtime takes {want}",
                func.name
            );
            typed.push((want, self.get(a)));
        }
        let ret = s.ret.map(Type::of_abi);
        let _callback = if symbol == "kiln_array_sort_by" {
            // The comparison: the runtime calls it natively, so it gets the
            // trampoline, which runs the function the token stands for.
            let less = self.func_of_token(typed[2].1);
            CALLBACKS.with(|c| c.borrow_mut().push((self as *const Interpreter, less)));
            typed[2].1 = sort_less as *const u8 as u64;
            Some(CallbackGuard)
        } else {
            None
        };
        // SAFETY: the table's entry gives the function's signature (checked against
        // its Rust declaration by the runtime's tests), the arguments were checked
        // against it above, and every runtime function fits a native call (a test
        // of `native`). The arguments are what compiled code would pass, the
        // frame pointer null as the frame-pointer contract allows.
        let r = unsafe { native::call(s.addr, &typed, ret) };
        ret.map(|_| r)
    }

    fn terminate(&self, func: &Func, term: &Terminator, depth: usize) -> Flow {
        match term {
            Terminator::Jump(t) => self.jump(func, t),
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => {
                let t = if self.get(*cond) != 0 {
                    then
                } else {
                    otherwise
                };
                self.jump(func, t);
            }
            Terminator::Return(v) => return self.ret(v.map(|v| self.get(v)), depth),
            Terminator::Panic { kind, .. } => {
                // SAFETY: a null frame pointer is always allowed.
                unsafe { kiln_runtime::panic::kiln_panic(std::ptr::null(), 0, *kind) };
                unreachable!("kiln_panic returned");
            }
            // `Yield` never reaches a backend: the generator transform replaces it.
            Terminator::Unreachable | Terminator::Open | Terminator::Yield { .. } => {
                panic!("reached unreachable code in `{}`", func.name)
            }
        }
        Flow::Next
    }

    fn jump(&self, func: &Func, t: &Target) {
        let args = self.args(&t.args);
        let params = &func.block(t.block).params;
        let mut s = self.stack.borrow_mut();
        let frame = s.frames.last_mut().expect("a frame");
        frame.block = t.block;
        frame.inst = 0;
        let base = frame.base;
        for (&p, a) in params.iter().zip(args) {
            s.values[base + p.index()] = a;
        }
    }

    /// Pops the innermost frame; gives its result to the caller, or ends the
    /// activation when it was its first frame.
    fn ret(&self, value: Option<u64>, depth: usize) -> Flow {
        let mut s = self.stack.borrow_mut();
        let frame = s.frames.pop().expect("a frame");
        s.values.truncate(frame.base);
        if s.frames.len() == depth {
            return Flow::Return(value);
        }
        let caller = *s.frames.last().expect("a caller");
        let call = &self.program.func(caller.func).block(caller.block).insts[caller.inst];
        if let (Some(&r), Some(v)) = (call.results.first(), value) {
            s.values[caller.base + r.index()] = v;
        }
        s.frames.last_mut().expect("a caller").inst += 1;
        Flow::Next
    }
}

/// Whether the native stack is below the limit compiled code's prologues check.
fn native_stack_low() -> bool {
    let limit = kiln_runtime::panic::STACK_LIMIT.load(std::sync::atomic::Ordering::Relaxed);
    let marker = 0u8;
    let sp = &marker as *const u8 as usize;
    limit != 0 && sp < limit
}

/// Reads a value of type `ty` at `base + offset`.
///
/// # Safety
/// The memory must be readable.
unsafe fn load(ty: Type, base: u64, offset: i32) -> u64 {
    let p = base.wrapping_add(offset as i64 as u64) as *const u8;
    // SAFETY: guaranteed by the caller.
    unsafe {
        match ty.bits() {
            8 => p.read() as u64,
            16 => p.cast::<u16>().read_unaligned() as u64,
            32 => p.cast::<u32>().read_unaligned() as u64,
            _ => p.cast::<u64>().read_unaligned(),
        }
    }
}

/// Writes the value `bits` of type `ty` at `base + offset`.
///
/// # Safety
/// The memory must be writable.
unsafe fn store(ty: Type, base: u64, offset: i32, bits: u64) {
    let p = base.wrapping_add(offset as i64 as u64) as *mut u8;
    // SAFETY: guaranteed by the caller.
    unsafe {
        match ty.bits() {
            8 => p.write(bits as u8),
            16 => p.cast::<u16>().write_unaligned(bits as u16),
            32 => p.cast::<u32>().write_unaligned(bits as u32),
            _ => p.cast::<u64>().write_unaligned(bits),
        }
    }
}
