//! Divergences between two distributions: KL both ways and its relatives.
//!
//! Numeric contract:
//! - Every figure is in nats unless converted with [`Report::in_unit`]; each carries the method
//!   that produced it and an estimate of its absolute error.
//! - KL(P‖Q) is `+inf` — a result, not a failure — when P puts mass where Q has none, or when
//!   E_P[−ln q] diverges in a tail or at a support edge; [`Figure::reason`] says which, in a
//!   sentence. It is never NaN.
//! - Terms with p = 0 contribute 0 (0·ln 0 = 0). Nothing is smoothed here: smoothing of
//!   histograms is explicit ([`crate::distribution::Histogram::smoothed`]).
//! - Comparing a discrete distribution with a continuous one is an error
//!   ([`CompareError::KindMismatch`]); every pair of one kind is computed.

mod binned;
pub mod bins;
pub mod closed;
pub mod discrete;
pub mod pointwise;
pub mod quad;
pub mod smoothing;

use serde::Serialize;

use crate::distribution::{Distribution, Histogram, Kind, Tail, tail};
use quad::{Point, Segment};

/// Nats or bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Natural logarithms.
    #[default]
    Nats,
    /// Base-2 logarithms.
    Bits,
}

impl Unit {
    /// "nats" or "bits".
    pub fn name(self) -> &'static str {
        match self {
            Unit::Nats => "nats",
            Unit::Bits => "bits",
        }
    }
}

/// One computed figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    /// The value (may be `+inf`).
    pub value: f64,
    /// Estimated absolute error.
    pub error: f64,
    /// How it was computed, in words.
    pub method: String,
    /// Why the value is infinite, when it is.
    pub reason: Option<String>,
}

impl Figure {
    fn closed(value: f64, formula: &str) -> Self {
        Figure {
            value,
            error: 8.0 * f64::EPSILON * value.abs().max(1.0),
            method: format!("closed form ({formula})"),
            reason: None,
        }
    }

    fn infinite(reason: String) -> Self {
        Figure {
            value: f64::INFINITY,
            error: 0.0,
            method: "support and tail analysis".into(),
            reason: Some(reason),
        }
    }

    fn from_quad(r: &quad::QuadResult, rel_tol: f64) -> Self {
        let mut method = format!(
            "adaptive Gauss–Kronrod quadrature (G7/K15): {} subintervals, {} density evaluations",
            r.intervals, r.evals
        );
        if !r.converged {
            method.push_str(&format!("; relative tolerance {rel_tol:e} not reached"));
        }
        Figure {
            value: r.value,
            error: r.error,
            method,
            reason: (r.value == f64::INFINITY)
                .then(|| "the integrand is infinite where Q's density underflows to 0".into()),
        }
    }

    fn sum_of(a: &Figure, b: &Figure, method: &str) -> Figure {
        Figure {
            value: a.value + b.value,
            error: a.error + b.error,
            method: method.into(),
            reason: a.reason.clone().or_else(|| b.reason.clone()),
        }
    }

    fn scaled(&self, factor: f64) -> Figure {
        Figure {
            value: self.value * factor,
            error: self.error * factor,
            ..self.clone()
        }
    }
}

/// Why two distributions cannot be compared.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// One is discrete and the other continuous.
    #[error(
        "P ({p}) is {p_kind} and Q ({q}) is {q_kind}: KL between a mass function and a density is not defined; compare two discrete or two continuous distributions"
    )]
    KindMismatch {
        /// P's spec.
        p: String,
        /// "discrete" or "continuous".
        p_kind: &'static str,
        /// Q's spec.
        q: String,
        /// "discrete" or "continuous".
        q_kind: &'static str,
    },
    /// Named categories against an integer-valued family.
    #[error("{0}")]
    Labels(String),
}

/// Accuracy and method options.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Use closed forms where known (tests turn this off to check them against quadrature).
    pub closed_forms: bool,
    /// Relative tolerance for quadrature.
    pub rel_tol: f64,
    /// Maximum number of quadrature subintervals beyond the initial segments.
    pub max_intervals: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            closed_forms: true,
            rel_tol: 1e-10,
            max_intervals: 4000,
        }
    }
}

/// All figures for a pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The unit of the information figures (TV and Hellinger have none).
    pub unit: Unit,
    /// KL(P‖Q).
    pub kl_pq: Figure,
    /// KL(Q‖P).
    pub kl_qp: Figure,
    /// H(P).
    pub entropy_p: Figure,
    /// H(Q).
    pub entropy_q: Figure,
    /// H(P, Q) = H(P) + KL(P‖Q).
    pub cross_entropy_pq: Figure,
    /// H(Q, P) = H(Q) + KL(Q‖P).
    pub cross_entropy_qp: Figure,
    /// Jensen–Shannon divergence.
    pub js: Figure,
    /// KL(P‖Q) + KL(Q‖P).
    pub jeffreys: Figure,
    /// Total variation distance ½∫|p − q|.
    pub tv: Figure,
    /// Hellinger distance √(½∫(√p − √q)²).
    pub hellinger: Figure,
}

impl Report {
    /// The same report in `unit` (TV and Hellinger unchanged).
    pub fn in_unit(&self, unit: Unit) -> Report {
        let factor = match (self.unit, unit) {
            (a, b) if a == b => 1.0,
            (Unit::Nats, Unit::Bits) => 1.0 / std::f64::consts::LN_2,
            _ => std::f64::consts::LN_2,
        };
        Report {
            unit,
            kl_pq: self.kl_pq.scaled(factor),
            kl_qp: self.kl_qp.scaled(factor),
            entropy_p: self.entropy_p.scaled(factor),
            entropy_q: self.entropy_q.scaled(factor),
            cross_entropy_pq: self.cross_entropy_pq.scaled(factor),
            cross_entropy_qp: self.cross_entropy_qp.scaled(factor),
            js: self.js.scaled(factor),
            jeffreys: self.jeffreys.scaled(factor),
            tv: self.tv.clone(),
            hellinger: self.hellinger.clone(),
        }
    }
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Continuous => "continuous",
        Kind::Discrete => "discrete",
    }
}

