"""A centre worker for tests/fleet/test_shared.py: ``CenterLink(ingest=True,
share_group=G)`` in its own process, driven by one JSON line each way over stdin/stdout
(``counts``, ``cmd TID NAME``, ``quit``). Imports only the centre's side."""

from __future__ import annotations

import json
import sys
from typing import Any

from fleet.center.store import Store


def _worker_main(broker: str, password: str, db: str, group: str) -> None:
    from fleet.center.service import CenterLink

    store = Store(db)
    link = CenterLink(broker, password, store, ingest=True, share_group=group).start()
    print(json.dumps({"ready": link.worker}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[0] == "counts":
            out: dict[str, Any] = {"counts": dict(link.ingested_by_leaf)}
        elif words[0] == "cmd":
            res = link.command(words[1], words[2], timeout=10)
            out = {"ok": res.ok, "error": res.error, "result": res.result}
        else:
            break
        print(json.dumps(out), flush=True)
    link.close()
    store.close()


if __name__ == "__main__":
    _worker_main(*sys.argv[1:5])
