//! What each send and each delivery reads of the settings (provider accounts, a group's
//! mapping and templates, a template, a token's agent and whether the token is revoked),
//! kept in memory and read again when the settings change: every settings write (a
//! token's revocation too) bumps `config_version` in its transaction, and a process
//! compares its copy's version with the database's at most every [`RECHECK`] (at once
//! after a write of its own). So a change made anywhere is seen everywhere within that
//! time, and a send or a delivery costs no settings query meanwhile.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a process trusts its idea of the settings' version.
pub const RECHECK: Duration = Duration::from_millis(500);

/// Most values a memo keeps: past it, it starts again empty (a version change makes
/// every kept value useless anyway).
const MOST_KEPT: usize = 10_000;

/// Values by key, each kept with the settings version it was read at.
pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, (i64, V)>>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// The value for `key` read at `version`, if kept.
    pub fn get(&self, key: &K, version: i64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| *at == version)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` for `key`, read at `version`.
    pub fn put(&self, key: K, version: i64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MOST_KEPT {
            entries.clear();
        }
        entries.insert(key, (version, value));
    }
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

/// The last settings version read from the database, and when.
#[derive(Default)]
pub struct VersionCheck {
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// The version and when it was read.
    version: Option<(Instant, i64)>,
    /// How many times this process wrote the settings: a read that started before a
    /// write and ended after it may hold the version before it, and is not kept.
    writes: u64,
}

/// Where a read of the version started: see [`VersionCheck::saw`].
#[derive(Debug, Clone, Copy)]
pub struct ReadStart(u64);

impl VersionCheck {
    /// The version seen less than [`RECHECK`] ago; otherwise where a read starts.
    pub fn fresh(&self) -> Result<i64, ReadStart> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.version
            .filter(|(at, _)| at.elapsed() < RECHECK)
            .map(|(_, v)| v)
            .ok_or(ReadStart(seen.writes))
    }

    /// Notes the version a read started at `start` returned, unless this process
    /// wrote the settings meanwhile.
    pub fn saw(&self, start: ReadStart, version: i64) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.writes == start.0 {
            seen.version = Some((Instant::now(), version));
        }
    }

    /// Forgets it: the next read asks the database (after a write of this process).
    pub fn forget(&self) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.version = None;
        seen.writes += 1;
    }
}

/// The settings a delivery reads.
#[derive(Default)]
pub struct ConfigCache {
    /// The version check.
    pub version: VersionCheck,
    /// Every provider account (credentials opened).
    pub accounts: Memo<(), Vec<app::service::StoredProviderAccount>>,
    /// Each group's Notification Type tab.
    pub types: Memo<app::domain::GroupId, app::domain::NotificationTypes>,
    /// Templates by id (none: no such template).
    pub templates: Memo<app::domain::TemplateId, Option<app::domain::Template>>,
    /// A group's templates for a channel, as agents are offered them.
    pub offered: Memo<(app::domain::GroupId, app::domain::Channel), Vec<app::domain::Template>>,
    /// A token's agent and whether the token is revoked, by agent id and token id.
    pub access: Memo<(app::domain::UserId, Option<String>), app::service::AgentAccess>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_read_before_a_write_of_this_process_and_answered_after_it_is_not_kept() {
        let check = VersionCheck::default();
        let start = check.fresh().expect_err("nothing seen yet");
        check.forget();
        check.saw(start, 7);
        let again = check.fresh().expect_err("the old read was not kept");
        check.saw(again, 8);
        assert_eq!(check.fresh().ok(), Some(8));
    }
}
