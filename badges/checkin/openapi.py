"""Door check-in's part of the OpenAPI document (assembled by summit/openapi.py).

Statuses and their precedence: badges/checkin/services.py. Errors of these endpoints carry field
errors (``CheckinError``), unlike the shared ``Error``.
"""

TAGS = [
    {
        "name": "checkin",
        "description": "Door check-in, for door devices (bearer token) and door staff (session). "
        "Every scan is logged.",
    }
]

SECURITY_SCHEMES = {
    "checkinDevice": {
        "type": "http",
        "scheme": "bearer",
        "description": "A door device's token (shown once when registered; only "
        "its SHA-256 is stored).",
    },
    "checkinSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "A door-staff login (permission summit.scan_badges); POSTs "
        "also need X-CSRFToken.",
    },
}

TOO_MANY_REQUESTS = {
    "description": "Too many requests from this device or door-staff member (Retry-After: seconds)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckinError"}}},
}

ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/CheckinError"}}}
BAD_BODY = {
    "description": "Bad input: field errors (fields), or a body that is not a JSON object in "
    "UTF-8 (invalid_json: also nested deeper than 8 levels, NaN, half a surrogate pair) or "
    "is larger than 2.5 MB (too_large)",
    "content": ERROR_CONTENT,
}
FORM_BODY = {
    "description": "A form body (multipart/form-data, x-www-form-urlencoded): send JSON",
    "content": ERROR_CONTENT,
}
NOT_THIS_METHOD = {"description": "Another method than this one", "content": ERROR_CONTENT}

