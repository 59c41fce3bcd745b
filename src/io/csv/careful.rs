//! The careful path: one line split into fields and each field checked, which is where every
//! message about a row comes from.

use std::borrow::Cow;

use super::columns::Columns;
use super::error::{CsvError, CsvErrorKind};
use super::fast::Row;
use super::sniff::{parse_number, split_fields};
use crate::distribution::histogram::Layout;

impl Row<'_> {
    /// Parses one row's chosen columns into `values` (and `labels`), checking each field.
    pub(super) fn parse(
        &mut self,
        line: usize,
        text: &str,
        values: &mut Columns,
        labels: &mut Vec<String>,
    ) -> Result<(), CsvError> {
        // Up to 32 fields live on the stack; quoted or wider rows take the general path.
        let mut stack: [&str; 32] = [""; 32];
        let owned: Vec<Cow<'_, str>>;
        let mut n = 0;
        let fields: &[&str] = match self.delim {
            Some(d) if !text.contains('"') => {
                for f in text.split(d) {
                    if n < 32 {
                        stack[n] = f.trim();
                    }
                    n += 1;
                }
                &stack[..n.min(32)]
            }
            None if !text.contains('"') => {
                for f in text.split_whitespace() {
                    if n < 32 {
                        stack[n] = f;
                    }
                    n += 1;
                }
                &stack[..n.min(32)]
            }
            _ => {
                owned = split_fields(text, self.delim, line)?;
                n = owned.len();
                for (slot, f) in stack.iter_mut().zip(owned.iter()) {
                    *slot = f.as_ref();
                }
                &stack[..n.min(32)]
            }
        };
        if n != self.width {
            return Err(CsvError::new(
                Some(line),
                None,
                CsvErrorKind::RaggedRow {
                    fields: n,
                    expected: self.width,
                },
            ));
        }
        if n > 32 {
            // Rare: more than 32 columns. Re-split on the heap.
            let all = split_fields(text, self.delim, line)?;
            let all: Vec<&str> = all.iter().map(AsRef::as_ref).collect();
            return self.store(line, &all, values, labels);
        }
        self.store(line, fields, values, labels)
    }

    pub(super) fn store(
        &self,
        line: usize,
        fields: &[&str],
        values: &mut Columns,
        labels: &mut Vec<String>,
    ) -> Result<(), CsvError> {
        let layout = self.layout;
        let mut got = [0.0_f64; 3];
        for (slot, &col) in self.cols.iter().enumerate() {
            let field = fields[col];
            if layout == Layout::Labels && slot == 0 {
                labels.push(field.to_string());
                continue;
            }
            let Some(v) = parse_number(field) else {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    CsvErrorKind::NotANumber {
                        field: field.to_string(),
                    },
                ));
            };
            if !v.is_finite() {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    CsvErrorKind::NotFinite {
                        field: field.to_string(),
                    },
                ));
            }
            let is_weight = slot + 1 == layout.arity() && layout != Layout::Samples;
            if is_weight && v < 0.0 {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    CsvErrorKind::NegativeCount {
                        field: field.to_string(),
                    },
                ));
            }
            got[slot] = v;
        }
        if let Layout::Edges(_) = layout
            && got[1] <= got[0]
        {
            return Err(CsvError::new(
                Some(line),
                Some(self.cols[1] + 1),
                CsvErrorKind::EdgesOutOfOrder {
                    left: got[0],
                    right: got[1],
                },
            ));
        }
        values.push(&got[..layout.arity()]);
        Ok(())
    }
}
