//! Jensen–Shannon between two normals through the public `compare`, against the 64 30-digit
//! mpmath references of tests/reference/js_normal_reference.tsv
//! (tests/reference/js_normal_reference.py): near-identical pairs (JS ~ 1e-13), scale ratios
//! of 1e±6, means 20 to 1e4 standard deviations apart, sharp crossings.

use kl_explorer::distribution::Distribution;
use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::{Options, compare};

/// One row of the reference tables: `mean_p, sd_p, mean_q, sd_q, js` by tabs (a bad row
/// fails the test).
#[allow(clippy::unwrap_used)]
fn pair_row(line: &str) -> (Distribution, Distribution, f64) {
    let v: Vec<&str> = line.split('\t').collect();
    let p = parse_spec(&format!("normal({}, {})", v[0], v[1])).unwrap();
    let q = parse_spec(&format!("normal({}, {})", v[2], v[3])).unwrap();
    (p, q, v[4].parse().unwrap())
}

#[test]
fn normal_pair_js_is_within_its_stated_error_of_mpmath_in_nats_and_bits() {
    let table = include_str!("reference/js_normal_reference.tsv");
    let mut n = 0;
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let (p, q, want) = pair_row(line);
        let report = compare(&p, &q, &Options::default()).unwrap();
        let js = &report.js;
        assert!(
            (js.value - want).abs() <= js.error,
            "{line}: {} ± {:.1e} ({}), mpmath {want}",
            js.value,
            js.error,
            js.method
        );
        // Both ways round: JS is symmetric, and so is the rule's error.
        let back = compare(&q, &p, &Options::default()).unwrap().js;
        assert!(
            (back.value - want).abs() <= back.error,
            "{line} reversed: {back:?}"
        );
        let bits = report.in_unit(kl_explorer::divergence::Unit::Bits).js;
        let want_bits = want / std::f64::consts::LN_2;
        assert!(
            (bits.value - want_bits).abs()
                <= bits.error * (1.0 + 1e-15) + 4.0 * f64::EPSILON * want_bits,
            "{line} in bits: {bits:?}"
        );
        n += 1;
    }
    assert_eq!(n, 64);
}

/// The broader sweep of tests/reference/js_normal_sweep_reference.tsv (60 pairs, 30-digit
/// mpmath): the speed input's own pairs, scale ratios of 1e6 to 1e8 either way, means 1e2 to
/// 1e7 sds apart, equal sds 1e-3 to 30 sds apart, near-identical pairs (JS 1e-20 to 1e-15).
/// Each way round, the value is within its stated error of the reference, and the stated
/// error is at most 1e-10 of the value (the default relative tolerance) plus 1e-300.
#[test]
fn normal_pair_js_over_a_broad_sweep_is_within_a_small_stated_error_of_mpmath() {
    let table = include_str!("reference/js_normal_sweep_reference.tsv");
    let mut n = 0;
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let (p, q, want) = pair_row(line);
        for (a, b, way) in [(&p, &q, "P ‖ Q"), (&q, &p, "Q ‖ P")] {
            let js = compare(a, b, &Options::default()).unwrap().js;
            assert!(
                (js.value - want).abs() <= js.error,
                "{line} ({way}): {} ± {:.1e} ({}), mpmath {want}, off by {:.1e}",
                js.value,
                js.error,
                js.method,
                (js.value - want).abs()
            );
            assert!(
                js.error <= 1e-10 * want + 1e-300,
                "{line} ({way}): stated error {:.1e} of {want} ({})",
                js.error,
                js.method
            );
        }
        n += 1;
    }
    assert_eq!(n, 60);
}
