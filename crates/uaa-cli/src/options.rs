//! uaac's command-line grammar, reproduced exactly, because `uaac` users have years of muscle
//! memory and scripts built on it.
//!
//! Ruby's `uaac` (`lib/uaa/cli/base.rb`, `BaseCli.run`) registers the options of *every* topic in
//! one `OptionParser` and calls `parse!`: options may appear anywhere on the line, `--` ends them,
//! long options may be abbreviated to any prefix OptionParser can complete, `_` and `-` are
//! interchangeable, `-x` falls back to completing a long option, repeated options accumulate into
//! a list. Only then are the remaining words matched against the commands, in topic order, by
//! their leading words; the command's argument count and option list are checked afterwards. A
//! derive-style parser (clap) cannot express that, so this module implements it directly:
//!
//! * [`OPTIONS`], [`COMMANDS`], [`TOPICS`], [`GLOBAL`]: the tables, transcribed from the topic
//!   files (`common.rb`, `info.rb`, `token.rb`, `user.rb`, `group.rb`, `client_reg.rb`,
//!   `curl.rb`) in uaac's registration order, plus our additions (`extra: true`).
//! * [`parse`]: OptionParser 0.2.0 (Ruby 3.1) `parse!` semantics, including its error messages
//!   and the did_you_mean 1.6 suggestions appended to them.
//! * [`dispatch`]: `preprocess_options` plus the command matching of `BaseCli.run`.
//! * [`help`]: `say_help`, `say_command_help`, `say_cmd_helper`, `say_definition`, `say_commands`.
//! * [`completion`]: bash, zsh and fish scripts generated from the same tables.
//!
//! Our additions live in a second, lower-priority option list, the way OptionParser keeps its own
//! built-in switches below the program's: an abbreviation is completed among uaac's options first
//! and only reaches the additions when no uaac option matches it, so every abbreviation that worked
//! with Ruby's uaac still means the same option here (a test checks every prefix).

use std::collections::VecDeque;
use std::fmt::{self, Write as _};

/// Appended to the description of our additions in help output.
pub const EXTRA_MARK: &str = " (extension)";

/// How an option takes its argument (OptionParser's switch styles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// `NoArgument`; `negatable` is the `--[no-]name` form, which also registers `--no-name`.
    Flag { negatable: bool },
    /// `RequiredArgument` (`--name <x>`): takes the rest of the word or the next word, whatever
    /// it looks like.
    Required(&'static str),
    /// `PlacedArgument` (`--name [x]`): takes the next word only if it does not start with `-`;
    /// without one the value is Ruby's `nil` ([`OptVal::Nil`]).
    Optional(&'static str),
}

/// One `define_option` of a uaac topic (or one of our additions).
#[derive(Debug)]
pub struct OptDef {
    /// uaac's symbol, the key of `opts` (e.g. `givenName`, `attrs`, `interact`); "Invalid
    /// option: <key>" names it.
    pub key: &'static str,
    /// The long name as written in the definition, without `--` (e.g. `given_name`).
    pub long: &'static str,
    pub short: Option<char>,
    pub arg: Arg,
    /// Empty when uaac gives none (help then prints the switch alone).
    pub desc: &'static str,
    /// Title of the topic that defines it; `""` for our cross-topic additions. uaac's help shows
    /// a topic's own definition of a key, else the last one registered.
    pub topic: &'static str,
    /// Ours, not Ruby uaac's.
    pub extra: bool,
}

/// One `desc` of a uaac topic: a command.
#[derive(Debug)]
pub struct CmdDef {
    /// Title of the topic it belongs to.
    pub topic: &'static str,
    /// The leading words of the template, up to the first `[arg]`.
    pub parts: &'static [&'static str],
    /// Number of `[arg]`s, or -1 when the last one ends in `...]` (any number).
    pub argc: i32,
    pub template: &'static str,
    pub desc: &'static str,
    /// Keys of the options it accepts besides [`GLOBAL`].
    pub options: &'static [&'static str],
    /// Ours, not Ruby uaac's.
    pub extra: bool,
}

const MISC: &str = "Miscellaneous";
const INFO: &str = "System Information";
const TOKEN: &str = "Tokens";
const USER: &str = "User Accounts";
const GROUP: &str = "Groups";
const CLIENT: &str = "Client Application Registrations";
const CURL: &str = "CURL";

/// The topics in uaac's order (`Cli.topics`): title and synonyms. `Topic.topic` makes the
/// synonyms from the title's words plus the extra names, downcased; `help <word>` shows a
/// topic when a word is one of them.
pub static TOPICS: &[(&str, &[&str])] = &[
    (MISC, &["miscellaneous", "misc"]),
    (INFO, &["system", "information", "sys", "info"]),
    (TOKEN, &["tokens", "token", "login"]),
    (USER, &["user", "accounts", "account"]),
    (GROUP, &["groups", "group"]),
    (CLIENT, &["client", "application", "registrations", "reg"]),
    (CURL, &["curl"]),
];

/// uaac's `Cli.global_options`: accepted by every command.
pub const UAAC_GLOBAL: &[&str] = &["help", "version", "debug", "trace", "config", "zone"];

/// Options every command accepts: uaac's [`UAAC_GLOBAL`], then ours: `--json`, and the TLS
/// options uaac only has on `target`.
pub const GLOBAL: &[&str] = &[
    "help",
    "version",
    "debug",
    "trace",
    "config",
    "zone",
    "json",
    "skip_ssl_validation",
    "ca_cert",
];

const NEG: Arg = Arg::Flag { negatable: true };
const FLAG: Arg = Arg::Flag { negatable: false };

const fn o(
    topic: &'static str,
    key: &'static str,
    long: &'static str,
    short: Option<char>,
    arg: Arg,
    desc: &'static str,
) -> OptDef {
    OptDef {
        key,
        long,
        short,
        arg,
        desc,
        topic,
        extra: false,
    }
}

const fn x(key: &'static str, long: &'static str, arg: Arg, desc: &'static str) -> OptDef {
    OptDef {
        key,
        long,
        short: None,
        arg,
        desc,
        topic: "",
        extra: true,
    }
}

const fn req(p: &'static str) -> Arg {
    Arg::Required(p)
}

/// Every option, in uaac's registration order (topic order, then definition order); keys
/// defined by several topics appear once per topic, as in Ruby. Our additions follow.
pub static OPTIONS: &[OptDef] = &[
    // common.rb, MiscCli
    o(
        MISC,
        "trace",
        "trace",
        Some('t'),
        NEG,
        "display extra verbose debug information",
    ),
    o(
        MISC,
        "debug",
        "debug",
        Some('d'),
        NEG,
        "display debug information",
    ),
    o(
        MISC,
        "help",
        "help",
        Some('h'),
        NEG,
        "display helpful information",
    ),
    o(MISC, "version", "version", Some('v'), NEG, "show version"),
    o(
        MISC,
        "config",
        "config",
        None,
        Arg::Optional("[string|file]"),
        "file to get/save configuration information or yaml string",
    ),
    o(
        MISC,
        "zone",
        "zone",
        Some('z'),
        req("<subdomain>"),
        "subdomain of zone to manage",
    ),
    o(
        MISC,
        "ca_cert",
        "ca-cert",
        None,
        Arg::Optional("[file]"),
        "use the given CA certificate to validate the target's SSL certificate",
    ),
    o(
        MISC,
        "skip_ssl_validation",
        "skip-ssl-validation",
        None,
        FLAG,
        "do not attempt to validate ssl certificate",
    ),
    o(
        MISC,
        "force",
        "force",
        Some('f'),
        NEG,
        "set even if target does not respond",
    ),
    o(
        MISC,
        "basic_auth",
        "basic_auth",
        None,
        NEG,
        "set if you need basic or oauth2 (url encoded) client authentication",
    ),
    // token.rb, TokenCli
    o(TOKEN, "client", "client", Some('c'), req("<name>"), ""),
    o(TOKEN, "scope", "scope", None, req("<list>"), ""),
    o(
        TOKEN,
        "secret",
        "secret",
        Some('s'),
        req("<secret>"),
        "client secret",
    ),
    o(
        TOKEN,
        "password",
        "password",
        Some('p'),
        req("<password>"),
        "user password",
    ),
    o(TOKEN, "passcode", "passcode", None, req("<passcode>"), ""),
    o(
        TOKEN,
        "port",
        "port",
        None,
        req("<number>"),
        "pin internal server to specific port",
    ),
    o(
        TOKEN,
        "cf",
        "cf",
        None,
        NEG,
        "save token in the ~/.cf_tokens file",
    ),
    o(
        TOKEN,
        "key",
        "key",
        None,
        req("<key>"),
        "Token validation key",
    ),
    o(TOKEN, "all", "all", None, NEG, "remove all contexts"),
    // user.rb, UserCli. uaac writes the description of --origin inside the switch string, so
    // its help shows it as part of the switch with no description.
    o(
        USER,
        "origin",
        "origin",
        None,
        req("<name>, select user to update by identity provider origin. Defaults to UAA"),
        "",
    ),
    o(USER, "givenName", "given_name", None, req("<name>"), ""),
    o(USER, "familyName", "family_name", None, req("<name>"), ""),
    o(USER, "emails", "emails", None, req("<addresses>"), ""),
    o(
        USER,
        "phoneNumbers",
        "phones",
        None,
        req("<phone_numbers>"),
        "",
    ),
    o(
        USER,
        "attrs",
        "attributes",
        Some('a'),
        req("<names>"),
        "output for each user",
    ),
    o(
        USER,
        "start",
        "start",
        None,
        req("<number>"),
        "start of output page",
    ),
    o(
        USER,
        "count",
        "count",
        None,
        req("<number>"),
        "max number per page",
    ),
    o(
        USER,
        "del_attrs",
        "del_attrs",
        None,
        req("<attr_names>"),
        "list of attributes to delete",
    ),
    o(
        USER,
        "old_password",
        "old_password",
        Some('o'),
        req("<password>"),
        "current password",
    ),
    // group.rb, GroupCli
    o(
        GROUP,
        "start",
        "start",
        None,
        req("<start>"),
        "show results starting at this index",
    ),
    o(
        GROUP,
        "count",
        "count",
        None,
        req("<count>"),
        "number of results to show",
    ),
    o(
        GROUP,
        "id",
        "id",
        None,
        req("<id>"),
        "map uaa group using group id",
    ),
    o(
        GROUP,
        "name",
        "name",
        None,
        req("<name>"),
        "map uaa scope using group name",
    ),
    o(
        GROUP,
        "origin",
        "origin",
        None,
        req("<origin>"),
        "map uaa scope to external group for this origin. Defaults to ldap.",
    ),
    // client_reg.rb, ClientCli: CLIENT_SCHEMA, each "--<key> <type>"
    o(CLIENT, "name", "name", None, req("<string>"), ""),
    o(CLIENT, "scope", "scope", None, req("<list>"), ""),
    o(
        CLIENT,
        "authorized_grant_types",
        "authorized_grant_types",
        None,
        req("<list>"),
        "",
    ),
    o(
        CLIENT,
        "authorities",
        "authorities",
        None,
        req("<list>"),
        "",
    ),
    o(
        CLIENT,
        "access_token_validity",
        "access_token_validity",
        None,
        req("<seconds>"),
        "",
    ),
    o(
        CLIENT,
        "refresh_token_validity",
        "refresh_token_validity",
        None,
        req("<seconds>"),
        "",
    ),
    o(
        CLIENT,
        "redirect_uri",
        "redirect_uri",
        None,
        req("<list>"),
        "",
    ),
    o(
        CLIENT,
        "autoapprove",
        "autoapprove",
        None,
        req("<list>"),
        "",
    ),
    o(
        CLIENT,
        "allowpublic",
        "allowpublic",
        None,
        req("<list>"),
        "",
    ),
    o(
        CLIENT,
        "allowedproviders",
        "allowedproviders",
        None,
        req("<list>"),
        "",
    ),
    o(
        CLIENT,
        "signup_redirect_url",
        "signup_redirect_url",
        None,
        req("<url>"),
        "",
    ),
    o(
        CLIENT,
        "required_user_groups",
        "required_user_groups",
        None,
        req("<list>"),
        "",
    ),
    o(
        CLIENT,
        "clone",
        "clone",
        None,
        req("<other>"),
        "get default settings from other",
    ),
    o(
        CLIENT,
        "interact",
        "interactive",
        Some('i'),
        NEG,
        "interactively verify all values",
    ),
    o(
        CLIENT,
        "old_secret",
        "old_secret",
        None,
        req("<secret>"),
        "current secret",
    ),
    o(
        CLIENT,
        "jwks_uri",
        "jwks_uri",
        None,
        req("<token_keys endpoint>"),
        "JWKS token key endpoint",
    ),
    o(
        CLIENT,
        "jwks",
        "jwks",
        None,
        req("<json token key set>"),
        "JWKS token key",
    ),
    o(
        CLIENT,
        "iss",
        "issuer",
        None,
        req("<Issuer>"),
        "Issuer to trust",
    ),
    o(
        CLIENT,
        "sub",
        "subject",
        None,
        req("<Subject>"),
        "Subject to trust",
    ),
    o(
        CLIENT,
        "aud",
        "audience",
        None,
        req("<Audience>"),
        "Audience to trust",
    ),
    o(
        CLIENT,
        "kid",
        "kid",
        None,
        req("<key id in json token keys>"),
        "JWKS token key",
    ),
    // curl.rb, CurlCli. Its -d (data) is registered after MiscCli's -d (debug) and replaces
    // it: in uaac, -d means --data.
    o(
        CURL,
        "request",
        "request",
        Some('X'),
        req("<method>"),
        "request method type, defaults to GET",
    ),
    o(
        CURL,
        "data",
        "data",
        Some('d'),
        req("<data>"),
        "data included in request body",
    ),
    o(
        CURL,
        "header",
        "header",
        Some('H'),
        req("<header>"),
        "header to be included in the request",
    ),
    o(
        CURL,
        "insecure",
        "insecure",
        Some('k'),
        FLAG,
        "makes request without verifying SSL certificates",
    ),
    o(
        CURL,
        "cacert",
        "cacert",
        Some('C'),
        req("<ca_file>"),
        "CA certificate to verify peer against",
    ),
    o(
        CURL,
        "bodyonly",
        "bodyonly",
        Some('b'),
        FLAG,
        "show body only in response",
    ),
    // Ours.
    x("json", "json", FLAG, "machine-readable JSON output"),
    x(
        "secret_env",
        "secret-env",
        req("<var>"),
        "client secret from environment variable <var>",
    ),
    x(
        "secret_fd",
        "secret-fd",
        req("<n>"),
        "client secret from file descriptor <n>",
    ),
    x(
        "password_env",
        "password-env",
        req("<var>"),
        "user password from environment variable <var>",
    ),
    x(
        "password_fd",
        "password-fd",
        req("<n>"),
        "user password from file descriptor <n>",
    ),
    x(
        "add_scope",
        "add_scope",
        req("<list>"),
        "add to the client's scope",
    ),
    x(
        "remove_scope",
        "remove_scope",
        req("<list>"),
        "remove from the client's scope",
    ),
    x(
        "add_authorities",
        "add_authorities",
        req("<list>"),
        "add to the client's authorities",
    ),
    x(
        "remove_authorities",
        "remove_authorities",
        req("<list>"),
        "remove from the client's authorities",
    ),
    x(
        "add_authorized_grant_types",
        "add_authorized_grant_types",
        req("<list>"),
        "add to the client's grant types",
    ),
    x(
        "remove_authorized_grant_types",
        "remove_authorized_grant_types",
        req("<list>"),
        "remove from the client's grant types",
    ),
    x(
        "add_redirect_uri",
        "add_redirect_uri",
        req("<list>"),
        "add to the client's redirect URIs",
    ),
    x(
        "remove_redirect_uri",
        "remove_redirect_uri",
        req("<list>"),
        "remove from the client's redirect URIs",
    ),
];