fn check_kinds(p: &Distribution, q: &Distribution) -> Result<Kind, CompareError> {
    if p.kind() != q.kind() {
        return Err(CompareError::KindMismatch {
            p: p.to_spec(),
            p_kind: kind_word(p.kind()),
            q: q.to_spec(),
            q_kind: kind_word(q.kind()),
        });
    }
    Ok(p.kind())
}

/// Computes every figure for P and Q, in nats.
///
/// # Errors
/// [`CompareError`] when the pair mixes kinds or label sets cannot be aligned.
pub fn compare(p: &Distribution, q: &Distribution, opts: &Options) -> Result<Report, CompareError> {
    if check_kinds(p, q)? == Kind::Discrete {
        return discrete::compare(p, q, opts);
    }
    if let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) {
        return Ok(compare_histograms(p, q, hp, hq));
    }
    if let Some(report) = compare_histogram_with_smooth(p, q, opts) {
        return Ok(report);
    }
    let kl_pq = kl_continuous(p, q, ["P", "Q"], opts);
    let kl_qp = kl_continuous(q, p, ["Q", "P"], opts);
    let entropy_p = entropy_continuous(p, opts);
    let entropy_q = entropy_continuous(q, opts);
    Ok(assemble(
        kl_pq,
        kl_qp,
        entropy_p,
        entropy_q,
        symmetric_continuous(p, q, opts),
    ))
}

/// Two histograms: every figure from one pass over the common refinement of their edges.
fn compare_histograms(
    p: &Distribution,
    q: &Distribution,
    hp: &Histogram,
    hq: &Histogram,
) -> Report {
    // One walk gives every figure, the entropies included.
    let [kl_pq, kl_qp, js, tv, h2, ent_p, ent_q] = piecewise(hp, hq, |c| {
        let [js, tv, h2] = c.symmetric();
        let ent = |d: f64, l: f64| if d == 0.0 { 0.0 } else { -d * l };
        [
            c.kl_pq(),
            c.kl_qp(),
            js,
            tv,
            h2,
            ent(c.p, c.lp),
            ent(c.q, c.lq),
        ]
    });
    let explain = |f: Figure, a: &Distribution, b: &Distribution, names: [&str; 2]| {
        if f.value.is_infinite() {
            Figure::infinite(infinite_reason(a, b, names).unwrap_or_else(|| {
                format!("{} has mass where {}'s density is 0", names[0], names[1])
            }))
        } else {
            f
        }
    };
    let entropy = |mut f: Figure, h: &Histogram| {
        f.method = format!("exact sum over {} bins", h.len());
        f
    };
    assemble(
        explain(kl_pq, p, q, ["P", "Q"]),
        explain(kl_qp, q, p, ["Q", "P"]),
        entropy(ent_p, hp),
        entropy(ent_q, hq),
        [js, tv, hellinger_from_squared(&h2)],
    )
}

/// A histogram against a parametric distribution or a mixture (either way round): every
/// figure from one pass over the histogram's bins ([`binned`]); `None` for other pairs.
fn compare_histogram_with_smooth(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
) -> Option<Report> {
    let smooth =
        |d: &Distribution| matches!(d, Distribution::Parametric(_) | Distribution::Mixture(_));
    let (h, s, histogram_is_p) = match (p, q) {
        (Distribution::Histogram(h), s) if smooth(s) => (h, s, true),
        (s, Distribution::Histogram(h)) if smooth(s) => (h, s, false),
        _ => return None,
    };
    let reason_pq = infinite_reason(p, q, ["P", "Q"]);
    let reason_qp = infinite_reason(q, p, ["Q", "P"]);
    let (hs, sh) = if histogram_is_p {
        (&reason_pq, &reason_qp)
    } else {
        (&reason_qp, &reason_pq)
    };
    let everywhere = (f64::NEG_INFINITY, f64::INFINITY);
    let [kl_hs, kl_sh, js, tv, h2] =
        binned::histogram_vs_smooth(h, s, [hs.is_none(), sh.is_none()], opts, everywhere);
    let (kl_pq, kl_qp) = if histogram_is_p {
        (kl_hs, kl_sh)
    } else {
        (kl_sh, kl_hs)
    };
    let or_infinite = |f: Figure, reason: Option<String>| reason.map_or(f, Figure::infinite);
    Some(assemble(
        or_infinite(kl_pq, reason_pq),
        or_infinite(kl_qp, reason_qp),
        entropy_continuous(p, opts),
        entropy_continuous(q, opts),
        [js, tv, hellinger_from_squared(&h2)],
    ))
}

/// KL(A‖B) over `x < to` only: where a running integral of A's pointwise divergence starts
/// when its plot begins at `to`. Exact for two histograms (the walk), bin by bin for a
/// histogram and a smooth distribution, by quadrature otherwise; `NaN` where it is infinite.
pub(crate) fn kl_below(a: &Distribution, b: &Distribution, to: f64, opts: &Options) -> f64 {
    let smooth =
        |d: &Distribution| matches!(d, Distribution::Parametric(_) | Distribution::Mixture(_));
    let below = (f64::NEG_INFINITY, to);
    let value = match (a, b) {
        (Distribution::Histogram(ha), Distribution::Histogram(hb)) => {
            let from = ha.lefts()[0].min(hb.lefts()[0]);
            if from >= to {
                0.0
            } else {
                walk(ha, hb, from, to, &|c: &Cell| [c.kl_pq()]).total(0)
            }
        }
        (Distribution::Histogram(h), s) if smooth(s) => {
            binned::histogram_vs_smooth(h, s, [true, false], opts, below)[0].value
        }
        (s, Distribution::Histogram(h)) if smooth(s) => {
            binned::histogram_vs_smooth(h, s, [false, true], opts, below)[1].value
        }
        _ => {
            let left: Vec<(f64, f64)> = a
                .support()
                .into_iter()
                .filter(|(lo, _)| *lo < to)
                .map(|(lo, hi)| (lo, hi.min(to)))
                .collect();
            if left.is_empty() {
                0.0
            } else {
                integrate_pair(a, b, &left, opts, kl_term).value
            }
        }
    };
    if value.is_finite() { value } else { f64::NAN }
}

