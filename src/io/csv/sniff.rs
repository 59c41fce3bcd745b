//! Sniffing the first lines: the delimiter, whether there is a header, and which columns
//! hold what ([`sniff`]); and splitting a line into fields for the careful path.

use std::borrow::Cow;

use super::CsvOptions;
use super::error::{CsvError, CsvErrorKind};
use crate::distribution::histogram::{Layout, Weights};

pub(super) fn weight_name(name: &str) -> Option<Weights> {
    match name {
        "count" | "counts" | "n" | "frequency" | "freq" | "weight" => Some(Weights::Count),
        "probability" | "prob" | "p" | "mass" => Some(Weights::Probability),
        "density" | "pdf" => Some(Weights::Density),
        _ => None,
    }
}

/// Works out the layout from header names, returning the layout and the columns it uses.
pub(super) fn layout_from_header(names: &[String]) -> Option<(Layout, Vec<usize>)> {
    let find = |opts: &[&str]| names.iter().position(|n| opts.contains(&n.as_str()));
    let weight = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| weight_name(n).map(|w| (i, w)));
    let left = find(&["left", "lo", "low", "lower", "from", "bin_left", "start"]);
    let right = find(&["right", "hi", "high", "upper", "to", "bin_right", "end"]);
    let center = find(&["center", "centre", "mid", "midpoint", "bin", "x"]);
    let label = find(&["label", "category", "name", "action", "class"]);
    match (weight, left, right, center, label) {
        (Some((w, kind)), Some(l), Some(r), _, _) => Some((Layout::Edges(kind), vec![l, r, w])),
        (Some((w, _)), _, _, _, Some(l)) => Some((Layout::Labels, vec![l, w])),
        (Some((w, kind)), _, _, Some(c), _) => Some((Layout::Centers(kind), vec![c, w])),
        (None, None, None, _, None) if names.len() == 1 => Some((Layout::Samples, vec![0])),
        _ => None,
    }
}

/// Splits line `line_no` into fields, honouring double quotes. Unquoted fields borrow the
/// line. A field cannot span lines, so a quote still open at the end of the line is refused
/// ([`CsvErrorKind::UnterminatedQuote`], at the field where it opened).
pub(crate) fn split_fields(
    line: &str,
    delim: Option<char>,
    line_no: usize,
) -> Result<Vec<Cow<'_, str>>, CsvError> {
    if !line.contains('"') {
        return Ok(match delim {
            Some(delim) => line.split(delim).map(|f| Cow::Borrowed(f.trim())).collect(),
            None => line.split_whitespace().map(Cow::Borrowed).collect(),
        });
    }
    // Without a delimiter, fields are separated by runs of white space (one column of
    // samples, say), and quotes are honoured the same way.
    let is_delim = |c: char| match delim {
        Some(d) => c == d,
        None => c.is_whitespace(),
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    // The 1-based field where the open quote opened.
    let mut open_in: Option<usize> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if open_in.is_some() && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' if open_in.is_some() => open_in = None,
            '"' => open_in = Some(out.len() + 1),
            c if is_delim(c) && open_in.is_none() => {
                let field = std::mem::take(&mut cur).trim().to_string();
                if delim.is_some() || !field.is_empty() {
                    out.push(Cow::Owned(field));
                }
            }
            c => cur.push(c),
        }
    }
    if let Some(column) = open_in {
        return Err(CsvError::new(
            Some(line_no),
            Some(column),
            CsvErrorKind::UnterminatedQuote,
        ));
    }
    let field = cur.trim().to_string();
    if delim.is_some() || !field.is_empty() {
        out.push(Cow::Owned(field));
    }
    Ok(out)
}

pub(crate) fn detect_delimiter(sample: &[&str]) -> Option<char> {
    [',', ';', '\t']
        .into_iter()
        .find(|&d| !sample.is_empty() && sample.iter().all(|l| l.contains(d)))
}

