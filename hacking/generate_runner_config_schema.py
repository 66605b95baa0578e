# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rebuild plugins/plugin_utils/_runner_config_schema.py from a gitlab-runner source tree.

    python hacking/generate_runner_config_schema.py /path/to/gitlab-runner [--commit SHA] [--output FILE]

GitLab Runner reads config.toml with BurntSushi/toml into the Go struct `common.Config`. This script reads those
structs from the Go source (no Go toolchain needed) and writes down, for every table, its keys in declaration
order and the type each key is decoded as, following the decoder's rules:

- a key is the field's `toml` tag name, or the Go field name when the tag gives none (why docker-machine keys
  are CamelCase); `toml:"-"` and unexported fields are not keys;
- an embedded struct without a tag name (also through an alias or a defined type over a struct) is flattened into
  its parent (RunnerCredentials, RunnerSettings, docker.Credentials); of the fields giving one key, the shallowest
  win, and among those a single tagged one wins; two left at the same depth are both dropped (dominantField);
- `time.Duration` is a Go duration string, `time.Time` a TOML datetime, a slice of structs an array of tables,
  a map an open table, `interface{}` anything; a defined type (`type Seconds time.Duration`) has none of its
  definition's methods, so it decodes as the underlying type (int64), while an alias (`type D = time.Duration`)
  is the type itself;
- imports are read per file, as Go scopes them, and files kept out of every build (`//go:build ignore`) are skipped;
- a type with its own `UnmarshalTOML` must be listed in CUSTOM_DECODERS (the script cannot read what the method
  accepts), a type with `UnmarshalText` is read from a string, and a type from outside the runner's module must be
  listed in EXTERNAL_TYPES. Anything else unknown stops the script with the field's path, so a new runner version
  never yields a schema that is silently wrong.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

MODULE_PATH = "gitlab.com/gitlab-org/gitlab-runner"
ROOT_PACKAGE = "common"
ROOT_STRUCT = "Config"
LINE_LENGTH = 120  # pyproject.toml's ruff line-length: the generated file passes `ruff format --check`
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "plugins" / "plugin_utils" / "_runner_config_schema.py"

# Go's integer kinds, as the schema names them (BurntSushi refuses a value that overflows the field).
GO_SCALARS = {
    "string": "string",
    "bool": "bool",
    "int": "int64",
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "uint": "uint64",
    "uint8": "uint8",
    "uint16": "uint16",
    "uint32": "uint32",
    "uint64": "uint64",
    "byte": "uint8",
    "rune": "int32",
    "float32": "float",
    "float64": "float",
    "interface{}": "any",
    "any": "any",
}

# Types with an UnmarshalTOML method: what the method accepts, read from its body by a person.
CUSTOM_DECODERS = {
    # common/config.go: a string, or an array of strings.
    "common.StringOrArray": "string_or_list",
}

# Types from outside gitlab-runner's own module, as the decoder sees them.
EXTERNAL_TYPES = {
    "time.Duration": "duration",
    "time.Time": "datetime",
    # k8s.io/api/core/v1: named string types.
    "k8s.io/api/core/v1.PullPolicy": "string",
    "k8s.io/api/core/v1.Capability": "string",
    "k8s.io/api/core/v1.TaintEffect": "string",
    "k8s.io/api/core/v1.TolerationOperator": "string",
    "k8s.io/api/core/v1.NodeSelectorOperator": "string",
    "k8s.io/api/core/v1.URIScheme": "string",
    "k8s.io/api/core/v1.MountPropagationMode": "string",
    "k8s.io/api/core/v1.RestartPolicy": "string",
    "k8s.io/api/core/v1.ServiceAccount": "string",
    "k8s.io/api/core/v1.ResourceName": "string",
    "k8s.io/api/core/v1.SeccompProfileType": "string",
    "k8s.io/api/core/v1.AppArmorProfileType": "string",
    "k8s.io/api/core/v1.OSName": "string",
    "k8s.io/api/core/v1.ProcMountType": "string",
    # k8s.io/apimachinery/pkg/util/intstr: an int or a string (it has its own UnmarshalJSON, and TOML hands
    # BurntSushi's generic value over unchanged).
    "k8s.io/apimachinery/pkg/util/intstr.IntOrString": "any",
}

# What a type defined over an external type (`type Seconds time.Duration`) decodes as: its underlying type, since
# BurntSushi's special cases (the time.Duration type assertion, time.Time's methods) match the exact type only.
EXTERNAL_UNDERLYING = {
    "time.Duration": "int64",
}

