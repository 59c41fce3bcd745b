//! CSV histograms: every format that is accepted, every class of bad input that is refused
//! (with the message asserted), and exact KL between histograms with different binnings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::io::Write;
use std::path::PathBuf;

use kl_explorer::distribution::Distribution;
use kl_explorer::divergence::{Options, compare, kl_divergence};
use kl_explorer::io::{CsvErrorKind, CsvOptions, LoadControl, LoadErrorKind, load_histogram};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
    path
}

fn load(bytes: &[u8]) -> Result<Distribution, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "h.csv", bytes);
    load_histogram(&path, &CsvOptions::default(), &LoadControl::default())
        .map_err(|e| e.to_string())
}

fn hist(bytes: &[u8]) -> std::sync::Arc<kl_explorer::distribution::Histogram> {
    match load(bytes).unwrap() {
        Distribution::Histogram(h) => h,
        other => panic!("not a histogram: {other:?}"),
    }
}

fn err(bytes: &[u8]) -> String {
    load(bytes).unwrap_err()
}

#[test]
fn edges_with_header_comments_crlf_and_bom() {
    let h = hist(b"\xEF\xBB\xBF# exported\r\nLeft,Right,Count\r\n0,1,2\r\n1,3,6\r\n");
    assert_eq!(h.len(), 2);
    assert_eq!(h.masses(), &[0.25, 0.75]);
    assert!(
        h.note_lines()
            .iter()
            .any(|n| n.contains("left, right, count"))
    );
}

#[test]
fn semicolons_tabs_spaces_quotes_and_scientific_notation() {
    for text in [
        "0;1;2\n1;2;2\n",
        "0\t1\t2\n1\t2\t2\n",
        "0  1   2\n1 2 2\n",
        "\"0\",\"1\",\"2e0\"\n\"1\",\"2\",\"0.2E1\"\n",
    ] {
        let h = hist(text.as_bytes());
        assert_eq!(h.masses(), &[0.5, 0.5], "{text:?}");
    }
}

#[test]
fn centres_get_edges_midway() {
    let h = hist(b"center,count\n0,1\n1,1\n3,2\n");
    assert_eq!(h.lefts(), &[-0.5, 0.5, 2.0]);
    assert_eq!(h.rights(), &[0.5, 2.0, 4.0]);
}

#[test]
fn probability_and_density_columns() {
    let h = hist(b"left,right,probability\n0,1,0.2\n1,2,0.6\n");
    assert!((h.masses()[0] - 0.25).abs() < 1e-15);
    assert!(
        h.note_lines().iter().any(|n| n.contains("normalised")),
        "{:?}",
        h.note_lines()
    );
    let h = hist(b"left,right,density\n0,2,0.25\n2,3,0.5\n");
    assert_eq!(h.masses(), &[0.5, 0.5]);
}

#[test]
fn unsorted_bins_and_gaps() {
    let h = hist(b"2,3,1\n0,1,1\n");
    assert_eq!(h.lefts(), &[0.0, 2.0]);
    assert!(h.note_lines().iter().any(|n| n.contains("sorted")));
    assert!(h.note_lines().iter().any(|n| n.contains("gap")));
    assert_eq!(h.ln_density(1.5), f64::NEG_INFINITY);
}

#[test]
fn single_column_of_samples_is_binned_by_freedman_diaconis() {
    let mut text = String::from("value\n");
    for i in 0..1000 {
        text.push_str(&format!("{}\n", f64::from(i) / 100.0));
    }
    let h = hist(text.as_bytes());
    // IQR = 4.995, n = 1000: width = 2·4.995/10 = 0.999; range 9.99 → 10 bins.
    assert_eq!(h.len(), 10);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "s.csv", text.as_bytes());
    let opts = CsvOptions {
        bins: Some(25),
        ..Default::default()
    };
    let Distribution::Histogram(h) = load_histogram(&path, &opts, &LoadControl::default()).unwrap()
    else {
        panic!()
    };
    assert_eq!(h.len(), 25);
}

#[test]
fn labels_make_categories() {
    let Distribution::Categories(c) = load(b"action,count\nleft,3\nright,1\n").unwrap() else {
        panic!("not categories")
    };
    assert_eq!(c.labels, ["left", "right"]);
    assert_eq!(c.probs, [0.75, 0.25]);
}

