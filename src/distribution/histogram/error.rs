//! Why a set of bins is not a histogram.

/// Why a set of bins is not a histogram. Positions refer to bins in input order (0-based);
/// the CSV reader maps them back to lines.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HistogramError {
    /// No bins at all.
    #[error("there are no bins")]
    Empty,
    /// A bin's right edge is not greater than its left.
    #[error("right edge {right} must be greater than left edge {left}")]
    BadEdges {
        /// Index of the bin.
        index: usize,
        /// Left edge.
        left: f64,
        /// Right edge.
        right: f64,
    },
    /// A bin narrower than the normal doubles: its density would overflow.
    #[error(
        "bin [{}, {}] is {:e} wide, narrower than 2.2e-308 (the smallest double with full precision): its density would overflow; merge it with a neighbour or rescale x",
        crate::distribution::family::format_number(*left),
        crate::distribution::family::format_number(*right),
        right - left
    )]
    TooNarrow {
        /// Index of the bin.
        index: usize,
        /// Left edge.
        left: f64,
        /// Right edge.
        right: f64,
    },
    /// A negative or non-finite weight.
    #[error("{what} must be a finite number ≥ 0 (got {value})")]
    BadWeight {
        /// Index of the bin.
        index: usize,
        /// "count", "probability" or "density".
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// Two bins overlap.
    #[error("bins [{a_left}, {a_right}] and [{b_left}, {b_right}] overlap")]
    Overlap {
        /// Index of the later bin in input order.
        index: usize,
        /// First bin.
        a_left: f64,
        /// First bin.
        a_right: f64,
        /// Second bin.
        b_left: f64,
        /// Second bin.
        b_right: f64,
    },
    /// Edges given as one column do not number one more than the bins.
    #[error("{edges} edges cannot bound {bins} bins; give one edge more than bins")]
    EdgeCount {
        /// Edges given.
        edges: usize,
        /// Bins (weights) given.
        bins: usize,
    },
    /// Every weight is zero.
    #[error("all counts are zero; there is no distribution to compare")]
    AllZero,
}

impl HistogramError {
    /// The input-order index of the bin at fault, if one is.
    pub fn index(&self) -> Option<usize> {
        match self {
            HistogramError::BadEdges { index, .. }
            | HistogramError::BadWeight { index, .. }
            | HistogramError::TooNarrow { index, .. }
            | HistogramError::Overlap { index, .. } => Some(*index),
            _ => None,
        }
    }
}
