"""PHQ-9 scoring throughput on one core: `.venv/bin/python bench/scoring.py`."""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openiop.assessments.definitions import shipped_definitions
from openiop.assessments.scoring import score


def main(count: int = 50_000) -> None:
    phq9 = shipped_definitions()["phq-9"]
    rng = random.Random(7)
    codes = [o.code for o in phq9.item("1").options]
    responses = [{str(n): rng.choice(codes) for n in range(1, 10)} for _ in range(count)]
    start = time.perf_counter()
    for answers in responses:
        score(phq9, answers)
    elapsed = time.perf_counter() - start
    print(f"PHQ-9: {count} responses in {elapsed:.2f} s = {count / elapsed:,.0f} responses/s")


if __name__ == "__main__":
    main()
