//! Property tests (modest case counts): any valid scenario survives both encodings and
//! both fragment forms unchanged; any string, and any corruption of a valid link, is
//! refused or accepted without a panic; and a shared link replays to the same images.

use layerlab::engine::examples::NODE_API;
use layerlab::engine::scenario::{
    decode, encode, from_json, to_json, Embed, Fragment, LessonProgress, Panel, Scenario, Theme,
};
use proptest::prelude::*;

const TAGS: &[&str] = &[
    "",
    "my-api:1.0",
    "nginx",
    "registry.example.com/team/app:v2",
    "localhost:5000/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
];

fn scenarios() -> impl Strategy<Value = Scenario> {
    let files = prop::collection::vec(
        (
            prop::collection::vec("[A-Za-z0-9_-][A-Za-z0-9._ -]{0,11}", 1..4),
            ".{0,60}",
        ),
        0..6,
    )
    // A distinct first component per file keeps paths unique and conflict-free.
    .prop_map(|files| {
        files
            .into_iter()
            .enumerate()
            .map(|(i, (mut parts, text))| {
                parts[0] = format!("{i}{}", parts[0]);
                (parts.join("/"), text)
            })
            .collect::<Vec<_>>()
    });
    (
        ".{0,200}",
        files,
        prop::sample::select(TAGS),
        prop::collection::vec("[^\\p{Cc}]{0,40}", 0..6),
        prop::option::of(("[a-z0-9-]{1,20}", 0u32..1000)),
        prop::sample::subsequence(Panel::ALL.to_vec(), 0..=Panel::ALL.len()),
        prop::sample::select(vec![Theme::System, Theme::Light, Theme::Dark]),
    )
        .prop_map(
            |(dockerfile, context, tag, commands, lesson, panels, theme)| Scenario {
                version: 1,
                dockerfile,
                context,
                tag: tag.to_string(),
                commands,
                lesson: lesson.map(|(id, step)| LessonProgress { id, step }),
                panels,
                theme,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn encodings_round_trip(s in scenarios()) {
        prop_assert_eq!(decode(&encode(&s).unwrap()).unwrap(), s.clone());
        prop_assert_eq!(from_json(&to_json(&s).unwrap()).unwrap(), s.clone());
    }

    #[test]
    fn fragments_round_trip(s in scenarios(), theme in prop::option::of(prop::sample::select(vec![Theme::Light, Theme::Dark]))) {
        let app = Fragment::App(s.clone());
        prop_assert_eq!(Fragment::parse(&app.to_fragment().unwrap()).unwrap(), app);
        let embed = Fragment::Embed(Embed { panels: s.panels.clone(), scenario: Some(s), theme });
        prop_assert_eq!(Fragment::parse(&embed.to_fragment().unwrap()).unwrap(), embed);
    }

    #[test]
    fn any_fragment_is_handled(text in ".{0,300}") {
        let _ = Fragment::parse(&text);
        let _ = Fragment::parse(&format!("#/s/v1.{text}"));
        let _ = Fragment::parse(&format!("#/embed?{text}"));
        let _ = from_json(&text);
    }

    #[test]
    fn corrupted_links_are_handled(s in scenarios(), at in any::<prop::sample::Index>(), byte in 0u8..128) {
        let link = encode(&s).unwrap();
        let mut bytes = link.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(text) = String::from_utf8(bytes.clone()) {
            if let Ok(back) = decode(&text) {
                // Whatever a corrupted link decodes to is itself a valid scenario.
                prop_assert!(back.validate().is_ok());
            }
        }
        bytes.truncate(i);
        if let Ok(text) = String::from_utf8(bytes) {
            let _ = decode(&text);
        }
    }
}

/// The point of sharing: the same link gives the same images, containers and output
/// in any browser, because only inputs travel and the engine is deterministic.
#[test]
fn a_shared_link_replays_to_identical_results() {
    let mut s = Scenario::from_example(&NODE_API);
    s.commands = vec![
        "docker build -t my-api:1.0 .".into(),
        "docker tag my-api:1.0 registry.example.com/team/my-api:1.0".into(),
        "docker run -d --name api-1 -p 8080:3000 my-api:1.0".into(),
        "docker exec api-1 sh -c 'echo hi > /tmp/log.txt'".into(),
        "docker diff api-1".into(),
        "docker images --no-trunc".into(),
    ];
    let link = s.share_fragment().unwrap();
    let run = |link: &str| {
        let Fragment::App(s) = Fragment::parse(link).unwrap() else {
            panic!("not an app link")
        };
        let mut world = s.world().unwrap();
        let outputs = s.replay(&mut world);
        for (cmd, out) in s.commands.iter().zip(&outputs) {
            assert_eq!(out.exit_code, 0, "{cmd}: {}", out.stderr);
        }
        outputs.into_iter().map(|o| o.stdout).collect::<Vec<_>>()
    };
    let first = run(&link);
    assert!(first[4].contains("A /tmp/log.txt"), "{}", first[4]);
    assert!(first[5].contains("sha256:"), "{}", first[5]);
    assert_eq!(first, run(&link));
}

#[test]
fn world_uses_the_scenarios_files() {
    let mut s = Scenario::from_example(&NODE_API);
    s.context.push(("docs/readme.md".into(), "# hi\n".into()));
    let world = s.world().unwrap();
    assert_eq!(world.dockerfile, NODE_API.dockerfile);
    assert_eq!(
        world.context.read_text("docs/readme.md").as_deref(),
        Some("# hi\n")
    );
    s.context.push(("/abs".into(), String::new()));
    assert!(s.world().is_err());
}
