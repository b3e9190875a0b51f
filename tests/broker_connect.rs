//! Connecting to the first node of a list that answers.

use crate::support;

use support::amqp;
use trp_worker::broker::{connect, BrokerError};

const NOBODY: &str = "amqp://guest:guest@127.0.0.1:1/%2f";

#[tokio::test]
async fn a_node_that_does_not_answer_is_skipped() {
    let list = format!("{NOBODY}, {}", amqp::url());
    let connection = connect(&[list], "trp-worker tests")
        .await
        .expect("second node");
    assert!(connection.status().connected());
    connection.close(200, "OK".into()).await.unwrap();
}

#[tokio::test]
async fn when_no_node_answers_the_error_is_transient() {
    let urls = [NOBODY.to_string(), NOBODY.to_string()];
    match connect(&urls, "trp-worker tests").await {
        Err(e @ BrokerError::Connect { tried: 2, .. }) => assert!(e.is_transient(), "{e}"),
        other => panic!("expected a connect error, got {:?}", other.err()),
    }
    assert!(matches!(connect(&[], "x").await, Err(BrokerError::NoUrl)));
}
