//! The compute workers: every derived figure of the comparison (the report, the bin table, the
//! curves, the naive grid sums) is computed on one named thread, from a [`Request`] that names
//! every input it depends on.
//!
//! The slot logic is [`Lane`], generic over request and answer: the comparison's [`Worker`]
//! is one lane, and each lab (samples, fitting, drift) runs its own lane, so that a long lab
//! computation never holds up the comparison's figures.
//!
//! A lane has one request slot. A new request replaces one that has not started and cancels the
//! one that is running (the engine checks the flag between chunks of work), so dragging a
//! slider over a large pair computes the last position, not every position on the way. The UI
//! polls for results each frame and never waits: until the answer to the newest request
//! arrives, it shows the last answer, marked as updating. Each answer carries its request, so
//! it can never be shown as the answer to another.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::cancel::{Cancel, Cancelled, Progress};
use crate::distribution::{Distribution, Kind};
use crate::divergence::bins::{BinTable, bin_table, on_p_bins};
use crate::divergence::pointwise::{Curves, curves};
use crate::divergence::renyi::{
    AlphaCurve, Divergence, Pair, alpha_curve, divergence_pair, family_curves,
};
use crate::divergence::smoothing::smoothed;
use crate::divergence::{self, CompareError, Options, Report, grid_sum};

/// Points in the plotted curves.
pub const CURVE_POINTS: usize = 4000;

/// Everything a result depends on. Distributions are compared by identity: a new edit makes a
/// new `Arc`, so an unchanged side keeps its identity and its results.
#[derive(Clone, Debug)]
pub struct Request {
    /// P as the user gave it.
    pub p: Arc<Distribution>,
    /// Q as the user gave it.
    pub q: Arc<Distribution>,
    /// Additive smoothing of histogram bins.
    pub smoothing: Option<f64>,
    /// Compare a histogram P and a parametric Q on P's bins.
    pub on_p_bins: bool,
    /// The naive grid sum's a, b, n.
    pub grid: (f64, f64, usize),
    /// The divergence of the family section and the pointwise plots.
    pub divergence: Divergence,
}

impl Request {
    /// Whether `other` asks for the same thing.
    pub fn same_as(&self, other: &Request) -> bool {
        Arc::ptr_eq(&self.p, &other.p)
            && Arc::ptr_eq(&self.q, &other.q)
            && self.smoothing.map(f64::to_bits) == other.smoothing.map(f64::to_bits)
            && self.on_p_bins == other.on_p_bins
            && self.grid.0.to_bits() == other.grid.0.to_bits()
            && self.grid.1.to_bits() == other.grid.1.to_bits()
            && self.grid.2 == other.grid.2
            && same_divergence(self.divergence, other.divergence)
    }

    /// Whether `other` compares the same two distributions (whatever the settings).
    pub fn same_pair(&self, other: &Request) -> bool {
        Arc::ptr_eq(&self.p, &other.p) && Arc::ptr_eq(&self.q, &other.q)
    }
}

