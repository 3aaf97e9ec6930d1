//! `node` and `python3` (under construction).
use super::{PkgInvocation, PkgOutcome};
use crate::engine::fs::Fs;

pub(crate) fn run_node(_fs: &mut Fs, _inv: &PkgInvocation<'_>) -> PkgOutcome {
    PkgOutcome::default()
}

pub(crate) fn run_python(_fs: &mut Fs, _inv: &PkgInvocation<'_>) -> PkgOutcome {
    PkgOutcome::default()
}
