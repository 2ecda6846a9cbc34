//! Redirect matching, pinned case by case. Expected values follow UAA's `LegacyRedirectResolver`
//! (and its tests, `LegacyRedirectResolverTest`), Spring's `AntPathMatcher` and
//! `StringUtils.cleanPath`, not this implementation.

use super::*;

fn grants(g: &str) -> Vec<String> {
    g.split(',').map(str::to_owned).collect()
}

fn regs(r: &[&str]) -> Vec<String> {
    r.iter().map(|s| (*s).to_owned()).collect()
}

#[track_caller]
fn matches(requested: &str, registered: &str) {
    assert!(
        redirect_matches(requested, registered),
        "{requested} should match {registered}"
    );
}

#[track_caller]
fn no_match(requested: &str, registered: &str) {
    assert!(
        !redirect_matches(requested, registered),
        "{requested} should not match {registered}"
    );
}

// --- registered URI validity (UaaUrlUtils.isValidRegisteredRedirectUrl) ---------------------

#[test]
fn registered_urls_must_have_a_scheme_a_host_and_an_optional_port_and_path() {
    for ok in [
        "http://localhost",
        "http://localhost:8080/**",
        "http://localhost:8080/uaa/",
        "https://*.example.com/**",
        "https://a.b.example.com/cb?x=1#f",
        "http://user:pw@host.com/x",
        "myapp://callback",
        "com.example.app://oauth",
        "http*://example.com/",
        "http://under_score.example.com/",
        "http://10.0.0.1:9090/",
    ] {
        assert!(is_valid_registered_redirect_url(ok), "{ok} should be valid");
    }
    for bad in [
        "",
        "localhost/callback",
        "/relative",
        "http://",
        "http://*",
        "http://example.*/",
        "http://example.com:port/",
        "http://exa mple.com/",
        "http://a..b/",
        "urn:ietf:wg:oauth:2.0:oob",
        "1http://example.com/",
        "http://example.com/\nx",
        "http://example.com_/",
    ] {
        assert!(
            !is_valid_registered_redirect_url(bad),
            "{bad:?} should be invalid"
        );
    }
}

#[test]
fn user_info_in_a_registered_url_needs_a_colon() {
    assert!(is_valid_registered_redirect_url("http://a:b@example.com/"));
    assert!(!is_valid_registered_redirect_url("http://ab@example.com/"));
}

// --- normalisation ---------------------------------------------------------------------------

#[test]
fn normalisation_lowercases_scheme_and_host_only() {
    assert_eq!(
        normalize_uri("HTTP://User:PW@EXAMPLE.com:8080/Path?Q=A#F").as_deref(),
        Some("http://User:PW@example.com:8080/Path?Q=A#F")
    );
    assert_eq!(normalize_uri("http:/no-authority"), None);
    assert_eq!(normalize_uri("no-scheme"), None);
    assert_eq!(normalize_uri("//host/path"), None);
    assert_eq!(
        normalize_uri("MyApp://CallBack").as_deref(),
        Some("myapp://callback")
    );
}

#[test]
fn clean_path_resolves_dot_segments_like_spring() {
    assert_eq!(
        clean_path("http://localhost:8080/foo/../bar"),
        "http://localhost:8080/bar"
    );
    assert_eq!(
        clean_path("http://localhost:8080/foo/./bar"),
        "http://localhost:8080/foo/bar"
    );
    assert_eq!(clean_path("/a/b/../../c"), "/c");
    assert_eq!(clean_path("a/../../b"), "../b");
    assert_eq!(clean_path("no/dots"), "no/dots");
    assert_eq!(clean_path("keep.dots/x.y"), "keep.dots/x.y");
    // `..` may eat the authority: the result then no longer matches anything sensible.
    assert_eq!(
        clean_path("http://host/../../evil.com/x"),
        "http:/evil.com/x"
    );
    assert_eq!(clean_path("a\\b\\..\\c"), "a/c");
}

#[test]
fn url_decoding_is_java_url_decoder() {
    assert_eq!(url_decode("a+b%20c").as_deref(), Some("a b c"));
    assert_eq!(url_decode("%2e%2E").as_deref(), Some(".."));
    assert_eq!(url_decode("%252e").as_deref(), Some("%2e"));
    assert_eq!(url_decode("%C3%A9").as_deref(), Some("é"));
    assert_eq!(url_decode("bad%2"), None);
    assert_eq!(url_decode("bad%zz"), None);
}

// --- AntPathMatcher --------------------------------------------------------------------------

