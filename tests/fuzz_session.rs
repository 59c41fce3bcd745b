//! Hostile sessions (issue 11): random mutations of a valid session written by the app's own
//! code — flipped bytes, truncation, huge numbers, deep nesting, wrong types, giant strings —
//! never panic, and opening one (parsing it, then reading each side as the window does: the
//! spec parsed, the embedded CSV read with the session's CSV options) ends within a bound.
//! The same for the `kl-explorer:session` iTXt chunk of a PNG made by the app's writer.
//!
//! The time bound is a guard against a freeze (a capacity of 2^64 − 1, a quote that never
//! closes), set far above the milliseconds an open takes; speed itself is measured elsewhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::time::{Duration, Instant};

use kl_explorer::distribution::parse_spec;
use kl_explorer::io::Source;
use kl_explorer::io::png::{KEYWORD, read_png_session, write_png};
use kl_explorer::io::session::{Session, SideState};
use proptest::prelude::*;

const FREEZE: Duration = Duration::from_secs(5);

/// A valid session made by the app's own code: P a CSV file (embedded), Q a spec.
fn valid_session() -> Session {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("train.csv");
    std::fs::write(&csv, "left,right,count\n0,1,3\n1,2,5\n2,3,\"2\"\n").unwrap();
    let mut s = Session {
        p: SideState::from_source(&Source::csv(&csv)).with_file_contents(),
        q: SideState::from_spec("0.3*normal(-2, 1) + 0.7*student_t(0, 2, 3)"),
        smoothing: Some(0.5),
        ..Session::default()
    };
    s.figures = Some(serde_json::json!({"kl_pq": 0.25, "unit": "nats"}));
    assert!(s.p.embedded_csv.is_some());
    s
}

/// Opens a session's text as the window does, without a window.
fn open(text: &str) {
    let Ok(session) = Session::from_json(text) else {
        return;
    };
    for side in [&session.p, &session.q] {
        match side.source() {
            Source::Spec(spec) => {
                let _ = parse_spec(&spec);
            }
            Source::Csv { path, options } => {
                if let Some(text) = &side.embedded_csv {
                    let _ = kl_explorer::io::csv::read_histogram(
                        text.as_bytes(),
                        &path.display().to_string(),
                        &options,
                    );
                }
            }
        }
    }
}

fn open_within_bound(text: &str) -> Result<(), TestCaseError> {
    let start = Instant::now();
    open(text);
    let took = start.elapsed();
    prop_assert!(took < FREEZE, "an open took {took:?}");
    Ok(())
}

/// One mutation of a session's JSON.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the byte at (position mod length) with this byte.
    Flip(usize, u8),
    /// Keep only the first (position mod length) bytes.
    Truncate(usize),
    /// Replace the value at a path (chosen by index) with a hostile one.
    Value(usize, Hostile),
}

