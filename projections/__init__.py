"""Read models built from the EVENTS stream (the rectification ledger, trails, timelines)."""