#[test]
fn columns_can_be_chosen_when_there_are_more() {
    let text = b"id,a,b,c,extra\na,0,1,1,9\nb,1,2,3,9\n";
    assert!(
        err(text).contains("does not say which columns"),
        "{}",
        err(text)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "m.csv", text);
    let opts = CsvOptions {
        columns: Some(vec![1, 2, 3]),
        ..Default::default()
    };
    let Distribution::Histogram(h) = load_histogram(&path, &opts, &LoadControl::default()).unwrap()
    else {
        panic!()
    };
    assert_eq!(h.masses(), &[0.25, 0.75]);
}

#[test]
fn bad_input_is_refused_with_line_column_and_file() {
    let cases: [(&[u8], &str); 14] = [
        (b"", "the file is empty"),
        (b"left,right,count\n", "header but no data rows"),
        (b"0,1,2\n1,2,x\n", "line 2, column 3: 'x' is not a number"),
        (
            b"0,1,2\n1,2,nan\n",
            "line 2, column 3: 'nan' is not a finite number",
        ),
        (
            b"0,1,inf\n",
            "line 1, column 3: 'inf' is not a finite number",
        ),
        (
            b"a,b,c\n0,1,2\n1,2,-2\n",
            "line 3, column 3: count is negative (-2); counts must be ≥ 0",
        ),
        (
            b"0,1,2\n2,1,2\n",
            "line 2, column 2: right edge 1 must be greater than left edge 2",
        ),
        (b"0,2,2\n1,3,2\n", "line 2: bins [0, 2] and [1, 3] overlap"),
        (b"0,1,0\n1,2,0\n", "all counts are zero"),
        (
            b"0,1,2\n1,2\n",
            "line 2: has 2 fields but the first row has 3",
        ),
        (
            b"0,1,2\n\x00\x01\x02\x03\n",
            "line 2: contains NUL bytes: this looks like a binary file",
        ),
        (b"0,1,2\n1,2,\xff\xfe\n", "line 2: is not valid UTF-8"),
        (b"# only a comment\n", "the file is empty"),
        (b"x,y\n", "header but no data rows"),
    ];
    for (bytes, expected) in cases {
        let e = err(bytes);
        assert!(e.contains(expected), "{bytes:?}: {e}");
        assert!(e.ends_with("h.csv"), "the message names the file last: {e}");
    }
}

#[test]
fn a_line_over_one_megabyte_is_refused() {
    let mut text = b"0,1,2\n".to_vec();
    text.extend(std::iter::repeat_n(b'1', (1 << 20) + 10));
    text.push(b'\n');
    let e = err(&text);
    assert!(e.starts_with("line 2: line is longer than 1 MB"), "{e}");
}

#[test]
fn missing_files_and_folders_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.csv");
    let e = load_histogram(&missing, &CsvOptions::default(), &LoadControl::default()).unwrap_err();
    assert!(e.to_string().starts_with("file not found"), "{e}");
    assert!(e.to_string().ends_with("gone.csv"));
    let e =
        load_histogram(dir.path(), &CsvOptions::default(), &LoadControl::default()).unwrap_err();
    assert!(e.to_string().contains("this is a folder"), "{e}");
}

#[test]
fn a_cancelled_load_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "c.csv", b"0,1,1\n");
    let control = LoadControl::default();
    control.cancel.cancel();
    let e = load_histogram(&path, &CsvOptions::default(), &control).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::Cancelled);
    assert!(e.to_string().starts_with("loading was cancelled"), "{e}");
}

#[test]
fn files_whose_columns_must_be_picked_say_so_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    for (text, header) in [
        (&b"id,a,b,c,extra\na,0,1,1,9\n"[..], true),
        (b"0,1,2,3\n1,2,3,4\n", false),
    ] {
        let path = write(&dir, "wide.csv", text);
        let e = load_histogram(&path, &CsvOptions::default(), &LoadControl::default()).unwrap_err();
        let LoadErrorKind::Csv(CsvErrorKind::AmbiguousColumns { header: names, .. }) = &e.kind
        else {
            panic!("not AmbiguousColumns: {e:?}");
        };
        assert_eq!(names.is_empty(), !header, "{e}");
    }
    // Other refusals are not offered the chooser.
    let path = write(&dir, "bad.csv", b"0,1,2\n1,2,x\n");
    let e = load_histogram(&path, &CsvOptions::default(), &LoadControl::default()).unwrap_err();
    assert_eq!(
        e.kind,
        LoadErrorKind::Csv(CsvErrorKind::NotANumber { field: "x".into() })
    );
    assert_eq!((e.line, e.column), (Some(2), Some(3)));
}

