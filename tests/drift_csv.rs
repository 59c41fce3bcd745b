//! The drift workbench's CSV table reader: the block reader (one pass over the usual lines,
//! every core) gives exactly the sequential reader's table or error, at any block size, from
//! memory and from a file; and its numbers are the bits `str::parse::<f64>` gives.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::io::Write;
use std::path::Path;

use kl_explorer::cancel::Cancel;
use kl_explorer::drift::binning::{Binning, Bins, Layout};
use kl_explorer::io::CsvErrorKind;
use kl_explorer::io::table::{
    BinCounter, CountedTable, Table, TableError, TableErrorKind, Values, read_csv_counted_chunked,
    read_csv_table, read_csv_table_chunked, read_table,
};
use proptest::prelude::*;

const CHUNKS: [usize; 7] = [1, 2, 5, 17, 256, 4096, 1 << 20];

/// A small deterministic generator (SplitMix64), so the files need no other crate.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number written as files write them: short and long mantissas, exponents, signs.
    fn number(&mut self) -> String {
        let x =
            f64::from_bits(self.next() >> 2) % 1e6 * if self.below(2) == 0 { 1.0 } else { -1.0 };
        let y = (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 10.0 - 5.0;
        match self.below(12) {
            0 => format!("{x}"),
            1 => format!("{x:e}"),
            2 => format!("{y:.17}"),
            3 => format!("{}", self.below(100_000)),
            4 => format!("+{:.3}", y.abs()),
            5 => format!(".{}", self.below(1000)),
            6 => format!("{}.", self.below(1000)),
            7 => format!("{y:.3e}"),
            8 => format!("{:.25}", y / 1e3),
            9 => format!("12345678901234567890{}", self.below(10)),
            _ => format!("{y:.6}"),
        }
    }
}

fn table(text: &str, select: Option<&[String]>) -> Result<Table, TableError> {
    read_csv_table(text.as_bytes(), Path::new("t.csv"), select, &Cancel::new())
}

fn chunked(text: &str, select: Option<&[String]>, chunk: usize) -> Result<Table, TableError> {
    read_csv_table_chunked(
        text.as_bytes(),
        Path::new("t.csv"),
        select,
        &Cancel::new(),
        chunk,
    )
}

/// The table read in blocks of about `chunk` bytes, the columns named in `counters` counted.
fn read_counted(
    text: &str,
    counters: &[(String, &dyn BinCounter)],
    chunk: usize,
) -> Result<Option<CountedTable>, TableError> {
    read_csv_counted_chunked(
        text.as_bytes(),
        Path::new("t.csv"),
        None,
        counters,
        &Cancel::new(),
        chunk,
    )
}

fn numbers(t: &Table, k: usize) -> Vec<u64> {
    match &t.columns[k].values {
        Values::Numbers(v) => v.iter().map(|x| x.to_bits()).collect(),
        Values::Labels { .. } => panic!("column {k} is labels"),
    }
}

#[test]
fn numbers_read_in_one_pass_are_the_bits_str_parse_gives() {
    let mut rng = Mix(11);
    let mut text = String::from("a,b,c,d\n");
    let mut want: Vec<Vec<u64>> = vec![Vec::new(); 4];
    let mut missing = [0u64; 4];
    for line in 0..20_000 {
        let mut fields = Vec::new();
        for (k, col) in want.iter_mut().enumerate() {
            if rng.below(50) == 0 {
                fields.push(String::new());
                missing[k] += 1;
            } else {
                let s = rng.number();
                col.push(s.parse::<f64>().unwrap().to_bits());
                fields.push(s);
            }
        }
        text.push_str(&fields.join(","));
        text.push_str(if line % 7 == 0 { "\r\n" } else { "\n" });
    }
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    let from_file = read_table(file.path(), None, &Cancel::new()).unwrap();
    for t in [
        from_file,
        table(&text, None).unwrap(),
        chunked(&text, None, 1).unwrap(),
        chunked(&text, None, 1000).unwrap(),
    ] {
        assert_eq!(t.rows, 20_000);
        for k in 0..4 {
            assert_eq!(numbers(&t, k), want[k], "column {k}");
            assert_eq!(t.columns[k].missing, missing[k], "column {k}");
        }
    }
}

/// The blocks are parsed on the pool while the reading thread waits for them: from a thread
/// of a pool of one (which must run the pieces itself rather than wait on itself) and of a
/// pool of two, the same table as from outside any pool (as the other tests read).
#[test]
fn the_block_reader_reads_the_same_from_inside_a_pool_of_one_or_two() {
    for seed in 0..3 {
        let text = file(seed, 400, 3, false);
        let want = table(&text, None);
        for threads in [1, 2] {
            let pool = std::sync::Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap(),
            );
            for chunk in [5, 256, 4096] {
                // On a thread of its own, so that a reader waiting on itself fails the test
                // instead of hanging it.
                let (tx, rx) = std::sync::mpsc::channel();
                let (text, pool) = (text.clone(), std::sync::Arc::clone(&pool));
                std::thread::spawn(move || {
                    let _ = tx.send(pool.install(|| chunked(&text, None, chunk)));
                });
                let got = rx
                    .recv_timeout(std::time::Duration::from_secs(120))
                    .expect("the read finishes");
                assert_eq!(got, want, "seed {seed}, {threads} threads, chunk {chunk}");
            }
        }
    }
}

