//! A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`, ...), shared by the load test and the
//! memory bench (`#[path]`-included).

/// The value of `field` (without the colon), in KiB; `None` where /proc is missing.
pub(crate) fn kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
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