const fn c(
    topic: &'static str,
    parts: &'static [&'static str],
    argc: i32,
    template: &'static str,
    desc: &'static str,
    options: &'static [&'static str],
) -> CmdDef {
    CmdDef {
        topic,
        parts,
        argc,
        template,
        desc,
        options,
        extra: false,
    }
}

/// An addition of ours (`c` with `extra: true`, so help marks it).
const fn cx(
    topic: &'static str,
    parts: &'static [&'static str],
    argc: i32,
    template: &'static str,
    desc: &'static str,
    options: &'static [&'static str],
) -> CmdDef {
    CmdDef {
        extra: true,
        ..c(topic, parts, argc, template, desc, options)
    }
}

/// Every command, in uaac's matching order (topic order, then definition order).
pub static COMMANDS: &[CmdDef] = &[
    // common.rb, MiscCli
    c(MISC, &["version"], 0, "version", "Display version", &[]),
    c(
        MISC,
        &["help"],
        -1,
        "help [topic|command...]",
        "Display summary or details of command or topic",
        &[],
    ),
    c(
        MISC,
        &["target"],
        1,
        "target [uaa_url]",
        "Display current or set new target",
        &["force", "ca_cert", "skip_ssl_validation", "basic_auth"],
    ),
    c(MISC, &["targets"], 0, "targets", "Display all targets", &[]),
    c(
        MISC,
        &["context"],
        1,
        "context [name]",
        "Display or set current context",
        &[],
    ),
    c(
        MISC,
        &["contexts"],
        0,
        "contexts",
        "Display all contexts",
        &[],
    ),
    cx(
        MISC,
        &["completion"],
        1,
        "completion [bash|zsh|fish]",
        "Print a shell completion script",
        &[],
    ),
    // info.rb, InfoCli
    c(
        INFO,
        &["info"],
        0,
        "info",
        "get information about current target",
        &[],
    ),
    c(
        INFO,
        &["me"],
        0,
        "me",
        "get authenticated user information",
        &[],
    ),
    c(
        INFO,
        &["prompts"],
        0,
        "prompts",
        "Show prompts for credentials required for implicit grant post",
        &[],
    ),
    c(
        INFO,
        &["signing", "key"],
        0,
        "signing key",
        "get the UAA's token signing key(s)",
        &["client", "secret", "secret_env", "secret_fd"],
    ),
    c(
        INFO,
        &["password", "strength"],
        1,
        "password strength [password]",
        "calculate strength score of a password",
        &[],
    ),
    // token.rb, TokenCli
    c(
        TOKEN,
        &["token", "get"],
        -1,
        "token get [credentials...]",
        "Gets a token by posting user credentials with an implicit grant request",
        &["client", "scope"],
    ),
    c(
        TOKEN,
        &["token", "client", "get"],
        1,
        "token client get [id]",
        "Gets a token with client credentials grant",
        &["secret", "scope", "secret_env", "secret_fd"],
    ),
    c(
        TOKEN,
        &["token", "owner", "get"],
        2,
        "token owner get [client] [user]",
        "Gets a token with a resource owner password grant",
        &[
            "secret",
            "password",
            "scope",
            "secret_env",
            "secret_fd",
            "password_env",
            "password_fd",
        ],
    ),
    c(
        TOKEN,
        &["token", "sso", "get"],
        1,
        "token sso get [client]",
        "Gets a token based on a one time passcode after successful SSO via browser",
        &["secret", "passcode", "scope", "secret_env", "secret_fd"],
    ),
    c(
        TOKEN,
        &["token", "refresh"],
        1,
        "token refresh [refreshtoken]",
        "Gets a new access token from a refresh token",
        &["client", "secret", "scope", "secret_env", "secret_fd"],
    ),
    c(
        TOKEN,
        &["token", "authcode", "get"],
        0,
        "token authcode get",
        "Gets a token using the authcode flow with browser",
        &[
            "client",
            "secret",
            "scope",
            "cf",
            "port",
            "secret_env",
            "secret_fd",
        ],
    ),
    c(
        TOKEN,
        &["token", "implicit", "get"],
        0,
        "token implicit get",
        "Gets a token using the implicit flow with browser",
        &["client", "scope", "cf", "port"],
    ),
    c(
        TOKEN,
        &["token", "decode"],
        2,
        "token decode [token] [tokentype]",
        "Show token contents as parsed locally or by the UAA. Decodes locally unless --client \
         and --secret are given. Validates locally if --key given or server's signing key has \
         been retrieved",
        &["key", "client", "secret", "secret_env", "secret_fd"],
    ),
    c(
        TOKEN,
        &["token", "delete"],
        -1,
        "token delete [contexts...]",
        "Delete current or specified context tokens and settings",
        &["all"],
    ),
    // user.rb, UserCli
    c(
        USER,
        &["users"],
        1,
        "users [filter]",
        "List user accounts",
        &["attrs", "start", "count"],
    ),
    c(
        USER,
        &["user", "get"],
        1,
        "user get [name]",
        "Get specific user account",
        &["origin", "attrs"],
    ),
    c(
        USER,
        &["user", "add"],
        1,
        "user add [name]",
        "Add a user account",
        &[
            "origin",
            "givenName",
            "familyName",
            "emails",
            "phoneNumbers",
            "password",
            "password_env",
            "password_fd",
        ],
    ),
    c(
        USER,
        &["user", "update"],
        1,
        "user update [name]",
        "Update a user account with specified options",
        &[
            "origin",
            "givenName",
            "familyName",
            "emails",
            "phoneNumbers",
            "del_attrs",
        ],
    ),
    c(
        USER,
        &["user", "delete"],
        1,
        "user delete [name]",
        "Delete user account",
        &["origin"],
    ),
    c(
        USER,
        &["user", "ids"],
        -1,
        "user ids [username|id...]",
        "Gets user names and ids for the given users",
        &[],
    ),
    c(
        USER,
        &["user", "unlock"],
        1,
        "user unlock [name]",
        "Unlocks the user account",
        &[],
    ),
    c(
        USER,
        &["user", "deactivate"],
        1,
        "user deactivate [name]",
        "Deactivates user",
        &[],
    ),
    c(
        USER,
        &["user", "activate"],
        1,
        "user activate [name]",
        "Activates user",
        &[],
    ),
    c(
        USER,
        &["password", "set"],
        1,
        "password set [name]",
        "Set password",
        &["password", "password_env", "password_fd"],
    ),
    c(
        USER,
        &["password", "change"],
        0,
        "password change",
        "Change password for authenticated user in current context",
        &["old_password", "password", "password_env", "password_fd"],
    ),
    // group.rb, GroupCli
    c(
        GROUP,
        &["groups"],
        1,
        "groups [filter]",
        "List groups",
        &["attrs", "start", "count"],
    ),
    c(
        GROUP,
        &["group", "get"],
        1,
        "group get [name]",
        "Get specific group information",
        &["attrs"],
    ),
    c(
        GROUP,
        &["group", "add"],
        1,
        "group add [name]",
        "Adds a group",
        &[],
    ),
    c(
        GROUP,
        &["group", "delete"],
        1,
        "group delete [name]",
        "Delete group",
        &[],
    ),
    c(
        GROUP,
        &["group", "mappings"],
        0,
        "group mappings",
        "List all the mappings between uaa scopes and external groups",
        &["start", "count"],
    ),
    c(
        GROUP,
        &["group", "map"],
        1,
        "group map [external_group]",
        "Map uaa groups to external groups",
        &["id", "name", "origin"],
    ),
    c(
        GROUP,
        &["group", "unmap"],
        2,
        "group unmap [group_name] [external_group]",
        "Unmaps an external group from a uaa group",
        &["origin"],
    ),
    c(
        GROUP,
        &["member", "add"],
        -1,
        "member add [name] [users...]",
        "add members to a group",
        &[],
    ),
    c(
        GROUP,
        &["member", "delete"],
        -1,
        "member delete [name] [users...]",
        "remove members from a group",
        &[],
    ),
    // client_reg.rb, ClientCli
    c(
        CLIENT,
        &["clients"],
        1,
        "clients [filter]",
        "List client registrations",
        &["attrs", "start", "count"],
    ),
    c(
        CLIENT,
        &["client", "get"],
        1,
        "client get [id]",
        "Get specific client registration",
        &["attrs"],
    ),
    c(
        CLIENT,
        &["client", "add"],
        1,
        "client add [id]",
        "Add client registration",
        &[
            "name",
            "scope",
            "authorized_grant_types",
            "authorities",
            "access_token_validity",
            "refresh_token_validity",
            "redirect_uri",
            "autoapprove",
            "allowpublic",
            "allowedproviders",
            "signup_redirect_url",
            "required_user_groups",
            "clone",
            "secret",
            "interact",
            "secret_env",
            "secret_fd",
        ],
    ),
    c(
        CLIENT,
        &["client", "update"],
        1,
        "client update [id]",
        "Update client registration",
        &[
            "name",
            "scope",
            "authorized_grant_types",
            "authorities",
            "access_token_validity",
            "refresh_token_validity",
            "redirect_uri",
            "autoapprove",
            "allowpublic",
            "allowedproviders",
            "signup_redirect_url",
            "required_user_groups",
            "del_attrs",
            "interact",
            "add_scope",
            "remove_scope",
            "add_authorities",
            "remove_authorities",
            "add_authorized_grant_types",
            "remove_authorized_grant_types",
            "add_redirect_uri",
            "remove_redirect_uri",
        ],
    ),
    c(
        CLIENT,
        &["client", "delete"],
        1,
        "client delete [id]",
        "Delete client registration",
        &[],
    ),
    c(
        CLIENT,
        &["secret", "set"],
        1,
        "secret set [id]",
        "Set client secret",
        &["secret", "secret_env", "secret_fd"],
    ),
    c(
        CLIENT,
        &["secret", "change"],
        0,
        "secret change",
        "Change secret for authenticated client in current context",
        &["old_secret", "secret", "secret_env", "secret_fd"],
    ),
    cx(
        CLIENT,
        &["secret", "rotate"],
        1,
        "secret rotate [id]",
        "Add a new client secret (generated unless given), check it, then delete the old one",
        &["secret", "secret_env", "secret_fd"],
    ),
    c(
        CLIENT,
        &["client", "jwt", "add"],
        1,
        "client jwt add [id]",
        "Add client jwt trust",
        &["jwks_uri", "jwks", "iss", "sub", "aud"],
    ),
    c(
        CLIENT,
        &["client", "jwt", "update"],
        1,
        "client jwt update [id]",
        "Update client jwt trust",
        &["jwks_uri", "jwks", "iss", "sub", "aud"],
    ),
    c(
        CLIENT,
        &["client", "jwt", "delete"],
        1,
        "client jwt delete [id]",
        "Delete client jwt trust",
        &["kid", "jwks", "iss", "sub", "aud"],
    ),
    // curl.rb, CurlCli
    c(
        CURL,
        &["curl"],
        1,
        "curl [path]",
        "CURL to a UAA endpoint",
        &[
            "request", "data", "header", "insecure", "cacert", "bodyonly",
        ],
    ),
];

