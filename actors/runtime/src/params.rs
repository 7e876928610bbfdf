//! Method parameters in, return values out.
//!
//! Parameters arrive as an optional IPLD block. Fern's actors (like the built-in actors) expect
//! CBOR or DAG-CBOR for structured parameters, and return CBOR-encoded values (codec `0x51`,
//! so any CID inside a return value is *not* treated as a reachable link).

use fern_sdk::{ActorError, IpldBlock};
use fern_shared::MethodNum;
use fvm_ipld_encoding::RawBytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::MethodResult;

/// Decodes required parameters of type `T`.
///
/// Missing parameters fail with `USR_ILLEGAL_ARGUMENT`; undecodable ones with
/// `USR_SERIALIZATION`.
pub fn decode<T: DeserializeOwned>(params: Option<IpldBlock>) -> Result<T, ActorError> {
    match params {
        Some(block) => decode_block(&block),
        None => Err(ActorError::illegal_argument(
            "this method expects parameters",
        )),
    }
}

/// Decodes parameters that may be absent (`None` when no block was passed).
pub fn decode_optional<T: DeserializeOwned>(
    params: Option<IpldBlock>,
) -> Result<Option<T>, ActorError> {
    params.map(|b| decode_block(&b)).transpose()
}

/// Checks that a method taking no parameters received none (`USR_ILLEGAL_ARGUMENT` otherwise).
pub fn none(params: Option<IpldBlock>) -> Result<(), ActorError> {
    match params {
        None => Ok(()),
        Some(_) => Err(ActorError::illegal_argument(
            "this method takes no parameters",
        )),
    }
}

/// Decodes one block with its own codec (CBOR, DAG-CBOR or raw).
pub fn decode_block<T: DeserializeOwned>(block: &IpldBlock) -> Result<T, ActorError> {
    block
        .deserialize()
        .map_err(|e| ActorError::serialization(format!("failed to decode parameters: {e}")))
}

/// Encodes a value as a CBOR block, for use as parameters of a call or as a return value.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<IpldBlock, ActorError> {
    IpldBlock::serialize(fern_shared::consts::CBOR, value)
        .map_err(|e| ActorError::serialization(format!("failed to encode value: {e}")))
}

/// A method result returning `value` CBOR-encoded.
pub fn ret<T: Serialize + ?Sized>(value: &T) -> MethodResult {
    encode(value).map(Some)
}

/// Turns opaque pre-encoded CBOR bytes (such as constructor parameters carried inside another
/// message) into a parameters block: empty bytes mean "no parameters".
pub fn from_raw_bytes(bytes: RawBytes) -> Option<IpldBlock> {
    let data: Vec<u8> = bytes.into();
    (!data.is_empty()).then_some(IpldBlock {
        codec: fern_shared::consts::CBOR,
        data,
    })
}

/// The error for a method number the actor does not implement (`USR_UNHANDLED_MESSAGE`).
pub fn unhandled(method: MethodNum) -> ActorError {
    ActorError::unhandled_message(format!("method {method} is not implemented by this actor"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fern_shared::consts::{CBOR, DAG_CBOR, IPLD_RAW};
    use fern_shared::error::ExitCode;

    #[test]
    fn round_trip_through_a_block() {
        let block = encode(&(7u64, "seven".to_string())).unwrap();
        assert_eq!(block.codec, CBOR);
        let back: (u64, String) = decode(Some(block)).unwrap();
        assert_eq!(back, (7, "seven".to_string()));
    }

    #[test]
    fn missing_and_extra_parameters() {
        let err = decode::<u64>(None).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
        assert!(none(None).is_ok());
        let err = none(Some(encode(&1u8).unwrap())).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
        assert_eq!(decode_optional::<u64>(None).unwrap(), None);
        assert_eq!(
            decode_optional::<u64>(Some(encode(&5u64).unwrap())).unwrap(),
            Some(5)
        );
    }

    #[test]
    fn bad_bytes_are_a_serialization_error() {
        let block = IpldBlock {
            codec: DAG_CBOR,
            data: vec![0xff, 0x00],
        };
        let err = decode::<u64>(Some(block)).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_SERIALIZATION);
        // A string where a number is expected.
        let err = decode::<u64>(Some(encode("x").unwrap())).unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_SERIALIZATION);
        // An unknown codec.
        let err = decode::<u64>(Some(IpldBlock {
            codec: 0x70,
            data: vec![],
        }))
        .unwrap_err();
        assert_eq!(err.exit_code, ExitCode::USR_SERIALIZATION);
    }

    #[test]
    fn raw_blocks_decode_as_bytes() {
        let block = IpldBlock {
            codec: IPLD_RAW,
            data: vec![1, 2, 3],
        };
        let bytes: RawBytes = decode(Some(block)).unwrap();
        assert_eq!(bytes.to_vec(), vec![1, 2, 3]);
    }

    #[test]
    fn raw_bytes_to_params() {
        assert_eq!(from_raw_bytes(RawBytes::new(vec![])), None);
        let p = from_raw_bytes(RawBytes::new(vec![0x05])).unwrap();
        assert_eq!((p.codec, p.data), (CBOR, vec![0x05]));
    }

    #[test]
    fn unhandled_has_its_code() {
        assert_eq!(unhandled(99).exit_code, ExitCode::USR_UNHANDLED_MESSAGE);
        assert!(unhandled(99).message.contains("99"));
    }
}
