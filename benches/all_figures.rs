//! Every figure of a comparison (KL both ways, entropies, JS, TV, Hellinger) by quadrature:
//! the path the symmetric figures' crossings and rounding terms run on.
//!
//! `cargo bench --bench all_figures`; figures in docs/PERFORMANCE.md ("Extremes").

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches panic on failure by design

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::{Options, compare};

/// Pairs with no closed form for the symmetric figures (the same as benches/divergence.rs's
/// quadrature pairs).
const PAIRS: [(&str, &str); 8] = [
    ("normal(0,1)", "laplace(0,1)"),
    ("normal(0,1)", "student_t(0,1,3)"),
    ("0.3*normal(-2,1)+0.7*normal(2,0.5)", "normal(0,2)"),
    ("beta(0.5,0.5)", "uniform(0,1)"),
    ("gamma(2,1)", "log_normal(0.5,0.7)"),
    ("gumbel(0,1)", "normal(0,2)"),
    ("cauchy(0,1)", "student_t(0,1,2)"),
    ("weibull(1.5,1)", "gamma(2,2)"),
];

fn all_figures(c: &mut Criterion) {
    let mut g = c.benchmark_group("all_figures");
    for (p, q) in PAIRS {
        let (pd, qd) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        g.bench_function(format!("{p} ‖ {q}"), |b| {
            b.iter(|| compare(black_box(&pd), black_box(&qd), &Options::default()).unwrap())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = all_figures
}
criterion_main!(benches);
