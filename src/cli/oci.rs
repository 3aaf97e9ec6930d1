//! `layerlab load` and `layerlab save` (filled in below).

pub fn load(_args: &[String]) -> i32 {
    eprintln!("layerlab load: not implemented yet");
    1
}

pub fn save(_args: &[String]) -> i32 {
    eprintln!("layerlab save: not implemented yet");
    1
}
