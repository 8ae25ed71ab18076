"""The sandbox's TUS 1.0.0 server, spoken to in raw HTTP as the spec words it (docs/platforms/tus.md)."""

from __future__ import annotations

import base64
import hashlib
import os

import httpx2
import pytest

from tests.conftest import Sandbox

TUS = {"Tus-Resumable": "1.0.0"}
STREAM = {**TUS, "Content-Type": "application/offset+octet-stream"}
BODY = os.urandom(300_000)


@pytest.fixture
def http(sandbox: Sandbox) -> httpx2.Client:
    with httpx2.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


def _create(http: httpx2.Client, length: int = len(BODY), **headers: str) -> str:
    answer = http.post("/_tus/files", headers={**TUS, "Upload-Length": str(length), **headers})
    assert answer.status_code == 201, answer.text
    return answer.headers["location"]


def _uploads(sandbox: Sandbox) -> list[dict[str, object]]:
    with sandbox.control() as control:
        uploads: list[dict[str, object]] = control.get("/state").json()["uploads"]
    return uploads


def test_options_names_version_extensions_and_max_size(http: httpx2.Client) -> None:
    answer = http.options("/_tus/files")
    assert answer.status_code == 204
    assert answer.headers["tus-version"] == "1.0.0"
    assert set(answer.headers["tus-extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "expiration",
        "termination",
    }
    assert int(answer.headers["tus-max-size"]) > 0


def test_upload_in_two_patches_is_stored_whole_and_hashed(sandbox: Sandbox, http: httpx2.Client) -> None:
    meta = f"filename {base64.b64encode('клип.mp4'.encode()).decode()},empty"
    location = _create(http, **{"Upload-Metadata": meta})
    assert location.startswith("/_tus/files/")  # relative: the client resolves it
    head = http.head(location, headers=TUS)
    assert (head.status_code, head.headers["upload-offset"], head.headers["upload-length"]) == (
        200,
        "0",
        str(len(BODY)),
    )
    assert head.headers["cache-control"] == "no-store"
    first = http.patch(location, headers={**STREAM, "Upload-Offset": "0"}, content=BODY[:100_000])
    assert (first.status_code, first.headers["upload-offset"]) == (204, "100000")
    assert "upload-expires" in first.headers
    rest = http.patch(location, headers={**STREAM, "Upload-Offset": "100000"}, content=BODY[100_000:])
    assert (rest.status_code, rest.headers["upload-offset"]) == (204, str(len(BODY)))
    [upload] = _uploads(sandbox)
    assert upload["complete"] is True
    assert upload["sha256"] == hashlib.sha256(BODY).hexdigest()
    assert upload["metadata"] == {"filename": "клип.mp4", "empty": ""}


def test_creation_with_upload_stores_the_first_chunk(sandbox: Sandbox, http: httpx2.Client) -> None:
    answer = http.post(
        "/_tus/files", headers={**STREAM, "Upload-Length": str(len(BODY))}, content=BODY[:1000]
    )
    assert (answer.status_code, answer.headers["upload-offset"]) == (201, "1000")
    assert _uploads(sandbox)[0]["offset"] == 1000


def test_wrong_offset_is_a_conflict_and_changes_nothing(sandbox: Sandbox, http: httpx2.Client) -> None:
    location = _create(http)
    answer = http.patch(location, headers={**STREAM, "Upload-Offset": "10"}, content=BODY[10:20])
    assert answer.status_code == 409
    assert _uploads(sandbox)[0]["offset"] == 0


def test_refusals_follow_the_spec(http: httpx2.Client) -> None:
    location = _create(http)
    bad_type = http.patch(
        location, headers={**TUS, "Content-Type": "video/mp4", "Upload-Offset": "0"}, content=b"x"
    )
    assert bad_type.status_code == 415
    no_version = http.head(location)
    assert (no_version.status_code, no_version.headers["tus-version"]) == (412, "1.0.0")
    too_long = http.patch(location, headers={**STREAM, "Upload-Offset": "0"}, content=BODY + b"x")
    assert too_long.status_code == 413
    too_big = http.post("/_tus/files", headers={**TUS, "Upload-Length": str(2**60)})
    assert too_big.status_code == 413
    no_length = http.post("/_tus/files", headers=TUS)
    assert no_length.status_code == 400
    bad_meta = http.post("/_tus/files", headers={**TUS, "Upload-Length": "1", "Upload-Metadata": "k !!"})
    assert bad_meta.status_code == 400
    assert http.head("/_tus/files/nope", headers=TUS).status_code == 404


def test_expired_upload_answers_gone(sandbox: Sandbox, http: httpx2.Client) -> None:
    location = _create(http)
    with sandbox.control() as control:
        control.post("/clock", json={"advance": 25 * 3600}).raise_for_status()
    assert http.head(location, headers=TUS).status_code == 410
    answer = http.patch(location, headers={**STREAM, "Upload-Offset": "0"}, content=BODY)
    assert answer.status_code == 410


def test_terminated_upload_is_gone(sandbox: Sandbox, http: httpx2.Client) -> None:
    location = _create(http)
    assert http.delete(location, headers=TUS).status_code == 204
    assert http.head(location, headers=TUS).status_code == 404
    assert _uploads(sandbox) == []


def test_guarded_endpoint_wants_browser_like_headers(http: httpx2.Client) -> None:
    plain = http.post("/_tus/browser/files", headers={**TUS, "Upload-Length": "1"})
    assert plain.status_code == 403
    browser = {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
        "Origin": "https://studio.rutube.ru",
        "Referer": "https://studio.rutube.ru/",
    }
    answer = http.post("/_tus/browser/files", headers={**TUS, "Upload-Length": "1", **browser})
    assert answer.status_code == 201
    assert answer.headers["location"].startswith("/_tus/browser/files/")


def test_reset_fault_keeps_the_bytes_before_the_cut(sandbox: Sandbox, http: httpx2.Client) -> None:
    location = _create(http)
    with sandbox.control() as control:
        fault = {"platform": "tus", "fault": "reset", "on": "tus.patch", "after_bytes": 12345}
        control.post("/faults", json=fault).raise_for_status()
    with pytest.raises(httpx2.TransportError):
        http.patch(location, headers={**STREAM, "Upload-Offset": "0"}, content=BODY)
    head = http.head(location, headers=TUS)
    assert head.headers["upload-offset"] == "12345"
    assert _uploads(sandbox)[0]["sha256"] == hashlib.sha256(BODY[:12345]).hexdigest()


def test_cut_position_must_be_a_whole_number(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        answer = control.post("/faults", json={"platform": "tus", "fault": "reset", "after_bytes": -1})
    assert (answer.status_code, answer.json()["error"]) == (400, "after_bytes must be a whole number")


def test_server_error_and_rate_limit_faults(sandbox: Sandbox, http: httpx2.Client) -> None:
    location = _create(http)
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "tus", "fault": "server_error", "on": "tus.patch"})
        control.post("/faults", json={"platform": "tus", "fault": "rate_limit", "on": "tus.head"})
    assert http.patch(location, headers={**STREAM, "Upload-Offset": "0"}, content=BODY).status_code == 500
    limited = http.head(location, headers=TUS)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
    assert _uploads(sandbox)[0]["offset"] == 0
