//! `kl-explorer fit`: fit Q in a family to P by minimising KL in one direction, and list every
//! stationary point the multi-start search finds (with three parameters, the passes between
//! each pair of minima: saddles, or the edge of the family, in words).

use std::io::Write;

use clap::Args;
use serde_json::{Value, json};

use crate::distribution::Distribution;
use crate::divergence::json_number;
use crate::fit::{self, Direction, Fit, Problem, QFamily, Search};
use crate::io::{LoadControl, Source};

/// Arguments of `fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// P: a spec such as `0.5*normal(-3,1) + 0.5*normal(3,1)` or a CSV file.
    #[arg(long, allow_hyphen_values = true)]
    pub p: String,
    /// Q's family: normal, laplace, student_t (freedom fitted), student_t(ν) (fixed), gamma,
    /// log_normal, weibull, beta.
    #[arg(long)]
    pub family: String,
    /// forward (KL(P‖Q), mass-covering) or reverse (KL(Q‖P), mode-seeking).
    #[arg(long)]
    pub direction: String,
    /// The start: a spec of the family, e.g. `normal(2, 0.5)`; by default P's median and
    /// spread, and the search's best minimum if that start ends elsewhere.
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn params_json(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| json_number(*x)).collect())
}

/// The JSON of a fit and its search.
pub fn fit_json(problem: &Problem, f: &Fit, search: &Search, start: &[f64]) -> Value {
    let optima: Vec<Value> = search
        .optima
        .iter()
        .map(|o| {
            json!({
                "q": o.q.to_spec(),
                "params": params_json(o.q.params()),
                "kl": json_number(o.kl.value),
                "kind": o.kind.name(),
            })
        })
        .collect();
    let mut v = json!({
        "direction": problem.direction.name(),
        "family": problem.family.name(),
        "q": f.q.to_spec(),
        "params": params_json(f.params()),
        "kl": json_number(f.kl.value),
        "converged": f.converged,
        "iterations": f.iterations,
        "optima": optima,
        "method": f.kl.method,
        "error": json_number(f.kl.error),
        "start": problem.family.q(start).map(|q| q.to_spec()),
    });
    if let Some(k) = f.kind {
        v["kind"] = json!(k.name());
    }
    if let Some(e) = &f.edge {
        v["edge"] = json!(e.sentence());
    }
    if let Some(r) = &f.kl.reason {
        v["reason"] = json!(r);
    }
    if !search.edges.is_empty() {
        v["edges"] = Value::Array(search.edges.iter().map(|e| json!(e.sentence())).collect());
    }
    if !search.passes.is_empty() {
        v["passes"] = Value::Array(search.passes.iter().map(pass_json).collect());
    }
    v
}

/// One pass: its ends, each crossing (`saddle`, `edge` with the limit's saddle, or
/// `unresolved`) and the pass in words.
fn pass_json(p: &fit::Pass) -> Value {
    let crossings: Vec<Value> = p
        .crossings
        .iter()
        .map(|c| match c {
            fit::Crossing::Saddle(s) => json!({
                "kind": "saddle",
                "q": s.q.to_spec(),
                "params": params_json(s.q.params()),
                "kl": json_number(s.kl.value),
                "words": c.sentence(),
            }),
            fit::Crossing::Edge(e) => {
                let mut v = json!({
                    "kind": "edge",
                    "param": e.param,
                    "to_infinity": e.to_infinity,
                    "kl": json_number(c.kl().unwrap_or(e.kl.value)),
                    "words": c.sentence(),
                });
                if let Some(l) = &e.limit {
                    v["limit"] = json!({
                        "q": l.q.to_spec(),
                        "params": params_json(l.q.params()),
                        "kl": json_number(l.kl.value),
                        "kind": l.kind.name(),
                    });
                }
                v
            }
            fit::Crossing::Unresolved(_) => json!({
                "kind": "unresolved",
                "words": c.sentence(),
            }),
        })
        .collect();
    json!({
        "between": [p.ends[0].to_spec(), p.ends[1].to_spec()],
        "crossings": crossings,
        "string_steps": p.steps,
        "settled": p.settled,
        "words": p.sentence(),
    })
}

