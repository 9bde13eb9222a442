"""Shipped data: the action catalog and the script that regenerates it."""
