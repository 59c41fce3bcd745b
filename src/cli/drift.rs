//! `kl-explorer drift --reference A --current B`: every column of two tables compared on
//! shared bins, as a table or one JSON object.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::{Value, json};

use crate::cancel::{Cancel, Progress};
use crate::drift::{
    Binning, ColumnDrift, ColumnKind, DriftOptions, DriftReport, ONE_SIDED_NAMED, drift_files,
};
use crate::io::table::{Table, TableError, read_table};

/// Arguments of `drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference table (CSV or Parquet).
    #[arg(long)]
    pub reference: PathBuf,
    /// The current table (CSV or Parquet).
    #[arg(long)]
    pub current: PathBuf,
    /// Binning of numeric columns: quantile:K, fixed:K, sturges, doane, fd or edges:a,b,c
    /// (default quantile:10); `NAME=BINNING` for one column (repeat the flag).
    #[arg(long, value_parser = parse_bins, value_name = "[NAME=]BINNING")]
    pub bins: Vec<BinsArg>,
    /// Force a column's kind: `NAME=numeric` or `NAME=categorical` (repeat the flag).
    #[arg(long, value_parser = parse_kind, value_name = "NAME=KIND")]
    pub kind: Vec<(String, ColumnKind)>,
    /// Compare only these columns (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Permutations of the significance test (none when absent).
    #[arg(long, value_name = "N")]
    pub permutations: Option<usize>,
    /// Seed of the permutation test.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Pseudo-count α added to every bin of both sides (off by default).
    #[arg(long, value_parser = super::parse_smoothing, value_name = "α")]
    pub smoothing: Option<f64>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One `--bins` value: for every column, or for one.
#[derive(Clone, Debug, PartialEq)]
pub enum BinsArg {
    /// The binning of every column without its own.
    All(Binning),
    /// The binning of one column.
    Column(String, Binning),
}

fn parse_binning(s: &str) -> Result<Binning, String> {
    s.parse::<Binning>().map_err(|e| e.to_string())
}

/// `BINNING` or `NAME=BINNING` (a binning never holds `=`, so the last one splits).
fn parse_bins(s: &str) -> Result<BinsArg, String> {
    match s.rsplit_once('=') {
        Some((name, b)) if !name.is_empty() => Ok(BinsArg::Column(name.into(), parse_binning(b)?)),
        Some(_) => Err(format!("'{s}' has no column name before '='")),
        None => Ok(BinsArg::All(parse_binning(s)?)),
    }
}

/// `NAME=numeric` or `NAME=categorical`.
fn parse_kind(s: &str) -> Result<(String, ColumnKind), String> {
    let Some((name, kind)) = s.rsplit_once('=').filter(|(n, _)| !n.is_empty()) else {
        return Err(format!("'{s}' is not NAME=numeric or NAME=categorical"));
    };
    let kind = match kind.trim().to_ascii_lowercase().as_str() {
        "numeric" => ColumnKind::Numeric,
        "categorical" => ColumnKind::Categorical,
        other => {
            return Err(format!(
                "'{other}' is not a kind; use numeric or categorical"
            ));
        }
    };
    Ok((name.to_string(), kind))
}

/// The options the arguments describe.
pub fn options_of(args: &DriftArgs) -> DriftOptions {
    let mut options = DriftOptions {
        smoothing: args.smoothing,
        permutations: args.permutations.unwrap_or(0),
        seed: args.seed,
        kinds: args.kind.iter().cloned().collect(),
        ..DriftOptions::default()
    };
    for b in &args.bins {
        match b {
            BinsArg::All(b) => options.binning = b.clone(),
            BinsArg::Column(name, b) => {
                options.per_column.insert(name.clone(), b.clone());
            }
        }
    }
    options
}

/// Reads both tables (in parallel) with the columns asked for.
///
/// # Errors
/// The first table's error, else the second's.
pub fn read_pair(
    reference: &std::path::Path,
    current: &std::path::Path,
    columns: Option<&[String]>,
    cancel: &Cancel,
) -> Result<(Table, Table), TableError> {
    let (a, b) = rayon::join(
        || read_table(reference, columns, cancel),
        || read_table(current, columns, cancel),
    );
    Ok((a?, b?))
}

/// A figure as JSON: a number, or `"inf"`.
fn number(v: f64) -> Value {
    if v.is_infinite() {
        Value::String(if v > 0.0 { "inf" } else { "-inf" }.into())
    } else if v.is_nan() {
        Value::Null
    } else {
        json!(v)
    }
}

