//! Drawing samples from any [`Distribution`]: every family, mixtures (a component by its
//! weight, then a draw from it), histograms (a bin by its count, then uniform in the bin),
//! named categories and discrete tables (logits, categorical).
//!
//! Reproducibility contract: [`chunk_rng`] gives chunk `i` of a run seeded `seed` its own
//! generator, derived from `(seed, i)` alone, so a run split into fixed chunks draws the same
//! numbers whatever the number of threads that compute the chunks.
//!
//! Discrete draws are returned as `f64` integers (`3.0`); a categorical draw is the index of
//! its category.

use rand::{Rng, RngExt, SeedableRng};
use rand_distr::Distribution as _;

use super::family::Family;
use super::{Distribution, Parametric};

/// The generator used for sampling: xoshiro256++ (fast, 256-bit state, well tested).
pub type SampleRng = rand::rngs::Xoshiro256PlusPlus;

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of chunk `chunk` in a run seeded `seed`: its 256-bit state is four
/// SplitMix64 outputs of a value mixed from both, so neighbouring seeds and chunks give
/// unrelated streams.
pub fn chunk_rng(seed: u64, chunk: u64) -> SampleRng {
    let base = splitmix64(seed ^ splitmix64(chunk.wrapping_mul(0xD1B5_4A32_D192_ED03)));
    let mut bytes = [0u8; 32];
    for (i, part) in bytes.chunks_exact_mut(8).enumerate() {
        part.copy_from_slice(&splitmix64(base.wrapping_add(i as u64)).to_le_bytes());
    }
    SampleRng::from_seed(bytes)
}

/// A table of cumulative probabilities searched by bisection.
#[derive(Clone, Debug)]
struct Cumulative {
    cum: Vec<f64>,
}

impl Cumulative {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        let mut cum: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                acc += w.max(0.0);
                acc
            })
            .collect();
        if acc > 0.0 {
            cum.iter_mut().for_each(|c| *c /= acc);
        }
        Cumulative { cum }
    }

    /// The first index whose cumulative probability exceeds `u ∈ [0, 1)`, skipping entries of
    /// zero weight.
    fn pick(&self, u: f64) -> usize {
        let i = self.cum.partition_point(|c| *c <= u);
        i.min(self.cum.len().saturating_sub(1))
    }
}

/// A sampler for one parametric family, its generator built once.
#[derive(Clone, Debug)]
enum One {
    Normal(rand_distr::Normal<f64>),
    LogNormal(rand_distr::LogNormal<f64>),
    Cauchy(rand_distr::Cauchy<f64>),
    StudentT {
        t: rand_distr::StudentT<f64>,
        location: f64,
        scale: f64,
    },
    Laplace {
        location: f64,
        scale: f64,
    },
    Uniform {
        min: f64,
        width: f64,
    },
    Exp(rand_distr::Exp<f64>),
    Gamma(rand_distr::Gamma<f64>),
    InverseGamma(rand_distr::Gamma<f64>),
    Beta(rand_distr::Beta<f64>),
    Weibull(rand_distr::Weibull<f64>),
    ChiSquared(rand_distr::ChiSquared<f64>),
    Pareto(rand_distr::Pareto<f64>),
    Triangular(rand_distr::Triangular<f64>),
    Gumbel(rand_distr::Gumbel<f64>),
    Poisson(rand_distr::Poisson<f64>),
    Binomial(rand_distr::Binomial),
    /// Trials up to the first success: failures + 1.
    Geometric(rand_distr::Geometric),
    Bernoulli(f64),
    Table(Cumulative),
    /// By the quantile function (a family whose parameters a direct sampler refuses).
    Quantile(Parametric),
}

impl One {
    fn new(p: &Parametric) -> One {
        Self::direct(p).unwrap_or_else(|| One::Quantile(p.clone()))
    }

