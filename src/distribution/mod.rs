//! Distributions: parametric families, mixtures, and empirical histograms.
//!
//! Numeric contract:
//! - Densities are evaluated in log space ([`Distribution::ln_density_offset`]); a point
//!   outside the support has log-density `-inf`, never NaN.
//! - A continuous distribution's support is a finite union of closed intervals
//!   ([`Distribution::support`]); a discrete one lives on integers (or labels, for
//!   [`Categories`]).
//! - Nothing is renormalised silently: where weights or counts are rescaled, [`Distribution::notes`]
//!   says so.

pub mod family;
pub mod histogram;
pub mod mixture;
pub mod sample;
pub mod spec;
pub mod tail;

use std::sync::Arc;

pub use family::{FamilyId, Kind, Parametric};
pub use histogram::{Categories, Histogram};
pub use mixture::Mixture;
pub use spec::{SpecError, parse_spec};
pub use tail::Tail;

/// What was rescaled to sum to 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormalisedWhat {
    /// The probabilities of a `categorical(...)` spec.
    CategoricalProbabilities,
    /// The weights of a mixture.
    MixtureWeights,
    /// A histogram file's probabilities or densities.
    HistogramValues(histogram::Weights),
}

/// Something the user should know about how an input was read.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Weights or probabilities were rescaled to sum to 1.
    Normalised {
        /// Which ones.
        what: NormalisedWhat,
        /// What they summed to.
        total: f64,
    },
    /// A note from reading a file, as a sentence.
    Read(String),
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Normalised {
                what: NormalisedWhat::HistogramValues(weights),
                total,
            } => write!(
                f,
                "{} values integrate to {}, not 1; normalised",
                weights.word(),
                family::format_number(*total)
            ),
            Note::Normalised { what, total } => {
                let what = match what {
                    NormalisedWhat::CategoricalProbabilities => "categorical probabilities",
                    NormalisedWhat::MixtureWeights => "mixture weights",
                    NormalisedWhat::HistogramValues(w) => w.word(),
                };
                let total = if total.is_finite() {
                    family::format_number(*total)
                } else {
                    "more than 1.8e308, the largest double".into()
                };
                write!(f, "{what} summed to {total}; normalised to 1")
            }
            Note::Read(s) => f.write_str(s),
        }
    }
}

/// A probability distribution the app can compare.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// One member of a parametric family.
    Parametric(Parametric),
    /// A finite mixture of parametric components of one kind.
    Mixture(Mixture),
    /// An empirical histogram: a piecewise-constant density.
    Histogram(Arc<Histogram>),
    /// Counts over named categories (`label,count`).
    Categories(Arc<Categories>),
}

/// Non-negative finite values divided by their sum, and that sum (which may overflow to
/// `+inf`: the quotients do not, since the values are scaled by the largest first).
pub(crate) fn normalise(values: impl Iterator<Item = f64> + Clone) -> (Vec<f64>, f64) {
    let max = values.clone().fold(0.0, f64::max);
    if max == 0.0 {
        return (values.map(|_| 0.0).collect(), 0.0);
    }
    let scaled_total: f64 = values.clone().map(|v| v / max).sum();
    let shares = values.map(|v| (v / max) / scaled_total).collect();
    (shares, max * scaled_total)
}