/// Builds the report from the directional figures and the symmetric ones (JS, TV, Hellinger).
pub(crate) fn assemble(
    kl_pq: Figure,
    kl_qp: Figure,
    entropy_p: Figure,
    entropy_q: Figure,
    [js, tv, hellinger]: [Figure; 3],
) -> Report {
    let (kl_pq, kl_qp, js, tv) = (
        non_negative(kl_pq),
        non_negative(kl_qp),
        non_negative(js),
        non_negative(tv),
    );
    let cross_entropy_pq = Figure::sum_of(&entropy_p, &kl_pq, "H(P) + KL(P‖Q)");
    let cross_entropy_qp = Figure::sum_of(&entropy_q, &kl_qp, "H(Q) + KL(Q‖P)");
    let jeffreys = Figure::sum_of(&kl_pq, &kl_qp, "KL(P‖Q) + KL(Q‖P)");
    Report {
        unit: Unit::Nats,
        kl_pq,
        kl_qp,
        entropy_p,
        entropy_q,
        cross_entropy_pq,
        cross_entropy_qp,
        js,
        jeffreys,
        tv,
        hellinger,
    }
}

/// KL, JS and TV are never negative; a value below 0 by no more than its own error
/// estimate or a few ulps of 1 (identical P and Q by quadrature: JS = −1.8e-23) is 0, not
/// "-0.0000000000" on screen, and the method says so. Anything more negative is left to be
/// seen (the error estimates include the rounding of the logs, so it does not happen).
fn non_negative(mut f: Figure) -> Figure {
    if f.value < 0.0 && -f.value <= f.error + 4.0 * f64::EPSILON {
        f.method.push_str(&format!(
            "; {:.1e} is within its error of 0, shown as 0",
            f.value
        ));
        f.value = 0.0;
    }
    f
}

/// KL(P‖Q) alone, in nats.
///
/// # Errors
/// As [`compare`].
pub fn kl_divergence(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
) -> Result<Figure, CompareError> {
    if check_kinds(p, q)? == Kind::Discrete {
        return discrete::kl(p, q, opts).map(non_negative);
    }
    Ok(non_negative(kl_continuous(p, q, ["P", "Q"], opts)))
}

fn fmt_x(v: f64) -> String {
    crate::distribution::family::format_number(v)
}

fn describe_region(lo: f64, hi: f64) -> String {
    match (lo.is_finite(), hi.is_finite()) {
        (false, false) => "the whole real line".into(),
        (false, true) => format!("x < {}", fmt_x(hi)),
        (true, false) => format!("x > {}", fmt_x(lo)),
        (true, true) => format!("[{}, {}]", fmt_x(lo), fmt_x(hi)),
    }
}

/// Parts of `a` (intervals) not covered by `b`, with positive length. Both sorted and
/// disjoint (as supports are): one pass over each, so two histograms with 10^6 separate
/// runs of non-empty bins take milliseconds, not hours.
pub fn uncovered(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    // The first interval of `b` that can still overlap the current one of `a`.
    let mut first = 0;
    for &(lo, hi) in a {
        while first < b.len() && b[first].1 <= lo {
            first += 1;
        }
        let mut cur = lo;
        for &(blo, bhi) in &b[first..] {
            if blo >= hi {
                break;
            }
            if bhi <= cur {
                continue;
            }
            if blo > cur {
                out.push((cur, blo));
            }
            cur = cur.max(bhi);
            if cur >= hi {
                break;
            }
        }
        if cur < hi {
            out.push((cur, hi));
        }
    }
    out
}

/// Why KL(P‖Q) is infinite, if it is: a support mismatch or a divergent tail.
/// `names` are how P and Q are called in the sentence (swapped for KL(Q‖P)).
pub fn infinite_reason(p: &Distribution, q: &Distribution, names: [&str; 2]) -> Option<String> {
    let [pn, qn] = names;
    let ps = p.support();
    let qs = q.support();
    let gaps = uncovered(&ps, &qs);
    if let Some(&(lo, hi)) = gaps.first() {
        let more = if gaps.len() > 1 {
            format!(" (and {} more regions)", gaps.len() - 1)
        } else {
            String::new()
        };
        return Some(format!(
            "{pn} has mass on {}{more}, where {qn}'s density is 0",
            describe_region(lo, hi)
        ));
    }
    for &(lo, hi) in &ps {
        for (end, upper) in [(lo, false), (hi, true)] {
            let touches = qs
                .iter()
                .any(|&(qlo, qhi)| if upper { qhi == end } else { qlo == end });
            if !touches {
                continue;
            }
            let (pt, qt) = (p.tail_at(end, upper), q.tail_at(end, upper));
            if tail::diverges(pt, qt) {
                let place = if end.is_infinite() {
                    format!("as x → {}∞", if upper { "+" } else { "−" })
                } else {
                    format!("near x = {}", fmt_x(end))
                };
                return Some(format!(
                    "E_{pn}[−ln {}] diverges {place}: {pn}'s {} is too heavy for {qn}'s {}",
                    qn.to_lowercase(),
                    pt.describe(),
                    qt.describe()
                ));
            }
        }
    }
    None
}

fn edge_power(p: &Distribution, q: &Distribution, edge: f64, upper: bool) -> i32 {
    let s = [p.tail_at(edge, upper), q.tail_at(edge, upper)]
        .iter()
        .filter_map(|t| match t {
            Tail::Edge { s } => Some(*s),
            _ => None,
        })
        .fold(0.0f64, f64::min);
    if s < -1e-12 {
        ((2.0 / (1.0 + s)).ceil() as i32).clamp(2, 40)
    } else {
        1
    }
}

