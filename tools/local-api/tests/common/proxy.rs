//! A fault-injecting TCP proxy between a client and DynamoDB Local. Each
//! test starts its own, so faults never reach the shared DynamoDB Local.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

/// What the proxy does to a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward faithfully.
    None,
    /// Delay every chunk of the answer by this much.
    Latency(Duration),
    /// The first `n` connections are accepted and never answered.
    StallFirst(usize),
    /// The first `n` connections are reset part-way through the answer.
    ResetFirst(usize),
    /// Every connection is reset as soon as it is accepted.
    Refuse,
}

/// A running proxy.
pub struct Proxy {
    pub addr: SocketAddr,
    fault: Arc<Mutex<Fault>>,
    connections: Arc<AtomicUsize>,
    open: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    /// Proxies to `upstream` (a `http://host:port` URL).
    pub async fn start(upstream: &str, fault: Fault) -> Self {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("upstream host:port");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let proxy = Self {
            addr: listener.local_addr().expect("proxy address"),
            fault: Arc::new(Mutex::new(fault)),
            connections: Arc::new(AtomicUsize::new(0)),
            open: Arc::new(Mutex::new(Vec::new())),
        };
        let (fault, connections, open) = (
            proxy.fault.clone(),
            proxy.connections.clone(),
            proxy.open.clone(),
        );
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let index = connections.fetch_add(1, Ordering::SeqCst);
                let fault = *fault.lock().expect("fault lock");
                let task = tokio::spawn(handle(client, upstream, fault, index));
                open.lock().expect("open lock").push(task.abort_handle());
            }
        });
        proxy
    }

    /// The endpoint URL to give the SDK.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes what happens to new connections.
    pub fn set_fault(&self, fault: Fault) {
        *self.fault.lock().expect("fault lock") = fault;
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Drops every open connection, as a restart of the proxy would: pooled
    /// connections in the client die between two requests.
    pub fn kill_connections(&self) {
        for task in self.open.lock().expect("open lock").drain(..) {
            task.abort();
        }
    }
}

fn reset(stream: TcpStream) {
    // Linger 0 turns the close into a RST, as a crashing peer would send.
    let _ = stream.set_zero_linger();
    drop(stream);
}

async fn handle(client: TcpStream, upstream: SocketAddr, fault: Fault, index: usize) {
    let resets = matches!(fault, Fault::ResetFirst(n) if index < n);
    match fault {
        Fault::Refuse => return reset(client),
        Fault::StallFirst(n) if index < n => {
            let _held = client;
            tokio::time::sleep(Duration::from_secs(3_600)).await;
            return;
        }
        _ => {}
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return reset(client);
    };
    if resets {
        // Linger 0 turns the close below into a RST, as a crashing peer sends.
        let _ = client.set_zero_linger();
    }
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upload = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if resets {
            // Half an answer, then both halves of the socket go: a reset.
            let _ = client_write.write_all(&buf[..n / 2]).await;
            upload.abort();
            let _ = upload.await;
            return;
        }
        if let Fault::Latency(delay) = fault {
            tokio::time::sleep(delay).await;
        }
        if client_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    upload.abort();
}
