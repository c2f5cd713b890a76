"""YAML read safely, with the line of every key and item, and typed field readers.

Only ``yaml.SafeLoader`` (its C twin when present) builds values: no tag can run code.
Mappings come back as ``YamlMap`` (a dict that knows the line of each key) and sequences
as ``YamlList`` (a list that knows the line of each item), so that a validator can name
the line of the field it rejects. Dates stay strings (``2016-09-21``): the validators parse
them, so an impossible date is a problem with a line rather than a crash in the loader.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import yaml

from pipeline._errors import Problem

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_BOM = "\ufeff"
# longest excerpt of a bad value quoted in a message
_REPR_LIMIT = 60

# the C parser is five times faster, but crashes the process on YAML nested some ten
# thousand levels deep: past this bound on the nesting, the Python parser reads the file
_C_NESTING_LIMIT = 2000
_BRACKETS = re.compile(r"[\[\]{}]")
# the tags of an untagged mapping and list; any other tag on them is refused
_PLAIN_TAGS = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}
_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Loader(yaml.SafeLoader):
    """The safe loader without the implicit timestamp type: dates stay strings."""

    yaml_implicit_resolvers = _RESOLVERS


class _CLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same, on the C parser when PyYAML has it."""

    yaml_implicit_resolvers = _RESOLVERS


def _loader(text: str) -> Any:
    """A safe loader over ``text``: on the C parser unless the text may nest too deep for it."""
    return (_CLoader if _nesting_bound(text) < _C_NESTING_LIMIT else _Loader)(text)


def safe_data(text: str) -> Any:
    """The plain values of a trusted YAML document (the package's own data files): the safe
    constructor on the C parser when the nesting allows it (five times faster than
    ``yaml.safe_load``, which matters at every start-up). Dates stay strings."""
    loader = _loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _nesting_bound(text: str) -> int:
    """An upper bound on how deep ``text`` nests: flow brackets plus block indentation."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    block = max((len(line) - len(line.lstrip(" -?:")) for line in text.split("\n")), default=0)
    return deepest + block


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML: ``line`` of its first key, ``key_lines`` of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A sequence read from YAML: ``line`` of its start, ``item_lines`` of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(container: Any, key: Any = None, *, default: int = 1) -> int:
    """The line of ``container[key]`` (or of the container itself), else ``default``."""
    if isinstance(container, (YamlMap, YamlList)):
        return container.line if key is None else container.line_of(key)
    return default


def read_text(path: str | Path, problems: list[Problem]) -> tuple[str | None, bytes]:
    """The text of a UTF-8 file (a BOM dropped) and its bytes; a problem when unreadable."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        problems.append(Problem(str(path), 1, "file not found"))
        return None, b""
    except OSError as error:
        problems.append(Problem(str(path), 1, f"cannot read the file: {error.strerror or error}"))
        return None, b""
    return decode_utf8(data, path=str(path), problems=problems), data


def decode_utf8(data: bytes, *, path: str, problems: list[Problem]) -> str | None:
    """Decodes UTF-8 (a leading BOM dropped); a problem on the line of the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        msg = (
            f"not valid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start} "
            "(save the file as UTF-8)"
        )
        problems.append(Problem(path, line, msg))
        return None
    return text[1:] if text.startswith(_BOM) else text


def parse_yaml(text: str, *, path: str, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parses one YAML document; line numbers start at ``first_line``. Never raises."""
    problems: list[Problem] = []
    loader = _loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark is not None else 0)
        reason = error.problem or error.context or "syntax error"
        if mark is not None and "cannot start any token" in reason:
            reason = _name_character(text, mark.line, mark.column, reason)
        # say where an unclosed bracket or quote began, when that is another line
        if error.context and error.context_mark is not None and error.problem:
            context_line = first_line + error.context_mark.line
            if context_line != line:
                reason = f"{reason}, {error.context} that starts at line {context_line}"
        problems.append(Problem(path, line, f"invalid YAML: {reason}"))
        return None, problems
    except yaml.YAMLError as error:
        problems.append(Problem(path, first_line, f"invalid YAML: {error}"))
        return None, problems
    except RecursionError:
        problems.append(Problem(path, first_line, "invalid YAML: nested too deeply"))
        return None, problems
    finally:
        loader.dispose()
    if node is None:
        return None, problems
    builder = _Builder(loader, path=path, first_line=first_line, problems=problems)
    try:
        return builder.build(node), problems
    except RecursionError:
        problems.append(Problem(path, first_line, "invalid YAML: nested too deeply"))
        return None, problems


