# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


def _provider(name, title, scopes, extra=""):
    """The options of one provider: ``scopes`` are the always-requested scopes (with their verb)."""
    return (
        "  %s:\n"
        "    description: %s\n"
        "    type: dict\n"
        "    suboptions:\n"
        "      authorize_scopes:\n"
        "        description: Scopes to request. %s always requested.\n"
        "        type: list\n"
        "        elements: str\n" % (name, title, scopes)
    ) + extra


# The options of one provider's key in options (<o> is the prefix of an option in a reference).
_PROVIDERS = (
    _provider("google", "Options for Google.", "V(openid), V(email) and V(profile) are")
    + _provider("github", "Options for GitHub.", "V(read:user) and V(user:email) are")
    + _provider("bitbucket", "Options for Bitbucket.", "V(account) is")
    + _provider("gitlab", "Options for GitLab.", "V(read_user) is")
    + _provider("facebook", "Options for Facebook.", "V(email) and V(public_profile) are")
    + _provider("line", "Options for LINE.", "V(openid), V(email) and V(profile) are")
    + _provider("azuread", "Options for Azure AD (Microsoft Entra ID).",
                "V(openid), V(email), V(profile) and V(User.Read) are", r"""
      tenant:
        description:
          - The tenant ID (a GUID), the tenant domain, or one of V(common), V(organizations) or V(consumers).
          - SlashID's default is V(common).
        type: str
""".lstrip("\n"))
    + _provider("okta", "Options for Okta.", "V(openid), V(email) and V(profile) are", r"""
      organization_url:
        description: The Okta organization URL. SlashID's default is empty.
        type: str
""".lstrip("\n"))
    + r"""
  apple:
    description:
      - Options for Sign in with Apple. Required to create an apple credential.
      - SlashID takes these options only as a whole, so O(<o>options.apple.private_key),
        O(<o>options.apple.team_id) and O(<o>options.apple.key_id) are required whenever O(<o>options.apple) is set.
    type: dict
    suboptions:
      authorize_scopes:
        description: Scopes to request. V(openid), V(email) and V(name) are always requested.
        type: list
        elements: str
      private_key:
        description:
          - The ES256 private key from the Apple developer account, in PKCS8 PEM form.
          - A secret. It is compared only when SlashID shows it back; otherwise O(update_secret) decides
            when it is sent (it is also sent whenever another apple option changes).
        type: str
      team_id:
        description: The 10-character Team ID of the Apple developer account (the issuer of the client secret JWTs).
        type: str
      key_id:
        description: The 10-character identifier of the private key.
        type: str
      secret_lifetime:
        description:
          - Lifetime of each client secret SlashID generates, as a Go duration such as V(720h) or V(24h),
            between 5 minutes and 15,777,000 seconds (about 6 months).
          - SlashID's default is 30 days (V(720h)). Values are compared as durations, so V(720h0m0s) equals
            V(720h) and V(90m) equals V(1h30m). Go durations have no day unit.
        type: str
""".lstrip("\n")
)

# The options of one credential (<o> is the prefix of a credential option in a reference: config[]. in the set
# module; O(update_secret) is a task option in both modules).
_CREDENTIAL_OPTIONS = r"""
client_id:
  description:
    - The OAuth client ID issued by the identity provider. It identifies the credential and cannot be changed.
  type: str
  required: true
client_secret:
  description:
    - The OAuth client secret issued by the identity provider.
    - Required to create the credential (and to create it again when O(<o>provider) changes).
    - SlashID never returns it, so it cannot be compared; O(update_secret) decides when it is sent.
  type: str
provider:
  description:
    - The identity provider. Required to create the credential.
    - A different provider on an existing credential needs O(<o>recreate=true).
  type: str
  choices: [google, github, bitbucket, gitlab, facebook, line, azuread, okta, apple]
label:
  description:
    - A label for the credential. V("") removes it.
  type: str
external_cred_id:
  description:
    - The ID of an external credential stored in SlashID (C(/organizations/config/external-credentials)).
  type: str
enable_in_slashid_oidc_authz_server:
  description:
    - Whether the credential may be used for SSO when SlashID itself is the OIDC authorization server.
    - SlashID's default is V(false).
  type: bool
options:
  description:
    - Options of the provider. Set only the key of the credential's provider.
    - Options left out keep SlashID's values, which default to the API defaults given below, so a task without
      O(<o>options) is idempotent.
    - The default scopes of each provider are always requested, whether listed or not, so they are compared as
      part of every scope list; the order of scopes does not matter.
  type: dict
  suboptions:
""".lstrip("\n") + "".join("  " + line if line else line for line in _PROVIDERS.splitlines(True)) + r"""
recreate:
  description:
    - Allow the delete and create that a change of O(<o>provider) needs.
    - With V(false) a provider change fails with a clear message and changes nothing.
  type: bool
  default: false
""".lstrip("\n")


