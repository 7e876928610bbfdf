//! The table of imports: module, name, Wasm signature and the kernel method each one calls.
//! `actor::install_actor` is deliberately absent: ref-fvm 4.8 only links it with its
//! `m2-native` feature, so a module importing it fails to link (a fatal error), in Fern as in
//! ref-fvm. `actor::upgrade_actor` is linked only when the network configuration asks for it
//! (`NetworkConfig::upgrade_actor`), mirroring ref-fvm's `upgrade-actor` feature: off on
//! mainnet, on in the ref-fvm integration-test harness Fern is compared against.

use fern_shared::econ::TokenAmount;
use fern_shared::error::ErrorNumber;
use fern_shared::sys::{self, IpldOpen, IpldStat, SendFlags};
use fvm_ipld_blockstore::Blockstore;
use wasmtime::{Caller, Linker};

use super::memory::{self, check_bounds, read_address, read_cid, slice, slice_mut, write_cid};
use super::{enter, memory_and_data, status, update_gas_available, Abort, Data};
use crate::call_manager::backtrace::Cause;
use crate::call_manager::{syscall_error, Classify, Result};
use crate::gas::limits::MAX_ARTIFACT_NAME_LEN;
use crate::gas::Gas;
use crate::gas::KernelGeneration;
use crate::kernel::RandomnessSource;
use crate::machine::Externs;

fn token(v: &TokenAmount) -> Result<sys::TokenAmount> {
    sys::TokenAmount::try_from(v).or_fatal()
}

