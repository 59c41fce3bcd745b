//! Mixtures with many components: KL and every figure of a comparison.
//!
//! `cargo bench --bench mixture` — figures in docs/PERFORMANCE.md ("Mixtures and batches").
//! The mixtures are built by formula (no random numbers), the same ones
//! `benches/mixture_peer.py` gives scipy.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches panic on failure by design

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kl_explorer::distribution::{Distribution, parse_spec};
use kl_explorer::divergence::{Options, compare, kl_divergence};

/// `n` normals: "apart" one unit from each other with σ 0.2–0.4, or "crowded" in [−3, 3]
/// with σ 0.5–1.5, every location moved by `shift`. Weights 1–5, by formula.
pub fn normal_mixture(n: usize, crowded: bool, shift: f64) -> String {
    (0..n)
        .map(|i| {
            let f = i as f64;
            let w = 1 + (i * 7) % 5;
            let (m, s) = if crowded {
                (
                    ((i * 7919) % 6000) as f64 / 1000.0 - 3.0,
                    0.5 + ((i * 13) % 11) as f64 / 10.0,
                )
            } else {
                (f, 0.2 + ((i * 13) % 3) as f64 / 10.0)
            };
            format!("{w}*normal({}, {s})", m + shift)
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

fn d(s: &str) -> Distribution {
    parse_spec(s).unwrap()
}

fn mixtures(c: &mut Criterion) {
    let mut g = c.benchmark_group("mixture");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [1000usize, 10_000] {
        for crowded in [false, true] {
            let label = if crowded { "crowded" } else { "apart" };
            let p_spec = normal_mixture(n, crowded, 0.0);
            let q_mix = d(&normal_mixture(n, crowded, 0.3));
            let q = if crowded {
                d("normal(0, 3)")
            } else {
                d(&format!("normal({}, {})", n as f64 / 2.0, n as f64 / 3.0))
            };
            // Parsing (and the index, built on first use) is part of what is timed: a
            // fresh distribution every iteration.
            let f = kl_divergence(&d(&p_spec), &q, &Options::default()).unwrap();
            eprintln!(
                "{label} {n}: KL = {} ± {:.1e} ({})",
                f.value, f.error, f.method
            );
            g.bench_function(format!("KL, {n} normals {label} ‖ normal"), |b| {
                b.iter(|| kl_divergence(&d(black_box(&p_spec)), &q, &Options::default()).unwrap())
            });
            g.bench_function(
                format!("all figures, {n} normals {label} ‖ normal"),
                |b| b.iter(|| compare(&d(black_box(&p_spec)), &q, &Options::default()).unwrap()),
            );
            g.bench_function(
                format!("all figures, {n} normals {label} ‖ its shift"),
                |b| {
                    b.iter(|| compare(&d(black_box(&p_spec)), &q_mix, &Options::default()).unwrap())
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, mixtures);
criterion_main!(benches);
