"""Statistical detectors over many reports: peers, years, distributions."""
