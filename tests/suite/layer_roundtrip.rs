//! Round trips (snapshot → changeset → tar → apply onto lower → the upper snapshot),
//! whiteout/opaque cases, hostile archives, and property tests over random edits.

use layerlab::engine::fs::{diff, Content, DeviceKind, Fs, Metadata};
use layerlab::engine::layer::{
    apply, build_layer, compress, diff_id, list_entries, LayerError, LayerOptions, MtimePolicy,
};
use proptest::prelude::*;

const DIR: Metadata = Metadata::new(0o755, 0, 0, 10);
const FILE: Metadata = Metadata::new(0o644, 0, 0, 10);

fn opts() -> LayerOptions {
    LayerOptions {
        mtime: MtimePolicy::Keep,
        whiteout_mtime: 99,
    }
}

fn round_trip(lower: &Fs, upper: &Fs) -> Vec<u8> {
    let layer = build_layer(&diff(lower, upper), &opts());
    let applied = apply(lower, &layer.bytes).unwrap();
    assert!(applied.same_as(upper), "apply(lower, layer) != upper");
    let gz = compress(&layer.bytes);
    assert!(
        apply(lower, &gz.bytes).unwrap().same_as(upper),
        "gzip layer differs"
    );
    assert_eq!(
        compress(&layer.bytes).digest,
        gz.digest,
        "gzip not deterministic"
    );
    layer.bytes
}

fn base() -> Fs {
    let mut fs = Fs::new();
    fs.mkdir_all("/app/data/sub", DIR).unwrap();
    fs.write_file("/app/hello.txt", "hello\n", FILE).unwrap();
    fs.write_file("/app/data/sub/two.txt", "two\n", FILE)
        .unwrap();
    fs.mkdir_all("/usr/bin", DIR).unwrap();
    fs.write_file(
        "/usr/bin/node",
        Content::Synthetic {
            seed: 3,
            size: 300_000,
        },
        Metadata::new(0o755, 0, 0, 5),
    )
    .unwrap();
    fs.symlink("/usr/bin/node", "/usr/bin/nodejs", DIR).unwrap();
    fs
}

fn paths(tar: &[u8]) -> Vec<String> {
    list_entries(tar)
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.kind.as_str(), e.path))
        .collect()
}

#[test]
fn whiteouts_sit_where_the_deleted_name_sorts() {
    let lower = base();
    let mut upper = lower.clone();
    upper.remove_file("/app/hello.txt").unwrap();
    upper.remove_file("/app/data/sub/two.txt").unwrap();
    upper.write_file("/app/keep.txt", "keep\n", FILE).unwrap();
    upper.remove_all("/usr/bin").unwrap();
    let tar = round_trip(&lower, &upper);
    assert_eq!(
        paths(&tar),
        [
            "dir app",
            "dir app/data",
            "dir app/data/sub",
            "whiteout app/data/sub/.wh.two.txt",
            "whiteout app/.wh.hello.txt",
            "file app/keep.txt",
            "dir usr",
            "whiteout usr/.wh.bin"
        ]
    );
    let e = list_entries(&tar).unwrap();
    assert_eq!((e[3].mode, e[3].mtime, e[3].size), (0, 99, 0));
}