fn text(problem: &Problem, f: &Fit, search: &Search) -> String {
    let mut s = format!(
        "{} fit of {} ({}):\n  Q = {}\n  {} = {} ± {:.1e}  ({})\n  {} after {} Newton steps\n",
        problem.direction.name(),
        problem.family.name(),
        problem.direction.character(),
        f.q.to_spec(),
        problem.direction.formula(),
        crate::divergence::format_value(f.kl.value),
        f.kl.error,
        f.kl.method,
        if f.converged {
            "converged (step < 1e-10 in θ)"
        } else {
            "not converged"
        },
        f.iterations
    );
    if let Some(e) = &f.edge {
        s.push_str(&format!("  {}\n", e.sentence()));
    }
    s.push_str("stationary points, by KL:\n");
    for o in &search.optima {
        s.push_str(&format!(
            "  {:<8} {:<44} {}\n",
            o.kind.name(),
            o.q.to_spec(),
            crate::divergence::format_value(o.kl.value)
        ));
    }
    for e in &search.edges {
        s.push_str(&format!("  edge: {}\n", e.sentence()));
    }
    for p in &search.passes {
        s.push_str(&format!("  pass: {}\n", p.sentence()));
    }
    s
}

/// Builds the problem from the arguments.
///
/// # Errors
/// A sentence for a bad spec, family, direction or start.
pub fn problem_of(args: &FitArgs) -> Result<(Problem, Option<Vec<f64>>), String> {
    let family = QFamily::from_name(&args.family).ok_or_else(|| {
        format!(
            "unknown family '{}'; use normal, laplace, student_t, student_t(ν), gamma, log_normal, weibull or beta",
            args.family
        )
    })?;
    let direction = Direction::from_name(&args.direction).ok_or_else(|| {
        format!(
            "unknown direction '{}'; use forward or reverse",
            args.direction
        )
    })?;
    let p: Distribution = Source::from_text(&args.p)
        .load(&LoadControl::default())
        .map_err(|e| format!("P: {e}"))?;
    if p.kind() != crate::distribution::Kind::Continuous {
        return Err("P is discrete; the fitted families are continuous".into());
    }
    let start = match &args.from {
        None => None,
        Some(text) => {
            let d = crate::distribution::parse_spec(text).map_err(|e| format!("--from: {e}"))?;
            Some(family.theta_of(&d).ok_or_else(|| {
                format!(
                    "--from: {text} is not a member of the family {}",
                    family.name()
                )
            })?)
        }
    };
    Ok((Problem::new(p, family, direction), start))
}

/// Runs `fit`; returns the exit code (2 for bad input, 1 when KL is ∞ for every Q).
pub fn run_fit(args: &FitArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (problem, start) = match problem_of(args) {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let Ok(search) = fit::search(&problem) else {
        let _ = writeln!(err, "error: cancelled");
        return 1;
    };
    if let Some(reason) = &search.infinite {
        let _ = writeln!(
            err,
            "error: {} is ∞ for every {} Q: {reason}",
            problem.direction.formula(),
            problem.family.name()
        );
        return 1;
    }
    let initial = start
        .clone()
        .unwrap_or_else(|| fit::initial_theta(&problem.p, problem.family));
    let mut chosen = initial.clone();
    let mut result = fit::fit_from(&problem, &initial);
    if start.is_none()
        && let Some(best) = search.best_minimum()
        && result
            .as_ref()
            .is_none_or(|f| f.edge.is_none() && !(f.kl.value <= best.kl.value + 1e-9))
    {
        chosen = best.theta.clone();
        result = fit::fit_from(&problem, &chosen);
    }
    let Some(f) = result else {
        let _ = writeln!(
            err,
            "error: the start is not a valid {}",
            problem.family.name()
        );
        return 2;
    };
    let _ = if args.json {
        writeln!(out, "{}", fit_json(&problem, &f, &search, &chosen))
    } else {
        write!(out, "{}", text(&problem, &f, &search))
    };
    0
}
