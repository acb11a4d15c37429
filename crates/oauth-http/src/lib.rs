//! The `oauth2` crate's HTTP hook, for every ATS client's OAuth flows: the crate's own
//! reqwest integration targets another reqwest than ours (0.13).

/// The `oauth2` crate's HTTP hook, on our own client (reqwest 0.13, no redirects followed). A
/// named type rather than a closure: its future is plainly `Send`, which a closure's is not.
pub struct OAuthHttp(pub reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp {
    type Error = reqwest::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        let http = self.0.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response =
                http.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes = response.bytes().await?;
            Ok(builder.body(bytes.to_vec()).expect("status and headers came from a valid response"))
        })
    }
}