    fn direct(p: &Parametric) -> Option<One> {
        Some(match p.named() {
            Family::Normal(f) => One::Normal(rand_distr::Normal::new(f.mean, f.std_dev).ok()?),
            Family::LogNormal(f) => {
                One::LogNormal(rand_distr::LogNormal::new(f.location, f.scale).ok()?)
            }
            Family::Cauchy(f) => One::Cauchy(rand_distr::Cauchy::new(f.location, f.scale).ok()?),
            Family::StudentT(f) => One::StudentT {
                t: rand_distr::StudentT::new(f.freedom).ok()?,
                location: f.location,
                scale: f.scale,
            },
            Family::Laplace(f) => One::Laplace {
                location: f.location,
                scale: f.scale,
            },
            Family::Uniform(f) => One::Uniform {
                min: f.min,
                width: f.max - f.min,
            },
            Family::Exponential(f) => One::Exp(rand_distr::Exp::new(f.rate).ok()?),
            Family::Gamma(f) => One::Gamma(rand_distr::Gamma::new(f.shape, 1.0 / f.rate).ok()?),
            // X = 1/Y with Y ~ Gamma(shape, rate): density ∝ x^(−shape−1)·e^(−rate/x).
            Family::InverseGamma(f) => {
                One::InverseGamma(rand_distr::Gamma::new(f.shape, 1.0 / f.rate).ok()?)
            }
            Family::Beta(f) => One::Beta(rand_distr::Beta::new(f.shape_a, f.shape_b).ok()?),
            Family::Weibull(f) => One::Weibull(rand_distr::Weibull::new(f.scale, f.shape).ok()?),
            Family::ChiSquared(f) => One::ChiSquared(rand_distr::ChiSquared::new(f.freedom).ok()?),
            Family::Pareto(f) => One::Pareto(rand_distr::Pareto::new(f.scale, f.shape).ok()?),
            Family::Triangular(f) => {
                One::Triangular(rand_distr::Triangular::new(f.min, f.max, f.mode).ok()?)
            }
            Family::Gumbel(f) => One::Gumbel(rand_distr::Gumbel::new(f.location, f.scale).ok()?),
            Family::Poisson(f) => One::Poisson(rand_distr::Poisson::new(f.lambda).ok()?),
            Family::Binomial(f) => {
                // n is a whole number below 2^53 (the family checks it).
                let n = f.n.round();
                if !(0.0..=9.0e15).contains(&n) {
                    return None;
                }
                One::Binomial(rand_distr::Binomial::new(n as u64, f.p).ok()?)
            }
            Family::Geometric(f) => One::Geometric(rand_distr::Geometric::new(f.p).ok()?),
            Family::Bernoulli(f) => One::Bernoulli(f.p),
            Family::Categorical(f) => {
                One::Table(Cumulative::new(f.table.ln_probs().iter().map(|l| l.exp())))
            }
            Family::Logits(f) => {
                One::Table(Cumulative::new(f.table.ln_probs().iter().map(|l| l.exp())))
            }
        })
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            One::Normal(d) => d.sample(rng),
            One::LogNormal(d) => d.sample(rng),
            One::Cauchy(d) => d.sample(rng),
            One::StudentT { t, location, scale } => location + scale * t.sample(rng),
            One::Laplace { location, scale } => {
                // Inverse cdf with u ∈ (−½, ½): location − scale·sign(u)·ln(1 − 2|u|).
                let u: f64 = rng.random::<f64>() - 0.5;
                let m = (1.0 - 2.0 * u.abs()).max(f64::MIN_POSITIVE);
                location - scale * u.signum() * m.ln()
            }
            One::Uniform { min, width } => min + width * rng.random::<f64>(),
            One::Exp(d) => d.sample(rng),
            One::Gamma(d) => d.sample(rng),
            One::InverseGamma(d) => 1.0 / d.sample(rng),
            One::Beta(d) => d.sample(rng),
            One::Weibull(d) => d.sample(rng),
            One::ChiSquared(d) => d.sample(rng),
            One::Pareto(d) => d.sample(rng),
            One::Triangular(d) => d.sample(rng),
            One::Gumbel(d) => d.sample(rng),
            One::Poisson(d) => d.sample(rng),
            One::Binomial(d) => d.sample(rng) as f64,
            One::Geometric(d) => d.sample(rng) as f64 + 1.0,
            One::Bernoulli(p) => f64::from(u8::from(rng.random::<f64>() < *p)),
            One::Table(t) => t.pick(rng.random::<f64>()) as f64,
            One::Quantile(p) => {
                // u in (0, 1): the quantile of 0 or 1 is a support end.
                let u = (rng.random::<f64>()).max(f64::MIN_POSITIVE);
                p.quantile(u)
            }
        }
    }
}

/// Draws from one [`Distribution`]; built once, then used for any number of draws.
#[derive(Clone, Debug)]
pub struct Sampler {
    inner: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    One(One),
    Mixture {
        pick: Cumulative,
        parts: Vec<One>,
    },
    Histogram {
        pick: Cumulative,
        bins: Vec<(f64, f64)>,
    },
    Categories(Cumulative),
}

