//! Numbers on the plots: read-outs and tick labels that stay readable at any scale, and the
//! grid of ticks itself.

use super::*;

/// A figure for a read-out: 4 significant digits, scientific below 10⁻³ and from 10⁶, "∞" for
/// infinity, "—" for a value that is not a number.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "—".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs();
    if !(1e-3..1e6).contains(&mag) {
        return tidy_exponent(&format!("{v:.3e}"));
    }
    let decimals = (3 - mag.log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}

/// `1.500e-5` → `1.5e-5`: drops trailing zeros of the mantissa.
pub(super) fn tidy_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            let m = m.trim_end_matches('0').trim_end_matches('.');
            format!("{m}e{e}")
        }
        _ => s.to_string(),
    }
}

/// The label of a tick at `value` on an axis whose labelled ticks are `step` apart: as many
/// decimals as the step needs, scientific for steps below 10⁻³ or values from 10⁵, so that the
/// label is short and tells neighbouring ticks apart at any scale.
pub fn tick_label(value: f64, step: f64) -> String {
    if !value.is_finite() || !(step > 0.0) {
        return String::new();
    }
    if value.abs() < 1e-9 * step {
        return "0".into();
    }
    let step_exp = step.log10().floor() as i32;
    if step < 1e-3 || value.abs() >= 1e5 {
        let value_exp = value.abs().log10().floor() as i32;
        if value_exp - step_exp > 3 && step >= 1e-3 {
            // Ticks close together far from 0 (a view of a few units at 1e15): 4 digits
            // would print "1e15" at every tick. A round base and the offset from it instead,
            // "1e15+2", "1e15-4": the base keeps the digits down to a thousand steps.
            let unit = 10f64.powi(step_exp + 3);
            let base = (value / unit).round() * unit;
            let off = value - base;
            let digits = (value_exp - step_exp - 3).clamp(0, 16) as usize;
            let base_label = tidy_exponent(&format!("{base:.digits$e}"));
            if off.abs() < 1e-9 * step && base_label.len() < 8 {
                return base_label;
            }
            let decimals = (-step_exp).max(0) as usize;
            let offset = format!("{base_label}{off:+.decimals$}");
            // Whichever is shorter: 123456789 reads better than 1.23457e8-211.
            let plain = format!("{value:.decimals$}");
            return if plain.len() <= offset.len() {
                plain
            } else {
                offset
            };
        }
        let digits = (value_exp - step_exp).clamp(0, 3) as usize;
        return tidy_exponent(&format!("{value:.digits$e}"));
    }
    let decimals = (-step_exp).max(0) as usize;
    format!("{value:.decimals$}")
}

/// A tick label on the log₁₀ density axis: the density itself (`1e-4`), not its logarithm.
pub(super) fn log_tick_label(value: f64, step: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let v = 10f64.powf(value);
    if step >= 1.0 && (value - value.round()).abs() < 1e-9 {
        let e = value.round() as i32;
        return match e {
            0 => "1".into(),
            1 => "10".into(),
            _ => format!("1e{e}"),
        };
    }
    tidy_exponent(&format!("{v:.1e}"))
}

/// A tick label on a discrete x axis: only at integers, and the category's name when there
/// are labels.
pub(super) fn discrete_tick_label(value: f64, step: f64, labels: Option<&[String]>) -> String {
    // + 0.0 turns −0 into 0.
    let k = value.round() + 0.0;
    if (value - k).abs() > 1e-6 || step < 1.0 {
        return String::new();
    }
    match labels {
        Some(l) => usize::try_from(k as i64)
            .ok()
            .and_then(|i| l.get(i))
            .cloned()
            .unwrap_or_default(),
        None => format!("{k:.0}"),
    }
}

/// Grid marks at 1, 2, 5 × 10ᵏ, so that labelled ticks are at least `label_px` apart and never
/// much farther (egui's default steps by 10, which leaves one label, "0", on a narrow plot).
/// `integers`: no steps below 1 (discrete axes).
pub(super) fn nice_grid(input: &GridInput, label_px: f64, integers: bool) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    // `base_step_size` is the data length of 8 px (egui's minimum grid spacing).
    let per_px = input.base_step_size / 8.0;
    if !(per_px > 0.0) || !per_px.is_finite() || !(hi > lo) {
        return Vec::new();
    }
    let want = per_px * label_px;
    let exp = want.log10().floor();
    let base = 10f64.powf(exp);
    let mantissa = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| m * base >= want * (1.0 - 1e-9))
        .unwrap_or(10.0);
    let mut label = mantissa * base;
    let mut minor = label / if mantissa == 2.0 { 4.0 } else { 5.0 };
    if integers {
        label = label.max(1.0).round();
        minor = if label <= 1.0 {
            1.0
        } else {
            minor.max(1.0).round()
        };
    }
    let major = label * 10.0;
    let mut marks = Vec::new();
    for step in [minor, label, major] {
        if (hi - lo) / step > 2000.0 {
            continue;
        }
        let mut i = (lo / step).ceil();
        while i * step <= hi {
            let value = i * step;
            match marks
                .iter_mut()
                .find(|m: &&mut GridMark| (m.value - value).abs() < 0.1 * minor)
            {
                Some(m) => m.step_size = m.step_size.max(step),
                None => marks.push(GridMark {
                    value,
                    step_size: step,
                }),
            }
            i += 1.0;
        }
    }
    marks
}
