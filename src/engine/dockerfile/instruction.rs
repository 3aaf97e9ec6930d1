//! (under construction)
pub struct Dockerfile;
pub enum Instruction {}
pub struct Stage;
