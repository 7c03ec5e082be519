"""claimtrack.sources"""
