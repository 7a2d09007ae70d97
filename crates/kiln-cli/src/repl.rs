//! The REPL: `kiln` with no arguments (LANGUAGE.md §9).
//!
//! Every entry is a unit of one persistent [`Engine`]: parsed, checked, lowered
//! and compiled by Cranelift in memory, then run natively. An entry whose last
//! statement is an expression of a type other than `()` prints `VALUE : TYPE` on
//! stdout; errors and panics go to stderr, and the session goes on. In a terminal
//! it has a banner, prompts, line editing, history and completion (rustyline);
//! reading a pipe it prints only results and errors.

use crate::source::{self, NotUtf8};
use kiln::{CompileError, Engine, Outcome, Stage, Stats};
use kiln_syntax::lexer::EntryLexer;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;

/// The name entries go by in diagnostics and stack traces.
const ENTRY_NAME: &str = "<repl>";

const COMMANDS: &[(&str, &str)] = &[
    (":help", "this list"),
    (":type EXPR", "the type of EXPR, without running it"),
    (
        ":mir NAME",
        "the MIR of a function, method (Type.m) or instance (id<int>)",
    ),
    (":clif NAME", "its Cranelift IR"),
    (":asm NAME", "its machine code"),
    (
        ":time EXPR",
        "run EXPR; show compile and run time separately",
    ),
    (
        ":stats",
        "what the session compiled, and where the time went",
    ),
    (
        ":load FILE",
        "run a file's items and statements into the session",
    ),
    (
        ":clear",
        "start a fresh session (everything defined is forgotten)",
    ),
    (":quit", "leave (so does end of input, Ctrl-D)"),
];

const KEYWORDS: &[&str] = &[
    "fn", "let", "var", "if", "else", "while", "for", "in", "loop", "break", "continue", "return",
    "match", "struct", "enum", "impl", "import", "type", "yield", "as", "true", "false", "test",
];

/// What the session has compiled so far, and the names it defined (for
/// completion).
struct Session {
    engine: Engine,
    totals: Stats,
    entries: usize,
    color: bool,
    /// With `KILN_REPL_TIMES=FILE`: the wall time of each entry, from reading it
    /// to printing its result (`bench/repl`), written to FILE at the end.
    entry_times: Option<Vec<std::time::Duration>>,
    /// Whether an entry stopped with a panic. Values that the frames it unwound
    /// through owned are not released (unwinding runs no cleanup in compiled
    /// code), so the leak check at the end, like `kiln run`'s, only applies to a
    /// session without panics.
    panicked: bool,
}

impl Session {
    fn new(color: bool) -> Session {
        Session {
            engine: Engine::persistent(),
            totals: Stats::default(),
            entries: 0,
            color,
            entry_times: std::env::var_os("KILN_REPL_TIMES").map(|_| Vec::new()),
            panicked: false,
        }
    }
}

/// How an entry ended, for the loop.
enum Next {
    Continue,
    Quit(ExitCode),
}

/// Runs the REPL on the Kiln thread until `:quit` or end of input.
pub fn main() -> ExitCode {
    kiln::install_interrupt_handler();
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let color = std::io::stderr().is_terminal();
    let session = Rc::new(RefCell::new(Session::new(color)));
    let code = if interactive {
        interactive_loop(session.clone())
    } else {
        piped_loop(&session)
    };
    write_entry_times(&session.borrow());
    // As for `kiln run`: with `KILN_LEAK_CHECK=1`, objects still alive once the
    // session's variables are released are an error.
    let leak_check = std::env::var("KILN_LEAK_CHECK").is_ok_and(|v| v != "0" && !v.is_empty());
    if leak_check && !session.borrow().panicked {
        if let Some(report) = session.borrow_mut().engine.leak_check() {
            error(&report);
            return ExitCode::from(crate::LEAKED);
        }
    }
    if !leak_check {
        // The process ends next: freeing the session's code, tables and values
        // one by one would only cost time (3 to 5% of a long piped session).
        std::mem::forget(session);
    }
    code
}

