//! The data directory (`EmulatorBuilder::data_dir`, `amplify-emulator serve --data-dir DIR`):
//! the emulator's state in one SQLite database, `DIR/emulator.sqlite3`.
//!
//! **Why SQLite** (through `rusqlite`, with SQLite compiled in by its `bundled` feature, so no
//! system library is needed): its transactions are atomic and durable across a killed process
//! (write-ahead log), it detects a damaged file (`PRAGMA quick_check`), one file is easy to
//! inspect with the `sqlite3` shell and to delete, and it has decades of crash testing behind
//! it. An embedded key-value store such as `redb` would do the job too, but offers nothing the
//! emulator needs that SQLite lacks, and is far less inspectable for a developer debugging an
//! app's data.
//!
//! **What is stored.** The configuration (pools, app clients, settings, identity pools, APIs) is
//! built from the spec at every start; the ids and secrets the emulator generates for it come
//! from a seed stored in the database, in spec order, so they are the same after a restart
//! (seeded users draw from the run-time generator, so changing them shifts no id). The data is rows
//! `entity(kind, key, value)` holding JSON: user pools (a marker row), users (attributes,
//! status, the SRP salt and verifier but never a password, MFA and TOTP secrets, codes,
//! devices), groups, token families (revocation and global sign-out), refresh tokens,
//! identities and their logins, the AWS credentials the identity pools issued (so an app's
//! cached credentials still sign), outbox messages, the sample GraphQL API's Todo items and the
//! REST APIs' items. A pool the database knows gets its users and groups from the database,
//! not from the seed: the seed applies only when the directory is new (or to a pool added to the
//! seed later). Not stored: sign-ins in progress, hosted-UI codes and sessions, declared IAM
//! principals (they come from the spec), faults and counters. The signing keys are the development keys compiled into
//! the binary (`src/keys`); the emulator never generates or rotates a key at run time, so tokens
//! issued before a restart verify after it.
//!
//! **Transactions.** [`Store::transact`](crate::state::Store::transact) is one SQLite
//! transaction: after the closure ran (still under the state lock, before the answer is sent),
//! the rows of the keys it wrote are put or deleted and committed. The stored maps are
//! [`Tracked`](super::tracked::Tracked): their only writers (`get_mut`, `insert`, `remove`,
//! `update_where`) record the key, and there is no `DerefMut`, so a write the database would
//! miss does not compile. A transaction costs the rows it changed (a read-only one writes
//! nothing), not the size of the state. Issued credentials record their keys the same way, and
//! the outbox, which only grows or is cleared, compares its ids with those saved. A kill at any
//! moment leaves the last committed transaction, and every answer a client received is
//! committed (`synchronous = NORMAL` in WAL mode: durable across a killed process, not across a
//! power loss). The Todo and REST items, which have their own locks, are written through, one
//! statement (an implicit transaction) per change, under their lock. A failed commit is logged
//! and its keys stay recorded, so the next transaction writes them again.
//!
//! Without a data directory nothing is recorded or serialized: a tracked write costs one
//! branch.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::credentials::CredentialStore;
use crate::error::{DataDirError, DataDirErrorKind};
use crate::outbox::{Outbox, StoredMessage};
use crate::state::State;

mod diff;
mod restore;

/// The version of the stored data's shape. The rows are the serde forms of the state types
/// (`User`, `Family`, `Identity`, ...): a field added to one needs `#[serde(default)]`, and any
/// other change to their shape a new version here (an old directory then gets
/// [`DataDirErrorKind::SchemaVersion`] instead of records that do not decode).
pub(crate) const SCHEMA_VERSION: i64 = 1;
/// The database's file name in the data directory.
pub(crate) const FILE_NAME: &str = "emulator.sqlite3";
/// The `format` row of `meta`: tells the emulator's database from any other SQLite file.
const FORMAT: &str = "amplify-emulator";
/// Separates the parts of a composite key (no id, username or login key contains it).
const SEP: char = '\u{1f}';

