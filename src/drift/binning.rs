//! Bins shared by both sides of a numeric column, computed as numpy computes them.
//!
//! - `quantile:K`: inner edges at the reference's i/K quantiles (i = 1 … K−1) by numpy's
//!   default (`linear`) interpolation; the outer bins reach −∞ and +∞; a value equal to an
//!   edge goes to the bin on its right. Repeated edges (ties in the reference) are merged.
//! - `fixed:K`: `numpy.histogram(pooled, bins=K)`: K equal-width bins from the pooled minimum
//!   to the pooled maximum, `[a, b)` except the last, `[a, b]`; a single value v gives
//!   `[v − ½, v + ½]`.
//! - `sturges`, `doane`, `fd`: `numpy.histogram_bin_edges(reference, bins=rule)` (the bin
//!   width from the rule, the count `ceil(range / width)`, 1 when the width is 0), plus two
//!   outer bins, below and above the reference's range, for current values outside it.
//! - explicit edges: numpy's convention between them, plus the two outer bins.

use std::fmt;
use std::str::FromStr;

use crate::distribution::family::format_number;

/// How a numeric column is binned.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Binning {
    /// Edges at the reference's i/K quantiles, outer bins to ±∞.
    Quantile(usize),
    /// K equal-width bins over the pooled range.
    Fixed(usize),
    /// Sturges' rule on the reference.
    Sturges,
    /// Doane's rule on the reference.
    Doane,
    /// Freedman–Diaconis on the reference.
    Fd,
    /// Explicit increasing edges.
    Edges(Vec<f64>),
}

impl Default for Binning {
    fn default() -> Self {
        Binning::Quantile(10)
    }
}

/// The most bins a rule or `K` may give.
pub const MAX_BINS: usize = 100_000;

/// Why a binning text is refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BinningError {
    /// Not one of the forms.
    #[error("'{0}' is not a binning; use quantile:K, fixed:K, sturges, doane, fd or edges:a,b,c")]
    Unknown(String),
    /// K out of range.
    #[error("the number of bins must be between {min} and {MAX_BINS} (got {got})")]
    BadCount {
        /// The number given.
        got: String,
        /// The least accepted.
        min: usize,
    },
    /// Edges not finite and strictly increasing, or fewer than two.
    #[error("edges must be at least two finite numbers, strictly increasing (got {0})")]
    BadEdges(String),
}

impl FromStr for Binning {
    type Err = BinningError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let count = |k: &str, min: usize| -> Result<usize, BinningError> {
            match k.trim().parse::<usize>() {
                Ok(n) if (min..=MAX_BINS).contains(&n) => Ok(n),
                _ => Err(BinningError::BadCount {
                    got: k.trim().to_string(),
                    min,
                }),
            }
        };
        if let Some(k) = t.strip_prefix("quantile:") {
            return Ok(Binning::Quantile(count(k, 2)?));
        }
        if let Some(k) = t.strip_prefix("fixed:") {
            return Ok(Binning::Fixed(count(k, 1)?));
        }
        if let Some(e) = t.strip_prefix("edges:") {
            let edges: Option<Vec<f64>> = e.split(',').map(|x| x.trim().parse().ok()).collect();
            return match edges {
                Some(v)
                    if v.len() >= 2
                        && v.iter().all(|x| x.is_finite())
                        && v.windows(2).all(|w| w[0] < w[1]) =>
                {
                    Ok(Binning::Edges(v))
                }
                _ => Err(BinningError::BadEdges(e.to_string())),
            };
        }
        match t.as_str() {
            "sturges" => Ok(Binning::Sturges),
            "doane" => Ok(Binning::Doane),
            "fd" => Ok(Binning::Fd),
            _ => Err(BinningError::Unknown(s.to_string())),
        }
    }
}

impl fmt::Display for Binning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Binning::Quantile(k) => write!(f, "quantile:{k}"),
            Binning::Fixed(k) => write!(f, "fixed:{k}"),
            Binning::Sturges => write!(f, "sturges"),
            Binning::Doane => write!(f, "doane"),
            Binning::Fd => write!(f, "fd"),
            Binning::Edges(e) => {
                let e: Vec<String> = e.iter().map(|x| format!("{x}")).collect();
                write!(f, "edges:{}", e.join(","))
            }
        }
    }
}

/// Concrete bins for one column, the same for both sides.
#[derive(Clone, Debug, PartialEq)]
pub struct Bins {
    /// The binning asked for.
    pub binning: Binning,
    /// How the bins lie.
    pub layout: Layout,
    /// Merged repeated quantile edges (ties in the reference), if any.
    pub merged_edges: usize,
}

