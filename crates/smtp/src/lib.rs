//! caduceus-smtp
