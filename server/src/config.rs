//! Typed configuration, layered: built-in defaults → a TOML file → environment → command line.
//! Every field is documented here and shows in `server --help` with its variable and default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "server", version, about = "ats-bridge: the marketplace's Workable integration (web site and sync).")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending database migrations, then serve the site (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run only the sync worker (exports to Workable) and the drift sweep, without the site;
    /// any number may run against one PostgreSQL database.
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// A TOML file with any of these settings (keys as the long options, with underscores).
    /// Environment variables and command-line options override it.
    #[arg(long, env = "ATS_BRIDGE_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Where the embedded default keeps its files (the SQLite database among them).
    #[arg(long, env = "ATS_BRIDGE_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// The database: `sqlite:<path>` (embedded) or `postgres://user:password@host/db` (shared by
    /// several instances). Default: `sqlite:<data-dir>/ats-bridge.db`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Connections this process keeps to PostgreSQL at most; every instance and worker counts
    /// against the server's limit (100 by default). SQLite always uses 4.
    #[arg(long, env = "ATS_BRIDGE_DATABASE_CONNECTIONS", default_value = "16", global = true)]
    pub database_connections: u32,

    /// The address the site listens on.
    #[arg(long, env = "ATS_BRIDGE_LISTEN", default_value = "127.0.0.1:3000", global = true)]
    pub listen: SocketAddr,

    /// The address people and Workable use to reach this site (links, OAuth callbacks,
    /// webhooks). Default: `http://<listen>`.
    #[arg(long, env = "ATS_BRIDGE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// The domain every exported candidate is attributed to in Workable: their `domain`, which
    /// Workable's reports show as the source (instead of "Unknown"). Default: the host of the
    /// public address.
    #[arg(long, env = "ATS_BRIDGE_MARKETPLACE_DOMAIN", value_parser = workable::SourceDomain::parse, global = true)]
    pub marketplace_domain: Option<workable::SourceDomain>,

    /// The built-in Workable sandbox at `/sandbox` (when compiled in), and the product pointed at
    /// it; the Lever sandbox beside it at `/lever-sandbox`. Off unless asked for (`scripts/run`
    /// asks): their controls answer only on this machine, and no real company wants a pretend ATS
    /// on its site.
    #[arg(long, env = "ATS_BRIDGE_SANDBOX", default_value = "off", value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub sandbox: bool,

    /// Root of a Workable-compatible service laid out like the sandbox
    /// (`{root}/{subdomain}/spi/v3`, `{root}/spi/v3/accounts`, `{root}/oauth/…`). Default: the
    /// built-in sandbox when it is mounted, otherwise the real Workable.
    #[arg(long, env = "ATS_BRIDGE_WORKABLE_URL", global = true)]
    pub workable_url: Option<String>,

    /// Offer Lever beside Workable, at this address: `lever` for the real Lever
    /// (`https://api.lever.co/v1`), or the root of a Lever-compatible service laid out like the
    /// sandbox (`{root}/v1`). Default: the built-in Lever sandbox when it is mounted, otherwise Lever
    /// is not offered.
    #[arg(long, env = "ATS_BRIDGE_LEVER_URL", global = true)]
    pub lever_url: Option<String>,

    /// The OAuth client id Lever issued to the marketplace (its partner programme). Without it
    /// Lever is connected with an API key only (the built-in Lever sandbox supplies its own).
    #[arg(long, env = "ATS_BRIDGE_LEVER_CLIENT_ID", global = true)]
    pub lever_client_id: Option<String>,

    /// Lever's OAuth client secret (set it in the environment, not on the command line).
    #[arg(long, env = "ATS_BRIDGE_LEVER_CLIENT_SECRET", hide_env_values = true, global = true)]
    pub lever_client_secret: Option<String>,

    /// The OAuth client id Workable issued to the marketplace. Without it only the API-token
    /// path is offered (the built-in sandbox supplies its own).
    #[arg(long, env = "ATS_BRIDGE_WORKABLE_CLIENT_ID", global = true)]
    pub workable_client_id: Option<String>,

    /// The OAuth client secret (set it in the environment, not on the command line).
    #[arg(long, env = "ATS_BRIDGE_WORKABLE_CLIENT_SECRET", hide_env_values = true, global = true)]
    pub workable_client_secret: Option<String>,

    /// The key that seals Workable tokens at rest: 32 bytes, base64. Default: generated once
    /// into `<data-dir>/token.key` (the embedded default); required with PostgreSQL.
    #[arg(long, env = "ATS_BRIDGE_TOKEN_KEY", hide_env_values = true, global = true)]
    pub token_key: Option<String>,

    /// Demo mode seeds demo companies with published passwords into an empty database, shows
    /// them on the sign-in page, and lets users answer requests on a candidate's behalf. Off
    /// unless asked for (`scripts/run` asks).
    #[arg(long, env = "ATS_BRIDGE_DEMO", default_value = "off", value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub demo: bool,

    /// Send the session cookie only over HTTPS (turn on behind TLS).
    #[arg(long, env = "ATS_BRIDGE_SECURE_COOKIES", default_value = "false", action = clap::ArgAction::Set, global = true)]
    pub secure_cookies: bool,

    /// Sign-in attempts one client address may make in a minute (a burst of this many, then one
    /// every 60/n seconds); more get 429 with the seconds to wait. Behind a proxy every client
    /// shares the proxy's address.
    #[arg(long, env = "ATS_BRIDGE_SIGN_INS_PER_MINUTE", default_value = "20", global = true)]
    pub sign_ins_per_minute: u32,

    /// Days of inactivity after which a session ends.
    #[arg(long, env = "ATS_BRIDGE_SESSION_DAYS", default_value = "7", global = true)]
    pub session_days: u16,

    /// Run the sync worker inside `serve` too (turn off when separate `server worker`
    /// processes do the work).
    #[arg(long, env = "ATS_BRIDGE_SYNC_WORKER", default_value = "true", action = clap::ArgAction::Set, global = true)]
    pub sync_worker: bool,

    /// Work items one process handles at once.
    #[arg(long, env = "ATS_BRIDGE_SYNC_CONCURRENCY", default_value = "16", global = true)]
    pub sync_concurrency: u16,

    /// How long a worker holds a claimed item before another may take it over (a crashed worker's
    /// items are picked up after this).
    #[arg(long, env = "ATS_BRIDGE_SYNC_LEASE_SECONDS", default_value = "300", global = true)]
    pub sync_lease_seconds: u32,

    /// How often each Workable connection is reconciled: candidates updated in mapped jobs since
    /// the last run are read and any move a lost webhook missed is applied.
    #[arg(long, env = "ATS_BRIDGE_RECONCILE_EVERY_SECONDS", default_value = "300", global = true)]
    pub reconcile_every_seconds: u32,

    /// Log line format.
    #[arg(long, env = "ATS_BRIDGE_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,

    /// Log filter, in `tracing` syntax (`info`, `server=debug,info`, …).
    #[arg(long, env = "RUST_LOG", default_value = "info,sqlx=warn", global = true)]
    pub log: String,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("ats-bridge.db").display()))
    }

    pub fn public_url(&self) -> String {
        let url = self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen));
        url.trim_end_matches('/').to_owned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the configuration file {path} is not valid TOML: {source}")]
    Toml { path: PathBuf, source: toml::de::Error },
    #[error("the configuration file {path} has an unknown setting `{key}`")]
    UnknownKey { path: PathBuf, key: String },
    #[error("the configuration file {path} has a setting `{key}` that is not a string, number or boolean")]
    BadValue { path: PathBuf, key: String },
}