#[test]
fn recreated_dir_and_file_replaced_by_dir_are_opaque() {
    let lower = base();
    let mut upper = lower.clone();
    upper.remove_all("/app/data").unwrap();
    upper
        .mkdir("/app/data", Metadata::new(0o2775, 5, 6, 20))
        .unwrap();
    upper.write_file("/app/data/new", "n", FILE).unwrap();
    upper.remove_file("/app/hello.txt").unwrap();
    upper.mkdir("/app/hello.txt", DIR).unwrap();
    let tar = round_trip(&lower, &upper);
    assert_eq!(
        paths(&tar),
        [
            "dir app",
            "dir app/data",
            "opaque app/data/.wh..wh..opq",
            "file app/data/new",
            "dir app/hello.txt",
            "opaque app/hello.txt/.wh..wh..opq"
        ]
    );
    let e = list_entries(&tar).unwrap();
    // Opaque marker: the dir's permission bits (without setgid), its owner, mtime 0.
    assert_eq!(
        (e[2].mode, e[2].uid, e[2].gid, e[2].mtime),
        (0o775, 5, 6, 0)
    );
    let cs = diff(&lower, &upper);
    let dd: Vec<String> = cs
        .docker_diff()
        .iter()
        .map(|(k, p)| format!("{} {p}", k.letter()))
        .collect();
    assert_eq!(
        dd,
        [
            "C /app",
            "C /app/data",
            "A /app/data/new",
            "C /app/hello.txt"
        ]
    );
}

#[test]
fn hardlinks_specials_long_names_and_big_ids_round_trip() {
    let lower = base();
    let mut upper = lower.clone();
    upper.hardlink("/usr/bin/node", "/node-link").unwrap();
    upper
        .mknod("/dev-null", DeviceKind::Char { major: 1, minor: 3 }, FILE)
        .unwrap();
    upper.mknod("/fifo", DeviceKind::Fifo, FILE).unwrap();
    let long = format!(
        "/{}",
        ["d".repeat(90), "e".repeat(90), "f".repeat(90)].join("/")
    );
    upper.mkdir_all(&long, DIR).unwrap();
    upper
        .write_file(
            &format!("{long}/{}", "g".repeat(120)),
            "x",
            Metadata::new(0o4755, 3_000_000, 70_000, -5),
        )
        .unwrap();
    upper.write_file("/ünïcode-名前", "u", FILE).unwrap();
    upper.symlink(&"t".repeat(200), "/longlink", DIR).unwrap();
    let tar = round_trip(&lower, &upper);
    let entries = list_entries(&tar).unwrap();
    let link = entries.iter().find(|e| e.path == "usr/bin/node").unwrap();
    assert_eq!(link.kind.as_str(), "hardlink");
    assert_eq!(link.linkname.as_deref(), Some("node-link"));
    let big = entries.iter().find(|e| e.uid == 3_000_000).unwrap();
    assert_eq!((big.gid, big.mtime, big.mode), (70_000, -5, 0o4755));
}

#[test]
fn diff_id_streams_and_mtime_policies_apply() {
    let lower = Fs::new();
    let mut upper = lower.clone();
    upper
        .write_file(
            "/big",
            Content::Synthetic {
                seed: 9,
                size: 5_000_000,
            },
            Metadata::new(0o644, 0, 0, 500),
        )
        .unwrap();
    let cs = diff(&lower, &upper);
    let full = build_layer(&cs, &opts());
    assert_eq!(diff_id(&cs, &opts()), (full.diff_id.clone(), full.size));
    let clamp = LayerOptions {
        mtime: MtimePolicy::Clamp(100),
        ..opts()
    };
    assert_eq!(
        list_entries(&build_layer(&cs, &clamp).bytes).unwrap()[0].mtime,
        100
    );
    let set = LayerOptions {
        mtime: MtimePolicy::Set(7),
        ..opts()
    };
    assert_eq!(
        list_entries(&build_layer(&cs, &set).bytes).unwrap()[0].mtime,
        7
    );
    // Same tree from bytes: same diff_id.
    let mut as_bytes = Fs::new();
    as_bytes
        .write_file(
            "/big",
            upper.read_file("/big").unwrap().to_vec(),
            Metadata::new(0o644, 0, 0, 500),
        )
        .unwrap();
    assert_eq!(
        build_layer(&diff(&lower, &as_bytes), &opts()).diff_id,
        full.diff_id
    );
}

/// A tar with one hand-made entry (valid checksum), plus the end marker.
fn tar_with(name: &str, typeflag: u8, linkname: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = typeflag;
    h[157..157 + linkname.len()].copy_from_slice(linkname.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512 + 1024, 0);
    out
}

