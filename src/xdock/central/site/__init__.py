"""The site core: the live site's one owner (state, store, dispatcher, alerts, clock) and the rules it applies."""
