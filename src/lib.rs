//! kl-explorer: explore the Kullback–Leibler divergence between two probability distributions.
//!
//! The library has four layers, and only the last knows about egui:
//! - [`distribution`]: the spec language, parametric families, mixtures and histograms (log densities,
//!   supports, quantiles);
//! - [`divergence`]: KL both ways and its relatives — closed forms, adaptive quadrature and
//!   exact sums, each figure with its method and error, ∞ with its reason;
//! - [`io`]: CSV histograms, PNG export with embedded metadata, saved sessions;
//! - [`app`]: the eframe application.
//!
//! [`drift`] compares every column of two raw tables (read by [`io::table`]) on shared bins.
//!
//! [`cli`] implements the headless `compute` command on the same core.

#![warn(missing_docs)]

pub mod app;
pub mod cancel;
pub mod cli;
pub mod distribution;
pub mod divergence;
pub mod drift;
pub mod estimate;
pub mod fit;
pub mod io;
pub mod special;

/// The crate version, written into exported files.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
