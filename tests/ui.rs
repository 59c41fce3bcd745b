//! The window driven as a person would, headless (egui_kittest): pick a family, drag a
//! parameter, type specs (valid and not), swap, undo and redo, toggle bits, load a file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicU8;
use std::time::Duration;

use common::settle;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kl_explorer::app::{Command, KlApp, LaunchOptions, state::Which};
use kl_explorer::distribution::Distribution;

fn harness(launch: LaunchOptions) -> Harness<'static, KlApp> {
    common::app_harness(launch, [1400.0, 900.0])
}

/// Steps frames until `done` holds and the app is idle.
fn settle_until(h: &mut Harness<'static, KlApp>, done: impl Fn(&KlApp) -> bool) {
    for _ in 0..3000 {
        h.step();
        if done(h.state()) && !h.state().is_busy() {
            h.run_steps(3);
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("timed out");
}

fn kl_label(h: &Harness<'static, KlApp>, text: &str) {
    assert!(
        h.query_all_by_label(text).next().is_some(),
        "no label '{text}' on screen; KL is {:?}",
        h.state()
            .report()
            .map(|r| r.as_ref().map(|r| r.kl_pq.value))
    );
}

fn type_spec(h: &mut Harness<'static, KlApp>, current: &str, new: &str) {
    h.get_all_by_value(current).next().unwrap().focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_all_by_value(current).next().unwrap().type_text(new);
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    settle(h);
}

#[test]
fn default_comparison_shows_kl_0_4431_and_the_naive_sum() {
    let h = harness(LaunchOptions::default());
    kl_label(&h, "0.4431 nats");
    kl_label(&h, "1.3069 nats");
    // "How is it computed?": the note's sum beside the exact value.
    kl_label(&h, "22.1350 nats");
}

#[test]
fn dragging_p_mean_moves_kl_and_rewrites_the_spec() {
    let mut h = harness(LaunchOptions::default());
    h.get_all_by_role_and_label(Role::Slider, "mean")
        .next()
        .unwrap()
        .set_value_accesskit(0.5);
    settle(&mut h);
    // KL(N(0.5,1) ‖ N(1,2)) = ln 2 + (1 + 0.25)/8 − 1/2 = 0.34940.
    kl_label(&h, "0.3494 nats");
    assert_eq!(h.state().p.text, "normal(0.5, 1)");
}

#[test]
fn typing_a_spec_moves_the_widgets_and_an_invalid_one_keeps_the_old() {
    let mut h = harness(LaunchOptions::default());
    type_spec(&mut h, "normal(0, 1)", "gamma(2, 0.5)");
    assert_eq!(h.state().p.dist.to_spec(), "gamma(2, 0.5)");
    assert!(h.query_by_role_and_label(Role::Slider, "shape").is_some());
    assert!(h.query_by_role_and_label(Role::Slider, "rate").is_some());

    type_spec(&mut h, "gamma(2, 0.5)", "normal(0, -1)");
    assert!(
        h.query_by_label("std_dev must be > 0 (got -1) (at column 11)")
            .is_some(),
        "the error sentence is shown"
    );
    assert_eq!(
        h.state().p.dist.to_spec(),
        "gamma(2, 0.5)",
        "old distribution kept"
    );
}

#[test]
fn picking_a_family_from_the_menu() {
    let mut h = harness(LaunchOptions::default());
    h.get_all_by_role_and_label(Role::ComboBox, "family")
        .next()
        .unwrap()
        .click();
    h.run_steps(2);
    h.get_by_label("laplace").click();
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "laplace(0, 1)");
    assert!(
        h.query_by_role_and_label(Role::Slider, "location")
            .is_some()
    );
}

#[test]
fn swap_undo_redo_and_bits() {
    let mut h = harness(LaunchOptions::default());
    h.get_by_label("Swap P and Q").click();
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "normal(1, 2)");
    kl_label(&h, "1.3069 nats");

    h.get_by_label("Undo").click();
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "normal(0, 1)");
    kl_label(&h, "0.4431 nats");

    h.get_by_label("Redo").click();
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "normal(1, 2)");

    h.get_by_label("bits").click();
    settle(&mut h);
    // 1.30685 nats / ln 2 = 1.88539 bits.
    kl_label(&h, "1.8854 bits");
}

#[test]
fn keyboard_undo_reverts_a_slider_edit() {
    let mut h = harness(LaunchOptions::default());
    h.get_all_by_role_and_label(Role::Slider, "std_dev")
        .next()
        .unwrap()
        .set_value_accesskit(2.0);
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "normal(0, 2)");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "normal(0, 1)");
}

