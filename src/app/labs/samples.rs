//! The Samples lab: KL(P||Q) estimated from samples with k1, k2, k3 and |ln r|, as PPO and
//! RLHF trainers do, beside the exact moments of each estimator; the running mean with its
//! ±2 SE band on a log-N axis, the per-sample histograms, and the gradients each estimator
//! gives a policy. Sampling runs on the lab's own [`Lane`], with progress and Cancel.

use std::sync::Arc;

use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, FilledArea, HLine, Legend, Line, Plot, PlotPoints};

use super::LabInput;
use crate::app::Command;
use crate::app::command::Origin;
use crate::app::state::Which;
use crate::app::worker::Lane;
use crate::cancel::{Cancel, Cancelled, Progress};
use crate::distribution::Distribution;
use crate::divergence::{Options, format_value};
use crate::estimate::{
    self, Clamp, Estimator, Gradients, Loss, McOptions, McResult, Moments, Truth,
};
use crate::io::Source;

/// The largest N the lab samples.
pub const MAX_N: u64 = 100_000_000;

/// The preset policy: a next-token distribution after an update (P) and before it (Q).
pub const POLICY_P: &str = "logits(2, 1, 0.5, -1, -2)";
/// The reference policy of the preset.
pub const POLICY_Q: &str = "logits(1.5, 1.2, 0.3, -0.5, -2.5)";

/// Okabe–Ito colours, one per estimator.
const COLORS: [Color32; 4] = [
    Color32::from_rgb(0, 114, 178),
    Color32::from_rgb(230, 159, 0),
    Color32::from_rgb(0, 158, 115),
    Color32::from_rgb(204, 121, 167),
];

/// Everything one answer depends on.
#[derive(Clone, Debug)]
pub struct SamplesRequest {
    /// The distribution sampled (P, or Q when the direction is reversed).
    pub from: Arc<Distribution>,
    /// The reference.
    pub to: Arc<Distribution>,
    /// Samples.
    pub n: u64,
    /// Seed.
    pub seed: u64,
    /// Clamp.
    pub clamp: Clamp,
    /// Whether samples come from Q (KL(Q||P)).
    pub reversed: bool,
}

impl PartialEq for SamplesRequest {
    fn eq(&self, o: &Self) -> bool {
        let same = |a: &Arc<Distribution>, b: &Arc<Distribution>| Arc::ptr_eq(a, b) || a == b;
        same(&self.from, &o.from)
            && same(&self.to, &o.to)
            && self.n == o.n
            && self.seed == o.seed
            && self.clamp == o.clamp
            && self.reversed == o.reversed
    }
}

/// What the lane computes for a request.
pub struct Computed {
    /// KL both ways (of the sampled distribution against the reference).
    pub truth: Truth,
    /// Exact moments.
    pub moments: Vec<Moments>,
    /// The Monte Carlo run.
    pub mc: McResult,
    /// Gradients, when the sampled distribution is a policy.
    pub gradients: Option<Gradients>,
}

/// An answer, with the request it answers.
pub struct SamplesAnswer {
    /// The request.
    pub request: SamplesRequest,
    /// The figures, or why there are none.
    pub result: Result<Computed, String>,
}

