# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""config.toml with its secrets masked (plugin_utils/_runner_config: masked, masked_text), for the diff the
runner_host role shows: every string under a key of SECRET_KEYS becomes "[MASKED]" at any depth, nothing else
changes, the input is left as it was, and the text written never holds a secret."""

from __future__ import annotations

import copy
import datetime
import tomllib

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import (
    MANAGED_HEADER,
    MASK,
    SECRET_KEYS,
    ConfigError,
    masked,
    masked_text,
    render,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import fleet_config
from hypothesis import given, settings
from hypothesis import strategies as st

URL = "https://gitlab.example.com"
UTC = datetime.UTC
# One distinct fake secret per secret key, so that a leak names the key it came from.
SECRETS = {key: f"secret-{key}-unit-9c2e" for key in sorted(SECRET_KEYS)}
OBTAINED = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
EXPIRES = datetime.datetime(2026, 4, 30, 12, 0, 30, 250000, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))


def host_config() -> dict:
    """A config.toml as a host may hold it, with every kind of secret the runner's structs carry."""
    return {
        "concurrent": 4,
        "sentry_dsn": SECRETS["sentry_dsn"],
        "runners": [
            {
                "name": "docker",
                "url": URL,
                "id": 11,
                "token": SECRETS["token"],
                "token_obtained_at": OBTAINED,
                "token_expires_at": EXPIRES,
                "executor": "docker",
                "docker": {"image": "alpine:3.20", "privileged": False, "volumes": ["/cache"]},
                "cache": {
                    "Type": "s3",
                    "Path": "docker",
                    "s3": {
                        "ServerAddress": "s3.amazonaws.com",
                        "AccessKey": SECRETS["AccessKey"],
                        "SecretKey": SECRETS["SecretKey"],
                        "SessionToken": SECRETS["SessionToken"],
                        "BucketName": "ci-cache",
                        "ServerSideEncryptionKeyID": "arn:aws:kms:eu-west-1:1:key/abc",
                    },
                    "gcs": {"AccessID": "ci@example.iam", "PrivateKey": SECRETS["PrivateKey"], "CredentialsFile": "/c"},
                    "azure": {"AccountName": "ci", "AccountKey": SECRETS["AccountKey"]},
                },
            },
            {
                "name": "ssh",
                "url": URL,
                "token": "glrt-second-unit-secret",
                "executor": "ssh",
                "ssh": {"user": "ci", "password": SECRETS["password"], "identity_file": "/k", "host": "h"},
            },
            {
                "name": "k8s",
                "url": URL,
                "token": "glrt-third-unit-secret",
                "executor": "kubernetes",
                "kubernetes": {"bearer_token": SECRETS["bearer_token"], "bearer_token_overwrite_allowed": True},
            },
        ],
    }


def every_secret(config: object) -> list[str]:
    """Every string under a secret key, at any depth."""
    found: list[str] = []
    if isinstance(config, dict):
        for key, value in config.items():
            if key in SECRET_KEYS and isinstance(value, str) and value:
                found.append(value)
            else:
                found.extend(every_secret(value))
    elif isinstance(config, list):
        for item in config:
            found.extend(every_secret(item))
    return found


def test_the_host_config_holds_every_secret_key() -> None:
    """The fixture itself: a secret under each key of SECRET_KEYS, so the tests below cover all of them."""
    assert set(SECRETS.values()) <= set(every_secret(host_config()))


# --------------------------------------------------------------------------------------------------------- masked


@pytest.mark.parametrize("key", sorted(SECRET_KEYS))
@pytest.mark.parametrize(
    "place",
    [
        lambda item: item,
        lambda item: {"runners": [item]},
        lambda item: {"runners": [{"name": "a"}, {"cache": {"s3": item}}]},
        lambda item: {"a": [[{"b": [item]}]]},
    ],
    ids=["top", "runner", "deep-table", "nested-arrays"],
)
def test_every_secret_key_is_masked_at_any_depth(key: str, place) -> None:
    result = masked(place({key: SECRETS[key], "name": "kept"}))

    assert result == place({key: MASK, "name": "kept"})