#[test]
fn kl_between_different_binnings_is_exact_over_the_common_refinement() {
    // P: [0,2) 0.5, [2,4) 0.5.  Q: [0,1) 0.25, [1,3) 0.5, [3,4) 0.25.
    // Refinement: [0,1) p=.25 q=.25 ; [1,2) p=.25 q=.25 ; [2,3) p=.25 q=.25 ; [3,4) p=.25 q=.25
    // → identical densities: KL = 0. Shift Q's middle mass to make it non-trivial.
    let p = load(b"0,2,1\n2,4,1\n").unwrap();
    let q = load(b"0,1,1\n1,3,4\n3,4,3\n").unwrap();
    // Densities: p = 1/4 everywhere on [0,4). q = 1/8 on [0,1), 1/4 on [1,3), 3/8 on [3,4).
    // KL(P‖Q) = ¼ln(2) + ½·0 + ¼ln(2/3) ; KL(Q‖P) = ⅛ln(½) + ½·0 + ⅜ln(3/2).
    let expected_pq = 0.25 * 2f64.ln() + 0.25 * (2.0f64 / 3.0).ln();
    let expected_qp = 0.125 * 0.5f64.ln() + 0.375 * 1.5f64.ln();
    let r = compare(&p, &q, &Options::default()).unwrap();
    assert!((r.kl_pq.value - expected_pq).abs() < 1e-15, "{:?}", r.kl_pq);
    assert!((r.kl_qp.value - expected_qp).abs() < 1e-15, "{:?}", r.kl_qp);
    assert!(r.kl_pq.method.contains("common refinement"));
}

#[test]
fn zero_bin_in_q_makes_kl_infinite_until_smoothing_is_asked_for() {
    let p = load(b"0,1,5\n1,2,5\n").unwrap();
    let q = load(b"0,1,10\n1,2,0\n").unwrap();
    let f = kl_divergence(&p, &q, &Options::default()).unwrap();
    assert_eq!(f.value, f64::INFINITY);
    assert_eq!(
        f.reason.as_deref(),
        Some("P has mass on [1, 2], where Q's density is 0")
    );
    let Distribution::Histogram(hq) = &q else {
        panic!()
    };
    let smoothed = Distribution::Histogram(std::sync::Arc::new(hq.smoothed(1.0)));
    let f = kl_divergence(&p, &smoothed, &Options::default()).unwrap();
    // q = (11/12, 1/12): KL = ½ln(½/(11/12)) + ½ln(½/(1/12)).
    let expected = 0.5 * (6.0f64 / 11.0).ln() + 0.5 * 6f64.ln();
    assert!((f.value - expected).abs() < 1e-15);
}

#[test]
fn categories_align_by_label() {
    let p = load(b"label,count\na,1\nb,1\n").unwrap();
    let q = load(b"label,count\nb,3\nc,1\na,0\n").unwrap();
    let r = compare(&p, &q, &Options::default()).unwrap();
    assert_eq!(r.kl_pq.value, f64::INFINITY);
    assert_eq!(
        r.kl_pq.reason.as_deref(),
        Some("P has mass at 'a' (p = 0.5000), where Q is 0")
    );
    // KL(Q‖P): q = (a 0, b .75, c .25); c has q > 0 and p = 0 → ∞ as well.
    assert_eq!(r.kl_qp.value, f64::INFINITY);
    assert!(r.kl_qp.reason.unwrap().contains("'c'"));
}

#[test]
fn histogram_against_parametric_integrates_bin_by_bin() {
    // P uniform on [0,1) as one bin; Q = uniform(0, 2): KL = ln 2.
    let p = load(b"0,1,7\n").unwrap();
    let q = kl_explorer::distribution::parse_spec("uniform(0, 2)").unwrap();
    let f = kl_divergence(&p, &q, &Options::default()).unwrap();
    assert!((f.value - 2f64.ln()).abs() < 1e-12, "{f:?}");
    // Against a normal: KL = −H(P) − ∫₀¹ ln φ(x) dx = 0 + ½ln(2π) + 1/6.
    let q = kl_explorer::distribution::parse_spec("normal(0, 1)").unwrap();
    let f = kl_divergence(&p, &q, &Options::default()).unwrap();
    let expected = 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / 6.0;
    assert!((f.value - expected).abs() < 1e-12, "{f:?}");
}

