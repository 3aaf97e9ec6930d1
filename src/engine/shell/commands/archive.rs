//! `tar` (ustar create/extract/list, with `-z`) and `gzip`/`gunzip`/`zcat`, producing
//! real archives so a later `ADD` or `tar -x` reads them back.

use super::{getopt, has, opt_val, Ctx};
use crate::engine::fs::{join, FileType, Metadata};
use std::io::{Read, Write};

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

fn gunz(data: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut d = flate2::read::GzDecoder::new(data).take(limit + 1);
    let mut out = Vec::new();
    d.read_to_end(&mut out)
        .map_err(|_| "invalid magic".to_string())?;
    if out.len() as u64 > limit {
        return Err("Cannot allocate memory".into());
    }
    Ok(out)
}

pub(crate) fn gzip(ctx: &mut Ctx<'_>) -> i32 {
    let name = ctx.name();
    let (opts, files) = getopt(&ctx.args(), "S");
    let decompress = has(&opts, 'd') || name == "gunzip" || name == "zcat";
    let to_stdout = has(&opts, 'c') || name == "zcat";
    let keep = has(&opts, 'k');
    let limit = ctx.sh.limits.memory_bytes;
    if files.is_empty() {
        let data = ctx.stdin();
        return match if decompress {
            gunz(&data, limit)
        } else {
            Ok(gz(&data))
        } {
            Ok(o) => {
                ctx.out(o);
                0
            }
            Err(e) => ctx.fail(e),
        };
    }
    let mut status = 0;
    for f in files {
        let data = match ctx.read(&f) {
            Ok(d) => d,
            Err(e) => {
                ctx.fail(format!("{f}: {e}"));
                status = 1;
                continue;
            }
        };
        let (out, target) = if decompress {
            let Some(base) = f.strip_suffix(".gz").or_else(|| f.strip_suffix(".tgz")) else {
                ctx.fail(format!("{f}: unknown suffix - ignored"));
                status = 1;
                continue;
            };
            match gunz(&data, limit) {
                Ok(o) => (o, base.to_string()),
                Err(e) => {
                    ctx.fail(format!("{f}: {e}"));
                    status = 1;
                    continue;
                }
            }
        } else {
            (gz(&data), format!("{f}.gz"))
        };
        if to_stdout {
            ctx.out(out);
            continue;
        }
        let mode = ctx
            .sh
            .fs
            .stat(&ctx.path(&f))
            .map(|s| s.meta.mode)
            .unwrap_or(0o644);
        if let Err(e) = ctx.write_file(&target, out, mode) {
            ctx.fail(format!("{target}: {e}"));
            status = 1;
            continue;
        }
        let _ = ctx.sh.chmod(&ctx.path(&target), mode);
        if !keep {
            let _ = ctx.sh.remove_file(&ctx.path(&f));
        }
    }
    status
}

fn octal(field: &[u8]) -> u64 {
    let s = String::from_utf8_lossy(field);
    u64::from_str_radix(s.trim_matches(|c: char| c == '\0' || c == ' '), 8).unwrap_or(0)
}

fn cstr(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn header(name: &str, kind: u8, size: u64, meta: Metadata, link: &str) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    let (prefix, nm) = if name.len() > 100 {
        match name[..name.len().min(155)].rfind('/') {
            Some(i) if name.len() - i - 1 <= 100 => (&name[..i], &name[i + 1..]),
            _ => ("", &name[name.len() - 100..]),
        }
    } else {
        ("", name)
    };
    let put = |h: &mut Vec<u8>, off: usize, len: usize, s: &[u8]| {
        let n = s.len().min(len);
        h[off..off + n].copy_from_slice(&s[..n]);
    };
    put(&mut h, 0, 100, nm.as_bytes());
    put(
        &mut h,
        100,
        8,
        format!("{:07o}\0", meta.mode & 0o7777).as_bytes(),
    );
    put(&mut h, 108, 8, format!("{:07o}\0", meta.uid).as_bytes());
    put(&mut h, 116, 8, format!("{:07o}\0", meta.gid).as_bytes());
    put(&mut h, 124, 12, format!("{:011o}\0", size).as_bytes());
    put(
        &mut h,
        136,
        12,
        format!("{:011o}\0", meta.mtime.max(0)).as_bytes(),
    );
    h[156] = kind;
    put(&mut h, 157, 100, link.as_bytes());
    put(&mut h, 257, 8, b"ustar\x0000");
    put(&mut h, 345, 155, prefix.as_bytes());
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    put(&mut h, 148, 8, format!("{:06o}\0 ", sum).as_bytes());
    h
}