/// Two divergence choices are the same request (Rényi orders compared bit for bit).
fn same_divergence(a: Divergence, b: Divergence) -> bool {
    match (a, b) {
        (Divergence::Renyi(x), Divergence::Renyi(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// The chosen divergence of a request: its figures both ways, its curves, D_α against α.
#[derive(Clone, Debug)]
pub struct FamilyAnswer {
    /// The divergence both ways (nats), or why not.
    pub pair: Result<Pair, String>,
    /// The pointwise integrand and the running value of the chosen divergence.
    pub curves: Arc<Curves>,
    /// D_α(P‖Q) and D_α(Q‖P) against α (empty for KL).
    pub alpha: AlphaCurve,
}

/// The note's naive sum in both directions, on the request's grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridSums {
    /// The grid spacing, (b − a) / (n − 1).
    pub dx: f64,
    /// Σ kl_div(p_i, q_i) and that sum × Δx, in nats.
    pub pq: (f64, f64),
    /// Σ kl_div(q_i, p_i) and that sum × Δx, in nats.
    pub qp: (f64, f64),
}

/// The answer to one request.
#[derive(Clone, Debug)]
pub struct Derived {
    /// What it answers.
    pub request: Request,
    /// P as compared (smoothed, or on P's bins, when asked).
    pub p: Arc<Distribution>,
    /// Q as compared.
    pub q: Arc<Distribution>,
    /// The figures in nats, or why the pair cannot be compared.
    pub report: Result<Report, String>,
    /// The plotted curves.
    pub curves: Arc<Curves>,
    /// Per-bin contributions, when a side is binned.
    pub bins: Option<Arc<BinTable>>,
    /// The naive grid sums (continuous pairs only).
    pub grid: Option<GridSums>,
    /// The chosen divergence, when the pair could be compared.
    pub family: Option<Arc<FamilyAnswer>>,
    /// How long it took.
    pub elapsed: Duration,
}

/// The distributions a request compares: smoothing and "on P's bins" applied.
pub fn effective(r: &Request) -> (Arc<Distribution>, Arc<Distribution>) {
    let (p, q) = (smoothed(&r.p, r.smoothing), smoothed(&r.q, r.smoothing));
    if r.on_p_bins
        && let Some((a, b)) = on_p_bins(&p, &q)
    {
        return (Arc::new(a), Arc::new(b));
    }
    (p, q)
}

/// Computes everything a request asks for, checking `cancel` between the parts.
///
/// # Errors
/// [`Cancelled`] when a newer request cancelled this one.
pub fn derive(request: &Request, cancel: &Cancel) -> Result<Derived, Cancelled> {
    let start = Instant::now();
    let (p, q) = effective(request);
    cancel.check()?;
    let opts = Options {
        cancel: cancel.clone(),
        ..Options::default()
    };
    let report = match divergence::compare(&p, &q, &opts) {
        Err(CompareError::Cancelled) => return Err(Cancelled),
        other => other.map_err(|e| e.to_string()),
    };
    cancel.check()?;
    let bins = bin_table(&p, &q, cancel)?.map(Arc::new);
    cancel.check()?;
    let curves = if report.is_ok() {
        Arc::new(curves(&p, &q, CURVE_POINTS, cancel)?)
    } else {
        Arc::new(Curves::default())
    };
    cancel.check()?;
    let grid = (report.is_ok() && p.kind() == Kind::Continuous).then(|| {
        let (a, b, n) = request.grid;
        GridSums {
            dx: (b - a) / (n.max(2) - 1) as f64,
            pq: grid_sum(&p, &q, a, b, n),
            qp: grid_sum(&q, &p, a, b, n),
        }
    });
    cancel.check()?;
    let family = match &report {
        Ok(r) => Some(Arc::new(family_answer(
            &p,
            &q,
            request.divergence,
            r,
            &curves,
            &opts,
        )?)),
        Err(_) => None,
    };
    Ok(Derived {
        request: request.clone(),
        p,
        q,
        report,
        curves,
        bins,
        grid,
        family,
        elapsed: start.elapsed(),
    })
}

/// The family section's answer: the chosen divergence, its curves, the α curve.
fn family_answer(
    p: &Distribution,
    q: &Distribution,
    divergence: Divergence,
    report: &Report,
    curves: &Arc<Curves>,
    opts: &Options,
) -> Result<FamilyAnswer, Cancelled> {
    let cancelled = |e: &CompareError| matches!(e, CompareError::Cancelled);
    let pair = match divergence_pair(p, q, divergence, Some(report), opts) {
        Err(e) if cancelled(&e) => return Err(Cancelled),
        other => other.map_err(|e| e.to_string()),
    };
    let family_curves = match family_curves(p, q, curves, divergence, opts) {
        Ok(c) => Arc::new(c),
        Err(e) if cancelled(&e) => return Err(Cancelled),
        Err(_) => curves.clone(),
    };
    // 104 integrals: only when a divergence beyond KL is asked for, so the default
    // comparison (and a drag over a large pair) costs what it did.
    let alpha = if divergence == Divergence::Kl {
        AlphaCurve::default()
    } else {
        alpha_curve(p, q, opts)?
    };
    Ok(FamilyAnswer {
        pair,
        curves: family_curves,
        alpha,
    })
}

/// What a panic said, if it said it in text.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// A bug in the engine must not leave the window waiting for figures forever: it becomes a
/// sentence in the metrics panel, and the app goes on.
fn derive_or_explain(request: &Request, cancel: &Cancel) -> Result<Derived, Cancelled> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| derive(request, cancel)))
        .unwrap_or_else(|panic| {
            Ok(Derived {
                request: request.clone(),
                p: request.p.clone(),
                q: request.q.clone(),
                report: Err(format!(
                    "kl-explorer failed while computing this pair ({}); this is a bug, please report it with both specs",
                    panic_text(&*panic)
                )),
                curves: Arc::new(Curves::default()),
                bins: None,
                grid: None,
                family: None,
                elapsed: Duration::ZERO,
            })
        })
}

struct Slot<R> {
    next: Option<R>,
    running: Option<Cancel>,
    shutdown: bool,
}

struct Shared<R> {
    slot: Mutex<Slot<R>>,
    wake: Condvar,
    finished: AtomicU64,
    cancelled: AtomicU64,
    progress: Mutex<Progress>,
}

