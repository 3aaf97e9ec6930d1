//! stub
pub fn run(_args: &[String]) -> Option<i32> {
    None
}