/// Splits `domain` at `breaks` into quadrature segments: infinite tails mapped, finite support
/// edges anchored (with a power map where a density is singular).
pub fn build_segments(p: &Distribution, q: &Distribution, domain: &[(f64, f64)]) -> Vec<Segment> {
    // Only break points inside the domain are used: a histogram's millions of edges need
    // not be gathered to integrate a tail.
    let lo = domain.iter().map(|d| d.0).fold(f64::INFINITY, f64::min);
    let hi = domain.iter().map(|d| d.1).fold(f64::NEG_INFINITY, f64::max);
    let mut breaks = p.breakpoints_within(lo, hi);
    breaks.extend(q.breakpoints_within(lo, hi));
    breaks.sort_by(f64::total_cmp);
    let scale = p.scale().min(q.scale());
    let mut segs = Vec::new();
    for &(lo, hi) in domain {
        let tol = 1e-12 * scale;
        let mut pts: Vec<f64> = vec![];
        if lo.is_finite() {
            pts.push(lo);
        }
        for &b in &breaks {
            if b > lo && b < hi && pts.last().is_none_or(|l| b - l > tol.max(1e-14 * b.abs())) {
                pts.push(b);
            }
        }
        if hi.is_finite() {
            if pts.len() > 1 && hi - pts[pts.len() - 1] <= tol.max(1e-14 * hi.abs()) {
                pts.pop();
            }
            pts.push(hi);
        }
        if pts.is_empty() {
            pts.push(0.0);
        }
        if lo.is_finite() && hi.is_finite() && pts.len() == 2 {
            pts.insert(1, 0.5 * (lo + hi));
        }
        if !lo.is_finite() {
            segs.push(Segment::FromNegInfinity { b: pts[0], scale });
        }
        // Support edges of either distribution in this interval: segments next to one are
        // anchored there (exact offsets, power maps at singularities), and segments close to
        // one are spaced geometrically, so no node ever lands on an edge by rounding.
        let mut edges: Vec<f64> = [lo, hi]
            .into_iter()
            .chain(
                p.support()
                    .into_iter()
                    .chain(q.support())
                    .flat_map(|(x, y)| [x, y]),
            )
            .filter(|e| e.is_finite() && *e >= lo && *e <= hi)
            .collect();
        edges.sort_by(f64::total_cmp);
        edges.dedup();
        for w in pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let below = edges.iter().rev().find(|e| **e <= a).copied();
            let above = edges.iter().find(|e| **e >= b).copied();
            if below == Some(a) {
                segs.push(Segment::FromLower {
                    edge: a,
                    len: b - a,
                    power: edge_power(p, q, a, false),
                });
            } else if above == Some(b) {
                segs.push(Segment::FromUpper {
                    edge: b,
                    len: b - a,
                    power: edge_power(p, q, b, true),
                });
            } else if let Some(e) = below
                && a - e < b - a
                && above.is_none_or(|u| a - e <= u - b)
            {
                // Close to the edge below compared with its length: space it geometrically.
                segs.push(Segment::Geometric {
                    edge: e,
                    lo: a - e,
                    hi: b - e,
                    upper: false,
                });
            } else if let Some(u) = above
                && u - b < b - a
            {
                segs.push(Segment::Geometric {
                    edge: u,
                    lo: u - b,
                    hi: u - a,
                    upper: true,
                });
            } else {
                segs.push(Segment::Linear { a, b });
            }
        }
        if !hi.is_finite() {
            segs.push(Segment::ToInfinity {
                a: pts[pts.len() - 1],
                scale,
            });
        }
    }
    segs
}

/// Integrates `g(ln p, ln q)` over `domain`.
pub fn integrate_pair(
    p: &Distribution,
    q: &Distribution,
    domain: &[(f64, f64)],
    opts: &Options,
    g: impl Fn(f64, f64) -> f64,
) -> quad::QuadResult {
    let segs = build_segments(p, q, domain);
    let mut f = |pt: Point| {
        let lp = p.ln_density_offset(pt.anchor, pt.offset);
        let lq = q.ln_density_offset(pt.anchor, pt.offset);
        g(lp, lq)
    };
    quad::integrate(&segs, &mut f, opts.rel_tol, 1e-300, opts.max_intervals)
}

/// The KL integrand p·(ln p − ln q) from log-densities.
///
/// Where p underflows to 0 the term is 0 even if q underflowed too (a real support mismatch
/// is found by [`infinite_reason`] before any integral is taken).
pub fn kl_term(lp: f64, lq: f64) -> f64 {
    let p = lp.exp();
    if p == 0.0 {
        0.0
    } else if lq == f64::NEG_INFINITY {
        f64::INFINITY
    } else {
        p * (lp - lq)
    }
}

fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// The three symmetric integrands from log-densities: JS, TV, squared Hellinger.
pub fn symmetric_terms(lp: f64, lq: f64) -> [f64; 3] {
    let lm = log_add_exp(lp, lq) - std::f64::consts::LN_2;
    let (p, q) = (lp.exp(), lq.exp());
    let half_kl = |l: f64, d: f64| {
        if l == f64::NEG_INFINITY {
            0.0
        } else {
            d * (l - lm)
        }
    };
    let js = 0.5 * (half_kl(lp, p) + half_kl(lq, q));
    let tv = 0.5 * (p - q).abs();
    let h = (0.5 * lp).exp() - (0.5 * lq).exp();
    [js, tv, 0.5 * h * h]
}

fn kl_continuous(p: &Distribution, q: &Distribution, names: [&str; 2], opts: &Options) -> Figure {
    if let Some(reason) = infinite_reason(p, q, names) {
        return Figure::infinite(reason);
    }
    if let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) {
        return piecewise(hp, hq, |c| [c.kl_pq()])[0].clone();
    }
    if opts.closed_forms
        && let (Distribution::Parametric(a), Distribution::Parametric(b)) = (p, q)
        && let Some(figure) = closed::kl_figure(a, b)
    {
        return figure;
    }
    // The integrand carries the rounding of both logs; its integral joins the error.
    let segs = build_segments(p, q, &p.support());
    let mut f = |pt: Point| {
        let lp = p.ln_density_offset(pt.anchor, pt.offset);
        let lq = q.ln_density_offset(pt.anchor, pt.offset);
        (kl_term(lp, lq), kl_term_rounding(lp, lq))
    };
    let r = quad::integrate_with_rounding(&segs, &mut f, opts.rel_tol, 1e-300, opts.max_intervals);
    Figure::from_quad(&r, opts.rel_tol)
}

