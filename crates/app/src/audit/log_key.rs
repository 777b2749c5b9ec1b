//! The bureau's signing key for its audit log: an Ed25519 key created on first start and kept in the
//! data directory, never in the database — whoever can edit the database must not be able to sign a
//! rewritten log. The public half is shown on the 完整性 page and exported with the log.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use audit::{KeyKind, KeyName, SignerKey, VerifierKey};
use rand::TryRngCore as _;

/// `DIR/audit/log-key` (private, mode 0600) and `DIR/audit/log-key.pub`.
pub fn private_path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit").join("log-key")
}

pub fn public_path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit").join("log-key.pub")
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("无法读写本局签名密钥 {path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("本局签名密钥 {path} 已损坏：{reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "找不到本局审计日志公钥 {path}：请用 --data-dir 指向服务器的数据目录，或用 --key 给出公钥文件"
    )]
    NoPublicKey { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The log's key, created with a fresh random seed when the data directory has none. The key's name
/// is the log's origin (`sunlight.local/audit-XXXXXXXX`, unique per installation).
pub fn load_or_create(data_dir: &Path) -> Result<SignerKey, KeyFileError> {
    let path = private_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => SignerKey::parse(text.trim()).map_err(|e| KeyFileError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(data_dir),
        Err(e) => Err(io(&path)(e)),
    }
}

fn create(data_dir: &Path) -> Result<SignerKey, KeyFileError> {
    let path = private_path(data_dir);
    let dir = data_dir.join("audit");
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut seed = [0u8; 32];
    let mut tag = [0u8; 4];
    let random = rand::rngs::OsRng
        .try_fill_bytes(&mut seed)
        .and_then(|()| rand::rngs::OsRng.try_fill_bytes(&mut tag));
    random.map_err(|e| KeyFileError::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    let name = KeyName::new(&format!("sunlight.local/audit-{tag}")).map_err(|e| {
        KeyFileError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        }
    })?;
    let key = SignerKey::from_seed(name, KeyKind::Ed25519, seed);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            writeln!(file, "{}", key.to_private_text()).map_err(io(&path))?;
            file.sync_all().map_err(io(&path))?;
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return load_or_create(data_dir),
        Err(e) => return Err(io(&path)(e)),
    }
    let public = public_path(data_dir);
    std::fs::write(&public, format!("{}\n", key.verifier())).map_err(io(&public))?;
    Ok(key)
}

/// The log's public key from a file holding its text (`name+id+base64`), as exported or published.
pub fn read_public(path: &Path) -> Result<VerifierKey, KeyFileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(KeyFileError::NoPublicKey {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(io(path)(e)),
    };
    VerifierKey::parse(text.trim()).map_err(|e| KeyFileError::Corrupt {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_read_back_with_the_same_public_key() {
        let dir = std::env::temp_dir().join(format!("sunlight-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = load_or_create(&dir).unwrap();
        let again = load_or_create(&dir).unwrap();
        assert_eq!(first.verifier(), again.verifier());
        assert_eq!(&read_public(&public_path(&dir)).unwrap(), first.verifier());
        assert!(
            first
                .verifier()
                .name()
                .as_str()
                .starts_with("sunlight.local/audit-")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(private_path(&dir))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the private key is readable by others: {mode:o}"
            );
        }
        std::fs::write(private_path(&dir), "PRIVATE+KEY+broken").unwrap();
        assert!(matches!(
            load_or_create(&dir),
            Err(KeyFileError::Corrupt { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
