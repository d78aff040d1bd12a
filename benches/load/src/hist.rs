//! A log-linear latency histogram: exact below 128 ns, then 128 sub-buckets per power of two
//! (under 0.8 % relative error). Recording is a few integer operations and never allocates once
//! the range has been seen; histograms merge by addition and travel between processes as a
//! sparse list.

use std::time::Duration;

use serde::{Deserialize, Serialize};

const SUB_BITS: u32 = 7;
const SUB: usize = 1 << SUB_BITS;

/// Latencies in nanoseconds.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum: u64,
    max: u64,
}

fn index(v: u64) -> usize {
    if v < SUB as u64 {
        v as usize
    } else {
        let exp = 63 - v.leading_zeros();
        let shift = exp - SUB_BITS;
        let sub = (v >> shift) as usize - SUB;
        SUB + shift as usize * SUB + sub
    }
}

/// The smallest value of bucket `idx` and the bucket's width.
fn bounds(idx: usize) -> (u64, u64) {
    if idx < SUB {
        (idx as u64, 1)
    } else {
        let shift = ((idx - SUB) / SUB) as u32;
        let sub = ((idx - SUB) % SUB) as u64;
        ((SUB as u64 + sub) << shift, 1 << shift)
    }
}

impl Histogram {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&mut self, d: Duration) {
        self.record_nanos(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    pub fn record_nanos(&mut self, v: u64) {
        let i = index(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.count += 1;
        self.sum = self.sum.saturating_add(v);
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.sum = self.sum.saturating_add(other.sum);
        self.max = self.max.max(other.max);
    }

    /// The value at quantile `q` (0..=1), in nanoseconds: the middle of its bucket, at most the
    /// largest value recorded.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        if rank >= self.count {
            return self.max;
        }
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (low, width) = bounds(i);
                return (low + width / 2).min(self.max);
            }
        }
        self.max
    }

    pub fn mean(&self) -> f64 {
        if self.count == 0 { 0.0 } else { self.sum as f64 / self.count as f64 }
    }

    /// The summary every report prints.
    pub fn summary(&self) -> Latency {
        let us = |ns: u64| (ns as f64 / 100.0).round() / 10.0;
        Latency {
            count: self.count,
            mean_us: (self.mean() / 100.0).round() / 10.0,
            p50_us: us(self.quantile(0.50)),
            p90_us: us(self.quantile(0.90)),
            p99_us: us(self.quantile(0.99)),
            max_us: us(self.max),
        }
    }

    pub fn to_wire(&self) -> HistWire {
        HistWire {
            buckets: self.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| (i as u32, *c)).collect(),
            sum: self.sum,
            max: self.max,
        }
    }

    pub fn from_wire(wire: &HistWire) -> Self {
        let mut h = Histogram::new();
        for &(i, c) in &wire.buckets {
            let i = i as usize;
            // A bucket past any value a u64 can hold is not from us: ignore it.
            if i > index(u64::MAX) {
                continue;
            }
            if i >= h.counts.len() {
                h.counts.resize(i + 1, 0);
            }
            h.counts[i] += c;
            h.count += c;
        }
        h.sum = wire.sum;
        h.max = wire.max;
        h
    }
}

/// A histogram as it travels from a worker process to its parent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistWire {
    pub buckets: Vec<(u32, u64)>,
    pub sum: u64,
    pub max: u64,
}

/// Percentiles in microseconds (0.1 µs resolution).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Latency {
    pub count: u64,
    pub mean_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order() {
        let mut last = 0;
        for v in (0..10_000u64).chain([1 << 20, (1 << 20) + 1, u64::MAX / 3, u64::MAX]) {
            let i = index(v);
            assert!(i >= last, "{v}");
            last = i;
            let (low, width) = bounds(i);
            assert!(low <= v && v - low < width, "{v}: bucket {i} = {low}+{width}");
        }
    }

    #[test]
    fn quantiles_are_within_one_percent() {
        let mut h = Histogram::new();
        for v in 1..=100_000u64 {
            h.record_nanos(v * 1000);
        }
        for (q, want) in [(0.5, 50_000_000.0), (0.9, 90_000_000.0), (0.99, 99_000_000.0)] {
            let got = h.quantile(q) as f64;
            assert!((got - want).abs() / want < 0.01, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.quantile(1.0), 100_000_000);
        let s = h.summary();
        assert_eq!(s.count, 100_000);
        assert!((s.mean_us - 50_000.5).abs() < 0.2, "{}", s.mean_us);
    }

    #[test]
    fn merges_and_round_trips_through_the_wire() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for v in 0..1000 {
            a.record_nanos(v);
            b.record_nanos(v * 1_000_000);
        }
        a.merge(&b);
        let back = Histogram::from_wire(&serde_json::from_str(&serde_json::to_string(&a.to_wire()).unwrap()).unwrap());
        assert_eq!(back.count(), 2000);
        assert_eq!(back.summary(), a.summary());
    }
}