def _name_character(text: str, line: int, column: int, reason: str) -> str:
    """The scanner's complaint with the character it stopped at (the C parser omits it)."""
    rows = text.split("\n")
    found = rows[line][column] if 0 <= line < len(rows) and 0 <= column < len(rows[line]) else ""
    if found == "\t":
        return "a tab character, which YAML does not allow here: indent with spaces"
    return f"found character {found!r} that cannot start any token" if found else reason


class _Builder:
    """Turns a composed YAML node tree into YamlMap / YamlList / plain scalars."""

    def __init__(self, loader: Any, *, path: str, first_line: int, problems: list[Problem]) -> None:
        self.loader = loader
        self.path = path
        self.first_line = first_line
        self.problems = problems
        # aliases point at nodes already built: build each node once (no alias bomb)
        self.built: dict[int, Any] = {}

    def line(self, node: yaml.Node) -> int:
        return int(self.first_line + node.start_mark.line)

    def build(self, node: yaml.Node) -> Any:
        if id(node) in self.built:
            return self.built[id(node)]
        # a tag on a mapping or a list would be dropped in silence: say it is not plain YAML
        # (on a scalar, the safe constructor refuses it with its own message)
        plain = _PLAIN_TAGS.get(type(node))
        if plain is not None and node.tag != plain:
            msg = f"invalid YAML value: the tag {node.tag!r} is not allowed (write plain YAML)"
            self.problems.append(Problem(self.path, self.line(node), msg))
            self.built[id(node)] = None
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node)
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
            reason = getattr(error, "problem", None) or str(error)
            msg = f"invalid YAML value: {reason}"
            self.problems.append(Problem(self.path, self.line(node), msg))
            value = None
        self.built[id(node)] = value
        return value

    def _sequence(self, node: yaml.SequenceNode) -> YamlList:
        items = YamlList()
        items.line = self.line(node)
        items.item_lines = []
        self.built[id(node)] = items
        for child in node.value:
            items.item_lines.append(self.line(child))
            items.append(self.build(child))
        return items

    def _mapping(self, node: yaml.MappingNode) -> YamlMap:
        mapping = YamlMap()
        mapping.line = self.line(node)
        mapping.key_lines = {}
        self.built[id(node)] = mapping
        # merge keys (<<: *anchor) become plain keys first
        try:
            self.loader.flatten_mapping(node)
        except yaml.YAMLError as error:
            reason = getattr(error, "problem", None) or str(error)
            self.problems.append(Problem(self.path, self.line(node), f"invalid YAML: {reason}"))
        for key_node, value_node in node.value:
            line = self.line(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.path, line, "a key must be a plain value"))
                continue
            key = self._scalar(key_node)
            if key in mapping.key_lines:
                first = mapping.key_lines[key]
                msg = f"duplicate key {key!r} (first at line {first})"
                self.problems.append(Problem(self.path, line, msg))
                continue
            mapping.key_lines[key] = line
            mapping[key] = self.build(value_node)
        return mapping


def show(value: Any) -> str:
    """``repr`` of a value for a message, cut when long."""
    text = repr(value)
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


