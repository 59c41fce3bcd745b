//! Turning a screenshot into a PNG with the comparison inside.

use std::path::Path;

use crate::io::png::{PngError, write_png};
use crate::io::session::Session;

/// Writes `image`, cropped to `crop` (physical pixels: min x, min y, max x, max y) if given,
/// with `session` embedded.
///
/// # Errors
/// [`PngError`] when the file cannot be written.
pub fn save_screenshot(
    path: &Path,
    image: &egui::ColorImage,
    crop: Option<[f32; 4]>,
    session: &Session,
) -> Result<(), PngError> {
    let [w, h] = image.size;
    let (x0, y0, x1, y1) = match crop {
        Some([a, b, c, d]) => {
            let clamp = |v: f32, max: usize| (v.round().max(0.0) as usize).min(max);
            (clamp(a, w), clamp(b, h), clamp(c, w), clamp(d, h))
        }
        None => (0, 0, w, h),
    };
    let (cw, ch) = (x1.saturating_sub(x0).max(1), y1.saturating_sub(y0).max(1));
    let mut rgba = Vec::with_capacity(cw * ch * 4);
    for y in y0..y0 + ch {
        for x in x0..x0 + cw {
            let c = image.pixels.get(y * w + x).copied().unwrap_or_default();
            rgba.extend_from_slice(&c.to_srgba_unmultiplied());
        }
    }
    write_png(
        path,
        u32::try_from(cw).unwrap_or(u32::MAX),
        u32::try_from(ch).unwrap_or(u32::MAX),
        &rgba,
        session,
    )
}
