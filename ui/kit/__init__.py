"""What every window and view shares: subscribing to changes, form helpers, the
record window base, background jobs and file drops (one copy each)."""
