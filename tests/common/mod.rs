//! Helpers shared by the test files: the binary as a script runs it, and the window as a
//! person drives it (egui_kittest). Each test file uses some of them.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicU8;
use std::time::Duration;

use egui_kittest::Harness;
use kl_explorer::app::{KlApp, LaunchOptions};

/// Runs `kl-explorer ARGS` from the crate's folder: exit code, stdout, stderr.
pub fn kl(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `kl-explorer ARGS`, which must succeed, and parses its output as one JSON value.
pub fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = kl(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(out.trim()).unwrap()
}

/// The whole app in a headless harness of `size` points, started with `launch` and settled.
pub fn app_harness(launch: LaunchOptions, size: [f32; 2]) -> Harness<'static, KlApp> {
    let mut h = Harness::builder().with_size(size).build_eframe(move |cc| {
        KlApp::new(&cc.egui_ctx, None, &launch, Arc::new(AtomicU8::new(0)))
    });
    settle(&mut h);
    h
}

/// Steps frames until the background work is done and the result is drawn (at most about
/// 10 s, a guard against a freeze).
pub fn settle(h: &mut Harness<'static, KlApp>) {
    for _ in 0..4000 {
        h.step();
        if !h.state().is_busy() {
            h.run_steps(3);
            if !h.state().is_busy() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("the app stayed busy");
}
