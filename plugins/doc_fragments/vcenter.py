# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


# The options of one identity provider. <o> is the prefix of a provider option in a reference (config[]. in the set
# module), <write_state> the states that create and update.
_PROVIDER_OPTIONS = r"""
  name:
    description:
      - The friendly name of the provider, which identifies it for this module.
      - Required unless O(<o>provider_id) is given. With both, O(<o>provider_id) finds the provider and O(<o>name) renames it.
    type: str
  provider_id:
    description:
      - The id vCenter gave the provider (see M(sso.oidc.vcenter_identity_provider_info)).
      - Use it when several providers share a O(<o>name), or to rename a provider.
      - An id that does not exist fails with <write_state>, because vCenter assigns ids; they cannot be chosen.
    type: str
  config_tag:
    description:
      - The kind of provider, V(oidc) (OpenID Connect, configured from a discovery document) or V(oauth2)
        (OAuth2 endpoints given one by one). Sent to vCenter as C(Oidc) or C(Oauth2).
      - Defaults to V(oidc), or to V(oauth2) when O(<o>oauth2) is given. Left out on an update, the provider keeps
        its kind.
      - Changing the kind of an existing provider needs it to be deleted and created again (a new id);
        that happens only with O(<o>recreate=true).
    type: str
    choices: [oidc, oauth2]
  oidc:
    description:
      - The OpenID Connect settings, for O(<o>config_tag=oidc). Required to create an OIDC provider.
      - vCenter fills the endpoints, the issuer and the keys from the discovery document.
      - Mutually exclusive with O(<o>oauth2).
    type: dict
    suboptions:
      discovery_endpoint:
        description:
          - The full URL of the discovery document, for example
            V(https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration).
          - vCenter must be able to reach it.
        type: str
        required: true
<client_oidc>      claim_map:
        description:
          - Maps claims of the tokens to vCenter groups. vCenter supports the key V(perms), whose value maps
            each external group to a list of vCenter groups, for example
            V(perms) mapped to V(ExternalAdmins) mapped to the list C(vsphere.local\Administrators) (see the examples).
          - Group lists are compared as sets. Sent as an empty map on create when not set.
        type: dict
  oauth2:
    description:
      - The OAuth2 settings, for O(<o>config_tag=oauth2). Required to create an OAuth2 provider.
      - Mutually exclusive with O(<o>oidc).
    type: dict
    suboptions:
      auth_endpoint:
        description: The authorization endpoint of the provider.
        type: str
        required: true
      token_endpoint:
        description: The token endpoint of the provider.
        type: str
        required: true
      public_key_uri:
        description: The URL of the provider's public keys (JWKS) that sign its tokens.
        type: str
        required: true
<client_oauth2>      claim_map:
        description:
          - Maps claims of the tokens to vCenter groups, as O(<o>oidc.claim_map).
        type: dict
      issuer:
        description: The issuer of the provider's tokens.
        type: str
        required: true
      authentication_method:
        description: How vCenter authenticates at the token endpoint.
        type: str
        required: true
        choices: [CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, CLIENT_SECRET_JWT, PRIVATE_KEY_JWT]
      auth_query_params:
        description:
          - Query parameters added to the authorization request of this OAuth2 spec, as O(<o>auth_query_params).
        type: dict
  is_default:
    description:
      - V(true) makes this the default provider (vCenter then clears the flag on the others).
      - vCenter makes the first provider the default whatever this says, and has no call to clear the flag;
        V(false) on the default provider changes nothing and warns; make another provider the default instead.
    type: bool
  domain_names:
    description:
      - The domains vCenter trusts for users and groups of this provider, for example V(corp.example.com).
      - An empty list lets vCenter take the domain from each user's principal name.
      - Compared as a set, without regard to case.
    type: list
    elements: str
  auth_query_params:
    description:
      - Query parameters vCenter adds to the authorization request, each name mapped to a list of values
        (one value may be given as a string; an empty list adds the name without a value), for example
        V(prompt) mapped to V([login]) and V(domain_hint) mapped to V([corp.example.com]).
      - Values are compared without regard to their order.
    type: dict
  idm_protocol:
    description:
      - How vCenter reads users and groups of the provider, V(REST), V(SCIM), V(SCIM2_0) (with O(<o>idm_endpoints)),
        or V(LDAP) (with O(<o>active_directory_over_ldap)).
      - vCenter cannot clear it once set.
    type: str
    choices: [REST, SCIM, SCIM2_0, LDAP]
  idm_endpoints:
    description:
      - The identity management endpoints for O(<o>idm_protocol) V(REST), V(SCIM) or V(SCIM2_0); at least one.
      - Compared as a set.
    type: list
    elements: str
  active_directory_over_ldap:
    description:
      - Active Directory over LDAP for users and groups, with O(<o>idm_protocol=LDAP), as vCenter uses for ADFS.
      - vCenter takes this object whole, so every change sends all of it, O(<o>active_directory_over_ldap.password)
        included. A O(<o>active_directory_over_ldap.cert_chain) left out keeps the one vCenter has.
    type: dict
    suboptions:
      user_name:
        description: The user that binds to the directory, for example V(cn=svc-vcenter,cn=Users,dc=corp,dc=example,dc=com).
        type: str
        required: true
      password:
        description:
          - The password of O(<o>active_directory_over_ldap.user_name).
          - Compared when vCenter shows it in clear; otherwise O(update_secret) decides when it is sent
            (it is also sent with any other change of this object).
        type: str
        required: true
      users_base_dn:
        description: The base DN of the users.
        type: str
        required: true
      groups_base_dn:
        description: The base DN of the groups.
        type: str
        required: true
      server_endpoints:
        description:
          - The LDAP servers, for example V(ldaps://dc1.corp.example.com:636), in the order vCenter should try them.
        type: list
        elements: str
        required: true
      cert_chain:
        description:
          - The PEM certificates that verify the servers. Required when a server uses C(ldaps://).
        type: list
        elements: str
  upn_claim:
    description:
      - The token claim with the user principal name. vCenter's default is V(acct).
    type: str
  groups_claim:
    description:
      - The token claim with the user's groups. An empty string goes back to vCenter's default
        (the C(group_names) and C(group_ids) claims).
    type: str
  org_ids:
    description:
      - The organisation ids of the SDDC that this provider serves (VMware Cloud tenancy). Compared as a set.
    type: list
    elements: str
  federation_type:
    version_added: 0.2.0
    description:
      - How vCenter is federated with the provider, V(DIRECT_FEDERATION) (directly with the external identity
        provider), V(INDIRECT_FEDERATION) (through an intermediary federation broker) or V(VMWARE_SSO_FEDERATION)
        (by VMware SSO).
      - vCenter has this field from vSphere API 8.0.1 (V(VMWARE_SSO_FEDERATION) from 9.0). Only when a write
        would carry it does the module read the vCenter release, once (C(GET /sdk/vimServiceVersions.xml), without
        a session); on an older vCenter the task fails before anything is written. When every provider already
        shows the value asked for, nothing extra is read.
      - Left out, vCenter keeps its value. A vCenter older than 8.0.1 shows none.
    type: str
    choices: [DIRECT_FEDERATION, INDIRECT_FEDERATION, VMWARE_SSO_FEDERATION]
  recreate:
    description:
      - Allow the provider to be deleted and created again when O(<o>config_tag) changes, which vCenter cannot
        update in place. The provider gets a new id.
    type: bool
    default: false
"""


