//! The command line: `kl-explorer [--p SPEC --q SPEC ...]` opens the window;
//! `kl-explorer compute ...` prints figures without one.

use std::io::Write;
use std::path::PathBuf;

pub mod drift;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use crate::distribution::Distribution;
use crate::divergence::renyi::Pair;
use crate::divergence::smoothing::smoothed;
use crate::divergence::{self, Figure, Options, Report, Unit};
use crate::io::{LoadControl, Source};

pub mod estimate;
pub mod fit;

/// Explore the Kullback–Leibler divergence between two distributions.
#[derive(Debug, Parser)]
#[command(name = "kl-explorer", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A headless command; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A session JSON or an exported PNG to open (as a desktop app opens a document).
    #[arg(value_name = "FILE", conflicts_with_all = ["p", "q"])]
    pub file: Option<PathBuf>,
    /// P: a spec such as `normal(0, 1)` or a CSV file.
    #[arg(long, allow_hyphen_values = true)]
    pub p: Option<String>,
    /// Q: a spec or a CSV file.
    #[arg(long, allow_hyphen_values = true)]
    pub q: Option<String>,
    /// Save a PNG of the window once the comparison is drawn, then exit.
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// Window size for --screenshot, e.g. 1400x900.
    #[arg(long, value_parser = parse_size, value_name = "WxH")]
    pub size: Option<(u32, u32)>,
    /// With --screenshot: save the plots only.
    #[arg(long)]
    pub plots_only: bool,
    /// Show figures in bits.
    #[arg(long)]
    pub bits: bool,
    /// Add a pseudo-count α to every histogram bin (off by default).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_smoothing, value_name = "α")]
    pub smoothing: Option<f64>,
    /// Start from the default comparison instead of restoring the last session.
    #[arg(long)]
    pub no_restore: bool,
    /// The view to open: the comparison or a lab.
    #[arg(long, value_enum, value_name = "VIEW")]
    pub view: Option<crate::app::state::View>,
    /// The Drift lab's two tables, compared at start: REFERENCE,CURRENT.
    #[arg(long, value_name = "REFERENCE,CURRENT", value_parser = parse_table_pair)]
    pub drift_tables: Option<(PathBuf, PathBuf)>,
    /// The divergence the window shows beside KL: renyi:α, chi2, neyman_chi2, ...
    #[arg(long = "divergence", value_name = "NAME[:α]", value_parser = parse_divergence)]
    pub window_divergence: Option<(String, crate::divergence::renyi::Divergence)>,
}

fn parse_table_pair(s: &str) -> Result<(PathBuf, PathBuf), String> {
    match s.split_once(',') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.into(), b.into())),
        _ => Err(format!(
            "'{s}' is not REFERENCE,CURRENT (two paths with a comma between)"
        )),
    }
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute KL and related figures for P and Q, or for every pair in a file.
    Compute(ComputeArgs),
    /// Estimate KL(P‖Q) from samples of P with k1, k2, k3 and |ln r|, exact and by Monte Carlo.
    Estimate(estimate::EstimateArgs),
    /// Compare every column of two tables (CSV or Parquet): reference against current.
    Drift(drift::DriftArgs),
    /// Fit Q in a family to P by minimising KL(P‖Q) or KL(Q‖P); list every stationary point.
    Fit(fit::FitArgs),
}

/// Runs a headless command, writing its output to `out` and its complaints to `err`; returns
/// the process's exit code.
pub fn run(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match command {
        Command::Compute(args) => run_compute(args, out, err),
        Command::Estimate(args) => estimate::run_estimate(args, out, err),
        Command::Drift(args) => drift::run_drift(args, out, err),
        Command::Fit(args) => fit::run_fit(args, out, err),
    }
}

