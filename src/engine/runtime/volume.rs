//! Volumes: storage that lives outside every container's writable layer, so it
//! outlives `docker stop` and `docker rm` until `docker volume rm` / `prune`. Named
//! volumes come from `-v name:/path`; anonymous ones (64-hex names) from the image's
//! `VOLUME` paths, as moby creates them at container creation.

use crate::engine::digest::Digest;
use crate::engine::fs::{Fs, Metadata};
use std::collections::BTreeMap;

/// One volume: its files (rooted at `/`) and when it was made.
#[derive(Debug, Clone)]
pub struct Volume {
    pub name: String,
    pub created: i64,
    pub anonymous: bool,
    pub fs: Fs,
    /// Labels given with `docker volume create --label`.
    pub labels: BTreeMap<String, String>,
}

impl Volume {
    pub fn new(name: &str, created: i64, anonymous: bool) -> Volume {
        Volume {
            name: name.to_string(),
            created,
            anonymous,
            fs: Fs::with_root(Metadata::new(0o755, 0, 0, created)),
            labels: BTreeMap::new(),
        }
    }

    /// Where the volume would live on a Docker host.
    pub fn mountpoint(&self) -> String {
        format!("/var/lib/docker/volumes/{}/_data", self.name)
    }

    pub fn size(&self) -> u64 {
        self.fs.total_size()
    }

    pub fn is_empty(&self) -> bool {
        self.fs.list_dir("/").map(|e| e.is_empty()).unwrap_or(true)
    }
}

/// The volume errors, with the daemon's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VolumeError {
    #[error("get {0}: no such volume")]
    NoSuchVolume(String),
    #[error("remove {name}: volume is in use - [{containers}]")]
    InUse { name: String, containers: String },
    #[error("create {0}: \"{0}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")]
    InvalidName(String),
}

/// moby's volume name rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// All volumes by name.
#[derive(Debug, Clone, Default)]
pub struct Volumes {
    by_name: BTreeMap<String, Volume>,
    anonymous_seq: u64,
}

impl Volumes {
    pub fn get(&self, name: &str) -> Option<&Volume> {
        self.by_name.get(name)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Volume> {
        self.by_name.get_mut(name)
    }

    pub fn list(&self) -> impl Iterator<Item = &Volume> {
        self.by_name.values()
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// `docker volume create NAME`: creating an existing volume is a no-op, as in moby.
    pub fn create(&mut self, name: &str, now: i64) -> Result<&Volume, VolumeError> {
        if !valid_name(name) {
            return Err(VolumeError::InvalidName(name.to_string()));
        }
        Ok(self
            .by_name
            .entry(name.to_string())
            .or_insert_with(|| Volume::new(name, now, false)))
    }

    /// A new anonymous volume (deterministic 64-hex name).
    pub fn create_anonymous(&mut self, now: i64) -> String {
        self.anonymous_seq += 1;
        let name = Digest::sha256(format!("volume {} {now}", self.anonymous_seq).as_bytes())
            .hex()
            .to_string();
        self.by_name
            .insert(name.clone(), Volume::new(&name, now, true));
        name
    }

    /// Removes a volume no container uses (`in_use`: container IDs using it).
    pub fn remove(&mut self, name: &str, in_use: &[String]) -> Result<Volume, VolumeError> {
        if !self.by_name.contains_key(name) {
            return Err(VolumeError::NoSuchVolume(name.to_string()));
        }
        if !in_use.is_empty() {
            return Err(VolumeError::InUse {
                name: name.to_string(),
                containers: in_use.join(" "),
            });
        }
        self.by_name
            .remove(name)
            .ok_or_else(|| VolumeError::NoSuchVolume(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_moby_rule() {
        assert!(valid_name("data"));
        assert!(valid_name("my-vol_1.x"));
        assert!(!valid_name("-x"));
        assert!(!valid_name("a"));
        assert!(!valid_name("a/b"));
    }

    #[test]
    fn in_use_volumes_stay() {
        let mut v = Volumes::default();
        v.create("data", 0).unwrap();
        assert!(v.remove("data", &["abc".into()]).is_err());
        assert!(v.remove("data", &[]).is_ok());
        assert_eq!(
            v.remove("data", &[]).unwrap_err().to_string(),
            "get data: no such volume"
        );
    }
}
