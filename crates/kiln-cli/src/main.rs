//! The `kiln` command: the only part of Kiln that touches the terminal.
//!
//! `kiln` alone starts the REPL (`repl.rs`).
//! `kiln run [--interp] FILE [ARGS...]` (or `kiln FILE`), `kiln check FILE`,
//! `kiln test FILE|DIR [FILTER]` (`test_runner.rs`),
//! `kiln emit --tokens|--ast|--mir|--clif|--asm FILE`, `--version`, `--help`.
//! Exit status: 0 when the program finishes, 1 on a compile error (or when the
//! output cannot be written; a closed pipe just ends it), 101 on a runtime error,
//! the program's own code after `exit(code)`, 2 on a usage error, 70 on an
//! internal error (a bug in Kiln, anywhere), and 102 when `KILN_LEAK_CHECK=1` finds
//! objects still alive at the end. Nothing here panics on output it cannot write.
//!
//! Arguments are taken as the operating system gives them (`OsString`): a file
//! name that is not UTF-8 is opened as it is and shown lossily, and a script's
//! argument that is not UTF-8 reaches `args()` with U+FFFD for each bad sequence.
//!
//! `KILN_BACKEND=interp` makes `kiln run` use the MIR interpreter, as `--interp`
//! does (`KILN_BACKEND=jit`, or unset, the JIT).

mod allocator;
mod repl;
mod source;

#[global_allocator]
static ALLOCATOR: allocator::KilnAllocator = allocator::KilnAllocator;

use clap::{Args, Parser, Subcommand};
use kiln::{CompileError, Engine, Outcome, Stage};
use std::backtrace::{Backtrace, BacktraceStatus};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
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
        /// After the program's output, print on standard error the time spent in
        /// each phase, the functions compiled, generic instances (cache misses and
        /// hits) and the bytes of machine code.
        #[arg(long)]
        stats: bool,
        /// Run the program with the MIR interpreter instead of compiling it (also
        /// `KILN_BACKEND=interp`).
        #[arg(long)]
        interp: bool,
        /// Compile without optimisation: no MIR inlining, and Cranelift at
        /// `opt_level=none` (what the differential tests compare against).
        #[arg(long, conflicts_with = "interp")]
        no_opt: bool,
        file: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Check a program for errors without running it.
    Check { file: PathBuf },
    /// Run the `test` blocks of a file, or of every `.kl` file in a folder, after
    /// the file's top-level code; only the tests whose name contains FILTER.
    Test {
        path: PathBuf,
        filter: Option<String>,
    },
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
    file: PathBuf,
}

const INTERNAL_ERROR: u8 = 70;

