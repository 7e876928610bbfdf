//! The test-vector document: its JSON shape and the decoding of its embedded data.
//!
//! Only the parts a message-class replay needs are modelled; unknown fields are ignored so
//! vectors written by newer generators still load.

use std::collections::BTreeMap;
use std::io::Read;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use num_bigint::BigInt;
use num_traits::FromPrimitive;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::VectorError;

/// Bytes carried as a standard (RFC 4648, padded) base64 string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Base64(pub Vec<u8>);

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&data_encoding::BASE64.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        data_encoding::BASE64
            .decode(text.as_bytes())
            .map(Base64)
            .map_err(|e| serde::de::Error::custom(format!("bad base64: {e}")))
    }
}

/// A CID in the DAG-JSON link form `{"/": "bafy..."}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CidJson(pub Cid);

#[derive(Serialize, Deserialize)]
struct Link {
    #[serde(rename = "/")]
    link: String,
}

impl Serialize for CidJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Link {
            link: self.0.to_string(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for CidJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let link = Link::deserialize(d)?;
        Cid::try_from(link.link.as_str())
            .map(CidJson)
            .map_err(|e| serde::de::Error::custom(format!("bad CID {:?}: {e}", link.link)))
    }
}

/// A token amount or other big integer, written as a plain JSON number (as the published
/// vectors and ref-fvm's runner have it, where circulating supplies exceed 64 bits).
///
/// Reading is exact for integers of any size: the number's text is parsed as an integer, never
/// through a float (serde_json alone would turn an integer above `u64::MAX` into an `f64` and
/// lose the low digits). Also accepted: a decimal string, and a float with no fractional part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BigNum(pub BigInt);

impl Serialize for BigNum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match u128::try_from(&self.0) {
            Ok(v) => s.serialize_u128(v),
            // Negative or beyond 128 bits: no amount in a vector is, but keep it lossless.
            Err(_) => s.serialize_str(&self.0.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for BigNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        parse_big(raw.get()).map(BigNum).map_err(D::Error::custom)
    }
}

/// An integer from the JSON text of a number or string.
fn parse_big(text: &str) -> Result<BigInt, String> {
    let text = text.trim();
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
        return s
            .parse::<BigInt>()
            .map_err(|e| format!("bad integer {s:?}: {e}"));
    }
    if text.contains(['.', 'e', 'E']) {
        let v: f64 = text
            .parse()
            .map_err(|e| format!("bad number {text}: {e}"))?;
        if !v.is_finite() || v.fract() != 0.0 {
            return Err(format!("expected an integer, got {text}"));
        }
        return BigInt::from_f64(v).ok_or_else(|| format!("bad integer {text}"));
    }
    text.parse::<BigInt>()
        .map_err(|_| format!("expected an integer, got {text}"))
}

/// A whole test vector.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestVector {
    /// `"message"` for the vectors this runner replays.
    pub class: String,
    /// Capability predicates: `chaos_actor` and `requires:consensus_fault_extern` set to
    /// `"true"` make the runner skip the vector (see [`crate::runner::unsupported_selector`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub selector: BTreeMap<String, String>,
    /// Metadata (id, description, generator).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The gzip-compressed CAR with every block the vector needs.
    pub car: Base64,
    /// The starting point.
    pub preconditions: Preconditions,
    /// The messages to apply, in order.
    #[serde(default)]
    pub apply_messages: Vec<ApplyMessage>,
    /// What must come out.
    pub postconditions: Postconditions,
    /// Randomness digests served to the machine.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub randomness: Vec<RandomnessRule>,
}

/// The `_meta` object.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The vector's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Free-form description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who generated it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gen: Vec<GenData>,
}

/// One `_meta.gen` entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GenData {
    /// The generating tool.
    #[serde(default)]
    pub source: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
}

/// The `preconditions` object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Preconditions {
    /// The protocol variants (network version and epoch) the vector runs under. Vectors from
    /// before variants existed have none (they name an `epoch` only); they are skipped.
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// The state tree before the first message.
    pub state_tree: StateTree,
    /// Base fee in attoFIL (100 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basefee: Option<BigNum>,
    /// Circulating supply in attoFIL (0 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circ_supply: Option<BigNum>,
}

