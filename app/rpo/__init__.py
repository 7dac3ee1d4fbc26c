"""Rendezvous and proximity operations: the watch-pair record and the watchlist evaluation
(range, range rate, RIC, next approach, alerts)."""
