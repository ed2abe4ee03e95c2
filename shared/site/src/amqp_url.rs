//! What an AMQP URL says of itself: its vhost, its user and password.

/// The vhost of an AMQP URL (`/` when it names none).
pub fn vhost_of(amqp_url: &str) -> String {
    amqp_url
        .parse::<lapin::uri::AMQPUri>()
        .map(|u| u.vhost)
        .unwrap_or_else(|_| "/".into())
}

/// The user and password of an AMQP URL (RabbitMQ's `guest`/`guest` when it names none).
pub fn credentials_of(amqp_url: &str) -> (String, String) {
    amqp_url
        .parse::<lapin::uri::AMQPUri>()
        .map(|u| (u.authority.userinfo.username, u.authority.userinfo.password))
        .unwrap_or_else(|_| ("guest".into(), "guest".into()))
}
