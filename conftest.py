"""Settings shared by tests/ and parity_tests/: one hypothesis profile for the whole run.

CI (and anyone with CI=1) draws 25 examples per property; a local run draws 10.
HYPOTHESIS_PROFILE overrides either.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
