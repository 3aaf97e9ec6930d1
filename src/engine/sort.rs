//! One sort routine for the whole crate.
//!
//! `slice::sort_by` is generic: every element type and every comparison closure gets
//! its own copy of the standard library's sort (2–4 KB of wasm each; the web bundle
//! carried 32 of them). Here the sorting runs once, on indices, through a `dyn`
//! comparison; only the small permutation step is generic. Stable, like `sort_by`.

use std::cmp::Ordering;

/// Stable sort by a comparison, like `slice::sort_by`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let v = &*v;
        sorted_indices(v.len(), &mut |a, b| cmp(&v[a], &v[b]))
    };
    permute(v, order);
}

/// Stable sort of an `Ord` slice, like `slice::sort`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Stable sort by a key, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The one instantiation of the standard library's stable sort.
#[inline(never)]
fn sorted_indices(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Rearranges `v` so that `v[i]` becomes the old `v[order[i]]`, following the
/// permutation's cycles with swaps.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut j = start;
        while order[j] != j {
            let k = order[j];
            order[j] = j;
            if k == start {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_stable_sort() {
        // A deterministic pseudo-random sequence with many equal keys.
        let mut x: u32 = 12345;
        for n in [0usize, 1, 2, 3, 7, 50, 333] {
            let items: Vec<(u32, usize)> = (0..n)
                .map(|i| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((x >> 16) % 13, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std = items.clone();
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "n = {n}");
            let mut desc = items.clone();
            sort_by(&mut desc, |a, b| b.0.cmp(&a.0));
            let mut std_desc = items;
            std_desc.sort_by_key(|b| std::cmp::Reverse(b.0));
            assert_eq!(desc, std_desc, "n = {n}");
        }
        let mut words = vec!["b", "a", "c", "a"];
        sort(&mut words);
        assert_eq!(words, ["a", "a", "b", "c"]);
    }
}
