//! How a density behaves at one end of its support, and when that makes KL infinite.
//!
//! KL(P‖Q) = E_P[ln p] − E_P[ln q]. For every family here E_P[ln p] is finite, so KL is
//! infinite exactly when E_P[−ln q] diverges at some end of Q's support that P reaches. That
//! depends only on how fast −ln q grows there and on how much mass P leaves there, which
//! [`Tail`] describes. [`diverges`] applies the rule; it is exact for the families we have
//! (it is checked against quadrature in the tests).

/// The behaviour of a density near one end of its support.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tail {
    /// A finite edge `e` where the density behaves like `|x − e|^s` (`s > −1`; `s = 0` is a
    /// jump to a positive value, `s < 0` a singularity).
    Edge {
        /// The exponent.
        s: f64,
    },
    /// A finite edge where the density vanishes like `exp(−(ln x)²/2σ²)` (log-normal at 0).
    EdgeLogSquared,
    /// A finite edge where the density vanishes like `exp(−c / x)` (inverse gamma at 0).
    EdgeExpInverse,
    /// An infinite tail with density `~ |x|^−(α+1)` (Cauchy, Student t, Pareto).
    Power {
        /// The tail index α: moments of order < α are finite.
        alpha: f64,
    },
    /// An infinite tail `~ exp(−(ln x)²/2σ²)` (log-normal).
    LogSquared,
    /// An infinite tail `~ exp(−c |x|^k)` (normal: k = 2, exponential: k = 1).
    Stretched {
        /// The power of |x|.
        k: f64,
        /// The rate.
        c: f64,
    },
    /// An infinite tail `~ exp(−e^{rate·|x|})` (Gumbel's left tail).
    DoubleExp {
        /// The rate of the inner exponential.
        rate: f64,
    },
}

impl Tail {
    /// How heavy the tail is: a larger rank leaves more mass far out (or near the edge).
    /// Used to find the dominant component of a mixture.
    pub fn heaviness(&self) -> (u8, f64, f64) {
        match *self {
            Tail::Edge { s } => (10, -s, 0.0),
            Tail::EdgeLogSquared => (9, 0.0, 0.0),
            Tail::EdgeExpInverse => (8, 0.0, 0.0),
            Tail::Power { alpha } => (5, -alpha, 0.0),
            Tail::LogSquared => (4, 0.0, 0.0),
            Tail::Stretched { k, c } => (3, -k, -c),
            Tail::DoubleExp { rate } => (2, -rate, 0.0),
        }
    }

    /// The heavier of two tails.
    pub fn heavier(self, other: Tail) -> Tail {
        if other.heaviness() > self.heaviness() {
            other
        } else {
            self
        }
    }

    /// A noun phrase for sentences, e.g. "power-law tail ~ |x|^-2".
    pub fn describe(&self) -> String {
        let n = crate::distribution::family::format_number;
        let r = |v: f64| n((v * 1e4).round() / 1e4);
        match *self {
            Tail::Edge { s: 0.0 } => "positive density at its edge".into(),
            Tail::Edge { s } => format!("density ~ |x − edge|^{}", r(s)),
            Tail::EdgeLogSquared => "density ~ exp(−(ln x)²/2σ²) at 0".into(),
            Tail::EdgeExpInverse => "density ~ exp(−c/x) at 0".into(),
            Tail::Power { alpha } => format!("power-law tail ~ |x|^-{}", r(alpha + 1.0)),
            Tail::LogSquared => "log-normal tail".into(),
            Tail::Stretched { k, c } => format!("tail ~ exp(−{}·|x|^{})", r(c), r(k)),
            Tail::DoubleExp { rate } => format!("tail ~ exp(−e^({}·|x|))", r(rate)),
        }
    }
}

/// Whether E_P[−ln q] diverges at an end that both P and Q reach, given P's tail `p` and Q's
/// tail `q` there.
pub fn diverges(p: Tail, q: Tail) -> bool {
    match q {
        // −ln q grows like a logarithm (edges, power laws) or like ln²: every P here has finite
        // log-moments.
        Tail::Edge { .. } | Tail::Power { .. } | Tail::LogSquared | Tail::EdgeLogSquared => false,
        // −ln q ~ c/x near the edge: diverges unless P vanishes there (s > 0) or faster.
        Tail::EdgeExpInverse => matches!(p, Tail::Edge { s } if s <= 0.0),
        // −ln q ~ c|x|^k: diverges when P's k-th moment does.
        Tail::Stretched { k, .. } => matches!(p, Tail::Power { alpha } if alpha <= k),
        // −ln q ~ e^{r|x|}: diverges unless P decays faster than e^{−r|x|}.
        Tail::DoubleExp { rate } => match p {
            Tail::Power { .. } | Tail::LogSquared => true,
            Tail::Stretched { k, c } => k < 1.0 || (k == 1.0 && c <= rate),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cauchy_against_normal_diverges_but_not_against_student_t() {
        let cauchy = Tail::Power { alpha: 1.0 };
        assert!(diverges(cauchy, Tail::Stretched { k: 2.0, c: 0.5 }));
        assert!(!diverges(cauchy, Tail::Power { alpha: 3.0 }));
        assert!(!diverges(Tail::Stretched { k: 2.0, c: 0.5 }, cauchy));
    }

    #[test]
    fn student_t_needs_more_than_k_moments() {
        let normal = Tail::Stretched { k: 2.0, c: 0.5 };
        assert!(diverges(Tail::Power { alpha: 2.0 }, normal));
        assert!(!diverges(Tail::Power { alpha: 2.5 }, normal));
    }

    #[test]
    fn heavier_picks_the_power_law() {
        let t = Tail::Stretched { k: 2.0, c: 1.0 }.heavier(Tail::Power { alpha: 4.0 });
        assert_eq!(t, Tail::Power { alpha: 4.0 });
    }
}
