//! The running integral's cells: the integral of a pointwise integrand g(ln p, ln q) over each
//! cell [x_{i−1}, x_i] of a plotted grid.
//!
//! A trapezoid on the plotted samples is not enough: where a density has an integrable
//! singularity (beta(0.5, 0.5) at its edges, a Q that touches 0 inside P's support) its curve
//! ended far from the figure it is labelled with (0.67 for a KL of 0.24). So each cell takes
//! Simpson's rule with a freshly evaluated midpoint; where Simpson and the trapezoid disagree by
//! more than [`CELL_TOL`] of the total, or a sample is not finite, the cell is integrated by
//! the engine's adaptive quadrature instead (the worst [`MAX_ADAPTIVE`] cells, to bound the
//! cost for a 10⁴-component mixture; the rest keep Simpson). The tests check that each curve
//! ends at its figure.

use crate::cancel::{Cancel, Cancelled};
use crate::distribution::{Distribution, merge_intervals};

use super::{Options, integrate_pair};

/// A cell goes to adaptive quadrature when |Simpson − trapezoid| exceeds this fraction of
/// the sum of the cells' |Simpson|.
pub const CELL_TOL: f64 = 1e-8;

/// At most this many cells are integrated adaptively.
pub const MAX_ADAPTIVE: usize = 64;

/// ln p and ln q at the midpoint of every cell of `x`.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn midpoints(
    p: &Distribution,
    q: &Distribution,
    x: &[f64],
    cancel: &Cancel,
) -> Result<(Vec<f64>, Vec<f64>), Cancelled> {
    let mut lp = Vec::with_capacity(x.len().saturating_sub(1));
    let mut lq = Vec::with_capacity(x.len().saturating_sub(1));
    for (i, w) in x.windows(2).enumerate() {
        if i % 1024 == 0 {
            cancel.check()?;
        }
        let m = 0.5 * (w[0] + w[1]);
        lp.push(p.ln_density(m));
        lq.push(q.ln_density(m));
    }
    Ok((lp, lq))
}

/// The integral of `g(ln a, ln b)` over each cell of `x`, from `samples` = (x, the
/// integrand at x) and `mid` = (ln a, ln b) at the cells' midpoints ([`midpoints`], in the same
/// orientation as `g`'s arguments). Cells for which `skip(i)` holds (where the caller's
/// running value is ∞ anyway) are not integrated and are 0.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn cell_integrals(
    a: &Distribution,
    b: &Distribution,
    samples: (&[f64], &[f64]),
    mid: (&[f64], &[f64]),
    g: impl Fn(f64, f64) -> f64 + Copy,
    skip: impl Fn(usize) -> bool,
    cancel: &Cancel,
) -> Result<Vec<f64>, Cancelled> {
    let (x, y) = samples;
    let n = x.len().saturating_sub(1);
    let mut cells = Vec::with_capacity(n);
    // (how far Simpson is from the trapezoid, cell); ∞ when a sample is not finite.
    let mut doubtful: Vec<(f64, usize)> = Vec::new();
    let mut total = 0.0;
    for i in 0..n {
        if skip(i) {
            cells.push(0.0);
            continue;
        }
        let h = x[i + 1] - x[i];
        let (y0, y1, ym) = (y[i], y[i + 1], g(mid.0[i], mid.1[i]));
        if y0.is_finite() && y1.is_finite() && ym.is_finite() {
            let simpson = h * (y0 + 4.0 * ym + y1) / 6.0;
            let trapezoid = 0.5 * h * (y0 + y1);
            total += simpson.abs();
            cells.push(simpson);
            doubtful.push(((simpson - trapezoid).abs(), i));
        } else {
            cells.push(f64::NAN);
            doubtful.push((f64::INFINITY, i));
        }
    }
    doubtful.retain(|(d, _)| *d > CELL_TOL * total);
    doubtful.sort_by(|l, r| r.0.total_cmp(&l.0));
    let opts = Options {
        rel_tol: 1e-8,
        max_intervals: 200,
        cancel: cancel.clone(),
        ..Options::default()
    };
    // The engine integrates over supports (an edge is a segment's end, where its power maps
    // handle a singularity), so each cell is cut to the union of the two.
    let mut supports = a.support();
    supports.extend(b.support());
    let supports = merge_intervals(supports);
    for (_, i) in doubtful.iter().take(MAX_ADAPTIVE) {
        cancel.check()?;
        let (lo, hi) = (x[*i], x[*i + 1]);
        let domain: Vec<(f64, f64)> = supports
            .iter()
            .map(|(s, t)| (s.max(lo), t.min(hi)))
            .filter(|(s, t)| t > s)
            .collect();
        if domain.is_empty() {
            cells[*i] = 0.0;
            continue;
        }
        // Not finite here is rounding (a cell of an ulp whose nodes round onto the edge where
        // the density is infinite): where the running value is really ∞, `skip` says so.
        let r = integrate_pair(a, b, &domain, &opts, g);
        if r.value.is_finite() {
            cells[*i] = r.value;
        }
    }
    // A cell left without a value (more doubtful cells than MAX_ADAPTIVE, or quadrature
    // that was not finite) takes the trapezoid of its finite samples.
    for i in 0..n {
        if cells[i].is_nan() {
            let h = x[i + 1] - x[i];
            let (y0, y1) = (y[i], y[i + 1]);
            cells[i] = match (y0.is_finite(), y1.is_finite()) {
                (true, true) => 0.5 * h * (y0 + y1),
                (true, false) => 0.5 * h * y0,
                (false, true) => 0.5 * h * y1,
                (false, false) => 0.0,
            };
        }
    }
    cancel.check()?;
    Ok(cells)
}
