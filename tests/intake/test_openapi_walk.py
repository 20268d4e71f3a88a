"""The OpenAPI document says what the API does: every operation in it is walked with
well-formed, malformed and boundary inputs, and each answer must be a status the document
lists for that operation (never a 5xx), with a body of the documented kind."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.intake.conftest import OPEN311_KEYS, Rectify, a_client_address

pytestmark = pytest.mark.integration

Schema = dict[str, Any]


@dataclass
class Call:
    """One request of the walk."""

    why: str
    path_value: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    content_type: str | None = None


def resolve(document: Schema, schema: Schema) -> Schema:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def example(document: Schema, schema: Schema) -> Any:
    """A smallest value the schema accepts (enough for the API's own models)."""
    schema = resolve(document, schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return example(document, schema["anyOf"][0])
    kind = schema.get("type")
    if kind == "object":
        return {name: example(document, schema["properties"][name])
                for name in schema.get("required", [])}
    if kind == "integer":
        return schema.get("minimum", 1)
    return "测" * max(schema.get("minLength", 1), 1)


def mutations(document: Schema, schema: Schema, base: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each property set to the wrong type, null, empty, one past its length, a wrong value."""
    properties = resolve(document, schema).get("properties", {})
    for name, raw in properties.items():
        prop = resolve(document, raw)
        for label, value in (("null", None), ("a number", 12345), ("a list", ["x"]),
                             ("an object", {"x": 1}), ("empty", ""), ("blank", "   "),
                             ("a wrong value", "no-such-value-\u0000"),
                             ("controls", "\u0007\u202e\ud7ff")):
            yield f"{name} = {label}", {**base, name: value}
        limits = [s.get("maxLength") for s in (prop, *prop.get("anyOf", []))]
        for limit in filter(None, limits):
            yield f"{name} at its length", {**base, name: "长" * limit}
            yield f"{name} one past its length", {**base, name: "长" * (limit + 1)}
    for name in resolve(document, schema).get("required", []):
        yield f"{name} missing", {k: v for k, v in base.items() if k != name}
    yield "an unknown field", {**base, "colour": "red"}


def json_calls(document: Schema, schema: Schema) -> Iterator[Call]:
    base = example(document, schema)
    yield Call("the smallest valid body", content=json.dumps(base).encode(),
               content_type="application/json")
    for why, body in mutations(document, schema, base):
        yield Call(why, content=json.dumps(body).encode(), content_type="application/json")
    for why, raw in (("not JSON", b"{not json"), ("empty", b""), ("null", b"null"),
                     ("a list", b"[]"), ("a string", b'"x"'), ("deeply nested", b"[" * 30000),
                     ("invalid UTF-8", b'{"problem": "\xff\xfe"}'),
                     ("a huge number", b'{"problem": 1e999999}')):
        yield Call(why, content=raw, content_type="application/json")
    yield Call("the wrong content type", content=json.dumps(base).encode(),
               content_type="text/plain")
    yield Call("form-encoded", content=b"problem=x&case=y",
               content_type="application/x-www-form-urlencoded")


def form_calls(document: Schema, schema: Schema) -> Iterator[Call]:
    base = {"api_key": next(iter(OPEN311_KEYS)), "description": "执法人员未亮证。4月1日检查。"}
    form = "application/x-www-form-urlencoded"
    yield Call("a valid request", content=httpx.QueryParams(base).__str__().encode(),
              content_type=form)
    for why, fields in mutations(document, schema, base):
        flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()
                if v is not None}
        yield Call(why, content=str(httpx.QueryParams(flat)).encode(), content_type=form)
    for why, raw, kind in (("empty", b"", form), ("broken percent-encoding", b"a=%zz&%", form),
                           ("JSON instead", json.dumps(base).encode(), "application/json"),
                           ("broken multipart", b"--x\r\nnonsense", "multipart/form-data"),
                           ("multipart without boundary", b"x", "multipart/form-data; x")):
        yield Call(why, content=raw, content_type=kind)


PATH_VALUES = ("R-0000-0000", "r 0000 0000", "x", "测" * 300, "%00", "..%2F..", "R-" + "0" * 5000)
QUERY_VALUES = ("", "R-0000-0000", ",,,,", "R-0000-0000," * 11, "测" * 2000, "\u0000")


def calls(document: Schema, operation: Schema) -> Iterator[Call]:
    params = [resolve(document, p) for p in operation.get("parameters", [])]
    in_path = [p for p in params if p["in"] == "path"]
    in_query = [p for p in params if p["in"] == "query"]
    for value in PATH_VALUES if in_path else (None,):
        yield Call(f"path {value!r:.40}", path_value=value)
    for param in in_query:
        for value in QUERY_VALUES:
            yield Call(f"{param['name']}={value!r:.40}", path_value="R-0000-0000",
                       query={param["name"]: value})
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        yield from json_calls(document, body["application/json"]["schema"])
    if "application/x-www-form-urlencoded" in body:
        yield from form_calls(document, body["application/x-www-form-urlencoded"]["schema"])


def operations(document: Schema) -> Iterator[tuple[str, str, Schema]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def walk(rectify: Rectify, document: Schema, path: str, method: str,
         operation: Schema) -> list[str]:
    """What went wrong: each answer whose status or body the document does not describe."""
    wrong = []
    documented = operation["responses"]
    base = rectify.endpoints["http"]
    for call in calls(document, operation):
        url = path
        if call.path_value is not None:
            url = path.split("{")[0] + call.path_value + path.split("}")[-1] \
                if "{" in path else path
        headers = {"x-forwarded-for": a_client_address()}  # each call its own client
        if call.content_type:
            headers["content-type"] = call.content_type
        with httpx.Client(base_url=base, timeout=30) as client:
            answer = client.request(method, url, params=call.query, content=call.content,
                                    headers=headers)
        status = str(answer.status_code)
        if status not in documented:
            wrong.append(f"{method} {path} [{call.why}] → {status}: {answer.text[:200]}")
            continue
        kinds = documented[status].get("content", {})
        if list(kinds) == ["application/json"]:
            try:
                answer.json()
            except ValueError:
                wrong.append(f"{method} {path} [{call.why}] → {status} not JSON")
    return wrong


@pytest.fixture(scope="module")
def document(rectify: Rectify) -> Schema:
    answer = httpx.get(f"{rectify.endpoints['http']}/api/v1/openapi.json", timeout=30)
    assert answer.status_code == 200
    loaded: Schema = answer.json()
    return loaded


def test_every_documented_operation_answers_only_documented_statuses(
        rectify: Rectify, document: Schema) -> None:
    walked = list(operations(document))
    assert {(p, m) for p, m, _ in walked} >= {
        ("/api/v1/reports", "POST"), ("/api/v1/reports/{tracking}", "GET"),
        ("/open311/v2/requests.json", "POST"), ("/open311/v2/requests.json", "GET"),
        ("/open311/v2/requests/{tracking}.json", "GET"), ("/open311/v2/services.json", "GET"),
        ("/wechat", "POST"), ("/wechat", "GET")}
    wrong = [problem for path, method, operation in walked
             for problem in walk(rectify, document, path, method, operation)]
    assert wrong == []


def test_the_pages_outside_the_document_never_answer_5xx(rectify: Rectify) -> None:
    base = rectify.endpoints["http"]
    with httpx.Client(base_url=base, timeout=30) as client:
        for method, url, content in (
                ("GET", "/", None), ("GET", "/report?lang=" + "x" * 3000, None),
                ("POST", "/report", b"problem=" + b"%" * 100),
                ("POST", "/report", b"--x\r\nbroken"), ("GET", "/track?tracking=%00", None),
                ("GET", "/reports/" + "测" * 500, None), ("GET", "/reports/R-0000-0000?new=x",
                                                         None),
                ("TRACE", "/report", None), ("GET", "/site.css", None)):
            answer = client.request(method, url, content=content,
                                    headers={"x-forwarded-for": a_client_address(),
                                             "content-type": "multipart/form-data; boundary=x"
                                             if content and content.startswith(b"--")
                                             else "application/x-www-form-urlencoded"})
            assert answer.status_code < 500, (method, url, answer.status_code, answer.text)


def test_copies_do_not_leak_between_calls() -> None:
    base = {"problem": "x"}
    mutated = dict(mutations({}, {"properties": {"problem": {"type": "string", "maxLength": 3}},
                                  "required": ["problem"]}, copy.deepcopy(base)))
    assert mutated["problem at its length"] == {"problem": "长长长"}
    assert base == {"problem": "x"}
