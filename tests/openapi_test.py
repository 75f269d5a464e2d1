"""docs/openapi.json is a valid OpenAPI 3.0 document: checked against the
official OAS 3.0 JSON Schema that Debian's openapi-specification package ships,
with Debian's python3-jsonschema. (tests/test_openapi.c keeps the document in
step with the router; this test checks its form.)"""

import copy
import json
import os
import sys

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

OAS_SCHEMA = "/usr/share/openapi-specification/schemas/v3.0/schema.json"
PACKAGES = "openapi-specification python3-jsonschema"


def errors_of(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.path))


def dangling_refs(doc):
    """Every local $ref that points nowhere."""
    bad = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    target = doc
                    for part in value.removeprefix("#/").split("/"):
                        target = target.get(part) if isinstance(target, dict) else None
                    if not value.startswith("#/") or target is None:
                        bad.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    return bad


def main(c):
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    c.require(jsonschema is not None and os.path.exists(OAS_SCHEMA),
              f"the OAS 3.0 schema and jsonschema are installed (apt-get install {PACKAGES})")

    with open(os.path.join(h.SOURCE, "docs", "openapi.json"), encoding="utf-8") as f:
        doc = json.load(f)
    with open(OAS_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.validators.validator_for(schema)(schema)

    errs = errors_of(validator, doc)
    c.check(not errs, "docs/openapi.json is valid OpenAPI 3.0",
            "\n    ".join(f"{list(e.path)}: {e.message[:200]}" for e in errs[:10]))
    c.eq(dangling_refs(doc), [], "every $ref resolves")
    c.eq(doc.get("openapi"), "3.0.3", "the document says OpenAPI 3.0.3")

    # The validator is live: documents broken in known ways are refused.
    broken = copy.deepcopy(doc)
    del broken["paths"]["/api/search"]["get"]["responses"]
    c.check(errors_of(validator, broken), "an operation without responses is refused")
    broken = copy.deepcopy(doc)
    broken["paths"]["/api/users"]["get"]["parameters"] = [{"name": "x", "in": "body"}]
    c.check(errors_of(validator, broken), "a parameter in \"body\" (OpenAPI 2) is refused")
    broken = copy.deepcopy(doc)
    broken["components"]["securitySchemes"]["sessionCookie"]["in"] = "session"
    c.check(errors_of(validator, broken), "a security scheme in \"session\" is refused")
    broken = copy.deepcopy(doc)
    broken["paths"]["/api/articles"]["get"]["responses"]["200"]["content"] = \
        {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}
    c.check(dangling_refs(broken), "a dangling $ref is found")


if __name__ == "__main__":
    checker = h.Checker("openapi_test")
    try:
        main(checker)
    except h.Fatal:
        pass
    sys.exit(checker.done())
