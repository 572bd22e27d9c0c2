"""Measurements of qpvkg's speed, each against a named peer measured in the same run."""
