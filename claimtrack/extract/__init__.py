"""claimtrack.extract"""
