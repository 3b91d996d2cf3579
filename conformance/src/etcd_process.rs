//! Real etcd processes for tests: [`EtcdCluster`] starts 1 or 3 members of the
//! installed etcd (v2 API enabled) on 127.0.0.1 with free ports and throwaway
//! data dirs, and kills exactly the processes it started when dropped, even
//! while a test panics.

use std::fmt::{self, Display};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::fault_proxy::{Fault, FaultProxy};

/// How long [`EtcdCluster::start`] waits for every member to report healthy.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// The message of the error returned when no etcd binary exists.
pub const INSTALL_HINT: &str = "etcd binary not found: install it with 'apt-get update && apt-get install -y etcd-server etcd-client' (as root) or set ETCD_BIN";
/// Connect/read/write timeout of each [`http_get`] exchange.
const IO_TIMEOUT: Duration = Duration::from_secs(2);
/// etcd only accepts `unix://host:port`, and binds that "host:port" relative to its cwd.
const SOCKET_NAME: &str = "etcd.sock:0";
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// A fixture failure. `Debug` prints the plain message, so `.expect(..)` shows
/// etcd's log tail readably instead of one escaped string.
pub struct FixtureError(String);

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FixtureError {}

impl From<io::Error> for FixtureError {
    fn from(e: io::Error) -> Self {
        Self(e.to_string())
    }
}

fn context(what: impl Display) -> impl FnOnce(io::Error) -> io::Error {
    move |e| io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// Finds etcd: `$ETCD_BIN`, else `etcd` on `PATH`, else `/usr/bin/etcd`;
/// otherwise fails with [`INSTALL_HINT`].
pub fn etcd_binary() -> Result<PathBuf, FixtureError> {
    let candidates: Vec<PathBuf> = match std::env::var_os("ETCD_BIN") {
        Some(bin) => vec![bin.into()],
        None => std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join("etcd"))
            .chain([PathBuf::from("/usr/bin/etcd")])
            .collect(),
    };
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| FixtureError(INSTALL_HINT.into()))
}

/// Sends `GET path` as HTTP/1.0 over a raw socket and returns `(status, body)`.
/// `url` is `http://host:port` or `unix:///absolute/socket/path`; an `https://host:port` URL is
/// fetched with ureq without verifying the server's certificate (for health checks).
pub fn http_get(url: &str, path: &str) -> io::Result<(u16, String)> {
    if url.starts_with("https://") {
        return https_get_unverified(&format!("{}{path}", url.trim_end_matches('/')));
    }
    fn exchange<S: Read + Write>(mut s: S, host: &str, path: &str) -> io::Result<String> {
        write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
        let mut raw = String::new();
        s.read_to_string(&mut raw)?;
        Ok(raw)
    }
    let timeout = Some(IO_TIMEOUT);
    let raw = if let Some(sock) = url.strip_prefix("unix://") {
        let s = UnixStream::connect(sock)?;
        s.set_read_timeout(timeout)?;
        s.set_write_timeout(timeout)?;
        exchange(s, "localhost", path)?
    } else {
        let host = url
            .strip_prefix("http://")
            .unwrap_or(url)
            .trim_end_matches('/');
        let addr = host
            .to_socket_addrs()?
            .next()
            .ok_or(io::ErrorKind::InvalidInput)?;
        let s = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        s.set_read_timeout(timeout)?;
        s.set_write_timeout(timeout)?;
        exchange(s, host, path)?
    };
    let parsed = raw.split_once("\r\n\r\n").and_then(|(head, body)| {
        let status = head.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, body.to_owned()))
    });
    parsed.ok_or_else(|| io::Error::other(format!("bad HTTP response: {raw:?}")))
}

fn https_get_unverified(url: &str) -> io::Result<(u16, String)> {
    use ureq::tls::TlsConfig;
    let tls = TlsConfig::builder().disable_verification(true).build();
    let agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(IO_TIMEOUT))
        .build()
        .new_agent();
    let mut response = agent.get(url).call().map_err(io::Error::other)?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string();
    Ok((status, body.map_err(io::Error::other)?))
}