# client_id and client_secret of the oidc and the oauth2 spec; <shown> says how vCenter may show the secret.
_CLIENT = """      client_id:
        description: The client id of the vCenter application at the identity provider.
        type: str
        required: true
      client_secret:
        description:
          - The client secret of that application.
          - Compared when vCenter shows it<shown>; otherwise O(update_secret) decides when it is sent.
        type: str
        required: true
"""


def _provider_options(prefix, write_state, indent=""):
    text = (_PROVIDER_OPTIONS
            .replace("<client_oidc>", _CLIENT.replace("<shown>", " (in clear, or encoded in the provider's "
                                                                 "authentication header)"))
            .replace("<client_oauth2>", _CLIENT.replace("<shown>", ""))
            .replace("<o>", prefix).replace("<write_state>", write_state))
    return "".join(indent + line if line.strip() else line for line in text.splitlines(True))


class ModuleDocFragment(object):
    # Connection options of the vCenter modules (names and environment variables as vmware.vmware has them;
    # validate_certs, ca_path and timeout are in sso.oidc.connection), the action group, notes.
    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - The host name or IP address of the vCenter Server, without scheme or path, for example V(vcenter.example.com).
      - The modules use the vSphere Automation API (C(/api), vSphere 7.0 Update 2 and later) over https.
      - A value with user information (C(user:password@host)) is refused before any request; this option is not
        secret, so Ansible would show it. Give the credentials in O(username) and O(password), or O(session_id).
      - If not set, the value of the E(VMWARE_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - The TCP port of the vCenter Server.
      - If not set, the value of the E(VMWARE_PORT) environment variable is used, else V(443).
    type: int
    default: 443
  username:
    description:
      - The vCenter user that logs in, for example V(administrator@vsphere.local).
      - The user needs the privileges C(VcIdentityProviders.Read) and C(VcIdentityProviders.Manage),
        and C(VcIdentityProviders.Create) to create providers.
      - Required unless O(session_id) is given.
      - If not set, the value of the E(VMWARE_USER) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - Required unless O(session_id) is given.
      - If not set, the value of the E(VMWARE_PASSWORD) environment variable is used.
    type: str
  session_id:
    description:
      - A vSphere Automation API session obtained earlier, for example with M(ansible.builtin.uri) and
        C(POST /api/session), used instead of a login with O(username) and O(password).
      - Many tasks can then share one session. The module does not log this session out; end it yourself
        with C(DELETE /api/session) when the play is done.
      - A session that vCenter no longer accepts (expired or logged out) fails the task with a clear message;
        a session the module opened itself is opened again once instead.
      - If not set, the value of the E(VMWARE_SESSION_ID) environment variable is used.
    type: str
notes:
  - Without O(session_id), each task logs in once (C(POST /api/session)) and logs out at its end
    (C(DELETE /api/session)), also when the task fails, so no session is left open on the vCenter.
  - Transient failures (HTTP 429 and 503 for any request; 502, 504 and dropped connections for reads and deletes)
    are retried with backoff, honouring C(Retry-After), with a warning per retry.
  - If O(validate_certs) is not set, the value of the E(VMWARE_VALIDATE_CERTS) environment variable is used, else
    V(true). For the vCenter's own VMCA, give its root certificate in O(ca_path) rather than O(validate_certs=false).
attributes:
  action_group:
    description: Use C(group/sso.oidc.vcenter) or C(group/sso.oidc.all) in C(module_defaults) to set the connection once.
    support: full
    membership:
      - sso.oidc.vcenter
      - sso.oidc.all
"""

    # PROVIDER and PROVIDERS are set below the class: ansible-test's yamllint reads every assignment in the
    # class body as a string literal, and these two are built from _PROVIDER_OPTIONS.


# vcenter_identity_provider: the options of one provider, written once in _PROVIDER_OPTIONS.
ModuleDocFragment.PROVIDER = "options:\n" + _provider_options("", "O(state=present)")

# vcenter_identity_providers: the same options indented under config.suboptions (the module documents config itself).
ModuleDocFragment.PROVIDERS = (
    "options:\n  config:\n    suboptions:\n"
    + _provider_options("config[].", "O(state=merged), O(state=replaced) or O(state=overridden)", indent="    ")
)
