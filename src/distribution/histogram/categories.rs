//! Counts over named categories.

use std::collections::{HashMap, HashSet};

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
        // Each label's index, so that many labels (a column of distinct strings) take
        // linear time, not a scan of all earlier labels each.
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut repeated: HashSet<String> = HashSet::new();
        for (at, (label, c)) in pairs.into_iter().enumerate() {
            if !(c >= 0.0 && c.is_finite()) {
                return Err(HistogramError::BadWeight {
                    index: at,
                    what: "count",
                    value: c,
                });
            }
            match index.get(&label) {
                Some(&i) => {
                    counts[i] += c;
                    if repeated.insert(label.clone()) {
                        provenance.repeated_labels.push(label);
                    }
                }
                None => {
                    index.insert(label.clone(), labels.len());
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
        let index: HashMap<&str, usize> = self
            .labels
            .iter()
            .enumerate()
            .rev()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        labels
            .iter()
            .map(|l| index.get(l.as_str()).map_or(0.0, |&i| self.probs[i]))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn repeated_labels_add_up_and_are_named_once_in_file_order() {
        let pairs = [
            ("b", 1.0),
            ("a", 2.0),
            ("b", 3.0),
            ("c", 0.0),
            ("a", 1.0),
            ("b", 1.0),
        ];
        let c = Categories::new(
            pairs.iter().map(|&(l, n)| (l.to_string(), n)).collect(),
            "t",
            Vec::new(),
        )
        .unwrap();
        assert_eq!(c.labels, ["b", "a", "c"]);
        assert_eq!(c.counts, [5.0, 3.0, 0.0]);
        assert_eq!(c.probs, [5.0 / 8.0, 3.0 / 8.0, 0.0]);
        assert_eq!(c.provenance.repeated_labels, ["b", "a"]);
        // Over a superset, in its order, with 0 for labels it lacks.
        let over: Vec<String> = ["c", "z", "a", "b"].map(String::from).to_vec();
        assert_eq!(c.aligned_to(&over), [0.0, 0.0, 3.0 / 8.0, 5.0 / 8.0]);
    }

    #[test]
    fn many_distinct_labels_keep_their_order_and_counts() {
        let n = 20_000;
        let c = Categories::new(
            (0..n).map(|i| (format!("s{i}"), 1.0)).collect(),
            "t",
            Vec::new(),
        )
        .unwrap();
        assert_eq!(c.labels.len(), n);
        assert_eq!(c.labels[n - 1], format!("s{}", n - 1));
        assert!(c.provenance.repeated_labels.is_empty());
        let reversed: Vec<String> = c.labels.iter().rev().cloned().collect();
        #[allow(clippy::cast_precision_loss)]
        let p = 1.0 / n as f64;
        assert!(c.aligned_to(&reversed).iter().all(|&x| x == p));
    }
}
