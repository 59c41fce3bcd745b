//! Curves for plotting: densities, the pointwise divergence p·ln(p/q) both ways, and its
//! running integral, sampled adaptively and decimated to a fixed budget.
//!
//! Numeric contract:
//! - The running integral starts with the mass of the integrand left of the view (computed by
//!   quadrature, or summed for discrete P and Q), so that with the right tail it ends at KL.
//! - ∞ is never replaced by a finite stand-in. The pointwise divergence is `+inf` where q = 0
//!   < p; the running integral is `+inf` at every sample past the point where KL becomes
//!   infinite ([`Curves::infinite_from_pq`]): a region where Q has no mass, or a support edge or
//!   tail where E_P[−ln q] diverges. A divergent left tail makes it `+inf` everywhere; a
//!   divergent right tail leaves it finite in the view and `infinite_from_pq` says that it
//!   ends at ∞.
//! - Terms with p = 0 are 0 (0·ln 0 = 0), even where q = 0 too.
//! - Categories are aligned by label (the union, P's labels first), as the engine compares them;
//!   [`Curves::labels`] names x = 0, 1, ….

use crate::cancel::{Cancel, Cancelled};
use crate::distribution::{Distribution, Kind, tail};

use super::{Options, infinite_reason, kl_below, kl_term, running, uncovered};

/// Where the running integral of KL(A‖B) becomes infinite, sweeping x from −∞ to +∞.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InfiniteFrom {
    /// A has mass where B has none, from this x on (−∞: from the start).
    Gap(f64),
    /// E_A[−ln b] diverges at this support edge or tail (±∞ for a tail).
    Edge(f64),
}

impl InfiniteFrom {
    /// The x past which the running integral is infinite.
    pub fn x(self) -> f64 {
        match self {
            InfiniteFrom::Gap(x) | InfiniteFrom::Edge(x) => x,
        }
    }

    /// Whether the running integral up to `x` is infinite.
    pub fn covers(self, x: f64) -> bool {
        x > self.x()
    }
}

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
    /// p·ln(p/q): 0 where p = 0, `+inf` where q = 0 < p.
    pub d_pq: Vec<f64>,
    /// q·ln(q/p).
    pub d_qp: Vec<f64>,
    /// Running integral (or sum) of `d_pq` from −∞; `+inf` where it is infinite.
    pub run_pq: Vec<f64>,
    /// Running integral of `d_qp`.
    pub run_qp: Vec<f64>,
    /// The x range that shows both distributions.
    pub view: (f64, f64),
    /// Regions where P has mass and Q has none (KL(P‖Q) = ∞ there).
    pub infinite_pq: Vec<(f64, f64)>,
    /// Regions where Q has mass and P has none.
    pub infinite_qp: Vec<(f64, f64)>,
    /// Where KL(P‖Q)'s running integral becomes infinite; `None` when KL(P‖Q) is finite.
    pub infinite_from_pq: Option<InfiniteFrom>,
    /// Where KL(Q‖P)'s running integral becomes infinite.
    pub infinite_from_qp: Option<InfiniteFrom>,
    /// Category labels: `labels[k]` names x = k (categories from CSV files).
    pub labels: Option<Vec<String>>,
}

