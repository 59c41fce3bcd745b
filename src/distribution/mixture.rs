//! [`Mixture`]: a weighted sum of parametric distributions, and how its log-density is
//! evaluated in time that does not grow with the number of components far away.
//!
//! Numeric contract:
//! - `ln p(x) = ln Σ wᵢ pᵢ(x)`, by log-sum-exp: no underflow in the tails.
//! - For continuous mixtures of more than [`INDEXED_FROM`] components, components whose
//!   contribution at `x` is provably below 2⁻⁵⁴ of the total are not evaluated. The bound
//!   comes from unimodality: each such component has a known peak `m` (its mode, or the
//!   support edge where its density is monotone), its density does not increase away from
//!   `m`, so at `x ≤ m − δ` it is at most its density at `m − δ` (at `x ≥ m + δ`, at
//!   `m + δ`), precomputed on a geometric ladder of distances `δ`. Components are sorted by
//!   peak and kept in blocks; a whole block, or all blocks beyond one, is skipped when the
//!   sum of their bounds is below the budget. What is skipped changes `ln p` by less than
//!   2⁻⁵⁴, under an ulp of any log-density that is not tiny: the quadrature's rounding term
//!   (ε per log) covers it. A component without a known peak (a U-shaped beta) is
//!   evaluated everywhere.
//! - Quadrature break points and the length scale are computed once per mixture, and thinned
//!   where components crowd: a point closer to the last one kept than the narrower
//!   component's interquartile range adds nothing the adaptive rule does not see.

use std::sync::{Arc, OnceLock};

use super::Parametric;
use super::family::{Family, FamilyId, Kind};

/// Mixtures with more components than this evaluate their density through the index.
pub const INDEXED_FROM: usize = 24;

/// The most components a mixture may have (a spec or a session cannot ask for more).
pub const MAX_COMPONENTS: usize = 100_000;

/// Components per block of the index, at least (more for mixtures of over
/// `4·MAX_BLOCKS` components, so that the tables stay within a few megabytes).
const BLOCK: usize = 4;

/// At most this many blocks.
const MAX_BLOCKS: usize = 2048;

/// The skipped mass may be at most this fraction of the evaluated one (ln 2⁻⁵⁴).
const LN_BUDGET: f64 = -37.429_947_750_237_04;

/// Ladder distances grow by √2 a step.
const LADDER_RATIO: f64 = std::f64::consts::SQRT_2;

/// Ladder steps: √2^126 ≈ 10^19 from the finest distance to the widest, so that points far
/// out in a tail still find a bound that falls with distance.
const LEVELS: usize = 128;

/// A weighted sum of parametric distributions, all continuous or all discrete.
#[derive(Clone, Debug, PartialEq)]
pub struct Mixture {
    components: Vec<Parametric>,
    weights: Vec<f64>,
    ln_weights: Vec<f64>,
    /// The original sum of the weights, when it was not 1 and they were rescaled.
    pub normalised_from: Option<f64>,
    cache: Cache,
}

/// What is derived once from the components: the density index, break points, supports,
/// scale. Shared by clones; never part of equality.
#[derive(Clone, Default)]
struct Cache(Arc<Derived>);

#[derive(Default)]
struct Derived {
    index: OnceLock<Option<Index>>,
    breakpoints: OnceLock<Vec<f64>>,
    support: OnceLock<Vec<(f64, f64)>>,
    scale: OnceLock<f64>,
}

impl PartialEq for Cache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cache")
    }
}

