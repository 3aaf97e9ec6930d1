//! Resolving `USER` and `--chown` values through the image's `/etc/passwd` and
//! `/etc/group`, as BuildKit does for `COPY --chown` (errors in its wording).

use crate::engine::fs::Fs;

/// A resolved `uid:gid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

fn read(fs: &Fs, path: &str) -> String {
    fs.read_file(path)
        .ok()
        .and_then(|c| String::from_utf8(c.read_range(0, 1 << 20)).ok())
        .unwrap_or_default()
}

/// `(name, uid, gid)` of each `/etc/passwd` entry.
pub fn passwd(fs: &Fs) -> Vec<(String, u32, u32)> {
    read(fs, "/etc/passwd")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some((
                f.first()?.to_string(),
                f.get(2)?.parse().ok()?,
                f.get(3)?.parse().ok()?,
            ))
        })
        .collect()
}

/// `(name, gid)` of each `/etc/group` entry.
pub fn groups(fs: &Fs) -> Vec<(String, u32)> {
    read(fs, "/etc/group")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some((f.first()?.to_string(), f.get(2)?.parse().ok()?))
        })
        .collect()
}

/// The user name for a uid, for `ls -l`-style displays.
pub fn user_name(fs: &Fs, uid: u32) -> Option<String> {
    passwd(fs).into_iter().find(|p| p.1 == uid).map(|p| p.0)
}

/// Resolves `user[:group]` (names or numbers). A user given alone takes its primary
/// group from `/etc/passwd` (or the same number when numeric and unknown).
pub fn resolve(fs: &Fs, spec: &str) -> Result<Owner, String> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let users = passwd(fs);
    let (uid, primary_gid) = match user.parse::<u32>() {
        Ok(n) => (n, users.iter().find(|u| u.1 == n).map_or(n, |u| u.2)),
        Err(_) => match users.iter().find(|u| u.0 == user) {
            Some(u) => (u.1, u.2),
            None => {
                return Err(format!(
                    "unable to convert uid/gid chown string to host mapping: can't find uid for user {user}: no such user: {user}"
                ))
            }
        },
    };
    let gid = match group {
        None => primary_gid,
        Some(g) => match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => match groups(fs).into_iter().find(|x| x.0 == g) {
                Some(x) => x.1,
                None => {
                    return Err(format!(
                        "unable to convert uid/gid chown string to host mapping: can't find gid for group {g}: no such group: {g}"
                    ))
                }
            },
        },
    };
    Ok(Owner { uid, gid })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fs::Metadata;

    fn root() -> Fs {
        let mut fs = Fs::new();
        let m = Metadata::new(0o644, 0, 0, 0);
        fs.mkdir_all("/etc", Metadata::new(0o755, 0, 0, 0)).unwrap();
        fs.write_file(
            "/etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n".to_vec(),
            m,
        )
        .unwrap();
        fs.write_file(
            "/etc/group",
            b"root:x:0:\nnode:x:1000:\nstaff:x:50:\n".to_vec(),
            m,
        )
        .unwrap();
        fs
    }

    #[test]
    fn resolves_names_and_numbers() {
        let fs = root();
        assert_eq!(
            resolve(&fs, "node").unwrap(),
            Owner {
                uid: 1000,
                gid: 1000
            }
        );
        assert_eq!(
            resolve(&fs, "node:staff").unwrap(),
            Owner { uid: 1000, gid: 50 }
        );
        assert_eq!(
            resolve(&fs, "123:456").unwrap(),
            Owner { uid: 123, gid: 456 }
        );
        assert!(resolve(&fs, "nobody")
            .unwrap_err()
            .contains("no such user: nobody"));
    }
}
