//! The `kiln` command: the only part of Kiln that touches the terminal.
//!
//! `kiln run FILE [ARGS...]` (or `kiln FILE`), `kiln check FILE`,
//! `kiln emit --tokens|--ast|--mir|--clif|--asm FILE`, `--version`, `--help`.
//! Exit status: 0 when the program finishes, 1 on a compile error, 101 on a
//! runtime error, the program's own code after `exit(code)`, 2 on a usage error,
//! 70 on an internal error (a bug in Kiln, anywhere), and 102 when
//! `KILN_LEAK_CHECK=1` finds objects still alive at the end.

use clap::{Args, Parser, Subcommand};
use kiln::{CompileError, Engine, Outcome, Stage};
use std::backtrace::{Backtrace, BacktraceStatus};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;

#[derive(Parser)]
#[command(
    name = "kiln",
    version,
    about = "Kiln: a statically typed language compiled to native code by a Cranelift JIT",
    after_help = "Run a program with `kiln run FILE` or just `kiln FILE`."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Compile and run a program; arguments after the file go to the program.
    Run {
        file: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Check a program for errors without running it.
    Check { file: String },
    /// Print the output of one compiler stage.
    Emit(EmitArgs),
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct EmitStage {
    /// The tokens of the lexer.
    #[arg(long)]
    tokens: bool,
    /// The syntax tree.
    #[arg(long)]
    ast: bool,
    /// The mid-level IR.
    #[arg(long)]
    mir: bool,
    /// The Cranelift IR.
    #[arg(long)]
    clif: bool,
    /// The machine code, disassembled.
    #[arg(long)]
    asm: bool,
}

#[derive(Args)]
struct EmitArgs {
    #[command(flatten)]
    stage: EmitStage,
    file: String,
}

const INTERNAL_ERROR: u8 = 70;

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse_from(with_run_shorthand(std::env::args().collect()));
    let Some(command) = cli.command else {
        eprintln!(
            "kiln: the interactive REPL is not available yet; run a program with `kiln run FILE`."
        );
        eprintln!("See `kiln --help`.");
        return ExitCode::from(2);
    };
    // The whole pipeline runs on the Kiln thread: the parser and checker recurse on
    // nested input, and compiled code needs the large stack and its limit. A Rust
    // panic that gets out of it (a bug anywhere in Kiln that no phase caught, the
    // runtime included) is an internal error too.
    let result = std::panic::catch_unwind(|| {
        kiln::on_kiln_thread(move || match command {
            Command::Run { file, args } => run(&file, args),
            Command::Check { file } => check(&file),
            Command::Emit(e) => emit(&e),
        })
    });
    result.unwrap_or_else(|payload| {
        internal_error(&format!(
            "internal error (this is a bug in Kiln): {}",
            kiln::panic_message(payload.as_ref())
        ))
    })
}

/// Where the last Rust panic happened (with a backtrace when `RUST_BACKTRACE` asks
/// for one), for the report of an internal error. Kiln's own runtime errors and
/// `exit` unwind without calling the panic hook, so only bugs land here.
static PANIC_PLACE: Mutex<Option<String>> = Mutex::new(None);

/// Replaces Rust's panic message (`thread 'kiln' panicked at ...`) with a record of
/// the place, which [`internal_error`] prints after saying that it is a bug.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let mut place = match info.location() {
            Some(l) => format!("{}:{}:{}", l.file(), l.line(), l.column()),
            None => "an unknown place".to_string(),
        };
        let trace = Backtrace::capture();
        if trace.status() == BacktraceStatus::Captured {
            place.push_str(&format!("\n{trace}"));
        }
        *PANIC_PLACE.lock().unwrap_or_else(|e| e.into_inner()) = Some(place);
    }));
}

/// Reports an internal error (`what` says so) with the place of the panic behind
/// it, if there was one.
fn internal_error(what: &str) -> ExitCode {
    eprintln!("{what}");
    let place = PANIC_PLACE.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(place) = place {
        eprintln!("  panicked at {place}");
    }
    ExitCode::from(INTERNAL_ERROR)
}

/// `kiln FILE ARGS...` means `kiln run FILE ARGS...`.
fn with_run_shorthand(mut argv: Vec<String>) -> Vec<String> {
    const COMMANDS: &[&str] = &["run", "check", "emit", "help"];
    if let Some(first) = argv.get(1) {
        if !first.starts_with('-') && !COMMANDS.contains(&first.as_str()) {
            argv.insert(1, "run".to_string());
        }
    }
    argv
}

fn read_source(path: &str) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read `{path}`: {e}");
        ExitCode::from(1)
    })
}

fn report_compile_error(engine: &Engine, err: CompileError) -> ExitCode {
    match err {
        CompileError::Diagnostics(diags) => {
            let color = std::io::stderr().is_terminal();
            eprint!("{}", engine.render(&diags, color));
            let n = diags.iter().filter(|d| d.is_error()).count();
            let plural = if n == 1 { "" } else { "s" };
            eprintln!("error: could not compile: {n} error{plural}");
            ExitCode::from(1)
        }
        CompileError::Internal(msg) => internal_error(&format!(
            "internal compiler error (this is a bug in Kiln): {msg}"
        )),
    }
}

fn new_engine() -> Result<Engine, ExitCode> {
    Engine::new().map_err(|e| {
        eprintln!("error: cannot start the JIT: {e}");
        ExitCode::from(INTERNAL_ERROR)
    })
}

/// Exit status when `KILN_LEAK_CHECK=1` finds objects alive at the end.
const LEAKED: u8 = 102;

fn run(path: &str, args: Vec<String>) -> ExitCode {
    let text = match read_source(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut engine = match new_engine() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let main = match engine.compile(path, &text) {
        Ok(main) => main,
        Err(e) => return report_compile_error(&engine, e),
    };
    let Some(main) = main else {
        return ExitCode::SUCCESS;
    };
    engine.set_args(args);
    // SAFETY: `main` was compiled by this engine, and this runs on the Kiln thread.
    let outcome = unsafe { engine.run_main(main) };
    let _ = std::io::stdout().flush();
    let leak_check = std::env::var("KILN_LEAK_CHECK").is_ok_and(|v| v != "0" && !v.is_empty());
    if leak_check && matches!(outcome, Outcome::Finished | Outcome::Exit(0)) {
        if let Some(report) = engine.leak_check() {
            eprintln!("{report}");
            return ExitCode::from(LEAKED);
        }
    }
    match outcome {
        Outcome::Finished => ExitCode::SUCCESS,
        Outcome::Exit(code) => ExitCode::from(code as u8),
        Outcome::Panic(report) => {
            eprint!("{report}");
            ExitCode::from(101)
        }
    }
}

fn check(path: &str) -> ExitCode {
    let text = match read_source(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut engine = match new_engine() {
        Ok(e) => e,
        Err(code) => return code,
    };
    match engine.front_end(path, &text) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => report_compile_error(&engine, e),
    }
}

fn emit(args: &EmitArgs) -> ExitCode {
    let s = &args.stage;
    let stage = if s.tokens {
        Stage::Tokens
    } else if s.ast {
        Stage::Ast
    } else if s.mir {
        Stage::Mir
    } else if s.clif {
        Stage::Clif
    } else {
        Stage::Asm
    };
    let text = match read_source(&args.file) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut engine = match new_engine() {
        Ok(e) => e,
        Err(code) => return code,
    };
    match engine.emit(&args.file, &text, stage) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => report_compile_error(&engine, e),
    }
}
