//! caduceus-pki
