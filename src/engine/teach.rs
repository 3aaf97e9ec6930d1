//! Teaching text: short explanations the UI shows next to what the engine computed.

/// Why a build-check rule matters, in terms of layers, caching and runtime.
pub fn why_rule_matters(rule: &str) -> &'static str {
    match rule {
        "JSONArgsRecommended" => {
            "Shell-form CMD/ENTRYPOINT runs under /bin/sh -c: the shell becomes PID 1, so your app does not receive SIGTERM on docker stop. The JSON form runs it directly."
        }
        "LegacyKeyValueFormat" => {
            "`ENV key value` is the legacy form; `ENV key=value` is unambiguous and lets several variables share one instruction (one history entry)."
        }
        "FromAsCasing" | "ConsistentInstructionCasing" | "StageNameCasing" => {
            "Casing does not change the image, but consistent keywords make the Dockerfile easier to read and review."
        }
        "DuplicateStageName" | "ReservedStageName" => {
            "COPY --from and --target refer to stages by name: a duplicate or reserved name makes the reference ambiguous."
        }
        "UndefinedVar" => {
            "An undefined variable expands to an empty string at build time, silently changing paths or commands baked into the layers."
        }
        "UndefinedArgInFrom" | "InvalidDefaultArgInFrom" => {
            "FROM is resolved before the build starts; an ARG without a usable value there makes the base image reference invalid."
        }
        "WorkdirRelativePath" => {
            "A relative WORKDIR depends on every WORKDIR before it (including the base image's), so files may land somewhere unexpected."
        }
        "MultipleInstructionsDisallowed" => {
            "Only the last CMD, ENTRYPOINT or HEALTHCHECK counts: the earlier ones are dead metadata."
        }
        "MaintainerDeprecated" => {
            "MAINTAINER only sets the author field; a LABEL (org.opencontainers.image.authors) is the current way."
        }
        "SecretsUsedInArgOrEnv" => {
            "ARG and ENV values are stored in the image config and history: anyone who pulls the image can read them. Use build secrets instead."
        }
        "ExposeProtoCasing" | "ExposeInvalidFormat" => {
            "EXPOSE is metadata only (it publishes nothing); a malformed value documents the wrong port."
        }
        "NoEmptyContinuation" => {
            "An empty line inside a continuation is ignored today but is a likely mistake, and future versions may reject it."
        }
        "CopyIgnoredFile" => {
            "The file is excluded by .dockerignore, so it is not in the build context and the COPY cannot see it."
        }
        "RedundantTargetPlatform" | "FromPlatformFlagConstDisallowed" => {
            "A constant --platform pins the base image for every build, defeating multi-platform builds."
        }
        _ => "See the rule's documentation for why it matters.",
    }
}
