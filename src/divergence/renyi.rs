//! Beyond KL: the Rényi family D_α, Pearson and Neyman χ², and the symmetric divergences by
//! name, each figure with its method and error like the KL figures.
//!
//! Definitions (nats):
//! - D_α(P‖Q) = 1/(α − 1) · ln ∫ p^α q^(1−α), α > 0; α = 1 is KL(P‖Q).
//! - χ²(P‖Q) = ∫ (p − q)²/q = exp(D₂(P‖Q)) − 1 (Pearson); Neyman χ² is χ²(Q‖P).
//! - `squared_hellinger` = ½∫(√p − √q)², `tv` = ½∫|p − q|, `js`, `kl`: the report's figures.
//!
//! Numeric contract:
//! - D_α is computed as M·ln(1 + tM)/(tM) with t = α − 1 and M = ∫ p·(e^(tL) − 1)/t,
//!   L = ln(p/q): no difference of nearly equal numbers and no division by a small t, so the
//!   curve in α is continuous through α = 1, where M is KL's own integral (checked to 1e-9).
//!   Closed forms are written in the same divided-difference shape.
//! - ∞ rules: for α < 1, D_α is finite whenever the supports overlap (p^α q^(1−α) ≤ αp +
//!   (1−α)q), and ∞ only when they do not. For α > 1 and χ², D is ∞ when P has mass where Q has
//!   none, or when p^α q^(1−α) is not integrable (a tail or edge of P too heavy for Q's, a
//!   closed form's parameter condition). Each ∞ has a reason in words.
//! - For α > 1 the ∞ rule is decided from the parameters of both sides' tails at every end
//!   and edge (`asymptote`), never by quadrature. A NaN leaves only as the refusal "not
//!   decided", with its reason, when a tail cannot be described (a Gumbel whose location over
//!   scale overflows e^x); never a finite number in its place.

mod asymptote;
mod closed;
pub mod curves;
mod peak;
mod sums;
mod tails;

use serde::{Deserialize, Serialize};

use super::{CompareError, Figure, Options, Report, check_kinds};
use crate::distribution::{Distribution, Kind};

pub use curves::{AlphaCurve, alpha_curve, alpha_grid, family_curves, integrand, running_value};

/// A divergence the user can ask for by name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Divergence {
    /// Kullback–Leibler.
    #[default]
    Kl,
    /// Rényi of order α (> 0; α = 1 is KL).
    Renyi(f64),
    /// Pearson χ²(P‖Q) = ∫ (p − q)²/q.
    Chi2,
    /// Neyman χ²(P‖Q) = ∫ (p − q)²/p, which is Pearson's χ²(Q‖P).
    NeymanChi2,
    /// Squared Hellinger distance ½∫(√p − √q)².
    SquaredHellinger,
    /// Total variation distance ½∫|p − q|.
    Tv,
    /// Jensen–Shannon divergence.
    Js,
}

/// Why a divergence name could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParseDivergenceError {
    /// Not one of the names.
    #[error(
        "unknown divergence '{0}'; use kl, renyi:α (e.g. renyi:0.5), chi2, neyman_chi2, squared_hellinger, tv or js"
    )]
    Unknown(String),
    /// `renyi` without `:α`.
    #[error("renyi needs its order: renyi:α with α > 0, e.g. renyi:0.5")]
    MissingAlpha,
    /// α is not a number.
    #[error("the order α of renyi:{0} is not a number; give one such as 0.5 or 2")]
    NotANumber(String),
    /// α ≤ 0, or not finite.
    #[error("the order α of Rényi must be a finite number > 0 (got {0})")]
    OutOfRange(String),
    /// An order given to a divergence that has none.
    #[error("{0} takes no order; write it without ':{1}'")]
    NoOrder(String, String),
}

/// The largest order α the window's slider and the α curve go to.
pub const MAX_PLOTTED_ALPHA: f64 = 5.0;

