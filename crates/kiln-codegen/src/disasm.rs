//! Disassembly of JIT code for `kiln emit --asm` and the REPL's `:asm`.

/// Intel-syntax listing of x86-64 machine code that starts at `addr`.
#[cfg(target_arch = "x86_64")]
pub fn disassemble(code: &[u8], addr: u64) -> String {
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
    use std::fmt::Write;
    let mut decoder = Decoder::with_ip(64, code, addr, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut out = String::new();
    let mut text = String::new();
    while decoder.can_decode() {
        let inst = decoder.decode();
        text.clear();
        formatter.format(&inst, &mut text);
        let _ = writeln!(out, "  {:6x}  {}", inst.ip() - addr, text);
    }
    out
}

#[cfg(not(target_arch = "x86_64"))]
pub fn disassemble(code: &[u8], _addr: u64) -> String {
    format!(
        "  ({} bytes; disassembly is only available on x86-64)\n",
        code.len()
    )
}
