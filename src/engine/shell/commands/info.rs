//! Small informational programs: `basename dirname pwd id whoami uname date sleep
//! which nproc hostname`, and the calendar arithmetic `ls`/`date`/`stat` share.

use super::users::{group_name, groups_of, user_name};
use super::{getopt, has, Ctx};
use crate::engine::shell::resolve::basename as base_of;

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// (year, month 1-12, day, hour, minute, second, weekday index from Thursday) of a Unix
/// time, UTC (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64, usize) {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let (y, m, d) = crate::engine::clock::civil_from_days(days);
    (
        y,
        m,
        d,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        days.rem_euclid(7) as usize,
    )
}

use crate::engine::clock::days_from_civil;

/// `strftime` subset, UTC.
pub(crate) fn format_time(t: i64, fmt: &str) -> String {
    let (y, mo, d, h, mi, s, wd) = civil(t);
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&y.to_string()),
            Some('y') => out.push_str(&format!("{:02}", y % 100)),
            Some('m') => out.push_str(&format!("{mo:02}")),
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('e') => out.push_str(&format!("{d:>2}")),
            Some('H') => out.push_str(&format!("{h:02}")),
            Some('M') => out.push_str(&format!("{mi:02}")),
            Some('S') => out.push_str(&format!("{s:02}")),
            Some('s') => out.push_str(&t.to_string()),
            Some('b' | 'h') => out.push_str(MONTHS[(mo - 1) as usize]),
            Some('a') => out.push_str(DAYS[wd]),
            Some('Z') => out.push_str("UTC"),
            Some('z') => out.push_str("+0000"),
            Some('F') => out.push_str(&format!("{y}-{mo:02}-{d:02}")),
            Some('T') => out.push_str(&format!("{h:02}:{mi:02}:{s:02}")),
            Some('D') => out.push_str(&format!("{mo:02}/{d:02}/{:02}", y % 100)),
            Some('j') => out.push_str(&format!(
                "{:03}",
                t.div_euclid(86400) - days_from_civil(y, 1, 1) + 1
            )),
            Some('N') => out.push_str("000000000"),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('%') => out.push('%'),
            Some(o) => {
                out.push('%');
                out.push(o);
            }
            None => out.push('%'),
        }
    }
    out
}

/// `date -d`/`touch -d` values: `@epoch`, `YYYY-MM-DD[ HH:MM[:SS]]`.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(e) = s.strip_prefix('@') {
        return e.parse().ok();
    }
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim_end_matches('Z'))),
        None => (s, None),
    };
    let p: Vec<i64> = date
        .split('-')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let [y, m, d] = p.as_slice() else { return None };
    let mut t = days_from_civil(*y, *m, *d) * 86400;
    if let Some(time) = time {
        let q: Vec<i64> = time
            .split(':')
            .map(|x| x.parse().ok())
            .collect::<Option<_>>()?;
        t += q.first().copied().unwrap_or(0) * 3600
            + q.get(1).copied().unwrap_or(0) * 60
            + q.get(2).copied().unwrap_or(0);
    }
    Some(t)
}

/// `touch -t [[CC]YY]MMDDhhmm[.ss]`.
pub(crate) fn parse_touch_t(s: &str) -> Option<i64> {
    let (main, secs) = match s.split_once('.') {
        Some((m, s)) => (m, s.parse::<i64>().ok()?),
        None => (s, 0),
    };
    if !main.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| main.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (y, rest) = match main.len() {
        12 => (n(0, 4)?, 4),
        10 => (2000 + n(0, 2)?, 2),
        8 => (1970, 0),
        _ => return None,
    };
    let (mo, d, h, mi) = (
        n(rest, rest + 2)?,
        n(rest + 2, rest + 4)?,
        n(rest + 4, rest + 6)?,
        n(rest + 6, rest + 8)?,
    );
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + secs)
}

