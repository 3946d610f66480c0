//! The VM's clock: the one source of "now" for `time.monotonic()`,
//! `time.perf_counter()`, `time.time()`, `time.sleep()` and the event loop.
//!
//! With real time the readings come from the operating system (the
//! monotonic clock counts from boot, as CPython's does). With virtual time
//! (`Config::virtual_time`, `aspy --virtual-time`) the clock only moves when
//! someone advances it: the event loop jumps to its next timer and
//! `time.sleep` adds its duration, so a program's timings are reproducible
//! and sleeping costs nothing. The virtual clock starts at the real reading
//! taken when the VM was created; the wall clock then runs in step with it.
//!
//! Invariant: readings never go backwards.

/// See the module documentation.
#[derive(Clone, Debug)]
pub struct Clock {
    /// Virtual monotonic time in seconds; None when the clock is real.
    virtual_now: Option<f64>,
    /// Real monotonic reading (seconds) when the VM started.
    mono_start: f64,
    /// Real wall-clock reading (seconds since the epoch) at the same moment.
    wall_start: f64,
}

impl Clock {
    /// A clock reading real time, or a virtual one starting now.
    pub fn new(virtual_time: bool) -> Clock {
        let mono_start = real_monotonic();
        Clock {
            virtual_now: virtual_time.then_some(mono_start),
            mono_start,
            wall_start: real_wall(),
        }
    }

    /// Is this clock virtual?
    pub fn is_virtual(&self) -> bool {
        self.virtual_now.is_some()
    }

    /// Monotonic time in seconds (`time.monotonic()`).
    pub fn monotonic(&self) -> f64 {
        self.virtual_now.unwrap_or_else(real_monotonic)
    }

    /// Monotonic time in nanoseconds (`time.monotonic_ns()`).
    pub fn monotonic_ns(&self) -> i128 {
        match self.virtual_now {
            Some(t) => (t * 1e9) as i128,
            None => real_ns(libc::CLOCK_MONOTONIC),
        }
    }

    /// Seconds since the epoch (`time.time()`).
    pub fn wall(&self) -> f64 {
        match self.virtual_now {
            Some(t) => self.wall_start + (t - self.mono_start),
            None => real_wall(),
        }
    }

    /// Nanoseconds since the epoch (`time.time_ns()`).
    pub fn wall_ns(&self) -> i128 {
        match self.virtual_now {
            Some(_) => (self.wall() * 1e9) as i128,
            None => real_ns(libc::CLOCK_REALTIME),
        }
    }

    /// Moves a virtual clock forward by `secs` (no effect on a real clock
    /// or for a non-positive duration).
    pub fn advance(&mut self, secs: f64) {
        if let Some(t) = &mut self.virtual_now {
            if secs > 0.0 {
                *t += secs;
            }
        }
    }

    /// Moves a virtual clock forward to monotonic time `when` exactly, so
    /// that a timer due at `when` is due when the clock is read again.
    /// Never moves it backwards; no effect on a real clock.
    pub fn advance_to(&mut self, when: f64) {
        if let Some(t) = &mut self.virtual_now {
            if when > *t {
                *t = when;
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
    fn virtual_clock_moves_only_when_advanced() {
        let mut c = Clock::new(true);
        let t0 = c.monotonic();
        assert_eq!(c.monotonic(), t0);
        c.advance(1.5);
        assert_eq!(c.monotonic(), t0 + 1.5);
        c.advance_to(t0 + 1.0);
        assert_eq!(c.monotonic(), t0 + 1.5);
        c.advance_to(t0 + 3.0);
        assert_eq!(c.monotonic(), t0 + 3.0);
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