impl Mixture {
    /// Builds a mixture from `(weight, component)` pairs; weights must be positive and are
    /// rescaled to sum to 1 (recorded in `normalised_from`).
    ///
    /// # Errors
    /// A sentence when the list is empty or longer than [`MAX_COMPONENTS`], a weight is not
    /// positive, or kinds are mixed.
    pub fn new(parts: Vec<(f64, Parametric)>) -> Result<Self, String> {
        let Some(first) = parts.first() else {
            return Err("a mixture needs at least one component".into());
        };
        if parts.len() > MAX_COMPONENTS {
            return Err(format!(
                "a mixture may have at most {MAX_COMPONENTS} components (got {})",
                parts.len()
            ));
        }
        let kind = first.1.kind();
        if parts.iter().any(|(_, c)| c.kind() != kind) {
            return Err(
                "a mixture cannot combine discrete and continuous components; use one kind".into(),
            );
        }
        if let Some((w, _)) = parts.iter().find(|(w, _)| !(*w > 0.0 && w.is_finite())) {
            return Err(format!(
                "mixture weights must be finite and > 0 (got {})",
                super::family::format_number(*w)
            ));
        }
        // Scaled by the largest first, so that weights of 1e308 do not sum to ∞ (and each
        // become 0).
        let (weights, total) = super::normalise(parts.iter().map(|(w, _)| *w));
        let normalised_from = ((total - 1.0).abs() > 1e-12).then_some(total);
        Ok(Mixture {
            ln_weights: weights.iter().map(|w| w.ln()).collect(),
            weights,
            components: parts.into_iter().map(|(_, c)| c).collect(),
            normalised_from,
            cache: Cache::default(),
        })
    }

    /// The components.
    pub fn components(&self) -> &[Parametric] {
        &self.components
    }

    /// The weights, summing to 1.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Continuous or discrete.
    pub fn kind(&self) -> Kind {
        self.components[0].kind()
    }

    /// `ln Σ wᵢ exp(f(cᵢ))` over every component.
    pub(super) fn combine(&self, f: impl Fn(&Parametric) -> f64) -> f64 {
        let mut acc = LogSum::default();
        for (c, lw) in self.components.iter().zip(&self.ln_weights) {
            acc.add(lw + f(c));
        }
        acc.ln()
    }

    /// The log-density at `anchor + offset` (see the module's contract for what is skipped).
    pub fn ln_density_offset(&self, anchor: f64, offset: f64) -> f64 {
        match self.index() {
            Some(index) => index.ln_density(anchor, offset),
            None => self.combine(|c| c.ln_pdf_offset(anchor, offset)),
        }
    }

    fn index(&self) -> Option<&Index> {
        if self.components.len() <= INDEXED_FROM || self.kind() != Kind::Continuous {
            return None;
        }
        self.cache
            .0
            .index
            .get_or_init(|| Index::build(&self.components, &self.ln_weights))
            .as_ref()
    }

    /// Every component's support edges, modes and a few quantiles, sorted, thinned where
    /// components crowd (computed once).
    pub fn breakpoints(&self) -> &[f64] {
        self.cache
            .0
            .breakpoints
            .get_or_init(|| thinned_breakpoints(&self.components))
    }

    /// The union of the components' supports, merged (computed once).
    pub fn support(&self) -> &[(f64, f64)] {
        self.cache.0.support.get_or_init(|| {
            super::merge_intervals(self.components.iter().map(Parametric::support).collect())
        })
    }

    /// A length scale for mapping infinite tails, from `compute` (computed once).
    pub(super) fn scale_with(&self, compute: impl FnOnce() -> f64) -> f64 {
        *self.cache.0.scale.get_or_init(compute)
    }
}

/// The break points one component contributes.
pub(super) fn component_breakpoints(p: &Parametric, out: &mut Vec<f64>) {
    let (lo, hi) = p.support();
    out.extend([lo, hi].into_iter().filter(|v| v.is_finite()));
    out.extend(p.modes());
    // Quantiles deep into both tails, so that a narrow component's tails are seen by the
    // integrator even when the other distribution is wide.
    for q in [1e-12, 1e-8, 1e-5, 1e-3, 0.02, 0.1, 0.25, 0.5] {
        out.push(p.quantile(q));
        out.push(p.quantile(1.0 - q));
    }
}