impl<R> Shared<R> {
    fn lock(&self) -> MutexGuard<'_, Slot<R>> {
        // A poisoned lock only means a panic elsewhere while holding it; the slot is still
        // a plain value.
        self.slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn progress(&self) -> MutexGuard<'_, Progress> {
        self.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One compute thread with one request slot, newest request wins: the comparison has one, and
/// each lab has its own, so that a long permutation test never holds up the comparison's
/// figures (and dragging a slider there never cancels it). `R` is the request, `A` the answer.
pub struct Lane<R, A> {
    shared: Arc<Shared<R>>,
    rx: Receiver<A>,
}

/// The comparison's worker.
pub type Worker = Lane<Request, Derived>;

impl Worker {
    /// Starts the comparison's thread. `notify` is called after each answer (the app asks for
    /// a repaint).
    pub fn spawn(notify: impl Fn() + Send + 'static) -> Worker {
        Lane::start(
            "kl-worker",
            |r: &Request, c: &Cancel, _: &Progress| derive_or_explain(r, c),
            notify,
        )
    }
}

impl<R: Send + 'static, A: Send + 'static> Lane<R, A> {
    /// Starts a thread named `name` that answers each request with `compute`, which checks
    /// its [`Cancel`] between chunks of work and may report its [`Progress`]. `notify` is
    /// called after each answer.
    pub fn start(
        name: &str,
        compute: impl Fn(&R, &Cancel, &Progress) -> Result<A, Cancelled> + Send + 'static,
        notify: impl Fn() + Send + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot {
                next: None,
                running: None,
                shutdown: false,
            }),
            wake: Condvar::new(),
            finished: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            progress: Mutex::new(Progress::new()),
        });
        let (tx, rx) = channel();
        let thread_shared = shared.clone();
        // Each lane computes in a rayon pool of its own: in the global one, a lab's permutation
        // test held every thread, and the comparison's figures (a few milliseconds) waited 8 s
        // behind it for a thread to take their joins. The cores are shared by the system's
        // scheduler instead. Without a pool of its own the lane runs in the global one.
        let prefix = name.to_string();
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(move |i| format!("{prefix}-{i}"))
            .build();
        let started = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let lane = move || run(&thread_shared, &tx, &compute, &notify);
                match pool {
                    Ok(pool) => pool.install(lane),
                    Err(_) => lane(),
                }
            });
        if let Err(e) = started {
            // Out of threads: the panel will stay "computing"; say why on stderr.
            eprintln!("kl-explorer: could not start the compute thread {name}: {e}");
        }
        Lane { shared, rx }
    }

    /// Asks for `request`: replaces a request that has not started and cancels the running
    /// one.
    pub fn submit(&self, request: R) {
        let mut slot = self.shared.lock();
        slot.next = Some(request);
        if let Some(running) = &slot.running {
            running.cancel();
        }
        drop(slot);
        self.shared.wake.notify_one();
    }

    /// Stops the running request and drops a waiting one (the user's Cancel).
    pub fn cancel(&self) {
        let mut slot = self.shared.lock();
        slot.next = None;
        if let Some(running) = &slot.running {
            running.cancel();
        }
    }

    /// Whether a request is running or waiting.
    pub fn is_running(&self) -> bool {
        let slot = self.shared.lock();
        slot.running.is_some() || slot.next.is_some()
    }

    /// How far the running request has got, from 0 to 1.
    pub fn progress(&self) -> f32 {
        self.shared.progress().get()
    }

    /// The newest answer that arrived since the last call, if any.
    pub fn poll(&self) -> Option<A> {
        self.rx.try_iter().last()
    }

    /// How many requests were computed to the end.
    pub fn finished(&self) -> u64 {
        self.shared.finished.load(Ordering::Relaxed)
    }

    /// How many requests were cancelled part way by a newer one.
    pub fn cancelled(&self) -> u64 {
        self.shared.cancelled.load(Ordering::Relaxed)
    }
}

impl<R, A> Drop for Lane<R, A> {
    fn drop(&mut self) {
        let mut slot = self.shared.lock();
        slot.shutdown = true;
        if let Some(running) = &slot.running {
            running.cancel();
        }
        drop(slot);
        self.shared.wake.notify_one();
    }
}

