//! The analytic score s = ∂θ ln q and second derivative h = ∂²θ ln q of each family, in the
//! θ parametrisation of [`QFamily`] (locations as they are, scales, shapes and freedoms by
//! their logs), so that the gradient and Hessian of KL are plain integrals of smooth
//! functions.
//!
//! Numeric contract: `ln q` is the family's own log density; s and h are closed forms in x
//! and θ (digamma and trigamma of the shapes once per θ). Laplace's ln q has a kink at its
//! location: ∂²μ ln q = −(2/b)·δ(x − μ), which no integrand carries; [`Scorer::delta`] gives
//! it so that the caller adds it as a point term.

use statrs::function::gamma::digamma;

use super::family::QFamily;
use crate::distribution::Parametric;

/// ψ′(a), the trigamma function, for a > 0: the recurrence up to a ≥ 10, then the asymptotic
/// series 1/a + 1/2a² + Σ B₂ₖ/a^(2k+1) (seven terms: a few ulps).
pub fn trigamma(a: f64) -> f64 {
    if !(a > 0.0) {
        return f64::NAN;
    }
    let mut a = a;
    let mut acc = 0.0;
    while a < 10.0 {
        acc += 1.0 / (a * a);
        a += 1.0;
    }
    let z2 = 1.0 / (a * a);
    // B₂/a³ + B₄/a⁵ + …, B₂ₖ = 1/6, −1/30, 1/42, −1/30, 5/66, −691/2730, 7/6.
    const B: [f64; 7] = [
        1.0 / 6.0,
        -1.0 / 30.0,
        1.0 / 42.0,
        -1.0 / 30.0,
        5.0 / 66.0,
        -691.0 / 2730.0,
        7.0 / 6.0,
    ];
    let mut series = 0.0;
    for b in B.iter().rev() {
        series = series * z2 + b;
    }
    acc + 1.0 / a + 0.5 * z2 + series * z2 / a
}

/// ln q at x with its score and second derivative in θ (3 × 3 row-major; unused rows 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scores {
    /// ln q(x).
    pub lq: f64,
    /// ∂θ ln q.
    pub s: [f64; 3],
    /// ∂²θ ln q, symmetric.
    pub h: [f64; 9],
}

/// The constants of one θ, precomputed for the evaluation at many x.
#[derive(Clone, Debug)]
pub struct Scorer {
    family: QFamily,
    /// Q at θ.
    pub q: Parametric,
    /// The spec parameters.
    params: Vec<f64>,
    /// Per-θ constants (digamma and trigamma terms).
    k: [f64; 5],
}

impl Scorer {
    /// The scorer at θ; `None` where Q cannot be built.
    pub fn new(family: QFamily, theta: &[f64]) -> Option<Scorer> {
        let q = family.q(theta)?;
        let params = family.params_from_theta(theta);
        let mut k = [0.0; 5];
        match family {
            QFamily::Gamma => {
                let shape = params[0];
                k[0] = params[1].ln() - digamma(shape);
                k[1] = shape * shape * trigamma(shape);
            }
            QFamily::Beta => {
                let (a, b) = (params[0], params[1]);
                let (da, db, dab) = (digamma(a), digamma(b), digamma(a + b));
                let tab = trigamma(a + b);
                k[0] = dab - da;
                k[1] = dab - db;
                k[2] = a * a * (tab - trigamma(a));
                k[3] = b * b * (tab - trigamma(b));
                k[4] = tab;
            }
            QFamily::StudentT => {
                let nu = params[2];
                k[0] = 0.5 * (digamma(0.5 * (nu + 1.0)) - digamma(0.5 * nu)) - 0.5 / nu;
                k[1] = 0.25 * (trigamma(0.5 * (nu + 1.0)) - trigamma(0.5 * nu)) + 0.5 / (nu * nu);
            }
            _ => {}
        }
        Some(Scorer {
            family,
            q,
            params,
            k,
        })
    }

    /// The dimension of θ.
    pub fn dim(&self) -> usize {
        self.family.dim()
    }

