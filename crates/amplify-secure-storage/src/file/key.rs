//! The encrypted file store's key: generated once per directory and kept in a `0600` key file
//! or in the OS keychain.
//!
//! The key file `amplify-storage.key` always exists once a key does. It holds either the key
//! itself or a reference to the keychain entry holding it, so the choice made when the key was
//! created is remembered and a keychain that later stops working gives an error instead of a
//! new key (which would make the existing data unreadable):
//!
//! ```text
//! offset size field
//!      0    8 magic "AMPLSKEY"
//!      8    1 version (1)
//!      9    1 kind: 1 = key inline, 2 = key in the OS keychain
//!     10   16 key id
//!     26   16 check tag: XChaCha20-Poly1305 tag of the empty message under the key
//!     42    … kind 1: the 32-byte key; kind 2: u16 length + keychain service name
//!               (the keychain user is the hex key id, the secret the hex key)
//! ```

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::format::KEY_ID_LEN;
use super::fsio;
use crate::error::Reason;
use crate::{FileKeyLocation, StorageError};

/// The name of the encrypted file store's key file inside its directory.
pub const KEY_FILE_NAME: &str = "amplify-storage.key";
const MAGIC: &[u8; 8] = b"AMPLSKEY";
const VERSION: u8 = 1;
const KIND_INLINE: u8 = 1;
const KIND_KEYCHAIN: u8 = 2;
const PREFIX_LEN: usize = 42;

/// A 256-bit data key and its random id.
pub(crate) struct FileKey {
    id: [u8; KEY_ID_LEN],
    key: Key,
}

impl Drop for FileKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.key.as_mut_slice());
    }
}

impl fmt::Debug for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileKey")
            .field("id", &fsio::hex(&self.id))
            .finish_non_exhaustive()
    }
}

impl FileKey {
    /// A new random key.
    pub(crate) fn generate() -> Result<Self, StorageError> {
        let mut id = [0u8; KEY_ID_LEN];
        let mut key = Key::default();
        getrandom::fill(&mut id)
            .and_then(|()| getrandom::fill(key.as_mut_slice()))
            .map_err(|_| StorageError::Keychain {
                source: Box::new(Reason(
                    "the operating system's random number generator failed",
                )),
            })?;
        Ok(FileKey { id, key })
    }

    pub(crate) fn id(&self) -> &[u8; KEY_ID_LEN] {
        &self.id
    }

    pub(crate) fn key(&self) -> &Key {
        &self.key
    }

    fn from_raw(id: [u8; KEY_ID_LEN], raw: &[u8; 32]) -> Self {
        FileKey {
            id,
            key: Key::from(*raw),
        }
    }

    /// A tag that proves a key file holds the key it claims (detects a damaged key file or a
    /// keychain entry that was overwritten).
    fn check_tag(&self) -> Result<[u8; 16], StorageError> {
        let cipher = XChaCha20Poly1305::new(self.key());
        let tag = cipher
            .encrypt(
                &XNonce::default(),
                Payload {
                    msg: &[],
                    aad: &self.id,
                },
            )
            .map_err(|_| StorageError::Keychain {
                source: Box::new(Reason("the key check could not be computed")),
            })?;
        <[u8; 16]>::try_from(tag.as_slice()).map_err(|_| StorageError::Keychain {
            source: Box::new(Reason("the key check has an unexpected length")),
        })
    }
}

/// Loads, caches and creates the key of one storage directory.
#[derive(Debug)]
pub(crate) struct KeyStore {
    dir: PathBuf,
    path: PathBuf,
    location: FileKeyLocation,
    namespace: String,
    cached: Mutex<Option<Arc<FileKey>>>,
}

