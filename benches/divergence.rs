//! Speed of the math core and of the app's own per-frame work.
//!
//! `cargo bench` — figures and the machine they came from are in docs/PERFORMANCE.md.
//! `benches/scipy_compare.py` times scipy.integrate.quad on the same quadrature pairs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches panic on failure by design

use std::hint::black_box;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicU8;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::{Options, compare, kl_divergence};
use kl_explorer::io::{CsvOptions, LoadControl, load_histogram};

/// The quadrature pairs, shared with benches/scipy_compare.py.
pub const QUAD_PAIRS: [(&str, &str); 8] = [
    ("normal(0,1)", "laplace(0,1)"),
    ("normal(0,1)", "student_t(0,1,3)"),
    ("0.3*normal(-2,1)+0.7*normal(2,0.5)", "normal(0,2)"),
    ("beta(0.5,0.5)", "uniform(0,1)"),
    ("gamma(2,1)", "log_normal(0.5,0.7)"),
    ("gumbel(0,1)", "normal(0,2)"),
    ("cauchy(0,1)", "student_t(0,1,2)"),
    ("weibull(1.5,1)", "gamma(2,2)"),
];

fn closed_forms(c: &mut Criterion) {
    let mut g = c.benchmark_group("closed_form");
    for (p, q) in [
        ("normal(0,1)", "normal(1,2)"),
        ("gamma(2,1)", "gamma(3,2)"),
        ("beta(2,3)", "beta(0.5,4)"),
    ] {
        let (p, q) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        g.bench_function(format!("{} ‖ {}", p.to_spec(), q.to_spec()), |b| {
            b.iter(|| kl_divergence(black_box(&p), black_box(&q), &Options::default()).unwrap())
        });
    }
    g.finish();
}

fn quadrature(c: &mut Criterion) {
    let mut g = c.benchmark_group("quadrature");
    for (p, q) in QUAD_PAIRS {
        let (pd, qd) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        let f = kl_divergence(&pd, &qd, &Options::default()).unwrap();
        eprintln!("{p} ‖ {q}: {} ({})", f.value, f.method);
        g.bench_function(format!("{p} ‖ {q}"), |b| {
            b.iter(|| kl_divergence(black_box(&pd), black_box(&qd), &Options::default()).unwrap())
        });
    }
    g.finish();
}

fn discrete(c: &mut Criterion) {
    let mut g = c.benchmark_group("discrete_sum");
    let logits: Vec<String> = (0..1000)
        .map(|i| format!("{}", (f64::from(i) * 0.37).sin()))
        .collect();
    let logits2: Vec<String> = (0..1000)
        .map(|i| format!("{}", (f64::from(i) * 0.41).cos()))
        .collect();
    for (p, q) in [
        (
            "poisson(30)".to_string(),
            "0.5*poisson(20)+0.5*poisson(40)".to_string(),
        ),
        ("binomial(0.3,200)".to_string(), "poisson(60)".to_string()),
        (
            format!("logits({})", logits.join(",")),
            format!("logits({})", logits2.join(",")),
        ),
    ] {
        let (pd, qd) = (parse_spec(&p).unwrap(), parse_spec(&q).unwrap());
        let name: String = format!("{} ‖ {}", pd.short_name(), qd.short_name())
            .chars()
            .take(60)
            .collect();
        g.bench_function(name, |b| {
            b.iter(|| kl_divergence(black_box(&pd), black_box(&qd), &Options::default()).unwrap())
        });
    }
    g.finish();
}

fn write_histogram(path: &std::path::Path, bins: usize, shift: f64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "left,right,count").unwrap();
    let edge = |i: usize| -5.0 + 10.0 * i as f64 / bins as f64;
    for i in 0..bins {
        let x = edge(i);
        let count = (1000.0 * (-(x - shift) * (x - shift) / 2.0).exp()).round() + 1.0;
        writeln!(f, "{x},{},{count}", edge(i + 1)).unwrap();
    }
}

fn histograms(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("histogram");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for bins in [10_000usize, 1_000_000] {
        let (a, b) = (
            dir.path().join(format!("a{bins}.csv")),
            dir.path().join(format!("b{bins}.csv")),
        );
        write_histogram(&a, bins, 0.0);
        write_histogram(&b, bins, 0.3);
        let p = load_histogram(&a, &CsvOptions::default(), &LoadControl::default()).unwrap();
        let normal = parse_spec("normal(1,2)").unwrap();
        g.bench_function(
            format!("{bins}-bin histogram against normal(1,2), all figures"),
            |bench| bench.iter(|| compare(&p, &normal, &Options::default()).unwrap()),
        );
        let q = load_histogram(&b, &CsvOptions::default(), &LoadControl::default()).unwrap();
        g.bench_function(
            format!("the window's work for two {bins}-bin histograms (figures, bin table, curves)"),
            |bench| {
                bench.iter(|| {
                    let r = compare(&p, &q, &Options::default()).unwrap();
                    let t = kl_explorer::divergence::bins::bin_table(&p, &q, &Default::default());
                    let c = kl_explorer::divergence::pointwise::curves(
                        &p,
                        &q,
                        4000,
                        &kl_explorer::cancel::Cancel::new(),
                    )
                    .unwrap();
                    (r, t, c)
                })
            },
        );
        g.bench_function(format!("load two {bins}-bin CSVs + all figures"), |bench| {
            bench.iter(|| {
                let p =
                    load_histogram(&a, &CsvOptions::default(), &LoadControl::default()).unwrap();
                let q =
                    load_histogram(&b, &CsvOptions::default(), &LoadControl::default()).unwrap();
                compare(&p, &q, &Options::default()).unwrap()
            })
        });
    }
    g.finish();
}

