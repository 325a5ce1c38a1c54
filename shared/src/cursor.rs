//! The opaque pagination cursor sent as `X-Next-Cursor` and taken back as
//! `cursor=`.
//!
//! A cursor carries the sort key of the last record returned, together with
//! the client, brand and kind it was issued for. It is base64url-encoded
//! JSON, not signed: no per-process secret is needed, so any Lambda instance
//! can continue a page. Safety does not rest on secrecy. The partition key of
//! the next query is always rebuilt from the request's own (validated,
//! claim-bound) client and brand, and the sort key must carry the requested
//! kind's prefix, so a forged cursor can at most skip within the caller's own
//! records. The embedded binding turns the honest mistake of passing a cursor
//! to the wrong query into a clear 400 instead of a silently wrong page.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::{Deserialize, Serialize};

use crate::keys::{Id, Kind};

/// Cursor format version, bumped if the layout ever changes.
const VERSION: u8 = 1;

/// Longest sort key a cursor may carry: DynamoDB's limit for a sort key.
const MAX_SORT_KEY_LEN: usize = 1024;

/// What a cursor is bound to: the query it continues.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub client: &'a Id,
    pub brand: &'a Id,
    pub kind: Kind,
}

#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    v: u8,
    c: String,
    b: String,
    k: String,
    after: String,
}

/// Why a cursor was refused; the text is safe to show a caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    #[error("cursor is malformed")]
    Malformed,
    #[error("cursor was issued for a different client, brand or record kind")]
    WrongBinding,
}

/// Makes a cursor that continues `binding` after the record with sort key `after`.
pub fn encode(binding: Binding<'_>, after: &str) -> String {
    let wire = Wire {
        v: VERSION,
        c: binding.client.to_string(),
        b: binding.brand.to_string(),
        k: binding.kind.name().to_owned(),
        after: after.to_owned(),
    };
    // Serializing a struct of strings cannot fail.
    let json = serde_json::to_vec(&wire).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Checks a cursor against the query it is used with and returns the sort
/// key to continue after.
pub fn decode(cursor: &str, binding: Binding<'_>) -> Result<String, CursorError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| CursorError::Malformed)?;
    let wire: Wire = serde_json::from_slice(&bytes).map_err(|_| CursorError::Malformed)?;
    if wire.v != VERSION
        || wire.after.len() > MAX_SORT_KEY_LEN
        || !wire.after.starts_with(
            Kind::from_name(&wire.k)
                .ok_or(CursorError::Malformed)?
                .sk_prefix(),
        )
    {
        return Err(CursorError::Malformed);
    }
    if wire.c != binding.client.as_str()
        || wire.b != binding.brand.as_str()
        || wire.k != binding.kind.name()
    {
        return Err(CursorError::WrongBinding);
    }
    Ok(wire.after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Id, Id, Id) {
        (
            Id::parse("acme").unwrap(),
            Id::parse("brand-1").unwrap(),
            Id::parse("brand-2").unwrap(),
        )
    }

    #[test]
    fn round_trips_within_its_binding() {
        let (client, brand, _) = ids();
        let binding = Binding {
            client: &client,
            brand: &brand,
            kind: Kind::Competitors,
        };
        let cursor = encode(binding, "COMPETITOR#c-9");
        assert_eq!(decode(&cursor, binding), Ok("COMPETITOR#c-9".to_owned()));
    }

    #[test]
    fn refuses_other_bindings() {
        let (client, brand, other_brand) = ids();
        let other_client = Id::parse("globex").unwrap();
        let issued = Binding {
            client: &client,
            brand: &brand,
            kind: Kind::WebsiteScrapes,
        };
        let cursor = encode(issued, "WEBSITE#2026-01-01T00:00:00Z#s1");
        for used in [
            Binding {
                brand: &other_brand,
                ..issued
            },
            Binding {
                client: &other_client,
                ..issued
            },
        ] {
            assert_eq!(decode(&cursor, used), Err(CursorError::WrongBinding));
        }
        // Another kind: the prefix no longer matches that kind's records.
        let as_social = Binding {
            kind: Kind::SocialScrapes,
            ..issued
        };
        assert_eq!(decode(&cursor, as_social), Err(CursorError::WrongBinding));
    }

    #[test]
    fn refuses_garbage_and_truncation() {
        let (client, brand, _) = ids();
        let binding = Binding {
            client: &client,
            brand: &brand,
            kind: Kind::Competitors,
        };
        let good = encode(binding, "COMPETITOR#c-9");
        for bad in ["", "!!!", "bm90IGpzb24", &good[..good.len() - 3]] {
            assert_eq!(decode(bad, binding), Err(CursorError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn refuses_a_sort_key_outside_its_kind() {
        let (client, brand, _) = ids();
        let json = r#"{"v":1,"c":"acme","b":"brand-1","k":"competitors","after":"WEBSITE#x"}"#;
        let forged = URL_SAFE_NO_PAD.encode(json);
        let binding = Binding {
            client: &client,
            brand: &brand,
            kind: Kind::Competitors,
        };
        assert_eq!(decode(&forged, binding), Err(CursorError::Malformed));
    }
}