#[derive(Clone, Debug)]
enum Hostile {
    Number(&'static str),
    Nested(usize),
    WrongType(&'static str),
    GiantString(usize),
}

impl Hostile {
    fn text(&self) -> String {
        match self {
            Hostile::Number(n) => (*n).to_string(),
            Hostile::Nested(depth) => format!("{}{}", "[".repeat(*depth), "]".repeat(*depth)),
            Hostile::WrongType(t) => (*t).to_string(),
            Hostile::GiantString(n) => format!("\"{}\"", "0,1,\"5\n".repeat(*n)),
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let hostile = prop_oneof![
        prop::sample::select(vec![
            "18446744073709551615",
            "10000000000",
            "1e999",
            "-1e999",
            "-1",
            "1e-400",
            "123456789012345678901234567890",
            "NaN",
        ])
        .prop_map(Hostile::Number),
        prop::sample::select(vec![64usize, 1_000, 100_000]).prop_map(Hostile::Nested),
        prop::sample::select(vec![
            "true",
            "null",
            "[]",
            "{}",
            "\"x\"",
            "[1,2,3]",
            "{\"a\":{}}"
        ])
        .prop_map(Hostile::WrongType),
        prop::sample::select(vec![1usize, 100_000, 1_500_000]).prop_map(Hostile::GiantString),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), hostile).prop_map(|(i, h)| Mutation::Value(i, h)),
    ]
}

/// The JSON pointer of every value in a document, containers included.
fn value_paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    out.push(prefix.to_string());
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                value_paths(x, &format!("{prefix}/{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                value_paths(x, &format!("{prefix}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn apply(base: &str, m: &Mutation) -> String {
    if base.is_empty() {
        return String::new();
    }
    match m {
        Mutation::Flip(i, b) => {
            let mut bytes = base.as_bytes().to_vec();
            let i = i % bytes.len();
            bytes[i] = *b;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::Truncate(i) => {
            let bytes = base.as_bytes();
            String::from_utf8_lossy(&bytes[..i % bytes.len()]).into_owned()
        }
        Mutation::Value(i, h) => {
            let mut v: serde_json::Value = serde_json::from_str(base).unwrap();
            let mut paths = Vec::new();
            value_paths(&v, "", &mut paths);
            let path = &paths[i % paths.len()];
            // A placeholder replaced as text, so that nesting and numbers beyond serde's own
            // values (1e999, NaN) reach the reader exactly as written.
            let marker = "\"__HOSTILE__\"";
            if path.is_empty() {
                return h.text();
            }
            *v.pointer_mut(path).unwrap() = serde_json::Value::String("__HOSTILE__".into());
            serde_json::to_string_pretty(&v)
                .unwrap()
                .replacen(marker, &h.text(), 1)
        }
    }
}

/// A small PNG laid out as the app's writer lays it out, with `text` as its session chunk (an
/// uncompressed or a compressed iTXt chunk).
fn png_with_session_text(
    dir: &std::path::Path,
    text: &str,
    compressed: bool,
) -> std::path::PathBuf {
    let path = dir.join("s.png");
    let rgba = vec![200u8; 4 * 4 * 4];
    // The app's writer takes a Session and serialises it; a crafted chunk is text, so the
    // same encoder settings are used directly.
    let file = std::fs::File::create(&path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), 4, 4);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut chunk = png::text_metadata::ITXtChunk::new(KEYWORD, text);
    if compressed {
        chunk.compress_text().unwrap();
    }
    let mut w = enc.write_header().unwrap();
    w.write_text_chunk(&chunk).unwrap();
    w.write_image_data(&rgba).unwrap();
    w.finish().unwrap();
    path
}

#[test]
fn the_apps_own_session_opens_and_reads_back_both_sides() {
    let s = valid_session();
    let text = s.to_json();
    assert_eq!(Session::from_json(&text).unwrap(), s);
    let p = &s.p;
    let Source::Csv { path, options } = p.source() else {
        panic!("P is a file")
    };
    let h = kl_explorer::io::csv::read_histogram(
        p.embedded_csv.as_ref().unwrap().as_bytes(),
        &path.display().to_string(),
        &options,
    );
    assert!(h.is_ok(), "{h:?}");
    // The PNG route carries the same session.
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("x.png");
    write_png(&png, 4, 4, &[9u8; 64], &s).unwrap();
    assert_eq!(read_png_session(&png).unwrap().0, s);
}

#[test]
fn a_zlib_bomb_in_the_png_chunk_is_refused_naming_the_limit() {
    // 100 MB of one byte, compressed: it inflates past the 64 MiB limit.
    let dir = tempfile::tempdir().unwrap();
    let big = "0".repeat(100 << 20);
    let png = png_with_session_text(dir.path(), &big, true);
    let start = Instant::now();
    let err = read_png_session(&png).unwrap_err().to_string();
    assert!(start.elapsed() < FREEZE);
    assert!(err.contains("64 MB"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_session_never_panics_and_opens_within_a_bound(
        ms in prop::collection::vec(mutation(), 1..4)
    ) {
        let mut text = valid_session().to_json();
        for m in &ms {
            // Value mutations need JSON to walk; on text that no longer parses, flip instead.
            let m = match m {
                Mutation::Value(..) if serde_json::from_str::<serde_json::Value>(&text).is_err() => {
                    Mutation::Flip(text.len() / 2, b'}')
                }
                other => other.clone(),
            };
            text = apply(&text, &m);
        }
        open_within_bound(&text)?;
    }

    #[test]
    fn a_mutated_session_inside_a_png_never_panics_and_opens_within_a_bound(
        m in mutation(),
        compressed in any::<bool>(),
    ) {
        let text = apply(&valid_session().to_json(), &m);
        let dir = tempfile::tempdir().unwrap();
        let png = png_with_session_text(dir.path(), &text, compressed);
        let start = Instant::now();
        if let Ok((session, ..)) = read_png_session(&png) {
            open(&session.to_json());
        }
        prop_assert!(start.elapsed() < FREEZE);
    }
}
