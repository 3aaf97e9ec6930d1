//! Debian/Ubuntu-based images: `debian:bookworm(-slim)`, `ubuntu:24.04`, `node:22`,
//! `python:3.12-slim`, `nginx:latest`.
//!
//! The roots are usr-merged as bookworm's and noble's are (`/bin -> usr/bin`,
//! `/sbin -> usr/sbin`, `/lib -> usr/lib`, `/lib64 -> usr/lib64`), with their required
//! packages installed through the same dpkg simulation `apt-get` uses, so
//! `/var/lib/dpkg/status` and `dpkg -l` list what the real image lists. The package
//! lists (`/var/lib/apt/lists`) are empty, as in the real images: `apt-get install`
//! needs an `apt-get update` first.

use super::alpine::{node_finish, node_install};
use super::builder::{add_user, strings, ImageBuilder, BUILDKIT};
use super::BaseImage;
use crate::engine::pkg::{dpkg_install_base, run, PkgInvocation, Tree};

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
";

const GROUPS: &[(&str, u32)] = &[
    ("root", 0),
    ("daemon", 1),
    ("bin", 2),
    ("sys", 3),
    ("adm", 4),
    ("tty", 5),
    ("disk", 6),
    ("lp", 7),
    ("mail", 8),
    ("news", 9),
    ("uucp", 10),
    ("man", 12),
    ("proxy", 13),
    ("kmem", 15),
    ("dialout", 20),
    ("fax", 21),
    ("voice", 22),
    ("cdrom", 24),
    ("floppy", 25),
    ("tape", 26),
    ("sudo", 27),
    ("audio", 29),
    ("dip", 30),
    ("www-data", 33),
    ("backup", 34),
    ("operator", 37),
    ("list", 38),
    ("irc", 39),
    ("src", 40),
    ("shadow", 42),
    ("utmp", 43),
    ("video", 44),
    ("sasl", 45),
    ("plugdev", 46),
    ("staff", 50),
    ("games", 60),
    ("users", 100),
    ("nogroup", 65534),
];

/// The packages of `debian:bookworm-slim` (priority required + apt).
const BOOKWORM: &[&str] = &[
    "adduser",
    "apt",
    "base-files",
    "base-passwd",
    "bash",
    "bsdutils",
    "coreutils",
    "dash",
    "debconf",
    "debian-archive-keyring",
    "debianutils",
    "diffutils",
    "dpkg",
    "e2fsprogs",
    "findutils",
    "gcc-12-base",
    "gpgv",
    "grep",
    "gzip",
    "hostname",
    "init-system-helpers",
    "libc-bin",
    "libc6",
    "login",
    "logsave",
    "mawk",
    "mount",
    "ncurses-base",
    "ncurses-bin",
    "passwd",
    "perl-base",
    "sed",
    "sysvinit-utils",
    "tar",
    "tzdata",
    "usr-is-merged",
    "util-linux",
    "util-linux-extra",
    "zlib1g",
    "libpam-runtime",
    "libpam-modules-bin",
    "libsemanage2",
    "libss2",
    "libext2fs2",
];

struct Os {
    ubuntu: bool,
    created: i64,
}

fn os_release(ubuntu: bool) -> &'static str {
    if ubuntu {
        "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION=\"24.04.1 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\nPRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nUBUNTU_CODENAME=noble\nLOGO=ubuntu-logo\n"
    } else {
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n"
    }
}

