//! Where the generator's choices come from: a seeded generator for the command
//! and the tests, or the bytes of a fuzzer's input, so that a coverage-guided
//! fuzzer steers the choices.

/// A source of random choices.
pub trait Source {
    fn next_u64(&mut self) -> u64;
}

/// SplitMix64: small, fast, and every seed gives a different, reproducible stream.
pub struct SplitMix(pub u64);

impl Source for SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The bytes of a fuzzer's input, eight at a time; zeros once they run out, so
/// every input makes a (possibly small) program.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data }
    }
}

impl Source for Bytes<'_> {
    fn next_u64(&mut self) -> u64 {
        let n = self.data.len().min(8);
        let mut word = [0u8; 8];
        word[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        u64::from_le_bytes(word)
    }
}
