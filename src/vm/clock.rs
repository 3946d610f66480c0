//! The VM's clock: the one source of "now" for `time.monotonic()`,
//! `time.perf_counter()`, `time.time()`, `time.sleep()` and the event loop.
//!
//! With real time the readings come from the operating system (the
//! monotonic clock counts from boot, as CPython's does). With virtual time
//! (`Config::virtual_time`, `aspy --virtual-time`) idle time is skipped: the
//! clock runs with real time, and whoever would wait jumps it forward
//! instead (the event loop to its next timer when nothing is ready,
//! `time.sleep` by its duration), so sleeping costs nothing while a busy
//! program still sees time pass (a loop that is never idle, such as tasks
//! spawning tasks forever, still reaches its timers). The wall clock moves
//! in step.
//!
//! Invariant: readings never go backwards.

/// See the module documentation.
#[derive(Clone, Debug)]
pub struct Clock {
    /// Seconds skipped so far; None when the clock is real.
    skipped: Option<f64>,
}

impl Clock {
    /// A clock reading real time, or a virtual one (nothing skipped yet).
    pub fn new(virtual_time: bool) -> Clock {
        Clock {
            skipped: virtual_time.then_some(0.0),
        }
    }

    /// Is this clock virtual?
    pub fn is_virtual(&self) -> bool {
        self.skipped.is_some()
    }

    /// Monotonic time in seconds (`time.monotonic()`).
    pub fn monotonic(&self) -> f64 {
        real_monotonic() + self.skipped.unwrap_or(0.0)
    }

    /// Monotonic time in nanoseconds (`time.monotonic_ns()`).
    pub fn monotonic_ns(&self) -> i128 {
        real_ns(libc::CLOCK_MONOTONIC) + self.skipped_ns()
    }

    /// Seconds since the epoch (`time.time()`).
    pub fn wall(&self) -> f64 {
        real_wall() + self.skipped.unwrap_or(0.0)
    }

    /// Nanoseconds since the epoch (`time.time_ns()`).
    pub fn wall_ns(&self) -> i128 {
        real_ns(libc::CLOCK_REALTIME) + self.skipped_ns()
    }

    fn skipped_ns(&self) -> i128 {
        (self.skipped.unwrap_or(0.0) * 1e9) as i128
    }

    /// Moves a virtual clock forward by `secs` (no effect on a real clock
    /// or for a non-positive duration).
    pub fn advance(&mut self, secs: f64) {
        if let Some(skipped) = &mut self.skipped {
            if secs > 0.0 {
                *skipped += secs;
            }
        }
    }

    /// Moves a virtual clock forward to at least monotonic time `when`, so
    /// that a timer due at `when` is due when the clock is read again.
    /// Never moves it backwards; no effect on a real clock.
    pub fn advance_to(&mut self, when: f64) {
        if let Some(skipped) = &mut self.skipped {
            let now = real_monotonic() + *skipped;
            if when > now {
                *skipped += when - now;
            }
        }
    }
}

/// Nanoseconds on one of the operating system's clocks.
pub fn real_ns(clock: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only writes it.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

fn real_monotonic() -> f64 {
    timespec_secs(libc::CLOCK_MONOTONIC)
}

fn real_wall() -> f64 {
    timespec_secs(libc::CLOCK_REALTIME)
}

/// Seconds as CPython computes them from a reading: nanoseconds / 1e9.
pub fn timespec_secs(clock: libc::clockid_t) -> f64 {
    real_ns(clock) as f64 / 1e9
}

impl super::Vm {
    /// Monotonic seconds on the VM's clock (virtual under `--virtual-time`).
    pub fn clock_now(&self) -> f64 {
        self.clock.monotonic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_skips_forward_when_advanced() {
        let mut c = Clock::new(true);
        let t0 = c.monotonic();
        c.advance(1.5);
        let t1 = c.monotonic();
        assert!(t1 >= t0 + 1.5 && t1 < t0 + 2.5);
        c.advance_to(t0 + 1.0);
        assert!(c.monotonic() >= t1);
        c.advance_to(t0 + 3600.0);
        let t2 = c.monotonic();
        assert!(t2 >= t0 + 3600.0 && t2 < t0 + 3601.0);
        assert!((c.wall() - real_wall() - (t2 - real_monotonic())).abs() < 1.0);
    }

    #[test]
    fn real_clock_does_not_go_backwards() {
        let c = Clock::new(false);
        let a = c.monotonic();
        let b = c.monotonic();
        assert!(b >= a);
        assert!(!c.is_virtual());
    }
}
