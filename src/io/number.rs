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
#[inline(always)]
pub fn parse_prefix(s: &[u8]) -> Option<(f64, usize)> {
    match one_word(s) {
        Some(short) => Some(short),
        None => general(s),
    }
}

/// Reads the whole of `s` as a number: exactly `s.parse::<f64>().ok()` (the same bits, the same
/// refusals), the usual decimals by [`parse_prefix`], everything else by the standard library.
#[inline]
pub fn parse_field(s: &str) -> Option<f64> {
    match parse_prefix(s.as_bytes()) {
        Some((v, used)) if used == s.len() => Some(v),
        _ => s.parse::<f64>().ok(),
    }
}

/// Any plain decimal: digits eight at a time, Clinger's fast path, else the standard parser.
#[inline]
fn general(s: &[u8]) -> Option<(f64, usize)> {
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

/// The commonest numbers in a file (`-4.999999`, `0.25`, `1001`) in one 8-byte word: after
/// an optional sign, at most 8 bytes of digits with at most one dot, ending there. `None`
/// sends anything else (and the last bytes of a buffer) to the general reader.
///
/// Where the number ends is found from the word alone, and the sign costs no dependent
/// load: the next number's start waits on a short chain of arithmetic, which is what bounds
/// the speed of reading a file.
#[inline(always)]
fn one_word(s: &[u8]) -> Option<(f64, usize)> {
    let bytes: &[u8; 10] = s.get(..10)?.try_into().ok()?;
    let negative = bytes[0] == b'-';
    let start = usize::from(negative || bytes[0] == b'+');
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let w = if start == 1 { word(1) } else { word(0) };
    let dots = equal_flags(w, b'.');
    // Bytes up to the first that is neither a digit nor a dot: 0 to 8.
    let len = ((digit_flags(w) | dots) ^ HIGH).trailing_zeros() / 8;
    let after = bytes[start + len as usize];
    if after.is_ascii_digit() || after == b'.' || after | 0x20 == b'e' {
        // Longer than a word, or an exponent: the general reader.
        return None;
    }
    let dots = if len == 8 {
        dots
    } else {
        dots & ((1 << (8 * len)) - 1)
    };
    if dots & dots.wrapping_sub(1) != 0 {
        // Two dots: the general reader stops at the second, as the standard parser would.
        return None;
    }
    // The digits without the dot, first digit lowest, and how many follow the dot.
    let (digits, count, after_dot) = if dots == 0 {
        (w, len, 0)
    } else {
        let k = dots.trailing_zeros() / 8;
        let before = w & ((1 << (8 * k)) - 1);
        let rest = ((w >> (8 * k)) >> 8) << (8 * k);
        (before | rest, len - 1, len - 1 - k)
    };
    if count == 0 {
        return None;
    }
    // At most 8 digits and 10^-7: Clinger's exact case (dividing by 10^0 = 1 is exact).
    let mantissa = eight_digits(digits.wrapping_sub(0x30 * ONES) << (8 * (8 - count)));
    let value = mantissa as f64 / POW10[after_dot as usize];
    Some((if negative { -value } else { value }, start + len as usize))
}

/// The commonest numbers in a file in fewer operations than [`parse_prefix`]: at `s[at..]`,
/// an optional `-`, then 1 to 8 bytes of digits with at most one dot (at least one digit),
/// then a byte that is none of a digit, `.`, `e`, `E`, `+`. Returns the value and the bytes
/// taken, exactly what [`parse_prefix`] returns for the same bytes (the same bits: the same
/// exact division of Clinger's fast path); `None` for anything else, and when fewer than 10
/// bytes follow `at`, so that the caller can try [`parse_prefix`].
///
/// Both candidate words (with and without the sign) are loaded at once and the dot is taken
/// out with masks, so that the next number's start waits on as short a chain as possible.
/// (The files' reader uses [`parse_short_before`]; this free-standing form is the tests'.)
#[cfg(test)]
#[inline(always)]
pub fn parse_short(s: &[u8], at: usize) -> Option<(f64, usize)> {
    short_number(s, at, |after| {
        !(after.is_ascii_digit() || after == b'.' || after | 0x20 == b'e' || after == b'+')
    })
}

/// [`parse_short`] for a number that must be followed by the byte `end` (a delimiter or
/// `\n`), in fewer operations: the one test of that byte replaces both the test that the
/// number ends there and the caller's test for its delimiter. `end` must be none of a
/// digit, `.`, `e`, `E`, `+`, `-` (else a longer number could be cut short); then the result
/// is [`parse_short`]'s whenever the byte after the number is `end`, and `None` otherwise.
#[inline(always)]
pub fn parse_short_before(s: &[u8], at: usize, end: u8) -> Option<(f64, usize)> {
    debug_assert!(!end.is_ascii_digit() && !b".eE+-".contains(&end));
    short_number(s, at, |after| after == end)
}

/// The shared body of [`parse_short`] and [`parse_short_before`]: `ends(byte)` says whether
/// the byte after the digits may end the number.
#[inline(always)]
fn short_number(s: &[u8], at: usize, ends: impl Fn(u8) -> bool) -> Option<(f64, usize)> {
    // One bounds check for every byte read below (at most a sign, 8 bytes and the end).
    let bytes: &[u8; 10] = s.get(at..at.checked_add(10)?)?.try_into().ok()?;
    let word = |from: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[from..from + 8]);
        u64::from_le_bytes(w)
    };
    let (w0, w1) = (word(0), word(1));
    let negative = (w0 & 0xFF) == u64::from(b'-');
    // Signs are random in data: a branch here would be mispredicted half of the time.
    let w = std::hint::select_unpredictable(negative, w1, w0);
    let sign = usize::from(negative);
    let dots = equal_flags(w, b'.');
    // The top bit of the first byte that is neither a digit nor a dot, and above it; none
    // when all 8 are.
    let stops = (digit_flags(w) | dots) ^ HIGH;
    // Bytes up to the first stop: 0 to 8.
    let len = stops.trailing_zeros() / 8;
    // The dots before the first stop (all bits up to its lowest set one; all when none).
    let dots = dots & (stops ^ stops.wrapping_sub(1));
    let has_dot = u32::from(dots != 0);
    let count = len - has_dot;
    // Not followed by its end, two dots, or no digit: one branch for the three (each is
    // rare; 0.6 % fewer instructions on the drift benchmark than a branch each).
    if !ends(bytes[sign + len as usize]) | (dots & dots.wrapping_sub(1) != 0) | (count == 0) {
        return None;
    }
    // Below the dot (all of the word when there is none) as they are, above it moved down
    // one byte: the digits without the dot, first digit lowest.
    let below = (dots >> 7).wrapping_sub(1);
    let digits = (w & below) | ((w >> 8) & !below);
    // Digits after the dot: len - 1 - its place; 0 without one (its place reads as 8).
    let after_dot = len.saturating_sub(1 + dots.trailing_zeros() / 8);
    // At most 8 digits and 10^-7: Clinger's exact case (dividing by 10^0 = 1 is exact).
    let mantissa = eight_digits(digits.wrapping_sub(0x30 * ONES) << (8 * (8 - count)));
    // Below 10^8, so exact as a u32, whose conversion is one instruction (a u64's is several).
    let value = f64::from(mantissa as u32) / POW10[after_dot as usize];
    // The sign bit set is the negation (the value is +0 or more).
    let value = f64::from_bits(value.to_bits() | (u64::from(negative) << 63));
    Some((value, sign + len as usize))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x80 * ONES;

