//! The Fit lab driven headless (egui_kittest): switching the landscape's direction changes
//! the map it draws, clicking and dragging a start on the map moves the optimiser's optimum
//! to the minimum of that start's basin, and "Use as Q" returns the optimum as Q's spec.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::sync::Arc;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kl_explorer::app::Command;
use kl_explorer::app::labs::LabInput;
use kl_explorer::app::labs::fit::FitLab;
use kl_explorer::app::state::Which;
use kl_explorer::distribution::{Distribution, parse_spec};
use kl_explorer::divergence::Unit;
use kl_explorer::fit::Direction;
use kl_explorer::io::Source;

struct State {
    lab: Option<FitLab>,
    p: Arc<Distribution>,
    q: Arc<Distribution>,
    source: Source,
    commands: Vec<Command>,
    busy: bool,
    /// The optimiser's end point (the spec parameters) on screen, if any.
    optimum: Option<Vec<f64>>,
}

fn harness() -> Harness<'static, State> {
    let spec = "0.5*normal(-3,1) + 0.5*normal(3,1)";
    let state = State {
        lab: None,
        p: Arc::new(parse_spec(spec).unwrap()),
        q: Arc::new(parse_spec("normal(1,2)").unwrap()),
        source: Source::Spec(spec.into()),
        commands: Vec::new(),
        busy: true,
        optimum: None,
    };
    Harness::builder()
        .with_size([1300.0, 800.0])
        .build_ui_state(
            |ui, s: &mut State| {
                let lab = s.lab.get_or_insert_with(|| FitLab::new(ui.ctx()));
                let input = LabInput {
                    p: &s.p,
                    q: &s.q,
                    p_source: &s.source,
                    q_source: &s.source,
                    unit: Unit::Nats,
                };
                s.commands.extend(lab.ui(ui, &input));
                s.busy = lab.is_busy(&input);
                s.optimum = lab.path(&input).map(|f| f.params().to_vec());
            },
            state,
        )
}

