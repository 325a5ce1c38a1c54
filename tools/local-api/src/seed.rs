//! Deterministic demo data: the same brand number always gets the same
//! records, so docs, scripts and frontend developers can rely on them.
//!
//! Brand ids are `brand-0001`, `brand-0002`, ...; the numbers drive a small
//! SplitMix64 generator, so there is no dependency on a random crate whose
//! sequence could change between versions.

use std::sync::Arc;

use shared::{
    keys::Id,
    records::{Competitor, Platform, RecentPost, SocialScrape, WebsiteScrape},
    store::{DynamoStore, StoreError},
};
use time::{macros::format_description, Duration, OffsetDateTime};
use tokio::task::JoinSet;

/// Every record of one brand.
#[derive(Debug, Clone, PartialEq)]
pub struct BrandRecords {
    pub competitors: Vec<Competitor>,
    pub website_scrapes: Vec<WebsiteScrape>,
    pub social_scrapes: Vec<SocialScrape>,
}

/// The id of brand number `n` (1-based): `brand-0001`.
pub fn brand_id(n: u32) -> String {
    format!("brand-{n:04}")
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const WORDS: [&str; 16] = [
    "north", "peak", "lumen", "cedar", "orbit", "vista", "forge", "harbor", "ember", "atlas",
    "nova", "pine", "quartz", "river", "sol", "tidal",
];
const TECH: [&str; 10] = [
    "React",
    "Next.js",
    "Shopify",
    "WordPress",
    "Cloudflare",
    "Google Analytics",
    "Stripe",
    "HubSpot",
    "Vue",
    "Segment",
];
const SOURCES: [&str; 3] = ["search", "social_graph", "manual"];

/// Seeded data starts from this instant and goes back in time.
fn epoch() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_793_491_200).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    // 2026-11-01T00:00:00Z
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the contract's timestamp form.
pub fn timestamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_default()
}

