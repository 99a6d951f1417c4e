"""Instrument definitions: load and validate a definition file.

A definition file is a FHIR R4 SDC Questionnaire (JSON) with one extra top-level member,
``scoring``, that holds OpenIOP's scoring rules. docs/instruments.md describes the format.

Loading is all-or-nothing: ``parse_definition`` either returns a complete, immutable
``Definition`` or raises ``DefinitionError`` naming the file, the JSON line (for syntax errors)
or the field path (for everything else). Callers never see a partially valid definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeGuard

ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
LOINC = "http://loinc.org"

SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"

ITEM_TYPES = {"display", "choice", "integer", "text"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# What a site-loaded instrument may be used for besides being administered (scoring.use):
# a suicide-risk assessment (e.g. a site-licensed C-SSRS) may stand in for the structured
# questions of the brief safety assessment (docs/safety.md).
SUICIDE_RISK_ASSESSMENT = "suicide_risk_assessment"
USES = {SUICIDE_RISK_ASSESSMENT}


class DefinitionError(ValueError):
    """A definition file is malformed. ``path`` is the field path, e.g. ``item[3].linkId``."""

    def __init__(self, message: str, *, path: str = "", source: str = "", line: int | None = None):
        self.message = message
        self.path = path
        self.source = source
        self.line = line
        where = source or "definition"
        if line is not None:
            where += f", line {line}"
        if path:
            where += f", field {path}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str = ""

    def as_fhir(self) -> dict[str, str]:
        data = {"system": self.system, "code": self.code}
        if self.display:
            data["display"] = self.display
        return data


@dataclass(frozen=True)
class AnswerOption:
    coding: Coding
    score: int | None

    @property
    def code(self) -> str:
        return self.coding.code

    @property
    def label(self) -> str:
        return self.coding.display or self.coding.code


@dataclass(frozen=True)
class EnableWhen:
    question: str
    answer_code: str


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: str
    required: bool = False
    codes: tuple[Coding, ...] = ()
    options: tuple[AnswerOption, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "any"
    # FHIR ``prefix``: the number shown for the question (e.g. "4a"); None means count it.
    prefix: str | None = None

    @property
    def is_question(self) -> bool:
        return self.type != "display"

    @property
    def is_scored(self) -> bool:
        if self.type == "integer":
            return True
        return self.type == "choice" and all(o.score is not None for o in self.options)

    def option(self, code: str) -> AnswerOption | None:
        for option in self.options:
            if option.code == code:
                return option
        return None

    @property
    def score_range(self) -> tuple[int, int]:
        if self.type == "integer":
            assert self.min_value is not None and self.max_value is not None
            return self.min_value, self.max_value
        scores = [o.score for o in self.options if o.score is not None]
        return min(scores), max(scores)


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    code: str
    label: str

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class Score:
    id: str
    label: str
    items: tuple[str, ...]
    min: int
    max: int
    code: Coding | None = None
    bands: tuple[Band, ...] = ()

    def band_for(self, value: int) -> Band | None:
        for band in self.bands:
            if band.contains(value):
                return band
        return None


@dataclass(frozen=True)
class Finding:
    id: str
    label: str
    condition: Mapping[str, Any]


@dataclass(frozen=True)
class AlertRule:
    """Which safety acuity rule (openiop.safety.acuity.RULES) a critical item's hit matches:
    an answer scoring ``min_score`` or more, or (``missing``) no answer."""

    rule: str
    min_score: int | None = None
    missing: bool = False

    def matches(self, score: int | None) -> bool:
        if score is None:
            return self.missing
        return self.min_score is not None and score >= self.min_score


DEFAULT_ALERT_RULE = "critical_item"
RULE_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class CriticalItem:
    id: str
    item: str
    label: str
    min_score: int
    when_missing: bool = False
    alert_rules: tuple[AlertRule, ...] = ()

    def rule_for(self, score: int | None) -> str:
        """The first alert rule this hit matches (score None = not answered)."""
        for alert_rule in self.alert_rules:
            if alert_rule.matches(score):
                return alert_rule.rule
        return DEFAULT_ALERT_RULE


@dataclass(frozen=True)
class Definition:
    id: str
    url: str
    version: str
    title: str
    copyright: str
    validated: bool
    items: tuple[Item, ...]
    scores: tuple[Score, ...] = ()
    findings: tuple[Finding, ...] = ()
    critical_items: tuple[CriticalItem, ...] = ()
    code: Coding | None = None
    use: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}"

    @property
    def questions(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_question)

    def item(self, link_id: str) -> Item:
        for item in self.items:
            if item.link_id == link_id:
                return item
        raise KeyError(link_id)

    def questionnaire(self) -> dict[str, Any]:
        """The FHIR Questionnaire part of the file (without OpenIOP's ``scoring``)."""
        return {k: v for k, v in self.raw.items() if k != "scoring"}


# --- loading -------------------------------------------------------------------------------


def load_definition(path: str | Path) -> Definition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"cannot read file ({exc})", source=path.name) from exc
    return parse_definition(text, source=path.name)


