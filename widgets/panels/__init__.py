"""The dock panels: catalog, details, sensors, passes, watchlist, events, screening, tasking,
exercise control, time controls."""