fn compute(
    r: &SamplesRequest,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<SamplesAnswer, Cancelled> {
    let opts = Options {
        cancel: cancel.clone(),
        ..Options::default()
    };
    let (p, q) = (&*r.from, &*r.to);
    let go = || -> Result<Computed, estimate::EstimateError> {
        let truth = estimate::truth(p, q, &opts)?;
        let moments = estimate::exact_moments(p, q, r.clamp, &opts)?;
        let mc = estimate::run(
            p,
            q,
            &McOptions {
                n: r.n,
                seed: r.seed,
                clamp: r.clamp,
                ..McOptions::default()
            },
            cancel,
            progress,
        )?;
        let gradients = estimate::gradients(
            p,
            q,
            r.clamp,
            r.n.min(estimate::gradient::MAX_GRADIENT_SAMPLES),
            r.seed,
            cancel,
            &Progress::default(),
        )?;
        Ok(Computed {
            truth,
            moments,
            mc,
            gradients,
        })
    };
    match go() {
        Err(estimate::EstimateError::Compare(crate::divergence::CompareError::Cancelled)) => {
            Err(Cancelled)
        }
        result => Ok(SamplesAnswer {
            request: r.clone(),
            result: result.map_err(|e| e.to_string()),
        }),
    }
}

/// The Samples lab's state.
pub struct SamplesLab {
    /// log10 of the number of samples.
    pub log10_n: f64,
    /// The seed.
    pub seed: u64,
    /// The framework clamp.
    pub clamp: Clamp,
    /// Samples from Q, estimating KL(Q||P).
    pub reversed: bool,
    /// Which estimators the plots draw.
    pub shown: [bool; 4],
    lane: Lane<SamplesRequest, SamplesAnswer>,
    submitted: Option<SamplesRequest>,
    answer: Option<SamplesAnswer>,
}

impl SamplesLab {
    /// Starts the lab and its lane.
    pub fn new(ctx: &egui::Context) -> Self {
        let ctx = ctx.clone();
        SamplesLab {
            log10_n: 5.0,
            seed: 1,
            clamp: Clamp::None,
            reversed: false,
            shown: [true; 4],
            lane: Lane::start("kl-samples", compute, move || ctx.request_repaint()),
            submitted: None,
            answer: None,
        }
    }

    /// The number of samples the controls ask for.
    pub fn n(&self) -> u64 {
        (10f64.powf(self.log10_n).round() as u64).clamp(10, MAX_N)
    }

    fn request(&self, input: &LabInput<'_>) -> SamplesRequest {
        let (from, to) = if self.reversed {
            (input.q.clone(), input.p.clone())
        } else {
            (input.p.clone(), input.q.clone())
        };
        SamplesRequest {
            from,
            to,
            n: self.n(),
            seed: self.seed,
            clamp: self.clamp,
            reversed: self.reversed,
        }
    }

    /// The figures on screen when they answer the current controls and P, Q.
    pub fn current(&self, input: &LabInput<'_>) -> Option<&Computed> {
        let a = self.answer.as_ref()?;
        (a.request == self.request(input))
            .then_some(a.result.as_ref().ok())
            .flatten()
    }

    fn sync(&mut self, input: &LabInput<'_>) {
        if let Some(a) = self.lane.poll() {
            self.answer = Some(a);
        }
        let want = self.request(input);
        if self.submitted.as_ref() != Some(&want) {
            self.lane.submit(want.clone());
            self.submitted = Some(want);
        }
    }

    /// Draws the lab.
    pub fn ui(&mut self, ui: &mut Ui, input: &LabInput<'_>) -> Vec<Command> {
        self.sync(input);
        let mut commands = Vec::new();
        egui::ScrollArea::both().show(ui, |ui| {
            self.controls_ui(ui, &mut commands);
            ui.separator();
            let request = self.request(input);
            let Some(answer) = &self.answer else {
                ui.label("sampling…");
                return;
            };
            let stale = answer.request != request;
            if stale {
                ui.label(
                    RichText::new("updating… (the figures below are for the previous inputs)")
                        .italics(),
                );
            }
            match &answer.result {
                Err(e) => {
                    ui.colored_label(Color32::from_rgb(213, 94, 0), e);
                }
                Ok(c) => {
                    let dir = if answer.request.reversed {
                        "KL(Q||P), samples of Q"
                    } else {
                        "KL(P||Q), samples of P"
                    };
                    ui.label(format!(
                        "{dir}: exact {} ({}), N = {}, seed {}, clamp {}",
                        format_value(c.truth.kl_pq.value),
                        screen_text(&c.truth.kl_pq.method),
                        answer.request.n,
                        answer.request.seed,
                        answer.request.clamp.name()
                    ));
                    if let Some(r) = &c.truth.kl_pq.reason {
                        ui.label(format!("∞ because {}", screen_text(r)));
                    }
                    table_ui(ui, c);
                    ui.separator();
                    self.plots_ui(ui, c);
                    ui.separator();
                    gradients_ui(ui, c);
                }
            }
        });
        commands
    }

    fn controls_ui(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            ui.label("N");
            let n = self.n();
            ui.add(
                egui::Slider::new(&mut self.log10_n, 1.0..=8.0)
                    .step_by(0.5)
                    .custom_formatter(|v, _| format!("10^{v}"))
                    .text(format!("= {n}")),
            );
            let l = ui.label("seed");
            ui.add(egui::DragValue::new(&mut self.seed))
                .labelled_by(l.id);
            ui.separator();
            ui.label("clamp");
            for c in Clamp::ALL {
                let label = match c {
                    Clamp::None => "none (TRL)",
                    Clamp::Verl => "verl low_var_kl",
                    Clamp::OpenRlhf => "OpenRLHF",
                };
                ui.radio_value(&mut self.clamp, c, label);
            }
            ui.separator();
            ui.checkbox(&mut self.reversed, "samples from Q: KL(Q||P)");
            ui.separator();
            if ui
                .button("Policy preset")
                .on_hover_text(format!(
                    "P = {POLICY_P} (after an update), Q = {POLICY_Q} (before)"
                ))
                .clicked()
            {
                for (which, spec) in [(Which::P, POLICY_P), (Which::Q, POLICY_Q)] {
                    commands.push(Command::SetSource {
                        which,
                        source: Source::Spec(spec.into()),
                        origin: Origin::Widget,
                    });
                }
            }
        });
        ui.horizontal(|ui| {
            ui.label("draw:");
            for k in Estimator::ALL {
                ui.checkbox(
                    &mut self.shown[k.index()],
                    format!("{} = {}", k.key(), k.formula()),
                );
            }
            if self.lane.is_running() {
                ui.add(
                    egui::ProgressBar::new(self.lane.progress())
                        .desired_width(160.0)
                        .show_percentage(),
                );
                if ui.button("Cancel").clicked() {
                    self.lane.cancel();
                }
            }
        });
    }

    fn plots_ui(&self, ui: &mut Ui, c: &Computed) {
        let kl = c.truth.kl_pq.value;
        ui.label("Running mean of each estimator against log10 N, with its ±2 SE band; the dashed line is the exact KL.");
        Plot::new("samples-running")
            .height(260.0)
            .legend(Legend::default())
            .x_axis_label("log10 N")
            .show(ui, |plot| {
                if kl.is_finite() {
                    plot.hline(
                        HLine::new("exact KL", kl).style(egui_plot::LineStyle::dashed_loose()),
                    );
                }
                for k in Estimator::ALL {
                    let i = k.index();
                    if !self.shown[i] {
                        continue;
                    }
                    let pts: Vec<_> =
                        c.mc.running
                            .iter()
                            .filter(|r| r.mean[i].is_finite())
                            .collect();
                    let xs: Vec<f64> = pts.iter().map(|r| (r.n as f64).log10()).collect();
                    let lo: Vec<f64> = pts.iter().map(|r| r.mean[i] - 2.0 * r.se[i]).collect();
                    let hi: Vec<f64> = pts.iter().map(|r| r.mean[i] + 2.0 * r.se[i]).collect();
                    plot.add(
                        FilledArea::new("", &xs, &lo, &hi)
                            .fill_color(COLORS[i].gamma_multiply(0.25)),
                    );
                    let line: PlotPoints = pts
                        .iter()
                        .map(|r| [(r.n as f64).log10(), r.mean[i]])
                        .collect();
                    plot.line(Line::new(k.key(), line).color(COLORS[i]));
                }
            });
        ui.label("Per-sample values (counts); outside the range: below / above.");
        ui.columns(4, |cols| {
            for (i, col) in cols.iter_mut().enumerate() {
                let h = &c.mc.histograms[i];
                let k = Estimator::ALL[i];
                col.label(format!("{}: {} below, {} above", k.key(), h.below, h.above));
                let w = (h.hi - h.lo) / h.counts.len().max(1) as f64;
                let bars = h
                    .counts
                    .iter()
                    .enumerate()
                    .map(|(b, n)| Bar::new(h.lo + (b as f64 + 0.5) * w, *n as f64).width(w))
                    .collect();
                Plot::new(("samples-hist", i))
                    .height(150.0)
                    .show_y(false)
                    .show(col, |plot| {
                        plot.bar_chart(BarChart::new(k.key(), bars).color(COLORS[i]));
                    });
            }
        });
    }

    /// Whether work is in flight, or the figures shown are not yet those of the inputs.
    pub fn is_busy(&self, input: &LabInput<'_>) -> bool {
        self.lane.is_running()
            || self
                .answer
                .as_ref()
                .is_none_or(|a| a.request != self.request(input))
    }
}

