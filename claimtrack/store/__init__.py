"""claimtrack.store"""
