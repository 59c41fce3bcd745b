//! The permutation test of one column: is the observed JS more than chance?
//!
//! Under "no drift" the two sides are one pool, and which rows are "reference" is a random
//! split of it. A permutation pools both sides, reshuffles, and takes the first n_ref rows as
//! the reference. Only the bin counts of that split matter, and for a uniform reshuffle they
//! follow the multivariate hypergeometric law exactly, so each permutation draws them bin by
//! bin (a hypergeometric draw per bin from what is left of the pool), in O(bins) instead of
//! O(rows), and recomputes JS (and PSI) on the same bins with the same smoothing.
//!
//! Permutation i draws from its own generator seeded from (seed, i), and the results are
//! gathered in order: a seed gives the same answer whatever the thread count. The p-value is
//! (1 + #{JS_i ≥ JS_observed}) / (N + 1), which is valid (never below the level under the
//! null) for any N.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution as _, Hypergeometric};
use rayon::prelude::*;

use super::binning::quantile_sorted;
use super::figures::{js_nats, probabilities, psi};
use crate::cancel::{Cancel, Cancelled, Progress};

/// The test's answer.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PermutationTest {
    /// Permutations drawn.
    pub permutations: usize,
    /// The seed.
    pub seed: u64,
    /// JS on the observed split (nats).
    pub observed_js: f64,
    /// (1 + #{JS_i ≥ observed}) / (N + 1).
    pub p_value: f64,
    /// The null's 95th percentile of JS (numpy's linear interpolation).
    pub null_js_95: f64,
    /// The null's 99th percentile of JS.
    pub null_js_99: f64,
    /// Fraction of permutations with PSI > 0.1: the false-alarm rate of the 0.1 rule at
    /// these sample sizes and bins.
    pub psi_alarm_rate_010: f64,
    /// Fraction of permutations with PSI > 0.25.
    pub psi_alarm_rate_025: f64,
}

/// Permutations per chunk between looks at the cancel flag.
const CHUNK: usize = 32;

/// A well-mixed seed for permutation `i`.
fn stream_seed(seed: u64, i: u64) -> u64 {
    // splitmix64 of (seed, i): neighbouring i give unrelated streams.
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The reference counts of one random split of the pool.
fn split(pool: &[u64], n_ref: u64, rng: &mut Xoshiro256PlusPlus) -> Vec<u64> {
    let mut left: u64 = pool.iter().sum();
    let mut draws = n_ref;
    pool.iter()
        .map(|&c| {
            if draws == 0 || c == 0 {
                left -= c;
                return 0;
            }
            let x = if c == left {
                draws
            } else {
                match Hypergeometric::new(left, c, draws) {
                    Ok(h) => h.sample(rng),
                    Err(_) => 0,
                }
            };
            left -= c;
            draws -= x;
            x
        })
        .collect()
}

/// Runs `permutations` permutations of the counts `reference` and `current` (same bins),
/// with pseudo-count `alpha` per bin.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn permutation_test(
    reference: &[u64],
    current: &[u64],
    alpha: f64,
    permutations: usize,
    seed: u64,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<PermutationTest, Cancelled> {
    permutation_test_reporting(
        reference,
        current,
        alpha,
        permutations,
        seed,
        cancel,
        &|f| progress.set(f),
    )
}

/// [`permutation_test`], telling `progress` the fraction done after each chunk of
/// permutations.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn permutation_test_reporting(
    reference: &[u64],
    current: &[u64],
    alpha: f64,
    permutations: usize,
    seed: u64,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<PermutationTest, Cancelled> {
    let observed_js = js_nats(
        &probabilities(reference, alpha),
        &probabilities(current, alpha),
    );
    let pool: Vec<u64> = reference.iter().zip(current).map(|(a, b)| a + b).collect();
    let n_ref: u64 = reference.iter().sum();
    let chunks = permutations.div_ceil(CHUNK);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(f64, f64)>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            cancel.check()?;
            let out = (c * CHUNK..((c + 1) * CHUNK).min(permutations))
                .map(|i| {
                    let mut rng = Xoshiro256PlusPlus::seed_from_u64(stream_seed(seed, i as u64));
                    let a = split(&pool, n_ref, &mut rng);
                    let b: Vec<u64> = pool.iter().zip(&a).map(|(p, x)| p - x).collect();
                    let (pa, pb) = (probabilities(&a, alpha), probabilities(&b, alpha));
                    (js_nats(&pa, &pb), psi(&pa, &pb))
                })
                .collect();
            let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            #[allow(clippy::cast_precision_loss)]
            progress(finished as f64 / chunks.max(1) as f64);
            Ok(out)
        })
        .collect::<Result<_, Cancelled>>()?;
    let null: Vec<(f64, f64)> = results.into_iter().flatten().collect();
    let mut js: Vec<f64> = null.iter().map(|r| r.0).collect();
    // Ties with the observed value count as at least as extreme; a few ulps of rounding in
    // the sums must not decide that.
    let tol = 1e-12 * observed_js.abs().max(1e-300);
    let extreme = js.iter().filter(|&&v| v >= observed_js - tol).count();
    js.sort_by(f64::total_cmp);
    #[allow(clippy::cast_precision_loss)]
    let n = permutations as f64;
    let rate = |t: f64| {
        #[allow(clippy::cast_precision_loss)]
        let k = null.iter().filter(|r| r.1 > t).count() as f64;
        if permutations == 0 { f64::NAN } else { k / n }
    };
    let pct = |q: f64| {
        if js.is_empty() {
            f64::NAN
        } else {
            quantile_sorted(&js, q)
        }
    };
    #[allow(clippy::cast_precision_loss)]
    Ok(PermutationTest {
        permutations,
        seed,
        observed_js,
        p_value: (1.0 + extreme as f64) / (n + 1.0),
        null_js_95: pct(0.95),
        null_js_99: pct(0.99),
        psi_alarm_rate_010: rate(0.1),
        psi_alarm_rate_025: rate(0.25),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_keeps_the_pool_and_the_reference_size() {
        let pool = [5u64, 0, 17, 3, 40];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..100 {
            let a = split(&pool, 30, &mut rng);
            assert_eq!(a.iter().sum::<u64>(), 30);
            assert!(a.iter().zip(&pool).all(|(x, p)| x <= p));
        }
    }

    #[test]
    fn the_answer_is_the_same_whatever_the_thread_count() {
        let (a, b) = ([30u64, 50, 20], [35u64, 40, 25]);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    permutation_test(&a, &b, 0.0, 500, 7, &Cancel::default(), &Progress::new())
                        .unwrap()
                })
        };
        assert_eq!(run(1), run(3));
    }
}
