//! caduceus-audit
