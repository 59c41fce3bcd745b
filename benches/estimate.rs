//! Speed of the estimator lab's Monte Carlo: 10^7 samples, all four estimators (means and
//! standard deviations), on both cores.
//!
//! `cargo bench --bench estimate`; `benches/estimate_numpy.py` times the vectorised
//! numpy/scipy code a user writes for the same pairs. Figures in docs/PERFORMANCE.md.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches panic on failure by design

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kl_explorer::cancel::{Cancel, Progress};
use kl_explorer::distribution::parse_spec;
use kl_explorer::estimate::{self, Clamp, McOptions};

/// The pairs, shared with benches/estimate_numpy.py.
pub const PAIRS: [(&str, &str); 2] = [
    ("normal(0,1)", "normal(0.1,1)"),
    ("gamma(2,1)", "log_normal(0.5,0.8)"),
];

/// Samples per run.
pub const N: u64 = 10_000_000;

fn monte_carlo(c: &mut Criterion) {
    let mut g = c.benchmark_group("estimate_1e7");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(2));
    for (p, q) in PAIRS {
        let (pd, qd) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        let opts = McOptions {
            n: N,
            seed: 1,
            clamp: Clamp::None,
            ..McOptions::default()
        };
        g.bench_function(format!("{p} vs {q}"), |b| {
            b.iter(|| {
                let r = estimate::run(&pd, &qd, &opts, &Cancel::default(), &Progress::default())
                    .unwrap();
                black_box(r.summaries)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, monte_carlo);
criterion_main!(benches);