/// One protocol variant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    /// Codename of the variant.
    pub id: String,
    /// Epoch at which every message runs.
    pub epoch: i64,
    /// Network version.
    pub nv: u32,
}

/// A `state_tree` object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateTree {
    /// The state root.
    pub root_cid: CidJson,
}

/// One entry of `apply_messages`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplyMessage {
    /// The unsigned message's CBOR bytes.
    pub bytes: Base64,
    /// Epoch offset (recorded; Fern runs every message at the variant's epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch_offset: Option<i64>,
}

/// The `postconditions` object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Postconditions {
    /// The state root after the last message.
    pub state_tree: StateTree,
    /// One receipt per message.
    pub receipts: Vec<Receipt>,
}

/// An expected receipt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Receipt {
    /// Exit code.
    pub exit_code: u32,
    /// Return bytes.
    #[serde(rename = "return")]
    pub return_data: Base64,
    /// Gas used.
    pub gas_used: u64,
    /// Events root: absent means "not checked"; `null` means "no events".
    #[serde(
        default,
        deserialize_with = "present_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub events_root: Option<Option<CidJson>>,
}

fn present_nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<CidJson>>, D::Error> {
    Option::<CidJson>::deserialize(d).map(Some)
}

/// The kind of randomness a rule answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RandomnessKind {
    /// Ticket (chain) randomness.
    Chain,
    /// Drand beacon randomness.
    Beacon,
}

/// Which draw a rule answers.
///
/// Written as the array `[kind, epoch]`, the form ref-fvm's runner reads. Also read: the test
/// vectors schema's four-slot form `[kind, epoch, null, null]`, the legacy
/// `[kind, dst, epoch, entropy]` of vectors from before the FVM (randomness was then drawn per
/// domain tag and entropy; only kind and epoch are kept), and an object `{"kind", "epoch"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomnessOn {
    /// Chain or beacon.
    pub kind: RandomnessKind,
    /// The epoch drawn from.
    pub epoch: i64,
}

impl Serialize for RandomnessOn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.kind, self.epoch).serialize(s)
    }
}

impl<'de> Deserialize<'de> for RandomnessOn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Object {
            kind: RandomnessKind,
            epoch: i64,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Object(Object),
            Slots(Vec<serde_json::Value>),
        }
        let (kind, epoch) = match Form::deserialize(d)? {
            Form::Object(o) => (o.kind, o.epoch),
            Form::Slots(slots) => {
                // Legacy form: the entropy (a base64 string) sits in the fourth slot.
                let legacy = slots.len() == 4 && slots[3].is_string();
                let epoch_slot = if legacy { 2 } else { 1 };
                if slots.len() < 2 || (!legacy && slots[2..].iter().any(|v| !v.is_null())) {
                    return Err(D::Error::custom(format!(
                        "a randomness rule is [kind, epoch], got {} values",
                        slots.len()
                    )));
                }
                let kind = RandomnessKind::deserialize(&slots[0]).map_err(D::Error::custom)?;
                let epoch = slots[epoch_slot].as_i64().ok_or_else(|| {
                    D::Error::custom(format!("bad randomness epoch {}", slots[epoch_slot]))
                })?;
                (kind, epoch)
            }
        };
        Ok(RandomnessOn { kind, epoch })
    }
}

/// One randomness rule: a draw and the 32-byte digest it yields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RandomnessRule {
    /// The draw.
    pub on: RandomnessOn,
    /// The digest (must be 32 bytes).
    pub ret: Base64,
}

impl TestVector {
    /// Parses a vector from its JSON text.
    pub fn from_json(text: &[u8]) -> Result<Self, VectorError> {
        let v: TestVector =
            serde_json::from_slice(text).map_err(|e| VectorError::Json(e.to_string()))?;
        if v.class != "message" {
            return Err(VectorError::Unsupported(format!(
                "class {:?} (only \"message\" vectors are replayed)",
                v.class
            )));
        }
        if v.postconditions.receipts.len() != v.apply_messages.len() {
            return Err(VectorError::Malformed(format!(
                "{} messages but {} receipts",
                v.apply_messages.len(),
                v.postconditions.receipts.len()
            )));
        }
        check_randomness(&v.randomness)?;
        Ok(v)
    }

