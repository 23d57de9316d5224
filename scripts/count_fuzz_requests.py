"""Count the HTTP requests a schemathesis run made, by status, from its NDJSON report (scripts/fuzz-api.sh).

Prints "<requests> <server errors> <by status>"; each interaction the run recorded is
one request that reached the server and came back.
"""

import json
import sys
from collections import Counter


def count(path: str) -> Counter:
    statuses: Counter = Counter()
    with open(path, encoding="utf-8") as events:
        for line in events:
            finished = json.loads(line).get("ScenarioFinished")
            if not finished:
                continue
            for interaction in (finished.get("recorder") or {}).get("interactions", {}).values():
                response = interaction.get("response")
                if response is not None:
                    statuses[int(response["status_code"])] += 1
    return statuses


if __name__ == "__main__":
    by_status = count(sys.argv[1])
    server_errors = sum(n for status, n in by_status.items() if status >= 500)
    print(sum(by_status.values()), server_errors, json.dumps(dict(sorted(by_status.items()))))
