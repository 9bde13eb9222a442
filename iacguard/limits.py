"""Limits that the config sets and the readers honour, kept apart from both."""

# About 350 MB of memory for a 1 MiB .tf file in python-hcl2; CloudFormation refuses
# templates over 1 MB anyway.
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
