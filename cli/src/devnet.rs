//! `fern devnet ...`, `fern state inspect` and `fern vectors extract`: the dev chain and state
//! commands (the library is `fern_devnet`).
//!
//! Exit codes, as for every command: 0 success; 1 something failed (a constructor or a message
//! exited non-zero, a fatal VM error); 2 bad invocation or unreadable input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fern_conformance::exec::{cbor_diagnostic, render_json, render_text};
use fern_conformance::{Actuals, MessageActual, TestVector};
use fern_devnet::inspect::{actor_state, list_actors, ActorRow};
use fern_devnet::message::{parse_amount, parse_method, parse_params, parse_send_json};
use fern_devnet::{BundleSource, Devnet, GenesisSpec, SendSpec};
use fern_shared::address::Address;

/// Help of `fern devnet`.
pub const HELP_DEVNET: &str =
    "    fern devnet new DIR [--bundle FILE] [--network NAME] [--nv N] [--accounts N]
                    [--bls N] [--placeholders N] [--balance AMOUNT] [--seed S]
                    [--name NETWORK_NAME] [--force]
        Create a dev chain in DIR (devnet.json, state.car): the singletons the
        bundle needs and funded accounts a0, a1, ... (secp256k1), bls0, ...
        (BLS) and placeholders p0, ... (f410), keys derived from the seed.
          --bundle FILE   a bundle CAR or lotus .tar.zst (default: Fern's own
                          actors); --network picks the archive's CAR (mainnet)
          --nv N          network version (default: the newest Fern runs)
          --accounts N    secp256k1 accounts (default 4); --bls N (default 0);
          --placeholders N (default 1); --balance AMOUNT each (default
                          \"10000 FIL\"; attoFIL digits or \"<n> FIL\")
          --seed S        key seed (default \"fern\"); --force replaces DIR's chain
        DEV KEYS ARE WRITTEN IN THE CLEAR: never use them for real funds.

    fern devnet install DIR ACTOR.wasm [--name NAME]
        Check that Fern can run the Wasm and add it to the chain under NAME
        (default: the file name without .wasm). Prints its code CID.

    fern devnet create DIR CODE [PARAMS] [--debug] [--json]
        Create an actor from installed CODE (name or CID) and run its
        constructor with PARAMS (see below) as the init actor (f01) would.
        DEV-ONLY: a real network creates actors through init's Exec, only from
        its bundle. Prints the new actor's id and f2 address. Exits 1 when the
        constructor fails (the chain is unchanged).

    fern devnet send DIR MESSAGE.json [--debug] [--json] [--trace]
    fern devnet send DIR --from ACCOUNT --to ADDRESS --method M [PARAMS]
                    [--value AMOUNT] [--gas-limit N] [--debug] [--json] [--trace]
        Sign a message with a dev key, apply it at the next epoch and save the
        new state. M is a number or a method name (FRC-0042). MESSAGE.json:
        {\"from\", \"to\", \"method\", \"params\": {\"json\"|\"hex\"|\"base64\": ..},
        \"value\", \"gas_limit\", \"gas_fee_cap\", \"gas_premium\"}. Prints the
        receipt, decoded return, events, failure info and (--debug) logs.
        Exits 1 when the message's exit code is not 0 (its gas is still paid).
        PARAMS: --params-json JSON (CBOR-encoded), --params-hex HEX or
        --params-base64 B64.

";

/// Help of `fern state`.
pub const HELP_STATE: &str =
    "    fern state inspect (STATE.car | DEVNET_DIR) [--actor ADDRESS] [--bundle FILE] [--json]
        List every actor of a state: id, code (the manifest's or an installed
        code's name), balance in FIL, nonce, addresses. With --actor, one actor
        and its state block decoded (CBOR diagnostic notation). --bundle adds a
        bundle's blocks (to name code when the CAR lacks the manifest).

";

/// Help of `fern vectors extract`.
pub const HELP_EXTRACT: &str = "    fern vectors extract VECTOR.json --out DIR
        Write a vector's pre-state as DIR/pre-state.car, its messages as
        DIR/messages.txt (base64, one per line) and its randomness rules as
        DIR/randomness.json, and print one `fern exec` command per variant that
        replays them.

";

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong (exit 2, with the usage hint).
    Usage(String),
    /// An input could not be read or used (exit 2).
    Input(String),
    /// Something failed while running (exit 1).
    Failed(String),
}

/// A command's exit code, or why it stopped.
pub type CmdResult = Result<u8, Failure>;

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

fn input(msg: impl std::fmt::Display) -> Failure {
    Failure::Input(msg.to_string())
}

fn failed(msg: impl std::fmt::Display) -> Failure {
    Failure::Failed(msg.to_string())
}

/// Options of a command line: `--flag value` pairs, bare `--switch`es and positionals.
struct Args {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
    positional: Vec<String>,
}

fn parse_args(args: &[&str], with_value: &[&str], switches: &[&str]) -> Result<Args, Failure> {
    let mut out = Args {
        values: BTreeMap::new(),
        switches: Vec::new(),
        positional: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if with_value.contains(a) {
            let v = it
                .next()
                .ok_or_else(|| usage(format!("{a} needs a value")))?;
            if out.values.insert(a.to_string(), v.to_string()).is_some() {
                return Err(usage(format!("{a} given twice")));
            }
        } else if switches.contains(a) {
            out.switches.push(a.to_string());
        } else if a.starts_with('-') && a.len() > 1 {
            return Err(usage(format!("unknown option {a}")));
        } else {
            out.positional.push(a.to_string());
        }
    }
    Ok(out)
}

impl Args {
    fn has(&self, s: &str) -> bool {
        self.switches.iter().any(|x| x == s)
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.values.get(k).map(String::as_str)
    }
    fn number<T: std::str::FromStr>(&self, k: &str, default: T) -> Result<T, Failure> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| usage(format!("{k} needs a number, not {v:?}"))),
        }
    }
    /// CBOR parameters from `--params-json`, `--params-hex` or `--params-base64` (at most one).
    fn params(&self) -> Result<Vec<u8>, Failure> {
        let given: Vec<(&str, &str)> = [
            ("--params-json", "json"),
            ("--params-hex", "hex"),
            ("--params-base64", "base64"),
        ]
        .into_iter()
        .filter_map(|(flag, kind)| self.get(flag).map(|v| (kind, v)))
        .collect();
        match given.as_slice() {
            [] => Ok(Vec::new()),
            [(kind, v)] => {
                let value = if *kind == "json" {
                    let json: serde_json::Value = serde_json::from_str(v)
                        .map_err(|e| usage(format!("--params-json is not JSON: {e}")))?;
                    serde_json::json!({ "json": json })
                } else {
                    serde_json::json!({ *kind: v })
                };
                parse_params(&value).map_err(|e| usage(format!("{e:#}")))
            }
            _ => Err(usage(
                "give at most one of --params-json, --params-hex, --params-base64",
            )),
        }
    }
}