impl Sampler {
    /// A sampler for `d`.
    pub fn new(d: &Distribution) -> Sampler {
        let inner = match d {
            Distribution::Parametric(p) => Inner::One(One::new(p)),
            Distribution::Mixture(m) => Inner::Mixture {
                pick: Cumulative::new(m.weights().iter().copied()),
                parts: m.components().iter().map(One::new).collect(),
            },
            Distribution::Histogram(h) => Inner::Histogram {
                pick: Cumulative::new(h.masses().iter().copied()),
                bins: h
                    .lefts()
                    .iter()
                    .zip(h.rights())
                    .map(|(l, r)| (*l, *r))
                    .collect(),
            },
            Distribution::Categories(c) => Inner::Categories(Cumulative::new(c.probs.clone())),
        };
        Sampler { inner }
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.inner {
            Inner::One(o) => o.sample(rng),
            Inner::Mixture { pick, parts } => {
                let i = pick.pick(rng.random::<f64>());
                parts[i].sample(rng)
            }
            Inner::Histogram { pick, bins } => {
                let (l, r) = bins[pick.pick(rng.random::<f64>())];
                l + (r - l) * rng.random::<f64>()
            }
            Inner::Categories(c) => c.pick(rng.random::<f64>()) as f64,
        }
    }

    /// Fills `out` with draws.
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        for v in out {
            *v = self.sample(rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    fn mean_and_var(spec: &str, n: usize) -> (f64, f64, Distribution) {
        let d = parse_spec(spec).unwrap();
        let s = Sampler::new(&d);
        let mut rng = chunk_rng(7, 0);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v, d)
    }

    /// The sample mean is within 5 standard errors of the exact mean (from the quantile
    /// function, by the midpoint rule on 20 000 probabilities).
    #[test]
    fn every_sampler_has_the_right_mean() {
        for spec in [
            "normal(1, 2)",
            "laplace(-1, 0.5)",
            "student_t(0, 1, 5)",
            "uniform(-2, 3)",
            "exponential(2)",
            "gamma(2.5, 1.5)",
            "inverse_gamma(4, 2)",
            "beta(2, 5)",
            "log_normal(0.5, 0.4)",
            "weibull(1.5, 2)",
            "chi_squared(3)",
            "pareto(1, 4)",
            "triangular(0, 2, 0.5)",
            "gumbel(1, 2)",
            "poisson(3.5)",
            "binomial(0.3, 20)",
            "geometric(0.25)",
            "bernoulli(0.3)",
            "categorical(0.2, 0.5, 0.3)",
            "logits(1, 0, -1)",
            "0.3*normal(-2, 1) + 0.7*normal(2, 0.5)",
        ] {
            let (m, v, d) = mean_and_var(spec, 200_000);
            let k = 20_000;
            let exact = (0..k)
                .map(|i| d.quantile((i as f64 + 0.5) / k as f64))
                .sum::<f64>()
                / k as f64;
            let se = (v / 200_000.0).sqrt();
            // The midpoint rule on the quantile is good to well below one standard error.
            assert!(
                (m - exact).abs() < 5.0 * se + 2e-3 * v.sqrt(),
                "{spec}: {m} vs {exact} (se {se})"
            );
        }
    }

    #[test]
    fn a_histogram_draws_a_bin_by_its_count_then_uniformly_inside() {
        let h = crate::distribution::Histogram::from_bins(
            &[(0.0, 1.0, 1.0), (1.0, 3.0, 3.0)],
            crate::distribution::histogram::Weights::Count,
            "t",
        )
        .unwrap();
        let s = Sampler::new(&Distribution::Histogram(std::sync::Arc::new(h)));
        let mut rng = chunk_rng(1, 2);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let first = xs.iter().filter(|x| **x < 1.0).count() as f64 / n as f64;
        assert!((first - 0.25).abs() < 5.0 * (0.25f64 * 0.75 / n as f64).sqrt());
        assert!(xs.iter().all(|x| (0.0..3.0).contains(x)));
        let in_upper_half = xs.iter().filter(|x| **x >= 2.0).count() as f64 / n as f64;
        assert!((in_upper_half - 0.375).abs() < 5.0 * (0.375f64 * 0.625 / n as f64).sqrt());
    }

    #[test]
    fn chunk_streams_depend_on_seed_and_chunk_only() {
        let a: u64 = chunk_rng(5, 3).random();
        let b: u64 = chunk_rng(5, 3).random();
        let c: u64 = chunk_rng(5, 4).random();
        let d: u64 = chunk_rng(6, 3).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}
