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
    /// Why the value is infinite, when it is, or why no number is given (the value is then
    /// NaN: a refusal).
    pub reason: Option<String>,
}

impl Figure {
    /// The reason as a sentence for a reader: "∞ because …" for an infinite value, the
    /// refusal's own words ("not computed: …") for a figure given no number.
    pub fn reason_text(&self) -> Option<String> {
        self.reason.as_ref().map(|r| {
            if self.value.is_nan() {
                r.clone()
            } else {
                format!("∞ because {r}")
            }
        })
    }

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

    pub(crate) fn from_quad(r: &quad::QuadResult, rel_tol: f64) -> Self {
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
    /// [`Options::cancel`](super::Options::cancel) was set: no figures.
    #[error("cancelled")]
    Cancelled,
}

impl From<crate::cancel::Cancelled> for CompareError {
    fn from(_: crate::cancel::Cancelled) -> Self {
        CompareError::Cancelled
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
    /// [`Report::in_unit`], taking the report: unchanged (no copies of its method texts)
    /// when it is already in `unit`.
    pub fn into_unit(self, unit: Unit) -> Report {
        if self.unit == unit {
            self
        } else {
            self.in_unit(unit)
        }
    }

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

/// KL is never negative; a value below 0 by no more than its own error
/// estimate or a few ulps of 1 (identical P and Q by quadrature: −3.7e-15) is 0, not
/// "-0.0000000000" on screen, and the method says so. Anything more negative is left to be
/// seen (the error estimates include the rounding of the logs, so it does not happen).
pub(crate) fn non_negative(mut f: Figure) -> Figure {
    if f.value < 0.0 && -f.value <= f.error + 4.0 * f64::EPSILON {
        f.method.push_str(&format!(
            "; {:.1e} is within its error of 0, shown as 0",
            f.value
        ));
        f.value = 0.0;
    }
    f
}

/// A figure bounded to `[0, bound]` (TV ≤ 1, JS ≤ ln 2, squared Hellinger ≤ 1): a value
/// beyond a bound by no more than its error (and a few ulps) is shown as that bound, and the
/// method says so. A value beyond it by more than its error (the quadrature lost part of a
/// density's mass, or a density is not resolved by the doubles) is not a result: it is shown
/// as the bound with the whole range `bound` as its error, and the method says that too, so
/// that the stated error always holds.
pub(crate) fn within_bounds(mut f: Figure, bound: f64) -> Figure {
    let slack = f.error + 4.0 * f64::EPSILON * bound;
    let (edge, beyond) = if f.value > bound {
        (bound, f.value - bound)
    } else if f.value < 0.0 {
        (0.0, -f.value)
    } else if f.value.is_nan() {
        (bound, f64::INFINITY)
    } else {
        // Within the range, the range still bounds the error: a figure in [0, bound] is
        // never further than `bound` from the truth (a stated error of ±0.75 on JS ≤ ln 2,
        // with most of the mass beyond the doubles, says less than that).
        f.error = f.error.min(bound);
        return f;
    };
    if beyond <= slack && slack.is_finite() {
        f.method.push_str(&format!(
            "; {} is within its error of the bound {}, shown as {}",
            short(f.value),
            short(edge),
            short(edge)
        ));
    } else {
        f.method.push_str(&format!(
            "; the computed {} is outside [0, {}] by more than its error {}: not resolved, shown as {} with the whole range as its error",
            short(f.value),
            short(bound),
            short(f.error),
            short(edge)
        ));
        f.error = bound;
    }
    f.value = edge;
    // The figure lies in [0, bound] whatever was computed: an error past the range says less.
    f.error = f.error.min(bound);
    f.reason = None;
    f
}

/// A number for a method sentence: 4 significant digits, exponent when needed.
fn short(v: f64) -> String {
    if v == 0.0 || (1e-3..1e5).contains(&v.abs()) {
        format!("{}", (v * 1e4).round() / 1e4)
    } else {
        format!("{v:.3e}")
    }
}

/// Builds the report from the directional figures and the symmetric ones (JS, TV, Hellinger).
/// JS, TV and Hellinger are brought within their bounds ([`within_bounds`]) whichever path
/// computed them.
pub(crate) fn assemble(
    kl_pq: Figure,
    kl_qp: Figure,
    entropy_p: Figure,
    entropy_q: Figure,
    [js, tv, hellinger]: [Figure; 3],
) -> Report {
    let (kl_pq, kl_qp) = (non_negative(kl_pq), non_negative(kl_qp));
    let js = within_bounds(js, std::f64::consts::LN_2);
    let tv = within_bounds(tv, 1.0);
    let hellinger = within_bounds(hellinger, 1.0);
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

/// Hellinger distance from its square, with the error propagated. The square is brought
/// within [0, 1] first ([`within_bounds`]), saying so in the method.
pub(crate) fn hellinger_from_squared(h2: &Figure) -> Figure {
    let h2 = within_bounds(h2.clone(), 1.0);
    let v = h2.value.sqrt();
    // √ is monotone: the interval [h² − e, h² + e] ∩ [0, 1] maps to one around √h².
    let error = if h2.error >= 1.0 {
        1.0
    } else {
        let hi = (h2.value + h2.error).min(1.0).sqrt();
        let lo = (h2.value - h2.error).max(0.0).sqrt();
        (hi - v).max(v - lo)
    };
    Figure {
        value: v,
        error,
        method: h2.method,
        reason: None,
    }
}

/// One figure of a [`Report`]: the single list the CLI table, the JSON and the metrics panel
/// are drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FigureId {
    /// KL(P‖Q).
    KlPq,
    /// KL(Q‖P).
    KlQp,
    /// Jensen–Shannon divergence.
    Js,
    /// KL(P‖Q) + KL(Q‖P).
    Jeffreys,
    /// H(P).
    EntropyP,
    /// H(Q).
    EntropyQ,
    /// H(P, Q).
    CrossEntropyPq,
    /// H(Q, P).
    CrossEntropyQp,
    /// Total variation distance.
    Tv,
    /// Hellinger distance.
    Hellinger,
}

impl FigureId {
    /// Every figure, in display order.
    pub const ALL: [FigureId; 10] = [
        FigureId::KlPq,
        FigureId::KlQp,
        FigureId::Js,
        FigureId::Jeffreys,
        FigureId::EntropyP,
        FigureId::EntropyQ,
        FigureId::CrossEntropyPq,
        FigureId::CrossEntropyQp,
        FigureId::Tv,
        FigureId::Hellinger,
    ];

    /// Its name on screen and in the CLI table, e.g. "KL(P‖Q)".
    pub fn label(self) -> &'static str {
        match self {
            FigureId::KlPq => "KL(P‖Q)",
            FigureId::KlQp => "KL(Q‖P)",
            FigureId::Js => "JS",
            FigureId::Jeffreys => "Jeffreys",
            FigureId::EntropyP => "H(P)",
            FigureId::EntropyQ => "H(Q)",
            FigureId::CrossEntropyPq => "H(P,Q)",
            FigureId::CrossEntropyQp => "H(Q,P)",
            FigureId::Tv => "TV",
            FigureId::Hellinger => "Hellinger",
        }
    }

    /// Its key in `compute --json`, e.g. `kl_pq`.
    pub fn json_key(self) -> &'static str {
        match self {
            FigureId::KlPq => "kl_pq",
            FigureId::KlQp => "kl_qp",
            FigureId::Js => "js",
            FigureId::Jeffreys => "jeffreys",
            FigureId::EntropyP => "entropy_p",
            FigureId::EntropyQ => "entropy_q",
            FigureId::CrossEntropyPq => "cross_entropy_pq",
            FigureId::CrossEntropyQp => "cross_entropy_qp",
            FigureId::Tv => "tv",
            FigureId::Hellinger => "hellinger",
        }
    }

