"""Use-case functions. The UI and the command line call these; nothing else writes."""