/// The kinds of rows.
pub(crate) mod kind {
    pub(crate) const POOL: &str = "user_pool";
    pub(crate) const USER: &str = "user";
    pub(crate) const GROUP: &str = "group";
    pub(crate) const FAMILY: &str = "token_family";
    pub(crate) const REFRESH: &str = "refresh_token";
    pub(crate) const IDENTITY: &str = "identity";
    pub(crate) const LOGIN: &str = "identity_login";
    pub(crate) const OUTBOX: &str = "outbox";
    pub(crate) const CREDENTIALS: &str = "aws_credentials";
    pub(crate) const TODO: &str = "graphql_todo";
    pub(crate) const REST: &str = "rest_item";
}

/// The open database.
pub(crate) struct Persist {
    path: PathBuf,
    outbox: Outbox,
    credentials: CredentialStore,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Persist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persist")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

struct Inner {
    conn: Connection,
    /// The outbox message ids the database holds.
    saved_outbox: BTreeSet<u64>,
}

pub(super) enum Change {
    Put(&'static str, String, Vec<u8>),
    Delete(&'static str, String),
}

/// Builds `DataDirError`s for one file.
struct Fail<'a>(&'a Path);

impl Fail<'_> {
    fn err(&self, kind: DataDirErrorKind, detail: impl Into<String>) -> DataDirError {
        DataDirError::new(self.0, kind, detail, None)
    }

    fn sql(&self, doing: &str, e: rusqlite::Error) -> DataDirError {
        let kind = match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => DataDirErrorKind::Corrupt,
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DataDirErrorKind::InUse,
            _ => DataDirErrorKind::Io,
        };
        let detail = match kind {
            DataDirErrorKind::Corrupt => {
                format!("{doing}: the file is damaged or not a SQLite database")
            }
            DataDirErrorKind::InUse => format!("{doing}: another process has it open"),
            _ => doing.to_owned(),
        };
        DataDirError::new(self.0, kind, detail, Some(Box::new(e)))
    }
}

/// A key of `parts` joined by [`SEP`].
pub(super) fn join_key(out: &mut String, parts: &[&str]) {
    out.clear();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(SEP);
        }
        out.push_str(part);
    }
}

/// Stored rows of one kind, decoded.
pub(crate) struct Rows<T> {
    pub(crate) rows: Vec<(Vec<String>, T)>,
}