/// A bound on the rounding error of [`kl_term`]: each log is good to a few ulps of its own
/// magnitude, so `ln p − ln q` is good to about ε·(|ln p| + |ln q| + 1), whatever the
/// difference. Near-identical P and Q make this the whole error (issue 10).
fn kl_term_rounding(lp: f64, lq: f64) -> f64 {
    let p = lp.exp();
    if p == 0.0 || lq == f64::NEG_INFINITY {
        0.0
    } else {
        8.0 * f64::EPSILON * p * (lp.abs() + lq.abs() + 1.0)
    }
}

fn entropy_continuous(p: &Distribution, opts: &Options) -> Figure {
    if let Distribution::Histogram(h) = p {
        // Compensated, as the walk over two histograms sums: the error does not grow with
        // the number of bins.
        let mut sum = Partial::<1>::default();
        for i in 0..h.len() {
            let (l, r, m) = h.bin(i);
            if m > 0.0 {
                sum.add(0, -m * (m / (r - l)).ln());
            }
        }
        return Figure {
            value: sum.total(0),
            error: 4.0 * f64::EPSILON * (sum.abs[0] + 2.0),
            method: format!("exact sum over {} bins", h.len()),
            reason: None,
        };
    }
    if opts.closed_forms
        && let Distribution::Parametric(a) = p
        && let Some(v) = closed::entropy(a)
    {
        return Figure::closed(v, &format!("{} entropy", a.family().name()));
    }
    let r = integrate_pair(p, p, &p.support(), opts, |lp, _| {
        if lp == f64::NEG_INFINITY {
            0.0
        } else {
            -lp.exp() * lp
        }
    });
    Figure::from_quad(&r, opts.rel_tol)
}

fn symmetric_continuous(p: &Distribution, q: &Distribution, opts: &Options) -> [Figure; 3] {
    if let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) {
        let [js, tv, h2] = piecewise(hp, hq, Cell::symmetric);
        return [js, tv, hellinger_from_squared(&h2)];
    }
    let mut domain = p.support();
    domain.extend(q.support());
    let domain = crate::distribution::merge_intervals(domain);
    let figs: Vec<Figure> = (0..3)
        .map(|i| {
            let r = integrate_pair(p, q, &domain, opts, |lp, lq| symmetric_terms(lp, lq)[i]);
            Figure::from_quad(&r, opts.rel_tol)
        })
        .collect();
    let [js, tv, h2] = <[Figure; 3]>::try_from(figs).unwrap_or_else(|_| {
        let nan = Figure::infinite(String::new());
        [nan.clone(), nan.clone(), nan]
    });
    [js, tv, hellinger_from_squared(&h2)]
}

/// Hellinger distance from its square, with the error propagated.
pub(crate) fn hellinger_from_squared(h2: &Figure) -> Figure {
    let v = h2.value.clamp(0.0, 1.0).sqrt();
    Figure {
        value: v,
        error: if v > 0.0 {
            h2.error / (2.0 * v)
        } else {
            h2.error.sqrt()
        },
        method: h2.method.clone(),
        reason: None,
    }
}

/// Both densities on one cell of the common refinement: linear and log (`ln == −inf` where
/// the density is 0), and the log of their ratio.
#[derive(Clone, Copy, Debug)]
pub struct Cell {
    /// p on the cell.
    pub p: f64,
    /// ln p on the cell.
    pub lp: f64,
    /// q on the cell.
    pub q: f64,
    /// ln q on the cell.
    pub lq: f64,
    /// ln(p/q), from the ratio itself: `lp − lq` would lose the digits the two logs share
    /// (near-equal densities are the usual case, and each term would carry an error of
    /// ε·|ln p| instead of ε·|ln(p/q)|).
    pub ln_ratio: f64,
    /// The smaller density over the larger, in [0, 1] (the one division a cell needs).
    pub small_over_big: f64,
}

impl Cell {
    /// The cell for densities `p` and `q` with their logs.
    pub fn new(p: f64, lp: f64, q: f64, lq: f64) -> Self {
        let (big, small, l_big, l_small) = if p >= q {
            (p, q, lp, lq)
        } else {
            (q, p, lq, lp)
        };
        let r = small / big;
        // ln(small/big) ≤ 0; from the logs only where the ratio is 0 or leaves the doubles.
        let ln_r = if r > 0.0 && r.is_finite() {
            r.ln()
        } else {
            l_small - l_big
        };
        Cell {
            p,
            lp,
            q,
            lq,
            ln_ratio: if p >= q { -ln_r } else { ln_r },
            small_over_big: r,
        }
    }

    /// p·ln(p/q): KL(P‖Q)'s integrand.
    pub fn kl_pq(&self) -> f64 {
        directed(self.p, self.q, self.ln_ratio)
    }

    /// q·ln(q/p): KL(Q‖P)'s integrand.
    pub fn kl_qp(&self) -> f64 {
        directed(self.q, self.p, -self.ln_ratio)
    }

    /// JS, TV and squared-Hellinger integrands, as [`symmetric_terms`] from the densities.
    /// With `big ≥ small` the two densities and `r = small/big ≤ 1`, the mixture is
    /// `big·(1 + r)/2`, so `ln(big/m) = ln(2/(1 + r))` and `ln(small/m) = ln r + ln(big/m)`,
    /// neither a difference of large logs.
    pub fn symmetric(&self) -> [f64; 3] {
        let (big, small, ln_r) = if self.p >= self.q {
            (self.p, self.q, -self.ln_ratio)
        } else {
            (self.q, self.p, self.ln_ratio)
        };
        let js = if small == 0.0 {
            0.5 * big * std::f64::consts::LN_2
        } else {
            // ln(2/(1 + r)) = −ln((1 + r)/2), and (1 + r)/2 in [½, 1] is one rounding from
            // exact: its log has an absolute error of about an ulp, with no division.
            let ln_big_m = -(0.5 + 0.5 * self.small_over_big).ln();
            0.5 * (big * ln_big_m + small * (ln_r + ln_big_m))
        };
        let tv = 0.5 * (self.p - self.q).abs();
        // (√p − √q)² = (p − q)² / (√p + √q)², without the cancellation of √p − √q.
        let root_sum = self.p.sqrt() + self.q.sqrt();
        let h = if root_sum > 0.0 {
            (self.p - self.q) / root_sum
        } else {
            0.0
        };
        [js, tv, 0.5 * h * h]
    }
}