#[test]
fn ant_patterns_match_segments() {
    assert!(ant_match("/a/*", "/a/b"));
    assert!(!ant_match("/a/*", "/a/b/c"));
    assert!(ant_match("/a/**", "/a/b/c"));
    assert!(ant_match("/a/**", "/a"));
    assert!(ant_match("/a/**/z", "/a/b/c/z"));
    assert!(ant_match("/a/**/z", "/a/z"));
    assert!(!ant_match("/a/**/z", "/a/b/y"));
    assert!(ant_match("/**/b/**/d", "/a/b/c/d"));
    assert!(ant_match("/a?c", "/abc"));
    assert!(!ant_match("/a?c", "/ac"));
    assert!(ant_match("/*.html", "/index.html"));
    assert!(ant_match("/{id}/x", "/42/x"));
    assert!(!ant_match("a/b", "/a/b"), "leading separators must agree");
    assert!(
        !ant_match("/a/b/", "/a/b"),
        "trailing separators must agree"
    );
    assert!(
        ant_match("/a/*", "/a/"),
        "a trailing * matches an empty last segment"
    );
}

#[test]
fn ant_patterns_over_urls_treat_scheme_and_authority_as_segments() {
    assert!(ant_match(
        "http://localhost:8080/**",
        "http://localhost:8080/uaa/cb?x=1"
    ));
    assert!(ant_match(
        "http://localhost:8080/**",
        "http://localhost:8080"
    ));
    assert!(!ant_match(
        "http://localhost:8080/**",
        "http://localhost:8081/x"
    ));
    assert!(ant_match(
        "http://*.example.com/**",
        "http://a.example.com/cb"
    ));
    assert!(!ant_match("http://localhost/*", "http://localhost/a/b"));
}

// --- wildcard (pattern) registrations ---------------------------------------------------------

#[test]
fn double_star_patterns_accept_any_path_and_query_on_the_same_authority() {
    let reg = "http://localhost:8080/**";
    matches("http://localhost:8080/app/", reg);
    matches("http://localhost:8080/uaa/callback?state=1&x=y", reg);
    matches("http://localhost:8080", reg);
    matches("HTTP://LOCALHOST:8080/App", reg);
    no_match("http://localhost:8081/app", reg);
    no_match("https://localhost:8080/app", reg);
    no_match("http://localhost:8080.evil.com/app", reg);
    no_match("http://localhost:8080@evil.com/", reg);
    no_match("http://evil.com/http://localhost:8080/", reg);
}

#[test]
fn single_star_patterns_stop_at_a_slash() {
    let reg = "http://localhost/*";
    matches("http://localhost/cb", reg);
    no_match("http://localhost/a/b", reg);
}

#[test]
fn subdomain_wildcards_must_keep_the_registered_domain() {
    let reg = "https://*.example.com/**";
    matches("https://app.example.com/cb", reg);
    matches("https://a.b.example.com/cb", reg);
    no_match("https://example.com/cb", reg);
    no_match("https://evil.com/.example.com/", reg);
    // The Ant segment matches, but the host is evil.com: isSafeRedirect refuses it.
    no_match("https://evil.com?.example.com", reg);
    no_match("https://evil.com#.example.com", reg);
    no_match("https://app.example.com.evil.com/", reg);
}

#[test]
fn a_requested_uri_java_cannot_parse_never_matches_a_pattern() {
    let reg = "http://localhost:8080/**";
    no_match("http://localhost:8080/a b", reg);
    no_match("http://localhost:8080/{x}", reg);
    no_match("http://localhost:8080/%zz", reg);
    no_match("http://local_host:8080/x", "http://*:8080/**");
}

#[test]
fn encoded_dot_segments_cannot_climb_out_of_a_pattern() {
    let reg = "http://example.com/foo/**";
    matches("http://example.com/foo/bar", reg);
    no_match("http://example.com/foo/../bar", reg);
    no_match("http://example.com/foo/%2e%2e/bar", reg);
    no_match("http://example.com/foo/%252e%252e/bar", reg);
    no_match("http://example.com/foo/%25252e%25252e/bar", reg);
    // Decoding more than five times is refused outright.
    no_match("http://example.com/foo/%2525252525252e", reg);
}

#[test]
fn a_pattern_with_a_question_mark_is_an_ant_single_character() {
    let reg = "http://example.com/cb?/**";
    matches("http://example.com/cbx/y", reg);
}

// --- plain registrations (Spring OAuth 2.3 DefaultRedirectResolver) ---------------------------

#[test]
fn plain_registrations_match_by_path_prefix_with_same_scheme_host_and_port() {
    let reg = "http://localhost:8080/app/";
    matches("http://localhost:8080/app/", reg);
    matches("http://localhost:8080/app/deeper/page?x=1#frag", reg);
    no_match("http://localhost:8080/other", reg);
    no_match("http://localhost:9090/app/", reg);
    no_match("https://localhost:8080/app/", reg);
    no_match("http://localhost:8080/app/../other", reg);
    no_match("http://localhost:8080/app/%2e%2e/other", reg);
}

#[test]
fn plain_registrations_fill_in_default_ports() {
    matches("http://example.com:80/cb", "http://example.com/cb");
    matches("https://example.com/cb", "https://example.com:443/cb");
    no_match("https://example.com:8443/cb", "https://example.com/cb");
}