pub(crate) fn basename(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let Some(p) = args.first() else {
        return ctx.fail("missing operand");
    };
    let mut b = if p.chars().all(|c| c == '/') && !p.is_empty() {
        "/".to_string()
    } else {
        base_of(p).to_string()
    };
    if let Some(suffix) = args.get(1) {
        if b != *suffix {
            if let Some(s) = b.strip_suffix(suffix.as_str()) {
                b = s.to_string();
            }
        }
    }
    ctx.out(format!("{b}\n"));
    0
}

pub(crate) fn dirname(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let Some(p) = args.first() else {
        return ctx.fail("missing operand");
    };
    let t = p.trim_end_matches('/');
    let d = match t.rfind('/') {
        None if p.starts_with('/') => "/".to_string(),
        None => ".".to_string(),
        Some(i) => {
            let d = t[..i].trim_end_matches('/');
            if d.is_empty() {
                "/".into()
            } else {
                d.to_string()
            }
        }
    };
    ctx.out(format!("{d}\n"));
    0
}

pub(crate) fn pwd(ctx: &mut Ctx<'_>) -> i32 {
    let cwd = ctx.sh.env.cwd.clone();
    let physical = ctx.args().iter().any(|a| a == "-P");
    let shown = if physical {
        ctx.sh.fs.canonicalize(&cwd).unwrap_or(cwd)
    } else {
        cwd
    };
    ctx.out(format!("{shown}\n"));
    0
}

