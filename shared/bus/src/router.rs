//! What a service handles, declared once: the queue's bindings and the dispatch both come
//! from one list.
//!
//! ```ignore
//! let router = Router::new(Cards, settings.region.as_deref())
//!     // S22.1: the printed card reaches the petugas_distribusi.
//!     .route::<CardPrinted>(PRINTED, Scope::Region, received);
//! let queue = QueueSpec::new(QUEUE, router.bindings());
//!
//! async fn received(ctx: &Context<'_, Cards>, card: CardPrinted) -> Result<(), HandlerError> {
//!     // … ctx.txn for the effect, ctx.outbox.push(…) for what it sends on …
//! }
//! ```
//!
//! A route names the message type (its `type` property, `<kind>.v<version>`), the subject it
//! comes on, the scope of the binding (the service's region, or every region) and the
//! handler, an `async fn` that gets a [`Context`] and the decoded body. The [`Router`] is the
//! consumer's [`Handler`]: a delivery goes to the route of its type and of the subject of its
//! routing key; a body that does not decode, or a message no route takes, is a permanent
//! failure (dead-lettered with the reason), as it always was. A dead letter put back on its
//! queue by name (the dead-letters runbook's replay) comes with the queue's name as its key:
//! it is routed by the key it first came with, which the dead-lettering kept in a header.

use crate::{Handler, HandlerError, Incoming, Message, RoutingKey, outbox::Outbox};
use sea_orm::DatabaseTransaction;
use std::{future::Future, marker::PhantomData, pin::Pin};

/// Which routing keys of a subject a route's binding takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Those under the service's region (`subject.32.73.#`); every region when the service
    /// has none (a single-site deployment).
    Region,
    /// Every region (`subject.#`): replies and national subjects.
    Any,
}

/// What a handler is given for one message: where its effect goes, where what it sends goes,
/// what it was sent, and the service it runs in.
pub struct Context<'a, S> {
    /// The consumer's transaction: the effect commits with the inbox row, or not at all.
    pub txn: &'a DatabaseTransaction,
    /// Messages pushed here leave once the transaction commits (none if it rolls back).
    pub outbox: &'a Outbox,
    /// The delivery: headers, ids.
    pub message: &'a Incoming,
    /// The routing key the message is routed by (see [`Context::routing_key`]).
    routing_key: &'a str,
    /// The service's own state (its key, its mode, its desks).
    pub service: &'a S,
    /// The region the service serves (its bindings' [`Scope::Region`]), if it has one.
    pub region: Option<&'a str>,
}

impl<S> Context<'_, S> {
    /// The routing key the message came with: the one it was published with, also for a dead
    /// letter put back on its queue.
    pub fn routing_key(&self) -> &str {
        self.routing_key
    }
}

/// A boxed future of a handler's result.
pub type Handling<'a> = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'a>>;

/// An `async fn(&Context<'_, S>, M) -> Result<(), HandlerError>`, for any lifetime of the
/// context: what [`Router::route`] takes. (The future's type depends on the lifetime, which a
/// plain `Fn` bound cannot say; this trait names it.)
pub trait HandlerFn<'a, S: 'a, M>: Send + Sync + 'static {
    type Future: Future<Output = Result<(), HandlerError>> + Send + 'a;
    fn call(&self, ctx: &'a Context<'a, S>, message: M) -> Self::Future;
}

impl<'a, S: 'a, M, F, Fut> HandlerFn<'a, S, M> for F
where
    F: Fn(&'a Context<'a, S>, M) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'a,
{
    type Future = Fut;
    fn call(&self, ctx: &'a Context<'a, S>, message: M) -> Fut {
        self(ctx, message)
    }
}

/// One route with its message type erased: decodes the body, then calls the handler.
trait Call<S>: Send + Sync {
    fn call<'a>(&'a self, ctx: &'a Context<'a, S>) -> Handling<'a>;
}

struct Typed<M, F> {
    handler: F,
    message: PhantomData<fn() -> M>,
}

impl<S, M, F> Call<S> for Typed<M, F>
where
    S: Sync + 'static,
    M: Message + 'static,
    F: for<'a> HandlerFn<'a, S, M>,
{
    fn call<'a>(&'a self, ctx: &'a Context<'a, S>) -> Handling<'a> {
        Box::pin(async move {
            let body = ctx.message.decode::<M>()?;
            self.handler.call(ctx, body).await
        })
    }
}

/// One line of the list: a message type on a subject, in a scope, and who handles it.
struct Route<S> {
    message_type: String,
    subject: String,
    scope: Scope,
    call: Box<dyn Call<S>>,
}

/// A service's list of what it handles, and the [`Handler`] that follows it.
pub struct Router<S> {
    name: &'static str,
    service: S,
    region: Option<String>,
    routes: Vec<Route<S>>,
}