#[test]
fn plain_registrations_accept_subdomains_in_legacy_mode() {
    matches("http://sub.example.com/cb", "http://example.com/cb");
    no_match("http://subexample.com/cb", "http://example.com/cb");
    no_match("http://example.com.evil.com/cb", "http://example.com/cb");
}

#[test]
fn plain_registrations_compare_hosts_case_insensitively_and_paths_case_sensitively() {
    matches("http://EXAMPLE.com/cb", "http://example.com/cb");
    no_match("http://example.com/CB", "http://example.com/cb");
}

#[test]
fn custom_schemes_must_match_exactly() {
    matches("myapp://callback", "myapp://callback");
    matches("MYAPP://callback", "myapp://callback");
    no_match("myapp://callback/extra", "myapp://callback");
    no_match("myapp://other", "myapp://callback");
}

#[test]
fn user_info_does_not_fool_the_host_comparison() {
    no_match("http://example.com@evil.com/cb", "http://example.com/cb");
    matches("http://user@example.com/cb", "http://example.com/cb");
}

#[test]
fn a_non_numeric_port_falls_back_to_string_equality() {
    no_match("http://example.com:x/cb", "http://example.com/cb");
}

// --- resolution ------------------------------------------------------------------------------

#[test]
fn the_requested_uri_is_returned_when_one_registration_matches() {
    let r = regs(&["http://a.com/cb", "http://localhost:8080/**"]);
    assert_eq!(
        resolve_redirect(
            Some("http://localhost:8080/x"),
            &r,
            &grants("authorization_code")
        ),
        Ok("http://localhost:8080/x".to_owned())
    );
    assert_eq!(
        resolve_redirect(Some("http://b.com/cb"), &r, &grants("authorization_code")),
        Err(RedirectError::Mismatch)
    );
}

#[test]
fn without_a_requested_uri_the_only_plain_registration_is_used() {
    let g = grants("implicit");
    assert_eq!(
        resolve_redirect(None, &regs(&["http://a.com/cb"]), &g),
        Ok("http://a.com/cb".to_owned())
    );
    assert_eq!(
        resolve_redirect(None, &regs(&["http://a.com/cb", "http://b.com/cb"]), &g),
        Err(RedirectError::Mismatch)
    );
    assert_eq!(
        resolve_redirect(None, &regs(&["http://a.com/**"]), &g),
        Err(RedirectError::Mismatch)
    );
}

#[test]
fn a_client_without_registrations_or_with_a_malformed_one_never_matches() {
    let g = grants("authorization_code");
    assert_eq!(
        resolve_redirect(Some("http://a.com/cb"), &[], &g),
        Err(RedirectError::Mismatch)
    );
    assert_eq!(
        resolve_redirect(
            Some("http://a.com/cb"),
            &regs(&["http://a.com/cb", "not a url"]),
            &g
        ),
        Err(RedirectError::Mismatch)
    );
}

#[test]
fn only_implicit_and_authorization_code_clients_may_redirect() {
    let r = regs(&["http://a.com/cb"]);
    assert_eq!(
        resolve_redirect(
            Some("http://a.com/cb"),
            &r,
            &grants("client_credentials,password")
        ),
        Err(RedirectError::InvalidGrant(
            "A redirect_uri can only be used by implicit or authorization_code grant types.".into()
        ))
    );
    assert_eq!(
        resolve_redirect(Some("http://a.com/cb"), &r, &[]),
        Err(RedirectError::InvalidGrant(
            "A client must have at least one authorized grant type.".into()
        ))
    );
}

#[test]
fn uaa_dev_clients_redirects_behave_as_in_uaa() {
    // The dev `app` client of UAA's default profile.
    let app = regs(&[
        "http://localhost:8080/**",
        "http://localhost:7000/**",
        "http://localhost:8080/app/",
    ]);
    let g = grants("password,implicit,authorization_code,client_credentials,refresh_token");
    for ok in [
        "http://localhost:8080/app/",
        "http://localhost:7000/callback",
        "http://localhost:8080/uaa/login",
    ] {
        assert_eq!(resolve_redirect(Some(ok), &app, &g), Ok(ok.to_owned()));
    }
    for bad in [
        "http://localhost:9000/",
        "http://127.0.0.1:8080/app/",
        "https://uaa.cloudfoundry.com/redirect/cf",
    ] {
        assert_eq!(
            resolve_redirect(Some(bad), &app, &g),
            Err(RedirectError::Mismatch)
        );
    }
}

#[test]
fn segment_matching_handles_stars_anywhere() {
    assert!(segment_match("*", ""));
    assert!(segment_match("a*b*c", "aXXbYYc"));
    assert!(!segment_match("a*b*c", "aXXbYY"));
    assert!(segment_match("*.example.com", "x.example.com"));
    assert!(!segment_match("*.example.com", "example.com"));
    assert!(segment_match("??", "ab"));
    assert!(!segment_match("??", "abc"));
}
