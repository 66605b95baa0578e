# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hacking/generate_runner_config_schema.py: reading small synthetic Go trees into config.toml's schema, writing
the schema module, and the committed schema's consistency."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
RUFF = REPO / ".venv" / "bin" / "ruff"
COMMITTED_SCHEMA = REPO / "plugins" / "plugin_utils" / "_runner_config_schema.py"
SCALARS = {
    "string",
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float",
    "duration",
    "datetime",
    "string_or_list",
    "any",
}


def load_module(name: str, path: Path, register: bool = False):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module  # dataclasses look their module up while the class body runs
    spec.loader.exec_module(module)
    return module


gen = load_module("generate_runner_config_schema", REPO / "hacking" / "generate_runner_config_schema.py", True)

DOCKER_HELPERS = """
    package docker

    // Credentials is embedded by the runner's docker settings.
    type Credentials struct {
        Host      string `toml:"host" json:"host"`
        CertPath  string `toml:"tls_cert_path"`
        TLSVerify bool   `toml:"tls_verify"`
    }
"""


def write_tree(root: Path, files: dict[str, str], version: str | None = "17.1.0") -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if version is not None:
        (root / "VERSION").write_text(version + "\n", encoding="utf-8")
    return root


def build(root: Path, files: dict[str, str]) -> dict[str, list[tuple[str, object]]]:
    builder = gen.SchemaBuilder(write_tree(root, files))
    assert builder.build() == "Config"
    return builder.tables


def keys(tables: dict[str, list[tuple[str, object]]], table: str) -> list[str]:
    return [key for key, _value in tables[table]]