impl Persist {
    /// Opens (creating when needed) `dir/emulator.sqlite3` and takes it for this process.
    /// Returns the store and, when the directory already holds state, its id seed.
    ///
    /// # Errors
    ///
    /// A [`DataDirError`] naming the file: not creatable, damaged, not the emulator's, another
    /// schema version, or in use by another emulator.
    pub(crate) fn open(
        dir: &Path,
        outbox: Outbox,
        credentials: CredentialStore,
    ) -> Result<(Arc<Self>, Option<[u8; 32]>), DataDirError> {
        let path = dir.join(FILE_NAME);
        let fail = Fail(&path);
        std::fs::create_dir_all(dir).map_err(|e| {
            DataDirError::new(
                dir,
                DataDirErrorKind::Io,
                "cannot create the data directory",
                Some(Box::new(e)),
            )
        })?;
        let conn = Connection::open(&path).map_err(|e| fail.sql("cannot open the database", e))?;
        // One emulator per directory: the lock is taken now and held until the process exits.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .and_then(|()| conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|()| conn.execute_batch("BEGIN IMMEDIATE; COMMIT;"))
            .map_err(|e| fail.sql("cannot open the database", e))?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(|e| fail.sql("the integrity check failed", e))?;
        if check != "ok" {
            return Err(fail.err(
                DataDirErrorKind::Corrupt,
                format!("the integrity check failed: {check}"),
            ));
        }
        let seed = read_meta(&conn, &fail)?;
        let persist = Self {
            path: path.clone(),
            outbox,
            credentials,
            inner: Mutex::new(Inner {
                conn,
                saved_outbox: BTreeSet::new(),
            }),
        };
        Ok((Arc::new(persist), seed))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Saves everything in a new directory, with the id seed, in one transaction; from then
    /// on writes are tracked.
    ///
    /// # Errors
    ///
    /// When the database cannot be written.
    pub(crate) fn initialise(
        &self,
        state: &mut State,
        id_seed: [u8; 32],
    ) -> Result<(), DataDirError> {
        let meta = [
            ("format", FORMAT.to_owned()),
            ("schema_version", SCHEMA_VERSION.to_string()),
            ("id_seed", crate::util::hex(&id_seed)),
        ];
        self.save_everything(state, diff::Scope::All(&|_| true), &meta)
    }

    /// Writes the rows of `state` that `scope` picks, the outbox not yet stored, and `meta` in
    /// one transaction, then starts tracking writes.
    fn save_everything(
        &self,
        state: &mut State,
        scope: diff::Scope<'_>,
        meta: &[(&str, String)],
    ) -> Result<(), DataDirError> {
        let fail = Fail(&self.path);
        let mut inner = self.lock();
        let inner = &mut *inner;
        let mut changes = diff::rows(state, scope, &self.credentials);
        changes.extend(diff::outbox(&self.outbox, &inner.saved_outbox));
        write(&mut inner.conn, &changes, meta)
            .map_err(|e| fail.sql("cannot write the initial state", e))?;
        saved_outbox(&mut inner.saved_outbox, &changes);
        diff::track(state);
        self.credentials.mark_saved();
        Ok(())
    }

    /// The port the last run listened on (`meta.port`).
    pub(crate) fn port(&self) -> Option<u16> {
        let inner = self.lock();
        inner
            .conn
            .query_row("SELECT value FROM meta WHERE name = 'port'", [], |row| {
                row.get::<_, String>(0)
            })
            .optional()
            .ok()
            .flatten()
            .and_then(|p| p.parse().ok())
    }

    /// Remembers the port this run listens on, for the next.
    pub(crate) fn set_port(&self, port: u16) {
        let inner = self.lock();
        if let Err(e) = inner.conn.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('port', ?1)",
            params![port.to_string()],
        ) {
            tracing::warn!(error = %e, "amplify-emulator could not save its port");
        }
    }

    /// Saves what `state`, the outbox and the credential store changed since the last commit,
    /// as one transaction (the keys the tracked maps recorded, not the whole state).
    pub(crate) fn commit(&self, state: &mut State) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let mut changes = diff::rows(state, diff::Scope::Recorded, &self.credentials);
        changes.extend(diff::outbox(&self.outbox, &inner.saved_outbox));
        if changes.is_empty() {
            return;
        }
        match write(&mut inner.conn, &changes, &[]) {
            Ok(()) => {
                saved_outbox(&mut inner.saved_outbox, &changes);
                diff::clear(state);
                self.credentials.mark_saved();
            }
            // What was recorded stays recorded: the next transaction writes it again.
            Err(e) => tracing::error!(
                path = %self.path.display(),
                error = %e,
                "amplify-emulator could not save a transaction; it is retried with the next one"
            ),
        }
    }

    /// Every row of `kind`, its key split at [`SEP`] and its value decoded.
    ///
    /// # Errors
    ///
    /// A read failure or a row that does not decode.
    pub(crate) fn load<T: DeserializeOwned>(
        &self,
        kind: &'static str,
    ) -> Result<Rows<T>, DataDirError> {
        let fail = Fail(&self.path);
        let inner = self.lock();
        let raw = read_kind(&inner.conn, kind).map_err(|e| fail.sql("cannot read", e))?;
        let mut rows = Vec::with_capacity(raw.len());
        for (key, bytes) in raw {
            let value = serde_json::from_slice(&bytes).map_err(|e| {
                DataDirError::new(
                    &self.path,
                    DataDirErrorKind::BadRecord,
                    format!("the stored {kind} {key:?} does not decode"),
                    Some(Box::new(e)),
                )
            })?;
            rows.push((key.split(SEP).map(str::to_owned).collect(), value));
        }
        Ok(Rows { rows })
    }

    /// Restores the outbox's messages.
    ///
    /// # Errors
    ///
    /// A read failure or a message that does not decode.
    pub(crate) fn restore_outbox(&self) -> Result<(), DataDirError> {
        let stored: Rows<StoredMessage> = self.load(kind::OUTBOX)?;
        let messages: Vec<StoredMessage> = stored.rows.into_iter().map(|(_, m)| m).collect();
        self.lock().saved_outbox = messages.iter().map(StoredMessage::id).collect();
        self.outbox.restore(messages).map_err(|id| {
            DataDirError::new(
                &self.path,
                DataDirErrorKind::BadRecord,
                format!("the stored outbox message {id} has an unknown medium or kind"),
                None,
            )
        })
    }

    /// A writer of one kind's rows under `prefix` (for stores with their own lock).
    pub(crate) fn journal(self: &Arc<Self>, kind: &'static str, prefix: &[&str]) -> Journal {
        let mut joined = String::new();
        join_key(&mut joined, prefix);
        Journal {
            persist: Arc::clone(self),
            kind,
            prefix: joined,
        }
    }

    fn write_through(&self, kind: &'static str, key: &str, value: Option<&[u8]>) {
        let inner = self.lock();
        let result = match value {
            Some(bytes) => inner.conn.execute(PUT_ENTITY, params![kind, key, bytes]),
            None => inner.conn.execute(DELETE_ENTITY, params![kind, key]),
        };
        if let Err(e) = result {
            tracing::error!(path = %self.path.display(), kind, error = %e, "amplify-emulator could not save an item");
        }
    }
}