TAG_TOML = re.compile(r'(?:^|\s)toml:"([^"]*)"')
# The receiver's name is optional (`func (Labels) ...`, `func (*Labels) ...`): when present, a space or the `*`
# follows it, so the type name is never a suffix of it.
METHOD = re.compile(
    r"\bfunc\s*\(\s*(?:\w+\s+|\w+\s*(?=\*))?\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*(UnmarshalTOML|UnmarshalText)\s*\("
)
TYPE_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?(?:\[.*\])?", re.S)  # Name, pkg.Name, Name[T]
# Constraints only a build that sets the `ignore` tag meets: `go generate` helpers, never part of the package.
BUILD_IGNORE = re.compile(r"//go:build\s+ignore|//\s*\+build\s+ignore")


class SchemaError(Exception):
    """The source holds something this script cannot turn into a schema without a person's decision."""


# --- Reading Go source ------------------------------------------------------------------------------------


def strip_comments(source: str) -> str:
    """Remove // and /* */ comments, keeping string and rune literals (and struct tags) intact."""
    out: list[str] = []
    index, length = 0, len(source)
    while index < length:
        char = source[index]
        pair = source[index : index + 2]
        if pair == "//":
            end = source.find("\n", index)
            index = length if end < 0 else end
        elif pair == "/*":
            end = source.find("*/", index + 2)
            index = length if end < 0 else end + 2
            out.append(" ")
        elif char in "\"'`":
            end = literal_end(source, index)
            out.append(source[index:end])
            index = end
        else:
            out.append(char)
            index += 1
    return "".join(out)


def literal_end(source: str, start: int) -> int:
    quote = source[start]
    index = start + 1
    while index < len(source):
        char = source[index]
        if char == "\\" and quote != "`":
            index += 2
            continue
        if char == quote:
            return index + 1
        index += 1
    return len(source)


