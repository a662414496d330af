//! caduceus-service