/// A sentence for the screen: the default fonts have no arrow, double bar or nabla glyph.
fn screen_text(s: &str) -> String {
    s.replace('→', "->")
        .replace('‖', "||")
        .replace('∇', "grad ")
}

fn rel(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), format_value)
}

fn table_ui(ui: &mut Ui, c: &Computed) {
    let kl = c.truth.kl_pq.value;
    egui::Grid::new("samples-table")
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "estimator",
                "E[k] exact",
                "bias/KL",
                "sd/KL",
                "MC mean",
                "± 2 SE",
                "MC bias/KL",
                "MC sd/KL",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for (m, s) in c.moments.iter().zip(&c.mc.summaries) {
                ui.label(
                    RichText::new(format!("{} = {}", m.estimator.key(), m.estimator.formula()))
                        .color(COLORS[m.estimator.index()]),
                );
                ui.label(format_value(m.mean.value)).on_hover_text(format!(
                    "{} (± {:.1e})",
                    screen_text(&m.mean.method),
                    m.mean.error
                ));
                ui.label(rel(estimate::relative_bias(m.mean.value, kl)));
                let sd = ui.label(rel(estimate::relative_sd(m.sd(), kl)));
                let why = m.mean.reason.as_ref().or(m.variance.reason.as_ref());
                match why {
                    Some(r) => sd.on_hover_text(format!("∞ because {}", screen_text(r))),
                    None => sd.on_hover_text(format!(
                        "{} (± {:.1e})",
                        screen_text(&m.variance.method),
                        m.variance.error
                    )),
                };
                ui.label(format_value(s.mean));
                ui.label(format_value(2.0 * s.se));
                ui.label(rel(estimate::relative_bias(s.mean, kl)));
                ui.label(rel(estimate::relative_sd(s.sd, kl)));
                ui.end_row();
            }
        });
    for m in &c.moments {
        if let Some(r) = m.mean.reason.as_ref().or(m.variance.reason.as_ref()) {
            ui.label(format!(
                "{}: ∞ because {}",
                m.estimator.key(),
                screen_text(r)
            ));
        }
    }
}

