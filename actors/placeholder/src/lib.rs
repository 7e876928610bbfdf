//! The placeholder actor.
//!
//! When value is sent to an unknown `f410` address (an address in the Ethereum address
//! manager's namespace), the VM creates an actor there with this code, so that the funds are
//! safe until the owner deploys something. The placeholder is never constructed and has no
//! state (its state root is the empty-array CID the VM gives new actors). Later it is replaced:
//! by an eth account when the address sends its first message, or by real code through the
//! EAM and `Exec4`.
//!
//! Like the built-in placeholder, this code accepts every call and does nothing: `invoke`
//! returns block handle 0 (success, no return value) without a single syscall. Anything that
//! must not be fooled by "success" (such as `AuthenticateMessage`, which returns `true` on
//! success) checks the return value.

/// The entry point: succeeds with no return value for every method.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub extern "C" fn invoke(_params: u32) -> u32 {
    NO_RETURN
}

/// Handle 0: "no return block".
pub const NO_RETURN: u32 = 0;