/// Writes a formatted line to standard error. Unlike `eprintln!` it never
/// panics: when standard error is closed or full there is nowhere left to
/// report anything, so the text is dropped and the exit status still tells.
macro_rules! error_line {
    ($($arg:tt)*) => {
        write_error(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// [`error_line!`] without the newline.
macro_rules! error_text {
    ($($arg:tt)*) => {
        write_error(&format!($($arg)*))
    };
}

mod test_runner;

fn write_error(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Writes the output of a command to standard output. A closed pipe means the
/// reader has all it wants (`kiln emit --mir F | head -1`): the output ends
/// quietly and the command succeeds. Any other failure (a full disk) loses
/// output that was asked for, so it is reported and the status is 1.
fn write_output(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            error_line!("error: cannot write the output: {e}");
            Err(ExitCode::from(1))
        }
    }
}

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse_from(with_run_shorthand(std::env::args_os().collect()));
    let Some(command) = cli.command else {
        return std::panic::catch_unwind(|| kiln::on_kiln_thread(repl::main)).unwrap_or_else(
            |payload| {
                internal_error(&format!(
                    "internal error (this is a bug in Kiln): {}",
                    kiln::panic_message(payload.as_ref())
                ))
            },
        );
    };
    // The whole pipeline runs on the Kiln thread: the parser and checker recurse on
    // nested input, and compiled code needs the large stack and its limit. A Rust
    // panic that gets out of it (a bug anywhere in Kiln that no phase caught, the
    // runtime included) is an internal error too.
    let result = std::panic::catch_unwind(|| {
        kiln::on_kiln_thread(move || match command {
            Command::Run {
                stats,
                interp,
                no_opt,
                file,
                args,
            } => {
                let args = args
                    .iter()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect();
                match backend(interp) {
                    Ok(interp) => run(&file, args, stats, interp, !no_opt),
                    Err(code) => code,
                }
            }
            Command::Check { file } => check(&file),
            Command::Test { path, filter } => test_runner::test(&path, filter.as_deref()),
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
    error_line!("{what}");
    let place = PANIC_PLACE.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(place) = place {
        error_line!("  panicked at {place}");
    }
    ExitCode::from(INTERNAL_ERROR)
}

/// `kiln FILE ARGS...` means `kiln run FILE ARGS...`.
fn with_run_shorthand(mut argv: Vec<OsString>) -> Vec<OsString> {
    const COMMANDS: &[&str] = &["run", "check", "test", "emit", "help"];
    if let Some(first) = argv.get(1) {
        let is_option = first.as_encoded_bytes().starts_with(b"-");
        let is_command = first.to_str().is_some_and(|f| COMMANDS.contains(&f));
        if !is_option && !is_command {
            argv.insert(1, "run".into());
        }
    }
    argv
}

/// The name a source file goes by in diagnostics and traces.
fn display_name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn read_source(path: &Path) -> Result<String, ExitCode> {
    let bytes = std::fs::read(path).map_err(|e| {
        error_line!("error: cannot read `{}`: {e}", path.display());
        ExitCode::from(1)
    })?;
    source::decode(bytes).map_err(|(text, bad)| {
        let color = std::io::stderr().is_terminal();
        error_text!(
            "{}",
            bad.render(source::Origin::File, &display_name(path), text, color)
        );
        error_line!("error: could not compile: 1 error");
        ExitCode::from(1)
    })
}

fn report_compile_error(engine: &Engine, err: CompileError) -> ExitCode {
    match err {
        CompileError::Diagnostics(diags) => {
            let color = std::io::stderr().is_terminal();
            error_text!("{}", engine.render(&diags, color));
            let n = diags.iter().filter(|d| d.is_error()).count();
            let plural = if n == 1 { "" } else { "s" };
            error_line!("error: could not compile: {n} error{plural}");
            ExitCode::from(1)
        }
        CompileError::Internal(msg) => internal_error(&format!(
            "internal compiler error (this is a bug in Kiln): {msg}"
        )),
    }
}

fn new_engine() -> Result<Engine, ExitCode> {
    new_engine_with(true)
}

/// An engine for a file run, optimising or not.
fn new_engine_with(optimize: bool) -> Result<Engine, ExitCode> {
    Engine::with_options(kiln::Options {
        optimize,
        direct_calls: true,
        ..kiln::Options::default()
    })
    .map_err(|e| {
        error_line!("error: cannot start the JIT: {e}");
        ExitCode::from(INTERNAL_ERROR)
    })
}

/// Exit status when `KILN_LEAK_CHECK=1` finds objects alive at the end.
const LEAKED: u8 = 102;

/// Whether `kiln run` interprets: `--interp`, or `KILN_BACKEND`.
fn backend(interp_flag: bool) -> Result<bool, ExitCode> {
    match std::env::var("KILN_BACKEND").as_deref() {
        _ if interp_flag => Ok(true),
        Ok("interp") => Ok(true),
        Ok("jit") | Ok("") | Err(_) => Ok(false),
        Ok(other) => {
            error_line!("error: KILN_BACKEND={other} is not a backend (use `jit` or `interp`)");
            Err(ExitCode::from(2))
        }
    }
}

/// Compiles the program (or loads it into the interpreter) and runs it.
fn start(
    engine: &mut Engine,
    path: &Path,
    text: &str,
    args: Vec<String>,
    interp: bool,
) -> Result<Option<Outcome>, CompileError> {
    if interp {
        if !engine.load_interpreted(&display_name(path), text)? {
            return Ok(None);
        }
        engine.set_args(args);
        return Ok(Some(engine.run_interpreted()));
    }
    let Some(main) = engine.compile(&display_name(path), text)? else {
        return Ok(None);
    };
    engine.set_args(args);
    // SAFETY: `main` was compiled by this engine, and this runs on the Kiln thread.
    Ok(Some(unsafe { engine.run_main(main) }))
}

fn run(path: &Path, args: Vec<String>, stats: bool, interp: bool, optimize: bool) -> ExitCode {
    let text = match read_source(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut engine = match new_engine_with(optimize) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let outcome = match start(&mut engine, path, &text, args, interp) {
        Ok(Some(outcome)) => outcome,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => return report_compile_error(&engine, e),
    };
    let _ = std::io::stdout().flush();
    if stats {
        error_text!("{}", engine.stats());
    }
    let leak_check = std::env::var("KILN_LEAK_CHECK").is_ok_and(|v| v != "0" && !v.is_empty());
    if leak_check && matches!(outcome, Outcome::Finished | Outcome::Exit(0)) {
        if let Some(report) = engine.leak_check() {
            error_line!("{report}");
            return ExitCode::from(LEAKED);
        }
    }
    match outcome {
        Outcome::Finished => ExitCode::SUCCESS,
        Outcome::Exit(code) => ExitCode::from(code as u8),
        Outcome::Panic(report) => {
            error_text!("{report}");
            ExitCode::from(101)
        }
    }
}

fn check(path: &Path) -> ExitCode {
    let text = match read_source(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut engine = match new_engine() {
        Ok(e) => e,
        Err(code) => return code,
    };
    match engine.front_end(&display_name(path), &text) {
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
    match engine.emit(&display_name(&args.file), &text, stage) {
        Ok(out) => match write_output(&out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Err(e) => report_compile_error(&engine, e),
    }
}
