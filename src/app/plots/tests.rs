//! Tests of the plots: read-outs, ticks, ∞ and the shared x axis.

use super::*;
use crate::cancel::Cancel;
use crate::distribution::parse_spec;
use egui_kittest::Harness;

/// What a test window draws, and what it saw.
struct Window {
    curves: Curves,
    p: Arc<Distribution>,
    q: Arc<Distribution>,
    fit: bool,
    shown: Option<PlotsShown>,
}

impl Window {
    fn new(p: &str, q: &str) -> Self {
        let mut w = Window {
            curves: Curves::default(),
            p: Arc::new(parse_spec(p).unwrap()),
            q: Arc::new(parse_spec(q).unwrap()),
            fit: false,
            shown: None,
        };
        w.set(p, q);
        w
    }

    fn set(&mut self, p: &str, q: &str) {
        self.p = Arc::new(parse_spec(p).unwrap());
        self.q = Arc::new(parse_spec(q).unwrap());
        self.curves =
            crate::divergence::pointwise::curves(&self.p, &self.q, 2000, &Cancel::new()).unwrap();
    }
}

fn harness(w: Window, size: [f32; 2]) -> Harness<'static, Window> {
    let mut h = Harness::builder().with_size(size).build_ui_state(
        |ui, w: &mut Window| {
            let input = PlotInput {
                curves: &w.curves,
                p: w.p.clone(),
                q: w.q.clone(),
                log_y: false,
                direction: Direction::PQ,
                fit: w.fit,
                unit: Unit::Nats,
                kl: None,
                divergence: Divergence::Kl,
            };
            w.shown = Some(show_plots(ui, &input));
        },
        w,
    );
    h.run_steps(3);
    h
}

fn x_range(t: &PlotTransform) -> (f64, f64) {
    (t.bounds().min()[0], t.bounds().max()[0])
}

#[test]
fn x_zero_is_at_the_same_pixel_in_all_three_plots_whatever_the_y_labels() {
    // Densities of a few 1e-4 (long labels) above a pointwise divergence of a few 1e-8 and
    // a running integral near 1e-6: labels of different widths on each axis.
    let w = Window::new("normal(0, 1000)", "normal(1, 1000.5)");
    let h = harness(w, [1024.0, 700.0]);
    let shown = h.state().shown.unwrap();
    let zero: Vec<f32> = shown
        .transforms
        .iter()
        .map(|t| t.position_from_point_x(0.0))
        .collect();
    let left: Vec<f32> = shown.transforms.iter().map(|t| t.frame().left()).collect();
    for i in 1..3 {
        assert!((zero[i] - zero[0]).abs() < 0.5, "x = 0 at {zero:?}");
        assert!(
            (left[i] - left[0]).abs() < 0.5,
            "plot frames start at {left:?}"
        );
    }
}

#[test]
fn fit_refits_all_three_plots_after_a_pan() {
    let w = Window::new("normal(0,1)", "normal(1,2)");
    let mut h = harness(w, [1024.0, 700.0]);
    let before = h.state().shown.unwrap();
    let view = h.state().curves.view;
    for t in &before.transforms {
        let (lo, hi) = x_range(t);
        assert!(
            (lo - view.0).abs() < 1e-9 && (hi - view.1).abs() < 1e-9,
            "{lo}..{hi}"
        );
    }
    // Drag the densities plot to the left by 200 px: all three pan (linked x).
    let frame = *before.transforms[0].frame();
    let start = frame.center();
    h.hover_at(start);
    h.run_steps(1);
    h.drag_at(start);
    h.run_steps(1);
    for i in 1..=10 {
        h.hover_at(start - egui::vec2(20.0 * i as f32, 0.0));
        h.run_steps(1);
    }
    h.drop_at(start - egui::vec2(200.0, 0.0));
    h.run_steps(2);
    let panned = h.state().shown.unwrap();
    for t in &panned.transforms {
        let (lo, _) = x_range(t);
        assert!(lo > view.0 + 0.5, "not panned: {lo} vs {}", view.0);
    }
    // P's mean goes to 8: without a fit the view stays where it was panned to...
    h.state_mut().set("normal(8,1)", "normal(9,2)");
    h.run_steps(2);
    let stale = h.state().shown.unwrap();
    assert_eq!(
        x_range(&stale.transforms[0]),
        x_range(&panned.transforms[0])
    );
    // ...and `fit` brings all three plots onto the new view, y included.
    h.state_mut().fit = true;
    h.run_steps(1);
    h.state_mut().fit = false;
    h.run_steps(2);
    let view = h.state().curves.view;
    let shown = h.state().shown.unwrap();
    for t in &shown.transforms {
        let (lo, hi) = x_range(t);
        assert!(
            (lo - view.0).abs() < 1e-9 && (hi - view.1).abs() < 1e-9,
            "{lo}..{hi} vs {view:?}"
        );
    }
    let peak = h.state().curves.p.iter().cloned().fold(0.0, f64::max);
    let dens = shown.transforms[0].bounds();
    assert!(
        dens.max()[1] >= peak && dens.max()[1] < 1.5 * peak,
        "{dens:?}"
    );
}