impl Divergence {
    /// Reads `NAME[:α]`: `kl`, `renyi:0.5`, `chi2`, `neyman_chi2`, `squared_hellinger`, `tv`,
    /// `js` (case and surrounding spaces ignored).
    ///
    /// # Errors
    /// [`ParseDivergenceError`] for an unknown name, a missing or invalid α.
    ///
    /// # Examples
    /// ```
    /// use kl_explorer::divergence::renyi::Divergence;
    /// assert_eq!(Divergence::parse("renyi:0.5"), Ok(Divergence::Renyi(0.5)));
    /// assert_eq!(Divergence::parse("chi2"), Ok(Divergence::Chi2));
    /// assert!(Divergence::parse("renyi:-1").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Divergence, ParseDivergenceError> {
        let t = text.trim().to_lowercase();
        let (name, order) = match t.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (t.as_str(), None),
        };
        let plain = |d: Divergence| match order {
            Some(a) => Err(ParseDivergenceError::NoOrder(name.into(), a.into())),
            None => Ok(d),
        };
        match name {
            "kl" => plain(Divergence::Kl),
            "chi2" | "pearson_chi2" => plain(Divergence::Chi2),
            "neyman_chi2" => plain(Divergence::NeymanChi2),
            "squared_hellinger" => plain(Divergence::SquaredHellinger),
            "tv" => plain(Divergence::Tv),
            "js" => plain(Divergence::Js),
            "renyi" => {
                let a = order.ok_or(ParseDivergenceError::MissingAlpha)?;
                let alpha: f64 = a
                    .parse()
                    .map_err(|_| ParseDivergenceError::NotANumber(a.into()))?;
                if !(alpha > 0.0 && alpha.is_finite()) {
                    return Err(ParseDivergenceError::OutOfRange(a.into()));
                }
                Ok(Divergence::Renyi(alpha))
            }
            _ => Err(ParseDivergenceError::Unknown(text.trim().into())),
        }
    }

    /// The name as [`Divergence::parse`] reads it back, e.g. `renyi:0.5`.
    pub fn name(&self) -> String {
        match self {
            Divergence::Kl => "kl".into(),
            Divergence::Renyi(a) => format!("renyi:{a}"),
            Divergence::Chi2 => "chi2".into(),
            Divergence::NeymanChi2 => "neyman_chi2".into(),
            Divergence::SquaredHellinger => "squared_hellinger".into(),
            Divergence::Tv => "tv".into(),
            Divergence::Js => "js".into(),
        }
    }

    /// A label for the screen and the table in one direction, e.g. `D_0.5(P‖Q)`; `pq`
    /// false gives the Q‖P direction.
    pub fn label(&self, pq: bool) -> String {
        let dir = if pq { "P‖Q" } else { "Q‖P" };
        match self {
            Divergence::Kl => format!("KL({dir})"),
            Divergence::Renyi(a) => {
                format!(
                    "D_{}({dir})",
                    crate::distribution::family::format_number(*a)
                )
            }
            Divergence::Chi2 => format!("χ²({dir})"),
            Divergence::NeymanChi2 => format!("χ²_N({dir})"),
            Divergence::SquaredHellinger => "H²".into(),
            Divergence::Tv => "TV".into(),
            Divergence::Js => "JS".into(),
        }
    }

    /// Whether the value is in nats or bits (KL, Rényi and JS are; χ², H² and TV are plain
    /// numbers).
    pub fn has_unit(&self) -> bool {
        matches!(self, Divergence::Kl | Divergence::Renyi(_) | Divergence::Js)
    }

    /// Whether both directions are the same figure.
    pub fn is_symmetric(&self) -> bool {
        matches!(
            self,
            Divergence::SquaredHellinger | Divergence::Tv | Divergence::Js
        )
    }
}

/// The chosen divergence both ways, in nats where it has a unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// What was computed.
    pub divergence: Divergence,
    /// D(P‖Q).
    pub pq: Figure,
    /// D(Q‖P).
    pub qp: Figure,
}

impl Pair {
    /// The pair in `unit` (figures without a unit unchanged).
    pub fn in_unit(&self, unit: super::Unit) -> Pair {
        if !self.divergence.has_unit() || unit == super::Unit::Nats {
            return self.clone();
        }
        let f = 1.0 / std::f64::consts::LN_2;
        Pair {
            divergence: self.divergence,
            pq: self.pq.scaled(f),
            qp: self.qp.scaled(f),
        }
    }

    /// The keys `compute --json` adds: `divergence` (the name as given), `divergence_pq`,
    /// `divergence_qp`, `method_divergence_pq`, `error_divergence_pq`, the same for `_qp`, and
    /// `reason_divergence_pq`/`_qp` where infinite. Numbers follow
    /// [`super::json_number`].
    pub fn add_to_json(&self, name_as_given: &str, v: &mut serde_json::Value) {
        use serde_json::Value;
        let Some(o) = v.as_object_mut() else {
            return;
        };
        o.insert("divergence".into(), Value::from(name_as_given));
        for (dir, f) in [("pq", &self.pq), ("qp", &self.qp)] {
            o.insert(format!("divergence_{dir}"), super::json_number(f.value));
            o.insert(
                format!("method_divergence_{dir}"),
                Value::from(f.method.as_str()),
            );
            o.insert(
                format!("error_divergence_{dir}"),
                super::json_number(f.error),
            );
            if let Some(r) = &f.reason {
                o.insert(format!("reason_divergence_{dir}"), Value::from(r.as_str()));
            }
        }
    }
}

