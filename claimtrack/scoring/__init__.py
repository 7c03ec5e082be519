"""claimtrack.scoring"""
