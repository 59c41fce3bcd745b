//! The native file dialog end to end: Ctrl+O runs rfd on a worker thread; rfd falls back to
//! zenity when there is no XDG portal, and a stub `zenity` on PATH answers with a path. Then the
//! same with no dialog backend at all: the app must say so instead of hanging.
//!
//! One test in its own binary, because it changes PATH for the whole process.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design
#![allow(unsafe_code)] // set_var: this binary runs a single test, so no other thread reads env

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::sync::atomic::AtomicU8;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kl_explorer::app::{KlApp, LaunchOptions};
use kl_explorer::distribution::Distribution;

fn settle_until(h: &mut Harness<'static, KlApp>, done: impl Fn(&KlApp) -> bool) {
    for _ in 0..3000 {
        h.step();
        if done(h.state()) && !h.state().is_busy() {
            h.run_steps(3);
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("timed out waiting for the dialog and the load");
}

#[test]
fn ctrl_o_through_a_zenity_dialog_loads_p_and_no_backend_is_explained() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let csv = root.join("assets/feature_train.csv");
    let bin = tempfile::tempdir().unwrap();
    let stub = bin.path().join("zenity");
    std::fs::write(&stub, format!("#!/bin/sh\necho '{}'\n", csv.display())).unwrap();
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // SAFETY: this test binary has one test, run before any other thread reads the environment.
    unsafe {
        std::env::set_var("PATH", &path);
        std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
    }

    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(|cc| {
            KlApp::new(
                &cc.egui_ctx,
                None,
                &LaunchOptions::default(),
                Arc::new(AtomicU8::new(0)),
            )
        });
    settle_until(&mut h, |a| a.report().is_some());

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    settle_until(&mut h, |a| {
        matches!(a.p.dist.as_ref(), Distribution::Histogram(_))
    });
    let Distribution::Histogram(hist) = h.state().p.dist.as_ref() else {
        unreachable!()
    };
    assert_eq!(hist.len(), 16);
    assert!(h.query_all_by_label("feature_train.csv").next().is_some());

    // No portal and no zenity: the app says what to do instead.
    std::fs::remove_file(&stub).unwrap();
    // SAFETY: as above.
    unsafe { std::env::set_var("PATH", "/usr/bin:/bin") };
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::O,
    );
    for _ in 0..400 {
        h.step();
        if h.query_all_by_label_contains("No file dialog is available")
            .next()
            .is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        h.query_all_by_label_contains("No file dialog is available on this desktop")
            .next()
            .is_some(),
        "the missing dialog is explained"
    );
    assert!(
        matches!(h.state().q.dist.as_ref(), Distribution::Parametric(_)),
        "Q untouched"
    );

    // Saving with no dialog: the figures go to the default name in the current folder, and
    // the app says where.
    let out = tempfile::tempdir().unwrap();
    std::env::set_current_dir(out.path()).unwrap();
    h.state_mut()
        .run_command(kl_explorer::app::Command::OpenDialog(
            kl_explorer::app::tasks::Dialog::ExportFigures,
        ));
    let expected = out.path().join("kl_feature-train.csv_vs_normal-1-2.json");
    for _ in 0..400 {
        h.step();
        if expected.exists() && !h.state().is_busy() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(expected.exists(), "{names:?}");
    h.run_steps(3);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&expected).unwrap()).unwrap();
    assert_eq!(written["q"], "normal(1, 2)");
    assert!(
        h.state()
            .toast_texts()
            .iter()
            .any(|t| t.contains("saved in the current folder as") && t.contains("kl_feature-train")),
        "{:?}",
        h.state().toast_texts()
    );
}