impl KeyStore {
    pub(crate) fn new(dir: &Path, location: FileKeyLocation, namespace: &str) -> Self {
        KeyStore {
            dir: dir.to_owned(),
            path: dir.join(KEY_FILE_NAME),
            location,
            namespace: namespace.to_owned(),
            cached: Mutex::new(None),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The key, or `None` when no key file exists. `refresh` re-reads the key file even when
    /// a key is cached (after another process may have replaced it).
    pub(crate) fn load(&self, refresh: bool) -> Result<Option<Arc<FileKey>>, StorageError> {
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if !refresh && let Some(key) = cached.as_ref() {
            return Ok(Some(Arc::clone(key)));
        }
        let key = self.read_key_file()?.map(Arc::new);
        cached.clone_from(&key);
        Ok(key)
    }

    /// The key, created (and the key file written) when there is none yet. Writers pass
    /// `refresh` so they never encrypt with a cached key whose key file was deleted.
    pub(crate) fn load_or_create(&self, refresh: bool) -> Result<Arc<FileKey>, StorageError> {
        if let Some(key) = self.load(refresh)? {
            return Ok(key);
        }
        let key = Arc::new(self.create()?);
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&key));
        Ok(key)
    }

    /// Deletes the key file when it cannot be read (damaged, or its keychain entry is gone),
    /// as part of a reset. Returns whether it was deleted.
    pub(crate) fn remove_if_unreadable(&self) -> Result<bool, StorageError> {
        match self.read_key_file() {
            Ok(_) => Ok(false),
            Err(StorageError::Corrupted { .. } | StorageError::KeyUnavailable { .. }) => {
                tracing::warn!(path = %self.path.display(), "deleting the unreadable secure storage key file");
                *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
                fsio::remove_if_exists(&self.path)
                    .map_err(|e| StorageError::io("delete", &self.path, e))
            }
            Err(other) => Err(other),
        }
    }