/// Defines every import of `generation`'s syscall set in `linker`; `actor::upgrade_actor` only
/// under ref-fvm 4.x rules and if `upgrade_actor`.
///
/// The ref-fvm 3.x set (network versions 18 to 20) has other signatures for
/// `event::emit_event`, `rand::get_chain_randomness`, `rand::get_beacon_randomness` and
/// `self::self_destruct`, and no `crypto::verify_bls_aggregate` (FIPS/versions.md §3).
pub fn link<B: Blockstore + 'static, E: Externs + 'static>(
    l: &mut Linker<Data<B, E>>,
    upgrade_actor: bool,
    generation: KernelGeneration,
) -> anyhow::Result<()> {
    let fvm4 = generation == KernelGeneration::Fvm4;
    // ---------------- vm ----------------
    l.func_wrap(
        "vm",
        "exit",
        |mut caller: Caller<'_, Data<B, E>>,
         code: u32,
         blk: u32,
         msg_off: u32,
         msg_len: u32|
         -> anyhow::Result<u32> {
            enter(&mut caller)?;
            let abort = {
                let (mem, _) = memory_and_data(&mut caller)?;
                exit_abort(mem, code, blk, msg_off, msg_len)
            };
            update_gas_available(&mut caller)?;
            Err(abort.into())
        },
    )?;
    value!(l, "vm", "message_context", sys::MessageContext, |k, m| {
        k.message_context()
    });

    // ---------------- network ----------------
    value!(l, "network", "context", sys::NetworkContext, |k, m| {
        k.network_context()
    });
    value!(
        l,
        "network",
        "tipset_cid",
        u32,
        |k, m, epoch: i64, off: u32, len: u32| {
            check_bounds(m, off, len)?;
            let cid = k.tipset_cid(epoch)?;
            write_cid(m, &cid, off, len)
        }
    );
    value!(
        l,
        "network",
        "total_fil_circ_supply",
        sys::TokenAmount,
        |k, m| { token(&k.total_fil_circ_supply()?) }
    );

    // ---------------- ipld ----------------
    value!(l, "ipld", "block_open", IpldOpen, |k, m, cid_off: u32| {
        let cid = read_cid(m, cid_off)?;
        let (id, stat) = k.block_open(&cid)?;
        Ok(IpldOpen {
            codec: stat.codec,
            id,
            size: stat.size,
        })
    });
    value!(
        l,
        "ipld",
        "block_create",
        u32,
        |k, m, codec: u64, off: u32, len: u32| {
            let data = slice(m, off, len)?;
            k.block_create(codec, data)
        }
    );
    value!(
        l,
        "ipld",
        "block_read",
        i32,
        |k, m, id: u32, offset: u32, off: u32, len: u32| {
            let buf = slice_mut(m, off, len)?;
            k.block_read(id, offset, buf)
        }
    );
    value!(l, "ipld", "block_stat", IpldStat, |k, m, id: u32| {
        let stat = k.block_stat(id)?;
        Ok(IpldStat {
            codec: stat.codec,
            size: stat.size,
        })
    });
    value!(
        l,
        "ipld",
        "block_link",
        u32,
        |k, m, id: u32, hash_fun: u64, hash_len: u32, off: u32, len: u32| {
            check_bounds(m, off, len)?;
            let cid = k.block_link(id, hash_fun, hash_len)?;
            write_cid(m, &cid, off, len)
        }
    );

    // ---------------- self ----------------
    value!(l, "self", "root", u32, |k, m, off: u32, len: u32| {
        check_bounds(m, off, len)?;
        let cid = k.root()?;
        write_cid(m, &cid, off, len)
    });
    unit!(l, "self", "set_root", |k, m, cid_off: u32| {
        let cid = read_cid(m, cid_off)?;
        k.set_root(cid)
    });
    value!(l, "self", "current_balance", sys::TokenAmount, |k, m| {
        token(&k.current_balance()?)
    });
    if fvm4 {
        unit!(l, "self", "self_destruct", |k, m, burn: u32| {
            k.self_destruct(burn > 0)
        });
    } else {
        unit!(
            l,
            "self",
            "self_destruct",
            |k, m, addr_off: u32, addr_len: u32| {
                let beneficiary = read_address(m, addr_off, addr_len)?;
                k.self_destruct_to(&beneficiary)
            }
        );
    }

    // ---------------- actor ----------------
    value!(
        l,
        "actor",
        "resolve_address",
        u64,
        |k, m, off: u32, len: u32| {
            let addr = read_address(m, off, len)?;
            k.resolve_address(&addr)
        }
    );
    value!(
        l,
        "actor",
        "lookup_delegated_address",
        u32,
        |k, m, id: u64, off: u32, len: u32| {
            let buf = slice_mut(m, off, len)?;
            match k.lookup_delegated_address(id)? {
                Some(addr) => {
                    let bytes = addr.to_bytes();
                    buf.get_mut(..bytes.len())
                        .ok_or_else(|| {
                            syscall_error(
                                ErrorNumber::BufferTooSmall,
                                "address output buffer is too small",
                            )
                        })?
                        .copy_from_slice(&bytes);
                    Ok(bytes.len() as u32)
                }
                None => Ok(0),
            }
        }
    );
    value!(
        l,
        "actor",
        "get_actor_code_cid",
        u32,
        |k, m, id: u64, off: u32, len: u32| {
            check_bounds(m, off, len)?;
            let cid = k.get_actor_code_cid(id)?;
            write_cid(m, &cid, off, len)
        }
    );
    value!(
        l,
        "actor",
        "next_actor_address",
        u32,
        |k, m, off: u32, len: u32| {
            let buf = slice_mut(m, off, len)?;
            if len < 21 {
                return Err(syscall_error(
                    ErrorNumber::BufferTooSmall,
                    "output buffer must have a minimum capacity of 21 bytes",
                ));
            }
            let bytes = k.next_actor_address()?.to_bytes();
            if bytes.len() > buf.len() {
                return Err(crate::call_manager::ExecutionError::Fatal(anyhow::anyhow!(
                    "created a {} byte actor address",
                    bytes.len()
                )));
            }
            buf[..bytes.len()].copy_from_slice(&bytes);
            Ok(bytes.len() as u32)
        }
    );
    unit!(
        l,
        "actor",
        "create_actor",
        |k, m, id: u64, typ_off: u32, addr_off: u32, addr_len: u32| {
            let code = read_cid(m, typ_off)?;
            let addr = if addr_len > 0 {
                Some(read_address(m, addr_off, addr_len)?)
            } else {
                None
            };
            k.create_actor(code, id, addr)
        }
    );
    value!(
        l,
        "actor",
        "get_builtin_actor_type",
        i32,
        |k, m, cid_off: u32| {
            let cid = read_cid(m, cid_off)?;
            Ok(k.get_builtin_actor_type(&cid)? as i32)
        }
    );
    value!(
        l,
        "actor",
        "get_code_cid_for_type",
        u32,
        |k, m, typ: i32, off: u32, len: u32| {
            check_bounds(m, off, len)?;
            let cid = k.get_code_cid_for_type(typ as u32)?;
            write_cid(m, &cid, off, len)
        }
    );
    value!(
        l,
        "actor",
        "balance_of",
        sys::TokenAmount,
        |k, m, id: u64| { token(&k.balance_of(id)?) }
    );

    if upgrade_actor && fvm4 {
        link_upgrade_actor(l)?;
    }

    // ---------------- crypto ----------------
    super::crypto_bindings::link(l, fvm4)?;

    if fvm4 {
        link_events_and_randomness(l)?;
    } else {
        link_events_and_randomness_fvm3(l)?;
    }

    // ---------------- gas ----------------
    unit!(
        l,
        "gas",
        "charge",
        |k, m, name_off: u32, name_len: u32, amount: u64| {
            let name = std::str::from_utf8(slice(m, name_off, name_len)?).or_illegal_argument()?;
            k.charge_gas(name, Gas::new(amount))
        }
    );
    value!(l, "gas", "available", u64, |k, m| {
        Ok(k.gas_available().round_down())
    });

    // ---------------- send ----------------
    value!(
        l,
        "send",
        "send",
        sys::Send,
        |k,
         m,
         to_off: u32,
         to_len: u32,
         method: u64,
         params: u32,
         hi: u64,
         lo: u64,
         gas_limit: u64,
         flags: u64| {
            let to = read_address(m, to_off, to_len)?;
            let value = TokenAmount::from_atto((u128::from(hi) << 64) | u128::from(lo));
            let gas_limit = (gas_limit < u64::MAX).then(|| Gas::new(gas_limit));
            let flags = SendFlags::from_bits(flags).ok_or_else(|| {
                syscall_error(
                    ErrorNumber::IllegalArgument,
                    format!("invalid send flags: {flags}"),
                )
            })?;
            let r = k.send(&to, method, params, &value, gas_limit, flags)?;
            Ok(sys::Send {
                exit_code: r.exit_code.value(),
                return_id: r.block_id,
                return_codec: r.block_stat.codec,
                return_size: r.block_stat.size,
            })
        }
    );

    // ---------------- debug ----------------
    unit!(l, "debug", "log", |k, m, off: u32, len: u32| {
        if !k.debug_enabled() {
            return Ok(());
        }
        let msg = std::str::from_utf8(slice(m, off, len)?).or_illegal_argument()?;
        k.log(msg);
        Ok(())
    });
    value!(l, "debug", "enabled", i32, |k, m| {
        Ok(if k.debug_enabled() { 0 } else { -1 })
    });
    unit!(
        l,
        "debug",
        "store_artifact",
        |k, m, name_off: u32, name_len: u32, data_off: u32, data_len: u32| {
            if !k.debug_enabled() {
                return Ok(());
            }
            let _data = slice(m, data_off, data_len)?;
            let name = std::str::from_utf8(slice(m, name_off, name_len)?).or_illegal_argument()?;
            let bad = name.len() > MAX_ARTIFACT_NAME_LEN
                || name.chars().any(std::path::is_separator)
                || name.is_empty()
                || name.starts_with('.');
            if bad {
                return Err(syscall_error(
                    ErrorNumber::IllegalArgument,
                    "invalid debug artifact name",
                ));
            }
            // Artifacts are diagnostics only; Fern does not write them anywhere.
            Ok(())
        }
    );
    Ok(())
}

