//! Fitting: the 200 × 200 landscape of a normal Q against the bimodal mixture in both
//! directions, and single fits from a start (issue 14: the landscape within 1 s on 2 cores,
//! a fit under 50 ms), the reverse basins and the search for every stationary point, and
//! for a student_t with its freedom fitted, the search with the passes between its minima.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches panic on failure by design

use criterion::{Criterion, criterion_group, criterion_main};
use kl_explorer::cancel::{Cancel, Progress};
use kl_explorer::distribution::parse_spec;
use kl_explorer::fit::{
    Direction, Grid, Problem, QFamily, basins, fit_from, initial_theta, landscape, pass_between,
    search, search_box,
};

fn bench(c: &mut Criterion) {
    let p = parse_spec("0.5*normal(-3,1) + 0.5*normal(3,1)").unwrap();
    let bx = search_box(&p, QFamily::Normal);
    let grid = Grid {
        x: bx[0],
        y: bx[1],
        n: 200,
    };
    let fwd = Problem::new(p.clone(), QFamily::Normal, Direction::Forward);
    let rev = Problem::new(p.clone(), QFamily::Normal, Direction::Reverse);
    let mut g = c.benchmark_group("fit");
    g.sample_size(10);
    g.bench_function("landscape_200x200_both_directions", |b| {
        b.iter(|| {
            let a = landscape(&fwd, &[], grid, &Cancel::new(), &Progress::new()).unwrap();
            let r = landscape(&rev, &[], grid, &Cancel::new(), &Progress::new()).unwrap();
            (a.values[0], r.values[0])
        });
    });
    g.bench_function("landscape_200x200_forward", |b| {
        b.iter(|| {
            landscape(&fwd, &[], grid, &Cancel::new(), &Progress::new())
                .unwrap()
                .values[0]
        });
    });
    g.bench_function("landscape_200x200_reverse", |b| {
        b.iter(|| {
            landscape(&rev, &[], grid, &Cancel::new(), &Progress::new())
                .unwrap()
                .values[0]
        });
    });
    g.bench_function("fit_reverse_from_normal_1_0.5", |b| {
        b.iter(|| fit_from(&rev, &[1.0, 0.5f64.ln()]).unwrap().kl.value);
    });
    g.bench_function("fit_forward_from_normal_1_0.5", |b| {
        b.iter(|| fit_from(&fwd, &[1.0, 0.5f64.ln()]).unwrap().kl.value);
    });
    let gamma = Problem::new(
        parse_spec("gamma(3, 2)").unwrap(),
        QFamily::Normal,
        Direction::Forward,
    );
    let gamma_start = initial_theta(&gamma.p, QFamily::Normal);
    g.bench_function("fit_forward_normal_to_gamma_3_2", |b| {
        b.iter(|| fit_from(&gamma, &gamma_start).unwrap().kl.value);
    });
    g.bench_function("basins_reverse_24x24", |b| {
        let minima: Vec<(f64, f64)> = search(&rev)
            .unwrap()
            .minima()
            .map(|m| (m.theta[0], m.theta[1]))
            .collect();
        let grid = Grid { n: 24, ..grid };
        b.iter(|| {
            basins(&rev, &[], &minima, grid, &Cancel::new(), &Progress::new())
                .unwrap()
                .minimum
                .len()
        });
    });
    g.bench_function("search_reverse_every_stationary_point", |b| {
        b.iter(|| search(&rev).unwrap().optima.len());
    });
    // Three parameters: the minima from the lattice's starts, then the string between them
    // and Newton from its tops (issue 14: the passes of a student_t with free freedom).
    let rev_t = Problem::new(p.clone(), QFamily::StudentT, Direction::Reverse);
    g.bench_function("search_reverse_student_t_free_freedom_with_passes", |b| {
        b.iter(|| {
            let s = search(&rev_t).unwrap();
            assert_eq!(s.passes.len(), 1);
            s.optima.len()
        });
    });
    let minima: Vec<Vec<f64>> = search(&rev_t)
        .unwrap()
        .minima()
        .map(|m| m.theta.clone())
        .collect();
    g.bench_function("pass_between_student_t_reverse_minima", |b| {
        b.iter(|| {
            pass_between(&rev_t, &minima[0], &minima[1])
                .unwrap()
                .unwrap()
                .crossings
                .len()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