#[test]
fn loading_a_csv_updates_the_plot_and_figures_and_a_bad_one_keeps_the_old() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut h = harness(LaunchOptions::default());
    // The path the dialog hands back goes through the same load command.
    h.state_mut()
        .run_command(Command::load(Which::P, root.join("assets/zero_bin_p.csv")));
    settle(&mut h);
    h.state_mut()
        .run_command(Command::load(Which::Q, root.join("assets/zero_bin_q.csv")));
    settle(&mut h);
    assert!(matches!(
        h.state().p.dist.as_ref(),
        Distribution::Histogram(_)
    ));
    kl_label(&h, "∞ nats");
    assert!(
        h.query_by_label_contains("P has mass on [4, 5], where Q's density is 0")
            .is_some()
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "left,right,count\n0,1,2\n1,2,-3\n").unwrap();
    h.state_mut().run_command(Command::load(Which::P, bad));
    settle(&mut h);
    assert!(
        matches!(h.state().p.dist.as_ref(), Distribution::Histogram(_)),
        "P kept"
    );
    let err = h.state().p.error.clone().unwrap();
    assert!(
        err.starts_with("line 3, column 3: count is negative (-3)"),
        "{err}"
    );
    assert!(err.ends_with("bad.csv"), "{err}");
}

#[test]
fn command_line_specs_open_the_window_on_them() {
    let h = harness(LaunchOptions {
        p: Some("poisson(3)".into()),
        q: Some("geometric(0.3)".into()),
        ..Default::default()
    });
    kl_label(&h, "∞ nats");
    assert!(
        h.query_by_label_contains("P has mass at k = 0, where Q is 0")
            .is_some()
    );
    assert!(
        !h.state().can_undo(),
        "the launch itself is not an undo step"
    );
}

#[test]
fn a_file_with_many_columns_offers_the_column_chooser() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    std::fs::write(&path, "id,a,b,c,extra\nx,0,1,1,9\ny,1,2,3,9\n").unwrap();
    let mut h = harness(LaunchOptions::default());
    h.state_mut()
        .run_command(Command::load(Which::P, path.clone()));
    settle(&mut h);
    assert!(
        h.state()
            .p
            .error
            .as_deref()
            .unwrap()
            .contains("does not say which columns")
    );
    assert!(
        matches!(h.state().p.dist.as_ref(), Distribution::Parametric(_)),
        "P kept"
    );
    // The chooser is open: type the columns and reload.
    let field = h.get_by_role_and_label(Role::TextInput, "columns to use (e.g. 2,3,4):");
    field.focus();
    field.type_text("2,3,4");
    h.run_steps(2);
    h.get_by_label("Reload with these columns").click();
    settle(&mut h);
    let Distribution::Histogram(hist) = h.state().p.dist.as_ref() else {
        panic!("not loaded: {:?}", h.state().p.error)
    };
    assert_eq!(hist.masses(), &[0.25, 0.75]);
}

#[test]
fn opening_an_exported_png_restores_the_comparison_and_a_newer_one_is_refused() {
    use kl_explorer::io::session::{Session, SideState};
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("shared.png");
    let session = Session {
        p: SideState::from_spec("gamma(2, 1)"),
        q: SideState::from_spec("exponential(0.5)"),
        unit: kl_explorer::divergence::Unit::Bits,
        ..Session::default()
    };
    kl_explorer::io::png::write_png(&png, 2, 2, &[255; 16], &session).unwrap();
    let mut h = harness(LaunchOptions::default());
    h.state_mut().run_command(Command::OpenSession(png));
    settle_until(&mut h, |a| a.p.dist.to_spec() == "gamma(2, 1)");
    assert_eq!(h.state().p.dist.to_spec(), "gamma(2, 1)");
    assert_eq!(h.state().q.dist.to_spec(), "exponential(0.5)");
    assert_eq!(h.state().state.unit, kl_explorer::divergence::Unit::Bits);

    let newer = dir.path().join("newer.json");
    std::fs::write(
        &newer,
        r#"{"format":"kl-explorer-session","version":7,"app_version":"9.0.0"}"#,
    )
    .unwrap();
    h.state_mut().run_command(Command::OpenSession(newer));
    settle_until(&mut h, |a| {
        a.toast_texts()
            .iter()
            .any(|t| t.contains("layout version 7, made by kl-explorer 9.0.0"))
    });
    h.run_steps(2);
    assert!(
        h.query_all_by_label_contains("layout version 7, made by kl-explorer 9.0.0")
            .next()
            .is_some()
    );
    assert_eq!(h.state().p.dist.to_spec(), "gamma(2, 1)", "nothing lost");
}

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kl_values(h: &Harness<'static, KlApp>) -> (f64, f64) {
    let r = h.state().report().unwrap().as_ref().unwrap();
    (r.kl_pq.value, r.kl_qp.value)
}