def ruff_format_check(path: Path) -> subprocess.CompletedProcess:
    if not RUFF.exists():
        pytest.skip(f"{RUFF} is missing (make venv installs it)")
    return subprocess.run(
        [str(RUFF), "format", "--check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


# --- Keys, tags and the Go reader --------------------------------------------------------------------------


def test_keys_come_from_tags_or_field_names(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import "time"

                type Config struct {
                    Concurrent    int    `toml:"concurrent" json:"concurrent"`
                    ListenAddress string
                    LogFormat     *string `toml:",omitempty" json:"log_format"`
                    Secret        string `toml:"-"`
                    internal      string `toml:"internal"`
                    lower         string
                    Width, Height int32 `toml:",omitempty"`
                    Wait          time.Duration `json:"wait" toml:"wait"`
                    Hook          func() error
                    Done          chan struct{}
                }
            """
        },
    )
    assert tables == {
        "Config": [
            ("concurrent", "int64"),
            ("ListenAddress", "string"),
            ("LogFormat", "string"),
            ("Width", "int32"),
            ("Height", "int32"),
            ("wait", "duration"),
        ]
    }


def test_comments_and_literals_do_not_confuse_the_reader(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                // Package common { has a brace, a ` backtick and a " quote in its comment.
                package common

                import (
                    "time" // the clock } `
                )

                /* A block comment that looks like code:
                type Ghost struct {
                    Haunt string `toml:"haunt"`
                }
                */

                const banner = "not a comment: // nor /* this */ { nor } this"

                const raw = `also /* not */ a comment { `

                type Config struct {
                    // A line comment with } and `toml:"fake"` and " in it.
                    Concurrent int `toml:"concurrent"` // trailing } comment
                    /* block comment with } ` and
                       toml:"also_fake" over two lines */
                    URL        string `toml:"url" doc:"https://example.com/*/{}//"`
                    Pattern    string `toml:"pattern" doc:"}{"` /* } */
                    Timeout    time.Duration `toml:"timeout"`
                }

                func helper() string {
                    return "} type Fake struct { X int }"
                }
            """
        },
    )
    assert tables == {
        "Config": [
            ("concurrent", "int64"),
            ("url", "string"),
            ("pattern", "string"),
            ("timeout", "duration"),
        ]
    }
    assert "Ghost" not in gen.read_package(tmp_path / "common").types


def test_strip_comments_keeps_literals():
    source = 'a := "x // y" // gone\nb := `/* kept */` /* gone */ + \'"\' // gone too\n'
    assert gen.strip_comments(source) == 'a := "x // y" \nb := `/* kept */`   + \'"\' \n'


def test_type_groups_aliases_and_methods_are_read(tmp_path):
    write_tree(
        tmp_path,
        {
            "common/types.go": """
                package common

                import (
                    "time"

                    "gitlab.com/gitlab-org/gitlab-runner/helpers/docker"
                )

                type (
                    Mode  string
                    Wait  = time.Duration
                    Creds = docker.Credentials
                    Group struct {
                        Name string `toml:"name"`
                    }
                )

                type Size struct{ bytes int64 }

                func (s *Size) UnmarshalText(text []byte) error { return nil }

                func (*Group) UnmarshalTOML(data interface{}) error { return nil }
            """,
            "common/types_test.go": """
                package common

                type OnlyInTests struct{}
            """,
        },
    )
    package = gen.read_package(tmp_path / "common")
    assert package.name == "common"
    assert set(package.types) == {"Mode", "Wait", "Creds", "Group", "Size"}
    assert package.types["Mode"].expr == "string"
    assert package.types["Wait"].expr == "time.Duration"
    assert package.types["Creds"].expr == "docker.Credentials"
    assert package.types["Group"].expr == "struct"
    assert package.types["Group"].fields == [gen.GoField("Name", "string", 'toml:"name"')]
    assert package.types["Group"].imports == {
        "time": "time",
        "docker": "gitlab.com/gitlab-org/gitlab-runner/helpers/docker",
    }
    assert package.types["Creds"].alias
    assert not package.types["Mode"].alias
    assert package.text_unmarshalers == {"Size"}
    assert package.toml_unmarshalers == {"Group"}


def test_aliases_resolve_to_their_target(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import (
                    "time"

                    "gitlab.com/gitlab-org/gitlab-runner/helpers/docker"
                )

                type (
                    Wait  = time.Duration
                    Creds = docker.Credentials
                    Mode  = Level
                )

                type Level string

                type Config struct {
                    Wait  Wait   `toml:"wait"`
                    Creds *Creds `toml:"creds"`
                    Mode  Mode   `toml:"mode"`
                }
            """,
            "helpers/docker/credentials.go": DOCKER_HELPERS,
        },
    )
    assert tables["Config"] == [
        ("wait", "duration"),
        ("creds", ("table", "docker.Credentials")),
        ("mode", "string"),
    ]
    assert keys(tables, "docker.Credentials") == ["host", "tls_cert_path", "tls_verify"]


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        pytest.param('Name string `toml:"name"`', [gen.GoField("Name", "string", 'toml:"name"')], id="tagged"),
        pytest.param("A, B int", [gen.GoField("A", "int", None), gen.GoField("B", "int", None)], id="two-names"),
        pytest.param("RunnerSettings", [gen.GoField(None, "RunnerSettings", None)], id="embedded"),
        pytest.param("*docker.Credentials", [gen.GoField(None, "*docker.Credentials", None)], id="embedded-pointer"),
        pytest.param(
            'Settings `toml:"settings"`', [gen.GoField(None, "Settings", 'toml:"settings"')], id="embedded-tagged"
        ),
        pytest.param(
            "Labels map[string]string", [gen.GoField("Labels", "map[string]string", None)], id="map-with-spaces"
        ),
    ],
)
def test_parse_field(declaration, expected):
    assert gen.parse_field(declaration) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        (None, ("", False)),
        ('json:"name"', ("", False)),
        ('toml:"name"', ("name", False)),
        ('toml:"name,omitempty" json:"other"', ("name", False)),
        ('json:"other" toml:"name"', ("name", False)),
        ('toml:",omitempty"', ("", False)),
        ('toml:"-"', ("", True)),
        ('xtoml:"name"', ("", False)),
    ],
)
def test_toml_tag(tag, expected):
    assert gen.toml_tag(tag) == expected


def test_parse_imports():
    text = """
import "time"
import (
    api "k8s.io/api/core/v1"
    "gitlab.com/gitlab-org/gitlab-runner/helpers/ssh-config"
    _ "embed"
    . "strings"
    "net/url"
)
"""
    assert gen.parse_imports(text) == {
        "time": "time",
        "api": "k8s.io/api/core/v1",
        "ssh_config": "gitlab.com/gitlab-org/gitlab-runner/helpers/ssh-config",
        "url": "net/url",
    }


# --- Embedding ---------------------------------------------------------------------------------------------

RUNNER_TREE = """
    package common

    import (
        "gitlab.com/gitlab-org/gitlab-runner/helpers/docker"
    )

    type Config struct {
        Concurrent int             `toml:"concurrent"`
        Runners    []*RunnerConfig `toml:"runners"`
    }

    type RunnerCredentials struct {
        URL   string `toml:"url"`
        ID    int64  `toml:"id"`
        Token string `toml:"token"`
    }

    type RunnerSettings struct {
        Executor string        `toml:"executor"`
        Docker   *DockerConfig `toml:"docker,omitempty"`
    }

    type RunnerConfig struct {
        Name string `toml:"name"`
        RunnerCredentials
        *RunnerSettings
        Limit int `toml:"limit"`
    }

    type DockerConfig struct {
        EMBEDDED
        Image string `toml:"image"`
    }
"""


@pytest.mark.parametrize("embedded", ["docker.Credentials", "*docker.Credentials"])
def test_embedded_structs_are_flattened(tmp_path, embedded):
    tables = build(
        tmp_path,
        {
            "common/config.go": RUNNER_TREE.replace("EMBEDDED", embedded),
            "helpers/docker/credentials.go": DOCKER_HELPERS,
        },
    )
    assert tables == {
        "Config": [("concurrent", "int64"), ("runners", ("tables", "RunnerConfig"))],
        "RunnerConfig": [
            ("name", "string"),
            ("url", "string"),
            ("id", "int64"),
            ("token", "string"),
            ("executor", "string"),
            ("docker", ("table", "DockerConfig")),
            ("limit", "int64"),
        ],
        "DockerConfig": [
            ("host", "string"),
            ("tls_cert_path", "string"),
            ("tls_verify", "bool"),
            ("image", "string"),
        ],
    }


def test_promotion_shallower_wins_and_same_depth_duplicates_drop(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                type Config struct {
                    Name string `toml:"name"`
                    Left
                    *Right
                    Settings Inner `toml:"settings"`
                }

                type Left struct {
                    Name     int    `toml:"name"`
                    Shared   string `toml:"shared"`
                    OnlyLeft string `toml:"only_left"`
                    Deep
                }

                type Right struct {
                    Shared  bool `toml:"shared"`
                    Deeper  Deep `toml:"deeper"`
                }

                type Deep struct {
                    OnlyLeft bool   `toml:"only_left"`
                    Level    uint16 `toml:"level"`
                }

                type Inner struct {
                    Enabled bool `toml:"enabled"`
                }
            """
        },
    )
    assert tables["Config"] == [
        ("name", "string"),  # depth 0 hides Left's name
        ("only_left", "string"),  # depth 1 hides Deep's
        ("level", "uint16"),  # only at depth 2: promoted
        ("deeper", ("table", "Deep")),
        ("settings", ("table", "Inner")),
    ]  # shared: twice at depth 1, dropped
    assert tables["Deep"] == [("only_left", "bool"), ("level", "uint16")]