// ------------------------------------------------------------------------------------------
// Parsed options

/// An option's value, as uaac's `opts` hash holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptVal {
    /// A flag: `true`, or `false` for the `--no-` form.
    Bool(bool),
    Str(String),
    /// A repeated option (`o[k] = o[k] ? Array(o[k]).push(v) : v`); repeated flags keep their
    /// values as `"true"`/`"false"`.
    List(Vec<String>),
    /// Ruby's `nil`: an optional `[arg]` option (`--config`, `--ca-cert`) given without a value.
    /// The key is still present (uaac tests `opts.key?(:config)`).
    Nil,
}

impl OptVal {
    /// Ruby truthiness: everything but `false` and `nil`.
    fn truthy(&self) -> bool {
        !matches!(self, OptVal::Bool(false) | OptVal::Nil)
    }

    fn into_list(self) -> Vec<String> {
        match self {
            OptVal::Bool(b) => vec![b.to_string()],
            OptVal::Str(s) => vec![s],
            OptVal::List(l) => l,
            OptVal::Nil => Vec::new(),
        }
    }
}

/// The result of [`parse`]: options in the order first given, and the other words in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub opts: Vec<(String, OptVal)>,
    pub args: Vec<String>,
}

impl Parsed {
    pub fn get(&self, key: &str) -> Option<&OptVal> {
        self.opts.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether the option was given at all (uaac's `opts.key?`).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The option's string value; for a repeated option the last one given.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            OptVal::Str(s) => Some(s),
            OptVal::List(l) => l.last().map(String::as_str),
            OptVal::Bool(_) | OptVal::Nil => None,
        }
    }

    /// [`Parsed::get_str`], owned.
    pub fn str(&self, key: &str) -> Option<String> {
        self.get_str(key).map(str::to_owned)
    }

    /// Every value given (Ruby's `Array(opts[k])`), e.g. repeated `-H` headers.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.get(key)
            .cloned()
            .map(OptVal::into_list)
            .unwrap_or_default()
    }

    /// `None` if absent; otherwise the value's Ruby truthiness (`--no-x` and a valueless
    /// `[arg]` are false, anything else true).
    pub fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).map(OptVal::truthy)
    }

    /// base.rb: `o[k] = (o[k] ? Array(o[k]).push(v) : v)`.
    fn set(&mut self, key: &str, v: OptVal) {
        if let Some((_, old)) = self.opts.iter_mut().find(|(k, _)| k == key) {
            if old.truthy() {
                let mut list = std::mem::replace(old, OptVal::Nil).into_list();
                list.extend(v.into_list());
                *old = OptVal::List(list);
            } else {
                *old = v;
            }
        } else {
            self.opts.push((key.to_owned(), v));
        }
    }
}

/// How the commands read options (`commands::Opts`).
impl crate::commands::Opts for Parsed {
    fn str(&self, key: &str) -> Option<String> {
        Parsed::str(self, key)
    }

    fn all(&self, key: &str) -> Vec<String> {
        Parsed::all(self, key)
    }

    fn flag(&self, key: &str) -> Option<bool> {
        Parsed::flag(self, key)
    }

    fn has(&self, key: &str) -> bool {
        Parsed::has(self, key)
    }
}

// ------------------------------------------------------------------------------------------
// Errors

/// What uaac reports instead of running a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageError {
    /// An `OptionParser::ParseError` out of `parse!`; uaac prints `uaac error` and then
    /// `<class>: <message>`.
    Parse {
        /// e.g. `OptionParser::InvalidOption`.
        class: &'static str,
        /// e.g. `invalid option: --foo`, with did_you_mean's suggestion when it has one.
        message: String,
    },
    /// `handle_bad_command(orig, "Too many command line parameters given.")`.
    TooManyArgs { help_args: Vec<String> },
    /// `handle_bad_command(orig, "Invalid option: <key>")`.
    InvalidOption { key: String, help_args: Vec<String> },
    /// No command matched.
    SubcommandNotFound,
    /// `completion` with no or an unknown shell.
    UnknownShell(String),
}

impl fmt::Display for UsageError {
    /// The message line as uaac prints it (see [`UsageError::render`] for everything printed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageError::Parse { class, message } => write!(f, "{class}: {message}"),
            UsageError::TooManyArgs { .. } => {
                f.write_str("Too many command line parameters given.")
            }
            UsageError::InvalidOption { key, .. } => write!(f, "Invalid option: {key}"),
            UsageError::SubcommandNotFound => f.write_str("uaac: subcommand not found"),
            UsageError::UnknownShell(s) if s.is_empty() => {
                f.write_str("Name a shell: uaac completion bash|zsh|fish")
            }
            UsageError::UnknownShell(s) => {
                write!(
                    f,
                    "Unknown shell \"{s}\": use uaac completion bash|zsh|fish"
                )
            }
        }
    }
}

impl std::error::Error for UsageError {}

impl UsageError {
    /// Everything uaac prints to stdout for this error, laid out for this terminal.
    pub fn render(&self) -> String {
        self.render_with(terminal_columns())
    }

    /// As [`UsageError::render`], for a given [`terminal_columns`] value.
    pub fn render_with(&self, columns: usize) -> String {
        self.render_depth(columns, 0)
    }

    fn render_depth(&self, columns: usize, depth: usize) -> String {
        match self {
            // base.rb: `@output.puts "uaac error", "#{e.class}: #{e.message}", (e.backtrace if
            // opts[:trace])`; without --trace the last item is nil, which puts as an empty line.
            UsageError::Parse { .. } => format!("uaac error\n{self}\n\n"),
            // runner.rb handle_bad_command: `@output.puts "\n#{msg}"; run args.unshift("help")`.
            UsageError::TooManyArgs { help_args } | UsageError::InvalidOption { help_args, .. } => {
                let mut out = format!("\n{self}\n");
                let mut words = vec!["help".to_owned()];
                words.extend(help_args.iter().cloned());
                out.push_str(&run_help(&words, columns, depth + 1));
                out
            }
            UsageError::SubcommandNotFound | UsageError::UnknownShell(_) => format!("{self}\n"),
        }
    }
}

/// uaac's `run(["help", ...])` from handle_bad_command: the words are parsed again, so a word
/// that followed `--` can still be an option (or an error) the second time.
fn run_help(words: &[String], columns: usize, depth: usize) -> String {
    match parse(words).and_then(|p| dispatch(&p).map(|d| (p, d))) {
        Ok((_, (cmd, args))) if cmd.parts == ["help"] => {
            let words: Vec<String> = args.into_iter().flatten().collect();
            help(&words, columns)
        }
        Ok(_) => String::new(),
        Err(e) if depth < 4 => e.render_depth(columns, depth),
        Err(_) => String::new(),
    }
}

/// uaac's `terminal_columns`: 0 (no wrapping) unless stdout and stdin are terminals; the width
/// comes from `$COLUMNS` (80 if unset); widths under 40 count as 0.
pub fn terminal_columns() -> usize {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return 0;
    }
    let cols = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(80);
    if cols < 40 { 0 } else { cols }
}

// ------------------------------------------------------------------------------------------
// The switch tables OptionParser builds

#[derive(Debug, Clone, Copy)]
struct Switch {
    def: &'static OptDef,
    /// The `--no-` half of a `--[no-]x` switch.
    negated: bool,
}

