//! A RabbitMQ cluster of three nodes of its own (`scripts/services.sh cluster`), whose nodes
//! the cluster tests kill (`kill -9` of the node's Erlang VM, not a polite stop) and start
//! again — never the shared broker under the other tests.
//!
//! The nodes are `ktpel-c1@localhost` … `ktpel-c3@localhost`, AMQP on 5681–5683, management on
//! 15681–15683, data under `/var/tmp/ktpel-rabbitmq/<name>`.

use crate::{TestBroker, TestVhost};
use std::{process::Command, time::Duration};

/// One node of the test cluster.
#[derive(Debug, Clone)]
pub struct ClusterNode {
    /// `ktpel-c1` …
    pub short: String,
    pub port: u16,
}

impl ClusterNode {
    /// `ktpel-c1@localhost` …
    pub fn name(&self) -> String {
        format!("{}@localhost", self.short)
    }

    /// The node as a [`TestBroker`] (its AMQP port, its `rabbitmqctl -n`, its management).
    pub fn broker(&self) -> TestBroker {
        TestBroker {
            amqp: format!("amqp://guest:guest@127.0.0.1:{}", self.port),
            node: Some(self.name()),
            management: format!("http://127.0.0.1:{}", self.port + 10000),
        }
    }

    /// The OS pid of the node's Erlang VM, asked of the node itself (its pid file is gone
    /// when a second start of the same node was refused).
    fn os_pid(&self) -> String {
        let out = Command::new("rabbitmqctl")
            .args(["-n", &self.name(), "-q", "eval", "os:getpid()."])
            .output()
            .expect("rabbitmqctl");
        assert!(
            out.status.success(),
            "{}'s pid: {}",
            self.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .trim_matches('"')
            .to_owned()
    }

    fn answers(&self) -> bool {
        std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
    }
}

/// The three nodes.
pub struct TestCluster {
    pub nodes: Vec<ClusterNode>,
}

impl Default for TestCluster {
    fn default() -> Self {
        Self::of_three()
    }
}

impl TestCluster {
    pub fn of_three() -> Self {
        Self {
            nodes: (1..=3)
                .map(|i| ClusterNode {
                    short: format!("ktpel-c{i}"),
                    port: 5680 + i,
                })
                .collect(),
        }
    }

    /// Takes the cluster for one test (the tests that kill its nodes take turns) with every
    /// node running (a test that failed with a node down left it so).
    pub fn take(&self) -> std::sync::MutexGuard<'static, ()> {
        static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        if !self.nodes.iter().all(ClusterNode::answers) {
            self.start();
        }
        turn
    }

    /// A vhost of its own on the cluster (vhosts are the cluster's, not a node's).
    pub fn vhost(&self) -> TestVhost {
        TestVhost::on(self.nodes[0].broker())
    }

    /// Every node's URL of `vhost` as `user:password`, in order.
    pub fn urls_as(&self, vhost: &TestVhost, user: &str, password: &str) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| {
                format!(
                    "amqp://{user}:{password}@127.0.0.1:{}/{}",
                    n.port, vhost.name
                )
            })
            .collect()
    }

    /// Every node's URL of `vhost` as the test's admin, comma-separated, as `amqp.url` takes
    /// a cluster in the environment.
    pub fn urls(&self, vhost: &TestVhost) -> String {
        self.urls_as(vhost, "guest", "guest").join(",")
    }

    /// The node that `user`'s connection named with `name_part` is on (a shovel's is named
    /// `Shovel <shovel name>`), if there is one now.
    pub fn node_of_connection(&self, user: &str, name_part: &str) -> Option<usize> {
        let listed = self.rabbitmqctl(&["list_connections", "pid", "user", "client_properties"]);
        let line = listed
            .lines()
            .find(|l| l.split('\t').nth(1) == Some(user) && l.contains(name_part))?;
        self.node_of_pid(line)
    }

    /// The node a process id printed by `rabbitmqctl` is on: `<ktpel-c2@localhost.…>`.
    fn node_of_pid(&self, pid: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| pid.trim().starts_with(&format!("<{}.", n.name())))
    }

    /// `rabbitmqctl -q args…` on a node that answers: what it printed.
    fn rabbitmqctl(&self, args: &[&str]) -> String {
        let node = self
            .nodes
            .iter()
            .find(|n| n.answers())
            .expect("a node of the cluster answers");
        let out = Command::new("rabbitmqctl")
            .args(["-n", &node.name(), "-q"])
            .args(args)
            .output()
            .expect("rabbitmqctl");
        assert!(
            out.status.success(),
            "rabbitmqctl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `kill -9` of node `i`'s Erlang VM; returns once the node no longer answers.
    pub fn kill(&self, i: usize) {
        let node = &self.nodes[i];
        let pid = node.os_pid();
        let status = Command::new("kill")
            .args(["-9", pid.trim()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -9 {} ({})", pid.trim(), node.name());
        for _ in 0..100 {
            if !node.answers() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{} still answers after kill -9", node.name());
    }

    /// Starts every node that is down (`scripts/services.sh cluster`: a killed node comes
    /// back on its data and rejoins the cluster).
    pub fn start(&self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/services.sh");
        let out = Command::new("bash")
            .args([script, "cluster"])
            .output()
            .expect("bash scripts/services.sh cluster");
        assert!(
            out.status.success(),
            "services.sh cluster: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `rabbitmqctl list_queues` of `vhost` with `columns`, asked of a node that answers.
    pub fn queues(&self, vhost: &str, columns: &[&str]) -> Vec<Vec<String>> {
        let mut args = vec!["list_queues", "-p", vhost];
        args.extend_from_slice(columns);
        self.rabbitmqctl(&args)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('\t').map(|c| c.trim().to_owned()).collect())
            .collect()
    }

    /// The queues of `vhost` that have a consumer now, each with the node its channel is on
    /// (from the consumers the broker knows, not from statistics that lag).
    pub fn consumers(&self, vhost: &str) -> Vec<(String, usize)> {
        self.rabbitmqctl(&["list_consumers", "-p", vhost, "queue_name", "channel_pid"])
            .lines()
            .filter_map(|l| {
                let (queue, pid) = l.split_once('\t')?;
                Some((queue.to_owned(), self.node_of_pid(pid)?))
            })
            .collect()
    }

    /// The node that leads most of `vhost`'s quorum queues (where the services connected
    /// first declared them).
    pub fn leader_host(&self, vhost: &str) -> usize {
        let leaders = self.queues(vhost, &["name", "leader"]);
        (0..self.nodes.len())
            .max_by_key(|&i| {
                let name = self.nodes[i].name();
                leaders.iter().filter(|q| q.get(1) == Some(&name)).count()
            })
            .expect("three nodes")
    }
}
