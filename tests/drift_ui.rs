//! The Drift lab driven as a person would (egui_kittest): sort the table by a header, click a
//! row and read the Compare view's figures for that column.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU8;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kl_explorer::app::state::View;
use kl_explorer::app::{KlApp, LaunchOptions};
use kl_explorer::distribution::Distribution;

fn tables(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    // income drifts a little, colour has a label only in current, age not at all.
    let mut a = String::from("income,colour,age\n");
    let mut b = a.clone();
    for i in 0..400u32 {
        let x = f64::from((i * 7919) % 400) / 40.0;
        a.push_str(&format!(
            "{x},{},{}\n",
            ["red", "blue"][(i % 2) as usize],
            20 + i % 50
        ));
    }
    for i in 0..300u32 {
        let x = f64::from((i * 7919) % 300) / 30.0 + 0.7;
        b.push_str(&format!(
            "{x},{},{}\n",
            ["red", "blue", "green"][(i % 3) as usize],
            20 + (i * 3) % 50
        ));
    }
    let (r, c) = (dir.join("reference.csv"), dir.join("current.csv"));
    std::fs::write(&r, a).unwrap();
    std::fs::write(&c, b).unwrap();
    (r, c)
}

fn harness(dir: &Path) -> Harness<'static, KlApp> {
    harness_on(tables(dir))
}

fn harness_on(files: (std::path::PathBuf, std::path::PathBuf)) -> Harness<'static, KlApp> {
    let launch = LaunchOptions {
        no_restore: true,
        view: Some(View::Drift),
        drift: Some(files),
        ..Default::default()
    };
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| {
            KlApp::new(&cc.egui_ctx, None, &launch, Arc::new(AtomicU8::new(0)))
        });
    settle(&mut h, |app| app.labs.drift.current().is_some());
    h
}

fn settle(h: &mut Harness<'static, KlApp>, done: impl Fn(&KlApp) -> bool) {
    for _ in 0..3000 {
        h.step();
        if done(h.state()) && !h.state().is_busy() {
            h.run_steps(3);
            return;
        }
        std::thread::sleep(Duration::from_millis(3));
    }
    panic!("timed out");
}

/// Clicks "fixed" for the selected (first) column and waits for its fixed:10 answer.
fn choose_fixed_for_the_first_column(h: &mut Harness<'static, KlApp>) {
    h.get_by_role_and_label(Role::Button, "fixed").click();
    settle(h, |app| {
        app.labs
            .drift
            .current()
            .is_some_and(|c| c.report.columns[0].bins == "fixed:10")
    });
}

fn names_in_order(app: &KlApp) -> Vec<String> {
    let c = app.labs.drift.current().unwrap();
    app.labs
        .drift
        .order()
        .into_iter()
        .map(|i| c.report.columns[i].column.clone())
        .collect()
}

#[test]
fn clicking_a_header_sorts_the_rows_by_that_figure() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    assert_eq!(names_in_order(h.state()), ["income", "colour", "age"]);
    h.get_by_role_and_label(Role::Button, "JS").click();
    h.run_steps(2);
    let order = names_in_order(h.state());
    let c = h.state().labs.drift.current().unwrap();
    let js = |name: &str| {
        c.report
            .columns
            .iter()
            .find(|d| d.column == name)
            .unwrap()
            .js
            .value
    };
    let shown: Vec<f64> = order.iter().map(|n| js(n)).collect();
    assert!(
        shown.windows(2).all(|w| w[0] >= w[1]),
        "{order:?} {shown:?}"
    );
    assert_ne!(order, ["income", "colour", "age"], "{shown:?}");
    // Clicking again reverses.
    h.get_by_role_and_label(Role::Button, "JS v").click();
    h.run_steps(2);
    let mut reversed = order.clone();
    reversed.reverse();
    assert_eq!(names_in_order(h.state()), reversed);
}

#[test]
fn clicking_a_row_opens_its_bins_as_p_and_q_with_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let drift = h.state().labs.drift.current().unwrap().report.columns[0].clone();
    assert_eq!(drift.column, "income");
    // The row's name (the first "income" on screen; the selected column's title comes after).
    h.query_all_by_label("income").next().unwrap().click();
    settle(&mut h, |app| {
        matches!(app.p.dist.as_ref(), Distribution::Categories(_))
            && matches!(app.q.dist.as_ref(), Distribution::Categories(_))
            && app.report().is_some_and(|r| r.is_ok())
    });
    let Distribution::Categories(p) = h.state().p.dist.as_ref() else {
        unreachable!()
    };
    assert_eq!(p.labels, drift.labels);
    #[allow(clippy::cast_precision_loss)]
    let counts: Vec<f64> = drift.counts_reference.iter().map(|&c| c as f64).collect();
    assert_eq!(p.counts, counts);
    let report = h.state().report().unwrap().as_ref().unwrap().clone();
    for (got, want) in [
        (report.kl_pq.value, drift.kl_pq.value),
        (report.kl_qp.value, drift.kl_qp.value),
        (report.js.value, drift.js.value),
        (report.hellinger.value, drift.hellinger.value),
    ] {
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{got} {want}"
        );
    }
    // And the button shows the comparison.
    h.get_by_role_and_label(Role::Button, "Show in Compare")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().state.view, View::Compare);
}

#[test]
fn a_new_binning_writes_new_files_and_leaves_the_opened_ones_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let first = h.state().labs.drift.current().unwrap().files[0]
        .clone()
        .unwrap();
    let before = std::fs::read_to_string(&first.0).unwrap();
    assert!(before.contains("\"(-∞, "), "{before}");
    choose_fixed_for_the_first_column(&mut h);
    let second = h.state().labs.drift.current().unwrap().files[0]
        .clone()
        .unwrap();
    assert_ne!(second.0, first.0);
    assert_eq!(std::fs::read_to_string(&first.0).unwrap(), before);
    let after = std::fs::read_to_string(&second.0).unwrap();
    assert!(after.starts_with("label,count\n\"[0, "), "{after}");
    // Closing the app removes its files.
    drop(h);
    for f in [first.0, second.0] {
        assert!(
            !f.exists(),
            "{} is still there after the app closed",
            f.display()
        );
    }
}