#[test]
fn hostile_archives_are_refused() {
    let fs = base();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            tar_with("../evil", b'0', "", b"x"),
            "path escapes the layer root",
        ),
        (
            tar_with("a/../../evil", b'0', "", b"x"),
            "path escapes the layer root",
        ),
        (tar_with("/etc/passwd", b'0', "", b"x"), "absolute path"),
        (
            tar_with("link", b'1', "../../etc/passwd", b""),
            "path escapes the layer root",
        ),
        (tar_with("link", b'1', "/etc/shadow", b""), "absolute path"),
        (
            tar_with("link", b'1', "missing", b""),
            "target is not an earlier entry",
        ),
        (
            tar_with("sparse", b'S', "", b""),
            "unsupported tar entry type",
        ),
        (
            tar_with("f", b'0', "", b"data")[..600].to_vec(),
            "unexpected end of tar archive",
        ),
        (
            tar_with("f", b'0', "", b"data")[..512 + 512].to_vec(),
            "unexpected end of tar archive",
        ),
        (
            b"garbage that is not a tar".to_vec(),
            "unexpected end of tar archive",
        ),
        (vec![0x1f, 0x8b, 0, 1, 2], "gzip"),
    ];
    for (i, (tar, want)) in cases.iter().enumerate() {
        let err = apply(&fs, tar).unwrap_err().to_string();
        assert!(
            err.contains(want),
            "case {i}: {err:?} does not contain {want:?}"
        );
    }
    // An absurd size field cannot be satisfied by the data that follows.
    let mut huge = tar_with("f", b'0', "", b"");
    huge[124..136].copy_from_slice(b"77777777777\0");
    huge[148..156].copy_from_slice(b"        ");
    let sum: u32 = huge[..512].iter().map(|b| u32::from(*b)).sum();
    huge[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    assert_eq!(apply(&fs, &huge).unwrap_err(), LayerError::Truncated);
    let mut bad_sum = tar_with("f", b'0', "", b"x");
    bad_sum[0] = b'g';
    assert!(apply(&fs, &bad_sum)
        .unwrap_err()
        .to_string()
        .contains("checksum"));
    // Symlinks may point anywhere: they resolve inside the root.
    let ok = apply(&fs, &tar_with("abs", b'2', "/etc/passwd", b"")).unwrap();
    assert_eq!(ok.read_link("/abs").unwrap(), "/etc/passwd");
}

#[derive(Debug, Clone)]
enum Op {
    Write(usize, usize, u8),
    Mkdir(usize, usize),
    Remove(usize),
    Rename(usize, usize, usize),
    Chmod(usize, u32),
    Symlink(usize, usize, usize),
    Hardlink(usize, usize, usize),
    Recreate(usize),
}

const NAMES: &[&str] = &["a", "b", "c.txt", "d", "a-b", "e"];

/// Existing paths of `fs`, for choosing edit targets.
fn existing(fs: &Fs) -> Vec<String> {
    fs.walk("/").unwrap().into_iter().map(|e| e.path).collect()
}

fn dirs(fs: &Fs) -> Vec<String> {
    let mut d = vec!["/".to_string()];
    d.extend(
        fs.walk("/")
            .unwrap()
            .into_iter()
            .filter(|e| e.stat.file_type == layerlab::engine::fs::FileType::Dir)
            .map(|e| e.path),
    );
    d
}

fn child(dir: &str, name: usize) -> String {
    let n = NAMES[name % NAMES.len()];
    if dir == "/" {
        format!("/{n}")
    } else {
        format!("{dir}/{n}")
    }
}