/// Where the bins lie.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// `(−∞, e₀), [e₀, e₁), …, [eₘ₋₁, +∞)`: a value equal to an edge goes right.
    Open(Vec<f64>),
    /// numpy.histogram edges `e₀ … eₘ` (`[a, b)`, the last `[a, b]`), with a bin below e₀ and
    /// one above eₘ first and last when `outer`.
    Closed {
        /// The edges.
        edges: Vec<f64>,
        /// Whether the two outer bins are there.
        outer: bool,
    },
}

impl Bins {
    /// Number of bins.
    pub fn len(&self) -> usize {
        match &self.layout {
            Layout::Open(e) => e.len() + 1,
            Layout::Closed { edges, outer } => edges.len() - 1 + if *outer { 2 } else { 0 },
        }
    }

    /// Whether there are no bins (never, for bins built here).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bin of a finite `x`.
    pub fn bin_of(&self, x: f64) -> usize {
        match &self.layout {
            Layout::Open(e) => e.partition_point(|&edge| edge <= x),
            Layout::Closed { edges, outer } => {
                let m = edges.len() - 1;
                let first = edges[0];
                let last = edges[m];
                let shift = usize::from(*outer);
                if x < first {
                    0
                } else if x > last {
                    m + 2 * shift - 1
                } else if x == last {
                    m - 1 + shift
                } else {
                    edges.partition_point(|&edge| edge <= x) - 1 + shift
                }
            }
        }
    }

    /// Each bin's `(left, right)`; outer bins have an infinite end.
    pub fn intervals(&self) -> Vec<(f64, f64)> {
        match &self.layout {
            Layout::Open(e) => {
                let mut out = Vec::with_capacity(e.len() + 1);
                let mut left = f64::NEG_INFINITY;
                for &edge in e {
                    out.push((left, edge));
                    left = edge;
                }
                out.push((left, f64::INFINITY));
                out
            }
            Layout::Closed { edges, outer } => {
                let mut out = Vec::with_capacity(edges.len() + 1);
                if *outer {
                    out.push((f64::NEG_INFINITY, edges[0]));
                }
                out.extend(edges.windows(2).map(|w| (w[0], w[1])));
                if *outer {
                    out.push((edges[edges.len() - 1], f64::INFINITY));
                }
                out
            }
        }
    }

    /// Each bin's label: `[1.5, 2)`, `(−∞, 0)`, `[9, 10]`, `below the reference's range
    /// (< 0)`.
    pub fn labels(&self) -> Vec<String> {
        let n = self.len();
        let outer = matches!(self.layout, Layout::Closed { outer: true, .. });
        let by_rule = matches!(
            self.binning,
            Binning::Sturges | Binning::Doane | Binning::Fd
        );
        self.intervals()
            .into_iter()
            .enumerate()
            .map(|(i, (l, r))| {
                let f = |v: f64| format_number(v);
                if outer && i == 0 {
                    if by_rule {
                        format!("below the reference's range (< {})", f(r))
                    } else {
                        format!("below the edges (< {})", f(r))
                    }
                } else if outer && i + 1 == n {
                    if by_rule {
                        format!("above the reference's range (> {})", f(l))
                    } else {
                        format!("above the edges (> {})", f(l))
                    }
                } else if l == f64::NEG_INFINITY {
                    format!("(-∞, {})", f(r))
                } else if r == f64::INFINITY {
                    format!("[{}, ∞)", f(l))
                } else if matches!(self.layout, Layout::Closed { .. })
                    && i + 1 + usize::from(outer) == n
                {
                    format!("[{}, {}]", f(l), f(r))
                } else {
                    format!("[{}, {})", f(l), f(r))
                }
            })
            .collect()
    }

    /// The inner edges (finite), as numpy gives them.
    pub fn edges(&self) -> &[f64] {
        match &self.layout {
            Layout::Open(e) => e,
            Layout::Closed { edges, .. } => edges,
        }
    }

    /// Counts of `values` per bin.
    pub fn count(&self, values: &[f64]) -> Vec<u64> {
        let mut counts = vec![0u64; self.len()];
        self.count_into(values, &mut counts);
        counts
    }

    /// Adds the counts of `values` per bin to `counts` (one entry per bin): counting a
    /// column piece by piece gives [`Bins::count`] of the whole.
    pub fn count_into(&self, values: &[f64], counts: &mut [u64]) {
        if let Layout::Open(e) = &self.layout
            && e.len() < usize::from(u8::MAX)
            && e.windows(2).all(|w| w[0] < w[1])
        {
            count_open(e, values, counts);
            return;
        }
        for &x in values {
            counts[self.bin_of(x)] += 1;
        }
    }
}

impl crate::io::table::BinCounter for Bins {
    fn bins(&self) -> usize {
        self.len()
    }