impl Switch {
    fn same(&self, other: &Switch) -> bool {
        std::ptr::eq(self.def, other.def) && self.negated == other.negated
    }
}

/// OptionParser's stack of lists, searched in order: uaac's options, then ours.
struct Table {
    tiers: Vec<Vec<(String, Switch)>>,
    short: Vec<(char, Switch)>,
}

/// `make_switch`: long names are stored downcased with `_` turned into `-`.
fn normalize_long(long: &str) -> String {
    long.to_ascii_lowercase().replace('_', "-")
}

/// `List#update`: a later definition of the same name replaces the switch but keeps the name's
/// place in the (insertion-ordered) hash.
fn upsert<K: PartialEq>(list: &mut Vec<(K, Switch)>, k: K, sw: Switch) {
    if let Some(slot) = list.iter_mut().find(|(name, _)| *name == k) {
        slot.1 = sw;
    } else {
        list.push((k, sw));
    }
}

fn build_table(with_extras: bool) -> Table {
    let mut uaac = Vec::new();
    let mut ours = Vec::new();
    let mut short = Vec::new();
    for def in OPTIONS.iter().filter(|d| with_extras || !d.extra) {
        let tier = if def.extra { &mut ours } else { &mut uaac };
        let name = normalize_long(def.long);
        upsert(
            tier,
            name.clone(),
            Switch {
                def,
                negated: false,
            },
        );
        if def.arg == NEG {
            upsert(tier, format!("no-{name}"), Switch { def, negated: true });
        }
        if let Some(ch) = def.short {
            upsert(
                &mut short,
                ch,
                Switch {
                    def,
                    negated: false,
                },
            );
        }
    }
    Table {
        tiers: vec![uaac, ours],
        short,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    Invalid,
    Ambiguous,
}

/// OptionParser::Completion.regexp: `\A` + each run of word characters of the key followed by
/// `\w*` (so every word of a dashed name may be abbreviated: `--a-g-t`), other characters
/// literal; matched against the start of a name. A run's `\w*` can only stop where the next
/// literal (a non-word character) is, so greedy matching is exact.
fn abbrev_matches(key: &str, name: &str, icase: bool) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let eq = |a: char, b: char| {
        if icase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let key: Vec<char> = key.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut i, mut j) = (0, 0);
    while i < key.len() {
        if word(key[i]) {
            while i < key.len() && word(key[i]) {
                match name.get(j) {
                    Some(&n) if eq(key[i], n) => {}
                    _ => return false,
                }
                i += 1;
                j += 1;
            }
            while name.get(j).is_some_and(|&n| word(n)) {
                j += 1;
            }
        } else {
            match name.get(j) {
                Some(&n) if eq(key[i], n) => {}
                _ => return false,
            }
            i += 1;
            j += 1;
        }
    }
    true
}

impl Table {
    /// `OptionParser#complete`: an exact name in any list wins; otherwise each list in turn
    /// completes the abbreviation, and the first list with candidates decides. Within a list
    /// the shortest candidate wins if it is a prefix of all the others, else it is ambiguous.
    fn complete_long(&self, opt: &str, icase: bool) -> Result<Switch, Miss> {
        for tier in &self.tiers {
            if let Some((_, sw)) = tier.iter().find(|(name, _)| name == opt) {
                return Ok(*sw);
            }
        }
        for tier in &self.tiers {
            let mut cands: Vec<&(String, Switch)> = tier
                .iter()
                .filter(|(name, _)| abbrev_matches(opt, name, icase))
                .collect();
            let Some(first) = cands.first().copied() else {
                continue;
            };
            cands.sort_by_key(|(name, _)| name.chars().count());
            let (cn, sw) = cands.first().copied().unwrap_or(first);
            for (kn, v) in cands.iter().skip(1) {
                if v.same(sw) || kn.starts_with(cn.as_str()) {
                    continue;
                }
                return Err(Miss::Ambiguous);
            }
            return Ok(*sw);
        }
        Err(Miss::Invalid)
    }

    fn short(&self, c: char) -> Option<Switch> {
        self.short.iter().find(|(k, _)| *k == c).map(|(_, sw)| *sw)
    }

