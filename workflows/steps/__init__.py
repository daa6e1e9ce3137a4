"""Building blocks shared by every procedure: recorder, statutory clock, decision desk, step runner."""
