//! The real window: `kl-explorer --screenshot` under Xvfb, as CI and scripts use it. The PNG
//! must have the requested size, not be blank, carry the comparison in its metadata, and
//! reopen to the same figures. Skipped (with a message) where Xvfb is not installed, except in
//! CI (CI=true), where that is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::path::Path;
use std::process::Command;

use kl_explorer::io::png::read_png_session;

fn xvfb_available() -> bool {
    let found = Command::new("sh")
        .args(["-c", "command -v xvfb-run"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true but xvfb-run is missing: .ci/run installs it"
        );
        eprintln!(
            "skipped: xvfb-run is not installed (apt-get install xvfb xauth libgl1-mesa-dri)"
        );
    }
    found
}

/// Whether xvfb-run itself failed after the app ran (its exit 5, "problem while cleaning up
/// temporary directory", seen when several run at once on a loaded machine): the app's own
/// exit status is then lost, so the run is made again.
fn xvfb_run_failed(run: &std::process::Output) -> bool {
    run.status.code() == Some(5)
        && String::from_utf8_lossy(&run.stderr)
            .contains("xvfb-run: error: problem while cleaning up")
}

/// Runs `command` (an xvfb-run invocation), again once if xvfb-run itself failed.
fn run_under_xvfb(mut command: impl FnMut() -> Command) -> std::process::Output {
    let run = command().output().unwrap();
    if xvfb_run_failed(&run) {
        return command().output().unwrap();
    }
    run
}

fn screenshot(args: &[&str], out: &Path) -> std::process::Output {
    run_under_xvfb(|| {
        let mut c = Command::new("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1600x1000x24"])
            .arg(env!("CARGO_BIN_EXE_kl-explorer"))
            .args(args)
            .arg("--screenshot")
            .arg(out)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("XDG_DATA_HOME", out.parent().unwrap());
        c
    })
}

/// Width, height and the variance of the luminance of a PNG.
fn png_stats(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let lum: Vec<f64> = bytes
        .chunks(4)
        .map(|c| 0.2126 * f64::from(c[0]) + 0.7152 * f64::from(c[1]) + 0.0722 * f64::from(c[2]))
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    (info.width, info.height, var)
}

