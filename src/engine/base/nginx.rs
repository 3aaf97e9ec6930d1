//! `nginx:alpine` and `nginx:latest` (docker-library/nginx, mainline 1.27.2).

use super::builder::{add_user, strings, ImageBuilder, BUILDKIT};
use super::BaseImage;
use crate::engine::pkg::Tree;

const NGINX_VERSION: &str = "1.27.2";
const NJS_VERSION: &str = "0.8.6";

const ENTRYPOINT: &str = r#"#!/bin/sh
# vim:sw=4:ts=4:et

set -e

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    if /usr/bin/find "/docker-entrypoint.d/" -mindepth 1 -maxdepth 1 -type f -print -quit 2>/dev/null | read v; then
        entrypoint_log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"

        entrypoint_log "$0: Looking for shell scripts in /docker-entrypoint.d/"
        find "/docker-entrypoint.d/" -follow -type f -print | sort -V | while read -r f; do
            case "$f" in
                *.envsh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Sourcing $f";
                        . "$f"
                    else
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *.sh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Launching $f";
                        "$f"
                    else
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *) entrypoint_log "$0: Ignoring $f";;
            esac
        done

        entrypoint_log "$0: Configuration complete; ready for start up"
    else
        entrypoint_log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
    fi
fi

exec "$@"
"#;

const NGINX_CONF: &str = "
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" '
                      '$status $body_bytes_sent \"$http_referer\" '
                      '\"$http_user_agent\" \"$http_x_forwarded_for\"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
";

const DEFAULT_CONF: &str = "server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
";

const INDEX: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

/// The nginx package's files, shared by both variants; `modules` is the njs and
/// dynamic-module payload that makes up most of the layer.
fn nginx_files(t: &mut Tree<'_>, alpine: bool, modules: u64) {
    let salt = format!(
        "nginx-{NGINX_VERSION}-{}",
        if alpine { "alpine" } else { "bookworm" }
    );
    t.blob("/usr/sbin/nginx", 1_480_000, 0o755, &salt);
    t.blob("/usr/sbin/nginx-debug", 1_560_000, 0o755, &salt);
    t.text("/etc/nginx/nginx.conf", NGINX_CONF, 0o644);
    t.text("/etc/nginx/conf.d/default.conf", DEFAULT_CONF, 0o644);
    t.blob("/etc/nginx/mime.types", 5_349, 0o644, &salt);
    t.blob("/etc/nginx/fastcgi_params", 1_007, 0o644, &salt);
    t.blob("/etc/nginx/scgi_params", 636, 0o644, &salt);
    t.blob("/etc/nginx/uwsgi_params", 664, 0o644, &salt);
    t.link(
        "/etc/nginx/modules",
        if alpine {
            "../../usr/lib/nginx/modules"
        } else {
            "/usr/lib/nginx/modules"
        },
    );
    t.text("/usr/share/nginx/html/index.html", INDEX, 0o644);
    t.text("/usr/share/nginx/html/50x.html", "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently unavailable.<br/>\nPlease try again later.</p>\n</body>\n</html>\n", 0o644);
    t.blob(
        "/usr/lib/nginx/modules/ngx_http_js_module.so",
        modules / 2,
        0o755,
        &salt,
    );
    t.blob(
        "/usr/lib/nginx/modules/ngx_stream_js_module.so",
        modules / 2,
        0o755,
        &salt,
    );
    t.dir("/var/cache/nginx", 0o755);
    t.dir("/var/log/nginx", 0o755);
    t.link("/var/log/nginx/access.log", "/dev/stdout");
    t.link("/var/log/nginx/error.log", "/dev/stderr");
    t.dir("/docker-entrypoint.d", 0o755);
}

