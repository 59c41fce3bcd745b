//! Short messages in the corner: what was saved or opened, and what went wrong.

use std::time::Duration;

use egui::RichText;

struct Toast {
    text: String,
    error: bool,
    /// When it goes, in the context's seconds; set when first drawn.
    until: Option<f64>,
}

/// The messages on screen.
#[derive(Default)]
pub struct Toasts {
    list: Vec<Toast>,
}

impl Toasts {
    /// Shows `text` for a few seconds.
    pub fn info(&mut self, text: impl Into<String>) {
        self.push(text.into(), false);
    }

    /// Shows `text` in the error colour, longer.
    pub fn error(&mut self, text: impl Into<String>) {
        self.push(text.into(), true);
    }

    fn push(&mut self, text: String, error: bool) {
        self.list.push(Toast {
            text,
            error,
            until: None,
        });
    }

    /// The texts on screen, oldest first.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|t| t.text.as_str())
    }

    /// Draws the messages and drops the expired ones.
    pub fn ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        for t in &mut self.list {
            t.until
                .get_or_insert(now + if t.error { 10.0 } else { 5.0 });
        }
        self.list.retain(|t| t.until.is_none_or(|u| u > now));
        if self.list.is_empty() {
            return;
        }
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -16.0])
            .show(ctx, |ui| {
                for t in &self.list {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_max_width(420.0);
                        let color = if t.error {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        ui.label(RichText::new(&t.text).color(color));
                    });
                }
            });
        ctx.request_repaint_after(Duration::from_millis(250));
    }
}