/// `event::emit_event` and `rand::*` under ref-fvm 4.x rules.
fn link_events_and_randomness<B: Blockstore + 'static, E: Externs + 'static>(
    l: &mut Linker<Data<B, E>>,
) -> anyhow::Result<()> {
    // ---------------- event ----------------
    unit!(
        l,
        "event",
        "emit_event",
        |k, m, ent_off: u32, count: u32, key_off: u32, key_len: u32, val_off: u32, val_len: u32| {
            let headers: Vec<sys::EventEntry> = memory::read_values(m, ent_off, count)?;
            let keys = slice(m, key_off, key_len)?;
            let values = slice(m, val_off, val_len)?;
            k.emit_event(&headers, keys, values)
        }
    );

    // ---------------- rand ----------------
    value!(
        l,
        "rand",
        "get_chain_randomness",
        [u8; 32],
        |k, m, epoch: i64| { k.chain_randomness(epoch) }
    );
    value!(
        l,
        "rand",
        "get_beacon_randomness",
        [u8; 32],
        |k, m, epoch: i64| { k.beacon_randomness(epoch) }
    );

    Ok(())
}

/// `event::emit_event(event_off, event_len)` and `rand::*(pers, round, entropy_off,
/// entropy_len)` under ref-fvm 3.x rules.
fn link_events_and_randomness_fvm3<B: Blockstore + 'static, E: Externs + 'static>(
    l: &mut Linker<Data<B, E>>,
) -> anyhow::Result<()> {
    unit!(l, "event", "emit_event", |k, m, off: u32, len: u32| {
        let raw = slice(m, off, len)?;
        k.emit_event_cbor(raw)
    });
    value!(
        l,
        "rand",
        "get_chain_randomness",
        [u8; 32],
        |k, m, pers: i64, round: i64, ent_off: u32, ent_len: u32| {
            let entropy = slice(m, ent_off, ent_len)?;
            k.draw_randomness(RandomnessSource::Chain, pers, round, entropy)
        }
    );
    value!(
        l,
        "rand",
        "get_beacon_randomness",
        [u8; 32],
        |k, m, pers: i64, round: i64, ent_off: u32, ent_len: u32| {
            let entropy = slice(m, ent_off, ent_len)?;
            k.draw_randomness(RandomnessSource::Beacon, pers, round, entropy)
        }
    );
    Ok(())
}