def test_embedded_struct_with_a_tag_name_is_a_nested_table(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import "gitlab.com/gitlab-org/gitlab-runner/helpers/docker"

                type Config struct {
                    Session                 `toml:"session_server"`
                    *docker.Credentials     `toml:"docker,omitempty"`
                    Other                   `toml:",omitempty"`
                }

                type Session struct {
                    ListenAddress string `toml:"listen_address"`
                }

                type Other struct {
                    User string `toml:"user"`
                }
            """,
            "helpers/docker/credentials.go": DOCKER_HELPERS,
        },
    )
    assert tables["Config"] == [
        ("session_server", ("table", "Session")),
        ("docker", ("table", "docker.Credentials")),
        ("user", "string"),
    ]


def test_resolve_embedding_conflicts():
    candidates = [
        gen.Candidate(1, "a", "string", tagged=False),
        gen.Candidate(0, "b", "int64", tagged=False),
        gen.Candidate(2, "a", "bool", tagged=True),  # deeper: a tag does not help
        gen.Candidate(1, "c", "bool", tagged=False),
        gen.Candidate(1, "c", "string", tagged=False),
        gen.Candidate(1, "d", "int64", tagged=False),
        gen.Candidate(1, "d", "string", tagged=True),  # the single tagged one at the shallowest depth wins
        gen.Candidate(1, "e", "int64", tagged=True),
        gen.Candidate(1, "e", "string", tagged=True),
    ]
    assert gen.resolve_embedding_conflicts(candidates) == [("a", "string"), ("b", "int64"), ("d", "string")]


# --- Types -------------------------------------------------------------------------------------------------


def test_value_types(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import (
                    "time"

                    api "k8s.io/api/core/v1"
                    "k8s.io/apimachinery/pkg/util/intstr"
                )

                type Level string

                type Labels map[string]string

                type Services []Service

                type Config struct {
                    Flag      *bool                  `toml:"flag"`
                    Int       int                    `toml:"int"`
                    Int32     int32                  `toml:"int32"`
                    Int8      int8                   `toml:"int8"`
                    Uint      uint                   `toml:"uint"`
                    Byte      byte                   `toml:"byte"`
                    Float     float64                `toml:"float"`
                    Float32   float32                `toml:"float32"`
                    Wait      time.Duration          `toml:"wait"`
                    Since     *time.Time             `toml:"since"`
                    Names     []string               `toml:"names"`
                    Pair      [2]int                 `toml:"pair"`
                    Matrix    [][]string             `toml:"matrix"`
                    Services  []Service              `toml:"services"`
                    Pointers  []*Service             `toml:"pointers"`
                    Features  map[string]bool        `toml:"features"`
                    Options   map[string]interface{} `toml:"options"`
                    Devices   map[string][]string    `toml:"devices"`
                    Level     Level                  `toml:"level"`
                    Labels    Labels                 `toml:"labels"`
                    Named     Services               `toml:"named"`
                    Anything  interface{}            `toml:"anything"`
                    Any       any                    `toml:"any"`
                    Spaced    interface {}           `toml:"spaced"`
                    Primary   *Service               `toml:"primary"`
                    Policy    api.PullPolicy         `toml:"policy"`
                    Port      intstr.IntOrString     `toml:"port"`
                    Inline    struct {
                        Enabled bool `toml:"enabled"`
                    } `toml:"inline"`
                    OneLine   struct{ Path string `toml:"path"`; Mode int8 } `toml:"one_line"`
                    Rules     []struct{ Name string } `toml:"rules"`
                }

                type Service struct {
                    Name    string   `toml:"name"`
                    Next    *Service `toml:"next"`
                    Aliases []string `toml:"aliases"`
                }
            """
        },
    )
    assert tables["Config"] == [
        ("flag", "bool"),
        ("int", "int64"),
        ("int32", "int32"),
        ("int8", "int8"),
        ("uint", "uint64"),
        ("byte", "uint8"),
        ("float", "float"),
        ("float32", "float"),
        ("wait", "duration"),
        ("since", "datetime"),
        ("names", ("list", "string")),
        ("pair", ("list", "int64")),
        ("matrix", ("list", ("list", "string"))),
        ("services", ("tables", "Service")),
        ("pointers", ("tables", "Service")),
        ("features", ("map", "bool")),
        ("options", ("map", "any")),
        ("devices", ("map", ("list", "string"))),
        ("level", "string"),
        ("labels", ("map", "string")),
        ("named", ("tables", "Service")),
        ("anything", "any"),
        ("any", "any"),
        ("spaced", "any"),
        ("primary", ("table", "Service")),
        ("policy", "string"),
        ("port", "any"),
        ("inline", ("table", "anonymous:Config.inline")),
        ("one_line", ("table", "anonymous:Config.one_line")),
        ("rules", ("tables", "anonymous:Config.rules")),
    ]
    # Service is referenced four times and refers to itself: one table.
    assert sorted(tables) == [
        "Config",
        "Service",
        "anonymous:Config.inline",
        "anonymous:Config.one_line",
        "anonymous:Config.rules",
    ]
    assert tables["Service"] == [
        ("name", "string"),
        ("next", ("table", "Service")),
        ("aliases", ("list", "string")),
    ]
    assert tables["anonymous:Config.inline"] == [("enabled", "bool")]
    assert tables["anonymous:Config.one_line"] == [("path", "string"), ("Mode", "int8")]
    assert tables["anonymous:Config.rules"] == [("Name", "string")]