/// The last `lines` lines of the file at `path`, or a note saying why it is unreadable.
pub fn log_tail(path: &Path, lines: usize) -> String {
    match fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}

/// True while `pid` exists and is not a zombie (Linux `/proc`).
fn process_running(pid: u32) -> bool {
    !matches!(proc_state(&format!("/proc/{pid}")), Some('Z' | 'X') | None)
}

/// The state letter (`R`, `S`, `T`, `Z`, ...) in `<proc_dir>/stat`.
fn proc_state(proc_dir: &str) -> Option<char> {
    let stat = fs::read_to_string(format!("{proc_dir}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Waits (up to 5 s) until every thread of `pid` is (or is no longer) stopped:
/// signal delivery is asynchronous, a multi-threaded etcd stops a bit later.
fn await_stopped(pid: u32, stopped: bool) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let tasks = fs::read_dir(format!("/proc/{pid}/task"))?;
        let states: Vec<_> = tasks
            .map(|t| Ok(proc_state(&t?.path().to_string_lossy())))
            .collect::<io::Result<_>>()?;
        if states.iter().all(|s| (*s == Some('T')) == stopped) {
            return Ok(());
        } else if Instant::now() >= deadline {
            let want = if stopped { "stop" } else { "resume" };
            return Err(io::Error::other(format!(
                "pid {pid} did not {want}: {states:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

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

struct Member {
    name: String,
    /// Holds `data/`, `etcd.log` and the unix socket; etcd's cwd.
    dir: PathBuf,
    client_port: u16,
    peer_port: u16,
    child: Option<Child>,
    stopped: bool,
}

/// A running etcd cluster of real processes. Dropping it SIGKILLs and reaps every
/// member it started, then deletes their directories.
///
/// ```
/// use conformance::etcd_process::{EtcdCluster, http_get};
/// let cluster = EtcdCluster::single().expect("etcd");
/// let (status, body) = http_get(&cluster.client_url(0), "/v2/keys").unwrap();
/// assert_eq!(status, 200, "{body}");
/// ```
pub struct EtcdCluster {
    bin: PathBuf,
    root: PathBuf,
    unix_socket: bool,
    /// The server certificate and key (PEM) of a TLS cluster: clients use `https://`.
    tls: Option<(String, String)>,
    /// Of an isolable cluster: a proxy in front of each member's peer port, advertised as
    /// its peer URL, so every peer link runs through one (see [`isolate`](Self::isolate)).
    peer_proxies: Vec<FaultProxy>,
    members: Vec<Member>,
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
        Self::start_inner(
            1,
            false,
            Some((cert_pem.to_owned(), key_pem.to_owned())),
            false,
        )
    }

    fn start_inner(
        n: usize,
        unix_socket: bool,
        tls: Option<(String, String)>,
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
        tls: Option<(String, String)>,
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

    fn spawn(&mut self, i: usize) -> io::Result<()> {
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
        if let Some((cert, key)) = &self.tls {
            for (flag, name, pem) in [
                ("--cert-file", "server.pem", cert),
                ("--key-file", "server-key.pem", key),
            ] {
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

    /// Number of members, whether running or not.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always false: a cluster has at least one member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Client URLs (`http://127.0.0.1:PORT`) of all members, in member order.
    pub fn client_urls(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.client_url(i)).collect()
    }

    /// Client URL of member `i`, e.g. `http://127.0.0.1:40123` (`https://` if started with
    /// [`start_tls`](Self::start_tls)).
    pub fn client_url(&self, i: usize) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.members[i].client_port)
    }

    /// Peer URL of member `i`: where it listens for its peers.
    pub fn peer_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.members[i].peer_port)
    }

    /// The peer URL member `i` gives its peers: its peer proxy's in an isolable cluster.
    fn advertised_peer_url(&self, i: usize) -> String {
        match self.peer_proxies.get(i) {
            Some(proxy) => proxy.url(),
            None => self.peer_url(i),
        }
    }

    /// Cuts member `i` of an isolable cluster ([`start_isolable`](Self::start_isolable))
    /// off from its peers, both ways, until [`rejoin`](Self::rejoin): its peer proxy holds
    /// every connection, and the others' hold the connections it dialed. Clients still
    /// reach it. Does nothing on a cluster that is not isolable.
    pub fn isolate(&self, i: usize) {
        self.set_isolated(i, true);
    }

    /// Ends [`isolate`](Self::isolate): member `i`'s peer links pass bytes again.
    pub fn rejoin(&self, i: usize) {
        self.set_isolated(i, false);
    }

    fn set_isolated(&self, i: usize, isolated: bool) {
        let Some(own) = self.peer_proxies.get(i) else {
            return;
        };
        let name = own.url();
        for (j, proxy) in self.peer_proxies.iter().enumerate() {
            if j == i {
                proxy.set(if isolated { Fault::Hold } else { Fault::Pass });
            } else {
                proxy.hold_sender(isolated.then_some(name.as_str()));
            }
        }
    }

    /// Absolute path of member 0's client unix socket if started with
    /// [`start_with_unix_socket`](Self::start_with_unix_socket). The file name
    /// contains a `:`; use `unix://` + this path with [`http_get`].
    pub fn unix_socket_path(&self) -> Option<PathBuf> {
        self.unix_socket
            .then(|| self.members[0].dir.join(SOCKET_NAME))
    }

    /// OS pid of member `i`, or `None` if it was killed and not restarted.
    pub fn pid(&self, i: usize) -> Option<u32> {
        self.members[i].child.as_ref().map(Child::id)
    }

    /// Path of member `i`'s log file (etcd's stdout and stderr, appended across restarts).
    pub fn log_path(&self, i: usize) -> PathBuf {
        self.members[i].dir.join("etcd.log")
    }

    /// SIGKILLs member `i` and reaps it. No-op if it is not running.
    pub fn kill(&mut self, i: usize) {
        let m = &mut self.members[i];
        if let Some(mut child) = m.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        m.stopped = false;
    }

    /// Freezes member `i` with SIGSTOP and waits until all its threads are stopped:
    /// it keeps its sockets (connections are accepted by the kernel) but answers nothing.
    pub fn stop(&mut self, i: usize) -> Result<(), FixtureError> {
        self.members[i].stopped = true;
        Ok(self.signal(i, "-STOP", true)?)
    }

    /// Resumes member `i`, frozen by [`stop`](Self::stop), with SIGCONT and waits
    /// until it runs again.
    pub fn cont(&mut self, i: usize) -> Result<(), FixtureError> {
        self.signal(i, "-CONT", false)?;
        self.members[i].stopped = false;
        Ok(())
    }

    fn signal(&self, i: usize, sig: &str, stopped: bool) -> io::Result<()> {
        let what = format!("kill {sig} member {i}");
        let pid = self
            .pid(i)
            .ok_or_else(|| io::Error::other(format!("{what}: not running")))?;
        let status = Command::new("kill").args([sig, &pid.to_string()]).status();
        match status.map_err(context(&what))? {
            s if s.success() => await_stopped(pid, stopped).map_err(context(&what)),
            s => Err(io::Error::other(format!("{what}: {s}"))),
        }
    }

    /// Starts member `i` again (SIGKILLing it first if running) with the same data
    /// dir, ports and flags. Does not wait: call [`wait_healthy`](Self::wait_healthy).
    pub fn restart(&mut self, i: usize) -> Result<(), FixtureError> {
        self.kill(i);
        Ok(self.spawn(i)?)
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
                let why = match http_get(&self.client_url(i), "/health") {
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

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
        }
        let _ = fs::remove_dir_all(&self.root);
    }
}
