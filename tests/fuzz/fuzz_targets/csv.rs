//! Random bytes into the CSV histogram reader: it may refuse them, never panic.
#![no_main]

use kl_explorer::io::{CsvOptions, csv::read_histogram};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_histogram(data, "fuzz.csv", &CsvOptions::default());
});