/// Merges closed intervals that touch or overlap.
pub fn merge_intervals(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(v.len());
    for (lo, hi) in v {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

impl Distribution {
    /// Continuous or discrete.
    pub fn kind(&self) -> Kind {
        match self {
            Distribution::Parametric(p) => p.kind(),
            Distribution::Mixture(m) => m.kind(),
            Distribution::Histogram(_) => Kind::Continuous,
            Distribution::Categories(_) => Kind::Discrete,
        }
    }

    /// Log-density at `x` (continuous distributions).
    pub fn ln_density(&self, x: f64) -> f64 {
        self.ln_density_offset(x, 0.0)
    }

    /// Log-density at `anchor + offset`, keeping precision for points near a support edge
    /// `anchor` (see [`Parametric::ln_pdf_offset`]).
    pub fn ln_density_offset(&self, anchor: f64, offset: f64) -> f64 {
        match self {
            Distribution::Parametric(p) => p.ln_pdf_offset(anchor, offset),
            Distribution::Mixture(m) => m.ln_density_offset(anchor, offset),
            Distribution::Histogram(h) => h.ln_density(anchor + offset),
            Distribution::Categories(_) => f64::NEG_INFINITY,
        }
    }

    /// Log-probability of the integer `k` (discrete distributions).
    pub fn ln_pmf(&self, k: i64) -> f64 {
        match self {
            Distribution::Parametric(p) => p.ln_pmf(k),
            Distribution::Mixture(m) => m.combine(|c| c.ln_pmf(k)),
            Distribution::Categories(c) => usize::try_from(k)
                .ok()
                .and_then(|i| c.probs.get(i))
                .map_or(f64::NEG_INFINITY, |p| p.ln()),
            Distribution::Histogram(_) => f64::NEG_INFINITY,
        }
    }

    /// The support as a sorted list of disjoint closed intervals. Discrete distributions give
    /// one integer range `[lo, hi]` (hi may be infinite).
    pub fn support(&self) -> Vec<(f64, f64)> {
        match self {
            Distribution::Parametric(p) => vec![p.support()],
            Distribution::Mixture(m) => m.support().to_vec(),
            Distribution::Histogram(h) => h.support(),
            Distribution::Categories(c) => vec![(0.0, c.probs.len().saturating_sub(1) as f64)],
        }
    }

    /// The density's behaviour approaching `end` from inside the support, on the side given
    /// by `upper` (true: `end` is an upper end). For a mixture, the heaviest component that
    /// reaches that end; a component whose support extends past `end` makes the density
    /// positive there.
    pub fn tail_at(&self, end: f64, upper: bool) -> Tail {
        match self {
            Distribution::Parametric(p) => {
                let (lo, hi) = p.support();
                if (upper && hi == end) || (!upper && lo == end) {
                    p.tail(upper)
                } else {
                    Tail::Edge { s: 0.0 }
                }
            }
            Distribution::Mixture(m) => {
                let mut out: Option<Tail> = None;
                for c in m.components() {
                    let (lo, hi) = c.support();
                    let t = if (upper && hi == end) || (!upper && lo == end) {
                        c.tail(upper)
                    } else if lo < end && end < hi {
                        Tail::Edge { s: 0.0 }
                    } else {
                        continue;
                    };
                    out = Some(out.map_or(t, |o| o.heavier(t)));
                }
                out.unwrap_or(Tail::Edge { s: 0.0 })
            }
            Distribution::Histogram(_) | Distribution::Categories(_) => Tail::Edge { s: 0.0 },
        }
    }

    /// Points where the density bends or jumps: support edges, modes and a few quantiles of
    /// every component. Quadrature splits there.
    pub fn breakpoints(&self) -> Vec<f64> {
        self.breakpoints_within(f64::NEG_INFINITY, f64::INFINITY)
    }

    /// [`Distribution::breakpoints`] strictly between `lo` and `hi`: for a histogram only the
    /// edges there, found by bisection (10^7 bins have 10^7 edges; a tail needs a few).
    pub fn breakpoints_within(&self, lo: f64, hi: f64) -> Vec<f64> {
        let mut out = Vec::new();
        match self {
            Distribution::Parametric(p) => mixture::component_breakpoints(p, &mut out),
            Distribution::Mixture(m) => {
                // Computed once and sorted: the part inside (lo, hi) by bisection.
                let all = m.breakpoints();
                let from = all.partition_point(|v| *v <= lo);
                let to = all.partition_point(|v| *v < hi).max(from);
                out.extend_from_slice(&all[from..to]);
            }
            Distribution::Histogram(h) => out.extend(h.edges_within(lo, hi)),
            Distribution::Categories(_) => {}
        }
        out.retain(|v| v.is_finite() && *v > lo && *v < hi);
        out
    }

    /// A length scale of the distribution (for mapping infinite tails).
    pub fn scale(&self) -> f64 {
        let compute = || {
            let s = (self.quantile(0.75) - self.quantile(0.25)).abs();
            if s.is_finite() && s > 0.0 { s } else { 1.0 }
        };
        match self {
            // Each quantile of a mixture is a bisection over every component's cdf.
            Distribution::Mixture(m) => m.scale_with(compute),
            _ => compute(),
        }
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Distribution::Parametric(p) => p.cdf(x),
            Distribution::Mixture(m) => m
                .components()
                .iter()
                .zip(m.weights())
                .map(|(c, w)| w * c.cdf(x))
                .sum(),
            Distribution::Histogram(h) => h.cdf(x),
            Distribution::Categories(c) => {
                let k = x.floor();
                c.probs
                    .iter()
                    .enumerate()
                    .take_while(|(i, _)| (*i as f64) <= k)
                    .map(|(_, p)| p)
                    .sum()
            }
        }
    }

    /// P(X > x), accurate in the upper tail.
    pub fn sf(&self, x: f64) -> f64 {
        match self {
            Distribution::Parametric(p) => p.sf(x),
            Distribution::Mixture(m) => m
                .components()
                .iter()
                .zip(m.weights())
                .map(|(c, w)| w * c.sf(x))
                .sum(),
            _ => (1.0 - self.cdf(x)).max(0.0),
        }
    }

    /// The quantile function, by bisection on the cdf where no closed form exists.
    pub fn quantile(&self, prob: f64) -> f64 {
        match self {
            Distribution::Parametric(p) => p.quantile(prob),
            Distribution::Histogram(h) => h.quantile(prob),
            _ => {
                let (mut lo, mut hi) = (-1.0f64, 1.0f64);
                while self.cdf(lo) > prob && lo > -1e300 {
                    lo *= 2.0;
                }
                while self.cdf(hi) < prob && hi < 1e300 {
                    hi *= 2.0;
                }
                if self.kind() == Kind::Discrete {
                    lo = lo.floor();
                    hi = hi.ceil();
                    while hi - lo > 1.0 {
                        let mid = ((lo + hi) / 2.0).floor();
                        if self.cdf(mid) >= prob {
                            hi = mid
                        } else {
                            lo = mid
                        }
                    }
                    return if self.cdf(lo) >= prob { lo } else { hi };
                }
                for _ in 0..200 {
                    let mid = 0.5 * (lo + hi);
                    if self.cdf(mid) < prob {
                        lo = mid
                    } else {
                        hi = mid
                    }
                    if hi - lo <= 1e-14 * mid.abs().max(1e-300) {
                        break;
                    }
                }
                0.5 * (lo + hi)
            }
        }
    }

    /// The spec text that reproduces this distribution (a histogram names its source).
    pub fn to_spec(&self) -> String {
        match self {
            Distribution::Parametric(p) => p.to_spec(),
            Distribution::Mixture(m) => {
                let parts: Vec<String> = m
                    .components()
                    .iter()
                    .zip(m.weights())
                    .map(|(c, w)| format!("{}*{}", family::format_number(*w), c.to_spec()))
                    .collect();
                parts.join(" + ")
            }
            Distribution::Histogram(h) => h.source.clone(),
            Distribution::Categories(c) => c.source.clone(),
        }
    }

    /// Things the user should know about how the input was read, typed: normalisations,
    /// and for files the reader's notes (detected formats, gaps).
    pub fn typed_notes(&self) -> Vec<Note> {
        let normalised =
            |what, total: Option<f64>| total.map(|total| Note::Normalised { what, total });
        match self {
            Distribution::Parametric(p) => {
                normalised(NormalisedWhat::CategoricalProbabilities, p.normalised_from)
                    .into_iter()
                    .collect()
            }
            Distribution::Mixture(m) => {
                normalised(NormalisedWhat::MixtureWeights, m.normalised_from)
                    .into_iter()
                    .collect()
            }
            Distribution::Histogram(h) => {
                // The normalisation is a typed note (the app shows it as a warning); the rest
                // of how the file was read, as sentences, in the reader's order.
                let mut rest = h.provenance.clone();
                let normalised = rest.normalised.take();
                let mut out: Vec<Note> = rest.lines().into_iter().map(Note::Read).collect();
                out.extend(normalised.map(|n| Note::Normalised {
                    what: NormalisedWhat::HistogramValues(n.weights),
                    total: n.total,
                }));
                out
            }
            Distribution::Categories(c) => c.note_lines().into_iter().map(Note::Read).collect(),
        }
    }

    /// Whether weights or probabilities given by the user were rescaled to sum to 1.
    pub fn was_normalised(&self) -> bool {
        self.typed_notes()
            .iter()
            .any(|n| matches!(n, Note::Normalised { .. }))
    }

    /// [`Distribution::typed_notes`] as sentences.
    pub fn notes(&self) -> Vec<String> {
        self.typed_notes().iter().map(ToString::to_string).collect()
    }

    /// A short name for legends and file names: the family, or the file's name.
    pub fn short_name(&self) -> String {
        match self {
            Distribution::Parametric(p) => p.to_spec(),
            Distribution::Mixture(m) => format!("mixture of {}", m.components().len()),
            Distribution::Histogram(h) => h.display_name(),
            Distribution::Categories(c) => c.display_name(),
        }
    }
}