fn run(fs: &mut Fs, op: &Op, t: i64) {
    let ds = dirs(fs);
    let ex = existing(fs);
    let pick = |v: &Vec<String>, i: usize| v.get(i % v.len().max(1)).cloned();
    // Errors are part of the game: an invalid edit leaves the tree unchanged.
    let _ = match *op {
        Op::Write(d, n, b) => fs.write_file(
            &child(&pick(&ds, d).unwrap(), n),
            vec![b; (b % 7) as usize],
            Metadata::new(0o644, u32::from(b % 3), 0, t),
        ),
        Op::Mkdir(d, n) => fs.mkdir(
            &child(&pick(&ds, d).unwrap(), n),
            Metadata::new(0o755, 0, 0, t),
        ),
        Op::Remove(i) => pick(&ex, i).map_or(Ok(()), |p| fs.remove_all(&p)),
        Op::Rename(i, d, n) => {
            pick(&ex, i).map_or(Ok(()), |p| fs.rename(&p, &child(&pick(&ds, d).unwrap(), n)))
        }
        Op::Chmod(i, m) => pick(&ex, i).map_or(Ok(()), |p| fs.chmod(&p, m)),
        Op::Symlink(d, n, i) => {
            let target = pick(&ex, i).unwrap_or_else(|| "/nowhere".into());
            fs.symlink(
                &target,
                &child(&pick(&ds, d).unwrap(), n),
                Metadata::new(0o777, 0, 0, t),
            )
        }
        Op::Hardlink(i, d, n) => pick(&ex, i).map_or(Ok(()), |p| {
            fs.hardlink(&p, &child(&pick(&ds, d).unwrap(), n))
        }),
        Op::Recreate(d) => {
            let p = pick(&ds, d).unwrap();
            if p == "/" {
                Ok(())
            } else {
                fs.remove_all(&p)
                    .and_then(|_| fs.mkdir(&p, Metadata::new(0o700, 1, 1, t)))
            }
        }
    };
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..20usize, 0..6usize, any::<u8>()).prop_map(|(d, n, b)| Op::Write(d, n, b)),
        2 => (0..20usize, 0..6usize).prop_map(|(d, n)| Op::Mkdir(d, n)),
        1 => (0..40usize).prop_map(Op::Remove),
        1 => (0..40usize, 0..20usize, 0..6usize).prop_map(|(i, d, n)| Op::Rename(i, d, n)),
        1 => (0..40usize, prop_oneof![Just(0o600u32), Just(0o755), Just(0o4755)]).prop_map(|(i, m)| Op::Chmod(i, m)),
        1 => (0..20usize, 0..6usize, 0..40usize).prop_map(|(d, n, i)| Op::Symlink(d, n, i)),
        1 => (0..40usize, 0..20usize, 0..6usize).prop_map(|(i, d, n)| Op::Hardlink(i, d, n)),
        1 => (0..20usize).prop_map(Op::Recreate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// For random lower trees and random edit sequences, applying the layer of the
    /// difference to the lower tree gives the upper tree, and stacking two layers gives
    /// the same tree as applying each in turn.
    #[test]
    fn layer_of_diff_applied_to_lower_is_upper(
        base_ops in prop::collection::vec(op(), 0..25),
        edits in prop::collection::vec(op(), 0..15),
        more in prop::collection::vec(op(), 0..10),
    ) {
        let mut lower = Fs::new();
        for o in &base_ops { run(&mut lower, o, 1); }
        let mut upper = lower.clone();
        for o in &edits { run(&mut upper, o, 2); }
        let layer = build_layer(&diff(&lower, &upper), &opts());
        let applied = apply(&lower, &layer.bytes).unwrap();
        prop_assert!(applied.same_as(&upper), "entries: {:?}", list_entries(&layer.bytes).unwrap());
        let mut top = upper.clone();
        for o in &more { run(&mut top, o, 3); }
        let layer2 = build_layer(&diff(&upper, &top), &opts());
        let stacked = apply(&applied, &layer2.bytes).unwrap();
        prop_assert!(stacked.same_as(&top));
        // Determinism: writing the same changeset twice gives the same digest.
        prop_assert_eq!(build_layer(&diff(&lower, &upper), &opts()).diff_id, layer.diff_id);
    }
}
