//! A panic in one handler answers that request with an internal error instead of ending the
//! server. tower-lsp polls handler futures inside `Server::serve` itself, so an unwinding handler
//! would take the whole server, and every open document, down with it; and the process's panic
//! hook ends the process on any panic that `qirvo_panics::contained` does not hold.

use std::task::{Context, Poll};

use futures::FutureExt;
use futures::future::BoxFuture;
use qirvo_panics::{contained, contained_call};
use tower_lsp::jsonrpc::{Error, Id, Request, Response};
use tower_service::Service;

/// The internal error a request whose handler panicked is answered with.
pub fn internal_error(method: &str, message: &str) -> Error {
    Error {
        message: format!("qirvo: {method} failed: {message}").into(),
        ..Error::internal_error()
    }
}

/// Wraps a service so that a panicking handler answers its request with an internal error (and a
/// notification's is logged) while the server goes on.
pub struct CatchPanics<S> {
    inner: S,
}

impl<S> CatchPanics<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        CatchPanics { inner }
    }
}

fn answer(method: &str, id: Option<Id>, message: &str) -> Option<Response> {
    tracing::error!(method, "handler panicked: {message}");
    id.map(|id| Response::from_error(id, internal_error(method, message)))
}

impl<S> Service<Request> for CatchPanics<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = request.method().to_string();
        let id = request.id().cloned();
        let inner = &mut self.inner;
        let future = match contained_call(|| inner.call(request)) {
            Ok(future) => future,
            Err(message) => return futures::future::ready(Ok(answer(&method, id, &message))).boxed(),
        };
        async move {
            match contained(future).await {
                Ok(result) => result,
                Err(message) => Ok(answer(&method, id, &message)),
            }
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qirvo_panics::is_contained;
    use tower_lsp::jsonrpc::ErrorCode;

    /// Answers `null`, and panics on the method `boom` (in the future) or `boom-now` (in `call`).
    struct Fragile;

    impl Service<Request> for Fragile {
        type Response = Option<Response>;
        type Error = ();
        type Future = BoxFuture<'static, Result<Option<Response>, ()>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request) -> Self::Future {
            // Inside `contained`, or the process's panic hook would end the process.
            assert!(is_contained(), "called outside panics::contained");
            assert!(request.method() != "boom-now", "panicked in call");
            let id = request.id().cloned();
            let panics = request.method() == "boom";
            async move {
                assert!(is_contained(), "polled outside panics::contained");
                assert!(!panics, "panicked in the handler");
                Ok(id.map(|id| Response::from_ok(id, serde_json::Value::Null)))
            }
            .boxed()
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        futures::executor::block_on(future)
    }

    #[test]
    fn a_panicking_request_gets_an_internal_error_and_the_next_one_is_served() {
        let mut service = CatchPanics::new(Fragile);
        for method in ["boom", "boom-now"] {
            let request = Request::build(method).id(7).finish();
            let response = block_on(service.call(request)).unwrap().expect("a response");
            let (id, body) = response.into_parts();
            assert_eq!(id, Id::Number(7));
            let error = body.unwrap_err();
            assert_eq!(error.code, ErrorCode::InternalError);
            assert!(error.message.contains(method), "{}", error.message);
            assert!(error.message.contains("panicked in"), "{}", error.message);
        }
        let response = block_on(service.call(Request::build("fine").id(8).finish())).unwrap();
        assert!(response.unwrap().is_ok());
    }

    #[test]
    fn a_panicking_notification_is_logged_and_answered_with_nothing() {
        let mut service = CatchPanics::new(Fragile);
        assert_eq!(block_on(service.call(Request::build("boom").finish())), Ok(None));
        assert_eq!(block_on(service.call(Request::build("fine").finish())), Ok(None));
    }
}
