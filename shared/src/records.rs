//! The record shapes of the data contract (documented in `docs/data-model.md`).
//!
//! Items are stored with these fields as native DynamoDB attributes next to
//! `pk` and `sk`. serde_dynamo maps them; unknown attributes (`pk`, `sk`,
//! `expires_at`) are ignored on the way out, so keys never reach a response.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::keys::Kind;

/// A record type stored under a brand, and how its sort key is built.
pub trait Record: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Which kind of record this is.
    const KIND: Kind;

    /// The item's sort key. It starts with [`Kind::sk_prefix`], and for
    /// scrapes continues with the scrape time so that key order is time order.
    fn sort_key(&self) -> String;
}

/// A competitor of a brand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Competitor {
    pub competitor_id: String,
    pub name: String,
    pub domain: String,
    /// 0 to 1: how close the competitor is to the brand.
    pub similarity: f64,
    /// Where the competitor was discovered (e.g. `search`, `manual`).
    pub source: String,
    pub discovered_at: String,
    pub updated_at: String,
}

impl Record for Competitor {
    const KIND: Kind = Kind::Competitors;

    fn sort_key(&self) -> String {
        format!("COMPETITOR#{}", self.competitor_id)
    }
}

/// One crawl of a brand's website.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebsiteScrape {
    pub scrape_id: String,
    pub url: String,
    pub status_code: u16,
    pub title: String,
    pub meta_description: String,
    pub headings: Vec<String>,
    pub technologies: Vec<String>,
    pub word_count: u64,
    pub pages_crawled: u64,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub scraped_at: String,
}

impl Record for WebsiteScrape {
    const KIND: Kind = Kind::WebsiteScrapes;

    fn sort_key(&self) -> String {
        format!("WEBSITE#{}#{}", self.scraped_at, self.scrape_id)
    }
}

/// The social platforms a brand is scraped on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Instagram,
    Tiktok,
    X,
    Linkedin,
    Youtube,
    Facebook,
}

impl Platform {
    /// Every platform, in a fixed order.
    pub const ALL: [Platform; 6] = [
        Platform::Instagram,
        Platform::Tiktok,
        Platform::X,
        Platform::Linkedin,
        Platform::Youtube,
        Platform::Facebook,
    ];

    /// The platform's name as stored and returned.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::Tiktok => "tiktok",
            Platform::X => "x",
            Platform::Linkedin => "linkedin",
            Platform::Youtube => "youtube",
            Platform::Facebook => "facebook",
        }
    }
}

/// One post in a social scrape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentPost {
    pub post_id: String,
    pub posted_at: String,
    pub likes: u64,
    pub comments: u64,
    pub shares: u64,
}

/// One scrape of a brand's account on a social platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialScrape {
    pub platform: Platform,
    pub handle: String,
    pub url: String,
    pub followers: u64,
    pub following: u64,
    pub posts_count: u64,
    pub engagement_rate: f64,
    pub recent_posts: Vec<RecentPost>,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub scraped_at: String,
}

impl Record for SocialScrape {
    const KIND: Kind = Kind::SocialScrapes;

    fn sort_key(&self) -> String {
        format!("SOCIAL#{}#{}", self.scraped_at, self.platform.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_start_with_their_kind_prefix_and_time() {
        let scrape = SocialScrape {
            platform: Platform::X,
            handle: "@acme".into(),
            url: "https://x.com/acme".into(),
            followers: 1,
            following: 2,
            posts_count: 3,
            engagement_rate: 0.5,
            recent_posts: vec![],
            scraped_at: "2026-01-02T03:04:05Z".into(),
        };
        assert_eq!(scrape.sort_key(), "SOCIAL#2026-01-02T03:04:05Z#x");
        assert!(scrape
            .sort_key()
            .starts_with(SocialScrape::KIND.sk_prefix()));
    }

    #[test]
    fn platform_names_match_serde() {
        for p in Platform::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
    }
}
