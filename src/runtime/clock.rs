//! The event loop's clock: `loop.time()`, timers and virtual time.
//!
//! One function reads it, [`now`]: monotonic seconds since the VM started,
//! plus the time virtual time has skipped. With `--virtual-time` the loop
//! calls [`advance`] instead of sleeping when only timers are pending, so
//! a program full of long sleeps runs at once with the same output.

use crate::vm::Vm;

/// The current time in seconds (monotonic).
pub fn now(vm: &Vm) -> f64 {
    vm.clock_start.elapsed().as_secs_f64() + vm.clock_offset
}

/// Moves the clock forward by `dt` seconds without waiting.
pub fn advance(vm: &mut Vm, dt: f64) {
    if dt > 0.0 {
        vm.clock_offset += dt;
    }
}

/// Is the VM running on virtual time?
pub fn is_virtual(vm: &Vm) -> bool {
    vm.config.virtual_time
}