    /// ln q, s and h at x (s and h are 0 where q is).
    pub fn at(&self, x: f64) -> Scores {
        let lq = self.q.ln_pdf(x);
        let mut s = [0.0; 3];
        let mut h = [0.0; 9];
        if lq == f64::NEG_INFINITY {
            return Scores { lq, s, h };
        }
        let p = &self.params;
        let mut set = |i: usize, j: usize, v: f64| {
            h[i * 3 + j] = v;
            h[j * 3 + i] = v;
        };
        match self.family {
            QFamily::Normal | QFamily::LogNormal => {
                let y = if self.family == QFamily::LogNormal {
                    x.ln()
                } else {
                    x
                };
                let sd = p[1];
                let z = (y - p[0]) / sd;
                s[0] = z / sd;
                s[1] = z * z - 1.0;
                set(0, 0, -1.0 / (sd * sd));
                set(0, 1, -2.0 * z / sd);
                set(1, 1, -2.0 * z * z);
            }
            QFamily::Laplace => {
                let b = p[1];
                let u = (x - p[0]) / b;
                let sg = if u > 0.0 {
                    1.0
                } else if u < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                s[0] = sg / b;
                s[1] = u.abs() - 1.0;
                set(0, 1, -sg / b);
                set(1, 1, -u.abs());
            }
            QFamily::StudentT | QFamily::StudentTFixed(_) => {
                let (sd, nu) = (p[1], p[2]);
                let u = (x - p[0]) / sd;
                let r = u * u / nu;
                let w = 1.0 + r;
                let c = (nu + 1.0) / nu;
                s[0] = c * u / (sd * w);
                s[1] = -1.0 + (nu + 1.0) * r / w;
                set(0, 0, -c * (1.0 - r) / (sd * sd * w * w));
                set(0, 1, -2.0 * c * u / (sd * w * w));
                set(1, 1, -2.0 * (nu + 1.0) * r / (w * w));
                if self.family == QFamily::StudentT {
                    // ∂ν ln q, ∂²ν ln q; τ = ln ν: ∂τ = ν∂ν, ∂²τ = ν∂ν + ν²∂²ν.
                    let l1p = r.ln_1p();
                    let dnu = self.k[0] - 0.5 * l1p + (nu + 1.0) * r / (2.0 * nu * w);
                    let dnunu = self.k[1] + r / (2.0 * nu * w)
                        - r / (2.0 * nu * nu * w)
                        - (nu + 1.0) * r / (2.0 * nu * nu * w * w);
                    s[2] = nu * dnu;
                    set(2, 2, nu * dnu + nu * nu * dnunu);
                    set(0, 2, u * (u * u - 1.0) / (sd * nu * w * w));
                    set(1, 2, r * (u * u - 1.0) / (w * w));
                }
            }
            QFamily::Gamma => {
                let (shape, rate) = (p[0], p[1]);
                s[0] = shape * (self.k[0] + x.ln());
                s[1] = shape - rate * x;
                set(0, 0, s[0] - self.k[1]);
                set(0, 1, shape);
                set(1, 1, -rate * x);
            }
            QFamily::Weibull => {
                let (shape, scale) = (p[0], p[1]);
                let kv = shape * (x.ln() - scale.ln());
                let w = kv.exp();
                s[0] = 1.0 + kv * (1.0 - w);
                s[1] = shape * (w - 1.0);
                set(0, 0, kv * (1.0 - w) - kv * kv * w);
                set(0, 1, -shape * (1.0 - w) + shape * kv * w);
                set(1, 1, -shape * shape * w);
            }
            QFamily::Beta => {
                let (a, b) = (p[0], p[1]);
                s[0] = a * (x.ln() + self.k[0]);
                s[1] = b * ((-x).ln_1p() + self.k[1]);
                set(0, 0, s[0] + self.k[2]);
                set(0, 1, a * b * self.k[4]);
                set(1, 1, s[1] + self.k[3]);
            }
        }
        Scores { lq, s, h }
    }

    /// A point term of h: `(x₀, c)` with ∂²θ ln q ∋ c·δ(x − x₀) (row-major 3 × 3), for
    /// Laplace's kink at its location.
    pub fn delta(&self) -> Option<(f64, [f64; 9])> {
        (self.family == QFamily::Laplace).then(|| {
            let mut c = [0.0; 9];
            c[0] = -2.0 / self.params[1];
            (self.params[0], c)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_matches_known_values() {
        // ψ′(1) = π²/6, ψ′(½) = π²/2, ψ′(10) from mpmath.
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-14);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-13);
        assert!((trigamma(10.0) - 0.105_166_335_681_685_1).abs() < 1e-15);
        assert!((trigamma(1e-3) - 1_000_001.642_533_9).abs() < 1e-6);
    }

    /// Every family's s and h against central differences of its own ln q.
    #[test]
    fn scores_match_differences_of_ln_q() {
        let cases: [(QFamily, Vec<f64>, Vec<f64>); 8] = [
            (QFamily::Normal, vec![0.3, 0.2], vec![-1.0, 0.5, 2.5]),
            (QFamily::Laplace, vec![0.3, -0.4], vec![-1.0, 0.9, 2.5]),
            (
                QFamily::StudentTFixed(3.0),
                vec![0.3, 0.2],
                vec![-4.0, 0.5, 2.5],
            ),
            (QFamily::StudentT, vec![0.3, 0.2, 1.1], vec![-4.0, 0.5, 2.5]),
            (QFamily::Gamma, vec![1.1, 0.3], vec![0.2, 1.0, 4.0]),
            (QFamily::LogNormal, vec![0.1, -0.5], vec![0.2, 1.0, 4.0]),
            (QFamily::Weibull, vec![0.4, 0.2], vec![0.2, 1.0, 3.0]),
            (QFamily::Beta, vec![0.7, 1.2], vec![0.05, 0.4, 0.93]),
        ];
        let e = 1e-4;
        for (family, theta, xs) in cases {
            let d = family.dim();
            let lq = |t: &[f64], x: f64| family.q(t).unwrap().ln_pdf(x);
            let sc = Scorer::new(family, &theta).unwrap();
            for x in xs {
                let got = sc.at(x);
                for i in 0..d {
                    let shifted = |s: f64| {
                        let mut t = theta.clone();
                        t[i] += s;
                        t
                    };
                    let ds = (lq(&shifted(e), x) - lq(&shifted(-e), x)) / (2.0 * e);
                    assert!(
                        (got.s[i] - ds).abs() < 1e-7 * (1.0 + ds.abs()),
                        "{family:?} s{i} at {x}: {} against {ds}",
                        got.s[i]
                    );
                    for j in 0..d {
                        let sj = |t: Vec<f64>| {
                            let mut a = t.clone();
                            let mut b = t;
                            a[j] += e;
                            b[j] -= e;
                            (lq(&a, x) - lq(&b, x)) / (2.0 * e)
                        };
                        let dh = (sj(shifted(e)) - sj(shifted(-e))) / (2.0 * e);
                        assert!(
                            (got.h[i * 3 + j] - dh).abs() < 2e-5 * (1.0 + dh.abs()),
                            "{family:?} h{i}{j} at {x}: {} against {dh}",
                            got.h[i * 3 + j]
                        );
                    }
                }
            }
        }
    }
}