/// All components' break points, sorted. Support edges and kinked modes are always kept; a point is
/// dropped when the last point kept is closer than the interquartile range of the narrower
/// of the two components (a single component keeps all of its own points): the adaptive
/// rule splits further wherever its error estimate asks.
fn thinned_breakpoints(components: &[Parametric]) -> Vec<f64> {
    let mut all: Vec<(f64, f64, bool)> = Vec::new();
    let mut own = Vec::new();
    for c in components {
        own.clear();
        component_breakpoints(c, &mut own);
        let iqr = (c.quantile(0.75) - c.quantile(0.25)).abs();
        let resolution = if iqr.is_finite() { iqr } else { 0.0 };
        let (lo, hi) = c.support();
        // Support edges, and the modes of densities with a kink there (laplace's cusp, the
        // triangle's apex), are kept whatever their neighbours: no rule sees a jump or a kink
        // from a distance. Smooth modes thin like any other point.
        let kinked = matches!(c.family(), FamilyId::Laplace | FamilyId::Triangular);
        let modes = if kinked { c.modes() } else { Vec::new() };
        all.extend(
            own.iter()
                .filter(|v| v.is_finite())
                .map(|&v| (v, resolution, v == lo || v == hi || modes.contains(&v))),
        );
    }
    if components.len() == 1 {
        let mut out: Vec<f64> = all.into_iter().map(|(v, _, _)| v).collect();
        out.sort_by(f64::total_cmp);
        return out;
    }
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<f64> = Vec::with_capacity(all.len() / 2);
    let mut last: Option<(f64, f64)> = None;
    for (v, resolution, edge) in all {
        let keep = edge
            || last.is_none_or(|(l, r)| {
                let need = r.min(resolution);
                v - l >= need
            });
        if keep {
            out.push(v);
            last = Some((v, resolution));
        }
    }
    out
}

/// Where a component's density peaks, if it does not increase away from that point on either
/// side: the mode of a unimodal family, the lower edge of a decreasing one. `None` when not
/// known (a U-shaped beta), and the component is then evaluated everywhere.
fn peak(c: &Parametric) -> Option<f64> {
    let modes = c.modes();
    if let [m] = modes.as_slice() {
        return m.is_finite().then_some(*m);
    }
    if !modes.is_empty() {
        return None;
    }
    let p = c.params();
    let lo = c.support().0;
    match c.family() {
        // Decreasing on their support: exponential, gamma with shape ≤ 1, chi-squared with
        // freedom ≤ 2, weibull with shape ≤ 1, pareto; uniform is flat (any point of it is a
        // peak in this sense).
        FamilyId::Exponential
        | FamilyId::Gamma
        | FamilyId::ChiSquared
        | FamilyId::Weibull
        | FamilyId::Pareto
        | FamilyId::Uniform => lo.is_finite().then_some(lo),
        // x^(a−1)·(1−x)^(b−1): non-increasing when a ≤ 1 ≤ b, non-decreasing when b ≤ 1 ≤ a.
        FamilyId::Beta if p[0] <= 1.0 && p[1] >= 1.0 => Some(0.0),
        FamilyId::Beta if p[1] <= 1.0 && p[0] >= 1.0 => Some(1.0),
        _ => None,
    }
}

/// A running log-sum-exp.
#[derive(Clone, Copy)]
struct LogSum {
    max: f64,
    /// Σ exp(v − max).
    sum: f64,
}

impl Default for LogSum {
    fn default() -> Self {
        LogSum {
            max: f64::NEG_INFINITY,
            sum: 0.0,
        }
    }
}

impl LogSum {
    fn add(&mut self, v: f64) {
        if v > self.max {
            if self.max > f64::NEG_INFINITY {
                self.sum = self.sum * (self.max - v).exp() + 1.0;
            } else {
                self.sum = 1.0;
            }
            self.max = v;
        } else if v > f64::NEG_INFINITY {
            self.sum += (v - self.max).exp();
        } else if v.is_nan() {
            self.max = f64::NAN;
        }
    }

    fn ln(&self) -> f64 {
        if self.max.is_infinite() || self.max.is_nan() {
            self.max
        } else {
            self.max + self.sum.ln()
        }
    }
}