def test_mutually_recursive_structs_do_not_loop(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                type Config struct {
                    Tree *Node `toml:"tree"`
                }

                type Node struct {
                    Children []Leaf `toml:"children"`
                }

                type Leaf struct {
                    Parent *Node `toml:"parent"`
                }
            """
        },
    )
    assert tables == {
        "Config": [("tree", ("table", "Node"))],
        "Node": [("children", ("tables", "Leaf"))],
        "Leaf": [("parent", ("table", "Node"))],
    }


def test_same_struct_name_in_two_packages_gets_two_tables(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import (
                    "gitlab.com/gitlab-org/gitlab-runner/referees"
                    metrics "gitlab.com/gitlab-org/gitlab-runner/helpers/referees"
                )

                type Config struct {
                    Referees *referees.Config `toml:"referees"`
                    Metrics  metrics.Config   `toml:"metrics"`
                }
            """,
            "referees/referees.go": """
                package referees

                type Config struct {
                    Metrics []string `toml:"metrics"`
                }
            """,
            "helpers/referees/referees.go": """
                package referees

                type Config struct {
                    Port int `toml:"port"`
                }
            """,
        },
    )
    assert tables["Config"] == [
        ("referees", ("table", "referees.Config")),
        ("metrics", ("table", "referees.Config2")),
    ]
    assert tables["referees.Config"] == [("metrics", ("list", "string"))]
    assert tables["referees.Config2"] == [("port", "int64")]


