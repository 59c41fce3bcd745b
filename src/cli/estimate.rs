//! `kl-explorer estimate`: the k1/k2/k3/abs estimators of KL(P‖Q) for P and Q, exact and by
//! Monte Carlo, and their gradients when P is a policy (normal or logits).

use std::io::Write;

use clap::Args;
use serde_json::{Map, Value, json};

use crate::cancel::{Cancel, Progress};
use crate::distribution::Distribution;
use crate::divergence::{Options, format_value, json_number};
use crate::estimate::{self, Clamp, Gradients, Loss, McOptions, McResult, Moments, Truth};
use crate::io::{LoadControl, Source};

/// Arguments of `estimate`.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// P, the distribution sampled: a spec or a CSV file.
    #[arg(long, allow_hyphen_values = true)]
    pub p: String,
    /// Q, the reference: a spec or a CSV file.
    #[arg(long, allow_hyphen_values = true)]
    pub q: String,
    /// The number of samples.
    #[arg(long, default_value_t = 100_000, value_parser = parse_n)]
    pub n: u64,
    /// The seed of the random numbers (the same seed gives the same figures).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The framework clamp: none, verl or openrlhf.
    #[arg(long, default_value = "none", value_parser = parse_clamp)]
    pub clamp: Clamp,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Parses a sample count from 2 to [`estimate::monte_carlo::MAX_SAMPLES`] (`1e7` allowed).
///
/// # Errors
/// A sentence when the text is not such a whole number.
pub fn parse_n(s: &str) -> Result<u64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("n '{s}' is not a number of samples"))?;
    let max = estimate::monte_carlo::MAX_SAMPLES;
    if !(v >= 2.0 && v <= max as f64 && v.fract() == 0.0) {
        return Err(format!(
            "n must be a whole number from 2 to {max:e} (got {s})"
        ));
    }
    Ok(v as u64)
}

/// Parses `none`, `verl` or `openrlhf`.
///
/// # Errors
/// A sentence naming the three.
pub fn parse_clamp(s: &str) -> Result<Clamp, String> {
    Clamp::from_name(s).ok_or_else(|| format!("clamp '{s}' is not one of none, verl, openrlhf"))
}

/// Everything `estimate` computes.
pub struct Estimate {
    /// KL both ways.
    pub truth: Truth,
    /// Exact moments, [`crate::estimate::Estimator::ALL`] order.
    pub moments: Vec<Moments>,
    /// The Monte Carlo run.
    pub mc: McResult,
    /// Gradients when P is a policy.
    pub gradients: Option<Gradients>,
}

/// Computes everything for P and Q.
///
/// # Errors
/// A sentence when the pair cannot be estimated.
pub fn compute(
    p: &Distribution,
    q: &Distribution,
    n: u64,
    seed: u64,
    clamp: Clamp,
) -> Result<Estimate, String> {
    let opts = Options::default();
    let truth = estimate::truth(p, q, &opts).map_err(|e| e.to_string())?;
    let moments = estimate::exact_moments(p, q, clamp, &opts).map_err(|e| e.to_string())?;
    let cancel = Cancel::default();
    let progress = Progress::default();
    let mc = estimate::run(
        p,
        q,
        &McOptions {
            n,
            seed,
            clamp,
            ..McOptions::default()
        },
        &cancel,
        &progress,
    )
    .map_err(|e| e.to_string())?;
    let grad_n = n.min(estimate::gradient::MAX_GRADIENT_SAMPLES);
    let gradients = estimate::gradients(p, q, clamp, grad_n, seed, &cancel, &progress)
        .map_err(|_| "cancelled".to_string())?;
    Ok(Estimate {
        truth,
        moments,
        mc,
        gradients,
    })
}

fn rel(v: Option<f64>) -> Value {
    v.map_or(Value::Null, json_number)
}