def shipped_definitions() -> dict[str, Definition]:
    """The instruments that ship with OpenIOP, by id."""
    definitions = [load_definition(p) for p in sorted(SHIPPED_DIR.glob("*.json"))]
    return {d.id: d for d in definitions}


def parse_definition(text: str, *, source: str = "definition") -> Definition:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", source=source, line=exc.lineno
        ) from exc
    try:
        return _Parser(data).definition()
    except DefinitionError as exc:
        exc.source = source
        raise DefinitionError(exc.message, path=exc.path, source=source) from None


class _Parser:
    def __init__(self, data: Any):
        self.data = data

    def definition(self) -> Definition:
        data = _obj(self.data, "")
        if data.get("resourceType") != "Questionnaire":
            raise DefinitionError('must be "Questionnaire"', path="resourceType")
        def_id = _str(data, "id", "")
        if not ID_PATTERN.match(def_id):
            raise DefinitionError(
                "must be lower-case letters, digits and hyphens (at most 63)", path="id"
            )
        url = _str(data, "url", "")
        version = _str(data, "version", "")
        title = _str(data, "title", "")
        copyright_ = _str(data, "copyright", "")
        if data.get("status") not in ("draft", "active", "retired"):
            raise DefinitionError('must be "draft", "active" or "retired"', path="status")
        code = None
        if "code" in data:
            codes = _list(data["code"], "code")
            code = _coding(codes[0], "code[0]") if codes else None

        items = self._items(data)
        by_id = {item.link_id: item for item in items}
        self._enable_when(items, by_id)

        scoring = _obj(data.get("scoring"), "scoring")
        validated = scoring.get("validated")
        if not isinstance(validated, bool):
            raise DefinitionError("must be true or false", path="scoring.validated")
        scores = self._scores(scoring, by_id)
        score_ids = {s.id for s in scores}
        findings = self._findings(scoring, by_id, score_ids)
        critical = self._critical(scoring, by_id)
        use = scoring.get("use", "")
        if use != "" and use not in USES:
            raise DefinitionError(f"must be one of: {', '.join(sorted(USES))}", path="scoring.use")
        for key in scoring:
            if key not in {"validated", "scores", "findings", "criticalItems", "use"}:
                raise DefinitionError("unknown member", path=f"scoring.{key}")

        _validate_fhir({k: v for k, v in data.items() if k != "scoring"})
        return Definition(
            id=def_id,
            url=url,
            version=version,
            title=title,
            copyright=copyright_,
            validated=validated,
            items=tuple(items),
            scores=tuple(scores),
            findings=tuple(findings),
            critical_items=tuple(critical),
            code=code,
            use=use,
            raw=data,
        )

    def _items(self, data: dict[str, Any]) -> list[Item]:
        raw_items = _list(data.get("item"), "item")
        if not raw_items:
            raise DefinitionError("must list at least one item", path="item")
        items: list[Item] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_items):
            at = f"item[{index}]"
            raw = _obj(raw, at)
            link_id = _str(raw, "linkId", at)
            at = f"item[{index}] (linkId {link_id!r})"
            if link_id in seen:
                raise DefinitionError(f"duplicate linkId {link_id!r}", path=f"{at}.linkId")
            seen.add(link_id)
            item_type = raw.get("type")
            if not isinstance(item_type, str) or item_type not in ITEM_TYPES:
                raise DefinitionError(
                    f"unsupported type {item_type!r}; use one of {sorted(ITEM_TYPES)}",
                    path=f"{at}.type",
                )
            if "item" in raw:
                raise DefinitionError("nested items are not supported", path=f"{at}.item")
            text = _str(raw, "text", at)
            required = raw.get("required", False)
            if not isinstance(required, bool):
                raise DefinitionError("must be true or false", path=f"{at}.required")
            codes = tuple(
                _coding(c, f"{at}.code[{i}]")
                for i, c in enumerate(_list(raw.get("code", []), f"{at}.code"))
            )
            options: tuple[AnswerOption, ...] = ()
            min_value = max_value = None
            if item_type == "choice":
                options = self._options(raw, at)
            elif item_type == "integer":
                min_value = _extension_int(raw, MIN_VALUE_URL, "valueInteger", at)
                max_value = _extension_int(raw, MAX_VALUE_URL, "valueInteger", at)
                if min_value is None or max_value is None or min_value > max_value:
                    raise DefinitionError(
                        "integer items need minValue and maxValue extensions (min <= max)",
                        path=f"{at}.extension",
                    )
            elif "answerOption" in raw:
                raise DefinitionError(
                    "only choice items have answer options", path=f"{at}.answerOption"
                )
            behavior = raw.get("enableBehavior", "any")
            if behavior not in ("any", "all"):
                raise DefinitionError('must be "any" or "all"', path=f"{at}.enableBehavior")
            enable_when = tuple(
                self._condition(c, f"{at}.enableWhen[{i}]")
                for i, c in enumerate(_list(raw.get("enableWhen", []), f"{at}.enableWhen"))
            )
            prefix = raw.get("prefix")
            if prefix is not None and (not isinstance(prefix, str) or not prefix.strip()):
                raise DefinitionError("must be non-empty text", path=f"{at}.prefix")
            items.append(
                Item(
                    link_id=link_id,
                    type=item_type,
                    text=text,
                    required=required,
                    codes=codes,
                    options=options,
                    min_value=min_value,
                    max_value=max_value,
                    enable_when=enable_when,
                    enable_behavior=behavior,
                    prefix=prefix,
                )
            )
        return items

    def _options(self, raw: dict[str, Any], at: str) -> tuple[AnswerOption, ...]:
        raw_options = _list(raw.get("answerOption"), f"{at}.answerOption")
        if len(raw_options) < 2:
            raise DefinitionError(
                "choice items need at least two answer options", path=f"{at}.answerOption"
            )
        options = []
        codes: set[str] = set()
        for i, raw_option in enumerate(raw_options):
            opt_at = f"{at}.answerOption[{i}]"
            raw_option = _obj(raw_option, opt_at)
            coding = _coding(raw_option.get("valueCoding"), f"{opt_at}.valueCoding")
            if coding.code in codes:
                raise DefinitionError(
                    f"duplicate answer code {coding.code!r}", path=f"{opt_at}.valueCoding.code"
                )
            codes.add(coding.code)
            score = _extension_int(raw_option, ORDINAL_VALUE_URL, "valueDecimal", opt_at)
            options.append(AnswerOption(coding=coding, score=score))
        scored = [o.score is not None for o in options]
        if any(scored) and not all(scored):
            raise DefinitionError(
                "either every answer option has an ordinalValue or none does",
                path=f"{at}.answerOption",
            )
        return tuple(options)

    def _condition(self, raw: Any, at: str) -> EnableWhen:
        raw = _obj(raw, at)
        question = _str(raw, "question", at)
        if raw.get("operator") != "=":
            raise DefinitionError('only the "=" operator is supported', path=f"{at}.operator")
        coding = _coding(raw.get("answerCoding"), f"{at}.answerCoding")
        return EnableWhen(question=question, answer_code=coding.code)

    def _enable_when(self, items: list[Item], by_id: dict[str, Item]) -> None:
        position = {item.link_id: i for i, item in enumerate(items)}
        for index, item in enumerate(items):
            for i, condition in enumerate(item.enable_when):
                at = f"item[{index}] (linkId {item.link_id!r}).enableWhen[{i}]"
                target = by_id.get(condition.question)
                if target is None or position[condition.question] >= index:
                    raise DefinitionError(
                        f"question {condition.question!r} must be an earlier item",
                        path=f"{at}.question",
                    )
                if target.type != "choice" or target.option(condition.answer_code) is None:
                    raise DefinitionError(
                        f"{condition.answer_code!r} is not an answer of {condition.question!r}",
                        path=f"{at}.answerCoding.code",
                    )

    def _scores(self, scoring: dict[str, Any], by_id: dict[str, Item]) -> list[Score]:
        scores: list[Score] = []
        for index, raw in enumerate(_list(scoring.get("scores", []), "scoring.scores")):
            at = f"scoring.scores[{index}]"
            raw = _obj(raw, at)
            score_id = _str(raw, "id", at)
            if any(s.id == score_id for s in scores):
                raise DefinitionError(f"duplicate score id {score_id!r}", path=f"{at}.id")
            if raw.get("method", "sum") != "sum":
                raise DefinitionError('only "sum" is supported', path=f"{at}.method")
            link_ids = _list(raw.get("items"), f"{at}.items")
            if not link_ids:
                raise DefinitionError("must list at least one item", path=f"{at}.items")
            for i, link_id in enumerate(link_ids):
                item = by_id.get(link_id) if isinstance(link_id, str) else None
                if item is None:
                    raise DefinitionError(f"unknown item {link_id!r}", path=f"{at}.items[{i}]")
                if not item.is_scored:
                    raise DefinitionError(
                        f"item {link_id!r} has no scores (ordinalValue)", path=f"{at}.items[{i}]"
                    )
            if len(set(link_ids)) != len(link_ids):
                raise DefinitionError("lists an item twice", path=f"{at}.items")
            low = sum(by_id[i].score_range[0] for i in link_ids)
            high = sum(by_id[i].score_range[1] for i in link_ids)
            code = _coding(raw["code"], f"{at}.code") if "code" in raw else None
            bands = self._bands(raw, at, low, high)
            scores.append(
                Score(
                    id=score_id,
                    label=_str(raw, "label", at),
                    items=tuple(link_ids),
                    min=low,
                    max=high,
                    code=code,
                    bands=bands,
                )
            )
        return scores

    def _bands(self, raw: dict[str, Any], at: str, low: int, high: int) -> tuple[Band, ...]:
        raw_bands = _list(raw.get("bands", []), f"{at}.bands")
        bands = []
        expected = low
        for i, raw_band in enumerate(raw_bands):
            band_at = f"{at}.bands[{i}]"
            raw_band = _obj(raw_band, band_at)
            band_min, band_max = raw_band.get("min"), raw_band.get("max")
            if not _is_int(band_min) or not _is_int(band_max) or band_min > band_max:
                raise DefinitionError("min and max must be whole numbers, min <= max", path=band_at)
            if band_min != expected:
                raise DefinitionError(
                    f"bands must be in order and leave no gap: expected min {expected}",
                    path=f"{band_at}.min",
                )
            expected = band_max + 1
            bands.append(
                Band(
                    min=band_min,
                    max=band_max,
                    code=_str(raw_band, "code", band_at),
                    label=_str(raw_band, "label", band_at),
                )
            )
        if bands and expected != high + 1:
            raise DefinitionError(
                f"bands must end at the highest possible score {high}",
                path=f"{at}.bands[{len(bands) - 1}].max",
            )
        return tuple(bands)

    def _findings(
        self, scoring: dict[str, Any], by_id: dict[str, Item], score_ids: set[str]
    ) -> list[Finding]:
        findings: list[Finding] = []
        for index, raw in enumerate(_list(scoring.get("findings", []), "scoring.findings")):
            at = f"scoring.findings[{index}]"
            raw = _obj(raw, at)
            finding_id = _str(raw, "id", at)
            if any(f.id == finding_id for f in findings):
                raise DefinitionError(f"duplicate finding id {finding_id!r}", path=f"{at}.id")
            _check_rule(raw.get("when"), f"{at}.when", by_id, score_ids)
            findings.append(
                Finding(id=finding_id, label=_str(raw, "label", at), condition=raw["when"])
            )
        return findings

    def _critical(self, scoring: dict[str, Any], by_id: dict[str, Item]) -> list[CriticalItem]:
        critical: list[CriticalItem] = []
        raw_list = _list(scoring.get("criticalItems", []), "scoring.criticalItems")
        for index, raw in enumerate(raw_list):
            at = f"scoring.criticalItems[{index}]"
            raw = _obj(raw, at)
            critical_id = _str(raw, "id", at)
            if any(c.id == critical_id for c in critical):
                raise DefinitionError(f"duplicate id {critical_id!r}", path=f"{at}.id")
            link_id = _str(raw, "item", at)
            item = by_id.get(link_id)
            if item is None or not item.is_scored:
                raise DefinitionError(f"{link_id!r} is not a scored item", path=f"{at}.item")
            min_score = raw.get("scoreAtLeast")
            low, high = item.score_range
            if not _is_int(min_score) or not low < min_score <= high:
                raise DefinitionError(
                    f"must be a whole number above {low} and at most {high}",
                    path=f"{at}.scoreAtLeast",
                )
            when_missing = raw.get("whenMissing", False)
            if not isinstance(when_missing, bool):
                raise DefinitionError("must be true or false", path=f"{at}.whenMissing")
            if when_missing and not item.required:
                raise DefinitionError("whenMissing needs a required item", path=f"{at}.whenMissing")
            critical.append(
                CriticalItem(
                    id=critical_id,
                    item=link_id,
                    label=_str(raw, "label", at),
                    min_score=min_score,
                    when_missing=when_missing,
                    alert_rules=self._alert_rules(raw, at, min_score, when_missing),
                )
            )
        return critical

    def _alert_rules(
        self, raw: dict[str, Any], at: str, min_score: int, when_missing: bool
    ) -> tuple[AlertRule, ...]:
        """``alertRules``: [{"scoreAtLeast": n, "rule": key} | {"missing": true, "rule": key}],
        first match wins; a hit that matches none is ``critical_item``."""
        rules: list[AlertRule] = []
        for i, entry in enumerate(_list(raw.get("alertRules", []), f"{at}.alertRules")):
            entry_at = f"{at}.alertRules[{i}]"
            entry = _obj(entry, entry_at)
            rule = _str(entry, "rule", entry_at)
            if not RULE_PATTERN.match(rule):
                raise DefinitionError(
                    "must be lower-case letters, digits and underscores (at most 40)",
                    path=f"{entry_at}.rule",
                )
            if set(entry) == {"rule", "scoreAtLeast"}:
                score = entry["scoreAtLeast"]
                if not _is_int(score) or score < min_score:
                    raise DefinitionError(
                        f"must be a whole number of at least {min_score}",
                        path=f"{entry_at}.scoreAtLeast",
                    )
                rules.append(AlertRule(rule=rule, min_score=score))
            elif set(entry) == {"rule", "missing"} and entry["missing"] is True:
                if not when_missing:
                    raise DefinitionError(
                        "a missing-answer rule needs whenMissing", path=f"{entry_at}.missing"
                    )
                rules.append(AlertRule(rule=rule, missing=True))
            else:
                raise DefinitionError(
                    'give "rule" and either "scoreAtLeast" or "missing": true', path=entry_at
                )
        return tuple(rules)


