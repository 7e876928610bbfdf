//! Messages a developer writes by hand: JSON with names, method names and parameters in a
//! friendly form, turned into Filecoin messages.
//!
//! The JSON object (every member but `from`, `to` and `method` is optional):
//!
//! ```json
//! {
//!   "from": "a0",                  // a dev account's name, or its address
//!   "to": "f0105",                 // any address, or a dev account's name
//!   "method": "Increment",         // a number, or a method name (FRC-0042; "Constructor" is 1)
//!   "params": {"json": [1, "x"]},  // or {"hex": "8201"}, or {"base64": "ggE="}; absent: none
//!   "value": "1.5 FIL",            // attoFIL as a decimal integer, or "<decimal> FIL"
//!   "gas_limit": 1000000000,
//!   "gas_fee_cap": "1000",         // attoFIL per gas unit
//!   "gas_premium": "100"
//! }
//! ```
//!
//! `{"json": VALUE}` parameters are CBOR-encoded from the JSON value: numbers become integers
//! (or floats when not integral), strings text, arrays arrays, objects maps (keys in the JSON
//! object's sorted order), `null` null. Bytes have no JSON form: use `hex` or `base64` for the
//! whole parameters when a method takes bytes.

use anyhow::{anyhow, bail, Context, Result};
use fern_shared::econ::TokenAmount;
use fern_shared::MethodNum;
use num_bigint::BigInt;
use serde_json::Value;

/// Default gas limit of a dev message: 10^9, a tenth of a block.
pub const DEFAULT_GAS_LIMIT: u64 = 1_000_000_000;
/// Default gas fee cap, attoFIL per gas unit (ten times the dev chain's base fee of 100).
pub const DEFAULT_GAS_FEE_CAP: u64 = 1_000;
/// Default gas premium, attoFIL per gas unit.
pub const DEFAULT_GAS_PREMIUM: u64 = 100;

/// A message as a developer writes it (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSpec {
    /// The sender: a dev account's name or address.
    pub from: String,
    /// The recipient: an address or a dev account's name.
    pub to: String,
    /// The method number.
    pub method: MethodNum,
    /// The CBOR parameters (empty: none).
    pub params: Vec<u8>,
    /// Value, attoFIL.
    pub value: TokenAmount,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas fee cap, attoFIL per gas unit.
    pub gas_fee_cap: TokenAmount,
    /// Gas premium, attoFIL per gas unit.
    pub gas_premium: TokenAmount,
}

/// A method number from a number or an FRC-0042 name (`"Constructor"` is 1).
pub fn parse_method(text: &str) -> Result<MethodNum> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u64>() {
        return Ok(n);
    }
    fern_actor_runtime::frc42::try_method_number(text)
        .map_err(|e| anyhow!("{text:?} is neither a method number nor a method name: {e:?}"))
}

/// An amount: a decimal integer of attoFIL (`"1000"`), or a decimal number of FIL followed by
/// `FIL` (`"1.5 FIL"`, at most 18 decimals). Negative amounts are refused.
pub fn parse_amount(text: &str) -> Result<TokenAmount> {
    let text = text.trim();
    if let Some(fil) = text.strip_suffix("FIL") {
        let fil = fil.trim();
        let (whole, frac) = fil.split_once('.').unwrap_or((fil, ""));
        if whole.is_empty() && frac.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 18
        {
            bail!("{text:?} is not an amount of FIL (like \"1.5 FIL\", at most 18 decimals)");
        }
        let digits = format!("{whole}{frac:0<18}");
        let atto: BigInt = digits.trim_start_matches('0').parse().unwrap_or_default();
        return Ok(TokenAmount::from_atto(atto));
    }
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        bail!("{text:?} is not an amount (attoFIL as digits, or \"<number> FIL\")");
    }
    let atto: BigInt = text
        .parse()
        .map_err(|e| anyhow!("{text:?} is not an amount: {e}"))?;
    Ok(TokenAmount::from_atto(atto))
}

/// CBOR parameters from their JSON form: `{"hex": ..}`, `{"base64": ..}` or `{"json": VALUE}`.
pub fn parse_params(value: &Value) -> Result<Vec<u8>> {
    let Value::Object(o) = value else {
        bail!("params must be an object: {{\"hex\": ..}}, {{\"base64\": ..}} or {{\"json\": ..}}")
    };
    if o.len() != 1 {
        bail!("params must have exactly one member: hex, base64 or json");
    }
    let (kind, v) = o.iter().next().expect("one member");
    match (kind.as_str(), v) {
        ("hex", Value::String(s)) => {
            let s = s.trim();
            let s = s.strip_prefix("0x").unwrap_or(s);
            data_encoding::HEXLOWER_PERMISSIVE
                .decode(s.as_bytes())
                .map_err(|e| anyhow!("params: bad hex: {e}"))
        }
        ("base64", Value::String(s)) => data_encoding::BASE64
            .decode(s.trim().as_bytes())
            .map_err(|e| anyhow!("params: bad base64: {e}")),
        ("json", v) => json_to_cbor(v),
        (k @ ("hex" | "base64"), _) => bail!("params: {k} must be a string"),
        (k, _) => bail!("params: unknown form {k:?} (expected hex, base64 or json)"),
    }
}

/// The CBOR encoding of a JSON value (see the module docs).
pub fn json_to_cbor(value: &Value) -> Result<Vec<u8>> {
    fvm_ipld_encoding::to_vec(value).map_err(|e| anyhow!("params: cannot encode as CBOR: {e}"))
}

