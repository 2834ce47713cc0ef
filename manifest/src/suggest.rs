//! "Did you mean" suggestions.

/// Longest text a suggestion is looked for.
const MAX_INPUT: usize = 128;

/// Lowest Jaro-Winkler similarity that counts as a likely typo.
const MIN_SIMILARITY: f64 = 0.85;

/// The candidate closest to `input`, if it is close enough to be a likely typo.
///
/// Uses Jaro-Winkler similarity (good at transposed and dropped letters in short names) on
/// lowercase text, with `-`, `_` and `.` treated alike so `storage_read` finds `storage-read`.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Jaro-Winkler costs length × length; every name suggested is far shorter than this, and
    // a text this long is no typo of one.
    if input.len() > MAX_INPUT {
        return None;
    }
    let normalise = |text: &str| text.to_ascii_lowercase().replace(['_', '.', ' '], "-");
    let wanted = normalise(input);
    let wanted_letters = Letters::of(&wanted);
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let normalised = normalise(candidate);
            wanted_letters
                .could_be_similar(&normalised)
                .then(|| (strsim::jaro_winkler(&wanted, &normalised), candidate))
        })
        .filter(|(score, _)| *score >= MIN_SIMILARITY)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// How often each character occurs (non-ASCII ones share a count, which only overestimates).
struct Letters {
    counts: [u8; 128],
    len: usize,
}

impl Letters {
    fn of(text: &str) -> Letters {
        let mut counts = [0u8; 128];
        let mut len = 0;
        for c in text.chars() {
            let slot = &mut counts[(c as usize).min(127)];
            *slot = slot.saturating_add(1);
            len += 1;
        }
        Letters { counts, len }
    }

    /// A cheap upper bound on the similarity: Jaro counts matching characters, which are at
    /// most the characters the two texts share, and Winkler's prefix bonus is at most 0.4 of
    /// the rest. Most candidates fail it, sparing the full comparison.
    fn could_be_similar(&self, other: &str) -> bool {
        let mut left = self.counts;
        let (mut shared, mut len) = (0usize, 0usize);
        for c in other.chars() {
            let slot = &mut left[(c as usize).min(127)];
            if *slot > 0 {
                *slot -= 1;
                shared += 1;
            }
            len += 1;
        }
        if shared == 0 {
            return false;
        }
        let jaro = (shared as f64 / self.len as f64 + shared as f64 / len as f64 + 1.0) / 3.0;
        jaro + 0.4 * (1.0 - jaro) >= MIN_SIMILARITY
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_rejects_strangers() {
        let keys = ["permissions", "resources", "version", "manifest_version"];
        assert_eq!(closest("permisions", keys), Some("permissions"));
        assert_eq!(closest("resource", keys), Some("resources"));
        assert_eq!(closest("manifest-version", keys), Some("manifest_version"));
        assert_eq!(closest("banana", keys), None);
        assert_eq!(closest(&"permissions".repeat(20), keys), None);
    }
}