    fn add(&self, values: &[f64], counts: &mut [u64]) {
        self.count_into(values, counts);
    }
}

/// [`Bins::count`] for open bins on fewer than 255 increasing edges, without a search: a
/// value's bin is how many edges are ≤ it (what the binary search of [`Bins::bin_of`] finds on
/// increasing edges). So bin b holds the values ≥ edge b−1 but not ≥ edge b: for each edge,
/// a block of values at a time (kept in the first-level cache), the values ≥ it are
/// counted, a sum of comparisons the compiler does two at a time, with no branch,
/// no dependent load and no table of tallies.
fn count_open(edges: &[f64], values: &[f64], counts: &mut [u64]) {
    const BLOCK: usize = 2048;
    let mut at_or_above = vec![0u64; edges.len()];
    for block in values.chunks(BLOCK) {
        for (n, &e) in at_or_above.iter_mut().zip(edges) {
            *n += block.iter().map(|&x| u64::from(e <= x)).sum::<u64>();
        }
    }
    let total = values.len() as u64;
    for (b, count) in counts.iter_mut().enumerate().take(edges.len() + 1) {
        let from = if b == 0 { total } else { at_or_above[b - 1] };
        *count += from - at_or_above.get(b).copied().unwrap_or(0);
    }
}

/// numpy's `_lerp`: a + (b − a)·t, computed from b's side when t ≥ ½.
///
/// Where b − a overflows (finite a and b of opposite signs, both near the largest double),
/// numpy gives NaN at t = 0 or 1 and ±∞ between, an edge outside [a, b]; here the same
/// formula is taken on a/2 and b/2 and doubled. Halving and doubling are exact at those
/// magnitudes (both are above 10^292), so this is numpy's formula without the overflow: a
/// value in [a, b], and a itself at t = 0. Wherever b − a is finite it is numpy's value.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if d.is_infinite() && a.is_finite() && b.is_finite() {
        return 2.0 * lerp(a / 2.0, b / 2.0, t);
    }
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// `numpy.quantile(sorted, q)` with the default `linear` method; `sorted` ascending, not
/// empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let (i, j, gamma) = quantile_ranks(sorted.len(), q);
    lerp(sorted[i], sorted[j], gamma)
}

/// `numpy.linspace(first, last, bins + 1)`.
fn linspace(first: f64, last: f64, bins: usize) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    let step = (last - first) / bins as f64;
    let mut e: Vec<f64> = (0..=bins)
        .map(|i| {
            #[allow(clippy::cast_precision_loss)]
            let i = i as f64;
            i * step + first
        })
        .collect();
    e[bins] = last;
    e
}

/// numpy's outer edges: min and max, widened by ½ each way when equal.
fn outer_edges(min: f64, max: f64) -> (f64, f64) {
    if min == max {
        (min - 0.5, max + 0.5)
    } else {
        (min, max)
    }
}

/// A correctly rounded sum (Shewchuk's exact partials, as Python's `math.fsum`): the same
/// bits whatever the order of the terms, so a streamed and an in-memory pass agree.
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    /// Adds `x` (finite) exactly.
    pub fn add(&mut self, mut x: f64) {
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// The exact sum rounded to the nearest double (ties to even).
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

/// What the rules need of the reference: its size, range, interquartile range (FD) and
/// skewness (Doane).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleInputs {
    /// Present values.
    pub n: usize,
    /// The least.
    pub min: f64,
    /// The greatest.
    pub max: f64,
    /// q(0.75) − q(0.25) by numpy's linear quantile (only FD uses it).
    pub iqr: f64,
    /// The skewness g₁ = mean(((x − m)/σ)³) with exactly rounded sums, `None` when σ = 0
    /// or n ≤ 2 (only Doane uses it).
    pub skewness: Option<f64>,
}

/// The Doane skewness of `n` values in three exact passes (mean, σ, g₁); `None` when
/// undefined. `pass` gives every value to its argument, once per call.
pub fn skewness(n: usize, mut pass: impl FnMut(&mut dyn FnMut(f64))) -> Option<f64> {
    if n <= 2 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let nf = n as f64;
    let mut s = ExactSum::default();
    pass(&mut |x| s.add(x));
    let m = s.value() / nf;
    let mut s2 = ExactSum::default();
    pass(&mut |x| s2.add((x - m) * (x - m)));
    let sigma = (s2.value() / nf).sqrt();
    if !(sigma > 0.0) {
        return None;
    }
    let mut s3 = ExactSum::default();
    pass(&mut |x| s3.add(((x - m) / sigma).powi(3)));
    Some(s3.value() / nf)
}

