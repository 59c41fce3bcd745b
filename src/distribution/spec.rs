//! The spec language: `normal(0, 1)`, `gamma(shape=2, rate=0.5)`,
//! `0.3*normal(-2, 1) + 0.7*normal(2, 0.5)`.
//!
//! Grammar (case and white space do not matter):
//! ```text
//! spec  := term ('+' term)*
//! term  := [number '*'] name '(' [arg (',' arg)*] ')'
//! arg   := [name '='] number
//! ```
//! Errors carry the 1-based column where they were found.

use super::family::{FamilyId, ParamError, Parametric};
use super::{Distribution, Mixture};

/// A spec that could not be read, with the column (1-based, in characters) it points at.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}{}", column.map(|c| format!(" (at column {c})")).unwrap_or_default())]
pub struct SpecError {
    /// What is wrong and how to fix it, as a sentence.
    pub message: String,
    /// Where, if it points at one place.
    pub column: Option<usize>,
}

impl SpecError {
    fn at(column: usize, message: impl Into<String>) -> Self {
        SpecError {
            message: message.into(),
            column: Some(column),
        }
    }
}

#[derive(Debug)]
struct Term {
    weight: Option<f64>,
    family: FamilyId,
    family_column: usize,
    args: Vec<(Option<String>, f64, usize)>,
}

/// Reads a spec in place: `pos` is a byte offset into `src`, `col` the characters before it
/// (columns in messages count characters). A batch of `compute --pairs` parses 2·10^5 specs:
/// a vector of the characters and a `String` for every number were a tenth of its time.
struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    col: usize,
}

/// A place in the text to come back to.
#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    col: usize,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer {
            src,
            pos: 0,
            col: 0,
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            col: self.col,
        }
    }

    fn reset(&mut self, m: Mark) {
        self.pos = m.pos;
        self.col = m.col;
    }

    /// The character at `pos`, without skipping spaces.
    fn current(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    /// Moves past `c`, the character at `pos`.
    fn bump(&mut self, c: char) {
        self.pos += c.len_utf8();
        self.col += 1;
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.current().filter(|c| c.is_whitespace()) {
            self.bump(c);
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.current()
    }

    /// The 1-based column of the next character that is not a space (one past the last
    /// character at the end).
    fn column(&mut self) -> usize {
        self.skip_ws();
        self.col + 1
    }

    fn eat(&mut self, want: char) -> bool {
        if self.peek() == Some(want) {
            self.bump(want);
            true
        } else {
            false
        }
    }

    fn expect(&mut self, want: char, context: &str) -> Result<(), SpecError> {
        self.expect_with(want, || context.to_string())
    }

    /// [`Self::expect`] with the context written only when it is an error.
    fn expect_with(
        &mut self,
        want: char,
        context: impl FnOnce() -> String,
    ) -> Result<(), SpecError> {
        if self.eat(want) {
            return Ok(());
        }
        let context = context();
        let col = self.column();
        let found = match self.peek() {
            Some(c) => format!("'{c}'"),
            None => "the end".to_string(),
        };
        Err(SpecError::at(
            col,
            format!("expected '{want}' {context}, found {found}"),
        ))
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.mark();
        while let Some(c) = self
            .current()
            .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-' && self.pos > start.pos)
        {
            self.bump(c);
        }
        let text = &self.src[start.pos..self.pos];
        if text.is_empty() || text.starts_with(|c: char| c.is_ascii_digit()) {
            self.reset(start);
            return None;
        }
        Some(text.chars().map(|c| c.to_ascii_lowercase()).collect())
    }

    fn number(&mut self) -> Result<f64, SpecError> {
        self.skip_ws();
        let col = self.column();
        let start = self.pos;
        let mut prev = ' ';
        while let Some(c) = self.current() {
            let ok = c.is_ascii_digit()
                || c == '.'
                || c == 'e'
                || c == 'E'
                || ((c == '-' || c == '+') && (self.pos == start || prev == 'e' || prev == 'E'))
                || c.is_ascii_alphabetic()
                    && matches!(c.to_ascii_lowercase(), 'i' | 'n' | 'f' | 'a');
            if !ok {
                break;
            }
            prev = c;
            self.bump(c);
        }
        let text = &self.src[start..self.pos];
        if text.is_empty() {
            let found = self
                .peek()
                .map_or("the end".to_string(), |c| format!("'{c}'"));
            return Err(SpecError::at(
                col,
                format!("expected a number, found {found}"),
            ));
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(SpecError::at(
                col,
                format!("'{text}' is not a finite number; parameters must be finite"),
            )),
            Err(_) => Err(SpecError::at(col, format!("'{text}' is not a number"))),
        }
    }
}

/// Edit distance, for "did you mean".
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn unknown_family(name: &str, column: usize) -> SpecError {
    let best = FamilyId::ALL
        .iter()
        .map(|f| (levenshtein(name, f.name()), f.name()))
        .min();
    let hint = match best {
        Some((d, n)) if d <= 3 => format!(" (did you mean {n}?)"),
        _ => {
            let names: Vec<_> = FamilyId::ALL.iter().map(|f| f.name()).collect();
            format!("; known families: {}", names.join(", "))
        }
    };
    SpecError::at(column, format!("unknown family '{name}'{hint}"))
}

fn parse_term(lx: &mut Lexer) -> Result<Term, SpecError> {
    let mut weight = None;
    let col = lx.column();
    if lx
        .peek()
        .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        weight = Some(lx.number()?);
        lx.expect('*', "after a mixture weight")?;
    }
    let family_column = lx.column();
    let Some(name) = lx.ident() else {
        let found = lx
            .peek()
            .map_or("the end".to_string(), |c| format!("'{c}'"));
        return Err(SpecError::at(
            family_column,
            format!("expected a family name such as normal(0, 1), found {found}"),
        ));
    };
    if weight.is_none() && lx.peek() == Some('*') {
        // `nan*normal(0, 1)`, `inf*…`, `w*…`: a weight that is not a number.
        return Err(SpecError::at(
            family_column,
            format!(
                "mixture weight '{name}' is not a number; a weight is a finite number > 0, as in 0.3*normal(0, 1)"
            ),
        ));
    }
    let family = FamilyId::from_name(&name).ok_or_else(|| unknown_family(&name, family_column))?;
    lx.expect_with('(', || format!("after '{name}'"))?;
    let mut args = Vec::new();
    if !lx.eat(')') {
        loop {
            let arg_col = lx.column();
            let save = lx.mark();
            let key = match lx.ident() {
                Some(k) if lx.eat('=') => Some(k),
                _ => {
                    lx.reset(save);
                    None
                }
            };
            let value = lx.number()?;
            args.push((key, value, arg_col));
            if lx.eat(')') {
                break;
            }
            lx.expect(',', "between parameters")?;
        }
    }
    let _ = col;
    Ok(Term {
        weight,
        family,
        family_column,
        args,
    })
}

