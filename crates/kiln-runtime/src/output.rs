//! Kiln's standard output and standard error streams.
//!
//! Standard output is buffered (large writes from `print` in a loop must not cost a
//! system call each); standard error is written at once, after flushing standard
//! output so the two interleave as the program wrote them. Stream 0 is stdout,
//! stream 1 is stderr. A host can capture both with [`capture`] instead of the
//! process streams.

use crate::format;
use std::cell::RefCell;
use std::io::Write;

struct Streams {
    out: Vec<u8>,
    /// When set, output goes to these buffers instead of the process streams.
    captured: Option<(Vec<u8>, Vec<u8>)>,
}

thread_local! {
    static STREAMS: RefCell<Streams> = const {
        RefCell::new(Streams { out: Vec::new(), captured: None })
    };
}

const FLUSH_AT: usize = 1 << 16;

fn write(stream: i32, bytes: &[u8]) {
    STREAMS.with(|s| {
        let mut s = s.borrow_mut();
        if let Some((out, err)) = s.captured.as_mut() {
            if stream == 1 { err } else { out }.extend_from_slice(bytes);
            return;
        }
        if stream == 1 {
            flush_buffer(&mut s.out);
            let _ = std::io::stderr().write_all(bytes);
        } else {
            s.out.extend_from_slice(bytes);
            if s.out.len() >= FLUSH_AT {
                flush_buffer(&mut s.out);
            }
        }
    });
}

fn flush_buffer(buf: &mut Vec<u8>) {
    if !buf.is_empty() {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(buf);
        let _ = stdout.flush();
        buf.clear();
    }
}

/// Writes buffered standard output to the process's stdout.
pub fn flush_all() {
    STREAMS.with(|s| flush_buffer(&mut s.borrow_mut().out));
}

/// Starts capturing this thread's output into memory.
pub fn capture() {
    STREAMS.with(|s| s.borrow_mut().captured = Some((Vec::new(), Vec::new())));
}

/// Stops capturing and returns what was captured as (stdout, stderr).
pub fn take_captured() -> (String, String) {
    STREAMS.with(|s| {
        let (out, err) = s.borrow_mut().captured.take().unwrap_or_default();
        (
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    })
}

/// Writes text to a stream (0 stdout, 1 stderr).
pub fn write_str(stream: i32, text: &str) {
    write(stream, text.as_bytes());
}

pub extern "C-unwind" fn kiln_print_i64(stream: i32, v: i64) {
    write_str(stream, &v.to_string());
}

pub extern "C-unwind" fn kiln_print_u64(stream: i32, v: u64) {
    write_str(stream, &v.to_string());
}

pub extern "C-unwind" fn kiln_print_f64(stream: i32, v: f64) {
    write_str(stream, &format::f64_text(v));
}

pub extern "C-unwind" fn kiln_print_f32(stream: i32, v: f32) {
    write_str(stream, &format::f32_text(v));
}

pub extern "C-unwind" fn kiln_print_bool(stream: i32, v: i8) {
    write_str(stream, if v != 0 { "true" } else { "false" });
}

pub extern "C-unwind" fn kiln_print_char(stream: i32, v: u32) {
    let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
    write_str(stream, c.encode_utf8(&mut [0; 4]));
}

/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_print_str(stream: i32, s: *const u8) {
    // SAFETY: compiled code passes a live string object.
    write_str(stream, unsafe { crate::string::as_str(s) });
}

pub extern "C-unwind" fn kiln_print_unit(stream: i32) {
    write_str(stream, "()");
}

pub extern "C-unwind" fn kiln_print_newline(stream: i32) {
    write_str(stream, "\n");
}
