"""The one property every provider's sync keeps under random answers: it succeeds, or it fails
as malformed and the last good catalog is left exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelsync.catalog import Catalog
from modelsync.errors import MalformedResponseError
from modelsync.model import Model
from tests.emulators import Fault, ProviderEmulator


def succeed_or_malformed(
    catalog: Catalog,
    provider: str,
    emu: ProviderEmulator,
    payloads: st.SearchStrategy[Any],
    *,
    then: Sequence[Fault] = (),
    all_consumed: bool = False,
) -> None:
    """Sync ``provider`` once for real, then once per drawn payload (served as the first answer,
    ``then`` after it): each sync succeeds with rows that validate as models, or raises
    :class:`MalformedResponseError` with the stored catalog unchanged. Both outcomes must occur.
    ``all_consumed`` also requires a successful sync to have read every answer pushed."""
    handle = catalog.provider(provider)
    assert handle.sync_models().status == "success"
    outcomes = {"success": 0, "malformed": 0}

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(payload=payloads)
    def check(payload: Any) -> None:
        before = catalog.raw_models(provider)[0]
        emu.clear_faults()
        emu.push(Fault.raw(200, json.dumps(payload)), *then)
        try:
            result = handle.sync_models(force_refresh=True)
        except MalformedResponseError:
            outcomes["malformed"] += 1
            assert catalog.raw_models(provider)[0] == before  # the last good catalog, unchanged
            return
        assert result.status == "success"
        outcomes["success"] += 1
        for row in catalog.raw_models(provider)[0]:
            Model.model_validate(row)
        if all_consumed:
            assert emu.pending_faults == 0

    check()
    assert outcomes["success"] and outcomes["malformed"]