const PARAMS: [&str; 3] = ["--params-json", "--params-hex", "--params-base64"];

fn open(dir: &str) -> Result<Devnet, Failure> {
    Devnet::open(Path::new(dir)).map_err(|e| input(format!("{e:#}")))
}

fn save(chain: &mut Devnet, dir: &str) -> Result<(), Failure> {
    chain
        .save(Path::new(dir))
        .map_err(|e| failed(format!("cannot save the chain: {e:#}")))
}

/// Runs `fern devnet SUB ...` (on the caller's deep-stack thread).
pub fn devnet(args: &[&str]) -> CmdResult {
    match args {
        ["new", rest @ ..] => new(rest),
        ["install", rest @ ..] => install(rest),
        ["create", rest @ ..] => create(rest),
        ["send", rest @ ..] => send(rest),
        [] => Err(usage(
            "devnet needs a subcommand: new, install, create or send",
        )),
        [other, ..] => Err(usage(format!(
            "unknown devnet subcommand {other:?} (new, install, create, send)"
        ))),
    }
}

fn new(args: &[&str]) -> CmdResult {
    let a = parse_args(
        args,
        &[
            "--bundle",
            "--network",
            "--nv",
            "--accounts",
            "--bls",
            "--placeholders",
            "--balance",
            "--seed",
            "--name",
        ],
        &["--force"],
    )?;
    let [dir] = a.positional.as_slice() else {
        return Err(usage("devnet new needs exactly one DIR"));
    };
    let dir = PathBuf::from(dir);
    if dir.join(fern_devnet::chain::SIDECAR).exists() && !a.has("--force") {
        return Err(input(format!(
            "{} already holds a dev chain (--force replaces it)",
            dir.display()
        )));
    }
    let defaults = GenesisSpec::default();
    let spec = GenesisSpec {
        network_version: a.number("--nv", defaults.network_version)?,
        network_name: a
            .get("--name")
            .map_or(defaults.network_name, str::to_string),
        seed: a.get("--seed").map_or(defaults.seed, str::to_string),
        secp_accounts: a.number("--accounts", defaults.secp_accounts)?,
        bls_accounts: a.number("--bls", defaults.bls_accounts)?,
        placeholders: a.number("--placeholders", defaults.placeholders)?,
        balance: match a.get("--balance") {
            None => defaults.balance,
            Some(v) => parse_amount(v).map_err(|e| usage(format!("--balance: {e:#}")))?,
        },
    };
    let bundle = match a.get("--bundle") {
        None => BundleSource::embedded(),
        Some(path) => BundleSource::from_file(Path::new(path), a.get("--network")),
    }
    .map_err(|e| input(format!("{e:#}")))?;
    let mut chain = Devnet::new(&spec, &bundle).map_err(|e| input(format!("{e:#}")))?;
    if a.has("--force") {
        for f in [
            fern_devnet::chain::MESSAGE_LOG,
            fern_devnet::chain::STATE_CAR,
        ] {
            let _ = std::fs::remove_file(dir.join(f));
        }
        let _ = std::fs::remove_dir_all(dir.join(fern_devnet::chain::CODE_DIR));
    }
    save(&mut chain, &dir.to_string_lossy())?;
    println!(
        "dev chain {} (network version {}, bundle {})",
        dir.display(),
        spec.network_version,
        bundle.label
    );
    println!("state_root {}", chain.sidecar.state_root);
    for acc in &chain.sidecar.accounts {
        println!(
            "{:<6} f0{:<5} {:<12} {}",
            acc.name, acc.id, acc.key_type, acc.address
        );
    }
    Ok(0)
}