/// Arguments of `compute`.
#[derive(Debug, Args)]
pub struct ComputeArgs {
    /// P: a spec or a CSV file.
    #[arg(long, allow_hyphen_values = true, required_unless_present = "pairs")]
    pub p: Option<String>,
    /// Q: a spec or a CSV file.
    #[arg(long, allow_hyphen_values = true, required_unless_present = "pairs")]
    pub q: Option<String>,
    /// A file with one `P<TAB>Q` pair per line.
    #[arg(long, conflicts_with_all = ["p", "q"])]
    pub pairs: Option<PathBuf>,
    /// Report in bits instead of nats.
    #[arg(long)]
    pub bits: bool,
    /// Print JSON (one object, or JSON Lines with --pairs).
    #[arg(long)]
    pub json: bool,
    /// Also report the naive grid sum over `a,b,n` (n evenly spaced points on [a, b]).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_grid, value_name = "a,b,n")]
    pub grid: Option<(f64, f64, usize)>,
    /// Add a pseudo-count α to every histogram bin before computing (off by default).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_smoothing, value_name = "α")]
    pub smoothing: Option<f64>,
    /// Also report this divergence both ways: kl, renyi:α, chi2, neyman_chi2,
    /// squared_hellinger, tv or js.
    #[arg(long, value_name = "NAME[:α]", value_parser = parse_divergence)]
    pub divergence: Option<(String, crate::divergence::renyi::Divergence)>,
}

/// Parses `--divergence NAME[:α]`, keeping the name as given.
///
/// # Errors
/// The sentence of [`crate::divergence::renyi::ParseDivergenceError`].
pub fn parse_divergence(s: &str) -> Result<(String, crate::divergence::renyi::Divergence), String> {
    crate::divergence::renyi::Divergence::parse(s)
        .map(|d| (s.to_string(), d))
        .map_err(|e| e.to_string())
}

/// The largest smoothing pseudo-count accepted.
pub const MAX_SMOOTHING: f64 = 1e6;
/// The most points of the naive grid sum.
pub const MAX_GRID_POINTS: usize = 10_000_000;

/// Parses a smoothing pseudo-count.
///
/// # Errors
/// A sentence when the text is not a number in (0, [`MAX_SMOOTHING`]].
pub fn parse_smoothing(s: &str) -> Result<f64, String> {
    let a: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("smoothing '{s}' is not a number; give a pseudo-count such as 0.5"))?;
    if !(a > 0.0 && a <= MAX_SMOOTHING) {
        return Err(format!(
            "smoothing must be a pseudo-count above 0 and at most {MAX_SMOOTHING:e} (got {s})"
        ));
    }
    Ok(a)
}

/// Parses `1400x900`.
///
/// # Errors
/// A sentence when the text is not `WIDTHxHEIGHT` with sizes from 200 to 8000.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size '{s}' must look like 1400x900"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|v| (200..=8000).contains(v))
            .ok_or_else(|| format!("size '{s}': each side must be a whole number from 200 to 8000"))
    };
    Ok((parse(w)?, parse(h)?))
}

/// Parses `-10,10,1000`.
///
/// # Errors
/// A sentence when the text is not `a,b,n` with a < b and n ≥ 2.
pub fn parse_grid(s: &str) -> Result<(f64, f64, usize), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [a, b, n] = parts.as_slice() else {
        return Err(format!(
            "grid '{s}' must be a,b,n (for example -10,10,1000)"
        ));
    };
    let a: f64 = a
        .parse()
        .map_err(|_| format!("grid start '{a}' is not a number"))?;
    let b: f64 = b
        .parse()
        .map_err(|_| format!("grid end '{b}' is not a number"))?;
    let n: usize = n
        .parse()
        .map_err(|_| format!("grid point count '{n}' is not a whole number"))?;
    if !(a.is_finite() && b.is_finite()) {
        return Err(format!(
            "grid '{s}' needs finite ends: a sum over evenly spaced points cannot cover an infinite range"
        ));
    }
    if !(a < b) || n < 2 {
        return Err(format!("grid '{s}' needs a < b and at least 2 points"));
    }
    if n > MAX_GRID_POINTS {
        return Err(format!(
            "grid '{s}' has {n} points; at most {MAX_GRID_POINTS} are summed"
        ));
    }
    Ok((a, b, n))
}

fn number(v: f64) -> Value {
    if v.is_nan() {
        Value::Null
    } else if v.is_infinite() {
        Value::String(if v > 0.0 { "inf" } else { "-inf" }.into())
    } else {
        json!(v)
    }
}