def test_own_unmarshal_toml_needs_a_custom_decoder_entry(tmp_path):
    files = {
        "common/config.go": """
            package common

            type Config struct {
                Mode Mode `toml:"mode"`
            }

            type Mode struct {
                value string
            }

            func (m *Mode) UnmarshalTOML(data interface{}) error {
                return nil
            }
        """
    }
    with pytest.raises(gen.SchemaError, match=r"Config\.mode: common\.Mode has its own UnmarshalTOML") as raised:
        build(tmp_path, files)
    assert "CUSTOM_DECODERS" in str(raised.value)


def test_string_or_array_and_text_unmarshalers(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                type StringOrArray []string

                func (p *StringOrArray) UnmarshalTOML(data interface{}) error {
                    return nil
                }

                type Size struct {
                    bytes int64
                }

                func (s *Size) UnmarshalText(text []byte) error {
                    return nil
                }

                type Config struct {
                    PullPolicy StringOrArray   `toml:"pull_policy"`
                    Policies   []StringOrArray `toml:"policies"`
                    Size       *Size           `toml:"size"`
                }
            """
        },
    )
    assert tables == {
        "Config": [
            ("pull_policy", "string_or_list"),
            ("policies", ("list", "string_or_list")),
            ("size", "string"),
        ]
    }


def test_unknown_external_type_stops_with_its_name(tmp_path):
    files = {
        "common/config.go": """
            package common

            import "net"

            type Config struct {
                Runners []RunnerConfig `toml:"runners"`
            }

            type RunnerConfig struct {
                Address net.IP `toml:"address"`
            }
        """
    }
    with pytest.raises(gen.SchemaError, match=r"Config\.runners\[\]\.address: external type net\.IP needs an entry"):
        build(tmp_path, files)


@pytest.mark.parametrize(
    ("import_line", "type_expr", "expected"),
    [
        ('api "k8s.io/api/core/v1"', "api.Capability", "string"),
        ('"k8s.io/api/core/v1"', "v1.TaintEffect", "string"),
        ('"k8s.io/apimachinery/pkg/util/intstr"', "intstr.IntOrString", "any"),
        ('"time"', "[]time.Duration", ("list", "duration")),
    ],
)
def test_listed_external_types(tmp_path, import_line, type_expr, expected):
    tables = build(
        tmp_path,
        {
            "common/config.go": f"""
                package common

                import {import_line}

                type Config struct {{
                    Value {type_expr} `toml:"value"`
                }}
            """
        },
    )
    assert tables == {"Config": [("value", expected)]}


def test_unlisted_k8s_type_stops(tmp_path):
    files = {
        "common/config.go": """
            package common

            import api "k8s.io/api/core/v1"

            type Config struct {
                Affinity api.Affinity `toml:"affinity"`
            }
        """
    }
    with pytest.raises(gen.SchemaError, match=r"k8s\.io/api/core/v1\.Affinity needs an entry in EXTERNAL_TYPES"):
        build(tmp_path, files)


# --- What stops the script ---------------------------------------------------------------------------------


def test_undeclared_type_names_the_field_path(tmp_path):
    files = {
        "common/config.go": """
            package common

            type Config struct {
                Runners []*RunnerConfig `toml:"runners"`
            }

            type RunnerConfig struct {
                Docker *DockerConfig `toml:"docker"`
            }
        """
    }
    with pytest.raises(gen.SchemaError) as raised:
        build(tmp_path, files)
    assert str(raised.value) == (
        "Config.runners[].docker: type DockerConfig is not declared in package directory 'common'"
    )


def test_undeclared_embedded_type_names_the_field_path(tmp_path):
    files = {
        "common/config.go": """
            package common

            type Config struct {
                RunnerSettings
            }
        """
    }
    with pytest.raises(gen.SchemaError, match=r"^Config: type RunnerSettings is not declared"):
        build(tmp_path, files)


MISSING_PACKAGE = {
    "common/config.go": """
        package common

        import "gitlab.com/gitlab-org/gitlab-runner/helpers/vault"

        type Config struct {
            Runners []RunnerConfig `toml:"runners"`
        }

        type RunnerConfig struct {
            Vault vault.Settings `toml:"vault"`
        }
    """
}


def test_missing_package_directory_stops(tmp_path):
    with pytest.raises(gen.SchemaError, match=r"package directory 'helpers/vault' is missing"):
        build(tmp_path, MISSING_PACKAGE)


def test_missing_package_directory_names_the_field_path(tmp_path):
    with pytest.raises(gen.SchemaError, match=r"Config\.runners\[\]\.vault"):
        build(tmp_path, MISSING_PACKAGE)


def test_missing_root_package_stops(tmp_path):
    with pytest.raises(gen.SchemaError, match=r"package directory 'common' is missing"):
        gen.generate(write_tree(tmp_path, {}), "abc")


def test_package_not_imported_stops(tmp_path):
    files = {
        "common/config.go": """
            package common

            type Config struct {
                Cache cache.Config `toml:"cache"`
            }
        """
    }
    with pytest.raises(gen.SchemaError, match=r"^Config\.cache: package 'cache' of cache\.Config is not imported"):
        build(tmp_path, files)


def test_map_with_non_string_keys_stops(tmp_path):
    files = {
        "common/config.go": """
            package common

            type Config struct {
                Ports map[int]string `toml:"ports"`
            }
        """
    }
    with pytest.raises(gen.SchemaError, match=r"^Config\.ports: map keys of type int cannot come from TOML"):
        build(tmp_path, files)


def test_root_that_is_not_a_struct_stops(tmp_path):
    files = {"common/config.go": "package common\n\ntype Config map[string]string\n"}
    with pytest.raises(gen.SchemaError, match=r"^Config: Config is not a struct"):
        build(tmp_path, files)


def test_missing_version_stops(tmp_path):
    write_tree(tmp_path, {"common/config.go": "package common\n\ntype Config struct{ A int }\n"}, version=None)
    with pytest.raises(gen.SchemaError, match=r"VERSION is missing"):
        gen.generate(tmp_path, "abc")


# --- main() and the written module -------------------------------------------------------------------------

SMALL_TREE = {
    "common/config.go": """
        package common

        type Config struct {
            Concurrent int             `toml:"concurrent"`
            Runners    []*RunnerConfig `toml:"runners"`
        }

        type RunnerConfig struct {
            Name  string            `toml:"name"`
            Flags map[string]bool   `toml:"feature_flags"`
        }
    """
}


def test_main_writes_a_loadable_module(tmp_path, capsys):
    source = write_tree(tmp_path / "runner", SMALL_TREE, version="17.1.0")
    output = tmp_path / "schema.py"
    assert gen.main([str(source), "--commit", "0123abcd", "--output", str(output)]) == 0
    assert capsys.readouterr().out == f"wrote {output}\n"
    schema = load_module("generated_schema_main", output)
    assert schema.RUNNER_VERSION == "17.1.0"
    assert schema.SOURCE == "gitlab-runner 17.1.0 at commit 0123abcd"
    assert schema.ROOT_TABLE == "Config"
    assert schema.TABLES == {
        "Config": (("concurrent", "int64"), ("runners", ("tables", "RunnerConfig"))),
        "RunnerConfig": (("name", "string"), ("feature_flags", ("map", "bool"))),
    }


def test_main_without_commit_outside_git(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    source = write_tree(tmp_path / "runner", SMALL_TREE, version="16.11.2")
    output = tmp_path / "schema.py"
    assert gen.main([str(source), "--output", str(output)]) == 0
    schema = load_module("generated_schema_no_commit", output)
    assert schema.SOURCE == "gitlab-runner 16.11.2 at commit unknown"


def test_main_reports_a_schema_error(tmp_path, capsys):
    source = write_tree(tmp_path / "runner", {"common/config.go": "package common\n\ntype Other struct{}\n"})
    output = tmp_path / "schema.py"
    assert gen.main([str(source), "--commit", "abc", "--output", str(output)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "generate_runner_config_schema: Config: type Config is not declared in package directory 'common'\n"
    )
    assert not output.exists()


def one_key_line(table: str, key: str) -> str:
    return f'    "{table}": (("{key}", "bool"),),'


def test_generated_text_passes_ruff_format(tmp_path):
    # Two one-key tables whose single line is 120 and 121 characters long: the first stays on one line.
    fits_key = "k" * (gen.LINE_LENGTH - len(one_key_line("FitsOnOneLine", "")))
    overflow_key = "k" * (gen.LINE_LENGTH + 1 - len(one_key_line("OverflowsByOneCharacter", "")))
    source = write_tree(
        tmp_path / "runner",
        {
            "common/config.go": f"""
                package common

                type Config struct {{
                    Concurrent   int                     `toml:"concurrent"`
                    Runners      []*RunnerConfig         `toml:"runners"`
                    Experimental Experimental            `toml:"experimental"`
                    Fits         FitsOnOneLine           `toml:"fits"`
                    Overflows    OverflowsByOneCharacter `toml:"overflows"`
                }}

                type RunnerConfig struct {{
                    URL      string          `toml:"url"`
                    Flags    map[string]bool `toml:"feature_flags"`
                    Services [][]string      `toml:"services"`
                }}

                type Experimental struct {{
                    UsageLogger bool `toml:"usage_logger"`
                }}

                type FitsOnOneLine struct {{
                    K bool `toml:"{fits_key}"`
                }}

                type OverflowsByOneCharacter struct {{
                    K bool `toml:"{overflow_key}"`
                }}
            """
        },
    )
    text = gen.generate(source, "0123abcd")
    lines = text.splitlines()
    assert '    "Experimental": (("usage_logger", "bool"),),' in lines
    assert one_key_line("FitsOnOneLine", fits_key) in lines
    assert len(one_key_line("FitsOnOneLine", fits_key)) == gen.LINE_LENGTH
    assert '    "OverflowsByOneCharacter": (' in lines
    assert f'        ("{overflow_key}", "bool"),' in lines
    assert '    "RunnerConfig": (' in lines
    assert max(len(line) for line in lines) == gen.LINE_LENGTH
    output = tmp_path / "schema.py"
    output.write_text(text, encoding="utf-8")
    result = ruff_format_check(output)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Bugs --------------------------------------------------------------------------------------------------


def test_table_without_keys_passes_ruff_format(tmp_path):
    source = write_tree(
        tmp_path / "runner",
        {
            "common/config.go": """
                package common

                type Config struct {
                    Session Session `toml:"session"`
                    Name    string  `toml:"name"`
                }

                type Session struct {
                    server string
                    Hook   func() `toml:"-"`
                }
            """
        },
    )
    output = tmp_path / "schema.py"
    output.write_text(gen.generate(source, "abc"), encoding="utf-8")
    result = ruff_format_check(output)
    assert result.returncode == 0, result.stdout + result.stderr


def test_long_entry_passes_ruff_format(tmp_path):
    source = write_tree(
        tmp_path / "runner",
        {
            "common/config.go": """
                package common

                type Config struct {
                    Name     string `toml:"name"`
                    Security struct {
                        Enabled bool `toml:"enabled"`
                    } `toml:"kubernetes_pod_security_context_settings_for_helpers"`
                }
            """
        },
    )
    output = tmp_path / "schema.py"
    output.write_text(gen.generate(source, "abc"), encoding="utf-8")
    result = ruff_format_check(output)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tagged_field_wins_at_the_same_depth(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                type Config struct {
                    Tagged
                    Untagged
                }

                type Tagged struct {
                    Address string `toml:"Address"`
                }

                type Untagged struct {
                    Address int
                }
            """
        },
    )
    assert tables["Config"] == [("Address", "string")]


