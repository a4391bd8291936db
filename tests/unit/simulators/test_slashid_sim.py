# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance of the SlashID simulator to the vendor's OpenAPI spec.

The simulator validates every response it gives against the spec (a violation becomes a
500 and is recorded), so every response of the whole test suite is checked. Here every
operation and status is driven directly, and each recorded response is validated once more
with openapi-core's own test adapters, independently of the simulator's wrapper.
"""

import json
import os

import pytest
import requests
import yaml

from simulators import slashid as simmod

PATH = simmod.PREFIX
SHARED_SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "specs",
                           "slashid-sso-oidc.openapi.yml")


class Client(object):
    def __init__(self, sim):
        self.app = sim.apps["slashid"]
        self.url = self.app.url
        self.verify = sim.pki.ca_path
        self.headers = {"SlashID-OrgID": self.app.config["org_id"], "SlashID-API-Key": self.app.config["api_key"]}

    def call(self, method, path, body=None, headers=None, auth=True, raw=None):
        sent = dict(self.headers) if auth else {}
        sent.update(headers or {})
        kwargs = {"headers": sent, "verify": self.verify, "timeout": 10}
        if raw is not None:
            kwargs["data"] = raw
            sent.setdefault("Content-Type", "application/json")
        elif body is not None:
            kwargs["json"] = body
        return requests.request(method, self.url + path, **kwargs)


@pytest.fixture
def api(sim, sim_api):
    sim_api.reset("slashid")
    client = Client(sim)
    del client.app.violations[:]
    yield client
    violations = list(client.app.violations)
    del client.app.violations[:]
    sim_api.reset("slashid")
    assert not violations, violations


def errors_of(resp):
    data = resp.json()
    assert set(data) <= {"meta", "errors"}
    return [e["message"] for e in data["errors"]]


def test_the_spec_copy_is_the_vendor_spec():
    with open(simmod.SPEC_PATH) as handle:
        ours = yaml.safe_load(handle)
    assert ours["info"]["title"] == "SlashID API" and ours["openapi"] == "3.0.1"
    assert set(ours["paths"]) == {PATH, PATH + "/{oauth_client_id}"}
    if os.path.exists(SHARED_SPEC):
        with open(SHARED_SPEC) as handle:
            assert yaml.safe_load(handle) == ours


def drive_everything(api, sim_api):
    """Every operation with every status the simulator can give."""
    a = {"client_id": "a/b c", "client_secret": "secret-a-1", "provider": "google", "label": "A"}
    apple = {"client_id": "com.x", "client_secret": "secret-b-1", "provider": "apple",
             "options": {"apple": {"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                                   "team_id": "ABCDE12345", "key_id": "FGHIJ67890", "secret_lifetime": "24h"}}}
    item = PATH + "/a%2Fb%20c"
    statuses = []

    def do(method, path, **kw):
        resp = api.call(method, path, **kw)
        statuses.append((method, path, resp.status_code))
        return resp

    assert do("GET", PATH).json() == {"meta": {"pagination": {"limit": 0, "offset": 0, "total_count": 0}},
                                      "result": []}
    assert do("POST", PATH, body=a).status_code == 201
    assert do("POST", PATH, body=apple).status_code == 201
    assert do("POST", PATH, body=a).status_code == 409
    sim_api.config("slashid", duplicate_status=400)
    assert do("POST", PATH, body=a).status_code == 400
    assert do("POST", PATH, body={"client_id": "x", "provider": "google"}).status_code == 400
    assert do("POST", PATH, raw="{not json").status_code == 400
    assert do("GET", PATH + "?oauth_provider=google").status_code == 200
    assert do("GET", PATH + "?oauth_provider=myspace").status_code == 400
    assert do("GET", item).status_code == 200
    assert do("GET", PATH + "/missing").status_code == 404
    assert do("PATCH", item, body={"label": "B"}).status_code == 200
    assert do("PATCH", item, body={"label": 5}).status_code == 400
    assert do("PATCH", PATH + "/missing", body={"label": "B"}).status_code == 404
    assert do("PATCH", item, body={"label": "C"}, headers={"SlashID-Required-Consistency": "galaxy"}).status_code == 400
    for fill in (False, "all", True):
        for shown in ("plain", "masked", "empty"):
            sim_api.config("slashid", fill_option_defaults=fill, private_key_in_response=shown,
                           scopes_include_defaults=True, duration_format="go")
            assert do("GET", PATH).status_code == 200
            assert do("GET", PATH + "/com.x").status_code == 200
    sim_api.config("slashid", consistency_408_next=1)
    assert do("PATCH", item, body={"label": "D"}).status_code == 408
    assert do("GET", PATH, auth=False).status_code == 401
    assert do("GET", PATH, headers={"SlashID-API-Key": "wrong"}).status_code == 401
    assert do("DELETE", item, auth=False, headers={"SlashID-API-Key": api.headers["SlashID-API-Key"]}).status_code \
        == 401
    assert do("GET", "/organizations/sso/oidc").status_code == 404
    assert do("GET", PATH + "/a/b").status_code == 404
    assert do("PUT", item, body=a).status_code == 405
    sim_api.fault("slashid", method="GET", path=PATH, status=429, retry_after=1)
    assert do("GET", PATH).status_code == 429
    assert do("DELETE", item).status_code == 200
    assert do("DELETE", item).status_code == 404
    return statuses


def test_every_response_validates_against_the_spec(api, sim_api):
    drive_everything(api, sim_api)
    recorded = list(api.app.responses)
    assert len(recorded) >= 30
    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse
    import jsonschema

    with open(simmod.SPEC_PATH) as handle:
        spec = yaml.safe_load(handle)
    spec["servers"] = [{"url": "https://slashid.test"}]
    oapi = OpenAPI.from_dict(spec)
    envelope = jsonschema.Draft4Validator({"$ref": "#/components/schemas/APIResponseBase",
                                           "components": spec["components"]})
    checked = {"spec": 0, "envelope": 0, "text": 0}
    for resp in recorded:
        template = PATH if resp["path"] == PATH else PATH + "/{oauth_client_id}"
        declared = spec["paths"].get(template, {}).get(resp["method"].lower(), {}).get("responses", {})
        is_operation = resp["path"].startswith(PATH) and "/" not in resp["path"][len(PATH) + 1:]
        if is_operation and str(resp["status"]) in declared:
            req = MockRequest("https://slashid.test", resp["method"], resp["path"], path_pattern=template,
                              args=dict(p.split("=", 1) for p in resp["query"].split("&") if p))
            oapi.validate_response(req, MockResponse(resp["body"].encode(), resp["status"],
                                                     content_type=resp["headers"]["Content-Type"]))
            checked["spec"] += 1
        elif resp["headers"].get("Content-Type", "").startswith("application/json"):
            data = json.loads(resp["body"])
            envelope.validate(data)
            assert data["errors"] and data["errors"][0]["httpcode"] == resp["status"]
            checked["envelope"] += 1
        else:
            assert resp["status"] in (404, 405) and (not is_operation or resp["method"] == "PUT")
            checked["text"] += 1
        assert "secret-a-1" not in resp["body"] and "secret-b-1" not in resp["body"]
        if resp["status"] < 300 and resp["body"]:
            assert '"client_secret"' not in resp["body"]
    assert checked["spec"] >= 20 and checked["envelope"] >= 4 and checked["text"] >= 3, checked
    assert api.app.violations == []


def test_the_validator_catches_a_response_outside_the_spec():
    problems = simmod.response_problems("GET", PATH + "/x", "", 200, {"Content-Type": "application/json"},
                                        json.dumps({"result": {"client_id": "x"}}))
    assert any("provider" in p for p in problems)
    problems = simmod.response_problems("GET", PATH, "", 200, {"Content-Type": "application/json"},
                                        json.dumps({"result": [{"client_id": "x", "provider": "myspace"}]}))
    assert any("myspace" in p for p in problems)
    problems = simmod.response_problems("POST", PATH, "", 200, {"Content-Type": "application/json"}, "{}")
    assert problems  # create answers 201, not 200
    problems = simmod.response_problems("GET", PATH, "", 401, {"Content-Type": "text/plain"}, "nope")
    assert problems
    problems = simmod.response_problems("GET", PATH, "", 409, {"Content-Type": "application/json"},
                                        json.dumps({"errors": [{"httpcode": "409"}]}))
    assert problems
    assert simmod.response_problems("GET", "/nowhere", "", 404, {"Content-Type": "text/plain"}, "404") == []


def test_a_violation_becomes_a_500_and_is_recorded(api, sim_api):
    api.app.render = lambda cred: {"client_id": cred["client_id"]}  # drops the required provider
    try:
        api.call("POST", PATH, body={"client_id": "v", "client_secret": "secret-v-1", "provider": "google"})
        resp = api.call("GET", PATH + "/v")
    finally:
        del api.app.render
    assert resp.status_code == 500 and "violates the spec" in errors_of(resp)[0]
    assert len(api.app.violations) == 1
    del api.app.violations[:]


# ----------------------------------------------------------------------------- request rules
@pytest.mark.parametrize("body,fragment", [
    ({"client_id": "x", "client_secret": "s", "provider": "myspace"}, "provider"),
    ({"client_id": "x", "provider": "google"}, "client_secret"),
    ({"client_id": "x", "client_secret": "s", "provider": "google", "label": 1}, "label"),
    ({"client_id": "x", "client_secret": "s", "provider": "google", "colour": "red"}, "unknown field 'colour'"),
    ({"client_id": "x", "client_secret": "s", "provider": "google", "options": {"google": {"scopes": []}}},
     "options.google: unknown field 'scopes'"),
    ({"client_id": "x", "client_secret": "s", "provider": "apple", "options": {"apple": {"team_id": "T"}}},
     "private_key"),
    ({"client_id": "x", "client_secret": "s", "provider": "apple"}, "options.apple is required"),
    ({"client_id": "x", "client_secret": "s", "provider": "apple", "options": {"apple": {
        "private_key": "k", "team_id": "T", "key_id": "K", "secret_lifetime": "1m"}}}, "between 5m"),
    ({"client_id": "", "client_secret": "s", "provider": "google"}, "client_id"),
])
def test_create_refuses_what_the_spec_forbids(api, body, fragment):
    resp = api.call("POST", PATH, body=body)
    assert resp.status_code == 400
    assert fragment in errors_of(resp)[0]
    assert api.app.state["credentials"] == {}


@pytest.mark.parametrize("headers,fragment", [
    ({"SlashID-Required-Consistency": "everywhere"}, "SlashID-Required-Consistency"),
    ({"SlashID-Required-Consistency-Timeout": "0"}, "SlashID-Required-Consistency-Timeout"),
    ({"SlashID-Required-Consistency-Timeout": "121"}, "SlashID-Required-Consistency-Timeout"),
])
def test_consistency_headers_are_validated(api, headers, fragment):
    resp = api.call("POST", PATH, body={"client_id": "x", "client_secret": "s", "provider": "google"},
                    headers=headers)
    assert resp.status_code == 400 and fragment in errors_of(resp)[0]


def test_auth_is_required_with_the_right_org(api):
    for headers in ({}, {"SlashID-API-Key": api.headers["SlashID-API-Key"]},
                    {"SlashID-OrgID": api.headers["SlashID-OrgID"]},
                    {"SlashID-OrgID": "other-org", "SlashID-API-Key": api.headers["SlashID-API-Key"]}):
        resp = api.call("GET", PATH, headers=headers, auth=False)
        assert resp.status_code == 401 and errors_of(resp)


def test_client_secret_is_stored_never_returned(api):
    api.call("POST", PATH, body={"client_id": "x", "client_secret": "hidden-1", "provider": "google"})
    assert api.app.state["credentials"]["x"]["client_secret"] == "hidden-1"
    for path in (PATH, PATH + "/x"):
        assert "hidden-1" not in api.call("GET", path).text


def test_consistency_408_applied_and_delayed(api, sim_api):
    body = {"client_id": "x", "client_secret": "s-1234", "provider": "google"}
    sim_api.config("slashid", consistency_408_next=1)
    resp = api.call("POST", PATH, body=body, headers={"SlashID-Required-Consistency": "all_regions",
                                                      "SlashID-Required-Consistency-Timeout": "7"})
    assert resp.status_code == 408 and "all_regions" in errors_of(resp)[0] and "7s" in errors_of(resp)[0]
    assert "x" in api.app.state["credentials"]
    sim_api.config("slashid", consistency_408_next=1, consistency_408_mode="delayed", consistency_408_lag=2)
    assert api.call("PATCH", PATH + "/x", body={"label": "late"}).status_code == 408
    assert "label" not in api.call("GET", PATH + "/x").json()["result"]
    assert api.call("GET", PATH + "/x").json()["result"]["label"] == "late"
    entries = sim_api.requests("slashid")
    post = [e for e in entries if e["method"] == "POST"][0]
    assert post["consistency"] == "all_regions" and post["consistency_timeout"] == "7"


def test_408_fault_after_the_write(api, sim_api):
    sim_api.fault("slashid", method="POST", path=PATH, status=408, when="after")
    resp = api.call("POST", PATH, body={"client_id": "x", "client_secret": "s-1234", "provider": "google"})
    assert resp.status_code == 408 and resp.json()["errors"][0]["httpcode"] == 408
    assert "x" in api.app.state["credentials"]


@pytest.mark.parametrize("mode,expected", [("replace", {"okta": {"organization_url": "u2"}}),
                                           ("merge", {"okta": {"organization_url": "u2", "authorize_scopes": ["g"]}})])
def test_patch_options_switch(api, sim_api, mode, expected):
    sim_api.config("slashid", patch_options=mode)
    api.call("POST", PATH, body={"client_id": "o", "client_secret": "s-1234", "provider": "okta",
                                 "options": {"okta": {"organization_url": "u1", "authorize_scopes": ["g"]}}})
    api.call("PATCH", PATH + "/o", body={"options": {"okta": {"organization_url": "u2"}}})
    assert api.app.state["credentials"]["o"]["options"] == expected


SECOND = 10 ** 9
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


# Go's own cases (src/time/time_test.go: parseDurationTests, parseDurationErrorTests, durationTests).
@pytest.mark.parametrize("text, nanos", [
    ("0", 0), ("5s", 5 * SECOND), ("30s", 30 * SECOND), ("1478s", 1478 * SECOND), ("-5s", -5 * SECOND),
    ("+5s", 5 * SECOND), ("-0", 0), ("+0", 0), ("5.0s", 5 * SECOND), ("5.6s", 5600000000), ("5.s", 5 * SECOND),
    (".5s", SECOND // 2), ("1.004s", 1004000000), ("100.00100s", 100001000000), ("10ns", 10), ("11us", 11000),
    ("12\u00b5s", 12000), ("12\u03bcs", 12000), ("13ms", 13000000), ("15m", 15 * MINUTE), ("16h", 16 * HOUR),
    ("3h30m", 3 * HOUR + 30 * MINUTE), ("10.5s4m", 4 * MINUTE + 10500000000), ("-2m3.4s", -(2 * MINUTE + 3400000000)),
    ("1h2m3s4ms5us6ns", HOUR + 2 * MINUTE + 3 * SECOND + 4000000 + 5000 + 6), ("39h9m14.425s", 140954425000000),
    ("52763797000ns", 52763797000), ("0.3333333333333333333h", 20 * MINUTE),
    ("9007199254740993ns", (1 << 53) + 1), ("9223372036854775807ns", (1 << 63) - 1),
    ("9223372036854775.807us", (1 << 63) - 1), ("-9223372036854775808ns", -(1 << 63)), ("720h", 720 * HOUR),
])
def test_go_parse_duration_as_go(text, nanos):
    assert simmod.go_parse_duration(text) == nanos


@pytest.mark.parametrize("text", ["", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "30d", "1hh", " 1h", "1h ",
                                  "9223372036854775808ns", "9223372036854775.808us", None, 5])
def test_go_parse_duration_refuses_as_go(text):
    assert simmod.go_parse_duration(text) is None


@pytest.mark.parametrize("nanos, text", [
    (0, "0s"), (1, "1ns"), (1100, "1.1\u00b5s"), (2200000, "2.2ms"), (3300000000, "3.3s"),
    (4 * MINUTE + 5 * SECOND, "4m5s"), (4 * MINUTE + 5001000000, "4m5.001s"),
    (5 * HOUR + 6 * MINUTE + 7001000000, "5h6m7.001s"), (8 * MINUTE + 1, "8m0.000000001s"),
    ((1 << 63) - 1, "2562047h47m16.854775807s"), (-(1 << 63), "-2562047h47m16.854775808s"),
    (720 * HOUR, "720h0m0s"),
])
def test_go_format_duration_as_go(nanos, text):
    assert simmod.go_format_duration(nanos) == text
