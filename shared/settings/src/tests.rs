use super::*;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Example {
    amqp: AmqpSettings,
    database: DatabaseSettings,
    #[serde(default)]
    telemetry: TelemetrySettings,
}

impl Validate for Example {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.telemetry.validate()?;
        self.database.validate()
    }
}

fn env(pairs: &[(&str, &str)]) -> [Environment; 2] {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    [
        Environment::with_prefix(ENV_PREFIX)
            .separator("__")
            .source(Some(map.clone())),
        Environment::with_prefix("KTPEL_INTAKE")
            .separator("__")
            .source(Some(map)),
    ]
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let s: Example = load_from("no-such-service", env(&[])).unwrap();
    assert_eq!(s.amqp, AmqpSettings::default());
    assert_eq!(s.database.url.expose(), "sqlite://data/ktpel.db");
}

#[test]
fn environment_overrides_defaults() {
    let s: Example = load_from(
        "no-such-service",
        env(&[
            ("KTPEL__AMQP__URL", "amqp://u:p@broker:5672/dinas"),
            ("KTPEL__AMQP__PREFETCH", "10"),
        ]),
    )
    .unwrap();
    assert_eq!(s.amqp.url.first().expose(), "amqp://u:p@broker:5672/dinas");
    assert_eq!(s.amqp.prefetch, 10);
}

#[test]
fn printed_settings_hide_the_passwords_in_their_urls() {
    let s: Example = load_from(
        "no-such-service",
        env(&[
            ("KTPEL__AMQP__URL", "amqp://u:hunter2@broker:5672/dinas"),
            ("KTPEL__DATABASE__URL", "postgres://ktpel:s3cret@db/intake"),
        ]),
    )
    .unwrap();
    let printed = format!("{s:?}");
    assert!(
        !printed.contains("hunter2") && !printed.contains("s3cret"),
        "{printed}"
    );
    assert!(printed.contains("u:***@broker:5672/dinas"), "{printed}");
    assert!(printed.contains("ktpel:***@db/intake"), "{printed}");
}

#[test]
fn an_invalid_url_is_named_without_its_password() {
    let err = load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__DATABASE__URL", "mysql://root:hunter2@db/x")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("database.url"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn a_service_prefix_wins_over_the_shared_one() {
    let s: Example = load_from(
        "intake",
        env(&[
            ("KTPEL__DATABASE__URL", "postgres://db/shared"),
            ("KTPEL_INTAKE__DATABASE__URL", "postgres://db/intake"),
        ]),
    )
    .unwrap();
    assert_eq!(s.database.url.expose(), "postgres://db/intake");
    // Digits where a string is wanted (a region code written without dots) stay digits.
    let s: ServiceSettings<Own> = load_from(
        "intake",
        env(&[
            ("KTPEL_INTAKE__CODE", "327301"),
            ("KTPEL_INTAKE__SECRET", "1234"),
        ]),
    )
    .unwrap();
    assert_eq!(s.own.code, "327301");
    assert_eq!(s.own.secret.as_deref(), Some("1234"));
}

