//! Scenarios driving `fern_test_syscalls`: each syscall with good and bad arguments.

use cid::Cid;
use fern_test_syscalls::method as m;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use k256::ecdsa::SigningKey;
use multihash_codetable::{Code, MultihashDigest};

use super::{args, cbor, zero, Ctx};

const EXIT_OK: ExitCode = ExitCode::OK;
use crate::scenario::{Scenario, ScenarioBuilder};

/// Syscall error numbers, as the test actors report them.
pub(crate) mod errno {
    pub const OK: u32 = 0;
    pub const ILLEGAL_ARGUMENT: u32 = 1;
    pub const ILLEGAL_OPERATION: u32 = 2;
    pub const LIMIT_EXCEEDED: u32 = 3;
    pub const INSUFFICIENT_FUNDS: u32 = 5;
    pub const NOT_FOUND: u32 = 6;
    pub const INVALID_HANDLE: u32 = 7;
    pub const ILLEGAL_CID: u32 = 8;
    pub const ILLEGAL_CODEC: u32 = 9;
    pub const SERIALIZATION: u32 = 10;
    pub const FORBIDDEN: u32 = 11;
    pub const BUFFER_TOO_SMALL: u32 = 12;
    pub const READ_ONLY: u32 = 13;
}
use errno::*;

const RAW: u64 = 0x55;
const DAG_CBOR: u64 = 0x71;
const CBOR: u64 = 0x51;
const BLAKE2B_256: u64 = 0xb220;

/// Calls a `syscalls` method from the first secp256k1 account, expecting exit OK and `status`.
fn sc(
    b: &mut ScenarioBuilder,
    ctx: &Ctx,
    label: &str,
    method: u64,
    n: &[u64],
    bytes: &[u8],
    status: u32,
) {
    let from = ctx.secp[0];
    b.call(
        label,
        from,
        ctx.sys,
        method,
        args(n, bytes),
        zero(),
        EXIT_OK,
    )
    .status(status);
}

/// The CID of a DAG-CBOR block with blake2b-256.
pub(crate) fn cbor_cid(data: &[u8]) -> Cid {
    Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(data))
}

/// The `[recipient, params]` bytes of the `SEND` method.
pub(crate) fn send_target(to: &Address, params: Option<RawBytes>) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(&(RawBytes::new(to.to_bytes()), params)).unwrap()
}

/// The `EMIT_EVENT` list.
fn event(entries: &[(u64, &str, u64, &[u8])]) -> Vec<u8> {
    let list: Vec<(u64, RawBytes, u64, RawBytes)> = entries
        .iter()
        .map(|(f, k, c, v)| {
            (
                *f,
                RawBytes::new(k.as_bytes().to_vec()),
                *c,
                RawBytes::new(v.to_vec()),
            )
        })
        .collect();
    fvm_ipld_encoding::to_vec(&list).unwrap()
}