def test_embedded_alias_and_defined_struct_types_are_flattened(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import "gitlab.com/gitlab-org/gitlab-runner/helpers/docker"

                type Creds = docker.Credentials

                type Local struct {
                    User string `toml:"user"`
                }

                type Settings Local

                type Config struct {
                    Creds
                    Settings
                }
            """,
            "helpers/docker/credentials.go": DOCKER_HELPERS,
        },
    )
    assert keys(tables, "Config") == ["host", "tls_cert_path", "tls_verify", "user"]


@pytest.mark.parametrize("type_name", ["functionHooks", "channelSettings", "interfaceOptions", "structuredLogging"])
def test_type_names_starting_with_a_keyword(tmp_path, type_name):
    tables = build(
        tmp_path,
        {
            "common/config.go": f"""
                package common

                type Config struct {{
                    Value {type_name} `toml:"value"`
                }}

                type {type_name} struct {{
                    Enabled bool `toml:"enabled"`
                }}
            """
        },
    )
    assert tables["Config"] == [("value", ("table", type_name))]


def test_imports_are_per_file(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import "gitlab.com/gitlab-org/gitlab-runner/helpers/docker"

                type Config struct {
                    Docker docker.Credentials `toml:"docker"`
                }
            """,
            "common/docker_client.go": """
                package common

                import docker "github.com/docker/docker/client"

                var defaultClient *docker.Client
            """,
            "helpers/docker/credentials.go": DOCKER_HELPERS,
        },
    )
    assert tables["Config"] == [("docker", ("table", "docker.Credentials"))]


