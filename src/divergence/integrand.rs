//! The integrands: KL's and the symmetric divergences', from log-densities (quadrature) or
//! from the two densities of a histogram cell ([`Cell`]).

/// The KL integrand p·(ln p − ln q) from log-densities.
///
/// Where p underflows to 0 the term is 0 even if q underflowed too (a real support mismatch
/// is found by [`super::infinite_reason`] before any integral is taken).
pub fn kl_term(lp: f64, lq: f64) -> f64 {
    if lp.exp() == 0.0 && (lp == f64::NEG_INFINITY || lq == f64::NEG_INFINITY) {
        0.0
    } else if lq == f64::NEG_INFINITY {
        f64::INFINITY
    } else {
        weigh(lp, lp - lq)
    }
}

/// Below it, e^(ln p) loses digits to the subnormals, and from −745 on it is 0.
const SUBNORMAL_LN: f64 = -700.0;

/// `e^lp · d`, taken as `±e^(lp + ln|d|)` where `e^lp` alone would be subnormal or 0: a tiny
/// p times a huge log-ratio is an ordinary number. pareto(6e290, 2.09) has p below 1e-308
/// beyond 1e296, where ln p − ln q against normal(0, 2.8e279) is 1e33 to 1e51; p's absolute
/// rounding there (5e-324) times that and the tail's length (1e305) made the KL's tail 24 %
/// low, and the rule could not see it.
pub fn weigh(lp: f64, d: f64) -> f64 {
    if lp > SUBNORMAL_LN || d == 0.0 || d.is_nan() {
        lp.exp() * d
    } else {
        d.signum() * (lp + d.abs().ln()).exp()
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

/// Bounds on the rounding errors of [`symmetric_terms`] at one point, as
/// `continuous::kl_term_rounding` bounds KL's: each log is good to a few ulps of its own
/// magnitude, so `e^(ln p)` is good to ε·p·(1 + |ln p|) relatively, and every product and
/// difference of the terms carries that on. No subdivision removes it; near-identical P and Q
/// (cauchy(0, 1) against student_t(0, 1, 1): TV 1.8e-15) make it the whole error.
pub fn symmetric_terms_rounding(lp: f64, lq: f64) -> [f64; 3] {
    let eps = 8.0 * f64::EPSILON;
    // A density's value and its absolute rounding.
    let dens = |l: f64| {
        if l == f64::NEG_INFINITY {
            (0.0, 0.0)
        } else {
            let v = l.exp();
            (v, eps * v * (1.0 + l.abs()))
        }
    };
    let ((p, dp), (q, dq)) = (dens(lp), dens(lq));
    let lm = log_add_exp(lp, lq) - std::f64::consts::LN_2;
    let js_part = |l: f64, v: f64, dv: f64| {
        if l == f64::NEG_INFINITY {
            0.0
        } else {
            dv * (l - lm).abs() + eps * v * (1.0 + l.abs() + lm.abs())
        }
    };
    let js = 0.5 * (js_part(lp, p, dp) + js_part(lq, q, dq));
    let tv = 0.5 * (dp + dq) + eps * 0.5 * (p - q).abs();
    // h = √p − √q, each root good to ε·√p·(1 + |ln p|/2).
    let root = |l: f64| {
        if l == f64::NEG_INFINITY {
            (0.0, 0.0)
        } else {
            let v = (0.5 * l).exp();
            (v, eps * v * (1.0 + 0.5 * l.abs()))
        }
    };
    let ((rp, drp), (rq, drq)) = (root(lp), root(lq));
    let h = (rp - rq).abs();
    let dh = drp + drq;
    let h2 = h * dh + 0.5 * dh * dh + eps * 0.5 * h * h;
    [js, tv, h2]
}
