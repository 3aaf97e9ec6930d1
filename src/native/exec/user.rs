//! `USER` as runc needs it: numeric uid, gid and supplementary groups, resolved through
//! the rootfs's own `/etc/passwd` and `/etc/group` (moby `pkg/idtools` / runc
//! `libcontainer/user`), not the host's.

use crate::engine::fs::Fs;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("unable to find user {0}: no matching entries in passwd file")]
    NoUser(String),
    #[error("unable to find group {0}: no matching entries in group file")]
    NoGroup(String),
}

fn read(fs: &Fs, path: &str) -> String {
    fs.read_file(path)
        .map(|c| String::from_utf8_lossy(&c.to_vec()).to_string())
        .unwrap_or_default()
}

/// Resolves `user[:group]` (names or numbers). An empty user is uid 0 looked up by
/// number, as runc's `GetExecUser` does (`userArg = strconv.Itoa(defaults.Uid)`), so a
/// `FROM scratch` image with no `/etc/passwd` runs as 0:0; only a *named* user needs
/// the passwd file.
pub fn resolve(fs: &Fs, spec: &str) -> Result<ExecUser, UserError> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let user = if user.is_empty() { "0" } else { user };
    let passwd = read(fs, "/etc/passwd");
    let groups = read(fs, "/etc/group");
    let entry = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 4 && (f[0] == user || (user.parse::<u32>().is_ok() && f[2] == user)));
    let (uid, mut gid, name) = match (&entry, user.parse::<u32>()) {
        (Some(f), _) => (
            f[2].parse().unwrap_or(0),
            f[3].parse().unwrap_or(0),
            f[0].to_string(),
        ),
        // A numeric uid not in passwd runs with gid 0, as runc does.
        (None, Ok(n)) => (n, 0, String::new()),
        (None, Err(_)) => return Err(UserError::NoUser(user.to_string())),
    };
    let group_lines: Vec<Vec<&str>> = groups.lines().map(|l| l.split(':').collect()).collect();
    if let Some(g) = group.filter(|g| !g.is_empty()) {
        gid = match group_lines.iter().find(|f| f.len() >= 3 && f[0] == g) {
            Some(f) => f[2].parse().unwrap_or(0),
            None => g.parse().map_err(|_| UserError::NoGroup(g.to_string()))?,
        };
    }
    let mut additional_gids = Vec::new();
    if group.is_none() && !name.is_empty() {
        for f in &group_lines {
            if f.len() >= 4 && f[3].split(',').any(|m| m == name) {
                if let Ok(g) = f[2].parse::<u32>() {
                    if g != gid && !additional_gids.contains(&g) {
                        additional_gids.push(g);
                    }
                }
            }
        }
    }
    Ok(ExecUser {
        uid,
        gid,
        additional_gids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fs::Metadata;

    #[test]
    fn resolves_through_the_rootfs_files() {
        let mut fs = Fs::new();
        let m = Metadata::new(0o644, 0, 0, 0);
        fs.mkdir("/etc", Metadata::new(0o755, 0, 0, 0)).unwrap();
        fs.write_file(
            "/etc/passwd",
            b"root:x:0:0::/root:/bin/sh\nappuser:x:1000:1000::/home/a:/bin/sh\n".to_vec(),
            m,
        )
        .unwrap();
        fs.write_file(
            "/etc/group",
            b"root:x:0:\nappuser:x:1000:\nwww:x:33:appuser\n".to_vec(),
            m,
        )
        .unwrap();
        let u = |s| resolve(&fs, s);
        assert_eq!(
            u("").unwrap(),
            ExecUser {
                uid: 0,
                gid: 0,
                additional_gids: vec![]
            }
        );
        assert_eq!(
            u("appuser").unwrap(),
            ExecUser {
                uid: 1000,
                gid: 1000,
                additional_gids: vec![33]
            }
        );
        assert_eq!(
            u("1000:www").unwrap(),
            ExecUser {
                uid: 1000,
                gid: 33,
                additional_gids: vec![]
            }
        );
        assert_eq!(u("4242").unwrap().gid, 0);
        let scratch = Fs::new();
        assert_eq!(
            resolve(&scratch, "").unwrap(),
            ExecUser {
                uid: 0,
                gid: 0,
                additional_gids: vec![]
            },
            "no /etc/passwd: an unset USER is still root"
        );
        assert_eq!(
            resolve(&scratch, "root").unwrap_err().to_string(),
            "unable to find user root: no matching entries in passwd file"
        );
        assert_eq!(
            u("nobody").unwrap_err().to_string(),
            "unable to find user nobody: no matching entries in passwd file"
        );
    }
}