impl RuleInputs {
    /// The inputs `rule` needs from the sorted reference (not empty); the interquartile
    /// range is 0 unless the rule is FD, the skewness `None` unless it is Doane.
    pub fn of_sorted(rule: &Binning, sorted: &[f64]) -> Self {
        RuleInputs {
            n: sorted.len(),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            iqr: if *rule == Binning::Fd {
                quantile_sorted(sorted, 0.75) - quantile_sorted(sorted, 0.25)
            } else {
                0.0
            },
            skewness: if *rule == Binning::Doane {
                skewness(sorted.len(), |f| sorted.iter().for_each(|&x| f(x)))
            } else {
                None
            },
        }
    }
}

/// The rule's bin width, as numpy's `_hist_bin_*` (0 when it has none).
fn rule_width(rule: &Binning, r: &RuleInputs) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = r.n as f64;
    let ptp = r.max - r.min;
    match rule {
        Binning::Sturges => ptp / (n.log2() + 1.0),
        Binning::Doane => {
            let Some(g1) = r.skewness else {
                return 0.0;
            };
            let sg1 = (6.0 * (n - 2.0) / ((n + 1.0) * (n + 3.0))).sqrt();
            ptp / (1.0 + n.log2() + (1.0 + g1.abs() / sg1).log2())
        }
        Binning::Fd => 2.0 * r.iqr * n.powf(-1.0 / 3.0),
        _ => 0.0,
    }
}

/// The number of bins a rule gives on `sorted` (numpy's `ceil(range / width)`, 1 for a
/// zero width), capped at [`MAX_BINS`].
pub fn rule_bins(rule: &Binning, sorted: &[f64]) -> usize {
    rule_bins_from(rule, &RuleInputs::of_sorted(rule, sorted))
}

/// [`rule_bins`] from the reference's summary.
pub fn rule_bins_from(rule: &Binning, r: &RuleInputs) -> usize {
    let (first, last) = outer_edges(r.min, r.max);
    let width = rule_width(rule, r);
    if width > 0.0 {
        let k = ((last - first) / width).ceil();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let k = k as usize;
        k.clamp(1, MAX_BINS)
    } else {
        1
    }
}

/// The bins of `fixed:K` (pooled range), a rule (the reference's summary) or explicit edges:
/// every binning but `quantile:K`, without the values.
pub fn closed_bins(binning: &Binning, reference: &RuleInputs, pooled: (f64, f64)) -> Bins {
    let layout = match binning {
        Binning::Fixed(k) => {
            let (first, last) = outer_edges(pooled.0, pooled.1);
            Layout::Closed {
                edges: linspace(first, last, *k),
                outer: false,
            }
        }
        Binning::Edges(e) => Layout::Closed {
            edges: e.clone(),
            outer: true,
        },
        _ => {
            let (first, last) = outer_edges(reference.min, reference.max);
            Layout::Closed {
                edges: linspace(first, last, rule_bins_from(binning, reference)),
                outer: true,
            }
        }
    };
    Bins {
        binning: binning.clone(),
        layout,
        merged_edges: 0,
    }
}

/// `quantile:k` bins from the order statistics `stats` at the ranks [`quantile_plan`] gave.
pub fn quantile_bins_from(k: usize, plan: &[(usize, usize, f64)], stats: &[f64]) -> Bins {
    let e: Vec<f64> = plan
        .iter()
        .enumerate()
        .map(|(m, &(_, _, gamma))| lerp(stats[2 * m], stats[2 * m + 1], gamma))
        .collect();
    let (layout, merged_edges) = open_layout(e);
    Bins {
        binning: Binning::Quantile(k),
        layout,
        merged_edges,
    }
}

/// The two order statistics and weight of each inner edge of `quantile:k` on `n` values;
/// the ranks wanted are `i, j` of each, in order.
pub fn quantile_plan(k: usize, n: usize) -> Vec<(usize, usize, f64)> {
    (1..k)
        .map(|i| quantile_ranks(n, quantile_level(i, k)))
        .collect()
}

/// numpy's linear quantile of level `q` from its two order statistics.
pub fn quantile_from(lo: f64, hi: f64, gamma: f64) -> f64 {
    lerp(lo, hi, gamma)
}

/// The level i/k.
fn quantile_level(i: usize, k: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let q = i as f64 / k as f64;
    q
}

/// Quantile edges with repeats merged, and how many were merged.
fn open_layout(mut e: Vec<f64>) -> (Layout, usize) {
    let before = e.len();
    e.dedup();
    let merged = before - e.len();
    (Layout::Open(e), merged)
}

/// numpy's linear quantile's two order statistics (0-based) and weight for level `q` of `n`
/// values, as [`quantile_sorted`] uses them.
pub fn quantile_ranks(n: usize, q: f64) -> (usize, usize, f64) {
    #[allow(clippy::cast_precision_loss)]
    let virtual_index = (n - 1) as f64 * q;
    let below = virtual_index.floor();
    let gamma = virtual_index - below;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = (below as usize).min(n - 1);
    (i, (i + 1).min(n - 1), gamma)
}

