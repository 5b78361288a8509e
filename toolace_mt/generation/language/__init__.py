"""How turns are worded: labels, phrases and the offline backend's language passes."""
