//! Turning auth on: the root user, a role that may read and write `/app`, a user with that
//! role, then a client that logs in as that user (blocking).
//!
//! `cargo run -p etcd-v2 --features blocking --example auth_setup_blocking` (etcd on 127.0.0.1:2379,
//! auth off; it is left on: `etcdctl --user root:rootpw auth disable` turns it off again).

use etcd_v2::blocking::Client;
use etcd_v2::{Config, Error, GetOptions, PermissionType, SetOptions};

fn main() -> Result<(), Error> {
    let endpoints = ["http://127.0.0.1:2379"];
    let admin = Client::new(Config::new(endpoints))?;
    admin.add_user("root", "rootpw")?;
    admin.add_role("app")?;
    admin.grant_role_kv("app", &["/app/*"], PermissionType::ReadWrite)?;
    admin.add_user("appuser", "apppw")?;
    admin.grant_user("appuser", &["app"])?;
    admin.enable_auth()?;

    let app = Client::new(Config::new(endpoints).credentials("appuser", "apppw"))?;
    app.set("/app/greeting", "hello", SetOptions::default())?;
    let got = app.get("/app/greeting", GetOptions::default())?;
    println!("{:?}", got.node.and_then(|n| n.value));
    // Outside its role: refused, and recognisable.
    let denied = app.get("/other", GetOptions::default()).unwrap_err();
    assert!(denied.is_unauthorized(), "{denied}");
    Ok(())
}
