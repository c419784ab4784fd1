//! Read and write benchmarks (written in a later step).

fn main() {}