/// The order statistics at `ranks` (0-based, any order) of `values` (not empty), found by
/// selection: `values` is reordered, never fully sorted. Equal to indexing the sorted values.
pub fn order_statistics(values: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    let mut wanted: Vec<usize> = ranks.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found: Vec<(usize, f64)> = Vec::with_capacity(wanted.len());
    select_ranks(values, 0, &wanted, &mut found);
    found.sort_unstable_by_key(|(r, _)| *r);
    ranks
        .iter()
        .map(|r| {
            let at = found.partition_point(|(x, _)| x < r);
            found[at].1
        })
        .collect()
}

/// Divide and conquer: the middle rank splits `values` (ranks `offset…`), each side keeps
/// its own ranks, so m ranks cost about n·log m, not n·m.
fn select_ranks(values: &mut [f64], offset: usize, ranks: &[usize], found: &mut Vec<(usize, f64)>) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let r = ranks[mid];
    let (left, v, right) = values.select_nth_unstable_by(r - offset, f64::total_cmp);
    found.push((r, *v));
    select_ranks(left, offset, &ranks[..mid], found);
    select_ranks(right, r + 1, &ranks[mid + 1..], found);
}

/// `quantile:k` bins from the reference's values (not empty; reordered, not sorted): the
/// same bins as [`make_bins`] on the sorted values.
pub fn quantile_bins(k: usize, reference: &mut [f64]) -> Bins {
    let plan = quantile_plan(k, reference.len());
    let ranks: Vec<usize> = plan.iter().flat_map(|&(i, j, _)| [i, j]).collect();
    let stats = order_statistics(reference, &ranks);
    quantile_bins_from(k, &plan, &stats)
}

/// The counts of the open bins `(−∞, e₀), [e₀, e₁), …, [eₘ₋₁, +∞)` from the total and the
/// number of values ≥ each edge (not increasing).
pub(crate) fn counts_between(total: u64, at_or_above: &[u64]) -> Vec<u64> {
    (0..=at_or_above.len())
        .map(|b| {
            let from = if b == 0 { total } else { at_or_above[b - 1] };
            from - at_or_above.get(b).copied().unwrap_or(0)
        })
        .collect()
}

/// The order-preserving key of `x`: `a.total_cmp(b)` is `order_key(a).cmp(order_key(b))`.
pub(crate) fn order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The double whose order key ([`order_key`]) is `k`.
pub(crate) fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// The order statistics at `ranks` (0-based, any order) of `values` (not empty, fewer than
/// 2³² of them), neither reordered nor copied: one pass counts the values by the top 16 bits
/// of their order key (a bucket is a run of the total order), a second keeps only the values
/// of the buckets that hold a wanted rank, and those are selected among. Equal to indexing
/// the sorted values, as [`order_statistics`] is; at worst (every value in one bucket) it
/// holds one copy of the values, as a selection on a copy would.
pub fn order_statistics_by_buckets(values: &[f64], ranks: &[usize]) -> Vec<f64> {
    order_statistics_with_buckets(values, ranks).0
}

/// The top bits of the order key that make a bucket of [`order_statistics_by_buckets`].
const BUCKET_BITS: u32 = 16;

/// A value's bucket: a run of the total order.
fn bucket_of(x: f64) -> usize {
    (order_key(x) >> (64 - BUCKET_BITS)) as usize
}

/// What [`order_statistics_by_buckets`] learns of the values besides the order statistics:
/// how many fall in each bucket, and the values of the buckets it kept (those holding a
/// wanted rank), by bucket.
struct Buckets {
    counts: Vec<u32>,
    kept: Vec<(usize, Vec<f64>)>,
}

