//! A complete fountain decoder: every part is a linear equation over GF(2) (the XOR
//! of some fragments), solved by incremental Gauss–Jordan elimination. The message is
//! known as soon as the parts received span all fragments, which is the fewest parts
//! any decoder can need (a peeling decoder can need many more).

/// One reduced equation: which fragments (bits) XOR to `data`.
struct Row {
    bits: Vec<u64>,
    data: Vec<u8>,
}

fn xor_into(a: &mut [u8], b: &[u8]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x ^= y);
}

fn xor_bits(a: &mut [u64], b: &[u64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x ^= y);
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] >> (i % 64) & 1 == 1
}

/// The solver of one message's fragments. Rows are kept in reduced echelon form: the
/// row at `pivots[i]` has bit `i` set, and no row has a bit set at another row's
/// pivot.
pub struct Solver {
    count: usize,
    fragment_len: usize,
    pivots: Vec<Option<Row>>,
    known: usize,
}

impl Solver {
    pub fn new(count: usize, fragment_len: usize) -> Self {
        Solver {
            count,
            fragment_len,
            pivots: (0..count).map(|_| None).collect(),
            known: 0,
        }
    }

    /// Adds one part: the XOR of the fragments at `indexes` is `data`. Returns
    /// whether it told something new. Parts of the wrong size or with indexes out of
    /// range are ignored (the caller checks them first).
    pub fn add(&mut self, indexes: &[usize], data: &[u8]) -> bool {
        if data.len() != self.fragment_len || indexes.iter().any(|&i| i >= self.count) {
            return false;
        }
        let mut row = Row {
            bits: vec![0; self.count.div_ceil(64)],
            data: data.to_vec(),
        };
        for &i in indexes {
            row.bits[i / 64] ^= 1 << (i % 64);
        }
        // Remove every known pivot from the new row. Pivot rows hold no other pivot,
        // so one pass over the pivots present at the start is enough.
        let present: Vec<usize> = (0..self.count)
            .filter(|&i| bit(&row.bits, i) && self.pivots[i].is_some())
            .collect();
        for i in present {
            if let Some(p) = &self.pivots[i] {
                xor_bits(&mut row.bits, &p.bits);
                xor_into(&mut row.data, &p.data);
            }
        }
        let Some(pivot) = (0..self.count).find(|&i| bit(&row.bits, i)) else {
            return false; // already implied by earlier parts
        };
        // Remove the new pivot from every other row.
        for other in self.pivots.iter_mut().flatten() {
            if bit(&other.bits, pivot) {
                xor_bits(&mut other.bits, &row.bits);
                xor_into(&mut other.data, &row.data);
            }
        }
        self.pivots[pivot] = Some(row);
        self.known += 1;
        true
    }

    /// How many independent equations are known (fragments' worth of information).
    pub fn known(&self) -> usize {
        self.known
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn is_complete(&self) -> bool {
        self.known == self.count
    }

    /// The fragments joined and cut to `len`, once complete. When every fragment is a
    /// pivot, each row holds its pivot bit alone, so its data is that fragment.
    pub fn joined(&self, len: usize) -> Option<Vec<u8>> {
        if !self.is_complete() {
            return None;
        }
        let mut out = Vec::with_capacity(self.count * self.fragment_len);
        for row in self.pivots.iter().flatten() {
            out.extend_from_slice(&row.data);
        }
        out.truncate(len);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_mixed_parts_that_peeling_cannot_start_on() {
        // Fragments a, b, c; parts a^b, b^c, a^b^c: no single fragment is ever seen.
        let (a, b, c) = ([1u8, 2], [4u8, 8], [16u8, 32]);
        let x = |p: &[u8], q: &[u8]| -> Vec<u8> { p.iter().zip(q).map(|(m, n)| m ^ n).collect() };
        let mut s = Solver::new(3, 2);
        assert!(s.add(&[0, 1], &x(&a, &b)));
        assert!(s.add(&[1, 2], &x(&b, &c)));
        assert!(!s.add(&[0, 2], &x(&a, &c)), "implied by the first two");
        assert!(!s.is_complete());
        assert!(s.add(&[0, 1, 2], &x(&x(&a, &b), &c)));
        assert_eq!(s.joined(5).unwrap(), vec![1, 2, 4, 8, 16]);
    }

    #[test]
    fn ignores_malformed_parts() {
        let mut s = Solver::new(2, 3);
        assert!(!s.add(&[0], &[1, 2]));
        assert!(!s.add(&[2], &[1, 2, 3]));
        assert_eq!(s.known(), 0);
        assert!(s.joined(6).is_none());
    }
}