/// `actor::upgrade_actor`, linked only when the network configuration enables it.
fn link_upgrade_actor<B: Blockstore + 'static, E: Externs + 'static>(
    l: &mut Linker<Data<B, E>>,
) -> anyhow::Result<()> {
    l.func_wrap(
        "actor",
        "upgrade_actor",
        |mut caller: Caller<'_, Data<B, E>>,
         ret: u32,
         cid_off: u32,
         params: u32|
         -> anyhow::Result<u32> {
            enter(&mut caller)?;
            let out: std::result::Result<u32, Abort> = {
                let (mem, data) = memory_and_data(&mut caller)?;
                if u64::from(ret) + std::mem::size_of::<sys::Send>() as u64 > mem.len() as u64 {
                    data.last_error = Some(Cause::Syscall {
                        module: "actor",
                        function: "upgrade_actor",
                        number: ErrorNumber::IllegalArgument,
                        message: "no space for return value".into(),
                    });
                    return Ok(ErrorNumber::IllegalArgument as u32);
                }
                let res =
                    read_cid(mem, cid_off).and_then(|cid| data.kernel.upgrade_actor(cid, params));
                match res {
                    // A successful upgrade ends the calling invocation, returning the upgrade's
                    // return block.
                    Ok(r) if r.exit_code.is_success() => {
                        Err(Abort::Exit(r.exit_code, String::new(), r.block_id))
                    }
                    Ok(r) => {
                        memory::write_value(
                            mem,
                            ret,
                            sys::Send {
                                exit_code: r.exit_code.value(),
                                return_id: r.block_id,
                                return_codec: r.block_stat.codec,
                                return_size: r.block_stat.size,
                            },
                        );
                        status(&mut data.last_error, "actor", "upgrade_actor", Ok(()))
                    }
                    Err(e) => status(&mut data.last_error, "actor", "upgrade_actor", Err(e)),
                }
            };
            update_gas_available(&mut caller)?;
            Ok(out?)
        },
    )?;
    Ok(())
}

/// What `vm::exit` ends the call with. A non-zero system exit code (below 16) is replaced by
/// `SYS_ILLEGAL_EXIT_CODE`; messages longer than 1 024 bytes keep their first and last 512.
fn exit_abort(mem: &[u8], code: u32, blk: u32, msg_off: u32, msg_len: u32) -> Abort {
    use crate::gas::limits::MAX_ABORT_MESSAGE_LEN;
    use fern_shared::error::ExitCode;
    let code = ExitCode::new(code);
    if !code.is_success() && code.is_system_error() {
        return Abort::Exit(
            ExitCode::SYS_ILLEGAL_EXIT_CODE,
            format!("actor aborted with code {code}"),
            blk,
        );
    }
    let message = if msg_len == 0 {
        "actor aborted".to_owned()
    } else {
        match slice(mem, msg_off, msg_len) {
            Ok(bytes) if bytes.len() > MAX_ABORT_MESSAGE_LEN => {
                let half = MAX_ABORT_MESSAGE_LEN / 2;
                format!(
                    "{} ... (skipped {} bytes) ... {}",
                    String::from_utf8_lossy(&bytes[..half]),
                    bytes.len() - MAX_ABORT_MESSAGE_LEN,
                    String::from_utf8_lossy(&bytes[bytes.len() - half..])
                )
            }
            Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Err(e) => format!("failed to extract error message: {e}"),
        }
    };
    Abort::Exit(code, message, blk)
}
