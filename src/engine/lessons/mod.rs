//! Guided lessons.
