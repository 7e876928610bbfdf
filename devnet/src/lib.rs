//! # A local dev chain on Fern
//!
//! The fastest way to run an actor: build a first state on any actor bundle, install any Wasm,
//! create actors from it, send them signed messages, and read what happened. The `fern devnet`
//! and `fern state` commands are a thin layer over this crate.
//!
//! - [`genesis`]: the genesis builder (system, init, burnt funds written directly; the other
//!   singletons constructed by their own code; funded secp256k1/BLS accounts and f410
//!   placeholders);
//! - [`keys`]: deterministic dev keys from a seed, addresses, Filecoin signatures;
//! - [`chain`]: a dev chain kept in a directory ([`Devnet`]): install, create (a clearly marked
//!   dev-only path), send;
//! - [`message`]: messages written as JSON (method names, params as JSON/hex/base64, FIL
//!   amounts);
//! - [`inspect`]: listing a state's actors and decoding one actor's state;
//! - [`bundle`]: where the actors come from (Fern's embedded bundle, a CAR, a lotus
//!   `.tar.zst`).
//!
//! Everything that runs messages must run on a thread with a deep stack (actors recurse on the
//! native stack; Fern's tools use 1 GiB). FIPS/devnet.md describes the choices.

pub mod bundle;
pub mod chain;
pub mod genesis;
pub mod inspect;
pub mod keys;
pub mod message;

pub use bundle::BundleSource;
pub use chain::Devnet;
pub use genesis::GenesisSpec;
pub use message::SendSpec;