def matching_close(text: str, start: int, opening: str = "{", closing: str = "}") -> int:
    """Index of the bracket closing the one at `start`, skipping literals."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char in "\"'`":
            index = literal_end(text, index)
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise SchemaError(f"unbalanced {opening}{closing} in Go source")


@dataclass
class GoField:
    name: str | None  # None: an embedded field
    type_expr: str
    tag: str | None


@dataclass
class GoType:
    package: str
    name: str
    expr: str  # "struct" for structs, else the type expression it is defined as (or an alias of)
    fields: list[GoField] = field(default_factory=list)
    alias: bool = False  # `type A = B`: A is B, methods and all; `type A B` only shares B's underlying type
    # Its file's imports (local name -> import path): Go scopes imports per file, not per package.
    imports: dict[str, str] = field(default_factory=dict)


@dataclass
class GoPackage:
    directory: str
    name: str = ""
    types: dict[str, GoType] = field(default_factory=dict)
    text_unmarshalers: set[str] = field(default_factory=set)
    toml_unmarshalers: set[str] = field(default_factory=set)


def parse_imports(text: str) -> dict[str, str]:
    imports: dict[str, str] = {}
    specs: list[str] = []
    for match in re.finditer(r"\bimport\s*(\((.*?)\)|[^\n]*)", text, re.S):
        body = match.group(2) if match.group(2) is not None else match.group(1)
        specs.extend(line.strip() for line in body.splitlines())
    for spec in specs:
        found = re.fullmatch(r'(?:([\w.]+)\s+)?"([^"]+)"', spec)
        if not found:
            continue
        alias, path = found.groups()
        if alias in (".", "_"):
            continue
        imports[alias or path.rsplit("/", 1)[-1].replace("-", "_")] = path
    return imports


def split_struct_body(body: str) -> list[str]:
    """Field declarations of a struct body: one per line or `;`, nested braces and literals kept whole."""
    parts, current, index, depth = [], [], 0, 0
    while index < len(body):
        char = body[index]
        if char in "\"'`":
            end = literal_end(body, index)
            current.append(body[index:end])
            index = end
            continue
        if char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        if char in "\n;" and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def parse_field(declaration: str) -> list[GoField]:
    tag = None
    tag_match = re.search(r'(`[^`]*`|"(?:[^"\\]|\\.)*")\s*$', declaration)
    if tag_match:
        tag = tag_literal_value(tag_match.group(1))
        declaration = declaration[: tag_match.start()].strip()
    names = re.match(r"([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+(\S.*)$", declaration, re.S)
    if names and not declaration.startswith("*"):
        type_expr = names.group(2).strip()
        return [GoField(name.strip(), type_expr, tag) for name in names.group(1).split(",")]
    return [GoField(None, declaration, tag)]


def tag_literal_value(literal: str) -> str:
    """The tag reflect sees: a raw string as written, an interpreted one ("toml:\\"name\\"") unescaped."""
    if literal.startswith("`"):
        return literal[1:-1]
    return ast.literal_eval(literal)  # Go's escapes in a valid literal read the same in Python


def parse_type_declarations(text: str, package: GoPackage, imports: dict[str, str]) -> None:
    for match in re.finditer(r"(?m)^type\s+", text):
        start = match.end()
        if text.startswith("(", start):
            close = matching_close(text, start, "(", ")")
            for spec in split_struct_body(text[start + 1 : close]):
                add_type_spec(spec, package, imports)
        else:
            add_type_spec(read_type_spec(text, start), package, imports)


def read_type_spec(text: str, start: int) -> str:
    """One `Name [=] Type` spec from `start`: to the end of the line, or of the braces it opens."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    brace = text.find("{", start, line_end)
    if brace >= 0:
        return text[start : matching_close(text, brace) + 1]
    return text[start:line_end]


def add_type_spec(spec: str, package: GoPackage, imports: dict[str, str]) -> None:
    found = re.match(r"([A-Za-z_]\w*)(\[[^\]]*\])?\s*(=\s*)?(.*)$", spec.strip(), re.S)
    if not found:
        return
    name, expr = found.group(1), found.group(4).strip()
    declared = GoType(package.name, name, expr, alias=found.group(3) is not None, imports=imports)
    if re.match(r"struct\s*\{", expr):
        declared.expr = "struct"
        declared.fields = struct_fields(expr)
    package.types[name] = declared


def struct_fields(expr: str) -> list[GoField]:
    brace = expr.index("{")
    body = expr[brace + 1 : matching_close(expr, brace)]
    fields: list[GoField] = []
    for declaration in split_struct_body(body):
        fields.extend(parse_field(declaration))
    return fields


def build_ignored(source: str) -> bool:
    """Whether a `//go:build ignore` (or `// +build ignore`) constraint keeps the file out of every build.

    Constraints are line comments before the package clause. Other constraints (GOOS, custom tags) are taken as
    met: the config structs are shared by every platform's build.
    """
    in_block = False
    for raw_line in source.splitlines():
        line = raw_line.strip()
        if in_block or line.startswith("/*"):
            in_block = "*/" not in line
            continue
        if line and not line.startswith("//"):
            return False  # the package clause: no constraint comes after it
        if BUILD_IGNORE.fullmatch(line):
            return True
    return False


def read_package(directory: Path) -> GoPackage:
    package = GoPackage(str(directory))
    for path in sorted(directory.glob("*.go")):
        source = path.read_text(encoding="utf-8")
        if path.name.endswith("_test.go") or build_ignored(source):
            continue
        text = strip_comments(source)
        declared = re.search(r"(?m)^package\s+(\w+)", text)
        if not declared:
            continue
        package.name = declared.group(1)
        parse_type_declarations(text, package, parse_imports(text))
        for receiver, method in METHOD.findall(text):
            target = package.toml_unmarshalers if method == "UnmarshalTOML" else package.text_unmarshalers
            target.add(receiver)
    return package


# --- From Go types to the schema -----------------------------------------------------------------------------


@dataclass
class Scope:
    """Where a type expression is written: its package directory, and the imports of its file."""

    directory: str
    imports: dict[str, str]


class Candidate(NamedTuple):
    """A key a struct gives, possibly promoted from an embedded struct: dominant_field picks among same-named ones."""

    depth: int  # how many embedded structs deep
    key: str
    value_type: object
    tagged: bool  # named by its toml tag: BurntSushi prefers it over untagged fields at the same depth


class SchemaBuilder:
    """Walks the structs reachable from common.Config and records each table's keys and their types."""

    def __init__(self, source_root: Path) -> None:
        self.source_root = source_root
        self.packages: dict[str, GoPackage] = {}
        self.tables: dict[str, list[tuple[str, object]]] = {}
        self.table_names: dict[tuple[str, str], str] = {}

    def package(self, relative: str, where: str) -> GoPackage:
        if relative not in self.packages:
            directory = self.source_root / relative
            if not directory.is_dir():
                raise SchemaError(f"{where}: package directory {relative!r} is missing from {self.source_root}")
            self.packages[relative] = read_package(directory)
        return self.packages[relative]

    def build(self) -> str:
        return self.struct_table(ROOT_PACKAGE, ROOT_STRUCT, ROOT_STRUCT)

    def struct_table(self, package_dir: str, struct_name: str, where: str) -> str:
        """Name of the schema table for a struct, recording the table on first use."""
        key = (package_dir, struct_name)
        if key in self.table_names:
            return self.table_names[key]
        declared = self.declared(package_dir, struct_name, where)
        if declared.expr != "struct":
            raise SchemaError(f"{where}: {declared.name} is not a struct")
        table_name = self.unique_table_name(declared.package, struct_name)
        self.table_names[key] = table_name
        self.tables[table_name] = []  # reserved before recursing: structs may refer to themselves
        self.tables[table_name] = self.keys_of(Scope(package_dir, declared.imports), declared.fields, where)
        return table_name

    def unique_table_name(self, package_name: str, struct_name: str) -> str:
        name = struct_name if package_name == ROOT_PACKAGE else f"{package_name}.{struct_name}"
        suffix = 2
        candidate = name
        while candidate in self.tables:
            candidate = f"{name}{suffix}"
            suffix += 1
        return candidate

    def declared(self, package_dir: str, name: str, where: str) -> GoType:
        package = self.package(package_dir, where)
        if name not in package.types:
            raise SchemaError(f"{where}: type {name} is not declared in package directory {package_dir!r}")
        return package.types[name]

    def keys_of(self, scope: Scope, fields: list[GoField], where: str) -> list[tuple[str, object]]:
        candidates: list[Candidate] = []
        self.collect_keys(scope, fields, where, 0, candidates)
        return resolve_embedding_conflicts(candidates)

    def collect_keys(self, scope: Scope, fields: list[GoField], where: str, depth: int, out: list[Candidate]) -> None:
        for go_field in fields:
            tag_name, skipped = toml_tag(go_field.tag)
            if skipped:
                continue
            field_name = go_field.name or go_field.type_expr.lstrip("*").rsplit(".", 1)[-1]
            if go_field.name is None and not tag_name:
                embedded = self.embedded_struct(scope, go_field.type_expr, where)
                if embedded is not None:
                    embedded_scope, embedded_fields = embedded
                    self.collect_keys(embedded_scope, embedded_fields, f"{where}.{field_name}", depth + 1, out)
                    continue
            if not field_name[0].isupper():
                continue  # unexported: the decoder never fills it
            key = tag_name or field_name
            value_type = self.value_type(scope, go_field.type_expr, f"{where}.{key}")
            if value_type is not None:
                out.append(Candidate(depth, key, value_type, tagged=bool(tag_name)))

    def embedded_struct(self, scope: Scope, type_expr: str, where: str) -> tuple[Scope, list[GoField]] | None:
        """The scope and fields an embedded type flattens, or None when it is not a struct.

        reflect sees the struct behind an alias (`type Creds = docker.Credentials`) or a defined type
        (`type Settings Local`), so both are followed to it.
        """
        target_dir, name, external = self.locate(scope, type_expr.strip().lstrip("*"), where)
        if external:
            return None
        declared = self.declared(target_dir, name, where)
        declared_scope = Scope(target_dir, declared.imports)
        if declared.expr == "struct":
            return declared_scope, declared.fields
        if is_type_name(declared.expr):
            return self.embedded_struct(declared_scope, declared.expr, where)
        return None

    def locate(self, scope: Scope, qualified: str, where: str) -> tuple[str, str, bool]:
        """(package directory or import path, type name, is-external) of a possibly qualified type name."""
        qualified = re.sub(r"\[.*\]$", "", qualified, flags=re.S)  # generic instantiation
        if "." not in qualified:
            return scope.directory, qualified, False
        local, name = qualified.split(".", 1)
        if local not in scope.imports:
            raise SchemaError(f"{where}: package {local!r} of {qualified} is not imported")
        path = scope.imports[local]
        if path == MODULE_PATH or path.startswith(MODULE_PATH + "/"):
            return path[len(MODULE_PATH) + 1 :] or ".", name, False
        return path, name, True

    def value_type(self, scope: Scope, expr: str, where: str) -> object | None:  # noqa: PLR0911 one per Go type form
        # Stripped, not squashed: an inline struct's body is split into fields on its newlines. The keyword tests
        # need the bracket or word boundary after the keyword, so `structuredLogging` stays a type name.
        expr = expr.strip()
        if expr.startswith("*"):
            return self.value_type(scope, expr[1:], where)
        compact = re.sub(r"\s+", "", expr)  # `interface {}`
        if compact in GO_SCALARS:
            return GO_SCALARS[compact]
        if re.match(r"func\s*\(|chan\b|<-", expr):
            return None  # not decodable; such fields carry toml:"-" in practice
        if re.match(r"interface\s*\{", expr):
            return "any"  # the decoder stores whatever TOML value it finds
        if expr.startswith("["):
            return self.list_type(scope, expr, where)
        if re.match(r"map\s*\[", expr):
            return self.map_type(scope, expr, where)
        if re.match(r"struct\s*\{", expr):
            return ("table", self.anonymous_table(scope, expr, where))
        return self.named_type(scope, expr, where)

    def list_type(self, scope: Scope, expr: str, where: str) -> object:
        """A slice or an array: an array of tables when its elements are structs."""
        element = expr[matching_close(expr, 0, "[", "]") + 1 :]
        inner = self.value_type(scope, element, where + "[]")
        if isinstance(inner, tuple) and inner[0] == "table":
            return ("tables", inner[1])
        return ("list", inner)

    def map_type(self, scope: Scope, expr: str, where: str) -> object:
        opening = expr.index("[")
        close = matching_close(expr, opening, "[", "]")
        key_expr = expr[opening + 1 : close].strip()
        if self.value_type(scope, key_expr, where + "{key}") != "string":
            raise SchemaError(f"{where}: map keys of type {key_expr} cannot come from TOML")
        return ("map", self.value_type(scope, expr[close + 1 :], where + "{}"))

    def anonymous_table(self, scope: Scope, expr: str, where: str) -> str:
        name = where.replace("[]", "").replace("{}", "")
        table_name = self.unique_table_name(ROOT_PACKAGE, f"anonymous:{name}")
        self.tables[table_name] = []
        self.tables[table_name] = self.keys_of(scope, struct_fields(expr), where)
        return table_name

    def named_type(self, scope: Scope, expr: str, where: str, methods: bool = True) -> object | None:
        """The type a named type decodes as; with methods=False, as the underlying type of a type defined over it.

        Go gives a defined type (`type Seconds time.Duration`) none of its definition's methods, and BurntSushi's
        special cases match the exact type, so such a type decodes as the plain underlying type.
        """
        target, name, external = self.locate(scope, expr, where)
        if external:
            return external_type(f"{target}.{name}", where, methods)
        package = self.package(target, where)
        qualified = f"{package.name}.{name}"
        if methods and name in package.toml_unmarshalers:
            if qualified not in CUSTOM_DECODERS:
                raise SchemaError(f"{where}: {qualified} has its own UnmarshalTOML; add it to CUSTOM_DECODERS")
            return CUSTOM_DECODERS[qualified]
        if methods and name in package.text_unmarshalers:
            return "string"
        declared = self.declared(target, name, where)
        if declared.expr == "struct":
            return ("table", self.struct_table(target, name, where))
        declared_scope = Scope(target, declared.imports)
        if is_type_name(declared.expr) and not (methods and declared.alias):
            return self.named_type(declared_scope, declared.expr, where, methods=False)
        return self.value_type(declared_scope, declared.expr, where)


def is_type_name(expr: str) -> bool:
    """Whether a type expression names a declared type (not a predeclared one, nor a type literal)."""
    return TYPE_NAME.fullmatch(expr) is not None and expr not in GO_SCALARS


def external_type(qualified: str, where: str, methods: bool) -> object:
    if not methods:
        if qualified not in EXTERNAL_UNDERLYING:
            raise SchemaError(f"{where}: a type defined over {qualified} needs its entry in EXTERNAL_UNDERLYING")
        return EXTERNAL_UNDERLYING[qualified]
    if qualified not in EXTERNAL_TYPES:
        raise SchemaError(f"{where}: external type {qualified} needs an entry in EXTERNAL_TYPES")
    return EXTERNAL_TYPES[qualified]


def toml_tag(tag: str | None) -> tuple[str, bool]:
    """(key name from the tag or "", whether the field is skipped)."""
    if not tag:
        return "", False
    found = TAG_TOML.search(tag)
    if not found:
        return "", False
    name = found.group(1).split(",", 1)[0]
    return ("", True) if name == "-" else (name, False)


def resolve_embedding_conflicts(candidates: list[Candidate]) -> list[tuple[str, object]]:
    """The keys a struct gives, in declaration order, each from the field BurntSushi/toml's dominantField picks."""
    indexes_by_key: dict[str, list[int]] = {}
    for index, candidate in enumerate(candidates):
        indexes_by_key.setdefault(candidate.key, []).append(index)
    winners = {dominant_field(candidates, indexes) for indexes in indexes_by_key.values()}
    return [(candidate.key, candidate.value_type) for index, candidate in enumerate(candidates) if index in winners]


def dominant_field(candidates: list[Candidate], indexes: list[int]) -> int | None:
    """Of the fields giving one key, only the shallowest count; a single tagged one among them wins, else a single
    field; two tagged ones, or two untagged ones with none tagged, cancel out (Go's promotion rule, plus tags)."""
    depth = min(candidates[index].depth for index in indexes)
    shallowest = [index for index in indexes if candidates[index].depth == depth]
    tagged = [index for index in shallowest if candidates[index].tagged]
    contenders = tagged or shallowest
    return contenders[0] if len(contenders) == 1 else None


# --- Writing the schema module -------------------------------------------------------------------------------

HEADER = '''\
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Generated by hacking/generate_runner_config_schema.py. Do not edit: regenerate from a gitlab-runner tree.
"""The keys of GitLab Runner's config.toml and the type the runner decodes each as, read from its Go structs.

TABLES maps a table name to its keys in the runner's declaration order (the order the renderer writes them).
A type is a scalar name (string, bool, int8..int64, uint8..uint64, float, duration, datetime, string_or_list,
any), ("list", type), ("map", type) for an open table, ("table", name) or ("tables", name) for an array of tables.
"""

from __future__ import annotations

RUNNER_VERSION = {version}
SOURCE = {source}
ROOT_TABLE = {root}

TABLES = {{
'''


def python_literal(value: object) -> str:
    """A string or a nested tuple of strings, written the way ruff format leaves it (double quotes)."""
    if isinstance(value, tuple):
        items = ", ".join(python_literal(item) for item in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    return json.dumps(value)


def render_schema(tables: dict[str, list[tuple[str, object]]], version: str, source: str, root: str) -> str:
    header = HEADER.format(version=json.dumps(version), source=json.dumps(source), root=json.dumps(root))
    lines: list[str] = []
    for table_name in sorted(tables):
        lines.extend(table_lines(table_name, tables[table_name]))
    return header + "".join(f"{line}\n" for line in lines) + "}\n"


def table_lines(table_name: str, entries: list[tuple[str, object]]) -> list[str]:
    """One table as ruff format writes it: `()` when empty, one line for a single entry that fits, else one entry
    per line (the trailing comma keeps ruff from joining them)."""
    name = json.dumps(table_name)
    one_line = f"    {name}: {python_literal(tuple(entries))},"
    if not entries or (len(entries) == 1 and len(one_line) <= LINE_LENGTH):
        return [one_line]
    lines = [f"    {name}: ("]
    for entry in entries:
        lines.extend(wrapped_lines(entry, " " * 8))
    lines.append("    ),")
    return lines


def wrapped_lines(value: object, indent: str) -> list[str]:
    """`value,` at `indent`; a tuple too long for the line is split the way ruff format splits it: one element per
    line, each with a trailing comma, and so on inward."""
    line = f"{indent}{python_literal(value)},"
    if len(line) <= LINE_LENGTH or not isinstance(value, tuple):
        return [line]
    inner = [item_line for item in value for item_line in wrapped_lines(item, indent + " " * 4)]
    return [f"{indent}(", *inner, f"{indent}),"]


def source_version(source_root: Path) -> str:
    version_file = source_root / "VERSION"
    if not version_file.is_file():
        raise SchemaError(f"{version_file} is missing: the schema must say which runner version it describes")
    return version_file.read_text(encoding="utf-8").strip()


def source_commit(source_root: Path) -> str:
    try:
        result = subprocess.run(  # noqa: S603 fixed arguments; git from PATH, as a developer runs it
            ["git", "-C", str(source_root), "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def generate(source_root: Path, commit: str | None = None) -> str:
    builder = SchemaBuilder(source_root)
    root = builder.build()
    source = f"gitlab-runner {source_version(source_root)} at commit {commit or source_commit(source_root)}"
    return render_schema(builder.tables, source_version(source_root), source, root)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_root", type=Path, help="a gitlab-runner checkout (or its Go struct files)")
    parser.add_argument("--commit", help="the commit the tree is at, when it is not a git checkout")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        text = generate(args.source_root, args.commit)
    except SchemaError as error:
        print(f"generate_runner_config_schema: {error}", file=sys.stderr)
        return 1
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
