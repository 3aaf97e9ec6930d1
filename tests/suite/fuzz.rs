//! What the random-session tests (`cli_fuzz`, `build_fuzz`) share: a replayable
//! random sequence and the environment knobs for longer runs.

/// xorshift64*: a fixed sequence per seed, so a failure can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|n| n.parse().ok())
}

/// How many cases per seed (`LAYERLAB_FUZZ`) and which seeds: 1..=`LAYERLAB_FUZZ_SEEDS`,
/// or `LAYERLAB_FUZZ_SEED` alone (to replay one).
pub fn settings(cases: usize, seeds: u64) -> (usize, std::ops::RangeInclusive<u64>) {
    let cases = env_number("LAYERLAB_FUZZ").map_or(cases, |n| n as usize);
    let seeds = env_number("LAYERLAB_FUZZ_SEEDS").unwrap_or(seeds);
    let range = env_number("LAYERLAB_FUZZ_SEED").map_or(1..=seeds, |s| s..=s);
    (cases, range)
}