    /// did_you_mean's dictionary for long options: every long name, list by list.
    fn long_names(&self) -> Vec<&str> {
        self.tiers
            .iter()
            .flatten()
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The ParseError for a failed completion of `opt` given as `arg`; `message` appends
    /// `additional_message` (did_you_mean) for the key as completed.
    fn miss_error(&self, miss: Miss, arg: &str, opt: &str) -> UsageError {
        let (class, reason) = match miss {
            Miss::Invalid => ("OptionParser::InvalidOption", "invalid option"),
            Miss::Ambiguous => ("OptionParser::AmbiguousOption", "ambiguous option"),
        };
        let dictionary = self.long_names();
        let corrections = did_you_mean(opt, &dictionary);
        let mut message = format!("{reason}: {arg}");
        if !corrections.is_empty() {
            // DidYouMean::Formatter.message_for
            message.push_str("\nDid you mean?  ");
            message.push_str(&corrections.join("\n               "));
        }
        UsageError::Parse { class, message }
    }
}

fn parse_error(class: &'static str, reason: &str, arg: &str) -> UsageError {
    UsageError::Parse {
        class,
        message: format!("{reason}: {arg}"),
    }
}

fn missing(arg: &str) -> UsageError {
    parse_error("OptionParser::MissingArgument", "missing argument", arg)
}

fn needless(arg: &str) -> UsageError {
    parse_error("OptionParser::NeedlessArgument", "needless argument", arg)
}

// ------------------------------------------------------------------------------------------
// did_you_mean 1.6.1 (Ruby 3.1), as OptionParser#additional_message uses it

fn jaro(a: &[char], b: &[char]) -> f64 {
    let (s1, s2) = if a.len() > b.len() { (b, a) } else { (a, b) };
    let (l1, l2) = (s1.len(), s2.len());
    let range = (l2 / 2).saturating_sub(1);
    let mut f1 = vec![false; l1];
    let mut f2 = vec![false; l2 + range + 1];
    let mut m = 0.0_f64;
    for (i, ch) in s1.iter().enumerate() {
        let last = i + range;
        let mut j = i.saturating_sub(range);
        while j <= last {
            if !f2[j] && s2.get(j) == Some(ch) {
                f2[j] = true;
                f1[i] = true;
                m += 1.0;
                break;
            }
            j += 1;
        }
    }
    let mut t = 0.0_f64;
    let mut k = 0;
    for (i, ch) in s1.iter().enumerate() {
        if !f1[i] {
            continue;
        }
        let mut j = k;
        let mut index = k;
        k = l2;
        while j < l2 {
            index = j;
            if f2[j] {
                k = j + 1;
                break;
            }
            j += 1;
        }
        if s2.get(index) != Some(ch) {
            t += 1.0;
        }
    }
    let t = (t / 2.0).floor();
    if m == 0.0 {
        0.0
    } else {
        (m / l1 as f64 + m / l2 as f64 + (m - t) / m) / 3.0
    }
}

fn jaro_winkler(s1: &[char], s2: &[char]) -> f64 {
    let d = jaro(s1, s2);
    if d <= 0.7 {
        return d;
    }
    let mut bonus = 0.0;
    for (i, ch) in s1.iter().enumerate() {
        if s2.get(i) == Some(ch) && i < 4 {
            bonus += 1.0;
        } else {
            break;
        }
    }
    d + bonus * 0.1 * (1.0 - d)
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    if a.is_empty() {
        return b.len();
    }
    if b.is_empty() {
        return a.len();
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `DidYouMean::SpellChecker#correct`, then OptionParser's `all_candidates & corrections`
/// (dictionary order, no duplicates).
fn did_you_mean<'a>(input: &str, dictionary: &[&'a str]) -> Vec<&'a str> {
    let normalize = |s: &str| -> Vec<char> { s.to_lowercase().replace('@', "").chars().collect() };
    let ni = normalize(input);
    let threshold = if ni.len() > 3 { 0.834 } else { 0.77 };
    let mut words: Vec<&str> = dictionary
        .iter()
        .copied()
        .filter(|w| jaro_winkler(&normalize(w), &ni) >= threshold)
        .filter(|w| *w != input)
        .collect();
    let score = |w: &str| jaro_winkler(&w.chars().collect::<Vec<_>>(), &ni);
    words.sort_by(|a, b| score(a).total_cmp(&score(b)));
    words.reverse();
    let th = (ni.len() as f64 * 0.25).ceil() as usize;
    let mut corrections: Vec<&str> = words
        .iter()
        .copied()
        .filter(|c| levenshtein(&normalize(c), &ni) <= th)
        .collect();
    if corrections.is_empty() {
        corrections = words
            .iter()
            .copied()
            .filter(|w| {
                let w = normalize(w);
                levenshtein(&w, &ni) < ni.len().min(w.len())
            })
            .take(1)
            .collect();
    }
    let mut out: Vec<&str> = Vec::new();
    for w in dictionary {
        if corrections.contains(w) && !out.contains(w) {
            out.push(w);
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// parse

/// Parses a command line (without the program name) as uaac's `@parser.parse! args` does.
///
/// Options may come anywhere; `--` ends them. Long options: `--name=value`, `--name value`,
/// any abbreviation OptionParser can complete (case-insensitive, `_` = `-`), `--no-name` for
/// `--[no-]name`. Short options: `-s value`, `-svalue`, bundled flags (`-tf`), and a letter that
/// is no short option completes a long one (`-j` is `--jwks`). With `POSIXLY_CORRECT` set,
/// OptionParser stops at the first non-option word, and so does this.
pub fn parse(argv: &[String]) -> Result<Parsed, UsageError> {
    parse_in(
        argv,
        std::env::var_os("POSIXLY_CORRECT").is_none(),
        &build_table(true),
    )
}

fn parse_in(argv: &[String], permute: bool, table: &Table) -> Result<Parsed, UsageError> {
    let mut queue: VecDeque<String> = argv.iter().cloned().collect();
    let mut parsed = Parsed::default();
    let mut nonopts = Vec::new();
    while let Some(arg) = queue.pop_front() {
        if let Some(body) = arg.strip_prefix("--") {
            // /\A--([^=]*)(?:=(.*))?/m, then opt.tr!('_', '-')
            let (name, rest) = match body.split_once('=') {
                Some((n, r)) => (n, Some(r.to_owned())),
                None => (body, None),
            };
            if name.is_empty() {
                // DefaultList.long['']: the `--` terminator, a switch taking no argument.
                if rest.is_some() {
                    return Err(needless(&arg));
                }
                break;
            }
            let opt = name.replace('_', "-");
            let sw = table
                .complete_long(&opt, true)
                .map_err(|m| table.miss_error(m, &arg, &opt))?;
            let value = match sw.def.arg {
                Arg::Flag { .. } => {
                    if rest.is_some() {
                        return Err(needless(&arg));
                    }
                    OptVal::Bool(!sw.negated)
                }
                Arg::Required(_) => match rest.or_else(|| queue.pop_front()) {
                    Some(v) => OptVal::Str(v),
                    None => return Err(missing(&arg)),
                },
                Arg::Optional(_) => placed(rest, &mut queue),
            };
            parsed.set(sw.def.key, value);
        } else if arg.len() > 1 && arg.starts_with('-') {
            // /\A-(.)((=).*|.+)?/m
            let mut chars = arg.chars();
            chars.next();
            let Some(ch) = chars.next() else { continue };
            let rest: Option<String> = Some(chars.as_str().to_owned()).filter(|r| !r.is_empty());
            let mut eq = rest.as_deref().is_some_and(|r| r.starts_with('='));
            let sw = match table.short(ch) {
                Some(sw) => sw,
                None => {
                    // complete(:short) can only match the letter itself, which search already
                    // missed; OptionParser then completes the letter among the long options,
                    // case-sensitively.
                    let opt = ch.to_string();
                    let sw = table
                        .complete_long(&opt, false)
                        .map_err(|m| table.miss_error(m, &arg, &opt))?;
                    eq = eq || rest.is_none();
                    sw
                }
            };
            let value = match sw.def.arg {
                Arg::Flag { .. } => {
                    if let Some(r) = &rest {
                        if eq {
                            return Err(needless(&arg));
                        }
                        // The rest is more short options: `argv.unshift(opt.sub(/\A-*/, '-'))`.
                        let more = format!("-{}", r.trim_start_matches('-'));
                        if more != "-" {
                            queue.push_front(more);
                        }
                    }
                    OptVal::Bool(!sw.negated)
                }
                Arg::Required(_) => match rest.or_else(|| queue.pop_front()) {
                    Some(v) => OptVal::Str(v),
                    None => return Err(missing(&arg)),
                },
                Arg::Optional(_) => placed(rest, &mut queue),
            };
            parsed.set(sw.def.key, value);
        } else if permute {
            nonopts.push(arg);
        } else {
            queue.push_front(arg);
            break;
        }
    }
    // permute!: `argv[0, 0] = nonopts`.
    nonopts.extend(queue);
    parsed.args = nonopts;
    Ok(parsed)
}

/// `PlacedArgument#parse`: the attached value, else the next word unless it starts with `-`,
/// else nil.
fn placed(rest: Option<String>, queue: &mut VecDeque<String>) -> OptVal {
    if let Some(v) = rest {
        return OptVal::Str(v);
    }
    match queue.front() {
        Some(next) if !next.starts_with('-') => queue.pop_front().map_or(OptVal::Nil, OptVal::Str),
        _ => OptVal::Nil,
    }
}

// ------------------------------------------------------------------------------------------
// dispatch

/// `preprocess_options` and the command matching of `BaseCli.run`.
///
/// `--version`/`-v` replaces the words with `version`; no words, or `--help`/`-h` (unless the
/// first word is `version`), puts `help` in front. The first command (in [`COMMANDS`] order)
/// whose words begin the line is chosen; more arguments than its template has is an error,
/// fewer are `None`; then every option given must be the command's or global.
pub fn dispatch(p: &Parsed) -> Result<(&'static CmdDef, Vec<Option<String>>), UsageError> {
    let truthy = |k: &str| p.flag(k) == Some(true);
    let mut args = p.args.clone();
    if truthy("version") {
        args = vec!["version".to_owned()];
    } else if args.is_empty()
        || (truthy("help") && args.first().map(String::as_str) != Some("version"))
    {
        args.insert(0, "help".to_owned());
    }
    for cmd in COMMANDS {
        let n = cmd.parts.len();
        if args.len() < n || args[..n].iter().zip(cmd.parts).any(|(a, p)| a != p) {
            continue;
        }
        let mut rest: Vec<Option<String>> = args[n..].iter().cloned().map(Some).collect();
        if let Ok(argc) = usize::try_from(cmd.argc) {
            if rest.len() > argc {
                return Err(UsageError::TooManyArgs { help_args: args });
            }
            rest.resize(argc, None);
        }
        if let Some((key, _)) = p
            .opts
            .iter()
            .find(|(k, _)| !cmd.options.contains(&k.as_str()) && !GLOBAL.contains(&k.as_str()))
        {
            return Err(UsageError::InvalidOption {
                key: key.clone(),
                help_args: args,
            });
        }
        return Ok((cmd, rest));
    }
    Err(UsageError::SubcommandNotFound)
}

// ------------------------------------------------------------------------------------------
// help

/// The definition uaac's help shows for `key` in `topic`: the topic's own, else the last one
/// registered (`topic.option_defs[o] || @cli_class.option_defs[o]`).
fn def_for(key: &str, topic: &str) -> Option<&'static OptDef> {
    OPTIONS
        .iter()
        .find(|d| d.key == key && d.topic == topic)
        .or_else(|| last_def(key))
}

fn last_def(key: &str) -> Option<&'static OptDef> {
    OPTIONS.iter().rev().find(|d| d.key == key)
}

/// The switch as written in its definition: `--[no-]force`, `--secret <secret>`.
fn long_form(d: &OptDef) -> String {
    match d.arg {
        Arg::Flag { negatable: true } => format!("--[no-]{}", d.long),
        Arg::Flag { negatable: false } => format!("--{}", d.long),
        Arg::Required(p) | Arg::Optional(p) => format!("--{} {p}", d.long),
    }
}

fn desc_of(d: &OptDef) -> String {
    if d.extra && !d.desc.is_empty() {
        format!("{}{EXTRA_MARK}", d.desc)
    } else {
        d.desc.to_owned()
    }
}

/// `opt_help`: `-s | --secret <secret>` and the description.
fn opt_help(d: &OptDef) -> (String, String) {
    let long = long_form(d);
    let odef = match d.short {
        Some(s) => format!("-{s} | {long}"),
        None => long,
    };
    (odef, desc_of(d))
}

struct Layout {
    /// `terminal_columns`
    wrap: usize,
    /// `help_col_start`
    col: usize,
}

impl Layout {
    fn new(columns: usize) -> Layout {
        let wrap = if columns < 40 { 0 } else { columns };
        let col = if wrap == 0 || wrap > 80 { 35 } else { wrap / 2 };
        Layout { wrap, col }
    }
}

/// `say_definition(indent, term, text, start, wrap)` with a start column. Note uaac's
/// `start = 2 if start > wrap`: when output is not a terminal (wrap 0) every description goes
/// on its own line at column 2.
fn say_definition(
    out: &mut String,
    indent: usize,
    term: &str,
    text: Option<&str>,
    start: usize,
    wrap: usize,
) {
    let spaces = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
    let cur = indent + term.chars().count();
    spaces(out, indent);
    out.push_str(term);
    let start = if start > wrap { 2 } else { start };
    if cur < start {
        spaces(out, start - cur);
    } else if cur > start {
        out.push('\n');
        spaces(out, start);
    }
    let mut cur = start;
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        out.push('\n');
        return;
    };
    for line in text.split_inclusive('\n') {
        let mut width = if wrap == 0 {
            4096
        } else {
            wrap.saturating_sub(cur)
        };
        let mut line: Vec<char> = line.strip_suffix('\n').unwrap_or(line).chars().collect();
        while line.len() > width {
            // i = line.rindex(' ', width) || width
            let i = line[..=width]
                .iter()
                .rposition(|&ch| ch == ' ')
                .unwrap_or(width);
            let head: String = if i == 0 {
                line.iter().collect()
            } else {
                line[..i].iter().collect()
            };
            out.push_str(&head);
            out.push('\n');
            spaces(out, start);
            width = if wrap == 0 {
                4096
            } else {
                wrap.saturating_sub(start)
            };
            let tail: String = line[i..].iter().collect();
            line = tail
                .trim_matches(|ch: char| {
                    matches!(ch, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\0')
                })
                .chars()
                .collect();
        }
        out.extend(line);
        out.push('\n');
        cur = start;
    }
}

/// `say_cmd_helper`: the template and description, then one line per option.
fn say_cmd_helper(out: &mut String, cmd: &CmdDef, l: &Layout) {
    let desc = if cmd.extra {
        format!("{}{EXTRA_MARK}", cmd.desc)
    } else {
        cmd.desc.to_owned()
    };
    say_definition(out, 2, cmd.template, Some(&desc), l.col, l.wrap);
    for key in cmd.options {
        let Some(d) = def_for(key, cmd.topic) else {
            continue;
        };
        let (odef, desc) = opt_help(d);
        let text = if desc.is_empty() {
            odef
        } else {
            format!("{odef}, {desc}")
        };
        say_definition(out, l.col, "", Some(&text), l.col, l.wrap);
    }
}

/// `say_help(topic)`: the overview (all topics and the global options) or one topic.
fn say_help(out: &mut String, topic: Option<&str>, l: &Layout) {
    if topic.is_none() {
        out.push_str("\nUAA Command Line Interface\n");
    }
    for (title, _) in TOPICS {
        if topic.is_some_and(|t| t != *title) {
            continue;
        }
        let _ = write!(out, "\n{title}\n");
        for cmd in COMMANDS.iter().filter(|c| c.topic == *title) {
            say_cmd_helper(out, cmd, l);
        }
    }
    if topic.is_some() {
        out.push('\n');
        return;
    }
    out.push_str("\nGlobal options:\n");
    for key in GLOBAL {
        let Some(d) = last_def(key) else { continue };
        let (odef, mut desc) = opt_help(d);
        if !UAAC_GLOBAL.contains(key) && !d.extra {
            desc.push_str(EXTRA_MARK);
        }
        say_definition(
            out,
            2,
            &odef,
            Some(&desc).filter(|d| !d.is_empty()).map(String::as_str),
            l.col,
            l.wrap,
        );
    }
    out.push('\n');
}

/// `say_command_help(args)`: the first command whose words begin `args`, else the topics any
/// word names, else a complaint.
fn say_command_help(out: &mut String, args: &[String], l: &Layout) {
    out.push('\n');
    for cmd in COMMANDS {
        let n = cmd.parts.len();
        if args.len() >= n && args[..n].iter().zip(cmd.parts).all(|(a, p)| a == p) {
            say_cmd_helper(out, cmd, l);
            out.push('\n');
            return;
        }
    }
    let lower: Vec<String> = args.iter().map(|a| a.to_lowercase()).collect();
    for (title, synonyms) in TOPICS {
        if lower.iter().any(|a| synonyms.contains(&a.as_str())) {
            say_help(out, Some(title), l);
            return;
        }
    }
    let _ = writeln!(
        out,
        "No command or topic found to match: {}",
        args.join(" ")
    );
}

/// `opt_strs`: the long switches of some options, `--[no-]x` as `--x --no-x`.
fn opt_strs(keys: &[&str]) -> String {
    keys.iter()
        .filter_map(|k| last_def(k))
        .map(|d| match d.arg {
            Arg::Flag { negatable: true } => format!("--{0} --no-{0}", d.long),
            _ => format!("--{}", d.long),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Branch {
    label: String,
    sub: Vec<Branch>,
}

/// `add_command`: one branch per word, the command's options as a leaf.
fn add_command(branches: &mut Vec<Branch>, parts: &[&str], opts: &[&str]) {
    let Some((first, rest)) = parts.split_first() else {
        if !opts.is_empty() {
            branches.push(Branch {
                label: opt_strs(opts),
                sub: Vec::new(),
            });
        }
        return;
    };
    let i = match branches.iter().position(|b| b.label == *first) {
        Some(i) => i,
        None => {
            branches.push(Branch {
                label: (*first).to_owned(),
                sub: Vec::new(),
            });
            branches.len() - 1
        }
    };
    add_command(&mut branches[i].sub, rest, opts);
}

fn print_tree(out: &mut String, branches: &[Branch], indent: usize) {
    for b in branches {
        out.extend(std::iter::repeat_n('\t', indent));
        out.push_str(&b.label);
        out.push('\n');
        print_tree(out, &b.sub, indent + 1);
    }
}

/// uaac's help command: `help` alone is the overview, `help commands` the tab-indented
/// command tree (`say_commands`, read by uaac's bash completion helper), anything else a
/// command's or topic's help. `columns` is [`terminal_columns`]: 0 when not on a terminal.
pub fn help(topic_or_command: &[String], columns: usize) -> String {
    let l = Layout::new(columns);
    let mut out = String::new();
    match topic_or_command {
        [] => say_help(&mut out, None, &l),
        [only] if only == "commands" => {
            let mut tree = Vec::new();
            for cmd in COMMANDS {
                add_command(&mut tree, cmd.parts, cmd.options);
            }
            add_command(&mut tree, &[], GLOBAL);
            out.push_str("uaac\n");
            print_tree(&mut out, &tree, 1);
        }
        args => say_command_help(&mut out, args, &l),
    }
    out
}

// ------------------------------------------------------------------------------------------
// completion scripts

/// Everything the completion scripts need, derived from the tables.
struct Model {
    /// Tree nodes (space-joined words, "" = root) and their child words, in uaac's order.
    children: Vec<(String, Vec<&'static str>)>,
    /// Commands and the switches they accept (without the global ones).
    commands: Vec<(String, Vec<String>)>,
    /// Switches of the global options.
    global: Vec<String>,
    /// Spellings of the switches that take the next word as their value.
    required: Vec<String>,
    /// Spellings of the `[arg]` switches (take the next word unless it starts with `-`).
    placed: Vec<String>,
    /// Spellings of the switches whose value is a file.
    files: Vec<String>,
}

/// The switches that select `d` (its short letter only if no later definition took it).
fn forms(d: &'static OptDef) -> Vec<String> {
    let mut v = vec![format!("--{}", d.long)];
    if d.arg == NEG {
        v.push(format!("--no-{}", d.long));
    }
    if let Some(s) = d.short {
        let owner = OPTIONS.iter().rev().find(|o| o.short == Some(s));
        if owner.is_some_and(|o| std::ptr::eq(o, d)) {
            v.push(format!("-{s}"));
        }
    }
    v
}

fn model() -> Model {
    let mut children: Vec<(String, Vec<&'static str>)> = vec![(String::new(), Vec::new())];
    let mut commands = Vec::new();
    for cmd in COMMANDS {
        for (i, word) in cmd.parts.iter().enumerate() {
            let node = cmd.parts[..i].join(" ");
            let idx = match children.iter().position(|(n, _)| *n == node) {
                Some(idx) => idx,
                None => {
                    children.push((node, Vec::new()));
                    children.len() - 1
                }
            };
            if !children[idx].1.contains(word) {
                children[idx].1.push(word);
            }
        }
        let opts = cmd
            .options
            .iter()
            .filter_map(|k| last_def(k))
            .flat_map(forms)
            .collect();
        commands.push((cmd.parts.join(" "), opts));
    }
    let global = GLOBAL
        .iter()
        .filter_map(|k| last_def(k))
        .flat_map(forms)
        .collect();
    let (mut required, mut placed, mut files) = (Vec::new(), Vec::new(), Vec::new());
    // The definition OptionParser keeps for each key is the last one registered.
    let kept = OPTIONS
        .iter()
        .filter(|d| last_def(d.key).is_some_and(|l| std::ptr::eq(l, *d)));
    for d in kept {
        let mut spellings = vec![format!("--{}", d.long)];
        let alt = format!("--{}", d.long.replace('_', "-"));
        if !spellings.contains(&alt) {
            spellings.push(alt);
        }
        let alt = format!("--{}", d.long.replace('-', "_"));
        if !spellings.contains(&alt) {
            spellings.push(alt);
        }
        if matches!(d.key, "ca_cert" | "cacert" | "config") {
            files.extend(spellings.iter().cloned());
        }
        match d.arg {
            Arg::Required(_) => {
                if let Some(s) = d.short
                    && forms(d).contains(&format!("-{s}"))
                {
                    spellings.push(format!("-{s}"));
                }
                if d.key == "cacert" {
                    files.extend(spellings.iter().filter(|s| !s.starts_with("--")).cloned());
                }
                required.extend(spellings);
            }
            Arg::Optional(_) => placed.extend(spellings),
            Arg::Flag { .. } => {}
        }
    }
    Model {
        children,
        commands,
        global,
        required,
        placed,
        files,
    }
}

/// The POSIX `case` helpers shared by the bash and zsh scripts.
fn sh_helpers(m: &Model) -> String {
    let mut s = String::new();
    s.push_str("_uaac_children() {\n    case \"$1\" in\n");
    for (node, words) in &m.children {
        let _ = writeln!(s, "        \"{node}\") REPLY=\"{}\" ;;", words.join(" "));
    }
    s.push_str("        *) REPLY=\"\"; return 1 ;;\n    esac\n}\n\n");
    s.push_str("_uaac_options() {\n    case \"$1\" in\n");
    for (node, opts) in &m.commands {
        let _ = writeln!(s, "        \"{node}\") REPLY=\"{}\" ;;", opts.join(" "));
    }
    s.push_str("        *) REPLY=\"\"; return 1 ;;\n    esac\n}\n\n");
    let top = m
        .children
        .first()
        .map(|(_, w)| w.join(" "))
        .unwrap_or_default();
    s.push_str("_uaac_args() {\n    case \"$1\" in\n");
    let _ = writeln!(s, "        help) REPLY=\"{top}\" ;;");
    s.push_str("        completion) REPLY=\"bash zsh fish\" ;;\n");
    s.push_str("        *) REPLY=\"\" ;;\n    esac\n}\n\n");
    let _ = writeln!(s, "_uaac_global=\"{}\"\n", m.global.join(" "));
    s
}

/// The word walk shared by bash and zsh: `$1` is the first word index, `$2` the cursor's;
/// `W` is a function printing word N. Sets `node`, `extra`, `valueopt`.
fn sh_walk(m: &Model, word: &str) -> String {
    format!(
        r#"    node="" extra=0 valueopt="" ended=0
    while [ "$i" -lt "$cword" ]; do
        w={word_i}
        if [ "$ended" = 0 ]; then
            case "$w" in
                --) ended=1; i=$((i + 1)); continue ;;
                --*=*) i=$((i + 1)); continue ;;
                {required})
                    [ $((i + 1)) -eq "$cword" ] && valueopt=$w
                    i=$((i + 2)); continue ;;
                {placed})
                    next={word_next}
                    if [ $((i + 1)) -eq "$cword" ]; then
                        case "$cur" in -*) ;; *) valueopt=$w ;; esac
                    fi
                    case "$next" in -*) ;; *) i=$((i + 1)) ;; esac
                    i=$((i + 1)); continue ;;
                -?*) i=$((i + 1)); continue ;;
            esac
        fi
        if [ "$extra" = 0 ] && ! _uaac_options "$node" && _uaac_children "$node" && [[ " $REPLY " == *" $w "* ]]; then
            node=${{node:+$node }}$w
        else
            extra=1
        fi
        i=$((i + 1))
    done
