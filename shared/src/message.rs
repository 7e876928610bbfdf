//! Unsigned messages.

use fvm_ipld_encoding::RawBytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::address::Address;
use crate::econ::TokenAmount;
use crate::MethodNum;

/// An unsigned message: a request from `from` to invoke method `method_num` on `to`.
///
/// The CBOR form is a 10-element array whose order differs from the field order here:
/// `[version, to, from, sequence, value, gas_limit, gas_fee_cap, gas_premium, method_num, params]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// Message format version (currently always 0).
    pub version: u64,
    /// Sender.
    pub from: Address,
    /// Recipient.
    pub to: Address,
    /// Sender nonce.
    pub sequence: u64,
    /// attoFIL transferred to the recipient.
    pub value: TokenAmount,
    /// Method to invoke.
    pub method_num: MethodNum,
    /// Encoded method parameters.
    pub params: RawBytes,
    /// Most gas the message may use.
    pub gas_limit: u64,
    /// Highest price per gas unit the sender will pay.
    pub gas_fee_cap: TokenAmount,
    /// Price per gas unit offered to the block producer on top of the base fee.
    pub gas_premium: TokenAmount,
}

/// Why [`Message::check`] rejected a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageCheckError {
    /// `gas_limit` is zero.
    #[error("message gas limit is zero")]
    ZeroGasLimit,
    /// `gas_limit` does not fit in an `i64`.
    #[error("message gas limit {0} exceeds i64::MAX")]
    GasLimitTooLarge(u64),
}

impl Message {
    /// Basic sanity checks independent of chain state: the gas limit must be non-zero and fit
    /// in an `i64`.
    pub fn check(&self) -> Result<(), MessageCheckError> {
        if self.gas_limit == 0 {
            return Err(MessageCheckError::ZeroGasLimit);
        }
        if self.gas_limit > i64::MAX as u64 {
            return Err(MessageCheckError::GasLimitTooLarge(self.gas_limit));
        }
        Ok(())
    }
}

/// Borrowed view in wire order.
type WireRef<'a> = (
    &'a u64,
    &'a Address,
    &'a Address,
    &'a u64,
    &'a TokenAmount,
    &'a u64,
    &'a TokenAmount,
    &'a TokenAmount,
    &'a MethodNum,
    &'a RawBytes,
);

/// Owned tuple in wire order.
type WireOwned = (
    u64,
    Address,
    Address,
    u64,
    TokenAmount,
    u64,
    TokenAmount,
    TokenAmount,
    MethodNum,
    RawBytes,
);

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let wire: WireRef<'_> = (
            &self.version,
            &self.to,
            &self.from,
            &self.sequence,
            &self.value,
            &self.gas_limit,
            &self.gas_fee_cap,
            &self.gas_premium,
            &self.method_num,
            &self.params,
        );
        wire.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (
            version,
            to,
            from,
            sequence,
            value,
            gas_limit,
            gas_fee_cap,
            gas_premium,
            method_num,
            params,
        ): WireOwned = Deserialize::deserialize(d)?;
        Ok(Message {
            version,
            from,
            to,
            sequence,
            value,
            method_num,
            params,
            gas_limit,
            gas_fee_cap,
            gas_premium,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(gas_limit: u64) -> Message {
        Message {
            version: 0,
            from: Address::new_id(100),
            to: Address::new_id(101),
            sequence: 0,
            value: TokenAmount::zero(),
            method_num: 0,
            params: RawBytes::default(),
            gas_limit,
            gas_fee_cap: TokenAmount::zero(),
            gas_premium: TokenAmount::zero(),
        }
    }

    #[test]
    fn check_gas_limit_bounds() {
        assert_eq!(msg(0).check(), Err(MessageCheckError::ZeroGasLimit));
        assert!(msg(1).check().is_ok());
        assert!(msg(i64::MAX as u64).check().is_ok());
        assert!(msg(i64::MAX as u64 + 1).check().is_err());
    }

    #[test]
    fn round_trip() {
        let m = msg(12345);
        let bytes = fvm_ipld_encoding::to_vec(&m).unwrap();
        assert_eq!(fvm_ipld_encoding::from_slice::<Message>(&bytes).unwrap(), m);
    }
}
