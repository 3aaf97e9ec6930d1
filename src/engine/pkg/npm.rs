//! `npm` and `yarn` (under construction).
use super::{PkgInvocation, PkgOutcome};
use crate::engine::fs::Fs;

pub(crate) fn run_npm(_fs: &mut Fs, _inv: &PkgInvocation<'_>) -> PkgOutcome {
    PkgOutcome::default()
}

pub(crate) fn run_yarn(_fs: &mut Fs, _inv: &PkgInvocation<'_>) -> PkgOutcome {
    PkgOutcome::default()
}
