//! A cluster started with `--client-cert-auth`: TLS from the PEM files etcdctl takes as
//! `--cacert`, `--cert` and `--key` (blocking).
//!
//! `cargo run -p etcd-v2 --features blocking,tls --example tls_client_cert_blocking -- ca.pem client.pem
//! client-key.pem https://127.0.0.1:2379`

use etcd_v2::blocking::{Client, UreqTransport};
use etcd_v2::{Config, GetOptions, TlsPem};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [ca, cert, key, endpoint] = args.as_slice() else {
        return Err(
            "usage: tls_client_cert <ca.pem> <client.pem> <client-key.pem> <https URL>".into(),
        );
    };
    let pem =
        TlsPem::new(std::fs::read(ca)?).client_cert(std::fs::read(cert)?, std::fs::read(key)?);
    let transport = UreqTransport::with_pem(&pem)?;
    let client = Client::with_transport(Config::new([endpoint.as_str()]), transport)?;
    match client.get("/", GetOptions::default()) {
        Ok(root) => println!(
            "{} keys at the root",
            root.node.map_or(0, |n| n.nodes.len())
        ),
        // A refused handshake (a wrong CA, no client certificate) is a typed TLS failure.
        Err(e) => eprintln!("{e}"),
    }
    Ok(())
}
