//! The body of a C2SP `tlog-witness` `add-checkpoint` request: the size of the tree the
//! witness cosigned last, a consistency proof from it, a blank line and the checkpoint.
//!
//! ```text
//! old <decimal>
//! <base64 consistency proof hash, at most 63 lines>
//!
//! <signed checkpoint>
//! ```

use std::fmt;

use crate::checkpoint::{CheckpointError, SignedCheckpoint, parse_decimal};
use crate::hash::{Hash, HashError};

/// The protocol's limit on consistency proof lines.
const MAX_PROOF_LINES: usize = 63;

/// Why a request body is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("请求第1行应为“old 不带前导零的十进制树大小”")]
    OldLine,
    #[error("请求第{line}行一致性证明哈希无效：{error}")]
    ProofHash { line: usize, error: HashError },
    #[error("一致性证明超过{MAX_PROOF_LINES}行")]
    TooManyProofLines,
    #[error("请求在证明哈希之后缺少空行和检查点")]
    MissingCheckpoint,
    #[error("请求中的检查点无效：{0}")]
    Checkpoint(CheckpointError),
}

/// An `add-checkpoint` request: what a log sends a witness to get a cosignature.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AddCheckpoint {
    /// Size of the tree the witness cosigned last, as the log believes (0 at first).
    pub old_size: u64,
    /// Consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    pub checkpoint: SignedCheckpoint,
}

impl AddCheckpoint {
    pub fn parse(body: &str) -> Result<Self, RequestError> {
        let mut lines = body.split_inclusive('\n').enumerate();
        let mut next_line = || {
            lines
                .next()
                .and_then(|(i, l)| Some((i + 1, l.strip_suffix('\n')?)))
        };
        let old_size = next_line()
            .and_then(|(_, l)| l.strip_prefix("old "))
            .and_then(parse_decimal)
            .ok_or(RequestError::OldLine)?;
        let mut proof = Vec::new();
        loop {
            let (no, line) = next_line().ok_or(RequestError::MissingCheckpoint)?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(RequestError::TooManyProofLines);
            }
            proof.push(
                Hash::from_base64(line)
                    .map_err(|error| RequestError::ProofHash { line: no, error })?,
            );
        }
        let rest: String = lines.map(|(_, l)| l).collect();
        if rest.is_empty() {
            return Err(RequestError::MissingCheckpoint);
        }
        let checkpoint = SignedCheckpoint::parse(&rest).map_err(RequestError::Checkpoint)?;
        Ok(AddCheckpoint {
            old_size,
            proof,
            checkpoint,
        })
    }
}

impl fmt::Display for AddCheckpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "old {}", self.old_size)?;
        for h in &self.proof {
            writeln!(f, "{h}")?;
        }
        writeln!(f)?;
        self.checkpoint.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example request of the C2SP `tlog-witness` specification.
    const SPEC_EXAMPLE: &str = "old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
";

    #[test]
    fn the_spec_example_parses_and_prints_back() {
        let r = AddCheckpoint::parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(r.old_size, 20852014);
        assert_eq!(r.proof.len(), 4);
        assert_eq!(r.checkpoint.checkpoint().size(), 20852163);
        assert_eq!(r.checkpoint.note().signatures().len(), 2);
        assert_eq!(r.to_string(), SPEC_EXAMPLE);
    }

    #[test]
    fn a_first_request_has_no_proof() {
        let cp = SPEC_EXAMPLE.split_once("\n\n").unwrap().1;
        let r = AddCheckpoint::parse(&format!("old 0\n\n{cp}")).unwrap();
        assert_eq!((r.old_size, r.proof.len()), (0, 0));
    }

    #[test]
    fn malformed_requests_say_what_is_wrong() {
        let cp = SPEC_EXAMPLE.split_once("\n\n").unwrap().1;
        for bad_old in ["old 01", "old -1", "old", "new 5", "old 5 "] {
            assert_eq!(
                AddCheckpoint::parse(&format!("{bad_old}\n\n{cp}")),
                Err(RequestError::OldLine),
                "{bad_old:?}"
            );
        }
        assert_eq!(
            AddCheckpoint::parse(&format!("old 3\nZG9uJ3QgY2FyZSAx\n\n{cp}")),
            Err(RequestError::ProofHash {
                line: 2,
                error: HashError::WrongLength { actual: 12 }
            })
        );
        let long: String = (0..64)
            .map(|_| format!("{}\n", Hash::from_bytes([1; 32])))
            .collect();
        assert_eq!(
            AddCheckpoint::parse(&format!("old 3\n{long}\n{cp}")),
            Err(RequestError::TooManyProofLines)
        );
        assert_eq!(
            AddCheckpoint::parse("old 3\n\n"),
            Err(RequestError::MissingCheckpoint)
        );
        assert!(matches!(
            AddCheckpoint::parse("old 3\n\nexample.com/x\n5\n"),
            Err(RequestError::Checkpoint(_))
        ));
    }
}
