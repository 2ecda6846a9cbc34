//! A cookie-keeping browser for the page flows: it asks for HTML, never follows redirects by
//! itself, reads the hidden CSRF fields of the pages and posts the forms a person would.

#![allow(dead_code)]
#![allow(
    clippy::expect_used,
    reason = "test helpers, like the tests themselves, fail loudly on a broken server"
)]

use std::collections::BTreeMap;

use serde_json::Value;
use uaa_testkit::TestServer;

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.body))
            .to_str()
            .expect("ascii")
            .to_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::String(self.body.clone()))
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().expect("ascii").to_owned())
            .collect()
    }
}

pub async fn reply(r: reqwest::Response) -> Reply {
    Reply {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.text().await.expect("body"),
    }
}

/// A browser: keeps cookies, asks for HTML, never follows redirects by itself.
pub struct Browser<'a> {
    pub base: &'a str,
    pub http: &'a reqwest::Client,
    pub jar: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(s: &'a TestServer) -> Self {
        Self::at(&s.base, &s.http)
    }

    pub fn at(base: &'a str, http: &'a reqwest::Client) -> Self {
        Self {
            base,
            http,
            jar: BTreeMap::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn absorb(&mut self, r: &Reply) {
        for c in r.set_cookies() {
            let first = c.split(';').next().expect("a cookie");
            let (k, v) = first.split_once('=').expect("name=value");
            if c.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
    }

    pub async fn send(&mut self, rb: reqwest::RequestBuilder) -> Reply {
        let r = reply(
            rb.header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                .header("cookie", self.cookie_header())
                .send()
                .await
                .expect("request"),
        )
        .await;
        self.absorb(&r);
        r
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let rb = self.http.get(self.url(path));
        self.send(rb).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let rb = self.http.post(self.url(path)).form(form);
        self.send(rb).await
    }

    /// Opens the sign-in page and submits it.
    pub async fn sign_in(&mut self, user: &str, password: &str) -> Reply {
        let page = self.get("/login").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = hidden(&page.body, "X-Uaa-Csrf");
        self.post(
            "/login.do",
            &[
                ("username", user),
                ("password", password),
                ("X-Uaa-Csrf", &csrf),
            ],
        )
        .await
    }
}

/// The `value` of the `<input … name="NAME" value="…">` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name} in {page}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').expect("closing quote")]
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
}

pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The query (or fragment) parameters of a URL.
pub fn params_of(url: &str, fragment: bool) -> BTreeMap<String, String> {
    let part = if fragment {
        url.split_once('#').map(|(_, f)| f).unwrap_or("")
    } else {
        let no_frag = url.split('#').next().unwrap_or("");
        no_frag.split_once('?').map(|(_, q)| q).unwrap_or("")
    };
    url::form_urlencoded::parse(part.as_bytes())
        .into_owned()
        .collect()
}