fn click_checkbox(h: &mut Harness<'static, KlApp>, label: &str) {
    h.get_by_role_and_label(Role::CheckBox, label).click();
    settle(h);
}

#[test]
fn ticking_smoothing_recomputes_every_figure_and_alpha_moves_them() {
    let mut h = harness(LaunchOptions {
        p: Some(
            root()
                .join("assets/feature_train.csv")
                .display()
                .to_string(),
        ),
        q: Some(root().join("assets/feature_prod.csv").display().to_string()),
        ..Default::default()
    });
    let (pq, qp) = kl_values(&h);
    assert!((pq - 0.0825).abs() < 5e-5, "{pq}");
    assert_eq!(qp, f64::INFINITY);
    kl_label(&h, "no smoothing: figures are exact for the data");

    click_checkbox(&mut h, "Additive smoothing");
    // numpy on the smoothed counts (α = 0.5 per bin): 0.0816 and 0.1164.
    let (pq, qp) = kl_values(&h);
    assert!((pq - 0.0816).abs() < 5e-5, "{pq}");
    assert!((qp - 0.1164).abs() < 5e-5, "{qp}");
    kl_label(&h, "all figures with additive smoothing α = 0.5 per bin");

    h.get_by_role_and_label(Role::Slider, "α per bin")
        .set_value_accesskit(2.0);
    settle(&mut h);
    let (pq2, qp2) = kl_values(&h);
    assert!(
        pq2 < pq && qp2 < qp,
        "more smoothing, smaller KL: {pq2} {qp2}"
    );
    kl_label(&h, "all figures with additive smoothing α = 2 per bin");

    click_checkbox(&mut h, "Additive smoothing");
    let (pq, qp) = kl_values(&h);
    assert!((pq - 0.0825).abs() < 5e-5, "{pq}");
    assert_eq!(qp, f64::INFINITY);
    kl_label(&h, "no smoothing: figures are exact for the data");
}

#[test]
fn an_explicit_launch_ignores_the_saved_smoothing() {
    let saved = kl_explorer::app::state::State {
        smoothing: Some(0.5),
        ..Default::default()
    };
    let launch = LaunchOptions {
        p: Some(root().join("assets/zero_bin_p.csv").display().to_string()),
        q: Some(root().join("assets/zero_bin_q.csv").display().to_string()),
        ..Default::default()
    };
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| {
            KlApp::new(
                &cc.egui_ctx,
                Some(saved),
                &launch,
                Arc::new(AtomicU8::new(0)),
            )
        });
    settle(&mut h);
    assert_eq!(h.state().state.smoothing, None);
    assert_eq!(kl_values(&h).0, f64::INFINITY);

    // A plain launch restores it; --no-restore does not.
    let plain = LaunchOptions::default().initial_state(Some(kl_explorer::app::state::State {
        smoothing: Some(0.5),
        ..Default::default()
    }));
    assert_eq!(plain.smoothing, Some(0.5));
    let fresh = LaunchOptions {
        no_restore: true,
        ..Default::default()
    }
    .initial_state(Some(kl_explorer::app::state::State {
        smoothing: Some(0.5),
        ..Default::default()
    }));
    assert_eq!(fresh.smoothing, None);
}

#[test]
fn undo_restores_the_spec_text_with_the_distribution() {
    let mut h = harness(LaunchOptions::default());
    type_spec(&mut h, "normal(0, 1)", "student_t(0,1,3)");
    assert_eq!(h.state().p.dist.to_spec(), "student_t(0, 1, 3)");
    h.get_by_label("Undo").click();
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "normal(0, 1)");
    assert_eq!(h.state().p.text, "normal(0, 1)", "the field follows undo");
    assert!(h.query_all_by_value("normal(0, 1)").next().is_some());
    h.get_by_label("Redo").click();
    settle(&mut h);
    assert_eq!(h.state().p.dist.to_spec(), "student_t(0, 1, 3)");
    assert_eq!(h.state().p.text, "student_t(0,1,3)");
    kl_label(&h, "0.3386 nats");
}