fn amount_member(
    o: &serde_json::Map<String, Value>,
    name: &str,
    default: u64,
) -> Result<TokenAmount> {
    match o.get(name) {
        None => Ok(TokenAmount::from_atto(default)),
        Some(Value::String(s)) => parse_amount(s).with_context(|| format!("\"{name}\"")),
        Some(Value::Number(n)) if n.is_u64() => Ok(TokenAmount::from_atto(n.as_u64().unwrap_or(0))),
        Some(_) => bail!("\"{name}\" must be a string or a non-negative integer"),
    }
}

/// Parses a message's JSON text (see the module docs). Errors name the member that is wrong.
pub fn parse_send_json(text: &str) -> Result<SendSpec> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| anyhow!("the message is not JSON: {e}"))?;
    parse_send_value(&value)
}

/// [`parse_send_json`] on a parsed value.
pub fn parse_send_value(value: &Value) -> Result<SendSpec> {
    let Value::Object(o) = value else {
        bail!("the message must be a JSON object")
    };
    const KNOWN: [&str; 8] = [
        "from",
        "to",
        "method",
        "params",
        "value",
        "gas_limit",
        "gas_fee_cap",
        "gas_premium",
    ];
    if let Some(k) = o.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        bail!("unknown member {k:?} (known: {})", KNOWN.join(", "));
    }
    let text = |name: &str| -> Result<String> {
        match o.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(_) => bail!("\"{name}\" must be a non-empty string"),
            None => bail!("the message needs \"{name}\""),
        }
    };
    let method = match o.get("method") {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| anyhow!("\"method\" must be a non-negative integer or a name"))?,
        Some(Value::String(s)) => parse_method(s)?,
        Some(_) => bail!("\"method\" must be a number or a name"),
        None => bail!("the message needs \"method\""),
    };
    let gas_limit = match o.get("gas_limit") {
        None => DEFAULT_GAS_LIMIT,
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|n| *n > 0)
            .ok_or_else(|| anyhow!("\"gas_limit\" must be a positive integer"))?,
        Some(_) => bail!("\"gas_limit\" must be a positive integer"),
    };
    Ok(SendSpec {
        from: text("from")?,
        to: text("to")?,
        method,
        params: match o.get("params") {
            None | Some(Value::Null) => Vec::new(),
            Some(p) => parse_params(p)?,
        },
        value: amount_member(o, "value", 0)?,
        gas_limit,
        gas_fee_cap: amount_member(o, "gas_fee_cap", DEFAULT_GAS_FEE_CAP)?,
        gas_premium: amount_member(o, "gas_premium", DEFAULT_GAS_PREMIUM)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("1000").unwrap(), TokenAmount::from_atto(1000));
        assert_eq!(
            parse_amount("1.5 FIL").unwrap(),
            TokenAmount::from_nano(1_500_000_000)
        );
        assert_eq!(parse_amount("2FIL").unwrap(), TokenAmount::from_whole(2));
        assert_eq!(
            parse_amount("0.000000000000000001 FIL").unwrap(),
            TokenAmount::from_atto(1)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "1.0000000000000000001 FIL",
            "x FIL",
            ". FIL",
            "1e3",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn methods() {
        assert_eq!(parse_method("2").unwrap(), 2);
        assert_eq!(parse_method("Constructor").unwrap(), 1);
        assert_eq!(
            parse_method("SayHello").unwrap(),
            fern_actor_runtime::frc42::method_number("SayHello")
        );
        assert!(parse_method("not a name!").is_err());
    }

    #[test]
    fn params_forms() {
        let hex = parse_params(&serde_json::json!({"hex": "0x8201"})).unwrap();
        let b64 = parse_params(&serde_json::json!({"base64": "ggE="})).unwrap();
        let json = parse_params(&serde_json::json!({"json": [1]})).unwrap();
        assert_eq!(hex, vec![0x82, 0x01]);
        assert_eq!(b64, vec![0x82, 0x01]);
        assert_eq!(json, vec![0x81, 0x01]);
        assert_eq!(
            parse_params(&serde_json::json!({"json": ["k", "v"]})).unwrap(),
            vec![0x82, 0x61, b'k', 0x61, b'v']
        );
        assert!(parse_params(&serde_json::json!({"hex": "zz"})).is_err());
        assert!(parse_params(&serde_json::json!({"cbor": "00"})).is_err());
        assert!(parse_params(&serde_json::json!("8201")).is_err());
    }

    #[test]
    fn messages() {
        let spec = parse_send_json(
            r#"{"from": "a0", "to": "f0101", "method": "SayHello", "value": "1 FIL"}"#,
        )
        .unwrap();
        assert_eq!(spec.value, TokenAmount::from_whole(1));
        assert_eq!(spec.gas_limit, DEFAULT_GAS_LIMIT);
        assert!(spec.params.is_empty());
        let missing = parse_send_json(r#"{"from": "a0", "method": 2}"#).unwrap_err();
        assert!(missing.to_string().contains("\"to\""), "{missing}");
        let unknown =
            parse_send_json(r#"{"from": "a0", "to": "f01", "method": 2, "nonce": 3}"#).unwrap_err();
        assert!(unknown.to_string().contains("nonce"), "{unknown}");
        assert!(parse_send_json("[1]").is_err());
        assert!(
            parse_send_json(r#"{"from": "a0", "to": "f01", "method": 2, "gas_limit": 0}"#).is_err()
        );
    }
}