fn compute_json(p: &str, q: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .args(["compute", "--p", p, "--q", q, "--json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn default_comparison_screenshot_has_size_content_and_metadata() {
    if !xvfb_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("default.png");
    let run = screenshot(&["--size", "1400x900"], &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (w, h, var) = png_stats(&out);
    assert!((w, h) == (1400, 900), "size {w}x{h}");
    assert!(
        var > 100.0,
        "the image looks blank (luminance variance {var})"
    );
    let (session, ..) = read_png_session(&out).unwrap();
    assert_eq!(session.p.spec, "normal(0, 1)");
    assert_eq!(session.q.spec, "normal(1, 2)");
    let figures = session.figures.unwrap();
    let exact = 2f64.ln() + 0.25 - 0.5;
    assert!(
        (figures["kl_pq"].as_f64().unwrap() - exact).abs() < 1e-14,
        "{figures}"
    );
    assert_eq!(figures["unit"], "nats");
    // Reopening: the specs in the PNG give the same figures again.
    let again = compute_json(&session.p.spec, &session.q.spec);
    assert_eq!(again["kl_pq"], figures["kl_pq"]);
    assert_eq!(again["js"], figures["js"]);
}

#[test]
fn histogram_pair_screenshot_embeds_the_data_and_plots_only_is_smaller() {
    if !xvfb_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hist.png");
    let run = screenshot(
        &[
            "--p",
            "assets/feature_train.csv",
            "--q",
            "assets/feature_prod.csv",
            "--size",
            "1200x800",
            "--plots-only",
        ],
        &out,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (w, h, var) = png_stats(&out);
    assert!(
        w < 1200 && h < 800 && w > 400 && h > 400,
        "plots-only size {w}x{h}"
    );
    assert!(var > 100.0, "blank plots (variance {var})");
    let (session, ..) = read_png_session(&out).unwrap();
    let train = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/feature_train.csv"),
    )
    .unwrap();
    assert_eq!(session.p.embedded_csv.as_deref(), Some(train.as_str()));
    let figures = session.figures.unwrap();
    let cli = compute_json("assets/feature_train.csv", "assets/feature_prod.csv");
    assert_eq!(figures["kl_pq"], cli["kl_pq"]);
    assert_eq!(figures["kl_qp"], "inf");
    assert!(
        figures["reason_qp"]
            .as_str()
            .unwrap()
            .contains("where P's density is 0")
    );
}

#[test]
fn without_a_display_the_window_says_so_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .arg("--screenshot")
        .arg(dir.path().join("x.png"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no display"), "{err}");
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn a_bad_spec_or_an_incomparable_pair_exits_2_without_a_picture() {
    if !xvfb_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            vec!["--p", "nromal(0,1)"],
            "unknown family 'nromal' (did you mean normal?)",
        ),
        (
            vec!["--p", "poisson(3)", "--q", "normal(0, 1)"],
            "KL between a mass function and a density is not defined",
        ),
        (vec!["--p", "assets/no_such_file.csv"], "file not found"),
    ] {
        let out = dir.path().join("bad.png");
        let run = screenshot(&args, &out);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?}: no picture of another comparison");
    }
}

#[test]
fn smoothing_on_the_command_line_reaches_the_picture_and_its_metadata() {
    if !xvfb_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("smoothed.png");
    let run = screenshot(
        &[
            "--p",
            "assets/zero_bin_p.csv",
            "--q",
            "assets/zero_bin_q.csv",
            "--smoothing",
            "0.5",
        ],
        &out,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (session, ..) = read_png_session(&out).unwrap();
    assert_eq!(session.smoothing, Some(0.5));
    let figures = session.figures.unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .args([
            "compute",
            "--p",
            "assets/zero_bin_p.csv",
            "--q",
            "assets/zero_bin_q.csv",
            "--smoothing",
            "0.5",
            "--json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert!(
        cli["kl_pq"].as_f64().is_some(),
        "smoothed KL is finite: {cli}"
    );
    assert_eq!(figures["kl_pq"], cli["kl_pq"]);
    assert_eq!(figures["kl_qp"], cli["kl_qp"]);
}

#[test]
fn opening_an_exported_png_from_the_command_line_renders_it_and_a_bad_file_exits_2() {
    if !xvfb_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.png");
    let run = screenshot(&["--p", "gamma(2, 1)", "--q", "exponential(0.5)"], &first);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let second = dir.path().join("second.png");
    let run = screenshot(&[first.to_str().unwrap()], &second);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (a, ..) = read_png_session(&first).unwrap();
    let (b, ..) = read_png_session(&second).unwrap();
    assert_eq!(b.p.spec, "gamma(2, 1)");
    assert_eq!(a.figures, b.figures);

    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"a\": 1}").unwrap();
    let out = dir.path().join("third.png");
    let run = screenshot(&[junk.to_str().unwrap()], &out);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("not a kl-explorer session"), "{err}");
    assert!(err.contains("junk.json"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_screenshot_name_not_ending_in_png_is_refused_at_once_with_exit_2() {
    // Refused before any window opens, so no display is needed (and none is given: the
    // refusal must not wait for one).
    let dir = tempfile::tempdir().unwrap();
    for name in ["x.jpg", "x.JPEG", "x", "x.png.gif"] {
        let out = dir.path().join(name);
        let run = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
            .arg("--screenshot")
            .arg(&out)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("must end in .png"), "{name}: {err}");
        assert!(err.trim_end().ends_with(name), "the path comes last: {err}");
        assert!(!out.exists(), "{name}");
    }
    // Any case of .png is a PNG name: it gets as far as asking for a display.
    let run = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .arg("--screenshot")
        .arg(dir.path().join("x.PNG"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no display"));
}

/// Runs `kl-explorer FILE --screenshot out` under Xvfb with a hard time limit, so that a
/// freeze fails the test instead of hanging it.
fn screenshot_within(limit_secs: u32, file: &Path, out: &Path) -> std::process::Output {
    run_under_xvfb(|| {
        let mut c = Command::new("timeout");
        c.arg(limit_secs.to_string())
            .args(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"])
            .arg(env!("CARGO_BIN_EXE_kl-explorer"))
            .arg(file)
            .arg("--screenshot")
            .arg(out)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("XDG_DATA_HOME", out.parent().unwrap());
        c
    })
}

#[test]
fn crafted_sessions_and_pngs_open_in_the_window_without_a_freeze_or_a_panic() {
    use kl_explorer::io::Source;
    use kl_explorer::io::png::write_png;
    use kl_explorer::io::session::{Session, SideState};

    if !xvfb_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A valid session made by the app's own code: P a samples CSV (embedded), Q a spec.
    let samples = dir.path().join("samples.csv");
    let rows: String = (0..200)
        .map(|i| format!("{}\n", f64::from(i) * 0.05))
        .collect();
    std::fs::write(&samples, format!("x\n{rows}")).unwrap();
    let valid = Session {
        p: SideState::from_source(&Source::csv(&samples)).with_file_contents(),
        q: SideState::from_spec("normal(5, 3)"),
        ..Session::default()
    };
    assert!(valid.p.embedded_csv.is_some());
    let base: serde_json::Value = serde_json::from_str(&valid.to_json()).unwrap();
    let crafted = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = base.clone();
        edit(&mut v);
        let path = dir.path().join(name);
        std::fs::write(&path, v.to_string()).unwrap();
        path
    };
    let fifo = dir.path().join("fifo.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo_text = fifo.display().to_string();
    let mut files = vec![
        crafted("bins_max.json", &|v| {
            v["p"]["csv"]["bins"] = serde_json::json!(u64::MAX);
        }),
        crafted("bins_1e10.json", &|v| {
            v["p"]["csv"]["bins"] = serde_json::json!(10_000_000_000u64);
        }),
        crafted("open_quote.json", &|v| {
            v["p"]["embedded_csv"] = serde_json::json!("x\n0.5\n\"1.5\n2.5\n3.5\n");
        }),
        crafted("fifo.json", &|v| {
            v["p"]["spec"] = serde_json::json!(fifo_text.clone());
            v["p"]["embedded_csv"] = serde_json::Value::Null;
            v["p"]["sha256"] = serde_json::Value::Null;
        }),
    ];
    // The same crafted session inside an exported PNG's metadata.
    let mut in_png: Session =
        Session::from_json(&std::fs::read_to_string(&files[0]).unwrap()).unwrap_or(valid.clone());
    in_png.p.csv.bins = Some(usize::MAX);
    let png = dir.path().join("bins_max.png");
    write_png(&png, 8, 8, &[120u8; 8 * 8 * 4], &in_png).unwrap();
    files.push(png);
    // A zlib bomb: a compressed session chunk that inflates to 100 MB.
    let bomb = dir.path().join("bomb.png");
    {
        let file = std::fs::File::create(&bomb).unwrap();
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), 4, 4);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut chunk = png::text_metadata::ITXtChunk::new(
            kl_explorer::io::png::KEYWORD,
            "0".repeat(100 << 20),
        );
        chunk.compress_text().unwrap();
        let mut w = enc.write_header().unwrap();
        w.write_text_chunk(&chunk).unwrap();
        w.write_image_data(&[200u8; 64]).unwrap();
        w.finish().unwrap();
    }
    files.push(bomb);

    let keep = std::env::var_os("KL_KEEP_SCREENSHOTS").map(std::path::PathBuf::from);
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let out = dir.path().join(format!("{name}.shot.png"));
        let run = screenshot_within(90, file, &out);
        let err = String::from_utf8_lossy(&run.stderr);
        match run.status.code() {
            // Refused: one sentence naming the file, and no picture.
            Some(2) => {
                assert!(err.contains(&name), "{name}: {err}");
                assert!(!out.exists(), "{name}");
            }
            // Opened: the window drew, with the refusal said on screen.
            Some(0) => {
                let (w, h, var) = png_stats(&out);
                assert!(w > 0 && h > 0 && var > 1.0, "{name}");
                if let Some(keep) = &keep {
                    std::fs::copy(&out, keep.join(format!("{name}.png"))).unwrap();
                }
            }
            other => panic!("{name}: exit {other:?} (124 is a freeze); stderr: {err}"),
        }
        eprintln!("{name}: exit {:?}: {}", run.status.code(), err.trim());
    }
}