/// The CSV reader alone, from memory (no file system, no page cache): edges written with 6
/// decimals (as `numpy.savetxt("%.10g")` writes this grid), and with every digit Rust's
/// shortest round-trip formatting gives (up to 17, beyond the exact fast path).
fn csv_parsing(c: &mut Criterion) {
    let rows = 1_000_000;
    let mut g = c.benchmark_group("csv");
    g.sample_size(20);
    for (name, full) in [("6-decimal", false), ("17-digit", true)] {
        let mut text = String::from("left,right,count\n");
        let edge = |i: usize| -5.0 + 10.0 * i as f64 / rows as f64;
        for i in 0..rows {
            let (l, r) = (edge(i), edge(i + 1));
            let count = (1000.0 * (-l * l / 2.0).exp()).round() + 1.0;
            if full {
                text.push_str(&format!("{l},{r},{count}\n"));
            } else {
                text.push_str(&format!("{l:.6},{r:.6},{count}\n"));
            }
        }
        let bytes = text.into_bytes();
        g.throughput(criterion::Throughput::Bytes(bytes.len() as u64));
        g.bench_function(
            format!("parse {rows} rows from memory, {name} edges"),
            |b| {
                b.iter(|| {
                    kl_explorer::io::csv::read_histogram_sized(
                        bytes.as_slice(),
                        "a.csv",
                        &CsvOptions::default(),
                        Some(bytes.len() as u64),
                    )
                    .unwrap()
                })
            },
        );
    }
    g.finish();
}

fn app_frames(c: &mut Criterion) {
    use egui_kittest::Harness;
    use kl_explorer::app::{KlApp, LaunchOptions};
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    write_histogram(&big, 1_000_000, 0.0);
    let mut g = c.benchmark_group("app");
    for (name, p) in [
        ("default comparison", None),
        ("10^6-bin histogram as P", Some(big.display().to_string())),
    ] {
        let launch = LaunchOptions {
            p,
            ..Default::default()
        };
        let mut h = Harness::builder()
            .with_size([1400.0, 900.0])
            .build_eframe(move |cc| {
                KlApp::new(&cc.egui_ctx, None, &launch, Arc::new(AtomicU8::new(0)))
            });
        for _ in 0..20_000 {
            h.step();
            if !h.state().is_busy() && h.state().report().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        h.run_steps(5);
        g.bench_function(format!("frame: {name}"), |b| b.iter(|| h.step()));
    }
    // The recompute after a parameter change: figures and curves for the new pair.
    let p = parse_spec("normal(0.1,1)").unwrap();
    let q = parse_spec("normal(1,2)").unwrap();
    g.bench_function(
        "recompute after a parameter change (figures + curves)",
        |b| {
            b.iter(|| {
                let r = compare(&p, &q, &Options::default()).unwrap();
                let c = kl_explorer::divergence::pointwise::curves(
                    &p,
                    &q,
                    4000,
                    &kl_explorer::cancel::Cancel::new(),
                )
                .unwrap();
                (r, c)
            })
        },
    );
    g.finish();
}

/// Every figure of one normal pair (`compare`), the per-line work of `compute --pairs` less
/// parsing and printing: JS by the fixed rule of src/divergence/normal_pair.rs, the rest
/// closed forms. An ordinary pair, a near-identical one, a sharp crossing, a scale ratio of 1e4.
fn normal_pairs(c: &mut Criterion) {
    let mut g = c.benchmark_group("normal_pair_compare");
    for (p, q) in [
        ("normal(-0.476204, 7.05377)", "normal(0.597724, 0.85369)"),
        ("normal(0, 1)", "normal(1e-6, 1.000001)"),
        ("normal(0, 0.2)", "normal(2, 4)"),
        ("normal(0, 1)", "normal(0, 1e4)"),
    ] {
        let (pd, qd) = (parse_spec(p).unwrap(), parse_spec(q).unwrap());
        let r = compare(&pd, &qd, &Options::default()).unwrap();
        eprintln!(
            "{p} ‖ {q}: JS {} ± {:.1e} ({})",
            r.js.value, r.js.error, r.js.method
        );
        g.bench_function(format!("{p} ‖ {q}"), |b| {
            b.iter(|| compare(black_box(&pd), black_box(&qd), &Options::default()).unwrap())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = closed_forms, normal_pairs, quadrature, discrete, histograms, csv_parsing, app_frames
}
criterion_main!(benches);
