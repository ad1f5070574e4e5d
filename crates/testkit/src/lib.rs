//! Test support for csirt's tests and benches, and nothing else: the real
//! parts the project's tests use instead of mocks.
//!
//! - [`pgp`]: OpenPGP keys made in the test with sequoia (valid, expiring,
//!   expired, revoked, weak) and the signatures they make (detached binary
//!   or armoured, clear-signed, at a chosen time and hash).
//! - [`http`]: a real HTTP/1.1 server on a loopback address (each
//!   127.0.0.x stands in for one host) that records when every request
//!   arrived and how many were in flight at once, and misbehaves on purpose
//!   (trickle, endless body, slow body, sequences of answers).
//! - [`hostile`]: documents generated to stall a parser (deep nesting,
//!   megabyte lines, looping and inflating PDFs, armour tricks).
//!
//! What it is not: a dependency of any program; only `[dev-dependencies]`
//! name it.
//!
//! ```
//! use csirt_testkit::http::{Reply, Server};
//!
//! let server = Server::start("127.0.0.1");
//! server.route("/rfc2350.txt", Reply::ok("2.1 Name of the Team\nXYZ-CERT\n"));
//! assert!(server.url("/rfc2350.txt").starts_with("http://127.0.0.1:"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod hostile;
pub mod http;
pub mod pgp;
