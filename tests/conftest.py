"""minitf's own tests: no TensorFlow needed. They run on the backend MINITF_BACKEND selects
(hypothesis settings: the repository's conftest.py)."""
