//! Input, files, the script's arguments, and the `unwrap` failures.
//!
//! `read_line` reads the process's standard input, or text a host supplied with
//! [`set_stdin`] (so tests and embedders need no real terminal). Standard input is
//! read through one buffer, which a host that reads its own input from it too (the
//! REPL reading a pipe) shares with `read_line` ([`stdin_line`],
//! [`waiting_stdin_line`]): what one has read ahead, the other still gets. File
//! errors come back to Kiln as `Err` values carrying the operating system's message,
//! never as panics. This module must never print anything itself and never panic
//! except through the Kiln panics of `unwrap`.

use crate::desc::TypeDesc;
use crate::object::{make_variant1, none, some};
use crate::panic::raise;
use crate::string::{as_str, new_str};
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Stdin};
use std::sync::{LazyLock, Mutex, RwLock};

static ARGS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Sets what `args()` returns (the script's own arguments).
pub fn set_args(args: Vec<String>) {
    *ARGS.write().unwrap_or_else(|e| e.into_inner()) = args;
}

thread_local! {
    /// Input supplied by the host instead of the process's stdin, and how far
    /// `read_line` has read it.
    static INPUT: RefCell<Option<(String, usize)>> = const { RefCell::new(None) };
}

/// Makes `read_line` on this thread read `text` (or, with `None`, the process's
/// standard input again).
pub fn set_stdin(text: Option<String>) {
    INPUT.with(|i| *i.borrow_mut() = text.map(|t| (t, 0)));
}

/// The process's standard input, a line at a time, for `read_line` and the host
/// alike.
struct StdinLines {
    /// Larger than the standard library's own buffer of standard input, so that
    /// every read goes past it: what has arrived is either here or still in the
    /// pipe, which [`waiting_stdin_line`] relies on.
    reader: BufReader<Stdin>,
    /// A line read ahead by [`waiting_stdin_line`]: the next line either reader
    /// gets.
    peeked: Option<Vec<u8>>,
}

static STDIN: LazyLock<Mutex<StdinLines>> = LazyLock::new(|| {
    Mutex::new(StdinLines {
        reader: BufReader::with_capacity(64 * 1024, std::io::stdin()),
        peeked: None,
    })
});

impl StdinLines {
    fn next_line(&mut self) -> Option<Vec<u8>> {
        if let Some(line) = self.peeked.take() {
            return Some(line);
        }
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                if line.ends_with(b"\n") {
                    line.pop();
                    if line.ends_with(b"\r") {
                        line.pop();
                    }
                }
                Some(line)
            }
        }
    }
}

fn stdin_lines() -> std::sync::MutexGuard<'static, StdinLines> {
    STDIN.lock().unwrap_or_else(|e| e.into_inner())
}

/// The next line of the process's standard input, without its line ending (`\n`
/// or `\r\n`), as bytes (they may not be UTF-8); `None` at the end of input or
/// when it cannot be read. `read_line` reads the same lines.
pub fn stdin_line() -> Option<Vec<u8>> {
    stdin_lines().next_line()
}

/// The next line of standard input if it has (at least partly) arrived already,
/// without taking it: the next [`stdin_line`] or `read_line` gets it. `None` when
/// reading it would wait, and at the end of input.
pub fn waiting_stdin_line() -> Option<Vec<u8>> {
    let mut input = stdin_lines();
    if input.peeked.is_none() && (!input.reader.buffer().is_empty() || stdin_ready()) {
        input.peeked = input.next_line();
    }
    input.peeked.clone()
}

/// Whether standard input can be read without waiting (data, or its end).
fn stdin_ready() -> bool {
    let mut fd = libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid `pollfd`, and a zero timeout: `poll` only fills `revents`.
    unsafe { libc::poll(&mut fd, 1, 0) > 0 }
}