def test_a_host_config_is_masked_and_nothing_else_changes() -> None:
    config = host_config()
    expected = host_config()
    expected["sentry_dsn"] = MASK
    first, second, third = expected["runners"]
    first["token"] = MASK
    first["cache"]["s3"].update(AccessKey=MASK, SecretKey=MASK, SessionToken=MASK)
    first["cache"]["gcs"]["PrivateKey"] = MASK
    first["cache"]["azure"]["AccountKey"] = MASK
    second["token"] = MASK
    second["ssh"]["password"] = MASK
    third["token"] = MASK
    third["kubernetes"]["bearer_token"] = MASK

    assert masked(config) == expected


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("token_obtained_at", "2026-01-31T12:00:00Z"),
        ("token_expires_at", OBTAINED),
        ("bearer_token_overwrite_allowed", True),
        ("AccessID", "ci@example.iam"),
        ("key_path", "/root/.ssh/id"),
        ("identity_file", "/root/.ssh/id"),
        ("ServerSideEncryptionKeyID", "alias/cache"),
        ("use_static_credentials", False),
        ("tokens", "not-a-secret-key"),
        ("name", "token"),
    ],
)
def test_values_under_other_keys_are_untouched(key: str, value: object) -> None:
    config = {"runners": [{key: value, "token": "glrt-x"}]}

    assert masked(config) == {"runners": [{key: value, "token": MASK}]}


@pytest.mark.parametrize("key", sorted(SECRET_KEYS))
def test_an_empty_secret_is_left_as_it_is(key: str) -> None:
    assert masked({"runners": [{key: ""}]}) == {"runners": [{key: ""}]}


@pytest.mark.parametrize("value", [None, 3, 1.5, True, "text", OBTAINED, [1, "a"]])
def test_values_that_are_not_tables_come_back_equal(value: object) -> None:
    assert masked(value) == value


def test_masked_does_not_change_its_input() -> None:
    config = host_config()
    before = copy.deepcopy(config)

    result = masked(config)

    assert config == before
    assert result is not config
    assert result["runners"] is not config["runners"]
    assert result["runners"][0]["cache"]["s3"] is not config["runners"][0]["cache"]["s3"]


def test_masked_keeps_the_key_order() -> None:
    config = {"z": 1, "token": "t", "a": {"y": 2, "password": "p", "b": 3}}

    result = masked(config)

    assert list(result) == ["z", "token", "a"]
    assert list(result["a"]) == ["y", "password", "b"]


# ---------------------------------------------------------------------------------------------------- masked_text


def test_masked_text_of_a_dictionary_reads_back_masked() -> None:
    config = host_config()
    before = copy.deepcopy(config)

    text = masked_text(config)

    assert tomllib.loads(text) == masked(before)
    assert config == before
    for secret in every_secret(before):
        assert secret not in text


def test_masked_text_of_text_reads_back_masked() -> None:
    source = masked_text(host_config()).replace(MASK, "glrt-written-by-the-runner")
    assert "glrt-written-by-the-runner" in source

    text = masked_text(source)

    assert "glrt-written-by-the-runner" not in text
    assert tomllib.loads(text) == masked(tomllib.loads(source))


def test_masked_text_of_bytes() -> None:
    source = b'concurrent = 1\n\n[[runners]]\nname = "a"\ntoken = "glrt-bytes-secret"\n'

    text = masked_text(source)

    assert tomllib.loads(text) == {"concurrent": 1, "runners": [{"name": "a", "token": MASK}]}
    assert "glrt-bytes-secret" not in text


def test_masked_text_of_a_rendered_fleet_config() -> None:
    """What the role masks: the text runner_config_toml writes for the fleet's entries."""
    entries = [
        {"name": "a", "executor": "docker-autoscaler", "id": 1, "token": "glrt-fleet-a-secret"},
        {"name": "b", "executor": "shell", "id": 2, "token": "glrt-fleet-b-secret", "token_obtained_at": OBTAINED},
    ]
    rendered = render(fleet_config(entries, gitlab_url=URL, fleet_name="ci", aws={"cache_bucket": "ci-cache"}))
    assert "glrt-fleet-a-secret" in rendered

    text = masked_text(rendered)

    assert "glrt-fleet-a-secret" not in text
    assert "glrt-fleet-b-secret" not in text
    expected = tomllib.loads(rendered)
    for runner in expected["runners"]:
        runner["token"] = MASK
    assert tomllib.loads(text) == expected


def test_masked_text_writes_no_header() -> None:
    text = masked_text({"concurrent": 1})

    assert text == "concurrent = 1\n"
    assert MANAGED_HEADER not in masked_text(render({"concurrent": 1}))


def test_masked_text_keeps_datetimes() -> None:
    source = (
        "[[runners]]\n"
        'token = "glrt-time-secret"\n'
        "token_obtained_at = 2026-01-31T12:00:00Z\n"
        "token_expires_at = 2026-04-30T12:00:30.25+02:00\n"
        "local = 2026-01-31T08:30:00\n"
        "day = 2026-01-31\n"
        "time = 07:45:00\n"
        "zero = 0001-01-01T00:00:00Z\n"
    )

    read_back = tomllib.loads(masked_text(source))

    runner = read_back["runners"][0]
    assert runner["token"] == MASK
    assert runner["token_obtained_at"] == OBTAINED
    assert runner["token_expires_at"] == EXPIRES
    assert runner["local"] == datetime.datetime(2026, 1, 31, 8, 30)
    assert runner["day"] == datetime.date(2026, 1, 31)
    assert runner["time"] == datetime.time(7, 45)
    assert runner["zero"] == datetime.datetime(1, 1, 1, tzinfo=UTC)


