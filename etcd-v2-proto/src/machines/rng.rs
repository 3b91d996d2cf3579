//! A small deterministic pseudo-random generator (SplitMix64) for endpoint shuffling.
//!
//! The core never reads entropy itself: callers seed it (from the OS, a clock, or a fixed value in
//! tests), which keeps shuffles reproducible. Not suitable for cryptography.

/// SplitMix64 pseudo-random number generator.
///
/// ```
/// use etcd_v2_proto::Rng;
/// let mut rng = Rng::new(7);
/// let mut endpoints = ["a", "b", "c"];
/// rng.shuffle(&mut endpoints);
/// endpoints.sort_unstable();
/// assert_eq!(endpoints, ["a", "b", "c"]);
/// assert!(rng.below(10) < 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`; equal seeds give equal sequences.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 uniformly distributed bits.
    pub const fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniformly distributed integer in `0..n`, without modulo bias (Lemire's method).
    ///
    /// Returns 0 when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut product = u128::from(self.next_u64()) * u128::from(n);
        let mut low = product as u64;
        if low < n {
            // Reject the few low halves that would over-represent some results.
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                product = u128::from(self.next_u64()) * u128::from(n);
                low = product as u64;
            }
        }
        (product >> 64) as u64
    }

    /// Shuffles `items` in place, every permutation being equally likely (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let bound = u64::try_from(i).map_or(u64::MAX, |i| i + 1);
            let j = usize::try_from(self.below(bound)).unwrap_or(i);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Reference outputs of SplitMix64 seeded with 1234567.
        let mut rng = Rng::new(1_234_567);
        let want = [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ];
        for value in want {
            assert_eq!(rng.next_u64(), value);
        }
    }

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let mut c = Rng::new(43);
        let xs: [u64; 8] = core::array::from_fn(|_| a.next_u64());
        let ys: [u64; 8] = core::array::from_fn(|_| b.next_u64());
        let zs: [u64; 8] = core::array::from_fn(|_| c.next_u64());
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::new(0);
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
        for n in [2, 3, 7, 10, 1000, u64::MAX / 3, u64::MAX - 1, u64::MAX] {
            for _ in 0..1000 {
                assert!(rng.below(n) < n);
            }
        }
    }

    #[test]
    fn below_is_uniform() {
        let mut rng = Rng::new(99);
        let mut counts = [0_u32; 6];
        for _ in 0..60_000 {
            counts[usize::try_from(rng.below(6)).unwrap()] += 1;
        }
        for count in counts {
            assert!((9_400..=10_600).contains(&count), "{counts:?}");
        }
    }

    #[test]
    fn shuffle_keeps_elements() {
        let mut rng = Rng::new(5);
        let mut empty: [u8; 0] = [];
        rng.shuffle(&mut empty);
        let mut one = [1];
        rng.shuffle(&mut one);
        assert_eq!(one, [1]);
        let mut items: [u32; 50] = core::array::from_fn(|i| u32::try_from(i).unwrap());
        rng.shuffle(&mut items);
        let mut sorted = items;
        sorted.sort_unstable();
        assert_eq!(sorted, core::array::from_fn(|i| u32::try_from(i).unwrap()));
        assert_ne!(items, sorted);
    }

    /// Reference vector #36 as a property: each of three endpoints is pinned first in
    /// 1/3 ± 0.05 of differently-seeded shuffles.
    #[test]
    fn shuffle_puts_each_item_first_uniformly() {
        const SEEDS: u32 = 3000;
        let mut first = [0_u32; 3];
        let mut permutations = [0_u32; 6];
        for seed in 0..SEEDS {
            let mut items = [0_usize, 1, 2];
            Rng::new(u64::from(seed)).shuffle(&mut items);
            first[items[0]] += 1;
            let index = match items {
                [0, 1, 2] => 0,
                [0, 2, 1] => 1,
                [1, 0, 2] => 2,
                [1, 2, 0] => 3,
                [2, 0, 1] => 4,
                _ => 5,
            };
            permutations[index] += 1;
        }
        for count in first {
            let share = f64::from(count) / f64::from(SEEDS);
            assert!((share - 1.0 / 3.0).abs() <= 0.05, "{first:?}");
        }
        for count in permutations {
            let share = f64::from(count) / f64::from(SEEDS);
            assert!((share - 1.0 / 6.0).abs() <= 0.05, "{permutations:?}");
        }
    }
}
