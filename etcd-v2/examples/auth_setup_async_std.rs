//! Turning auth on: the root user, a role that may read and write `/app`, a user with that
//! role, then a client that logs in as that user (async-std).
//!
//! `cargo run -p etcd-v2 --features async-std --example auth_setup_async_std` (etcd on 127.0.0.1:2379,
//! auth off; it is left on: `etcdctl --user root:rootpw auth disable` turns it off again).

use etcd_v2::async_std::Client;
use etcd_v2::{Config, Error, GetOptions, PermissionType, SetOptions};

fn main() -> Result<(), Error> {
    async_std::task::block_on(async {
        let endpoints = ["http://127.0.0.1:2379"];
        let admin = Client::new(Config::new(endpoints))?;
        admin.add_user("root", "rootpw").await?;
        admin.add_role("app").await?;
        admin
            .grant_role_kv("app", &["/app/*"], PermissionType::ReadWrite)
            .await?;
        admin.add_user("appuser", "apppw").await?;
        admin.grant_user("appuser", &["app"]).await?;
        admin.enable_auth().await?;

        let app = Client::new(Config::new(endpoints).credentials("appuser", "apppw"))?;
        app.set("/app/greeting", "hello", SetOptions::default())
            .await?;
        let got = app.get("/app/greeting", GetOptions::default()).await?;
        println!("{:?}", got.node.and_then(|n| n.value));
        // Outside its role: refused, and recognisable.
        let denied = app.get("/other", GetOptions::default()).await.unwrap_err();
        assert!(denied.is_unauthorized(), "{denied}");
        Ok(())
    })
}