/// Where KL(A‖B) becomes infinite, if it does: the first region where A has mass and B none,
/// or the first support edge or tail where E_A[−ln b] diverges (continuous A and B only; the
/// discrete engine sums, and a sum over a shared support is finite).
pub fn infinite_from(a: &Distribution, b: &Distribution) -> Option<InfiniteFrom> {
    let (sa, sb) = (a.support(), b.support());
    let gap = uncovered(&sa, &sb).first().map(|g| g.0);
    if a.kind() == Kind::Discrete {
        return gap.map(InfiniteFrom::Gap);
    }
    let mut edge: Option<f64> = None;
    for &(lo, hi) in &sa {
        for (end, upper) in [(lo, false), (hi, true)] {
            let touches = sb
                .iter()
                .any(|&(blo, bhi)| if upper { bhi == end } else { blo == end });
            if touches && tail::diverges(a.tail_at(end, upper), b.tail_at(end, upper)) {
                edge = Some(edge.map_or(end, |e| e.min(end)));
            }
        }
    }
    let found = match (gap, edge) {
        (Some(g), Some(e)) if e < g => Some(InfiniteFrom::Edge(e)),
        (Some(g), _) => Some(InfiniteFrom::Gap(g)),
        (None, e) => e.map(InfiniteFrom::Edge),
    };
    // The engine has the last word on whether KL is infinite: if it finds a reason this walk
    // does not locate, say that the integral ends at ∞ rather than draw a finite end.
    match found {
        None if infinite_reason(a, b, ["A", "B"]).is_some() => {
            Some(InfiniteFrom::Edge(f64::INFINITY))
        }
        f => f,
    }
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

/// Points evaluated between two cancellation checks.
const CHUNK: usize = 4096;

/// Samples the curves for P and Q, at most about `budget` points.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set (checked between refinement passes and chunks of
/// points).
pub fn curves(
    p: &Distribution,
    q: &Distribution,
    budget: usize,
    cancel: &Cancel,
) -> Result<Curves, Cancelled> {
    if p.kind() == Kind::Discrete {
        return discrete_curves(p, q, budget, cancel);
    }
    let view = view_range(p, q);
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
    // Points closer than `tiny` (the uniform grid's rounding next to an edge, 0.9999999999999999
    // beside 1) make cells of an ulp, whose quadrature nodes round onto the edge where a
    // density may be infinite: keep one of them, the edge when one of them is an edge.
    let mut edges: Vec<f64> = Vec::new();
    for d in [p, q] {
        for (a, b) in d.support() {
            edges.extend([a, b]);
        }
    }
    let tiny = 1e-12 * (hi - lo);
    let mut thinned: Vec<f64> = Vec::with_capacity(xs.len());
    for x in xs {
        match thinned.last_mut() {
            Some(last) if x - *last < tiny => {
                if edges.contains(&x) {
                    *last = x;
                }
            }
            _ => thinned.push(x),
        }
    }
    let mut xs = thinned;
    // Refine where p or q bends: bisect while the midpoint is far from the chord.
    let eval = |x: f64| (p.ln_density(x).exp(), q.ln_density(x).exp());
    let mut vals: Vec<(f64, f64)> = Vec::with_capacity(xs.len());
    for chunk in xs.chunks(CHUNK) {
        cancel.check()?;
        vals.extend(chunk.iter().map(|x| eval(*x)));
    }
    let peak = vals
        .iter()
        .fold(0.0f64, |m, (a, b)| m.max(*a).max(*b))
        .max(1e-300);
    for _ in 0..8 {
        if xs.len() > budget {
            break;
        }
        cancel.check()?;
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
        infinite_from_pq: infinite_from(p, q),
        infinite_from_qp: infinite_from(q, p),
        ..Default::default()
    };
    for (x, (pv, qv)) in xs.iter().zip(&vals) {
        let (lp, lq) = (pv.ln(), qv.ln());
        c.x.push(*x);
        c.p.push(*pv);
        c.q.push(*qv);
        c.d_pq.push(kl_term(lp, lq));
        c.d_qp.push(kl_term(lq, lp));
    }
    cancel.check()?;
    // Running integrals: the part left of the view, then each cell's integral
    // ([`running::cell_integrals`]); +∞ from where KL becomes infinite.
    let opts = Options {
        rel_tol: 1e-8,
        max_intervals: 400,
        ..Options::default()
    };
    let (mid_p, mid_q) = running::midpoints(p, q, &c.x, cancel)?;
    for (a, b, out, d, from, mid) in [
        (
            p,
            q,
            &mut c.run_pq,
            &c.d_pq,
            c.infinite_from_pq,
            (&mid_p, &mid_q),
        ),
        (
            q,
            p,
            &mut c.run_qp,
            &c.d_qp,
            c.infinite_from_qp,
            (&mid_q, &mid_p),
        ),
    ] {
        let covers = |x: f64| from.is_some_and(|f| f.covers(x));
        let mut acc = if covers(lo) {
            f64::INFINITY
        } else {
            // NaN: infinite left of the view.
            // TODO(engine): kl_below takes no Cancel; for a large histogram it is the longest
            // step here (≈10 ms for 10^6 bins), checked only after it.
            let below = kl_below(a, b, lo, &opts);
            cancel.check()?;
            if below.is_nan() { f64::INFINITY } else { below }
        };
        let x = &c.x;
        let cells = running::cell_integrals(
            a,
            b,
            (x, d),
            (mid.0, mid.1),
            kl_term,
            |i| covers(x[i + 1]),
            cancel,
        )?;
        out.push(if covers(x[0]) { f64::INFINITY } else { acc });
        for i in 1..x.len() {
            if covers(x[i]) {
                acc = f64::INFINITY;
            } else {
                acc += cells[i - 1];
            }
            out.push(acc);
        }
    }
    cancel.check()?;
    Ok(decimate(c, budget))
}

/// Probabilities of P and Q at the integers, and category labels when both are categories.
struct Pmfs<'a> {
    p: Box<dyn Fn(i64) -> f64 + 'a>,
    q: Box<dyn Fn(i64) -> f64 + 'a>,
    labels: Option<Vec<String>>,
}

