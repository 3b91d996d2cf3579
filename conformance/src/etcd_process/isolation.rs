//! Network isolation of one member: the peer proxies of an isolable cluster, and cutting a
//! member off from its peers (and letting it rejoin) while clients still reach it.

use crate::fault_proxy::Fault;

use super::EtcdCluster;

impl EtcdCluster {
    /// The peer URL member `i` gives its peers: its peer proxy's in an isolable cluster.
    pub(super) fn advertised_peer_url(&self, i: usize) -> String {
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
}
