//! Alpine-based images: `alpine`, `node:*-alpine`, `golang:*-alpine`, `nginx:alpine`.
//!
//! The Alpine root is the minirootfs: alpine-baselayout's directories, busybox with its
//! applet symlinks (the list Alpine's busybox installs), and the 15 packages of the
//! minirootfs recorded in `/lib/apk/db/installed`, about 7.8 MB in one layer.

use super::builder::{add_user, strings, ImageBuilder, BUILDKIT};
use super::BaseImage;
use crate::engine::pkg::{apk_install_base, Tree};

const APPLETS: &str = include_str!("alpine-busybox-applets.txt");

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
";

const GROUP: &str = "root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
";

/// The packages of Alpine's minirootfs.
const MINIROOTFS: &[&str] = &[
    "musl",
    "busybox",
    "busybox-binsh",
    "alpine-baselayout-data",
    "alpine-baselayout",
    "alpine-keys",
    "ca-certificates-bundle",
    "libcrypto3",
    "libssl3",
    "zlib",
    "apk-tools",
    "scanelf",
    "musl-utils",
    "libc-utils",
    "ssl_client",
];

/// `(branch, full version, creation time)` of the Alpine releases offered.
fn release(branch: &str) -> (&'static str, &'static str, i64) {
    match branch {
        "3.19" => ("3.19", "3.19.4", 1_725_661_199),
        _ => ("3.20", "3.20.3", 1_725_661_207),
    }
}

fn rootfs(t: &mut Tree<'_>, branch: &str, version: &str) {
    for d in [
        "/bin",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/media/cdrom",
        "/media/floppy",
        "/media/usb",
        "/mnt",
        "/opt",
        "/proc",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/usr/bin",
        "/usr/lib",
        "/usr/local/bin",
        "/usr/local/lib",
        "/usr/local/share",
        "/usr/sbin",
        "/usr/share",
        "/var/cache",
        "/var/empty",
        "/var/lib",
        "/var/local",
        "/var/log",
        "/var/mail",
        "/var/opt",
        "/var/spool/cron/crontabs",
        "/etc/apk/keys",
        "/etc/apk/protected_paths.d",
        "/etc/profile.d",
        "/etc/ssl/certs",
        "/lib/apk/db",
        "/etc/crontabs",
        "/etc/periodic/daily",
        "/etc/modprobe.d",
        "/etc/network",
        "/etc/opt",
        "/etc/sysctl.d",
        "/etc/logrotate.d",
    ] {
        t.dir(d, 0o755);
    }
    t.dir("/root", 0o700);
    t.dir("/tmp", 0o1777);
    t.dir("/var/tmp", 0o1777);
    t.link("/var/run", "../run");
    t.link("/var/lock", "../run/lock");
    t.link("/var/spool/mail", "../mail");
    t.text("/etc/passwd", PASSWD, 0o644);
    t.text("/etc/group", GROUP, 0o644);
    let shadow: String = PASSWD
        .lines()
        .map(|l| format!("{}:*::0:::::\n", l.split(':').next().unwrap_or("")))
        .collect::<String>();
    t.text("/etc/shadow", &shadow, 0o640);
    let _ = t.fs.chown("/etc/shadow", 0, 42);
    t.text("/etc/hostname", "localhost\n", 0o644);
    t.text(
        "/etc/hosts",
        "127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n",
        0o644,
    );
    t.text("/etc/alpine-release", &format!("{version}\n"), 0o644);
    t.text(
        "/etc/os-release",
        &format!("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID={version}\nPRETTY_NAME=\"Alpine Linux v{branch}\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"),
        0o644,
    );
    t.text(
        "/etc/apk/repositories",
        &format!("https://dl-cdn.alpinelinux.org/alpine/v{branch}/main\nhttps://dl-cdn.alpinelinux.org/alpine/v{branch}/community\n"),
        0o644,
    );
    t.text("/etc/apk/arch", "x86_64\n", 0o644);
    t.text(
        "/etc/shells",
        "# valid login shells\n/bin/sh\n/bin/ash\n",
        0o644,
    );
    t.text("/etc/profile", "export PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\nexport PAGER=less\numask 022\nfor script in /etc/profile.d/*.sh ; do\n\tif [ -r \"$script\" ] ; then\n\t\t. \"$script\"\n\tfi\ndone\nunset script\n", 0o644);
    t.text("/etc/motd", "Welcome to Alpine!\n\nThe Alpine Wiki contains a large amount of how-to guides and general\ninformation about administrating Alpine systems.\nSee <https://wiki.alpinelinux.org/>.\n\nYou can setup the system with the command: setup-alpine\n\nYou may change this message by editing /etc/motd.\n\n", 0o644);
    t.text(
        "/etc/issue",
        &format!("Welcome to Alpine Linux {branch}\nKernel \\r on an \\m (\\l)\n\n"),
        0o644,
    );
    t.text("/etc/fstab", "/dev/cdrom\t/media/cdrom\tiso9660\tnoauto,ro 0 0\n/dev/usbdisk\t/media/usb\tvfat\tnoauto,ro 0 0\n", 0o644);
    t.text("/etc/nsswitch.conf", "hosts: files dns\n", 0o644);
    apk_install_base(
        t,
        MINIROOTFS,
        &[
            "alpine-baselayout",
            "alpine-keys",
            "apk-tools",
            "busybox",
            "libc-utils",
        ],
    );
    for line in APPLETS.lines() {
        for a in line.split_whitespace() {
            t.link(a, "/bin/busybox");
        }
    }
}