def _credential_options(prefix, indent):
    """The credential options with references prefixed by ``prefix``, each line indented by ``indent``."""
    text = _CREDENTIAL_OPTIONS.replace("<o>", prefix)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(True))


class ModuleDocFragment(object):
    # Connection options of every SlashID module (validate_certs, ca_path and timeout are in
    # sso.oidc.connection), the action group, notes.
    DOCUMENTATION = r"""
options:
  org_id:
    description:
      - The SlashID organization ID, sent as the C(SlashID-OrgID) header with every request.
      - If not set, the value of the E(SLASHID_ORG_ID) environment variable is used. One of the two is required.
    type: str
  api_key:
    description:
      - The organization's API key, sent as the C(SlashID-API-Key) header with every request.
      - SlashID authenticates every call with this key; there is no login and no token, so there is no session
        to reuse between tasks.
      - If not set, the value of the E(SLASHID_API_KEY) environment variable is used. One of the two is required.
    type: str
  api_url:
    description:
      - Base URL of the SlashID API, without a path.
      - V(https://api.slashid.com) is production, V(https://api.sandbox.slashid.com) the sandbox.
      - A URL with a user name or password in it (C(https://user:password@host)) is refused before any request,
        because this option is not secret and Ansible would show it; give the credentials in O(org_id) and O(api_key).
      - If not set, the value of the E(SLASHID_API_URL) environment variable is used, and then the default.
    type: str
    default: https://api.slashid.com
  consistency:
    description:
      - The consistency level that writes (create, update, delete) wait for, sent as the
        C(SlashID-Required-Consistency) header.
      - V(local_region) waits until the write is done in the local region, V(all_regions) until it is done in
        every region. When not set, no header is sent and SlashID uses V(local_region).
      - When SlashID cannot reach the level within O(consistency_timeout) it answers HTTP 408, and the write may
        still be applied later. The module then reads the credential back and reports what really happened.
    type: str
    choices: [local_region, all_regions]
  consistency_timeout:
    description:
      - Seconds (1 to 120) that a write waits for O(consistency), sent as the
        C(SlashID-Required-Consistency-Timeout) header. When not set, SlashID waits 30 seconds.
    type: int
notes:
  - The API key needs the C(admin) role of the organization to create, change or delete credentials;
    reading them also works with C(member).
  - Rate limiting (HTTP 429, honouring C(Retry-After)) and HTTP 503 are retried with backoff.
  - If O(ca_path) is not set, the value of the E(SLASHID_CA_PATH) environment variable is used.
attributes:
  action_group:
    description: Use C(group/sso.oidc.slashid) or C(group/sso.oidc.all) in C(module_defaults) to set the connection
      options once.
    support: full
    membership:
      - sso.oidc.slashid
      - sso.oidc.all
"""

    # CREDENTIAL and CREDENTIALS are set below the class: ansible-test's yamllint reads every assignment in the
    # class body as a string literal, and these two are built from _CREDENTIAL_OPTIONS.


# One credential: slashid_sso_cred's options, written once in _CREDENTIAL_OPTIONS.
ModuleDocFragment.CREDENTIAL = "options:\n" + _credential_options("", "  ")

# slashid_sso_creds: the same options indented under config.suboptions (the module documents config itself).
ModuleDocFragment.CREDENTIALS = "options:\n  config:\n    suboptions:\n" + _credential_options("config[].", "      ")