def _check_rule(raw: Any, at: str, by_id: dict[str, Item], score_ids: set[str]) -> None:
    """Rules: {"all": [...]}, {"any": [...]}, {"not": rule}, {"score": id, "atLeast": n},
    {"items": [...], "scoreAtLeast": n, "countAtLeast": k, "missingCounts": bool}."""
    raw = _obj(raw, at)
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        parts = _list(raw[key], f"{at}.{key}")
        if not parts or len(raw) != 1:
            raise DefinitionError(f'"{key}" needs a non-empty list and nothing else', path=at)
        for i, part in enumerate(parts):
            _check_rule(part, f"{at}.{key}[{i}]", by_id, score_ids)
    elif "not" in raw:
        if len(raw) != 1:
            raise DefinitionError('"not" takes one rule and nothing else', path=at)
        _check_rule(raw["not"], f"{at}.not", by_id, score_ids)
    elif "score" in raw:
        if not isinstance(raw["score"], str) or raw["score"] not in score_ids:
            raise DefinitionError(f"unknown score {raw['score']!r}", path=f"{at}.score")
        if set(raw) - {"score", "atLeast", "atMost"} or not ({"atLeast", "atMost"} & set(raw)):
            raise DefinitionError("a score rule has atLeast and/or atMost", path=at)
        for key in ("atLeast", "atMost"):
            if key in raw and not _is_int(raw[key]):
                raise DefinitionError("must be a whole number", path=f"{at}.{key}")
    elif "items" in raw:
        link_ids = _list(raw["items"], f"{at}.items")
        for i, link_id in enumerate(link_ids):
            item = by_id.get(link_id) if isinstance(link_id, str) else None
            if item is None or not item.is_scored:
                raise DefinitionError(f"{link_id!r} is not a scored item", path=f"{at}.items[{i}]")
        if not {"items", "scoreAtLeast", "countAtLeast"} <= set(raw) or set(raw) - {
            "items",
            "scoreAtLeast",
            "countAtLeast",
            "missingCounts",
        }:
            raise DefinitionError(
                "an items rule has items, scoreAtLeast and countAtLeast (and missingCounts)",
                path=at,
            )
        if not isinstance(raw.get("missingCounts", False), bool):
            raise DefinitionError("must be true or false", path=f"{at}.missingCounts")
        for key in ("scoreAtLeast", "countAtLeast"):
            if not _is_int(raw[key]):
                raise DefinitionError("must be a whole number", path=f"{at}.{key}")
        if not 1 <= raw["countAtLeast"] <= len(link_ids):
            raise DefinitionError(
                f"must be between 1 and {len(link_ids)}", path=f"{at}.countAtLeast"
            )
    else:
        raise DefinitionError("unknown rule; use all, any, not, score or items", path=at)