/// The records of brand number `n`.
pub fn brand_records(n: u32) -> BrandRecords {
    let mut rng = Rng(u64::from(n).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let brand_name = format!("{}{}", rng.pick(&WORDS), rng.pick(&WORDS));
    let hours_ago = |rng: &mut Rng, max: u64| epoch() - Duration::hours(rng.range(0, max) as i64);

    let competitors = (0..rng.range(4, 12))
        .map(|i| {
            let name = format!("{}{}", rng.pick(&WORDS), rng.pick(&WORDS));
            let discovered = hours_ago(&mut rng, 24 * 365);
            Competitor {
                competitor_id: format!("comp-{n:04}-{i:02}"),
                domain: format!("{name}.example.com"),
                name,
                similarity: (rng.unit() * 1000.0).round() / 1000.0,
                source: rng.pick(&SOURCES).to_owned(),
                discovered_at: timestamp(discovered),
                updated_at: timestamp(discovered + Duration::hours(rng.range(0, 24 * 30) as i64)),
            }
        })
        .collect();

    let website_scrapes = (0..rng.range(6, 15))
        .map(|i| WebsiteScrape {
            scrape_id: format!("ws-{n:04}-{i:03}"),
            url: format!("https://www.{brand_name}.example.com/"),
            status_code: if rng.range(0, 19) == 0 { 503 } else { 200 },
            title: format!("{brand_name} | Official site"),
            meta_description: format!(
                "{brand_name} makes {} things for {} people.",
                rng.pick(&WORDS),
                rng.pick(&WORDS)
            ),
            headings: (0..rng.range(3, 6))
                .map(|_| format!("The {} {}", rng.pick(&WORDS), rng.pick(&WORDS)))
                .collect(),
            technologies: (0..rng.range(2, 5))
                .map(|_| rng.pick(&TECH).to_owned())
                .collect(),
            word_count: rng.range(300, 9_000),
            pages_crawled: rng.range(1, 250),
            scraped_at: timestamp(hours_ago(&mut rng, 24 * 180)),
        })
        .collect();

    let platforms = rng.range(3, 6) as usize;
    let social_scrapes = Platform::ALL[..platforms]
        .iter()
        .flat_map(|&platform| {
            let handle = format!("@{brand_name}");
            (0..rng.range(2, 4))
                .map(|j| {
                    // One scrape per 30-day window keeps (time, platform) keys unique.
                    let window = Duration::hours((j * 24 * 30) as i64);
                    let scraped = hours_ago(&mut rng, 24 * 29) - window;
                    SocialScrape {
                        platform,
                        url: format!("https://{}.example.com/{brand_name}", platform.as_str()),
                        handle: handle.clone(),
                        followers: rng.range(100, 2_000_000),
                        following: rng.range(0, 5_000),
                        posts_count: rng.range(10, 20_000),
                        engagement_rate: (rng.unit() * 10_000.0).round() / 100_000.0,
                        recent_posts: (0..rng.range(3, 5))
                            .map(|p| RecentPost {
                                post_id: format!(
                                    "{}-{n:04}-{p}-{}",
                                    platform.as_str(),
                                    rng.range(1000, 9999)
                                ),
                                posted_at: timestamp(
                                    scraped - Duration::hours(rng.range(1, 24 * 14) as i64),
                                ),
                                likes: rng.range(0, 50_000),
                                comments: rng.range(0, 2_000),
                                shares: rng.range(0, 1_000),
                            })
                            .collect(),
                        scraped_at: timestamp(scraped),
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect();

    BrandRecords {
        competitors,
        website_scrapes,
        social_scrapes,
    }
}

/// Writes brands `1..=brands` for `client`, a few brands at a time.
/// Returns how many records were written.
pub async fn seed(store: &DynamoStore, client: &Id, brands: u32) -> Result<usize, StoreError> {
    let store = Arc::new(store.clone());
    let mut tasks = JoinSet::new();
    let mut written = 0;
    for n in 1..=brands {
        if tasks.len() >= 8 {
            written += join_one(&mut tasks).await?;
        }
        let (store, client) = (Arc::clone(&store), client.clone());
        tasks.spawn(async move {
            let brand = Id::parse(&brand_id(n)).map_err(|e| StoreError::Rejected(e.into()))?;
            write_brand(&store, &client, &brand, &brand_records(n)).await
        });
    }
    while !tasks.is_empty() {
        written += join_one(&mut tasks).await?;
    }
    Ok(written)
}

/// Writes `records` as the records of `client`'s `brand`; returns their count.
pub async fn write_brand(
    store: &DynamoStore,
    client: &Id,
    brand: &Id,
    records: &BrandRecords,
) -> Result<usize, StoreError> {
    store
        .put_records(client, brand, &records.competitors)
        .await?;
    store
        .put_records(client, brand, &records.website_scrapes)
        .await?;
    store
        .put_records(client, brand, &records.social_scrapes)
        .await?;
    Ok(records.competitors.len() + records.website_scrapes.len() + records.social_scrapes.len())
}

async fn join_one(tasks: &mut JoinSet<Result<usize, StoreError>>) -> Result<usize, StoreError> {
    match tasks.join_next().await {
        Some(Ok(result)) => result,
        Some(Err(join)) => Err(StoreError::Rejected(join.into())),
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_deterministic_and_distinct_per_brand() {
        assert_eq!(brand_records(7), brand_records(7));
        assert_ne!(brand_records(7), brand_records(8));
    }

    #[test]
    fn timestamps_follow_the_contract() {
        let records = brand_records(1);
        assert_eq!(timestamp(epoch()), "2026-11-01T00:00:00Z");
        for scrape in &records.website_scrapes {
            assert_eq!(scrape.scraped_at.len(), 20);
            assert!(scrape.scraped_at.ends_with('Z'));
        }
    }

    #[test]
    fn sort_keys_within_a_brand_are_unique() {
        use shared::records::Record;
        for n in 1..=500 {
            let records = brand_records(n);
            let mut keys: Vec<String> = records
                .social_scrapes
                .iter()
                .map(Record::sort_key)
                .collect();
            keys.extend(records.website_scrapes.iter().map(Record::sort_key));
            keys.extend(records.competitors.iter().map(Record::sort_key));
            let count = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), count, "brand {n}");
        }
    }
}