class Fields:
    """Reads the typed fields of one YAML mapping; each bad field adds one Problem.

    ``label`` names the entry (``district 'foo'``) and ``prefix`` the path of the mapping
    inside it (``location.``), so that messages read
    ``district 'foo': location.lat must be a number, got 'abc'``.
    """

    def __init__(
        self,
        mapping: Any,
        *,
        path: str,
        problems: list[Problem],
        label: str = "",
        prefix: str = "",
        line: int = 1,
    ) -> None:
        self.mapping = mapping if isinstance(mapping, dict) else {}
        self.path = path
        self.problems = problems
        self.label = label
        self.prefix = prefix
        self.line = line_of(mapping, default=line)

    def line_of(self, key: str | None = None) -> int:
        return line_of(self.mapping, key, default=self.line) if key else self.line

    def add(self, key: str | None, message: str) -> None:
        """A problem about ``key`` (or about the whole entry when None), at its line."""
        field = f"{self.prefix}{key}" if key else self.prefix.rstrip(".")
        text = f"{field} {message}" if field else message
        if self.label:
            text = f"{self.label}: {text}"
        self.problems.append(Problem(self.path, self.line_of(key), text))

    def has(self, key: str) -> bool:
        return key in self.mapping and self.mapping[key] is not None

    def get(self, key: str, *, required: bool = False) -> Any:
        if not self.has(key):
            if required:
                self.add(key, "is missing")
            return None
        return self.mapping[key]

    def text(self, key: str, *, required: bool = False, scalar: bool = False) -> str | None:
        """A non-empty string; with ``scalar``, numbers are taken as their text."""
        value = self.get(key, required=required)
        if value is None:
            return None
        if scalar and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.add(key, f"must be a string, got {show(value)}")
            return None
        if not value.strip():
            self.add(key, "must not be empty")
            return None
        return value

    def number(self, key: str, *, required: bool = False) -> float | None:
        """A finite int or float (not a bool, not a string)."""
        value = self.get(key, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(key, f"must be a number, got {show(value)}")
            return None
        if not math.isfinite(value):
            self.add(key, f"must be a finite number, got {show(value)}")
            return None
        return float(value)

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        """An ISO date ``YYYY-MM-DD`` that exists on the calendar."""
        value = self.get(key, required=required)
        if value is None:
            return None
        parsed, error = parse_date(value)
        if error:
            self.add(key, error)
        return parsed

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of non-empty strings (a single string counts as a list of one)."""
        value = self.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add(key, f"must be a list of strings, got {show(value)}")
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                line = line_of(value, index, default=self.line_of(key))
                msg = f"{self.prefix}{key}[{index}] must be a non-empty string, got {show(item)}"
                msg = f"{self.label}: {msg}" if self.label else msg
                self.problems.append(Problem(self.path, line, msg))
                continue
            items.append(item)
        return tuple(items)

    def mapping_of(self, key: str, *, required: bool = False) -> YamlMap | None:
        value = self.get(key, required=required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(key, f"must be a mapping, got {show(value)}")
            return None
        return value  # type: ignore[return-value]

    def nested(self, key: str, mapping: Any) -> Fields:
        """Fields of the mapping under ``key``, with the same label and a longer prefix."""
        return Fields(
            mapping,
            path=self.path,
            problems=self.problems,
            label=self.label,
            prefix=f"{self.prefix}{key}.",
            line=self.line_of(key),
        )

    def unknown(self, allowed: set[str] | frozenset[str]) -> None:
        """A problem for each key not in ``allowed`` (a typo in a hand-edited file)."""
        for key in self.mapping:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.add(str(key), f"is not a known key (expected one of: {expected})")


def parse_date(value: Any) -> tuple[dt.date | None, str | None]:
    """An ISO date from YAML: (date, None), or (None, the reason it is not one)."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        return None, f"must be an ISO date YYYY-MM-DD, got {show(value)}"
    try:
        return dt.date.fromisoformat(value.strip()), None
    except ValueError:
        return None, f"is not a real date: {show(value)}"