#[test]
fn provenance_records_what_the_reader_found_as_data() {
    use kl_explorer::distribution::histogram::{
        BinRule, Delimiter, FileFormat, Layout, LineEnding, SamplesBinning, Weights,
    };
    let h = hist(b"\xEF\xBB\xBFLeft;Right;Count\r\n2;3;1\r\n0;1;1\r\n");
    assert_eq!(
        h.provenance.file,
        Some(FileFormat {
            delimiter: Delimiter::Semicolon,
            width: 3,
            header: true,
            columns: vec![0, 1, 2],
            layout: Layout::Edges(Weights::Count),
            byte_order_mark: true,
            line_ending: LineEnding::CrLf,
        })
    );
    assert!(h.provenance.sorted);
    assert_eq!(h.provenance.gaps, 1);
    assert_eq!(h.samples_binning(), None);
    assert_eq!(
        h.note_lines(),
        [
            "delimiter: semicolon",
            "header found; columns 1, 2, 3",
            "format: left, right, count",
            "bins were not sorted; sorted by left edge",
            "1 gap(s) between bins have density 0",
        ]
    );

    let samples: String = (0..100).map(|i| format!("{i}\n")).collect();
    let h = hist(samples.as_bytes());
    let binning = h.samples_binning().unwrap();
    assert_eq!(
        binning,
        SamplesBinning {
            samples: 100,
            bins: h.len(),
            rule: BinRule::FreedmanDiaconis,
        }
    );
    assert!(
        h.note_lines().contains(&format!(
            "100 samples in {} bins (Freedman–Diaconis rule)",
            h.len()
        )),
        "{:?}",
        h.note_lines()
    );
}

fn load_kind(bytes: &[u8], options: &CsvOptions) -> kl_explorer::io::LoadError {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "h.csv", bytes);
    load_histogram(&path, options, &LoadControl::default()).unwrap_err()
}

#[test]
fn an_unterminated_quote_is_refused_where_it_opened() {
    for (text, line, column) in [
        (&b"0,1,\"5\n1,2,3\n2,3,4\n"[..], 1, 3),
        (b"left,right,count\n0,1,2\n1,\"2,3\n2,3,4\n", 3, 2),
        (b"\"left,right,count\n0,1,2\n", 1, 1),
        // One column of samples has no delimiter: its quotes are read the same way.
        (b"x\n0.5\n\"1.5\n2.5\n3.5\n", 3, 1),
        (b"0.5\n1.5 \"2\n", 2, 2),
    ] {
        let e = load_kind(text, &CsvOptions::default());
        assert_eq!(
            e.kind,
            LoadErrorKind::Csv(CsvErrorKind::UnterminatedQuote),
            "{e}"
        );
        assert_eq!((e.line, e.column), (Some(line), Some(column)), "{e}");
        assert!(
            e.to_string().starts_with(&format!(
                "line {line}, column {column}: this quote is never closed"
            )),
            "{e}"
        );
    }
    // Closed quotes, and doubled quotes inside them, still read.
    let h = hist(b"\"0\",\"1\",\"2\"\n1,2,\"2\"\n");
    assert_eq!(h.masses(), &[0.5, 0.5]);
    // A quoted sample in a one-column file is its number.
    let quoted = hist(b"x\n0.5\n\"1.5\"\n2.5\n3.5\n");
    let plain = hist(b"x\n0.5\n1.5\n2.5\n3.5\n");
    assert_eq!(quoted.masses(), plain.masses());
}

/// Runs `load_histogram` on a thread and fails the test if it does not return within 10 s.
fn load_within_seconds(path: &std::path::Path) -> kl_explorer::io::LoadError {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let r = load_histogram(&path, &CsvOptions::default(), &LoadControl::default());
        let _ = tx.send(r);
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the load did not return: it is reading the file")
        .unwrap_err()
}

#[cfg(unix)]
#[test]
fn a_fifo_a_device_and_a_socket_are_refused_by_type_before_reading() {
    use kl_explorer::io::file::SpecialFile;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let socket = dir.path().join("sock.csv");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    for (path, kind, name) in [
        (fifo.as_path(), SpecialFile::Fifo, "a named pipe (FIFO)"),
        (
            std::path::Path::new("/dev/zero"),
            SpecialFile::CharDevice,
            "a character device",
        ),
        (socket.as_path(), SpecialFile::Socket, "a socket"),
    ] {
        let e = load_within_seconds(path);
        assert_eq!(e.kind, LoadErrorKind::NotARegularFile { kind }, "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("this is {name}, not a regular file")),
            "{e}"
        );
    }
}