pub(crate) fn scenarios(ctx: &Ctx) -> Vec<Scenario> {
    let mut out = Vec::new();
    let root = cbor_cid(&[0x80]);
    let other_state = {
        // The state of the `fvm_sdk` actor: reachable only from that actor.
        cbor_cid(&[0x00])
    };

    // --- IPLD: create, read, stat.
    let mut b = ctx.builder("syscalls/ipld_create_read");
    sc(
        &mut b,
        ctx,
        "create raw",
        m::BLOCK_CREATE,
        &[RAW],
        b"hello",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "create dag-cbor",
        m::BLOCK_CREATE,
        &[DAG_CBOR],
        &[0x82, 0x01, 0x02],
        OK,
    );
    sc(
        &mut b,
        ctx,
        "create cbor",
        m::BLOCK_CREATE,
        &[CBOR],
        &[0x01],
        OK,
    );
    sc(
        &mut b,
        ctx,
        "create bad codec dag-pb",
        m::BLOCK_CREATE,
        &[0x70],
        b"x",
        ILLEGAL_CODEC,
    );
    sc(
        &mut b,
        ctx,
        "create bad codec 0",
        m::BLOCK_CREATE,
        &[0],
        b"x",
        ILLEGAL_CODEC,
    );
    sc(
        &mut b,
        ctx,
        "create invalid dag-cbor",
        m::BLOCK_CREATE,
        &[DAG_CBOR],
        &[0x82, 0x01],
        SERIALIZATION,
    );
    sc(
        &mut b,
        ctx,
        "create empty raw",
        m::BLOCK_CREATE,
        &[RAW],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "read whole",
        m::BLOCK_READ,
        &[0, 5],
        b"hello",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "read short buffer",
        m::BLOCK_READ,
        &[0, 2],
        b"hello",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "read offset",
        m::BLOCK_READ,
        &[3, 10],
        b"hello",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "read at end",
        m::BLOCK_READ,
        &[5, 4],
        b"hello",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "read past end",
        m::BLOCK_READ,
        &[9, 4],
        b"hello",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "read offset above i32::MAX",
        m::BLOCK_READ,
        &[u32::MAX as u64, 4],
        b"hello",
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "read zero length",
        m::BLOCK_READ,
        &[0, 0],
        b"hello",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "read bad id",
        m::BLOCK_READ_BAD_ID,
        &[77],
        b"",
        INVALID_HANDLE,
    );
    sc(
        &mut b,
        ctx,
        "read id 0",
        m::BLOCK_READ_BAD_ID,
        &[0],
        b"",
        INVALID_HANDLE,
    );
    sc(
        &mut b,
        ctx,
        "read params block",
        m::BLOCK_READ_BAD_ID,
        &[1],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "stat created",
        m::BLOCK_STAT,
        &[2, RAW, 1],
        b"abc",
        OK,
    );
    sc(&mut b, ctx, "stat params", m::BLOCK_STAT, &[1], b"", OK);
    sc(
        &mut b,
        ctx,
        "stat missing",
        m::BLOCK_STAT,
        &[9],
        b"",
        INVALID_HANDLE,
    );
    out.push(b.build());

    // --- IPLD: link and open.
    let mut b = ctx.builder("syscalls/ipld_link_open");
    sc(
        &mut b,
        ctx,
        "link blake2b",
        m::BLOCK_LINK,
        &[RAW, BLAKE2B_256, 32, 100],
        b"data",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "link dag-cbor",
        m::BLOCK_LINK,
        &[DAG_CBOR, BLAKE2B_256, 32, 100],
        &[0x83, 1, 2, 3],
        OK,
    );
    sc(
        &mut b,
        ctx,
        "link sha256",
        m::BLOCK_LINK,
        &[RAW, 0x12, 32, 100],
        b"data",
        ILLEGAL_CID,
    );
    sc(
        &mut b,
        ctx,
        "link short hash",
        m::BLOCK_LINK,
        &[RAW, BLAKE2B_256, 20, 100],
        b"data",
        ILLEGAL_CID,
    );
    sc(
        &mut b,
        ctx,
        "link small buffer",
        m::BLOCK_LINK,
        &[RAW, BLAKE2B_256, 32, 10],
        b"data",
        BUFFER_TOO_SMALL,
    );
    sc(
        &mut b,
        ctx,
        "link unknown hash",
        m::BLOCK_LINK,
        &[RAW, 0x99, 32, 100],
        b"data",
        ILLEGAL_CID,
    );
    sc(
        &mut b,
        ctx,
        "open own root before reading it",
        m::BLOCK_OPEN,
        &[],
        &root.to_bytes(),
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "open own root",
        m::BLOCK_OPEN,
        &[1],
        &root.to_bytes(),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "open unreachable",
        m::BLOCK_OPEN,
        &[],
        &other_state.to_bytes(),
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "open odd but parseable cid",
        m::BLOCK_OPEN,
        &[],
        &[1, 2, 3, 4, 5, 6, 7, 8],
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "open invalid cid",
        m::BLOCK_OPEN,
        &[],
        &[0xff; 8],
        ILLEGAL_ARGUMENT,
    );
    let mut linked = vec![0xd8, 0x2a, 0x58, 0x27, 0x00];
    linked.extend(other_state.to_bytes());
    sc(
        &mut b,
        ctx,
        "create with unreachable link",
        m::BLOCK_CREATE,
        &[DAG_CBOR],
        &linked,
        NOT_FOUND,
    );
    let mut own = vec![0xd8, 0x2a, 0x58, 0x27, 0x00];
    own.extend(root.to_bytes());
    sc(
        &mut b,
        ctx,
        "create with link to unread root",
        m::BLOCK_CREATE,
        &[DAG_CBOR],
        &own,
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "create with reachable link",
        m::BLOCK_CREATE,
        &[DAG_CBOR, 1],
        &own,
        OK,
    );
    let identity = Cid::new_v1(RAW, cid::multihash::Multihash::wrap(0, b"inline").unwrap());
    sc(
        &mut b,
        ctx,
        "open identity cid (never implicitly reachable)",
        m::BLOCK_OPEN,
        &[],
        &identity.to_bytes(),
        NOT_FOUND,
    );
    out.push(b.build());

    // --- IPLD: block size limits.
    let mut b = ctx.builder("syscalls/ipld_sizes");
    sc(&mut b, ctx, "1 KiB", m::BLOCK_BIG, &[1024, RAW], b"", OK);
    sc(
        &mut b,
        ctx,
        "64 KiB",
        m::BLOCK_BIG,
        &[64 << 10, RAW],
        b"",
        OK,
    );
    for (label, size, status) in [
        ("exactly 1 MiB", 1u64 << 20, OK),
        ("1 MiB + 1", (1 << 20) + 1, LIMIT_EXCEEDED),
        ("2 MiB", 2 << 20, LIMIT_EXCEEDED),
    ] {
        b.call(
            label,
            ctx.secp[0],
            ctx.sys,
            m::BLOCK_BIG,
            args(&[size, RAW], b""),
            zero(),
            EXIT_OK,
        )
        .status(status)
        .gas(5_000_000_000);
    }
    b.call(
        "1 MiB out of gas",
        ctx.secp[0],
        ctx.sys,
        m::BLOCK_BIG,
        args(&[1 << 20, RAW], b""),
        zero(),
        ExitCode::SYS_OUT_OF_GAS,
    );
    out.push(b.build());

    // --- Self: root, set_root, balance.
    let mut b = ctx.builder("syscalls/self_state");
    sc(&mut b, ctx, "root", m::ROOT, &[100], b"", OK);
    sc(
        &mut b,
        ctx,
        "root small buffer",
        m::ROOT,
        &[10],
        b"",
        BUFFER_TOO_SMALL,
    );
    sc(
        &mut b,
        ctx,
        "set root new block",
        m::SET_ROOT,
        &[DAG_CBOR],
        &[0x82, 0x05, 0x06],
        OK,
    );
    sc(&mut b, ctx, "root after set", m::ROOT, &[100], b"", OK);
    sc(
        &mut b,
        ctx,
        "set root raw block",
        m::SET_ROOT,
        &[RAW],
        b"raw state",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "set root unreachable",
        m::SET_ROOT,
        &[0, 1],
        &other_state.to_bytes(),
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "set root garbage",
        m::SET_ROOT,
        &[0, 1],
        &[9, 9, 9],
        ILLEGAL_ARGUMENT,
    );
    sc(&mut b, ctx, "balance", m::BALANCE, &[], b"", OK);
    b.call(
        "balance with value",
        ctx.secp[0],
        ctx.sys,
        m::BALANCE,
        args(&[], b""),
        TokenAmount::from_atto(5_000),
        EXIT_OK,
    )
    .status(OK);
    sc(
        &mut b,
        ctx,
        "balance_of self",
        m::BALANCE_OF,
        &[1000],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "balance_of account",
        m::BALANCE_OF,
        &[ctx.secp_ids[1]],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "balance_of missing",
        m::BALANCE_OF,
        &[999_999],
        b"",
        NOT_FOUND,
    );
    out.push(b.build());

    // --- Self destruct.
    let mut b = ctx.builder("syscalls/self_destruct");
    b.call(
        "destruct keeping funds fails",
        ctx.secp[0],
        ctx.sys2,
        m::SELF_DESTRUCT,
        args(&[0], b""),
        zero(),
        EXIT_OK,
    )
    .status(ILLEGAL_OPERATION);
    b.call(
        "destruct burning funds",
        ctx.secp[0],
        ctx.sys2,
        m::SELF_DESTRUCT,
        args(&[1], b""),
        zero(),
        EXIT_OK,
    )
    .status(OK);
    b.call(
        "call after destruct",
        ctx.secp[0],
        ctx.sys2,
        m::BALANCE,
        args(&[], b""),
        zero(),
        ExitCode::SYS_INVALID_RECEIVER,
    );
    b.call(
        "send value after destruct",
        ctx.secp[0],
        ctx.sys2,
        0,
        RawBytes::default(),
        TokenAmount::from_atto(1),
        ExitCode::SYS_INVALID_RECEIVER,
    );
    out.push(b.build());

    // --- Message and network context.
    for (name, epoch, fee, nv_debug) in [
        ("syscalls/context_default", 1000, 100u64, false),
        ("syscalls/context_other", 2_000_000, 1_234_567, true),
    ] {
        let mut b = ctx.builder(name).settings(|s| {
            s.epoch = epoch;
            s.base_fee = TokenAmount::from_atto(fee);
            s.circ_supply = TokenAmount::from_whole(epoch as u64);
            s.actor_debugging = nv_debug;
        });
        sc(
            &mut b,
            ctx,
            "message context",
            m::MESSAGE_CONTEXT,
            &[],
            b"",
            OK,
        );
        b.call(
            "message context with value",
            ctx.secp[1],
            ctx.sys,
            m::MESSAGE_CONTEXT,
            args(&[], b""),
            TokenAmount::from_atto(77),
            EXIT_OK,
        )
        .status(OK);
        b.call(
            "message context from bls",
            ctx.bls[0],
            ctx.sys,
            m::MESSAGE_CONTEXT,
            args(&[], b""),
            zero(),
            EXIT_OK,
        )
        .status(OK);
        sc(
            &mut b,
            ctx,
            "network context",
            m::NETWORK_CONTEXT,
            &[],
            b"",
            OK,
        );
        sc(&mut b, ctx, "circ supply", m::CIRC_SUPPLY, &[], b"", OK);
        sc(
            &mut b,
            ctx,
            "tipset previous",
            m::TIPSET_CID,
            &[(epoch - 1) as u64, 100],
            b"",
            OK,
        );
        sc(
            &mut b,
            ctx,
            "tipset far back",
            m::TIPSET_CID,
            &[(epoch - 900) as u64, 100],
            b"",
            OK,
        );
        sc(
            &mut b,
            ctx,
            "tipset 901 back",
            m::TIPSET_CID,
            &[(epoch - 901) as u64, 100],
            b"",
            OK,
        );
        sc(
            &mut b,
            ctx,
            "tipset genesis",
            m::TIPSET_CID,
            &[0, 100],
            b"",
            OK,
        );
        sc(
            &mut b,
            ctx,
            "tipset current",
            m::TIPSET_CID,
            &[epoch as u64, 100],
            b"",
            ILLEGAL_ARGUMENT,
        );
        sc(
            &mut b,
            ctx,
            "tipset future",
            m::TIPSET_CID,
            &[(epoch + 5) as u64, 100],
            b"",
            ILLEGAL_ARGUMENT,
        );
        sc(
            &mut b,
            ctx,
            "tipset negative",
            m::TIPSET_CID,
            &[(-1i64) as u64, 100],
            b"",
            ILLEGAL_ARGUMENT,
        );
        sc(
            &mut b,
            ctx,
            "tipset small buffer",
            m::TIPSET_CID,
            &[(epoch - 1) as u64, 8],
            b"",
            BUFFER_TOO_SMALL,
        );
        sc(
            &mut b,
            ctx,
            "debug log",
            m::DEBUG_LOG,
            &[],
            b"a debug line",
            OK,
        );
        sc(
            &mut b,
            ctx,
            "store artifact",
            m::STORE_ARTIFACT,
            &[4],
            b"namedata",
            OK,
        );
        out.push(b.build());
    }

    // --- Actors: resolve, lookup, code, types, next address, create.
    let mut b = ctx.builder("syscalls/actors");
    sc(
        &mut b,
        ctx,
        "resolve id",
        m::RESOLVE_ADDRESS,
        &[],
        &Address::new_id(5).to_bytes(),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "resolve f1",
        m::RESOLVE_ADDRESS,
        &[],
        &ctx.secp[2].to_bytes(),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "resolve f3",
        m::RESOLVE_ADDRESS,
        &[],
        &ctx.bls[1].to_bytes(),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "resolve f4",
        m::RESOLVE_ADDRESS,
        &[],
        &ctx.placeholder.1.to_bytes(),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "resolve unknown f1",
        m::RESOLVE_ADDRESS,
        &[],
        &crate::genesis::secp_address(&[0x33; 32])
            .unwrap()
            .to_bytes(),
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "resolve garbage",
        m::RESOLVE_ADDRESS,
        &[],
        &[0x09, 0x01],
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "resolve empty",
        m::RESOLVE_ADDRESS,
        &[],
        &[],
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "lookup delegated of f4",
        m::LOOKUP_DELEGATED,
        &[ctx.placeholder.0, 100],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "lookup delegated none",
        m::LOOKUP_DELEGATED,
        &[ctx.secp_ids[0], 100],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "lookup delegated small buffer",
        m::LOOKUP_DELEGATED,
        &[ctx.placeholder.0, 4],
        b"",
        BUFFER_TOO_SMALL,
    );
    sc(
        &mut b,
        ctx,
        "lookup delegated missing",
        m::LOOKUP_DELEGATED,
        &[424_242, 100],
        b"",
        NOT_FOUND,
    );
    for (label, id) in [
        ("code system", 0),
        ("code init", 1),
        ("code reward", 2),
        ("code account", ctx.secp_ids[0]),
        ("code test actor", 1000),
        ("code placeholder", ctx.placeholder.0),
    ] {
        sc(&mut b, ctx, label, m::ACTOR_CODE_CID, &[id, 100], b"", OK);
    }
    sc(
        &mut b,
        ctx,
        "code missing",
        m::ACTOR_CODE_CID,
        &[55_555, 100],
        b"",
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "code small buffer",
        m::ACTOR_CODE_CID,
        &[1, 5],
        b"",
        BUFFER_TOO_SMALL,
    );
    for (label, id) in [
        ("type system", 0),
        ("type init", 1),
        ("type account", ctx.secp_ids[0]),
        ("type eam", 10),
        ("type test actor", 1000),
    ] {
        sc(&mut b, ctx, label, m::BUILTIN_TYPE, &[id], b"", OK);
    }
    sc(
        &mut b,
        ctx,
        "type of unknown cid",
        m::BUILTIN_TYPE,
        &[],
        &[1, 2, 3],
        OK,
    );
    sc(
        &mut b,
        ctx,
        "type invalid cid",
        m::BUILTIN_TYPE,
        &[],
        &[0xff; 8],
        ILLEGAL_ARGUMENT,
    );
    for t in [1u64, 2, 3, 4, 7, 10, 11] {
        sc(
            &mut b,
            ctx,
            &format!("code for type {t}"),
            m::CODE_FOR_TYPE,
            &[t, 100],
            b"",
            if t <= 10 { OK } else { ILLEGAL_ARGUMENT },
        );
    }
    sc(
        &mut b,
        ctx,
        "code for type 0",
        m::CODE_FOR_TYPE,
        &[0, 100],
        b"",
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "code for type -1",
        m::CODE_FOR_TYPE,
        &[u32::MAX as u64, 100],
        b"",
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "code for type small buffer",
        m::CODE_FOR_TYPE,
        &[1, 3],
        b"",
        BUFFER_TOO_SMALL,
    );
    sc(
        &mut b,
        ctx,
        "next address",
        m::NEXT_ADDRESS,
        &[100],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "next address again",
        m::NEXT_ADDRESS,
        &[100],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "next address small buffer",
        m::NEXT_ADDRESS,
        &[5],
        b"",
        BUFFER_TOO_SMALL,
    );
    sc(
        &mut b,
        ctx,
        "create actor forbidden",
        m::CREATE_ACTOR,
        &[5000, 3],
        b"",
        FORBIDDEN,
    );
    out.push(b.build());

    // --- Crypto: hashes.
    let mut b = ctx.builder("syscalls/hash");
    for (label, code, len) in [
        ("blake2b-256", BLAKE2B_256, 32u64),
        ("blake2b-512", 0xb240, 64),
        ("sha2-256", 0x12, 32),
        ("keccak-256", 0x1b, 32),
        ("ripemd-160", 0x1053, 20),
        ("blake2b-256 short digest", BLAKE2B_256, 16),
        ("blake2b-256 long digest buffer", BLAKE2B_256, 64),
        ("sha2-256 empty digest", 0x12, 0),
    ] {
        sc(
            &mut b,
            ctx,
            label,
            m::HASH,
            &[code, len],
            b"the quick brown fox",
            OK,
        );
    }
    sc(
        &mut b,
        ctx,
        "hash of nothing",
        m::HASH,
        &[0x12, 32],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "sha2-512 unsupported",
        m::HASH,
        &[0x13, 64],
        b"x",
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "identity unsupported",
        m::HASH,
        &[0, 32],
        b"x",
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "hash 10 KiB",
        m::HASH,
        &[BLAKE2B_256, 32],
        &vec![7u8; 10 << 10],
        OK,
    );
    out.push(b.build());

    // --- Crypto: signatures.
    let mut b = ctx.builder("syscalls/signatures");
    let plaintext = b"sign me please".to_vec();
    let secret = &ctx.genesis.accounts[0].secret;
    let key = SigningKey::from_slice(secret).unwrap();
    let digest = blake2b256(&plaintext);
    let (sig, recid) = key.sign_prehash_recoverable(&digest).unwrap();
    let mut secp_sig = sig.to_bytes().to_vec();
    secp_sig.push(recid.to_byte());
    let signer = ctx.secp[0].to_bytes();
    let verify = |sig: &[u8], addr: &[u8], data: &[u8]| {
        let mut v = sig.to_vec();
        v.extend(addr);
        v.extend(data);
        v
    };
    let n = |t: u64, s: &[u8], a: &[u8]| vec![t, s.len() as u64, a.len() as u64];
    sc(
        &mut b,
        ctx,
        "secp good",
        m::VERIFY_SIGNATURE,
        &n(1, &secp_sig, &signer),
        &verify(&secp_sig, &signer, &plaintext),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "secp other data",
        m::VERIFY_SIGNATURE,
        &n(1, &secp_sig, &signer),
        &verify(&secp_sig, &signer, b"other"),
        OK,
    );
    let other = ctx.secp[1].to_bytes();
    sc(
        &mut b,
        ctx,
        "secp wrong signer",
        m::VERIFY_SIGNATURE,
        &n(1, &secp_sig, &other),
        &verify(&secp_sig, &other, &plaintext),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "secp short sig",
        m::VERIFY_SIGNATURE,
        &n(1, &secp_sig[..64], &signer),
        &verify(&secp_sig[..64], &signer, &plaintext),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "bad sig type",
        m::VERIFY_SIGNATURE,
        &n(7, &secp_sig, &signer),
        &verify(&secp_sig, &signer, &plaintext),
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "bad address",
        m::VERIFY_SIGNATURE,
        &n(1, &secp_sig, &[1, 2]),
        &verify(&secp_sig, &[1, 2], &plaintext),
        ILLEGAL_ARGUMENT,
    );
    let bls_key = crate::genesis::bls_key(5);
    let bls_sig = {
        use bls_signatures::Serialize;
        bls_key.sign(&plaintext).as_bytes()
    };
    let bls_signer = ctx.bls[0].to_bytes();
    sc(
        &mut b,
        ctx,
        "bls good",
        m::VERIFY_SIGNATURE,
        &n(2, &bls_sig, &bls_signer),
        &verify(&bls_sig, &bls_signer, &plaintext),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "bls other data",
        m::VERIFY_SIGNATURE,
        &n(2, &bls_sig, &bls_signer),
        &verify(&bls_sig, &bls_signer, b"nope"),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "bls garbage sig",
        m::VERIFY_SIGNATURE,
        &n(2, &[0xAB; 96], &bls_signer),
        &verify(&[0xAB; 96], &bls_signer, &plaintext),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "bls sig with secp address",
        m::VERIFY_SIGNATURE,
        &n(2, &bls_sig, &signer),
        &verify(&bls_sig, &signer, &plaintext),
        OK,
    );
    let mut recover = digest.to_vec();
    recover.extend(&secp_sig);
    sc(
        &mut b,
        ctx,
        "recover good",
        m::RECOVER_SECP,
        &[],
        &recover,
        OK,
    );
    let mut bad_recover = recover.clone();
    bad_recover[96] = 9;
    sc(
        &mut b,
        ctx,
        "recover bad recovery id",
        m::RECOVER_SECP,
        &[],
        &bad_recover,
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "recover zero sig",
        m::RECOVER_SECP,
        &[],
        &[0u8; 97],
        ILLEGAL_ARGUMENT,
    );
    out.push(b.build());

    // --- Crypto: proofs and consensus faults (invalid inputs only).
    let mut b = ctx.builder("syscalls/proofs");
    sc(
        &mut b,
        ctx,
        "consensus fault garbage",
        m::CONSENSUS_FAULT,
        &[3, 3],
        &[1, 2, 3, 4, 5, 6, 7],
        OK,
    );
    sc(
        &mut b,
        ctx,
        "consensus fault empty",
        m::CONSENSUS_FAULT,
        &[0, 0],
        b"",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "unsealed cid bad pieces",
        m::UNSEALED_CID,
        &[8],
        &[0xff, 0x00],
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "unsealed cid no pieces",
        m::UNSEALED_CID,
        &[8],
        &[0x80],
        OK,
    );
    sc(
        &mut b,
        ctx,
        "verify post garbage",
        m::VERIFY_PROOF,
        &[0],
        &[0x01, 0x02],
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "aggregate seals garbage",
        m::VERIFY_PROOF,
        &[1],
        &[0x01],
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "replica update garbage",
        m::VERIFY_PROOF,
        &[2],
        &[0x01],
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "batch seals empty",
        m::VERIFY_PROOF,
        &[3, 0],
        &[0x80],
        OK,
    );
    sc(
        &mut b,
        ctx,
        "batch seals garbage",
        m::VERIFY_PROOF,
        &[3, 4],
        &[0x01],
        ILLEGAL_ARGUMENT,
    );
    let comm_p = Cid::new_v1(
        0xf101,
        cid::multihash::Multihash::wrap(0x1012, &[0x11; 32]).unwrap(),
    );
    let one_piece = fvm_ipld_encoding::to_vec(&vec![(2048u64, comm_p)]).unwrap();
    sc(
        &mut b,
        ctx,
        "unsealed cid one 2 KiB piece",
        m::UNSEALED_CID,
        &[5],
        &one_piece,
        OK,
    );
    let small_piece = fvm_ipld_encoding::to_vec(&vec![(64u64, comm_p)]).unwrap();
    sc(
        &mut b,
        ctx,
        "unsealed cid piece too small",
        m::UNSEALED_CID,
        &[5],
        &small_piece,
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "unsealed cid unknown proof type",
        m::UNSEALED_CID,
        &[999],
        &one_piece,
        ILLEGAL_ARGUMENT,
    );
    out.push(b.build());

    // --- Events (values must use the raw or CBOR codec; keys are at most 31 bytes).
    let mut b = ctx.builder("syscalls/events");
    let v = [0x01u8];
    sc(
        &mut b,
        ctx,
        "one entry",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "k", RAW, &v)]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "cbor codec",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "k", CBOR, &v)]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "dag-cbor codec rejected",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "k", DAG_CBOR, &v)]),
        ILLEGAL_CODEC,
    );
    sc(
        &mut b,
        ctx,
        "dag-pb codec rejected",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "k", 0x70, &v)]),
        ILLEGAL_CODEC,
    );
    sc(
        &mut b,
        ctx,
        "no entries",
        m::EMIT_EVENT,
        &[0],
        &event(&[]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "flags 0",
        m::EMIT_EVENT,
        &[0],
        &event(&[(0, "k", RAW, &v)]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "flag key only",
        m::EMIT_EVENT,
        &[0],
        &event(&[(1, "k", RAW, &v)]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "unknown flag bit",
        m::EMIT_EVENT,
        &[0],
        &event(&[(8, "k", RAW, &v)]),
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "key 31 bytes",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, &"k".repeat(31), RAW, &v)]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "key 32 bytes",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, &"k".repeat(32), RAW, &v)]),
        LIMIT_EXCEEDED,
    );
    sc(
        &mut b,
        ctx,
        "key 33 bytes",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, &"k".repeat(33), RAW, &v)]),
        LIMIT_EXCEEDED,
    );
    sc(
        &mut b,
        ctx,
        "empty key",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "", RAW, &v)]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "empty value",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "k", RAW, b"")]),
        OK,
    );
    let many: Vec<(u64, &str, u64, &[u8])> = (0..255).map(|_| (3u64, "k", RAW, &v[..])).collect();
    sc(
        &mut b,
        ctx,
        "255 entries",
        m::EMIT_EVENT,
        &[0],
        &event(&many),
        OK,
    );
    let too_many: Vec<(u64, &str, u64, &[u8])> =
        (0..256).map(|_| (3u64, "k", RAW, &v[..])).collect();
    sc(
        &mut b,
        ctx,
        "256 entries",
        m::EMIT_EVENT,
        &[0],
        &event(&too_many),
        LIMIT_EXCEEDED,
    );
    let big = vec![0x5a; 8192];
    sc(
        &mut b,
        ctx,
        "8 KiB value",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "k", RAW, &big)]),
        OK,
    );
    let bigger = vec![0x5a; 8193];
    sc(
        &mut b,
        ctx,
        "8 KiB + 1 value",
        m::EMIT_EVENT,
        &[0],
        &event(&[(3, "k", RAW, &bigger)]),
        LIMIT_EXCEEDED,
    );
    sc(
        &mut b,
        ctx,
        "keys buffer short",
        m::EMIT_EVENT,
        &[1],
        &event(&[(3, "key", RAW, &v)]),
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "values buffer short",
        m::EMIT_EVENT,
        &[2],
        &event(&[(3, "key", RAW, &v)]),
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "two entries",
        m::EMIT_EVENT,
        &[0],
        &event(&[(1, "a", RAW, &v), (2, "b", CBOR, &[0x02])]),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "non-utf8 key",
        m::EMIT_EVENT,
        &[0],
        &event_raw_key(&[0xff, 0xfe], &v),
        ILLEGAL_ARGUMENT,
    );
    b.call(
        "event then abort (discarded)",
        ctx.secp[0],
        ctx.sys,
        m::SEND,
        args(
            &[m::EXIT, 0],
            &send_target(&ctx.sys, Some(args(&[20], b""))),
        ),
        zero(),
        EXIT_OK,
    )
    .status(OK);
    out.push(b.build());

    // --- Randomness.
    let mut b = ctx.builder("syscalls/randomness").settings(|s| {
        s.randomness.chain.insert(990, [0x11; 32]);
        s.randomness.beacon.insert(995, [0x22; 32]);
    });
    for (label, method, epoch, status) in [
        ("chain with rule", m::CHAIN_RANDOMNESS, 990i64, OK),
        ("chain fallback", m::CHAIN_RANDOMNESS, 500, OK),
        ("chain current", m::CHAIN_RANDOMNESS, 1000, OK),
        ("chain lookback limit", m::CHAIN_RANDOMNESS, 100, OK),
        ("chain 901 back", m::CHAIN_RANDOMNESS, 99, OK),
        ("chain negative epoch", m::CHAIN_RANDOMNESS, -1, OK),
        ("beacon with rule", m::BEACON_RANDOMNESS, 995, OK),
        ("beacon fallback", m::BEACON_RANDOMNESS, 0, OK),
        ("beacon recent", m::BEACON_RANDOMNESS, 999, OK),
    ] {
        sc(&mut b, ctx, label, method, &[epoch as u64], b"", status);
    }
    // A future epoch gives a negative lookback, priced as a huge one: the call runs out of gas.
    for (label, method, epoch) in [
        ("chain next epoch", m::CHAIN_RANDOMNESS, 1001u64),
        ("beacon future", m::BEACON_RANDOMNESS, 1500),
    ] {
        b.call(
            label,
            ctx.secp[0],
            ctx.sys,
            method,
            args(&[epoch], b""),
            zero(),
            ExitCode::SYS_OUT_OF_GAS,
        );
    }
    out.push(b.build());

    // --- Gas.
    let mut b = ctx.builder("syscalls/gas");
    sc(&mut b, ctx, "available", m::GAS_AVAILABLE, &[], b"", OK);
    b.call(
        "available small limit",
        ctx.secp[0],
        ctx.sys,
        m::GAS_AVAILABLE,
        args(&[], b""),
        zero(),
        EXIT_OK,
    )
    .status(OK)
    .gas(5_000_000);
    sc(
        &mut b,
        ctx,
        "charge small",
        m::GAS_CHARGE,
        &[1000],
        b"custom",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "charge zero",
        m::GAS_CHARGE,
        &[0],
        b"custom",
        OK,
    );
    sc(
        &mut b,
        ctx,
        "charge bad utf8 name",
        m::GAS_CHARGE,
        &[10],
        &[0xff, 0xfe],
        ILLEGAL_ARGUMENT,
    );
    b.call(
        "charge everything",
        ctx.secp[0],
        ctx.sys,
        m::GAS_CHARGE,
        args(&[u64::MAX / 4], b"all"),
        zero(),
        ExitCode::SYS_OUT_OF_GAS,
    );
    b.call(
        "charge past limit",
        ctx.secp[0],
        ctx.sys,
        m::GAS_CHARGE,
        args(&[20_000_000], b"x"),
        zero(),
        ExitCode::SYS_OUT_OF_GAS,
    )
    .gas(10_000_000);
    out.push(b.build());

    // --- Send.
    let mut b = ctx.builder("syscalls/send");
    let ping = |n: &[u64]| Some(args(n, b""));
    sc(
        &mut b,
        ctx,
        "send to account value 0",
        m::SEND,
        &[0, 0],
        &send_target(&ctx.secp[1], None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send value to account",
        m::SEND,
        &[0, 1_000],
        &send_target(&ctx.secp[1], None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send too much value",
        m::SEND,
        &[0, 0, 0, 0, 0, 100],
        &send_target(&ctx.secp[1], None),
        INSUFFICIENT_FUNDS,
    );
    sc(
        &mut b,
        ctx,
        "send 18 FIL in the low word",
        m::SEND,
        &[0, u64::MAX],
        &send_target(&ctx.secp[1], None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send to self",
        m::SEND,
        &[m::BALANCE, 0],
        &send_target(&ctx.sys, ping(&[])),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send to self value",
        m::SEND,
        &[m::BALANCE, 10],
        &send_target(&ctx.sys, ping(&[])),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send to missing id",
        m::SEND,
        &[0, 0],
        &send_target(&Address::new_id(777_777), None),
        NOT_FOUND,
    );
    sc(
        &mut b,
        ctx,
        "send to new f1 creates account",
        m::SEND,
        &[0, 1],
        &send_target(&crate::genesis::secp_address(&[0x44; 32]).unwrap(), None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send to new f4 creates placeholder",
        m::SEND,
        &[0, 1],
        &send_target(&Address::new_delegated(10, &[0x77; 20]).unwrap(), None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send to existing placeholder",
        m::SEND,
        &[0, 1],
        &send_target(&ctx.placeholder.1, None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send method to account",
        m::SEND,
        &[5, 0],
        &send_target(&ctx.secp[1], None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send to fvm actor",
        m::SEND,
        &[2, 3],
        &send_target(&ctx.fvm, None),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send with gas limit",
        m::SEND,
        &[m::GAS_AVAILABLE, 0, 1_000_000],
        &send_target(&ctx.sys, ping(&[])),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send with tiny gas limit",
        m::SEND,
        &[m::GAS_AVAILABLE, 0, 10],
        &send_target(&ctx.sys, ping(&[])),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "send bad params codec",
        m::SEND,
        &[m::BALANCE, 0, 0, 0, 0x70],
        &send_target(&ctx.sys, ping(&[])),
        ILLEGAL_CODEC,
    );
    sc(
        &mut b,
        ctx,
        "send unknown flag",
        m::SEND,
        &[m::BALANCE, 0, 0, 2],
        &send_target(&ctx.sys, ping(&[])),
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "send bad recipient",
        m::SEND,
        &[0, 0],
        &fvm_ipld_encoding::to_vec(&(RawBytes::new(vec![7, 7]), None::<RawBytes>)).unwrap(),
        ILLEGAL_ARGUMENT,
    );
    sc(
        &mut b,
        ctx,
        "callee exits with error",
        m::SEND,
        &[m::EXIT, 0],
        &send_target(&ctx.sys, ping(&[18])),
        OK,
    );
    sc(
        &mut b,
        ctx,
        "callee aborts unknown method",
        m::SEND,
        &[999, 0],
        &send_target(&ctx.sys, None),
        OK,
    );
    out.push(b.build());

    // --- Read-only calls.
    let mut b = ctx.builder("syscalls/read_only");
    let ro = 1u64;
    for (label, method, n, bytes) in [
        ("ro read root", m::ROOT, vec![100u64], Vec::new()),
        ("ro set root", m::SET_ROOT, vec![DAG_CBOR], vec![0x01]),
        (
            "ro emit event",
            m::EMIT_EVENT,
            vec![0],
            event(&[(3, "k", DAG_CBOR, &[0x01])]),
        ),
        ("ro self destruct", m::SELF_DESTRUCT, vec![1], Vec::new()),
        (
            "ro send value",
            m::SEND,
            vec![0, 5],
            send_target(&ctx.secp[1], None),
        ),
        (
            "ro send no value",
            m::SEND,
            vec![0, 0],
            send_target(&ctx.secp[1], None),
        ),
        (
            "ro create account",
            m::SEND,
            vec![0, 0],
            send_target(&crate::genesis::secp_address(&[0x45; 32]).unwrap(), None),
        ),
        ("ro message context", m::MESSAGE_CONTEXT, vec![], Vec::new()),
        (
            "ro create block",
            m::BLOCK_CREATE,
            vec![RAW],
            b"ok".to_vec(),
        ),
    ] {
        sc(
            &mut b,
            ctx,
            label,
            m::SEND,
            &[method, 0, 0, ro],
            &send_target(&ctx.sys, Some(args(&n, &bytes))),
            OK,
        );
    }
    sc(
        &mut b,
        ctx,
        "ro with value",
        m::SEND,
        &[m::BALANCE, 5, 0, ro],
        &send_target(&ctx.sys, Some(args(&[], b""))),
        READ_ONLY,
    );
    out.push(b.build());

    // --- Exits.
    let mut b = ctx.builder("syscalls/exits");
    for code in (0u32..=33).chain([255, 1000, 0x7fff_ffff]) {
        // User codes (16 and up) come back as given; system codes 1..=15 are illegal from actors.
        let expect = if (1..16).contains(&code) {
            ExitCode::SYS_ILLEGAL_EXIT_CODE
        } else {
            ExitCode::new(code)
        };
        b.call(
            format!("exit {code}"),
            ctx.secp[0],
            ctx.sys,
            m::EXIT,
            args(&[code as u64], b""),
            zero(),
            expect,
        );
    }
    b.call(
        "exit ok with data",
        ctx.secp[0],
        ctx.sys,
        m::EXIT,
        args(&[0, DAG_CBOR], &[0x63, b'a', b'b', b'c']),
        zero(),
        EXIT_OK,
    );
    b.call(
        "exit error with data",
        ctx.secp[0],
        ctx.sys,
        m::EXIT,
        args(&[20, DAG_CBOR], &[0x01]),
        zero(),
        ExitCode::new(20),
    );
    b.call(
        "exit raw data",
        ctx.secp[0],
        ctx.sys,
        m::EXIT,
        args(&[0, RAW], b"raw"),
        zero(),
        EXIT_OK,
    );
    // An exit naming a block that does not exist is a kernel assertion failure (all gas is used).
    b.call(
        "exit bad block",
        ctx.secp[0],
        ctx.sys,
        m::EXIT_BAD_BLOCK,
        args(&[0, 99], b""),
        zero(),
        ExitCode::SYS_ASSERTION_FAILED,
    )
    .gas(20_000_000);
    b.call(
        "exit error bad block",
        ctx.secp[0],
        ctx.sys,
        m::EXIT_BAD_BLOCK,
        args(&[17, 99], b""),
        zero(),
        ExitCode::SYS_ASSERTION_FAILED,
    )
    .gas(20_000_000);
    b.call(
        "return bad handle",
        ctx.secp[0],
        ctx.sys,
        m::RETURN_HANDLE,
        args(&[1234], b""),
        zero(),
        ExitCode::SYS_MISSING_RETURN,
    );
    b.call(
        "return params handle",
        ctx.secp[0],
        ctx.sys,
        m::RETURN_HANDLE,
        args(&[1], b""),
        zero(),
        EXIT_OK,
    );
    b.call(
        "return no data",
        ctx.secp[0],
        ctx.sys,
        m::RETURN_HANDLE,
        args(&[0], b""),
        zero(),
        EXIT_OK,
    );
    b.call(
        "return raw block",
        ctx.secp[0],
        ctx.sys,
        m::RETURN_RAW,
        args(&[RAW], b"raw return"),
        zero(),
        EXIT_OK,
    );
    b.call(
        "return cbor block",
        ctx.secp[0],
        ctx.sys,
        m::RETURN_RAW,
        args(&[CBOR], &[0x01]),
        zero(),
        EXIT_OK,
    );
    b.call(
        "unknown method aborts",
        ctx.secp[0],
        ctx.sys,
        4242,
        args(&[], b""),
        zero(),
        ExitCode::USR_UNHANDLED_MESSAGE,
    );
    b.call(
        "bad params abort",
        ctx.secp[0],
        ctx.sys,
        m::ROOT,
        cbor(&"not args"),
        zero(),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    out.push(b.build());

    out
}

/// An `EMIT_EVENT` list with one entry whose key is arbitrary bytes.
fn event_raw_key(key: &[u8], value: &[u8]) -> Vec<u8> {
    let list = vec![(
        3u64,
        RawBytes::new(key.to_vec()),
        RAW,
        RawBytes::new(value.to_vec()),
    )];
    fvm_ipld_encoding::to_vec(&list).unwrap()
}

fn blake2b256(data: &[u8]) -> [u8; 32] {
    let h = Code::Blake2b256.digest(data);
    h.digest().try_into().unwrap()
}

/// Debug logs and artifacts with actor debugging on: what each log looks like in the execution
/// trace, and every way `debug::log` and `debug::store_artifact` refuse their input. (Vectors
/// run it with debugging off, where both are no-ops.)
///
/// It is listed last in the library (see [`super::all`]) so that adding it did not move the
/// network versions of the vectors generated from the scenarios before it.
pub(crate) fn debug_scenarios(ctx: &Ctx) -> Vec<Scenario> {
    /// A label, the test actor's method, its integer arguments, its bytes, the expected exit.
    type Case<'a> = (&'a str, u64, &'a [u64], &'a [u8], u32);
    let mut b = ctx
        .builder("syscalls/debug_logs")
        .settings(|s| s.actor_debugging = true);
    let long = vec![b'x'; 2000];
    let long_name = vec![b'n'; 257];
    let cases: &[Case] = &[
        ("empty log", m::DEBUG_LOG, &[], b"", OK),
        ("ascii log", m::DEBUG_LOG, &[], b"hello from the actor", OK),
        (
            "utf-8 log",
            m::DEBUG_LOG,
            &[],
            "h\u{e9}llo \u{2713}".as_bytes(),
            OK,
        ),
        ("long log", m::DEBUG_LOG, &[], &long, OK),
        (
            "log not utf-8",
            m::DEBUG_LOG,
            &[],
            &[0xff, 0xfe, 0x41],
            ILLEGAL_ARGUMENT,
        ),
        ("artifact", m::STORE_ARTIFACT, &[5], b"traceabc", OK),
        (
            "artifact empty name",
            m::STORE_ARTIFACT,
            &[0],
            b"abc",
            ILLEGAL_ARGUMENT,
        ),
        (
            "artifact dot name",
            m::STORE_ARTIFACT,
            &[4],
            b".hidabc",
            ILLEGAL_ARGUMENT,
        ),
        (
            "artifact path name",
            m::STORE_ARTIFACT,
            &[3],
            b"a/babc",
            ILLEGAL_ARGUMENT,
        ),
        (
            "artifact name not utf-8",
            m::STORE_ARTIFACT,
            &[2],
            &[0xc3, 0x28, 1],
            ILLEGAL_ARGUMENT,
        ),
    ];
    for (label, method, n, bytes, status) in cases {
        sc(&mut b, ctx, label, *method, n, bytes, *status);
    }
    let mut named = long_name.clone();
    named.extend_from_slice(b"data");
    sc(
        &mut b,
        ctx,
        "artifact name too long",
        m::STORE_ARTIFACT,
        &[long_name.len() as u64],
        &named,
        ILLEGAL_ARGUMENT,
    );
    vec![b.build()]
}