/// The figures as one JSON object with the keys of `compute --json`.
pub fn report_json(report: &Report, p: &str, q: &str) -> Value {
    report.to_json(p, q)
}

fn fmt_value(v: f64) -> String {
    if v.is_infinite() {
        "∞".into()
    } else if v.is_nan() {
        "undefined".into()
    } else {
        format!("{v:.10}")
    }
}

fn table(report: &Report, p: &Distribution, q: &Distribution) -> String {
    let mut s = format!("P = {}\nQ = {}\n", p.to_spec(), q.to_spec());
    for note in p.notes() {
        s.push_str(&format!("  P: {note}\n"));
    }
    for note in q.notes() {
        s.push_str(&format!("  Q: {note}\n"));
    }
    let unit = report.unit.name();
    s.push_str(&format!(
        "\n{:<12} {:>18}  {:>9}  method\n",
        "figure",
        format!("value ({unit})"),
        "± error"
    ));
    let rows: [(&str, &Figure); 10] = [
        ("KL(P‖Q)", &report.kl_pq),
        ("KL(Q‖P)", &report.kl_qp),
        ("H(P)", &report.entropy_p),
        ("H(Q)", &report.entropy_q),
        ("H(P,Q)", &report.cross_entropy_pq),
        ("H(Q,P)", &report.cross_entropy_qp),
        ("JS", &report.js),
        ("Jeffreys", &report.jeffreys),
        ("TV", &report.tv),
        ("Hellinger", &report.hellinger),
    ];
    for (name, f) in rows {
        s.push_str(&format!(
            "{:<12} {:>18}  {:>9.1e}  {}\n",
            name,
            fmt_value(f.value),
            f.error,
            f.method
        ));
        if let Some(r) = f.reason_text() {
            s.push_str(&format!("{:<12} {r}\n", ""));
        }
    }
    s
}

/// The table's rows for `--divergence`: the chosen divergence both ways.
fn family_rows(pair: &Pair, unit: Unit) -> String {
    let mut s = format!("\n{}\n", pair.divergence.name());
    for (pq, f) in [(true, &pair.pq), (false, &pair.qp)] {
        let value = if pair.divergence.has_unit() {
            format!("{} {}", fmt_value(f.value), unit.name())
        } else {
            fmt_value(f.value)
        };
        s.push_str(&format!(
            "{:<12} {:>18}  {:>9.1e}  {}\n",
            pair.divergence.label(pq),
            value,
            f.error,
            f.method
        ));
        if let Some(r) = f.reason_text() {
            s.push_str(&format!("{:<12} {r}\n", ""));
        }
    }
    s
}

/// P and Q loaded (and smoothed, when asked) and every figure between them, in nats.
/// `side_by_side` loads P and Q on two threads (two large files); `--pairs` already spreads
/// its lines over the cores and loads in place.
fn pair_figures(
    p_text: &str,
    q_text: &str,
    args: &ComputeArgs,
    side_by_side: bool,
) -> Result<(Report, Distribution, Distribution), String> {
    let control = LoadControl::default();
    let (p_source, q_source) = (Source::from_text(p_text), Source::from_text(q_text));
    let both_files = !matches!(p_source, Source::Spec(_)) && !matches!(q_source, Source::Spec(_));
    let (p, q) = if side_by_side && both_files {
        std::thread::scope(|s| {
            let q = s.spawn(|| q_source.load(&control));
            let p = p_source.load(&control);
            (p, q.join())
        })
    } else {
        (p_source.load(&control), Ok(q_source.load(&control)))
    };
    let p = p.map_err(|e| format!("P: {e}"))?;
    let q = q
        .map_err(|_| "Q: the loading thread failed".to_string())?
        .map_err(|e| format!("Q: {e}"))?;
    let (p, q) = match args.smoothing {
        Some(_) => {
            let smooth = |d: Distribution| smoothed(&std::sync::Arc::new(d), args.smoothing);
            (smooth(p).as_ref().clone(), smooth(q).as_ref().clone())
        }
        None => (p, q),
    };
    // A batch spreads its lines over the cores, so two parametric distributions (closed forms,
    // or quadrature of a few milliseconds) are computed in sequence; a mixture or a histogram,
    // seconds at 10^4 components even alone in its batch, and a single pair spread their
    // figures.
    let parametric = |d: &Distribution| matches!(d, Distribution::Parametric(_));
    let options = Options {
        parallel: side_by_side || !(parametric(&p) && parametric(&q)),
        ..Options::default()
    };
    let nats = divergence::compare(&p, &q, &options).map_err(|e| e.to_string())?;
    Ok((nats, p, q))
}

