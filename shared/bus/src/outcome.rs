//! What a consumer did with one delivery: what the consumer reports and the metrics count.

/// What the consumer did with one delivery (for logs, tests and metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handler's effect committed.
    Applied,
    /// The inbox already had it: acked without running the handler.
    Duplicate,
    /// Copied to the dead-letter queue with this reason, then acked.
    DeadLettered(String),
    /// Transient attempts used up: returned to the queue for a later delivery.
    Requeued(String),
}
