"""Stage 3, offline verification: replay a dialogue for real and check it.

    with Verifier() as verifier:
        verification = verifier.verify(record)
"""

from toolace_mt.verifier.dialogue import CHECK_IDS, DEFAULT_CHECKS, TRAJECTORY_CHECK_IDS, Dialogue, Failure
from toolace_mt.verifier.env_pool import EnvPool
from toolace_mt.verifier.judge import SUB_QUESTIONS, Judge, OfflineJudge, Verdict
from toolace_mt.verifier.verify import Verifier, parse_check_ids

__all__ = ["CHECK_IDS", "DEFAULT_CHECKS", "SUB_QUESTIONS", "TRAJECTORY_CHECK_IDS", "Dialogue", "EnvPool", "Failure",
           "Judge", "OfflineJudge", "Verdict", "Verifier", "parse_check_ids"]
