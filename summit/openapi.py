"""The OpenAPI 3.1 document of ``/api/v1/``, served at ``/api/v1/openapi.json``.

The document is assembled from parts, so that each app describes its own endpoints without
touching the others' files: an app adds a module ``<app>/openapi.py`` with

- ``PATHS``: the ``paths`` entries of its endpoints (``{"/api/v1/agenda": {...}}``),
- ``SCHEMAS``: the ``components.schemas`` they refer to,
- optionally ``SECURITY_SCHEMES`` (``components.securitySchemes``) and ``TAGS``.

Apps are visited in dependency order (like ``seed_demo``), and a name defined twice is an
error. The shared schemas (``Error``, ``TrilingualText``) live here. Tests validate the
document (openapi-spec-validator) and real responses against it (jsonschema).
"""

import functools
from importlib import import_module

from django.apps import apps
from django.http import HttpRequest

from summit.api import cacheable_json, public_api

DOCUMENTED_APPS = ("summit", "agenda", "registration", "badges", "checkin")

BASE = {
    "openapi": "3.1.0",
    "info": {
        "title": "Bayline API",
        "version": "1.0.0",
        "summary": "The Digital GBA Summit's agenda and door check-in.",
        "description": (
            "Times are ISO 8601 with their offset (the summit is in Asia/Shanghai, +08:00). "
            "Texts that organisers write come in English, Simplified and Traditional Chinese, "
            'keyed "en", "zh-hans" and "zh-hant". Errors are JSON objects (the Error schema).'
        ),
    },
    "servers": [{"url": "/", "description": "This server"}],
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "Stable code, e.g. invalid_parameter."},
            "message": {"type": "string", "description": "What went wrong, in English."},
            "parameter": {"type": "string", "description": "The request parameter at fault."},
        },
        "additionalProperties": False,
    },
    "TrilingualText": {
        "type": "object",
        "description": "One text in the three languages; an empty string when not written.",
        "required": ["en", "zh-hans", "zh-hant"],
        "properties": {
            "en": {"type": "string"},
            "zh-hans": {"type": "string"},
            "zh-hant": {"type": "string"},
        },
        "additionalProperties": False,
    },
}


@functools.cache
def openapi_document() -> dict:
    document = {**BASE, "paths": {}, "components": {"schemas": dict(SCHEMAS)}, "tags": []}
    for label in DOCUMENTED_APPS:
        module_name = f"{apps.get_app_config(label).name}.openapi"
        if module_name == __name__:
            continue
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        _merge(document["paths"], getattr(module, "PATHS", {}), module_name)
        _merge(document["components"]["schemas"], getattr(module, "SCHEMAS", {}), module_name)
        schemes = getattr(module, "SECURITY_SCHEMES", {})
        if schemes:
            _merge(document["components"].setdefault("securitySchemes", {}), schemes, module_name)
        document["tags"].extend(getattr(module, "TAGS", []))
    return document


def _merge(target: dict, part: dict, source: str) -> None:
    for name, value in part.items():
        if name in target:
            raise ValueError(f"{source} defines {name!r} again in the OpenAPI document")
        target[name] = value


@public_api()
def openapi_view(request: HttpRequest):
    return cacheable_json(request, openapi_document(), max_age=3600)