fn install(args: &[&str]) -> CmdResult {
    let a = parse_args(args, &["--name"], &[])?;
    let [dir, wasm_path] = a.positional.as_slice() else {
        return Err(usage("devnet install needs DIR and ACTOR.wasm"));
    };
    let name = match a.get("--name") {
        Some(n) => n.to_string(),
        None => Path::new(wasm_path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let wasm = std::fs::read(wasm_path).map_err(|e| input(format!("{wasm_path}: {e}")))?;
    let mut chain = open(dir)?;
    let cid = chain
        .install(&name, &wasm)
        .map_err(|e| input(format!("{e:#}")))?;
    save(&mut chain, dir)?;
    println!("installed {name} {cid} ({} bytes)", wasm.len());
    Ok(0)
}

/// Prints a receipt: the header, the exec-style lines, the decoded return.
fn show_receipt(
    header: &str,
    receipt: &MessageActual,
    root: &str,
    json: bool,
    extra: serde_json::Value,
) {
    let actual = Actuals {
        receipts: vec![receipt.clone()],
        state_root: root.parse().ok(),
    };
    let decoded = cbor_diagnostic(&receipt.return_data)
        .filter(|(_, rest)| rest.is_empty())
        .map(|(d, _)| d);
    if json {
        let mut doc: serde_json::Value =
            serde_json::from_str(&render_json(&actual)).expect("render_json gives JSON");
        if let serde_json::Value::Object(o) = &mut doc {
            if let serde_json::Value::Object(e) = extra {
                o.extend(e);
            }
            o.insert("return_cbor".into(), serde_json::json!(decoded));
        }
        println!("{}", serde_json::to_string_pretty(&doc).expect("JSON"));
        return;
    }
    println!("{header}");
    let text = render_text(&actual);
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        println!("{}", first.replacen("message 0: ", "", 1));
    }
    if let Some(d) = decoded.filter(|_| !receipt.return_data.is_empty()) {
        println!("    return (CBOR): {d}");
    }
    for l in lines {
        println!("{l}");
    }
}

fn create(args: &[&str]) -> CmdResult {
    let a = parse_args(args, &PARAMS, &["--debug", "--json"])?;
    let [dir, code] = a.positional.as_slice() else {
        return Err(usage("devnet create needs DIR and CODE"));
    };
    let params = a.params()?;
    let mut chain = open(dir)?;
    chain.set_debug(a.has("--debug"));
    match chain.create(code, params) {
        Ok(created) => {
            save(&mut chain, dir)?;
            let header = format!(
                "created f0{} ({}) from {code} at epoch {}",
                created.id, created.address, chain.sidecar.epoch
            );
            let extra = serde_json::json!({
                "id": created.id,
                "address": created.address.to_string(),
                "epoch": chain.sidecar.epoch,
            });
            show_receipt(
                &header,
                &created.receipt,
                &chain.sidecar.state_root,
                a.has("--json"),
                extra,
            );
            Ok(0)
        }
        Err(e) if e.to_string().contains("no installed code") => Err(input(format!("{e:#}"))),
        Err(e) => Err(failed(format!("{e:#}"))),
    }
}

fn send(args: &[&str]) -> CmdResult {
    let mut with_value = vec!["--from", "--to", "--method", "--value", "--gas-limit"];
    with_value.extend(PARAMS);
    let a = parse_args(args, &with_value, &["--debug", "--json", "--trace"])?;
    let spec = match a.positional.as_slice() {
        [_, file] => {
            if a.values.keys().any(|k| !k.is_empty()) {
                return Err(usage(
                    "give a MESSAGE.json or --from/--to/--method, not both",
                ));
            }
            let text = std::fs::read_to_string(file).map_err(|e| input(format!("{file}: {e}")))?;
            parse_send_json(&text).map_err(|e| input(format!("{file}: {e:#}")))?
        }
        [_] => {
            let need = |k: &str| {
                a.get(k)
                    .map(str::to_string)
                    .ok_or_else(|| usage(format!("devnet send needs {k} (or a MESSAGE.json)")))
            };
            SendSpec {
                from: need("--from")?,
                to: need("--to")?,
                method: parse_method(&need("--method")?)
                    .map_err(|e| usage(format!("--method: {e:#}")))?,
                params: a.params()?,
                value: match a.get("--value") {
                    None => fern_shared::econ::TokenAmount::zero(),
                    Some(v) => parse_amount(v).map_err(|e| usage(format!("--value: {e:#}")))?,
                },
                gas_limit: a.number("--gas-limit", fern_devnet::message::DEFAULT_GAS_LIMIT)?,
                gas_fee_cap: fern_shared::econ::TokenAmount::from_atto(
                    fern_devnet::message::DEFAULT_GAS_FEE_CAP,
                ),
                gas_premium: fern_shared::econ::TokenAmount::from_atto(
                    fern_devnet::message::DEFAULT_GAS_PREMIUM,
                ),
            }
        }
        _ => {
            return Err(usage(
                "devnet send needs DIR and either MESSAGE.json or --from/--to/--method",
            ))
        }
    };
    let dir = &a.positional[0];
    let mut chain = open(dir)?;
    chain.set_debug(a.has("--debug"));
    chain.set_tracing(a.has("--trace"));
    let sent = chain.send(&spec).map_err(|e| {
        let text = format!("{e:#}");
        let bad_input = text.contains("no dev account")
            || text.contains("placeholder")
            || text.contains("neither an address");
        if bad_input {
            input(text)
        } else {
            failed(text)
        }
    })?;
    save(&mut chain, dir)?;
    let header = format!(
        "message {} ({} -> {}, method {}, nonce {}) at epoch {}",
        sent.cid,
        sent.message.from,
        sent.message.to,
        sent.message.method_num,
        sent.message.sequence,
        sent.epoch
    );
    let extra = serde_json::json!({
        "cid": sent.cid.to_string(),
        "epoch": sent.epoch,
        "from": sent.message.from.to_string(),
        "to": sent.message.to.to_string(),
        "method": sent.message.method_num,
        "nonce": sent.message.sequence,
    });
    let mut receipt = sent.receipt.clone();
    if !a.has("--trace") {
        receipt.trace.clear();
    }
    show_receipt(
        &header,
        &receipt,
        &chain.sidecar.state_root,
        a.has("--json"),
        extra,
    );
    Ok(u8::from(sent.receipt.exit_code != 0))
}

fn row_json(r: &ActorRow) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "code": r.code.to_string(),
        "code_name": r.code_name,
        "balance": r.balance.atto().to_string(),
        "nonce": r.sequence,
        "addresses": r.addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        "delegated_address": r.delegated_address.map(|a| a.to_string()),
        "state": r.state.to_string(),
    })
}

