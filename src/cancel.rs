//! Cooperative cancellation for long computations and loads.
//!
//! The app's worker hands a [`Cancel`] to every request it runs; long loops (quadrature
//! between intervals, the histogram walk between chunks, CSV reading between blocks, curve
//! sampling) check it and stop with [`Cancelled`]. A fresh `Cancel` is never cancelled, so
//! the headless commands pass `Cancel::default()` and never see the error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// A shared flag: set once, seen by every clone.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks the work holding a clone of this flag to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Cancel::cancel`] was called on any clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once cancelled: `cancel.check()?` between chunks of work.
    ///
    /// # Errors
    /// [`Cancelled`] when the flag is set.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Work stopped because its [`Cancel`] was set; not a failure to report to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// How far a long computation has got, from 0 to 1: set by the work, read by the window.
#[derive(Clone, Debug, Default)]
pub struct Progress(Arc<AtomicU32>);

impl Progress {
    /// Progress at 0.
    pub fn new() -> Self {
        Progress::default()
    }

    /// Records the fraction done (clamped to [0, 1]; NaN counts as 0).
    pub fn set(&self, fraction: f64) {
        let f = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        #[allow(clippy::cast_possible_truncation)]
        self.0.store((f as f32).to_bits(), Ordering::Relaxed);
    }

    /// The fraction done, in [0, 1].
    pub fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_sees_the_cancel() {
        let a = Cancel::new();
        let b = a.clone();
        assert_eq!(b.check(), Ok(()));
        a.cancel();
        assert!(b.is_cancelled());
        assert_eq!(b.check(), Err(Cancelled));
    }

    #[test]
    fn progress_is_clamped_and_shared() {
        let a = Progress::new();
        let b = a.clone();
        assert_eq!(b.get(), 0.0);
        a.set(0.25);
        assert_eq!(b.get(), 0.25);
        a.set(7.0);
        assert_eq!(b.get(), 1.0);
        a.set(f64::NAN);
        assert_eq!(b.get(), 0.0);
    }
}