    /// Serializes the vector as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("vectors always serialize")
    }

    /// The vector's name for reports: its `_meta.id`, if any.
    pub fn id(&self) -> Option<&str> {
        self.meta.as_ref().and_then(|m| m.id.as_deref())
    }

    /// Unzips the CAR and loads its blocks into `store`; returns the CAR's roots.
    pub fn load_car(&self, store: &impl Blockstore) -> Result<Vec<Cid>, VectorError> {
        let car = gunzip(&self.car.0)?;
        fvm_ipld_car::load_car(store, car.as_slice()).map_err(|e| VectorError::Car(e.to_string()))
    }

    /// Every block of the vector's CAR (unzipped, each hash checked), in file order.
    pub fn car_blocks(&self) -> Result<Vec<(Cid, Vec<u8>)>, VectorError> {
        let car = gunzip(&self.car.0)?;
        Ok(crate::bundle::read_car_blocks(&car)?.1)
    }

    /// The vector's pre-state as a state CAR (`fern exec --state` takes it): every block of the
    /// vector's CAR under the pre-state root as the CAR's only root.
    pub fn pre_state_car(&self) -> Result<Vec<u8>, VectorError> {
        let blocks = self.car_blocks()?;
        write_car(
            vec![self.preconditions.state_tree.root_cid.0],
            blocks.iter().map(|(c, d)| (c, d.as_slice())),
        )
    }

    /// The randomness digests as maps per kind.
    pub fn randomness_maps(&self) -> (BTreeMap<i64, [u8; 32]>, BTreeMap<i64, [u8; 32]>) {
        randomness_maps(&self.randomness)
    }
}

/// Chain and beacon digests by epoch from `rules` (the first rule for an epoch wins; digests
/// that are not 32 bytes, which [`check_randomness`] rejects, are left out).
pub fn randomness_maps(
    rules: &[RandomnessRule],
) -> (BTreeMap<i64, [u8; 32]>, BTreeMap<i64, [u8; 32]>) {
    let mut chain = BTreeMap::new();
    let mut beacon = BTreeMap::new();
    for r in rules {
        let Ok(digest) = <[u8; 32]>::try_from(r.ret.0.as_slice()) else {
            continue;
        };
        let map = match r.on.kind {
            RandomnessKind::Chain => &mut chain,
            RandomnessKind::Beacon => &mut beacon,
        };
        map.entry(r.on.epoch).or_insert(digest);
    }
    (chain, beacon)
}

/// Every digest must be 32 bytes.
pub fn check_randomness(rules: &[RandomnessRule]) -> Result<(), VectorError> {
    for r in rules {
        if r.ret.0.len() != 32 {
            return Err(VectorError::Malformed(format!(
                "randomness digest for {:?} epoch {} has {} bytes, not 32",
                r.on.kind,
                r.on.epoch,
                r.ret.0.len()
            )));
        }
    }
    Ok(())
}

/// Parses randomness rules given on their own: the JSON array a vector's `randomness` member
/// holds (`[{"on": [kind, epoch], "ret": base64}, ...]`).
pub fn parse_randomness(text: &[u8]) -> Result<Vec<RandomnessRule>, VectorError> {
    let rules: Vec<RandomnessRule> =
        serde_json::from_slice(text).map_err(|e| VectorError::Json(e.to_string()))?;
    check_randomness(&rules)?;
    Ok(rules)
}

/// Decompresses gzip data.
pub fn gunzip(data: &[u8]) -> Result<Vec<u8>, VectorError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .map_err(|e| VectorError::Gzip(e.to_string()))?;
    Ok(out)
}

/// Compresses data with gzip (for writing vectors).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

/// Writes `blocks` as a CAR (version 1) with `roots`, in the given order.
pub fn write_car<'a>(
    roots: Vec<Cid>,
    blocks: impl IntoIterator<Item = (&'a Cid, &'a [u8])>,
) -> Result<Vec<u8>, VectorError> {
    let mut out = Vec::new();
    let mut w = fvm_ipld_car::CarWriter::new(fvm_ipld_car::CarHeader::from(roots), &mut out)
        .map_err(|e| VectorError::Car(e.to_string()))?;
    for (cid, data) in blocks {
        w.write(fvm_ipld_car::Block {
            cid: *cid,
            data: data.to_vec(),
        })
        .map_err(|e| VectorError::Car(e.to_string()))?;
    }
    drop(w);
    Ok(out)
}
