//! Starting a cluster: free ports, a fresh directory, each member spawned with its flags, then
//! the wait until every member is healthy.

use std::fs::{self, File};
use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::fault_proxy::FaultProxy;

use super::lifecycle::process_running;
use super::{
    EtcdCluster, FixtureError, Member, SOCKET_NAME, STARTUP_TIMEOUT, Tls, context, etcd_binary,
    http_get, https_get_as, log_tail,
};

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// `n` distinct free ports: all listeners are held at once, then released.
fn free_ports(n: usize) -> io::Result<Vec<u16>> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<io::Result<_>>()?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr()?.port()))
        .collect()
}

/// A fresh directory under /dev/shm (if present) or the system temp dir. Its name
/// is unique among live processes and doubles as the cluster token.
fn unique_dir() -> io::Result<PathBuf> {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    loop {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("etcd-v2-fixture-{}-{id}", std::process::id()));
        match fs::create_dir(&dir) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            other => return other.map(|()| dir).map_err(context("creating fixture dir")),
        }
    }
}

impl EtcdCluster {
    /// Starts `members` members (1 or 3 are the tested sizes) and waits until all
    /// are healthy, retrying with fresh ports if one was taken meanwhile.
    /// Errors carry every member's log tail.
    pub fn start(members: usize) -> Result<Self, FixtureError> {
        Self::start_inner(members, false, None, false)
    }

    /// Starts `members` members whose peer links all run through fault proxies, so that
    /// one member can be cut off from the others ([`isolate`](Self::isolate)) while clients
    /// still reach it.
    pub fn start_isolable(members: usize) -> Result<Self, FixtureError> {
        Self::start_inner(members, false, None, true)
    }

    /// Starts one healthy member; shorthand for `start(1)`.
    pub fn single() -> Result<Self, FixtureError> {
        Self::start(1)
    }

    /// Starts one healthy member that also serves clients on a unix socket,
    /// see [`unix_socket_path`](Self::unix_socket_path).
    pub fn start_with_unix_socket() -> Result<Self, FixtureError> {
        Self::start_inner(1, true, None, false)
    }

    /// Starts one healthy member that serves clients over TLS only (`https://` client URLs,
    /// peers stay plain) with the server certificate `cert_pem` and its key `key_pem`, both
    /// written to the member's directory. The health wait does not verify the certificate.
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Result<Self, FixtureError> {
        let tls = Tls {
            cert_pem: cert_pem.to_owned(),
            key_pem: key_pem.to_owned(),
            client_auth: None,
        };
        Self::start_inner(1, false, Some(tls), false)
    }

    /// Like [`start_tls`](Self::start_tls), and members require a client certificate issued by
    /// `client_ca_pem` (`--client-cert-auth`); the health checks present `client_cert_pem` and
    /// `client_key_pem`.
    pub fn start_mutual_tls(
        server: (&str, &str),
        client_ca_pem: &str,
        client: (&str, &str),
    ) -> Result<Self, FixtureError> {
        let owned = |s: &str| s.to_owned();
        let tls = Tls {
            cert_pem: owned(server.0),
            key_pem: owned(server.1),
            client_auth: Some([owned(client_ca_pem), owned(client.0), owned(client.1)]),
        };
        Self::start_inner(1, false, Some(tls), false)
    }

    fn start_inner(
        n: usize,
        unix_socket: bool,
        tls: Option<Tls>,
        peer_proxies: bool,
    ) -> Result<Self, FixtureError> {
        assert!(n > 0, "an etcd cluster needs at least one member");
        let bin = etcd_binary()?;
        for attempt in 1.. {
            match Self::try_start(&bin, n, unix_socket, tls.clone(), peer_proxies) {
                Err(e) if attempt < 3 && e.0.contains("address already in use") => {}
                other => return other,
            }
        }
        unreachable!()
    }

    fn try_start(
        bin: &Path,
        n: usize,
        unix_socket: bool,
        tls: Option<Tls>,
        peer_proxies: bool,
    ) -> Result<Self, FixtureError> {
        let root = unique_dir()?;
        let ports = free_ports(2 * n)?;
        let members = (0..n).map(|i| Member {
            name: format!("e{i}"),
            dir: root.join(format!("e{i}")),
            client_port: ports[2 * i],
            peer_port: ports[2 * i + 1],
            child: None,
            stopped: false,
        });
        let members: Vec<Member> = members.collect();
        let peer_proxies = match peer_proxies {
            true => (members.iter())
                .map(|m| FaultProxy::start(("127.0.0.1", m.peer_port)))
                .collect::<io::Result<_>>()?,
            false => Vec::new(),
        };
        let mut cluster = Self {
            bin: bin.to_path_buf(),
            root,
            unix_socket,
            tls,
            peer_proxies,
            members,
        };
        for i in 0..n {
            fs::create_dir(&cluster.members[i].dir).map_err(context("creating member dir"))?;
            cluster.spawn(i)?;
        }
        // On failure `cluster` is dropped here, killing whatever did start.
        cluster.wait_healthy(STARTUP_TIMEOUT)?;
        Ok(cluster)
    }