/// `alpine:<branch>`.
pub(crate) fn alpine(tag: &str, branch: &str) -> BaseImage {
    let (branch, version, created) = release(branch);
    let mut b = ImageBuilder::new(created);
    b.layer(
        created,
        &format!("ADD alpine-minirootfs-{version}-x86_64.tar.gz / # buildkit"),
        Some(BUILDKIT),
        &mut |t| rootfs(t, branch, version),
    );
    b.meta(created, "CMD [\"/bin/sh\"]", Some(BUILDKIT));
    b.env = strings(&["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    b.cmd = Some(strings(&["/bin/sh"]));
    b.finish(&format!("docker.io/library/alpine:{tag}"), created)
}

/// The official node image's entrypoint script (docker-library/node).
const NODE_ENTRYPOINT: &str = r#"#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command. The last
# part inside the "{}" is a workaround for the following bug in ash/dash:
# https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=874264
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
"#;

/// The files of an official Node.js build under `/usr/local` (binary, headers, npm,
/// corepack, the `nodejs` link), sized like the real ones.
pub(crate) fn node_install(t: &mut Tree<'_>, node_version: &str, binary: u64) {
    let salt = format!("node-{node_version}");
    t.blob("/usr/local/bin/node", binary, 0o755, &salt);
    t.blob("/usr/local/include/node/v8.h", 420_000, 0o644, &salt);
    t.blob("/usr/local/include/node/node.h", 62_000, 0o644, &salt);
    t.blob(
        "/usr/local/include/node/openssl/ssl.h",
        5_600_000,
        0o644,
        &salt,
    );
    t.text(
        "/usr/local/share/doc/node/gdbinit",
        "# node gdb helpers\n",
        0o644,
    );
    t.blob("/usr/local/share/man/man1/node.1", 28_000, 0o644, &salt);
    let npm = "/usr/local/lib/node_modules/npm";
    t.text(
        &format!("{npm}/package.json"),
        "{\n  \"name\": \"npm\",\n  \"version\": \"10.9.0\",\n  \"description\": \"a package manager for JavaScript\",\n  \"bin\": {\n    \"npm\": \"bin/npm-cli.js\",\n    \"npx\": \"bin/npx-cli.js\"\n  },\n  \"main\": \"./index.js\",\n  \"license\": \"Artistic-2.0\"\n}\n",
        0o644,
    );
    t.text(
        &format!("{npm}/bin/npm-cli.js"),
        "#!/usr/bin/env node\nrequire('../lib/cli.js')(process)\n",
        0o755,
    );
    t.text(&format!("{npm}/bin/npx-cli.js"), "#!/usr/bin/env node\n\nconst cli = require('../lib/cli.js')\n\nprocess.argv[1] = require.resolve('./npm-cli.js')\nprocess.argv.splice(2, 0, 'exec')\n\ncli(process)\n", 0o755);
    t.text(&format!("{npm}/index.js"), "if (require.main === module) {\n  require('./lib/cli.js')(process)\n} else {\n  throw new Error('The programmatic API was removed in npm v8.0.0')\n}\n", 0o644);
    t.blob(&format!("{npm}/lib/npm.js"), 14_600, 0o644, &salt);
    t.blob(&format!("{npm}/lib/cli.js"), 2_400, 0o644, &salt);
    t.blob(
        &format!("{npm}/node_modules/@npmcli/arborist/lib/arborist/reify.js"),
        56_000,
        0o644,
        &salt,
    );
    t.blob(
        &format!("{npm}/node_modules/pacote/lib/fetcher.js"),
        17_000,
        0o644,
        &salt,
    );
    t.blob(
        &format!("{npm}/node_modules/.bundled.tgz"),
        8_900_000,
        0o644,
        &salt,
    );
    t.blob(
        &format!("{npm}/docs/content/commands/npm-ci.md"),
        9_800,
        0o644,
        &salt,
    );
    let corepack = "/usr/local/lib/node_modules/corepack";
    t.text(
        &format!("{corepack}/package.json"),
        "{\n  \"name\": \"corepack\",\n  \"version\": \"0.29.4\"\n}\n",
        0o644,
    );
    t.blob(
        &format!("{corepack}/dist/lib/corepack.cjs"),
        1_600_000,
        0o644,
        &salt,
    );
    t.text(
        &format!("{corepack}/dist/corepack.js"),
        "#!/usr/bin/env node\nrequire('./lib/corepack.cjs').runMain(process.argv.slice(2));\n",
        0o755,
    );
    t.link(
        "/usr/local/bin/npm",
        "../lib/node_modules/npm/bin/npm-cli.js",
    );
    t.link(
        "/usr/local/bin/npx",
        "../lib/node_modules/npm/bin/npx-cli.js",
    );
    t.link(
        "/usr/local/bin/corepack",
        "../lib/node_modules/corepack/dist/corepack.js",
    );
    t.link("/usr/local/bin/nodejs", "/usr/local/bin/node");
}

/// docker-library/node's last steps, the same in its Alpine and Debian Dockerfiles:
/// `ENV YARN_VERSION`, the yarn layer (`yarn_run` is that Dockerfile's `RUN` line), the
/// entrypoint script, then `ENTRYPOINT` and `CMD` as empty-layer history rows.
pub(crate) fn node_finish(
    mut b: ImageBuilder,
    created: i64,
    tag: &str,
    yarn_run: &str,
) -> BaseImage {
    let yarn = "1.22.22";
    b.env(created, "YARN_VERSION", yarn);
    b.layer(created, yarn_run, Some(BUILDKIT), &mut |t| {
        yarn_install(t, yarn)
    });
    b.layer(
        created,
        "COPY docker-entrypoint.sh /usr/local/bin/ # buildkit",
        Some(BUILDKIT),
        &mut |t| {
            t.text(
                "/usr/local/bin/docker-entrypoint.sh",
                NODE_ENTRYPOINT,
                0o755,
            )
        },
    );
    b.meta(
        created,
        "ENTRYPOINT [\"docker-entrypoint.sh\"]",
        Some(BUILDKIT),
    );
    b.meta(created, "CMD [\"node\"]", Some(BUILDKIT));
    b.entrypoint = Some(strings(&["docker-entrypoint.sh"]));
    b.cmd = Some(strings(&["node"]));
    b.finish(&format!("docker.io/library/node:{tag}"), created)
}

fn yarn_install(t: &mut Tree<'_>, yarn_version: &str) {
    let dir = format!("/opt/yarn-v{yarn_version}");
    t.text(&format!("{dir}/bin/yarn"), "#!/bin/sh\nargv0=$(echo \"$0\" | sed -e 's,\\\\,/,g')\nbasedir=$(dirname \"$(readlink \"$0\" || echo \"$argv0\")\")\nexec node \"$basedir/yarn.js\" \"$@\"\n", 0o755);
    t.text(
        &format!("{dir}/bin/yarn.js"),
        "#!/usr/bin/env node\nrequire('../lib/cli.js');\n",
        0o755,
    );
    t.text(
        &format!("{dir}/bin/yarnpkg"),
        "#!/bin/sh\nexec \"$(dirname \"$0\")/yarn\" \"$@\"\n",
        0o755,
    );
    t.blob(
        &format!("{dir}/lib/cli.js"),
        5_320_000,
        0o644,
        &format!("yarn-{yarn_version}"),
    );
    t.text(
        &format!("{dir}/package.json"),
        &format!("{{\n  \"name\": \"yarn\",\n  \"version\": \"{yarn_version}\"\n}}\n"),
        0o644,
    );
    t.link("/usr/local/bin/yarn", &format!("{dir}/bin/yarn"));
    t.link("/usr/local/bin/yarnpkg", &format!("{dir}/bin/yarnpkg"));
}

/// Runs `apk add --no-cache <package>` during image construction (output discarded, as
/// in a build; `PATH` is the default one, as in the Dockerfiles).
fn apk_add(t: &mut Tree<'_>, package: &str) {
    let args = [
        "add".to_string(),
        "--no-cache".to_string(),
        package.to_string(),
    ];
    let inv = crate::engine::pkg::PkgInvocation {
        program: "apk",
        args: &args,
        env: &[],
        cwd: "/",
        uid: 0,
        gid: 0,
        mtime: t.mtime,
    };
    let _ = crate::engine::pkg::run(t.fs, &inv);
}

/// `node:<ver>-alpine`: docker-library/node's Alpine Dockerfile, layer for layer.
pub(crate) fn node(tag: &str, node_version: &str, created: i64) -> BaseImage {
    let mut b = ImageBuilder::from(alpine("3.20", "3.20"));
    b.env(created, "NODE_VERSION", node_version);
    let binary = if node_version.starts_with("20") {
        96_400_000
    } else {
        104_800_000
    };
    b.layer(
        created,
        "RUN /bin/sh -c addgroup -g 1000 node     && adduser -u 1000 -G node -s /bin/sh -D node     && apk add --no-cache         libstdc++     && apk add --no-cache --virtual .build-deps         curl     && ARCH= OPENSSL_ARCH='linux*' && alpineArch=\"$(apk --print-arch)\" && curl -fsSLO --compressed \"https://unofficial-builds.nodejs.org/download/release/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\" && tar -xJf \"node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\" -C /usr/local --strip-components=1 --no-same-owner && ln -s /usr/local/bin/node /usr/local/bin/nodejs && apk del .build-deps && node --version && npm --version # buildkit",
        Some(BUILDKIT),
        &mut |t| {
            add_user(t, "node", 1000, "/home/node", "/bin/sh", "Linux User,,,");
            apk_add(t, "libstdc++");
            node_install(t, node_version, binary);
        },
    );
    node_finish(b, created, tag, "RUN /bin/sh -c apk add --no-cache --virtual .build-deps-yarn curl gnupg tar   && export GNUPGHOME=\"$(mktemp -d)\"   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/yarn-v$YARN_VERSION.tar.gz\"   && mkdir -p /opt   && tar -xzf yarn-v$YARN_VERSION.tar.gz -C /opt/   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg /usr/local/bin/yarnpkg   && rm yarn-v$YARN_VERSION.tar.gz   && apk del .build-deps-yarn   && yarn --version   && rm -rf /tmp/* # buildkit")
}

/// `golang:1.23-alpine`.
pub(crate) fn golang(tag: &str) -> BaseImage {
    let created = 1_727_892_240;
    let go = "1.23.2";
    let mut b = ImageBuilder::from(alpine("3.20", "3.20"));
    b.layer(
        created,
        "RUN /bin/sh -c apk add --no-cache ca-certificates # buildkit",
        Some(BUILDKIT),
        &mut |t| {
            apk_add(t, "ca-certificates");
        },
    );
    b.env(created, "GOLANG_VERSION", go);
    b.env(created, "GOTOOLCHAIN", "local");
    b.env(created, "GOPATH", "/go");
    b.env(
        created,
        "PATH",
        "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    );
    b.layer(
        created,
        "COPY /target/ / # buildkit",
        Some(BUILDKIT),
        &mut |t| {
            let salt = format!("go-{go}");
            t.blob("/usr/local/go/bin/go", 14_200_000, 0o755, &salt);
            t.blob("/usr/local/go/bin/gofmt", 3_100_000, 0o755, &salt);
            for tool in [
                "compile", "link", "asm", "cgo", "vet", "cover", "buildid", "pack", "trace",
                "pprof",
            ] {
                t.blob(
                    &format!("/usr/local/go/pkg/tool/linux_amd64/{tool}"),
                    11_800_000,
                    0o755,
                    &salt,
                );
            }
            t.text(
                "/usr/local/go/VERSION",
                &format!("go{go}\ntime 2024-10-01T16:24:25Z\n"),
                0o644,
            );
            t.blob("/usr/local/go/src/runtime/proc.go", 214_000, 0o644, &salt);
            t.blob("/usr/local/go/src/fmt/print.go", 31_000, 0o644, &salt);
            t.blob(
                "/usr/local/go/src/net/http/server.go",
                121_000,
                0o644,
                &salt,
            );
            t.blob(
                "/usr/local/go/src/.packed-sources",
                98_000_000,
                0o644,
                &salt,
            );
            t.blob("/usr/local/go/lib/time/zoneinfo.zip", 401_000, 0o644, &salt);
            t.blob("/usr/local/go/misc/wasm/wasm_exec.js", 16_000, 0o644, &salt);
        },
    );
    b.layer(created, "RUN /bin/sh -c mkdir -p \"$GOPATH/src\" \"$GOPATH/bin\" && chmod -R 1777 \"$GOPATH\" # buildkit", Some(BUILDKIT), &mut |t| {
        t.dir("/go/src", 0o1777);
        t.dir("/go/bin", 0o1777);
        let _ = t.fs.chmod("/go", 0o1777);
    });
    b.meta(created, "WORKDIR /go", Some(BUILDKIT));
    b.working_dir = "/go".into();
    b.finish(&format!("docker.io/library/golang:{tag}"), created)
}