/// Writes one kind's rows for a store that has its own lock (the Todo table, REST items): one
/// statement per change, called while that lock is held so the database sees the changes in
/// the store's order.
#[derive(Clone)]
pub(crate) struct Journal {
    persist: Arc<Persist>,
    kind: &'static str,
    prefix: String,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Journal {
    fn key(&self, id: &str) -> String {
        if self.prefix.is_empty() {
            id.to_owned()
        } else {
            format!("{}{SEP}{id}", self.prefix)
        }
    }

    /// Stores `value` under `id`.
    pub(crate) fn put(&self, id: &str, value: &impl Serialize) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self
                .persist
                .write_through(self.kind, &self.key(id), Some(&bytes)),
            Err(e) => tracing::error!(kind = self.kind, error = %e, "cannot serialize an item"),
        }
    }

    /// Removes `id`.
    pub(crate) fn delete(&self, id: &str) {
        self.persist.write_through(self.kind, &self.key(id), None);
    }

    /// Removes every row of the journal's kind and prefix.
    pub(crate) fn clear(&self) {
        let inner = self.persist.lock();
        let result = if self.prefix.is_empty() {
            inner
                .conn
                .execute("DELETE FROM entity WHERE kind = ?1", params![self.kind])
        } else {
            // Keys `<prefix>SEP...` sort from `<prefix>SEP` up to `<prefix>` + the next char.
            inner.conn.execute(
                "DELETE FROM entity WHERE kind = ?1 AND key >= ?2 AND key < ?3",
                params![
                    self.kind,
                    format!("{}{SEP}", self.prefix),
                    format!("{}\u{20}", self.prefix)
                ],
            )
        };
        if let Err(e) = result {
            tracing::error!(kind = self.kind, error = %e, "amplify-emulator could not clear items");
        }
    }
}