    pub(super) fn spawn(&mut self, i: usize) -> io::Result<()> {
        let initial_cluster: Vec<String> = (0..self.members.len())
            .map(|j| format!("{}={}", self.members[j].name, self.advertised_peer_url(j)))
            .collect();
        let (client, peer) = (self.client_url(i), self.peer_url(i));
        let advertised_peer = self.advertised_peer_url(i);
        let token = self.root.file_name().unwrap_or_default().to_string_lossy();
        let m = &mut self.members[i];
        let mut listen_client = client.clone();
        if self.unix_socket {
            // etcd does not unlink a socket left behind by a SIGKILLed run.
            let _ = fs::remove_file(m.dir.join(SOCKET_NAME));
            listen_client += &format!(",unix://{SOCKET_NAME}");
        }
        let log_path = m.dir.join("etcd.log");
        let log = File::options().create(true).append(true).open(&log_path);
        let log = log.map_err(context(log_path.display()))?;
        let data_dir = m.dir.join("data");
        let mut tls_args = Vec::new();
        if let Some(tls) = &self.tls {
            let mut files = vec![
                ("--cert-file", "server.pem", &tls.cert_pem),
                ("--key-file", "server-key.pem", &tls.key_pem),
            ];
            if let Some([ca, _, _]) = &tls.client_auth {
                files.push(("--trusted-ca-file", "client-ca.pem", ca));
                tls_args.push("--client-cert-auth".to_owned());
            }
            for (flag, name, pem) in files {
                let path = m.dir.join(name);
                fs::write(&path, pem).map_err(context(path.display()))?;
                tls_args.extend([flag.to_owned(), path.to_string_lossy().into_owned()]);
            }
        }
        #[rustfmt::skip]
        let args = [
            "--enable-v2=true", "--name", &m.name, "--data-dir", &data_dir.to_string_lossy(),
            "--listen-client-urls", &listen_client, "--advertise-client-urls", &client,
            "--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &advertised_peer,
            "--initial-cluster", &initial_cluster.join(","), "--initial-cluster-state", "new",
            "--initial-cluster-token", &token, "--logger", "zap", "--log-level", "error",
        ];
        let mut cmd = Command::new(&self.bin);
        // etcd reads ETCD_* variables and exits if one shadows a flag (e.g. ETCD_NAME).
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ETCD_") {
                cmd.env_remove(key);
            }
        }
        let child = cmd
            .args(args)
            .args(tls_args)
            .current_dir(&m.dir) // the unix socket path is relative to the cwd
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(context(format!("spawning {}", self.bin.display())))?;
        m.child = Some(child);
        m.stopped = false;
        Ok(())
    }

    /// Polls `GET /health` on every live member (running and not stopped) until
    /// each answers `"health":"true"`. Fails early if a member exits. Errors
    /// carry every member's log tail.
    pub fn wait_healthy(&self, timeout: Duration) -> Result<(), FixtureError> {
        let deadline = Instant::now() + timeout;
        for (i, m) in self.members.iter().enumerate().filter(|(_, m)| !m.stopped) {
            let Some(pid) = self.pid(i) else { continue };
            loop {
                // Check the pid too: a member whose port was taken must not pass
                // on the answer of whatever holds the port.
                let client = self.tls.as_ref().and_then(|t| t.client_auth.as_ref());
                let health = match client {
                    Some([_, cert, key]) => https_get_as(&self.client_url(i), "/health", cert, key),
                    None => http_get(&self.client_url(i), "/health"),
                };
                let why = match health {
                    Ok((_, b)) if b.contains(r#""health":"true""#) && process_running(pid) => break,
                    Ok((status, body)) => format!("HTTP {status}: {}", body.trim()),
                    Err(e) => e.to_string(),
                };
                let exited = !process_running(pid);
                if exited || Instant::now() >= deadline {
                    let state = if exited { "exited" } else { "is not healthy" };
                    let url = self.client_url(i);
                    let mut msg = format!(
                        "etcd member {} ({url}) {state} (waited up to {timeout:?}); last health check: {why}",
                        m.name
                    );
                    for j in 0..self.len() {
                        let path = self.log_path(j);
                        let tail = log_tail(&path, 30);
                        msg += &format!("\n--- tail of {} ---\n{tail}", path.display());
                    }
                    return Err(FixtureError(msg));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }
}