impl Cli {
    /// Parses the command line, with the settings of the configuration file (if any) as defaults
    /// below the environment and the command line.
    pub fn load_from<I, T>(args: I) -> Result<Cli, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let mut command = Cli::command();
        // First pass only to find the file; the real parse (with its errors) comes below.
        let file =
            Cli::command().ignore_errors(true).get_matches_from(args.clone()).get_one::<PathBuf>("config").cloned();
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
            let table: toml::Table = text.parse().map_err(|source| ConfigError::Toml { path: path.clone(), source })?;
            for (key, value) in table {
                let value = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    _ => return Err(ConfigError::BadValue { path, key }),
                };
                if key == "config" || !command.get_arguments().any(|a| a.get_id() == key.as_str()) {
                    return Err(ConfigError::UnknownKey { path, key });
                }
                command = command.mut_arg(key, |arg| arg.default_value(value));
            }
        }
        let matches = command.get_matches_from(args);
        Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_embedded_sqlite_on_port_3000_without_demo_or_sandbox() {
        let cli = Cli::load_from(["server"]).unwrap();
        assert_eq!(cli.command, None);
        assert_eq!(cli.config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(cli.config.database_url(), "sqlite:data/ats-bridge.db");
        assert!(!cli.config.demo, "no published passwords unless asked for");
        assert!(!cli.config.sandbox, "no pretend Workable unless asked for");
        let asked = Cli::load_from(["server", "--demo", "on", "--sandbox", "true"]).unwrap();
        assert!(asked.config.demo && asked.config.sandbox);
    }

    #[test]
    fn the_marketplace_domain_is_a_host_name() {
        assert_eq!(Cli::load_from(["server"]).unwrap().config.marketplace_domain, None);
        let set = Cli::load_from(["server", "--marketplace-domain", "https://Hire.Example/jobs"]).unwrap();
        assert_eq!(set.config.marketplace_domain.map(|d| d.as_str().to_owned()).as_deref(), Some("hire.example"));
        // (`load_from` would end the process with clap's message, as a command line should.)
        let wrong = Cli::try_parse_from(["server", "--marketplace-domain", "not a domain"]).unwrap_err().to_string();
        assert!(wrong.contains("a source domain is a host name"), "{wrong}");
    }

    #[test]
    fn a_file_sets_defaults_that_the_command_line_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ats-bridge.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:8080\"\ndatabase_url = \"postgres://u:p@db/ats\"\nsession_days = 3\n",
        )
        .unwrap();
        let cli =
            Cli::load_from(["server", "--config", path.to_str().unwrap(), "--session-days", "9", "migrate"]).unwrap();
        assert_eq!(cli.command, Some(Command::Migrate));
        assert_eq!(cli.config.listen.to_string(), "0.0.0.0:8080");
        assert_eq!(cli.config.session_days, 9);
        assert!(!cli.config.demo, "demo mode is off unless asked for");
    }

    #[test]
    fn an_unknown_key_in_the_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "listne = \"0.0.0.0:8080\"\n").unwrap();
        let err = Cli::load_from(["server", "--config", path.to_str().unwrap()]).unwrap_err();
        assert!(err.to_string().contains("`listne`"), "{err}");
    }
}