fn entry_scripts(b: &mut ImageBuilder, created: i64) {
    b.layer(
        created,
        "COPY docker-entrypoint.sh / # buildkit",
        Some(BUILDKIT),
        &mut |t| {
            t.text("/docker-entrypoint.sh", ENTRYPOINT, 0o755);
        },
    );
    for (name, body) in [
        ("10-listen-on-ipv6-by-default.sh", "#!/bin/sh\n# vim:sw=4:ts=4:et\n\nset -e\n\nentrypoint_log() {\n    if [ -z \"${NGINX_ENTRYPOINT_QUIET_LOGS:-}\" ]; then\n        echo \"$@\"\n    fi\n}\n\nME=$(basename \"$0\")\nDEFAULT_CONF_FILE=\"etc/nginx/conf.d/default.conf\"\n\n# check if we have ipv6 available\nif [ ! -f \"/proc/net/if_inet6\" ]; then\n    entrypoint_log \"$ME: info: ipv6 not available\"\n    exit 0\nfi\n\nexit 0\n"),
        ("15-local-resolvers.envsh", "#!/bin/sh\n# vim:sw=2:ts=2:sts=2:et\n\nset -eu\n\nLC_ALL=C\nPATH=\"$PATH:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin\"\n\n[ \"${NGINX_ENTRYPOINT_LOCAL_RESOLVERS:-}\" ] || return 0\n\nNGINX_LOCAL_RESOLVERS=$(awk 'BEGIN{ORS=\" \"} $1==\"nameserver\" {print $2}' /etc/resolv.conf)\nexport NGINX_LOCAL_RESOLVERS\n"),
        ("20-envsubst-on-templates.sh", "#!/bin/sh\n\nset -e\n\nME=$(basename \"$0\")\n\nentrypoint_log() {\n    if [ -z \"${NGINX_ENTRYPOINT_QUIET_LOGS:-}\" ]; then\n        echo \"$@\"\n    fi\n}\n\nauto_envsubst() {\n  local template_dir=\"${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}\"\n  local suffix=\"${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}\"\n  local output_dir=\"${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}\"\n  [ -d \"$template_dir\" ] || return 0\n}\n\nauto_envsubst\n\nexit 0\n"),
        ("30-tune-worker-processes.sh", "#!/bin/sh\n# vim:sw=2:ts=2:sts=2:et\n\nset -eu\n\nLC_ALL=C\nME=$(basename \"$0\")\nPATH=\"$PATH:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin\"\n\n[ \"${NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE:-}\" ] || exit 0\n\nexit 0\n"),
    ] {
        b.layer(created, &format!("COPY {name} /docker-entrypoint.d # buildkit"), Some(BUILDKIT), &mut |t| {
            t.text(&format!("/docker-entrypoint.d/{name}"), body, 0o755);
        });
    }
}

fn finish(mut b: ImageBuilder, tag: &str, created: i64) -> BaseImage {
    b.meta(
        created,
        "ENTRYPOINT [\"/docker-entrypoint.sh\"]",
        Some(BUILDKIT),
    );
    b.meta(created, "EXPOSE map[80/tcp:{}]", Some(BUILDKIT));
    b.meta(created, "STOPSIGNAL SIGQUIT", Some(BUILDKIT));
    b.meta(
        created,
        "CMD [\"nginx\" \"-g\" \"daemon off;\"]",
        Some(BUILDKIT),
    );
    b.entrypoint = Some(strings(&["/docker-entrypoint.sh"]));
    b.cmd = Some(strings(&["nginx", "-g", "daemon off;"]));
    let mut img = b.finish(&format!("docker.io/library/nginx:{tag}"), created);
    img.exposed_ports = vec!["80/tcp".into()];
    img.stop_signal = Some("SIGQUIT".into());
    img
}

pub(crate) fn alpine(tag: &str) -> BaseImage {
    let created = 1_727_891_700;
    let mut b = ImageBuilder::from(super::alpine::alpine("3.20", "3.20"));
    b.meta(
        created,
        "LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>",
        Some(BUILDKIT),
    );
    b.labels = vec![(
        "maintainer".into(),
        "NGINX Docker Maintainers <docker-maint@nginx.com>".into(),
    )];
    b.env(created, "NGINX_VERSION", NGINX_VERSION);
    b.env(created, "PKG_RELEASE", "1");
    b.env(created, "DYNPKG_RELEASE", "1");
    b.layer(created, "RUN /bin/sh -c set -x     && addgroup -g 101 -S nginx     && adduser -S -D -H -u 101 -h /var/cache/nginx -s /sbin/nologin -G nginx -g nginx nginx     && apkArch=\"$(cat /etc/apk/arch)\"     && nginxPackages=\"         nginx=${NGINX_VERSION}-r${PKG_RELEASE}     \"     && apk add --no-cache --virtual .checksum-deps         openssl     && apk add -X \"https://nginx.org/packages/mainline/alpine/v$(egrep -o '^[0-9]+\\.[0-9]+' /etc/alpine-release)/main\" --no-cache $nginxPackages     && apk add --no-cache tzdata     && apk add --no-cache curl ca-certificates     && ln -sf /dev/stdout /var/log/nginx/access.log     && ln -sf /dev/stderr /var/log/nginx/error.log     && mkdir /docker-entrypoint.d # buildkit", Some(BUILDKIT), &mut |t| {
        add_user(t, "nginx", 101, "/var/cache/nginx", "/sbin/nologin", "nginx");
        for pkgs in [&["tzdata"][..], &["curl", "ca-certificates", "pcre"][..]] {
            let mut args = vec!["add".to_string(), "--no-cache".to_string()];
            args.extend(pkgs.iter().map(|s| s.to_string()));
            let inv = crate::engine::pkg::PkgInvocation { program: "apk", args: &args, env: &[], cwd: "/", uid: 0, gid: 0, mtime: t.mtime };
            let _ = crate::engine::pkg::run(t.fs, &inv);
        }
        nginx_files(t, true, 2_200_000);
    });
    entry_scripts(&mut b, created);
    b.env(created, "NJS_VERSION", NJS_VERSION);
    b.env(created, "NJS_RELEASE", "1");
    b.layer(created, "RUN /bin/sh -c set -x     && apkArch=\"$(cat /etc/apk/arch)\"     && nginxPackages=\"         nginx=${NGINX_VERSION}-r${PKG_RELEASE}         nginx-module-xslt=${NGINX_VERSION}-r${DYNPKG_RELEASE}         nginx-module-geoip=${NGINX_VERSION}-r${DYNPKG_RELEASE}         nginx-module-image-filter=${NGINX_VERSION}-r${DYNPKG_RELEASE}         nginx-module-njs=${NGINX_VERSION}.${NJS_VERSION}-r${NJS_RELEASE}     \"     && apk add -X \"https://nginx.org/packages/mainline/alpine/v$(egrep -o '^[0-9]+\\.[0-9]+' /etc/alpine-release)/main\" --no-cache $nginxPackages     && apk add --no-cache curl ca-certificates # buildkit", Some(BUILDKIT), &mut |t| {
        let salt = format!("nginx-modules-{NGINX_VERSION}");
        t.blob("/usr/lib/nginx/modules/ngx_http_xslt_filter_module.so", 180_000, 0o755, &salt);
        t.blob("/usr/lib/nginx/modules/ngx_http_geoip_module.so", 60_000, 0o755, &salt);
        t.blob("/usr/lib/nginx/modules/ngx_http_image_filter_module.so", 90_000, 0o755, &salt);
        t.blob("/usr/lib/libxml2.so.2.12.7", 1_300_000, 0o755, &salt);
        t.blob("/usr/lib/libgd.so.3.0.11", 430_000, 0o755, &salt);
        t.blob("/usr/lib/.packed-image-libs", 27_000_000, 0o755, &salt);
    });
    finish(b, tag, created)
}

