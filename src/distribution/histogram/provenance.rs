//! Where a histogram came from and what was done to it on the way in, as data.
//!
//! The CSV reader records what it detected (delimiter, header, columns, layout, byte-order
//! mark, line endings, how raw samples were binned) and the histogram records what it changed
//! (sorting, joined edges, normalisation, gaps). Code reads the fields (the app's bin-count
//! slider reads [`Provenance::samples_binning`]); people read [`Provenance::lines`], the only
//! place where the facts become sentences.

use crate::distribution::family::format_number;

/// What a histogram's weights mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weights {
    /// Raw counts (may be fractional).
    Count,
    /// Probabilities per bin.
    Probability,
    /// Density values (mass = density × width).
    Density,
}

impl Weights {
    /// The word for one weight: `count`, `probability` or `density`.
    pub fn word(self) -> &'static str {
        match self {
            Weights::Count => "count",
            Weights::Probability => "probability",
            Weights::Density => "density",
        }
    }
}

/// The meaning of a file's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// left, right, weight.
    Edges(Weights),
    /// center, weight.
    Centers(Weights),
    /// label, count.
    Labels,
    /// raw samples.
    Samples,
}

impl Layout {
    /// The number of columns the layout reads.
    pub fn arity(self) -> usize {
        match self {
            Layout::Edges(_) => 3,
            Layout::Centers(_) | Layout::Labels => 2,
            Layout::Samples => 1,
        }
    }

    /// The column names, as in `left, right, count`.
    pub fn describe(self) -> String {
        match self {
            Layout::Edges(w) => format!("left, right, {}", w.word()),
            Layout::Centers(w) => format!("center, {}", w.word()),
            Layout::Labels => "label, count".into(),
            Layout::Samples => "raw samples".into(),
        }
    }
}

/// What separates a file's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
    /// Runs of spaces (or tabs).
    Spaces,
}

impl Delimiter {
    /// The delimiter for a character; `None` (or any other character) is [`Delimiter::Spaces`].
    pub fn from_char(c: Option<char>) -> Self {
        match c {
            Some(',') => Delimiter::Comma,
            Some(';') => Delimiter::Semicolon,
            Some('\t') => Delimiter::Tab,
            _ => Delimiter::Spaces,
        }
    }

    /// Its name in a sentence: `comma`, `semicolon`, `tab`, `spaces`.
    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
            Delimiter::Spaces => "spaces",
        }
    }
}

/// How a file's first line ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// The file is one line with no line break.
    Unterminated,
}

/// What the CSV reader detected in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFormat {
    /// The delimiter (meaningless when `width` is 1).
    pub delimiter: Delimiter,
    /// Fields per row.
    pub width: usize,
    /// Whether the first row is a header.
    pub header: bool,
    /// The 0-based columns used, in the layout's order.
    pub columns: Vec<usize>,
    /// What the columns mean.
    pub layout: Layout,
    /// Whether the file starts with a UTF-8 byte-order mark (removed).
    pub byte_order_mark: bool,
    /// How the first line ends.
    pub line_ending: LineEnding,
}

impl FileFormat {
    /// The sentences shown for it (the BOM and line endings, being harmless, are not shown).
    pub fn lines(&self) -> Vec<String> {
        let columns: Vec<String> = self.columns.iter().map(|c| (c + 1).to_string()).collect();
        vec![
            if self.width == 1 {
                "one column".to_string()
            } else {
                format!("delimiter: {}", self.delimiter.name())
            },
            format!(
                "{}; columns {}",
                if self.header {
                    "header found"
                } else {
                    "no header"
                },
                columns.join(", ")
            ),
            format!("format: {}", self.layout.describe()),
        ]
    }
}

/// How raw samples were given bins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinRule {
    /// The user chose the number ([`crate::io::CsvOptions::bins`]).
    Chosen,
    /// The Freedman–Diaconis rule.
    FreedmanDiaconis,
}

/// Raw samples put into equal-width bins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SamplesBinning {
    /// Samples read.
    pub samples: usize,
    /// Bins made.
    pub bins: usize,
    /// How the number of bins was found.
    pub rule: BinRule,
}

/// How a histogram was made from raw samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FromSamples {
    /// Equal-width bins over the range.
    Binned(SamplesBinning),
    /// Every sample has the same value: one bin of width 1 around it.
    AllEqual {
        /// Samples read.
        samples: usize,
        /// Their value.
        value: f64,
    },
}

