//! Running a program with the MIR interpreter instead of the JIT (`kiln run
//! --interp`, `KILN_BACKEND=interp`): the same front end and MIR passes, then
//! `kiln_interp` in place of code generation. Outcomes and panic reports are the
//! ones compiled code gives, so the two backends can be compared.

use super::{debug_ice, phase, Engine, Outcome};
use crate::report::{Frame, Omitted, PanicReport};
use crate::CompileError;
use kiln_runtime::{KilnPanic, RuntimeExit};
use kiln_syntax::Diagnostic;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

impl Engine {
    /// Checks and lowers `text` and loads it into the interpreter; says whether it
    /// has top-level code to run. Never starts the code generator.
    pub fn load_interpreted(&mut self, name: &str, text: &str) -> Result<bool, CompileError> {
        let unit = self.front_end(name, text)?;
        // The modules' top-level code runs first, in the order they were loaded.
        self.interp_modules = self
            .take_ready_modules()
            .iter()
            .filter_map(|m| m.main)
            .collect();
        // A file is one unit (after its modules): the interpreter takes the whole
        // MIR program.
        let mut program = std::mem::take(&mut self.lowering).into_program();
        // The program's `main` is the newest one with statements: a module's when
        // the file has none of its own, and that one already runs first.
        program.main = unit.main;
        let loaded = phase("codegen", || kiln_interp::Interpreter::new(program))?;
        let interp = loaded
            .map_err(|e| CompileError::Diagnostics(vec![Diagnostic::error(e.span, e.message)]))?;
        let has_main = interp.has_main() || !self.interp_modules.is_empty();
        self.interp = Some(interp);
        Ok(has_main)
    }

    /// Runs the top-level code of the program [`Engine::load_interpreted`] loaded,
    /// turning panics and `exit` into an [`Outcome`] as [`Engine::run_main`] does.
    /// Must run on a thread made by [`crate::on_kiln_thread`].
    pub fn run_interpreted(&mut self) -> Outcome {
        let Some(interp) = &self.interp else {
            return Outcome::Finished;
        };
        let started = Instant::now();
        let modules = &self.interp_modules;
        let result = catch_unwind(AssertUnwindSafe(|| {
            debug_ice("run");
            for &m in modules {
                interp.run_top_level(m);
            }
            interp.run_main()
        }));
        kiln_runtime::output::flush_all();
        self.stats.run = started.elapsed();
        let payload = match result {
            Ok(()) => return Outcome::Finished,
            Err(payload) => payload,
        };
        if let Some(exit) = payload.downcast_ref::<RuntimeExit>() {
            return Outcome::Exit(exit.0);
        }
        if let Some(p) = payload.downcast_ref::<KilnPanic>() {
            return Outcome::Panic(self.interpreted_report(interp, p));
        }
        std::panic::resume_unwind(payload)
    }

    fn interpreted_report(&self, interp: &kiln_interp::Interpreter, p: &KilnPanic) -> PanicReport {
        let trace = interp.trace(p);
        let mut frames = Vec::new();
        let mut omitted = None;
        for (i, (func, span)) in trace.frames.into_iter().enumerate() {
            if let Some(o) = trace.omitted.as_ref().filter(|o| o.at == i) {
                omitted = Some(Omitted {
                    at: frames.len(),
                    count: o.count,
                    exact: o.exact,
                });
            }
            Frame {
                func,
                location: self.location(span),
            }
            .push_to(&mut frames);
        }
        PanicReport {
            message: p.message.clone(),
            frames,
            omitted,
        }
    }
}