/// One column as the JSON object of `drift --json`.
pub fn column_json(c: &ColumnDrift) -> Value {
    let mut v = json!({
        "column": c.column,
        "kind": c.kind.name(),
        "bins": c.bins,
        "kl_pq": number(c.kl_pq.value),
        "kl_qp": number(c.kl_qp.value),
        "js": number(c.js.value),
        "psi": number(c.psi.value),
        "tv": number(c.tv.value),
        "hellinger": number(c.hellinger.value),
        "missing_reference": c.missing_reference,
        "missing_current": c.missing_current,
    });
    if let (Some(t), Some(obj)) = (&c.permutation, v.as_object_mut()) {
        obj.insert("p_value".into(), number(t.p_value));
    }
    v
}

/// The report as the JSON object of `drift --json`.
pub fn report_json(r: &DriftReport) -> Value {
    json!({ "columns": r.columns.iter().map(column_json).collect::<Vec<_>>() })
}

fn fmt(v: f64) -> String {
    if v.is_infinite() {
        "∞".into()
    } else {
        format!("{v:.6}")
    }
}

/// The report as a text table, with the reasons of infinite figures and the test below.
pub fn report_table(r: &DriftReport) -> String {
    let mut s = format!(
        "{:<20} {:<11} {:<14} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8} {:>8}\n",
        "column",
        "kind",
        "bins",
        "KL(r‖c)",
        "KL(c‖r)",
        "JS",
        "PSI",
        "TV",
        "Hellinger",
        "miss r",
        "miss c",
        "p"
    );
    for c in &r.columns {
        s.push_str(&format!(
            "{:<20} {:<11} {:<14} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8} {:>8}\n",
            c.column,
            c.kind.name(),
            c.binning
                .as_ref()
                .map_or("labels".to_string(), ToString::to_string),
            fmt(c.kl_pq.value),
            fmt(c.kl_qp.value),
            fmt(c.js.value),
            fmt(c.psi.value),
            fmt(c.tv.value),
            fmt(c.hellinger.value),
            c.missing_reference,
            c.missing_current,
            c.permutation
                .as_ref()
                .map_or("-".to_string(), |t| format!("{:.4}", t.p_value)),
        ));
    }
    for c in &r.columns {
        let mut notes = Vec::new();
        for (what, f) in [
            ("KL(r‖c)", &c.kl_pq),
            ("KL(c‖r)", &c.kl_qp),
            ("PSI", &c.psi),
        ] {
            if let Some(reason) = &f.reason {
                notes.push(format!("{what} = ∞: {reason}"));
            }
        }
        notes.extend(c.one_sided_lines(ONE_SIDED_NAMED));
        if let Some(t) = &c.permutation {
            notes.push(format!(
                "permutation test ({} permutations, seed {}): JS {} against the null's 95th/99th percentiles {} / {}; under no drift PSI > 0.1 in {:.1}% and > 0.25 in {:.1}% of permutations",
                t.permutations,
                t.seed,
                fmt(t.observed_js),
                fmt(t.null_js_95),
                fmt(t.null_js_99),
                100.0 * t.psi_alarm_rate_010,
                100.0 * t.psi_alarm_rate_025
            ));
        }
        if c.bins
            != c.binning
                .as_ref()
                .map_or("labels".into(), ToString::to_string)
        {
            notes.push(c.bins.clone());
        }
        if !notes.is_empty() {
            s.push_str(&format!("\n{} ({}):\n", c.column, c.kind_reason));
            for n in notes {
                s.push_str(&format!("  {n}\n"));
            }
        }
    }
    for (name, e) in &r.refused {
        s.push_str(&format!("\n{name}: not compared: {e}\n"));
    }
    for name in &r.only_reference {
        s.push_str(&format!("\n{name}: only in the reference table\n"));
    }
    for name in &r.only_current {
        s.push_str(&format!("\n{name}: only in the current table\n"));
    }
    s
}

/// Runs `drift`; the process exit code (2 for a table that cannot be read).
pub fn run_drift(args: &DriftArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cancel = Cancel::default();
    let options = options_of(args);
    // Numeric Parquet columns are streamed, never held; CSV is read into memory.
    let report = match drift_files(
        &args.reference,
        &args.current,
        args.columns.as_deref(),
        &options,
        &cancel,
        &Progress::new(),
    ) {
        Ok(report) => report,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    for (name, e) in &report.refused {
        let _ = writeln!(err, "warning: column '{name}' not compared: {e}");
    }
    let _ = if args.json {
        writeln!(out, "{}", report_json(&report))
    } else {
        write!(out, "{}", report_table(&report))
    };
    0
}
