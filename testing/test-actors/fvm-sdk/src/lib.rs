//! # `fvm_test_actor`: an actor written against ref-fvm's own SDK
//!
//! Built with `fvm_sdk` 4.8 rather than `fern_sdk`, so differential runs show that actors
//! compiled for ref-fvm behave identically on Fern. Every method returns DAG-CBOR.
//!
//! | number | what it does | returns |
//! |---|---|---|
//! | 1 | constructor: stores `0` as the state | nothing |
//! | 2 | describes the call | `[caller, receiver, origin, nonce, value bytes, epoch, nv]` |
//! | 3 | adds the u64 parameter to the stored counter, emits `added` = n (raw, 8 bytes BE) | the new counter |
//! | 4 | sends `[address bytes, method, value atto]` with no parameters | `[exit code, return bytes]` |
//! | 5 | hashes the byte-string parameter with blake2b-256 through the SDK | the digest |
//! | 6 | aborts with the u32 parameter as exit code | never returns |

#![warn(missing_docs)]

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{RawBytes, DAG_CBOR};
use fvm_sdk as sdk;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::{ActorEvent, Entry, Flags};
use fvm_shared::sys::SendFlags;

fn params<T: serde::de::DeserializeOwned>(id: u32) -> T {
    let block = sdk::message::params_raw(id)
        .ok()
        .flatten()
        .unwrap_or_else(|| sdk::vm::abort(16, Some("parameters expected")));
    fvm_ipld_encoding::from_slice(&block.data)
        .unwrap_or_else(|_| sdk::vm::abort(16, Some("bad parameters")))
}

fn ret<T: serde::Serialize>(v: &T) -> u32 {
    let data = fvm_ipld_encoding::to_vec(v).expect("encodes");
    sdk::ipld::put_block(DAG_CBOR, &data).expect("return block")
}

fn load_counter() -> u64 {
    let root = sdk::sself::root().unwrap_or_else(|_| sdk::vm::abort(24, Some("no state")));
    let data = sdk::ipld::get(&root).expect("state block");
    fvm_ipld_encoding::from_slice(&data).expect("state decodes")
}

fn save_counter(v: u64) {
    let data = fvm_ipld_encoding::to_vec(&v).unwrap();
    let cid = sdk::ipld::put(0xb220, 32, DAG_CBOR, &data).expect("state stored");
    sdk::sself::set_root(&cid).unwrap_or_else(|_| sdk::vm::abort(25, Some("cannot set the root")));
}

#[no_mangle]
/// The actor's entry point.
pub extern "C" fn invoke(params_id: u32) -> u32 {
    sdk::vm::set_panic_handler();
    match sdk::message::method_number() {
        1 => {
            save_counter(0);
            0
        }
        2 => {
            let value = sdk::message::value_received().atto().to_signed_bytes_be();
            ret(&(
                sdk::message::caller(),
                sdk::message::receiver(),
                sdk::message::origin(),
                sdk::message::nonce(),
                RawBytes::new(value),
                sdk::network::curr_epoch(),
                u32::from(sdk::network::version()),
            ))
        }
        3 => {
            let by: u64 = params(params_id);
            let value = load_counter()
                .checked_add(by)
                .unwrap_or_else(|| sdk::vm::abort(16, Some("overflow")));
            save_counter(value);
            let event = ActorEvent::from(vec![Entry {
                flags: Flags::FLAG_INDEXED_ALL,
                key: "added".into(),
                codec: fvm_ipld_encoding::IPLD_RAW,
                value: by.to_be_bytes().to_vec(),
            }]);
            sdk::event::emit_event(&event)
                .unwrap_or_else(|e| sdk::vm::abort(16, Some(&e.to_string())));
            ret(&value)
        }
        4 => {
            let (to, method, value): (RawBytes, u64, u64) = params(params_id);
            let to = Address::from_bytes(to.bytes())
                .unwrap_or_else(|_| sdk::vm::abort(16, Some("bad address")));
            match sdk::send::send(
                &to,
                method,
                None,
                TokenAmount::from_atto(value),
                None,
                SendFlags::empty(),
            ) {
                Ok(r) => {
                    let data = r.return_data.map(|b: IpldBlock| b.data).unwrap_or_default();
                    ret(&(r.exit_code.value(), RawBytes::new(data)))
                }
                Err(e) => ret(&(1000 + e as u32, RawBytes::default())),
            }
        }
        5 => {
            let data: RawBytes = params(params_id);
            let digest = sdk::crypto::hash_blake2b(data.bytes());
            ret(&RawBytes::new(digest.to_vec()))
        }
        6 => {
            let code: u32 = params(params_id);
            sdk::vm::abort(code, Some("requested abort"))
        }
        _ => sdk::vm::abort(22, Some("unknown method")),
    }
}