#[test]
fn a_typo_then_undo_shows_no_stale_error() {
    let mut h = harness(LaunchOptions::default());
    type_spec(&mut h, "normal(0, 1)", "student_t(0,1,3)");
    type_spec(&mut h, "student_t(0,1,3)", "nromal(0,1)");
    assert!(h.state().p.error.is_some());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    settle(&mut h);
    let p = &h.state().p;
    assert!(p.error.is_none(), "{:?}", p.error);
    assert_eq!(p.text, p.dist.to_spec());
    assert_eq!(p.text, "normal(0, 1)");
}

#[test]
fn the_how_panel_follows_the_unit_and_the_direction() {
    let mut h = harness(LaunchOptions::default());
    kl_label(&h, "KL(P||Q) exact: 0.4431 nats");
    kl_label(&h, "Δx = (b − a)/(n − 1) = 0.0200");
    h.get_by_label("bits").click();
    settle(&mut h);
    kl_label(&h, "KL(P||Q) exact: 0.6393 bits");
    // 22.135035 nats / ln 2.
    kl_label(&h, "31.9341 bits");
    h.get_by_label("Q||P").click();
    settle(&mut h);
    kl_label(&h, "KL(Q||P) exact: 1.8854 bits");
    assert!(h.query_by_label("KL(P||Q) exact: 0.6393 bits").is_none());
}

#[test]
fn adding_a_mixture_component_keeps_weights_that_sum_to_one() {
    let mut h = harness(LaunchOptions {
        p: Some("0.3*normal(-2, 1) + 0.7*normal(2, 0.5)".into()),
        ..Default::default()
    });
    h.get_by_label("+ Add component").click();
    settle(&mut h);
    let spec = h.state().p.dist.to_spec();
    assert_eq!(
        spec,
        "0.15*normal(-2, 1) + 0.35*normal(2, 0.5) + 0.5*normal(0, 1)"
    );
    assert!(
        h.state().p.dist.notes().is_empty(),
        "nothing was normalised: {:?}",
        h.state().p.dist.notes()
    );
}

#[test]
fn figures_stay_those_of_the_old_pair_while_a_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut text = String::from("left,right,count\n");
    for i in 0..400_000 {
        text.push_str(&format!("{},{},{}\n", i, i + 1, 1 + i % 7));
    }
    std::fs::write(&big, text).unwrap();
    let mut h = harness(LaunchOptions::default());
    let before = h.state().derived().unwrap().request.p.clone();
    h.state_mut().run_command(Command::load(Which::P, &big));
    let mut saw_loading = false;
    for _ in 0..3000 {
        h.step();
        let app = h.state();
        let d = app.derived().unwrap();
        if app.p.loading.is_some() {
            saw_loading = true;
            // Panel, figures and curves all still describe the old P.
            assert!(Arc::ptr_eq(&d.request.p, &before));
            assert!(Arc::ptr_eq(&app.p.dist, &before));
            assert!((d.report.as_ref().unwrap().kl_pq.value - 0.443_147_18).abs() < 1e-6);
        } else if !app.is_busy() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(saw_loading, "the load was observed in flight");
    let d = h.state().derived().unwrap();
    assert!(Arc::ptr_eq(&d.request.p, &h.state().p.dist));
    assert!(matches!(d.p.as_ref(), Distribution::Histogram(_)));
}

#[test]
fn dragging_over_a_large_pair_computes_only_the_last_position() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut text = String::from("left,right,count\n");
    for i in 0..1_000_000u32 {
        let x = -5.0 + f64::from(i) * 1e-5;
        text.push_str(&format!("{x},{},{}\n", x + 1e-5, 1 + i % 5));
    }
    std::fs::write(&big, text).unwrap();
    let mut h = harness(LaunchOptions {
        p: Some(big.display().to_string()),
        q: Some("normal(0, 1)".into()),
        ..Default::default()
    });
    let before = h.state().computations_finished();
    for i in 0..50 {
        h.get_all_by_role_and_label(Role::Slider, "mean")
            .next()
            .unwrap()
            .set_value_accesskit(0.02 * f64::from(i + 1));
        h.step();
    }
    // Frames went on while the worker computed: the app is still busy with the last request.
    assert!(h.state().is_busy(), "no frame waited for the computation");
    settle(&mut h);
    let finished = h.state().computations_finished() - before;
    assert!(
        finished <= 2,
        "{finished} computations ran to the end for 50 drags"
    );
    let d = h.state().derived().unwrap();
    assert_eq!(d.request.q.to_spec(), "normal(1, 1)");
    assert!(Arc::ptr_eq(&d.request.q, &h.state().q.dist));
}