fn unit_of(args: &ComputeArgs) -> Unit {
    if args.bits { Unit::Bits } else { Unit::Nats }
}

/// One computed pair: the report, its JSON, and the chosen divergence's figures.
fn compute_pair(
    p_text: &str,
    q_text: &str,
    args: &ComputeArgs,
    side_by_side: bool,
) -> Result<(Report, Distribution, Distribution, Value, Option<Pair>), String> {
    let (nats, p, q) = pair_figures(p_text, q_text, args, side_by_side)?;
    let unit = unit_of(args);
    let report = nats.in_unit(unit);
    let mut v = report_json(&report, &p.to_spec(), &q.to_spec());
    let mut family = None;
    if let Some((name, div)) = &args.divergence {
        let pair =
            divergence::renyi::divergence_pair(&p, &q, *div, Some(&nats), &Options::default())
                .map_err(|e| e.to_string())?
                .in_unit(unit);
        pair.add_to_json(name, &mut v);
        family = Some(pair);
    }
    if let Some((a, b, n)) = args.grid {
        let (sum, sum_dx) = divergence::grid_sum(&p, &q, a, b, n);
        let f = if args.bits {
            1.0 / std::f64::consts::LN_2
        } else {
            1.0
        };
        v["grid_sum"] = number(sum * f);
        v["grid_sum_dx"] = number(sum_dx * f);
    }
    if let Some(a) = args.smoothing {
        v["smoothing"] = json!(a);
    }
    Ok((report, p, q, v, family))
}

/// Runs `compute`, writing results to `out` and errors to `err`; returns the exit code.
pub fn run_compute(args: &ComputeArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let Some(path) = &args.pairs {
        return run_pairs(path, args, out, err);
    }
    let (Some(p), Some(q)) = (&args.p, &args.q) else {
        let _ = writeln!(err, "error: give --p and --q, or --pairs FILE");
        return 2;
    };
    match compute_pair(p, q, args, true) {
        Ok((report, pd, qd, v, family)) => {
            let _ = if args.json {
                writeln!(out, "{v}")
            } else {
                let mut s = table(&report, &pd, &qd);
                if let Some(pair) = &family {
                    s.push_str(&family_rows(pair, report.unit));
                }
                if let Some((a, b, n)) = args.grid {
                    s.push_str(&format!(
                        "\nnaive grid sum of scipy's kl_div over {n} points on [{a}, {b}]: {}\n  × Δx = {}   (exact KL(P‖Q): {})\n",
                        fmt_value(v["grid_sum"].as_f64().unwrap_or(f64::NAN)),
                        fmt_value(v["grid_sum_dx"].as_f64().unwrap_or(f64::NAN)),
                        fmt_value(report.kl_pq.value)
                    ));
                }
                write!(out, "{s}")
            };
            0
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            2
        }
    }
}

/// The largest `--pairs` file read.
pub const MAX_PAIRS_BYTES: u64 = 256 << 20;

