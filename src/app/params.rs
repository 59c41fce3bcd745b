//! The widgets that edit a parametric distribution or a mixture: one slider per parameter, and
//! per mixture component its family, weight and parameters. They return the new distribution
//! when a valid change was made; the panel turns it into a command.

use egui::{RichText, Ui};

use crate::distribution::family::{Constraint, Kind};
use crate::distribution::{Distribution, FamilyId, Mixture, Parametric};

use super::state::Which;

/// The families of one kind, in the order of [`FamilyId::ALL`].
pub fn families(kind: Kind) -> impl Iterator<Item = FamilyId> {
    FamilyId::ALL.into_iter().filter(move |f| f.kind() == kind)
}

/// The family with its default parameters.
pub fn default_of(id: FamilyId) -> Option<Parametric> {
    Parametric::new(id, id.default_params()).ok()
}

fn slider_range(
    info: &crate::distribution::family::ParamInfo,
    v: f64,
) -> std::ops::RangeInclusive<f64> {
    let (lo, hi) = info.slider;
    lo.min(v)..=hi.max(v)
}

/// Sliders for a parametric distribution's parameters. Returns the new distribution when a
/// valid change was made; an invalid combination is shown and not applied.
pub fn params_ui(
    ui: &mut Ui,
    p: &Parametric,
    salt: impl std::hash::Hash + std::fmt::Debug + Copy,
) -> Option<Parametric> {
    let id = p.family();
    let mut values = p.params().to_vec();
    let mut changed = false;
    let infos = id.params();
    let mut remove = None;
    ui.push_id(salt, |ui| {
        for i in 0..values.len() {
            let info = if id.is_variadic() {
                &infos[0]
            } else {
                &infos[i]
            };
            let name = if id.is_variadic() {
                format!("{}{i}", info.name)
            } else {
                info.name.to_string()
            };
            ui.horizontal(|ui| {
                let r = match info.constraint {
                    Constraint::Count => {
                        let mut n = values[i] as u64;
                        let top = (info.slider.1 as u64).max(n);
                        let r = ui.add(egui::Slider::new(&mut n, 0..=top).text(&name));
                        values[i] = n as f64;
                        r
                    }
                    _ => {
                        let range = slider_range(info, values[i]);
                        ui.add(
                            egui::Slider::new(&mut values[i], range)
                                .text(&name)
                                .clamping(egui::SliderClamping::Never)
                                .smart_aim(true),
                        )
                    }
                };
                changed |= r.changed();
                if id.is_variadic()
                    && values.len() > 2
                    && ui.small_button("−").on_hover_text("remove").clicked()
                {
                    remove = Some(i);
                }
            });
        }
        if id.is_variadic() && ui.small_button("+ add category").clicked() {
            values.push(info_default(id));
            changed = true;
        }
    });
    if let Some(i) = remove {
        values.remove(i);
        changed = true;
    }
    if !changed {
        return None;
    }
    match Parametric::new(id, values) {
        Ok(p) => Some(p),
        Err(e) => {
            ui.label(RichText::new(e.to_string()).color(ui.visuals().error_fg_color));
            None
        }
    }
}

/// A weight rounded to 9 decimals: rescaling after a removal gives weights such as
/// 0.42857142857142855, which the spec field would show digit for digit.
fn round_weight(w: f64) -> f64 {
    (w * 1e9).round() / 1e9
}

fn info_default(id: FamilyId) -> f64 {
    match id {
        FamilyId::Categorical => 0.1,
        _ => 0.0,
    }
}

/// Widgets for a mixture's components. Adding or removing a component rescales the other
/// weights so that they still sum to 1: the user typed no weights that need normalising.
pub fn mixture_ui(ui: &mut Ui, m: &Mixture, which: Which) -> Option<Distribution> {
    let mut parts: Vec<(f64, Parametric)> = m
        .weights()
        .iter()
        .copied()
        .zip(m.components().iter().cloned())
        .collect();
    let mut changed = false;
    let mut remove = None;
    let kind = parts[0].1.kind();
    for (i, (w, c)) in parts.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("component {}", i + 1));
                let mut fam = c.family();
                egui::ComboBox::new(("mixfam", which, i), "family")
                    .selected_text(fam.name())
                    .show_ui(ui, |ui| {
                        for f in families(kind) {
                            ui.selectable_value(&mut fam, f, f.name());
                        }
                    });
                if fam != c.family()
                    && let Some(d) = default_of(fam)
                {
                    *c = d;
                    changed = true;
                }
                if ui.small_button("remove").clicked() {
                    remove = Some(i);
                }
            });
            changed |= ui
                .add(
                    egui::Slider::new(w, 0.001..=1.0)
                        .text("weight")
                        .logarithmic(true),
                )
                .changed();
            if let Some(new) = params_ui(ui, c, ("mix", which, i)) {
                *c = new;
                changed = true;
            }
        });
    }
    if ui.button("+ Add component").clicked() {
        let extra = if kind == Kind::Discrete {
            default_of(FamilyId::Poisson)
        } else {
            default_of(FamilyId::Normal)
        };
        if let Some(e) = extra {
            // Halving is exact in binary, so 0.3 and 0.7 become 0.15 and 0.35, not
            // 0.19999999999999998, and the weights still sum to 1.
            for (w, _) in &mut parts {
                *w *= 0.5;
            }
            parts.push((0.5, e));
            changed = true;
        }
    }
    if let Some(i) = remove
        && parts.len() > 1
    {
        let (gone, _) = parts.remove(i);
        let rest = 1.0 - gone;
        if rest > 0.0 {
            let last = parts.len() - 1;
            for (w, _) in &mut parts[..last] {
                *w = round_weight(*w / rest);
            }
            let others: f64 = parts[..last].iter().map(|(w, _)| w).sum();
            if others < 1.0 {
                parts[last].0 = 1.0 - others;
            }
        }
        changed = true;
    }
    if !changed {
        return None;
    }
    if parts.len() == 1 {
        return parts.pop().map(|(_, c)| Distribution::Parametric(c));
    }
    Mixture::new(parts).ok().map(Distribution::Mixture)
}
