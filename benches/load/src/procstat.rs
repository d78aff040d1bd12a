//! What the tool reads about processes from `/proc`: CPU time (`utime + stime` of
//! `/proc/<pid>/stat`, in clock ticks) and resident memory (`VmRSS` of `/proc/<pid>/status`),
//! plus the open-file limit and thread pinning.

use std::io;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Clock ticks per second (`getconf CLK_TCK`), from the process's auxiliary vector.
pub fn ticks_per_second() -> u64 {
    rustix::param::clock_ticks_per_second().max(1)
}

pub fn ticks_to_us(ticks: u64) -> u64 {
    ticks.saturating_mul(1_000_000) / ticks_per_second()
}

/// User and system CPU time, in clock ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    pub user: u64,
    pub system: u64,
}

impl CpuTimes {
    pub fn total(&self) -> u64 {
        self.user + self.system
    }

    pub fn since(&self, earlier: CpuTimes) -> CpuTimes {
        CpuTimes { user: self.user.saturating_sub(earlier.user), system: self.system.saturating_sub(earlier.system) }
    }

    pub fn add(&mut self, o: CpuTimes) {
        self.user += o.user;
        self.system += o.system;
    }
}

/// `utime` and `stime` from the text of a `stat` file.
pub fn parse_stat_times(stat: &str) -> Option<CpuTimes> {
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    // After the name: state(3) ... utime(14) stime(15); `rest` starts at field 3.
    let user: u64 = fields.nth(11)?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(CpuTimes { user, system })
}

/// `utime + stime` from the text of a `stat` file.
pub fn parse_stat_cpu(stat: &str) -> Option<u64> {
    parse_stat_times(stat).map(|t| t.total())
}

/// `VmRSS` in bytes from the text of a `status` file.
pub fn parse_status_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line["VmRSS:".len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

fn read(path: &str) -> io::Result<String> {
    std::fs::read_to_string(path)
}

fn invalid(path: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("unexpected format of {path}"))
}

/// CPU ticks used so far by process `pid`.
pub fn cpu_ticks(pid: u32) -> io::Result<u64> {
    let path = format!("/proc/{pid}/stat");
    parse_stat_cpu(&read(&path)?).ok_or_else(|| invalid(&path))
}

/// CPU time used so far by the calling thread.
pub fn thread_cpu() -> CpuTimes {
    read("/proc/thread-self/stat").ok().and_then(|s| parse_stat_times(&s)).unwrap_or_default()
}

pub fn rss_bytes(pid: u32) -> io::Result<u64> {
    let path = format!("/proc/{pid}/status");
    parse_status_rss(&read(&path)?).ok_or_else(|| invalid(&path))
}

/// One look at a process.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sample {
    pub cpu_ticks: u64,
    pub rss_bytes: u64,
}

pub fn sample(pid: u32) -> io::Result<Sample> {
    Ok(Sample { cpu_ticks: cpu_ticks(pid)?, rss_bytes: rss_bytes(pid)? })
}

/// Waits until the RSS of `pid` stops moving: the spread of the last five samples (200 ms
/// apart) within 0.5 % or 64 KiB. Returns the last sample and whether it settled before
/// `max_wait`.
pub fn settle_rss(pid: u32, max_wait: Duration) -> io::Result<(u64, bool)> {
    const WINDOW: usize = 5;
    let end = Instant::now() + max_wait;
    let mut window = Vec::with_capacity(WINDOW);
    loop {
        let rss = rss_bytes(pid)?;
        if window.len() == WINDOW {
            window.remove(0);
        }
        window.push(rss);
        if window.len() == WINDOW {
            let (lo, hi) = window.iter().fold((u64::MAX, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            if hi - lo <= (hi / 200).max(64 << 10) {
                return Ok((rss, true));
            }
        }
        if Instant::now() >= end {
            return Ok((rss, false));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Raises the soft open-file limit to the hard one. Returns (soft, hard) after.
pub fn raise_nofile_limit() -> (Option<u64>, Option<u64>) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let _ = setrlimit(Resource::Nofile, Rlimit { current: limit.maximum, maximum: limit.maximum });
    }
    let after = getrlimit(Resource::Nofile);
    (after.current, after.maximum)
}

/// Pins the calling thread to one CPU.
pub fn pin_thread(cpu: usize) -> io::Result<()> {
    let mut set = rustix::thread::CpuSet::new();
    set.set(cpu);
    rustix::thread::sched_setaffinity(None, &set).map_err(io::Error::from)
}

/// The local port range (`/proc/sys/net/ipv4/ip_local_port_range`): how many connections one
/// source address can open to one server.
pub fn ephemeral_ports() -> u64 {
    read("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_ascii_whitespace().map(|v| v.parse::<u64>().ok());
            let (lo, hi) = (it.next()??, it.next()??);
            Some(hi.saturating_sub(lo) + 1)
        })
        .unwrap_or(28_232)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_a_tricky_name() {
        let stat = "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0 5 123456 789 18446744073709551615";
        assert_eq!(parse_stat_cpu(stat), Some(325));
        assert_eq!(parse_stat_cpu("garbage"), None);
    }

    #[test]
    fn parses_status() {
        let status = "Name:\tliveplug\nVmPeak:\t  999 kB\nVmRSS:\t   20480 kB\nThreads:\t3\n";
        assert_eq!(parse_status_rss(status), Some(20480 * 1024));
        assert_eq!(parse_status_rss("Name: x\n"), None);
    }

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        let s = sample(me).unwrap();
        assert!(s.rss_bytes > 0);
        assert!(ticks_per_second() >= 1);
        let _ = thread_cpu();
        let (soft, hard) = raise_nofile_limit();
        assert_eq!(soft, hard);
    }
}
