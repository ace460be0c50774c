"""The stack fixtures (`stack`, `stack_db`, `rasa_url`, `web_url`) moved to tests/conftest.py
so that tests/e2e and tests/browser share one running stack per test session."""