/// Reading a pipe: no banner, no prompts. Lines come from the runtime's reader of
/// standard input, which `read_line` shares: a program an entry runs reads the
/// lines after that entry, however much of the input has arrived.
fn piped_loop(session: &Rc<RefCell<Session>>) -> ExitCode {
    let mut next_line = |_| kiln_runtime::io::stdin_line();
    loop {
        let Some(mut entry) = read_entry(&mut next_line) else {
            return ExitCode::SUCCESS;
        };
        // A line already waiting that starts with `.`, `&&`, `||` or `else`
        // continues the entry, as it would in a file (LANGUAGE.md §1). A line not
        // written yet is not waited for: a program that drives the REPL line by
        // line gets each answer at once. A waiting line that does not continue the
        // entry stays for the next reader, which may be the entry's `read_line`.
        while !entry.is_command()
            && kiln_runtime::io::waiting_stdin_line().is_some_and(|line| {
                kiln_syntax::lexer::continues_previous_line(&String::from_utf8_lossy(&line))
            })
        {
            if let Some(line) = next_line(true) {
                entry.push_line(line);
            }
            read_rest_of_entry(&mut entry, &mut next_line);
        }
        if let Next::Quit(code) = handle(&mut session.borrow_mut(), &entry) {
            return code;
        }
    }
}

/// Writes the entry times of `KILN_REPL_TIMES`, one number of microseconds a line.
fn write_entry_times(s: &Session) {
    let (Some(times), Some(path)) = (&s.entry_times, std::env::var_os("KILN_REPL_TIMES")) else {
        return;
    };
    let text: String = times
        .iter()
        .map(|t| format!("{:.1}\n", t.as_secs_f64() * 1e6))
        .collect();
    if let Err(e) = std::fs::write(&path, text) {
        error(&format!("error: cannot write the entry times: {e}"));
    }
}

/// An entry as it is read, a line at a time.
struct Entry {
    lexed: EntryLexer,
    /// The first byte that is not UTF-8, if any (the text has U+FFFD in its
    /// place): the entry is reported, not run.
    not_utf8: Option<NotUtf8>,
}

impl Entry {
    fn new(line: Vec<u8>) -> Entry {
        let (line, not_utf8) = decode_line(line, 0);
        Entry {
            lexed: EntryLexer::new(&line),
            not_utf8,
        }
    }

    fn push_line(&mut self, line: Vec<u8>) {
        let (line, not_utf8) = decode_line(line, self.text().len() + 1);
        self.not_utf8 = self.not_utf8.or(not_utf8);
        self.lexed.push_line(&line);
    }

    fn text(&self) -> &str {
        self.lexed.text()
    }

    /// Whether the entry is a command (`:help`); a command is one line.
    fn is_command(&self) -> bool {
        self.text().trim_start().starts_with(':')
    }
}

/// A line as text, and where it stops being UTF-8, as an offset in an entry where
/// it starts at `start`.
fn decode_line(line: Vec<u8>, start: usize) -> (String, Option<NotUtf8>) {
    match source::decode(line) {
        Ok(line) => (line, None),
        Err((line, bad)) => (
            line,
            Some(NotUtf8 {
                at: start + bad.at,
                byte: bad.byte,
            }),
        ),
    }
}

/// Reads one entry: a line, and more lines while the input is incomplete (an open
/// bracket or string, a trailing operator). `None` at end of input. `read` gets
/// whether the line continues an entry.
fn read_entry(read: &mut dyn FnMut(bool) -> Option<Vec<u8>>) -> Option<Entry> {
    let mut entry = Entry::new(read(false)?);
    read_rest_of_entry(&mut entry, read);
    Some(entry)
}

/// Reads lines into `entry` while it is incomplete. Each line is lexed once more,
/// not the whole entry again, so that an entry of many lines is read in linear
/// time.
fn read_rest_of_entry(entry: &mut Entry, read: &mut dyn FnMut(bool) -> Option<Vec<u8>>) {
    while !entry.is_command() && entry.lexed.is_incomplete() {
        match read(true) {
            Some(line) => entry.push_line(line),
            // The entry is compiled as it is and its error reported.
            None => break,
        }
    }
}

