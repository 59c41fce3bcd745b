//! Counts over named categories.

use super::{CategoriesProvenance, HistogramError, display_name};

/// Counts over named categories, compared with another [`Categories`] by label.
#[derive(Clone, Debug, PartialEq)]
pub struct Categories {
    /// The labels, in file order.
    pub labels: Vec<String>,
    /// Probabilities, summing to 1.
    pub probs: Vec<f64>,
    /// The counts as read.
    pub counts: Vec<f64>,
    /// Where it came from.
    pub source: String,
    /// What the reader detected and changed.
    pub provenance: CategoriesProvenance,
    /// Remarks from whoever built the categories (the comparison that made them, say),
    /// shown after the provenance.
    pub notes: Vec<String>,
}

impl Categories {
    /// Builds from `(label, count)` pairs; a repeated label adds up.
    ///
    /// # Errors
    /// [`HistogramError`] for negative counts or no mass.
    pub fn new(
        pairs: Vec<(String, f64)>,
        source: impl Into<String>,
        notes: Vec<String>,
    ) -> Result<Self, HistogramError> {
        if pairs.is_empty() {
            return Err(HistogramError::Empty);
        }
        let mut labels: Vec<String> = Vec::new();
        let mut counts: Vec<f64> = Vec::new();
        let mut provenance = CategoriesProvenance::default();
        for (index, (label, c)) in pairs.into_iter().enumerate() {
            if !(c >= 0.0 && c.is_finite()) {
                return Err(HistogramError::BadWeight {
                    index,
                    what: "count",
                    value: c,
                });
            }
            match labels.iter().position(|l| *l == label) {
                Some(i) => {
                    counts[i] += c;
                    if !provenance.repeated_labels.contains(&label) {
                        provenance.repeated_labels.push(label);
                    }
                }
                None => {
                    labels.push(label);
                    counts.push(c);
                }
            }
        }
        let total: f64 = counts.iter().sum();
        if !(total > 0.0) {
            return Err(HistogramError::AllZero);
        }
        Ok(Categories {
            probs: counts.iter().map(|c| c / total).collect(),
            labels,
            counts,
            source: source.into(),
            provenance,
            notes,
        })
    }

    /// Re-expresses `self` over `labels` (a superset), with 0 for labels it lacks.
    pub fn aligned_to(&self, labels: &[String]) -> Vec<f64> {
        labels
            .iter()
            .map(|l| {
                self.labels
                    .iter()
                    .position(|x| x == l)
                    .map_or(0.0, |i| self.probs[i])
            })
            .collect()
    }

    /// The file name (or source) for legends.
    pub fn display_name(&self) -> String {
        display_name(&self.source)
    }

    /// The provenance and the remarks, as the sentences shown beside the categories.
    pub fn note_lines(&self) -> Vec<String> {
        let mut out = self.provenance.lines();
        out.extend(self.notes.iter().cloned());
        out
    }
}
