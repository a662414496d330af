//! caduceus-store
