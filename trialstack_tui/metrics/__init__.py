"""Pure metric functions over query results (CONTRACT §2, §3). No SQL connections, no Textual."""
