//! Mixtures with more components than the engine sums directly (its density then goes
//! through the index of src/distribution/mixture.rs) against 30-digit mpmath references
//! (tests/reference/mixture_reference.py): overlapping mixtures of three families, a mixture
//! against a mixture, and narrow components far apart. Each KL is within 1e-9 relative, and
//! within its stated error where that is larger.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::{Options, kl_divergence};

const REFERENCE: &str = include_str!("reference/mixture_reference.tsv");

#[test]
fn mixture_kl_matches_mpmath_within_its_stated_error() {
    let mut cases = 0;
    for line in REFERENCE.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let (p, q) = (parse_spec(f[0]).unwrap(), parse_spec(f[1]).unwrap());
        let want: f64 = f[2].parse().unwrap();
        let got = kl_divergence(&p, &q, &Options::default()).unwrap();
        let err = (got.value - want).abs();
        assert!(
            err <= 1e-9 * want && err <= got.error.max(1e-12 * want),
            "{} ‖ {}: {} ± {:.1e} against {want} ({})",
            p.short_name(),
            q.short_name(),
            got.value,
            got.error,
            got.method
        );
        cases += 1;
    }
    assert_eq!(cases, 8);
}