/// a·ln(a/b) from the log of the ratio: 0 where a is 0, ∞ where only b is.
fn directed(a: f64, b: f64, ln_a_over_b: f64) -> f64 {
    if a == 0.0 {
        0.0
    } else if b == 0.0 {
        f64::INFINITY
    } else {
        a * ln_a_over_b
    }
}

/// Cells below which one thread walks them all.
const PARALLEL_CELLS: usize = 1 << 16;

/// Exact integrals of `g(cell)` for two piecewise-constant densities, over the common
/// refinement of their bin edges (cells where both are 0 are skipped). Walks both bin lists
/// side by side without materialising the refinement; large pairs are split between two
/// threads at one of P's edges.
pub fn piecewise<const N: usize>(
    p: &Histogram,
    q: &Histogram,
    g: impl Fn(&Cell) -> [f64; N] + Sync,
) -> [Figure; N] {
    let lo = p.lefts()[0].min(q.lefts()[0]);
    let hi = p.rights()[p.len() - 1].max(q.rights()[q.len() - 1]);
    let parts = if p.len() + q.len() >= PARALLEL_CELLS {
        let split = p.lefts()[p.len() / 2];
        std::thread::scope(|s| {
            let upper = s.spawn(|| walk(p, q, split, hi, &g));
            let lower = walk(p, q, lo, split, &g);
            // A panic in the walk is a bug; walk the upper half here rather than lose it.
            let upper = upper.join().unwrap_or_else(|_| walk(p, q, split, hi, &g));
            vec![lower, upper]
        })
    } else {
        vec![walk(p, q, lo, hi, &g)]
    };
    let mut total = Partial::<N>::default();
    for part in parts {
        total.cells += part.cells;
        for i in 0..N {
            total.add(i, part.total(i));
            total.abs[i] += part.abs[i] - part.total(i).abs();
        }
    }
    let cells = total.cells;
    // Each term is good to a few ulps of itself plus a few ulps of its cell's mass (the log
    // of a ratio near 1); the compensated sum adds no error that grows with the cell count.
    std::array::from_fn(|i| Figure {
        value: total.total(i),
        error: 4.0 * f64::EPSILON * (total.abs[i] + 2.0),
        method: format!(
            "exact sum over the common refinement of both histograms' bins ({cells} cells)"
        ),
        reason: None,
    })
}

/// Running sums of a walk. The sums are compensated (two-sum): 10^7 terms added one by one
/// lose about 10^−11 of KL, more than the terms themselves carry.
struct Partial<const N: usize> {
    sums: [f64; N],
    /// The low-order parts the sums lost.
    carry: [f64; N],
    abs: [f64; N],
    cells: usize,
}

impl<const N: usize> Default for Partial<N> {
    fn default() -> Self {
        Partial {
            sums: [0.0; N],
            carry: [0.0; N],
            abs: [0.0; N],
            cells: 0,
        }
    }
}

impl<const N: usize> Partial<N> {
    fn add(&mut self, i: usize, term: f64) {
        // Knuth's two-sum: the exact rounding error of `sum + term`, whichever operand is
        // larger, without a branch (an infinite term makes the sum infinite and the carry
        // NaN, which `total` ignores).
        let a = self.sums[i];
        let sum = a + term;
        let b_virtual = sum - a;
        self.carry[i] += (a - (sum - b_virtual)) + (term - b_virtual);
        self.sums[i] = sum;
        self.abs[i] += term.abs();
    }

    /// The compensated sum of figure `i`.
    fn total(&self, i: usize) -> f64 {
        if self.sums[i].is_finite() {
            self.sums[i] + self.carry[i]
        } else {
            self.sums[i]
        }
    }
}

/// One histogram's bin under the walk: its index and density (linear and log).
struct Cursor<'a> {
    lefts: &'a [f64],
    rights: &'a [f64],
    masses: &'a [f64],
    i: usize,
    d: f64,
    ld: f64,
}

impl<'a> Cursor<'a> {
    /// At the first bin that ends after `x`.
    fn new(h: &'a Histogram, x: f64) -> Self {
        let mut c = Cursor {
            lefts: h.lefts(),
            rights: h.rights(),
            masses: h.masses(),
            i: h.rights().partition_point(|r| *r <= x),
            d: 0.0,
            ld: f64::NEG_INFINITY,
        };
        c.load();
        c
    }

    fn load(&mut self) {
        if let (Some(l), Some(r), Some(m)) = (
            self.lefts.get(self.i),
            self.rights.get(self.i),
            self.masses.get(self.i),
        ) {
            self.d = m / (r - l);
            self.ld = self.d.ln();
        }
    }

    /// Moves past bins that end at or before `x`.
    fn advance(&mut self, x: f64) {
        let rights = self.rights;
        if self.i < rights.len() && rights[self.i] <= x {
            while self.i < rights.len() && rights[self.i] <= x {
                self.i += 1;
            }
            self.load();
        }
    }

    /// The first edge of this histogram after `x` (inf past the last bin).
    fn next_edge(&self, x: f64) -> f64 {
        match self.lefts.get(self.i) {
            Some(&l) if l > x => l,
            Some(_) => self.rights[self.i],
            None => f64::INFINITY,
        }
    }

    /// The density on a cell starting at `x` (0 in gaps and past the ends).
    fn at(&self, x: f64) -> (f64, f64) {
        match self.lefts.get(self.i) {
            Some(&l) if l <= x => (self.d, self.ld),
            _ => (0.0, f64::NEG_INFINITY),
        }
    }
}