pub(crate) fn debian(tag: &str) -> BaseImage {
    let created = 1_727_891_700;
    let mut b = ImageBuilder::from(super::debian::debian("bookworm-slim", true));
    b.meta(
        created,
        "LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>",
        Some(BUILDKIT),
    );
    b.labels = vec![(
        "maintainer".into(),
        "NGINX Docker Maintainers <docker-maint@nginx.com>".into(),
    )];
    b.env(created, "NGINX_VERSION", NGINX_VERSION);
    b.env(created, "NJS_VERSION", NJS_VERSION);
    b.env(created, "NJS_RELEASE", "1~bookworm");
    b.env(created, "PKG_RELEASE", "1~bookworm");
    b.env(created, "DYNPKG_RELEASE", "1~bookworm");
    b.layer(created, "RUN /bin/sh -c set -x     && groupadd --system --gid 101 nginx     && useradd --system --gid nginx --no-create-home --home /nonexistent --comment \"nginx user\" --shell /bin/false --uid 101 nginx     && apt-get update     && apt-get install --no-install-recommends --no-install-suggests -y gnupg1 ca-certificates     && apt-get install --no-install-recommends --no-install-suggests -y                         $nginxPackages                         gettext-base                         curl     && apt-get remove --purge --auto-remove -y && rm -rf /var/lib/apt/lists/* /etc/apt/sources.list.d/nginx.list     && ln -sf /dev/stdout /var/log/nginx/access.log     && ln -sf /dev/stderr /var/log/nginx/error.log     && mkdir /docker-entrypoint.d # buildkit", Some(BUILDKIT), &mut |t| {
        add_user(t, "nginx", 101, "/nonexistent", "/bin/false", "nginx user");
        let env = [("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string())];
        for args in [&["update"][..], &["install", "-y", "--no-install-recommends", "ca-certificates", "curl", "libssl3"][..], &["clean"][..]] {
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            let inv = crate::engine::pkg::PkgInvocation { program: "apt-get", args: &args, env: &env, cwd: "/", uid: 0, gid: 0, mtime: t.mtime };
            let _ = crate::engine::pkg::run(t.fs, &inv);
        }
        t.empty_dir("/var/lib/apt/lists");
        nginx_files(t, false, 3_000_000);
        let salt = "nginx-bookworm-libs";
        t.blob("/usr/lib/x86_64-linux-gnu/libxml2.so.2.9.14", 2_000_000, 0o644, salt);
        t.blob("/usr/lib/x86_64-linux-gnu/libgd.so.3.0.10", 480_000, 0o644, salt);
        t.blob("/usr/lib/x86_64-linux-gnu/.packed-nginx-deps", 96_000_000, 0o644, salt);
        t.blob("/usr/bin/envsubst", 43_000, 0o755, salt);
    });
    entry_scripts(&mut b, created);
    finish(b, tag, created)
}