pub(crate) fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

pub(super) fn headerless_layout(
    rows: &[(usize, String)],
    delim: Option<char>,
    width: usize,
) -> Result<(Layout, Vec<usize>), CsvError> {
    let first_col_numeric = match rows.first() {
        Some((line, text)) => split_fields(text, delim, *line)?
            .first()
            .and_then(|f| parse_number(f))
            .is_some(),
        None => true,
    };
    match width {
        3 => Ok((Layout::Edges(Weights::Count), vec![0, 1, 2])),
        2 if first_col_numeric => Ok((Layout::Centers(Weights::Count), vec![0, 1])),
        2 => Ok((Layout::Labels, vec![0, 1])),
        1 => Ok((Layout::Samples, vec![0])),
        n => Err(CsvError::new(
            rows.first().map(|(l, _)| *l),
            None,
            CsvErrorKind::AmbiguousColumns {
                header: Vec::new(),
                width: n,
            },
        )),
    }
}

/// What the first lines say about the file.
pub(super) struct Sniffed {
    /// The delimiter; `None` for runs of spaces.
    pub delim: Option<char>,
    /// Fields per row.
    pub width: usize,
    /// Whether the first line is a header.
    pub is_header: bool,
    /// What the columns mean.
    pub layout: Layout,
    /// The columns used, in the layout's order.
    pub cols: Vec<usize>,
}

/// Works out the delimiter, the header and the layout from the first lines (`head`, at least
/// one) and the user's choice of columns.
pub(super) fn sniff(head: &[(usize, String)], options: &CsvOptions) -> Result<Sniffed, CsvError> {
    let sample: Vec<&str> = head.iter().map(|(_, l)| l.as_str()).collect();
    let delim = detect_delimiter(&sample);
    let fields: Vec<Vec<Cow<'_, str>>> = head
        .iter()
        .take(2)
        .map(|(line, text)| split_fields(text, delim, *line))
        .collect::<Result<_, _>>()?;
    let first_fields = &fields[0];
    let numbers = |f: &[Cow<'_, str>]| f.iter().filter(|f| parse_number(f).is_some()).count();
    // A header if the next row has more numbers than this one.
    let is_header = first_fields.iter().any(|f| parse_number(f).is_none())
        && fields
            .get(1)
            .is_none_or(|next| numbers(next) > numbers(first_fields));
    let width = first_fields.len();
    let (layout, cols) = if let Some(cols) = &options.columns {
        let layout = match cols.len() {
            3 => Layout::Edges(Weights::Count),
            2 => {
                let data_row = fields.get(usize::from(is_header));
                let label_col = data_row
                    .is_some_and(|row| row.get(cols[0]).is_some_and(|f| parse_number(f).is_none()));
                if label_col {
                    Layout::Labels
                } else {
                    Layout::Centers(Weights::Count)
                }
            }
            1 => Layout::Samples,
            n => {
                return Err(CsvError::whole(CsvErrorKind::ColumnCount { chosen: n }));
            }
        };
        if let Some(bad) = cols.iter().find(|c| **c >= width) {
            return Err(CsvError::whole(CsvErrorKind::NoSuchColumn {
                column: bad + 1,
                width,
            }));
        }
        (layout, cols.clone())
    } else if is_header {
        let names: Vec<String> = first_fields.iter().map(|f| f.to_lowercase()).collect();
        match layout_from_header(&names) {
            Some(x) => x,
            None if width <= 3 => headerless_layout(&head[1..], delim, width)?,
            None => {
                return Err(CsvError::new(
                    Some(head[0].0),
                    None,
                    CsvErrorKind::AmbiguousColumns {
                        header: first_fields.iter().map(|f| f.to_string()).collect(),
                        width,
                    },
                ));
            }
        }
    } else {
        headerless_layout(head, delim, width)?
    };
    Ok(Sniffed {
        delim,
        width,
        is_header,
        layout,
        cols,
    })
}
