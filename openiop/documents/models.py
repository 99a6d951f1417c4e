"""Files uploaded to a chart (outside records, referral letters, IDs, signed paper forms)."""