#[test]
fn hover_read_outs_show_small_values_and_category_names() {
    let w = Window::new("normal(0,1)", "normal(1,2)");
    let input = PlotInput {
        curves: &w.curves,
        p: w.p.clone(),
        q: w.q.clone(),
        log_y: false,
        direction: Direction::PQ,
        fit: false,
        unit: Unit::Nats,
        kl: None,
        divergence: Divergence::Kl,
    };
    // At x = 5 p is 1.487e-6: fixed decimals would print 0.00000.
    let text = hover_text(&input, 5.0);
    assert!(text.contains("p = 1.487e-6"), "{text}");
    let mut c = Curves {
        discrete: true,
        x: vec![0.0, 1.0],
        p: vec![0.25, 0.75],
        q: vec![0.5, 0.5],
        d_pq: vec![0.25 * 0.5f64.ln(), 0.75 * 1.5f64.ln()],
        d_qp: vec![0.5 * 2f64.ln(), 0.5 * (2.0f64 / 3.0).ln()],
        labels: Some(vec!["up".into(), "down".into()]),
        ..Default::default()
    };
    c.run_pq = vec![c.d_pq[0], c.d_pq[0] + c.d_pq[1]];
    c.run_qp = vec![c.d_qp[0], c.d_qp[0] + c.d_qp[1]];
    let input = PlotInput {
        curves: &c,
        ..input
    };
    let text = hover_text(&input, 1.1);
    assert!(text.starts_with("'down' (k = 1)"), "{text}");
    assert!(text.contains("p = 0.7500"), "{text}");
}

#[test]
fn read_outs_keep_four_significant_digits_at_any_scale() {
    assert_eq!(format_value(1.234e-5), "1.234e-5");
    assert_eq!(format_value(0.000_012), "1.2e-5");
    assert_eq!(format_value(0.012_344), "0.01234");
    assert_eq!(format_value(0.5), "0.5000");
    assert_eq!(format_value(3.25), "3.250");
    assert_eq!(format_value(123_456.0), "123456");
    assert_eq!(format_value(2.5e7), "2.5e7");
    assert_eq!(format_value(-7.5e-4), "-7.5e-4");
    assert_eq!(format_value(0.0), "0");
    assert_eq!(format_value(f64::INFINITY), "∞");
    assert_eq!(format_value(f64::NEG_INFINITY), "−∞");
    assert_eq!(format_value(f64::NAN), "—");
}

#[test]
fn tick_labels_tell_neighbours_apart_at_any_scale() {
    // Probabilities of a few 1e-5: not "0.00000" three times.
    let ticks: Vec<String> = [1e-5, 2e-5, 3e-5]
        .iter()
        .map(|v| tick_label(*v, 1e-5))
        .collect();
    assert_eq!(ticks, ["1e-5", "2e-5", "3e-5"]);
    assert_eq!(tick_label(2.5e-5, 5e-6), "2.5e-5");
    assert_eq!(tick_label(0.04, 0.02), "0.04");
    assert_eq!(tick_label(0.15, 0.05), "0.15");
    assert_eq!(tick_label(-2.0, 1.0), "-2");
    assert_eq!(tick_label(2.5, 0.5), "2.5");
    assert_eq!(tick_label(0.0, 0.001), "0");
    assert_eq!(tick_label(3e7, 1e7), "3e7");
    // Far from 0 with steps of a few units (a pair at 1e15): the base and the offset, not
    // "1e15" at every tick.
    let far: Vec<String> = [-4.0, -2.0, 0.0, 2.0, 4.0]
        .iter()
        .map(|d| tick_label(1e15 + d, 2.0))
        .collect();
    assert_eq!(far, ["1e15-4", "1e15-2", "1e15", "1e15+2", "1e15+4"]);
    assert_eq!(tick_label(-1e12 + 0.5, 0.5), "-1e12+0.5");
    assert_eq!(tick_label(123_456_789.0, 1.0), "123456789");
    // Never longer than the y axis is wide.
    for v in [-8.888e-88, -1.235e-15, -0.0025, -99_999.0, 123_456.0] {
        assert!(tick_label(v, v.abs() / 1000.0).chars().count() <= 10, "{v}");
    }
}