fn row_text(r: &ActorRow) -> String {
    let mut addresses: Vec<String> = r.addresses.iter().map(|a| a.to_string()).collect();
    if let Some(d) = r.delegated_address {
        if !r.addresses.contains(&d) {
            addresses.push(d.to_string());
        }
    }
    format!(
        "{:<8} {:<18} {:>24} {:>6}  {}",
        format!("f0{}", r.id),
        r.code_name.clone().unwrap_or_else(|| r.code.to_string()),
        format!("{}", r.balance),
        r.sequence,
        addresses.join(" ")
    )
}

/// `fern state inspect ...`.
pub fn state(args: &[&str]) -> CmdResult {
    let (sub, rest) = args
        .split_first()
        .ok_or_else(|| usage("state needs a subcommand: inspect"))?;
    if *sub != "inspect" {
        return Err(usage(format!("unknown state subcommand {sub:?} (inspect)")));
    }
    let a = parse_args(rest, &["--actor", "--bundle"], &["--json"])?;
    let [source] = a.positional.as_slice() else {
        return Err(usage("state inspect needs one STATE.car or DEVNET_DIR"));
    };
    let (store, root, names) = if Path::new(source).is_dir() {
        let chain = open(source)?;
        let names = chain.code_names();
        let root = chain.root().map_err(|e| input(format!("{e:#}")))?;
        (chain.store().clone(), root, names)
    } else {
        let data = std::fs::read(source).map_err(|e| input(format!("{source}: {e}")))?;
        let car = fern_conformance::exec::read_state_car(data)
            .map_err(|e| input(format!("{source}: {e}")))?;
        let store = fvm_ipld_blockstore::MemoryBlockstore::new();
        for (cid, data) in &car.blocks {
            fvm_ipld_blockstore::Blockstore::put_keyed(&store, cid, data).map_err(input)?;
        }
        (store, car.root, Vec::new())
    };
    if let Some(path) = a.get("--bundle") {
        let bundle =
            BundleSource::from_file(Path::new(path), None).map_err(|e| input(format!("{e:#}")))?;
        for (cid, data) in &bundle.blocks {
            fvm_ipld_blockstore::Blockstore::put_keyed(&store, cid, data).map_err(input)?;
        }
    }
    let json = a.has("--json");
    if let Some(addr) = a.get("--actor") {
        let address: Address = addr
            .parse()
            .map_err(|e| usage(format!("--actor: {addr:?} is not an address: {e:?}")))?;
        let (row, bytes) =
            actor_state(&store, &root, &address, &names).map_err(|e| failed(format!("{e:#}")))?;
        let diag = cbor_diagnostic(&bytes)
            .filter(|(_, r)| r.is_empty())
            .map(|(d, _)| d);
        if json {
            let doc = serde_json::json!({
                "state_root": root.to_string(),
                "actor": row_json(&row),
                "state_cbor": diag,
                "state_hex": data_encoding::HEXLOWER.encode(&bytes),
            });
            println!("{}", serde_json::to_string_pretty(&doc).expect("JSON"));
        } else {
            println!("state_root {root}");
            println!("{}", row_text(&row));
            println!("state {} ({} bytes)", row.state, bytes.len());
            match diag {
                Some(d) => println!("{d}"),
                None => println!("0x{}", data_encoding::HEXLOWER.encode(&bytes)),
            }
        }
        return Ok(0);
    }
    let rows = list_actors(&store, &root, &names).map_err(|e| failed(format!("{e:#}")))?;
    if json {
        let doc = serde_json::json!({
            "state_root": root.to_string(),
            "actors": rows.iter().map(row_json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&doc).expect("JSON"));
    } else {
        println!("state_root {root}");
        println!(
            "{:<8} {:<18} {:>24} {:>6}  addresses",
            "id", "code", "balance (FIL)", "nonce"
        );
        for r in &rows {
            println!("{}", row_text(r));
        }
    }
    Ok(0)
}

/// `fern vectors extract VECTOR.json --out DIR`.
pub fn extract(args: &[&str]) -> CmdResult {
    let a = parse_args(args, &["--out"], &[])?;
    let [file] = a.positional.as_slice() else {
        return Err(usage("vectors extract needs one VECTOR.json"));
    };
    let out = PathBuf::from(
        a.get("--out")
            .ok_or_else(|| usage("vectors extract needs --out DIR"))?,
    );
    let text = std::fs::read(file).map_err(|e| input(format!("{file}: {e}")))?;
    let vector = TestVector::from_json(&text)
        .map_err(|e| input(format!("{file}: not a test vector: {e}")))?;
    let car = vector
        .pre_state_car()
        .map_err(|e| input(format!("{file}: {e}")))?;
    std::fs::create_dir_all(&out).map_err(|e| input(format!("{}: {e}", out.display())))?;
    let write = |name: &str, data: &[u8]| {
        std::fs::write(out.join(name), data)
            .map_err(|e| failed(format!("{}: {e}", out.join(name).display())))
    };
    write("pre-state.car", &car)?;
    let messages: String = vector
        .apply_messages
        .iter()
        .map(|m| data_encoding::BASE64.encode(&m.bytes.0) + "\n")
        .collect();
    write("messages.txt", messages.as_bytes())?;
    let randomness = serde_json::to_string_pretty(&vector.randomness).expect("JSON") + "\n";
    write("randomness.json", randomness.as_bytes())?;
    println!(
        "{}: {} messages, pre-state {}",
        vector.id().unwrap_or(file),
        vector.apply_messages.len(),
        vector.preconditions.state_tree.root_cid.0
    );
    if vector
        .apply_messages
        .iter()
        .any(|m| m.epoch_offset.unwrap_or(0) != 0)
    {
        println!("note: the messages have epoch offsets; `fern exec` runs them all at one epoch");
    }
    let fee = |b: &Option<fern_conformance::vector::BigNum>, default: &str| {
        b.as_ref()
            .map_or_else(|| default.to_string(), |n| n.0.to_string())
    };
    let variants = if vector.preconditions.variants.is_empty() {
        return Err(input(format!("{file}: the vector has no variants")));
    } else {
        &vector.preconditions.variants
    };
    for v in variants {
        println!(
            "fern exec --state {d}/pre-state.car --messages {d}/messages.txt --randomness {d}/randomness.json --nv {} --epoch {} --base-fee {} --circ-supply {}    # variant {}",
            v.nv,
            v.epoch,
            fee(&vector.preconditions.basefee, "100"),
            fee(&vector.preconditions.circ_supply, "0"),
            v.id,
            d = out.display(),
        );
    }
    Ok(0)
}
