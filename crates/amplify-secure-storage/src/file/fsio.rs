//! Small file system helpers: private files and directories, directory fsync, file identity.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::path::Path;
use std::time::SystemTime;

/// Creates `dir` and its parents; on Unix the directories created get mode `0700`.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates a new file (failing if it exists) readable and writable by the owner only (`0600`
/// on Unix; on Windows the file inherits the directory's ACL, which for the per-user
/// `%LOCALAPPDATA%` is the user's alone).
pub(crate) fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Opens (creating when missing, `0600`) a file used only for locking.
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes a rename or a new file in `dir` durable (fsync of the directory). Windows has no
/// directory fsync; NTFS journals the rename itself.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Whether group or others may access the file (Unix only).
pub(crate) fn is_shared(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// What identifies one version of a data file. Writers never modify a data file in place:
/// they rename a new file over it, so a new version is a new inode. On Unix the cache keeps
/// the file it read open, so its inode cannot be reused for a later version while cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl Identity {
    pub(crate) fn of(meta: &Metadata) -> Self {
        Identity {
            #[cfg(unix)]
            dev: std::os::unix::fs::MetadataExt::dev(meta),
            #[cfg(unix)]
            ino: std::os::unix::fs::MetadataExt::ino(meta),
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }

    /// The identity of the file now at `path`, `None` when there is none.
    pub(crate) fn at(path: &Path) -> io::Result<Option<Self>> {
        match fs::metadata(path) {
            Ok(meta) => Ok(Some(Identity::of(&meta))),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// Removes a file, treating "already gone" as success.
pub(crate) fn remove_if_exists(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from(
                *DIGITS.get(usize::from(nibble)).unwrap_or(&b'0'),
            ));
        }
    }
    out
}

/// Decodes lower- or upper-case hex into exactly `N` bytes.
#[cfg_attr(not(feature = "keychain"), allow(dead_code))]
pub(crate) fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *byte = digit(*hi)? << 4 | digit(*lo)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xff, 0xab];
        assert_eq!(hex(&bytes), "00017f80ffab");
        assert_eq!(unhex::<6>("00017f80ffab"), Some(bytes));
        assert_eq!(unhex::<6>("00017F80FFAB"), Some(bytes));
        assert_eq!(unhex::<6>("00017f80ffa"), None);
        assert_eq!(unhex::<2>("zz00"), None);
    }
}
