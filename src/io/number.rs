//! A fast decimal-number reader for the CSV hot path.
//!
//! [`parse_prefix`] reads the plain decimal at the start of a byte slice (`-1.25`, `3e-7`,
//! `+.5`) and returns exactly what `str::parse::<f64>` returns for it: mantissas of up to 19
//! significant digits whose power of ten lies within ±22 are converted by Clinger's exact fast
//! path (both factors are exact doubles, so one correctly rounded multiplication or division
//! gives the correctly rounded result); anything longer or larger is handed to the standard
//! library. Words (`inf`, `NaN`) and anything else are not numbers here: the caller falls back
//! to its careful path, which explains what is wrong.

/// Exact powers of ten as doubles (10^22 is the largest that is exact).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The largest integer every smaller one of which is exact in a double.
const EXACT_INT: u64 = 1 << 53;

/// Reads the decimal number at the start of `s`; returns it and the number of bytes it took.
/// `None` when `s` does not start with one (the caller decides what that means).
#[inline]
pub fn parse_prefix(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let negative = match s.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    // Every digit goes into the mantissa (leading zeros add nothing); more than 19 digits
    // could overflow it, and then the standard parser reads the number instead.
    let mut mantissa: u64 = 0;
    let int_digits = run_of_digits(s, i, &mut mantissa);
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = run_of_digits(s, i, &mut mantissa);
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    let mut exp10 = -(frac_digits as i64);
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        let exp_negative = match s.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        let start = j;
        let mut e: i64 = 0;
        while let Some(d) = digit(s, j) {
            // Saturate: 10^±1000000 is 0 or ∞ for the standard parser too.
            e = (e * 10 + d as i64).min(1_000_000);
            j += 1;
        }
        if j == start {
            // "1e" or "1e+" is not a number for the standard parser either.
            return None;
        }
        exp10 += if exp_negative { -e } else { e };
        i = j;
    }
    let value =
        if int_digits + frac_digits <= 19 && mantissa <= EXACT_INT && (-22..=22).contains(&exp10) {
            let m = mantissa as f64;
            let p = POW10[exp10.unsigned_abs() as usize];
            if exp10 < 0 { m / p } else { m * p }
        } else if int_digits + frac_digits <= 19 && mantissa == 0 {
            0.0
        } else {
            // Long or extreme: the standard library's correctly rounded parser.
            let text = std::str::from_utf8(&s[..i]).ok()?;
            return text.parse::<f64>().ok().map(|v| (v, i));
        };
    Some((if negative { -value } else { value }, i))
}

/// Reads the run of ASCII digits starting at `s[i]` into `mantissa` (wrapping: the caller
/// only trusts it for up to 19 digits) and returns its length. Eight bytes at a time where
/// the slice allows, so the end of a run costs no mispredicted branch per digit.
#[inline]
fn run_of_digits(s: &[u8], mut i: usize, mantissa: &mut u64) -> usize {
    const SCALE: [u64; 9] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
    ];
    let start = i;
    while let Some(chunk) = s.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let n = leading_digits(w);
        if n == 0 {
            return i - start;
        }
        // The n digits, moved to the top bytes, below them zeros: leading zeros of the
        // 8-digit number. (Subtracting first: a borrow only runs into the bytes shifted out.)
        let digits = w.wrapping_sub(0x3030_3030_3030_3030) << (8 * (8 - n));
        *mantissa = mantissa
            .wrapping_mul(SCALE[n])
            .wrapping_add(eight_digits(digits));
        i += n;
        if n < 8 {
            return i - start;
        }
    }
    while let Some(d) = digit(s, i) {
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
        i += 1;
    }
    i - start
}

/// How many of the 8 bytes of `w`, first byte lowest, are ASCII digits before the first
/// that is not. Byte-wise arithmetic that never carries from one byte into the next.
#[inline]
fn leading_digits(w: u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Zero where the high nibble is 3.
    let high = (w & (0xF0 * ONES)) ^ (0x30 * ONES);
    // 0x10 where the low nibble is 10 or more.
    let low = ((w & (0x0F * ONES)) + 0x06 * ONES) & (0x10 * ONES);
    let not_digit = high | low;
    // 0x80 in every byte that is not zero.
    let flags = (((not_digit & (0x7F * ONES)) + 0x7F * ONES) | not_digit) & (0x80 * ONES);
    (flags.trailing_zeros() / 8) as usize
}

/// The 8-digit number whose digits (0–9, first digit lowest) are the bytes of `v`: pairs,
/// then quadruples, then the whole, each step in lanes that cannot overflow.
#[inline]
fn eight_digits(v: u64) -> u64 {
    let pairs = v.wrapping_mul(10).wrapping_add(v >> 8) & 0x00FF_00FF_00FF_00FF;
    let quads = pairs.wrapping_mul(100).wrapping_add(pairs >> 16) & 0x0000_FFFF_0000_FFFF;
    (quads & 0xFFFF) * 10_000 + (quads >> 32)
}

