//! The way one application travels: consumed, parsed, checked, decided, committed (in
//! batches), acknowledged. Wired together by [`crate::worker`].

pub mod batcher;
pub mod commit;
pub mod deferred;
pub mod dispatch;
pub mod handler;
pub mod prepare;
pub mod relay;
pub mod verify;
