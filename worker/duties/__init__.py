"""Disclosure duties (issue 18): who is expected to publish what, by when.

settings: [disclosure] and [[expected]] (or a CSV) read and checked;
names: does a report's issuer name an expected department;
due: each expected (department, year, type)'s due date and status;
evaluate: the duties of a database, read from its reports and source states.
The alerts they raise live in alerts/duties.py; `coverage` in worker/cli/duties.py.
"""