/// The digit at `s[i]`, if there is one.
#[inline]
fn digit(s: &[u8], i: usize) -> Option<u64> {
    let d = s.get(i)?.wrapping_sub(b'0');
    (d < 10).then_some(u64::from(d))
}

#[cfg(test)]
mod tests {
    use super::parse_prefix;

    /// Same value and length as the standard parser, alone and followed by more text (which
    /// takes the eight-bytes-at-a-time path).
    fn same_as_std(s: &str) {
        same_as_std_alone(s);
        let padded = format!("{s},123456789");
        let std = s.parse::<f64>().ok();
        if let (Some(want), Some((v, used))) = (std, parse_prefix(padded.as_bytes())) {
            assert_eq!((v.to_bits(), used), (want.to_bits(), s.len()), "{padded:?}");
        }
        assert_eq!(
            parse_prefix(padded.as_bytes()).map(|(v, n)| (v.to_bits(), n)),
            parse_prefix(s.as_bytes()).map(|(v, n)| (v.to_bits(), n)),
            "{s:?} alone and padded"
        );
    }

    fn same_as_std_alone(s: &str) {
        let std = s.parse::<f64>().ok();
        match parse_prefix(s.as_bytes()) {
            Some((v, used)) if used == s.len() => {
                let want = std.unwrap_or_else(|| panic!("{s:?}: we read {v}, std rejects it"));
                assert_eq!(v.to_bits(), want.to_bits(), "{s:?}: {v} against std {want}");
            }
            // Not taken (or only a prefix): fine as long as it is not a plain number we
            // should have read in full.
            _ => assert!(
                std.is_none() || s.contains(['i', 'I', 'n', 'N']),
                "{s:?} is a number ({std:?}) we did not read"
            ),
        }
    }

    #[test]
    fn agrees_with_the_standard_parser() {
        for s in [
            "0",
            "-0",
            "+0",
            "0.0",
            "1",
            "-1",
            "1.",
            ".5",
            "-.5",
            "+.5",
            "00012.5000",
            "1e5",
            "1E5",
            "1e+5",
            "1e-5",
            "-4.999999",
            "0.1",
            "0.2",
            "0.3",
            "9007199254740993",
            "9007199254740992",
            "12345678901234567890123",
            "1.7976931348623157e308",
            "1.8e308",
            "4.9e-324",
            "2e-324",
            "1e-400",
            "1e400",
            "123456789012345678e-5",
            "0.000000000000000000000000000001",
            "1e22",
            "1e23",
            "3.14159265358979323846",
            "2.2250738585072014e-308",
            "1e",
            "1e+",
            "e5",
            ".",
            "-",
            "+",
            "",
            "inf",
            "NaN",
            "1.5.5",
            "0x10",
            "1_000",
            "1e1000000000000000000000",
            "12:456789",
            "1/3456789012",
            "123456789012345678901",
            "12345678.12345678",
            "0.1234567890123456789",
        ] {
            same_as_std(s);
        }
    }

    #[test]
    fn reads_runs_of_digits_eight_at_a_time() {
        use super::{eight_digits, leading_digits, run_of_digits};
        let word = |s: &[u8; 8]| u64::from_le_bytes(*s);
        assert_eq!(leading_digits(word(b"12345678")), 8);
        assert_eq!(leading_digits(word(b"1234,678")), 4);
        assert_eq!(leading_digits(word(b",2345678")), 0);
        // The bytes just outside '0'..='9' on either side, and others with high nibble 3.
        for (b, n) in [(b'/', 0), (b':', 0), (b'?', 0), (b'0' + 128, 0), (b'9', 8)] {
            assert_eq!(leading_digits(word(&[b; 8])), n, "{b}");
        }
        assert_eq!(
            eight_digits(u64::from_le_bytes([1, 2, 3, 4, 5, 6, 7, 8])),
            12_345_678
        );
        let mut m = 0;
        assert_eq!(run_of_digits(b"x1234567890123x", 1, &mut m), 13);
        assert_eq!(m, 1_234_567_890_123);
    }

    #[test]
    fn stops_at_the_end_of_the_number() {
        assert_eq!(parse_prefix(b"1.5,2"), Some((1.5, 3)));
        assert_eq!(parse_prefix(b"-3e2 x"), Some((-300.0, 4)));
        assert_eq!(parse_prefix(b"7e,"), None);
        assert_eq!(parse_prefix(b",1"), None);
    }

    proptest::proptest! {
        #[test]
        fn round_trips_every_double(bits in proptest::prelude::any::<u64>()) {
            let v = f64::from_bits(bits);
            if v.is_finite() {
                for s in [format!("{v}"), format!("{v:e}"), format!("{v:.10}"), format!("{v:.3e}")] {
                    same_as_std(&s);
                }
            }
        }

        #[test]
        fn agrees_on_decimal_strings(s in "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,4})?") {
            same_as_std(&s);
        }
    }
}