fn ln_of<'a>(v: Vec<f64>) -> Box<dyn Fn(i64) -> f64 + 'a> {
    Box::new(move |k| {
        usize::try_from(k)
            .ok()
            .and_then(|i| v.get(i))
            .map_or(f64::NEG_INFINITY, |p| p.ln())
    })
}

/// Categories with integer labels as a pmf over the integers.
fn by_integer_label(c: &crate::distribution::Categories) -> Option<Vec<f64>> {
    let mut probs = Vec::new();
    for (label, prob) in c.labels.iter().zip(&c.probs) {
        let k: usize = label.trim().parse().ok()?;
        if k >= probs.len() {
            probs.resize(k + 1, 0.0);
        }
        probs[k] += prob;
    }
    Some(probs)
}

fn pmfs<'a>(p: &'a Distribution, q: &'a Distribution) -> Pmfs<'a> {
    let own =
        |d: &'a Distribution| -> Box<dyn Fn(i64) -> f64 + 'a> { Box::new(move |k| d.ln_pmf(k)) };
    match (p, q) {
        (Distribution::Categories(a), Distribution::Categories(b)) => {
            let mut labels = a.labels.clone();
            for l in &b.labels {
                if !labels.contains(l) {
                    labels.push(l.clone());
                }
            }
            Pmfs {
                p: ln_of(a.aligned_to(&labels)),
                q: ln_of(b.aligned_to(&labels)),
                labels: Some(labels),
            }
        }
        (Distribution::Categories(c), _) => Pmfs {
            p: by_integer_label(c).map_or_else(|| own(p), ln_of),
            q: own(q),
            labels: None,
        },
        (_, Distribution::Categories(c)) => Pmfs {
            p: own(p),
            q: by_integer_label(c).map_or_else(|| own(q), ln_of),
            labels: None,
        },
        _ => Pmfs {
            p: own(p),
            q: own(q),
            labels: None,
        },
    }
}

/// Terms summed left of the view at most (a support far below the view is cut there).
const MAX_TERMS_BELOW: i64 = 1_000_000;

