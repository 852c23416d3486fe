"""The OpenAPI document as ``/api/v1/openapi.json`` serves it, and real answers checked
against it: the contract with the API's clients, whatever framework generates it."""

import functools
import json
import re

import jsonschema
from django.test import Client


@functools.cache
def served_document() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def validate(payload, schema: dict) -> None:
    """Validate ``payload`` against ``schema``, which may refer to the document's components."""
    jsonschema.validate(
        payload,
        {**schema, "components": served_document()["components"]},
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def validate_named(payload, schema_name: str) -> None:
    validate(payload, {"$ref": f"#/components/schemas/{schema_name}"})


def validate_answer(response) -> None:
    """The answer is one the document lists for its address, method and status, in the schema
    it gives there. A 405 is documented with the method(s) the address takes."""
    request = response.wsgi_request
    operations = next(
        operations
        for template, operations in served_document()["paths"].items()
        if re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)), request.path)
    )
    operation = operations.get(request.method.lower()) or next(iter(operations.values()))
    content = operation["responses"][str(response.status_code)]["content"]
    validate(json.loads(response.content), content["application/json"]["schema"])
