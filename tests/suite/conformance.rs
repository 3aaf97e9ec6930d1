//! The verdict every conformance harness ends with: the tally is printed
//! (`<source>: N passed, M failed`) and any failure not listed as known fails the test.

/// `failed` lines start with `<case id>:`; `known` lists (case id, why it is expected).
pub fn finish(source: &str, passed: usize, failed: &[String], known: &[(&str, &str)]) {
    println!("{source}: {passed} passed, {} failed", failed.len());
    let unexpected: Vec<&str> = failed
        .iter()
        .filter(|f| !known.iter().any(|(id, _)| f.starts_with(&format!("{id}:"))))
        .map(String::as_str)
        .collect();
    assert!(
        unexpected.is_empty(),
        "{source}: {} unexpected failures:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