#[test]
fn category_ticks_are_the_labels_and_only_at_integers() {
    let labels: Vec<String> = ["left", "right", "up", "down"].map(String::from).to_vec();
    assert_eq!(discrete_tick_label(2.0, 1.0, Some(&labels)), "up");
    assert_eq!(discrete_tick_label(1.5, 0.5, Some(&labels)), "");
    assert_eq!(discrete_tick_label(7.0, 1.0, Some(&labels)), "");
    assert_eq!(discrete_tick_label(3.0, 1.0, None), "3");
    assert_eq!(discrete_tick_label(-0.0, 1.0, None), "0");
}

#[test]
fn grid_labels_stay_readable_on_a_narrow_plot() {
    // 13 units over 330 px (the 1024-px window): egui's powers of ten label only 0.
    let input = GridInput {
        bounds: (-5.0, 8.0),
        base_step_size: 13.0 / 330.0 * 8.0,
    };
    let marks = nice_grid(&input, X_LABEL_PX, false);
    let px_per_unit = 330.0 / 13.0;
    let labelled: Vec<f64> = marks
        .iter()
        .filter(|m| m.step_size * px_per_unit > 40.0)
        .map(|m| m.value)
        .collect();
    assert!(labelled.len() >= 4, "{labelled:?}");
    assert!(
        labelled.contains(&-4.0) && labelled.contains(&6.0),
        "{labelled:?}"
    );
    // Integers only on a discrete axis, and every integer when there is room.
    let input = GridInput {
        bounds: (-0.7, 3.7),
        base_step_size: 4.4 / 400.0 * 8.0,
    };
    let marks = nice_grid(&input, X_LABEL_PX, true);
    assert!(marks.iter().all(|m| m.value.fract() == 0.0), "{marks:?}");
    let ks: Vec<f64> = marks.iter().map(|m| m.value).collect();
    assert_eq!(ks, [0.0, 1.0, 2.0, 3.0]);
}

#[test]
fn a_running_sum_is_drawn_as_steps_at_the_integers() {
    let x = [0.0, 1.0, 2.0];
    let run = [0.1, 0.3, 0.2];
    let steps = staircase(&x, &run, 0.0);
    assert_eq!(
        steps,
        vec![vec![
            [-0.5, 0.0],
            [0.0, 0.0],
            [0.0, 0.1],
            [1.0, 0.1],
            [1.0, 0.3],
            [2.0, 0.3],
            [2.0, 0.2],
            [2.5, 0.2],
        ]]
    );
    // Where the sum becomes infinite the steps stop; nothing finite stands in for ∞.
    let steps = staircase(&x, &[0.1, f64::INFINITY, f64::INFINITY], 0.0);
    assert_eq!(
        steps,
        vec![vec![[-0.5, 0.0], [0.0, 0.0], [0.0, 0.1], [1.0, 0.1]]]
    );
}

#[test]
fn a_line_breaks_where_values_are_not_finite() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let y = [1.0, f64::INFINITY, f64::INFINITY, 2.0];
    assert_eq!(
        finite_segments(&x, &y, |v| v),
        vec![vec![[0.0, 1.0]], vec![[3.0, 2.0]]]
    );
    assert_eq!(infinite_runs(&y), vec![(1, 3)]);
    // ∞ is drawn above every finite value.
    assert!(ceiling([y.as_slice()]) > 2.0);
}

#[test]
fn a_log10_axis_is_labelled_with_the_quantity_at_its_powers_of_ten() {
    // The drift lab's α axis: log₁₀ α from −6 to 1 over 400 px.
    let input = GridInput {
        bounds: (-6.0, 1.0),
        base_step_size: 7.0 / 400.0 * 8.0,
    };
    let px_per_unit = 400.0 / 7.0;
    let labels: Vec<String> = nice_grid(&input, X_LABEL_PX, true)
        .into_iter()
        .filter(|m| m.step_size * px_per_unit > X_LABEL_PX)
        .map(|m| log_tick_label(m.value, m.step_size))
        .collect();
    assert_eq!(
        labels,
        ["1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1", "10"]
    );
    // The pointer reads α itself, not its logarithm.
    assert_eq!(
        log10_hover_text("α", "PSI", -4.0, 0.05),
        "PSI\nα = 1e-4\n0.05000"
    );
    assert_eq!(log10_hover_text("α", "", 0.5, 2.0), "α = 3.162\n2.000");
}
