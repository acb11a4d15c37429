//! `workable-sandbox`: runs the sandbox on its own and prints what a person or program needs.

use std::path::PathBuf;

use clap::Parser;
use workable_sandbox::{Sandbox, seed};

#[derive(Parser)]
#[command(
    name = "workable-sandbox",
    version,
    about = "A local Workable (SPI v3, OAuth 2.0, rate limits, webhooks, faults on demand)."
)]
struct Cli {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value = "4000")]
    port: u16,
    /// Keep the state in this JSON file across restarts (default: in memory, fresh seed).
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// A redirect URI to register for the OAuth client (repeatable).
    #[arg(long = "redirect-uri", default_value = "http://127.0.0.1:3000/integrations/workable/callback")]
    redirect_uris: Vec<String>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let cli = Cli::parse();
    let sandbox = Sandbox::open(cli.state_file, cli.redirect_uris.clone(), workable::Clock::system())
        .map_err(std::io::Error::other)?;
    let (base, task) = sandbox.serve(cli.port).await?;
    println!("Workable sandbox on {base}");
    println!("  people's view:     {base}/");
    println!(
        "  account API:       {base}/{{subdomain}}/spi/v3   (Workable: https://{{subdomain}}.workable.com/spi/v3)"
    );
    println!("  account discovery: {base}/spi/v3/accounts");
    println!("  OAuth:             {base}/oauth/authorize, /oauth/token, /oauth/revoke");
    println!("  control API:       {base}/_control/faults, /_control/requests, …");
    sandbox.read(|w| {
        for account in &w.accounts {
            println!(
                "account {} ({}): {} jobs, members {}",
                account.name,
                account.subdomain,
                account.jobs.len(),
                account.members.iter().map(|m| m.email.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
    });
    println!(
        "account tokens: {} (all scopes), {} (r_jobs only), {} (all scopes)",
        seed::NORTHWIND_TOKEN,
        seed::NORTHWIND_READONLY_TOKEN,
        seed::GLOBEX_TOKEN
    );
    println!(
        "OAuth client: id {} secret {} redirect URIs {}",
        seed::CLIENT_ID,
        seed::CLIENT_SECRET,
        cli.redirect_uris.join(", ")
    );
    let _ = task.await;
    Ok(())
}