    /// Whether the figure is in nats or bits ([`Report::unit`]); TV and Hellinger are
    /// plain numbers in [0, 1].
    pub fn has_unit(self) -> bool {
        match self {
            FigureId::KlPq
            | FigureId::KlQp
            | FigureId::Js
            | FigureId::Jeffreys
            | FigureId::EntropyP
            | FigureId::EntropyQ
            | FigureId::CrossEntropyPq
            | FigureId::CrossEntropyQp => true,
            FigureId::Tv | FigureId::Hellinger => false,
        }
    }
}

impl Report {
    /// One figure.
    pub fn get(&self, id: FigureId) -> &Figure {
        match id {
            FigureId::KlPq => &self.kl_pq,
            FigureId::KlQp => &self.kl_qp,
            FigureId::Js => &self.js,
            FigureId::Jeffreys => &self.jeffreys,
            FigureId::EntropyP => &self.entropy_p,
            FigureId::EntropyQ => &self.entropy_q,
            FigureId::CrossEntropyPq => &self.cross_entropy_pq,
            FigureId::CrossEntropyQp => &self.cross_entropy_qp,
            FigureId::Tv => &self.tv,
            FigureId::Hellinger => &self.hellinger,
        }
    }

    /// The report as the JSON object of `compute --json`: `p`, `q`, `unit`, every figure's
    /// value under its [`FigureId::json_key`], KL's method and error both ways
    /// (`method_pq`, `error_pq`, `method_qp`, `error_qp`) and, where KL is infinite, its
    /// reason (`reason_pq`, `reason_qp`). Numbers follow [`json_number`].
    pub fn to_json(&self, p: &str, q: &str) -> serde_json::Value {
        use serde_json::{Map, Value};
        let mut o = Map::new();
        o.insert("p".into(), Value::from(p));
        o.insert("q".into(), Value::from(q));
        o.insert("unit".into(), Value::from(self.unit.name()));
        // The order of today's keys, for maps that keep insertion order.
        for id in [
            FigureId::KlPq,
            FigureId::KlQp,
            FigureId::CrossEntropyPq,
            FigureId::CrossEntropyQp,
            FigureId::EntropyP,
            FigureId::EntropyQ,
            FigureId::Js,
            FigureId::Jeffreys,
            FigureId::Tv,
            FigureId::Hellinger,
        ] {
            o.insert(id.json_key().into(), json_number(self.get(id).value));
        }
        o.insert("method_pq".into(), Value::from(self.kl_pq.method.as_str()));
        o.insert("error_pq".into(), json_number(self.kl_pq.error));
        o.insert("method_qp".into(), Value::from(self.kl_qp.method.as_str()));
        o.insert("error_qp".into(), json_number(self.kl_qp.error));
        if let Some(r) = &self.kl_pq.reason {
            o.insert("reason_pq".into(), Value::from(r.as_str()));
        }
        if let Some(r) = &self.kl_qp.reason {
            o.insert("reason_qp".into(), Value::from(r.as_str()));
        }
        Value::Object(o)
    }
}

impl Report {
    /// Appends to `out` what `serde_json` prints for [`Report::to_json`] (with `"line": n`
    /// added when `line` is given), byte for byte, without building the `Value`: the keys in
    /// the sorted order of serde_json's map, numbers as [`json_number`] gives them. For
    /// `compute --pairs`, where building and printing a `Value` per line cost as much as the
    /// figures.
    pub fn write_json(&self, p: &str, q: &str, line: Option<usize>, out: &mut Vec<u8>) {
        out.push(b'{');
        let mut first = true;
        let mut key = |out: &mut Vec<u8>, k: &str| {
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'"');
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b"\":");
        };
        let number = |out: &mut Vec<u8>, v: f64| write_json_number(v, out);
        let text = |out: &mut Vec<u8>, v: &str| write_json_str(v, out);
        key(out, "cross_entropy_pq");
        number(out, self.cross_entropy_pq.value);
        key(out, "cross_entropy_qp");
        number(out, self.cross_entropy_qp.value);
        key(out, "entropy_p");
        number(out, self.entropy_p.value);
        key(out, "entropy_q");
        number(out, self.entropy_q.value);
        key(out, "error_pq");
        number(out, self.kl_pq.error);
        key(out, "error_qp");
        number(out, self.kl_qp.error);
        key(out, "hellinger");
        number(out, self.hellinger.value);
        key(out, "jeffreys");
        number(out, self.jeffreys.value);
        key(out, "js");
        number(out, self.js.value);
        key(out, "kl_pq");
        number(out, self.kl_pq.value);
        key(out, "kl_qp");
        number(out, self.kl_qp.value);
        if let Some(n) = line {
            key(out, "line");
            // An integer prints as serde_json prints a u64: its decimal digits.
            out.extend_from_slice(n.to_string().as_bytes());
        }
        key(out, "method_pq");
        text(out, &self.kl_pq.method);
        key(out, "method_qp");
        text(out, &self.kl_qp.method);
        key(out, "p");
        text(out, p);
        key(out, "q");
        text(out, q);
        if let Some(r) = &self.kl_pq.reason {
            key(out, "reason_pq");
            text(out, r);
        }
        if let Some(r) = &self.kl_qp.reason {
            key(out, "reason_qp");
            text(out, r);
        }
        key(out, "tv");
        number(out, self.tv.value);
        key(out, "unit");
        text(out, self.unit.name());
        out.push(b'}');
    }
}

