//! C2SP `tlog-cosignature` (`cosignature/v1`): what an Ed25519 witness signs.
//! Signing and checking live in [`crate::Note::cosign`] and [`crate::Note::verify`].

/// The spec caps timestamps at 2^63 - 1.
pub(crate) const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// The signed message: `cosignature/v1\ntime <T>\n` followed by the whole note text
/// (checkpoint body with any extension lines, final newline included).
pub fn cosigned_message(text: &str, timestamp: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{text}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_matches_the_spec_example() {
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosigned_message(body, 1679315147),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }
}
