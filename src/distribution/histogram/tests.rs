use super::*;

#[test]
fn bin_of_agrees_with_bisection_on_even_uneven_and_gapped_bins() {
    let even: Vec<_> = (0..1000)
        .map(|i| (f64::from(i) * 0.1, f64::from(i + 1) * 0.1, 1.0))
        .collect();
    let uneven: Vec<_> = (0..1000)
        .map(|i| (f64::from(i).powi(2), f64::from(i + 1).powi(2), 1.0))
        .collect();
    let gapped: Vec<_> = (0..1000)
        .map(|i| (f64::from(i) * 3.0, f64::from(i) * 3.0 + 1.0, 1.0))
        .collect();
    for bins in [even, uneven, gapped] {
        let h = Histogram::from_bins(&bins, Weights::Count, "t").unwrap();
        let slow = |x: f64| {
            let i = h.lefts().partition_point(|l| *l <= x);
            (i > 0 && x <= h.rights()[i - 1]).then(|| i - 1)
        };
        let (lo, hi) = (h.lefts()[0], h.rights()[h.len() - 1]);
        let mut xs: Vec<f64> = h.lefts().iter().chain(h.rights()).copied().collect();
        xs.extend((0..20_000).map(|k| lo - 1.0 + (hi - lo + 2.0) * f64::from(k) / 20_000.0));
        xs.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            lo.next_down(),
            hi.next_up(),
        ]);
        for x in xs {
            assert_eq!(h.bin_of(x), slow(x), "x = {x}");
        }
    }
}

#[test]
fn density_is_count_over_total_times_width() {
    let h = Histogram::from_bins(&[(0.0, 1.0, 1.0), (1.0, 3.0, 3.0)], Weights::Count, "t").unwrap();
    assert!((h.ln_density(0.5) - (0.25f64).ln()).abs() < 1e-15);
    assert!((h.ln_density(2.0) - (0.375f64).ln()).abs() < 1e-15);
    assert_eq!(h.ln_density(3.5), f64::NEG_INFINITY);
}

#[test]
fn unsorted_bins_are_sorted_and_said() {
    let h = Histogram::from_bins(&[(1.0, 2.0, 1.0), (0.0, 1.0, 1.0)], Weights::Count, "t").unwrap();
    assert_eq!(h.lefts(), &[0.0, 1.0]);
    assert!(h.note_lines().iter().any(|n| n.contains("sorted")));
}

#[test]
fn overlapping_bins_are_refused() {
    let err =
        Histogram::from_bins(&[(0.0, 2.0, 1.0), (1.0, 3.0, 1.0)], Weights::Count, "t").unwrap_err();
    assert!(matches!(err, HistogramError::Overlap { index: 1, .. }));
}

#[test]
fn edges_that_differ_by_rounding_are_joined_and_said() {
    let h = Histogram::from_bins(
        &[(0.0, 0.30000000000000004, 1.0), (0.3, 1.0, 1.0)],
        Weights::Count,
        "t",
    )
    .unwrap();
    assert_eq!(h.rights()[0], 0.3);
    assert!(h.note_lines().iter().any(|n| n.contains("rounding")));
    // The other way round: a gap of 5.6e-17 is no gap (KL would be infinite there), but
    // a real one stays.
    let h = Histogram::from_bins(
        &[(0.0, 0.3, 1.0), (0.1 * 3.0, 1.0, 1.0), (1.5, 2.0, 1.0)],
        Weights::Count,
        "t",
    )
    .unwrap();
    assert_eq!(h.rights()[0], 0.1 * 3.0);
    assert_eq!(h.support(), [(0.0, 1.0), (1.5, 2.0)]);
    assert!(h.note_lines().iter().any(|n| n.contains("rounding")));
    assert!(
        h.note_lines().iter().any(|n| n.contains("1 gap(s)")),
        "{:?}",
        h.note_lines()
    );
}

#[test]
fn quantile_inverts_cdf() {
    let h = Histogram::from_bins(&[(0.0, 1.0, 1.0), (2.0, 3.0, 3.0)], Weights::Count, "t").unwrap();
    for p in [0.1, 0.25, 0.5, 0.9] {
        assert!((h.cdf(h.quantile(p)) - p).abs() < 1e-12);
    }
}