/// Reads a pairs file: a regular file (a pipe or a device is refused before it is opened, as it
/// may never end) of at most [`MAX_PAIRS_BYTES`].
fn read_pairs_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the pairs file ({e})"))?;
    if !meta.is_file() {
        return Err(
            "the pairs file is not a regular file (a folder, a pipe or a device), so it is not read"
                .into(),
        );
    }
    if meta.len() > MAX_PAIRS_BYTES {
        return Err(format!(
            "the pairs file is larger than the {} MiB it may be; split it",
            MAX_PAIRS_BYTES >> 20
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PAIRS_BYTES).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the pairs file ({e})"))?;
    Ok(bytes)
}

/// Lines computed together between two writes: memory stays bounded by the chunk's output,
/// and every core has lines to take.
const PAIRS_CHUNK: usize = 4096;

/// Lines of a chunk that one task computes into one buffer, in order.
const PAIRS_PIECE: usize = 64;

fn run_pairs(
    path: &std::path::Path,
    args: &ComputeArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    use rayon::prelude::*;
    let bytes = match read_pairs_file(path) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(err, "error: {e}: {}", path.display());
            return 2;
        }
    };
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let mut failed = false;
    for (c, chunk) in lines.chunks(PAIRS_CHUNK).enumerate() {
        // Each line is computed on its own and the results are written in input order, so
        // the output is the same whatever the number of threads; each run of
        // PAIRS_PIECE lines shares one buffer.
        let pieces: Vec<(Vec<u8>, bool)> = chunk
            .par_chunks(PAIRS_PIECE)
            .enumerate()
            .map(|(k, piece)| {
                // About the size of the output (a JSON line of normal pairs is 510–570 bytes):
                // grown by doubling, the buffer's copies were a few per cent of the batch.
                let per_line = if args.json { 640 } else { 160 };
                let mut text = Vec::with_capacity(piece.len() * per_line);
                let mut bad = false;
                for (i, raw) in piece.iter().enumerate() {
                    let n = c * PAIRS_CHUNK + k * PAIRS_PIECE + i + 1;
                    bad |= pair_line(n, raw, args, &mut text);
                }
                (text, bad)
            })
            .collect();
        for (text, bad) in pieces {
            failed |= bad;
            if out.write_all(&text).is_err() {
                // The reader has gone (a closed pipe): nothing more can be said to it.
                return 1;
            }
        }
    }
    i32::from(failed)
}

/// Appends the output line (with its newline) for input line `n` to `out`, nothing for a
/// blank or `#` line; returns whether the line is an error.
fn pair_line(n: usize, raw: &[u8], args: &ComputeArgs, out: &mut Vec<u8>) -> bool {
    let mut error = |e: &str| {
        let line = if args.json {
            format!("{}\n", json!({"line": n, "error": e}))
        } else {
            format!("line {n}\terror: {e}\n")
        };
        out.extend_from_slice(line.as_bytes());
        true
    };
    let Ok(line) = std::str::from_utf8(raw) else {
        return error("this line is not valid UTF-8 text; save the file as UTF-8");
    };
    let line = line.trim_end_matches('\r');
    if line.trim().is_empty() || line.trim_start().starts_with('#') {
        return false;
    }
    let Some((p, q)) = line.split_once('\t') else {
        return error("expected P<TAB>Q");
    };
    let (p, q) = (p.trim(), q.trim());
    // Without the extra keys of --divergence, --grid and --smoothing, the line's JSON is
    // written straight from the report: the same bytes as printing its `Value`.
    let plain = args.divergence.is_none() && args.grid.is_none() && args.smoothing.is_none();
    if plain {
        return match pair_figures(p, q, args, false) {
            Ok((nats, pd, qd)) => {
                let report = nats.into_unit(unit_of(args));
                let (p, q) = (pd.to_spec(), qd.to_spec());
                if args.json {
                    report.write_json(&p, &q, Some(n), out);
                    out.push(b'\n');
                } else {
                    out.extend_from_slice(text_line(n, &report, &p, &q).as_bytes());
                }
                false
            }
            Err(e) => error(&e),
        };
    }
    match compute_pair(p, q, args, false) {
        Ok((report, _, _, mut v, _)) => {
            let line = if args.json {
                v["line"] = json!(n);
                format!("{v}\n")
            } else {
                text_line(
                    n,
                    &report,
                    v["p"].as_str().unwrap_or(""),
                    v["q"].as_str().unwrap_or(""),
                )
            };
            out.extend_from_slice(line.as_bytes());
            false
        }
        Err(e) => error(&e),
    }
}

/// The text output's line for input line `n`: the specs and KL both ways.
fn text_line(n: usize, report: &Report, p: &str, q: &str) -> String {
    format!(
        "line {n}\t{p}\t{q}\tKL(P‖Q) = {}\tKL(Q‖P) = {} {}\n",
        fmt_value(report.kl_pq.value),
        fmt_value(report.kl_qp.value),
        report.unit.name()
    )
}
