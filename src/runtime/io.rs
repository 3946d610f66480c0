//! The loop's I/O poller: a `mio::Poll` and a `mio::Waker`.
//!
//! The loop blocks here for the time until its next timer. Sockets will
//! register their sources and map tokens to waiting futures; the waker lets
//! other threads (thread pools, async host functions) interrupt the wait.
//! Nothing outside `src/runtime/` sees mio.

use std::time::Duration;

/// Token reserved for the waker.
const WAKER: mio::Token = mio::Token(0);

pub struct Io {
    poll: mio::Poll,
    events: mio::Events,
    /// Wakes a blocked `wait` from another thread.
    pub waker: std::sync::Arc<mio::Waker>,
    /// Number of registered I/O sources (sockets): while zero, a wait with
    /// nothing else pending could never end.
    pub registered: usize,
}

impl Io {
    /// A poller, or None if the OS refuses one (the loop then sleeps).
    pub fn new() -> Option<Io> {
        let poll = mio::Poll::new().ok()?;
        let waker = mio::Waker::new(poll.registry(), WAKER).ok()?;
        Some(Io {
            poll,
            events: mio::Events::with_capacity(256),
            waker: std::sync::Arc::new(waker),
            registered: 0,
        })
    }

    /// Waits up to `timeout` seconds (None: until an event) for I/O events
    /// or a wake-up. Interrupted waits simply return early.
    pub fn wait(&mut self, timeout: Option<f64>) {
        let timeout = timeout.map(|t| Duration::from_secs_f64(t.clamp(0.0, 86_400.0)));
        let _ = self.poll.poll(&mut self.events, timeout);
    }
}

/// Waits `timeout` seconds with the poller if there is one, else sleeps.
pub fn wait(io: Option<&mut Io>, timeout: f64) {
    match io {
        Some(io) => io.wait(Some(timeout)),
        None => std::thread::sleep(Duration::from_secs_f64(timeout.clamp(0.0, 86_400.0))),
    }
}