"#,
        word_i = word.replace("IDX", "i"),
        word_next = word.replace("IDX", "i + 1"),
        required = m.required.join("|"),
        placed = m.placed.join("|"),
    )
}

fn bash_script(m: &Model) -> String {
    let mut s = String::from(
        "# bash completion for uaac, generated by `uaac completion bash`.\n\
         # Load it with: source <(uaac completion bash)\n\n",
    );
    s.push_str(&sh_helpers(m));
    s.push_str("_uaac() {\n    local cur=${COMP_WORDS[COMP_CWORD]} cword=$COMP_CWORD i=1 w next node extra valueopt ended REPLY\n");
    s.push_str("    COMPREPLY=()\n");
    s.push_str(&sh_walk(m, "${COMP_WORDS[IDX]}"));
    let _ = write!(
        s,
        r#"    if [ -n "$valueopt" ]; then
        case "$valueopt" in
            {files}) COMPREPLY=( $(compgen -f -- "$cur") ) ;;
        esac
        return 0
    fi
    if [[ $cur == -* ]]; then
        _uaac_options "$node"
        COMPREPLY=( $(compgen -W "$REPLY $_uaac_global" -- "$cur") )
    elif _uaac_options "$node"; then
        _uaac_args "$node"
        COMPREPLY=( $(compgen -W "$REPLY" -- "$cur") )
    elif [ "$extra" = 0 ]; then
        _uaac_children "$node"
        COMPREPLY=( $(compgen -W "$REPLY" -- "$cur") )
    fi
    return 0
}}

complete -F _uaac uaac
"#,
        files = m.files.join("|"),
    );
    s
}

fn zsh_script(m: &Model) -> String {
    let mut s = String::from(
        "#compdef uaac\n\
         # zsh completion for uaac, generated by `uaac completion zsh`.\n\
         # Put it in your $fpath as _uaac, or load it with: source <(uaac completion zsh)\n\n",
    );
    s.push_str(&sh_helpers(m));
    s.push_str("_uaac() {\n    local cur=${words[CURRENT]} cword=$CURRENT i=2 w next node extra valueopt ended REPLY\n");
    s.push_str(&sh_walk(m, "${words[IDX]}"));
    let _ = write!(
        s,
        r#"    if [ -n "$valueopt" ]; then
        case "$valueopt" in
            {files}) _files ;;
        esac
        return 0
    fi
    if [[ $cur == -* ]]; then
        _uaac_options "$node"
        compadd -- ${{=REPLY}} ${{=_uaac_global}}
    elif _uaac_options "$node"; then
        _uaac_args "$node"
        compadd -- ${{=REPLY}}
    elif [ "$extra" = 0 ]; then
        _uaac_children "$node"
        compadd -- ${{=REPLY}}
    fi
}}

if [ "$funcstack[1]" = "_uaac" ]; then
    _uaac "$@"
else
    compdef _uaac uaac
fi
"#,
        files = m.files.join("|"),
    );
    s
}