fn gradients_ui(ui: &mut Ui, c: &Computed) {
    let Some(g) = &c.gradients else {
        ui.label("Gradients: set the sampled distribution to a normal or a logits policy to compare each estimator's gradient with grad KL both ways.");
        return;
    };
    ui.strong("Gradients of each estimator used as a loss (x held fixed, differentiated through ln p_θ(x), as trainers do): exact / Monte Carlo");
    ui.label("Expected: k1 gives 0, k2 gives grad KL(P||Q), k3 gives grad KL(Q||P) (the other direction), k3 value with k2 gradient gives grad KL(P||Q).");
    egui::Grid::new("samples-gradients")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("θ");
            ui.strong("grad KL(P||Q)");
            ui.strong("grad KL(Q||P)");
            for l in Loss::ALL {
                ui.strong(l.key());
            }
            ui.end_row();
            for row in &g.rows {
                ui.label(&row.param);
                ui.label(format_value(row.kl_pq));
                ui.label(format_value(row.kl_qp));
                for l in 0..Loss::ALL.len() {
                    ui.label(format!(
                        "{} / {}",
                        format_value(row.exact[l]),
                        format_value(row.mc[l])
                    ))
                    .on_hover_text(format!(
                        "Monte Carlo ± {} (1 SE, N = {})",
                        format_value(row.mc_se[l]),
                        g.n
                    ));
                }
                ui.end_row();
            }
        });
    if let Some(r) = &g.reason {
        ui.label(format!("undefined because {}", screen_text(r)));
    }
}
