"""claimtrack.linking"""
