#!/bin/sh
# For an external monitor (cron, Nagios, Zabbix): exits 1 when the daemon's
# heartbeat is stale (it died or hangs; a clean stop is "stopped", not a fault),
# deliveries have failed or a source keeps failing; prints JSON for details
# (the reasons under "problems").
exec /opt/audit-worker/.venv/bin/audit-worker --config /etc/audit-worker/config.toml status --json