/// Components sorted by peak, in blocks, with bounds of each block's log-density at every
/// ladder distance from its peaks, and the same for all blocks before or after it.
struct Index {
    /// The components with a known peak and their log-weights, in order of peak (a copy:
    /// the blocks are read one after another, not scattered over the input order).
    order: Vec<(f64, Parametric)>,
    /// Per entry of `order`, the normal components' `(mean, σ, ln w − ln σ − ½ ln 2π)`:
    /// their log-density without a dispatch through the family (NaN mean for others).
    normal: Vec<[f64; 3]>,
    /// Components evaluated everywhere (no known peak), with their log-weights.
    always: Vec<(f64, Parametric)>,
    /// Components per block.
    size: usize,
    /// Per block: the least and greatest peak.
    block_lo: Vec<f64>,
    block_hi: Vec<f64>,
    /// Ladder distances, `dist[0] = 0`.
    dist: Vec<f64>,
    /// `[block][level]`: bound on `ln wᵢ + ln pᵢ(x)` over the block for `x ≥ block_hi + dist`.
    right_of: Vec<f64>,
    /// `[block][level]`: the same for `x ≤ block_lo − dist`.
    left_of: Vec<f64>,
    /// `[block][level]`: the maximum of `right_of` over this block and all before it, plus
    /// the log of their component count.
    prefix_right_of: Vec<f64>,
    /// `[block][level]`: the maximum of `left_of` over this block and all after it, plus the
    /// log of their component count.
    suffix_left_of: Vec<f64>,
    /// ln of each block's component count.
    ln_len: Vec<f64>,
    /// ln of the budget one skipped block (or rest of a side) may use: half of
    /// [`LN_BUDGET`] over blocks + 2.
    ln_skip_budget: f64,
    /// ln of the budget one term left out of an evaluated block may use: half of
    /// [`LN_BUDGET`] over the component count.
    ln_term_budget: f64,
}

impl Index {
    fn build(components: &[Parametric], ln_weights: &[f64]) -> Option<Index> {
        let mut peaked: Vec<(f64, usize)> = Vec::new();
        let mut always = Vec::new();
        for (i, c) in components.iter().enumerate() {
            match peak(c) {
                Some(m) => peaked.push((m, i)),
                None => always.push((ln_weights[i], c.clone())),
            }
        }
        if peaked.len() <= INDEXED_FROM {
            return None;
        }
        peaked.sort_by(|a, b| a.0.total_cmp(&b.0));
        // The ladder: from a fraction of the narrowest component outwards.
        let widths: Vec<f64> = peaked
            .iter()
            .map(|&(_, i)| {
                let c = &components[i];
                (c.quantile(0.75) - c.quantile(0.25)).abs()
            })
            .filter(|w| w.is_finite() && *w > 0.0)
            .collect();
        let narrowest = widths.iter().copied().fold(f64::INFINITY, f64::min);
        if !(narrowest.is_finite() && narrowest > 0.0) {
            return None;
        }
        let d0 = narrowest / 16.0;
        let levels = LEVELS;
        let mut dist = vec![0.0];
        for k in 1..levels {
            // d0·√2^(k−1), exactly the powers `level` finds from a number's bits.
            let half = (k - 1) / 2;
            let odd = (k - 1) % 2 == 1;
            dist.push(d0 * 2f64.powi(half as i32) * if odd { LADDER_RATIO } else { 1.0 });
        }
        let order: Vec<(f64, Parametric)> = peaked
            .iter()
            .map(|&(_, i)| (ln_weights[i], components[i].clone()))
            .collect();
        let normal = order
            .iter()
            .map(|(lw, c)| match c.named() {
                Family::Normal(n) => [n.mean, n.std_dev, lw + n.ln_norm()],
                _ => [f64::NAN; 3],
            })
            .collect();
        let size = BLOCK.max(order.len().div_ceil(MAX_BLOCKS));
        let blocks = order.len().div_ceil(size);
        let mut block_lo = Vec::with_capacity(blocks);
        let mut block_hi = Vec::with_capacity(blocks);
        let mut right_of = vec![f64::NEG_INFINITY; blocks * levels];
        let mut left_of = vec![f64::NEG_INFINITY; blocks * levels];
        let mut ln_len = Vec::with_capacity(blocks);
        // A margin for ln_pdf's rounding (the bound must hold for the computed values).
        let margin = |v: f64| if v == f64::NEG_INFINITY { v } else { v + 1.0 };
        for (b, chunk) in peaked.chunks(size).enumerate() {
            block_lo.push(chunk[0].0);
            block_hi.push(chunk[chunk.len() - 1].0);
            ln_len.push((chunk.len() as f64).ln());
            for &(m, i) in chunk {
                let c = &components[i];
                for (k, &d) in dist.iter().enumerate() {
                    let up = margin(ln_weights[i] + c.ln_pdf(m + d));
                    let down = margin(ln_weights[i] + c.ln_pdf(m - d));
                    let slot = b * levels + k;
                    // NaN never becomes a bound: it would skip nothing (comparisons fail).
                    right_of[slot] = max_or_nan(right_of[slot], up);
                    left_of[slot] = max_or_nan(left_of[slot], down);
                }
            }
        }
        let mut prefix_right_of = vec![f64::NEG_INFINITY; blocks * levels];
        let mut suffix_left_of = vec![f64::NEG_INFINITY; blocks * levels];
        let mut count = 0usize;
        for b in 0..blocks {
            let len = size.min(order.len() - b * size);
            count += len;
            let ln_count = (count as f64).ln();
            for k in 0..levels {
                let own = right_of[b * levels + k];
                let before = if b > 0 {
                    prefix_right_of[(b - 1) * levels + k] - ((count - len) as f64).ln()
                } else {
                    f64::NEG_INFINITY
                };
                prefix_right_of[b * levels + k] = max_or_nan(own, before) + ln_count;
            }
        }
        let mut count = 0usize;
        for b in (0..blocks).rev() {
            let len = size.min(order.len() - b * size);
            count += len;
            let ln_count = (count as f64).ln();
            for k in 0..levels {
                let own = left_of[b * levels + k];
                let after = if b + 1 < blocks {
                    suffix_left_of[(b + 1) * levels + k] - ((count - len) as f64).ln()
                } else {
                    f64::NEG_INFINITY
                };
                suffix_left_of[b * levels + k] = max_or_nan(own, after) + ln_count;
            }
        }
        Some(Index {
            ln_skip_budget: LN_BUDGET - std::f64::consts::LN_2 - ((blocks + 2) as f64).ln(),
            ln_term_budget: LN_BUDGET - std::f64::consts::LN_2 - (order.len() as f64).ln(),
            order,
            normal,
            size,
            always,
            block_lo,
            block_hi,
            dist,
            right_of,
            left_of,
            prefix_right_of,
            suffix_left_of,
            ln_len,
        })
    }