pub(crate) fn id(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, args) = getopt(&ctx.args(), "");
    let fs = &ctx.sh.fs;
    let (uid, gid) = match args.first() {
        Some(u) => match super::users::lookup_user(fs, u) {
            Some((uid, gid)) => (uid, gid),
            None => return ctx.fail(format!("unknown user {u}")),
        },
        None => (ctx.sh.uid, ctx.sh.gid),
    };
    let uname = user_name(fs, uid);
    let gname = group_name(fs, gid);
    let extra = uname
        .as_deref()
        .map(|u| groups_of(fs, u))
        .unwrap_or_default();
    let name_mode = has(&opts, 'n');
    let out = if has(&opts, 'u') {
        if name_mode {
            uname.unwrap_or_else(|| uid.to_string())
        } else {
            uid.to_string()
        }
    } else if has(&opts, 'g') && !has(&opts, 'G') {
        if name_mode {
            gname.unwrap_or_else(|| gid.to_string())
        } else {
            gid.to_string()
        }
    } else if has(&opts, 'G') {
        let mut ids = vec![gid];
        ids.extend(extra.iter().map(|(g, _)| *g).filter(|g| *g != gid));
        ids.iter()
            .map(|g| {
                if name_mode {
                    group_name(fs, *g).unwrap_or_else(|| g.to_string())
                } else {
                    g.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        let show = |id: u32, n: &Option<String>| match n {
            Some(n) => format!("{id}({n})"),
            None => id.to_string(),
        };
        let mut s = format!("uid={} gid={}", show(uid, &uname), show(gid, &gname));
        let mut gs = vec![(gid, gname.clone())];
        for (g, n) in extra {
            if g != gid {
                gs.push((g, Some(n)));
            }
        }
        if uname.is_some() || uid == 0 {
            s.push_str(" groups=");
            s.push_str(
                &gs.iter()
                    .map(|(g, n)| show(*g, n))
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        s
    };
    ctx.out(format!("{out}\n"));
    0
}

pub(crate) fn whoami(ctx: &mut Ctx<'_>) -> i32 {
    let uid = ctx.sh.uid;
    match user_name(&ctx.sh.fs, uid) {
        Some(n) => {
            ctx.out(format!("{n}\n"));
            0
        }
        None => ctx.fail(format!("unknown uid {uid}")),
    }
}

pub(crate) fn uname(ctx: &mut Ctx<'_>) -> i32 {
    let (opts, _) = getopt(&ctx.args(), "");
    let mut sel: Vec<char> = opts.iter().map(|(c, _)| *c).collect();
    if sel.contains(&'a') {
        sel = vec!['s', 'n', 'r', 'v', 'm', 'o'];
    }
    if sel.is_empty() {
        sel.push('s');
    }
    let host = ctx.sh.hostname.clone();
    let mut parts = Vec::new();
    for (c, v) in [
        ('s', "Linux"),
        ('n', host.as_str()),
        ('r', "6.8.0-layerlab"),
        ('v', "#1 SMP PREEMPT_DYNAMIC"),
        ('m', "x86_64"),
        ('p', "unknown"),
        ('i', "unknown"),
        ('o', "GNU/Linux"),
    ] {
        if sel.contains(&c) {
            parts.push(v.to_string());
        }
    }
    ctx.out(format!("{}\n", parts.join(" ")));
    0
}

/// `date`: the simulated clock is the RUN's mtime (BuildKit's SOURCE_DATE_EPOCH or the
/// build's start), always UTC.
pub(crate) fn date(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    let mut t = ctx.sh.mtime + (ctx.sh.meter.time_us / 1_000_000) as i64;
    let mut fmt = "%a %b %e %H:%M:%S UTC %Y".to_string();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(f) = a.strip_prefix('+') {
            fmt = f.to_string();
        } else if a == "-d" || a == "--date" {
            i += 1;
            match args.get(i).and_then(|d| parse_date(d)) {
                Some(v) => t = v,
                None => {
                    return ctx.fail(format!(
                        "invalid date '{}'",
                        args.get(i).cloned().unwrap_or_default()
                    ))
                }
            }
        } else if let Some(d) = a.strip_prefix("--date=") {
            match parse_date(d) {
                Some(v) => t = v,
                None => return ctx.fail(format!("invalid date '{d}'")),
            }
        } else if a == "-I" || a == "--iso-8601" {
            fmt = "%Y-%m-%d".into();
        } else if a == "-R" {
            fmt = "%a, %d %b %Y %H:%M:%S +0000".into();
        }
        i += 1;
    }
    ctx.out(format!("{}\n", format_time(t, &fmt)));
    0
}

/// `sleep N[smhd]`: advances the simulated clock (the time budget applies).
pub(crate) fn sleep(ctx: &mut Ctx<'_>) -> i32 {
    let args = ctx.args();
    if args.is_empty() {
        return ctx.fail("missing operand");
    }
    let mut total_ms: f64 = 0.0;
    for a in &args {
        if a == "infinity" {
            total_ms = f64::MAX;
            continue;
        }
        let (num, mult) = match a.chars().last() {
            Some('s') => (&a[..a.len() - 1], 1000.0),
            Some('m') => (&a[..a.len() - 1], 60_000.0),
            Some('h') => (&a[..a.len() - 1], 3_600_000.0),
            Some('d') => (&a[..a.len() - 1], 86_400_000.0),
            _ => (a.as_str(), 1000.0),
        };
        match num.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.is_finite() => total_ms += v * mult,
            _ => return ctx.fail(format!("invalid number '{a}'")),
        }
    }
    let us = if total_ms >= (u64::MAX / 2000) as f64 {
        u64::MAX / 2
    } else {
        (total_ms * 1000.0) as u64
    };
    let _ = ctx.sh.spend_us(us);
    0
}

pub(crate) fn which(ctx: &mut Ctx<'_>) -> i32 {
    let (_, names) = getopt(&ctx.args(), "");
    let mut status = 0;
    for n in names {
        match ctx.sh.find_in_path(&n, false) {
            Some(p) => {
                ctx.out(format!("{p}\n"));
            }
            None => status = 1,
        }
    }
    status
}

pub(crate) fn nproc(ctx: &mut Ctx<'_>) -> i32 {
    ctx.out("4\n");
    0
}

pub(crate) fn hostname(ctx: &mut Ctx<'_>) -> i32 {
    let h = ctx.sh.hostname.clone();
    ctx.out(format!("{h}\n"));
    0
}
