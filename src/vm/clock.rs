//! The VM's clock: the one source of "now" for `time.monotonic()`,
//! `time.perf_counter()`, `time.time()`, `time.sleep()` and the event loop.
//!
//! With real time the readings come from the operating system (the
//! monotonic clock counts from boot, as CPython's does). With virtual time
//! (`Config::virtual_time`, `aspy --virtual-time`) the clock stands still
//! while the program computes and jumps forward where it would wait: the
//! event loop jumps to its next timer when nothing is ready, `time.sleep`
//! by its duration. Readings are then reproducible whatever the machine's
//! load, and sleeping costs nothing. One exception keeps a never-idle loop
//! (tasks spawning tasks forever) from starving its timers: when the loop
//! has been busy for more than [`BUSY_CATCH_UP`] of real time since it was
//! last idle, [`Clock::catch_up`] moves the clock on by that real time.
//! The wall clock moves in step.
//!
//! Invariant: readings never go backwards.

/// How far past a deadline a jump lands. A real wake-up always comes a
/// little late, and programs rely on it (`loop.time() - start >= delay`
/// after a sleep); landing exactly on the deadline could read as a hair
/// short once the floating-point subtraction rounds.
pub const JUMP_LATENESS: f64 = 1e-6;

/// Real seconds a loop may stay busy before the virtual clock catches up.
pub const BUSY_CATCH_UP: f64 = 1.0;

/// See the module documentation.
#[derive(Clone, Debug)]
pub struct Clock {
    /// The virtual state; None when the clock is real.
    virt: Option<Virtual>,
}

#[derive(Clone, Debug)]
struct Virtual {
    /// Virtual monotonic time in seconds.
    now: f64,
    /// Real monotonic reading when the loop was last idle (or caught up).
    busy_since: f64,
    /// `now` minus real monotonic time at start-up (for the wall clock).
    wall_offset: f64,
}

impl Clock {
    /// A clock reading real time, or a virtual one starting now.
    pub fn new(virtual_time: bool) -> Clock {
        let real = real_monotonic();
        Clock {
            virt: virtual_time.then(|| Virtual {
                now: real,
                busy_since: real,
                wall_offset: real_wall() - real,
            }),
        }
    }

    /// Is this clock virtual?
    pub fn is_virtual(&self) -> bool {
        self.virt.is_some()
    }

    /// Monotonic time in seconds (`time.monotonic()`).
    pub fn monotonic(&self) -> f64 {
        match &self.virt {
            Some(v) => v.now,
            None => real_monotonic(),
        }
    }

    /// Monotonic time in nanoseconds (`time.monotonic_ns()`).
    pub fn monotonic_ns(&self) -> i128 {
        match &self.virt {
            Some(v) => (v.now * 1e9) as i128,
            None => real_ns(libc::CLOCK_MONOTONIC),
        }
    }

    /// Seconds since the epoch (`time.time()`).
    pub fn wall(&self) -> f64 {
        match &self.virt {
            Some(v) => v.now + v.wall_offset,
            None => real_wall(),
        }
    }

    /// Nanoseconds since the epoch (`time.time_ns()`).
    pub fn wall_ns(&self) -> i128 {
        match &self.virt {
            Some(_) => (self.wall() * 1e9) as i128,
            None => real_ns(libc::CLOCK_REALTIME),
        }
    }

    /// Moves a virtual clock forward by `secs`, landing just past the end as
    /// [`Clock::advance_to`] does (no effect on a real clock or for a
    /// non-positive duration).
    pub fn advance(&mut self, secs: f64) {
        if let Some(v) = &mut self.virt {
            if secs > 0.0 {
                v.now += secs + JUMP_LATENESS;
            }
        }
    }

    /// The loop is idle and would wait until monotonic time `when`: moves
    /// a virtual clock just past it ([`JUMP_LATENESS`]; never backwards), so
    /// that a timer due at `when` is due when the clock is read again, and
    /// restarts the busy measurement. No effect on a real clock.
    pub fn advance_to(&mut self, when: f64) {
        if let Some(v) = &mut self.virt {
            if when > v.now {
                v.now = when + JUMP_LATENESS;
            }
            v.busy_since = real_monotonic();
        }
    }

    /// The loop is about to run a pass with work ready: if it has been busy
    /// for more than [`BUSY_CATCH_UP`] real seconds, the virtual clock moves
    /// on by the real time that passed.
    pub fn catch_up(&mut self) {
        if let Some(v) = &mut self.virt {
            let real = real_monotonic();
            let busy = real - v.busy_since;
            if busy > BUSY_CATCH_UP {
                v.now += busy;
                v.busy_since = real;
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
        let t1 = c.monotonic();
        assert!(t1 - t0 >= 1.5 && t1 - t0 < 1.501);
        c.advance_to(t0 + 1.0);
        assert_eq!(c.monotonic(), t1);
        c.advance_to(t0 + 3.0);
        let t3 = c.monotonic();
        assert!(t3 - t0 >= 3.0 && t3 - t0 < 3.001);
        c.catch_up();
        assert_eq!(c.monotonic(), t3, "not busy long enough to catch up");
    }

    #[test]
    fn a_long_busy_stretch_catches_up() {
        let mut c = Clock::new(true);
        let t0 = c.monotonic();
        if let Some(v) = &mut c.virt {
            v.busy_since -= BUSY_CATCH_UP + 0.5;
        }
        c.catch_up();
        assert!(c.monotonic() >= t0 + BUSY_CATCH_UP + 0.5);
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