/// A cancelled read stops with Cancelled at a block's start, not after the whole file.
#[test]
fn a_cancelled_block_read_says_cancelled() {
    let text = file(3, 2_000, 3, false);
    let cancel = Cancel::new();
    cancel.cancel();
    for chunk in [64, 4096, 1 << 20] {
        let got = read_csv_table_chunked(text.as_bytes(), Path::new("t.csv"), None, &cancel, chunk);
        assert_eq!(
            got.map_err(|e| e.kind),
            Err(TableErrorKind::Cancelled),
            "chunk {chunk}"
        );
    }
}

/// Long runs of short lines (which the reader holds in a batch of rows) broken now and then
/// by a line another path reads (a long number, a missing cell, CRLF): the columns keep
/// file order, and counted columns count every value, at every block size.
#[test]
fn runs_of_short_lines_between_other_lines_keep_file_order() {
    let mut rng = Mix(5);
    let mut text = String::from("x0,x1,x2\n");
    let mut want: Vec<Vec<u64>> = vec![Vec::new(); 3];
    for line in 0..5_000 {
        let mut fields = Vec::new();
        for (k, col) in want.iter_mut().enumerate() {
            let y = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 10.0 - 5.0;
            let s = match rng.below(700) {
                0 => format!("{y:.17}"),
                1 if k == 1 => String::new(),
                _ => format!("{y:.4}"),
            };
            if !s.is_empty() {
                col.push(s.parse::<f64>().unwrap().to_bits());
            }
            fields.push(s);
        }
        text.push_str(&fields.join(","));
        text.push_str(if line % 997 == 0 { "\r\n" } else { "\n" });
    }
    for chunk in [1000, 40_000, 1 << 20] {
        let t = chunked(&text, None, chunk).unwrap();
        for (k, col) in want.iter().enumerate() {
            assert_eq!(&numbers(&t, k), col, "chunk {chunk}, column {k}");
        }
    }
    let bins = Bins {
        binning: Binning::Quantile(4),
        layout: Layout::Open(vec![-1.0, 0.0, 2.0]),
        merged_edges: 0,
    };
    let counters: Vec<(String, &dyn BinCounter)> = vec![("x0".into(), &bins), ("x2".into(), &bins)];
    for chunk in [1000, 40_000, 1 << 20] {
        let got = read_counted(&text, &counters, chunk)
            .unwrap()
            .expect("every counted column is numeric");
        assert_eq!(numbers(&got.table, 1), want[1], "chunk {chunk}");
        for k in [0, 2] {
            let values: Vec<f64> = want[k].iter().map(|&b| f64::from_bits(b)).collect();
            assert_eq!(
                got.counts[k].as_ref(),
                Some(&bins.count(&values)),
                "chunk {chunk}, column {k}"
            );
        }
    }
}

/// One line of a file built to reach every path: plain numbers, missing cells and tokens,
/// labels, spaces, quotes, comments, blank lines, CRLF, and now and then a fault.
fn line(rng: &mut Mix, width: usize, faults: bool) -> String {
    let kind = rng.below(40);
    if kind == 0 {
        return "# a comment\n".into();
    }
    if kind == 1 {
        return "\n".into();
    }
    let mut fields: Vec<String> = (0..width)
        .map(|_| match rng.below(60) {
            0 => String::new(),
            1 => "NA".into(),
            2 => "nan".into(),
            3 => " 2.5 ".into(),
            4 => "\"1,5\"".into(),
            5 => "-".into(),
            _ => rng.number(),
        })
        .collect();
    if kind == 2 {
        fields[rng.below(width as u64) as usize] = format!("lab{}", rng.below(4));
    }
    if faults {
        match rng.below(400) {
            0 => fields.push("9".into()),
            1 => fields[0] = "1e999".into(),
            2 => fields[0] = "\"open".into(),
            3 => fields[0] = "caf\u{e9}".into(),
            _ => {}
        }
    }
    let end = if kind == 3 { "\r\n" } else { "\n" };
    format!("{}{end}", fields.join(","))
}

fn file(seed: u64, rows: usize, width: usize, faults: bool) -> String {
    let mut rng = Mix(seed);
    let names: Vec<String> = (0..width).map(|i| format!("x{i}")).collect();
    let mut text = names.join(",") + "\n";
    for _ in 0..rows {
        text.push_str(&line(&mut rng, width, faults));
    }
    text
}

fn same_at_every_chunk_size(text: &str, select: Option<&[String]>) {
    let want = table(text, select);
    for chunk in CHUNKS {
        assert_eq!(chunked(text, select, chunk), want, "chunk {chunk}");
    }
}

