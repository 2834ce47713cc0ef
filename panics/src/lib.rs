//! Panics from one request stay in that request. A server wraps each request's work in
//! [`contained`]: a panic there becomes an `Err` the server answers with, and the server goes on.
//! Any other panic ends the process at once through the hook [`install_exit_hook`] sets: a server
//! whose main loop unwound would otherwise wait forever on threads blocked reading stdin, and the
//! editor would wait with it.

use std::cell::Cell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// How many [`Contained`] polls are running on this thread.
    static CONTAINED: Cell<usize> = const { Cell::new(0) };
}

/// A request's work whose panic is caught and returned as its message.
pub struct Contained<F> {
    inner: Pin<Box<F>>,
}

/// Runs `future`, turning a panic inside it into `Err(message)`.
pub fn contained<F: Future>(future: F) -> Contained<F> {
    Contained {
        inner: Box::pin(future),
    }
}

/// Runs `work`, turning a panic inside it into `Err(message)` (for work on blocking threads).
pub fn contained_call<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    let _inside = Inside::enter();
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| panic_message(payload.as_ref()))
}

impl<F: Future> Future for Contained<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let _inside = Inside::enter();
        match catch_unwind(AssertUnwindSafe(|| self.inner.as_mut().poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

/// Marks this thread as inside a contained poll until dropped (also when unwinding).
struct Inside;

impl Inside {
    fn enter() -> Inside {
        CONTAINED.with(|c| c.set(c.get() + 1));
        Inside
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        CONTAINED.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// Whether a panic now would be caught by [`contained`].
pub fn is_contained() -> bool {
    CONTAINED.with(Cell::get) > 0
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Installs the process's panic hook: a contained panic is logged (the request gets an error);
/// any other prints its message and location to stderr and exits with status 101 at once.
pub fn install_exit_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_message(info.payload());
        let location = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        if is_contained() {
            tracing::error!("internal error{location}: {message} (the request was answered with an error)");
        } else {
            eprintln!("qirvo: internal error{location}: {message}");
            std::process::exit(101);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_contained_work_is_its_error() {
        let result = contained_call(|| -> u32 { panic!("boom {}", 7) });
        assert_eq!(result, Err("boom 7".to_string()));
        assert!(!is_contained());
        assert_eq!(contained_call(|| 5), Ok(5));
    }

    #[tokio::test]
    async fn a_panic_in_a_contained_future_is_its_error() {
        let result = contained(async {
            tokio::task::yield_now().await;
            let text = "“quoted”";
            let cut = &text[..1];
            cut.len()
        })
        .await;
        assert!(result.unwrap_err().contains("char boundary"));
        assert!(!is_contained());
        assert_eq!(contained(async { 3 }).await, Ok(3));
    }
}
