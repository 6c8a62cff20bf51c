"""Settings shared by tests/ and parity_tests/: one hypothesis profile for the whole run.

CI (and anyone with CI=1) draws 25 examples per property, the same ones on every run
(derandomized: a CI result depends on the code, not on the draw); a local run draws 10 new ones
each time, so that development keeps exploring. HYPOTHESIS_PROFILE overrides either.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