impl<S: Send + Sync + 'static> Router<S> {
    /// An empty list for the service `name` (in refusals), with its state and the region it
    /// serves (validated with its settings).
    pub fn new(name: &'static str, service: S, region: Option<&str>) -> Self {
        Self {
            name,
            service,
            region: region.map(str::to_owned),
            routes: Vec::new(),
        }
    }

    /// Adds a route: `M` messages on `subject` (in `scope`) go to `handler`.
    ///
    /// Panics on a subject that is not one (a programming error: subjects are the contract's
    /// constants), or on a second route for the same type and subject.
    pub fn route<M>(
        self,
        subject: &str,
        scope: Scope,
        handler: impl for<'a> HandlerFn<'a, S, M>,
    ) -> Self
    where
        M: Message + 'static,
    {
        self.route_version(M::VERSION, subject, scope, handler)
    }

    /// Adds a route for an earlier `version` of `M` that today's struct still reads (every
    /// field added since has a default): a node not yet upgraded keeps being heard, into the
    /// same handler.
    ///
    /// Panics as [`Router::route`] does.
    pub fn route_version<M>(
        mut self,
        version: u16,
        subject: &str,
        scope: Scope,
        handler: impl for<'a> HandlerFn<'a, S, M>,
    ) -> Self
    where
        M: Message + 'static,
    {
        let message_type = format!("{}.v{version}", M::KIND);
        RoutingKey::binding(subject, None)
            .unwrap_or_else(|e| panic!("route of {message_type}: {e}"));
        assert!(
            self.find(&message_type, subject).is_none(),
            "{}: two routes for {message_type} on {subject}",
            self.name
        );
        self.routes.push(Route {
            message_type,
            subject: subject.to_owned(),
            scope,
            call: Box::new(Typed {
                handler,
                message: PhantomData,
            }),
        });
        self
    }

    /// The queue's binding patterns, one per subject, in the order of the list.
    pub fn bindings(&self) -> Vec<String> {
        let mut bindings: Vec<String> = Vec::with_capacity(self.routes.len());
        for route in &self.routes {
            let region = match route.scope {
                Scope::Region => self.region.as_deref(),
                Scope::Any => None,
            };
            let binding = RoutingKey::binding(&route.subject, region)
                .expect("subjects are checked by `route`, regions with the settings");
            if !bindings.contains(&binding) {
                bindings.push(binding);
            }
        }
        bindings
    }

    /// The (type, subject) pairs of the list, in order: what the service takes.
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.routes
            .iter()
            .map(|r| (r.message_type.as_str(), r.subject.as_str()))
    }

    /// The service's state.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// The route of `message` and the routing key it is routed by: its own, or, where no
    /// route takes that and it is a dead letter put back on its queue, the key it first came
    /// with.
    fn route_of<'m>(&self, message: &'m Incoming) -> Option<(&Route<S>, &'m str)> {
        let by = |key: &'m str| {
            self.find(&message.message_type, RoutingKey::subject_of(key))
                .map(|route| (route, key))
        };
        by(&message.routing_key).or_else(|| {
            message
                .headers
                .get(crate::consumer::ORIGINAL_KEY_HEADER)
                .and_then(|original| by(original))
        })
    }

    fn find(&self, message_type: &str, subject: &str) -> Option<&Route<S>> {
        self.routes
            .iter()
            .find(|r| r.message_type == message_type && r.subject == subject)
    }
}

impl<S: Send + Sync + 'static> Handler for Router<S> {
    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        outbox: &Outbox,
        message: &Incoming,
    ) -> Result<(), HandlerError> {
        let (route, routing_key) = self.route_of(message).ok_or_else(|| {
            HandlerError::permanent(format!(
                "{} does not take `{}` messages on `{}`",
                self.name, message.message_type, message.routing_key
            ))
        })?;
        let ctx = Context {
            txn,
            outbox,
            message,
            routing_key,
            service: &self.service,
            region: self.region.as_deref(),
        };
        route.call.call(&ctx).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    struct Ping {
        n: u32,
    }
    impl Message for Ping {
        const KIND: &'static str = "test.ping";
        const VERSION: u16 = 1;
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Pong;
    impl Message for Pong {
        const KIND: &'static str = "test.pong";
        const VERSION: u16 = 2;
    }

    async fn ping(_: &Context<'_, ()>, _: Ping) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn pong(_: &Context<'_, ()>, _: Pong) -> Result<(), HandlerError> {
        Ok(())
    }

    fn router() -> Router<()> {
        Router::new("test", (), Some("32.73"))
            .route::<Ping>("test.ping", Scope::Region, ping)
            .route::<Ping>("test.ping_again", Scope::Any, ping)
            .route::<Pong>("test.ping", Scope::Region, pong)
    }

    #[test]
    fn the_bindings_come_from_the_list_each_once() {
        assert_eq!(
            router().bindings(),
            ["test.ping.32.73.#", "test.ping_again.#"]
        );
    }

    #[test]
    fn without_a_region_a_route_binds_every_region() {
        let r = Router::new("test", (), None).route::<Ping>("test.ping", Scope::Region, ping);
        assert_eq!(r.bindings(), ["test.ping.#"]);
    }

    #[test]
    fn the_list_says_what_the_service_takes() {
        let routes: Vec<_> = router().routes().map(|(t, s)| format!("{t}@{s}")).collect();
        assert_eq!(
            routes,
            [
                "test.ping.v1@test.ping",
                "test.ping.v1@test.ping_again",
                "test.pong.v2@test.ping"
            ]
        );
    }

    #[test]
    fn an_earlier_version_is_heard_by_the_same_handler() {
        let r = Router::new("test", (), None)
            .route::<Pong>("test.ping", Scope::Any, pong)
            .route_version::<Pong>(1, "test.ping", Scope::Any, pong);
        let routes: Vec<_> = r.routes().map(|(t, _)| t.to_owned()).collect();
        assert_eq!(routes, ["test.pong.v2", "test.pong.v1"]);
        assert_eq!(r.bindings(), ["test.ping.#"]);
    }

    #[test]
    #[should_panic(expected = "two routes for test.ping.v1 on test.ping")]
    fn a_route_given_twice_is_refused() {
        let _ = router().route::<Ping>("test.ping", Scope::Any, ping);
    }

    #[test]
    #[should_panic(expected = "route of test.ping.v1")]
    fn a_subject_that_is_not_one_is_refused() {
        let _ = Router::new("test", (), None).route::<Ping>("Test.Ping", Scope::Any, ping);
    }
}