/// The chosen divergence both ways. `report` is the pair's [`Report`] when the caller has it
/// (KL, JS, TV and Hellinger are taken from it); otherwise it is computed when needed.
///
/// # Errors
/// [`CompareError`] as [`super::compare`]: mixed kinds, labels that cannot be aligned,
/// cancelled.
pub fn divergence_pair(
    p: &Distribution,
    q: &Distribution,
    divergence: Divergence,
    report: Option<&Report>,
    opts: &Options,
) -> Result<Pair, CompareError> {
    check_kinds(p, q)?;
    let from_report = |pick: fn(&Report) -> [Figure; 2]| -> Result<[Figure; 2], CompareError> {
        match report {
            Some(r) => Ok(pick(r)),
            None => Ok(pick(&super::compare(p, q, opts)?)),
        }
    };
    let [pq, qp] = match divergence {
        Divergence::Kl => from_report(|r| [r.kl_pq.clone(), r.kl_qp.clone()])?,
        Divergence::Renyi(1.0) => from_report(|r| [r.kl_pq.clone(), r.kl_qp.clone()])?,
        Divergence::Renyi(alpha) => [
            renyi(p, q, alpha, ["P", "Q"], opts)?,
            renyi(q, p, alpha, ["Q", "P"], opts)?,
        ],
        Divergence::Chi2 => [chi2(p, q, ["P", "Q"], opts)?, chi2(q, p, ["Q", "P"], opts)?],
        Divergence::NeymanChi2 => [chi2(q, p, ["Q", "P"], opts)?, chi2(p, q, ["P", "Q"], opts)?],
        Divergence::SquaredHellinger => from_report(|r| {
            let h = &r.hellinger;
            let f = Figure {
                value: h.value * h.value,
                error: 2.0 * h.value * h.error + h.error * h.error,
                method: h.method.clone(),
                reason: None,
            };
            [f.clone(), f]
        })?,
        Divergence::Tv => from_report(|r| [r.tv.clone(), r.tv.clone()])?,
        Divergence::Js => from_report(|r| [r.js.clone(), r.js.clone()])?,
    };
    opts.cancel.check()?;
    Ok(Pair { divergence, pq, qp })
}

/// D_α(P‖Q) in nats. `names` name P and Q in the reason of an ∞ (swapped for Q‖P).
///
/// # Errors
/// [`CompareError`] for mixed kinds, labels that cannot be aligned, or a cancelled
/// computation.
pub fn renyi(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    names: [&str; 2],
    opts: &Options,
) -> Result<Figure, CompareError> {
    let figure = renyi_located(p, q, alpha, names, opts)?.0;
    opts.cancel.check()?;
    Ok(figure)
}

/// Pearson χ²(P‖Q) = exp(D₂(P‖Q)) − 1.
///
/// # Errors
/// As [`renyi`].
pub fn chi2(
    p: &Distribution,
    q: &Distribution,
    names: [&str; 2],
    opts: &Options,
) -> Result<Figure, CompareError> {
    Ok(chi2_from_d2(renyi(p, q, 2.0, names, opts)?))
}

/// χ² = e^(D₂) − 1 with the error carried through.
pub(crate) fn chi2_from_d2(d2: Figure) -> Figure {
    if d2.value == f64::INFINITY {
        return d2;
    }
    let value = d2.value.exp_m1().max(0.0);
    Figure {
        value,
        error: (1.0 + value) * d2.error,
        method: format!("e^(D₂) − 1, D₂ by {}", d2.method),
        reason: None,
    }
}

