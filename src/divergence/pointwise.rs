//! Curves for plotting: densities, the pointwise divergence p·ln(p/q) both ways, and its
//! running integral, sampled adaptively and decimated to a fixed budget.
//!
//! The running integral starts with the mass of the integrand left of the view (computed by
//! quadrature), so that with the right tail it ends at KL; [`Curves::right_tail_pq`] is what
//! lies beyond the view.

use crate::distribution::{Distribution, Kind};

use super::{Options, kl_below, kl_term, uncovered};

/// Sampled curves for the plots.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curves {
    /// Whether P and Q are discrete (plot stems, not lines).
    pub discrete: bool,
    /// Sample points.
    pub x: Vec<f64>,
    /// p(x) (density or mass).
    pub p: Vec<f64>,
    /// q(x).
    pub q: Vec<f64>,
    /// p·ln(p/q), 0 where p = 0, NaN where q = 0 < p.
    pub d_pq: Vec<f64>,
    /// q·ln(q/p).
    pub d_qp: Vec<f64>,
    /// Running integral (or sum) of `d_pq` from −∞.
    pub run_pq: Vec<f64>,
    /// Running integral of `d_qp`.
    pub run_qp: Vec<f64>,
    /// The x range that shows both distributions.
    pub view: (f64, f64),
    /// Regions where P has mass and Q has none (KL(P‖Q) = ∞ there).
    pub infinite_pq: Vec<(f64, f64)>,
    /// Regions where Q has mass and P has none.
    pub infinite_qp: Vec<(f64, f64)>,
}

/// The x range that shows most of both distributions, from their quantiles (heavy tails are
/// cut at 8 interquartile ranges from the median).
pub fn view_range(p: &Distribution, q: &Distribution) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for d in [p, q] {
        let med = d.quantile(0.5);
        let iqr = (d.quantile(0.75) - d.quantile(0.25)).abs().max(1e-12);
        let (a, b) = if d.kind() == Kind::Discrete {
            (d.quantile(0.0005) - 0.5, d.quantile(0.9995) + 0.5)
        } else {
            (
                d.quantile(0.001).max(med - 8.0 * iqr),
                d.quantile(0.999).min(med + 8.0 * iqr),
            )
        };
        lo = lo.min(a);
        hi = hi.max(b);
        // Show a finite support edge that is close to the view.
        if let (Some(first), Some(last)) = (d.support().first(), d.support().last()) {
            let w = hi - lo;
            if first.0.is_finite() && first.0 < lo && lo - first.0 < 0.2 * w {
                lo = first.0;
            }
            if last.1.is_finite() && last.1 > hi && last.1 - hi < 0.2 * w {
                hi = last.1;
            }
        }
    }
    if !(hi > lo) || !lo.is_finite() || !hi.is_finite() {
        return (-1.0, 1.0);
    }
    let margin = 0.05 * (hi - lo);
    (lo - margin, hi + margin)
}

fn pointwise(lp: f64, lq: f64) -> f64 {
    let t = kl_term(lp, lq);
    if t.is_infinite() { f64::NAN } else { t }
}