fn settle(h: &mut Harness<'static, State>) {
    for _ in 0..20_000 {
        h.step();
        if !h.state().busy {
            h.run_steps(3);
            if !h.state().busy {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the lab stayed busy");
}

fn map_minimum(h: &Harness<'static, State>) -> (Direction, f64) {
    let a = h.state().lab.as_ref().unwrap().answer().unwrap();
    let min = a
        .landscape
        .values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    (a.request.direction, min)
}

#[test]
fn choosing_forward_redraws_the_map_as_kl_p_q_with_its_lower_minimum() {
    let mut h = harness();
    settle(&mut h);
    let (dir, min) = map_minimum(&h);
    assert_eq!(dir, Direction::Reverse);
    // Settled means the last stage: the reverse map carries its basins, every start of which
    // reached one of the three minima.
    let basins = h
        .state()
        .lab
        .as_ref()
        .unwrap()
        .answer()
        .unwrap()
        .basins
        .clone();
    let basins = basins.expect("the reverse basins");
    assert!(basins.minimum.iter().all(Option::is_some));
    // The reverse map's least node is near the reverse minimum, 0.6887690.
    assert!((0.688_769_0 - 1e-7..0.70).contains(&min), "{min}");
    assert!(h.query_by_label_contains("KL(Q||P) over mean").is_some());
    h.get_by_label("KL(P||Q) forward").click();
    settle(&mut h);
    let (dir, min) = map_minimum(&h);
    assert_eq!(dir, Direction::Forward);
    assert!((0.461_994_6 - 1e-7..0.47).contains(&min), "{min}");
    assert!(h.query_by_label_contains("KL(P||Q) over mean").is_some());
}

#[test]
fn use_as_q_returns_the_forward_optimum_as_q() {
    let mut h = harness();
    settle(&mut h);
    h.get_all_by_label("Use as Q").next().unwrap().click();
    h.run_steps(2);
    let cmd = h.state().commands.first().expect("a command");
    let Command::SetSource {
        which: Which::Q,
        source: Source::Spec(spec),
        ..
    } = cmd
    else {
        panic!("{cmd:?}")
    };
    let Distribution::Parametric(q) = parse_spec(spec).unwrap() else {
        panic!("{spec}")
    };
    assert!((q.params()[1] - 10f64.sqrt()).abs() < 1e-8, "{spec}");
}

fn screen(h: &Harness<'static, State>, theta: [f64; 2]) -> egui::Pos2 {
    h.state()
        .lab
        .as_ref()
        .unwrap()
        .map_screen_pos(theta)
        .expect("the map is drawn")
}

/// Reverse KL of a normal against the bimodal mixture: a start at mean +2 (σ = 1) descends to
/// the right mode's minimum N(2.9843060, 1.0233686), one dragged to mean −2 to the left one's.
#[test]
fn dragging_the_start_across_the_map_moves_the_optimum_to_the_other_mode() {
    let mut h = harness();
    settle(&mut h);
    assert!(h.state().optimum.is_none());
    let right = screen(&h, [2.0, 0.0]);
    h.drag_at(right);
    h.run_steps(1);
    h.drop_at(right);
    settle(&mut h);
    let end = h
        .state()
        .optimum
        .clone()
        .expect("a path from the clicked start");
    assert!((end[0] - 2.984_306_0).abs() < 5e-8, "{end:?}");
    assert!((end[1] - 1.023_368_6).abs() < 5e-8, "{end:?}");
    assert!(
        h.query_by_label_contains("from the start: normal(2.98430")
            .is_some(),
        "the path's figure names the right minimum"
    );
    let left = screen(&h, [-2.0, 0.0]);
    h.drag_at(right);
    h.run_steps(1);
    for k in 1..=8 {
        let t = k as f32 / 8.0;
        h.hover_at(right + (left - right) * t);
        h.run_steps(1);
    }
    h.drop_at(left);
    settle(&mut h);
    let end = h
        .state()
        .optimum
        .clone()
        .expect("a path from the dragged start");
    assert!((end[0] + 2.984_306_0).abs() < 5e-8, "{end:?}");
    assert!((end[1] - 1.023_368_6).abs() < 5e-8, "{end:?}");
    assert!(
        h.query_by_label_contains("from the start: normal(-2.98430")
            .is_some(),
        "the path's figure names the left minimum"
    );
    let start = h.state().lab.as_ref().unwrap().start.unwrap();
    assert!(
        (start[0] + 2.0).abs() < 0.1 && start[1].abs() < 0.1,
        "{start:?}"
    );
}

/// Choosing the student_t with its freedom fitted (three parameters): the map becomes the
/// slice at the best minimum's freedom, and draws where the lowest path between the two
/// reverse minima crosses: at the edge freedom → ∞, at the normal family's saddles
/// N(±1.8404962, 2.1038226), said in words. The normal family draws no passes (its saddles
/// come from the grid search).
#[test]
fn choosing_a_free_freedom_student_t_draws_its_passes_at_the_normal_edge_saddles() {
    use egui::accesskit::Role;
    use kl_explorer::fit::QFamily;
    let mut h = harness();
    settle(&mut h);
    assert!(h.state().lab.as_ref().unwrap().drawn_passes().is_empty());
    h.get_by_role(Role::ComboBox).click();
    h.run_steps(2);
    h.get_by_label("student_t").click();
    h.run_steps(2);
    let answered = |h: &Harness<'static, State>| {
        h.state()
            .lab
            .as_ref()
            .unwrap()
            .answer()
            .is_some_and(|a| a.request.family == QFamily::StudentT)
    };
    for _ in 0..20_000 {
        if answered(&h) {
            break;
        }
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(answered(&h), "no answer for the student_t");
    h.run_steps(3);
    let pts = h.state().lab.as_ref().unwrap().drawn_passes().to_vec();
    assert_eq!(pts.len(), 2, "{pts:?}");
    assert!(pts[0][0] * pts[1][0] < 0.0, "{pts:?}");
    for p in &pts {
        assert!((p[0].abs() - 1.840_496_2).abs() < 5e-8, "{pts:?}");
        assert!((p[1] - 2.103_822_6f64.ln()).abs() < 5e-8, "{pts:?}");
    }
    assert_eq!(
        h.query_all_by_label_contains(
            "no interior saddle: the path's highest point is at the edge of the family, freedom -> ∞"
        )
        .count(),
        1,
        "one pass, said in words"
    );
    assert!(
        h.query_by_label_contains("at ln freedom = 2.3755")
            .is_some()
    );
}