fn run<R, A>(
    shared: &Shared<R>,
    tx: &Sender<A>,
    compute: &dyn Fn(&R, &Cancel, &Progress) -> Result<A, Cancelled>,
    notify: &dyn Fn(),
) {
    loop {
        let mut slot = shared.lock();
        while slot.next.is_none() && !slot.shutdown {
            slot = shared
                .wake
                .wait(slot)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if slot.shutdown {
            return;
        }
        let Some(request) = slot.next.take() else {
            continue;
        };
        let cancel = Cancel::new();
        slot.running = Some(cancel.clone());
        let progress = Progress::new();
        *shared.progress() = progress.clone();
        drop(slot);

        let result = compute(&request, &cancel, &progress);
        shared.lock().running = None;
        match result {
            Ok(answer) if !cancel.is_cancelled() => {
                shared.finished.fetch_add(1, Ordering::Relaxed);
                if tx.send(answer).is_err() {
                    return; // the app is gone
                }
                notify();
            }
            _ => {
                shared.cancelled.fetch_add(1, Ordering::Relaxed);
                notify();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    fn request(p: &str, q: &str) -> Request {
        Request {
            p: Arc::new(parse_spec(p).unwrap()),
            q: Arc::new(parse_spec(q).unwrap()),
            smoothing: None,
            on_p_bins: false,
            grid: (-10.0, 10.0, 1000),
            divergence: Divergence::Kl,
        }
    }

    fn wait(worker: &Worker) -> Derived {
        for _ in 0..2000 {
            if let Some(d) = worker.poll() {
                return d;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("no answer");
    }

    #[test]
    fn an_answer_carries_its_request_and_the_grid_sums_of_both_directions() {
        let worker = Worker::spawn(|| {});
        let r = request("normal(0, 1)", "normal(1, 2)");
        worker.submit(r.clone());
        let d = wait(&worker);
        assert!(d.request.same_as(&r));
        let report = d.report.unwrap();
        assert!((report.kl_pq.value - 0.443_147_180_559_945_3).abs() < 1e-12);
        let g = d.grid.unwrap();
        assert!((g.dx - 20.0 / 999.0).abs() < 1e-15);
        // The note's numbers: 22.135 without Δx, ≈ KL with it.
        assert!((g.pq.0 - 22.135).abs() < 1e-3, "{g:?}");
        assert!((g.pq.1 - 0.4431).abs() < 1e-3, "{g:?}");
        assert!((g.qp.1 - report.kl_qp.value).abs() < 1e-2, "{g:?}");
        assert_eq!(worker.finished(), 1);
    }

    /// A lane whose computation holds every thread of the global rayon pool (and of its
    /// own) does not keep another lane's rayon work from finishing: each lane has its own pool.
    #[test]
    fn a_lane_that_holds_its_threads_does_not_hold_up_another_lane_s_joins() {
        use std::sync::atomic::AtomicBool;
        let release = Arc::new(AtomicBool::new(false));
        let held = Arc::new(AtomicU64::new(0));
        let (r, h) = (release.clone(), held.clone());
        let busy: Lane<(), ()> = Lane::start(
            "test-busy",
            move |_: &(), _: &Cancel, _: &Progress| {
                // Every thread of this lane's pool, and of the global pool, waits for the release.
                let hold = || {
                    h.fetch_add(1, Ordering::SeqCst);
                    while !r.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                };
                std::thread::scope(|s| {
                    s.spawn(|| {
                        rayon::scope(|g| {
                            for _ in 0..rayon::current_num_threads() {
                                g.spawn(|_| hold());
                            }
                        })
                    });
                    rayon::scope(|g| {
                        for _ in 0..rayon::current_num_threads() {
                            g.spawn(|_| hold());
                        }
                    });
                });
                Ok(())
            },
            || {},
        );
        busy.submit(());
        let threads = rayon::current_num_threads() as u64;
        for _ in 0..2000 {
            if held.load(Ordering::SeqCst) >= 2 * threads {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let joins: Lane<(), i32> = Lane::start(
            "test-joins",
            |_: &(), _: &Cancel, _: &Progress| Ok(rayon::join(|| 1, || 2).0 + 2),
            || {},
        );
        joins.submit(());
        let mut answer = None;
        for _ in 0..2000 {
            answer = joins.poll();
            if answer.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let still_held = !release.load(Ordering::SeqCst);
        release.store(true, Ordering::SeqCst);
        assert_eq!(
            answer,
            Some(3),
            "the joins never finished while the other lane held its threads"
        );
        assert!(still_held);
    }

    #[test]
    fn settings_are_part_of_the_request() {
        let a = request("normal(0, 1)", "normal(1, 2)");
        let mut b = a.clone();
        assert!(a.same_as(&b));
        b.smoothing = Some(0.5);
        assert!(!a.same_as(&b));
        assert!(a.same_pair(&b));
        let mut c = a.clone();
        c.grid.2 = 10;
        assert!(!a.same_as(&c));
        let d = request("normal(0, 1)", "normal(1, 2)");
        assert!(!a.same_pair(&d), "a new distribution is a new request");
        let mut e = a.clone();
        e.divergence = Divergence::Renyi(0.5);
        assert!(!a.same_as(&e));
        let mut f = e.clone();
        f.divergence = Divergence::Renyi(0.5000001);
        assert!(!e.same_as(&f) && e.same_as(&e.clone()));
        assert!(a.same_pair(&e));
    }
}