#[test]
fn a_bin_count_over_the_limit_is_refused_naming_it() {
    use kl_explorer::io::csv::MAX_SAMPLE_BINS;
    let samples = b"value\n1\n2\n3\n";
    for bins in [usize::MAX, 10_000_000_000, MAX_SAMPLE_BINS + 1] {
        let options = CsvOptions {
            bins: Some(bins),
            ..Default::default()
        };
        let e = load_kind(samples, &options);
        assert_eq!(
            e.kind,
            LoadErrorKind::Csv(CsvErrorKind::TooManyBins {
                bins,
                limit: MAX_SAMPLE_BINS
            })
        );
        assert!(
            e.to_string()
                .contains(&format!("at most {MAX_SAMPLE_BINS} bins")),
            "{e}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "s.csv", samples);
    let options = CsvOptions {
        bins: Some(MAX_SAMPLE_BINS),
        ..Default::default()
    };
    let Distribution::Histogram(h) =
        load_histogram(&path, &options, &LoadControl::default()).unwrap()
    else {
        panic!()
    };
    assert_eq!(h.len(), MAX_SAMPLE_BINS);
}

#[test]
fn a_session_or_an_exported_png_given_as_a_histogram_says_how_to_open_it() {
    use kl_explorer::io::SessionFormat;
    use kl_explorer::io::session::Session;
    let dir = tempfile::tempdir().unwrap();
    let json = write(&dir, "s.json", Session::default().to_json().as_bytes());
    let png = dir.path().join("s.png");
    kl_explorer::io::png::write_png(&png, 2, 1, &[9; 8], &Session::default()).unwrap();
    for (path, format) in [(json, SessionFormat::Json), (png, SessionFormat::Png)] {
        let e = load_histogram(&path, &CsvOptions::default(), &LoadControl::default()).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::IsSession { format }, "{e}");
        assert!(
            e.to_string().contains("open it with `kl-explorer FILE`"),
            "{e}"
        );
    }
}

#[test]
fn utf16_and_cr_only_line_endings_are_named() {
    let text = "left,right,count\n0,1,2\n1,2,2\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let with_bom = [&[0xFF, 0xFE][..], &le].concat();
    for bytes in [le, be, with_bom] {
        let e = load_kind(&bytes, &CsvOptions::default());
        assert_eq!(e.kind, LoadErrorKind::Csv(CsvErrorKind::Utf16), "{e}");
        assert!(e.to_string().contains("save it as UTF-8"), "{e}");
    }
    for bytes in [&b"0,1,2\r1,2,3\r2,3,4\r"[..], b"0,1,2\n1,2,3\r2,3,4\n"] {
        let e = load_kind(bytes, &CsvOptions::default());
        assert_eq!(
            e.kind,
            LoadErrorKind::Csv(CsvErrorKind::CrOnlyLineEndings),
            "{e}"
        );
        assert!(e.to_string().contains("carriage return only"), "{e}");
    }
}

#[test]
fn an_outlier_that_stretches_the_bins_is_warned_about() {
    let mut text = String::from("value\n");
    for i in 0..10_000 {
        text.push_str(&format!("{}\n", f64::from(i) / 1000.0));
    }
    let plain = hist(text.as_bytes());
    assert_eq!(plain.provenance.degenerate, None);
    text.push_str("1e300\n");
    let h = hist(text.as_bytes());
    let d = h.provenance.degenerate.expect("no warning");
    assert_eq!(d.high, 1e300);
    assert!(d.fullest_share > 0.99, "{d:?}");
    let note = h
        .note_lines()
        .into_iter()
        .find(|n| n.contains("degenerate"))
        .unwrap();
    assert!(
        note.contains("give bin edges") && note.contains("quantiles"),
        "{note}"
    );
}

#[test]
fn samples_whose_range_overflows_are_refused_naming_the_values() {
    let e = load_kind(b"value\n-1e308\n0\n1e308\n", &CsvOptions::default());
    assert_eq!(
        e.kind,
        LoadErrorKind::Csv(CsvErrorKind::SamplesRangeOverflow {
            low: -1e308,
            high: 1e308
        })
    );
    let text = e.to_string();
    assert!(
        text.contains("from -1e308 to 1e308, wider than double precision"),
        "{text}"
    );
}
