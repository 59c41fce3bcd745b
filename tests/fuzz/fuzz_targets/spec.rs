//! Random text into the spec parser, and whatever parses into the divergence engine.
#![no_main]

use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::{Options, compare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = parse_spec(text) {
        let _ = compare(&p, &p, &Options::default());
    }
});
