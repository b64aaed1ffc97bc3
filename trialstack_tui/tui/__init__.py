"""The Textual front end. Screens ask `review` for view models and render them; no SQL here."""