pub(crate) fn tar(ctx: &mut Ctx<'_>) -> i32 {
    let mut args = ctx.args();
    // Old-style first argument without a dash: `tar xzf file`.
    if let Some(first) = args.first() {
        if !first.starts_with('-') && first.chars().all(|c| "cxtvzfjJpoC".contains(c)) {
            args[0] = format!("-{first}");
        }
    }
    let mut strip = 0usize;
    args.retain(|a| {
        if let Some(n) = a.strip_prefix("--strip-components=") {
            strip = n.parse().unwrap_or(0);
            false
        } else {
            !a.starts_with("--")
        }
    });
    let (opts, members) = getopt(&args, "fC");
    let file = opt_val(&opts, 'f');
    let dir = opt_val(&opts, 'C')
        .map(|d| ctx.path(&d))
        .unwrap_or_else(|| ctx.sh.env.cwd.clone());
    let verbose = has(&opts, 'v');
    if has(&opts, 'c') {
        let mut out = Vec::new();
        let mut listing = String::new();
        for m in &members {
            let abs = join(&dir, m);
            let Ok(st) = ctx.sh.fs.lstat(&abs) else {
                ctx.fail(format!("{m}: Cannot stat: No such file or directory"));
                return 2;
            };
            let mut entries = vec![(m.trim_end_matches('/').to_string(), abs.clone(), st.clone())];
            if st.file_type == FileType::Dir {
                for e in ctx.sh.fs.walk(&abs).unwrap_or_default() {
                    let rel = e.path.strip_prefix(&abs).unwrap_or(&e.path).to_string();
                    entries.push((
                        format!("{}{}", m.trim_end_matches('/'), rel),
                        e.path,
                        e.stat,
                    ));
                }
            }
            for (name, path, st) in entries {
                if !ctx.tick(1) {
                    return 1;
                }
                if verbose {
                    listing.push_str(&name);
                    listing.push('\n');
                }
                match st.file_type {
                    FileType::Dir => out.extend(header(&format!("{name}/"), b'5', 0, st.meta, "")),
                    FileType::Symlink => out.extend(header(
                        &name,
                        b'2',
                        0,
                        st.meta,
                        st.link_target.as_deref().unwrap_or(""),
                    )),
                    FileType::File => {
                        let Ok(data) = ctx.sh.read_bytes(&path) else {
                            return 1;
                        };
                        out.extend(header(&name, b'0', data.len() as u64, st.meta, ""));
                        let pad = (512 - data.len() % 512) % 512;
                        out.extend(data);
                        out.extend(std::iter::repeat_n(0u8, pad));
                    }
                    _ => {}
                }
                if !ctx.sh.hold(0) {
                    return 1;
                }
            }
        }
        out.extend(std::iter::repeat_n(0u8, 1024));
        let out = if has(&opts, 'z') { gz(&out) } else { out };
        match file.as_deref() {
            None | Some("-") => {
                ctx.out(out);
            }
            Some(f) => {
                if let Err(e) = ctx.write_file(f, out, 0o644) {
                    return ctx.fail(format!("{f}: {e}"));
                }
            }
        }
        if verbose {
            ctx.err(listing);
        }
        return 0;
    }
    if !has(&opts, 'x') && !has(&opts, 't') {
        return ctx.fail("need at least one of -c, -x, -t");
    }
    let raw = match file.as_deref() {
        None | Some("-") => ctx.stdin(),
        Some(f) => match ctx.read(f) {
            Ok(d) => d,
            Err(e) => return ctx.fail(format!("can't open '{f}': {e}")),
        },
    };
    let data = if has(&opts, 'z') || raw.starts_with(&[0x1f, 0x8b]) {
        match gunz(&raw, ctx.sh.limits.memory_bytes) {
            Ok(d) => d,
            Err(e) => return ctx.fail(e),
        }
    } else {
        raw
    };
    let mut pos = 0;
    let mut listing = String::new();
    let mut long_name: Option<String> = None;
    while pos + 512 <= data.len() {
        let h = &data[pos..pos + 512];
        if h.iter().all(|&b| b == 0) {
            break;
        }
        if !ctx.tick(1) {
            return 1;
        }
        let mut name = cstr(&h[0..100]);
        let prefix = cstr(&h[345..500]);
        if !prefix.is_empty() && &h[257..262] == b"ustar" {
            name = format!("{prefix}/{name}");
        }
        if let Some(l) = long_name.take() {
            name = l;
        }
        let mode = octal(&h[100..108]) as u32;
        let uid = octal(&h[108..116]) as u32;
        let gid = octal(&h[116..124]) as u32;
        let size = octal(&h[124..136]) as usize;
        let mtime = octal(&h[136..148]) as i64;
        let kind = h[156];
        let link = cstr(&h[157..257]);
        let body_start = pos + 512;
        let body_end = body_start.saturating_add(size).min(data.len());
        pos = body_start.saturating_add(size.div_ceil(512) * 512);
        if kind == b'L' {
            long_name = Some(cstr(&data[body_start..body_end]));
            continue;
        }
        if kind == b'x' || kind == b'g' {
            continue;
        }
        let rel: Vec<&str> = name
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .collect();
        if rel.len() <= strip {
            continue;
        }
        let rel = rel[strip..].join("/");
        if !members.is_empty()
            && !members.iter().any(|m| {
                rel == m.trim_end_matches('/')
                    || rel.starts_with(&format!("{}/", m.trim_end_matches('/')))
            })
        {
            continue;
        }
        if has(&opts, 't') || verbose {
            listing.push_str(&name);
            listing.push('\n');
        }
        if has(&opts, 't') {
            continue;
        }
        let target = join(&dir, &rel);
        let (u, g) = if ctx.sh.uid == 0 && !has(&opts, 'o') {
            (uid, gid)
        } else {
            (ctx.sh.uid, ctx.sh.gid)
        };
        let meta = Metadata::new(mode, u, g, mtime);
        let parent = crate::engine::fs::normalize(&format!("{target}/.."));
        let _ = ctx.sh.mkdir_all(
            &parent,
            Metadata::new(0o755, ctx.sh.uid, ctx.sh.gid, ctx.sh.mtime),
        );
        let r = match kind {
            b'5' => match ctx.sh.fs.stat(&target) {
                Ok(s) if s.file_type == FileType::Dir => ctx.sh.set_metadata(&target, meta),
                _ => ctx.sh.mkdir(&target, meta),
            },
            b'2' => {
                let _ = ctx.sh.remove_file(&target);
                ctx.sh.symlink(&link, &target, meta)
            }
            b'1' => {
                let _ = ctx.sh.remove_file(&target);
                let src = join(
                    &dir,
                    &link.split('/').skip(strip).collect::<Vec<_>>().join("/"),
                );
                ctx.sh.hardlink(&src, &target)
            }
            _ => ctx
                .sh
                .put_file(&target, data[body_start..body_end].to_vec(), meta),
        };
        if let Err(e) = r {
            ctx.fail(format!("{rel}: {e}"));
        }
        if ctx.sh.check_fs().is_err() {
            return 1;
        }
    }
    if has(&opts, 't') || verbose {
        ctx.out(listing);
    }
    0
}