/// The library's report for the test tables with these options.
fn library(
    dir: &Path,
    options: &kl_explorer::drift::DriftOptions,
) -> kl_explorer::drift::DriftReport {
    use kl_explorer::cancel::{Cancel, Progress};
    let c = Cancel::default();
    let read = |name: &str| kl_explorer::io::table::read_table(&dir.join(name), None, &c).unwrap();
    kl_explorer::drift::drift_tables(
        &read("reference.csv"),
        &read("current.csv"),
        options,
        &c,
        &Progress::new(),
    )
    .unwrap()
}

fn shown(app: &KlApp, name: &str) -> kl_explorer::drift::ColumnDrift {
    let c = app.labs.drift.current().unwrap();
    c.report
        .columns
        .iter()
        .find(|d| d.column == name)
        .unwrap()
        .clone()
}

#[test]
fn choosing_a_columns_binning_changes_its_kl_to_the_librarys_for_that_binning() {
    use kl_explorer::drift::{Binning, DriftOptions};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let before = shown(h.state(), "income");
    assert_eq!(before.bins, "quantile:10");
    // income is selected (the first row): give it fixed bins, then K = 10 → 10 stays.
    choose_fixed_for_the_first_column(&mut h);
    let after = shown(h.state(), "income");
    let want = library(
        dir.path(),
        &DriftOptions {
            per_column: HashMap::from([("income".to_string(), Binning::Fixed(10))]),
            ..DriftOptions::default()
        },
    );
    assert_eq!(after.kl_pq.value, want.columns[0].kl_pq.value);
    assert_ne!(after.kl_pq.value, before.kl_pq.value);
    // The table shows the new figure; the other columns keep quantile:10.
    h.get_by_label(&kl_explorer::app::plots::format_value(after.kl_pq.value));
    assert_eq!(shown(h.state(), "age").bins, "quantile:10");
    assert_eq!(
        shown(h.state(), "age").kl_pq.value,
        want.columns[2].kl_pq.value
    );
}

#[test]
fn forcing_a_columns_kind_changes_its_kl_to_the_librarys_for_that_kind() {
    use kl_explorer::drift::{ColumnKind, DriftOptions};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    // income (selected, the first row) is numeric; as labels, each value its own.
    let before = shown(h.state(), "income");
    assert_eq!(before.kind, ColumnKind::Numeric);
    h.get_by_role_and_label(Role::Button, "categorical").click();
    settle(&mut h, |app| {
        app.labs
            .drift
            .current()
            .is_some_and(|c| c.report.columns[0].kind == ColumnKind::Categorical)
    });
    let after = shown(h.state(), "income");
    let want = library(
        dir.path(),
        &DriftOptions {
            kinds: HashMap::from([("income".to_string(), ColumnKind::Categorical)]),
            ..DriftOptions::default()
        },
    );
    assert_eq!(after.kl_pq, want.columns[0].kl_pq);
    assert_eq!(after.js.value, want.columns[0].js.value);
    assert!(after.labels == want.columns[0].labels);
    assert_ne!(after.kl_pq.value, before.kl_pq.value);
    assert_eq!(after.labels.len(), want.columns[0].labels.len());
    assert!(after.labels.len() > 400, "{}", after.labels.len());
    // The row still selected, its kind shown as chosen.
    assert_eq!(h.state().labs.drift.selected(), Some(0));
    assert_eq!(after.kind_reason, "chosen");
}

/// A rule that asks for more bins than the sensitivity curve reaches (Freedman–Diaconis on a
/// column with one far value) is named beside the curve, not drawn at its K: its line would
/// stretch the axis. With the far value gone, every rule is within the curve and none is named.
#[test]
fn a_rule_beyond_the_bins_curve_is_named_not_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let write = |far: bool| {
        let mut a = String::from("x\n");
        let mut b = a.clone();
        for i in 0..300u32 {
            a.push_str(&format!("{}\n", f64::from((i * 7919) % 300) / 30.0));
            b.push_str(&format!("{}\n", f64::from((i * 7919) % 300) / 30.0 + 0.5));
        }
        if far {
            a.push_str("100000\n");
        }
        let name = if far { "far" } else { "near" };
        let (r, c) = (
            dir.path().join(format!("{name}-r.csv")),
            dir.path().join(format!("{name}-c.csv")),
        );
        std::fs::write(&r, a).unwrap();
        std::fs::write(&c, b).unwrap();
        (r, c)
    };
    // A Role::Label node keeps its text as its value.
    let label = |h: &Harness<'static, KlApp>| {
        h.query_by_label_contains("against quantile:K bins")
            .expect("the bins curve's heading")
            .accesskit_node()
            .value()
            .unwrap_or_default()
    };
    let mut far = harness_on(write(true));
    settle(&mut far, |app| app.labs.drift.current().is_some());
    let text = label(&far);
    assert!(text.contains("fd: "), "{text}");
    assert!(text.contains("beyond the curve's 200 bins"), "{text}");
    // Sturges' rule (10 bins for 301 values) is within the curve: drawn, not named.
    assert!(!text.contains("sturges"), "{text}");
    let mut near = harness_on(write(false));
    settle(&mut near, |app| app.labs.drift.current().is_some());
    let text = label(&near);
    assert!(!text.contains("beyond"), "{text}");
}
