//! The actor workloads (actor_latency, actor_throughput_8) as every Rust peer runs them: the
//! Tokio tutorial's manager task, with u64 keys and values, owning a std HashMap (default
//! SipHash hasher: what a Tokio user writes). Each peer supplies only the channels: a bounded
//! command channel of capacity [`COMMAND_CAPACITY`] and, per request, its library's reply
//! channel carried in [`Command::reply`].
//!
//! Client `id`, round trip i: even i sets key (id, i/2 % 1024) to i, odd i gets it back and
//! checks it is i - 1.

use std::collections::HashMap;

use crate::die;

/// Capacity of the command channel (Tokio peer: `mpsc::channel(32)`).
pub const COMMAND_CAPACITY: usize = 32;

/// The concurrent clients of actor_throughput_8 (actor_latency has 1).
pub const THROUGHPUT_CLIENTS: u64 = 8;

/// What the actor answers for a key it does not hold.
pub const MISSING: u64 = !0;

/// One request; `R` is the peer's reply sender.
pub struct Command<R> {
    pub set: bool,
    pub key: u64,
    pub value: u64,
    pub reply: R,
}

impl<R> Command<R> {
    /// Client `id`'s request number `i`, answered through `reply`.
    #[inline]
    pub fn new(id: u64, i: u64, reply: R) -> Self {
        Command {
            set: i % 2 == 0,
            key: (id << 32) | ((i / 2) % 1024),
            value: i,
            reply,
        }
    }
}

/// Dies unless `reply` is the right answer to request number `i` (a get must return the
/// value the previous set stored; a set's answer is not checked).
#[inline]
pub fn check_reply(i: u64, reply: u64) {
    if i % 2 == 1 && reply != i - 1 {
        die("actor client: get returned a wrong value");
    }
}

/// The actor's state.
#[derive(Default)]
pub struct Store {
    map: HashMap<u64, u64>,
}

impl Store {
    /// Applies a command; returns its answer (the previous value for a set).
    #[inline]
    pub fn apply<R>(&mut self, cmd: &Command<R>) -> u64 {
        if cmd.set {
            self.map.insert(cmd.key, cmd.value).unwrap_or(MISSING)
        } else {
            self.map.get(&cmd.key).copied().unwrap_or(MISSING)
        }
    }
}

/// Round trips per client: max(n / clients, 1).
pub fn per_client(clients: u64, n: u64) -> u64 {
    (n / clients).max(1)
}

/// Dies unless the clients together did `per * clients` round trips; returns that total.
pub fn check_total(total: u64, per: u64, clients: u64) -> u64 {
    if total != per * clients {
        die("actor: wrong round trips");
    }
    total
}