/// The cells in `[from, to)`, summed.
fn walk<const N: usize>(
    p: &Histogram,
    q: &Histogram,
    from: f64,
    to: f64,
    g: &impl Fn(&Cell) -> [f64; N],
) -> Partial<N> {
    let mut out = Partial::default();
    let (mut cp, mut cq) = (Cursor::new(p, from), Cursor::new(q, from));
    let mut x = from;
    while x < to {
        cp.advance(x);
        cq.advance(x);
        let y = cp.next_edge(x).min(cq.next_edge(x)).min(to);
        if y == f64::INFINITY {
            break;
        }
        let ((dp, lp), (dq, lq)) = (cp.at(x), cq.at(x));
        if dp > 0.0 || dq > 0.0 {
            out.cells += 1;
            let v = g(&Cell::new(dp, lp, dq, lq));
            let width = y - x;
            for (i, term) in v.into_iter().enumerate() {
                out.add(i, term * width);
            }
        }
        x = y;
    }
    out
}

/// The naive grid sum of the note this project grew from: Σ rel_entr(p_i, q_i) + q_i − p_i
/// (scipy's `kl_div`) over `n` evenly spaced points on [a, b], and that sum times Δx.
/// Returns `(sum, sum × Δx)`.
pub fn grid_sum(p: &Distribution, q: &Distribution, a: f64, b: f64, n: usize) -> (f64, f64) {
    let n = n.max(2);
    let dx = (b - a) / (n - 1) as f64;
    let mut sum = 0.0;
    for i in 0..n {
        let x = a + dx * i as f64;
        let pi = p.ln_density(x).exp();
        let qi = q.ln_density(x).exp();
        let rel = if pi == 0.0 && qi >= 0.0 {
            0.0
        } else if pi > 0.0 && qi > 0.0 {
            pi * (pi / qi).ln()
        } else {
            f64::INFINITY
        };
        sum += rel + qi - pi;
    }
    (sum, sum * dx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    fn d(s: &str) -> Distribution {
        parse_spec(s).unwrap()
    }

    #[test]
    fn default_pair_matches_the_closed_form() {
        let r = compare(&d("normal(0,1)"), &d("normal(1,2)"), &Options::default()).unwrap();
        let exact = 2f64.ln() + (1.0 + 1.0) / 8.0 - 0.5;
        assert!((r.kl_pq.value - exact).abs() < 1e-15);
        assert!((r.kl_pq.value - 0.443_147_180_559_945_3).abs() < 1e-15);
    }

    #[test]
    fn kl_below_a_point_agrees_with_quadrature_of_that_part() {
        use crate::distribution::histogram::Weights;
        let hist = |bins: &[(f64, f64, f64)]| {
            Distribution::Histogram(std::sync::Arc::new(
                Histogram::from_bins(bins, Weights::Count, "h").unwrap(),
            ))
        };
        let even = |n: u32, lo: f64, hi: f64, f: &dyn Fn(f64) -> f64| {
            let w = (hi - lo) / f64::from(n);
            let edge = |i: u32| lo + w * f64::from(i);
            let bins: Vec<_> = (0..n)
                .map(|i| (edge(i), edge(i + 1), f(edge(i) + w / 2.0)))
                .collect();
            hist(&bins)
        };
        let a = even(400, -4.0, 4.0, &|x| (-x * x / 2.0).exp());
        let b = even(90, -4.5, 4.5, &|x| (-(x - 0.3) * (x - 0.3) / 2.5).exp());
        let c = even(50, 0.0, 1.0, &|x| 1.0 + x);
        let opts = Options::default();
        for (p, q, cut) in [
            (&a, &b, -1.234),
            (&a, &d("normal(0.2,1.1)"), -0.7),
            (&d("beta(2,3)"), &c, 0.37),
            (&a, &b, 10.0),
        ] {
            let got = kl_below(p, q, cut, &opts);
            let left: Vec<(f64, f64)> = p
                .support()
                .into_iter()
                .filter(|(lo, _)| *lo < cut)
                .map(|(lo, hi)| (lo, hi.min(cut)))
                .collect();
            let want = integrate_pair(p, q, &left, &opts, kl_term).value;
            assert!(
                (got - want).abs() < 1e-9 * want.abs().max(1e-3),
                "{} ‖ {} below {cut}: {got} against {want}",
                p.to_spec(),
                q.to_spec()
            );
        }
        // Past every bin it is the whole KL.
        let whole = compare(&a, &b, &opts).unwrap().kl_pq.value;
        assert!((kl_below(&a, &b, 10.0, &opts) - whole).abs() < 1e-14);
    }

    #[test]
    fn a_million_bins_sum_to_the_closed_form_to_the_last_digits() {
        use crate::distribution::histogram::Weights;
        // P uniform; Q alternates 1 and 3. KL(P‖Q) = ½·ln(4/3), KL(Q‖P) = ½·ln(3/4) +
        // ¾·ln 3... written out below; H(P) = ln(total width). A plain running sum of 10^6
        // terms is off by about 1e-12 here; the compensated one by an ulp or two.
        let n = 1_000_000u32;
        let edge = |i: u32| f64::from(i) * 1e-3;
        let p: Vec<_> = (0..n).map(|i| (edge(i), edge(i + 1), 1.0)).collect();
        let q: Vec<_> = (0..n)
            .map(|i| (edge(i), edge(i + 1), if i % 2 == 0 { 1.0 } else { 3.0 }))
            .collect();
        let hp = Distribution::Histogram(std::sync::Arc::new(
            Histogram::from_bins(&p, Weights::Count, "p").unwrap(),
        ));
        let hq = Distribution::Histogram(std::sync::Arc::new(
            Histogram::from_bins(&q, Weights::Count, "q").unwrap(),
        ));
        let r = compare(&hp, &hq, &Options::default()).unwrap();
        let kl_pq = 0.5 * (4.0f64 / 3.0).ln();
        // Q's masses are 1/(2n)·(1/2) and 1/(2n)·(3/2): ½·(¼·ln(½) + ¾·ln(3/2))·2.
        let kl_qp = 0.25 * 0.5f64.ln() + 0.75 * 1.5f64.ln();
        let h_p = 1000.0f64.ln();
        for (name, got, want) in [
            ("KL(P‖Q)", &r.kl_pq, kl_pq),
            ("KL(Q‖P)", &r.kl_qp, kl_qp),
            ("H(P)", &r.entropy_p, h_p),
        ] {
            let err = (got.value - want).abs();
            assert!(
                err < 4e-15 * want.abs().max(1.0),
                "{name}: {} against {want}",
                got.value
            );
            assert!(
                err <= got.error,
                "{name}: error {err:e} above the estimate {:e}",
                got.error
            );
        }
    }

    #[test]
    fn a_pair_with_itself_shows_no_negative_zeros() {
        // JS came out as −1.8e-23 by quadrature and showed as "-0.0000000000".
        let p = d("beta(1e7, 5)");
        let r = compare(&p, &p, &Options::default()).unwrap();
        for f in [&r.kl_pq, &r.kl_qp, &r.js, &r.tv] {
            assert!(f.value >= 0.0 && f.value < 1e-12, "{f:?}");
        }
    }

    #[test]
    fn uncovered_matches_a_brute_force_check() {
        // Alternating runs: every second unit interval in a, shifted halves in b.
        let a: Vec<(f64, f64)> = (0..2000)
            .map(|i| (2.0 * f64::from(i), 2.0 * f64::from(i) + 1.0))
            .collect();
        let b: Vec<(f64, f64)> = (0..2000)
            .map(|i| (2.0 * f64::from(i) + 0.5, 2.0 * f64::from(i) + 1.5))
            .collect();
        let got = uncovered(&a, &b);
        let want: Vec<(f64, f64)> = a.iter().map(|&(lo, _)| (lo, lo + 0.5)).collect();
        assert_eq!(got, want);
        assert_eq!(
            uncovered(&[(0.0, 10.0)], &[(1.0, 2.0), (3.0, 4.0), (9.0, 12.0)]),
            [(0.0, 1.0), (2.0, 3.0), (4.0, 9.0)]
        );
        assert_eq!(uncovered(&[(0.0, 1.0)], &[(-1.0, 2.0)]), []);
        assert_eq!(
            uncovered(&[(0.0, 1.0), (5.0, 6.0)], &[]),
            [(0.0, 1.0), (5.0, 6.0)]
        );
    }

    #[test]
    fn the_walk_matches_a_sum_over_merged_edges_in_both_threads() {
        use crate::distribution::histogram::{Weights, merge_sorted};
        // P: 70 000 bins of uneven width with empty bins and one gap; Q: 60 000 other bins
        // covering P.
        // Large enough that the walk is split between two threads.
        let mut p_bins = Vec::new();
        let mut x = 0.0;
        for i in 0..70_000u32 {
            let w = 1.0 + f64::from(i % 7) * 0.1;
            if i == 30_000 {
                x += 5.0;
            }
            p_bins.push((x, x + w, f64::from((i * 13) % 11)));
            x += w;
        }
        let q_bins: Vec<(f64, f64, f64)> = (0..60_000u32)
            .map(|i| {
                let edge = |k: u32| -3.0 + f64::from(k) * 1.7;
                (edge(i), edge(i + 1), 1.0 + f64::from(i % 5))
            })
            .collect();
        let hp = Histogram::from_bins(&p_bins, Weights::Count, "p").unwrap();
        let hq = Histogram::from_bins(&q_bins, Weights::Count, "q").unwrap();
        let [kl_pq, kl_qp, tv] = piecewise(&hp, &hq, |c| [c.kl_pq(), c.kl_qp(), c.symmetric()[1]]);
        let (mut want_kl, mut want_tv) = (0.0, 0.0);
        for e in merge_sorted(&hp.edges(), &hq.edges()).windows(2) {
            let mid = 0.5 * (e[0] + e[1]);
            let (lp, lq) = (hp.ln_density(mid), hq.ln_density(mid));
            want_tv += 0.5 * (lp.exp() - lq.exp()).abs() * (e[1] - e[0]);
            if lp > f64::NEG_INFINITY {
                want_kl += lp.exp() * (lp - lq) * (e[1] - e[0]);
            }
        }
        assert!(kl_pq.error < 1e-9, "{kl_pq:?}");
        assert!(
            (kl_pq.value - want_kl).abs() < 1e-10 * want_kl,
            "{} against {want_kl}",
            kl_pq.value
        );
        assert!(
            (tv.value - want_tv).abs() < 1e-12,
            "{} against {want_tv}",
            tv.value
        );
        assert!(tv.value > 0.1);
        assert_eq!(
            kl_qp.value,
            f64::INFINITY,
            "Q has mass in P's gap and empty bins"
        );
    }

    #[test]
    fn grid_sum_reproduces_the_note() {
        let (sum, sum_dx) = grid_sum(&d("normal(0,1)"), &d("normal(1,2)"), -10.0, 10.0, 1000);
        assert!((sum - 22.135035).abs() < 5e-7, "{sum}");
        assert!((sum_dx - 0.443144).abs() < 5e-7, "{sum_dx}");
    }

    #[test]
    fn cauchy_against_normal_is_infinite_with_a_reason() {
        let f = kl_divergence(&d("cauchy(0,1)"), &d("normal(0,1)"), &Options::default()).unwrap();
        assert_eq!(f.value, f64::INFINITY);
        let reason = f.reason.unwrap();
        assert!(reason.contains("diverges as x → −∞"), "{reason}");
        assert!(reason.contains("power-law tail"), "{reason}");
    }

    #[test]
    fn support_mismatch_names_the_region() {
        let f =
            kl_divergence(&d("normal(0,1)"), &d("exponential(1)"), &Options::default()).unwrap();
        assert_eq!(f.value, f64::INFINITY);
        assert_eq!(
            f.reason.as_deref(),
            Some("P has mass on x < 0, where Q's density is 0")
        );
    }

    #[test]
    fn discrete_against_continuous_is_a_clear_error() {
        let e = compare(&d("poisson(3)"), &d("normal(3,1)"), &Options::default()).unwrap_err();
        assert!(e.to_string().contains("discrete"));
    }
}
