//! Parquet files for the drift tests, written with the arrow-rs `parquet` crate.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::path::Path;
use std::sync::Arc;

/// One optional double column `x` and one text column `c` (`None`: a missing cell), in row
/// groups of `group` rows.
pub fn write_parquet(path: &Path, xs: &[Option<f64>], labels: &[Option<&str>], group: usize) {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    // `c` is required when every label is there, as a writer of such a column would make it.
    let required = labels.iter().all(Option::is_some);
    let c = if required { "required" } else { "optional" };
    let schema = parse_message_type(&format!(
        "message t {{ optional double x; {c} binary c (UTF8); }}"
    ))
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = SerializedFileWriter::new(
        file,
        Arc::new(schema),
        Arc::new(WriterProperties::builder().build()),
    )
    .unwrap();
    for start in (0..xs.len()).step_by(group) {
        let end = (start + group).min(xs.len());
        let mut rg = w.next_row_group().unwrap();
        let mut i = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            if i == 0 {
                let defs: Vec<i16> = xs[start..end]
                    .iter()
                    .map(|x| i16::from(x.is_some()))
                    .collect();
                let vals: Vec<f64> = xs[start..end].iter().flatten().copied().collect();
                col.typed::<DoubleType>()
                    .write_batch(&vals, Some(&defs), None)
                    .unwrap();
            } else {
                let defs: Vec<i16> = labels[start..end]
                    .iter()
                    .map(|x| i16::from(x.is_some()))
                    .collect();
                let vals: Vec<ByteArray> = labels[start..end]
                    .iter()
                    .flatten()
                    .map(|s| ByteArray::from(*s))
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&vals, (!required).then_some(&defs[..]), None)
                    .unwrap();
            }
            col.close().unwrap();
            i += 1;
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
}