/// D_α(P‖Q) and, when it is ∞, where its running integral becomes ∞ (for the plots).
pub(crate) fn renyi_located(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    names: [&str; 2],
    opts: &Options,
) -> Result<(Figure, Option<super::pointwise::InfiniteFrom>), CompareError> {
    use super::pointwise::InfiniteFrom;
    if alpha == 1.0 {
        let f = super::kl_divergence(p, q, opts)?;
        return Ok((f, None));
    }
    if check_kinds(p, q)? == Kind::Discrete {
        return sums::renyi_discrete(p, q, alpha, names, opts);
    }
    let (ps, qs) = (p.support(), q.support());
    if tails::overlap(&ps, &qs) <= 0.0 {
        return Ok((
            Figure::infinite(format!(
                "{} and {} have no support in common: ∫ p^α q^(1−α) = 0",
                names[0], names[1]
            )),
            Some(InfiniteFrom::Edge(f64::NEG_INFINITY)),
        ));
    }
    if alpha > 1.0
        && let Some((reason, from)) = tails::gap_reason(&ps, &qs, names)
    {
        return Ok((Figure::infinite(reason), Some(InfiniteFrom::Gap(from))));
    }
    if opts.closed_forms
        && let (Distribution::Parametric(a), Distribution::Parametric(b)) = (p, q)
        && let Some(r) = closed::renyi(a, b, alpha)
    {
        let from = (r.value == f64::INFINITY).then_some(InfiniteFrom::Edge(f64::NEG_INFINITY));
        return Ok((r, from));
    }
    let mut ties = Vec::new();
    if alpha > 1.0 {
        match tails::integrability(p, q, alpha, names) {
            tails::Integrability::Diverges { reason, from } => {
                return Ok((Figure::infinite(reason), Some(InfiniteFrom::Edge(from))));
            }
            tails::Integrability::NotDecided(why) => return Ok((not_decided(&why), None)),
            tails::Integrability::Converges { ties: t } => ties = t,
        }
    }
    let (mut f, mut from) = renyi_by_quadrature(p, q, alpha, names, opts);
    if alpha > 1.0 && f.value == f64::INFINITY {
        // The support and tail analysis found the integral finite, so an ∞ from the
        // quadrature is a node on a zero of Q inside P's support (where the singularity of
        // p^α q^(1−α) is integrable) or at a place the analysis does not describe: not a
        // figure to show as ∞.
        f = unresolved_zero_of_q(names);
        from = None;
    }
    if !ties.is_empty() {
        f.method
            .push_str(&format!("; integrable because {}", ties.join("; ")));
    }
    Ok((f, from))
}

/// D_α by quadrature of M (the divided difference, continuous through α = 1), split around the
/// peak of p^α q^(1−α); where ∫ p^α q^(1−α) is far from 1 (1 + (α−1)·M would cancel, or M
/// overflows, or did not converge) also by the peak-scaled integral itself, keeping the figure
/// with the smaller stated error.
fn renyi_by_quadrature(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    names: [&str; 2],
    opts: &Options,
) -> (Figure, Option<super::pointwise::InfiniteFrom>) {
    let t = alpha - 1.0;
    let histograms = matches!(
        (p, q),
        (Distribution::Histogram(_), Distribution::Histogram(_))
    );
    let domain = if histograms {
        p.support()
    } else {
        sums::renyi_domain(p, q, alpha)
    };
    let peak = if histograms {
        peak::Peak::default()
    } else {
        peak::find(p, q, alpha, &domain)
    };
    let m = sums::renyi_m_continuous(p, q, alpha, &domain, &peak, opts);
    let integral = 1.0 + t * m.value;
    let from_m = sums::d_from_m(m, t, names);
    if histograms || opts.cancel.is_cancelled() {
        return from_m;
    }
    let far_from_one = !(integral >= 0.5 && integral.is_finite());
    let loose = !(from_m.0.error <= opts.rel_tol * from_m.0.value.abs().max(1.0));
    if !(far_from_one || loose) {
        return from_m;
    }
    match sums::renyi_from_peak(p, q, alpha, &domain, &peak, opts) {
        // ∞ from M here is rounding (α < 1 is finite where the supports overlap; for α > 1
        // the tails said it converges): the scaled integral's figure replaces it.
        Some(f) if !from_m.0.value.is_finite() || !(f.error >= from_m.0.error) => (f, None),
        _ => from_m,
    }
}

/// The refusal when the quadrature meets an infinite p^α q^(1−α) inside P's support although
/// the tail and edge analysis found ∫ p^α q^(1−α) finite: Q's density 0 (or underflowing) at a
/// node, or an integral beyond the doubles (just below where it diverges, e.g. normal(0, 2)
/// against a normal(1, 1) given as a mixture at α = 1.3333333, where it is e^(1e7)): no number
/// rather than a false ∞.
fn unresolved_zero_of_q(names: [&str; 2]) -> Figure {
    let [p, q] = names;
    Figure {
        value: f64::NAN,
        error: f64::NAN,
        method: "adaptive Gauss–Kronrod quadrature; not resolved".into(),
        reason: Some(format!(
            "not computed: the quadrature met an infinite p^α q^(1−α) inside {p}'s support ({q}'s density 0 or underflowing at a node, or ∫ p^α q^(1−α) beyond the largest double) where the tail and edge analysis finds the integral finite, so no number is given rather than ∞ or a finite one that may be wrong"
        )),
    }
}

/// The refusal when the tails cannot decide convergence: no number, and why.
fn not_decided(why: &str) -> Figure {
    Figure {
        value: f64::NAN,
        error: f64::NAN,
        method: "support and tail analysis".into(),
        reason: Some(format!(
            "not decided: whether ∫ p^α q^(1−α) converges depends on a tail that cannot be described ({why}), so no number is given rather than a finite one that may be wrong"
        )),
    }
}

#[cfg(test)]
mod tests;
