//! The broker of `k8s/` as the manifests declare it: three nodes, so that every quorum queue
//! (declared with a replica on each) keeps a majority when one is lost; a node that stops only
//! once the queues can spare it; never two nodes drained at once; and every service pointed at
//! the cluster. Read with a YAML parser, not by searching the text.

use yaml_serde::Value;

fn documents(file: &str) -> Vec<Value> {
    let path = format!("{}/../k8s/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.split("\n---")
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
        })
        .map(|d| yaml_serde::from_str(d).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn the_broker_is_three_nodes_that_never_lose_a_quorum_queues_majority_by_design() {
    let docs = documents("rabbitmq.yaml");
    let cluster = of_kind(&docs, "RabbitmqCluster");
    let name = cluster["metadata"]["name"].as_str().expect("a name");
    let spec = &cluster["spec"];
    assert_eq!(spec["replicas"].as_u64(), Some(3), "three nodes: {spec:?}");
    // The preStop hook's wait for the quorum queues is cut short by a short grace period.
    let grace = spec["terminationGracePeriodSeconds"].as_u64().unwrap_or(0);
    assert!(grace >= 3600, "a node waits for its quorum queues: {grace}");
    let plugins: Vec<&str> = spec["rabbitmq"]["additionalPlugins"]
        .as_sequence()
        .expect("plugins")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for wanted in ["rabbitmq_shovel", "rabbitmq_shovel_management"] {
        assert!(plugins.contains(&wanted), "{wanted}: {plugins:?}");
    }

    let budget = of_kind(&docs, "PodDisruptionBudget");
    assert_eq!(budget["spec"]["maxUnavailable"].as_u64(), Some(1));
    assert_eq!(
        budget["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"].as_str(),
        Some(name),
        "the budget covers the cluster's pods"
    );
}

#[test]
fn every_service_connects_to_the_cluster_and_kustomize_applies_it() {
    let docs = documents("config.yaml");
    let secret = docs
        .iter()
        .find(|d| d["kind"] == "Secret")
        .expect("the credentials Secret");
    let url = secret["stringData"]["KTPEL__AMQP__URL"]
        .as_str()
        .expect("KTPEL__AMQP__URL");
    let cluster = of_kind(&documents("rabbitmq.yaml"), "RabbitmqCluster")["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    // The operator's Service of the cluster's name, or its nodes one by one.
    for node in url.split(',') {
        let host = node
            .split('@')
            .nth(1)
            .and_then(|h| h.split([':', '/']).next())
            .expect("a host");
        assert!(
            host.starts_with(&format!("{cluster}.")) || host.starts_with(&format!("{cluster}-")),
            "{host} is not the cluster {cluster}"
        );
    }
    let kustomization = &documents("kustomization.yaml")[0];
    let resources: Vec<&str> = kustomization["resources"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(resources.contains(&"rabbitmq.yaml"), "{resources:?}");
}

/// Every Deployment of `k8s/`: no container runs as root or may become it, its root
/// filesystem is read-only (the working directory and /tmp are the pod's own), and it says
/// what it needs and may use (CPU and memory requested, memory limited).
#[test]
fn every_service_runs_unprivileged_read_only_and_within_its_resources() {
    let dir = format!("{}/../k8s", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        if !file.ends_with(".yaml") {
            continue;
        }
        for d in documents(&file) {
            if d["kind"] != "Deployment" {
                continue;
            }
            let name = d["metadata"]["name"].as_str().unwrap_or("?").to_owned();
            let pod = &d["spec"]["template"]["spec"];
            assert_eq!(
                pod["securityContext"]["runAsNonRoot"].as_bool(),
                Some(true),
                "{file}: {name} may run as root"
            );
            for c in pod["containers"].as_sequence().expect("containers") {
                let what = format!("{file}: {name}/{}", c["name"].as_str().unwrap_or("?"));
                let security = &c["securityContext"];
                assert_eq!(
                    security["readOnlyRootFilesystem"].as_bool(),
                    Some(true),
                    "{what}"
                );
                assert_eq!(
                    security["allowPrivilegeEscalation"].as_bool(),
                    Some(false),
                    "{what}"
                );
                let r = &c["resources"];
                for (part, key) in [
                    ("requests", "cpu"),
                    ("requests", "memory"),
                    ("limits", "memory"),
                ] {
                    assert!(r[part][key].as_str().is_some(), "{what}: no {part}.{key}");
                }
                seen += 1;
            }
        }
    }
    assert!(seen >= 7, "every service's Deployment: {seen}");
}