PATHS = {
    "/api/v1/checkin": {
        "post": {
            "operationId": "checkin",
            "summary": "Answer one scan",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/CheckinScanRequest"}
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "The scan's answer, "
                    "whatever the status "
                    "(X-Scan-Replayed: 1 on a "
                    "retry)",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinScanAnswer"}
                        }
                    },
                },
                "400": BAD_BODY,
                "401": {
                    "description": "No valid device token or login (WWW-Authenticate: Bearer)",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
                "403": {
                    "description": "Logged in without "
                    "summit.scan_badges, or a "
                    "session POST without the "
                    "CSRF token",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
                "404": {
                    "description": "Unknown checkpoint",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
                "405": NOT_THIS_METHOD,
                "415": FORM_BODY,
                "429": TOO_MANY_REQUESTS,
            },
            "tags": ["checkin"],
            "security": [{"checkinDevice": []}, {"checkinSession": []}],
        }
    },
    "/api/v1/checkin/batch": {
        "post": {
            "operationId": "checkinBatch",
            "summary": "Upload scans made offline",
            "description": "All scans are validated first (any bad "
            "one: 400, nothing recorded), then "
            "recorded in the order they were made, "
            "each idempotent by scan_id. A scan the "
            "device admitted that the server refuses "
            "(admitted at two doors of a single-entry "
            "checkpoint, badge revoked meanwhile…) is "
            "flagged as a conflict, answered with "
            "conflict=true and listed for organisers.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["scans"],
                            "properties": {
                                "scans": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": 500,
                                    "items": {
                                        "allOf": [
                                            {"$ref": "#/components/schemas/CheckinScanRequest"},
                                            {
                                                "type": "object",
                                                "required": ["code", "scan_id", "scanned_at"],
                                                "properties": {
                                                    "offline_result": {
                                                        "type": "string",
                                                        "enum": [
                                                            "ok",
                                                            "already_checked_in",
                                                            "not_enrolled",
                                                            "not_approved",
                                                            "cancelled",
                                                            "revoked",
                                                            "invalid",
                                                            "wrong_day",
                                                            "checkpoint_closed",
                                                            "room_full",
                                                        ],
                                                        "description": "What "
                                                        "the "
                                                        "device "
                                                        "answered "
                                                        "offline.",
                                                    }
                                                },
                                            },
                                        ]
                                    },
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "One answer per scan, in the order sent",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "results": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/CheckinScanAnswer"},
                                    },
                                    "conflicts": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "400": BAD_BODY,
                "401": {
                    "description": "No valid device token or login (WWW-Authenticate: Bearer)",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
                "403": {
                    "description": "Logged in without "
                    "summit.scan_badges, "
                    "or a session POST "
                    "without the CSRF "
                    "token",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
                "405": NOT_THIS_METHOD,
                "415": FORM_BODY,
                "429": TOO_MANY_REQUESTS,
            },
            "tags": ["checkin"],
            "security": [{"checkinDevice": []}, {"checkinSession": []}],
        }
    },
    "/api/v1/checkin/offline-data": {
        "get": {
            "operationId": "checkinOfflineData",
            "summary": "What a scanner needs offline",
            "description": "Public keys (Ed25519, raw, base64) "
            "to verify codes; active badges "
            "(roster, by badge id) with display "
            "data, registration status, "
            "confirmed forum ids and checkpoints "
            "already entered; revoked [badge id, "
            "serial] pairs; checkpoints with "
            "their rules. Codes are 72 bytes "
            "base32: version(1) key id(1) badge "
            "id(4, big-endian) serial(2) Ed25519 "
            "signature(64) of b'bayline-badge' + "
            "the first 8 bytes.",
            "responses": {
                "200": {
                    "description": "Offline data",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "generated_at": {"type": "string", "format": "date-time"},
                                    "summit": {
                                        "type": "object",
                                        "properties": {
                                            "slug": {"type": "string"},
                                            "time_zone": {"type": "string"},
                                        },
                                    },
                                    "keys": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "id": {"type": "integer"},
                                                "public_key": {
                                                    "type": "string",
                                                    "contentEncoding": "base64",
                                                },
                                            },
                                        },
                                    },
                                    "categories": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "checkpoints": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "slug": {"type": "string"},
                                                "name": {"type": "string"},
                                                "names": {"type": "object"},
                                                "kind": {
                                                    "type": "string",
                                                    "enum": ["entrance", "forum"],
                                                },
                                                "policy": {
                                                    "type": "string",
                                                    "enum": ["single", "reentry"],
                                                },
                                                "forum_id": {"type": ["integer", "null"]},
                                                "forum_is_plenary": {"type": "boolean"},
                                                "day": {
                                                    "type": ["string", "null"],
                                                    "format": "date",
                                                },
                                                "is_active": {"type": "boolean"},
                                            },
                                        },
                                    },
                                    "revoked": {
                                        "type": "array",
                                        "items": {
                                            "type": "array",
                                            "items": {"type": "integer"},
                                            "minItems": 2,
                                            "maxItems": 2,
                                        },
                                    },
                                    "roster": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "type": "object",
                                            "properties": {
                                                "serial": {"type": "integer"},
                                                "registration_id": {"type": "integer"},
                                                "name": {"type": "string"},
                                                "name_latin": {"type": "string"},
                                                "organisation": {"type": "string"},
                                                "category": {"type": "string"},
                                                "status": {"type": "string"},
                                                "forums": {
                                                    "type": "array",
                                                    "items": {"type": "integer"},
                                                },
                                                "entered": {
                                                    "type": "object",
                                                    "additionalProperties": {
                                                        "type": "string",
                                                        "format": "date-time",
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "405": NOT_THIS_METHOD,
                "401": {
                    "description": "No valid device token or login (WWW-Authenticate: Bearer)",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
                "403": {
                    "description": "Logged in "
                    "without "
                    "summit.scan_badges, "
                    "or a session "
                    "POST without "
                    "the CSRF "
                    "token",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
            },
            "tags": ["checkin"],
            "security": [{"checkinDevice": []}, {"checkinSession": []}],
        }
    },
    "/api/v1/checkin/search": {
        "get": {
            "operationId": "checkinSearch",
            "summary": "Find guests by name, organisation or e-mail (at most 20)",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 2},
                }
            ],
            "responses": {
                "200": {
                    "description": "Matches",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "results": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "registration_id": {"type": "integer"},
                                                "name": {"type": "string"},
                                                "name_latin": {"type": "string"},
                                                "organisation": {"type": "string"},
                                                "category": {"type": "string"},
                                                "category_label": {"type": "string"},
                                                "status": {"type": "string"},
                                                "status_label": {"type": "string"},
                                                "badge_id": {"type": ["integer", "null"]},
                                                "reprint_url": {"type": ["string", "null"]},
                                            },
                                        },
                                    }
                                },
                            }
                        }
                    },
                },
                "405": NOT_THIS_METHOD,
                "401": {
                    "description": "No valid device token or login (WWW-Authenticate: Bearer)",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
                "403": {
                    "description": "Logged in without "
                    "summit.scan_badges, "
                    "or a session POST "
                    "without the CSRF "
                    "token",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinError"}
                        }
                    },
                },
            },
            "tags": ["checkin"],
            "security": [{"checkinDevice": []}, {"checkinSession": []}],
        }
    },
}