/// [`order_statistics_by_buckets`] and its [`Buckets`] (`None` when it selected on a copy).
fn order_statistics_with_buckets(values: &[f64], ranks: &[usize]) -> (Vec<f64>, Option<Buckets>) {
    const NONE: u16 = u16::MAX;
    let mut counts = vec![0u32; 1 << BUCKET_BITS];
    for &x in values {
        counts[bucket_of(x)] += 1;
    }
    let mut wanted: Vec<usize> = ranks.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.len() >= usize::from(NONE) || u32::try_from(values.len()).is_err() {
        return (order_statistics(&mut values.to_vec(), ranks), None);
    }
    // Each wanted rank's bucket and the values below that bucket, in one sweep.
    let mut slot = vec![NONE; 1 << BUCKET_BITS];
    let mut buckets: Vec<(usize, usize)> = Vec::new();
    let mut at: Vec<(usize, usize)> = Vec::with_capacity(wanted.len());
    let (mut b, mut below) = (0usize, 0usize);
    for &r in &wanted {
        while below + counts[b] as usize <= r {
            below += counts[b] as usize;
            b += 1;
        }
        if slot[b] == NONE {
            slot[b] = u16::try_from(buckets.len()).unwrap_or(NONE);
            buckets.push((b, below));
        }
        at.push((usize::from(slot[b]), r - below));
    }
    let mut kept: Vec<Vec<f64>> = buckets
        .iter()
        .map(|&(b, _)| Vec::with_capacity(counts[b] as usize))
        .collect();
    for &x in values {
        let s = slot[bucket_of(x)];
        if s != NONE {
            kept[usize::from(s)].push(x);
        }
    }
    let mut found: Vec<(usize, f64)> = Vec::with_capacity(wanted.len());
    for (s, kept) in kept.iter_mut().enumerate() {
        let local: Vec<usize> = at.iter().filter(|a| a.0 == s).map(|a| a.1).collect();
        let got = order_statistics(kept, &local);
        found.extend(
            wanted
                .iter()
                .zip(&at)
                .filter(|(_, a)| a.0 == s)
                .map(|(&r, _)| r)
                .zip(got),
        );
    }
    found.sort_unstable_by_key(|(r, _)| *r);
    let stats = ranks
        .iter()
        .map(|r| {
            let i = found.partition_point(|(x, _)| x < r);
            found[i].1
        })
        .collect();
    let kept = buckets.iter().map(|&(b, _)| b).zip(kept).collect();
    (stats, Some(Buckets { counts, kept }))
}

impl Buckets {
    /// The counts per bin of open bins on increasing, nonzero `edges` each of which lies in
    /// an empty or a kept bucket; `None` otherwise. A value is ≥ a nonzero edge exactly when
    /// its order key is ≥ the edge's (the keys order −0 below +0, which only an edge at 0
    /// could tell apart), so the values ≥ an edge are those of the buckets above its own and
    /// those of its own bucket that are ≥ it: the counts without a pass over the values.
    fn open_counts(&self, edges: &[f64], total: u64) -> Option<Vec<u64>> {
        if !edges.windows(2).all(|w| w[0] < w[1]) || edges.contains(&0.0) {
            return None;
        }
        // Values in the buckets above each one, from the top.
        let mut at_or_above = Vec::with_capacity(edges.len());
        for &e in edges {
            let b = bucket_of(e);
            let above: u64 = self.counts[b + 1..].iter().map(|&n| u64::from(n)).sum();
            let own = if self.counts[b] == 0 {
                0
            } else {
                let (_, kept) = self.kept.iter().find(|(k, _)| *k == b)?;
                kept.iter().filter(|&&x| e <= x).count() as u64
            };
            at_or_above.push(above + own);
        }
        Some(counts_between(total, &at_or_above))
    }
}

/// `quantile:k` bins from the reference's values (not empty), which are neither reordered
/// nor copied: the same bins as [`quantile_bins`] (by [`order_statistics_by_buckets`]).
pub fn quantile_bins_of(k: usize, reference: &[f64]) -> Bins {
    let plan = quantile_plan(k, reference.len());
    let ranks: Vec<usize> = plan.iter().flat_map(|&(i, j, _)| [i, j]).collect();
    let stats = order_statistics_by_buckets(reference, &ranks);
    quantile_bins_from(k, &plan, &stats)
}

/// [`quantile_bins_of`] and the reference's counts in them ([`Bins::count`] of the
/// reference), taken from the buckets the order statistics were selected in where that can
/// be done exactly, else counted.
pub fn quantile_bins_counted(k: usize, reference: &[f64]) -> (Bins, Vec<u64>) {
    let plan = quantile_plan(k, reference.len());
    let ranks: Vec<usize> = plan.iter().flat_map(|&(i, j, _)| [i, j]).collect();
    let (stats, buckets) = order_statistics_with_buckets(reference, &ranks);
    let bins = quantile_bins_from(k, &plan, &stats);
    let counts = match (&bins.layout, buckets) {
        (Layout::Open(e), Some(b)) => b.open_counts(e, reference.len() as u64),
        _ => None,
    };
    let counts = counts.unwrap_or_else(|| bins.count(reference));
    (bins, counts)
}