fn discrete_curves(
    p: &Distribution,
    q: &Distribution,
    budget: usize,
    cancel: &Cancel,
) -> Result<Curves, Cancelled> {
    let f = pmfs(p, q);
    let (view, from_pq, from_qp) = match &f.labels {
        Some(labels) => {
            let n = labels.len() as f64;
            let margin = 0.05 * n;
            ((-0.5 - margin, n - 0.5 + margin), None, None)
        }
        None => {
            let (from_pq, from_qp) = (infinite_from(p, q), infinite_from(q, p));
            // Show where the sum becomes infinite when it is just past the view.
            let (lo, mut hi) = view_range(p, q);
            for f in [from_pq, from_qp].into_iter().flatten() {
                let first = f.x().floor() + 1.0;
                if first + 1.0 > hi && first < hi + 0.3 * (hi - lo) {
                    hi = first + 1.0;
                }
            }
            ((lo, hi), from_pq, from_qp)
        }
    };
    let lo = view.0.ceil() as i64;
    let hi = (view.1.floor() as i64).min(lo + budget as i64);
    let mut c = Curves {
        discrete: true,
        view,
        labels: f.labels.clone(),
        infinite_from_pq: from_pq,
        infinite_from_qp: from_qp,
        ..Default::default()
    };
    // Start from the terms left of the view.
    let first = p.support()[0].0.min(q.support()[0].0);
    let start = if first.is_finite() {
        (first as i64).max(lo - MAX_TERMS_BELOW)
    } else {
        lo - MAX_TERMS_BELOW
    };
    let (mut run_pq, mut run_qp) = (0.0, 0.0);
    for k in start..=hi {
        if ((k - start) as usize).is_multiple_of(CHUNK) {
            cancel.check()?;
        }
        let (lp, lq) = ((f.p)(k), (f.q)(k));
        let (a, b) = (kl_term(lp, lq), kl_term(lq, lp));
        run_pq += a;
        run_qp += b;
        for (from, run, t) in [
            (&mut c.infinite_from_pq, &mut run_pq, a),
            (&mut c.infinite_from_qp, &mut run_qp, b),
        ] {
            if t == f64::INFINITY && from.is_none() {
                *from = Some(InfiniteFrom::Gap(k as f64 - 0.5));
            }
            if from.is_some_and(|f| f.covers(k as f64)) {
                *run = f64::INFINITY;
            }
        }
        if k < lo {
            continue;
        }
        for (t, regions) in [(a, &mut c.infinite_pq), (b, &mut c.infinite_qp)] {
            if t == f64::INFINITY {
                let (l, r) = (k as f64 - 0.5, k as f64 + 0.5);
                match regions.last_mut() {
                    Some(last) if last.1 == l => last.1 = r,
                    _ => regions.push((l, r)),
                }
            }
        }
        c.x.push(k as f64);
        c.p.push(lp.exp());
        c.q.push(lq.exp());
        c.d_pq.push(a);
        c.d_qp.push(b);
        c.run_pq.push(run_pq);
        c.run_qp.push(run_qp);
    }
    Ok(c)
}

/// Keeps at most about `budget` points: per bucket of x, the first and last sample, the
/// extremes of every series and the samples where a series turns infinite, so peaks, steps
/// and the start of ∞ survive.
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
        for s in [&c.d_pq, &c.d_qp, &c.run_pq, &c.run_qp] {
            for j in range.clone().skip(1) {
                if s[j].is_finite() != s[j - 1].is_finite() {
                    idx.extend([j - 1, j]);
                }
            }
        }
        idx.sort_unstable();
        idx.dedup();
        keep.extend(idx);
    }
    let pick = |v: &Vec<f64>| keep.iter().map(|i| v[*i]).collect::<Vec<f64>>();
    Curves {
        x: pick(&c.x),
        p: pick(&c.p),
        q: pick(&c.q),
        d_pq: pick(&c.d_pq),
        d_qp: pick(&c.d_qp),
        run_pq: pick(&c.run_pq),
        run_qp: pick(&c.run_qp),
        ..c
    }
}

#[cfg(test)]
#[path = "pointwise_tests.rs"]
mod tests;