/// A fish single-quoted string.
fn fish_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn fish_script(m: &Model) -> String {
    let quote_all = |v: &[String]| {
        v.iter()
            .map(|s| fish_quote(s))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = String::from(
        "# fish completion for uaac, generated by `uaac completion fish`.\n\
         # Load it with: uaac completion fish | source\n\n",
    );
    s.push_str("function __uaac_children\n    switch \"$argv[1]\"\n");
    for (node, words) in &m.children {
        let _ = writeln!(
            s,
            "        case {}\n            printf '%s\\n' {}",
            fish_quote(node),
            words.join(" ")
        );
    }
    s.push_str("    end\nend\n\n");
    let cmds: Vec<String> = m.commands.iter().map(|(n, _)| n.clone()).collect();
    let _ = writeln!(
        s,
        "function __uaac_is_cmd\n    contains -- \"$argv[1]\" {}\nend\n",
        quote_all(&cmds)
    );
    let _ = write!(
        s,
        r#"# Prints ":<command words>" and whether more words follow them.
function __uaac_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l node ''
    set -l extra 0
    set -l skip 0
    set -l ended 0
    for w in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        if test $skip = 2
            set skip 0
            if not string match -q -- '-*' $w
                continue
            end
        end
        if test $ended = 0
            switch $w
                case '--'
                    set ended 1
                    continue
                case '--*=*'
                    continue
                case {required}
                    set skip 1
                    continue
                case {placed}
                    set skip 2
                    continue
                case '-?*'
                    continue
            end
        end
        if test $extra = 0; and not __uaac_is_cmd "$node"; and contains -- $w (__uaac_children "$node")
            if test -z "$node"
                set node $w
            else
                set node "$node $w"
            end
        else
            set extra 1
        end
    end
    printf '%s\n' ":$node" $extra
end

# True when the words so far are exactly the node $argv[1].
function __uaac_at
    set -l s (__uaac_state)
    test "$s[1]" = ":$argv[1]"; and test "$s[2]" = 0
end

# True when the words so far are the command $argv[1] and maybe its arguments.
function __uaac_in
    set -l s (__uaac_state)
    test "$s[1]" = ":$argv[1]"
end

complete -c uaac -f
"#,
        required = quote_all(&m.required),
        placed = quote_all(&m.placed),
    );
    for (node, words) in &m.children {
        for w in words {
            let path = if node.is_empty() {
                (*w).to_owned()
            } else {
                format!("{node} {w}")
            };
            let desc = COMMANDS
                .iter()
                .find(|c| c.parts.join(" ") == path)
                .map(|c| c.desc);
            let _ = write!(
                s,
                "complete -c uaac -n {} -a {}",
                fish_quote(&format!("__uaac_at {}", fish_quote(node))),
                fish_quote(w)
            );
            if let Some(d) = desc {
                let _ = write!(s, " -d {}", fish_quote(d));
            }
            s.push('\n');
        }
    }
    let top = m
        .children
        .first()
        .map(|(_, w)| w.join(" "))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "complete -c uaac -n {} -a {}",
        fish_quote("__uaac_in help"),
        fish_quote(&top)
    );
    let _ = writeln!(
        s,
        "complete -c uaac -n {} -a {}",
        fish_quote("__uaac_in completion"),
        fish_quote("bash zsh fish")
    );
    let fish_opt = |s: &mut String, cond: Option<String>, d: &'static OptDef| {
        for (i, long) in [d.long.to_owned(), format!("no-{}", d.long)]
            .iter()
            .enumerate()
        {
            if i == 1 && d.arg != NEG {
                continue;
            }
            s.push_str("complete -c uaac");
            if let Some(c) = &cond {
                let _ = write!(s, " -n {}", fish_quote(c));
            }
            if i == 0
                && let Some(ch) = d.short.filter(|ch| forms(d).contains(&format!("-{ch}")))
            {
                let _ = write!(s, " -s {ch}");
            }
            let _ = write!(s, " -l {long}");
            match d.arg {
                Arg::Required(_) => s.push_str(" -r"),
                Arg::Optional(_) | Arg::Flag { .. } => {}
            }
            if matches!(d.key, "ca_cert" | "cacert" | "config") {
                s.push_str(" -F");
            }
            let desc = desc_of(d);
            if !desc.is_empty() {
                let _ = write!(s, " -d {}", fish_quote(&desc));
            }
            s.push('\n');
        }
    };
    for cmd in COMMANDS {
        let cond = format!("__uaac_in {}", fish_quote(&cmd.parts.join(" ")));
        for key in cmd.options {
            if let Some(d) = last_def(key) {
                fish_opt(&mut s, Some(cond.clone()), d);
            }
        }
    }
    for key in GLOBAL {
        if let Some(d) = last_def(key) {
            fish_opt(&mut s, None, d);
        }
    }
    s
}

