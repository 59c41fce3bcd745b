//! The Jensen–Shannon integrand between two normals over the density that dominates a point,
//! J(t) with t = |ln p − ln q|, which the fixed JS rule evaluates 217 times a pair.
//!
//! [`exact`] is the formula, two transcendental calls a point. [`Table::over_dominant`] reads
//! the same function from piecewise polynomials made from it once: with 10^5 pairs in a batch,
//! libm's exp, expm1, log and log1p inside J were a quarter of the batch's time. This is
//! written here rather than taken from a crate: it is a table of one function of ours.
//!
//! Numeric contract: [`exact`] is within 4 ulps of J against 40-digit mpmath, the table within
//! [`ROUNDING_ULPS`] (worst seen 10.9) of mpmath; the test below checks both at 2158 points.
//! Both return with J a bound on J′ that holds at every t.

/// Beyond this t, J(t) is ½·ln 2 to within ½e^−t·(t + 1) < 7e-19 (under an ulp of ½·ln 2).
pub(super) const SATURATED: f64 = 45.0;

/// The rounding of J that the fixed JS rule charges, in ulps of J.
pub(super) const ROUNDING_ULPS: f64 = 16.0;

/// The width of a cell of the table, a power of 2 so that a cell's index and its local
/// variable are exact.
const CELL: f64 = 0.25;

/// Cells over [0, [`SATURATED`]).
const CELLS: usize = 180;

/// Degree of each cell's polynomial. J is analytic within π of the real axis (the poles of
/// ln(1 + e^−t) at t = ±iπ), so on a cell of half-width ⅛ the Chebyshev coefficients fall by a
/// factor 2π/⅛ ≈ 50 a degree: degree 10 leaves 50^−11 ≈ 2e-19, under an ulp.
const DEGREE: usize = 10;

/// The table's polynomials in the cell's local variable u = (t − center)/(half width) ∈ [−1, 1],
/// for G(t) = J(t)/t² (so J = t²·G keeps its relative digits as t → 0, where J ~ t²/8); with
/// e^−(the cell's left end), which bounds J′(t)/(½t) over the cell.
struct Cell {
    center: f64,
    coefficients: [f64; DEGREE + 1],
    decay: f64,
}

/// J(t) = j/max(p, q) with t = |ln p − ln q|: with
/// j = ½[p·ln(2p/(p + q)) + q·ln(2q/(p + q))] = ¼(q − p)(ln q − ln p) − ½(p + q)·ln cosh(t/2),
/// J(t) = ¼·t·(1 − e^−t) − ½·(1 + e^−t)·ln cosh(t/2). The two terms are t²/4 and t²/8 for
/// small t: J keeps its relative digits down to t ~ 1e-150 (a near-identical pair's JS of
/// 1e-12 is then good to ulps, where ½[p·ln(2p/m) + q·ln(2q/m)] would keep only 1e-4 of
/// it). J rises from 0 to ½·ln 2; J′(t) = ½e^−t·(t − ln(2/(1 + e^−t))), between 0 and
/// ½·t·e^−t. Returns J and that bound on J′.
pub(super) fn exact(t: f64) -> (f64, f64) {
    if t > SATURATED {
        // ½e^−t·(t + 1) < 2⁻⁵³·(½·ln 2): J is ½·ln 2 to the last bit.
        return (0.5 * std::f64::consts::LN_2, 0.0);
    }
    if t < 2.0 {
        // With h = e^(−t/2) − 1 (to an ulp of itself): e^−t − 1 = h·(2 + h) and
        // cosh(t/2) − 1 = h²/(2(1 + h)), neither a difference of near-equal numbers; the
        // two terms of J are then t²/4 and t²/8 to leading order, at most a factor 3.6 of
        // cancellation (4 ulps of J against 30-digit mpmath on t in [1e-8, 2]).
        let h = (-0.5 * t).exp_m1();
        let em1 = h * (2.0 + h);
        let ln_cosh = (h * h / (2.0 * (1.0 + h))).ln_1p();
        let e = 1.0 + em1;
        return (-0.25 * t * em1 - 0.5 * (1.0 + e) * ln_cosh, 0.5 * t * e);
    }
    // With ln cosh(t/2) = t/2 − ln 2 + ln(1 + e^−t), the t/4 of both terms cancel exactly on
    // paper: J = ½(1 + e^−t)(ln 2 − ln(1 + e^−t)) − ½·t·e^−t, whose terms are at most 2.5
    // times J (at t = 2) and whose logarithm's argument is in [1, 1.14] (2 ulps of J against
    // mpmath on [2, 45]). Written as the difference of ¼t(1 − e^−t) and ½(1 + e^−t)·ln
    // cosh(t/2), both near t/4, it lost 41 ulps of J at t = 33.87.
    let e = (-t).exp();
    (
        0.5 * (1.0 + e) * (std::f64::consts::LN_2 - (1.0 + e).ln()) - 0.5 * t * e,
        0.5 * t * e,
    )
}

/// The cells, made once from [`exact`]: G at the cell's 11 Chebyshev points (of the first
/// kind) interpolated, the interpolant's Chebyshev series turned into powers of u (well
/// conditioned here: G's Taylor coefficients in u fall by ⅛/π a degree).
pub(super) struct Table {
    cells: [Cell; CELLS],
}

