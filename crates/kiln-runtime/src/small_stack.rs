//! A stack that keeps its first `N` entries inline and only allocates beyond them.
//!
//! The walks over values in [`crate::value`] (equality, printing) keep their path in
//! one of these instead of recursing natively, so that a value nested a million
//! levels deep needs heap, not native stack, while comparing or printing a small value
//! allocates nothing. Entries are `Copy`, so nothing here ever runs a destructor.

use std::mem::MaybeUninit;

pub struct SmallStack<T: Copy, const N: usize> {
    inline: [MaybeUninit<T>; N],
    /// Entries past the first `N`, in order.
    spill: Vec<T>,
    len: usize,
}

impl<T: Copy, const N: usize> SmallStack<T, N> {
    #[inline(always)]
    pub fn new() -> Self {
        SmallStack {
            inline: [const { MaybeUninit::uninit() }; N],
            spill: Vec::new(),
            len: 0,
        }
    }

    #[inline(always)]
    pub fn push(&mut self, x: T) {
        if self.len < N {
            self.inline[self.len] = MaybeUninit::new(x);
        } else {
            self.spill.push(x);
        }
        self.len += 1;
    }

    #[inline(always)]
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        if self.len < N {
            // SAFETY: entries below `len` (before the decrement) were written by `push`.
            Some(unsafe { self.inline[self.len].assume_init() })
        } else {
            self.spill.pop()
        }
    }

    #[inline(always)]
    pub fn last_mut(&mut self) -> Option<&mut T> {
        match self.len {
            0 => None,
            n if n <= N => {
                // SAFETY: entries below `len` were written by `push`.
                Some(unsafe { self.inline[n - 1].assume_init_mut() })
            }
            _ => self.spill.last_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SmallStack;

    #[test]
    fn spills_past_the_inline_entries_and_back() {
        let mut s: SmallStack<u32, 2> = SmallStack::new();
        for i in 0..5 {
            s.push(i);
        }
        *s.last_mut().unwrap() = 40;
        assert_eq!(s.pop(), Some(40));
        assert_eq!(s.pop(), Some(3));
        assert_eq!(s.pop(), Some(2));
        assert_eq!(s.last_mut().copied(), Some(1));
        assert_eq!(s.pop(), Some(1));
        assert_eq!(s.pop(), Some(0));
        assert_eq!(s.pop(), None);
        s.push(7);
        assert_eq!(s.pop(), Some(7));
    }
}