/// Samples the curves for P and Q.
pub fn curves(p: &Distribution, q: &Distribution, budget: usize) -> Curves {
    let view = view_range(p, q);
    if p.kind() == Kind::Discrete {
        return discrete_curves(p, q, view, budget);
    }
    let (lo, hi) = view;
    let mut xs: Vec<f64> = (0..=400)
        .map(|i| lo + (hi - lo) * f64::from(i) / 400.0)
        .collect();
    let eps = 1e-9 * (hi - lo);
    for d in [p, q] {
        if matches!(d, Distribution::Histogram(h) if h.len() > budget) {
            // More steps than points to draw them with: the grid and the refinement below
            // follow its shape, and the steps are finer than a pixel.
            continue;
        }
        // Jumps (histogram and support edges) get a point on each side; smooth break points
        // (modes, quantiles) one point, since near-duplicate points draw as a dashed line.
        let mut jumps = match d {
            Distribution::Histogram(h) => h.edges(),
            _ => Vec::new(),
        };
        for (a, b) in d.support() {
            jumps.extend([a, b]);
        }
        for e in jumps {
            if e > lo && e < hi {
                xs.extend([e - eps, e + eps]);
            }
        }
        xs.extend(d.breakpoints().into_iter().filter(|e| *e > lo && *e < hi));
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    // Refine where p or q bends: bisect while the midpoint is far from the chord.
    let eval = |x: f64| (p.ln_density(x).exp(), q.ln_density(x).exp());
    let mut vals: Vec<(f64, f64)> = xs.iter().map(|x| eval(*x)).collect();
    let peak = vals
        .iter()
        .fold(0.0f64, |m, (a, b)| m.max(*a).max(*b))
        .max(1e-300);
    for _ in 0..8 {
        if xs.len() > budget {
            break;
        }
        let mut nx = Vec::with_capacity(xs.len() * 2);
        let mut nv = Vec::with_capacity(xs.len() * 2);
        let mut added = 0;
        for i in 0..xs.len() {
            nx.push(xs[i]);
            nv.push(vals[i]);
            if i + 1 < xs.len() && xs[i + 1] - xs[i] > 4.0 * eps {
                let m = 0.5 * (xs[i] + xs[i + 1]);
                let v = eval(m);
                let chord = (
                    0.5 * (vals[i].0 + vals[i + 1].0),
                    0.5 * (vals[i].1 + vals[i + 1].1),
                );
                if (v.0 - chord.0).abs().max((v.1 - chord.1).abs()) > 1e-3 * peak {
                    nx.push(m);
                    nv.push(v);
                    added += 1;
                }
            }
        }
        xs = nx;
        vals = nv;
        if added == 0 {
            break;
        }
    }
    let mut c = Curves {
        discrete: false,
        view,
        infinite_pq: uncovered(&p.support(), &q.support()),
        infinite_qp: uncovered(&q.support(), &p.support()),
        ..Default::default()
    };
    for (x, (pv, qv)) in xs.iter().zip(&vals) {
        let (lp, lq) = (pv.ln(), qv.ln());
        c.x.push(*x);
        c.p.push(*pv);
        c.q.push(*qv);
        c.d_pq.push(pointwise(lp, lq));
        c.d_qp.push(pointwise(lq, lp));
    }
    // Running integrals: the part left of the view, then trapezoids between samples.
    let opts = Options {
        rel_tol: 1e-8,
        max_intervals: 400,
        ..Options::default()
    };
    for (a, b, out, d) in [
        (p, q, &mut c.run_pq, &c.d_pq),
        (q, p, &mut c.run_qp, &c.d_qp),
    ] {
        let mut acc = kl_below(a, b, lo, &opts);
        out.push(acc);
        for i in 1..c.x.len() {
            let (y0, y1) = (d[i - 1], d[i]);
            if y0.is_finite() && y1.is_finite() {
                acc += 0.5 * (y0 + y1) * (c.x[i] - c.x[i - 1]);
            }
            out.push(acc);
        }
    }
    decimate(c, budget)
}

fn discrete_curves(p: &Distribution, q: &Distribution, view: (f64, f64), budget: usize) -> Curves {
    let lo = view.0.ceil() as i64;
    let hi = (view.1.floor() as i64).min(lo + budget as i64);
    let mut c = Curves {
        discrete: true,
        view,
        ..Default::default()
    };
    let (mut run_pq, mut run_qp) = (0.0, 0.0);
    for k in lo..=hi {
        let (lp, lq) = (p.ln_pmf(k), q.ln_pmf(k));
        let (a, b) = (pointwise(lp, lq), pointwise(lq, lp));
        if a.is_nan() {
            c.infinite_pq.push((k as f64 - 0.5, k as f64 + 0.5));
        } else {
            run_pq += a;
        }
        if b.is_nan() {
            c.infinite_qp.push((k as f64 - 0.5, k as f64 + 0.5));
        } else {
            run_qp += b;
        }
        c.x.push(k as f64);
        c.p.push(lp.exp());
        c.q.push(lq.exp());
        c.d_pq.push(a);
        c.d_qp.push(b);
        c.run_pq.push(run_pq);
        c.run_qp.push(run_qp);
    }
    c
}

/// Keeps at most about `budget` points: per bucket of x, the first and last sample and the
/// extremes of every series, so peaks and steps survive.
pub fn decimate(c: Curves, budget: usize) -> Curves {
    let n = c.x.len();
    let buckets = (budget / 8).max(1);
    if n <= budget {
        return c;
    }
    let (lo, hi) = (c.x[0], c.x[n - 1]);
    let width = (hi - lo) / buckets as f64;
    let mut keep: Vec<usize> = Vec::with_capacity(budget);
    let mut i = 0;
    while i < n {
        let b = (((c.x[i] - lo) / width) as usize).min(buckets - 1);
        let start = i;
        while i < n && ((((c.x[i] - lo) / width) as usize).min(buckets - 1)) == b {
            i += 1;
        }
        let range = start..i;
        let mut idx = vec![start, i - 1];
        for s in [&c.p, &c.q, &c.d_pq, &c.d_qp] {
            let by = |f: fn(f64, f64) -> bool| {
                range
                    .clone()
                    .fold(start, |best, j| if f(s[j], s[best]) { j } else { best })
            };
            idx.push(by(|a, b| a < b));
            idx.push(by(|a, b| a > b));
        }
        idx.sort_unstable();
        idx.dedup();
        keep.extend(idx);
    }
    let pick = |v: &Vec<f64>| keep.iter().map(|i| v[*i]).collect::<Vec<f64>>();
    Curves {
        discrete: c.discrete,
        x: pick(&c.x),
        p: pick(&c.p),
        q: pick(&c.q),
        d_pq: pick(&c.d_pq),
        d_qp: pick(&c.d_qp),
        run_pq: pick(&c.run_pq),
        run_qp: pick(&c.run_qp),
        view: c.view,
        infinite_pq: c.infinite_pq,
        infinite_qp: c.infinite_qp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    #[test]
    fn running_integral_ends_near_kl_for_the_default_pair() {
        let p = parse_spec("normal(0,1)").unwrap();
        let q = parse_spec("normal(1,2)").unwrap();
        let c = curves(&p, &q, 4000);
        let end = *c.run_pq.last().unwrap();
        // The view cuts P's tails at its 0.1 % quantiles; what lies beyond is tiny.
        assert!((end - 0.443_147).abs() < 2e-3, "{end}");
        assert!(c.x.len() <= 4000);
    }

    #[test]
    fn decimation_keeps_the_peak() {
        let p = parse_spec("0.99*normal(0,1) + 0.01*normal(3, 0.001)").unwrap();
        let q = parse_spec("normal(0,2)").unwrap();
        let c = curves(&p, &q, 800);
        let peak = c.p.iter().cloned().fold(0.0, f64::max);
        // The narrow component's density peak is 0.01/(0.001·√(2π)) ≈ 3.99.
        assert!(peak > 3.5, "{peak}");
    }
}