/// Reads the `meta` table: `None` for a new database, else the id seed.
fn read_meta(conn: &Connection, fail: &Fail<'_>) -> Result<Option<[u8; 32]>, DataDirError> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| {
            s.query_map([], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(|e| fail.sql("cannot read the database's tables", e))?;
    if let Some(other) = tables.iter().find(|t| *t != "meta" && *t != "entity") {
        return Err(fail.err(
            DataDirErrorKind::NotEmulatorData,
            format!("the database has a table {other:?} the emulator does not write"),
        ));
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS entity (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
             PRIMARY KEY (kind, key)) WITHOUT ROWID;",
    )
    .map_err(|e| fail.sql("cannot create the tables", e))?;
    let get = |name: &str| -> Result<Option<String>, DataDirError> {
        conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()
        .map_err(|e| fail.sql("cannot read the meta table", e))
    };
    let Some(version) = get("schema_version")? else {
        // Never initialised (or killed before the first commit): new, unless it holds rows.
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM entity", [], |row| row.get(0))
            .map_err(|e| fail.sql("cannot read", e))?;
        return if rows == 0 {
            Ok(None)
        } else {
            Err(fail.err(
                DataDirErrorKind::NotEmulatorData,
                "the database has rows but no schema version",
            ))
        };
    };
    if get("format")?.as_deref() != Some(FORMAT) {
        return Err(fail.err(
            DataDirErrorKind::NotEmulatorData,
            "the database's format is not amplify-emulator",
        ));
    }
    let found = version.parse::<i64>().map_err(|_| {
        fail.err(
            DataDirErrorKind::Corrupt,
            format!("the schema version {version:?} is not a number"),
        )
    })?;
    if found != SCHEMA_VERSION {
        return Err(fail.err(
            DataDirErrorKind::SchemaVersion {
                found,
                supported: SCHEMA_VERSION,
            },
            format!(
                "it has data schema version {found}; this emulator reads version {SCHEMA_VERSION}"
            ),
        ));
    }
    let seed = get("id_seed")?
        .and_then(|text| unhex_seed(&text))
        .ok_or_else(|| {
            fail.err(
                DataDirErrorKind::Corrupt,
                "the id seed is missing or invalid",
            )
        })?;
    Ok(Some(seed))
}

fn read_kind(conn: &Connection, kind: &str) -> rusqlite::Result<Vec<(String, Vec<u8>)>> {
    let mut statement =
        conn.prepare("SELECT key, value FROM entity WHERE kind = ?1 ORDER BY key")?;
    statement
        .query_map([kind], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}

// The statements of every write (one text for the transaction and the write-through paths).
const PUT_ENTITY: &str = "INSERT OR REPLACE INTO entity (kind, key, value) VALUES (?1, ?2, ?3)";
const DELETE_ENTITY: &str = "DELETE FROM entity WHERE kind = ?1 AND key = ?2";
const SET_META: &str = "INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)";

fn write(
    conn: &mut Connection,
    changes: &[Change],
    meta: &[(&str, String)],
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut put = tx.prepare(PUT_ENTITY)?;
        let mut delete = tx.prepare(DELETE_ENTITY)?;
        for change in changes {
            match change {
                Change::Put(kind, key, bytes) => put.execute(params![kind, key, bytes])?,
                Change::Delete(kind, key) => delete.execute(params![kind, key])?,
            };
        }
        if !meta.is_empty() {
            let mut set = tx.prepare(SET_META)?;
            for (name, value) in meta {
                set.execute(params![name, value])?;
            }
        }
    }
    tx.commit()
}

/// Records the outbox ids committed `changes` wrote or deleted.
fn saved_outbox(saved: &mut BTreeSet<u64>, changes: &[Change]) {
    for change in changes {
        match change {
            Change::Put(kind::OUTBOX, key, _) => {
                if let Ok(id) = key.parse() {
                    saved.insert(id);
                }
            }
            Change::Delete(kind::OUTBOX, key) => {
                if let Ok(id) = key.parse::<u64>() {
                    saved.remove(&id);
                }
            }
            _ => {}
        }
    }
}

/// Outbox keys sort by id.
pub(super) fn outbox_key(id: u64) -> String {
    format!("{id:020}")
}

/// The id seed as stored: 64 hex digits.
fn unhex_seed(text: &str) -> Option<[u8; 32]> {
    crate::util::unhex(text)
        .filter(|_| text.len() == 64)
        .and_then(|bytes| bytes.try_into().ok())
}

/// `#[serde(with = ...)]` for bytes: base64 text instead of an array of numbers.
pub(crate) mod base64_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::util::b64(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        crate::util::b64_decode_lenient(&text)
            .ok_or_else(|| serde::de::Error::custom("invalid base64"))
    }
}

/// [`base64_bytes`] for an optional value.
pub(crate) mod base64_bytes_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => s.serialize_some(&crate::util::b64(bytes)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                crate::util::b64_decode_lenient(&text)
                    .ok_or_else(|| serde::de::Error::custom("invalid base64"))
            })
            .transpose()
    }
}
