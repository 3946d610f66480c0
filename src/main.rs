//! The `aspy` command-line tool: a thin client of the library.

fn main() {
    println!("aspy {}", env!("CARGO_PKG_VERSION"));
}
