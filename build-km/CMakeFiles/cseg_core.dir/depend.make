# Empty dependencies file for cseg_core.
# This may be replaced when dependencies are built.
