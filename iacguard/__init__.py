"""iacguard: checks the IAM part of infrastructure-as-code before it is deployed."""

__version__ = "0.1.0"