/// A completion script for `bash`, `zsh` or `fish`, generated from [`COMMANDS`] and
/// [`OPTIONS`]: command words as multi-word prefixes, then the options of the command reached.
pub fn completion(shell: &str) -> Result<String, UsageError> {
    let m = model();
    match shell {
        "bash" => Ok(bash_script(&m)),
        "zsh" => Ok(zsh_script(&m)),
        "fish" => Ok(fish_script(&m)),
        other => Err(UsageError::UnknownShell(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn p(line: &str) -> Parsed {
        match parse(&argv(line)) {
            Ok(p) => p,
            Err(e) => panic!("{line}: {e}"),
        }
    }

    fn err(line: &str) -> String {
        match parse(&argv(line)) {
            Ok(p) => panic!("{line} parsed: {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn run(line: &str) -> Result<(&'static CmdDef, Vec<Option<String>>), UsageError> {
        dispatch(&p(line))
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn a_long_option_may_be_abbreviated_to_any_unambiguous_prefix() {
        let parsed = p("client update c --authorized_grant_type client_credentials,x --sec s3");
        assert_eq!(
            parsed.get_str("authorized_grant_types"),
            Some("client_credentials,x")
        );
        assert_eq!(parsed.get_str("secret"), Some("s3"));
        assert_eq!(parsed.args, argv("client update c"));
        // Ruby completes each dash-separated word, case-insensitively, with _ equal to -.
        assert_eq!(p("--a-g-t x").get_str("authorized_grant_types"), Some("x"));
        assert_eq!(p("--SKIP x").flag("skip_ssl_validation"), Some(true));
        assert_eq!(p("--given-name Al").get_str("givenName"), Some("Al"));
    }

    #[test]
    fn an_exact_name_beats_a_longer_name_it_prefixes() {
        assert_eq!(p("--jwks k").get_str("jwks"), Some("k"));
        assert!(!p("--jwks k").has("jwks_uri"));
        // OptionParser also lets the shortest candidate win when it prefixes all the others.
        assert_eq!(p("--jw k").get_str("jwks"), Some("k"));
        assert_eq!(p("--jwks_u u").get_str("jwks_uri"), Some("u"));
    }

    #[test]
    fn an_ambiguous_prefix_is_an_error_worded_as_ruby_words_it() {
        assert_eq!(
            err("--a"),
            "OptionParser::AmbiguousOption: ambiguous option: --a"
        );
        assert_eq!(
            err("--pass x"),
            "OptionParser::AmbiguousOption: ambiguous option: --pass"
        );
        assert_eq!(
            parse(&argv("--a")).err().map(|e| e.render_with(0)),
            Some("uaac error\nOptionParser::AmbiguousOption: ambiguous option: --a\n\n".to_owned())
        );
    }

    #[test]
    fn unknown_and_incomplete_options_are_errors_worded_as_ruby_words_them() {
        assert_eq!(
            err("--foo"),
            "OptionParser::InvalidOption: invalid option: --foo"
        );
        assert_eq!(
            err("--foo=bar"),
            "OptionParser::InvalidOption: invalid option: --foo=bar"
        );
        assert_eq!(
            err("token client get --secret"),
            "OptionParser::MissingArgument: missing argument: --secret"
        );
        assert_eq!(
            err("-s"),
            "OptionParser::MissingArgument: missing argument: -s"
        );
        assert_eq!(
            err("--force=yes"),
            "OptionParser::NeedlessArgument: needless argument: --force=yes"
        );
        assert_eq!(
            err("-t=1"),
            "OptionParser::NeedlessArgument: needless argument: -t=1"
        );
        assert_eq!(err("-u"), "OptionParser::InvalidOption: invalid option: -u");
        // did_you_mean's suggestion, as Ruby 3.1 appends it.
        assert_eq!(
            err("--secrte x"),
            "OptionParser::InvalidOption: invalid option: --secrte\nDid you mean?  secret"
        );
    }

    #[test]
    fn no_prefix_negates_a_negatable_flag() {
        assert_eq!(
            p("target x --no-force").get("force"),
            Some(&OptVal::Bool(false))
        );
        assert_eq!(p("target x --force").flag("force"), Some(true));
        assert_eq!(p("target x -f").flag("force"), Some(true));
        assert_eq!(p("target x --no-f").flag("force"), Some(false));
        assert_eq!(
            p("target x --no-basic-auth").flag("basic_auth"),
            Some(false)
        );
        assert_eq!(
            err("--no-secret"),
            "OptionParser::InvalidOption: invalid option: --no-secret\nDid you mean?  secret\n               old-secret"
        );
    }

    #[test]
    fn a_short_option_takes_the_next_word_or_the_rest_of_its_own() {
        for line in [
            "token client get c -s secret",
            "token client get c -ssecret",
            "token client get c --secret=secret",
        ] {
            assert_eq!(p(line).get_str("secret"), Some("secret"), "{line}");
        }
        // Ruby keeps the '=' of -s=x as part of the value.
        assert_eq!(p("-s=x").get_str("secret"), Some("=x"));
        // A required argument is taken whatever it looks like.
        assert_eq!(p("-s -x").get_str("secret"), Some("-x"));
        // Bundled flags.
        let parsed = p("target x -tf");
        assert_eq!(
            (parsed.flag("trace"), parsed.flag("force")),
            (Some(true), Some(true))
        );
        // A letter that is no short option completes a long one.
        assert_eq!(p("-j k").get_str("jwks"), Some("k"));
        // curl's -d (data) replaced MiscCli's -d (debug) in uaac.
        assert_eq!(p("curl /x -d body").get_str("data"), Some("body"));
    }

    #[test]
    fn options_may_come_before_between_and_after_the_command_words() {
        for line in [
            "-s x token client get admin",
            "token -s x client get admin",
            "token client get -s x admin",
            "token client get admin -s x",
        ] {
            let parsed = p(line);
            assert_eq!(parsed.args, argv("token client get admin"), "{line}");
            assert_eq!(parsed.get_str("secret"), Some("x"), "{line}");
        }
        // `--` ends the options.
        let parsed = p("token client get -- -s");
        assert_eq!(parsed.args, argv("token client get -s"));
        assert!(parsed.opts.is_empty());
    }

    #[test]
    fn an_optional_argument_takes_the_next_word_only_if_it_is_no_option() {
        assert_eq!(
            p("target --ca-cert ca.pem url").get_str("ca_cert"),
            Some("ca.pem")
        );
        let parsed = p("target --force foo.bar --config");
        assert_eq!(parsed.get("config"), Some(&OptVal::Nil));
        assert!(parsed.has("config"));
        assert_eq!(parsed.args, argv("target foo.bar"));
        assert_eq!(
            p("target --ca-cert --force").get("ca_cert"),
            Some(&OptVal::Nil)
        );
    }

    #[test]
    fn a_repeated_option_accumulates_into_a_list() {
        let parsed = p("curl /x -H a:1 -H b:2 --header c:3");
        assert_eq!(
            parsed.get("header"),
            Some(&OptVal::List(argv("a:1 b:2 c:3")))
        );
        assert_eq!(parsed.all("header"), argv("a:1 b:2 c:3"));
        assert_eq!(parsed.get_str("header"), Some("c:3"));
        // A false flag is replaced, as `o[k] ? ... : v` does.
        assert_eq!(
            p("--no-trace --trace").get("trace"),
            Some(&OptVal::Bool(true))
        );
        assert_eq!(p("-t -t").flag("trace"), Some(true));
        // The first occurrence fixes the order.
        let parsed = p("-s a -c b -s d");
        assert_eq!(
            parsed
                .opts
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>(),
            ["secret", "client"]
        );
    }

    #[test]
    fn an_option_the_command_does_not_take_is_invalid() {
        let e = run("context -s x").err();
        assert_eq!(
            e.as_ref().map(ToString::to_string),
            Some("Invalid option: secret".to_owned())
        );
        let out = e.map(|e| e.render_with(0)).unwrap_or_default();
        assert_eq!(
            out,
            "\nInvalid option: secret\n\n  context [name]\n  Display or set current context\n\n"
        );
        // Global options are accepted everywhere, ours included.
        assert!(run("context --trace --json --skip-ssl-validation").is_ok());
    }

    #[test]
    fn more_arguments_than_the_template_has_is_an_error() {
        let e = run("context a b").err();
        assert_eq!(
            e.as_ref().map(ToString::to_string),
            Some("Too many command line parameters given.".to_owned())
        );
        assert_eq!(
            e.map(|e| e.render_with(100)).unwrap_or_default(),
            "\nToo many command line parameters given.\n\n  context [name]                   Display or set current context\n\n"
        );
        assert!(matches!(
            run("version x"),
            Err(UsageError::TooManyArgs { .. })
        ));
        assert!(matches!(
            run("frobnicate"),
            Err(UsageError::SubcommandNotFound)
        ));
    }

    #[test]
    fn dispatch_finds_token_client_get() {
        let (cmd, args) = run("token client get admin -s x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["token", "client", "get"]);
        assert_eq!(args, vec![s("admin")]);
        let (cmd, args) = run("token client get").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["token", "client", "get"]);
        assert_eq!(args, vec![None]);
    }

    #[test]
    fn dispatch_finds_client_update_with_abbreviated_options() {
        let line = "client update c --authorities a,b --authorized_grant_type client_credentials";
        let parsed = p(line);
        let (cmd, args) = dispatch(&parsed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["client", "update"]);
        assert_eq!(args, vec![s("c")]);
        assert_eq!(parsed.get_str("authorities"), Some("a,b"));
        assert_eq!(
            parsed.get_str("authorized_grant_types"),
            Some("client_credentials")
        );
    }

    #[test]
    fn dispatch_finds_secret_change_and_secret_set() {
        let parsed = p("secret change --old_secret a -s b");
        let (cmd, args) = dispatch(&parsed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cmd.parts, args.len()), (&["secret", "change"][..], 0));
        assert_eq!(
            (parsed.get_str("old_secret"), parsed.get_str("secret")),
            (Some("a"), Some("b"))
        );
        let (cmd, args) = run("secret set c -s x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["secret", "set"]);
        assert_eq!(args, vec![s("c")]);
    }

    #[test]
    fn dispatch_sends_no_words_and_help_flags_to_help_and_v_to_version() {
        let (cmd, args) = run("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cmd.parts, args), (&["help"][..], vec![]));
        let (cmd, args) = run("help").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cmd.parts, args), (&["help"][..], vec![]));
        let (cmd, args) = run("targets -h").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cmd.parts, args), (&["help"][..], vec![s("targets")]));
        let (cmd, _) = run("-v").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["version"]);
        let (cmd, _) = run("token client get x --version").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["version"]);
        let (cmd, _) = run("version -h").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["version"]);
    }

    #[test]
    fn our_additions_are_accepted_where_they_belong() {
        let (cmd, _) = run("secret rotate c --secret-env NEW").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.parts, ["secret", "rotate"]);
        let parsed = p("client update c --add_scope a,b --remove-redirect-uri http://x --json");
        assert!(dispatch(&parsed).is_ok());
        assert_eq!(parsed.get_str("add_scope"), Some("a,b"));
        assert_eq!(parsed.get_str("remove_redirect_uri"), Some("http://x"));
        assert_eq!(parsed.flag("json"), Some(true));
        assert_eq!(p("--js").flag("json"), Some(true));
        assert_eq!(p("--password-f 3").get_str("password_fd"), Some("3"));
        let (cmd, args) = run("completion zsh").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cmd.parts, args), (&["completion"][..], vec![s("zsh")]));
        assert!(matches!(
            run("client add c --add_scope x"),
            Err(UsageError::InvalidOption { .. })
        ));
    }

    /// How `input` resolves as a long option: the switch it selects or why not.
    fn resolve(t: &Table, input: &str) -> Result<(&'static str, bool), Miss> {
        t.complete_long(&input.replace('_', "-"), true)
            .map(|sw| (sw.def.key, sw.negated))
    }

    #[test]
    fn every_shortest_uaac_abbreviation_still_selects_the_same_option() {
        let uaac = build_table(false);
        let all = build_table(true);
        for (name, sw) in uaac.tiers.iter().flatten() {
            let prefixes: Vec<&str> = (1..=name.len()).map(|n| &name[..n]).collect();
            let Some(shortest) = prefixes
                .iter()
                .find(|p| resolve(&uaac, p).is_ok_and(|r| r == (sw.def.key, sw.negated)))
            else {
                panic!("{name} cannot be reached");
            };
            assert_eq!(
                resolve(&all, shortest),
                Ok((sw.def.key, sw.negated)),
                "--{shortest}"
            );
        }
    }

    #[test]
    fn every_uaac_abbreviation_and_short_letter_means_what_it_meant_in_uaac() {
        let uaac = build_table(false);
        let all = build_table(true);
        for (name, _) in uaac.tiers.iter().flatten() {
            for n in 1..=name.len() {
                let prefix = &name[..n];
                assert_eq!(resolve(&uaac, prefix), resolve(&all, prefix), "--{prefix}");
            }
        }
        for ch in ('a'..='z').chain('A'..='Z') {
            let letter = ch.to_string();
            let old = uaac.short(ch).map(|sw| sw.def.key).ok_or(()).or_else(|()| {
                uaac.complete_long(&letter, false)
                    .map(|sw| sw.def.key)
                    .map_err(|_| ())
            });
            let new = all.short(ch).map(|sw| sw.def.key).ok_or(()).or_else(|()| {
                all.complete_long(&letter, false)
                    .map(|sw| sw.def.key)
                    .map_err(|_| ())
            });
            if old.is_ok() {
                assert_eq!(old, new, "-{ch}");
            }
        }
    }

    #[test]
    fn the_tables_agree_with_uaacs_template_rules() {
        for cmd in COMMANDS {
            // Topic.desc: words up to the first "[..]"; argc counts the rest, -1 if "...]".
            let words: Vec<&str> = cmd.template.split(' ').collect();
            let n = words
                .iter()
                .position(|w| w.starts_with('['))
                .unwrap_or(words.len());
            let argc = if n == words.len() {
                0
            } else if words.last().is_some_and(|w| w.ends_with("...]")) {
                -1
            } else {
                i32::try_from(words.len() - n).unwrap_or(i32::MAX)
            };
            assert_eq!(cmd.parts, &words[..n], "{}", cmd.template);
            assert_eq!(cmd.argc, argc, "{}", cmd.template);
            for key in cmd.options {
                assert!(
                    def_for(key, cmd.topic).is_some(),
                    "{key} of {}",
                    cmd.template
                );
            }
            assert!(TOPICS.iter().any(|(t, _)| *t == cmd.topic));
        }
        for key in GLOBAL {
            assert!(last_def(key).is_some(), "{key}");
        }
        assert_eq!(COMMANDS.iter().filter(|c| !c.extra).count(), 51);
    }

    #[test]
    fn help_for_secret_change_has_uaacs_layout() {
        let words = argv("secret change");
        let wide = help(&words, 120);
        assert_eq!(
            wide,
            [
                "",
                "  secret change                    Change secret for authenticated client in current context",
                "                                   --old_secret <secret>, current secret",
                "                                   -s | --secret <secret>, client secret",
                "                                   --secret-env <var>, client secret from environment variable <var> (extension)",
                "                                   --secret-fd <n>, client secret from file descriptor <n> (extension)",
                "",
                "",
            ]
            .join("\n")
        );
        // Not on a terminal, uaac's `start = 2 if start > wrap` puts every text at column 2.
        let piped = help(&words, 0);
        let blank = " ".repeat(35);
        assert_eq!(
            piped,
            format!(
                "\n  secret change\n  Change secret for authenticated client in current context\n\
                 {blank}\n  --old_secret <secret>, current secret\n\
                 {blank}\n  -s | --secret <secret>, client secret\n\
                 {blank}\n  --secret-env <var>, client secret from environment variable <var> (extension)\n\
                 {blank}\n  --secret-fd <n>, client secret from file descriptor <n> (extension)\n\n"
            )
        );
        // On a terminal of 80 columns or fewer the column is half the width and text wraps.
        let narrow = help(&argv("token decode"), 60);
        assert!(narrow.starts_with(
            "\n  token decode [token] [tokentype]\n                              Show token contents as parsed\n"
        ));
    }

    #[test]
    fn help_finds_topics_by_synonym_and_complains_otherwise() {
        let user = help(&argv("user"), 120);
        assert!(user.starts_with("\n\nUser Accounts\n  users [filter]"));
        assert!(user.contains(
            "--origin <name>, select user to update by identity provider origin. Defaults to UAA\n"
        ));
        let group = help(&argv("group"), 120);
        assert!(group.contains("--origin <origin>, map uaa scope to external group for this origin. Defaults to ldap.\n"));
        assert_eq!(
            help(&argv("secret"), 120),
            "\nNo command or topic found to match: secret\n"
        );
        let all = help(&[], 120);
        assert!(all.starts_with("\nUAA Command Line Interface\n\nMiscellaneous\n  version"));
        assert!(all.contains(
            "\nGlobal options:\n  -h | --[no-]help                 display helpful information\n"
        ));
        assert!(all.ends_with("(extension)\n\n"));
    }

    #[test]
    fn help_commands_prints_uaacs_completion_tree() {
        let tree = help(&argv("commands"), 0);
        assert!(tree.starts_with("uaac\n\tversion\n\thelp\n\ttarget\n\t\t--force --no-force --ca-cert --skip-ssl-validation --basic_auth --no-basic_auth\n"));
        assert!(tree.contains("\ttoken\n\t\tget\n\t\t\t--client --scope\n\t\tclient\n\t\t\tget\n"));
        assert!(tree.contains("\n\t--help --no-help --version --no-version --debug --no-debug --trace --no-trace --config --zone --json"));
    }

    #[test]
    fn completion_scripts_cover_commands_and_options() {
        for shell in ["bash", "zsh", "fish"] {
            let script = completion(shell).unwrap_or_default();
            assert!(script.contains("token client"), "{shell}");
            assert!(script.contains("--authorized_grant_types"), "{shell}");
            assert!(script.contains("secret-env"), "{shell}");
        }
        assert!(matches!(
            completion("tcsh"),
            Err(UsageError::UnknownShell(_))
        ));
    }

    /// Runs the bash script's `_uaac` for a command line ending at the cursor.
    fn bash_complete(line: &str) -> Option<Vec<String>> {
        let script = completion("bash").ok()?;
        let mut words: Vec<String> = line.split(' ').map(str::to_owned).collect();
        if words.is_empty() {
            words.push(String::new());
        }
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "{script}\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_uaac\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            quoted.join(" "),
            words.len() - 1
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .ok()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    #[test]
    fn the_bash_script_completes_words_and_options() {
        let Some(top) = bash_complete("uaac to") else {
            return;
        };
        assert_eq!(top, ["token"]);
        assert_eq!(
            bash_complete("uaac token cl").unwrap_or_default(),
            ["client"]
        );
        assert_eq!(
            bash_complete("uaac -s x token client ").unwrap_or_default(),
            ["get"]
        );
        assert_eq!(
            bash_complete("uaac token client get admin --sec").unwrap_or_default(),
            ["--secret", "--secret-env", "--secret-fd"]
        );
        assert_eq!(
            bash_complete("uaac completion ").unwrap_or_default(),
            ["bash", "zsh", "fish"]
        );
        assert!(
            bash_complete("uaac client get x ")
                .unwrap_or_default()
                .is_empty()
        );
    }
}
