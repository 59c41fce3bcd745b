//! The Fit lab's pictures of a landscape: the heat map, the basins, the contour segments.

use egui::{Color32, ColorImage};

use crate::fit::{Basins, Landscape};

/// Okabe–Ito-friendly sequential colours (viridis stops).
fn colour(t: f64) -> Color32 {
    const STOPS: [[f64; 3]; 5] = [
        [68.0, 1.0, 84.0],
        [59.0, 82.0, 139.0],
        [33.0, 145.0, 140.0],
        [94.0, 201.0, 98.0],
        [253.0, 231.0, 37.0],
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let c = |k: usize| (STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * f) as u8;
    Color32::from_rgb(c(0), c(1), c(2))
}

/// The shade of KL value `v`: ln(1 + v − min) scaled to the 98th percentile.
fn shade(l: &Landscape) -> impl Fn(f64) -> f64 + '_ {
    let mut finite: Vec<f64> = l.values.iter().copied().filter(|v| v.is_finite()).collect();
    finite.sort_by(f64::total_cmp);
    let min = finite.first().copied().unwrap_or(0.0);
    let top = finite.get(finite.len() * 98 / 100).copied().unwrap_or(1.0);
    let span = (1.0 + top - min).ln().max(1e-12);
    move |v| (1.0 + v - min).ln() / span
}

pub(super) fn heat_image(l: &Landscape) -> ColorImage {
    let n = l.grid.n;
    let s = shade(l);
    let mut pixels = Vec::with_capacity(n * n);
    for row in (0..n).rev() {
        for i in 0..n {
            let v = l.values[row * n + i];
            pixels.push(if v.is_finite() {
                colour(s(v))
            } else {
                Color32::from_gray(40)
            });
        }
    }
    ColorImage::new([n, n], pixels)
}

pub(super) fn basin_image(b: &Basins) -> ColorImage {
    let n = b.grid.n;
    let tints = [
        Color32::from_rgba_unmultiplied(86, 180, 233, 70),
        Color32::from_rgba_unmultiplied(230, 159, 0, 70),
        Color32::from_rgba_unmultiplied(204, 121, 167, 70),
        Color32::from_rgba_unmultiplied(0, 158, 115, 70),
    ];
    let mut pixels = Vec::with_capacity(n * n);
    for row in (0..n).rev() {
        for i in 0..n {
            pixels.push(match b.minimum[row * n + i] {
                Some(k) => tints[k % tints.len()],
                None => Color32::TRANSPARENT,
            });
        }
    }
    ColorImage::new([n, n], pixels)
}

/// Contour segments by marching squares on a subsample of at most 64 × 64 nodes, at `levels`
/// evenly spaced shades.
pub(super) fn contour_lines(l: &Landscape, levels: usize) -> Vec<[[f64; 2]; 2]> {
    let n = l.grid.n;
    let stride = n.div_ceil(64).max(1);
    let idx: Vec<usize> = (0..n).step_by(stride).collect();
    let s = shade(l);
    let v = |i: usize, j: usize| s(l.values[j * n + i]);
    let mut out = Vec::new();
    for k in 1..=levels {
        let c = k as f64 / (levels + 1) as f64;
        for wj in idx.windows(2) {
            for wi in idx.windows(2) {
                let (i0, i1, j0, j1) = (wi[0], wi[1], wj[0], wj[1]);
                let corners = [(i0, j0), (i1, j0), (i1, j1), (i0, j1)];
                let vals: Vec<f64> = corners.iter().map(|(i, j)| v(*i, *j)).collect();
                if vals.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                let mut pts = Vec::new();
                for e in 0..4 {
                    let (a, b) = (e, (e + 1) % 4);
                    if (vals[a] > c) != (vals[b] > c) {
                        let t = (c - vals[a]) / (vals[b] - vals[a]);
                        let pa = l.grid.at(corners[a].0, corners[a].1);
                        let pb = l.grid.at(corners[b].0, corners[b].1);
                        pts.push([pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)]);
                    }
                }
                if pts.len() >= 2 {
                    out.push([pts[0], pts[1]]);
                }
                if pts.len() == 4 {
                    out.push([pts[2], pts[3]]);
                }
            }
        }
    }
    out
}
