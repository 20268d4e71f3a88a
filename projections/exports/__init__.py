"""Exports (导出): the ledger, statistics and summary as files people open, print and send."""
