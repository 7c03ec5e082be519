"""claimtrack.report"""
