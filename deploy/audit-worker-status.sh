#!/bin/sh
# For an external monitor (cron, Nagios, Zabbix): exits 1 when the daemon's
# heartbeat is stale or a source keeps failing; prints JSON for details.
exec /opt/audit-worker/.venv/bin/audit-worker --config /etc/audit-worker/config.toml status --json
