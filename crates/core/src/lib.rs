//! caduceus-core