    fn levels(&self) -> usize {
        self.dist.len()
    }

    /// The farthest ladder level whose distance is at most `d`: 1 + ⌊2·log₂(d/d₀)⌋ from the
    /// exponent and mantissa of d/d₀, checked against the table (no logarithm).
    fn level(&self, d: f64) -> usize {
        if !(d >= self.dist[1]) {
            return 0;
        }
        let t = d / self.dist[1];
        if !t.is_finite() {
            return self.levels() - 1;
        }
        let bits = t.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
        let mantissa = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
        let guess = 1 + 2 * exponent.max(0) + i64::from(mantissa >= LADDER_RATIO);
        let mut k = (guess.max(1) as usize).min(self.levels() - 1);
        while k > 1 && self.dist[k] > d {
            k -= 1;
        }
        while k + 1 < self.levels() && self.dist[k + 1] <= d {
            k += 1;
        }
        k
    }

    fn ln_density(&self, anchor: f64, offset: f64) -> f64 {
        let x = anchor + offset;
        let mut acc = LogSum::default();
        for (lw, c) in &self.always {
            acc.add(lw + c.ln_pdf_offset(anchor, offset));
        }
        if x.is_nan() {
            return f64::NEG_INFINITY;
        }
        let blocks = self.block_lo.len();
        let levels = self.levels();
        let block = |b: usize, acc: &mut LogSum| {
            let start = b * self.size;
            let end = (start + self.size).min(self.order.len());
            for ((lw, c), &[mean, sd, ln_norm]) in
                self.order[start..end].iter().zip(&self.normal[start..end])
            {
                let v = if mean.is_nan() {
                    lw + c.ln_pdf_offset(anchor, offset)
                } else {
                    // As `Normal::ln_pdf`, with the log-weight folded into the constant.
                    let z = from(anchor, offset, mean) / sd;
                    ln_norm - 0.5 * z * z
                };
                // A term below 1/n of the other half of the budget against the largest so
                // far is left out without its exponential: n of them stay within it.
                if !(v < acc.max + self.ln_term_budget) {
                    acc.add(v);
                }
            }
        };
        // Blocks before `r` have every peak below x; from `r` on, some peak is ≥ x.
        let mut r = self.block_hi.partition_point(|h| *h < x);
        let mut l = r; // blocks [0, l) are left of x
        while r < blocks && self.block_lo[r] <= x {
            block(r, &mut acc);
            r += 1;
        }
        let mut left_open = l > 0;
        let mut right_open = r < blocks;
        // At most `blocks + 2` skips (each block once, and each side's rest once), each of at
        // most 1/(blocks + 2) of the budget against the largest term so far: their sum stays
        // within the budget of the final total, with no logarithm per decision.
        let can_skip = |bound: f64, acc: &LogSum| bound <= acc.max + self.ln_skip_budget;
        // The ladder levels of the distances to the nearest unvisited block on each side,
        // found once per block (they change only when that block does).
        let dist_left = |l: usize| x - self.block_hi[l - 1];
        let dist_right = |r: usize| self.block_lo[r] - x;
        let mut dl = if left_open {
            dist_left(l)
        } else {
            f64::INFINITY
        };
        let mut dr = if right_open {
            dist_right(r)
        } else {
            f64::INFINITY
        };
        let mut kl = if left_open { self.level(dl) } else { 0 };
        let mut kr = if right_open { self.level(dr) } else { 0 };
        while left_open || right_open {
            if left_open && can_skip(self.prefix_right_of[(l - 1) * levels + kl], &acc) {
                left_open = false;
                continue;
            }
            if right_open && can_skip(self.suffix_left_of[r * levels + kr], &acc) {
                right_open = false;
                continue;
            }
            if left_open && (!right_open || dl <= dr) {
                let b = l - 1;
                let bound = self.right_of[b * levels + kl] + self.ln_len[b];
                if !can_skip(bound, &acc) {
                    block(b, &mut acc);
                }
                l -= 1;
                left_open = l > 0;
                if left_open {
                    dl = dist_left(l);
                    kl = self.level(dl);
                }
            } else if right_open {
                let b = r;
                let bound = self.left_of[b * levels + kr] + self.ln_len[b];
                if !can_skip(bound, &acc) {
                    block(b, &mut acc);
                }
                r += 1;
                right_open = r < blocks;
                if right_open {
                    dr = dist_right(r);
                    kr = self.level(dr);
                }
            }
        }
        acc.ln()
    }
}

