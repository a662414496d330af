//! caduceus-web
