//! `pip` (under construction).
use super::{PkgInvocation, PkgOutcome};
use crate::engine::fs::Fs;

pub(crate) fn run(_fs: &mut Fs, _inv: &PkgInvocation<'_>) -> PkgOutcome {
    PkgOutcome::default()
}