#[test]
fn a_value_of_the_wrong_type_names_its_key() {
    let err = load_from::<Example>("no-such-service", env(&[("KTPEL__AMQP__PREFETCH", "lots")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("prefetch"), "{err}");
}

#[test]
fn a_nonsense_value_names_its_key() {
    let err = load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__AMQP__URL", "http://127.0.0.1:5672")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("amqp.url"), "{err}");
    let err = load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__DATABASE__URL", "mysql://x")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("database.url"), "{err}");
}

#[test]
fn zero_prefetch_is_refused() {
    let err = load_from::<Example>("no-such-service", env(&[("KTPEL__AMQP__PREFETCH", "0")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("amqp.prefetch"), "{err}");
}

#[test]
fn a_batch_wait_over_a_second_is_refused_and_one_under_it_is_taken() {
    let err = load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__AMQP__BATCH_WAIT_MS", "1001")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("amqp.batch_wait_ms"), "{err}");
    let s = load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__AMQP__BATCH_WAIT_MS", "0")]),
    )
    .expect("0: take only what has arrived");
    assert_eq!(s.amqp.batch_wait_ms, 0);
}

#[test]
fn the_process_sections_are_not_a_services() {
    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        amqp: AmqpSettings,
    }
    impl Validate for Strict {
        fn validate(&self) -> Result<(), SettingsError> {
            self.amqp.validate()
        }
    }
    let site = [("KTPEL__SITE__NAME", "kecamatan:32.73.01")];
    let s: Strict = load_from("intake", env(&site)).expect("a service ignores [site]");
    let desks = [
        ("KTPEL__DESKS__DATABASE__URL", "postgres://db/desks"),
        ("KTPEL__HTTP__TOKENS_FILE", "/run/secrets/tokens"),
    ];
    load_from::<Strict>("intake", env(&desks)).expect("a service ignores [desks] and [http]");
    assert_eq!(s.amqp, AmqpSettings::default());
    // The process itself sees it (here: as an unknown key of a strict struct).
    let e = load_from::<Strict>(PROCESS, env(&site))
        .unwrap_err()
        .to_string();
    assert!(e.contains("site"), "{e}");
    // … and leaves a service's keys alone: one environment serves a container's process and
    // its service.
    let s: Example = load_from(PROCESS, env(&[("KTPEL__REGION", "32.73")])).unwrap();
    assert_eq!(s.amqp, AmqpSettings::default());
    assert!(load_from::<Example>("intake", env(&[("KTPEL__REGION", "32.73")])).is_err());
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Own {
    secret: Option<String>,
    batch: u64,
    code: String,
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "intake";
    fn validate(&self, region: Option<&str>) -> Result<(), SettingsError> {
        if self.batch > 100 {
            return Err(SettingsError::invalid(
                "batch",
                format!("at most 100 (region {region:?})"),
            ));
        }
        Ok(())
    }
}

#[test]
fn a_services_own_keys_sit_beside_the_shared_sections() {
    let s: ServiceSettings<Own> = load_from(
        "intake",
        env(&[
            ("KTPEL_INTAKE__SECRET", "abc"),
            ("KTPEL_INTAKE__BATCH", "7"),
            ("KTPEL_INTAKE__REGION", "32.73"),
            ("KTPEL__DATABASE__URL", "postgres://db/intake"),
        ]),
    )
    .unwrap();
    assert_eq!(s.own.secret.as_deref(), Some("abc"));
    assert_eq!(s.own.batch, 7);
    assert_eq!(s.region.as_deref(), Some("32.73"));
    assert_eq!(s.database.url.expose(), "postgres://db/intake");
    let d: ServiceSettings<Own> = load_from("intake", env(&[])).unwrap();
    assert_eq!(
        d.database.url.expose(),
        "sqlite://data/intake.db",
        "the service's own file"
    );
}

#[test]
fn an_unknown_key_is_named_not_ignored() {
    let e = load_from::<ServiceSettings<Own>>("intake", env(&[("KTPEL_INTAKE__SECRT", "x")]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`secrt`") && e.contains("not a setting of intake"),
        "{e}"
    );
    // Inside a shared section, serde already names it.
    let e = load_from::<ServiceSettings<Own>>("intake", env(&[("KTPEL__DATABASE__URLL", "x")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`urll`") && e.contains("database"), "{e}");
    let e = load_from::<ServiceSettings<Own>>("intake", env(&[("KTPEL_INTAKE__REGION", "32.7")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`region`"), "{e}");
    let e = load_from::<ServiceSettings<Own>>("intake", env(&[("KTPEL_INTAKE__BATCH", "500")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`batch`") && e.contains("at most 100"), "{e}");
}

#[test]
fn published_outbox_rows_are_kept_a_week_unless_told_otherwise() {
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    let s: Example = load_from("no-such-service", env(&[])).unwrap();
    assert_eq!(s.amqp.outbox_retention(), Some(week));
    let s: Example = load_from(
        "no-such-service",
        env(&[("KTPEL__AMQP__OUTBOX_RETENTION_HOURS", "0")]),
    )
    .unwrap();
    assert_eq!(s.amqp.outbox_retention(), None, "0 keeps every row");
    let s: Example = load_from(
        "no-such-service",
        env(&[("KTPEL__AMQP__OUTBOX_RETENTION_HOURS", "2")]),
    )
    .unwrap();
    assert_eq!(
        s.amqp.outbox_retention(),
        Some(std::time::Duration::from_secs(7200))
    );
    let err = load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__AMQP__OUTBOX_RETENTION_HOURS", "87673")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("amqp.outbox_retention_hours"), "{err}");
    load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__AMQP__OUTBOX_RETENTION_HOURS", "87672")]),
    )
    .expect("ten years is the most");
}

#[test]
fn a_clusters_nodes_come_from_the_environment_comma_separated() {
    let s: Example = load_from(
        "no-such-service",
        env(&[(
            "KTPEL__AMQP__URL",
            "amqp://u:p@rmq-0:5672/dinas,amqp://u:p@rmq-1:5672/dinas",
        )]),
    )
    .unwrap();
    assert_eq!(
        s.amqp.url.expose_all(),
        ["amqp://u:p@rmq-0:5672/dinas", "amqp://u:p@rmq-1:5672/dinas"]
    );
    let err = load_from::<Example>(
        "no-such-service",
        env(&[(
            "KTPEL__AMQP__URL",
            "amqp://u:p@rmq-0:5672/dinas,amqp://u:p@rmq-1:5672/kecamatan",
        )]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("amqp.url") && err.contains("same user and vhost"),
        "{err}"
    );
}

#[test]
fn a_clusters_nodes_come_from_a_file_as_a_list() {
    let s: Example = Config::builder()
        .add_source(Config::try_from(&Example::default()).unwrap())
        .add_source(config::File::from_str(
            "[amqp]\nurl = [\"amqp://u:p@rmq-0:5672/dinas\", \"amqp://u:p@rmq-1:5672/dinas\"]\n",
            config::FileFormat::Toml,
        ))
        .build()
        .unwrap()
        .try_deserialize()
        .unwrap();
    assert_eq!(s.amqp.url.len(), 2);
    assert_eq!(s.amqp.url.first().expose(), "amqp://u:p@rmq-0:5672/dinas");
    assert!(s.amqp.validate().is_ok());
}

#[test]
fn an_empty_otlp_endpoint_is_none_and_a_wrong_one_is_named() {
    let s: Example = load_from(
        "no-such-service",
        env(&[("KTPEL__TELEMETRY__OTLP_ENDPOINT", "")]),
    )
    .unwrap();
    assert_eq!(s.telemetry.otlp_endpoint, None);
    let s: Example = load_from(
        "no-such-service",
        env(&[(
            "KTPEL__TELEMETRY__OTLP_ENDPOINT",
            "http://otel-collector:4317",
        )]),
    )
    .unwrap();
    assert_eq!(
        s.telemetry.otlp_endpoint.as_deref(),
        Some("http://otel-collector:4317")
    );
    let e = load_from::<Example>(
        "no-such-service",
        env(&[("KTPEL__TELEMETRY__OTLP_ENDPOINT", "otel-collector:4317")]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("telemetry.otlp_endpoint"), "{e}");
}