/// In a terminal: banner, prompts, editing, history, completion.
fn interactive_loop(session: Rc<RefCell<Session>>) -> ExitCode {
    let config = rustyline::Config::builder().auto_add_history(false).build();
    let mut editor: Editor<KilnHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            error(&format!("error: cannot start the line editor: {e}"));
            return piped_loop(&session);
        }
    };
    editor.set_helper(Some(KilnHelper {
        session: session.clone(),
    }));
    let history = history_file();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "Kiln {} (Cranelift JIT). Type :help for the commands, :quit to leave.",
        env!("CARGO_PKG_VERSION")
    );
    let code = loop {
        let mut interrupted = false;
        let entry = read_entry(&mut |more| {
            let prompt = if more { "... " } else { ">>> " };
            match editor.readline(prompt) {
                Ok(line) => Some(line.into_bytes()),
                Err(ReadlineError::Interrupted) => {
                    // Ctrl-C at the prompt clears the line; at a continuation
                    // prompt it drops the unfinished entry (no more lines are read
                    // for it).
                    interrupted = true;
                    (!more).then(Vec::new)
                }
                Err(_) => None,
            }
        });
        let Some(entry) = entry else {
            break ExitCode::SUCCESS;
        };
        if interrupted || entry.text().trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(entry.text());
        if let Next::Quit(code) = handle(&mut session.borrow_mut(), &entry) {
            break code;
        }
    };
    if let Some(path) = &history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(path);
    }
    code
}

/// `kiln/history` under the user's data directory.
fn history_file() -> Option<std::path::PathBuf> {
    Some(dirs::data_dir()?.join("kiln").join("history"))
}

fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn error(text: &str) {
    let _ = std::io::stdout().flush();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
    let _ = err.flush();
}

/// Handles one entry: a command or Kiln source, or text that is not UTF-8.
fn handle(s: &mut Session, entry: &Entry) -> Next {
    let started = Instant::now();
    let next = match entry.not_utf8 {
        Some(bad) => {
            error(
                bad.render(
                    source::Origin::Entry,
                    ENTRY_NAME,
                    entry.text().to_string(),
                    s.color,
                )
                .trim_end(),
            );
            Next::Continue
        }
        None => handle_entry(s, entry.text()),
    };
    if let Some(times) = &mut s.entry_times {
        times.push(started.elapsed());
    }
    next
}

fn handle_entry(s: &mut Session, entry: &str) -> Next {
    let trimmed = entry.trim();
    if trimmed.is_empty() {
        return Next::Continue;
    }
    if let Some(command) = trimmed.strip_prefix(':') {
        let (name, arg) = match command.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (command, ""),
        };
        return run_command(s, name, arg);
    }
    eval(s, entry, false)
}

fn run_command(s: &mut Session, name: &str, arg: &str) -> Next {
    if !arg.is_empty() && matches!(name, "help" | "quit" | "q" | "exit" | "stats" | "clear") {
        // `:clear all` must not clear the session by a typo's grace.
        error(&format!(
            "error: `:{name}` takes no argument (found `{arg}`); nothing was done"
        ));
        return Next::Continue;
    }
    match name {
        "help" => {
            let mut out = String::from("Enter a declaration, a statement or an expression; an expression's value is printed with its type.\n");
            for (c, what) in COMMANDS {
                out.push_str(&format!("  {c:<12} {what}\n"));
            }
            print_out(&out);
        }
        "quit" | "q" | "exit" => return Next::Quit(ExitCode::SUCCESS),
        "type" => {
            if arg.is_empty() {
                error("error: `:type` needs an expression: `:type EXPR`");
                return Next::Continue;
            }
            match s.engine.type_of_entry(ENTRY_NAME, arg) {
                Ok(ty) => print_out(&format!("{ty}\n")),
                Err(e) => report_compile_error(s, e),
            }
        }
        "mir" | "clif" | "asm" => {
            let stage = match name {
                "mir" => Stage::Mir,
                "clif" => Stage::Clif,
                _ => Stage::Asm,
            };
            if arg.is_empty() {
                error(&format!(
                    "error: `:{name}` needs a function name: `:{name} NAME`"
                ));
                return Next::Continue;
            }
            match s.engine.function_text(arg, stage) {
                Ok(text) => print_out(&text),
                Err(why) => error(&format!("error: {why}")),
            }
        }
        "time" => {
            if arg.is_empty() {
                error("error: `:time` needs an expression: `:time EXPR`");
                return Next::Continue;
            }
            return eval(s, arg, true);
        }
        "stats" => {
            let mut out = format!("entries: {}\n", s.entries);
            out.push_str(&s.totals.to_string());
            print_out(&out);
        }
        "load" => {
            if arg.is_empty() {
                error("error: `:load` needs a file: `:load FILE`");
                return Next::Continue;
            }
            return load(s, arg);
        }
        "clear" => {
            let old = std::mem::replace(s, Session::new(s.color));
            s.panicked = old.panicked;
            old.engine.close();
        }
        _ => {
            let names: Vec<&str> = COMMANDS
                .iter()
                .map(|(c, _)| c.split(' ').next().unwrap_or(c))
                .collect();
            error(&format!(
                "error: unknown command `:{name}`; the commands are {}",
                names.join(", ")
            ));
        }
    }
    Next::Continue
}

