//! The shared RFC 6962/9162 and C2SP test vectors in `shared/data/tlog-vectors`
//! (transparency-dev/merkle, golang/mod, C2SP).

use std::fs;
use std::path::{Path, PathBuf};

use audit::{
    Hash, KeyError, Note, NoteError, SignedCheckpoint, SignerKey, VerifierKey, Verifiers,
    leaf_hash, verify_consistency, verify_inclusion,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/tlog-vectors")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(json_files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// A proof's hashes; `Err` when any is not 32 bytes of base64, which must fail the case.
fn hashes(list: &Option<Vec<String>>) -> Result<Vec<Hash>, audit::HashError> {
    list.iter()
        .flatten()
        .map(|h| Hash::from_base64(h))
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InclusionCase {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[test]
fn inclusion_vectors() {
    let files = json_files(&vectors().join("inclusion"));
    assert!(
        files.len() > 80,
        "only {} inclusion vectors found",
        files.len()
    );
    let (mut happy, mut corrupt) = (0, 0);
    for path in &files {
        let c: InclusionCase = read(path);
        let result = (|| -> Result<(), String> {
            let root = Hash::from_base64(&c.root).map_err(|e| e.to_string())?;
            let leaf = Hash::from_base64(&c.leaf_hash).map_err(|e| e.to_string())?;
            let proof = hashes(&c.proof).map_err(|e| e.to_string())?;
            verify_inclusion(c.leaf_idx, c.tree_size, &leaf, &proof, &root)
                .map_err(|e| e.to_string())
        })();
        assert_eq!(
            result.is_err(),
            c.want_err,
            "{}: {} → {result:?}",
            path.display(),
            c.desc
        );
        if c.want_err { corrupt += 1 } else { happy += 1 }
    }
    assert_eq!(
        (happy, corrupt),
        (6, 92),
        "happy paths and corruptions checked"
    );
}

#[test]
fn consistency_vectors() {
    let files = json_files(&vectors().join("consistency"));
    let (mut happy, mut corrupt) = (0, 0);
    for path in &files {
        let c: ConsistencyCase = read(path);
        let result = (|| -> Result<(), String> {
            let root1 = Hash::from_base64(&c.root1).map_err(|e| e.to_string())?;
            let root2 = Hash::from_base64(&c.root2).map_err(|e| e.to_string())?;
            let proof = hashes(&c.proof).map_err(|e| e.to_string())?;
            verify_consistency(c.size1, c.size2, &proof, &root1, &root2).map_err(|e| e.to_string())
        })();
        // The one deliberate deviation: this case uses 12-byte placeholder roots and
        // expects success; every hash here must be 32 bytes, so it is rejected.
        let want_err =
            c.want_err || path.ends_with("additional/sizes-are-equal-one-and-proof-is-empty.json");
        assert_eq!(
            result.is_err(),
            want_err,
            "{}: {} → {result:?}",
            path.display(),
            c.desc
        );
        if want_err { corrupt += 1 } else { happy += 1 }
    }
    assert_eq!(
        (happy, corrupt),
        (5, 93),
        "happy paths and corruptions checked"
    );
}

#[test]
fn twelve_byte_roots_are_rejected_as_hashes() {
    let c: ConsistencyCase =
        read(&vectors().join("consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"));
    assert!(
        !c.want_err,
        "the vector expects success with placeholder roots"
    );
    assert_eq!(
        Hash::from_base64(&c.root1),
        Err(audit::HashError::WrongLength { actual: 12 })
    );
}

#[derive(Deserialize)]
struct Sth {
    tree_size: u64,
    sha256_root_hash: String,
}
#[derive(Deserialize)]
struct Entries {
    entries: Vec<Entry>,
}
#[derive(Deserialize)]
struct Entry {
    leaf_input: String,
}
#[derive(Deserialize)]
struct AuditPath {
    leaf_index: u64,
    audit_path: Vec<String>,
}
#[derive(Deserialize)]
struct Params {
    old_size: u64,
    old_root: String,
}
#[derive(Deserialize)]
struct Consistency {
    consistency: Vec<String>,
}

fn all_hashes(list: &[String]) -> Vec<Hash> {
    list.iter().map(|h| Hash::from_base64(h).unwrap()).collect()
}

#[test]
fn argon2020_inclusion_of_a_real_certificate() {
    let dir = vectors().join("argon2020");
    let sth: Sth = read(&dir.join("sth.json"));
    let entries: Entries = read(&dir.join("entries.json"));
    let path: AuditPath = read(&dir.join("proof.json"));
    let root = Hash::from_base64(&sth.sha256_root_hash).unwrap();
    let leaf = leaf_hash(&BASE64.decode(&entries.entries[0].leaf_input).unwrap());
    let proof = all_hashes(&path.audit_path);
    assert_eq!(proof.len(), 30);
    assert_eq!(
        verify_inclusion(path.leaf_index, sth.tree_size, &leaf, &proof, &root),
        Ok(())
    );
    assert!(verify_inclusion(path.leaf_index + 1, sth.tree_size, &leaf, &proof, &root).is_err());
    assert!(
        verify_inclusion(
            path.leaf_index,
            sth.tree_size,
            &leaf_hash(b"forged"),
            &proof,
            &root
        )
        .is_err()
    );
}

#[test]
fn argon2020_consistency_between_two_real_tree_heads() {
    let dir = vectors().join("argon2020");
    let sth: Sth = read(&dir.join("sth.json"));
    let params: Params = read(&dir.join("params.json"));
    let c: Consistency = read(&dir.join("consistency.json"));
    let root1 = Hash::from_base64(&params.old_root).unwrap();
    let root2 = Hash::from_base64(&sth.sha256_root_hash).unwrap();
    let proof = all_hashes(&c.consistency);
    assert_eq!(proof.len(), 30);
    assert_eq!(
        verify_consistency(params.old_size, sth.tree_size, &proof, &root1, &root2),
        Ok(())
    );
    assert!(verify_consistency(params.old_size, sth.tree_size, &proof, &root2, &root1).is_err());
    assert!(
        verify_consistency(params.old_size + 1, sth.tree_size, &proof, &root1, &root2).is_err()
    );
}

#[derive(Deserialize)]
struct NoteVectors {
    verify: Vec<VerifyCase>,
    sign: Vec<SignCase>,
    bad_vkeys: Vec<BadKey>,
    checkpoint_text: Vec<CheckpointCase>,
}
#[derive(Deserialize)]
struct VerifyCase {
    vkey: String,
    note: String,
    text: String,
}
#[derive(Deserialize)]
struct SignCase {
    skey: String,
    vkey: String,
    text: String,
    want_note: String,
}
#[derive(Deserialize)]
struct BadKey {
    vkey: String,
    why: String,
}
#[derive(Deserialize)]
struct CheckpointCase {
    name: String,
    text: Option<String>,
    size: Option<u64>,
    note: Option<String>,
}

fn note_vectors() -> NoteVectors {
    read(&vectors().join("signed_note_vectors.json"))
}

#[test]
fn signed_note_examples_verify() {
    for case in note_vectors().verify {
        let key = VerifierKey::parse(&case.vkey).unwrap();
        assert_eq!(key.to_string(), case.vkey);
        let note = Note::parse(&case.note).unwrap();
        assert_eq!(note.text(), case.text);
        let verified = note.verify(&Verifiers::from(key.clone())).unwrap();
        assert_eq!(verified[0].name, *key.name());
        // One changed character breaks the signature of the known key.
        let tampered = Note::parse(&case.note.replacen("example", "exbmple", 1)).unwrap();
        assert!(matches!(
            tampered.verify(&Verifiers::from(key)),
            Err(NoteError::BadSignature { .. })
        ));
    }
}

#[test]
fn deterministic_signing_vector_is_reproduced_byte_for_byte() {
    for case in note_vectors().sign {
        let signer = SignerKey::parse(&case.skey).unwrap();
        assert_eq!(signer.verifier().to_string(), case.vkey);
        assert_eq!(signer.to_private_text(), case.skey);
        let mut note = Note::new(&case.text).unwrap();
        note.sign(&signer).unwrap();
        assert_eq!(note.to_string(), case.want_note);
    }
}

#[test]
fn bad_verifier_keys_are_refused() {
    let cases = note_vectors().bad_vkeys;
    assert_eq!(cases.len(), 2);
    for case in cases {
        let err = VerifierKey::parse(&case.vkey).unwrap_err();
        let expected_kind = if case.why.contains("length") {
            matches!(err, KeyError::KeyLength(_) | KeyError::Base64)
        } else {
            matches!(err, KeyError::UnknownAlgorithm(0x65))
        };
        assert!(expected_kind, "{}: got {err:?}", case.why);
    }
}

#[test]
fn checkpoint_texts_parse() {
    for case in note_vectors().checkpoint_text {
        if let Some(text) = &case.text {
            let cp = audit::Checkpoint::parse(text).unwrap();
            assert_eq!(Some(cp.size()), case.size, "{}", case.name);
            assert_eq!(*cp.root(), leaf_hash(b"hello world"));
            assert_eq!(cp.to_string(), *text);
        }
        if let Some(note) = &case.note {
            let signed = SignedCheckpoint::parse(note).unwrap();
            assert_eq!(signed.checkpoint().origin(), "example.com/behind-the-sofa");
            assert_eq!(signed.checkpoint().size(), 20852163);
            assert_eq!(signed.to_string(), *note);
            // The log's key is not published: the signature is unknown, not bad.
            assert!(matches!(
                signed.verify(&Verifiers::default()),
                Err(audit::CheckpointError::Note(
                    NoteError::NoVerifiedSignature { unknown: 1 }
                ))
            ));
        }
    }
}

#[test]
fn c2sp_cosignature_example_carries_its_timestamp() {
    // From c2sp.org/tlog-cosignature: the witness line encodes key ID ‖ time ‖ signature,
    // and the spec's signed message uses `time 1679315147`.
    let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    let note = Note::parse(text).unwrap();
    let witness = &note.signatures()[1];
    assert_eq!(witness.name().as_str(), "witness.example.com/w1");
    let (time, sig) = witness.signature().split_at(8);
    assert_eq!(u64::from_be_bytes(time.try_into().unwrap()), 1679315147);
    assert_eq!(sig.len(), 64);
}