/// The next line without its line ending, or `None` at the end of input.
fn next_line() -> Option<String> {
    let supplied = INPUT.with(|i| {
        let mut i = i.borrow_mut();
        let (text, pos) = i.as_mut()?;
        if *pos >= text.len() {
            return Some(None);
        }
        let rest = &text[*pos..];
        let line = match rest.find('\n') {
            Some(n) => &rest[..n + 1],
            None => rest,
        };
        *pos += line.len();
        Some(Some(line.to_string()))
    });
    let mut line = match supplied {
        Some(line) => line?,
        None => return stdin_line().map(|line| String::from_utf8_lossy(&line).into_owned()),
    };
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    Some(line)
}

/// `read_line()`: `str?`, `None` at the end of input. Flushes stdout first, so a
/// prompt printed without a newline shows.
///
/// # Safety
/// `opt_desc` must be the descriptor of `Option<str>`.
pub unsafe extern "C-unwind" fn kiln_read_line(opt_desc: *const TypeDesc) -> *mut u8 {
    crate::output::flush_all();
    // SAFETY: guaranteed by the caller; the new string moves into the option.
    unsafe {
        match next_line() {
            Some(line) => some(opt_desc, new_str(&line) as u64),
            None => none(opt_desc),
        }
    }
}

/// The operating system's message for an error, without Rust's ` (os error N)`.
fn os_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

/// `read_file(path)`: `Result<str, str>`.
///
/// # Safety
/// `path` must be a live string and `res_desc` the descriptor of `Result<str, str>`.
pub unsafe extern "C-unwind" fn kiln_read_file(
    path: *const u8,
    res_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let path = unsafe { as_str(path) };
    let (tag, text) = match std::fs::read_to_string(path) {
        Ok(t) => (0, t),
        Err(e) => (1, os_message(&e)),
    };
    // SAFETY: guaranteed by the caller; the new string moves into the result.
    unsafe { make_variant1(res_desc, tag, new_str(&text) as u64) }
}

/// `write_file(path, text)`: `Result<(), str>`.
///
/// # Safety
/// `path` and `text` must be live strings and `res_desc` the descriptor of
/// `Result<(), str>`.
pub unsafe extern "C-unwind" fn kiln_write_file(
    path: *const u8,
    text: *const u8,
    res_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let (path, text) = unsafe { (as_str(path), as_str(text)) };
    // SAFETY: guaranteed by the caller; `Ok` holds a unit, `Err` the new string.
    unsafe {
        match std::fs::write(path, text) {
            Ok(()) => make_variant1(res_desc, 0, 0),
            Err(e) => make_variant1(res_desc, 1, new_str(&os_message(&e)) as u64),
        }
    }
}

/// `args()`: `[str]`.
///
/// # Safety
/// `arr_desc` must be the descriptor of `[str]`.
pub unsafe extern "C-unwind" fn kiln_args(arr_desc: *const TypeDesc) -> *mut u8 {
    let args = ARGS.read().unwrap_or_else(|e| e.into_inner());
    // SAFETY: guaranteed by the caller; each new string is owned by the array.
    unsafe {
        let out = crate::array::new_array(arr_desc, args.len());
        for a in args.iter() {
            crate::array::push(out, new_str(a) as u64);
        }
        out
    }
}

/// Raises `unwrap on None`.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_unwrap_none(fp: *const u8, site: i32) {
    // SAFETY: guaranteed by the caller.
    unsafe { raise(fp, site, "unwrap on None".into()) }
}

/// Raises `unwrap on Err: E` with `E` in its in-container form.
///
/// # Safety
/// `err` must be a value of the type `err_desc` describes.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_unwrap_err(
    fp: *const u8,
    site: i32,
    err: u64,
    err_desc: *const TypeDesc,
) {
    // SAFETY: guaranteed by the caller: `err` is a value of its type, `fp` as required.
    unsafe {
        let text = crate::value::to_text(err, &*err_desc, true);
        raise(fp, site, format!("unwrap on Err: {text}"))
    }
}