fn build_parametric(term: &Term) -> Result<Parametric, SpecError> {
    let id = term.family;
    let infos = id.params();
    let values: Vec<f64> = if id.is_variadic() {
        if let Some((Some(k), _, col)) = term.args.iter().find(|(k, _, _)| k.is_some()) {
            return Err(SpecError::at(
                *col,
                format!(
                    "{} takes its values by position, not by name ('{k}=')",
                    id.name()
                ),
            ));
        }
        term.args.iter().map(|(_, v, _)| *v).collect()
    } else {
        let mut slots: Vec<Option<f64>> = vec![None; infos.len()];
        let mut next = 0;
        for (key, value, col) in &term.args {
            let index = match key {
                None => {
                    let i = next;
                    next += 1;
                    if i >= infos.len() {
                        let names: Vec<_> = infos.iter().map(|p| p.name).collect();
                        return Err(SpecError::at(
                            *col,
                            format!(
                                "{} takes {} parameters ({}); remove the extra one",
                                id.name(),
                                infos.len(),
                                names.join(", ")
                            ),
                        ));
                    }
                    i
                }
                Some(k) => infos.iter().position(|p| p.name == k).ok_or_else(|| {
                    let names: Vec<_> = infos.iter().map(|p| p.name).collect();
                    SpecError::at(
                        *col,
                        format!(
                            "{} has no parameter '{k}'; its parameters are {}",
                            id.name(),
                            names.join(", ")
                        ),
                    )
                })?,
            };
            if slots[index].is_some() {
                return Err(SpecError::at(
                    *col,
                    format!("{} is given twice", infos[index].name),
                ));
            }
            slots[index] = Some(*value);
        }
        let mut out = Vec::with_capacity(infos.len());
        for (slot, info) in slots.iter().zip(infos) {
            match slot {
                Some(v) => out.push(*v),
                None => {
                    let names: Vec<_> = infos.iter().map(|p| p.name).collect();
                    return Err(SpecError::at(
                        term.family_column,
                        format!(
                            "{} needs {} ({}); {} is missing",
                            id.name(),
                            infos.len(),
                            names.join(", "),
                            info.name
                        ),
                    ));
                }
            }
        }
        out
    };
    Parametric::new(id, values).map_err(|e| {
        let col = match &e {
            ParamError::OutOfRange { name, .. } => term
                .args
                .iter()
                .enumerate()
                .find(|(i, (k, _, _))| {
                    k.as_deref() == Some(name.as_str())
                        || (k.is_none() && infos.get(*i).is_some_and(|p| p.name == name))
                        || (id.is_variadic() && format!("{}{i}", infos[0].name) == *name)
                })
                .map(|(_, (_, _, c))| *c),
            _ => None,
        };
        SpecError {
            message: e.to_string(),
            column: col.or(Some(term.family_column)),
        }
    })
}