impl Table {
    /// The table, made on first use.
    pub(super) fn get() -> &'static Table {
        static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| Table {
            cells: std::array::from_fn(cell),
        })
    }

    /// J(t) and a bound on J′(t), as [`exact`] gives them: within [`ROUNDING_ULPS`] of J,
    /// with ½·t·e^−(cell's left end) ≥ ½·t·e^−t ≥ J′ as the bound.
    #[inline]
    pub(super) fn over_dominant(&self, t: f64) -> (f64, f64) {
        if !(t < SATURATED) {
            return exact(t);
        }
        let Some(cell) = self.cells.get((t * (1.0 / CELL)) as usize) else {
            return exact(t);
        };
        let u = (t - cell.center) * (2.0 / CELL);
        // Estrin's scheme: the pairs, then the pairs of pairs, multiplied by u², u⁴ and u⁸, a
        // chain of 6 operations where Horner's is 20 (which made J cost as much as libm's
        // calls).
        let c = &cell.coefficients;
        let (u2, u4) = (u * u, u * u * (u * u));
        let pairs = [
            c[0] + c[1] * u,
            c[2] + c[3] * u,
            c[4] + c[5] * u,
            c[6] + c[7] * u,
            c[8] + c[9] * u,
        ];
        let low = (pairs[0] + pairs[1] * u2) + (pairs[2] + pairs[3] * u2) * u4;
        let high = pairs[4] + c[10] * u2;
        let g = low + high * (u4 * u4);
        (t * t * g, 0.5 * t * cell.decay)
    }
}

fn cell(k: usize) -> Cell {
    const N: usize = DEGREE + 1;
    let half = 0.5 * CELL;
    let center = (k as f64 + 0.5) * CELL;
    let angle = |i: usize| std::f64::consts::PI * (2 * i + 1) as f64 / (2 * N) as f64;
    let g: [f64; N] = std::array::from_fn(|i| {
        let t = center + half * angle(i).cos();
        exact(t).0 / (t * t)
    });
    // Chebyshev coefficients of the interpolant: c_j = (2/N)·Σ g_i·cos(j·θ_i), c_0 halved.
    let mut chebyshev = [0.0; N];
    for (j, c) in chebyshev.iter_mut().enumerate() {
        let sum: f64 = (0..N).map(|i| g[i] * (j as f64 * angle(i)).cos()).sum();
        *c = sum * if j == 0 { 1.0 } else { 2.0 } / N as f64;
    }
    // Σ c_j·T_j(u) in powers of u, from T_{j+1} = 2u·T_j − T_{j−1} (integer coefficients,
    // exact in f64 up to this degree).
    let mut coefficients = [0.0; N];
    let (mut before, mut now) = ([0.0; N], [0.0; N]);
    before[0] = 1.0;
    now[1] = 1.0;
    coefficients[0] = chebyshev[0];
    for (i, c) in coefficients.iter_mut().enumerate() {
        *c += chebyshev.get(1).copied().unwrap_or(0.0) * now[i];
    }
    for c_j in chebyshev.iter().skip(2) {
        let mut next = [0.0; N];
        for i in 0..N {
            next[i] = if i > 0 { 2.0 * now[i - 1] } else { 0.0 } - before[i];
        }
        for (c, t) in coefficients.iter_mut().zip(&next) {
            *c += c_j * t;
        }
        (before, now) = (now, next);
    }
    Cell {
        center,
        coefficients,
        decay: (-(k as f64) * CELL).exp(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// J and J′ against 40-digit mpmath at 2158 points of [1e-12, 45]
    /// (tests/reference/js_integrand_reference.tsv), cell edges and their next doubles among
    /// them: [`exact`] within 4 ulps of J (the textbook form lost 41 ulps at t = 33.87), the
    /// table within [`ROUNDING_ULPS`], and both J′ bounds at or above J′.
    #[test]
    fn j_and_its_slope_bound_hold_against_mpmath() {
        let table = include_str!("../../tests/reference/js_integrand_reference.tsv");
        let (mut n, mut worst) = (0, [0.0f64; 2]);
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let v: Vec<f64> = line.split('\t').map(|x| x.parse().unwrap()).collect();
            let (t, want, slope) = (v[0], v[1], v[2]);
            for (k, (name, f, allowed)) in [
                ("exact", &exact as &dyn Fn(f64) -> (f64, f64), 4.0),
                ("table", &|t| Table::get().over_dominant(t), ROUNDING_ULPS),
            ]
            .into_iter()
            .enumerate()
            {
                let (j, bound) = f(t);
                let ulps = (j - want).abs() / (f64::EPSILON * want);
                worst[k] = worst[k].max(ulps);
                assert!(
                    ulps <= allowed,
                    "{name}: J({t}) = {j}, mpmath {want}: {ulps:.1} ulps"
                );
                assert!(
                    bound >= slope * (1.0 - 1e-15),
                    "{name}: J′({t}) bound {bound} under mpmath's {slope}"
                );
            }
            n += 1;
        }
        assert_eq!(n, 2158);
        eprintln!(
            "worst: exact {:.1} ulps, table {:.1} ulps",
            worst[0], worst[1]
        );
    }
}
