//! The `kiln` command: the only part of Kiln that touches the terminal.
//!
//! `kiln run FILE [ARGS...]` (or `kiln FILE`), `kiln check FILE`,
//! `kiln emit --tokens|--ast|--mir|--clif|--asm FILE`, `--version`, `--help`.
//! Exit status: 0 when the program finishes, 1 on a compile error, 101 on a
//! runtime error, the program's own code after `exit(code)`, 2 on a usage error,
//! 70 on an internal compiler error (a bug in Kiln), and 102 when
//! `KILN_LEAK_CHECK=1` finds objects still alive at the end. `KILN_TIMINGS=1`
//! prints the time of each compiler phase on standard error.

use clap::{Args, Parser, Subcommand};
use kiln::{CompileError, Engine, Outcome, Stage};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

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
    let cli = Cli::parse_from(with_run_shorthand(std::env::args().collect()));
    let Some(command) = cli.command else {
        eprintln!(
            "kiln: the interactive REPL is not available yet; run a program with `kiln run FILE`."
        );
        eprintln!("See `kiln --help`.");
        return ExitCode::from(2);
    };
    // The whole pipeline runs on the Kiln thread: the parser and checker recurse on
    // nested input, and compiled code needs the large stack and its limit.
    kiln::on_kiln_thread(move || match command {
        Command::Run { file, args } => run(&file, args),
        Command::Check { file } => check(&file),
        Command::Emit(e) => emit(&e),
    })
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
        CompileError::Internal(msg) => {
            eprintln!("internal compiler error (this is a bug in Kiln): {msg}");
            ExitCode::from(INTERNAL_ERROR)
        }
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
    let main = engine.compile(path, &text);
    print_timings(&engine);
    let main = match main {
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
    let checked = engine.front_end(path, &text);
    print_timings(&engine);
    match checked {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => report_compile_error(&engine, e),
    }
}

/// With `KILN_TIMINGS=1`, prints how long each phase of compilation took.
fn print_timings(engine: &Engine) {
    if std::env::var_os("KILN_TIMINGS").is_none_or(|v| v.is_empty() || v == "0") {
        return;
    }
    let mut total = 0.0;
    for (phase, time) in engine.timings() {
        let secs = time.as_secs_f64();
        total += secs;
        eprintln!("kiln: {phase:<10} {secs:9.4} s");
    }
    eprintln!("kiln: {:<10} {total:9.4} s", "total");
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
