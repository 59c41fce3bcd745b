#![allow(clippy::unwrap_used)]

use super::{CsvOptions, LineMap, read};
use proptest::prelude::*;

/// Both paths, as text (errors included), for comparison.
fn both(text: &[u8], options: &CsvOptions) -> (String, String) {
    let run = |fast| format!("{:?}", read(text, "t.csv", options, None, fast));
    (run(true), run(false))
}

#[test]
fn the_fast_path_takes_plain_rows_and_declines_the_rest() {
    use super::{Columns, Layout, Row};
    use crate::distribution::histogram::Weights;
    let cols = [0, 1, 2];
    let layout = Layout::Edges(Weights::Count);
    let mut row = Row::new(layout, &cols, 3, Some(','), true);
    let mut values = Columns::new(layout, 0);
    assert_eq!(row.fast(b"1.5, 2.5 ,3e2\r\nnext", &mut values), Some(15));
    assert_eq!(row.fast(b"-1,0,7", &mut values), Some(6));
    assert_eq!(
        values.slots,
        [vec![1.5, -1.0], vec![2.5, 0.0], vec![300.0, 7.0]]
    );
    for declined in [
        &b"\"1\",2,3\n"[..],
        b"# comment\n",
        b"\n",
        b"1,2\n",
        b"1,2,3,4\n",
        b"2,1,3\n",
        b"1,2,-3\n",
        b"1,2,inf\n",
        b"1,2,3x\n",
        b"1;2;3\n",
    ] {
        assert_eq!(row.fast(declined, &mut values), None, "{declined:?}");
    }
    assert_eq!(values.slots[0].len(), 2, "a declined row stores nothing");
}

#[test]
fn line_map_follows_jumps() {
    let mut m = LineMap::default();
    for line in [2, 3, 4, 7, 8, 20] {
        m.push(line);
    }
    let got: Vec<_> = (0..7).map(|r| m.line(r)).collect();
    assert_eq!(
        got,
        [Some(2), Some(3), Some(4), Some(7), Some(8), Some(20), None]
    );
    assert_eq!(m.jumps.len(), 3);
}

#[test]
fn a_left_edge_repeating_the_last_right_edge_is_matched_not_read() {
    use super::{Columns, Layout, Row};
    use crate::distribution::histogram::Weights;
    let cols = [0, 1, 2];
    let layout = Layout::Edges(Weights::Count);
    let mut row = Row::new(layout, &cols, 3, Some(','), true);
    let mut values = Columns::new(layout, 0);
    let pad = "\n0,1,1\n0,1,1\n";
    let line = |text: &str| format!("{text}{pad}").into_bytes();
    assert_eq!(row.fast(&line("0.5,2.5,3"), &mut values), Some(10));
    // White box: the next line's left edge comes from the remembered text, not from
    // reading it (a changed value shows through).
    row.echo.value = 2.25;
    assert_eq!(row.fast(&line("2.5,3,1"), &mut values), Some(8));
    assert_eq!(values.slots[0], [0.5, 2.25]);
    // Texts that only start like the remembered one ("3") are read in full: a wrongly
    // matched one would show as -99.
    for (text, left) in [("3.5,4,1", 3.5), ("3e0,4,1", 3.0), ("30,40,1", 30.0)] {
        row.echo.value = -99.0;
        let mut v = Columns::new(layout, 0);
        assert!(row.fast(&line(text), &mut v).is_some(), "{text}");
        assert_eq!(v.slots[0], [left], "{text}");
    }
    // The same length but another digit.
    assert!(row.fast(&line("1,2.5,1"), &mut values).is_some());
    row.echo.value = -99.0;
    let mut v = Columns::new(layout, 0);
    assert!(row.fast(&line("2.6,3,1"), &mut v).is_some());
    assert_eq!(v.slots[0], [2.6]);
    // And through the whole reader, both paths agree on such files.
    let text =
        "left,right,count\n1,2.5,1\n2.5,3,1\n3,3.5,2\n3.55,4,1\n4,4e0,1\n4,5,1\n5,50,1\n50,51,1\n";
    let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
    assert_eq!(fast, slow);
}

#[test]
fn fast_and_careful_paths_agree_across_blocks() {
    // About 4 MB: several blocks, lines cut at block ends, a comment, CRLF, spaces, a
    // quoted row, unused columns, and finally a bad row whose line must be right.
    let mut text = String::from("left;right;extra;count\n");
    for i in 0..120_000 {
        let l = f64::from(i) * 0.001;
        match i % 1000 {
            17 => text.push_str("# a comment in the middle\n"),
            18 => text.push_str(&format!("\"{}\";{};x;3\n", 1000 + i, 1001 + i)),
            _ => {}
        }
        let end = if i % 3 == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!("{l} ; {};id{i};{}{end}", l + 0.001, i % 7));
    }
    let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
    assert_eq!(fast, slow);
    assert!(
        fast.starts_with("Ok(Histogram"),
        "{}",
        &fast[..fast.len().min(300)]
    );
    text.push_str("500;501;z;-1\n");
    let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
    assert_eq!(fast, slow);
    assert!(fast.contains("line: Some(120242)"), "{fast}");
}

proptest! {
    #[test]
    fn fast_and_careful_paths_agree(
        rows in prop::collection::vec(prop_oneof![
            (-1e6..1e6f64, 1e-9..1e3f64, 0.0..1e4f64).prop_map(|(l, w, c)| format!("{l},{},{c}", l + w)),
            (-50i32..50, 1i32..5, 0u32..9).prop_map(|(l, w, c)| format!("{l}, {}, {c}e0", l + w)),
            "[-0-9.e,;\t #\"a-zé]{0,16}",
        ], 0..40),
        crlf in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let text = rows.join(end);
        let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn fast_and_careful_paths_agree_on_touching_bins(
        steps in prop::collection::vec((1u32..2000, 0usize..4, 0u32..50), 1..60),
    ) {
        // Each right edge is the next left edge, written the same way or not (a longer
        // or exponent form, or a gap), so remembered texts are matched and mismatched.
        let forms = |x: f64, k: usize| match k {
            0 | 1 => format!("{x}"),
            2 => format!("{x:.4}"),
            _ => format!("{x:e}"),
        };
        let mut text = String::from("left,right,count\n");
        let mut l = -1.0;
        let mut left_text = forms(l, 0);
        for (w, form, c) in steps {
            let r = l + f64::from(w) / 1000.0;
            let right_text = forms(r, form);
            text.push_str(&format!("{left_text},{right_text},{c}\n"));
            // Mostly the same text again; sometimes another form of the same number.
            left_text = if form == 1 { forms(r, 2) } else { right_text };
            l = r;
        }
        let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn fast_and_careful_paths_agree_on_whitespace_and_samples(
        rows in prop::collection::vec(prop_oneof![
            (-1e3..1e3f64, 0.0..1e4f64).prop_map(|(x, c)| format!("{x}  {c}")),
            (-1e3..1e3f64).prop_map(|x| format!("{x:e}")),
            "[-0-9.e \t]{0,12}",
        ], 0..40),
    ) {
        let text = rows.join("\n");
        let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
        prop_assert_eq!(fast, slow);
    }
}
