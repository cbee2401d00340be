// SPDX-License-Identifier: Apache-2.0
//! SPDX licence expressions as REUSE reads them: a lax grammar in which any
//! word is a licence (whether it is on the SPDX list is judged elsewhere:
//! "missing" and "bad" licences), so a typo is reported as a missing licence
//! text instead of hiding the file's other tags.
//!
//! The grammar is the SPDX one with case-insensitive operators: `WITH` binds
//! tightest and joins two plain terms, then `AND`, then `OR`; parentheses
//! group. Terms are runs of letters, digits, `-`, `.`, `+` and `:` (the
//! latter for `DocumentRef-…:LicenseRef-…`). An empty expression is invalid.

/// Why an expression is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    /// Nothing after the tag.
    #[error("empty expression")]
    Empty,
    /// A term with a character no licence id has (`/`, `,`, `;`, quotes).
    #[error("{0:?} is not a licence identifier")]
    BadTerm(String),
    /// The tokens do not form an expression.
    #[error("{0}")]
    Syntax(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    And,
    Or,
    With,
    Term(&'a str),
}

fn tokens(text: &str) -> Result<Vec<Token<'_>>, ExpressionError> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else { break };
        match first {
            '(' => {
                out.push(Token::Open);
                rest = &rest[1..];
            }
            ')' => {
                out.push(Token::Close);
                rest = &rest[1..];
            }
            _ => {
                let end = rest.find(|c: char| c.is_whitespace() || c == '(' || c == ')').unwrap_or(rest.len());
                let word = &rest[..end];
                rest = &rest[end..];
                out.push(match word.to_ascii_lowercase().as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "with" => Token::With,
                    _ if word.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | ':')) => {
                        Token::Term(word)
                    }
                    _ => return Err(ExpressionError::BadTerm(word.to_owned())),
                });
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    at: usize,
    licences: Vec<&'a str>,
    /// Parenthesis depth: the trailing-operator leniency applies at the top only.
    depth: usize,
    /// An `OR` at the top level was seen.
    top_or: bool,
    /// The last top-level `OR` operand is an `AND` of two or more.
    last_top_and: bool,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.at)
    }

    fn term(&mut self) -> Option<&'a str> {
        match self.peek() {
            Some(Token::Term(t)) => {
                let t = *t;
                self.at += 1;
                Some(t)
            }
            _ => None,
        }
    }

    fn note(&mut self, licence: &'a str) {
        if !self.licences.contains(&licence) {
            self.licences.push(licence);
        }
    }

    fn or(&mut self) -> Result<(), ExpressionError> {
        self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            self.top_or |= self.depth == 0;
            self.and()?;
        }
        Ok(())
    }

    fn and(&mut self) -> Result<(), ExpressionError> {
        if self.depth == 0 {
            self.last_top_and = false;
        }
        self.with()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            self.last_top_and |= self.depth == 0;
            self.with()?;
        }
        Ok(())
    }

    fn with(&mut self) -> Result<(), ExpressionError> {
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            if self.peek() == Some(&Token::Close) {
                return Err(ExpressionError::Syntax("empty parentheses"));
            }
            self.depth += 1;
            self.or()?;
            self.depth -= 1;
            if self.peek() != Some(&Token::Close) {
                return Err(ExpressionError::Syntax("unbalanced parentheses"));
            }
            self.at += 1;
            if self.peek() == Some(&Token::With) {
                return Err(ExpressionError::Syntax("WITH needs a licence on its left, not a group"));
            }
            return Ok(());
        }
        let licence = self.term().ok_or(ExpressionError::Syntax("a licence is missing"))?;
        self.note(licence);
        if self.peek() == Some(&Token::With) {
            self.at += 1;
            let exception = self.term().ok_or(ExpressionError::Syntax("WITH needs an exception on its right"))?;
            self.note(exception);
            if self.peek() == Some(&Token::With) {
                return Err(ExpressionError::Syntax("one exception per licence"));
            }
        }
        Ok(())
    }
}

/// The licences and exceptions `text` names, in order of first appearance,
/// or why it is no expression.
///
/// One leniency of REUSE's parser is kept, so that verdicts agree: a
/// trailing operator that would only extend a chain of two or more
/// operands at the top (`A OR B OR`, `A OR B AND C AND`) is ignored, while
/// `A OR` and `A OR B AND` stay invalid.
pub fn licences(text: &str) -> Result<Vec<&str>, ExpressionError> {
    let mut tokens = tokens(text)?;
    if tokens.is_empty() {
        return Err(ExpressionError::Empty);
    }
    let trailing = match tokens.last() {
        Some(op @ (Token::And | Token::Or)) if tokens.len() > 1 => Some(op.clone()),
        _ => None,
    };
    if trailing.is_some() {
        tokens.pop();
    }
    let mut parser = Parser { tokens, at: 0, licences: Vec::new(), depth: 0, top_or: false, last_top_and: false };
    parser.or()?;
    let dangling = match trailing {
        Some(Token::Or) => !parser.top_or,
        Some(_) => !parser.last_top_and,
        None => false,
    };
    match parser.peek() {
        None if dangling => Err(ExpressionError::Syntax("an operator needs a licence on each side")),
        None => Ok(parser.licences),
        Some(Token::Close) => Err(ExpressionError::Syntax("unbalanced parentheses")),
        Some(_) => Err(ExpressionError::Syntax("an operator is missing between two terms")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_groups() {
        assert_eq!(licences("MIT OR (Apache-2.0 AND BSD-3-Clause)").unwrap(), ["MIT", "Apache-2.0", "BSD-3-Clause"]);
        assert_eq!(licences("GPL-2.0+ with Classpath-exception-2.0").unwrap(), ["GPL-2.0+", "Classpath-exception-2.0"]);
        assert_eq!(licences("MIT OR MIT").unwrap(), ["MIT"]);
        assert_eq!(licences("DocumentRef-x:LicenseRef-y").unwrap(), ["DocumentRef-x:LicenseRef-y"]);
        for bad in
            ["", " ", "MIT AND", "(MIT", "MIT)", "MIT/Apache-2.0", "MIT Apache-2.0", "MIT WITH A WITH B", "()", "and"]
        {
            assert!(licences(bad).is_err(), "{bad:?}");
        }
    }
}
