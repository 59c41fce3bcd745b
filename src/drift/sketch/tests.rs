//! The quantile sketch against the column in memory: the same bins and counts, or none.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt as _, SeedableRng};
use rand_distr::{Distribution as _, Normal};

use super::super::binning::quantile_bins_counted;
use super::*;

/// The column read through `sketch` as a read would: in `parts` parts, each counting and
/// keeping its own values.
fn read(sketch: &QuantileSketch, column: &[f64], parts: usize) -> (Vec<u64>, Kept) {
    let mut counts = vec![0; sketch.bins()];
    let mut kept = Kept::new();
    for piece in column.chunks(column.len().div_ceil(parts).max(1)) {
        let mut mine = Vec::new();
        // In runs of a few values, as a part adds its numbers after each piece.
        for run in piece.chunks(700) {
            sketch.add_keeping(run, &mut counts, &mut mine);
        }
        kept.extend_from_slice(&mine);
    }
    (counts, kept)
}

/// Every `step`-th value, as the sample.
fn every(column: &[f64], step: usize) -> Vec<f64> {
    column.iter().step_by(step).copied().collect()
}

fn normal(n: usize, seed: u64, round: f64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let d = Normal::new(0.3, 2.0).unwrap();
    (0..n)
        .map(|_| (d.sample(&mut rng) * round).round() / round)
        .collect()
}

#[test]
fn the_bins_and_counts_are_those_of_the_column_in_memory() {
    for (seed, &k) in [2usize, 4, 10, 33].iter().enumerate() {
        for round in [1e6, 1e2] {
            let column = normal(200_000, seed as u64, round);
            let mut sample = every(&column, 4);
            let sketch = QuantileSketch::from_sample(k, &mut sample, 5.0, 0.9)
                .expect("a sketch for a random column");
            let (counts, kept) = read(&sketch, &column, 5);
            let kept_values = kept.len();
            assert!(kept_values < column.len() * 9 / 10, "kept {kept_values}");
            let got = sketch.finish(&counts, &kept).expect("the sample holds");
            assert_eq!(
                got,
                quantile_bins_counted(k, &column),
                "k {k}, round {round}"
            );
        }
    }
}

#[test]
fn signed_zeros_ties_and_infinities_give_the_same_bins() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    // Most values a zero of either sign, the rest few-valued with infinities.
    let column: Vec<f64> = (0..120_000)
        .map(|_| match rng.random_range(0..10) {
            0..=2 => 0.0,
            3..=5 => -0.0,
            6 => f64::INFINITY,
            7 => f64::NEG_INFINITY,
            _ => f64::from(rng.random_range(-3i32..4)) * 0.5,
        })
        .collect();
    for k in [2, 3, 5, 10] {
        let mut sample = every(&column, 11);
        let Some(sketch) = QuantileSketch::from_sample(k, &mut sample, 5.0, 1.0) else {
            continue;
        };
        let (counts, kept) = read(&sketch, &column, 3);
        if let Some(got) = sketch.finish(&counts, &kept) {
            assert_eq!(got, quantile_bins_counted(k, &column), "k {k}");
        }
    }
    // And one zero-heavy column whose edges land on ±0, which must be sketched.
    let column: Vec<f64> = (0..50_000)
        .map(|i| match i % 4 {
            0 => -0.0,
            1 => 0.0,
            2 => f64::from(i % 97) - 48.0,
            _ => f64::from(i % 13) * 0.25,
        })
        .collect();
    let mut sample = every(&column, 7);
    let sketch = QuantileSketch::from_sample(4, &mut sample, 5.0, 1.0).expect("a sketch");
    let (counts, kept) = read(&sketch, &column, 4);
    let got = sketch.finish(&counts, &kept).expect("the sample holds");
    assert_eq!(got, quantile_bins_counted(4, &column));
}

#[test]
fn a_sample_the_column_belies_gives_no_answer_rather_than_a_wrong_one() {
    // A sorted column whose sample is its first rows only: every range lies low.
    let column: Vec<f64> = (0..100_000).map(|i| f64::from(i) * 0.001).collect();
    let mut sample = column[..20_000].to_vec();
    let sketch = QuantileSketch::from_sample(10, &mut sample, 5.0, 1.0).expect("a sketch");
    let (counts, kept) = read(&sketch, &column, 2);
    assert_eq!(sketch.finish(&counts, &kept), None);
}

#[test]
fn any_columns_counts_in_the_final_bins_are_exact_or_refused() {
    let reference = normal(100_000, 3, 1e4);
    let mut sample = every(&reference, 3);
    let sketch = QuantileSketch::from_sample(10, &mut sample, 5.0, 0.5).expect("a sketch");
    let (counts, kept) = read(&sketch, &reference, 2);
    let (bins, _) = sketch.finish(&counts, &kept).expect("the sample holds");
    // A current side shifted a little: counted exactly through the same sketch.
    let current: Vec<f64> = normal(80_000, 4, 1e4).iter().map(|x| x + 0.05).collect();
    let (counts, kept) = read(&sketch, &current, 3);
    let (mut values, mut gathered) = (Vec::new(), Vec::new());
    let got = sketch.counts_in(&bins, &counts, &kept, &mut values, &mut gathered);
    assert_eq!(got, Some(bins.count(&current)));
    // A current side far away puts values in the gaps around the edges: refused.
    let far: Vec<f64> = current.iter().map(|x| x * 40.0).collect();
    let (counts, kept) = read(&sketch, &far, 3);
    let (mut values, mut gathered) = (Vec::new(), Vec::new());
    let got = sketch.counts_in(&bins, &counts, &kept, &mut values, &mut gathered);
    assert!(got.is_none() || got == Some(bins.count(&far)));
}

#[test]
fn the_kept_share_estimates_the_share_a_read_keeps() {
    // The estimate the reader reserves room by: the sample's share, which a column of the
    // same distribution's read keeps within its sampling error (a sample of 25 000 gives
    // a standard error of about 0.003 for a share near 0.2).
    for (k, margin) in [(10, 5.0), (4, 2.0), (20, 3.5)] {
        let column = normal(400_000, 5, 1e6);
        let mut sample = normal(25_000, 6, 1e6);
        let sketch = QuantileSketch::from_sample(k, &mut sample, margin, 0.9).expect("a sketch");
        let (_, kept) = read(&sketch, &column, 3);
        #[allow(clippy::cast_precision_loss)]
        let read_share = kept.len() as f64 / column.len() as f64;
        let share = sketch.kept_share();
        assert!(share > 0.01, "k {k}: share {share}");
        assert!(
            (share - read_share).abs() < 0.015,
            "k {k}: estimated {share}, read kept {read_share}"
        );
    }
    // A counter that keeps nothing estimates nothing.
    let bins = quantile_bins_counted(4, &normal(1000, 7, 1e6)).0;
    assert!(bins.kept_share().abs() < f64::EPSILON);
}

#[test]
fn a_sample_too_small_or_too_wide_gives_no_sketch() {
    let column = normal(500, 1, 1e6);
    assert!(QuantileSketch::from_sample(10, &mut column.clone(), 5.0, 0.5).is_none());
    let column = normal(20_000, 1, 1e6);
    // Ranges that would keep nearly every value.
    assert!(QuantileSketch::from_sample(10, &mut column.clone(), 500.0, 0.5).is_none());
    assert!(QuantileSketch::from_sample(1, &mut column.clone(), 5.0, 0.5).is_none());
    // A margin that is no width at all.
    for margin in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(QuantileSketch::from_sample(2, &mut column.clone(), margin, 0.5).is_none());
    }
}