fn rootfs(t: &mut Tree<'_>, os: &Os, docs: bool) {
    for d in [
        "/usr/bin",
        "/usr/sbin",
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/bin",
        "/usr/local/sbin",
        "/usr/local/lib",
        "/usr/local/share",
        "/usr/local/include",
        "/usr/local/src",
        "/usr/local/etc",
        "/usr/local/games",
        "/usr/share",
        "/usr/include",
        "/usr/src",
        "/usr/games",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/run",
        "/srv",
        "/sys",
        "/var/backups",
        "/var/cache/apt/archives",
        "/var/cache/debconf",
        "/var/lib/apt/lists",
        "/var/lib/dpkg/info",
        "/var/lib/dpkg/updates",
        "/var/lib/misc",
        "/var/local",
        "/var/log/apt",
        "/var/mail",
        "/var/opt",
        "/var/spool",
        "/etc/apt/apt.conf.d",
        "/etc/apt/sources.list.d",
        "/etc/apt/preferences.d",
        "/etc/apt/trusted.gpg.d",
        "/etc/dpkg/dpkg.cfg.d",
        "/etc/skel",
        "/etc/default",
    ] {
        t.dir(d, 0o755);
    }
    t.dir("/root", 0o700);
    t.dir("/tmp", 0o1777);
    t.dir("/var/tmp", 0o1777);
    t.dir("/run/lock", 0o1777);
    t.dir("/var/cache/apt/archives/partial", 0o700);
    let _ = t.fs.chown("/var/cache/apt/archives/partial", 42, 0);
    t.link("/bin", "usr/bin");
    t.link("/sbin", "usr/sbin");
    t.link("/lib", "usr/lib");
    t.link("/lib64", "usr/lib64");
    t.link("/var/run", "/run");
    t.link("/var/lock", "/run/lock");
    let mut passwd = PASSWD.to_string();
    let mut group: String = GROUPS
        .iter()
        .map(|(n, g)| format!("{n}:x:{g}:\n"))
        .collect();
    if os.ubuntu {
        passwd.push_str("ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n");
        group.push_str("ubuntu:x:1000:\n");
        t.dir("/home/ubuntu", 0o750);
        let _ = t.fs.chown("/home/ubuntu", 1000, 1000);
    }
    let shadow: String = passwd
        .lines()
        .map(|l| {
            format!(
                "{}:*:19993:0:99999:7:::\n",
                l.split(':').next().unwrap_or("")
            )
        })
        .collect();
    let gshadow: String = group
        .lines()
        .map(|l| format!("{}:*::\n", l.split(':').next().unwrap_or("")))
        .collect();
    t.text("/etc/passwd", &passwd, 0o644);
    t.text("/etc/group", &group, 0o644);
    t.text("/etc/shadow", &shadow, 0o640);
    t.text("/etc/gshadow", &gshadow, 0o640);
    let _ = t.fs.chown("/etc/shadow", 0, 42);
    let _ = t.fs.chown("/etc/gshadow", 0, 42);
    t.text("/etc/hostname", "", 0o644);
    t.text(
        "/etc/hosts",
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        0o644,
    );
    t.text("/etc/resolv.conf", "", 0o644);
    dpkg_install_base(t, BOOKWORM, docs);
    // base-files' real texts, over the catalog's placeholders.
    t.text("/usr/lib/os-release", os_release(os.ubuntu), 0o644);
    t.text(
        "/etc/debian_version",
        if os.ubuntu { "trixie/sid\n" } else { "12.7\n" },
        0o644,
    );
    t.text("/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/rbash\n/usr/bin/rbash\n/bin/dash\n/usr/bin/dash\n", 0o644);
    t.text("/root/.bashrc", "# ~/.bashrc: executed by bash(1) for non-login shells.\n\n# Note: PS1 and umask are already set in /etc/profile. You should not\n# need this unless you want different defaults for root.\n# PS1='${debian_chroot:+($debian_chroot)}\\h:\\w\\$ '\n# umask 022\n", 0o644);
    t.text("/root/.profile", "# ~/.profile: executed by Bourne-compatible login shells.\n\nif [ \"$BASH\" ]; then\n  if [ -f ~/.bashrc ]; then\n    . ~/.bashrc\n  fi\nfi\n\nmesg n 2> /dev/null || true\n", 0o644);
    if os.ubuntu {
        t.text("/etc/apt/sources.list.d/ubuntu.sources", "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates noble-backports\nComponents: main universe restricted multiverse\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\nTypes: deb\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\nComponents: main universe restricted multiverse\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n", 0o644);
    } else {
        t.text("/etc/apt/sources.list.d/debian.sources", "Types: deb\n# http://snapshot.debian.org/archive/debian/20241016T000000Z\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\n# http://snapshot.debian.org/archive/debian-security/20241016T000000Z\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n", 0o644);
    }
    // The docker images' apt settings (debuerreotype): no translations, compressed
    // indexes, no suggests kept by autoremove.
    t.text(
        "/etc/apt/apt.conf.d/docker-autoremove-suggests",
        "Apt::AutoRemove::SuggestsImportant \"false\";\n",
        0o644,
    );
    t.text(
        "/etc/apt/apt.conf.d/docker-gzip-indexes",
        "Acquire::GzipIndexes \"true\";\n",
        0o644,
    );
    t.text(
        "/etc/apt/apt.conf.d/docker-no-languages",
        "Acquire::Languages \"none\";\n",
        0o644,
    );
    if !docs {
        t.text("/etc/dpkg/dpkg.cfg.d/docker", "# This is the \"slim\" variant of the Debian base image.\npath-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/locale/*\n", 0o644);
    }
    t.text("/var/lib/dpkg/available", "", 0o644);
    t.text("/var/lib/apt/extended_states", "", 0o644);
    let _ = os.created;
}

