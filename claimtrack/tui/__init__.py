"""claimtrack.tui"""
