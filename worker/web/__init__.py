"""The auditor's web view (`audit-worker serve`): server-rendered pages over the SQLite store."""