def test_build_ignored_file_is_not_part_of_the_package(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                type StringOrArray []string

                func (p *StringOrArray) UnmarshalTOML(data interface{}) error {
                    return nil
                }

                type Config struct {
                    PullPolicy StringOrArray `toml:"pull_policy"`
                }
            """,
            "common/zz_generate.go": """
                //go:build ignore

                package main

                func main() {}
            """,
        },
    )
    assert tables["Config"] == [("pull_policy", "string_or_list")]


def test_defined_type_over_duration_is_an_integer(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                import "time"

                type Seconds time.Duration

                type Config struct {
                    Wait Seconds `toml:"wait"`
                }
            """
        },
    )
    assert tables["Config"] == [("wait", "int64")]


def test_multi_line_inline_struct_with_two_fields(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                type Config struct {
                    Session struct {
                        Address string `toml:"address"`
                        Timeout int    `toml:"timeout"`
                    } `toml:"session"`
                }
            """
        },
    )
    assert tables["anonymous:Config.session"] == [("address", "string"), ("timeout", "int64")]


def test_unnamed_value_receiver_is_seen(tmp_path):
    files = {
        "common/config.go": """
            package common

            type Labels map[string]string

            func (Labels) UnmarshalTOML(data interface{}) error {
                return nil
            }

            type Config struct {
                Labels Labels `toml:"labels"`
            }
        """
    }
    with pytest.raises(gen.SchemaError, match=r"common\.Labels has its own UnmarshalTOML"):
        build(tmp_path, files)


def test_double_quoted_tag(tmp_path):
    tables = build(
        tmp_path,
        {
            "common/config.go": """
                package common

                type Config struct {
                    Name string "toml:\\"name\\""
                }
            """
        },
    )
    assert tables["Config"] == [("name", "string")]


# --- The committed schema ----------------------------------------------------------------------------------

committed = load_module("committed_runner_config_schema", COMMITTED_SCHEMA)


def referenced_tables(value_type: object) -> list[str]:
    if isinstance(value_type, str):
        assert value_type in SCALARS, value_type
        return []
    kind, inner = value_type
    if kind in ("table", "tables"):
        return [inner]
    assert kind in ("list", "map"), value_type
    return referenced_tables(inner)


def test_committed_schema_is_consistent():
    assert committed.ROOT_TABLE == "Config"
    assert committed.RUNNER_VERSION
    assert committed.SOURCE.startswith(f"gitlab-runner {committed.RUNNER_VERSION} ")
    reachable, pending = set(), [committed.ROOT_TABLE]
    for table_name, entries in committed.TABLES.items():
        names = [key for key, _value in entries]
        assert len(names) == len(set(names)), table_name
        for key, value_type in entries:
            for target in referenced_tables(value_type):
                assert target in committed.TABLES, f"{table_name}.{key} -> {target}"
    while pending:
        table_name = pending.pop()
        if table_name not in reachable:
            reachable.add(table_name)
            pending.extend(
                target for _key, value in committed.TABLES[table_name] for target in referenced_tables(value)
            )
    assert reachable == set(committed.TABLES)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("Config", {"concurrent": "int64", "check_interval": "int64", "runners": ("tables", "RunnerConfig")}),
        (
            "RunnerConfig",
            {
                "url": "string",
                "token": "string",
                "executor": "string",
                "id": "int64",
                "token_obtained_at": "datetime",
                "token_expires_at": "datetime",
                "docker": ("table", "DockerConfig"),
                "machine": ("table", "DockerMachine"),
                "autoscaler": ("table", "AutoscalerConfig"),
                "cache": ("table", "CacheConfig"),
                "feature_flags": ("map", "bool"),
            },
        ),
        (
            "DockerMachine",
            {
                "MachineName": "string",
                "MachineOptions": ("list", "string"),
                "MachineOptionsWithName": ("list", "string"),
                "IdleTime": "int64",
                "autoscaling": ("tables", "DockerMachineAutoscaling"),
            },
        ),
        ("DockerMachineAutoscaling", {"Periods": ("list", "string"), "IdleTime": "int64"}),
        (
            "AutoscalerConfig",
            {
                "plugin": "string",
                "plugin_config": ("map", "any"),
                "connector_config": ("table", "ConnectorConfig"),
                "policy": ("tables", "AutoscalerPolicyConfig"),
                "scale_throttle": ("table", "AutoscalerScaleThrottle"),
                "vm_isolation": ("table", "VMIsolation"),
            },
        ),
        ("AutoscalerPolicyConfig", {"idle_time": "duration"}),
        (
            "CacheConfig",
            {
                "s3": ("table", "CacheS3Config"),
                "gcs": ("table", "CacheGCSConfig"),
                "azure": ("table", "CacheAzureConfig"),
            },
        ),
        (
            "DockerConfig",
            {
                "services": ("tables", "Service"),
                "pull_policy": "string_or_list",
                "host": "string",
                "tls_verify": "bool",
            },
        ),
    ],
)
def test_committed_schema_has_the_keys_the_docs_rely_on(table, expected):
    entries = dict(committed.TABLES[table])
    assert {key: entries.get(key) for key in expected} == expected
