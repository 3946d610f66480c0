//! The event loop's view of the VM's clock (`vm/clock.rs`): `loop.time()`,
//! timers and virtual time all read the same clock as `time.monotonic()`.
//! With `--virtual-time` the loop calls [`advance_to`] instead of sleeping
//! when only timers are pending, so a program full of long sleeps runs at
//! once with the same output.

use crate::vm::Vm;

/// The current time in seconds (monotonic; virtual under `--virtual-time`).
pub fn now(vm: &Vm) -> f64 {
    vm.clock_now()
}

/// Jumps a virtual clock to `when` (exactly, so a timer due then is due).
pub fn advance_to(vm: &mut Vm, when: f64) {
    vm.clock.advance_to(when);
}

/// A pass with work ready is starting (virtual time catches up after a
/// long busy stretch; see `vm/clock.rs`).
pub fn catch_up(vm: &mut Vm) {
    vm.clock.catch_up();
}

/// Is the VM running on virtual time?
pub fn is_virtual(vm: &Vm) -> bool {
    vm.clock.is_virtual()
}