fn report_compile_error(s: &Session, e: CompileError) {
    match e {
        CompileError::Diagnostics(d) => {
            let text = s.engine.render(&d, s.color);
            error(text.trim_end());
        }
        CompileError::Internal(msg) => {
            error(&format!(
                "internal compiler error (this is a bug in Kiln): {msg}"
            ));
        }
    }
}

/// Compiles and runs one entry; prints its result, or its error.
fn eval(s: &mut Session, text: &str, timed: bool) -> Next {
    s.entries += 1;
    let started = Instant::now();
    let compiled = s.engine.compile_entry(ENTRY_NAME, text);
    let compile_time = started.elapsed();
    let entry = match compiled {
        Ok(entry) => entry,
        Err(e) => return compile_failed(s, e),
    };
    print_notes(&entry);
    let started = Instant::now();
    let (next, finished) = run_unit(s, entry.main);
    let run_time = started.elapsed();
    if finished {
        if let Some(line) = s.engine.take_result(&entry) {
            print_out(&format!("{line}\n"));
        }
    }
    if timed {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        print_out(&format!(
            "time: compile {:.3} ms, run {:.3} ms\n",
            ms(compile_time),
            ms(run_time)
        ));
    }
    next
}

/// Runs a compiled unit's top-level code, reports a panic, and adds the unit's
/// costs to the session's; says whether the code ran to its end.
fn run_unit(s: &mut Session, main: Option<*const u8>) -> (Next, bool) {
    let mut next = Next::Continue;
    let mut finished = main.is_none();
    if let Some(main) = main {
        kiln_runtime::panic::clear_interrupt();
        // SAFETY: compiled by this engine; the REPL runs on the Kiln thread.
        let outcome = unsafe { s.engine.run_main(main) };
        kiln_runtime::panic::clear_interrupt();
        match outcome {
            Outcome::Finished => finished = true,
            Outcome::Exit(code) => next = Next::Quit(ExitCode::from(code as u8)),
            Outcome::Panic(report) => {
                s.panicked = true;
                error(report.to_string().trim_end())
            }
        }
    }
    let stats = s.engine.take_stats();
    s.totals.add(&stats);
    (next, finished)
}

/// A compile error: reported, and its costs added to the session's.
fn compile_failed(s: &mut Session, e: CompileError) -> Next {
    let stats = s.engine.take_stats();
    s.totals.add(&stats);
    report_compile_error(s, e);
    Next::Continue
}

/// `:load FILE`: the file's items and statements run into the session, as one
/// unit.
fn load(s: &mut Session, path: &str) -> Next {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            error(&format!("error: cannot read `{path}`: {e}"));
            return Next::Continue;
        }
    };
    let text = match source::decode(bytes) {
        Ok(text) => text,
        Err((text, bad)) => {
            error(
                bad.render(source::Origin::File, path, text, s.color)
                    .trim_end(),
            );
            return Next::Continue;
        }
    };
    match s.engine.compile_loaded(path, &text) {
        Ok(entry) => {
            print_notes(&entry);
            run_unit(s, entry.main).0
        }
        Err(e) => compile_failed(s, e),
    }
}

/// The notes on what a unit redefined that earlier definitions do not follow.
fn print_notes(entry: &kiln::Entry) {
    for note in &entry.notes {
        error(note);
    }
}

/// Tab completion of keywords, commands and the session's names.
struct KilnHelper {
    session: Rc<RefCell<Session>>,
}

impl Completer for KilnHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let mut names: Vec<String> = if word.starts_with(':') {
            COMMANDS
                .iter()
                .map(|(c, _)| c.split(' ').next().unwrap_or(c).to_string())
                .collect()
        } else {
            let mut names: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
            if let Ok(s) = self.session.try_borrow() {
                names.extend(s.engine.session().names());
            }
            names
        };
        names.retain(|n| n.starts_with(word));
        names.sort();
        names.dedup();
        let pairs = names
            .into_iter()
            .map(|n| Pair {
                display: n.clone(),
                replacement: n,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for KilnHelper {
    type Hint = String;
}

impl Highlighter for KilnHelper {}

impl Validator for KilnHelper {}

impl Helper for KilnHelper {}
