"""Scoring replies and chats by the seed training material's rules (scenarios/rules/rubric*.yaml, scoring.yaml).

rubric: loading with file:line:col problems; scorer: one reply; judge: the engine's hook (mood at once);
report: the chat report; cli: `check-reply` and the report for `simulate`. Never imports pygame.
"""
