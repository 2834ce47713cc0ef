//! "Did you mean" suggestions.

/// The candidate closest to `input`, if it is close enough to be a likely typo.
///
/// Uses Jaro-Winkler similarity (good at transposed and dropped letters in short names) on
/// lowercase text, with `-`, `_` and `.` treated alike so `storage_read` finds `storage-read`.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let normalise = |text: &str| text.to_ascii_lowercase().replace(['_', '.', ' '], "-");
    let wanted = normalise(input);
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&wanted, &normalise(candidate)), candidate))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
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
    }
}