/// The JSON object of `estimate --json`.
pub fn to_json(e: &Estimate, seed: u64, clamp: Clamp) -> Value {
    let kl = e.truth.kl_pq.value;
    let mut ests = Map::new();
    for (m, s) in e.moments.iter().zip(&e.mc.summaries) {
        let sd = m.sd();
        let mut o = Map::new();
        o.insert("exact_mean".into(), json_number(m.mean.value));
        o.insert(
            "exact_bias_rel".into(),
            rel(estimate::relative_bias(m.mean.value, kl)),
        );
        o.insert("exact_sd_rel".into(), rel(estimate::relative_sd(sd, kl)));
        o.insert("mc_mean".into(), json_number(s.mean));
        o.insert(
            "mc_bias_rel".into(),
            rel(estimate::relative_bias(s.mean, kl)),
        );
        o.insert("mc_sd_rel".into(), rel(estimate::relative_sd(s.sd, kl)));
        if let Some(r) = &m.mean.reason {
            o.insert("reason_mean".into(), Value::from(r.as_str()));
        }
        if let Some(r) = &m.variance.reason {
            o.insert("reason_sd".into(), Value::from(r.as_str()));
        }
        if kl == 0.0 {
            o.insert(
                "reason_rel".into(),
                Value::from("KL(P‖Q) is 0: figures relative to it are undefined"),
            );
        }
        ests.insert(m.estimator.key().into(), Value::Object(o));
    }
    let mut v = json!({
        "kl_pq": json_number(kl),
        "n": e.mc.options.n,
        "seed": seed,
        "clamp": clamp.name(),
        "estimators": Value::Object(ests),
    });
    if let Some(r) = &e.truth.kl_pq.reason {
        v["reason_kl"] = Value::from(r.as_str());
    }
    if let Some(g) = &e.gradients {
        let mut by = Map::new();
        for row in &g.rows {
            let mut o = Map::new();
            for (l, loss) in Loss::ALL.into_iter().enumerate() {
                o.insert(
                    loss.key().into(),
                    json!({
                        "exact": json_number(row.exact[l]),
                        "mc": json_number(row.mc[l]),
                        "mc_se": json_number(row.mc_se[l]),
                    }),
                );
            }
            o.insert("kl_pq".into(), json_number(row.kl_pq));
            o.insert("kl_qp".into(), json_number(row.kl_qp));
            by.insert(row.param.clone(), Value::Object(o));
        }
        v["gradients"] = Value::Object(by);
        if let Some(r) = &g.reason {
            v["reason_gradients"] = Value::from(r.as_str());
        }
    }
    v
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), format_value)
}

/// The text table of `estimate`.
pub fn to_text(e: &Estimate, p: &Distribution, q: &Distribution, clamp: Clamp) -> String {
    let kl = e.truth.kl_pq.value;
    let mut s = format!(
        "P = {}\nQ = {}\nKL(P‖Q) = {}   KL(Q‖P) = {}   N = {}, seed {}, clamp {}\n\n",
        p.to_spec(),
        q.to_spec(),
        format_value(kl),
        format_value(e.truth.kl_qp.value),
        e.mc.options.n,
        e.mc.options.seed,
        clamp.name()
    );
    s.push_str(&format!(
        "{:<5} {:>12} {:>10} {:>10}   {:>12} {:>10} {:>10} {:>10}\n",
        "", "E[k]", "bias/KL", "sd/KL", "MC mean", "± 2 SE", "bias/KL", "sd/KL"
    ));
    for (m, r) in e.moments.iter().zip(&e.mc.summaries) {
        s.push_str(&format!(
            "{:<5} {:>12} {:>10} {:>10}   {:>12} {:>10} {:>10} {:>10}\n",
            m.estimator.key(),
            format_value(m.mean.value),
            opt(estimate::relative_bias(m.mean.value, kl)),
            opt(estimate::relative_sd(m.sd(), kl)),
            format_value(r.mean),
            format_value(2.0 * r.se),
            opt(estimate::relative_bias(r.mean, kl)),
            opt(estimate::relative_sd(r.sd, kl)),
        ));
        for reason in [&m.mean.reason, &m.variance.reason].into_iter().flatten() {
            s.push_str(&format!("      ∞ because {reason}\n"));
        }
    }
    if let Some(g) = &e.gradients {
        s.push_str(&format!(
            "\ngradients (x held fixed, through ln p_θ(x)); exact / Monte Carlo:\n{:<8} {:>11} {:>11}",
            "param", "∇KL(P‖Q)", "∇KL(Q‖P)"
        ));
        for loss in Loss::ALL {
            s.push_str(&format!(" {:>21}", loss.key()));
        }
        s.push('\n');
        for row in &g.rows {
            s.push_str(&format!(
                "{:<8} {:>11} {:>11}",
                row.param,
                format_value(row.kl_pq),
                format_value(row.kl_qp)
            ));
            for l in 0..Loss::ALL.len() {
                s.push_str(&format!(
                    " {:>10} {:>10}",
                    format_value(row.exact[l]),
                    format_value(row.mc[l])
                ));
            }
            s.push('\n');
        }
        if let Some(r) = &g.reason {
            s.push_str(&format!("undefined because {r}\n"));
        }
    }
    s
}

/// Runs `estimate`, writing results to `out` and errors to `err`; returns the exit code
/// (2 for a bad spec or pair, as `compute`).
pub fn run_estimate(args: &EstimateArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let control = LoadControl::default();
    let load = |text: &str, name: &str| {
        Source::from_text(text)
            .load(&control)
            .map_err(|e| format!("{name}: {e}"))
    };
    let pair = load(&args.p, "P").and_then(|p| Ok((p, load(&args.q, "Q")?)));
    let result =
        pair.and_then(|(p, q)| compute(&p, &q, args.n, args.seed, args.clamp).map(|e| (p, q, e)));
    match result {
        Ok((p, q, e)) => {
            let _ = if args.json {
                writeln!(out, "{}", to_json(&e, args.seed, args.clamp))
            } else {
                write!(out, "{}", to_text(&e, &p, &q, args.clamp))
            };
            0
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            2
        }
    }
}
