//! Black-box tests of the server: server functions called as HTTP endpoints, pages, downloads,
//! health and metrics.

mod assets;
mod changes;
mod connect;
mod exports;
mod faults;
mod fuzz;
mod helpers;
mod insights;
mod mapping;
mod pages;
mod server_functions;
mod two_way;
mod worker_process;