/// Equal-width bins that an outlier made useless: most samples share a few bins.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DegenerateBins {
    /// The share of the samples (0 to 1) in the fullest bin.
    pub fullest_share: f64,
    /// The smallest and largest sample.
    pub low: f64,
    /// The largest sample.
    pub high: f64,
    /// The samples' interquartile range.
    pub iqr: f64,
}

/// Probabilities or densities that did not sum to 1 and were divided by their total.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normalised {
    /// What the values were.
    pub weights: Weights,
    /// What they summed (or integrated) to.
    pub total: f64,
}

/// Where a histogram came from and what was done to it, in the order the notes show them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provenance {
    /// What the CSV reader detected; `None` for a histogram built in code.
    pub file: Option<FileFormat>,
    /// Bins given by their centres: edges were placed midway between them.
    pub edges_from_centres: bool,
    /// Bins made from raw samples.
    pub samples: Option<FromSamples>,
    /// The equal-width bins of raw samples are degenerate (an outlier stretched the range).
    pub degenerate: Option<DegenerateBins>,
    /// The bins were not sorted by left edge and have been.
    pub sorted: bool,
    /// Bin edges that differed from the next bin's by rounding only and were made one.
    pub joined_edges: usize,
    /// The weights were divided by their total.
    pub normalised: Option<Normalised>,
    /// Gaps between bins (where the density is 0).
    pub gaps: usize,
}

impl Provenance {
    /// These facts from the reader, with what the histogram's constructor recorded
    /// (`built`: sorting, joined edges, normalisation, gaps).
    pub fn with_built(self, built: &Provenance) -> Provenance {
        Provenance {
            sorted: built.sorted,
            joined_edges: built.joined_edges,
            normalised: built.normalised,
            gaps: built.gaps,
            ..self
        }
    }

    /// How raw samples were binned, when they were (the app's bin-count slider starts here).
    pub fn samples_binning(&self) -> Option<SamplesBinning> {
        match self.samples {
            Some(FromSamples::Binned(b)) => Some(b),
            _ => None,
        }
    }

    /// The facts as sentences, one per line, for the notes shown beside the histogram.
    pub fn lines(&self) -> Vec<String> {
        let mut out = self
            .file
            .as_ref()
            .map(FileFormat::lines)
            .unwrap_or_default();
        if self.edges_from_centres {
            out.push("bin edges placed midway between centres".into());
        }
        match self.samples {
            Some(FromSamples::Binned(SamplesBinning {
                samples,
                bins,
                rule,
            })) => out.push(format!(
                "{samples} samples in {bins} bins ({})",
                match rule {
                    BinRule::Chosen => "chosen",
                    BinRule::FreedmanDiaconis => "Freedman–Diaconis rule",
                }
            )),
            Some(FromSamples::AllEqual { samples, value }) => {
                out.push(format!(
                    "all {samples} samples equal {value}; one bin of width 1"
                ));
            }
            None => {}
        }
        if let Some(d) = self.degenerate {
            out.push(format!(
                "the bins are degenerate: the samples span {} to {} but their interquartile range is {}, so {:.1}% of them fall in one bin; give bin edges (left,right,count) or bin by quantiles",
                format_number(d.low),
                format_number(d.high),
                format_number(d.iqr),
                100.0 * d.fullest_share
            ));
        }
        if self.sorted {
            out.push("bins were not sorted; sorted by left edge".into());
        }
        if self.joined_edges > 0 {
            out.push(format!(
                "{} bin edge(s) differed from the next bin's edge by rounding only; joined",
                self.joined_edges
            ));
        }
        if let Some(Normalised { weights, total }) = self.normalised {
            out.push(format!(
                "{} values integrate to {}, not 1; normalised",
                weights.word(),
                format_number(total)
            ));
        }
        if self.gaps > 0 {
            out.push(format!("{} gap(s) between bins have density 0", self.gaps));
        }
        out
    }
}

/// Where a set of categories came from: the file's format and labels that were repeated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CategoriesProvenance {
    /// What the CSV reader detected; `None` for categories built in code.
    pub file: Option<FileFormat>,
    /// Labels that appeared more than once (their counts were added), in file order.
    pub repeated_labels: Vec<String>,
}

impl CategoriesProvenance {
    /// The facts as sentences, one per line.
    pub fn lines(&self) -> Vec<String> {
        let mut out = self
            .file
            .as_ref()
            .map(FileFormat::lines)
            .unwrap_or_default();
        out.extend(
            self.repeated_labels
                .iter()
                .map(|label| format!("label '{label}' appears more than once; counts added")),
        );
        out
    }
}
