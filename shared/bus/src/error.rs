use lapin::ErrorKind;

/// What can go wrong talking to the broker or the outbox.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("the broker at {url} is unreachable: {source}")]
    Connect { url: String, source: lapin::Error },
    /// An `amqps://` URL names a CA file (`cacertfile=`) that cannot be read.
    #[error("the CA certificate {path} for {url} cannot be read: {source}")]
    CaFile {
        url: String,
        path: String,
        source: std::io::Error,
    },
    #[error("AMQP {operation} failed: {source}")]
    Amqp {
        operation: &'static str,
        source: lapin::Error,
    },
    /// The broker refused to take responsibility for a message (basic.nack).
    #[error("the broker nacked message {message_id}")]
    Nacked { message_id: String },
    #[error("database error in {operation}: {source}")]
    Db {
        operation: &'static str,
        source: sea_orm::DbErr,
    },
    #[error("cannot encode a {message_type} message: {source}")]
    Encode {
        message_type: String,
        source: serde_json::Error,
    },
    #[error("a consumer worker failed: {0}")]
    Worker(String),
    #[error("shutting down")]
    Shutdown,
}

impl BusError {
    pub(crate) fn amqp(operation: &'static str) -> impl FnOnce(lapin::Error) -> Self {
        move |source| Self::Amqp { operation, source }
    }

    pub(crate) fn db(operation: &'static str) -> impl FnOnce(sea_orm::DbErr) -> Self {
        move |source| Self::Db { operation, source }
    }

    /// True when the broker says a queue is not there to declare: NOT_FOUND, which a cluster
    /// answers for a classic queue whose node is down.
    pub fn is_unavailable_queue(&self) -> bool {
        matches!(self, Self::Amqp { source, .. }
            if matches!(source.kind(), ErrorKind::ProtocolError(e)
                if matches!(e.kind(), lapin::protocol::AMQPErrorKind::Soft(lapin::protocol::AMQPSoftError::NOTFOUND))))
    }

    /// True when the broker refused to declare a queue that exists with other arguments
    /// (PRECONDITION_FAILED, "inequivalent arg").
    pub fn is_inequivalent_queue(&self) -> bool {
        matches!(self, Self::Amqp { source, .. }
            if matches!(source.kind(), ErrorKind::ProtocolError(e)
                if matches!(e.kind(), lapin::protocol::AMQPErrorKind::Soft(lapin::protocol::AMQPSoftError::PRECONDITIONFAILED))))
    }

    /// True when the broker or a database refused for a reason that waiting may cure.
    pub fn is_connection_loss(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Nacked { .. } => true,
            Self::Amqp { source, .. } => !matches!(source.kind(), ErrorKind::InvalidChannel(_)),
            _ => false,
        }
    }
}