/// Parses a spec into a distribution.
///
/// # Errors
/// [`SpecError`] with one sentence and the column, e.g. `normal(0, -1)` →
/// "std_dev must be > 0 (got -1) (at column 11)".
///
/// # Examples
/// ```
/// let d = kl_explorer::distribution::parse_spec("0.3*normal(-2, 1) + 0.7*normal(2, 0.5)").unwrap();
/// assert_eq!(d.to_spec(), "0.3*normal(-2, 1) + 0.7*normal(2, 0.5)");
/// ```
pub fn parse_spec(text: &str) -> Result<Distribution, SpecError> {
    if text.trim().is_empty() {
        return Err(SpecError {
            message: "the spec is empty; type a distribution such as normal(0, 1)".into(),
            column: None,
        });
    }
    let mut lx = Lexer::new(text);
    let mut terms = vec![parse_term(&mut lx)?];
    while lx.eat('+') {
        terms.push(parse_term(&mut lx)?);
    }
    if let Some(c) = lx.peek() {
        let col = lx.column();
        return Err(SpecError::at(
            col,
            format!("unexpected '{c}'; join mixture components with '+'"),
        ));
    }
    if terms.len() == 1 && terms[0].weight.is_none_or(|w| w == 1.0) {
        return Ok(Distribution::Parametric(build_parametric(&terms[0])?));
    }
    let mut components = Vec::with_capacity(terms.len());
    for term in &terms {
        let weight = term.weight.unwrap_or(1.0);
        if !(weight > 0.0) {
            return Err(SpecError::at(
                term.family_column,
                format!(
                    "mixture weights must be > 0 (got {})",
                    super::family::format_number(weight)
                ),
            ));
        }
        components.push((weight, build_parametric(term)?));
    }
    Mixture::new(components)
        .map(Distribution::Mixture)
        .map_err(|message| SpecError {
            message,
            column: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_std_dev_names_the_parameter_and_the_rule() {
        let err = parse_spec("normal(0, -1)").unwrap_err();
        assert_eq!(err.message, "std_dev must be > 0 (got -1)");
        assert_eq!(err.column, Some(11));
    }

    #[test]
    fn misspelt_family_suggests_the_right_one() {
        let err = parse_spec("nromal(0,1)").unwrap_err();
        assert_eq!(
            err.message,
            "unknown family 'nromal' (did you mean normal?)"
        );
        assert_eq!(err.column, Some(1));
    }

    #[test]
    fn case_spaces_and_names_do_not_matter() {
        let a = parse_spec("  Gamma ( rate = 0.5 , shape=2 ) ").unwrap();
        let b = parse_spec("gamma(2,0.5)").unwrap();
        assert_eq!(a.to_spec(), b.to_spec());
        assert_eq!(a.to_spec(), "gamma(2, 0.5)");
    }

    #[test]
    fn mixture_weights_that_do_not_sum_to_one_are_normalised_and_said() {
        let d = parse_spec("1*normal(0,1) + 3*normal(5,1)").unwrap();
        let Distribution::Mixture(m) = &d else {
            panic!("not a mixture")
        };
        assert!((m.weights()[0] - 0.25).abs() < 1e-15);
        assert_eq!(m.normalised_from, Some(4.0));
        assert!(d.was_normalised());
        assert_eq!(
            d.typed_notes(),
            [super::super::Note::Normalised {
                what: super::super::NormalisedWhat::MixtureWeights,
                total: 4.0
            }]
        );
        assert_eq!(d.notes(), ["mixture weights summed to 4; normalised to 1"]);
    }

    #[test]
    fn missing_and_extra_parameters_are_explained() {
        let err = parse_spec("normal(0)").unwrap_err();
        assert!(err.message.contains("std_dev is missing"), "{err}");
        let err = parse_spec("normal(0, 1, 2)").unwrap_err();
        assert!(err.message.contains("remove the extra one"), "{err}");
        assert_eq!(err.column, Some(14));
    }

    #[test]
    fn mixing_discrete_and_continuous_is_refused() {
        let err = parse_spec("0.5*poisson(2) + 0.5*normal(0,1)").unwrap_err();
        assert!(err.message.contains("discrete"), "{err}");
    }

    #[test]
    fn trailing_garbage_points_at_its_column() {
        let err = parse_spec("normal(0,1) x").unwrap_err();
        assert_eq!(err.column, Some(13));
    }
}
