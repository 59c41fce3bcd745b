//! The naive grid sum the project grew from, kept to show what it gets wrong.

use crate::distribution::Distribution;

/// The naive grid sum of the note this project grew from: Σ rel_entr(p_i, q_i) + q_i − p_i
/// (scipy's `kl_div`) over `n` evenly spaced points on [a, b], and that sum times Δx.
/// Returns `(sum, sum × Δx)`.
pub fn grid_sum(p: &Distribution, q: &Distribution, a: f64, b: f64, n: usize) -> (f64, f64) {
    let n = n.max(2);
    let dx = (b - a) / (n - 1) as f64;
    let mut sum = 0.0;
    for i in 0..n {
        let x = a + dx * i as f64;
        let pi = p.ln_density(x).exp();
        let qi = q.ln_density(x).exp();
        let rel = if pi == 0.0 && qi >= 0.0 {
            0.0
        } else if pi > 0.0 && qi > 0.0 {
            pi * (pi / qi).ln()
        } else {
            f64::INFINITY
        };
        sum += rel + qi - pi;
    }
    (sum, sum * dx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    fn d(s: &str) -> Distribution {
        parse_spec(s).unwrap()
    }

    #[test]
    fn grid_sum_reproduces_the_note() {
        let (sum, sum_dx) = grid_sum(&d("normal(0,1)"), &d("normal(1,2)"), -10.0, 10.0, 1000);
        assert!((sum - 22.135035).abs() < 5e-7, "{sum}");
        assert!((sum_dx - 0.443144).abs() < 5e-7, "{sum_dx}");
    }
}
