//! Speed of the divergence family (issue 15): D_α by closed form and by quadrature (closed
//! forms turned off, and pairs that have none), and the α curve the window draws (D_α both
//! ways at 52 orders from 0.02 to 5).
//!
//! `cargo bench --bench renyi`; `python3 benches/renyi_scipy.py` times scipy.integrate.quad
//! on the same integrals. Figures are in docs/PERFORMANCE.md, "The divergence family".

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches panic on failure by design

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::Options;
use kl_explorer::divergence::renyi::{alpha_curve, renyi};

/// Pairs with a closed form, timed by it and by quadrature (shared with renyi_scipy.py).
pub const CLOSED_PAIRS: [(&str, &str, f64); 3] = [
    ("normal(0,1)", "normal(1,2)", 2.0),
    ("gamma(3,2)", "gamma(1.5,0.8)", 0.5),
    ("log_normal(0,0.5)", "log_normal(0.3,0.6)", 3.0),
];

/// Pairs that only quadrature can do (shared with renyi_scipy.py).
pub const QUAD_PAIRS: [(&str, &str, f64); 3] = [
    ("normal(0,1)", "student_t(0,1,3)", 2.0),
    ("0.3*normal(-2,1)+0.7*normal(2,0.5)", "normal(0,2)", 1.5),
    ("laplace(0,2)", "0.5*laplace(0,1)+0.5*laplace(2,1)", 1.9),
];

fn closed_and_quadrature(c: &mut Criterion) {
    let quad = Options {
        closed_forms: false,
        ..Options::default()
    };
    let mut g = c.benchmark_group("renyi");
    for (p, q, alpha) in CLOSED_PAIRS {
        let (pd, qd) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        for (path, opts) in [
            ("closed form", Options::default()),
            ("quadrature", quad.clone()),
        ] {
            let f = renyi(&pd, &qd, alpha, ["P", "Q"], &opts).unwrap();
            eprintln!(
                "{p} ‖ {q} α = {alpha} ({path}): {} ± {:.1e}",
                f.value, f.error
            );
            g.bench_function(format!("{path}: {p} ‖ {q} α = {alpha}"), |b| {
                b.iter(|| renyi(black_box(&pd), black_box(&qd), alpha, ["P", "Q"], &opts).unwrap())
            });
        }
    }
    for (p, q, alpha) in QUAD_PAIRS {
        let (pd, qd) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        let f = renyi(&pd, &qd, alpha, ["P", "Q"], &Options::default()).unwrap();
        eprintln!("{p} ‖ {q} α = {alpha}: {} ± {:.1e}", f.value, f.error);
        g.bench_function(format!("quadrature: {p} ‖ {q} α = {alpha}"), |b| {
            b.iter(|| {
                renyi(
                    black_box(&pd),
                    black_box(&qd),
                    alpha,
                    ["P", "Q"],
                    &Options::default(),
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

fn curve(c: &mut Criterion) {
    let mut g = c.benchmark_group("alpha_curve");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (p, q) in [
        ("normal(0,1)", "normal(1,2)"),
        ("normal(0,2)", "0.5*normal(0,1)+0.5*normal(3,1)"),
        ("normal(0,1)", "student_t(0,1,3)"),
    ] {
        let (pd, qd) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        g.bench_function(format!("{p} ‖ {q}"), |b| {
            b.iter(|| alpha_curve(black_box(&pd), black_box(&qd), &Options::default()).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, closed_and_quadrature, curve);
criterion_main!(benches);
