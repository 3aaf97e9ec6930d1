//! URL fragments: both routes parse and are produced, embeds resolve their panels and
//! theme, malformed fragments get clear errors, and the iframe snippet is safe HTML
//! whose `src` parses back to the same embed.

use layerlab::engine::examples::{NODE_API, STATIC_NGINX};
use layerlab::engine::scenario::{
    encode, iframe_snippet, Embed, Fragment, Panel, Scenario, ScenarioError, Theme,
};

fn scenario() -> Scenario {
    let mut s = Scenario::from_example(&NODE_API);
    s.commands = vec!["docker build -t my-api:1.0 .".into()];
    s
}

#[test]
fn home() {
    for f in ["", "#", "#/", "/"] {
        assert_eq!(Fragment::parse(f).unwrap(), Fragment::Home, "{f:?}");
    }
    assert_eq!(Fragment::Home.to_fragment().unwrap(), "#/");
}

#[test]
fn app_route_round_trips() {
    let s = scenario();
    let fragment = s.share_fragment().unwrap();
    assert_eq!(fragment, format!("#/s/{}", encode(&s).unwrap()));
    assert_eq!(
        Fragment::parse(&fragment).unwrap(),
        Fragment::App(s.clone())
    );
    // `location.hash` includes the `#`; a router may hand over the rest only.
    assert_eq!(Fragment::parse(&fragment[1..]).unwrap(), Fragment::App(s));
}

#[test]
fn embed_route_round_trips() {
    let s = scenario();
    let fragment = s.embed_fragment(&[Panel::Stack, Panel::Terminal]).unwrap();
    let payload = encode(&s).unwrap();
    assert_eq!(
        fragment,
        format!("#/embed?panels=stack,terminal&s={payload}")
    );
    let Fragment::Embed(embed) = Fragment::parse(&fragment).unwrap() else {
        panic!("not an embed")
    };
    assert_eq!(embed.scenario.as_ref(), Some(&s));
    assert_eq!(embed.shown_panels(), vec![Panel::Stack, Panel::Terminal]);
    assert_eq!(embed.shown_theme(), Theme::System);

    let full = Embed {
        scenario: Some(s),
        panels: Panel::ALL.to_vec(),
        theme: Some(Theme::Dark),
    };
    let text = full.to_fragment().unwrap();
    assert!(text.starts_with(
        "#/embed?panels=editor,context,build,stack,terminal,runtime,tags,registry,lifecycle&theme=dark&s=v1."
    ));
    assert_eq!(Fragment::parse(&text).unwrap(), Fragment::Embed(full));
}

#[test]
fn embed_parameters() {
    let payload = encode(&scenario()).unwrap();
    // Parameter order does not matter; `%2C` is a comma some tools escape.
    let Fragment::Embed(e) = Fragment::parse(&format!(
        "#/embed?s={payload}&theme=light&panels=runtime%2Cstack"
    ))
    .unwrap() else {
        panic!()
    };
    assert_eq!(e.panels, vec![Panel::Runtime, Panel::Stack]);
    assert_eq!(e.shown_theme(), Theme::Light);

    // No panels in the link: the scenario's, else the default set.
    let mut with_panels = scenario();
    with_panels.panels = vec![Panel::Build];
    with_panels.theme = Theme::Dark;
    let Fragment::Embed(e) =
        Fragment::parse(&format!("#/embed?s={}", encode(&with_panels).unwrap())).unwrap()
    else {
        panic!()
    };
    assert_eq!(e.shown_panels(), vec![Panel::Build]);
    assert_eq!(e.shown_theme(), Theme::Dark);
    for bare in ["#/embed", "#/embed?", "#/embed?&"] {
        let Fragment::Embed(e) = Fragment::parse(bare).unwrap() else {
            panic!()
        };
        assert_eq!(e, Embed::default());
        assert_eq!(e.shown_panels(), Panel::EMBED_DEFAULT.to_vec());
    }
    assert_eq!(Embed::default().to_fragment().unwrap(), "#/embed");
    let only_panels = Fragment::parse("#/embed?panels=lifecycle").unwrap();
    assert_eq!(
        only_panels,
        Fragment::Embed(Embed {
            scenario: None,
            panels: vec![Panel::Lifecycle],
            theme: None
        })
    );
}