#[test]
fn a_session_naming_a_pipe_is_refused_without_freezing_and_keeps_what_was_there() {
    use kl_explorer::io::session::{Session, SideState};
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("p.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let session = Session {
        p: SideState::from_source(&kl_explorer::io::Source::csv(&fifo)),
        q: SideState::from_spec("normal(0, 3)"),
        ..Session::default()
    };
    let path = dir.path().join("s.json");
    std::fs::write(&path, session.to_json()).unwrap();
    let mut h = harness(LaunchOptions::default());
    h.state_mut().run_command(Command::OpenSession(path));
    settle_until(&mut h, |a| a.p.error.is_some());
    let p = &h.state().p;
    assert!(
        p.error.as_deref().unwrap().contains("not a regular file"),
        "{:?}",
        p.error
    );
    assert_eq!(p.dist.to_spec(), "normal(0, 1)", "P kept");
    assert_eq!(h.state().q.dist.to_spec(), "normal(0, 3)");
}

#[test]
fn a_session_says_when_it_used_its_embedded_copy_because_the_file_differs() {
    use kl_explorer::io::session::{Session, SideState};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.csv");
    std::fs::write(&path, "0,1,1\n1,2,3\n").unwrap();
    let session = Session {
        p: SideState::from_source(&kl_explorer::io::Source::csv(&path)).with_file_contents(),
        q: SideState::from_spec("normal(1, 1)"),
        ..Session::default()
    };
    assert!(session.p.embedded_csv.is_some());
    // The file changes after the session was saved (same size, other counts).
    std::fs::write(&path, "0,1,3\n1,2,1\n").unwrap();
    let saved = dir.path().join("s.json");
    std::fs::write(&saved, session.to_json()).unwrap();
    let mut h = harness(LaunchOptions::default());
    h.state_mut().run_command(Command::OpenSession(saved));
    settle_until(&mut h, |a| {
        matches!(a.p.dist.as_ref(), Distribution::Histogram(_))
    });
    let Distribution::Histogram(hist) = h.state().p.dist.as_ref() else {
        unreachable!()
    };
    assert_eq!(
        hist.masses(),
        &[0.25, 0.75],
        "the embedded copy, not the file"
    );
    let texts = h.state().toast_texts();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("embedded in the session") && t.contains("differs")),
        "{texts:?}"
    );
}

#[test]
fn a_session_says_when_a_large_file_it_names_has_changed_since_it_was_saved() {
    use kl_explorer::io::session::{Session, SideState};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    // Past the embedding limit, so the session keeps the file's SHA-256 instead of its text.
    let rows = |first: u32| -> String {
        (0..120_000)
            .map(|i| format!("{i},{},{}\n", i + 1, if i == 0 { first } else { 1 }))
            .collect()
    };
    std::fs::write(&path, rows(1)).unwrap();
    let session = Session {
        p: SideState::from_source(&kl_explorer::io::Source::csv(&path)).with_file_contents(),
        q: SideState::from_spec("normal(1, 1)"),
        ..Session::default()
    };
    assert!(session.p.embedded_csv.is_none() && session.p.sha256.is_some());
    let saved = dir.path().join("s.json");
    std::fs::write(&saved, session.to_json()).unwrap();

    // The message is read as soon as the session is applied: it stays on screen for a few of
    // the harness's seconds, and the load after it steps many frames.
    let opened = |h: &mut Harness<'static, KlApp>| {
        for _ in 0..3000 {
            h.step();
            let texts = h.state().toast_texts();
            if texts.iter().any(|t| t.starts_with("Opened")) {
                return texts;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("the session was not applied");
    };
    // Unchanged: no note.
    let mut h = harness(LaunchOptions::default());
    h.state_mut()
        .run_command(Command::OpenSession(saved.clone()));
    let texts = opened(&mut h);
    assert!(!texts.iter().any(|t| t.contains("SHA-256")), "{texts:?}");

    // Changed (the first bin's count): the note names the file and says which data is shown.
    std::fs::write(&path, rows(9)).unwrap();
    let mut h = harness(LaunchOptions::default());
    h.state_mut().run_command(Command::OpenSession(saved));
    let texts = opened(&mut h);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("big.csv") && t.contains("SHA-256 differs")),
        "{texts:?}"
    );
    settle_until(&mut h, |a| {
        matches!(a.p.dist.as_ref(), Distribution::Histogram(_))
    });
    let Distribution::Histogram(hist) = h.state().p.dist.as_ref() else {
        unreachable!()
    };
    assert!(
        (hist.masses()[0] - 9.0 / 120_008.0).abs() < 1e-15,
        "the file as it is now"
    );
}