/// Appends [`json_number`]'s value as serde_json prints it.
fn write_json_number(v: f64, out: &mut Vec<u8>) {
    if v.is_nan() {
        out.extend_from_slice(b"null");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"\"inf\"" } else { b"\"-inf\"" });
    } else {
        // serde_json prints a finite f64 the same way inside a `Value` and alone; writing
        // to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &v);
    }
}

/// Appends a JSON string, escaped as serde_json escapes it.
fn write_json_str(v: &str, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, v);
}

/// A number for JSON: `"inf"` or `"-inf"` for infinities, `null` for NaN, the number itself
/// otherwise.
pub fn json_number(v: f64) -> serde_json::Value {
    if v.is_nan() {
        serde_json::Value::Null
    } else if v.is_infinite() {
        serde_json::Value::String(if v > 0.0 { "inf" } else { "-inf" }.into())
    } else {
        serde_json::json!(v)
    }
}

/// A figure for the screen: 4 decimals, or 4 significant decimals in scientific notation
/// below 10^−3 and from 10^5 up; `∞`, `−∞`, and `undefined` for NaN.
pub fn format_value(v: f64) -> String {
    if v == f64::INFINITY {
        "∞".into()
    } else if v == f64::NEG_INFINITY {
        "−∞".into()
    } else if v.is_nan() {
        "undefined".into()
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.4e}")
    } else {
        format!("{v:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_reads_as_infinite_only_when_the_value_is() {
        let mut f = Figure::infinite("Q has no mass on [0, 1]".into());
        assert_eq!(
            f.reason_text().as_deref(),
            Some("∞ because Q has no mass on [0, 1]")
        );
        f.value = f64::NAN;
        f.reason = Some("not computed: the integral is not resolved".into());
        assert_eq!(
            f.reason_text().as_deref(),
            Some("not computed: the integral is not resolved")
        );
        f.reason = None;
        assert_eq!(f.reason_text(), None);
    }

    fn figure(value: f64) -> Figure {
        Figure {
            value,
            error: 1e-12,
            method: "m".into(),
            reason: None,
        }
    }

    #[test]
    fn every_figure_is_reached_by_its_id_and_keys_are_distinct() {
        let mut r = assemble(
            figure(1.0),
            figure(2.0),
            figure(3.0),
            figure(4.0),
            [figure(0.5), figure(0.25), figure(0.5)],
        );
        r.kl_qp.reason = Some("why".into());
        r.kl_qp.value = f64::INFINITY;
        let v = r.to_json("P", "Q");
        let want = [
            (FigureId::KlPq, 1.0),
            (FigureId::EntropyP, 3.0),
            (FigureId::EntropyQ, 4.0),
            (FigureId::CrossEntropyPq, 4.0),
            (FigureId::Js, 0.5),
            (FigureId::Tv, 0.25),
        ];
        for (id, value) in want {
            assert_eq!(r.get(id).value, value, "{id:?}");
            assert_eq!(v[id.json_key()], serde_json::json!(value), "{id:?}");
        }
        assert_eq!(v["kl_qp"], "inf");
        assert_eq!(v["reason_qp"], "why");
        assert!(v.get("reason_pq").is_none());
        let keys: std::collections::HashSet<_> = FigureId::ALL.map(FigureId::json_key).into();
        assert_eq!(keys.len(), FigureId::ALL.len());
        assert_eq!(
            FigureId::ALL.iter().filter(|f| !f.has_unit()).count(),
            2,
            "TV and Hellinger"
        );
    }

    #[test]
    fn a_bounded_figure_past_its_bound_by_its_error_is_the_bound_and_says_so() {
        let mut f = figure(1.0 + 5e-13);
        f.error = 1e-12;
        let b = within_bounds(f, 1.0);
        assert_eq!(b.value, 1.0);
        assert_eq!(b.error, 1e-12);
        assert!(
            b.method.contains("within its error of the bound"),
            "{}",
            b.method
        );
        // Within a few ulps of 0 from below, likewise.
        let b = within_bounds(figure(-2e-16), std::f64::consts::LN_2);
        assert_eq!(b.value, 0.0);
    }

    #[test]
    fn a_bounded_figure_past_its_bound_by_more_than_its_error_gets_the_whole_range_as_error() {
        // TV of 2.096 with an error of 1e-12 (normal(1e17, 1) against normal(0, 1) before
        // the overlap forms): the value cannot be right, and the error must say so.
        for (v, bound) in [
            (2.096, 1.0),
            (1.453, std::f64::consts::LN_2),
            (f64::INFINITY, 1.0),
            (-0.3, 1.0),
            (f64::NAN, 1.0),
        ] {
            let b = within_bounds(figure(v), bound);
            assert!((0.0..=bound).contains(&b.value), "{v}: {b:?}");
            assert_eq!(b.error, bound, "{v}");
            assert!(b.method.contains("not resolved"), "{}", b.method);
        }
    }

    #[test]
    fn hellinger_of_a_square_beyond_one_is_one_with_the_error_kept() {
        let mut h2 = figure(1.0 + 1e-9);
        h2.error = 2e-9;
        let h = hellinger_from_squared(&h2);
        assert_eq!(h.value, 1.0);
        // √ of [1 − 2e-9, 1] is within 1e-9 of 1.
        assert!(h.error > 9e-10 && h.error < 1.1e-9, "{}", h.error);
        let h = hellinger_from_squared(&figure(0.25));
        assert_eq!(h.value, 0.5);
        assert!((h.error - 1e-12).abs() < 1e-15, "{}", h.error);
    }

    #[test]
    fn values_format_with_four_decimals_and_infinities_by_sign() {
        assert_eq!(format_value(0.443_147), "0.4431");
        assert_eq!(format_value(0.0), "0.0000");
        assert_eq!(format_value(2.5e-7), "2.5000e-7");
        assert_eq!(format_value(123_456.0), "1.2346e5");
        assert_eq!(format_value(f64::INFINITY), "∞");
        assert_eq!(format_value(f64::NEG_INFINITY), "−∞");
        assert_eq!(format_value(f64::NAN), "undefined");
        assert_eq!(json_number(f64::NEG_INFINITY), "-inf");
        assert_eq!(json_number(f64::NAN), serde_json::Value::Null);
    }

    /// The direct writer prints what serde_json prints for `to_json` plus `"line"`, byte for
    /// byte: finite, infinite, NaN and negative-zero values, reasons, both units, and texts
    /// that need escaping (quotes, a backslash, a control character, non-ASCII).
    #[test]
    fn write_json_prints_what_serde_json_prints_for_to_json() {
        let f = |i: usize| {
            let values = [
                0.1 + 0.2,
                1e-300,
                -0.0,
                f64::INFINITY,
                f64::NAN,
                12345.678901234567,
                f64::NEG_INFINITY,
                5e-324,
                1.0,
                f64::MAX,
            ];
            let mut x = figure(values[i % values.len()]);
            x.error = values[(i + 3) % values.len()];
            x.method = format!("rule \"{i}\" \\ with\ttab — ∞ \u{1}");
            if i.is_multiple_of(2) {
                x.reason = Some(format!("reason {i}: \"quoted\" ‖"));
            }
            x
        };
        for k in 0..10 {
            let mut r = assemble(
                f(k),
                f(k + 1),
                f(k + 2),
                f(k + 3),
                [f(k + 4), f(k + 5), f(k + 6)],
            );
            // `assemble` keeps KL non-negative; set every figure as it comes.
            r.kl_pq = f(k + 7);
            r.kl_qp = f(k + 8);
            if k % 3 == 1 {
                r.kl_qp.reason = None;
            }
            let r = if k % 2 == 0 { r } else { r.in_unit(Unit::Bits) };
            let (p, q) = ("normal(0, 1)", "mix \"a\"\n‖");
            let mut want = r.to_json(p, q);
            want["line"] = serde_json::json!(k * 1000 + 7);
            let mut got = Vec::new();
            r.write_json(p, q, Some(k * 1000 + 7), &mut got);
            assert_eq!(
                String::from_utf8(got).unwrap(),
                want.to_string(),
                "case {k}"
            );
            let mut got = Vec::new();
            r.write_json(p, q, None, &mut got);
            assert_eq!(
                String::from_utf8(got).unwrap(),
                r.to_json(p, q).to_string(),
                "case {k} without a line"
            );
        }
    }
}
