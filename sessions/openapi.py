"""The agenda's part of the OpenAPI document (assembled by summit/openapi.py)."""

TEXT = {"$ref": "#/components/schemas/TrilingualText"}
ERROR = {"$ref": "#/components/schemas/Error"}
NULLABLE_COUNT = {"type": ["integer", "null"], "minimum": 0}

TAGS = [{"name": "agenda", "description": "The summit's published forums and sessions."}]

PATHS = {
    "/api/v1/agenda": {
        "get": {
            "tags": ["agenda"],
            "operationId": "getAgenda",
            "summary": "Forums and published sessions of the summit",
            "description": (
                "Public and cacheable: answers carry `Cache-Control` and a strong `ETag`; "
                "send it back in `If-None-Match` to get `304 Not Modified` while nothing "
                "changed. CORS is open to every origin (`Access-Control-Allow-Origin: *`). "
                "Cancelled sessions are included with `status: cancelled`; drafts are not."
            ),
            "parameters": [
                {
                    "name": "day",
                    "in": "query",
                    "required": False,
                    "description": "Only the sessions starting on this day of the summit.",
                    "schema": {"type": "string", "format": "date", "examples": ["2026-12-08"]},
                },
                {
                    "name": "forum",
                    "in": "query",
                    "required": False,
                    "description": "Only this forum and its sessions (the forum's slug).",
                    "schema": {"type": "string", "examples": ["digital-gba"]},
                },
            ],
            "responses": {
                "200": {
                    "description": "The agenda.",
                    "headers": {
                        "ETag": {"schema": {"type": "string"}},
                        "Cache-Control": {"schema": {"type": "string"}},
                        "Access-Control-Allow-Origin": {"schema": {"const": "*"}},
                    },
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Agenda"}}
                    },
                },
                "304": {"description": "Not modified since the ETag given in If-None-Match."},
                "400": {
                    "description": "A filter has a bad value (`error: invalid_parameter`).",
                    "content": {"application/json": {"schema": ERROR}},
                },
                "404": {
                    "description": "No summit is published yet.",
                    "content": {"application/json": {"schema": ERROR}},
                },
            },
        },
        "options": {
            "tags": ["agenda"],
            "operationId": "preflightAgenda",
            "summary": "CORS preflight",
            "responses": {"204": {"description": "Allowed methods and headers."}},
        },
    }
}

SCHEMAS = {
    "Agenda": {
        "type": "object",
        "required": ["summit", "forums", "sessions"],
        "properties": {
            "summit": {"$ref": "#/components/schemas/Summit"},
            "forums": {"type": "array", "items": {"$ref": "#/components/schemas/Forum"}},
            "sessions": {
                "type": "array",
                "description": "Ordered by start time.",
                "items": {"$ref": "#/components/schemas/Session"},
            },
        },
        "additionalProperties": False,
    },
    "Summit": {
        "type": "object",
        "required": [
            "slug",
            "name",
            "venue",
            "city",
            "starts_on",
            "ends_on",
            "days",
            "time_zone",
            "url",
        ],
        "properties": {
            "slug": {"type": "string"},
            "name": TEXT,
            "venue": TEXT,
            "city": TEXT,
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "days": {"type": "array", "items": {"type": "string", "format": "date"}},
            "time_zone": {"type": "string", "examples": ["Asia/Shanghai"]},
            "url": {"type": "string", "format": "uri"},
        },
        "additionalProperties": False,
    },
    "Room": {
        "type": "object",
        "required": ["slug", "name", "floor", "capacity"],
        "properties": {
            "slug": {"type": "string"},
            "name": TEXT,
            "floor": {"type": "string"},
            "capacity": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "Forum": {
        "type": "object",
        "required": [
            "slug",
            "kind",
            "title",
            "description",
            "colour",
            "room",
            "capacity",
            "seats_left",
            "url",
        ],
        "properties": {
            "slug": {"type": "string"},
            "kind": {"enum": ["plenary", "themed"]},
            "title": TEXT,
            "description": TEXT,
            "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            "room": {"oneOf": [{"$ref": "#/components/schemas/Room"}, {"type": "null"}]},
            "capacity": {**NULLABLE_COUNT, "description": "null: no limit of its own."},
            "seats_left": NULLABLE_COUNT,
            "url": {"type": "string", "format": "uri"},
        },
        "additionalProperties": False,
    },
    "Speaker": {
        "type": "object",
        "required": ["slug", "name", "name_latin", "names", "affiliation", "role", "url"],
        "properties": {
            "slug": {"type": "string"},
            "name": {
                "type": "string",
                "description": "As the person writes it (own script), e.g. 陳大文 or 김민준.",
            },
            "name_latin": {"type": "string", "description": "In Latin letters."},
            "names": {
                **TEXT,
                "description": "The name as readers of each language see it: Latin letters "
                "in English, each Chinese script its own form (陈大文, 陳大文), falling back to "
                "the other forms.",
            },
            "affiliation": TEXT,
            "role": {"enum": ["speaker", "moderator", "host"]},
            "url": {"type": "string", "format": "uri"},
        },
        "additionalProperties": False,
    },
    "Session": {
        "type": "object",
        "required": [
            "uid",
            "forum",
            "title",
            "description",
            "format",
            "status",
            "starts_at",
            "ends_at",
            "room",
            "speakers",
            "requires_enrolment",
            "capacity",
            "seats_left",
            "sequence",
            "last_modified",
            "url",
        ],
        "properties": {
            "uid": {
                "type": "string",
                "format": "uuid",
                "description": "Stable across edits; the UID of the session in calendars.",
            },
            "forum": {"type": "string", "description": "Slug of the session's forum."},
            "title": TEXT,
            "description": TEXT,
            "format": {
                "enum": ["ceremony", "keynote", "talk", "panel", "workshop", "signing", "break"]
            },
            "status": {"enum": ["scheduled", "cancelled"]},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "room": {"oneOf": [{"$ref": "#/components/schemas/Room"}, {"type": "null"}]},
            "speakers": {
                "type": "array",
                "description": "In the order of the programme.",
                "items": {"$ref": "#/components/schemas/Speaker"},
            },
            "requires_enrolment": {
                "type": "boolean",
                "description": (
                    "true: guests choose this session on its own, and capacity and seats_left "
                    "are the session's; false: it is open to everyone enrolled in the forum, "
                    "and they are the forum's."
                ),
            },
            "capacity": {**NULLABLE_COUNT, "description": "null: no limit of its own."},
            "seats_left": NULLABLE_COUNT,
            "sequence": {
                "type": "integer",
                "minimum": 0,
                "description": "Advances with every change guests see (calendar SEQUENCE).",
            },
            "last_modified": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
        },
        "additionalProperties": False,
    },
}