#[test]
fn the_block_reader_gives_the_sequential_table_on_every_kind_of_line() {
    for seed in 0..6 {
        let text = file(seed, 300, 4, false);
        let t = table(&text, None).unwrap();
        assert!(
            t.columns
                .iter()
                .any(|c| matches!(c.values, Values::Labels { .. }))
        );
        assert!(t.columns.iter().any(|c| c.first_label.is_some()));
        same_at_every_chunk_size(&text, None);
        let some = [String::from("x3"), String::from("x1")];
        same_at_every_chunk_size(&text, Some(&some));
    }
}

#[test]
fn the_block_reader_reports_the_sequential_error_line_and_column() {
    let mut seen = 0;
    for seed in 0..40 {
        let text = file(seed, 300, 3, true);
        let want = table(&text, None);
        if want.is_err() {
            seen += 1;
        }
        for chunk in CHUNKS {
            assert_eq!(
                chunked(&text, None, chunk),
                want,
                "seed {seed}, chunk {chunk}"
            );
        }
    }
    assert!(seen > 10, "only {seen} files had a fault");
}

#[test]
fn a_file_of_several_blocks_reads_as_from_memory_with_exact_error_lines() {
    // About 3 MB: several of the reader's blocks, each cut into pieces.
    let mut text = file(99, 60_000, 5, false);
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    assert_eq!(
        read_table(f.path(), None, &Cancel::new()).map(|t| t.columns),
        table(&text, None).map(|t| t.columns)
    );

    // A ragged row near the end: the error names its line.
    text.push_str("1,2\n");
    text.push_str("3,4,5,6,7\n");
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let e = read_table(f.path(), None, &Cancel::new()).unwrap_err();
    assert!(
        matches!(e.kind, TableErrorKind::Csv(CsvErrorKind::RaggedRow { .. })),
        "{e}"
    );
    assert_eq!(e.line, Some(text.lines().count() - 1));
    assert_eq!(e.path, f.path());
}

#[test]
fn a_line_longer_than_the_limit_is_refused_as_the_sequential_reader_refuses_it() {
    let long = "7".repeat(kl_explorer::io::csv::MAX_LINE_BYTES + 10);
    let text = format!("a,b\n1,2\n3,{long}\n5,6\n");
    let want = table(&text, None).unwrap_err();
    assert!(matches!(
        want.kind,
        TableErrorKind::Csv(CsvErrorKind::LineTooLong { .. })
    ));
    for chunk in [1000, 1 << 20] {
        assert_eq!(chunked(&text, None, chunk).unwrap_err(), want);
    }
}

/// Counting two columns into bins as the file is read gives the counts of the table read
/// whole, at every block size, and the other column as the whole table has it; a file whose
/// counted column turns to text (or that has a fault) gives up, and only such a file.
#[test]
fn columns_counted_while_reading_have_the_counts_of_the_table_read_whole() {
    let bins = Bins {
        binning: Binning::Quantile(4),
        layout: Layout::Open(vec![-0.5, 0.0, 0.5]),
        merged_edges: 0,
    };
    let counters: Vec<(String, &dyn BinCounter)> = vec![("x0".into(), &bins), ("x2".into(), &bins)];
    let (mut counted, mut gave_up) = (0, 0);
    for seed in 0..40 {
        let text = file(seed, 40, 3, seed % 4 == 0);
        let want = table(&text, None);
        let countable = want.as_ref().is_ok_and(|t| {
            [0, 2]
                .iter()
                .all(|&k| matches!(t.columns[k].values, Values::Numbers(_)))
        });
        for chunk in CHUNKS {
            let got = read_counted(&text, &counters, chunk).unwrap();
            let Some(got) = got else {
                assert!(
                    !countable,
                    "seed {seed}, chunk {chunk}: gave up on a countable file"
                );
                gave_up += 1;
                continue;
            };
            assert!(
                countable,
                "seed {seed}, chunk {chunk}: counted an uncountable file"
            );
            counted += 1;
            let want = want.as_ref().unwrap();
            assert_eq!(got.table.rows, want.rows);
            for (k, c) in want.columns.iter().enumerate() {
                let mine = &got.table.columns[k];
                assert_eq!(
                    (&mine.name, mine.missing),
                    (&c.name, c.missing),
                    "column {k}"
                );
                match (&got.counts[k], &c.values) {
                    (Some(n), Values::Numbers(v)) => {
                        assert_eq!(n, &bins.count(v), "seed {seed}, chunk {chunk}, column {k}");
                        assert!(mine.values.is_empty());
                    }
                    (None, _) if k == 1 => assert_eq!(mine, c),
                    other => panic!("column {k}: {other:?}"),
                }
            }
        }
    }
    assert!(
        counted > 0 && gave_up > 0,
        "{counted} counted, {gave_up} gave up"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_mix_of_lines_reads_the_same_in_blocks(seed in any::<u64>(), rows in 1usize..120, width in 1usize..5) {
        let text = file(seed, rows, width, true);
        let want = table(&text, None);
        for chunk in [1, 3, 64, 1 << 20] {
            prop_assert_eq!(chunked(&text, None, chunk), want.clone(), "chunk {}", chunk);
        }
    }
}
