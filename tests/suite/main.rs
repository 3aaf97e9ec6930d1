//! Every host test of layerlab in one test binary (one link of the crate instead of one
//! per file: CI's disk and time). Each module is one suite; run one with a filter, e.g.
//! `cargo test --test suite cli_golden::`. The native suites (`native_*`) need
//! `--features native` and root on Linux; `scripts/test` runs them with
//! `cargo test --features native --test suite native_`.

#[cfg(all(feature = "native", target_os = "linux"))]
#[macro_use]
mod native_support;

mod analysis_layers;
mod base_images;
mod base_memo;
mod build_fuzz;
mod build_scenarios;
mod build_scratch;
mod buildkit_cli;
mod buildkit_instructions;
mod buildkit_lint;
mod buildkit_parser;
mod buildkit_shell;
mod cli_fuzz;
mod cli_golden;
mod cli_properties;
mod conformance;
mod digest_conformance;
mod examples_build;
mod fs_tree;
mod fuzz;
mod layer_oracle;
mod layer_roundtrip;
mod lessons_walkthrough;
mod native_buildcache;
mod native_cli;
mod native_containers;
mod native_exec;
mod native_oracle;
mod native_registry;
mod native_rootless;
mod native_store;
mod oci_image_spec;
mod oci_layout;
mod oci_store;
mod pkg_managers;
mod purity;
mod real_tools;
mod reference_conformance;
mod reference_grammar_differential;
mod scenario_codec;
mod scenario_fragment;
mod scenario_roundtrip;
mod shell_cases;
mod shell_layers;
mod shell_robustness;
