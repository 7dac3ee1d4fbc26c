"""The views: globe, ground-track map, timeline, and what draws them."""