/// `anchor + offset − origin`, as [`super::family::Point::from`] computes it.
fn from(anchor: f64, offset: f64, origin: f64) -> f64 {
    if anchor == origin {
        offset
    } else {
        (anchor - origin) + offset
    }
}

/// The larger of two bounds, NaN if either is NaN (a NaN bound never allows a skip).
fn max_or_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::distribution::{Distribution, parse_spec};

    fn mixture(spec: &str) -> Mixture {
        match parse_spec(spec).unwrap() {
            Distribution::Mixture(m) => m,
            other => panic!("not a mixture: {other:?}"),
        }
    }

    /// 300 components of six families (a U-shaped beta among them, evaluated everywhere),
    /// narrow and wide, close together and far apart.
    fn zoo() -> Mixture {
        let mut parts = Vec::new();
        for i in 0..300u32 {
            let f = f64::from(i);
            let w = 1.0 + f64::from(i % 7);
            let loc = (f * 37.0) % 200.0 - 100.0;
            let s = 0.01 + f64::from(i % 11) * 0.3;
            parts.push(match i % 6 {
                0 => format!("{w}*normal({loc}, {s})"),
                1 => format!("{w}*laplace({loc}, {s})"),
                2 => format!("{w}*student_t({loc}, {s}, 3)"),
                3 => format!("{w}*gamma({}, 2)", 0.5 + f64::from(i % 5)),
                4 => format!("{w}*uniform({loc}, {})", loc + s),
                _ => format!("{w}*beta(0.5, 0.7)"),
            });
        }
        mixture(&parts.join(" + "))
    }

    /// ln Σ over every component, the sum compensated (Neumaier).
    fn compensated(m: &Mixture, x: f64) -> f64 {
        let v: Vec<f64> = m
            .components()
            .iter()
            .zip(&m.ln_weights)
            .map(|(c, lw)| lw + c.ln_pdf(x))
            .collect();
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max.is_infinite() {
            return max;
        }
        let (mut sum, mut carry) = (0.0f64, 0.0f64);
        for t in v.iter().map(|v| (v - max).exp()) {
            let s = sum + t;
            carry += if sum.abs() >= t.abs() {
                (sum - s) + t
            } else {
                (t - s) + sum
            };
            sum = s;
        }
        max + (sum + carry).ln()
    }

    #[test]
    fn the_indexed_density_matches_the_sum_over_every_component_to_an_ulp() {
        let m = zoo();
        assert!(m.index().is_some());
        let mut worst = 0.0f64;
        let mut x: f64 = -1e4;
        let mut points = vec![-1e300, -1e30, 1e30, 1e300, 0.0, 1.0, 1e-300];
        while x < 1e4 {
            points.push(x);
            x += if x.abs() < 150.0 { 0.0137 } else { 7.3 };
        }
        for x in points {
            let fast = m.ln_density_offset(x, 0.0);
            let full = compensated(&m, x);
            if full.is_infinite() {
                assert_eq!(fast, full, "at {x}");
                continue;
            }
            let err = (fast - full).abs();
            worst = worst.max(err / (f64::EPSILON * full.abs().max(1.0)));
            // The skipped mass (2^-54), the rounding of summing up to 300 terms in another
            // order, and the final log's rounding.
            assert!(
                err <= 16.0 * f64::EPSILON + 2.0 * f64::EPSILON * full.abs(),
                "at {x}: {fast} against {full}"
            );
        }
        assert!(worst.is_finite());
    }

    #[test]
    fn identical_components_give_the_single_component_to_1e_12() {
        use crate::divergence::{Options, compare};
        let one = "normal(0.3, 1.2)";
        let many = vec![format!("0.01*{one}"); 100].join(" + ");
        let q = parse_spec("student_t(1, 2, 4)").unwrap();
        let opts = Options::default();
        let a = compare(&parse_spec(&many).unwrap(), &q, &opts).unwrap();
        let b = compare(&parse_spec(one).unwrap(), &q, &opts).unwrap();
        for (x, y) in [
            (&a.kl_pq, &b.kl_pq),
            (&a.kl_qp, &b.kl_qp),
            (&a.entropy_p, &b.entropy_p),
            (&a.js, &b.js),
            (&a.tv, &b.tv),
            (&a.hellinger, &b.hellinger),
        ] {
            assert!(
                (x.value - y.value).abs() <= 1e-12 * y.value.abs().max(1e-3),
                "{} against {}",
                x.value,
                y.value
            );
        }
    }

    #[test]
    fn break_points_are_sorted_and_thinned_where_components_crowd() {
        let crowd: Vec<String> = (0..1000)
            .map(|i| format!("1*normal({}, 1)", f64::from(i) * 1e-3))
            .collect();
        let m = mixture(&crowd.join(" + "));
        let b = m.breakpoints();
        assert!(b.windows(2).all(|w| w[0] <= w[1]));
        // One normal gives 17 points; a thousand nearly on top of each other need not give
        // 17 000: the spacing kept is an interquartile range (1.349).
        assert!(b.len() < 100, "{} points", b.len());
        assert!(b.windows(2).all(|w| w[1] - w[0] >= 1.348));
        let apart: Vec<String> = (0..100)
            .map(|i| format!("1*normal({}, 0.01)", f64::from(i) * 10.0))
            .collect();
        // Far apart, every component keeps its centre and points an IQR apart out to its
        // 1e-12 quantiles (±7σ): at least 7 each.
        let kept = mixture(&apart.join(" + ")).breakpoints().len();
        assert!(kept >= 100 * 7, "{kept} points");
    }

    #[test]
    fn too_many_components_are_refused_with_the_limit() {
        let c = Parametric::new(FamilyId::Normal, vec![0.0, 1.0]).unwrap();
        let e = Mixture::new(vec![(1.0, c); MAX_COMPONENTS + 1]).unwrap_err();
        assert!(e.contains(&MAX_COMPONENTS.to_string()), "{e}");
    }
}
