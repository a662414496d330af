//! caduceus-imap