/// The bins for `binning` from the reference's values (sorted ascending, not empty) and the
/// pooled minimum and maximum.
pub fn make_bins(binning: &Binning, sorted_reference: &[f64], pooled: (f64, f64)) -> Bins {
    match binning {
        Binning::Quantile(k) => {
            let e: Vec<f64> = (1..*k)
                .map(|i| quantile_sorted(sorted_reference, quantile_level(i, *k)))
                .collect();
            let (layout, merged_edges) = open_layout(e);
            Bins {
                binning: binning.clone(),
                layout,
                merged_edges,
            }
        }
        _ => closed_bins(
            binning,
            &RuleInputs::of_sorted(binning, sorted_reference),
            pooled,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_between_the_largest_doubles_lies_between_them_where_numpy_overflows() {
        let (a, b) = (-1.5e308, 1.5e308);
        // numpy: nan at t = 0 and 1, -inf at ½ (b − a overflows).
        assert_eq!(lerp(a, b, 0.0).to_bits(), a.to_bits());
        assert_eq!(lerp(a, b, 1.0).to_bits(), b.to_bits());
        assert_eq!(lerp(a, b, 0.5), 0.0);
        assert_eq!(lerp(a, b, 0.25), -7.5e307);
        assert_eq!(lerp(-f64::MAX, f64::MAX, 0.75), f64::MAX / 2.0);
        for t in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let x = lerp(a, b, t);
            assert!(a <= x && x <= b, "t {t}: {x}");
        }
        // Where b − a does not overflow, numpy's formula is untouched.
        assert_eq!(lerp(-1e307, 1e308, 0.25), -1e307 + (1e308 + 1e307) * 0.25);
        assert_eq!(lerp(1.0, 2.0, 0.75), 2.0 - 1.0 * 0.25);

        // numpy.quantile([-1.5e308, -1.5e308, 1.5e308, 1.5e308, 1.5e308], [.25, .5, .75]) is
        // [nan, 1.5e308, 1.5e308]; the first quantile is -1.5e308 (t = 0 at ranks 1 and 2).
        let mut sorted = vec![a, a, b, b, b];
        let bins = make_bins(&Binning::Quantile(4), &sorted, (a, b));
        assert_eq!(bins.edges(), &[a, b]);
        assert_eq!(bins.count(&sorted), vec![0, 2, 3]);
        assert_eq!(quantile_bins(4, &mut sorted).edges(), &[a, b]);
    }

    #[test]
    fn quantile_bins_by_selection_equal_those_of_the_sorted_values() {
        let mut state = 12345u64;
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Few distinct values, with -0 and 0, so ties and merged edges occur.
                    let x = ((state >> 33) % 17) as f64 - 8.0;
                    if x == 0.0 && state.is_multiple_of(2) {
                        -0.0
                    } else {
                        x * 0.25
                    }
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            for k in [2, 4, 10, 33] {
                let want = make_bins(&Binning::Quantile(k), &sorted, (0.0, 1.0));
                let got = quantile_bins(k, &mut v);
                assert_eq!(got.edges().len(), want.edges().len(), "n {n} k {k}");
                for (a, b) in got.edges().iter().zip(want.edges()) {
                    assert_eq!(a.to_bits(), b.to_bits(), "n {n} k {k}");
                }
                assert_eq!(got.merged_edges, want.merged_edges);
            }
        }
    }

    #[test]
    fn reference_counts_from_the_buckets_are_those_counted_value_by_value() {
        let mut state = 4242u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut from_buckets = 0;
        for n in [1usize, 2, 7, 100, 1000, 20_000] {
            for shape in 0..4 {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        let u = next();
                        match shape {
                            // Continuous, both signs, over many binades.
                            0 => ((u - 0.5) * 40.0).powi(3),
                            // Six-decimal numbers as in a CSV: ties between them.
                            1 => ((u - 0.4) * 3e6).round() / 1e6,
                            // Few values, with -0 and 0: ties and merged edges.
                            2 => {
                                let x = (u * 9.0).floor() - 4.0;
                                if x == 0.0 && next() < 0.5 { -0.0 } else { x }
                            }
                            // One value.
                            _ => 2.5,
                        }
                    })
                    .collect();
                for k in [2, 4, 10, 33] {
                    let (bins, counts) = quantile_bins_counted(k, &v);
                    let want = quantile_bins_of(k, &v);
                    assert_eq!(bins.edges(), want.edges(), "n {n} shape {shape} k {k}");
                    assert_eq!(counts, want.count(&v), "n {n} shape {shape} k {k}");
                    let plan = quantile_plan(k, n);
                    let ranks: Vec<usize> = plan.iter().flat_map(|&(i, j, _)| [i, j]).collect();
                    let (_, buckets) = order_statistics_with_buckets(&v, &ranks);
                    if let (Layout::Open(e), Some(b)) = (&bins.layout, buckets)
                        && b.open_counts(e, n as u64).is_some()
                    {
                        from_buckets += 1;
                    }
                }
            }
        }
        // The continuous cases are counted from the buckets, not only by the fallback.
        assert!(from_buckets >= 30, "{from_buckets} from the buckets");
    }

    #[test]
    fn order_statistics_by_buckets_are_those_of_the_sorted_values() {
        let mut state = 99u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 11
        };
        // Spread over many orders of magnitude and signs; ties with -0 and 0; all in one
        // bucket (1 + tiny); few distinct values.
        let kinds: [&dyn Fn(u64) -> f64; 4] = [
            &|u| ((u % 2001) as f64 - 1000.0) * 10f64.powi((u % 41) as i32 - 20),
            &|u| {
                if u % 3 == 0 {
                    -0.0
                } else {
                    ((u % 7) as f64 - 3.0) * 0.5
                }
            },
            &|u| 1.0 + (u % 1000) as f64 * 1e-12,
            &|u| (u % 5) as f64,
        ];
        for kind in kinds {
            for n in [1usize, 2, 7, 1000, 70_000] {
                let v: Vec<f64> = (0..n).map(|_| kind(next())).collect();
                let mut sorted = v.clone();
                sorted.sort_unstable_by(f64::total_cmp);
                let mut ranks: Vec<usize> = (0..40).map(|_| next() as usize % n).collect();
                ranks.extend([0, n - 1, n / 2, n / 2]);
                let got = order_statistics_by_buckets(&v, &ranks);
                for (r, g) in ranks.iter().zip(got) {
                    assert_eq!(g.to_bits(), sorted[*r].to_bits(), "n {n} rank {r}");
                }
                for k in [2, 10, 200] {
                    let want = make_bins(&Binning::Quantile(k), &sorted, (0.0, 1.0));
                    let got = quantile_bins_of(k, &v);
                    let bits = |b: &Bins| b.edges().iter().map(|e| e.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&got), bits(&want), "n {n} k {k}");
                    assert_eq!(got.merged_edges, want.merged_edges);
                }
            }
        }
    }

    #[test]
    fn a_value_on_a_quantile_edge_goes_right() {
        let b = Bins {
            binning: Binning::Quantile(3),
            layout: Layout::Open(vec![1.0, 2.0]),
            merged_edges: 0,
        };
        assert_eq!(b.count(&[0.5, 1.0, 1.5, 2.0, 9.0]), vec![1, 2, 2]);
    }

    #[test]
    fn counting_by_comparisons_is_counting_each_value_by_its_search() {
        // Values on the edges, ±0, and between, over the blocks of 2048; 1 to 254 edges.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for m in [1usize, 2, 9, 31, 254] {
            let edges: Vec<f64> = (0..m).map(|i| i as f64 - (m / 2) as f64).collect();
            let values: Vec<f64> = (0..5000)
                .map(|_| match next() % 4 {
                    0 => edges[(next() % m as u64) as usize],
                    1 => -0.0,
                    _ => (next() % 4000) as f64 / 3999.0 * (m as f64 + 4.0) - (m / 2 + 2) as f64,
                })
                .collect();
            let b = Bins {
                binning: Binning::Quantile(m + 1),
                layout: Layout::Open(edges),
                merged_edges: 0,
            };
            let mut want = vec![0u64; m + 1];
            for &v in &values {
                want[b.bin_of(v)] += 1;
            }
            let mut open = vec![0u64; m + 1];
            super::count_open(b.edges(), &values, &mut open);
            assert_eq!(open, want, "{m} edges");
            assert_eq!(b.count(&values), want);
            // Piece by piece (as a file is read in blocks), the same counts.
            let mut pieces = vec![0u64; m + 1];
            for piece in values.chunks(37) {
                b.count_into(piece, &mut pieces);
            }
            assert_eq!(pieces, want, "{m} edges, in pieces");
        }
    }

    #[test]
    fn the_last_numpy_bin_is_closed_and_outer_bins_catch_the_rest() {
        let b = Bins {
            binning: Binning::Edges(vec![0.0, 1.0, 2.0]),
            layout: Layout::Closed {
                edges: vec![0.0, 1.0, 2.0],
                outer: true,
            },
            merged_edges: 0,
        };
        assert_eq!(b.count(&[-1.0, 0.0, 1.0, 2.0, 2.5]), vec![1, 1, 2, 1]);
        assert_eq!(b.labels()[2], "[1, 2]");
    }

    #[test]
    fn binning_texts_round_trip_and_bad_ones_are_refused() {
        for s in [
            "quantile:10",
            "fixed:7",
            "sturges",
            "doane",
            "fd",
            "edges:0,1.5,3",
        ] {
            assert_eq!(s.parse::<Binning>().unwrap().to_string(), s);
        }
        assert!("quantile:1".parse::<Binning>().is_err());
        assert!("edges:1,0".parse::<Binning>().is_err());
        assert!("scott".parse::<Binning>().is_err());
    }
}
