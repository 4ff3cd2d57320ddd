"""Print alerts on standard output (the bundled examples use it)."""
from __future__ import annotations

import sys

from alerts import format as fmt
from alerts.channels import Channel, Item, Result


class ConsoleChannel(Channel):
    def deliver(self, items: list[Item]) -> Result:
        digest = [i for i in items if i.digest]
        single = [i for i in items if not i.digest]
        out = sys.stdout
        for it in single:
            out.write(fmt.one(it.alert, it.event) + "\n\n")
        if digest:
            out.write(fmt.digest_subject(digest) + "\n\n" + fmt.digest_text(digest) + "\n")
        out.flush()
        return Result()
