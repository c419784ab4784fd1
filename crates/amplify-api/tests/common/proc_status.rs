//! A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`, ...), shared by the load test and the
//! memory bench (`#[path]`-included).

/// The value of `field` (without the colon) for this process, in KiB; `None` where /proc is
/// missing.
pub(crate) fn kib(field: &str) -> Option<u64> {
    read("/proc/self/status", field)
}

/// The value of `field` for the process `pid` (a child), in KiB; `None` once it has gone.
pub(crate) fn kib_of(pid: u32, field: &str) -> Option<u64> {
    read(&format!("/proc/{pid}/status"), field)
}

fn read(path: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    status.lines().find_map(|line| {
        line.strip_prefix(field)?
            .strip_prefix(':')?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    })
}