/// 0x80 in each byte of `w` that is an ASCII digit, 0 elsewhere. Byte-wise arithmetic that
/// never carries from one byte into the next.
#[inline]
fn digit_flags(w: u64) -> u64 {
    // A digit is a byte whose xor with '0' is below 10 (the top bit clear included).
    let x = w ^ (0x30 * ONES);
    !(((x & (0x7F * ONES)) + 0x76 * ONES) | x) & HIGH
}

/// 0x80 in each byte of `w` equal to `b`, 0 elsewhere.
#[inline]
fn equal_flags(w: u64, b: u8) -> u64 {
    let x = w ^ (u64::from(b) * ONES);
    !(((x & (0x7F * ONES)) + 0x7F * ONES) | x) & HIGH
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
    ((digit_flags(w) ^ HIGH).trailing_zeros() / 8) as usize
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
    fn one_word_takes_the_common_numbers_and_declines_the_rest() {
        use super::one_word;
        // Ten bytes at least, as in the middle of a file.
        for (s, want) in [
            (&b"-4.999999,-4.999998"[..], (-4.999_999_f64, 9)),
            (b"4.999999,1x", (4.999999, 8)),
            (b"1001\n-4.99", (1001.0, 4)),
            (b"+.5;123456", (0.5, 3)),
            (b"12345678 9", (12_345_678.0, 8)),
            (b"-.0000001,", (-1e-7, 9)),
            (b"7.,0000000", (7.0, 2)),
            (b"3x45678901", (3.0, 1)),
        ] {
            let got = one_word(s).map(|(v, n)| (v.to_bits(), n));
            assert_eq!(
                got,
                Some((want.0.to_bits(), want.1)),
                "{:?}",
                String::from_utf8_lossy(s)
            );
        }
        for s in [
            &b"1e-06,1e-05"[..],
            b"123456789,0",
            b"1.23456789,",
            b"4.9999990,1",
            b"1.2.3,45678",
            b"-,12345678",
            b".,12345678",
            b"inf,123456",
            b"1.5",
        ] {
            assert_eq!(one_word(s), None, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn parse_short_reads_the_commonest_numbers_and_declines_the_rest() {
        use super::parse_short;
        for (s, want) in [
            (&b"-4.999999,-4.999998"[..], (-4.999_999_f64, 9)),
            (b"4.999999,1x", (4.999999, 8)),
            (b"1001\n-4.99", (1001.0, 4)),
            (b"12345678 9", (12_345_678.0, 8)),
            (b"-.0000001,", (-1e-7, 9)),
            (b"-0,1234567", (-0.0, 2)),
            (b"0.000,1234", (0.0, 5)),
            (b"7.,0000000", (7.0, 2)),
            (b"3x45678901", (3.0, 1)),
        ] {
            let got = parse_short(s, 0).map(|(v, n)| (v.to_bits(), n));
            assert_eq!(
                got,
                Some((want.0.to_bits(), want.1)),
                "{:?}",
                String::from_utf8_lossy(s)
            );
        }
        for s in [
            &b"1e-06,1e-05"[..],
            b"+1.5,123456",
            b"123456789,0",
            b"1.23456789,",
            b"1.2.3,45678",
            b"-,12345678",
            b".,12345678",
            b"--1,234567",
            b"inf,123456",
            b"1.5,1234",
        ] {
            assert_eq!(parse_short(s, 0), None, "{:?}", String::from_utf8_lossy(s));
        }
        // At an offset, as in a line.
        assert_eq!(parse_short(b"1.5,-2.25,7\n1234", 4), Some((-2.25, 5)));
    }

    #[test]
    fn parse_field_is_str_parse() {
        for s in [
            "1.5",
            "-0",
            "1e5",
            "1.5.5",
            "1e",
            "",
            "-",
            "inf",
            "-infinity",
            "NaN",
            "nan",
            " 1",
            "1 ",
            "+.5",
            "12345678901234567890123",
            "1e400",
            "0x10",
            "1,5",
            "2.5e-3",
        ] {
            let want = s.parse::<f64>().ok().map(f64::to_bits);
            assert_eq!(super::parse_field(s).map(f64::to_bits), want, "{s:?}");
        }
    }

    #[test]
    fn stops_at_the_end_of_the_number() {
        assert_eq!(parse_prefix(b"1.5,2"), Some((1.5, 3)));
        assert_eq!(parse_prefix(b"-3e2 x"), Some((-300.0, 4)));
        assert_eq!(parse_prefix(b"7e,"), None);
        assert_eq!(parse_prefix(b",1"), None);
    }

    /// What may follow a number in a file.
    const TAILS: [&[u8]; 5] = [b"", b",", b"\n", b",123456789", b"\n-1.5,2"];

    proptest::proptest! {
        #[test]
        fn round_trips_every_double(bits in proptest::prelude::any::<u64>()) {
            let v = f64::from_bits(bits);
            if v.is_finite() {
                for s in [format!("{v}"), format!("{v:e}"), format!("{v:.10}"), format!("{v:.3e}")] {
                    same_as_std(&s);
                    proptest::prop_assert_eq!(
                        super::parse_field(&s).map(f64::to_bits),
                        s.parse::<f64>().ok().map(f64::to_bits)
                    );
                }
            }
        }

        #[test]
        fn one_word_agrees_with_the_general_reader(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => b'0'..=b'9',
                    1 => proptest::sample::select(&b"-+.eE, \n\t\r"[..]),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..14,
            )
        ) {
            let mut s = bytes.clone();
            s.extend_from_slice(b",123456789");
            if let Some((v, n)) = super::one_word(&s) {
                let general = super::general(&s).map(|(v, n)| (v.to_bits(), n));
                proptest::prop_assert_eq!(Some((v.to_bits(), n)), general, "{:?}", s);
            }
        }

        #[test]
        fn parse_short_agrees_with_parse_prefix(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => b'0'..=b'9',
                    1 => proptest::sample::select(&b"-+.eE, \n\t\r"[..]),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..14,
            ),
            tail in proptest::sample::select(&TAILS[..]),
        ) {
            let mut s = bytes.clone();
            s.extend_from_slice(tail);
            if let Some((v, n)) = super::parse_short(&s, 0) {
                let want = parse_prefix(&s).map(|(v, n)| (v.to_bits(), n));
                proptest::prop_assert_eq!(Some((v.to_bits(), n)), want, "{:?}", s);
                let text = std::str::from_utf8(&s[..n]).ok();
                let std = text.and_then(|t| t.parse::<f64>().ok()).map(f64::to_bits);
                proptest::prop_assert_eq!(Some(v.to_bits()), std, "{:?}", s);
            }
        }

        #[test]
        fn parse_short_before_is_parse_short_followed_by_its_end(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => b'0'..=b'9',
                    1 => proptest::sample::select(&b"-+.eE,; \n\t\r"[..]),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..14,
            ),
            tail in proptest::sample::select(&TAILS[..]),
            end in proptest::sample::select(&b",;\t \n|"[..]),
        ) {
            let mut s = bytes.clone();
            s.extend_from_slice(tail);
            let want = super::parse_short(&s, 0)
                .filter(|&(_, n)| s.get(n) == Some(&end))
                .map(|(v, n)| (v.to_bits(), n));
            let got = super::parse_short_before(&s, 0, end).map(|(v, n)| (v.to_bits(), n));
            proptest::prop_assert_eq!(got, want, "{:?} before {:?}", s, end as char);
        }

        #[test]
        fn agrees_on_decimal_strings(s in "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,4})?") {
            same_as_std(&s);
            proptest::prop_assert_eq!(
                super::parse_field(&s).map(f64::to_bits),
                s.parse::<f64>().ok().map(f64::to_bits)
            );
        }
    }
}