def _validate_fhir(resource: dict[str, Any]) -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire
    from pydantic import ValidationError

    try:
        Questionnaire.model_validate(resource)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]).replace(
            ".[", "["
        )
        raise DefinitionError(
            f"not a valid FHIR Questionnaire: {error['msg']}", path=path
        ) from None


# --- small typed readers -------------------------------------------------------------------


def _obj(value: Any, at: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DefinitionError("must be a JSON object", path=at or "(top level)")
    return value


def _list(value: Any, at: str) -> list[Any]:
    if not isinstance(value, list):
        raise DefinitionError("must be a JSON list", path=at)
    return value


def _str(data: dict[str, Any], key: str, at: str) -> str:
    value = data.get(key)
    path = f"{at}.{key}" if at else key
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError("is required and must be non-empty text", path=path)
    return value


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _coding(value: Any, at: str) -> Coding:
    data = _obj(value, at)
    display = data.get("display", "")
    if not isinstance(display, str):
        raise DefinitionError("must be text", path=f"{at}.display")
    return Coding(system=_str(data, "system", at), code=_str(data, "code", at), display=display)


def _extension_int(data: dict[str, Any], url: str, value_key: str, at: str) -> int | None:
    extensions = _list(data.get("extension", []), f"{at}.extension")
    for i, extension in enumerate(extensions):
        extension = _obj(extension, f"{at}.extension[{i}]")
        if extension.get("url") != url:
            continue
        value = extension.get(value_key)
        whole = (
            _is_int(value)
            or (isinstance(value, float) and value.is_integer())
            or (isinstance(value, Decimal) and value == value.to_integral_value())
        )
        if not whole or value is None:
            raise DefinitionError("must be a whole number", path=f"{at}.extension[{i}].{value_key}")
        return int(value)
    return None