#[test]
fn fragment_errors() {
    let payload = encode(&scenario()).unwrap();
    let too_long = format!("#/s/{}", "A".repeat(70_000));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown route",
            "#/settings".into(),
            "unknown page \"#/settings\"",
        ),
        ("s without slash", "#/s".into(), "unknown page \"#/s\""),
        (
            "embed typo",
            "#/embedded?s=x".into(),
            "unknown page \"#/embedded?s=x\"",
        ),
        (
            "too long",
            too_long,
            "scenario link is too long: 70004 bytes (at most 66560)",
        ),
        (
            "bad payload",
            "#/s/v1.%%%".into(),
            "not valid base64url: unexpected character '%' at offset 0",
        ),
        (
            "no marker",
            "#/s/hello".into(),
            "scenario has no version marker",
        ),
        (
            "unknown panel",
            "#/embed?panels=stack,sidebar".into(),
            "unknown panel \"sidebar\"",
        ),
        (
            "empty panel",
            "#/embed?panels=stack,,build".into(),
            "unknown panel \"\"",
        ),
        (
            "duplicate panel",
            "#/embed?panels=stack,stack".into(),
            "panel \"stack\" is listed twice",
        ),
        (
            "unknown parameter",
            "#/embed?panel=stack".into(),
            "invalid embed parameter: unknown parameter \"panel\"",
        ),
        (
            "duplicate parameter",
            format!("#/embed?s={payload}&s={payload}"),
            "invalid embed parameter: \"s\" is given twice",
        ),
        (
            "bad theme",
            "#/embed?theme=neon".into(),
            "invalid embed parameter: unknown theme \"neon\" (expected system, light or dark)",
        ),
        (
            "bad percent",
            "#/embed?panels=stack%2".into(),
            "invalid embed parameter: bad percent-encoding in \"stack%2\"",
        ),
        (
            "bad percent hex",
            "#/embed?panels=%zz".into(),
            "bad percent-encoding",
        ),
        (
            "percent not utf-8",
            "#/embed?panels=%ff".into(),
            "percent-encoding in \"%ff\" is not UTF-8",
        ),
        (
            "embed bad payload",
            "#/embed?s=v9.abc".into(),
            "unsupported scenario version \"v9\"",
        ),
    ];
    let mut failed = Vec::new();
    for (name, input, expect) in &cases {
        match Fragment::parse(input) {
            Err(e) if e.to_string() == *expect || e.to_string().contains(expect) => {}
            other => failed.push(format!("{name}: expected {expect:?}, got {other:?}")),
        }
    }
    println!(
        "scenario fragment errors: {} passed, {} failed",
        cases.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn duplicate_panels_are_not_produced() {
    let e = Embed {
        scenario: None,
        panels: vec![Panel::Stack, Panel::Stack],
        theme: None,
    };
    assert_eq!(e.to_fragment(), Err(ScenarioError::DuplicatePanel("stack")));
}

#[test]
fn share_url_replaces_the_current_fragment() {
    let s = scenario();
    let url = Fragment::App(s.clone())
        .url("https://example.org/layerlab/#/s/old")
        .unwrap();
    assert_eq!(
        url,
        format!(
            "https://example.org/layerlab/{}",
            s.share_fragment().unwrap()
        )
    );
}

#[test]
fn iframe_snippet_is_inert_html_that_round_trips() {
    let mut s = Scenario::from_example(&STATIC_NGINX);
    // Hostile text travels compressed inside the payload, never as markup.
    s.dockerfile =
        "FROM alpine\n# \"><script>alert(1)</script><img src=x onerror=alert(1)>\n".into();
    let embed = Embed {
        scenario: Some(s),
        panels: vec![Panel::Stack, Panel::Terminal],
        theme: Some(Theme::Light),
    };
    let html = iframe_snippet("https://docs.example.com/layerlab/?v=2", &embed).unwrap();
    let prefix = "<iframe src=\"https://docs.example.com/layerlab/?v=2#/embed?panels=stack,terminal&amp;theme=light&amp;s=v1.";
    assert!(html.starts_with(prefix), "{html}");
    assert!(html.ends_with(
        "\" title=\"layerlab: Docker image build and runtime\" width=\"100%\" height=\"560\" style=\"border:0\" loading=\"lazy\"></iframe>"
    ), "{html}");
    assert_eq!(html.matches('<').count(), 2, "only <iframe> and </iframe>");
    assert_eq!(
        html.matches('"').count(),
        12,
        "six attributes, no stray quotes"
    );

    let src = html
        .strip_prefix("<iframe src=\"")
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let fragment = &src[src.find('#').unwrap()..];
    assert_eq!(Fragment::parse(fragment).unwrap(), Fragment::Embed(embed));
}

#[test]
fn iframe_snippet_refuses_bad_base_urls() {
    let embed = Embed::default();
    let cases = [
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("data:text/html,x", "must start with http:// or https://"),
        ("//example.org/", "must start with http:// or https://"),
        (
            "https://example.org/\" onload=\"alert(1)",
            "characters that are not allowed",
        ),
        ("https://example.org/<x>", "characters that are not allowed"),
        ("https://exa mple.org/", "characters that are not allowed"),
    ];
    for (url, reason) in cases {
        let err = iframe_snippet(url, &embed).unwrap_err();
        assert!(
            matches!(&err, ScenarioError::InvalidBaseUrl { .. })
                && err.to_string().contains(reason),
            "{url}: {err}"
        );
    }
    let long = format!("https://example.org/{}", "a".repeat(3000));
    assert!(iframe_snippet(&long, &embed)
        .unwrap_err()
        .to_string()
        .ends_with(": too long"));
    // Scheme case does not matter (RFC 3986 §3.1).
    assert!(iframe_snippet("HTTPS://example.org/", &embed).is_ok());
}