SCHEMAS = {
    "CheckinScanRequest": {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {
                "type": "string",
                "maxLength": 2000,
                "description": "The text of the QR code (116 base32 characters).",
            },
            "checkpoint": {
                "type": "string",
                "description": "Checkpoint slug; optional for a device with a default checkpoint.",
            },
            "scan_id": {
                "type": "string",
                "format": "uuid",
                "description": "Chosen by the device; a "
                "retry with the same id is "
                "answered the same and "
                "counted once.",
            },
            "scanned_at": {
                "type": "string",
                "format": "date-time",
                "description": "When the badge was scanned (device clock); default: now. "
                "Refused (a field error) unless within the summit's days +-2 days (its time "
                "zone) or the 2 days before now, and at most 10 minutes ahead of now.",
            },
            "direction": {
                "type": "string",
                "enum": ["entry", "exit"],
                "description": "Default: the device's bound direction, else the "
                "checkpoint's (entries, or exits at an exit-only checkpoint). A direction the "
                "checkpoint does not count is a field error.",
            },
            "override": {
                "type": "string",
                "enum": ["true", "false"],
                "description": "Door staff admit into a full room; logged on the scan.",
            },
        },
    },
    "CheckinScanAnswer": {
        "type": "object",
        "required": [
            "status",
            "message",
            "scan_id",
            "scanned_at",
            "checkpoint",
            "guest",
            "first_entry",
            "re_entry",
        ],
        "properties": {
            "status": {
                "type": "string",
                "enum": [
                    "ok",
                    "already_checked_in",
                    "not_enrolled",
                    "not_approved",
                    "cancelled",
                    "revoked",
                    "invalid",
                    "wrong_day",
                    "checkpoint_closed",
                    "room_full",
                ],
                "description": "One of a fixed set; when "
                "several apply the first in "
                "this order wins: invalid "
                "(not a code we signed, "
                "unknown badge, another "
                "summit's), cancelled "
                "(registration cancelled), "
                "revoked (badge replaced by a "
                "reprint or revoked), "
                "not_approved (pending, "
                "waitlisted or rejected), "
                "checkpoint_closed, wrong_day "
                "(the checkpoint admits on "
                "another day, Asia/Shanghai), "
                "not_enrolled (forum "
                "checkpoint; no confirmed "
                "place in the forum or one of "
                "its sessions), "
                "already_checked_in "
                "(single-entry checkpoint, "
                "admitted before), room_full (the checkpoint's room is at capacity; not "
                "admitted unless the category may enter a full room or override=true), ok "
                "(admitted; at a re-entry "
                "checkpoint a repeat is ok "
                "with re_entry=true and "
                "first_entry).",
            },
            "message": {"type": "string", "description": "The status in words, translated."},
            "scan_id": {"type": "string", "format": "uuid"},
            "scanned_at": {
                "type": "string",
                "format": "date-time",
                "description": "ISO-8601 with the summit's offset (+08:00).",
            },
            "checkpoint": {
                "type": "object",
                "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
            },
            "guest": {"$ref": "#/components/schemas/CheckinGuest"},
            "first_entry": {"$ref": "#/components/schemas/CheckinFirstEntry"},
            "re_entry": {"type": "boolean"},
            "direction": {"type": "string", "enum": ["entry", "exit"]},
            "override": {"type": "boolean", "description": "At a room's door only."},
            "occupancy": {
                "type": "object",
                "description": "At a room's door only: the room after this scan.",
                "properties": {
                    "room": {"type": "string"},
                    "room_id": {"type": "integer"},
                    "inside": {"type": "integer"},
                    "capacity": {"type": "integer"},
                    "percent": {"type": "integer"},
                    "warn_at_percent": {"type": "integer"},
                    "level": {"type": "string", "enum": ["ok", "warn", "full"]},
                },
            },
            "conflict": {
                "type": "boolean",
                "description": "Batch answers only: the "
                "device admitted the guest "
                "offline, the server would "
                "not have.",
            },
        },
    },
    "CheckinGuest": {
        "type": ["object", "null"],
        "description": "Null for invalid codes. No photo, no contact data.",
        "properties": {
            "registration_id": {"type": "integer"},
            "badge_id": {"type": "integer"},
            "name": {"type": "string", "description": "Native script, may be empty"},
            "name_latin": {"type": "string"},
            "organisation": {"type": "string"},
            "category": {
                "type": "string",
                "enum": ["vip", "speaker", "media", "delegate", "staff"],
            },
            "category_label": {"type": "string"},
        },
    },
    "CheckinFirstEntry": {
        "type": ["object", "null"],
        "description": "For repeats: when and where the guest was first "
        "admitted at this checkpoint.",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "checkpoint": {"type": "string"},
            "checkpoint_name": {"type": "string"},
            "door": {
                "type": "string",
                "description": "Device name, or the door-staff member's name "
                "(empty when their account has none)",
            },
        },
    },
    "CheckinError": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {
                "type": "string",
                "enum": [
                    "invalid",
                    "invalid_json",
                    "unauthorized",
                    "forbidden",
                    "csrf",
                    "unknown_checkpoint",
                    "method_not_allowed",
                    "no_summit",
                    "too_large",
                    "unsupported_media_type",
                    "too_many_requests",
                ],
            },
            "message": {"type": "string", "description": "Translated (Accept-Language)."},
            "fields": {
                "type": "object",
                "description": "Field name → list of messages; "
                "for batches, scans → index → "
                "field → messages.",
                "additionalProperties": True,
            },
        },
    },
}
