//! A minimal `GET` for health checks and tests: HTTP/1.0 over a raw TCP or unix socket, or
//! unverified HTTPS through ureq.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// Connect/read/write timeout of each [`http_get`] exchange.
const IO_TIMEOUT: Duration = Duration::from_secs(2);

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

/// `GET path` over HTTPS presenting a client certificate (PEM), without verifying the server.
pub fn https_get_as(
    url: &str,
    path: &str,
    cert_pem: &str,
    key_pem: &str,
) -> io::Result<(u16, String)> {
    use ureq::tls::{Certificate, ClientCert, PrivateKey, TlsConfig};
    let cert = Certificate::from_pem(cert_pem.as_bytes()).map_err(io::Error::other)?;
    let key = PrivateKey::from_pem(key_pem.as_bytes()).map_err(io::Error::other)?;
    let tls = TlsConfig::builder()
        .disable_verification(true)
        .client_cert(Some(ClientCert::new_with_certs(&[cert], key)))
        .build();
    get_with(&format!("{}{path}", url.trim_end_matches('/')), tls)
}

fn https_get_unverified(url: &str) -> io::Result<(u16, String)> {
    use ureq::tls::TlsConfig;
    get_with(url, TlsConfig::builder().disable_verification(true).build())
}

fn get_with(url: &str, tls: ureq::tls::TlsConfig) -> io::Result<(u16, String)> {
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
