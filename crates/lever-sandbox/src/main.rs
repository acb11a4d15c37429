//! `lever-sandbox`: runs the Lever sandbox on its own and prints what a person or program needs.

use std::path::PathBuf;

use clap::Parser;
use lever_sandbox::{LeverSandbox, seed};

#[derive(Parser)]
#[command(
    name = "lever-sandbox",
    version,
    about = "A local Lever (Data API v1, API keys, OAuth 2.0, rate limits, webhooks, faults on demand)."
)]
struct Cli {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value = "4100")]
    port: u16,
    /// Keep the state in this JSON file across restarts (default: in memory, fresh seed).
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// A redirect URI to register for the OAuth client (repeatable).
    #[arg(long = "redirect-uri", default_value = "http://127.0.0.1:3000/integrations/lever/callback")]
    redirect_uris: Vec<String>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let cli = Cli::parse();
    let sandbox = LeverSandbox::open(cli.state_file, cli.redirect_uris.clone(), clock::Clock::system())
        .map_err(std::io::Error::other)?;
    let (base, task) = sandbox.serve(cli.port).await?;
    println!("Lever sandbox on {base}");
    println!("  Data API:    {base}/v1   (Lever: https://api.lever.co/v1)");
    println!("  OAuth:       {base}/authorize, {base}/oauth/token (audience {base}/v1/)");
    println!("  control API: {base}/_control/faults, /_control/requests, …");
    sandbox.read(|w| {
        for account in &w.accounts {
            println!(
                "account {} (jobs.lever.co/{}): {} postings, users {}",
                account.name,
                account.site,
                account.postings.len(),
                account.users.iter().map(|u| u.email.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
    });
    println!("API keys: {} (Northwind), {} (Globex)", seed::NORTHWIND_KEY, seed::GLOBEX_KEY);
    println!(
        "OAuth client: id {} secret {} redirect URIs {}",
        seed::CLIENT_ID,
        seed::CLIENT_SECRET,
        cli.redirect_uris.join(", ")
    );
    let _ = task.await;
    Ok(())
}
