//! What a comparison produces: [`Figure`]s in a [`Report`], their [`Unit`], and the errors
//! of pairs that cannot be compared.

use serde::Serialize;

use super::quad;

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
    pub(super) fn closed(value: f64, formula: &str) -> Self {
        Figure {
            value,
            error: 8.0 * f64::EPSILON * value.abs().max(1.0),
            method: format!("closed form ({formula})"),
            reason: None,
        }
    }

    pub(super) fn infinite(reason: String) -> Self {
        Figure {
            value: f64::INFINITY,
            error: 0.0,
            method: "support and tail analysis".into(),
            reason: Some(reason),
        }
    }

    pub(super) fn from_quad(r: &quad::QuadResult, rel_tol: f64) -> Self {
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

    pub(super) fn sum_of(a: &Figure, b: &Figure, method: &str) -> Figure {
        Figure {
            value: a.value + b.value,
            error: a.error + b.error,
            method: method.into(),
            reason: a.reason.clone().or_else(|| b.reason.clone()),
        }
    }

    pub(super) fn scaled(&self, factor: f64) -> Figure {
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

/// Builds the report from the directional figures and the symmetric ones (JS, TV, Hellinger).
pub(crate) fn assemble(
    kl_pq: Figure,
    kl_qp: Figure,
    entropy_p: Figure,
    entropy_q: Figure,
    [js, tv, hellinger]: [Figure; 3],
) -> Report {
    // KL, JS and TV are never negative; a value below 0 by no more than its own error
    // estimate or a few ulps of 1 (identical P and Q by quadrature: JS = −1.8e-23) is 0,
    // not "-0.0000000000" on screen. Anything more negative is left to be seen.
    let non_negative = |mut f: Figure| {
        if f.value < 0.0 && -f.value <= f.error + 4.0 * f64::EPSILON {
            f.value = 0.0;
        }
        f
    };
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
