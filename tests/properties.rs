//! Properties that hold for every pair: KL ≥ 0, KL(P‖P) = 0, 0 ≤ JS ≤ ln 2, TV and Hellinger
//! in [0, 1]; and neither the spec parser nor the CSV reader panics on any input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use kl_explorer::distribution::{Distribution, parse_spec};
use kl_explorer::divergence::{Options, compare};
use kl_explorer::io::{CsvOptions, csv::read_histogram};
use proptest::prelude::*;

fn continuous() -> impl Strategy<Value = String> {
    prop_oneof![
        (-5.0..5.0f64, 0.1..5.0f64).prop_map(|(m, s)| format!("normal({m}, {s})")),
        (-5.0..5.0f64, 0.1..5.0f64).prop_map(|(m, s)| format!("laplace({m}, {s})")),
        (-5.0..5.0f64, 0.1..5.0f64).prop_map(|(m, s)| format!("cauchy({m}, {s})")),
        (-5.0..5.0f64, 0.2..5.0f64, 0.5..30.0f64)
            .prop_map(|(m, s, n)| format!("student_t({m}, {s}, {n})")),
        (0.2..10.0f64, 0.2..5.0f64).prop_map(|(a, b)| format!("gamma({a}, {b})")),
        (0.3..10.0f64, 0.3..10.0f64).prop_map(|(a, b)| format!("beta({a}, {b})")),
        (-1.0..1.0f64, 0.1..1.5f64).prop_map(|(m, s)| format!("log_normal({m}, {s})")),
        (0.3..5.0f64, 0.2..5.0f64).prop_map(|(k, l)| format!("weibull({k}, {l})")),
        (-5.0..5.0f64, 0.2..5.0f64).prop_map(|(m, s)| format!("gumbel({m}, {s})")),
        (-5.0..5.0f64, 0.5..5.0f64, 0.1..5.0f64, 0.5..3.0f64).prop_map(|(m1, s1, m2, s2)| format!(
            "0.4*normal({m1}, {s1}) + 0.6*laplace({m2}, {s2})"
        )),
    ]
}

fn discrete() -> impl Strategy<Value = String> {
    prop_oneof![
        (0.1..30.0f64).prop_map(|l| format!("poisson({l})")),
        (0.01..0.99f64, 1u32..60).prop_map(|(p, n)| format!("binomial({p}, {n})")),
        (0.05..1.0f64).prop_map(|p| format!("geometric({p})")),
        prop::collection::vec(-4.0..4.0f64, 2..8).prop_map(|v| format!(
            "logits({})",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    ]
}

fn d(s: &str) -> Distribution {
    parse_spec(s).unwrap()
}

fn check_pair(p: &Distribution, q: &Distribution) -> Result<(), TestCaseError> {
    let r = compare(p, q, &Options::default()).unwrap();
    for f in [&r.kl_pq, &r.kl_qp] {
        prop_assert!(!f.value.is_nan(), "NaN: {f:?}");
        // KL ≥ 0 up to the reported error.
        prop_assert!(f.value >= -(f.error + 1e-12), "negative KL {f:?}");
        if f.value.is_infinite() {
            prop_assert!(f.reason.is_some());
        }
    }
    let ln2 = std::f64::consts::LN_2;
    prop_assert!(
        r.js.value >= -1e-12 && r.js.value <= ln2 + 1e-12,
        "JS {:?}",
        r.js
    );
    prop_assert!(
        r.tv.value >= -1e-12 && r.tv.value <= 1.0 + 1e-12,
        "TV {:?}",
        r.tv
    );
    prop_assert!(
        r.hellinger.value >= 0.0 && r.hellinger.value <= 1.0,
        "H {:?}",
        r.hellinger
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn kl_is_non_negative_and_js_bounded_for_continuous_pairs(a in continuous(), b in continuous()) {
        check_pair(&d(&a), &d(&b))?;
    }

    #[test]
    fn kl_is_non_negative_and_js_bounded_for_discrete_pairs(a in discrete(), b in discrete()) {
        check_pair(&d(&a), &d(&b))?;
    }

    #[test]
    fn kl_of_a_distribution_with_itself_is_zero(a in prop_oneof![continuous(), discrete()]) {
        let p = d(&a);
        let r = compare(&p, &p, &Options::default()).unwrap();
        prop_assert!(r.kl_pq.value.abs() <= 1e-12, "{a}: {:?}", r.kl_pq);
        prop_assert!(r.js.value.abs() <= 1e-12, "{a}: {:?}", r.js);
    }

    #[test]
    fn spec_parser_never_panics_on_random_text(s in "\\PC{0,40}") {
        let _ = parse_spec(&s);
    }

    #[test]
    fn spec_parser_never_panics_on_spec_like_text(s in "[a-z_]{0,12}\\(?[-0-9., e=a-z*+()]{0,30}") {
        let _ = parse_spec(&s);
    }

    #[test]
    fn csv_reader_never_panics_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_histogram(bytes.as_slice(), "fuzz.csv", &CsvOptions::default());
    }

    #[test]
    fn csv_reader_never_panics_on_csv_like_text(s in "([-0-9.e,;\t #\"a-z]{0,20}\r?\n){0,12}") {
        let _ = read_histogram(s.as_bytes(), "fuzz.csv", &CsvOptions::default());
    }
}

#[test]
fn a_singular_edge_inside_the_other_support_is_never_hit_exactly() {
    // Found by the property above: beta's density is infinite at 0, which lies inside the
    // normal's support; a node rounding onto 0 made TV infinite.
    let p = d("normal(0, 0.1)");
    let q = d("beta(0.3, 0.42565043303967526)");
    let r = compare(&p, &q, &Options::default()).unwrap();
    assert!(r.tv.value.is_finite() && r.tv.value <= 1.0, "{:?}", r.tv);
    assert!(r.js.value.is_finite() && r.hellinger.value <= 1.0);
}