/// `debian:bookworm-slim` / `debian:bookworm`.
pub(crate) fn debian(tag: &str, slim: bool) -> BaseImage {
    let created = 1_729_124_447;
    let os = Os {
        ubuntu: false,
        created,
    };
    let mut b = ImageBuilder::new(created);
    b.layer(
        created,
        "# debian.sh --arch 'amd64' out/ 'bookworm' '@1729036800'",
        Some("debuerreotype 0.15"),
        &mut |t| {
            rootfs(t, &os, !slim);
            if !slim {
                // The full image also has man pages, locales and a few more packages.
                dpkg_install_base(t, &["netbase", "libssl3", "procps", "less"], true);
                t.blob(
                    "/usr/share/man/.packed-man-pages",
                    2_400_000,
                    0o644,
                    "debian-man",
                );
            }
        },
    );
    b.meta(created, "CMD [\"bash\"]", Some("debuerreotype 0.15"));
    b.env = strings(&["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    b.cmd = Some(strings(&["bash"]));
    b.finish(&format!("docker.io/library/debian:{tag}"), created)
}

/// `ubuntu:24.04`.
pub(crate) fn ubuntu(tag: &str) -> BaseImage {
    let created = 1_728_634_800;
    let os = Os {
        ubuntu: true,
        created,
    };
    let mut b = ImageBuilder::new(created);
    b.meta(created, "/bin/sh -c #(nop)  ARG RELEASE", None);
    b.meta(created, "/bin/sh -c #(nop)  ARG LAUNCHPAD_BUILD_ARCH", None);
    b.meta(
        created,
        "/bin/sh -c #(nop)  LABEL org.opencontainers.image.ref.name=ubuntu",
        None,
    );
    b.meta(
        created,
        "/bin/sh -c #(nop)  LABEL org.opencontainers.image.version=24.04",
        None,
    );
    b.layer(created, "/bin/sh -c #(nop) ADD file:3f6df23a1e0a4d9c5b6a9ab32e3a6f7b5b15a8e4a2c3d7e8f9a0b1c2d3e4f5a6 in / ", None, &mut |t| {
        rootfs(t, &os, false);
        t.blob("/usr/lib/x86_64-linux-gnu/.ubuntu-extras", 2_900_000, 0o644, "ubuntu-noble");
    });
    b.meta(created, "/bin/sh -c #(nop)  CMD [\"/bin/bash\"]", None);
    b.env = strings(&["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    b.cmd = Some(strings(&["/bin/bash"]));
    b.labels = vec![
        ("org.opencontainers.image.ref.name".into(), "ubuntu".into()),
        ("org.opencontainers.image.version".into(), "24.04".into()),
    ];
    b.finish(&format!("docker.io/library/ubuntu:{tag}"), created)
}

/// Runs `apt-get` during image construction (its output is discarded, as in a build).
fn apt(t: &mut Tree<'_>, args: &[&str]) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env = [(
        "PATH".to_string(),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
    )];
    let inv = PkgInvocation {
        program: "apt-get",
        args: &args,
        env: &env,
        cwd: "/",
        uid: 0,
        gid: 0,
        mtime: t.mtime,
    };
    let _ = run(t.fs, &inv);
}

/// The usual `apt-get update && apt-get install -y ... && rm -rf /var/lib/apt/lists/*`.
fn apt_install(t: &mut Tree<'_>, pkgs: &[&str]) {
    apt(t, &["update"]);
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(pkgs);
    apt(t, &args);
    apt(t, &["clean"]);
    t.empty_dir("/var/lib/apt/lists");
}

/// `node:22` (bookworm, on buildpack-deps).
pub(crate) fn node(tag: &str, node_version: &str) -> BaseImage {
    let created = 1_730_176_800;
    let mut b = ImageBuilder::from(debian("bookworm", false));
    b.layer(created, "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates \t\tcurl \t\tgnupg \t\tnetbase \t\tsq \t\twget \t; \trm -rf /var/lib/apt/lists/* # buildkit", Some(BUILDKIT), &mut |t| {
        apt_install(t, &["ca-certificates", "curl", "gnupg", "netbase", "wget"]);
    });
    b.layer(created, "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tgit \t\tmercurial \t\topenssh-client \t\tsubversion \t\t\t\tprocps \t; \trm -rf /var/lib/apt/lists/* # buildkit", Some(BUILDKIT), &mut |t| {
        apt_install(t, &["git", "openssh-client", "procps"]);
        t.blob("/usr/lib/python3/dist-packages/mercurial/.packed", 24_000_000, 0o644, "hg-6.3.2");
        t.blob("/usr/bin/svn", 2_400_000, 0o755, "svn-1.14.2");
    });
    b.layer(created, "RUN /bin/sh -c set -ex; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tautoconf \t\tautomake \t\tbzip2 \t\tdefault-libmysqlclient-dev \t\tdpkg-dev \t\tfile \t\tg++ \t\tgcc \t\timagemagick \t\tlibbz2-dev \t\tlibc6-dev \t\tlibcurl4-openssl-dev \t\tlibffi-dev \t\tlibpq-dev \t\tlibssl-dev \t\tmake \t\tpatch \t\tunzip \t\txz-utils \t\tzlib1g-dev \t; \trm -rf /var/lib/apt/lists/* # buildkit", Some(BUILDKIT), &mut |t| {
        apt_install(t, &["build-essential", "bzip2", "file", "libffi-dev", "libpq-dev", "libssl-dev", "unzip", "xz-utils", "zlib1g-dev", "patch"]);
        t.blob("/usr/lib/x86_64-linux-gnu/libMagickCore-6.Q16.so.6.0.0", 7_300_000, 0o644, "imagemagick");
        t.blob("/usr/include/.packed-dev-headers", 160_000_000, 0o644, "buildpack-deps");
        t.blob("/usr/lib/x86_64-linux-gnu/.packed-dev-libs", 180_000_000, 0o644, "buildpack-deps");
    });
    b.layer(created, "RUN /bin/sh -c groupadd --gid 1000 node   && useradd --uid 1000 --gid node --shell /bin/bash --create-home node # buildkit", Some(BUILDKIT), &mut |t| {
        add_user(t, "node", 1000, "/home/node", "/bin/bash", "");
    });
    b.env(created, "NODE_VERSION", node_version);
    b.layer(created, "RUN /bin/sh -c ARCH= && dpkgArch=\"$(dpkg --print-architecture)\"   && curl -fsSLO --compressed \"https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz\"   && tar -xJf \"node-v$NODE_VERSION-linux-$ARCH.tar.xz\" -C /usr/local --strip-components=1 --no-same-owner   && ln -s /usr/local/bin/node /usr/local/bin/nodejs   && node --version   && npm --version # buildkit", Some(BUILDKIT), &mut |t| {
        node_install(t, node_version, 117_400_000);
    });
    node_finish(b, created, tag, "RUN /bin/sh -c set -ex   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/yarn-v$YARN_VERSION.tar.gz\"   && mkdir -p /opt   && tar -xzf yarn-v$YARN_VERSION.tar.gz -C /opt/   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg /usr/local/bin/yarnpkg   && rm yarn-v$YARN_VERSION.tar.gz   && yarn --version # buildkit")
}

/// `python:3.12-slim` (docker-library/python's slim-bookworm Dockerfile).
pub(crate) fn python(tag: &str) -> BaseImage {
    let created = 1_729_134_720;
    let version = "3.12.7";
    let mut b = ImageBuilder::from(debian("bookworm-slim", true));
    b.env(
        created,
        "PATH",
        "/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    );
    b.env(created, "LANG", "C.UTF-8");
    b.layer(created, "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates \t\tnetbase \t\ttzdata \t; \trm -rf /var/lib/apt/lists/* # buildkit", Some(BUILDKIT), &mut |t| {
        apt_install(t, &["ca-certificates", "netbase", "tzdata"]);
    });
    b.env(
        created,
        "GPG_KEY",
        "7169605F62C751356D054A26A821E680E5FA6305",
    );
    b.env(created, "PYTHON_VERSION", version);
    b.env(
        created,
        "PYTHON_SHA256",
        "24887b92e2afd4a2ac602419ad4b596372f67ac9b077190f459aba390faf5550",
    );
    b.layer(created, "RUN /bin/sh -c set -eux; \t\tsavedAptMark=\"$(apt-mark showmanual)\"; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tdpkg-dev \t\tgcc \t\tgnupg \t\tlibbluetooth-dev \t\tlibbz2-dev \t\tlibc6-dev \t\tlibdb-dev \t\tlibffi-dev \t\tlibgdbm-dev \t\tliblzma-dev \t\tlibncursesw5-dev \t\tlibreadline-dev \t\tlibsqlite3-dev \t\tlibssl-dev \t\tmake \t\ttk-dev \t\tuuid-dev \t\twget \t\txz-utils \t\tzlib1g-dev \t; \t\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz\"; \t./configure --enable-optimizations --enable-shared --with-lto; \tmake -j \"$nproc\"; \tmake install; \tapt-mark auto '.*' > /dev/null; \tapt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \trm -rf /var/lib/apt/lists/*; \t\tpython3 --version; \tpip3 --version # buildkit", Some(BUILDKIT), &mut |t| {
        apt_install(t, &["libbz2-1.0", "libffi8", "libncursesw6", "libreadline8", "libsqlite3-0", "libssl3", "libexpat1", "liblzma5", "libuuid1"]);
        let salt = format!("python-{version}");
        t.blob("/usr/local/bin/python3.12", 16_000, 0o755, &salt);
        t.link("/usr/local/bin/python3", "python3.12");
        t.text("/usr/local/bin/python3.12-config", "#!/bin/sh\n# python3.12-config\n", 0o755);
        t.link("/usr/local/bin/python3-config", "python3.12-config");
        t.text("/usr/local/bin/pydoc3.12", "#!/usr/local/bin/python3.12\nimport pydoc\nif __name__ == '__main__':\n    pydoc.cli()\n", 0o755);
        t.link("/usr/local/bin/pydoc3", "pydoc3.12");
        t.text("/usr/local/bin/idle3.12", "#!/usr/local/bin/python3.12\nfrom idlelib.pyshell import main\nif __name__ == '__main__':\n    main()\n", 0o755);
        t.link("/usr/local/bin/idle3", "idle3.12");
        t.blob("/usr/local/lib/libpython3.12.so.1.0", 24_100_000, 0o755, &salt);
        t.link("/usr/local/lib/libpython3.12.so", "libpython3.12.so.1.0");
        t.blob("/usr/local/lib/libpython3.so", 15_000, 0o755, &salt);
        for (f, size) in [("os.py", 41_000), ("json/__init__.py", 14_000), ("asyncio/__init__.py", 1_200), ("http/server.py", 48_000), ("lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so", 900_000), ("lib-dynload/_sqlite3.cpython-312-x86_64-linux-gnu.so", 400_000), (".packed-stdlib", 17_000_000)] {
            t.blob(&format!("/usr/local/lib/python3.12/{f}"), size, 0o644, &salt);
        }
        let pip_script = "#!/usr/local/bin/python3.12\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom pip._internal.cli.main import main\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n";
        for p in ["pip", "pip3", "pip3.12"] {
            t.text(&format!("/usr/local/bin/{p}"), pip_script, 0o755);
        }
        t.blob("/usr/local/lib/python3.12/site-packages/pip/__init__.py", 357, 0o644, "pip-24.2");
        t.blob("/usr/local/lib/python3.12/site-packages/pip/.packed", 11_400_000, 0o644, "pip-24.2");
        t.text("/usr/local/lib/python3.12/site-packages/pip-24.2.dist-info/METADATA", "Metadata-Version: 2.1\nName: pip\nVersion: 24.2\n", 0o644);
        t.text("/usr/local/lib/python3.12/site-packages/README.txt", "This directory exists so that 3rd party packages can be installed\nhere.  Read the source for site.py for more details.\n", 0o644);
    });
    b.layer(created, "RUN /bin/sh -c set -eux; \tfor src in idle3 pydoc3 python3 python3-config; do \t\tdst=\"$(echo \"$src\" | tr -d 3)\"; \t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e \"/usr/local/bin/$dst\" ]; \t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \tdone # buildkit", Some(BUILDKIT), &mut |t| {
        for (src, dst) in [("idle3", "idle"), ("pydoc3", "pydoc"), ("python3", "python"), ("python3-config", "python-config")] {
            t.link(&format!("/usr/local/bin/{dst}"), src);
        }
    });
    b.meta(created, "CMD [\"python3\"]", Some(BUILDKIT));
    b.cmd = Some(strings(&["python3"]));
    b.finish(&format!("docker.io/library/python:{tag}"), created)
}