    fn read_key_file(&self) -> Result<Option<FileKey>, StorageError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => Zeroizing::new(bytes),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(StorageError::io("read", &self.path, err)),
        };
        if let Ok(meta) = fs::metadata(&self.path)
            && fsio::is_shared(&meta)
        {
            tracing::warn!(
                path = %self.path.display(),
                "the secure storage key file is readable by other users; run `chmod 600` on it"
            );
        }
        let corrupted = |reason| StorageError::corrupted_because(&self.path, reason);
        let (prefix, rest) = bytes
            .split_first_chunk::<PREFIX_LEN>()
            .ok_or_else(|| corrupted("the key file is truncated"))?;
        let (magic, prefix) = prefix.split_at(8);
        if magic != MAGIC {
            return Err(corrupted(
                "the key file does not start with the AMPLSKEY magic",
            ));
        }
        let (&[version, kind], prefix) = prefix
            .split_first_chunk::<2>()
            .ok_or_else(|| corrupted("the key file is truncated"))?;
        if version != VERSION {
            return Err(corrupted("the key file has an unknown version"));
        }
        let (id, check) = prefix
            .split_first_chunk::<KEY_ID_LEN>()
            .ok_or_else(|| corrupted("the key file is truncated"))?;
        let key = match kind {
            KIND_INLINE => {
                let raw = <&[u8; 32]>::try_from(rest)
                    .map_err(|_| corrupted("the key file has a wrong length"))?;
                FileKey::from_raw(*id, raw)
            }
            KIND_KEYCHAIN => {
                let (len, service) = rest
                    .split_first_chunk::<2>()
                    .ok_or_else(|| corrupted("the key file is truncated"))?;
                let service = std::str::from_utf8(service)
                    .ok()
                    .filter(|s| s.len() == usize::from(u16::from_le_bytes(*len)))
                    .ok_or_else(|| corrupted("the key file's keychain reference is damaged"))?;
                FileKey::from_raw(*id, &*self.read_from_keychain(service, id)?)
            }
            _ => return Err(corrupted("the key file has an unknown kind")),
        };
        if key.check_tag()? != check {
            return Err(if kind == KIND_KEYCHAIN {
                StorageError::KeyUnavailable {
                    path: self.path.clone(),
                    source: Some(Box::new(Reason("the keychain entry holds a different key"))),
                }
            } else {
                corrupted("the key file's check failed (the key is damaged)")
            });
        }
        Ok(Some(key))
    }

    #[cfg(feature = "keychain")]
    fn read_from_keychain(
        &self,
        service: &str,
        id: &[u8; KEY_ID_LEN],
    ) -> Result<Zeroizing<[u8; 32]>, StorageError> {
        use secrecy::ExposeSecret;
        let secret = crate::keychain::platform::get(service, &fsio::hex(id))?.ok_or_else(|| {
            StorageError::KeyUnavailable {
                path: self.path.clone(),
                source: Some(Box::new(Reason(
                    "the keychain entry holding the key is missing",
                ))),
            }
        })?;
        fsio::unhex::<32>(secret.expose_secret())
            .map(Zeroizing::new)
            .ok_or_else(|| StorageError::KeyUnavailable {
                path: self.path.clone(),
                source: Some(Box::new(Reason("the keychain entry does not hold a key"))),
            })
    }

    #[cfg(not(feature = "keychain"))]
    fn read_from_keychain(
        &self,
        _service: &str,
        _id: &[u8; KEY_ID_LEN],
    ) -> Result<Zeroizing<[u8; 32]>, StorageError> {
        Err(StorageError::FeatureDisabled {
            feature: "keychain",
        })
    }

    /// Creates a key, stores it where `location` says, and publishes the key file without
    /// overwriting one another process published first (in which case that key is used).
    fn create(&self) -> Result<FileKey, StorageError> {
        let key = FileKey::generate()?;
        let check = key.check_tag()?;
        let mut contents = Zeroizing::new(Vec::with_capacity(PREFIX_LEN + 32));
        contents.extend_from_slice(MAGIC);
        let keychain_service = self.keychain_service_for_new_key(&key)?;
        contents.extend_from_slice(&[
            VERSION,
            if keychain_service.is_some() {
                KIND_KEYCHAIN
            } else {
                KIND_INLINE
            },
        ]);
        contents.extend_from_slice(&key.id);
        contents.extend_from_slice(&check);
        match &keychain_service {
            Some(service) => {
                let len = u16::try_from(service.len()).map_err(|_| StorageError::InvalidScope {
                    reason: "the namespace is too long",
                })?;
                contents.extend_from_slice(&len.to_le_bytes());
                contents.extend_from_slice(service.as_bytes());
            }
            None => contents.extend_from_slice(key.key.as_slice()),
        }

        fsio::create_private_dir(&self.dir)
            .map_err(|e| StorageError::io("create directory", &self.dir, e))?;
        let published = self.publish(&contents);
        match published {
            Ok(true) => {
                tracing::debug!(
                    path = %self.path.display(),
                    in_keychain = keychain_service.is_some(),
                    "created the encrypted secure storage key"
                );
                Ok(key)
            }
            Ok(false) => {
                // Another process won the race: forget our key and use theirs.
                #[cfg(feature = "keychain")]
                if let Some(service) = &keychain_service {
                    let _ = crate::keychain::platform::delete(service, &fsio::hex(&key.id));
                }
                self.read_key_file()?
                    .ok_or_else(|| StorageError::KeyUnavailable {
                        path: self.path.clone(),
                        source: Some(Box::new(Reason(
                            "the key file vanished while it was being created",
                        ))),
                    })
            }
            Err(err) => Err(err),
        }
    }

    /// Where a new key goes: `Some(service)` when it was stored in the keychain.
    #[cfg(feature = "keychain")]
    fn keychain_service_for_new_key(&self, key: &FileKey) -> Result<Option<String>, StorageError> {
        if self.location == FileKeyLocation::KeyFile {
            return Ok(None);
        }
        let service = format!("{}.encrypted-file-key", self.namespace);
        let secret = secrecy::SecretString::from(fsio::hex(key.key.as_slice()));
        let stored = crate::keychain::platform::set(&service, &fsio::hex(&key.id), &secret)
            .and_then(|()| {
                use secrecy::ExposeSecret;
                match crate::keychain::platform::get(&service, &fsio::hex(&key.id))? {
                    Some(back) if back.expose_secret() == secret.expose_secret() => Ok(()),
                    _ => Err(StorageError::KeychainUnavailable {
                        source: Some(Box::new(Reason(
                            "the keychain did not return the key just stored",
                        ))),
                    }),
                }
            });
        match stored {
            Ok(()) => Ok(Some(service)),
            Err(err) if self.location == FileKeyLocation::Auto => {
                tracing::warn!(
                    error = %amplify_core::DisplayErrorContext(&err),
                    path = %self.path.display(),
                    "the OS keychain cannot hold the secure storage key; keeping it in a 0600 key file"
                );
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    #[cfg(not(feature = "keychain"))]
    fn keychain_service_for_new_key(&self, _key: &FileKey) -> Result<Option<String>, StorageError> {
        let _ = &self.namespace;
        match self.location {
            FileKeyLocation::Keychain => Err(StorageError::FeatureDisabled {
                feature: "keychain",
            }),
            _ => Ok(None),
        }
    }

    /// Writes the key file atomically without replacing an existing one: a private temporary
    /// file, fsync, then a hard link to the final name (which fails if the name exists).
    /// Returns `false` when a key file already existed.
    fn publish(&self, contents: &[u8]) -> Result<bool, StorageError> {
        let mut suffix = [0u8; 8];
        let _ = getrandom::fill(&mut suffix);
        let tmp = self.dir.join(format!(
            ".{KEY_FILE_NAME}.{}.{}.tmp",
            std::process::id(),
            fsio::hex(&suffix)
        ));
        fn io_err<'p>(
            op: &'static str,
            path: &'p Path,
        ) -> impl FnOnce(io::Error) -> StorageError + 'p {
            move |e| StorageError::io(op, path, e)
        }
        let written = fsio::create_private_file(&tmp)
            .and_then(|mut file| file.write_all(contents).and_then(|()| file.sync_all()))
            .map_err(io_err("write", &tmp));
        if let Err(err) = written {
            let _ = fs::remove_file(&tmp);
            return Err(err);
        }
        let linked = fs::hard_link(&tmp, &self.path);
        let _ = fs::remove_file(&tmp);
        let created = match linked {
            Ok(()) => true,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => false,
            // File systems without hard links: exclusive create of the final name instead.
            Err(_) => match fsio::create_private_file(&self.path) {
                Ok(mut file) => {
                    file.write_all(contents)
                        .and_then(|()| file.sync_all())
                        .map_err(io_err("write", &self.path))?;
                    true
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => false,
                Err(err) => return Err(StorageError::io("create", &self.path, err)),
            },
        };
        fsio::sync_dir(&self.dir).map_err(io_err("sync", &self.dir))?;
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("amplify-ss-key-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn key_file_is_created_once_and_reloaded() {
        let dir = temp_dir("once");
        let store = KeyStore::new(&dir, FileKeyLocation::KeyFile, "com.amplify");
        assert!(store.load(false).unwrap().is_none());
        let key = store.load_or_create(false).unwrap();
        let other = KeyStore::new(&dir, FileKeyLocation::KeyFile, "com.amplify");
        let again = other.load_or_create(false).unwrap();
        assert_eq!(key.id(), again.id());
        assert_eq!(key.key(), again.key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
        assert!(!format!("{key:?}").contains(&fsio::hex(key.key.as_slice())));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn racing_creators_agree_on_one_key() {
        let dir = temp_dir("race");
        let ids: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        *KeyStore::new(&dir, FileKeyLocation::KeyFile, "com.amplify")
                            .load_or_create(false)
                            .unwrap()
                            .id()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(ids.windows(2).all(|w| w[0] == w[1]));
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, [std::ffi::OsString::from(KEY_FILE_NAME)]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn damaged_key_file_is_reported_and_removable() {
        let dir = temp_dir("damaged");
        let store = KeyStore::new(&dir, FileKeyLocation::KeyFile, "com.amplify");
        store.load_or_create(false).unwrap();
        let mut bytes = fs::read(store.path()).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        fs::write(store.path(), &bytes).unwrap();
        let err = store.load(true).unwrap_err();
        assert!(matches!(err, StorageError::Corrupted { .. }), "{err:?}");
        fs::write(store.path(), b"short").unwrap();
        assert!(matches!(
            store.load(true).unwrap_err(),
            StorageError::Corrupted { .. }
        ));
        assert!(store.remove_if_unreadable().unwrap());
        assert!(store.load(true).unwrap().is_none());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(not(feature = "keychain"))]
    #[test]
    fn keychain_location_needs_the_feature() {
        let dir = temp_dir("nofeature");
        let store = KeyStore::new(&dir, FileKeyLocation::Keychain, "com.amplify");
        assert!(matches!(
            store.load_or_create(false).unwrap_err(),
            StorageError::FeatureDisabled {
                feature: "keychain"
            }
        ));
        let _ = fs::remove_dir_all(&dir);
    }
}