def test_masked_text_writes_utc_as_the_runner_does() -> None:
    assert "token_obtained_at = 2026-01-31T12:00:00Z\n" in masked_text({"runners": [{"token_obtained_at": OBTAINED}]})


def test_masked_text_keeps_keys_the_schema_does_not_know() -> None:
    """It shows what the host holds: no check against the schema."""
    source = 'concurent = 4\n\n[[runners]]\nfuture_key = "x"\ntoken = "glrt-unknown-secret"\nexecutor = "nope"\n'

    assert tomllib.loads(masked_text(source)) == {
        "concurent": 4,
        "runners": [{"future_key": "x", "token": MASK, "executor": "nope"}],
    }


def test_masked_text_of_nothing() -> None:
    assert masked_text("") == ""
    assert masked_text(None) == ""
    assert masked_text({}) == ""


def test_masked_text_masks_secrets_with_characters_toml_escapes() -> None:
    secret = 'glrt-"quoted"\\back\nline\ttab'
    config = {"runners": [{"token": secret, "cache": {"s3": {"SecretKey": secret}}}]}

    text = masked_text(config)

    assert tomllib.loads(text) == {"runners": [{"token": MASK, "cache": {"s3": {"SecretKey": MASK}}}]}
    assert "quoted" not in text
    assert "back" not in text


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        pytest.param("[[runners]\nurl =", "not valid TOML", id="broken"),
        pytest.param('token = "glrt-broken-secret\n', "not valid TOML", id="unterminated"),
        pytest.param("a = 1\na = 2\n", "not valid TOML", id="duplicate-key"),
        pytest.param(b"\xff\xfe token", "not UTF-8", id="not-utf8"),
        pytest.param(5, "must be its text or a dictionary", id="int"),
        pytest.param(["token = 'x'"], "must be its text or a dictionary", id="list"),
    ],
)
def test_what_is_not_a_config_is_a_config_error(source: object, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        masked_text(source)

    assert fragment in str(caught.value)


def test_a_toml_error_does_not_show_the_secret_of_the_line_it_names() -> None:
    """tomllib's message names a line and column, never the text: the secret stays out of the error."""
    with pytest.raises(ConfigError) as caught:
        masked_text('[[runners]]\ntoken = "glrt-broken-secret" trailing\n')

    assert "glrt-broken-secret" not in str(caught.value)


SECRET_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=6, max_size=30).map(
    lambda text: f"S3CR3T{text}"
)
PLAIN = st.one_of(st.integers(-(2**63), 2**63 - 1), st.booleans(), st.text(alphabet="xyz .", max_size=5))


@st.composite
def configs_with_secrets(draw) -> dict:
    """Tables nested up to three deep, with secrets under secret keys and plain values under other keys."""

    def table(depth: int) -> dict:
        result: dict = {}
        for key in draw(st.lists(st.sampled_from([*sorted(SECRET_KEYS), "name", "url", "n"]), max_size=5)):
            result[key] = draw(SECRET_TEXT) if key in SECRET_KEYS else draw(PLAIN)
        if depth < 3:
            for name in draw(st.lists(st.sampled_from(["cache", "s3", "ssh"]), max_size=2, unique=True)):
                result[name] = table(depth + 1)
            if draw(st.booleans()):
                result["runners"] = [table(depth + 1) for _index in range(draw(st.integers(1, 3)))]
        return result

    return table(0)


@settings(max_examples=150, deadline=None)
@given(configs_with_secrets())
def test_no_secret_is_ever_written(config: dict) -> None:
    before = copy.deepcopy(config)

    text = masked_text(config)

    assert "S3CR3T" not in text
    assert tomllib.loads(text) == masked(before)
    assert config == before


# ------------------------------------------------------------------------------------------------- found bugs


@pytest.mark.parametrize(
    "value", [["glrt-listed-secret"], 918273645], ids=["array", "number"]
)  # fmt: skip
def test_a_secret_that_is_not_a_string_is_masked_too(value: object) -> None:
    text = masked_text({"runners": [{"name": "a", "token": value, "ssh": {"password": value}}]})

    assert "glrt-listed-secret" not in text
    assert "918273645" not in text


def test_masked_text_of_a_dictionary_with_null_values() -> None:
    try:
        text = masked_text({"concurrent": 1, "runners": [{"token": "glrt-null-secret", "limit": None}]})
    except ConfigError:
        return
    assert tomllib.loads(text) == {"concurrent": 1, "runners": [{"token": MASK}]}
