//! Validated ids and the table's key layout.
//!
//! The partition key embeds the client id, so a query built from a request's
//! own client can never reach another client's items. Ids are restricted to a
//! small alphabet so that no id can contain the `#` separator and alias
//! another key.

use std::fmt;

/// Longest id accepted, in bytes (all accepted characters are ASCII).
pub const MAX_ID_LEN: usize = 64;

/// A client, brand, competitor or scrape id: `^[A-Za-z0-9_-]{1,64}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Id(String);

/// Why a string is not a valid [`Id`]; the text is safe to show a caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {MAX_ID_LEN} characters")]
    TooLong,
    #[error("may only contain letters A-Z and a-z, digits, '_' and '-'")]
    BadCharacter,
}

impl Id {
    /// Validates an already percent-decoded id.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        if raw.is_empty() {
            return Err(IdError::Empty);
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(IdError::BadCharacter);
        }
        if raw.len() > MAX_ID_LEN {
            return Err(IdError::TooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The three kinds of record stored under a brand's partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Competitors,
    WebsiteScrapes,
    SocialScrapes,
}

impl Kind {
    /// Every kind, for code that walks them all (seeding, tests).
    pub const ALL: [Kind; 3] = [Kind::Competitors, Kind::WebsiteScrapes, Kind::SocialScrapes];

    /// The sort-key prefix that selects this kind within a partition.
    pub fn sk_prefix(self) -> &'static str {
        match self {
            Kind::Competitors => "COMPETITOR#",
            Kind::WebsiteScrapes => "WEBSITE#",
            Kind::SocialScrapes => "SOCIAL#",
        }
    }

    /// Competitors come back in key order; scrapes newest first, and their
    /// sort keys start with the scrape time, so "newest first" is simply a
    /// backwards scan.
    pub fn scan_forward(self) -> bool {
        matches!(self, Kind::Competitors)
    }

    /// The kind named `name` (as [`Kind::name`] spells it), if any.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The kind's name as it appears in routes, logs and cursors.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Competitors => "competitors",
            Kind::WebsiteScrapes => "website-scrapes",
            Kind::SocialScrapes => "social-scrapes",
        }
    }
}

/// The partition key of one client's brand: `CLIENT#<client>#BRAND#<brand>`.
pub fn partition_key(client: &Id, brand: &Id) -> String {
    format!("CLIENT#{client}#BRAND#{brand}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_alphabet() {
        for ok in ["a", "brand-0001", "Client_9", &"x".repeat(64)] {
            assert_eq!(Id::parse(ok).map(|id| id.to_string()), Ok(ok.to_string()));
        }
    }

    #[test]
    fn rejects_everything_else() {
        assert_eq!(Id::parse(""), Err(IdError::Empty));
        assert_eq!(Id::parse(&"x".repeat(65)), Err(IdError::TooLong));
        for bad in [
            "a#b", "a/b", "a\0b", "a b", "é", "a.b", "a%23", "a+b", "a\nb",
        ] {
            assert_eq!(Id::parse(bad), Err(IdError::BadCharacter), "{bad:?}");
        }
    }

    #[test]
    fn partition_key_embeds_client_and_brand() {
        let key = partition_key(&Id::parse("acme").unwrap(), &Id::parse("brand-1").unwrap());
        assert_eq!(key, "CLIENT#acme#BRAND#brand-1");
    }
}
